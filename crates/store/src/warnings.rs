//! Warning education: the case bulletins sent to a subtree (and posts), and each person's acknowledgement. A second
//! acknowledgement is a no-op (`ON CONFLICT DO NOTHING`), so a double tap records one read.
use crate::{Conn, Result, opt_i64};
use anbao_domain::staff::{Position, decode_positions, encode_positions};
use sqlx::Row;
use std::collections::HashMap;

#[derive(Debug, Clone, PartialEq)]
pub struct WarningRow {
    pub id: i64,
    pub unit_id: i64,
    pub unit_name: String,
    pub unit_path: String,
    pub title: String,
    pub body: String,
    pub posts: Vec<Position>,
    pub case_id: Option<i64>,
    pub issued_at: i64,
    /// For lists of one person's bulletins: when they acknowledged it.
    pub read_at: Option<i64>,
}

const SELECT: &str = "SELECT w.id, w.unit_id, u.name AS unit_name, w.unit_path, w.title, w.body, w.posts, w.case_id, \
    w.issued_at";

fn row(r: &sqlx::any::AnyRow, with_read: bool) -> Result<WarningRow> {
    Ok(WarningRow {
        id: r.try_get("id")?,
        unit_id: r.try_get("unit_id")?,
        unit_name: r.try_get("unit_name")?,
        unit_path: r.try_get("unit_path")?,
        title: r.try_get("title")?,
        body: r.try_get("body")?,
        posts: decode_positions(&r.try_get::<String, _>("posts")?),
        case_id: opt_i64(r, "case_id")?,
        issued_at: r.try_get("issued_at")?,
        read_at: if with_read { opt_i64(r, "read_at")? } else { None },
    })
}

pub struct NewWarning<'a> {
    pub unit: i64,
    pub unit_path: &'a str,
    pub title: &'a str,
    pub body: &'a str,
    pub posts: &'a [Position],
    pub case_id: Option<i64>,
    pub now: i64,
    pub by: i64,
}

pub async fn insert(c: &mut Conn, w: NewWarning<'_>) -> Result<i64> {
    sqlx::query(
        "INSERT INTO warnings (unit_id, unit_path, title, body, posts, case_id, issued_at, issued_by) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(w.unit)
    .bind(w.unit_path)
    .bind(w.title)
    .bind(w.body)
    .bind(encode_positions(w.posts))
    .bind(w.case_id)
    .bind(w.now)
    .bind(w.by)
    .fetch_one(&mut *c)
    .await?
    .try_get("id")
}

pub async fn set_record(c: &mut Conn, id: i64, record: i64) -> Result<()> {
    sqlx::query("UPDATE warnings SET record_id = $2 WHERE id = $1").bind(id).bind(record).execute(&mut *c).await?;
    Ok(())
}

pub async fn get(c: &mut Conn, id: i64) -> Result<Option<WarningRow>> {
    let sql = format!("{SELECT} FROM warnings w JOIN units u ON u.id = w.unit_id WHERE w.id = $1");
    let r = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(&mut *c).await?;
    r.as_ref().map(|r| row(r, false)).transpose()
}

/// The bulletins sent to a unit's subtree above or at `unit_path`, with the person's acknowledgement, newest first.
pub async fn sent_to(c: &mut Conn, unit_path: &str, staff: i64, limit: i64) -> Result<Vec<WarningRow>> {
    let sql = format!(
        "{SELECT}, r.read_at FROM warnings w JOIN units u ON u.id = w.unit_id \
         LEFT JOIN warning_reads r ON r.warning_id = w.id AND r.staff_id = $2 \
         WHERE $1 LIKE w.unit_path || '%' ORDER BY w.issued_at DESC LIMIT {limit}"
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(unit_path).bind(staff).fetch_all(&mut *c).await?;
    rows.iter().map(|r| row(r, true)).collect()
}

/// The bulletins issued at or below any of `paths`, newest first.
pub async fn issued_under(c: &mut Conn, paths: &[String], limit: i64) -> Result<Vec<WarningRow>> {
    if paths.is_empty() {
        return Ok(Vec::new());
    }
    let conds: Vec<String> = (1..=paths.len()).map(|i| format!("w.unit_path LIKE ${i} || '%'")).collect();
    let sql = format!(
        "{SELECT} FROM warnings w JOIN units u ON u.id = w.unit_id WHERE {} ORDER BY w.issued_at DESC LIMIT {limit}",
        conds.join(" OR ")
    );
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
    for p in paths {
        q = q.bind(p.clone());
    }
    q.fetch_all(&mut *c).await?.iter().map(|r| row(r, false)).collect()
}

/// Record one person's acknowledgement; false when they had already acknowledged.
pub async fn acknowledge(c: &mut Conn, warning: i64, staff: i64, now: i64, account: i64) -> Result<Option<i64>> {
    let r = sqlx::query(
        "INSERT INTO warning_reads (warning_id, staff_id, read_at, account_id) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (warning_id, staff_id) DO NOTHING RETURNING id",
    )
    .bind(warning)
    .bind(staff)
    .bind(now)
    .bind(account)
    .fetch_optional(&mut *c)
    .await?;
    r.map(|r| r.try_get("id")).transpose()
}

/// Who has acknowledged a bulletin, and when.
pub async fn reads(c: &mut Conn, warning: i64) -> Result<HashMap<i64, i64>> {
    let rows = sqlx::query("SELECT staff_id, read_at FROM warning_reads WHERE warning_id = $1")
        .bind(warning)
        .fetch_all(&mut *c)
        .await?;
    rows.iter().map(|r| Ok((r.try_get("staff_id")?, r.try_get("read_at")?))).collect()
}
