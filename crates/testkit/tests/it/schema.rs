//! The two databases hold the same schema: after all migrations, SQLite and PostgreSQL have the same tables, the
//! same columns in each, and the same named indexes (but for the few that exist for one engine's planner only).
//! Runs in the PostgreSQL pass of the suite, where both are at hand.
use anbao_testkit::{TestApp, backend_url};
use sqlx::Row;
use std::collections::BTreeSet;

/// Indexes one engine needs and the other cannot use, each with its reason.
const POSTGRES_ONLY_INDEXES: [(&str, &str); 1] =
    [("units_path_prefix", "prefix LIKE on a non-C collation needs text_pattern_ops; SQLite uses the plain index")];

type Shape = (BTreeSet<(String, String)>, BTreeSet<String>);

async fn sqlite_shape() -> Shape {
    // `fresh_db` answers PostgreSQL in this pass; the SQLite twin is made here the same way the suite makes it.
    let dir = std::env::temp_dir().join("anbao-tests");
    std::fs::create_dir_all(&dir).unwrap();
    let url = format!("sqlite://{}/schema-{}.db", dir.display(), std::process::id());
    let _ = std::fs::remove_file(url.trim_start_matches("sqlite://"));
    let db = anbao_store::Db::connect(&url).await.unwrap();
    db.migrate().await.unwrap();
    let mut c = db.read().await.unwrap();
    let tables: Vec<String> =
        sqlx::query("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
            .fetch_all(&mut *c)
            .await
            .unwrap()
            .iter()
            .map(|r| r.get::<String, _>("name"))
            .collect();
    let mut columns = BTreeSet::new();
    for t in &tables {
        let sql = format!("SELECT name FROM pragma_table_info('{t}')");
        for r in sqlx::query(sqlx::AssertSqlSafe(sql)).fetch_all(&mut *c).await.unwrap() {
            columns.insert((t.clone(), r.get::<String, _>("name")));
        }
    }
    let indexes =
        sqlx::query("SELECT name FROM sqlite_master WHERE type = 'index' AND name NOT LIKE 'sqlite_autoindex_%'")
            .fetch_all(&mut *c)
            .await
            .unwrap()
            .iter()
            .map(|r| r.get::<String, _>("name"))
            .collect();
    drop(c);
    let _ = std::fs::remove_file(url.trim_start_matches("sqlite://"));
    (columns, indexes)
}

async fn postgres_shape(app: &TestApp) -> Shape {
    let mut c = app.db.read().await.unwrap();
    let columns = sqlx::query(
        "SELECT table_name::text AS t, column_name::text AS c FROM information_schema.columns WHERE table_schema = 'public'",
    )
    .fetch_all(&mut *c)
    .await
    .unwrap()
    .iter()
    .map(|r| (r.get::<String, _>("t"), r.get::<String, _>("c")))
    .collect();
    // Primary keys and inline UNIQUE constraints get engine-made names (`_pkey`, `_key`; SQLite's autoindexes).
    let indexes = sqlx::query(
        "SELECT indexname::text AS n FROM pg_indexes WHERE schemaname = 'public' \
         AND indexname NOT LIKE '%\\_pkey' AND indexname NOT LIKE '%\\_key'",
    )
    .fetch_all(&mut *c)
    .await
    .unwrap()
    .iter()
    .map(|r| r.get::<String, _>("n"))
    .filter(|n| !POSTGRES_ONLY_INDEXES.iter().any(|(only, _)| only == n))
    .collect();
    (columns, indexes)
}

#[tokio::test]
async fn both_databases_have_the_same_tables_columns_and_indexes() {
    if backend_url().is_none() {
        // The SQLite pass has no PostgreSQL to compare with; the PostgreSQL pass (CI runs both) does the work.
        return;
    }
    let app = TestApp::empty().await;
    let (pg_cols, pg_idx) = postgres_shape(&app).await;
    let (lite_cols, lite_idx) = sqlite_shape().await;
    let only =
        |a: &BTreeSet<(String, String)>, b: &BTreeSet<(String, String)>| a.difference(b).cloned().collect::<Vec<_>>();
    assert!(pg_cols.len() > 100, "the comparison read the schema: {} columns", pg_cols.len());
    assert_eq!(only(&lite_cols, &pg_cols), vec![], "columns only on SQLite");
    assert_eq!(only(&pg_cols, &lite_cols), vec![], "columns only on PostgreSQL");
    let (a, b): (Vec<_>, Vec<_>) =
        (lite_idx.difference(&pg_idx).cloned().collect(), pg_idx.difference(&lite_idx).cloned().collect());
    assert_eq!(a, Vec::<String>::new(), "indexes only on SQLite");
    assert_eq!(b, Vec::<String>::new(), "indexes only on PostgreSQL");
    app.finish().await;
}
