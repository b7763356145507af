//! A case's attachments: each row points at a content-addressed blob and at the timeline entry it came with.
use crate::{Conn, Result};
use sqlx::Row;

#[derive(Debug, Clone, PartialEq)]
pub struct CaseFileRow {
    pub id: i64,
    pub case_id: i64,
    pub event_id: i64,
    pub file_name: String,
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
    pub taken_at: i64,
}

pub struct NewCaseFile<'a> {
    pub case: i64,
    pub event: i64,
    pub file_name: &'a str,
    pub content_type: &'a str,
    pub size: i64,
    pub sha256: &'a str,
    pub taken_at: i64,
    pub now: i64,
    pub by: i64,
}

pub async fn insert_file(c: &mut Conn, n: NewCaseFile<'_>) -> Result<i64> {
    sqlx::query(
        "INSERT INTO case_attachments (case_id, event_id, file_name, content_type, size, sha256, taken_at, \
         uploaded_at, uploaded_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
    )
    .bind(n.case)
    .bind(n.event)
    .bind(n.file_name)
    .bind(n.content_type)
    .bind(n.size)
    .bind(n.sha256)
    .bind(n.taken_at)
    .bind(n.now)
    .bind(n.by)
    .fetch_one(&mut *c)
    .await?
    .try_get("id")
}

fn file_row(r: &sqlx::any::AnyRow) -> Result<CaseFileRow> {
    Ok(CaseFileRow {
        id: r.try_get("id")?,
        case_id: r.try_get("case_id")?,
        event_id: r.try_get("event_id")?,
        file_name: r.try_get("file_name")?,
        content_type: r.try_get("content_type")?,
        size: r.try_get("size")?,
        sha256: r.try_get("sha256")?,
        taken_at: r.try_get("taken_at")?,
    })
}

pub async fn files_of(c: &mut Conn, case: i64) -> Result<Vec<CaseFileRow>> {
    let rows = sqlx::query(
        "SELECT id, case_id, event_id, file_name, content_type, size, sha256, taken_at FROM case_attachments \
         WHERE case_id = $1 ORDER BY id",
    )
    .bind(case)
    .fetch_all(&mut *c)
    .await?;
    rows.iter().map(file_row).collect()
}

/// One attachment, only through its own case (an id of another case's file is not found).
pub async fn file(c: &mut Conn, case: i64, id: i64) -> Result<Option<CaseFileRow>> {
    let r = sqlx::query(
        "SELECT id, case_id, event_id, file_name, content_type, size, sha256, taken_at FROM case_attachments \
         WHERE id = $1 AND case_id = $2",
    )
    .bind(id)
    .bind(case)
    .fetch_optional(&mut *c)
    .await?;
    r.as_ref().map(file_row).transpose()
}
