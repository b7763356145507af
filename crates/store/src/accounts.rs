//! Accounts, their grants, sessions and API tokens, and the failed-sign-in counter.
use crate::{Conn, Result, b};
use anbao_domain::access::{Grant, Role};
use anbao_domain::ids::{AccountId, StaffId, UnitId};
use sqlx::Row;

#[derive(Debug, Clone, PartialEq)]
pub struct AccountRow {
    pub id: AccountId,
    pub username: String,
    pub display_name: String,
    pub password_hash: String,
    pub staff_id: Option<StaffId>,
    pub must_change_password: bool,
    pub disabled: bool,
}

fn account(r: &sqlx::any::AnyRow) -> Result<AccountRow> {
    Ok(AccountRow {
        id: AccountId::new(r.try_get("id")?),
        username: r.try_get("username")?,
        display_name: r.try_get("display_name")?,
        password_hash: r.try_get("password_hash")?,
        staff_id: r.try_get::<Option<i64>, _>("staff_id")?.map(StaffId::new),
        must_change_password: r.try_get::<i64, _>("must_change_password")? != 0,
        disabled: r.try_get::<i64, _>("disabled")? != 0,
    })
}

const SELECT: &str =
    "SELECT id, username, display_name, password_hash, staff_id, must_change_password, disabled FROM accounts";

pub async fn by_username(c: &mut Conn, username: &str) -> Result<Option<AccountRow>> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!("{SELECT} WHERE username = $1")))
        .bind(username)
        .fetch_optional(&mut *c)
        .await?;
    row.as_ref().map(account).transpose()
}

pub async fn by_id(c: &mut Conn, id: AccountId) -> Result<Option<AccountRow>> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!("{SELECT} WHERE id = $1")))
        .bind(id.get())
        .fetch_optional(&mut *c)
        .await?;
    row.as_ref().map(account).transpose()
}

pub async fn list(c: &mut Conn) -> Result<Vec<AccountRow>> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!("{SELECT} ORDER BY id"))).fetch_all(&mut *c).await?;
    rows.iter().map(account).collect()
}

pub async fn count(c: &mut Conn) -> Result<i64> {
    sqlx::query("SELECT COUNT(*) AS n FROM accounts").fetch_one(&mut *c).await?.try_get("n")
}

pub struct NewAccount<'a> {
    pub username: &'a str,
    pub display_name: &'a str,
    pub password_hash: &'a str,
    pub staff_id: Option<StaffId>,
    pub must_change_password: bool,
    pub now: i64,
}

pub async fn insert(c: &mut Conn, a: NewAccount<'_>) -> Result<AccountId> {
    let row = sqlx::query(
        "INSERT INTO accounts (username, display_name, password_hash, staff_id, must_change_password, disabled, created_at) \
         VALUES ($1, $2, $3, $4, $5, 0, $6) RETURNING id",
    )
    .bind(a.username)
    .bind(a.display_name)
    .bind(a.password_hash)
    .bind(a.staff_id.map(StaffId::get))
    .bind(b(a.must_change_password))
    .bind(a.now)
    .fetch_one(&mut *c)
    .await?;
    Ok(AccountId::new(row.try_get("id")?))
}

pub async fn set_password(c: &mut Conn, id: AccountId, hash: &str, must_change: bool) -> Result<()> {
    sqlx::query("UPDATE accounts SET password_hash = $1, must_change_password = $2 WHERE id = $3")
        .bind(hash)
        .bind(b(must_change))
        .bind(id.get())
        .execute(&mut *c)
        .await?;
    Ok(())
}

/// Lift a pending "must change password" (the person signs in through the directory, whose password is theirs).
pub async fn clear_must_change(c: &mut Conn, id: AccountId) -> Result<()> {
    sqlx::query("UPDATE accounts SET must_change_password = $1 WHERE id = $2")
        .bind(b(false))
        .bind(id.get())
        .execute(&mut *c)
        .await?;
    Ok(())
}

pub async fn add_grant(c: &mut Conn, id: AccountId, role: Role, unit: Option<UnitId>) -> Result<()> {
    sqlx::query("INSERT INTO grants (account_id, role, unit_id) VALUES ($1, $2, $3)")
        .bind(id.get())
        .bind(role.code())
        .bind(unit.map(UnitId::get))
        .execute(&mut *c)
        .await?;
    Ok(())
}

