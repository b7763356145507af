//! Leadership groups and their members.
use crate::{Conn, Result, scope};
use anbao_domain::access::{Permission, Scope};
use anbao_domain::groups::{GroupKind, GroupRole};
use anbao_domain::ids::{GroupId, StaffId, UnitId};
use sqlx::Row;

#[derive(Debug, Clone, PartialEq)]
pub struct GroupRow {
    pub id: GroupId,
    pub unit_id: UnitId,
    pub unit_name: String,
    pub unit_path: String,
    pub kind: GroupKind,
    pub chair_name: Option<String>,
    pub member_count: i64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct MemberRow {
    pub staff_id: StaffId,
    pub name: String,
    pub staff_no: String,
    pub unit_name: String,
    pub role: GroupRole,
}

fn parse_kind(s: &str) -> Result<GroupKind> {
    GroupKind::parse(s).map_err(|e| sqlx::Error::Decode(e.message.into()))
}

const SELECT: &str = "SELECT g.id, g.unit_id, u.name AS unit_name, u.path AS unit_path, g.kind, \
    (SELECT s.name FROM group_members m JOIN staff s ON s.id = m.staff_id WHERE m.group_id = g.id AND m.role = 'chair') AS chair_name, \
    (SELECT COUNT(*) FROM group_members m WHERE m.group_id = g.id) AS member_count \
    FROM leadership_groups g JOIN units u ON u.id = g.unit_id";

fn from_row(r: &sqlx::any::AnyRow) -> Result<GroupRow> {
    Ok(GroupRow {
        id: GroupId::new(r.try_get("id")?),
        unit_id: UnitId::new(r.try_get("unit_id")?),
        unit_name: r.try_get("unit_name")?,
        unit_path: r.try_get("unit_path")?,
        kind: parse_kind(&r.try_get::<String, _>("kind")?)?,
        chair_name: r.try_get("chair_name")?,
        member_count: r.try_get("member_count")?,
    })
}

pub async fn list_in_scope(c: &mut Conn, sc: &Scope, perm: Permission) -> Result<Vec<GroupRow>> {
    let sql = format!("{SELECT} WHERE {} ORDER BY u.path, g.kind", scope::clause("u.path", sc, perm));
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).fetch_all(&mut *c).await?;
    rows.iter().map(from_row).collect()
}

pub async fn of_unit(c: &mut Conn, unit: UnitId) -> Result<Vec<GroupRow>> {
    let sql = format!("{SELECT} WHERE g.unit_id = $1 ORDER BY g.kind");
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(unit.get()).fetch_all(&mut *c).await?;
    rows.iter().map(from_row).collect()
}

pub async fn get(c: &mut Conn, id: GroupId) -> Result<Option<GroupRow>> {
    let sql = format!("{SELECT} WHERE g.id = $1");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id.get()).fetch_optional(&mut *c).await?;
    row.as_ref().map(from_row).transpose()
}

pub async fn members(c: &mut Conn, id: GroupId) -> Result<Vec<MemberRow>> {
    let rows = sqlx::query(
        "SELECT m.staff_id, s.name, s.staff_no, u.name AS unit_name, m.role FROM group_members m \
         JOIN staff s ON s.id = m.staff_id JOIN units u ON u.id = s.unit_id WHERE m.group_id = $1 \
         ORDER BY CASE m.role WHEN 'chair' THEN 0 WHEN 'deputy_chair' THEN 1 ELSE 2 END, s.staff_no",
    )
    .bind(id.get())
    .fetch_all(&mut *c)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(MemberRow {
                staff_id: StaffId::new(r.try_get("staff_id")?),
                name: r.try_get("name")?,
                staff_no: r.try_get("staff_no")?,
                unit_name: r.try_get("unit_name")?,
                role: GroupRole::parse(&r.try_get::<String, _>("role")?)
                    .map_err(|e| sqlx::Error::Decode(e.message.into()))?,
            })
        })
        .collect()
}

pub async fn insert(c: &mut Conn, unit: UnitId, kind: GroupKind, now: i64) -> Result<GroupId> {
    let row = sqlx::query("INSERT INTO leadership_groups (unit_id, kind, created_at) VALUES ($1, $2, $3) RETURNING id")
        .bind(unit.get())
        .bind(kind.code())
        .bind(now)
        .fetch_one(&mut *c)
        .await?;
    Ok(GroupId::new(row.try_get("id")?))
}

pub async fn count_chairs(c: &mut Conn, id: GroupId, except: StaffId) -> Result<i64> {
    sqlx::query("SELECT COUNT(*) AS n FROM group_members WHERE group_id = $1 AND role = 'chair' AND staff_id <> $2")
        .bind(id.get())
        .bind(except.get())
        .fetch_one(&mut *c)
        .await?
        .try_get("n")
}

/// Add a member or change an existing member's role.
pub async fn put_member(c: &mut Conn, id: GroupId, staff: StaffId, role: GroupRole) -> Result<()> {
    sqlx::query("DELETE FROM group_members WHERE group_id = $1 AND staff_id = $2")
        .bind(id.get())
        .bind(staff.get())
        .execute(&mut *c)
        .await?;
    sqlx::query("INSERT INTO group_members (group_id, staff_id, role) VALUES ($1, $2, $3)")
        .bind(id.get())
        .bind(staff.get())
        .bind(role.code())
        .execute(&mut *c)
        .await?;
    Ok(())
}

pub async fn remove_member(c: &mut Conn, id: GroupId, staff: StaffId) -> Result<bool> {
    let r = sqlx::query("DELETE FROM group_members WHERE group_id = $1 AND staff_id = $2")
        .bind(id.get())
        .bind(staff.get())
        .execute(&mut *c)
        .await?;
    Ok(r.rows_affected() > 0)
}

/// Canonical content of every group with its members (or one), for the audit row hash.
pub async fn snapshot_rows(c: &mut Conn, only: Option<GroupId>) -> Result<Vec<(String, serde_json::Value)>> {
    let mut sql = String::from("SELECT id, unit_id, kind FROM leadership_groups");
    if only.is_some() {
        sql.push_str(" WHERE id = $1");
    }
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
    if let Some(id) = only {
        q = q.bind(id.get());
    }
    let groups = q.fetch_all(&mut *c).await?;
    let mut msql = String::from("SELECT group_id, staff_id, role FROM group_members");
    if only.is_some() {
        msql.push_str(" WHERE group_id = $1");
    }
    msql.push_str(" ORDER BY group_id, staff_id");
    let mut mq = sqlx::query(sqlx::AssertSqlSafe(msql));
    if let Some(id) = only {
        mq = mq.bind(id.get());
    }
    let mut members: std::collections::HashMap<i64, Vec<serde_json::Value>> = Default::default();
    for r in mq.fetch_all(&mut *c).await? {
        let gid: i64 = r.try_get("group_id")?;
        members
            .entry(gid)
            .or_default()
            .push(serde_json::json!([r.try_get::<i64, _>("staff_id")?, r.try_get::<String, _>("role")?]));
    }
    groups
        .iter()
        .map(|r| {
            let id: i64 = r.try_get("id")?;
            Ok((
                id.to_string(),
                serde_json::json!({
                    "id": id,
                    "unit_id": r.try_get::<i64, _>("unit_id")?,
                    "kind": r.try_get::<String, _>("kind")?,
                    "members": members.remove(&id).unwrap_or_default(),
                }),
            ))
        })
        .collect()
}
