//! Units of the org tree and their history.
use crate::{Conn, Result, scope};
use anbao_domain::access::{Permission, Scope};
use anbao_domain::ids::{AccountId, StaffId, UnitId};
use anbao_domain::org::UnitKind;
use sqlx::Row;
use sqlx::any::AnyRow;

#[derive(Debug, Clone, PartialEq)]
pub struct UnitRow {
    pub id: UnitId,
    pub parent_id: Option<UnitId>,
    pub kind: UnitKind,
    pub name: String,
    pub path: String,
    pub depth: i64,
    pub first_responsible_id: Option<StaffId>,
    pub first_responsible_name: Option<String>,
    pub deputy_in_charge_id: Option<StaffId>,
    pub deputy_in_charge_name: Option<String>,
    pub address: Option<String>,
    pub phone: Option<String>,
    pub staff_count: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

const SELECT: &str = "SELECT u.id, u.parent_id, u.kind, u.name, u.path, u.depth, u.first_responsible_id, \
    fr.name AS fr_name, u.deputy_in_charge_id, dc.name AS dc_name, u.address, u.phone, u.created_at, u.updated_at, \
    (SELECT COUNT(*) FROM staff s WHERE s.unit_id = u.id AND s.active = 1) AS staff_count \
    FROM units u LEFT JOIN staff fr ON fr.id = u.first_responsible_id LEFT JOIN staff dc ON dc.id = u.deputy_in_charge_id";

fn from_row(r: &AnyRow) -> Result<UnitRow> {
    let kind: String = r.try_get("kind")?;
    Ok(UnitRow {
        id: UnitId::new(r.try_get("id")?),
        parent_id: r.try_get::<Option<i64>, _>("parent_id")?.map(UnitId::new),
        kind: UnitKind::parse(&kind).map_err(|e| sqlx::Error::Decode(e.message.into()))?,
        name: r.try_get("name")?,
        path: r.try_get("path")?,
        depth: r.try_get("depth")?,
        first_responsible_id: r.try_get::<Option<i64>, _>("first_responsible_id")?.map(StaffId::new),
        first_responsible_name: r.try_get("fr_name")?,
        deputy_in_charge_id: r.try_get::<Option<i64>, _>("deputy_in_charge_id")?.map(StaffId::new),
        deputy_in_charge_name: r.try_get("dc_name")?,
        address: r.try_get("address")?,
        phone: r.try_get("phone")?,
        staff_count: r.try_get("staff_count")?,
        created_at: r.try_get("created_at")?,
        updated_at: r.try_get("updated_at")?,
    })
}

/// Every unit in `account`'s scope, in tree order (by path).
pub async fn list_in_scope(c: &mut Conn, sc: &Scope, perm: Permission) -> Result<Vec<UnitRow>> {
    let sql = format!("{SELECT} WHERE {} ORDER BY u.path", scope::clause("u.path", sc, perm));
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).fetch_all(&mut *c).await?;
    rows.iter().map(from_row).collect()
}

/// One unit, without a scope check (the caller checks scope against its path).
pub async fn get(c: &mut Conn, id: UnitId) -> Result<Option<UnitRow>> {
    let sql = format!("{SELECT} WHERE u.id = $1");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id.get()).fetch_optional(&mut *c).await?;
    row.as_ref().map(from_row).transpose()
}

pub async fn children(c: &mut Conn, id: UnitId) -> Result<Vec<UnitRow>> {
    let sql = format!("{SELECT} WHERE u.parent_id = $1 ORDER BY u.kind = 'department' DESC, u.name");
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id.get()).fetch_all(&mut *c).await?;
    rows.iter().map(from_row).collect()
}

/// The chain of units from the root down to (and including) `path`'s unit, for breadcrumbs.
pub async fn ancestors(c: &mut Conn, ids: &[UnitId]) -> Result<Vec<(UnitId, String)>> {
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        if let Some(r) =
            sqlx::query("SELECT name FROM units WHERE id = $1").bind(id.get()).fetch_optional(&mut *c).await?
        {
            out.push((*id, r.try_get("name")?));
        }
    }
    Ok(out)
}