pub async fn grants(c: &mut Conn, id: AccountId) -> Result<Vec<Grant>> {
    Ok(grant_rows(c, id).await?.into_iter().map(|g| g.grant).collect())
}

/// A session (kind `web`) or an API token (kind `api`). Only the token's hash is stored.
pub struct NewSession<'a> {
    pub token_hash: &'a str,
    pub account: AccountId,
    pub kind: &'a str,
    pub csrf: &'a str,
    pub name: Option<&'a str>,
    pub client_ip: Option<&'a str>,
    pub now: i64,
    pub expires_at: i64,
}

pub async fn insert_session(c: &mut Conn, s: NewSession<'_>) -> Result<()> {
    sqlx::query(
        "INSERT INTO sessions (token_hash, account_id, kind, csrf, name, created_at, expires_at, client_ip) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(s.token_hash)
    .bind(s.account.get())
    .bind(s.kind)
    .bind(s.csrf)
    .bind(s.name)
    .bind(s.now)
    .bind(s.expires_at)
    .bind(s.client_ip)
    .execute(&mut *c)
    .await?;
    Ok(())
}

#[derive(Debug, Clone)]
pub struct SessionRow {
    pub account: AccountId,
    pub kind: String,
    pub csrf: String,
    pub expires_at: i64,
}

pub async fn session(c: &mut Conn, token_hash: &str) -> Result<Option<SessionRow>> {
    let row = sqlx::query("SELECT account_id, kind, csrf, expires_at FROM sessions WHERE token_hash = $1")
        .bind(token_hash)
        .fetch_optional(&mut *c)
        .await?;
    row.map(|r| {
        Ok(SessionRow {
            account: AccountId::new(r.try_get("account_id")?),
            kind: r.try_get("kind")?,
            csrf: r.try_get("csrf")?,
            expires_at: r.try_get("expires_at")?,
        })
    })
    .transpose()
}

pub async fn delete_session(c: &mut Conn, token_hash: &str) -> Result<()> {
    sqlx::query("DELETE FROM sessions WHERE token_hash = $1").bind(token_hash).execute(&mut *c).await?;
    Ok(())
}

/// End every session and API token of an account except `keep` (after a password change). Returns how many ended.
pub async fn delete_other_sessions(c: &mut Conn, id: AccountId, keep: &str) -> Result<u64> {
    let r = sqlx::query("DELETE FROM sessions WHERE account_id = $1 AND token_hash <> $2")
        .bind(id.get())
        .bind(keep)
        .execute(&mut *c)
        .await?;
    Ok(r.rows_affected())
}

/// End every session and API token of an account (reset, disabling). Returns how many ended.
pub async fn delete_sessions(c: &mut Conn, id: AccountId) -> Result<u64> {
    let r = sqlx::query("DELETE FROM sessions WHERE account_id = $1").bind(id.get()).execute(&mut *c).await?;
    Ok(r.rows_affected())
}

/// A live session or token of an account, for its owner's list.
#[derive(Debug, Clone)]
pub struct OwnSessionRow {
    pub token_hash: String,
    pub kind: String,
    pub created_at: i64,
    pub expires_at: i64,
    pub client_ip: Option<String>,
}

pub async fn sessions_of(c: &mut Conn, id: AccountId, now: i64) -> Result<Vec<OwnSessionRow>> {
    let rows = sqlx::query(
        "SELECT token_hash, kind, created_at, expires_at, client_ip FROM sessions \
         WHERE account_id = $1 AND expires_at > $2 ORDER BY created_at DESC LIMIT 200",
    )
    .bind(id.get())
    .bind(now)
    .fetch_all(&mut *c)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(OwnSessionRow {
                token_hash: r.try_get("token_hash")?,
                kind: r.try_get("kind")?,
                created_at: r.try_get("created_at")?,
                expires_at: r.try_get("expires_at")?,
                client_ip: r.try_get("client_ip")?,
            })
        })
        .collect()
}

