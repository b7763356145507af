//! Many writers at once (group commit on SQLite, parallel transactions on PostgreSQL): each request is still all or
//! nothing, a failed one leaves no trace, the others all land, and the audit chain stays whole.
use anbao_testkit::TestApp;
use axum::http::StatusCode;
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_patrols_all_land_and_failed_ones_leave_nothing() {
    let app = TestApp::demo().await;
    let teller = app.api("chengguan.guiyuan").await;
    let atm = teller.clone().get("/api/v1/assets?kind=atm").await.json()[0]["id"].as_i64().unwrap();
    let patrols = "SELECT COUNT(*) FROM records WHERE kind = 'atm_patrol'";
    let (records, events) = (app.scalar(patrols).await, app.count("audit_events").await);
    let good = json!({"kind": "atm_patrol", "asset_id": atm, "checks": ["appearance_ok", "no_skimmer", "notice_ok"]});
    // No such ATM: refused inside the write, after the shared transaction was joined.
    let bad = json!({"kind": "atm_patrol", "asset_id": 999_999, "checks": ["appearance_ok"]});
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..90 {
        let mut c = teller.clone();
        let body = if i % 3 == 2 { bad.clone() } else { good.clone() };
        tasks.spawn(async move { c.json("POST", "/api/v1/records", &body).await.status });
    }
    let (mut created, mut refused) = (0, 0);
    while let Some(status) = tasks.join_next().await {
        match status.unwrap() {
            StatusCode::CREATED | StatusCode::OK => created += 1,
            StatusCode::UNPROCESSABLE_ENTITY | StatusCode::BAD_REQUEST => refused += 1,
            other => panic!("unexpected answer {other}"),
        }
    }
    assert_eq!((created, refused), (60, 30));
    assert_eq!(app.scalar(patrols).await, records + 60, "exactly the accepted writes are stored");
    assert_eq!(app.count("audit_events").await, events + 60, "one audit event per accepted write, none for refusals");
    let counted = app
        .scalar(&format!(
            "SELECT CAST(SUM(n) AS BIGINT) FROM record_day_counts WHERE kind = 'atm_patrol' AND asset_id = {atm}"
        ))
        .await;
    let stored =
        app.scalar(&format!("SELECT COUNT(*) FROM records WHERE kind = 'atm_patrol' AND asset_id = {atm}")).await;
    assert_eq!(counted, stored, "the day counts agree with the records");
    // Counted one by one as they came, the buckets equal a recount of every record from scratch.
    let buckets = "SELECT kind || '/' || day || '/' || unit_id || '/' || asset_id || '/' || subkind || '/' || position \
                   || '=' || n || '/' || with_att || '/' || COALESCE(min_value, -1) AS b FROM record_day_counts ORDER BY b";
    let read = |db: anbao_store::Db| async move {
        let mut c = db.read().await.unwrap();
        sqlx::query_scalar::<_, String>(buckets).fetch_all(&mut *c).await.unwrap()
    };
    let incremental = read(app.db.clone()).await;
    let mut tx = app.db.begin().await.unwrap();
    anbao_store::records::rebuild_day_counts(&mut tx, 0, i64::MAX).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(incremental, read(app.db.clone()).await);
    let report = anbao_app::audit::verify(&app.db).await.unwrap();
    assert!(report.ok(), "{:?}", report.problems);
    app.finish().await;
}

/// A writer that fails after writing, while another's finished work waits in the same batch for its commit: the
/// failed one's rows are undone, the finished one's are kept.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dropped_write_is_undone_without_losing_the_batch_it_shared() {
    let (db, _url) = anbao_testkit::fresh_db().await;
    let mut c = db.read().await.unwrap();
    sqlx::query("CREATE TABLE scratch (v TEXT NOT NULL)").execute(&mut *c).await.unwrap();
    drop(c);
    let mut first = db.begin().await.unwrap();
    sqlx::query("INSERT INTO scratch (v) VALUES ('kept')").execute(&mut *first).await.unwrap();
    // A second writer queues behind the first, so the first's commit leaves the batch open for it.
    let db2 = db.clone();
    let second = tokio::spawn(async move {
        let mut tx = db2.begin().await.unwrap();
        sqlx::query("INSERT INTO scratch (v) VALUES ('undone')").execute(&mut *tx).await.unwrap();
        drop(tx); // fails: never committed
    });
    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    first.commit().await.unwrap();
    second.await.unwrap();
    let mut third = db.begin().await.unwrap();
    sqlx::query("INSERT INTO scratch (v) VALUES ('later')").execute(&mut *third).await.unwrap();
    third.commit().await.unwrap();
    let mut c = db.read().await.unwrap();
    let rows: Vec<String> = sqlx::query_scalar("SELECT v FROM scratch ORDER BY v").fetch_all(&mut *c).await.unwrap();
    assert_eq!(rows, ["kept", "later"]);
}

/// The record list starts from the newest end for a broad scope and from the units for a narrow one (see
/// `store::records::list`); either way the page is the same records, newest first.
#[tokio::test]
async fn the_record_list_is_newest_first_from_either_end() {
    let app = TestApp::demo().await;
    let mut teller = app.api("chengguan.guiyuan").await;
    let atm = teller.get("/api/v1/assets?kind=atm").await.json()[0]["id"].as_i64().unwrap();
    let mut ids = Vec::new();
    for _ in 0..3 {
        app.advance_minutes(7);
        let body = json!({"kind": "atm_patrol", "asset_id": atm, "checks": ["appearance_ok"]});
        ids.push(teller.json("POST", "/api/v1/records", &body).await.json()["id"].as_i64().unwrap());
    }
    ids.reverse();
    let newest = |page: &serde_json::Value| -> Vec<i64> {
        page["items"].as_array().unwrap().iter().take(3).map(|r| r["id"].as_i64().unwrap()).collect()
    };
    let mut admin = app.api("admin").await;
    let r = admin.get("/api/v1/records?kind=atm_patrol").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let broad = newest(&r.json());
    // Enough departments that the teller's outlet is a narrow scope (under one in fifty units).
    for i in 0..60 {
        let r = admin
            .json("POST", "/api/v1/units", &json!({"parent_id": 1, "kind": "department", "name": format!("测试部{i}")}))
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    }
    let r = teller.get("/api/v1/records?kind=atm_patrol").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let narrow = newest(&r.json());
    assert_eq!(broad, ids);
    assert_eq!(narrow, ids);
    app.finish().await;
}
