//! Evidence records and their attachments: append-only writes, scoped lists, and the grouped counts the
//! compliance engine judges from.
use crate::{Conn, Result, scope};
use anbao_domain::access::{Permission, Scope};
use anbao_domain::ids::{AccountId, StaffId, UnitId};
use anbao_domain::records::RecordDraft;
use sqlx::Row;

pub struct NewRecord<'a> {
    pub draft: &'a RecordDraft,
    pub unit: UnitId,
    pub asset: Option<i64>,
    pub occurred_at: i64,
    pub local_day: i64,
    pub supersedes: Option<i64>,
    pub by: Option<AccountId>,
    pub now: i64,
}

pub async fn insert(c: &mut Conn, r: NewRecord<'_>) -> Result<i64> {
    let d = r.draft;
    sqlx::query(
        "INSERT INTO records (kind, subkind, unit_id, asset_id, performer_id, performer_position, second_person_id, \
         subject_staff_id, target_unit_id, occurred_at, local_day, value, data, supersedes_id, recorded_by, recorded_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16) RETURNING id",
    )
    .bind(d.kind.code())
    .bind(d.subkind.as_deref())
    .bind(r.unit.get())
    .bind(r.asset)
    .bind(d.performer.map(StaffId::get))
    .bind(d.performer_position.as_deref())
    .bind(d.second_person.map(StaffId::get))
    .bind(d.subject_staff.map(StaffId::get))
    .bind(d.target_unit.map(UnitId::get))
    .bind(r.occurred_at)
    .bind(r.local_day)
    .bind(d.value)
    .bind(d.data.to_string())
    .bind(r.supersedes)
    .bind(r.by.map(AccountId::get))
    .bind(r.now)
    .fetch_one(&mut *c)
    .await?
    .try_get("id")
}

pub struct NewAttachment<'a> {
    pub record: i64,
    pub file_name: &'a str,
    pub content_type: &'a str,
    pub size: i64,
    pub sha256: &'a str,
    pub taken_at: i64,
    pub now: i64,
    pub by: Option<AccountId>,
}

pub async fn insert_attachment(c: &mut Conn, a: NewAttachment<'_>) -> Result<i64> {
    sqlx::query(
        "INSERT INTO attachments (record_id, file_name, content_type, size, sha256, taken_at, uploaded_at, uploaded_by) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(a.record)
    .bind(a.file_name)
    .bind(a.content_type)
    .bind(a.size)
    .bind(a.sha256)
    .bind(a.taken_at)
    .bind(a.now)
    .bind(a.by.map(AccountId::get))
    .fetch_one(&mut *c)
    .await?
    .try_get("id")
}

#[derive(Debug, Clone, PartialEq)]
pub struct AttachmentRow {
    pub id: i64,
    pub record_id: i64,
    pub unit_path: String,
    pub file_name: String,
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
    pub taken_at: i64,
}

pub async fn attachment(c: &mut Conn, id: i64) -> Result<Option<AttachmentRow>> {
    let r = sqlx::query(
        "SELECT t.id, t.record_id, u.path, t.file_name, t.content_type, t.size, t.sha256, t.taken_at FROM attachments t \
         JOIN records r ON r.id = t.record_id JOIN units u ON u.id = r.unit_id WHERE t.id = $1",
    )
    .bind(id)
    .fetch_optional(&mut *c)
    .await?;
    r.map(|r| {
        Ok(AttachmentRow {
            id: r.try_get("id")?,
            record_id: r.try_get("record_id")?,
            unit_path: r.try_get("path")?,
            file_name: r.try_get("file_name")?,
            content_type: r.try_get("content_type")?,
            size: r.try_get("size")?,
            sha256: r.try_get("sha256")?,
            taken_at: r.try_get("taken_at")?,
        })
    })
    .transpose()
}

pub async fn attachments_of(c: &mut Conn, record: i64) -> Result<Vec<AttachmentRow>> {
    let rows = sqlx::query(
        "SELECT t.id, t.record_id, u.path, t.file_name, t.content_type, t.size, t.sha256, t.taken_at FROM attachments t \
         JOIN records r ON r.id = t.record_id JOIN units u ON u.id = r.unit_id WHERE t.record_id = $1 ORDER BY t.id",
    )
    .bind(record)
    .fetch_all(&mut *c)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(AttachmentRow {
                id: r.try_get("id")?,
                record_id: r.try_get("record_id")?,
                unit_path: r.try_get("path")?,
                file_name: r.try_get("file_name")?,
                content_type: r.try_get("content_type")?,
                size: r.try_get("size")?,
                sha256: r.try_get("sha256")?,
                taken_at: r.try_get("taken_at")?,
            })
        })
        .collect()
}

