//! The audit trail: every write is chained; tampering behind the system's back is found.
use anbao_app::audit::{Problem, verify};
use anbao_testkit::TestApp;

async fn problems(app: &TestApp) -> Vec<Problem> {
    verify(&app.db).await.expect("verify runs").problems
}

#[tokio::test]
async fn the_demo_verifies() {
    let app = TestApp::demo().await;
    let r = verify(&app.db).await.expect("verify");
    assert!(r.ok(), "{:?}", r.problems);
    assert!(r.events > 400 && r.rows > 300);
    app.finish().await;
}

#[tokio::test]
async fn every_write_appends_one_event_with_before_and_after() {
    let app = TestApp::demo().await;
    let mut api = app.api("admin").await;
    let id = app.scalar("SELECT id FROM units WHERE name = '东街分社'").await;
    let before = app.count("audit_events").await;
    api.json("PUT", &format!("/api/v1/units/{id}"), &serde_json::json!({"name": "东街支行"})).await;
    assert_eq!(app.count("audit_events").await, before + 1);
    let ev = api.get(&format!("/api/v1/audit/events?entity=unit&entity_id={id}&limit=1")).await.json();
    assert_eq!(ev[0]["action"], "unit.rename");
    assert!(ev[0]["before"].as_str().unwrap_or_default().contains("东街分社"));
    assert!(ev[0]["after"].as_str().unwrap_or_default().contains("东街支行"));
    assert!(problems(&app).await.is_empty());
    app.finish().await;
}

#[tokio::test]
async fn an_edited_event_is_found() {
    let app = TestApp::demo().await;
    app.exec("UPDATE audit_events SET after_json = '{\"name\":\"伪造\"}' WHERE seq = 10").await;
    assert!(problems(&app).await.contains(&Problem::AlteredEvent { seq: 10 }));
    app.finish().await;
}

#[tokio::test]
async fn a_deleted_event_is_found() {
    let app = TestApp::demo().await;
    app.exec("DELETE FROM audit_events WHERE seq = 20").await;
    let p = problems(&app).await;
    assert!(p.contains(&Problem::BrokenLink { seq: 21 }), "{p:?}");
    app.finish().await;
}

#[tokio::test]
async fn removing_the_newest_events_is_found_by_the_chain_head() {
    let app = TestApp::demo().await;
    let last = app.scalar("SELECT MAX(seq) FROM audit_events").await;
    app.exec(&format!("DELETE FROM audit_events WHERE seq = {last}")).await;
    let p = problems(&app).await;
    assert!(p.iter().any(|x| matches!(x, Problem::HeadMismatch { .. })), "{p:?}");
    app.finish().await;
}

#[tokio::test]
async fn an_inserted_event_is_found() {
    let app = TestApp::demo().await;
    app.exec(
        "INSERT INTO audit_events (seq, at, actor_id, unit_id, action, entity, entity_id, before_json, after_json, row_hash, prev_hash, hash) \
         SELECT seq + 100000, at, actor_id, unit_id, 'staff.update', entity, entity_id, before_json, after_json, row_hash, hash, hash \
         FROM audit_events WHERE seq = 5",
    )
    .await;
    let p = problems(&app).await;
    assert!(p.iter().any(|x| matches!(x, Problem::Gap { .. } | Problem::AlteredEvent { .. })), "{p:?}");
    app.finish().await;
}

#[tokio::test]
async fn a_staff_row_changed_behind_the_systems_back_is_found() {
    let app = TestApp::demo().await;
    let id = app.scalar("SELECT MIN(id) FROM staff").await;
    app.exec(&format!("UPDATE staff SET card_grade = 'a' WHERE id = {id}")).await;
    assert!(problems(&app).await.contains(&Problem::RowChanged { entity: "staff".into(), id: id.to_string() }));
    app.finish().await;
}

