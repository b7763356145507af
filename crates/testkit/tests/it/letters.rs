//! Responsibility letters end to end: the signing plan follows the cascade over the real demo tree and reaches every
//! active employee once per kind and year; the unsigned view equals a direct count; only the signer signs, once; a
//! paper letter's scan signs it; the unit's evidence is written when its last letter is signed; bad input writes
//! nothing.
use anbao_testkit::{DEMO_PIN, TestApp};
use axum::http::StatusCode;
use serde_json::json;

const COUNTY: &str = "清河县农村信用合作联社";
const OUTLET: &str = "城关信用社营业部";

async fn unit(app: &TestApp, name: &str) -> i64 {
    app.scalar(&format!("SELECT id FROM units WHERE name = '{name}'")).await
}

async fn path_of(app: &TestApp, id: i64) -> String {
    use sqlx::Row;
    let mut c = app.db.read().await.expect("conn");
    sqlx::query("SELECT path FROM units WHERE id = $1").bind(id).fetch_one(&mut *c).await.expect("path").get("path")
}

async fn plan(app: &TestApp, user: &str, unit: i64, kind: &str, year: &str) -> (StatusCode, serde_json::Value) {
    let mut c = app.api(user).await;
    let r = c
        .json("POST", "/api/v1/letters/plans", &json!({"unit_id": unit, "kind": kind, "year": year, "targets": "一、全年不发生案件。\n二、严格执行双人制度。"}))
        .await;
    let body = if r.status.is_success() { r.json() } else { json!({"error": r.body}) };
    (r.status, body)
}

/// The letter of the person behind an account, for a kind and year.
async fn letter_of(app: &TestApp, username: &str, kind: &str, year: i64) -> i64 {
    app.scalar(&format!(
        "SELECT l.id FROM letters l JOIN accounts a ON a.staff_id = l.signer_id \
         WHERE a.username = '{username}' AND l.kind = '{kind}' AND l.year = {year}"
    ))
    .await
}

#[tokio::test]
async fn the_signing_plan_reaches_every_active_employee_of_a_subtree_exactly_once() {
    let app = TestApp::demo().await;
    let county = unit(&app, COUNTY).await;
    let cpath = path_of(&app, county).await;
    // A county's security department makes its plan: everyone of the county, its chairman included.
    let (st, made) = plan(&app, "qinghe.baowei", county, "security_target", "2027").await;
    assert_eq!(st, StatusCode::CREATED, "{made}");
    let active = app
        .scalar(&format!(
            "SELECT COUNT(*) FROM staff s JOIN units u ON u.id = s.unit_id WHERE s.active = 1 AND u.path LIKE '{cpath}%'"
        ))
        .await;
    assert!(active > 50, "the demo county has its staff: {active}");
    assert_eq!(made["added"].as_i64(), Some(active));
    assert_eq!(app.scalar("SELECT COUNT(*) FROM letters WHERE year = 2027 AND kind = 'security_target'").await, active);
    // The chairman signs with the regional centre's head; an outlet's teller with the outlet's head.
    let chairman_issuer = app
        .scalar(&format!(
            "SELECT l.issuer_id FROM letters l JOIN units u ON u.id = {county} WHERE l.signer_id = u.first_responsible_id AND l.year = 2027"
        ))
        .await;
    let centre_head = app
        .scalar(&format!(
            "SELECT p.first_responsible_id FROM units u JOIN units p ON p.id = u.parent_id WHERE u.id = {county}"
        ))
        .await;
    assert_eq!(chairman_issuer, centre_head);
    let teller_letter = letter_of(&app, "chengguan.guiyuan", "security_target", 2027).await;
    let outlet = unit(&app, OUTLET).await;
    let outlet_head = app.scalar(&format!("SELECT first_responsible_id FROM units WHERE id = {outlet}")).await;
    assert_eq!(app.scalar(&format!("SELECT issuer_id FROM letters WHERE id = {teller_letter}")).await, outlet_head);
    // Again: nobody gets a second letter.
    let (st, again) = plan(&app, "qinghe.baowei", county, "security_target", "2027").await;
    assert_eq!((st, again["added"].as_i64()), (StatusCode::CREATED, Some(0)));
    // The province's plan then adds everyone else of the tree but its chairman, who issues and signs nothing.
    let (st, _) = plan(&app, "baowei", unit(&app, "云岭省农村信用社联合社").await, "security_target", "2027").await;
    assert_eq!(st, StatusCode::CREATED);
    let unlettered = app
        .scalar(
            "SELECT COUNT(*) FROM staff s WHERE s.active = 1 AND NOT EXISTS \
             (SELECT 1 FROM letters l WHERE l.signer_id = s.id AND l.year = 2027 AND l.kind = 'security_target')",
        )
        .await;
    assert_eq!(unlettered, 1, "only the province chairman has no letter to sign");
    let twice = app
        .scalar(
            "SELECT COUNT(*) FROM (SELECT signer_id FROM letters GROUP BY signer_id, kind, year HAVING COUNT(*) > 1) t",
        )
        .await;
    assert_eq!(twice, 0);
    // An inactive person gets no letter; the other kind is a plan of its own.
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM letters l JOIN staff s ON s.id = l.signer_id WHERE s.active = 0").await,
        0
    );
    assert_eq!(app.scalar("SELECT COUNT(*) FROM letters WHERE kind = 'fire_safety'").await, 0);
    app.finish().await;
}

