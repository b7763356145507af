//! What the compliance engine reads: evidence rows, day buckets and tallies of a set of units, the last record
//! per subject.
use super::*;

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

/// A counted record of `kind` for `asset` within `spacing_ms` of `at` on the same local day (not a repeat itself, not
/// superseded, not `except`): the neighbour a new record would repeat. The rules that space records count per day,
/// so a patrol just after midnight is the new day's, never a repeat of the night before.
pub async fn counted_near(
    c: &mut Conn,
    kind: &str,
    asset: i64,
    at: i64,
    spacing_ms: i64,
    except: i64,
) -> Result<Option<i64>> {
    let day = anbao_domain::period::day_of_ms(at);
    let row = sqlx::query(
        "SELECT r.id FROM records r WHERE r.asset_id = $1 AND r.local_day = $2 AND $3 = $3 \
         AND r.kind = $4 AND r.occurred_at > $5 AND r.occurred_at < $6 AND r.id <> $7 \
         AND COALESCE(r.subkind, '') <> 'repeat' \
         AND NOT EXISTS (SELECT 1 FROM records s WHERE s.supersedes_id = r.id) \
         ORDER BY r.occurred_at, r.id LIMIT 1",
    )
    .bind(asset)
    .bind(day)
    .bind(0_i64)
    .bind(kind)
    .bind(at - spacing_ms)
    .bind(at + spacing_ms)
    .bind(except)
    .fetch_optional(&mut *c)
    .await?;
    Ok(match row {
        Some(r) => Some(r.try_get("id")?),
        None => None,
    })
}

/// The condition leaving out the buckets of repeats (`records::REPEAT`, a literal: nothing from the caller).
fn repeats_left_out(skip: bool) -> &'static str {
    if skip { " AND c.subkind <> 'repeat'" } else { "" }
}

/// Which day buckets a rule counts: its evidence kind, the sub-kind and performer posts it asks for (empty = any),
/// and whether it leaves out the repeats its spacing marks.
pub struct Evidence<'a> {
    pub kind: &'a str,
    pub subkind: &'a str,
    pub positions: &'a [String],
    pub skip_repeats: bool,
}

/// Day buckets of the evidence under `path` in [from, to).
pub async fn buckets(c: &mut Conn, units: &Units, ev: &Evidence<'_>, from: i64, to: i64) -> Result<Vec<Bucket>> {
    let Evidence { kind, subkind, positions, skip_repeats } = *ev;
    let mut sql = format!(
        "SELECT c.unit_id, c.asset_id, c.day, c.n, c.with_att, c.min_value FROM record_day_counts c \
         WHERE $1 = $1 AND {} AND c.kind = $2 AND c.day >= $3 AND c.day < $4{}",
        units.cond("c.unit_id"),
        repeats_left_out(skip_repeats)
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
    ev: &Evidence<'_>,
    attachments: bool,
    by_asset: bool,
    min: i64,
    today: i64,
    from: i64,
    to: i64,
) -> Result<Vec<DayTally>> {
    let Evidence { kind, subkind, positions, skip_repeats } = *ev;
    let key = if by_asset { "c.asset_id" } else { "c.unit_id" };
    let x = if attachments { "c.with_att" } else { "c.n" };
    let mut filters = repeats_left_out(skip_repeats).to_owned();
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
