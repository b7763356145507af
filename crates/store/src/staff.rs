//! Staff records.
use crate::{Conn, Result, b, like_escape, scope};
use anbao_domain::access::{Permission, Scope};
use anbao_domain::ids::{StaffId, UnitId};
use anbao_domain::staff::{CardGrade, Employment, Position, StaffDraft, decode_positions, encode_positions};
use sqlx::Row;
use sqlx::any::AnyRow;

#[derive(Debug, Clone, PartialEq)]
pub struct StaffRow {
    pub id: StaffId,
    pub unit_id: UnitId,
    pub unit_name: String,
    pub unit_path: String,
    pub staff_no: String,
    pub name: String,
    pub positions: Vec<Position>,
    pub employment: Employment,
    pub key_position: bool,
    pub card_grade: Option<CardGrade>,
    pub phone: Option<String>,
    pub active: bool,
    pub created_at: i64,
    pub updated_at: i64,
}

/// Filters of the staff list; all optional, combined with AND.
#[derive(Debug, Clone, Default)]
pub struct StaffFilter {
    /// Name or staff number contains this text.
    pub q: Option<String>,
    /// Only staff in this unit's subtree.
    pub under_path: Option<String>,
    pub position: Option<Position>,
    pub employment: Option<Employment>,
    pub key_position: Option<bool>,
    pub card_grade: Option<CardGrade>,
    pub include_inactive: bool,
}

const SELECT: &str = "SELECT s.id, s.unit_id, u.name AS unit_name, u.path AS unit_path, s.staff_no, s.name, s.positions, \
    s.employment, s.key_position, s.card_grade, s.phone, s.active, s.created_at, s.updated_at \
    FROM staff s JOIN units u ON u.id = s.unit_id";

/// The same columns for a page of the list. `CROSS JOIN` makes SQLite walk units in path order and each unit's staff
/// by number (indexes `units.path` and `staff_unit_no`), which is the page's order, so it stops after the page
/// instead of sorting every match; PostgreSQL plans it as the inner join it is.
const LIST_SELECT: &str = "SELECT s.id, s.unit_id, u.name AS unit_name, u.path AS unit_path, s.staff_no, s.name, \
    s.positions, s.employment, s.key_position, s.card_grade, s.phone, s.active, s.created_at, s.updated_at \
    FROM units u CROSS JOIN staff s";

fn decode_err(e: anbao_domain::DomainError) -> sqlx::Error {
    sqlx::Error::Decode(e.message.into())
}

fn from_row(r: &AnyRow) -> Result<StaffRow> {
    let positions: String = r.try_get("positions")?;
    let employment: String = r.try_get("employment")?;
    let card: Option<String> = r.try_get("card_grade")?;
    Ok(StaffRow {
        id: StaffId::new(r.try_get("id")?),
        unit_id: UnitId::new(r.try_get("unit_id")?),
        unit_name: r.try_get("unit_name")?,
        unit_path: r.try_get("unit_path")?,
        staff_no: r.try_get("staff_no")?,
        name: r.try_get("name")?,
        positions: decode_positions(&positions),
        employment: Employment::parse(&employment).map_err(decode_err)?,
        key_position: r.try_get::<i64, _>("key_position")? != 0,
        card_grade: card.as_deref().map(CardGrade::parse).transpose().map_err(decode_err)?,
        phone: r.try_get("phone")?,
        active: r.try_get::<i64, _>("active")? != 0,
        created_at: r.try_get("created_at")?,
        updated_at: r.try_get("updated_at")?,
    })
}