/// End the account's session whose hash starts with `handle` (hex, checked by the caller). Returns rows ended.
pub async fn delete_session_by_handle(c: &mut Conn, id: AccountId, handle: &str) -> Result<u64> {
    let r = sqlx::query("DELETE FROM sessions WHERE account_id = $1 AND token_hash LIKE $2")
        .bind(id.get())
        .bind(format!("{handle}%"))
        .execute(&mut *c)
        .await?;
    Ok(r.rows_affected())
}

pub async fn set_staff(c: &mut Conn, id: AccountId, staff: Option<StaffId>) -> Result<()> {
    sqlx::query("UPDATE accounts SET staff_id = $1 WHERE id = $2")
        .bind(staff.map(StaffId::get))
        .bind(id.get())
        .execute(&mut *c)
        .await?;
    Ok(())
}

pub async fn set_disabled(c: &mut Conn, id: AccountId, disabled: bool) -> Result<()> {
    sqlx::query("UPDATE accounts SET disabled = $1 WHERE id = $2")
        .bind(b(disabled))
        .bind(id.get())
        .execute(&mut *c)
        .await?;
    Ok(())
}

/// Accounts linked to a staff record (to disable them with it).
pub async fn by_staff(c: &mut Conn, staff: StaffId) -> Result<Vec<AccountRow>> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!("{SELECT} WHERE staff_id = $1 ORDER BY id")))
        .bind(staff.get())
        .fetch_all(&mut *c)
        .await?;
    rows.iter().map(account).collect()
}

/// A grant with its row id, for removing it.
#[derive(Debug, Clone)]
pub struct GrantRow {
    pub id: i64,
    pub grant: Grant,
}

pub async fn grant_rows(c: &mut Conn, id: AccountId) -> Result<Vec<GrantRow>> {
    let rows = sqlx::query(
        "SELECT g.id, g.role, g.unit_id, u.path FROM grants g LEFT JOIN units u ON u.id = g.unit_id \
         WHERE g.account_id = $1 ORDER BY g.id",
    )
    .bind(id.get())
    .fetch_all(&mut *c)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(GrantRow {
                id: r.try_get("id")?,
                grant: Grant {
                    role: Role::parse(&r.try_get::<String, _>("role")?)
                        .map_err(|e| sqlx::Error::Decode(e.message.into()))?,
                    unit_id: r.try_get::<Option<i64>, _>("unit_id")?.map(UnitId::new),
                    unit_path: r.try_get("path")?,
                },
            })
        })
        .collect()
}

pub async fn remove_grant(c: &mut Conn, account: AccountId, grant: i64) -> Result<u64> {
    let r = sqlx::query("DELETE FROM grants WHERE id = $1 AND account_id = $2")
        .bind(grant)
        .bind(account.get())
        .execute(&mut *c)
        .await?;
    Ok(r.rows_affected())
}

/// Count one attempt on a throttling key, atomically on both databases: a window older than `window_start_before`
/// starts again at one. Returns (attempts in the window, locked until).
pub async fn count_attempt(c: &mut Conn, key: &str, now: i64, window_start_before: i64) -> Result<(i64, i64)> {
    let r = sqlx::query(
        "INSERT INTO login_failures (username, failures, window_start, locked_until) VALUES ($1, 1, $2, 0) \
         ON CONFLICT (username) DO UPDATE SET \
           failures = CASE WHEN login_failures.window_start < $3 THEN 1 ELSE login_failures.failures + 1 END, \
           window_start = CASE WHEN login_failures.window_start < $3 THEN $2 ELSE login_failures.window_start END \
         RETURNING failures, locked_until",
    )
    .bind(key)
    .bind(now)
    .bind(window_start_before)
    .fetch_one(&mut *c)
    .await?;
    Ok((r.try_get("failures")?, r.try_get("locked_until")?))
}

/// Take back one provisionally counted attempt (it succeeded), so successes never add up to a lock.
pub async fn uncount(c: &mut Conn, key: &str) -> Result<()> {
    sqlx::query("UPDATE login_failures SET failures = failures - 1 WHERE username = $1 AND failures > 0")
        .bind(key)
        .execute(&mut *c)
        .await?;
    Ok(())
}

