//! Armed guards (ORG-5) end to end: the demo's guards are eligible; a guard whose licence has lapsed, or who has
//! had no live-fire training within the rulebook's window, is refused an escort crew and a gun checkout with the
//! reason, and nothing is written; the credential is the security department's to record.
use anbao_testkit::TestApp;
use axum::http::StatusCode;
use serde_json::json;

const COUNTY: &str = "清河县农村信用合作联社";
const OUTLET: &str = "城关信用社营业部";

async fn guard(app: &TestApp, n: i64) -> i64 {
    let county_path: String = {
        use sqlx::Row;
        let mut c = app.db.read().await.unwrap();
        sqlx::query("SELECT path FROM units WHERE name = $1").bind(COUNTY).fetch_one(&mut *c).await.unwrap().get("path")
    };
    app.scalar(&format!(
        "SELECT s.id FROM staff s JOIN units u ON u.id = s.unit_id WHERE u.path LIKE '{county_path}%' AND s.positions LIKE '%,guard,%' ORDER BY s.id LIMIT 1 OFFSET {n}"
    ))
    .await
}

async fn plan(app: &TestApp, escort: i64) -> (StatusCode, String) {
    let (y, m, d) = anbao_domain::period::ymd(anbao_domain::period::day_of_ms(app.now()));
    let day = format!("{y:04}-{m:02}-{d:02}");
    let mut web = app.signed_in("qinghe.baowei").await;
    let county = app.scalar(&format!("SELECT id FROM units WHERE name = '{COUNTY}'")).await.to_string();
    let outlet = app.scalar(&format!("SELECT id FROM units WHERE name = '{OUTLET}'")).await.to_string();
    let escort = escort.to_string();
    let r = web
        .post_form(
            "/escort/trips",
            &[
                ("unit_id", &county),
                ("plate", "云A·J3857"),
                ("day", &day),
                ("route", "县联社—城关"),
                ("crew_0", &escort),
                ("role_0", "escort"),
                ("gun_0", "1"),
                ("armour_0", "1"),
                ("helmet_0", "1"),
                ("stop_0", &outlet),
                ("deliver_0", "B-9"),
            ],
        )
        .await;
    (r.status, r.body)
}

#[tokio::test]
async fn a_guard_with_a_lapsed_licence_is_refused_an_escort_crew_with_the_reason() {
    let app = TestApp::demo().await;
    let g = guard(&app, 2).await;
    let mut sec = app.api("qinghe.baowei").await;
    let v = sec.get(&format!("/api/v1/staff/{g}/guard")).await.json();
    assert_eq!(v["eligible"], true, "the demo's escorts are eligible: {v}");
    let mut cred = v["credential"].clone();
    cred["licence_expires"] = json!("2026-02-28");
    let r = sec.json("PUT", &format!("/api/v1/staff/{g}/guard"), &cred).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["eligible"], false);
    let trips = app.count("escort_trips").await;
    let (st, body) = plan(&app, g).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body.contains("持枪证已于2026年2月28日过期") && body.contains("第四篇 三(2)(3)"), "{body}");
    assert_eq!(app.count("escort_trips").await, trips);
    // Renewed: the same crew is planned.
    cred["licence_expires"] = json!("2028-12-31");
    assert_eq!(sec.json("PUT", &format!("/api/v1/staff/{g}/guard"), &cred).await.status, StatusCode::OK);
    let (st, body) = plan(&app, g).await;
    assert_eq!(st, StatusCode::SEE_OTHER, "{body}");
    assert_eq!(app.count("escort_trips").await, trips + 1);
    app.finish().await;
}

#[tokio::test]
async fn a_guard_without_live_fire_in_the_window_is_refused_and_the_credential_is_the_departments() {
    let app = TestApp::demo().await;
    let g = guard(&app, 3).await;
    // A year and more later, the demo's live-fire training no longer counts.
    app.advance_minutes(400 * 24 * 60);
    let mut sec = app.api("qinghe.baowei").await;
    let v = sec.get(&format!("/api/v1/staff/{g}/guard")).await.json();
    assert!(v["problems"].as_array().unwrap().iter().any(|p| p.as_str().unwrap().contains("实弹射击")), "{v}");
    let (st, body) = plan(&app, g).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body.contains("实弹射击"), "{body}");
    // Nobody but the security department records a credential; a bad date writes nothing.
    let mut teller = app.api("chengguan.guiyuan").await;
    assert_eq!(
        teller.json("PUT", &format!("/api/v1/staff/{g}/guard"), &json!({"licence_no": "x"})).await.status,
        StatusCode::NOT_FOUND
    );
    let before = app.scalar(&format!("SELECT licence_expires_day FROM guard_credentials WHERE staff_id = {g}")).await;
    for bad in [
        json!({"licence_expires": "2026-13-01"}),
        json!({"birth": "2999-01-01"}),
        json!({"licence_no": "长".repeat(41)}),
    ] {
        assert_eq!(
            sec.json("PUT", &format!("/api/v1/staff/{g}/guard"), &bad).await.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{bad}"
        );
    }
    assert_eq!(
        app.scalar(&format!("SELECT licence_expires_day FROM guard_credentials WHERE staff_id = {g}")).await,
        before
    );
    app.finish().await;
}

#[tokio::test]
async fn a_gun_is_not_issued_to_someone_who_is_not_an_eligible_guard() {
    let app = TestApp::demo().await;
    let me = app.scalar("SELECT staff_id FROM accounts WHERE username = 'qinghe.yayun'").await;
    let gun = app.scalar("SELECT id FROM arms WHERE kind = 'gun' AND status = 'in_store' ORDER BY id LIMIT 1").await;
    let mut sec = app.api("qinghe.baowei").await;
    let mut cred = sec.get(&format!("/api/v1/staff/{me}/guard")).await.json()["credential"].clone();
    cred["vetted_security"] = json!(null);
    assert_eq!(sec.json("PUT", &format!("/api/v1/staff/{me}/guard"), &cred).await.status, StatusCode::OK);
    let checkouts = app.count("arms_checkouts").await;
    let mut y = app.api("qinghe.yayun").await;
    let r = y.json("POST", "/api/v1/arms/checkouts", &json!({"gun_id": gun, "rounds": 0, "purpose": "押运任务"})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("未经保卫部门审核"), "{}", r.body);
    assert_eq!(app.count("arms_checkouts").await, checkouts);
    cred["vetted_security"] = json!("2025-12-01");
    assert_eq!(sec.json("PUT", &format!("/api/v1/staff/{me}/guard"), &cred).await.status, StatusCode::OK);
    let r = y.json("POST", "/api/v1/arms/checkouts", &json!({"gun_id": gun, "rounds": 0, "purpose": "押运任务"})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    app.finish().await;
}

#[tokio::test]
async fn the_guard_post_is_given_only_to_an_eligible_person() {
    let app = TestApp::demo().await;
    // A driver of the county's security department becomes a guard: refused until the credential is on file.
    let driver = app.scalar("SELECT s.id FROM staff s WHERE s.positions = ',driver,' ORDER BY s.id LIMIT 1").await;
    let mut sec = app.api("qinghe.baowei").await;
    let mut body = sec.get(&format!("/api/v1/staff/{driver}")).await.json();
    body["positions"] = json!(["driver", "guard"]);
    let r = sec.json("PUT", &format!("/api/v1/staff/{driver}"), &body).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("未登记经警资格档案"), "{}", r.body);
    assert_eq!(
        app.scalar(&format!("SELECT COUNT(*) FROM staff WHERE id = {driver} AND positions LIKE '%,guard,%'")).await,
        0
    );
    app.finish().await;
}
