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
    account: AccountId,
    sc: &Scope,
    f: &RecordFilter,
    limit: i64,
    offset: i64,
) -> Result<(Vec<RecordRow>, i64)> {
    let mut conds = vec![scope::clause("u.path", 1, sc, Permission::OrgRead)];
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
    // Number the placeholders: $1 is the account, then the texts, then the integers.
    let mut cond = conds.join(" AND ");
    for i in (1..=ints.len()).rev() {
        cond = cond.replace(&format!("$I{i}"), &format!("${}", 1 + texts.len() + i));
    }
    for i in (1..=texts.len()).rev() {
        cond = cond.replace(&format!("$T{i}"), &format!("${}", 1 + i));
    }
    let n = 1 + texts.len() + ints.len();
    // Which end to start from. A scope holding a good share of the units (a province, a region) has matches all
    // through the time index: walk it newest first and stop after the page. A narrow one (a county, an outlet) has
    // few records: take its units' records by unit, then sort those. SQLite follows the order a CROSS JOIN names;
    // PostgreSQL plans both as the inner join they are.
    let mut unit_cond = scope::clause("u.path", 1, sc, Permission::OrgRead);
    if f.under_path.is_some() {
        unit_cond.push_str(" AND u.path LIKE $2 || '%'");
    }
    let q = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT (SELECT COUNT(*) FROM units u WHERE {unit_cond}) AS inside, (SELECT COUNT(*) FROM units) AS total"
    )))
    .bind(account.get());
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
    let mut q = sqlx::query(sqlx::AssertSqlSafe(count_sql)).bind(account.get());
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
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(account.get());
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

/// Records of one kind counted per (sub-kind, performer post, unit, asset, local day) in [from, to) under `path`.
/// Superseded records are left out: only the latest version of a corrected record counts.
#[derive(Debug, Clone, PartialEq)]
pub struct DayCount {
    pub kind: String,
    pub subkind: Option<String>,
    pub position: Option<String>,
    pub unit_id: i64,
    pub asset_id: Option<i64>,
    pub day: i64,
    pub n: i64,
    pub with_attachment: i64,
    pub min_value: Option<i64>,
}

pub async fn day_counts(c: &mut Conn, path: &str, kinds: &[String], from: i64, to: i64) -> Result<Vec<DayCount>> {
    if kinds.is_empty() {
        return Ok(Vec::new());
    }
    let placeholders: Vec<String> = (0..kinds.len()).map(|i| format!("${}", i + 4)).collect();
    let sql = format!(
        "SELECT c.kind, c.subkind, c.position, c.unit_id, c.asset_id, c.day, c.n, c.with_att, c.min_value \
         FROM record_day_counts c JOIN units u ON u.id = c.unit_id \
         WHERE u.path LIKE $1 || '%' AND c.day >= $2 AND c.day < $3 AND c.kind IN ({})",
        placeholders.join(",")
    );
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(path).bind(from).bind(to);
    for k in kinds {
        q = q.bind(k.as_str());
    }
    q.fetch_all(&mut *c)
        .await?
        .iter()
        .map(|r| {
            let sk: String = r.try_get("subkind")?;
            let pos: String = r.try_get("position")?;
            let aid: i64 = r.try_get("asset_id")?;
            Ok(DayCount {
                kind: r.try_get("kind")?,
                subkind: (!sk.is_empty()).then_some(sk),
                position: (!pos.is_empty()).then_some(pos),
                unit_id: r.try_get("unit_id")?,
                asset_id: (aid != 0).then_some(aid),
                day: r.try_get("day")?,
                n: r.try_get("n")?,
                with_attachment: r.try_get("with_att")?,
                min_value: r.try_get("min_value")?,
            })
        })
        .collect()
}

