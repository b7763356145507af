//! The message centre: reminders and notices addressed to one account.
use crate::{Conn, Result};
use anbao_domain::ids::AccountId;
use sqlx::Row;

#[derive(Debug, Clone, PartialEq)]
pub struct MessageRow {
    pub id: i64,
    pub title: String,
    pub body: String,
    pub link: String,
    pub created_at: i64,
    pub read: bool,
}

/// Add a message unless one with the same key exists for the account. Returns whether it was new.
/// `ON CONFLICT DO NOTHING` on the unique key makes this safe with several instances creating the same reminder.
pub async fn put(
    c: &mut Conn,
    account: AccountId,
    key: &str,
    title: &str,
    body: &str,
    link: &str,
    now: i64,
) -> Result<bool> {
    let r = sqlx::query(
        "INSERT INTO messages (account_id, dedupe_key, title, body, link, created_at) VALUES ($1, $2, $3, $4, $5, $6) \
         ON CONFLICT (account_id, dedupe_key) DO NOTHING",
    )
    .bind(account.get())
    .bind(key)
    .bind(title)
    .bind(body)
    .bind(link)
    .bind(now)
    .execute(&mut *c)
    .await?;
    Ok(r.rows_affected() > 0)
}

/// The security-department accounts whose grant covers a unit (by its path), to be told of what happened there.
pub async fn security_over(c: &mut Conn, unit_path: &str) -> Result<Vec<AccountId>> {
    sqlx::query(
        "SELECT DISTINCT g.account_id FROM grants g JOIN accounts a ON a.id = g.account_id \
         LEFT JOIN units u ON u.id = g.unit_id WHERE g.role = 'security' AND a.disabled = 0 \
         AND (g.unit_id IS NULL OR $1 LIKE u.path || '%') ORDER BY g.account_id",
    )
    .bind(unit_path)
    .fetch_all(&mut *c)
    .await?
    .iter()
    .map(|r| Ok(AccountId::new(r.try_get("account_id")?)))
    .collect()
}

pub async fn list(c: &mut Conn, account: AccountId, limit: i64) -> Result<Vec<MessageRow>> {
    let rows = sqlx::query(
        "SELECT id, title, body, link, created_at, read_at FROM messages WHERE account_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2",
    )
    .bind(account.get())
    .bind(limit)
    .fetch_all(&mut *c)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(MessageRow {
                id: r.try_get("id")?,
                title: r.try_get("title")?,
                body: r.try_get("body")?,
                link: r.try_get("link")?,
                created_at: r.try_get("created_at")?,
                read: r.try_get::<Option<i64>, _>("read_at")?.is_some(),
            })
        })
        .collect()
}

pub async fn unread(c: &mut Conn, account: AccountId) -> Result<i64> {
    sqlx::query("SELECT COUNT(*) AS n FROM messages WHERE account_id = $1 AND read_at IS NULL")
        .bind(account.get())
        .fetch_one(&mut *c)
        .await?
        .try_get("n")
}

pub async fn mark_all_read(c: &mut Conn, account: AccountId, now: i64) -> Result<u64> {
    Ok(sqlx::query("UPDATE messages SET read_at = $1 WHERE account_id = $2 AND read_at IS NULL")
        .bind(now)
        .bind(account.get())
        .execute(&mut *c)
        .await?
        .rows_affected())
}