#[tokio::test]
async fn a_calendar_rewritten_behind_the_systems_back_is_found() {
    // The calendar decides what every outlet owes each day: a version edited in the database is found.
    let app = TestApp::demo().await;
    let id = app.scalar("SELECT MAX(id) FROM calendar_versions").await;
    assert!(problems(&app).await.is_empty());
    app.exec(&format!("UPDATE calendar_versions SET body = REPLACE(body, '2026-10-08', '2026-10-09') WHERE id = {id}"))
        .await;
    app.exec(&format!("UPDATE calendar_versions SET body = REPLACE(body, '\"rest_weekdays\":[6,7]', '\"rest_weekdays\":[]') WHERE id = {id}")).await;
    let p = problems(&app).await;
    assert!(p.contains(&Problem::RowChanged { entity: "calendar_versions".into(), id: id.to_string() }), "{p:?}");
    app.finish().await;
}

#[tokio::test]
async fn a_row_inserted_or_deleted_behind_the_systems_back_is_found() {
    let app = TestApp::demo().await;
    app.exec(
        "INSERT INTO staff (unit_id, staff_no, name, positions, employment, key_position, card_grade, phone, active, created_at, updated_at) \
         VALUES (1, 'GHOST-1', '幽灵', ',teller,', 'formal', 0, NULL, NULL, 1, 0, 0)",
    )
    .await;
    let ghost = app.scalar("SELECT id FROM staff WHERE staff_no = 'GHOST-1'").await;
    let notice = app.scalar("SELECT MIN(id) FROM notices").await;
    app.exec(&format!("DELETE FROM notices WHERE id = {notice}")).await;
    let p = problems(&app).await;
    assert!(p.contains(&Problem::RowUnrecorded { entity: "staff".into(), id: ghost.to_string() }), "{p:?}");
    assert!(p.contains(&Problem::RowMissing { entity: "notice".into(), id: notice.to_string() }), "{p:?}");
    app.finish().await;
}

#[tokio::test]
async fn a_password_hash_swapped_in_the_database_is_found() {
    let app = TestApp::demo().await;
    app.exec("UPDATE accounts SET password_hash = (SELECT password_hash FROM accounts WHERE username = 'shenji') WHERE username = 'admin'").await;
    let admin = app.scalar("SELECT id FROM accounts WHERE username = 'admin'").await;
    assert!(problems(&app).await.contains(&Problem::RowChanged { entity: "account".into(), id: admin.to_string() }));
    app.finish().await;
}

#[tokio::test]
async fn the_audit_page_shows_verification() {
    let app = TestApp::demo().await;
    let mut c = app.signed_in("shenji").await;
    assert!(c.get("/audit?verify=1").await.body.contains("校验通过"));
    app.exec("UPDATE staff SET name = '篡改' WHERE id = (SELECT MIN(id) FROM staff)").await;
    let page = c.get("/audit?verify=1").await.body;
    assert!(page.contains("校验失败") && page.contains("与最后一次审计记录不符"));
    app.finish().await;
}

#[tokio::test]
async fn imported_records_and_the_day_counts_are_covered_too() {
    let app = TestApp::demo().await;
    anbao_app::demo_records::seed(&app.db, &app.blobs(), anbao_testkit::START_MS, 3).await.expect("generate");
    assert!(problems(&app).await.is_empty());
    app.exec("UPDATE record_day_counts SET n = n + 1 WHERE day = (SELECT MAX(day) FROM record_day_counts)").await;
    assert!(problems(&app).await.iter().any(|p| matches!(p, Problem::CountsDiffer { .. })));
    app.exec("UPDATE record_day_counts SET n = n - 1 WHERE day = (SELECT MAX(day) FROM record_day_counts)").await;
    app.exec("UPDATE records SET value = 999 WHERE id = (SELECT MIN(id) FROM records WHERE kind = 'cctv_check')").await;
    let p = problems(&app).await;
    assert!(p.iter().any(|x| matches!(x, Problem::RowChanged { entity, .. } if entity == "record_batch")), "{p:?}");
    app.finish().await;
}