/// One record as the person- and pair-based rules need it (inspection visits, reviews, duty pairs).
#[derive(Debug, Clone, PartialEq)]
pub struct EvidenceRow {
    pub id: i64,
    pub kind: String,
    pub subkind: Option<String>,
    pub position: Option<String>,
    pub unit_id: i64,
    pub asset_id: Option<i64>,
    pub performer_id: Option<i64>,
    pub second_person_id: Option<i64>,
    pub subject_staff_id: Option<i64>,
    pub target_unit_id: Option<i64>,
    pub day: i64,
}

/// Individual records of the given kinds in [from, to) under `path` (latest versions only).
pub async fn evidence(c: &mut Conn, units: &Units, kinds: &[String], from: i64, to: i64) -> Result<Vec<EvidenceRow>> {
    if kinds.is_empty() {
        return Ok(Vec::new());
    }
    let placeholders: Vec<String> = (0..kinds.len()).map(|i| format!("${}", i + 4)).collect();
    let sql = format!(
        "SELECT r.id, r.kind, r.subkind, r.performer_position, r.unit_id, r.asset_id, r.performer_id, r.second_person_id, \
         r.subject_staff_id, r.target_unit_id, r.local_day FROM records r \
         WHERE $1 = $1 AND {} AND r.local_day >= $2 AND r.local_day < $3 AND {} IN ({}) \
         AND NOT EXISTS (SELECT 1 FROM records s WHERE s.supersedes_id = r.id) ORDER BY r.local_day, r.id",
        units.cond("r.unit_id"),
        units.steer("r.kind", "(r.kind || '')"),
        placeholders.join(",")
    );
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(0_i64).bind(from).bind(to);
    for k in kinds {
        q = q.bind(k.as_str());
    }
    q.fetch_all(&mut *c)
        .await?
        .iter()
        .map(|r| {
            Ok(EvidenceRow {
                id: r.try_get("id")?,
                kind: r.try_get("kind")?,
                subkind: r.try_get("subkind")?,
                position: r.try_get("performer_position")?,
                unit_id: r.try_get("unit_id")?,
                asset_id: r.try_get("asset_id")?,
                performer_id: r.try_get("performer_id")?,
                second_person_id: r.try_get("second_person_id")?,
                subject_staff_id: r.try_get("subject_staff_id")?,
                target_unit_id: r.try_get("target_unit_id")?,
                day: r.try_get("local_day")?,
            })
        })
        .collect()
}

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

/// The grouping of a record into its day bucket.
const BUCKET_SELECT: &str = "SELECT r.kind, COALESCE(r.subkind, '') AS sk, COALESCE(r.performer_position, '') AS pos, r.unit_id, \
    COALESCE(r.asset_id, 0) AS aid, r.local_day, COUNT(*) AS n, \
    SUM(CASE WHEN EXISTS (SELECT 1 FROM attachments t WHERE t.record_id = r.id) THEN 1 ELSE 0 END) AS with_att, \
    MIN(r.value) AS min_value FROM records r";
const BUCKET_GROUP: &str = "AND NOT EXISTS (SELECT 1 FROM records s WHERE s.supersedes_id = r.id) \
    GROUP BY r.kind, COALESCE(r.subkind, ''), COALESCE(r.performer_position, ''), r.unit_id, COALESCE(r.asset_id, 0), r.local_day";

