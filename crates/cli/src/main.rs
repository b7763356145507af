//! The `anbao` binary: one subcommand per file under `commands/`.
mod commands;
mod config;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(name = "anbao", version, about = "安保 Anbao — security operations for a rural credit cooperative union")]
struct Cli {
    /// Database URL: sqlite://path.db (default) or postgres://…  [env: ANBAO_DATABASE_URL]
    #[arg(long, global = true)]
    db: Option<String>,
    /// Address to listen on, e.g. 127.0.0.1:8080  [env: ANBAO_BIND]
    #[arg(long, global = true)]
    bind: Option<String>,
    /// Configuration file (default: anbao.toml if present)  [env: ANBAO_CONFIG]
    #[arg(long, global = true)]
    config: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the web pages and the API.
    Serve,
    /// Create a fresh demo database, print the demo sign-ins, and serve it.
    Demo(commands::demo::Args),
    /// Apply database migrations and exit.
    Migrate,
    /// Manage sign-in accounts.
    #[command(subcommand)]
    User(commands::user::UserCommand),
    /// Copy the database to FILE (SQLite: consistent online copy; PostgreSQL: explains pg_dump).
    Backup { file: String },
    /// Check the audit trail.
    #[command(subcommand)]
    Audit(commands::audit::AuditCommand),
    /// Print configuration.
    #[command(subcommand)]
    Config(commands::config_cmd::ConfigCommand),
    /// Province-scale data and benchmarks.
    #[command(subcommand)]
    Bench(commands::bench::BenchCommand),
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    let cfg = match config::Config::load(cli.config.as_deref(), cli.db.as_deref(), cli.bind.as_deref()) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("配置错误 (configuration error): {e}");
            return std::process::ExitCode::from(2);
        }
    };
    config::init_logging(&cfg.log);
    let result = match cli.command {
        Command::Serve => commands::serve::run(&cfg).await,
        Command::Demo(args) => commands::demo::run(&cfg, args, cli.db.is_some()).await,
        Command::Migrate => commands::migrate::run(&cfg).await,
        Command::User(c) => commands::user::run(&cfg, c).await,
        Command::Backup { file } => commands::backup::run(&cfg, &file).await,
        Command::Audit(c) => commands::audit::run(&cfg, c).await,
        Command::Config(c) => commands::config_cmd::run(&cfg, c),
        Command::Bench(c) => commands::bench::run(&cfg, c).await,
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("错误 (error): {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
