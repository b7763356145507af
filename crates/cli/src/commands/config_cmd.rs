//! `anbao config example`: every option, commented, with its default.
use crate::config::Config;
use std::process::ExitCode;

#[derive(clap::Subcommand)]
pub enum ConfigCommand {
    /// Print an example anbao.toml with every option and its comment.
    Example,
    /// Print the configuration in force (secrets redacted).
    Show,
}

pub fn run(cfg: &Config, cmd: ConfigCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        ConfigCommand::Example => print!("{}", Config::example()),
        ConfigCommand::Show => println!("{cfg:?}"),
    }
    Ok(ExitCode::SUCCESS)
}
