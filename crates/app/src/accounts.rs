//! Accounts and their grants: created by an administrator (page or console), passwords reset.
use crate::audit::{self, Entity, Writer};
use crate::auth::hash_password;
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

fn parse_username(raw: &str) -> Result<String, DomainError> {
    let v = text::bounded("username", "用户名", "Username", raw, 32)?;
    if !v.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.' || c == '-') {
        return Err(DomainError::new(
            "username",
            "用户名只能包含字母、数字、下划线、点和连字符",
            "username may hold only letters, digits, _ . -",
        ));
    }
    Ok(v)
}

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
    let hash = hash_password(&input.password)?;
    let mut tx = db.begin().await?;
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

/// Set a new password for `username` from the console; the person must change it at next sign-in.
pub async fn reset_password(db: &Db, now: i64, username: &str, password: &str, must_change: bool) -> AppResult<()> {
    check_new_password(password)?;
    let hash = hash_password(password)?;
    let mut tx = db.begin().await?;
    let a = accounts::by_username(&mut tx, username.trim()).await?.ok_or(AppError::NotFound)?;
    let before = Entity::Account(a.id).snapshot(&mut tx).await?;
    accounts::set_password(&mut tx, a.id, &hash, must_change).await?;
    accounts::clear_failures(&mut tx, &a.username).await?;
    audit::record(
        &mut tx,
        Writer { now, actor: None },
        "account.reset_password",
        Entity::Account(a.id),
        None,
        before.as_ref(),
    )
    .await?;
    tx.commit().await?;
    crate::auth::forget_sessions();
    Ok(())
}

pub async fn list(db: &Db, ctx: &Ctx) -> AppResult<Vec<(AccountRow, Vec<anbao_domain::access::Grant>)>> {
    ctx.must_anywhere(Permission::AccountAdmin)?;
    let mut c = db.read().await?;
    let mut out = Vec::new();
    for a in accounts::list(&mut c).await? {
        let g = accounts::grants(&mut c, a.id).await?;
        // An administrator of a subtree sees accounts granted inside it.
        if g.iter().all(|g| g.unit_path.as_deref().is_some_and(|p| ctx.actor.scope.allows(Permission::AccountAdmin, p)))
            || ctx.actor.scope.has_global(Permission::AccountAdmin)
        {
            out.push((a, g));
        }
    }
    Ok(out)
}

pub async fn count(db: &Db) -> AppResult<i64> {
    let mut c = db.read().await?;
    Ok(accounts::count(&mut c).await?)
}