/// Recount the day bucket a record falls in, from the records themselves (after an insert, a correction or a photo).
pub async fn recount_bucket_of(c: &mut Conn, record: i64) -> Result<()> {
    let Some(r) = sqlx::query(
        "SELECT kind, COALESCE(subkind, '') AS sk, COALESCE(performer_position, '') AS pos, unit_id, COALESCE(asset_id, 0) AS aid, local_day \
         FROM records WHERE id = $1",
    )
    .bind(record)
    .fetch_optional(&mut *c)
    .await?
    else {
        return Ok(());
    };
    let (kind, sk, pos): (String, String, String) = (r.try_get("kind")?, r.try_get("sk")?, r.try_get("pos")?);
    let (unit, aid, day): (i64, i64, i64) = (r.try_get("unit_id")?, r.try_get("aid")?, r.try_get("local_day")?);
    sqlx::query(
        "DELETE FROM record_day_counts WHERE kind = $1 AND subkind = $2 AND position = $3 AND unit_id = $4 AND asset_id = $5 AND day = $6",
    )
    .bind(&kind)
    .bind(&sk)
    .bind(&pos)
    .bind(unit)
    .bind(aid)
    .bind(day)
    .execute(&mut *c)
    .await?;
    let sql = format!(
        "INSERT INTO record_day_counts (kind, subkind, position, unit_id, asset_id, day, n, with_att, min_value) {BUCKET_SELECT} \
         WHERE r.kind = $1 AND COALESCE(r.subkind, '') = $2 AND COALESCE(r.performer_position, '') = $3 AND r.unit_id = $4 \
         AND COALESCE(r.asset_id, 0) = $5 AND r.local_day = $6 {BUCKET_GROUP}"
    );
    sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(&kind)
        .bind(&sk)
        .bind(&pos)
        .bind(unit)
        .bind(aid)
        .bind(day)
        .execute(&mut *c)
        .await?;
    Ok(())
}

/// Count a record just inserted, which nothing supersedes yet, into its day bucket: one more in the bucket, its
/// photos and its value folded in. A recount (above) reads the whole bucket, and a bucket can be large (every
/// patrol of a busy outlet on one day); this costs the same whatever its size.
pub async fn count_new_record(c: &mut Conn, record: i64) -> Result<()> {
    sqlx::query(
        "INSERT INTO record_day_counts (kind, subkind, position, unit_id, asset_id, day, n, with_att, min_value) \
         SELECT r.kind, COALESCE(r.subkind, ''), COALESCE(r.performer_position, ''), r.unit_id, COALESCE(r.asset_id, 0), \
         r.local_day, 1, CASE WHEN EXISTS (SELECT 1 FROM attachments t WHERE t.record_id = r.id) THEN 1 ELSE 0 END, r.value \
         FROM records r WHERE r.id = $1 \
         ON CONFLICT (kind, day, unit_id, asset_id, subkind, position) DO UPDATE SET n = record_day_counts.n + 1, \
         with_att = record_day_counts.with_att + excluded.with_att, \
         min_value = CASE WHEN excluded.min_value IS NULL THEN record_day_counts.min_value \
         WHEN record_day_counts.min_value IS NULL OR excluded.min_value < record_day_counts.min_value \
         THEN excluded.min_value ELSE record_day_counts.min_value END",
    )
    .bind(record)
    .execute(&mut *c)
    .await?;
    Ok(())
}

/// Rebuild every bucket of days [from, to) from the records (after a bulk import).
pub async fn rebuild_day_counts(c: &mut Conn, from: i64, to: i64) -> Result<()> {
    sqlx::query("DELETE FROM record_day_counts WHERE day >= $1 AND day < $2")
        .bind(from)
        .bind(to)
        .execute(&mut *c)
        .await?;
    let sql = format!(
        "INSERT INTO record_day_counts (kind, subkind, position, unit_id, asset_id, day, n, with_att, min_value) {BUCKET_SELECT} \
         WHERE r.local_day >= $1 AND r.local_day < $2 {BUCKET_GROUP}"
    );
    sqlx::query(sqlx::AssertSqlSafe(sql)).bind(from).bind(to).execute(&mut *c).await?;
    Ok(())
}

