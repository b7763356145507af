//! Rule versions: the rulebook as stored. The body is the rule as JSON; each edit adds a version.
use crate::{Conn, Result, b};
use sqlx::Row;

#[derive(Debug, Clone, PartialEq)]
pub struct RuleVersionRow {
    pub id: i64,
    pub rule_id: String,
    pub version: i64,
    pub body: String,
    pub active: bool,
    pub effective_from_day: i64,
    pub created_at: i64,
    pub created_by: Option<String>,
}

/// Every version of every rule, oldest first within a rule.
pub async fn all(c: &mut Conn) -> Result<Vec<RuleVersionRow>> {
    let rows = sqlx::query(
        "SELECT v.id, v.rule_id, v.version, v.body, v.active, v.effective_from_day, v.created_at, a.display_name \
         FROM rule_versions v LEFT JOIN accounts a ON a.id = v.created_by ORDER BY v.rule_id, v.version",
    )
    .fetch_all(&mut *c)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(RuleVersionRow {
                id: r.try_get("id")?,
                rule_id: r.try_get("rule_id")?,
                version: r.try_get("version")?,
                body: r.try_get("body")?,
                active: r.try_get::<i64, _>("active")? != 0,
                effective_from_day: r.try_get("effective_from_day")?,
                created_at: r.try_get("created_at")?,
                created_by: r.try_get("display_name")?,
            })
        })
        .collect()
}

pub async fn count(c: &mut Conn) -> Result<i64> {
    sqlx::query("SELECT COUNT(*) AS n FROM rule_versions").fetch_one(&mut *c).await?.try_get("n")
}

pub async fn latest_version(c: &mut Conn, rule_id: &str) -> Result<i64> {
    sqlx::query("SELECT COALESCE(MAX(version), 0) AS v FROM rule_versions WHERE rule_id = $1")
        .bind(rule_id)
        .fetch_one(&mut *c)
        .await?
        .try_get("v")
}

pub struct NewVersion<'a> {
    pub rule_id: &'a str,
    pub version: i64,
    pub body: &'a str,
    pub active: bool,
    pub effective_from_day: i64,
    pub now: i64,
    pub by: Option<i64>,
}

pub async fn insert(c: &mut Conn, v: NewVersion<'_>) -> Result<i64> {
    sqlx::query(
        "INSERT INTO rule_versions (rule_id, version, body, active, effective_from_day, created_at, created_by) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(v.rule_id)
    .bind(v.version)
    .bind(v.body)
    .bind(b(v.active))
    .bind(v.effective_from_day)
    .bind(v.now)
    .bind(v.by)
    .fetch_one(&mut *c)
    .await?
    .try_get("id")
}

pub async fn snapshot_rows(c: &mut Conn, only: Option<i64>) -> Result<Vec<(String, serde_json::Value)>> {
    crate::snapshots(c, "SELECT id, rule_id, version, body, active, effective_from_day FROM rule_versions", only, |r| {
        Ok(serde_json::json!({
                    "id": r.try_get::<i64, _>("id")?, "rule_id": r.try_get::<String, _>("rule_id")?, "version": r.try_get::<i64, _>("version")?,
                    "body": r.try_get::<String, _>("body")?, "active": r.try_get::<i64, _>("active")?,
                    "effective_from_day": r.try_get::<i64, _>("effective_from_day")?,
                }))
    })
    .await
}
