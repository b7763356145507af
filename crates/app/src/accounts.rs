//! Accounts and their grants: created by an administrator (page or console), passwords reset.
use crate::audit::{self, Entity, Writer};
use crate::{AppError, AppResult, Ctx};
use anbao_domain::access::{Permission, Role, check_new_password};
use anbao_domain::ids::{AccountId, StaffId, UnitId};
use anbao_domain::{DomainError, text};
use anbao_store::Db;
use anbao_store::accounts::{self, AccountRow, NewAccount};

pub struct AccountInput {
    pub username: String,
    pub display_name: String,
    pub password: String,
    pub staff_id: Option<StaffId>,
    pub grants: Vec<(Role, Option<UnitId>)>,
    pub must_change_password: bool,
}

pub use anbao_domain::access::parse_username;

/// Create an account. `by` is None when the console creates it (the first administrator).
pub async fn create(db: &Db, by: Option<&Ctx>, now: i64, input: AccountInput) -> AppResult<AccountId> {
    if let Some(ctx) = by {
        ctx.must_anywhere(Permission::AccountAdmin)?;
    }
    let username = parse_username(&input.username)?;
    let display = text::bounded("display_name", "姓名", "Display name", &input.display_name, 32)?;
    check_new_password(&input.password)?;
    if input.grants.is_empty() {
        return Err(AppError::Invalid(DomainError::new("role", "请至少授予一个角色", "grant at least one role")));
    }
    let hash = crate::auth::hash_password_blocking(&input.password).await?;
    let mut tx = db.begin().await?;
    if let Some(staff) = input.staff_id {
        // The person must be one the administrator may reach, still working, and without an active account.
        let s = anbao_store::staff::get(&mut tx, staff).await?.ok_or(AppError::NotFound)?;
        if let Some(ctx) = by
            && !ctx.actor.scope.allows(Permission::AccountAdmin, &s.unit_path)
        {
            return Err(AppError::NotFound);
        }
        if !s.active {
            return Err(AppError::Invalid(DomainError::new(
                "staff_no",
                "该员工档案已停用，不能关联账号",
                "that staff record is not active",
            )));
        }
        ensure_unlinked(&mut tx, staff, None).await?;
    }
    for (_, unit) in &input.grants {
        if let Some(u) = unit {
            let row = anbao_store::org::get(&mut tx, *u).await?.ok_or_else(|| {
                AppError::Invalid(DomainError::new("unit", "授权单位不存在", "the unit of the grant does not exist"))
            })?;
            if let Some(ctx) = by {
                ctx.must(Permission::AccountAdmin, &row.path)?;
            }
        } else if let Some(ctx) = by
            && !ctx.actor.scope.has_global(Permission::AccountAdmin)
        {
            return Err(AppError::Forbidden);
        }
    }
    let id = accounts::insert(
        &mut tx,
        NewAccount {
            username: &username,
            display_name: &display,
            password_hash: &hash,
            staff_id: input.staff_id,
            must_change_password: input.must_change_password,
            now,
        },
    )
    .await?;
    for (role, unit) in &input.grants {
        accounts::add_grant(&mut tx, id, *role, *unit).await?;
    }
    let w = Writer { now, actor: by.map(|c| c.actor.account) };
    let unit = input.grants.first().and_then(|g| g.1);
    audit::record(&mut tx, w, "account.create", Entity::Account(id), unit, None).await?;
    tx.commit().await?;
    Ok(id)
}

/// Set a new password for `username` from the console; the person must change it at next sign-in. Every session
/// and API token of the account ends, and every lock on its username is lifted.
pub async fn reset_password(db: &Db, now: i64, username: &str, password: &str, must_change: bool) -> AppResult<()> {
    check_new_password(password)?;
    let hash = crate::auth::hash_password_blocking(password).await?;
    let mut tx = db.begin().await?;
    let a = accounts::by_username(&mut tx, username.trim()).await?.ok_or(AppError::NotFound)?;
    let before = Entity::Account(a.id).snapshot(&mut tx).await?;
    accounts::set_password(&mut tx, a.id, &hash, must_change).await?;
    accounts::clear_user_failures(&mut tx, &a.username).await?;
    let ended = accounts::delete_sessions(&mut tx, a.id).await?;
    let w = Writer { now, actor: None };
    audit::record(&mut tx, w, "account.reset_password", Entity::Account(a.id), None, before.as_ref()).await?;
    let detail = serde_json::json!({ "sessions_ended": ended });
    audit::record_event(&mut tx, w, "auth.sessions_ended", "session", &a.id.to_string(), Some(&detail)).await?;
    tx.commit().await?;
    crate::auth::forget_sessions();
    Ok(())
}