#[derive(Debug, Clone, PartialEq)]
pub struct RecordRow {
    pub id: i64,
    pub kind: String,
    pub subkind: Option<String>,
    pub unit_id: i64,
    pub unit_name: String,
    pub unit_path: String,
    pub asset_id: Option<i64>,
    pub asset_code: Option<String>,
    pub performer: Option<String>,
    pub performer_position: Option<String>,
    pub second_person: Option<String>,
    pub subject_staff: Option<String>,
    pub target_unit: Option<String>,
    pub occurred_at: i64,
    pub local_day: i64,
    pub value: Option<i64>,
    pub data: String,
    pub supersedes_id: Option<i64>,
    pub superseded_by: Option<i64>,
    pub recorded_by: Option<String>,
    pub recorded_at: i64,
    pub attachments: i64,
}

// `MAX(x.id + 0)`: with a bare `MAX(x.id)` PostgreSQL walks the primary key backwards looking for a row that
// supersedes this one, which for an uncorrected record (nearly all) reads the whole table; the expression makes it
// find the few corrections through `records_supersedes` instead. SQLite takes that index either way.
macro_rules! record_columns {
    () => {
        "SELECT r.id, r.kind, r.subkind, r.unit_id, u.name AS unit_name, u.path AS unit_path, r.asset_id, \
        a.code AS asset_code, p.name AS performer, r.performer_position, s2.name AS second_person, \
        sj.name AS subject_staff, tu.name AS target_unit, r.occurred_at, r.local_day, r.value, r.data, r.supersedes_id, \
        (SELECT MAX(x.id + 0) FROM records x WHERE x.supersedes_id = r.id) AS superseded_by, \
        ac.display_name AS recorded_by, r.recorded_at, \
        (SELECT COUNT(*) FROM attachments t WHERE t.record_id = r.id) AS attachments"
    };
}
/// The names a record row shows, joined to `records r`.
macro_rules! record_joins {
    () => {
        "JOIN units u ON u.id = r.unit_id LEFT JOIN assets a ON a.id = r.asset_id \
        LEFT JOIN staff p ON p.id = r.performer_id LEFT JOIN staff s2 ON s2.id = r.second_person_id \
        LEFT JOIN staff sj ON sj.id = r.subject_staff_id LEFT JOIN units tu ON tu.id = r.target_unit_id \
        LEFT JOIN accounts ac ON ac.id = r.recorded_by"
    };
}
const SELECT: &str = concat!(record_columns!(), " FROM records r ", record_joins!());

fn record(r: &sqlx::any::AnyRow) -> Result<RecordRow> {
    Ok(RecordRow {
        id: r.try_get("id")?,
        kind: r.try_get("kind")?,
        subkind: r.try_get("subkind")?,
        unit_id: r.try_get("unit_id")?,
        unit_name: r.try_get("unit_name")?,
        unit_path: r.try_get("unit_path")?,
        asset_id: r.try_get("asset_id")?,
        asset_code: r.try_get("asset_code")?,
        performer: r.try_get("performer")?,
        performer_position: r.try_get("performer_position")?,
        second_person: r.try_get("second_person")?,
        subject_staff: r.try_get("subject_staff")?,
        target_unit: r.try_get("target_unit")?,
        occurred_at: r.try_get("occurred_at")?,
        local_day: r.try_get("local_day")?,
        value: r.try_get("value")?,
        data: r.try_get("data")?,
        supersedes_id: r.try_get("supersedes_id")?,
        superseded_by: r.try_get("superseded_by")?,
        recorded_by: r.try_get("recorded_by")?,
        recorded_at: r.try_get("recorded_at")?,
        attachments: r.try_get("attachments")?,
    })
}

pub async fn get(c: &mut Conn, id: i64) -> Result<Option<RecordRow>> {
    let sql = format!("{SELECT} WHERE r.id = $1");
    sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(&mut *c).await?.as_ref().map(record).transpose()
}

/// Filters of the record list.
#[derive(Debug, Clone, Default)]
pub struct RecordFilter {
    pub kind: Option<String>,
    pub under_path: Option<String>,
    pub asset_id: Option<i64>,
    pub from_day: Option<i64>,
    pub to_day: Option<i64>,
    pub subkind: Option<String>,
    pub position: Option<String>,
}

