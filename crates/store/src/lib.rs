//! Persistence on SQLite (default) and PostgreSQL through one set of queries (sqlx `Any`), with per-backend
//! migrations only where the DDL really differs. Every function takes a connection or transaction from the caller;
//! the app layer decides where a transaction starts and ends.
pub mod accounts;
pub mod arms;
pub mod assess;
pub mod assets;
pub mod audit;
pub mod blobs;
pub mod calendar;
pub mod counts;
pub mod custody;
pub mod db;
pub mod duty;
pub mod escort;
pub mod exam;
pub mod facility;
mod group;
pub mod groups;
pub mod guards;
pub mod incident;
pub mod inspect;
pub mod letters;
pub mod messages;
pub mod notices;
pub mod org;
pub mod plans;
pub mod records;
pub mod rules;
pub mod scope;
pub mod staff;
pub mod training;
pub mod warnings;
pub mod workplan;

pub use db::{Backend, Db, WriteTx};

pub type Conn = sqlx::AnyConnection;
pub type Result<T> = std::result::Result<T, sqlx::Error>;

/// Was this error a unique-constraint violation (a duplicate staff number, username…)?
/// A table of versions loaded from the shipped defaults (`created_by` empty) or saved by someone.
#[derive(Debug, Clone, Copy)]
pub enum VersionTable {
    Accountability,
    Checklist,
    FacilityCatalog,
}

/// Whether anyone has saved a version of `table` (the union's own), as opposed to versions loaded from the defaults.
pub async fn edited_by_anyone(c: &mut Conn, table: VersionTable) -> Result<bool> {
    let sql = match table {
        VersionTable::Accountability => {
            "SELECT COUNT(*) AS n FROM accountability_versions WHERE created_by IS NOT NULL"
        }
        VersionTable::Checklist => "SELECT COUNT(*) AS n FROM checklist_versions WHERE created_by IS NOT NULL",
        VersionTable::FacilityCatalog => "SELECT COUNT(*) AS n FROM facility_catalogs WHERE created_by IS NOT NULL",
    };
    let n: i64 = sqlx::Row::try_get(&sqlx::query(sql).fetch_one(&mut *c).await?, "n")?;
    Ok(n > 0)
}

pub fn is_unique_violation(e: &sqlx::Error) -> bool {
    e.as_database_error().is_some_and(|d| d.is_unique_violation())
}

/// Escape `%`, `_` and `\` so that user text in a LIKE pattern matches itself (used with `ESCAPE '\'`).
pub fn like_escape(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len() + 2);
    for c in raw.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Booleans are stored as 0/1 on both databases.
pub fn b(v: bool) -> i64 {
    i64::from(v)
}

/// The rows of `select` — all of them, or the one whose id is `only` — each as (id, canonical JSON) made by `snap`.
/// Every audited table's snapshot goes through here, so "one row" and "all rows" can never be built differently.
pub(crate) async fn snapshots(
    c: &mut Conn,
    select: &str,
    only: Option<i64>,
    snap: impl Fn(&sqlx::any::AnyRow) -> Result<serde_json::Value>,
) -> Result<Vec<(String, serde_json::Value)>> {
    use sqlx::Row;
    let sql = match only {
        Some(_) => format!("{select} WHERE id = $1"),
        None => select.to_owned(),
    };
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
    if let Some(id) = only {
        q = q.bind(id);
    }
    q.fetch_all(&mut *c).await?.iter().map(|r| Ok((r.try_get::<i64, _>("id")?.to_string(), snap(r)?))).collect()
}

/// Every column of the rows of an audited table, as canonical JSON. The tables of the custody areas are snapshotted
/// whole, so a column added later is watched without touching this code.
pub async fn table_snapshots(
    c: &mut Conn,
    table: &'static str,
    only: Option<i64>,
) -> Result<Vec<(String, serde_json::Value)>> {
    use sqlx::{Column, Row};
    snapshots(c, &format!("SELECT * FROM {table}"), only, |r| {
        let mut m = serde_json::Map::new();
        for col in r.columns() {
            let i = col.ordinal();
            let v = if let Ok(v) = r.try_get::<Option<i64>, _>(i) {
                v.map(serde_json::Value::from)
            } else if let Ok(v) = r.try_get::<Option<String>, _>(i) {
                v.map(serde_json::Value::from)
            } else {
                r.try_get::<Option<f64>, _>(i)?.map(serde_json::Value::from)
            };
            m.insert(col.name().to_owned(), v.unwrap_or(serde_json::Value::Null));
        }
        Ok(serde_json::Value::Object(m))
    })
    .await
}

/// Read an optional i64 column.
pub(crate) fn opt_i64(r: &sqlx::any::AnyRow, col: &str) -> Result<Option<i64>> {
    use sqlx::Row;
    r.try_get::<Option<i64>, _>(col)
}
