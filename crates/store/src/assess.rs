//! The assessment: the scheme's versions, the final results of a quarter, the rewards of a year.
use crate::{Conn, Result, opt_i64};
use sqlx::Row;

pub async fn latest_scheme(c: &mut Conn) -> Result<Option<(i64, i64, String)>> {
    let r = sqlx::query("SELECT id, version, body FROM assessment_schemes ORDER BY version DESC LIMIT 1")
        .fetch_optional(&mut *c)
        .await?;
    r.map(|r| Ok((r.try_get("id")?, r.try_get("version")?, r.try_get("body")?))).transpose()
}

pub async fn scheme_body(c: &mut Conn, id: i64) -> Result<Option<String>> {
    let r = sqlx::query("SELECT body FROM assessment_schemes WHERE id = $1").bind(id).fetch_optional(&mut *c).await?;
    r.map(|r| r.try_get("body")).transpose()
}

pub async fn insert_scheme(c: &mut Conn, version: i64, body: &str, by: Option<i64>, now: i64) -> Result<i64> {
    sqlx::query(
        "INSERT INTO assessment_schemes (version, body, created_at, created_by) VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(version)
    .bind(body)
    .bind(now)
    .bind(by)
    .fetch_one(&mut *c)
    .await?
    .try_get("id")
}

#[derive(Debug, Clone, PartialEq)]
pub struct ResultRow {
    pub id: i64,
    pub assessor_unit_id: i64,
    pub unit_id: i64,
    pub year: i32,
    pub quarter: i8,
    pub scheme_id: i64,
    pub total_tenths: i64,
    pub rating: String,
    pub veto_case_id: Option<i64>,
    pub detail: String,
    pub frozen_at: i64,
}

fn result_from(r: &sqlx::any::AnyRow) -> Result<ResultRow> {
    Ok(ResultRow {
        id: r.try_get("id")?,
        assessor_unit_id: r.try_get("assessor_unit_id")?,
        unit_id: r.try_get("unit_id")?,
        year: r.try_get::<i64, _>("year")? as i32,
        quarter: r.try_get::<i64, _>("quarter")? as i8,
        scheme_id: r.try_get("scheme_id")?,
        total_tenths: r.try_get("total_tenths")?,
        rating: r.try_get("rating")?,
        veto_case_id: opt_i64(r, "veto_case_id")?,
        detail: r.try_get("detail")?,
        frozen_at: r.try_get("frozen_at")?,
    })
}

/// A unit's final result of a quarter, if made.
pub async fn result(c: &mut Conn, unit: i64, year: i32, quarter: i8) -> Result<Option<ResultRow>> {
    let r = sqlx::query("SELECT * FROM assessment_results WHERE unit_id = $1 AND year = $2 AND quarter = $3")
        .bind(unit)
        .bind(year as i64)
        .bind(quarter as i64)
        .fetch_optional(&mut *c)
        .await?;
    r.as_ref().map(result_from).transpose()
}

/// A unit's final results of a year, by quarter.
pub async fn results_of_year(c: &mut Conn, unit: i64, year: i32) -> Result<Vec<ResultRow>> {
    let rows = sqlx::query("SELECT * FROM assessment_results WHERE unit_id = $1 AND year = $2 ORDER BY quarter")
        .bind(unit)
        .bind(year as i64)
        .fetch_all(&mut *c)
        .await?;
    rows.iter().map(result_from).collect()
}

pub struct NewResult<'a> {
    pub assessor: i64,
    pub unit: i64,
    pub year: i32,
    pub quarter: i8,
    pub scheme: i64,
    pub total_tenths: i64,
    pub rating: &'a str,
    pub veto_case: Option<i64>,
    pub detail: &'a str,
    pub now: i64,
    pub by: i64,
}

/// Store a final result; None when the unit's quarter is already final (made by someone else at the same time).
pub async fn insert_result(c: &mut Conn, n: NewResult<'_>) -> Result<Option<i64>> {
    let r = sqlx::query(
        "INSERT INTO assessment_results (assessor_unit_id, unit_id, year, quarter, scheme_id, total_tenths, rating, \
         veto_case_id, detail, frozen_at, frozen_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) \
         ON CONFLICT (unit_id, year, quarter) DO NOTHING RETURNING id",
    )
    .bind(n.assessor)
    .bind(n.unit)
    .bind(n.year as i64)
    .bind(n.quarter as i64)
    .bind(n.scheme)
    .bind(n.total_tenths)
    .bind(n.rating)
    .bind(n.veto_case)
    .bind(n.detail)
    .bind(n.now)
    .bind(n.by)
    .fetch_optional(&mut *c)
    .await?;
    r.map(|r| r.try_get("id")).transpose()
}

/// The reward of a unit's year, if any: (id, title).
pub async fn reward(c: &mut Conn, unit: i64, year: i32) -> Result<Option<(i64, String)>> {
    let r = sqlx::query("SELECT id, title FROM assessment_rewards WHERE unit_id = $1 AND year = $2")
        .bind(unit)
        .bind(year as i64)
        .fetch_optional(&mut *c)
        .await?;
    r.map(|r| Ok((r.try_get("id")?, r.try_get("title")?))).transpose()
}

pub async fn insert_reward(c: &mut Conn, unit: i64, year: i32, title: &str, by: i64, now: i64) -> Result<Option<i64>> {
    let r = sqlx::query(
        "INSERT INTO assessment_rewards (unit_id, year, title, created_at, created_by) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (unit_id, year) DO NOTHING RETURNING id",
    )
    .bind(unit)
    .bind(year as i64)
    .bind(title)
    .bind(now)
    .bind(by)
    .fetch_optional(&mut *c)
    .await?;
    r.map(|r| r.try_get("id")).transpose()
}
