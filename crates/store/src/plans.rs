//! Emergency plans: the versions of the plan book (its JSON body) and each use of a plan with the steps ticked.
use crate::{Conn, Result};
use sqlx::Row;

pub async fn latest_version(c: &mut Conn) -> Result<Option<(i64, i64, String)>> {
    let r = sqlx::query("SELECT id, version, body FROM plan_versions ORDER BY version DESC LIMIT 1")
        .fetch_optional(&mut *c)
        .await?;
    r.map(|r| Ok((r.try_get("id")?, r.try_get("version")?, r.try_get("body")?))).transpose()
}

pub async fn insert_version(
    c: &mut Conn,
    version: i64,
    body: &str,
    day: i64,
    by: Option<i64>,
    now: i64,
) -> Result<i64> {
    sqlx::query(
        "INSERT INTO plan_versions (version, body, effective_from_day, created_at, created_by) \
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(version)
    .bind(body)
    .bind(day)
    .bind(now)
    .bind(by)
    .fetch_one(&mut *c)
    .await?
    .try_get("id")
}

pub struct NewRun<'a> {
    pub plan_code: &'a str,
    pub plan_version: i64,
    pub unit: i64,
    pub unit_path: &'a str,
    pub started_at: i64,
    pub ticks: &'a str,
    pub notes: &'a str,
    pub now: i64,
    pub by: i64,
}

pub async fn insert_run(c: &mut Conn, r: NewRun<'_>) -> Result<i64> {
    sqlx::query(
        "INSERT INTO plan_runs (plan_code, plan_version, unit_id, unit_path, started_at, ticks, notes, created_at, \
         created_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
    )
    .bind(r.plan_code)
    .bind(r.plan_version)
    .bind(r.unit)
    .bind(r.unit_path)
    .bind(r.started_at)
    .bind(r.ticks)
    .bind(r.notes)
    .bind(r.now)
    .bind(r.by)
    .fetch_one(&mut *c)
    .await?
    .try_get("id")
}

#[derive(Debug, Clone, PartialEq)]
pub struct RunRow {
    pub id: i64,
    pub plan_code: String,
    pub unit_id: i64,
    pub unit_name: String,
    pub started_at: i64,
    pub ticks: String,
    pub notes: String,
    pub created_at: i64,
}

/// The uses of plans under a path, newest first.
pub async fn runs_under(c: &mut Conn, under: &str, limit: i64) -> Result<Vec<RunRow>> {
    let sql = format!(
        "SELECT r.id, r.plan_code, r.unit_id, u.name AS unit_name, r.started_at, r.ticks, r.notes, r.created_at \
         FROM plan_runs r JOIN units u ON u.id = r.unit_id WHERE r.unit_path LIKE $1 ORDER BY r.started_at DESC LIMIT {limit}"
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(format!("{under}%")).fetch_all(&mut *c).await?;
    rows.iter()
        .map(|r| {
            Ok(RunRow {
                id: r.try_get("id")?,
                plan_code: r.try_get("plan_code")?,
                unit_id: r.try_get("unit_id")?,
                unit_name: r.try_get("unit_name")?,
                started_at: r.try_get("started_at")?,
                ticks: r.try_get("ticks")?,
                notes: r.try_get("notes")?,
                created_at: r.try_get("created_at")?,
            })
        })
        .collect()
}
