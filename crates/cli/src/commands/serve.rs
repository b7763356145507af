//! `anbao serve`: serve pages and API until interrupted. A database without accounts is refused, with the
//! command that makes the first administrator.
use crate::config::{Config, redact};
use anbao_store::Db;
use std::process::ExitCode;
use std::time::Duration;

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
    let mut state = anbao_web::AppState::new(db.clone(), cfg.auth_policy(), cfg.secure_cookies, blobs);
    state.trust_proxy = cfg.trust_proxy;
    let fonts = Some(cfg.pdf_fonts_dir.trim()).filter(|d| !d.is_empty()).map(std::path::PathBuf::from);
    state.printer = std::sync::Arc::new(anbao_pdf::Printer::new(fonts));
    state.sign_in_limits = std::sync::Arc::new(anbao_web::security::SignInLimits::new(cfg.sign_in_rates()));
    if cfg.reminder_minutes > 0 {
        tokio::spawn(reminders(db.clone(), cfg.reminder_minutes));
    }
    let app = anbao_web::router_with(state, cfg.server_limits());
    let listener = tokio::net::TcpListener::bind(&cfg.bind).await?;
    let addr = listener.local_addr()?;
    tracing::info!(database = %redact(&cfg.database_url), "listening on http://{addr}");
    println!("安保 Anbao 已启动 (serving): http://{addr}/");
    accept(listener, app, Duration::from_secs(cfg.header_read_timeout_secs.max(1))).await;
    db.close().await;
    Ok(ExitCode::SUCCESS)
}

/// The accept loop. Written out (rather than `axum::serve`) for what that does not offer: a deadline for the request
/// headers, so a client that opens connections and sends a byte a minute cannot hold them, and the peer address
/// handed to handlers (`ConnectInfo`) for per-client sign-in limits. Stops accepting on Ctrl-C or SIGTERM and lets
/// open requests finish for a few seconds.
async fn accept(listener: tokio::net::TcpListener, app: axum::Router, header_timeout: Duration) {
    use hyper_util::rt::{TokioIo, TokioTimer};
    use tower::ServiceExt;
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let mut stop = std::pin::pin!(shutdown());
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                Err(e) => {
                    // Out of file descriptors and the like: wait a moment instead of spinning.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            _ = &mut stop => break,
        };
        let app = app.clone();
        let svc = hyper::service::service_fn(move |mut req: hyper::Request<hyper::body::Incoming>| {
            req.extensions_mut().insert(axum::extract::ConnectInfo(peer));
            app.clone().oneshot(req.map(axum::body::Body::new))
        });
        let conn = hyper::server::conn::http1::Builder::new()
            .timer(TokioTimer::new())
            .header_read_timeout(header_timeout)
            .serve_connection(TokioIo::new(stream), svc);
        let conn = graceful.watch(conn);
        tokio::spawn(async move {
            if let Err(e) = conn.await {
                tracing::debug!(error = %e, "connection ended");
            }
        });
    }
    drop(listener);
    tokio::select! {
        _ = graceful.shutdown() => {}
        _ = tokio::time::sleep(Duration::from_secs(10)) => tracing::warn!("requests still open at shutdown"),
    }
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