/// Build the WHERE clause and its text binds, numbered from `$1`.
fn where_clause(f: &StaffFilter, sc: &Scope, perm: Permission) -> (String, Vec<String>) {
    let mut conds = vec![scope::clause("u.path", sc, perm)];
    let mut binds: Vec<String> = Vec::new();
    let next = |binds: &mut Vec<String>, v: String| {
        binds.push(v);
        binds.len()
    };
    if let Some(q) = f.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        let n = next(&mut binds, format!("%{}%", like_escape(&q.to_lowercase())));
        conds.push(format!("(s.name LIKE ${n} ESCAPE '\\' OR LOWER(s.staff_no) LIKE ${n} ESCAPE '\\')"));
    }
    if let Some(p) = &f.under_path {
        let n = next(&mut binds, p.clone());
        conds.push(format!("u.path LIKE ${n} || '%'"));
    }
    if let Some(p) = f.position {
        let n = next(&mut binds, format!("%,{},%", p.code()));
        conds.push(format!("s.positions LIKE ${n}"));
    }
    if let Some(e) = f.employment {
        let n = next(&mut binds, e.code().to_owned());
        conds.push(format!("s.employment = ${n}"));
    }
    if let Some(k) = f.key_position {
        conds.push(format!("s.key_position = {}", b(k)));
    }
    if let Some(g) = f.card_grade {
        let n = next(&mut binds, g.code().to_owned());
        conds.push(format!("s.card_grade = ${n}"));
    }
    if !f.include_inactive {
        conds.push("s.active = 1".into());
    }
    (conds.join(" AND "), binds)
}

/// A page (`limit`, `offset`) of staff in scope matching `f`, ordered by unit then staff number; and the total
/// count, reused from `counts` while staff and units are unchanged.
pub async fn list(
    c: &mut Conn,
    counts: &crate::counts::CountCache,
    sc: &Scope,
    perm: Permission,
    f: &StaffFilter,
    (limit, offset): (i64, i64),
) -> Result<(Vec<StaffRow>, i64)> {
    let (cond, binds) = where_clause(f, sc, perm);
    let count_sql = format!("SELECT COUNT(*) AS n FROM staff s JOIN units u ON u.id = s.unit_id WHERE {cond}");
    let key = format!("staff|{count_sql}|{binds:?}");
    let version = crate::counts::org_version(c).await?;
    let total = match counts.get(&key, version) {
        Some(n) => n,
        None => {
            let mut q = sqlx::query(sqlx::AssertSqlSafe(count_sql));
            for v in &binds {
                q = q.bind(v.as_str());
            }
            let n: i64 = q.fetch_one(&mut *c).await?.try_get("n")?;
            counts.put(key, version, n);
            n
        }
    };
    let n = binds.len();
    let sql = format!(
        "{LIST_SELECT} WHERE s.unit_id = u.id AND {cond} ORDER BY u.path, s.staff_no LIMIT ${} OFFSET ${}",
        n + 1,
        n + 2
    );
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
    for v in &binds {
        q = q.bind(v.as_str());
    }
    let rows = q.bind(limit).bind(offset).fetch_all(&mut *c).await?;
    Ok((rows.iter().map(from_row).collect::<Result<_>>()?, total))
}

pub async fn get(c: &mut Conn, id: StaffId) -> Result<Option<StaffRow>> {
    let sql = format!("{SELECT} WHERE s.id = $1");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id.get()).fetch_optional(&mut *c).await?;
    row.as_ref().map(from_row).transpose()
}

/// Active staff of one unit, for choosing responsible persons and group members.
/// The staff record with this number (numbers are unique across the union).
pub async fn by_no(c: &mut Conn, staff_no: &str) -> Result<Option<StaffRow>> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!("{SELECT} WHERE s.staff_no = $1")))
        .bind(staff_no)
        .fetch_optional(&mut *c)
        .await?;
    row.as_ref().map(from_row).transpose()
}

pub async fn of_unit(c: &mut Conn, unit: UnitId) -> Result<Vec<StaffRow>> {
    let sql = format!("{SELECT} WHERE s.unit_id = $1 AND s.active = 1 ORDER BY s.staff_no");
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(unit.get()).fetch_all(&mut *c).await?;
    rows.iter().map(from_row).collect()
}

pub async fn insert(c: &mut Conn, unit: UnitId, d: &StaffDraft, now: i64) -> Result<StaffId> {
    let row = sqlx::query(
        "INSERT INTO staff (unit_id, staff_no, name, positions, employment, key_position, card_grade, phone, active, \
         created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 1, $9, $9) RETURNING id",
    )
    .bind(unit.get())
    .bind(d.staff_no.as_str())
    .bind(d.name.as_str())
    .bind(encode_positions(&d.positions))
    .bind(d.employment.code())
    .bind(b(d.key_position))
    .bind(d.card_grade.map(CardGrade::code))
    .bind(d.phone.as_deref())
    .bind(now)
    .fetch_one(&mut *c)
    .await?;
    Ok(StaffId::new(row.try_get("id")?))
}