/// Buckets computed by the caller (a bulk import into empty days), inserted as they are.
pub async fn insert_day_counts(c: &mut Conn, rows: &[DayCount]) -> Result<()> {
    // sqlx resolves `$n` parameters by name, quadratic in their number per statement; SQLite also takes anonymous
    // `?` in order, bound without that lookup.
    let sqlite = c.backend_name() == "SQLite";
    for chunk in rows.chunks(if sqlite { 400 } else { 50 }) {
        let mut sql = String::from(
            "INSERT INTO record_day_counts (kind, subkind, position, unit_id, asset_id, day, n, with_att, min_value) VALUES ",
        );
        for i in 0..chunk.len() {
            let b = i * 9;
            if i > 0 {
                sql.push(',');
            }
            sql.push_str(&format!(
                "(${}, ${}, ${}, ${}, ${}, ${}, ${}, ${}, ${})",
                b + 1,
                b + 2,
                b + 3,
                b + 4,
                b + 5,
                b + 6,
                b + 7,
                b + 8,
                b + 9
            ));
        }
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for d in chunk {
            q = q
                .bind(d.kind.as_str())
                .bind(d.subkind.as_deref().unwrap_or(""))
                .bind(d.position.as_deref().unwrap_or(""))
                .bind(d.unit_id)
                .bind(d.asset_id.unwrap_or(0))
                .bind(d.day)
                .bind(d.n)
                .bind(d.with_attachment)
                .bind(d.min_value);
        }
        q.execute(&mut *c).await?;
    }
    Ok(())
}

/// Are there buckets in days [from, to) already?
pub async fn has_day_counts(c: &mut Conn, from: i64, to: i64) -> Result<bool> {
    let n: i64 = sqlx::query(
        "SELECT COUNT(*) AS n FROM (SELECT 1 FROM record_day_counts WHERE day >= $1 AND day < $2 LIMIT 1) x",
    )
    .bind(from)
    .bind(to)
    .fetch_one(&mut *c)
    .await?
    .try_get("n")?;
    Ok(n > 0)
}

/// A day bucket as verification compares it: (kind, subkind, position, unit, asset, day, n, with_att).
pub type CountRow = (String, String, String, i64, i64, i64, i64, i64);

fn count_row(r: &sqlx::any::AnyRow, names: [&str; 8]) -> Result<CountRow> {
    Ok((
        r.try_get(names[0])?,
        r.try_get(names[1])?,
        r.try_get(names[2])?,
        r.try_get(names[3])?,
        r.try_get(names[4])?,
        r.try_get(names[5])?,
        r.try_get(names[6])?,
        r.try_get(names[7])?,
    ))
}

/// Every bucket recounted from the records, for verification.
pub async fn recount_all(c: &mut Conn) -> Result<Vec<CountRow>> {
    let sql = format!("{BUCKET_SELECT} WHERE 1 = 1 {BUCKET_GROUP}");
    let names = ["kind", "sk", "pos", "unit_id", "aid", "local_day", "n", "with_att"];
    sqlx::query(sqlx::AssertSqlSafe(sql)).fetch_all(&mut *c).await?.iter().map(|r| count_row(r, names)).collect()
}

/// Every stored bucket, for verification.
pub async fn stored_counts(c: &mut Conn) -> Result<Vec<CountRow>> {
    let names = ["kind", "subkind", "position", "unit_id", "asset_id", "day", "n", "with_att"];
    sqlx::query("SELECT kind, subkind, position, unit_id, asset_id, day, n, with_att FROM record_day_counts")
        .fetch_all(&mut *c)
        .await?
        .iter()
        .map(|r| count_row(r, names))
        .collect()
}

/// Which units a query covers: everything (no filter at all), or the listed units (a subtree).
#[derive(Debug, Clone)]
pub enum Units {
    All,
    Ids(Vec<i64>),
}

impl Units {
    /// SQL condition on `col`; the ids are integers read from the database, so inlining them is safe.
    fn cond(&self, col: &str) -> String {
        match self {
            Units::All => "1 = 1".into(),
            Units::Ids(ids) if ids.is_empty() => "1 = 0".into(),
            Units::Ids(ids) => format!("{col} IN ({})", ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",")),
        }
    }

    /// A column as a condition on a few units should name it. For a few units (an outlet, a cooperative) the
    /// per-unit index is the narrow one, but SQLite, knowing nothing of the data, may take the index on kind and day
    /// and read every unit's rows for those days; writing the column as an expression (`kind || ''`) keeps it off
    /// that index. PostgreSQL plans by its statistics either way.
    fn steer(&self, col: &str, expr: &str) -> String {
        match self {
            Units::Ids(ids) if ids.len() <= FEW_UNITS => expr.to_owned(),
            _ => col.to_owned(),
        }
    }
}