pub async fn lock(c: &mut Conn, key: &str, until: i64) -> Result<()> {
    sqlx::query("UPDATE login_failures SET locked_until = $1 WHERE username = $2")
        .bind(until)
        .bind(key)
        .execute(&mut *c)
        .await?;
    Ok(())
}

/// Failed attempts of a throttling key: (failures in the window, window start, locked until).
pub async fn failures(c: &mut Conn, key: &str) -> Result<Option<(i64, i64, i64)>> {
    let row = sqlx::query("SELECT failures, window_start, locked_until FROM login_failures WHERE username = $1")
        .bind(key)
        .fetch_optional(&mut *c)
        .await?;
    row.map(|r| Ok((r.try_get("failures")?, r.try_get("window_start")?, r.try_get("locked_until")?))).transpose()
}

/// Forget a throttling key's attempts (after a success, or an administrator's reset).
pub async fn clear_failures(c: &mut Conn, key: &str) -> Result<()> {
    sqlx::query("DELETE FROM login_failures WHERE username = $1").bind(key).execute(&mut *c).await?;
    Ok(())
}

/// Forget every key of a username (a console reset lifts every client's lock on it).
pub async fn clear_user_failures(c: &mut Conn, username: &str) -> Result<()> {
    // A prefix compared as text: `_` in a username must not act as a LIKE wildcard.
    let prefix = format!("u:{username}|");
    sqlx::query("DELETE FROM login_failures WHERE substr(username, 1, CAST($1 AS INTEGER)) = $2 OR username = $3")
        .bind(prefix.chars().count() as i64)
        .bind(&prefix)
        .bind(format!("c:{username}"))
        .execute(&mut *c)
        .await?;
    Ok(())
}

/// Canonical content of every account with its grants (or one), for the audit row hash.
/// The password and PIN hashes are part of it, so a credential replaced behind the system's back is caught; the
/// audit layer replaces them with keyed digests before anything is stored (`app::credentials`).
pub async fn snapshot_rows(c: &mut Conn, only: Option<AccountId>) -> Result<Vec<(String, serde_json::Value)>> {
    let mut sql = String::from(
        "SELECT id, username, display_name, password_hash, staff_id, must_change_password, disabled, confirm_pin_hash FROM accounts",
    );
    if only.is_some() {
        sql.push_str(" WHERE id = $1");
    }
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
    if let Some(id) = only {
        q = q.bind(id.get());
    }
    let rows = q.fetch_all(&mut *c).await?;
    let mut gsql = String::from("SELECT account_id, role, unit_id FROM grants");
    if only.is_some() {
        gsql.push_str(" WHERE account_id = $1");
    }
    gsql.push_str(" ORDER BY account_id, role, unit_id");
    let mut gq = sqlx::query(sqlx::AssertSqlSafe(gsql));
    if let Some(id) = only {
        gq = gq.bind(id.get());
    }
    let mut grants: std::collections::HashMap<i64, Vec<serde_json::Value>> = Default::default();
    for r in gq.fetch_all(&mut *c).await? {
        grants
            .entry(r.try_get("account_id")?)
            .or_default()
            .push(serde_json::json!([r.try_get::<String, _>("role")?, r.try_get::<Option<i64>, _>("unit_id")?]));
    }
    rows.iter()
        .map(|r| {
            let id: i64 = r.try_get("id")?;
            let mut v = serde_json::json!({
                "id": id,
                "username": r.try_get::<String, _>("username")?,
                "display_name": r.try_get::<String, _>("display_name")?,
                "password_hash": r.try_get::<String, _>("password_hash")?,
                "staff_id": r.try_get::<Option<i64>, _>("staff_id")?,
                "must_change_password": r.try_get::<i64, _>("must_change_password")?,
                "disabled": r.try_get::<i64, _>("disabled")?,
                "grants": grants.remove(&id).unwrap_or_default(),
            });
            // Only present once set, so accounts without a PIN hash exactly as they did before PINs existed.
            if let (Some(pin), Some(m)) = (r.try_get::<Option<String>, _>("confirm_pin_hash")?, v.as_object_mut()) {
                m.insert("confirm_pin_hash".into(), pin.into());
            }
            Ok((id.to_string(), v))
        })
        .collect()
}
