//! `anbao user add`, `link`, `disable`, `enable` and `reset-password`, from the console (no sign-in needed: it is the server).
use crate::config::Config;
use anbao_app::accounts::AccountInput;
use anbao_domain::access::Role;
use anbao_domain::ids::UnitId;
use std::io::BufRead;
use std::process::ExitCode;

#[derive(clap::Subcommand)]
pub enum UserCommand {
    /// Create an account with one role, over the whole tree or a unit's subtree.
    Add {
        username: String,
        /// Display name (姓名).
        #[arg(long)]
        name: Option<String>,
        /// admin, security, unit_head, staff, auditor
        #[arg(long, default_value = "admin")]
        role: String,
        /// Unit id the role covers (with its subtree); omit for the whole tree.
        #[arg(long)]
        unit: Option<i64>,
        /// Password; read from standard input when omitted.
        #[arg(long)]
        password: Option<String>,
        /// Staff number (工号) of the person the account belongs to; needed for two-person procedures.
        #[arg(long)]
        staff: Option<String>,
    },
    /// Link an existing account to the staff record with this number.
    Link { username: String, staff_no: String },
    /// Disable an account: it can no longer sign in, and its sessions and API tokens end now.
    Disable { username: String },
    /// Enable a disabled account again.
    Enable { username: String },
    /// Set a new password; the person must change it at the next sign-in. Every session and token ends.
    ResetPassword {
        username: String,
        #[arg(long)]
        password: Option<String>,
    },
}

fn read_password(given: Option<String>) -> anyhow::Result<String> {
    if let Some(p) = given {
        return Ok(p);
    }
    eprintln!("请输入密码 (password, then Enter):");
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line)?;
    Ok(line.trim_end_matches(['\r', '\n']).to_owned())
}

async fn set_disabled(db: &anbao_store::Db, now: i64, username: &str, disabled: bool) -> anyhow::Result<()> {
    let zh = |e: anbao_app::AppError| anyhow::anyhow!("{}", e.message_zh());
    let id = anbao_app::accounts::id_of(db, username).await.map_err(zh)?;
    anbao_app::accounts::set_disabled(db, None, now, id, disabled).await.map_err(zh)
}

pub async fn run(cfg: &Config, cmd: UserCommand) -> anyhow::Result<ExitCode> {
    let db = super::open(cfg).await?;
    let now = super::now_ms();
    match cmd {
        UserCommand::Add { username, name, role, unit, password, staff } => {
            let role = Role::parse(&role).map_err(|e| anyhow::anyhow!(e.message))?;
            let staff_id = match staff {
                Some(no) => Some(
                    anbao_app::provision::staff_for_new_account(&db, None, &no)
                        .await
                        .map_err(|e| anyhow::anyhow!("{}", e.message_zh()))?,
                ),
                None => None,
            };
            let password = read_password(password)?;
            let first = anbao_app::accounts::count(&db).await? == 0;
            let input = AccountInput {
                display_name: name.unwrap_or_else(|| username.clone()),
                username: username.clone(),
                password,
                staff_id,
                grants: vec![(role, unit.map(UnitId::new))],
                must_change_password: !first,
            };
            match anbao_app::accounts::create(&db, None, now, input).await {
                Ok(id) => println!("已创建账号 (account created): {username} (#{id}), {}", role.label_zh()),
                Err(e) => anyhow::bail!("{}", e.message_zh()),
            }
        }
        UserCommand::Link { username, staff_no } => {
            let id =
                anbao_app::accounts::id_of(&db, &username).await.map_err(|e| anyhow::anyhow!("{}", e.message_zh()))?;
            anbao_app::provision::link(&db, None, now, id, &staff_no)
                .await
                .map_err(|e| anyhow::anyhow!("{}", e.message_zh()))?;
            println!("已关联员工档案 (linked to staff record): {username} → {staff_no}");
        }
        UserCommand::Disable { username } => {
            set_disabled(&db, now, &username, true).await?;
            println!("已停用账号，其会话和令牌均已结束 (account disabled; its sessions and tokens ended): {username}");
        }
        UserCommand::Enable { username } => {
            set_disabled(&db, now, &username, false).await?;
            println!("已启用账号 (account enabled): {username}");
        }
        UserCommand::ResetPassword { username, password } => {
            let password = read_password(password)?;
            anbao_app::accounts::reset_password(&db, now, &username, &password, true)
                .await
                .map_err(|e| anyhow::anyhow!("{}", e.message_zh()))?;
            println!("已重置密码，下次登录须修改 (password reset; to be changed at next sign-in): {username}");
        }
    }
    db.close().await;
    Ok(ExitCode::SUCCESS)
}
