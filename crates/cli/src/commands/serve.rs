//! `anbao serve`: serve pages and API until interrupted. A database without accounts is refused, with the
//! command that makes the first administrator.
use crate::config::{Config, redact};
use anbao_store::Db;
use std::process::ExitCode;

pub async fn run(cfg: &Config) -> anyhow::Result<ExitCode> {
    let db = super::open(cfg).await?;
    if anbao_app::accounts::count(&db).await? == 0 {
        eprintln!(
            "数据库中还没有任何账号。请先创建第一个系统管理员：\n  anbao user add admin --name 系统管理员 --role admin --password '<至少8位>'\n\
             No accounts yet. Create the first administrator with the command above, then run `anbao serve` again.\n\
             (To try Anbao with demo data instead, run `anbao demo`.)"
        );
        return Ok(ExitCode::from(3));
    }
    serve(cfg, db).await
}

/// Bind, print where, and serve until Ctrl-C or SIGTERM.
pub async fn serve(cfg: &Config, db: Db) -> anyhow::Result<ExitCode> {
    let blobs = anbao_store::blobs::BlobStore::local(&cfg.attachments_dir);
    let state = anbao_web::AppState::new(db.clone(), cfg.auth_policy(), cfg.secure_cookies, blobs);
    if cfg.reminder_minutes > 0 {
        tokio::spawn(reminders(db.clone(), cfg.reminder_minutes));
    }
    let app = anbao_web::router(state);
    let listener = tokio::net::TcpListener::bind(&cfg.bind).await?;
    let addr = listener.local_addr()?;
    tracing::info!(database = %redact(&cfg.database_url), "listening on http://{addr}");
    println!("安保 Anbao 已启动 (serving): http://{addr}/");
    axum::serve(listener, app).with_graceful_shutdown(shutdown()).await?;
    db.close().await;
    Ok(ExitCode::SUCCESS)
}

/// Turn overdue items into messages every few minutes. Safe with several instances: each message is unique.
async fn reminders(db: Db, minutes: i64) {
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(minutes as u64 * 60));
    loop {
        tick.tick().await;
        match anbao_app::reminders::run_once(&db, super::now_ms()).await {
            Ok(n) => tracing::info!(created = n, "reminders"),
            Err(e) => tracing::warn!(error = %e, "reminder run failed"),
        }
    }
}

async fn shutdown() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
}