/// Up to this many units, evidence is read unit by unit (see `Units::kind`).
const FEW_UNITS: usize = 64;

/// One day bucket as a rule needs it: counts only, for one evidence kind with the rule's filters applied in SQL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bucket {
    pub unit_id: i64,
    pub asset_id: i64,
    pub day: i64,
    pub n: i64,
    pub with_att: i64,
    pub min_value: Option<i64>,
}

fn bucket_of(r: &sqlx::any::AnyRow) -> Result<Bucket> {
    Ok(Bucket {
        unit_id: r.try_get("unit_id")?,
        asset_id: r.try_get("asset_id")?,
        day: r.try_get("day")?,
        n: r.try_get("n")?,
        with_att: r.try_get("with_att")?,
        min_value: r.try_get("min_value")?,
    })
}

/// Day buckets of `kind` under `path` in [from, to), filtered by sub-kind and performer posts (empty = any).
pub async fn buckets(
    c: &mut Conn,
    units: &Units,
    kind: &str,
    subkind: &str,
    positions: &[String],
    from: i64,
    to: i64,
) -> Result<Vec<Bucket>> {
    let mut sql = format!(
        "SELECT c.unit_id, c.asset_id, c.day, c.n, c.with_att, c.min_value FROM record_day_counts c \
         WHERE $1 = $1 AND {} AND c.kind = $2 AND c.day >= $3 AND c.day < $4",
        units.cond("c.unit_id")
    );
    let mut next = 5;
    if !subkind.is_empty() {
        sql.push_str(&format!(" AND c.subkind = ${next}"));
        next += 1;
    }
    if !positions.is_empty() {
        let ps: Vec<String> = (0..positions.len()).map(|i| format!("${}", next + i)).collect();
        sql.push_str(&format!(" AND c.position IN ({})", ps.join(",")));
    }
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(0_i64).bind(kind).bind(from).bind(to);
    if !subkind.is_empty() {
        q = q.bind(subkind);
    }
    for p in positions {
        q = q.bind(p.as_str());
    }
    q.fetch_all(&mut *c).await?.iter().map(bucket_of).collect()
}

/// A day bucket with the sub-kind and post it counts, for filtering in memory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KindBucket {
    pub kind: String,
    pub subkind: String,
    pub position: String,
    pub bucket: Bucket,
}

/// The day buckets of a few units (at most `FEW_UNITS`) for each kind over its own days [from, to), in one query: a
/// to-do list judges some twenty-five rules of one outlet, and one read of its buckets by the per-unit index
/// replaces a query per rule, reading the same rows. None for a larger subtree: read per rule with `buckets`.
pub async fn few_units_buckets(
    c: &mut Conn,
    units: &Units,
    spans: &[(String, i64, i64)],
) -> Result<Option<Vec<KindBucket>>> {
    let Units::Ids(ids) = units else { return Ok(None) };
    if ids.len() > FEW_UNITS {
        return Ok(None);
    }
    if spans.is_empty() || ids.is_empty() {
        return Ok(Some(Vec::new()));
    }
    // One SELECT per kind, each an exact range of the per-unit index (unit, kind, day), joined by UNION ALL.
    let cond = units.cond("c.unit_id");
    let parts: Vec<String> = (0..spans.len())
        .map(|i| {
            format!(
                "SELECT c.kind, c.subkind, c.position, c.unit_id, c.asset_id, c.day, c.n, c.with_att, c.min_value \
                 FROM record_day_counts c WHERE {cond} AND c.kind = ${} AND c.day >= ${} AND c.day < ${}",
                3 * i + 1,
                3 * i + 2,
                3 * i + 3
            )
        })
        .collect();
    let sql = parts.join(" UNION ALL ");
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
    for (k, from, to) in spans {
        q = q.bind(k.as_str()).bind(*from).bind(*to);
    }
    let rows = q.fetch_all(&mut *c).await?;
    rows.iter()
        .map(|r| {
            Ok(KindBucket {
                kind: r.try_get("kind")?,
                subkind: r.try_get("subkind")?,
                position: r.try_get("position")?,
                bucket: bucket_of(r)?,
            })
        })
        .collect::<Result<Vec<_>>>()
        .map(Some)
}

