//! What every handler shares: the database, the clock, and the sign-in policy.
use anbao_app::auth::AuthPolicy;
use anbao_store::Db;
use anbao_store::blobs::BlobStore;
use std::sync::Arc;

/// Current time in UTC epoch milliseconds. Tests replace it to set the clock.
pub type Clock = Arc<dyn Fn() -> i64 + Send + Sync>;

/// The server's clock: one of the two places the wall clock is read (see `clippy.toml`).
#[allow(clippy::disallowed_methods)]
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
    /// Take the client's address from `X-Forwarded-For` (its last hop), set only behind a proxy that writes it.
    pub trust_proxy: bool,
    /// Sign-in bursts refused before any database work, per client and in all (this instance only).
    pub sign_in_limits: Arc<crate::sign_in_limits::SignInLimits>,
    /// Typesets the PDF documents (its fonts read on the first one).
    pub printer: Arc<anbao_pdf::Printer>,
}

impl AppState {
    pub fn new(db: Db, policy: AuthPolicy, secure_cookies: bool, blobs: BlobStore) -> Self {
        Self {
            db,
            policy,
            clock: system_clock(),
            secure_cookies,
            blobs,
            trust_proxy: false,
            printer: Arc::new(anbao_pdf::Printer::new(None)),
            sign_in_limits: Arc::new(crate::sign_in_limits::SignInLimits::new(
                crate::sign_in_limits::SignInRates::default(),
            )),
        }
    }

    pub fn now(&self) -> i64 {
        (self.clock)()
    }
}
