//! Two-person confirmation (SYS-2). Where the regulations demand two people — vault entry, key handover, gun issue,
//! cash-box handover, ATM loading — the person at the device is the first, and a second person confirms on the same
//! device with their confirmation PIN. Only the PIN: a sign-in password typed on a colleague's device could be
//! captured there and reused to sign in as its owner, while the PIN opens nothing but a confirmation, and every
//! confirmation made in a person's name reaches their message centre. Both must be linked to a staff record; one
//! account (or one person behind two accounts) can never be both. Wrong PINs count on their own key (`c:<username>`),
//! so a colleague's mistakes never lock the person's sign-in.
use crate::audit::{self, Entity, Writer};
use crate::auth::{AuthPolicy, hash_password_blocking, verify_password_blocking};
use crate::error::invalid;
use crate::{AppError, AppResult, Ctx};
use anbao_domain::staff::Position;
use anbao_store::Db;
use anbao_store::accounts;
use anbao_store::staff::StaffRow;

/// What the second person typed: a username and their confirmation PIN.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct SecondSignIn {
    pub confirm_username: Option<String>,
    pub confirm_secret: Option<String>,
}

/// Both people, verified, with their staff records (and so their posts).
#[derive(Debug, Clone)]
pub struct Pair {
    pub first: StaffRow,
    pub second: StaffRow,
    pub second_account: i64,
}

/// The staff record of the signed-in person; acting in a two-person procedure needs one.
pub async fn first_person(db: &Db, ctx: &Ctx) -> AppResult<StaffRow> {
    let mut c = db.read().await?;
    let id = ctx.actor.staff_id.ok_or_else(|| {
        invalid(
            "confirm_username",
            "您的账号未关联员工档案，不能办理双人手续",
            "your account is not linked to a staff record",
        )
    })?;
    anbao_store::staff::get(&mut c, id).await?.filter(|s| s.active).ok_or_else(|| {
        invalid("confirm_username", "您的员工档案已停用，不能办理双人手续", "your staff record is not active")
    })
}

/// Verify the second person. `why` is the rule being enforced, quoted when one account tries to be both people.
/// A wrong secret is written to the audit trail and the lock-out counter in its own transaction, so the caller's
/// write never happens and the failure is still on record.
pub async fn second_person(
    db: &Db,
    policy: &AuthPolicy,
    ctx: &Ctx,
    input: &SecondSignIn,
    why: &str,
) -> AppResult<Pair> {
    let first = first_person(db, ctx).await?;
    let username = input.confirm_username.as_deref().map(str::trim).unwrap_or_default();
    let secret = input.confirm_secret.as_deref().map(str::trim).unwrap_or_default();
    if username.is_empty() || secret.is_empty() {
        return Err(invalid(
            "confirm_username",
            format!("须由第二人当场输入其用户名和确认PIN：{why}"),
            "the second person must enter their username and confirmation PIN",
        ));
    }
    let username = anbao_domain::access::parse_username(username)
        .map_err(|_| invalid("confirm_secret", "第二人的用户名或确认PIN错误", "wrong username or PIN"))?;
    let key = format!("c:{username}");
    {
        let mut tx = db.begin().await?;
        let counted = crate::auth::count_attempt(&mut tx, policy, &key, policy.max_failures, ctx.now).await;
        tx.commit().await?;
        counted?;
    }
    let (account, pin) = {
        let mut c = db.read().await?;
        let account = accounts::by_username(&mut c, &username).await?.filter(|a| !a.disabled);
        let pin = match &account {
            Some(a) => anbao_store::custody::confirm_pin_hash(&mut c, a.id.get()).await?,
            None => None,
        };
        (account, pin)
    };
    // With no PIN set (or no such account) the same time is spent, so the answer does not tell which exist.
    let stored = pin.clone().unwrap_or_else(|| crate::auth::DUMMY_HASH.to_owned());
    let good = secret.chars().count() <= 64 && verify_password_blocking(secret, &stored).await? && pin.is_some();
    let mut tx = db.begin().await?;
    let Some(account) = account.filter(|_| good) else {
        let detail = serde_json::json!({ "username": username, "first": first.id.get() });
        audit::record_event(&mut tx, ctx.into(), "confirm.failed", "session", &username, Some(&detail)).await?;
        tx.commit().await?;
        if account_has_no_pin(&pin) {
            return Err(invalid(
                "confirm_secret",
                "第二人须输入本人的确认PIN（不接受登录密码）；尚未设置PIN的，请先在“修改密码”页设置",
                "the second person must enter their confirmation PIN (not their password); set one on the password page first",
            ));
        }
        return Err(invalid("confirm_secret", "第二人的用户名或确认PIN错误", "wrong username or PIN"));
    };
    accounts::clear_failures(&mut tx, &key).await?;
    // Every confirmation made in a person's name is told to them, so a PIN used by someone else is noticed.
    let at = anbao_domain::time::rfc3339_ms(ctx.now);
    anbao_store::messages::put(
        &mut tx,
        account.id,
        &format!("confirm:{}:{}", ctx.now, ctx.actor.account),
        "您的确认PIN刚被用于一项双人手续",
        &format!(
            "{at}，{}（{}）在其设备上以您的确认PIN办理：{why}。如非本人操作，请立即修改PIN并报告保卫部。",
            ctx.actor.display_name, ctx.actor.username
        ),
        "/account/password",
        ctx.now,
    )
    .await?;
    tx.commit().await?;
    if account.id == ctx.actor.account {
        return Err(invalid(
            "confirm_username",
            format!("一个账号不能同时作为两个人确认：{why}"),
            "one account cannot confirm as both people",
        ));
    }
    let mut c = db.read().await?;
    let second = match account.staff_id {
        Some(id) => anbao_store::staff::get(&mut c, id).await?.filter(|s| s.active),
        None => None,
    };
    let second = second.ok_or_else(|| {
        invalid(
            "confirm_username",
            "第二人的账号未关联在岗员工档案，不能确认",
            "the second account is not linked to active staff",
        )
    })?;
    if second.id == first.id {
        return Err(invalid(
            "confirm_username",
            format!("两个账号属于同一人，不能作为两个人确认：{why}"),
            "both accounts belong to the same person",
        ));
    }
    Ok(Pair { first, second, second_account: account.id.get() })
}

