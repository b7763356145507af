//! One file per subcommand.
pub mod audit;
pub mod backup;
pub mod bench;
pub mod config_cmd;
pub mod demo;
pub mod migrate;
pub mod serve;
pub mod user;

use crate::config::{Config, ensure_sqlite_dir};
use anbao_store::Db;

/// Connect and bring the schema up to date; every command that touches data starts here.
pub async fn open(cfg: &Config) -> anyhow::Result<Db> {
    ensure_sqlite_dir(&cfg.database_url);
    let db = Db::connect(&cfg.database_url).await?;
    db.migrate().await?;
    anbao_app::setup::load_defaults(&db, now_ms()).await.map_err(|e| anyhow::anyhow!("{}", e.message_zh()))?;
    // Events written before credentials were kept out of the trail are rewritten once (a no-op afterwards).
    let redacted = anbao_app::credentials::redact_stored_events(&db, now_ms())
        .await
        .map_err(|e| anyhow::anyhow!("{}", e.message_zh()))?;
    if redacted > 0 {
        tracing::info!(
            fields = redacted,
            "credential hashes removed from earlier audit events; the chain was re-linked"
        );
    }
    Ok(db)
}

/// The console's clock: one of the two places the wall clock is read (see `clippy.toml`).
#[allow(clippy::disallowed_methods)]
pub fn now_ms() -> i64 {
    jiff::Timestamp::now().as_millisecond()
}