#[tokio::test]
async fn the_unsigned_view_equals_a_direct_count() {
    let app = TestApp::demo().await;
    let county = unit(&app, COUNTY).await;
    plan(&app, "qinghe.baowei", county, "security_target", "2027").await;
    let teller = letter_of(&app, "chengguan.guiyuan", "security_target", 2027).await;
    let mut t = app.api("chengguan.guiyuan").await;
    let r =
        t.json("POST", &format!("/api/v1/letters/{teller}/sign"), &json!({"secret": DEMO_PIN, "agree": true})).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    let cpath = path_of(&app, county).await;
    let pending = app
        .scalar(&format!(
            "SELECT COUNT(*) FROM letters WHERE year = 2027 AND status = 'pending' AND unit_path LIKE '{cpath}%'"
        ))
        .await;
    let mut sec = app.api("qinghe.baowei").await;
    let v = sec.get(&format!("/api/v1/letters?unit={county}&kind=security_target&year=2027")).await;
    assert_eq!(v.status, StatusCode::OK, "{}", v.body);
    let v = v.json();
    assert_eq!(v["unsigned"].as_i64(), Some(pending));
    assert_eq!(v["signed"].as_i64(), Some(1));
    let by_units: i64 = v["tallies"].as_array().unwrap().iter().map(|t| t["letters"].as_i64().unwrap()).sum();
    assert_eq!(Some(by_units), v["letters"].as_i64());
    assert_eq!(v["not_signed"].as_array().unwrap().len() as i64, pending.min(500));
    // The outlet's own view: its people only, the teller signed.
    let outlet = unit(&app, OUTLET).await;
    let o = sec.get(&format!("/api/v1/letters?unit={outlet}&kind=security_target&year=2027")).await.json();
    let staff = app.scalar(&format!("SELECT COUNT(*) FROM staff WHERE unit_id = {outlet} AND active = 1")).await;
    assert_eq!((o["letters"].as_i64(), o["signed"].as_i64()), (Some(staff), Some(1)));
    // The page says the same, with the names.
    let mut web = app.signed_in("qinghe.baowei").await;
    let page = web.get(&format!("/letters?unit={outlet}&kind=security_target&year=2027")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains(&format!("id=\"kpi-unsigned\">{}<", staff - 1)), "{}", page.body);
    let x = web.get(&format!("/letters/export.xlsx?unit={county}&kind=security_target&year=2027")).await;
    assert_eq!(x.status, StatusCode::OK);
    app.finish().await;
}

