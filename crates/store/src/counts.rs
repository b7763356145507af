//! List totals kept beside the data version they were counted at (see migration 0008).
//!
//! A page of 50 rows reads 50 rows, but its total ("第3页，共24,148人") counts every match in scope — for a
//! province, the whole staff table, every time. Staff and units change rarely and a trigger moves the `org`
//! version in the same transaction as any change, so a total counted at version v is right for as long as the
//! version reads v. The version is read before the count, so a total can only be filed under a version older
//! than the data it saw, never a newer one: a racing write makes a miss, not a stale answer.
use crate::{Conn, Result};
use sqlx::Row;
use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};

/// Past this many distinct filters the cache starts again (each entry is one SQL text and two numbers).
const MAX_ENTRIES: usize = 4096;

#[derive(Default)]
pub struct CountCache {
    entries: Mutex<HashMap<String, (i64, i64)>>,
}

impl CountCache {
    /// The total for `key` counted at `version`, if kept.
    pub fn get(&self, key: &str, version: i64) -> Option<i64> {
        let e = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        e.get(key).filter(|(v, _)| *v == version).map(|(_, n)| *n)
    }

    pub fn put(&self, key: String, version: i64, total: i64) {
        let mut e = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        if e.len() >= MAX_ENTRIES {
            e.clear();
        }
        e.insert(key, (version, total));
    }
}

/// The current version of staff and units together.
pub async fn org_version(c: &mut Conn) -> Result<i64> {
    sqlx::query("SELECT version FROM data_versions WHERE name = 'org'").fetch_one(&mut *c).await?.try_get("version")
}

/// The versions of staff and units (`org`) and of assets, which decide what is due and who may count for it.
pub async fn org_and_assets_version(c: &mut Conn) -> Result<(i64, i64)> {
    let rows = sqlx::query("SELECT name, version FROM data_versions WHERE name IN ('org', 'assets')")
        .fetch_all(&mut *c)
        .await?;
    let mut out = (0, 0);
    for r in rows {
        let (name, v): (String, i64) = (r.try_get("name")?, r.try_get("version")?);
        if name == "org" {
            out.0 = v;
        } else {
            out.1 = v;
        }
    }
    Ok(out)
}

/// For each (kind, from, to): how often the records of that kind on the days [from, to) have changed (migration
/// 0010). The number moves with every record entered or superseded there, and with nothing else. One round trip for
/// all of them: a dashboard view checks every rule of twelve months.
pub async fn record_marks(c: &mut Conn, spans: &[(&str, i64, i64)]) -> Result<Vec<i64>> {
    let mut out = vec![0; spans.len()];
    // SQLite allows 500 terms in a compound SELECT; a rulebook's steps stay far below, but chunk all the same.
    for (chunk_no, chunk) in spans.chunks(200).enumerate() {
        let parts: Vec<String> = (0..chunk.len())
            .map(|i| {
                format!(
                    "SELECT CAST({i} AS BIGINT) AS i, CAST(COALESCE(SUM(n), 0) AS BIGINT) AS n FROM record_marks \
                     WHERE kind = ${} AND local_day >= ${} AND local_day < ${}",
                    3 * i + 1,
                    3 * i + 2,
                    3 * i + 3
                )
            })
            .collect();
        let mut q = sqlx::query(sqlx::AssertSqlSafe(parts.join(" UNION ALL ")));
        for (kind, from, to) in chunk {
            q = q.bind(*kind).bind(*from).bind(*to);
        }
        for r in q.fetch_all(&mut *c).await? {
            let (i, n): (i64, i64) = (r.try_get("i")?, r.try_get("n")?);
            if let Some(slot) = usize::try_from(i).ok().and_then(|i| out.get_mut(chunk_no * 200 + i)) {
                *slot = n;
            }
        }
    }
    Ok(out)
}
