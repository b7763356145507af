//! Keys, codes and self-defence weapons held by named people; their handovers; lock changes after a loss; and the
//! confirmation PIN a person sets to sign as the second of two people.
use crate::{Conn, Result, opt_i64};
use sqlx::Row;

#[derive(Debug, Clone, PartialEq)]
pub struct ItemRow {
    pub id: i64,
    pub unit_id: i64,
    pub unit_name: String,
    pub unit_path: String,
    pub asset_id: Option<i64>,
    pub asset_name: Option<String>,
    pub kind: String,
    pub label: String,
    pub holder_id: Option<i64>,
    pub holder_name: Option<String>,
    pub status: String,
    pub updated_at: i64,
}

const ITEM: &str = "SELECT i.id, i.unit_id, u.name AS unit_name, u.path AS unit_path, i.asset_id, a.name AS asset_name, \
    i.kind, i.label, i.holder_id, s.name AS holder_name, i.status, i.updated_at FROM custody_items i \
    JOIN units u ON u.id = i.unit_id LEFT JOIN assets a ON a.id = i.asset_id LEFT JOIN staff s ON s.id = i.holder_id";

fn item_row(r: &sqlx::any::AnyRow) -> Result<ItemRow> {
    Ok(ItemRow {
        id: r.try_get("id")?,
        unit_id: r.try_get("unit_id")?,
        unit_name: r.try_get("unit_name")?,
        unit_path: r.try_get("unit_path")?,
        asset_id: opt_i64(r, "asset_id")?,
        asset_name: r.try_get("asset_name")?,
        kind: r.try_get("kind")?,
        label: r.try_get("label")?,
        holder_id: opt_i64(r, "holder_id")?,
        holder_name: r.try_get("holder_name")?,
        status: r.try_get("status")?,
        updated_at: r.try_get("updated_at")?,
    })
}

/// Items of the units under `path` (the custody table of an outlet, or of a county).
pub async fn items_under(c: &mut Conn, path: &str) -> Result<Vec<ItemRow>> {
    let sql = format!("{ITEM} WHERE u.path LIKE $1 || '%' ORDER BY u.path, a.id, i.kind, i.id");
    sqlx::query(sqlx::AssertSqlSafe(sql)).bind(path).fetch_all(&mut *c).await?.iter().map(item_row).collect()
}

pub async fn items_of_asset(c: &mut Conn, asset: i64) -> Result<Vec<ItemRow>> {
    let sql = format!("{ITEM} WHERE i.asset_id = $1 ORDER BY i.id");
    sqlx::query(sqlx::AssertSqlSafe(sql)).bind(asset).fetch_all(&mut *c).await?.iter().map(item_row).collect()
}

pub async fn item(c: &mut Conn, id: i64) -> Result<Option<ItemRow>> {
    let sql = format!("{ITEM} WHERE i.id = $1");
    sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(&mut *c).await?.as_ref().map(item_row).transpose()
}

pub struct NewItem<'a> {
    pub unit: i64,
    pub asset: Option<i64>,
    pub kind: &'a str,
    pub label: &'a str,
    pub holder: i64,
    pub now: i64,
}

pub async fn insert_item(c: &mut Conn, n: NewItem<'_>) -> Result<i64> {
    sqlx::query(
        "INSERT INTO custody_items (unit_id, asset_id, kind, label, holder_id, status, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, 'held', $6, $6) RETURNING id",
    )
    .bind(n.unit)
    .bind(n.asset)
    .bind(n.kind)
    .bind(n.label)
    .bind(n.holder)
    .bind(n.now)
    .fetch_one(&mut *c)
    .await?
    .try_get("id")
}

pub async fn set_holder(c: &mut Conn, id: i64, holder: Option<i64>, status: &str, now: i64) -> Result<()> {
    sqlx::query("UPDATE custody_items SET holder_id = $2, status = $3, updated_at = $4 WHERE id = $1")
        .bind(id)
        .bind(holder)
        .bind(status)
        .bind(now)
        .execute(&mut *c)
        .await?;
    Ok(())
}

pub struct NewHandover {
    pub item: i64,
    pub from_staff: Option<i64>,
    pub to_staff: i64,
    pub from_account: Option<i64>,
    pub to_account: Option<i64>,
    pub note: Option<String>,
    pub at: i64,
}