/// How the days of a daily counting rule stood for one subject (an asset, or a unit), counted by the database:
/// the days with buckets that were met, partly met (ended with some), overdue (ended with none that count) or still
/// running and short, and how many of the days with buckets had ended or were running. Days without a bucket are
/// the caller's to count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DayTally {
    pub subject: i64,
    pub met: i64,
    pub partly: i64,
    pub overdue: i64,
    pub open: i64,
    pub ended: i64,
    pub running: i64,
}

/// `DayTally` per asset (`by_asset`) or per unit, for the day buckets of `kind` in [from, to) with the rule's
/// filters, each day judged against `min` (counting only records with attachments when `attachments`); a day is
/// over when it is before `today`. The per-day rows stay in the database, so a province month returns thousands of
/// rows rather than hundreds of thousands.
#[allow(clippy::too_many_arguments)]
pub async fn day_tallies(
    c: &mut Conn,
    units: &Units,
    kind: &str,
    subkind: &str,
    positions: &[String],
    attachments: bool,
    by_asset: bool,
    min: i64,
    today: i64,
    from: i64,
    to: i64,
) -> Result<Vec<DayTally>> {
    let key = if by_asset { "c.asset_id" } else { "c.unit_id" };
    let x = if attachments { "c.with_att" } else { "c.n" };
    let mut filters = String::new();
    let mut next = 7;
    if !subkind.is_empty() {
        filters.push_str(&format!(" AND c.subkind = ${next}"));
        next += 1;
    }
    if !positions.is_empty() {
        let ps: Vec<String> = (0..positions.len()).map(|i| format!("${}", next + i)).collect();
        filters.push_str(&format!(" AND c.position IN ({})", ps.join(",")));
    }
    let sql = format!(
        "SELECT g.k, \
         SUM(CASE WHEN g.x >= $5 THEN 1 ELSE 0 END) AS met, \
         SUM(CASE WHEN g.x < $5 AND g.x > 0 AND g.day < $6 THEN 1 ELSE 0 END) AS partly, \
         SUM(CASE WHEN g.x < $5 AND g.x <= 0 AND g.day < $6 THEN 1 ELSE 0 END) AS overdue, \
         SUM(CASE WHEN g.x < $5 AND g.day >= $6 THEN 1 ELSE 0 END) AS open, \
         SUM(CASE WHEN g.day < $6 THEN 1 ELSE 0 END) AS ended, \
         SUM(CASE WHEN g.day >= $6 THEN 1 ELSE 0 END) AS running \
         FROM (SELECT {key} AS k, c.day, CAST(SUM({x}) AS BIGINT) AS x FROM record_day_counts c \
               WHERE $1 = $1 AND {} AND c.kind = $2 AND c.day >= $3 AND c.day < $4{filters} \
               GROUP BY {key}, c.day) g \
         GROUP BY g.k",
        units.cond("c.unit_id")
    );
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(0_i64).bind(kind).bind(from).bind(to).bind(min).bind(today);
    if !subkind.is_empty() {
        q = q.bind(subkind);
    }
    for p in positions {
        q = q.bind(p.as_str());
    }
    q.fetch_all(&mut *c)
        .await?
        .iter()
        .map(|r| {
            Ok(DayTally {
                subject: r.try_get("k")?,
                met: r.try_get("met")?,
                partly: r.try_get("partly")?,
                overdue: r.try_get("overdue")?,
                open: r.try_get("open")?,
                ended: r.try_get("ended")?,
                running: r.try_get("running")?,
            })
        })
        .collect()
}

/// Two-person records of `kind` per (unit, asset, day): how many, how many name one person twice or someone not on
/// the staff list, how many pair two holders of a forbidden post, how many pair two non-formal staff.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PairTally {
    pub unit_id: i64,
    pub asset_id: i64,
    pub day: i64,
    pub n: i64,
    pub not_two: i64,
    pub same_post: i64,
    pub non_formal: i64,
}