pub struct NewUnit<'a> {
    pub parent: Option<(UnitId, &'a str)>,
    pub kind: UnitKind,
    pub name: &'a str,
    pub address: Option<&'a str>,
    pub phone: Option<&'a str>,
    pub now: i64,
    /// A unique placeholder for the path until the id is known.
    pub placeholder: &'a str,
}

/// Insert a unit and set its materialised path from its new id.
pub async fn insert(c: &mut Conn, u: NewUnit<'_>) -> Result<(UnitId, String)> {
    let row = sqlx::query(
        "INSERT INTO units (parent_id, kind, name, path, depth, address, phone, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, 0, $5, $6, $7, $7) RETURNING id",
    )
    .bind(u.parent.map(|p| p.0.get()))
    .bind(u.kind.code())
    .bind(u.name)
    .bind(u.placeholder)
    .bind(u.address)
    .bind(u.phone)
    .bind(u.now)
    .fetch_one(&mut *c)
    .await?;
    let id = UnitId::new(row.try_get("id")?);
    let path = match u.parent {
        Some((_, parent_path)) => format!("{parent_path}{id}/"),
        None => format!("/{id}/"),
    };
    let depth = path.matches('/').count() as i64 - 1;
    sqlx::query("UPDATE units SET path = $1, depth = $2 WHERE id = $3")
        .bind(&path)
        .bind(depth)
        .bind(id.get())
        .execute(&mut *c)
        .await?;
    Ok((id, path))
}

pub struct UnitUpdate<'a> {
    pub name: &'a str,
    pub first_responsible_id: Option<StaffId>,
    pub deputy_in_charge_id: Option<StaffId>,
    pub address: Option<&'a str>,
    pub phone: Option<&'a str>,
    pub now: i64,
}

pub async fn update(c: &mut Conn, id: UnitId, u: UnitUpdate<'_>) -> Result<()> {
    sqlx::query(
        "UPDATE units SET name = $1, first_responsible_id = $2, deputy_in_charge_id = $3, address = $4, phone = $5, \
         updated_at = $6 WHERE id = $7",
    )
    .bind(u.name)
    .bind(u.first_responsible_id.map(StaffId::get))
    .bind(u.deputy_in_charge_id.map(StaffId::get))
    .bind(u.address)
    .bind(u.phone)
    .bind(u.now)
    .bind(id.get())
    .execute(&mut *c)
    .await?;
    Ok(())
}

/// Move a subtree: the unit gets a new parent and every path below it is rewritten.
pub async fn move_subtree(
    c: &mut Conn,
    id: UnitId,
    new_parent: UnitId,
    old_path: &str,
    new_path: &str,
    now: i64,
) -> Result<u64> {
    sqlx::query("UPDATE units SET parent_id = $1, updated_at = $2 WHERE id = $3")
        .bind(new_parent.get())
        .bind(now)
        .bind(id.get())
        .execute(&mut *c)
        .await?;
    let delta = new_path.matches('/').count() as i64 - old_path.matches('/').count() as i64;
    let moved = sqlx::query(
        "UPDATE units SET path = $1 || SUBSTR(path, CAST($2 AS INTEGER)), depth = depth + $3, updated_at = $4 WHERE path LIKE $5 || '%'",
    )
    .bind(new_path)
    .bind(old_path.len() as i64 + 1)
    .bind(delta)
    .bind(now)
    .bind(old_path)
    .execute(&mut *c)
    .await?;
    Ok(moved.rows_affected())
}

/// Ids of every unit in the subtree under `path` (including the top), for auditing a move.
pub async fn subtree_ids(c: &mut Conn, path: &str) -> Result<Vec<UnitId>> {
    let rows = sqlx::query("SELECT id FROM units WHERE path LIKE $1 || '%' ORDER BY path")
        .bind(path)
        .fetch_all(&mut *c)
        .await?;
    rows.iter().map(|r| r.try_get("id").map(UnitId::new)).collect()
}

pub async fn record_history(c: &mut Conn, id: UnitId, now: i64, actor: Option<AccountId>, change: &str) -> Result<()> {
    sqlx::query(
        "INSERT INTO unit_history (unit_id, at, actor_id, change, name, parent_id, path) \
         SELECT id, $1, $2, $3, name, parent_id, path FROM units WHERE id = $4",
    )
    .bind(now)
    .bind(actor.map(AccountId::get))
    .bind(change)
    .bind(id.get())
    .execute(&mut *c)
    .await?;
    Ok(())
}

