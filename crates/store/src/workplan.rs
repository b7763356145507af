//! Work plans and their items.
use crate::{Conn, Result, opt_i64};
use sqlx::Row;

pub async fn plan_of(c: &mut Conn, unit: i64, year: i32) -> Result<Option<i64>> {
    let r = sqlx::query("SELECT id FROM work_plans WHERE unit_id = $1 AND year = $2")
        .bind(unit)
        .bind(year as i64)
        .fetch_optional(&mut *c)
        .await?;
    r.map(|r| r.try_get("id")).transpose()
}

/// A new plan; None when the unit already has one for the year.
pub async fn insert_plan(c: &mut Conn, unit: i64, year: i32, by: i64, now: i64) -> Result<Option<i64>> {
    let r = sqlx::query(
        "INSERT INTO work_plans (unit_id, year, created_at, created_by) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (unit_id, year) DO NOTHING RETURNING id",
    )
    .bind(unit)
    .bind(year as i64)
    .bind(now)
    .bind(by)
    .fetch_optional(&mut *c)
    .await?;
    r.map(|r| r.try_get("id")).transpose()
}

pub struct NewItem<'a> {
    pub plan: i64,
    pub seq: i64,
    pub section: &'a str,
    pub title: &'a str,
    pub owner_post: &'a str,
    pub due_month: i64,
    pub rule_id: &'a str,
    pub source: &'a str,
}

pub async fn insert_item(c: &mut Conn, n: NewItem<'_>) -> Result<i64> {
    sqlx::query(
        "INSERT INTO work_plan_items (plan_id, seq, section, title, owner_post, due_month, rule_id, source, percent, note) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 0, '') RETURNING id",
    )
    .bind(n.plan)
    .bind(n.seq)
    .bind(n.section)
    .bind(n.title)
    .bind(n.owner_post)
    .bind(n.due_month)
    .bind(n.rule_id)
    .bind(n.source)
    .fetch_one(&mut *c)
    .await?
    .try_get("id")
}

#[derive(Debug, Clone, PartialEq)]
pub struct ItemRow {
    pub id: i64,
    pub plan_id: i64,
    pub unit_id: i64,
    pub unit_path: String,
    pub year: i32,
    pub seq: i64,
    pub section: String,
    pub title: String,
    pub owner_post: String,
    pub due_month: i64,
    pub rule_id: String,
    pub source: String,
    pub percent: i64,
    pub note: String,
    pub updated_at: Option<i64>,
}

const ITEM: &str = "SELECT i.*, p.unit_id, p.year, u.path AS unit_path FROM work_plan_items i \
    JOIN work_plans p ON p.id = i.plan_id JOIN units u ON u.id = p.unit_id";

fn item_from(r: &sqlx::any::AnyRow) -> Result<ItemRow> {
    Ok(ItemRow {
        id: r.try_get("id")?,
        plan_id: r.try_get("plan_id")?,
        unit_id: r.try_get("unit_id")?,
        unit_path: r.try_get("unit_path")?,
        year: r.try_get::<i64, _>("year")? as i32,
        seq: r.try_get("seq")?,
        section: r.try_get("section")?,
        title: r.try_get("title")?,
        owner_post: r.try_get("owner_post")?,
        due_month: r.try_get("due_month")?,
        rule_id: r.try_get("rule_id")?,
        source: r.try_get("source")?,
        percent: r.try_get("percent")?,
        note: r.try_get("note")?,
        updated_at: opt_i64(r, "updated_at")?,
    })
}

pub async fn items(c: &mut Conn, plan: i64) -> Result<Vec<ItemRow>> {
    let sql = format!("{ITEM} WHERE i.plan_id = $1 ORDER BY i.seq");
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(plan).fetch_all(&mut *c).await?;
    rows.iter().map(item_from).collect()
}

pub async fn item(c: &mut Conn, id: i64) -> Result<Option<ItemRow>> {
    let sql = format!("{ITEM} WHERE i.id = $1");
    let r = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(&mut *c).await?;
    r.as_ref().map(item_from).transpose()
}

pub async fn set_progress(c: &mut Conn, id: i64, percent: i64, note: &str, by: i64, now: i64) -> Result<()> {
    sqlx::query("UPDATE work_plan_items SET percent = $1, note = $2, updated_at = $3, updated_by = $4 WHERE id = $5")
        .bind(percent)
        .bind(note)
        .bind(now)
        .bind(by)
        .bind(id)
        .execute(&mut *c)
        .await?;
    Ok(())
}
