//! Record counts per (kind, sub-kind, post, unit, asset, local day): kept up to date as records are written,
//! rebuilt on demand, and compared with a fresh recount by the audit.
use super::*;

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