/// May `ctx` administer this account? Only when every grant it holds lies in the administrator's subtree (an
/// account with a whole-tree grant only by a whole-tree administrator).
pub(crate) fn may_administer(ctx: &Ctx, grants: &[anbao_domain::access::Grant]) -> bool {
    ctx.actor.scope.has_global(Permission::AccountAdmin)
        || grants
            .iter()
            .all(|g| g.unit_path.as_deref().is_some_and(|p| ctx.actor.scope.allows(Permission::AccountAdmin, p)))
}

async fn administered(c: &mut anbao_store::Conn, ctx: &Ctx, id: AccountId) -> AppResult<AccountRow> {
    ctx.must_anywhere(Permission::AccountAdmin)?;
    let a = accounts::by_id(c, id).await?.ok_or(AppError::NotFound)?;
    let grants = accounts::grants(c, id).await?;
    if !may_administer(ctx, &grants) {
        return Err(AppError::NotFound);
    }
    Ok(a)
}

/// Disable or enable an account. Disabling ends every session and token at once. `by` is None from the console.
pub async fn set_disabled(db: &Db, by: Option<&Ctx>, now: i64, id: AccountId, disabled: bool) -> AppResult<()> {
    let mut tx = db.begin().await?;
    let a = match by {
        Some(ctx) => {
            if ctx.actor.account == id && disabled {
                return Err(AppError::Invalid(DomainError::new(
                    "account",
                    "不能停用自己的账号",
                    "you cannot disable your own account",
                )));
            }
            administered(&mut tx, ctx, id).await?
        }
        None => accounts::by_id(&mut tx, id).await?.ok_or(AppError::NotFound)?,
    };
    let before = Entity::Account(a.id).snapshot(&mut tx).await?;
    accounts::set_disabled(&mut tx, a.id, disabled).await?;
    let ended = if disabled { accounts::delete_sessions(&mut tx, a.id).await? } else { 0 };
    let w = Writer { now, actor: by.map(|c| c.actor.account) };
    let action = if disabled { "account.disable" } else { "account.enable" };
    audit::record(&mut tx, w, action, Entity::Account(a.id), None, before.as_ref()).await?;
    if ended > 0 {
        let detail = serde_json::json!({ "sessions_ended": ended });
        audit::record_event(&mut tx, w, "auth.sessions_ended", "session", &a.id.to_string(), Some(&detail)).await?;
    }
    tx.commit().await?;
    crate::auth::forget_sessions();
    Ok(())
}

/// The account named `username` (for the console).
pub async fn id_of(db: &Db, username: &str) -> AppResult<AccountId> {
    let mut c = db.read().await?;
    Ok(accounts::by_username(&mut c, username.trim()).await?.ok_or(AppError::NotFound)?.id)
}

/// Disable, in the caller's transaction, every account linked to a staff record that has just left (ORG-2: an
/// inactive person acts in nothing). Returns the accounts disabled.
pub async fn disable_for_staff(c: &mut anbao_store::Conn, w: Writer, staff: StaffId) -> AppResult<Vec<AccountId>> {
    let mut out = Vec::new();
    for a in accounts::by_staff(c, staff).await?.into_iter().filter(|a| !a.disabled) {
        let before = Entity::Account(a.id).snapshot(c).await?;
        accounts::set_disabled(c, a.id, true).await?;
        accounts::delete_sessions(c, a.id).await?;
        audit::record(c, w, "account.disable_with_staff", Entity::Account(a.id), None, before.as_ref()).await?;
        out.push(a.id);
    }
    Ok(out)
}

/// An account's grants with their ids, for the administrator's page and API.
pub async fn grants_of(db: &Db, ctx: &Ctx, id: AccountId) -> AppResult<Vec<accounts::GrantRow>> {
    let mut c = db.read().await?;
    administered(&mut c, ctx, id).await?;
    Ok(accounts::grant_rows(&mut c, id).await?)
}

