//! The business-day calendar: its versions (the JSON body of `domain::calendar::CalendarBook`).
use crate::{Conn, Result};
use sqlx::Row;

/// The newest version: (version, body).
pub async fn latest(c: &mut Conn) -> Result<Option<(i64, String)>> {
    let r = sqlx::query("SELECT version, body FROM calendar_versions ORDER BY version DESC LIMIT 1")
        .fetch_optional(&mut *c)
        .await?;
    r.map(|r| Ok((r.try_get("version")?, r.try_get("body")?))).transpose()
}

/// Store a version; the unique version number refuses a second writer racing for the same number.
pub async fn insert(c: &mut Conn, version: i64, body: &str, by: Option<i64>, now: i64) -> Result<i64> {
    sqlx::query(
        "INSERT INTO calendar_versions (version, body, created_at, created_by) VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(version)
    .bind(body)
    .bind(now)
    .bind(by)
    .fetch_one(&mut *c)
    .await?
    .try_get("id")
}
