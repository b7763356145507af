//! `anbao backup FILE`: a consistent copy of a live SQLite database; for PostgreSQL, how to use pg_dump.
use crate::config::{Config, redact};
use anbao_store::Backend;
use std::process::ExitCode;

pub async fn run(cfg: &Config, file: &str) -> anyhow::Result<ExitCode> {
    match Backend::of_url(&cfg.database_url) {
        Some(Backend::Sqlite) => {
            if std::path::Path::new(file).exists() {
                anyhow::bail!("目标文件已存在，不会覆盖 (refusing to overwrite {file})");
            }
            let db = super::open(cfg).await?;
            db.backup_sqlite(file).await?;
            db.close().await;
            println!("已备份到 (backed up to) {file}");
            Ok(ExitCode::SUCCESS)
        }
        _ => {
            eprintln!(
                "PostgreSQL 请使用 pg_dump 做一致性备份 (use pg_dump for a consistent PostgreSQL backup):\n  \
                 pg_dump --format=custom --file={file} '{}'\n恢复 (restore): pg_restore --dbname=<url> {file}",
                redact(&cfg.database_url)
            );
            Ok(ExitCode::from(2))
        }
    }
}