pub async fn update(c: &mut Conn, id: StaffId, unit: UnitId, d: &StaffDraft, active: bool, now: i64) -> Result<()> {
    sqlx::query(
        "UPDATE staff SET unit_id = $1, staff_no = $2, name = $3, positions = $4, employment = $5, key_position = $6, \
         card_grade = $7, phone = $8, active = $9, updated_at = $10 WHERE id = $11",
    )
    .bind(unit.get())
    .bind(d.staff_no.as_str())
    .bind(d.name.as_str())
    .bind(encode_positions(&d.positions))
    .bind(d.employment.code())
    .bind(b(d.key_position))
    .bind(d.card_grade.map(CardGrade::code))
    .bind(d.phone.as_deref())
    .bind(b(active))
    .bind(now)
    .bind(id.get())
    .execute(&mut *c)
    .await?;
    Ok(())
}

pub async fn count(c: &mut Conn) -> Result<i64> {
    sqlx::query("SELECT COUNT(*) AS n FROM staff").fetch_one(&mut *c).await?.try_get("n")
}

/// Canonical content of every staff row (or one), for the audit row hash.
pub async fn snapshot_rows(c: &mut Conn, only: Option<StaffId>) -> Result<Vec<(String, serde_json::Value)>> {
    crate::snapshots(
        c,
        "SELECT id, unit_id, staff_no, name, positions, employment, key_position, card_grade, phone, active FROM staff",
        only.map(StaffId::get),
        |r| {
            Ok(serde_json::json!({
                "id": r.try_get::<i64, _>("id")?,
                "unit_id": r.try_get::<i64, _>("unit_id")?,
                "staff_no": r.try_get::<String, _>("staff_no")?,
                "name": r.try_get::<String, _>("name")?,
                "positions": r.try_get::<String, _>("positions")?,
                "employment": r.try_get::<String, _>("employment")?,
                "key_position": r.try_get::<i64, _>("key_position")?,
                "card_grade": r.try_get::<Option<String>, _>("card_grade")?,
                "phone": r.try_get::<Option<String>, _>("phone")?,
                "active": r.try_get::<i64, _>("active")?,
            }))
        },
    )
    .await
}

/// Active staff in the subtree under `path` (for the compliance engine). Units first, as in `LIST_SELECT`, so a
/// small subtree reads its own staff rather than the province's.
pub async fn under(c: &mut Conn, path: &str) -> Result<Vec<StaffRow>> {
    let sql = format!("{LIST_SELECT} WHERE s.unit_id = u.id AND u.path LIKE $1 || '%' AND s.active = 1 ORDER BY s.id");
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(path).fetch_all(&mut *c).await?;
    rows.iter().map(from_row).collect()
}

/// A person as a person-rule needs them: id, unit, name, posts, key-post flag.
#[derive(Debug, Clone, PartialEq)]
pub struct PersonLite {
    pub id: i64,
    pub unit_id: i64,
    pub name: String,
    pub positions: String,
    pub key_position: bool,
}

/// Active staff under `path`, optionally only key posts: the light rows the compliance engine needs.
pub async fn people_under(c: &mut Conn, path: &str, key_only: bool) -> Result<Vec<PersonLite>> {
    let sql = format!(
        "SELECT s.id, s.unit_id, s.name, s.positions, s.key_position FROM units u CROSS JOIN staff s \
         WHERE s.unit_id = u.id AND u.path LIKE $1 || '%' AND s.active = 1{} ORDER BY s.id",
        if key_only { " AND s.key_position = 1" } else { "" }
    );
    sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(path)
        .fetch_all(&mut *c)
        .await?
        .iter()
        .map(|r| {
            Ok(PersonLite {
                id: r.try_get("id")?,
                unit_id: r.try_get("unit_id")?,
                name: r.try_get("name")?,
                positions: r.try_get("positions")?,
                key_position: r.try_get::<i64, _>("key_position")? != 0,
            })
        })
        .collect()
}
