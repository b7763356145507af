//! `anbao audit verify`: recompute the hash chain and compare every watched row with its last event.
use crate::config::Config;
use std::process::ExitCode;

#[derive(clap::Subcommand)]
pub enum AuditCommand {
    /// Print OK, or each broken link and each row that no longer matches its last event (exit 1).
    Verify,
}

pub async fn run(cfg: &Config, cmd: AuditCommand) -> anyhow::Result<ExitCode> {
    let AuditCommand::Verify = cmd;
    let db = super::open(cfg).await?;
    let report = anbao_app::audit::verify(&db).await.map_err(|e| anyhow::anyhow!("{e}"))?;
    db.close().await;
    if report.ok() {
        println!(
            "OK: {} 条审计事件，哈希链完整；{} 行数据与最后一次记录一致 (chain intact, rows match)",
            report.events, report.rows
        );
        Ok(ExitCode::SUCCESS)
    } else {
        println!("FAILED: 发现 {} 处问题 (problems found):", report.problems.len());
        for p in &report.problems {
            println!("  - {p}");
        }
        Ok(ExitCode::FAILURE)
    }
}
