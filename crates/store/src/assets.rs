//! Assets that rules are about: ATMs, vaults, CCTV systems, vans, gun cabinets.
use crate::{Conn, Result, scope};
use anbao_domain::access::{Permission, Scope};
use anbao_domain::ids::UnitId;
use sqlx::Row;

#[derive(Debug, Clone, PartialEq)]
pub struct AssetRow {
    pub id: i64,
    pub unit_id: UnitId,
    pub unit_name: String,
    pub unit_path: String,
    pub kind: String,
    pub code: String,
    pub name: String,
    pub active: bool,
}

const SELECT: &str = "SELECT a.id, a.unit_id, u.name AS unit_name, u.path AS unit_path, a.kind, a.code, a.name, a.active \
    FROM assets a JOIN units u ON u.id = a.unit_id";

fn row(r: &sqlx::any::AnyRow) -> Result<AssetRow> {
    Ok(AssetRow {
        id: r.try_get("id")?,
        unit_id: UnitId::new(r.try_get("unit_id")?),
        unit_name: r.try_get("unit_name")?,
        unit_path: r.try_get("unit_path")?,
        kind: r.try_get("kind")?,
        code: r.try_get("code")?,
        name: r.try_get("name")?,
        active: r.try_get::<i64, _>("active")? != 0,
    })
}

pub async fn list_in_scope(c: &mut Conn, sc: &Scope, kind: Option<&str>) -> Result<Vec<AssetRow>> {
    let mut sql = format!("{SELECT} WHERE a.active = 1 AND {}", scope::clause("u.path", sc, Permission::OrgRead));
    if kind.is_some() {
        sql.push_str(" AND a.kind = $1");
    }
    sql.push_str(" ORDER BY u.path, a.code");
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
    if let Some(k) = kind {
        q = q.bind(k);
    }
    q.fetch_all(&mut *c).await?.iter().map(row).collect()
}

/// Active assets in the subtree under `path` (for the compliance engine).
pub async fn under(c: &mut Conn, path: &str) -> Result<Vec<AssetRow>> {
    // Units first (`CROSS JOIN` fixes SQLite's order), so a small subtree reads its own assets by `assets_unit`.
    let sql = "SELECT a.id, a.unit_id, u.name AS unit_name, u.path AS unit_path, a.kind, a.code, a.name, a.active \
               FROM units u CROSS JOIN assets a WHERE a.unit_id = u.id AND a.active = 1 AND u.path LIKE $1 || '%' \
               ORDER BY a.id";
    sqlx::query(sql).bind(path).fetch_all(&mut *c).await?.iter().map(row).collect()
}

pub async fn get(c: &mut Conn, id: i64) -> Result<Option<AssetRow>> {
    let sql = format!("{SELECT} WHERE a.id = $1");
    sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(&mut *c).await?.as_ref().map(row).transpose()
}

pub async fn insert(c: &mut Conn, unit: UnitId, kind: &str, code: &str, name: &str, now: i64) -> Result<i64> {
    sqlx::query(
        "INSERT INTO assets (unit_id, kind, code, name, active, created_at, updated_at) VALUES ($1, $2, $3, $4, 1, $5, $5) RETURNING id",
    )
    .bind(unit.get())
    .bind(kind)
    .bind(code)
    .bind(name)
    .bind(now)
    .fetch_one(&mut *c)
    .await?
    .try_get("id")
}

pub async fn snapshot_rows(c: &mut Conn, only: Option<i64>) -> Result<Vec<(String, serde_json::Value)>> {
    crate::snapshots(c, "SELECT id, unit_id, kind, code, name, active FROM assets", only, |r| {
        Ok(serde_json::json!({
                    "id": r.try_get::<i64, _>("id")?, "unit_id": r.try_get::<i64, _>("unit_id")?, "kind": r.try_get::<String, _>("kind")?,
                    "code": r.try_get::<String, _>("code")?, "name": r.try_get::<String, _>("name")?,
                    "active": r.try_get::<i64, _>("active")?,
                }))
    })
    .await
}
