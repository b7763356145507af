//! `anbao demo`: a fresh demo database with a realistic Chinese province union, printed sign-ins, then serve.
use crate::config::{Config, ensure_sqlite_dir};
use anbao_store::{Backend, Db};
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// Password of every demo account (demo database only).
    #[arg(long, default_value = "anbao-demo")]
    password: String,
    /// Create the demo and exit without serving.
    #[arg(long)]
    no_serve: bool,
    /// Days of evidence records to generate, ending yesterday.
    #[arg(long, default_value_t = 365)]
    records_days: i64,
}

/// The demo uses its own SQLite file unless a database is named explicitly.
const DEMO_URL: &str = "sqlite://anbao-data/demo.db";

pub async fn run(cfg: &Config, args: Args, db_given: bool) -> anyhow::Result<ExitCode> {
    let mut cfg = cfg.clone();
    if !db_given && std::env::var("ANBAO_DATABASE_URL").is_err() {
        cfg.database_url = DEMO_URL.into();
    }
    let url = cfg.database_url.clone();
    if Backend::of_url(&url) == Some(Backend::Sqlite) {
        // A fresh demo each time: remove the old file and its WAL companions.
        if let Some(path) = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:")) {
            let path = path.split('?').next().unwrap_or(path);
            for suffix in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{path}{suffix}"));
            }
        }
    }
    ensure_sqlite_dir(&url);
    let db = Db::connect(&url).await?;
    db.migrate().await?;
    anbao_app::setup::load_defaults(&db, super::now_ms()).await.map_err(|e| anyhow::anyhow!("{}", e.message_zh()))?;
    if anbao_app::accounts::count(&db).await? > 0 {
        anyhow::bail!(
            "该数据库已有数据；演示数据只写入空数据库 (the database is not empty; the demo needs an empty one)"
        );
    }
    let started = std::time::Instant::now();
    let now = super::now_ms();
    let logins = anbao_app::demo::seed(&db, now, &args.password).await?;
    let blobs = anbao_store::blobs::BlobStore::local(&cfg.attachments_dir);
    let records = anbao_app::demo_records::seed(&db, &blobs, now, args.records_days.clamp(0, 400)).await?;
    let inspections = anbao_app::demo_inspect::seed(&db, &blobs, now, &args.password).await?;
    let cases = anbao_app::demo_incident::seed(&db, &blobs, now, &args.password).await?;
    let letters = anbao_app::demo_letters::seed(&db, &blobs, now, &args.password).await?;
    let assessed = anbao_app::demo_assess::seed(&db, now, &args.password).await?;
    anbao_app::demo_workplan::seed(&db, now, &args.password).await?;
    let sat = anbao_app::demo_training::seed(&db, now, &args.password).await?;
    println!(
        "演示数据已生成 (demo data created): {records} 条工作记录 (records) over {} days, {inspections} 次安全检查 (inspections), {cases} 起案件 (cases), {letters} 份已签责任书 (letters signed), {assessed} 个季度考核结果已定稿 (final quarterly results), {sat} 人次参加考试 (exam sittings), in {:.1}s",
        args.records_days,
        started.elapsed().as_secs_f64()
    );
    println!("\n演示账号 (demo sign-ins) — 密码 / password: {}\n", args.password);
    for l in &logins {
        let pin = if l.pin {
            format!("  双人确认PIN (confirmation PIN): {}", anbao_app::demo::DEMO_PIN)
        } else {
            String::new()
        };
        println!("  {:<20} {}（{}）— {}{pin}", l.username, l.role_zh, l.role_en, l.unit);
    }
    println!();
    if args.no_serve {
        db.close().await;
        return Ok(ExitCode::SUCCESS);
    }
    super::serve::serve(&cfg, db).await
}
