//! Notices (通知公告) shown on the home page of everyone in the publishing unit's subtree.
use crate::{Conn, Result};
use anbao_domain::ids::{AccountId, NoticeId, UnitId};
use sqlx::Row;

#[derive(Debug, Clone, PartialEq)]
pub struct NoticeRow {
    pub id: NoticeId,
    pub unit_name: Option<String>,
    pub title: String,
    pub body: String,
    pub author: Option<String>,
    pub published_at: i64,
}

/// Notices a person sees: those published by a unit on the path from the root to any unit they belong to.
/// `paths` are the person's grant paths; a notice of unit P reaches everyone under P.
pub async fn visible(c: &mut Conn, account: AccountId, limit: i64) -> Result<Vec<NoticeRow>> {
    let rows = sqlx::query(
        "SELECT n.id, u.name AS unit_name, n.title, n.body, a.display_name, n.published_at FROM notices n \
         LEFT JOIN units u ON u.id = n.unit_id LEFT JOIN accounts a ON a.id = n.author_id \
         WHERE n.unit_id IS NULL OR EXISTS (SELECT 1 FROM grants g LEFT JOIN units gu ON gu.id = g.unit_id \
           WHERE g.account_id = $1 AND (g.unit_id IS NULL OR gu.path LIKE u.path || '%' OR u.path LIKE gu.path || '%')) \
         ORDER BY n.published_at DESC, n.id DESC LIMIT $2",
    )
    .bind(account.get())
    .bind(limit)
    .fetch_all(&mut *c)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(NoticeRow {
                id: NoticeId::new(r.try_get("id")?),
                unit_name: r.try_get("unit_name")?,
                title: r.try_get("title")?,
                body: r.try_get("body")?,
                author: r.try_get("display_name")?,
                published_at: r.try_get("published_at")?,
            })
        })
        .collect()
}

pub async fn insert(
    c: &mut Conn,
    unit: Option<UnitId>,
    title: &str,
    body: &str,
    author: Option<AccountId>,
    now: i64,
) -> Result<NoticeId> {
    let row = sqlx::query(
        "INSERT INTO notices (unit_id, title, body, author_id, published_at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(unit.map(UnitId::get))
    .bind(title)
    .bind(body)
    .bind(author.map(AccountId::get))
    .bind(now)
    .fetch_one(&mut *c)
    .await?;
    Ok(NoticeId::new(row.try_get("id")?))
}

/// Canonical content of every notice (or one), for the audit row hash.
pub async fn snapshot_rows(c: &mut Conn, only: Option<NoticeId>) -> Result<Vec<(String, serde_json::Value)>> {
    crate::snapshots(
        c,
        "SELECT id, unit_id, title, body, author_id, published_at FROM notices",
        only.map(NoticeId::get),
        |r| {
            Ok(serde_json::json!({
                "id": r.try_get::<i64, _>("id")?,
                "unit_id": r.try_get::<Option<i64>, _>("unit_id")?,
                "title": r.try_get::<String, _>("title")?,
                "body": r.try_get::<String, _>("body")?,
                "author_id": r.try_get::<Option<i64>, _>("author_id")?,
                "published_at": r.try_get::<i64, _>("published_at")?,
            }))
        },
    )
    .await
}
