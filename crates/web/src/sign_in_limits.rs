//! Sign-in rates held in memory, in front of the database counters.
use std::num::NonZeroU32;

/// The sign-in rates one instance accepts before touching the database.
#[derive(Debug, Clone, Copy)]
pub struct SignInRates {
    pub per_client_per_minute: u32,
    pub all_per_second: u32,
}

impl Default for SignInRates {
    fn default() -> Self {
        Self { per_client_per_minute: 30, all_per_second: 20 }
    }
}

/// In-memory token buckets (`governor`) in front of the database counters: a flood from one address, or from many,
/// is answered 429 at once, before a username is looked up or a password hashed. The database counters
/// (`app::auth::count_attempt`) are what hold across instances; these only keep a burst off the database.
pub struct SignInLimits {
    per_client: governor::DefaultKeyedRateLimiter<String>,
    all: governor::DefaultDirectRateLimiter,
}

impl SignInLimits {
    pub fn new(r: SignInRates) -> Self {
        let per_minute = NonZeroU32::new(r.per_client_per_minute.max(1)).unwrap_or(NonZeroU32::MIN);
        let per_second = NonZeroU32::new(r.all_per_second.max(1)).unwrap_or(NonZeroU32::MIN);
        Self {
            per_client: governor::RateLimiter::keyed(governor::Quota::per_minute(per_minute)),
            all: governor::RateLimiter::direct(governor::Quota::per_second(per_second)),
        }
    }

    /// May this client try to sign in now? Err carries the seconds to wait.
    pub fn check(&self, client: &str) -> Result<(), i64> {
        // Forget idle clients now and then, so a scan of many addresses cannot grow the table without end.
        if self.per_client.len() > 10_000 {
            self.per_client.retain_recent();
        }
        let clock = governor::clock::DefaultClock::default();
        let wait = |n: governor::NotUntil<governor::clock::QuantaInstant>| {
            (n.wait_time_from(governor::clock::Clock::now(&clock)).as_secs() as i64).max(1)
        };
        self.all.check().map_err(wait)?;
        self.per_client.check_key(&client.to_owned()).map_err(wait)
    }
}