/// Records in the account's scope, newest first.
pub async fn list(
    c: &mut Conn,
    sc: &Scope,
    f: &RecordFilter,
    limit: i64,
    offset: i64,
) -> Result<(Vec<RecordRow>, i64)> {
    let mut conds = vec![scope::clause("u.path", sc, Permission::OrgRead)];
    let mut texts: Vec<String> = Vec::new();
    let mut ints: Vec<i64> = Vec::new();
    if let Some(k) = &f.kind {
        texts.push(k.clone());
        conds.push(format!("r.kind = $T{}", texts.len()));
    }
    if let Some(p) = &f.under_path {
        texts.push(p.clone());
        conds.push(format!("u.path LIKE $T{} || '%'", texts.len()));
    }
    if let Some(s) = &f.subkind {
        texts.push(s.clone());
        conds.push(format!("r.subkind = $T{}", texts.len()));
    }
    if let Some(p) = &f.position {
        texts.push(p.clone());
        conds.push(format!("r.performer_position = $T{}", texts.len()));
    }
    if let Some(a) = f.asset_id {
        ints.push(a);
        conds.push(format!("r.asset_id = $I{}", ints.len()));
    }
    if let Some(d) = f.from_day {
        ints.push(d);
        conds.push(format!("r.local_day >= $I{}", ints.len()));
    }
    if let Some(d) = f.to_day {
        ints.push(d);
        conds.push(format!("r.local_day < $I{}", ints.len()));
    }
    // Number the placeholders: the texts, then the integers.
    let mut cond = conds.join(" AND ");
    for i in (1..=ints.len()).rev() {
        cond = cond.replace(&format!("$I{i}"), &format!("${}", texts.len() + i));
    }
    for i in (1..=texts.len()).rev() {
        cond = cond.replace(&format!("$T{i}"), &format!("${i}"));
    }
    let n = texts.len() + ints.len();
    // Which end to start from. A scope holding a good share of the units (a province, a region) has matches all
    // through the time index: walk it newest first and stop after the page. A narrow one (a county, an outlet) has
    // few records: take its units' records by unit, then sort those. SQLite follows the order a CROSS JOIN names;
    // PostgreSQL plans both as the inner join they are.
    let mut unit_cond = scope::clause("u.path", sc, Permission::OrgRead);
    if f.under_path.is_some() {
        unit_cond.push_str(" AND u.path LIKE $1 || '%'");
    }
    let q = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT (SELECT COUNT(*) FROM units u WHERE {unit_cond}) AS inside, (SELECT COUNT(*) FROM units) AS total"
    )));
    let q = match &f.under_path {
        Some(p) => q.bind(p.as_str()),
        None => q,
    };
    let breadth = q.fetch_one(&mut *c).await?;
    let (inside, units): (i64, i64) = (breadth.try_get("inside")?, breadth.try_get("total")?);
    let from = if inside * BROAD_SCOPE_SHARE >= units {
        "records r CROSS JOIN units u"
    } else {
        "units u CROSS JOIN records r"
    };
    // The total is counted up to a cap: past it the page says "10,000+" and the filters narrow it down.
    let count_sql = format!(
        "SELECT COUNT(*) AS n FROM (SELECT 1 FROM {from} WHERE u.id = r.unit_id AND {cond} LIMIT {}) AS m",
        COUNT_CAP + 1
    );
    let mut q = sqlx::query(sqlx::AssertSqlSafe(count_sql));
    for t in &texts {
        q = q.bind(t.as_str());
    }
    for i in &ints {
        q = q.bind(*i);
    }
    let total: i64 = q.fetch_one(&mut *c).await?.try_get("n")?;
    // The page's ids first, then their names: written the other way round (`WHERE r.id IN (…)`), PostgreSQL joins
    // every record to its names before picking the page.
    let sql = format!(
        "{} FROM (SELECT r.id FROM {from} WHERE u.id = r.unit_id AND {cond} \
         ORDER BY r.occurred_at DESC, r.id DESC LIMIT ${} OFFSET ${}) AS page JOIN records r ON r.id = page.id {} \
         ORDER BY r.occurred_at DESC, r.id DESC",
        record_columns!(),
        n + 1,
        n + 2,
        record_joins!()
    );
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
    for t in &texts {
        q = q.bind(t.as_str());
    }
    for i in &ints {
        q = q.bind(*i);
    }
    let rows = q.bind(limit).bind(offset).fetch_all(&mut *c).await?;
    Ok((rows.iter().map(record).collect::<Result<_>>()?, total))
}

/// Totals of the record list are counted up to this many; more shows as "10,000+".
pub const COUNT_CAP: i64 = 10_000;

/// A scope holding at least one in this many of all units counts as broad (see `list`).
const BROAD_SCOPE_SHARE: i64 = 50;