pub async fn insert_handover(c: &mut Conn, h: NewHandover) -> Result<i64> {
    sqlx::query(
        "INSERT INTO custody_handovers (item_id, from_staff, to_staff, from_account, to_account, note, at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(h.item)
    .bind(h.from_staff)
    .bind(h.to_staff)
    .bind(h.from_account)
    .bind(h.to_account)
    .bind(h.note)
    .bind(h.at)
    .fetch_one(&mut *c)
    .await?
    .try_get("id")
}

#[derive(Debug, Clone)]
pub struct HandoverRow {
    pub id: i64,
    pub item_id: i64,
    pub item_label: String,
    pub from_name: Option<String>,
    pub to_name: String,
    pub note: Option<String>,
    pub at: i64,
}

/// The latest handovers of the items under `path`, newest first.
pub async fn handovers_under(c: &mut Conn, path: &str, limit: i64) -> Result<Vec<HandoverRow>> {
    let rows = sqlx::query(
        "SELECT h.id, h.item_id, i.label, f.name AS from_name, t.name AS to_name, h.note, h.at FROM custody_handovers h \
         JOIN custody_items i ON i.id = h.item_id JOIN units u ON u.id = i.unit_id \
         LEFT JOIN staff f ON f.id = h.from_staff JOIN staff t ON t.id = h.to_staff \
         WHERE u.path LIKE $1 || '%' ORDER BY h.at DESC, h.id DESC LIMIT $2",
    )
    .bind(path)
    .bind(limit)
    .fetch_all(&mut *c)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(HandoverRow {
                id: r.try_get("id")?,
                item_id: r.try_get("item_id")?,
                item_label: r.try_get("label")?,
                from_name: r.try_get("from_name")?,
                to_name: r.try_get("to_name")?,
                note: r.try_get("note")?,
                at: r.try_get("at")?,
            })
        })
        .collect()
}

#[derive(Debug, Clone)]
pub struct LockChangeRow {
    pub id: i64,
    pub item_id: i64,
    pub asset_id: Option<i64>,
    pub unit_id: i64,
    pub reason: String,
    pub opened_at: i64,
    pub done_at: Option<i64>,
}

fn lock_change_row(r: &sqlx::any::AnyRow) -> Result<LockChangeRow> {
    Ok(LockChangeRow {
        id: r.try_get("id")?,
        item_id: r.try_get("item_id")?,
        asset_id: opt_i64(r, "asset_id")?,
        unit_id: r.try_get("unit_id")?,
        reason: r.try_get("reason")?,
        opened_at: r.try_get("opened_at")?,
        done_at: opt_i64(r, "done_at")?,
    })
}

pub async fn open_lock_change(c: &mut Conn, item: &ItemRow, reason: &str, by: i64, now: i64) -> Result<i64> {
    sqlx::query(
        "INSERT INTO lock_changes (item_id, asset_id, unit_id, reason, opened_at, opened_by) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(item.id)
    .bind(item.asset_id)
    .bind(item.unit_id)
    .bind(reason)
    .bind(now)
    .bind(by)
    .fetch_one(&mut *c)
    .await?
    .try_get("id")
}

pub async fn lock_change(c: &mut Conn, id: i64) -> Result<Option<LockChangeRow>> {
    sqlx::query("SELECT * FROM lock_changes WHERE id = $1")
        .bind(id)
        .fetch_optional(&mut *c)
        .await?
        .as_ref()
        .map(lock_change_row)
        .transpose()
}

/// Lock changes still open for the units under `path`.
pub async fn open_lock_changes_under(c: &mut Conn, path: &str) -> Result<Vec<LockChangeRow>> {
    sqlx::query(
        "SELECT l.* FROM lock_changes l JOIN units u ON u.id = l.unit_id \
         WHERE l.done_at IS NULL AND u.path LIKE $1 || '%' ORDER BY l.opened_at",
    )
    .bind(path)
    .fetch_all(&mut *c)
    .await?
    .iter()
    .map(lock_change_row)
    .collect()
}

/// Is a lock change of this asset still open?
pub async fn lock_change_open_for(c: &mut Conn, asset: i64) -> Result<bool> {
    let r = sqlx::query("SELECT COUNT(*) AS n FROM lock_changes WHERE asset_id = $1 AND done_at IS NULL")
        .bind(asset)
        .fetch_one(&mut *c)
        .await?;
    Ok(r.try_get::<i64, _>("n")? > 0)
}

pub async fn finish_lock_change(c: &mut Conn, id: i64, by: i64, note: &str, now: i64) -> Result<()> {
    sqlx::query("UPDATE lock_changes SET done_at = $2, done_by = $3, done_note = $4 WHERE id = $1")
        .bind(id)
        .bind(now)
        .bind(by)
        .bind(note)
        .execute(&mut *c)
        .await?;
    Ok(())
}

pub async fn confirm_pin_hash(c: &mut Conn, account: i64) -> Result<Option<String>> {
    let r = sqlx::query("SELECT confirm_pin_hash FROM accounts WHERE id = $1")
        .bind(account)
        .fetch_optional(&mut *c)
        .await?;
    Ok(match r {
        Some(r) => r.try_get("confirm_pin_hash")?,
        None => None,
    })
}

pub async fn set_confirm_pin_hash(c: &mut Conn, account: i64, hash: &str) -> Result<()> {
    sqlx::query("UPDATE accounts SET confirm_pin_hash = $2 WHERE id = $1")
        .bind(account)
        .bind(hash)
        .execute(&mut *c)
        .await?;
    Ok(())
}