pub async fn pair_tallies(
    c: &mut Conn,
    units: &Units,
    kind: &str,
    forbid_same_position: &[String],
    forbid_both_non_formal: bool,
    from: i64,
    to: i64,
) -> Result<Vec<PairTally>> {
    let mut same = Vec::new();
    for i in 0..forbid_same_position.len() {
        same.push(format!("(a.positions LIKE ${} AND b.positions LIKE ${})", 5 + i, 5 + i));
    }
    let same = if same.is_empty() { "0 = 1".to_owned() } else { same.join(" OR ") };
    let non_formal =
        if forbid_both_non_formal { "a.employment <> 'formal' AND b.employment <> 'formal'" } else { "0 = 1" };
    let units_cond = units.cond("r.unit_id");
    let sql = format!(
        "SELECT r.unit_id, COALESCE(r.asset_id, 0) AS aid, r.local_day, COUNT(*) AS n, \
         SUM(CASE WHEN a.id IS NULL OR b.id IS NULL OR a.id = b.id THEN 1 ELSE 0 END) AS not_two, \
         SUM(CASE WHEN a.id IS NOT NULL AND b.id IS NOT NULL AND a.id <> b.id AND ({same}) THEN 1 ELSE 0 END) AS same_post, \
         SUM(CASE WHEN a.id IS NOT NULL AND b.id IS NOT NULL AND a.id <> b.id AND ({non_formal}) THEN 1 ELSE 0 END) AS non_formal \
         FROM records r \
         LEFT JOIN staff a ON a.id = r.performer_id LEFT JOIN staff b ON b.id = r.second_person_id \
         WHERE $1 = $1 AND {units_cond} AND r.kind = $2 AND r.local_day >= $3 AND r.local_day < $4 \
         AND r.second_person_id IS NOT NULL \
         AND NOT EXISTS (SELECT 1 FROM records s WHERE s.supersedes_id = r.id) \
         GROUP BY r.unit_id, COALESCE(r.asset_id, 0), r.local_day"
    );
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(0_i64).bind(kind).bind(from).bind(to);
    for p in forbid_same_position {
        q = q.bind(format!("%,{p},%"));
    }
    q.fetch_all(&mut *c)
        .await?
        .iter()
        .map(|r| {
            Ok(PairTally {
                unit_id: r.try_get("unit_id")?,
                asset_id: r.try_get("aid")?,
                day: r.try_get("local_day")?,
                n: r.try_get("n")?,
                not_two: r.try_get("not_two")?,
                same_post: r.try_get("same_post")?,
                non_formal: r.try_get("non_formal")?,
            })
        })
        .collect()
}

/// The last day each person had evidence of `kind` (with `subkind`, if given) on or before `until`.
pub async fn last_per_subject(
    c: &mut Conn,
    path: &str,
    kind: &str,
    subkind: &str,
    until: i64,
) -> Result<Vec<(i64, i64)>> {
    let mut sql = String::from(
        "SELECT r.subject_staff_id AS s, MAX(r.local_day) AS d \
         FROM units u CROSS JOIN staff p CROSS JOIN records r WHERE p.unit_id = u.id AND r.subject_staff_id = p.id \
         AND u.path LIKE $1 || '%' AND r.kind = $2 AND r.local_day <= $3 \
         AND NOT EXISTS (SELECT 1 FROM records x WHERE x.supersedes_id = r.id)",
    );
    if !subkind.is_empty() {
        sql.push_str(" AND r.subkind = $4");
    }
    sql.push_str(" GROUP BY r.subject_staff_id");
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(path).bind(kind).bind(until);
    if !subkind.is_empty() {
        q = q.bind(subkind);
    }
    q.fetch_all(&mut *c).await?.iter().map(|r| Ok((r.try_get("s")?, r.try_get("d")?))).collect()
}