/// The fields of a record row, in the order the audit snapshot lists them.
#[derive(Debug, Clone)]
pub struct RecordFields<'a> {
    pub id: i64,
    pub kind: &'a str,
    pub subkind: Option<&'a str>,
    pub unit_id: i64,
    pub asset_id: Option<i64>,
    pub performer_id: Option<i64>,
    pub performer_position: Option<&'a str>,
    pub second_person_id: Option<i64>,
    pub subject_staff_id: Option<i64>,
    pub target_unit_id: Option<i64>,
    pub occurred_at: i64,
    pub local_day: i64,
    pub value: Option<i64>,
    pub data: &'a str,
    pub supersedes_id: Option<i64>,
}

/// The canonical content of a record row for the audit row hash; the bulk importer builds it without re-reading.
pub fn snapshot_value(f: &RecordFields<'_>) -> serde_json::Value {
    serde_json::json!({
        "id": f.id, "kind": f.kind, "subkind": f.subkind, "unit_id": f.unit_id, "asset_id": f.asset_id,
        "performer_id": f.performer_id, "performer_position": f.performer_position,
        "second_person_id": f.second_person_id, "subject_staff_id": f.subject_staff_id,
        "target_unit_id": f.target_unit_id, "occurred_at": f.occurred_at, "local_day": f.local_day,
        "value": f.value, "data": f.data, "supersedes_id": f.supersedes_id,
    })
}

pub async fn snapshot_rows(c: &mut Conn, only: Option<i64>) -> Result<Vec<(String, serde_json::Value)>> {
    match only {
        Some(id) => snapshot_query(c, "WHERE id = $1", &[id]).await,
        None => snapshot_query(c, "ORDER BY id", &[]).await,
    }
}

/// Records with id > `after`, in id order, at most `limit`: verification streams millions of records this way.
pub async fn snapshot_page(c: &mut Conn, after: i64, limit: i64) -> Result<Vec<(i64, serde_json::Value)>> {
    let rows = snapshot_query(c, "WHERE id > $1 ORDER BY id LIMIT $2", &[after, limit]).await?;
    Ok(rows.into_iter().filter_map(|(id, v)| id.parse().ok().map(|i| (i, v))).collect())
}

async fn snapshot_query(c: &mut Conn, tail: &str, binds: &[i64]) -> Result<Vec<(String, serde_json::Value)>> {
    let sql = format!(
        "SELECT id, kind, subkind, unit_id, asset_id, performer_id, performer_position, second_person_id, subject_staff_id, \
         target_unit_id, occurred_at, local_day, value, data, supersedes_id FROM records {tail}"
    );
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
    for b in binds {
        q = q.bind(*b);
    }
    q.fetch_all(&mut *c)
        .await?
        .iter()
        .map(|r| {
            let id: i64 = r.try_get("id")?;
            let kind: String = r.try_get("kind")?;
            let subkind: Option<String> = r.try_get("subkind")?;
            let position: Option<String> = r.try_get("performer_position")?;
            let data: String = r.try_get("data")?;
            let f = RecordFields {
                id,
                kind: &kind,
                subkind: subkind.as_deref(),
                unit_id: r.try_get("unit_id")?,
                asset_id: r.try_get("asset_id")?,
                performer_id: r.try_get("performer_id")?,
                performer_position: position.as_deref(),
                second_person_id: r.try_get("second_person_id")?,
                subject_staff_id: r.try_get("subject_staff_id")?,
                target_unit_id: r.try_get("target_unit_id")?,
                occurred_at: r.try_get("occurred_at")?,
                local_day: r.try_get("local_day")?,
                value: r.try_get("value")?,
                data: &data,
                supersedes_id: r.try_get("supersedes_id")?,
            };
            Ok((id.to_string(), snapshot_value(&f)))
        })
        .collect()
}

pub async fn attachment_snapshot_rows(c: &mut Conn, only: Option<i64>) -> Result<Vec<(String, serde_json::Value)>> {
    let mut sql =
        String::from("SELECT id, record_id, file_name, content_type, size, sha256, taken_at FROM attachments");
    if only.is_some() {
        sql.push_str(" WHERE id = $1");
    }
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
    if let Some(id) = only {
        q = q.bind(id);
    }
    q.fetch_all(&mut *c)
        .await?
        .iter()
        .map(|r| {
            let id: i64 = r.try_get("id")?;
            Ok((
                id.to_string(),
                serde_json::json!({
                    "id": id, "record_id": r.try_get::<i64, _>("record_id")?, "file_name": r.try_get::<String, _>("file_name")?,
                    "content_type": r.try_get::<String, _>("content_type")?, "size": r.try_get::<i64, _>("size")?,
                    "sha256": r.try_get::<String, _>("sha256")?, "taken_at": r.try_get::<i64, _>("taken_at")?,
                }),
            ))
        })
        .collect()
}

mod day_counts;
mod engine;
pub use day_counts::*;
pub use engine::*;
