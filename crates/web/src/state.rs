//! What every handler shares: the database, the clock, and the sign-in policy.
use anbao_app::auth::AuthPolicy;
use anbao_store::Db;
use anbao_store::blobs::BlobStore;
use std::sync::Arc;

/// Current time in UTC epoch milliseconds. Tests replace it to set the clock.
pub type Clock = Arc<dyn Fn() -> i64 + Send + Sync>;

pub fn system_clock() -> Clock {
    Arc::new(|| jiff::Timestamp::now().as_millisecond())
}

#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub policy: AuthPolicy,
    pub clock: Clock,
    /// Mark cookies `Secure` (set when served behind TLS).
    pub secure_cookies: bool,
    /// Where photos and scans are kept.
    pub blobs: BlobStore,
    /// Monthly compliance of past months per subtree, for the dashboard's trend (see `TrendCache`).
    pub trend: std::sync::Arc<TrendCache>,
}

/// Compliance of a past month under a unit, kept for a few minutes: the 12-month trend would otherwise re-judge a
/// year of a province on every view. A record entered late for a past month shows in the trend within `ttl`.
/// (subtree path, month) → (when computed, compliance in tenths of a percent).
type TrendEntries = std::collections::HashMap<(String, String), (std::time::Instant, Option<i64>)>;

#[derive(Default)]
pub struct TrendCache {
    entries: std::sync::Mutex<TrendEntries>,
}

impl TrendCache {
    pub const TTL: std::time::Duration = std::time::Duration::from_secs(600);

    pub fn get(&self, path: &str, month: &str) -> Option<Option<i64>> {
        let map = self.entries.lock().ok()?;
        map.get(&(path.to_owned(), month.to_owned())).filter(|(t, _)| t.elapsed() < Self::TTL).map(|(_, v)| *v)
    }

    pub fn put(&self, path: &str, month: &str, permille: Option<i64>) {
        if let Ok(mut map) = self.entries.lock() {
            if map.len() > 10_000 {
                map.retain(|_, (t, _)| t.elapsed() < Self::TTL);
            }
            map.insert((path.to_owned(), month.to_owned()), (std::time::Instant::now(), permille));
        }
    }
}

impl AppState {
    pub fn new(db: Db, policy: AuthPolicy, secure_cookies: bool, blobs: BlobStore) -> Self {
        Self { db, policy, clock: system_clock(), secure_cookies, blobs, trend: Default::default() }
    }

    pub fn now(&self) -> i64 {
        (self.clock)()
    }
}