/// Add a grant to an account: the administrator must hold AccountAdmin over the unit.
pub async fn add_grant(db: &Db, ctx: &Ctx, id: AccountId, role: Role, unit: UnitId) -> AppResult<()> {
    let mut tx = db.begin().await?;
    let a = administered(&mut tx, ctx, id).await?;
    let u = anbao_store::org::get(&mut tx, unit).await?.ok_or(AppError::NotFound)?;
    ctx.must(Permission::AccountAdmin, &u.path)?;
    let before = Entity::Account(a.id).snapshot(&mut tx).await?;
    accounts::add_grant(&mut tx, a.id, role, Some(unit)).await?;
    audit::record(&mut tx, ctx.into(), "account.grant", Entity::Account(a.id), Some(unit), before.as_ref()).await?;
    tx.commit().await?;
    crate::auth::forget_sessions();
    Ok(())
}

/// Remove one grant: it takes effect on the account's next request (the session cache is emptied).
pub async fn remove_grant(db: &Db, ctx: &Ctx, id: AccountId, grant: i64) -> AppResult<()> {
    let mut tx = db.begin().await?;
    let a = administered(&mut tx, ctx, id).await?;
    let rows = accounts::grant_rows(&mut tx, a.id).await?;
    let g = rows.iter().find(|g| g.id == grant).ok_or(AppError::NotFound)?;
    if a.id == ctx.actor.account && g.grant.role == Role::Admin {
        return Err(AppError::Invalid(DomainError::new(
            "grant",
            "不能撤销自己的系统管理员授权（请由另一位管理员操作）",
            "you cannot remove your own administrator grant; ask another administrator",
        )));
    }
    let before = Entity::Account(a.id).snapshot(&mut tx).await?;
    accounts::remove_grant(&mut tx, a.id, grant).await?;
    audit::record(&mut tx, ctx.into(), "account.revoke_grant", Entity::Account(a.id), g.grant.unit_id, before.as_ref())
        .await?;
    tx.commit().await?;
    crate::auth::forget_sessions();
    Ok(())
}

/// Accounts the administrator may see: those whose every grant lies in their subtree (all, for a whole-tree one).
pub async fn list(db: &Db, ctx: &Ctx) -> AppResult<Vec<(AccountRow, Vec<accounts::GrantRow>)>> {
    ctx.must_anywhere(Permission::AccountAdmin)?;
    let mut c = db.read().await?;
    let mut out = Vec::new();
    for a in accounts::list(&mut c).await? {
        let g = accounts::grant_rows(&mut c, a.id).await?;
        let plain: Vec<_> = g.iter().map(|g| g.grant.clone()).collect();
        if may_administer(ctx, &plain) {
            out.push((a, g));
        }
    }
    Ok(out)
}

/// Names and staff numbers of the people these accounts belong to, for the account pages.
pub async fn people_of(
    db: &Db,
    ctx: &Ctx,
    rows: &[AccountRow],
) -> AppResult<std::collections::HashMap<StaffId, (String, String)>> {
    ctx.must_anywhere(Permission::AccountAdmin)?;
    let mut c = db.read().await?;
    let mut out = std::collections::HashMap::new();
    for id in rows.iter().filter_map(|a| a.staff_id) {
        if let Some(s) = anbao_store::staff::get(&mut c, id).await? {
            out.insert(id, (s.name, s.staff_no));
        }
    }
    Ok(out)
}

/// The account linked to a staff record, for the staff page (None when there is none or it is out of reach).
pub async fn account_of_staff(db: &Db, ctx: &Ctx, staff: StaffId) -> AppResult<Option<AccountRow>> {
    let mut c = db.read().await?;
    let s = anbao_store::staff::get(&mut c, staff).await?.ok_or(AppError::NotFound)?;
    ctx.must_see(&s.unit_path)?;
    let mut all = accounts::by_staff(&mut c, staff).await?;
    all.sort_by_key(|a| a.disabled);
    Ok(all.into_iter().next())
}

pub async fn count(db: &Db) -> AppResult<i64> {
    let mut c = db.read().await?;
    Ok(accounts::count(&mut c).await?)
}

/// Check, in the caller's transaction, that `staff` has no other active account.
pub async fn ensure_unlinked(c: &mut anbao_store::Conn, staff: StaffId, except: Option<AccountId>) -> AppResult<()> {
    if accounts::by_staff(c, staff).await?.iter().any(|a| !a.disabled && Some(a.id) != except) {
        return Err(crate::error::conflict(
            "staff_no",
            "该员工已有在用账号（每人至多一个在用账号）",
            "that person already has an active account",
        ));
    }
    Ok(())
}
