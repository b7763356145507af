//! `anbao migrate`: apply pending migrations and exit.
use crate::config::{Config, redact};
use std::process::ExitCode;

pub async fn run(cfg: &Config) -> anyhow::Result<ExitCode> {
    let db = super::open(cfg).await?;
    db.close().await;
    println!("数据库已是最新结构 (migrations applied): {}", redact(&cfg.database_url));
    Ok(ExitCode::SUCCESS)
}