#[derive(Debug, Clone)]
pub struct HistoryRow {
    pub at: i64,
    pub actor: Option<String>,
    pub change: String,
    pub name: String,
    pub path: String,
}

pub async fn history(c: &mut Conn, id: UnitId) -> Result<Vec<HistoryRow>> {
    let rows = sqlx::query(
        "SELECT h.at, a.display_name, h.change, h.name, h.path FROM unit_history h \
         LEFT JOIN accounts a ON a.id = h.actor_id WHERE h.unit_id = $1 ORDER BY h.at DESC, h.id DESC",
    )
    .bind(id.get())
    .fetch_all(&mut *c)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(HistoryRow {
                at: r.try_get("at")?,
                actor: r.try_get("display_name")?,
                change: r.try_get("change")?,
                name: r.try_get("name")?,
                path: r.try_get("path")?,
            })
        })
        .collect()
}

/// Names of units by id, for showing paths as names.
pub async fn names(c: &mut Conn) -> Result<std::collections::HashMap<i64, String>> {
    let rows = sqlx::query("SELECT id, name FROM units").fetch_all(&mut *c).await?;
    rows.iter().map(|r| Ok((r.try_get("id")?, r.try_get("name")?))).collect()
}

pub async fn count(c: &mut Conn) -> Result<i64> {
    sqlx::query("SELECT COUNT(*) AS n FROM units").fetch_one(&mut *c).await?.try_get("n")
}

/// The canonical content of a unit row, for the audit row hash. Keys in a fixed order.
pub async fn snapshot(c: &mut Conn, id: UnitId) -> Result<Option<serde_json::Value>> {
    let rows = snapshot_rows(c, Some(id)).await?;
    Ok(rows.into_iter().next().map(|(_, v)| v))
}

/// Canonical content of every unit (or one), as (id, json).
pub async fn snapshot_rows(c: &mut Conn, only: Option<UnitId>) -> Result<Vec<(String, serde_json::Value)>> {
    crate::snapshots(
        c,
        "SELECT id, parent_id, kind, name, path, first_responsible_id, deputy_in_charge_id, address, phone FROM units",
        only.map(UnitId::get),
        |r| {
            Ok(serde_json::json!({
                "id": r.try_get::<i64, _>("id")?,
                "parent_id": r.try_get::<Option<i64>, _>("parent_id")?,
                "kind": r.try_get::<String, _>("kind")?,
                "name": r.try_get::<String, _>("name")?,
                "path": r.try_get::<String, _>("path")?,
                "first_responsible_id": r.try_get::<Option<i64>, _>("first_responsible_id")?,
                "deputy_in_charge_id": r.try_get::<Option<i64>, _>("deputy_in_charge_id")?,
                "address": r.try_get::<Option<String>, _>("address")?,
                "phone": r.try_get::<Option<String>, _>("phone")?,
            }))
        },
    )
    .await
}

/// Every unit in the subtree under `path`, in tree order (for the compliance engine; no scope check).
pub async fn under(c: &mut Conn, path: &str) -> Result<Vec<UnitRow>> {
    // On SQLite, LIKE with a computed pattern cannot use the path index, so a small subtree would test (and count
    // the staff of) every unit; the same prefix as a range of the BINARY-collated path reads only its own units.
    // Paths are digits and slashes ending in '/', and '0' is the character after '/', so the prefix's strings lie
    // in [path, path-with-its-last-'/'-as-'0'). PostgreSQL's ordering follows the database's collation, where that
    // need not hold, so there the LIKE alone decides.
    let sqlite = c.backend_name() == "SQLite";
    let range = if sqlite { " AND u.path >= $1 AND u.path < $2" } else { " AND $2 = $2" };
    let sql = format!("{SELECT} WHERE u.path LIKE $1 || '%'{range} ORDER BY u.path");
    let upper = match path.strip_suffix('/') {
        Some(p) => format!("{p}0"),
        None => format!("{path}\u{10FFFF}"),
    };
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(path).bind(upper).fetch_all(&mut *c).await?;
    rows.iter().map(from_row).collect()
}