/// A wrong answer for an existing account without a PIN gets the hint to set one (the username was typed by the
/// second person themself, on the spot, so saying that it has no PIN tells the first person nothing useful).
fn account_has_no_pin(pin: &Option<String>) -> bool {
    pin.is_none()
}

/// Does this person hold any of these posts?
pub fn holds(s: &StaffRow, posts: &[Position]) -> bool {
    s.positions.iter().any(|p| posts.contains(p))
}

/// The signed-in person confirms an act of their own (signing their responsibility letter) with their confirmation
/// PIN or their sign-in password. A wrong answer counts as a wrong password does (`check_current_password`), so a
/// colleague at an unlocked screen cannot guess on.
pub async fn own_secret(db: &Db, policy: &AuthPolicy, ctx: &Ctx, secret: &str) -> AppResult<()> {
    let secret = secret.trim();
    if secret.is_empty() {
        return Err(invalid("secret", "请输入您的确认PIN或登录密码以确认", "enter your PIN or password to confirm"));
    }
    let pin = {
        let mut c = db.read().await?;
        anbao_store::custody::confirm_pin_hash(&mut c, ctx.actor.account.get()).await?
    };
    if let Some(hash) = pin
        && secret.chars().count() <= 64
        && verify_password_blocking(secret, &hash).await?
    {
        return Ok(());
    }
    crate::auth::check_current_password(db, policy, ctx, secret).await.map_err(|e| match e {
        AppError::Invalid(_) => invalid("secret", "确认PIN或登录密码不正确", "wrong PIN or password"),
        other => other,
    })
}

/// Set (or replace) the signed-in person's confirmation PIN, after checking their password (throttled as sign-in).
pub async fn set_pin(db: &Db, policy: &AuthPolicy, ctx: &Ctx, password: &str, pin: &str) -> AppResult<()> {
    let pin = pin.trim();
    if pin.len() < 6 || pin.len() > 12 || !pin.chars().all(|c| c.is_ascii_digit()) {
        return Err(invalid("pin", "确认PIN须为6–12位数字", "the PIN must be 6–12 digits"));
    }
    crate::auth::check_current_password(db, policy, ctx, password).await.map_err(|e| match e {
        AppError::Invalid(_) => invalid("password", "当前密码不正确", "the current password is wrong"),
        other => other,
    })?;
    if password == pin {
        return Err(invalid("pin", "确认PIN不能与登录密码相同", "the PIN may not equal the password"));
    }
    let hash = hash_password_blocking(pin).await?;
    let mut tx = db.begin().await?;
    let before = Entity::Account(ctx.actor.account).snapshot(&mut tx).await?;
    anbao_store::custody::set_confirm_pin_hash(&mut tx, ctx.actor.account.get(), &hash).await?;
    audit::record(
        &mut tx,
        Writer::from(ctx),
        "account.set_pin",
        Entity::Account(ctx.actor.account),
        None,
        before.as_ref(),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Give an account a PIN from the console or the demo seeding (no password to check; the writer is the system).
pub async fn seed_pin(db: &Db, now: i64, account: anbao_domain::ids::AccountId, pin: &str) -> AppResult<()> {
    let hash = hash_password_blocking(pin).await?;
    let mut tx = db.begin().await?;
    let before = Entity::Account(account).snapshot(&mut tx).await?;
    anbao_store::custody::set_confirm_pin_hash(&mut tx, account.get(), &hash).await?;
    let w = Writer { now, actor: None };
    audit::record(&mut tx, w, "account.set_pin", Entity::Account(account), None, before.as_ref()).await?;
    tx.commit().await?;
    Ok(())
}

/// Tell the security department over a unit, in the caller's transaction, of something that must be reported
/// (a lost key, rounds missing on a gun's return, an event on an escort trip). `key` keeps it to one message each.
pub async fn report_to_security(
    c: &mut anbao_store::Conn,
    unit_path: &str,
    key: &str,
    title: &str,
    body: &str,
    link: &str,
    now: i64,
) -> AppResult<()> {
    for a in anbao_store::messages::security_over(c, unit_path).await? {
        anbao_store::messages::put(c, a, key, title, body, link, now).await?;
    }
    Ok(())
}