#[tokio::test]
async fn only_the_signer_signs_their_letter_and_only_once() {
    let app = TestApp::demo().await;
    let county = unit(&app, COUNTY).await;
    plan(&app, "qinghe.baowei", county, "fire_safety", "2027").await;
    let teller = letter_of(&app, "chengguan.guiyuan", "fire_safety", 2027).await;
    let sign = |secret: &str, agree: bool| json!({"secret": secret, "agree": agree});
    // The outlet head sees the teller's letter but cannot sign it for them.
    let mut head = app.api("chengguan.zhuren").await;
    let r = head.json("POST", &format!("/api/v1/letters/{teller}/sign"), &sign(DEMO_PIN, true)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("本人签订"), "{}", r.body);
    // The next outlet's head does not even see it.
    let mut other = app.api("dongjie.zhuren").await;
    assert_eq!(other.get(&format!("/api/v1/letters/{teller}")).await.status, StatusCode::NOT_FOUND);
    let mut t = app.api("chengguan.guiyuan").await;
    let r = t.json("POST", &format!("/api/v1/letters/{teller}/sign"), &sign(DEMO_PIN, false)).await;
    assert!(r.status == StatusCode::UNPROCESSABLE_ENTITY && r.body.contains("承诺"), "{}", r.body);
    let r = t.json("POST", &format!("/api/v1/letters/{teller}/sign"), &sign("000000", true)).await;
    assert!(r.status == StatusCode::UNPROCESSABLE_ENTITY && r.body.contains("不正确"), "{}", r.body);
    assert_eq!(
        app.scalar(&format!("SELECT COUNT(*) FROM letters WHERE id = {teller} AND status = 'pending'")).await,
        1
    );
    // The sign-in password is accepted as well as the PIN.
    let r = t.json("POST", &format!("/api/v1/letters/{teller}/sign"), &sign(anbao_testkit::DEMO_PASSWORD, true)).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    let r = t.json("POST", &format!("/api/v1/letters/{teller}/sign"), &sign(DEMO_PIN, true)).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    assert!(r.body.contains("已签订"), "{}", r.body);
    let l = t.get(&format!("/api/v1/letters/{teller}")).await.json();
    assert_eq!(
        (l["status"].as_str(), l["method"].as_str(), l["late"].as_bool()),
        (Some("signed"), Some("in_system"), Some(false))
    );
    // A signed letter takes no scan either.
    let mut sec = app.api("qinghe.baowei").await;
    let r = sec
        .send(
            axum::http::Request::post(format!("/api/v1/letters/{teller}/scan"))
                .body(axum::body::Body::from(b"%PDF-1.4\n".to_vec()))
                .unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    app.finish().await;
}

#[tokio::test]
async fn the_units_letter_evidence_is_written_when_its_last_letter_is_signed() {
    let app = TestApp::demo().await;
    let outlet = unit(&app, OUTLET).await;
    let before =
        app.scalar(&format!("SELECT COUNT(*) FROM records WHERE kind = 'resp_letter' AND unit_id = {outlet}")).await;
    let (st, _) = plan(&app, "qinghe.baowei", outlet, "security_target", "2026").await;
    assert_eq!(st, StatusCode::CREATED);
    let ids: Vec<i64> = {
        use sqlx::Row;
        let mut c = app.db.read().await.expect("conn");
        sqlx::query("SELECT id FROM letters WHERE unit_id = $1 ORDER BY id")
            .bind(outlet)
            .fetch_all(&mut *c)
            .await
            .unwrap()
            .iter()
            .map(|r| r.get::<i64, _>("id"))
            .collect()
    };
    assert!(ids.len() > 3);
    // Paper letters: the county's security department uploads each scan; a non-scan is refused first.
    let mut web = app.signed_in("qinghe.baowei").await;
    let r = web.post_multipart(&format!("/letters/{}/scan", ids[0]), &[], &[("scan", "x.txt", b"hello")]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    for (i, id) in ids.iter().enumerate() {
        let now = app
            .scalar(&format!("SELECT COUNT(*) FROM records WHERE kind = 'resp_letter' AND unit_id = {outlet}"))
            .await;
        assert_eq!(now, before, "no evidence before the last letter ({i})");
        let r = web
            .post_multipart(&format!("/letters/{id}/scan"), &[], &[("scan", "letter.pdf", b"%PDF-1.4\n%letter\n")])
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    }
    let after =
        app.scalar(&format!("SELECT COUNT(*) FROM records WHERE kind = 'resp_letter' AND unit_id = {outlet}")).await;
    assert_eq!(after, before + 1);
    // Signed in March against a January deadline: late, and the scan is served to those who see the letter.
    let l = app.api("qinghe.baowei").await.get(&format!("/api/v1/letters/{}", ids[0])).await.json();
    assert_eq!(
        (l["method"].as_str(), l["late"].as_bool(), l["deadline"].as_str()),
        (Some("scan"), Some(true), Some("2026-01-31"))
    );
    let f = web.get(&format!("/letters/{}/scan", ids[0])).await;
    assert!(f.status == StatusCode::OK && f.body.starts_with("%PDF-"));
    // Every letter, its plan and each signature is in the trail, and the rows match their last event.
    let problems = anbao_app::audit::verify(&app.db).await.expect("verify").problems;
    assert!(problems.is_empty(), "{problems:?}");
    assert_eq!(
        app.signed_in("dongjie.zhuren").await.get(&format!("/letters/{}/scan", ids[0])).await.status,
        StatusCode::NOT_FOUND
    );
    app.finish().await;
}

#[tokio::test]
async fn bad_plan_input_gets_a_clear_error_and_writes_nothing() {
    let app = TestApp::demo().await;
    let county = unit(&app, COUNTY).await;
    let mut sec = app.api("qinghe.baowei").await;
    let long = "责".repeat(4001);
    for (body, says) in [
        (json!({"unit_id": county, "kind": "loyalty", "year": "2027", "targets": "x"}), "责任书类型"),
        (json!({"unit_id": county, "kind": "fire_safety", "year": "27", "targets": "x"}), "年度"),
        (json!({"unit_id": county, "kind": "fire_safety", "year": "2027", "targets": "  "}), "责任目标"),
        (json!({"unit_id": county, "kind": "fire_safety", "year": "2027", "targets": long}), "4000"),
    ] {
        let r = sec.json("POST", "/api/v1/letters/plans", &body).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert!(r.body.contains(says), "{says}: {}", r.body);
    }
    // A teller may not make a plan; an outlet head cannot reach a unit outside their outlet.
    let outlet = unit(&app, OUTLET).await;
    let (st, _) = plan(&app, "chengguan.guiyuan", outlet, "fire_safety", "2027").await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let (st, _) = plan(&app, "dongjie.zhuren", outlet, "fire_safety", "2027").await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    assert_eq!(app.count("letter_plans").await, 0);
    assert_eq!(app.count("letters").await, 0);
    // The page refuses with the same words, on the page, as 422.
    let mut web = app.signed_in("qinghe.baowei").await;
    let r = web
        .post_form(
            "/letters/plans",
            &[("unit_id", &county.to_string()), ("kind", "fire_safety"), ("year", "二〇二七"), ("targets", "x")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("年度须为"), "{}", r.body);
    assert_eq!(app.count("letters").await, 0);
    app.finish().await;
}

#[tokio::test]
async fn a_pending_letter_is_on_the_signers_to_do_list_and_reminders_reach_them() {
    let app = TestApp::demo().await;
    let outlet = unit(&app, OUTLET).await;
    plan(&app, "qinghe.baowei", outlet, "security_target", "2026").await;
    let mut t = app.api("chengguan.guiyuan").await;
    let todo = t.get("/api/v1/todo").await;
    assert!(todo.body.contains("逾期未签：请签订2026年度安全目标责任书"), "{}", todo.body);
    let mut head = app.api("chengguan.zhuren").await;
    let r = head
        .json("POST", "/api/v1/letters/remind", &json!({"unit_id": outlet, "kind": "security_target", "year": "2026"}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.json()["reminded"].as_i64().unwrap() >= 2, "{}", r.body);
    let msgs = t.get("/api/v1/messages").await;
    assert!(msgs.body.contains("请签订2026年度安全目标责任书"), "{}", msgs.body);
    // A teller may not send reminders.
    let r = t
        .json("POST", "/api/v1/letters/remind", &json!({"unit_id": outlet, "kind": "security_target", "year": "2026"}))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    app.finish().await;
}
