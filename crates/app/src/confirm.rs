//! Two-person confirmation (SYS-2). Where the regulations demand two people — vault entry, key handover, gun issue,
//! cash-box handover, ATM loading — the person at the device is the first, and a second person signs in on the same
//! device with their password or their confirmation PIN. Both must be linked to a staff record; one account (or one
//! person behind two accounts) can never be both. Failed confirmations count towards the same lock-out as sign-in.
use crate::audit::{self, Entity, Writer};
use crate::auth::{AuthPolicy, hash_password, verify_password};
use crate::error::invalid;
use crate::{AppError, AppResult, Ctx};
use anbao_domain::staff::Position;
use anbao_store::Db;
use anbao_store::accounts;
use anbao_store::staff::StaffRow;

/// What the second person typed: a username and a password or confirmation PIN.
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
    let secret = input.confirm_secret.as_deref().unwrap_or_default();
    if username.is_empty() || secret.is_empty() {
        return Err(invalid(
            "confirm_username",
            format!("须由第二人当场输入其用户名和密码（或确认PIN）：{why}"),
            "the second person must enter their username and password or PIN",
        ));
    }
    let mut tx = db.begin().await?;
    if let Some((_, _, locked_until)) = accounts::failures(&mut tx, username).await?
        && locked_until > ctx.now
    {
        return Err(AppError::TooManyAttempts { retry_after_secs: (locked_until - ctx.now) / 1000 });
    }
    let account = accounts::by_username(&mut tx, username).await?.filter(|a| !a.disabled);
    let good = match &account {
        Some(a) => {
            verify_password(secret, &a.password_hash)
                || anbao_store::custody::confirm_pin_hash(&mut tx, a.id.get())
                    .await?
                    .is_some_and(|h| verify_password(secret, &h))
        }
        None => {
            // Spend the same time as a real check, so the answer does not tell which usernames exist.
            let _ = verify_password(secret, crate::auth::DUMMY_HASH);
            false
        }
    };
    let Some(account) = account.filter(|_| good) else {
        let (n, start) = match accounts::failures(&mut tx, username).await? {
            Some((n, start, _)) if ctx.now - start < policy.window_ms => (n + 1, start),
            _ => (1, ctx.now),
        };
        let locked_until = if n >= policy.max_failures { ctx.now + policy.lock_ms } else { 0 };
        accounts::put_failures(&mut tx, username, n, start, locked_until).await?;
        let detail = serde_json::json!({ "username": username, "failures": n, "first": first.id.get() });
        audit::record_event(&mut tx, ctx.into(), "confirm.failed", "session", username, Some(&detail)).await?;
        tx.commit().await?;
        return Err(invalid("confirm_secret", "第二人的用户名或密码（PIN）错误", "wrong username, password or PIN"));
    };
    accounts::clear_failures(&mut tx, username).await?;
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

/// Does this person hold any of these posts?
pub fn holds(s: &StaffRow, posts: &[Position]) -> bool {
    s.positions.iter().any(|p| posts.contains(p))
}

/// Set (or replace) the signed-in person's confirmation PIN, after checking their password.
pub async fn set_pin(db: &Db, ctx: &Ctx, password: &str, pin: &str) -> AppResult<()> {
    let pin = pin.trim();
    if pin.len() < 6 || pin.len() > 12 || !pin.chars().all(|c| c.is_ascii_digit()) {
        return Err(invalid("pin", "确认PIN须为6–12位数字", "the PIN must be 6–12 digits"));
    }
    let mut tx = db.begin().await?;
    let account = accounts::by_id(&mut tx, ctx.actor.account).await?.ok_or(AppError::NotFound)?;
    if !verify_password(password, &account.password_hash) {
        return Err(invalid("password", "当前密码不正确", "the current password is wrong"));
    }
    if verify_password(pin, &account.password_hash) {
        return Err(invalid("pin", "确认PIN不能与登录密码相同", "the PIN may not equal the password"));
    }
    let before = Entity::Account(account.id).snapshot(&mut tx).await?;
    anbao_store::custody::set_confirm_pin_hash(&mut tx, account.id.get(), &hash_password(pin)?).await?;
    audit::record(&mut tx, Writer::from(ctx), "account.set_pin", Entity::Account(account.id), None, before.as_ref())
        .await?;
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
