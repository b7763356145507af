//! What the pages do, done through the JSON API alone (SYS-7): a place's ledger from registration to a repaired
//! fault and the frozen monthly report, the checklist's versions, safety bulletins, the message centre, and errors
//! that are JSON whatever refused the request.
use anbao_testkit::TestApp;
use axum::http::StatusCode;
use serde_json::{Value, json};

fn sheet(bytes: &[u8]) -> anbao_app::workbook::Rows {
    let limits = anbao_app::workbook::Limits {
        max_file_bytes: 16 << 20,
        max_unzipped_bytes: 256 << 20,
        max_rows: 100_000,
        max_cols: 100,
    };
    anbao_app::workbook::read_first_sheet(bytes, &limits).expect("a workbook")
}

async fn unit(app: &TestApp, name: &str) -> i64 {
    app.scalar(&format!("SELECT id FROM units WHERE name = '{name}'")).await
}

#[tokio::test]
async fn a_place_is_registered_equipped_repaired_and_reported_through_the_api() {
    let app = TestApp::demo().await;
    let cg = unit(&app, "城关信用社营业部").await;
    let mut county = app.api("qinghe.baowei").await;
    let mut head = app.api("chengguan.zhuren").await;

    let r = county
        .json(
            "POST",
            "/api/v1/facilities/places",
            &json!({"unit_id": cg, "kind": "atm", "name": "城关新设自助银行", "risk_level": 2}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let place = r.json()["id"].as_i64().unwrap();
    // A place with nothing in it lacks what the standard asks of an ATM.
    let ledger: Value = head.get(&format!("/api/v1/facilities/places/{place}")).await.json();
    assert_eq!(ledger["items"], json!([]), "{ledger}");
    assert!(!ledger["gaps"].as_array().unwrap().is_empty(), "an empty ATM has gaps: {ledger}");

    let item = json!({"place_id": place, "kind": "cctv", "model": "DS-2CD", "count": 1, "supplier": "安防公司", "installed": "2026-02-01"});
    let r = county.json("POST", "/api/v1/facilities/items", &item).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let item = r.json()["id"].as_i64().unwrap();
    let ledger: Value = head.get(&format!("/api/v1/facilities/places/{place}")).await.json();
    assert_eq!(ledger["items"][0]["status"], "working", "{ledger}");
    assert!(ledger["gaps"].as_array().unwrap().iter().all(|g| g["kind"] != "cctv"), "cctv no longer lacking: {ledger}");

    // The outlet reports the fault; a fault needs its description.
    let r = head.json("POST", &format!("/api/v1/facilities/items/{item}/fault"), &json!({"note": ""})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let r = head.json("POST", &format!("/api/v1/facilities/items/{item}/fault"), &json!({"note": "画面黑屏"})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let fault = r.json()["id"].as_i64().unwrap();
    // The answer is the fault's id, the item's own row marked faulty.
    assert_eq!(app.scalar(&format!("SELECT item_id FROM facility_faults WHERE id = {fault}")).await, item);
    assert_eq!(
        app.scalar(&format!("SELECT COUNT(*) FROM facility_items WHERE id = {item} AND status = 'faulty'")).await,
        1
    );
    let r = head.json("POST", &format!("/api/v1/facilities/items/{item}/fault"), &json!({"note": "又坏了"})).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "already faulty: {}", r.body);

    // The security department dispatches it; no step is skipped.
    let verify = format!("/api/v1/facilities/faults/{fault}/verify");
    assert_eq!(county.json("POST", &verify, &json!({})).await.status, StatusCode::CONFLICT);
    let r = county
        .json(
            "POST",
            &format!("/api/v1/facilities/faults/{fault}/dispatch"),
            &json!({"assignee": "维修公司王工", "deadline": "2026-03-05"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    let work: Value = county.get(&format!("/api/v1/facilities/work?unit={cg}")).await.json();
    let f = work["faults"].as_array().unwrap().iter().find(|f| f["id"] == fault).cloned().expect("listed");
    assert_eq!(
        (f["status"].as_str(), f["assignee"].as_str(), f["deadline"].as_str()),
        (Some("dispatched"), Some("维修公司王工"), Some("2026-03-05"))
    );
    assert_eq!(f["overdue"], false);

    // The monthly report: live figures until it is reported, then frozen as they were.
    let live: Value = county.get(&format!("/api/v1/facilities/report?unit={cg}&month=2026-03")).await.json();
    assert_eq!(live["frozen"], false, "{live}");
    let r = county.json("POST", "/api/v1/facilities/report", &json!({"unit_id": cg, "month": "2026-03"})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let frozen: Value = county.get(&format!("/api/v1/facilities/report?unit={cg}&month=2026-03")).await.json();
    assert_eq!(frozen["frozen"], true, "{frozen}");
    assert_eq!(frozen["lacking"], live["lacking"]);
    assert_eq!(app.scalar(&format!("SELECT COUNT(*) FROM facility_reports WHERE unit_id = {cg}")).await, 1);
    let r = county.get(&format!("/api/v1/facilities/report?unit={cg}&month=2026-13")).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);

    let cat: Value = head.get("/api/v1/facilities/catalogue").await.json();
    assert!(cat["catalogue"]["standard"].as_array().unwrap().iter().any(|s| s["place"] == "atm"), "{cat}");
    assert!(cat["place_kinds"].as_array().unwrap().iter().any(|k| k["code"] == "vault"));
}

#[tokio::test]
async fn the_checklist_is_read_and_versioned_through_the_api_by_the_union_only() {
    let app = TestApp::demo().await;
    let mut province = app.api("baowei").await;
    let body: Value = app.api("chengguan.guiyuan").await.get("/api/v1/checklist").await.json();
    let versions = body["versions"].as_array().unwrap().len();
    let template = body["current"]["template"].clone();
    let points: i64 = template["item"].as_array().unwrap().iter().map(|i| i["points"].as_i64().unwrap()).sum();
    assert_eq!(points, 100, "{template}");

    let edit = json!({"template": template, "effective_from": "2026-03-03"});
    let r = app.api("qinghe.baowei").await.json("PUT", "/api/v1/checklist", &edit).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "a county does not edit the union's checklist: {}", r.body);
    let mut short = template.clone();
    short["item"].as_array_mut().unwrap().pop();
    let r =
        province.json("PUT", "/api/v1/checklist", &json!({"template": short, "effective_from": "2026-03-03"})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "points short of 100: {}", r.body);
    let r =
        province.json("PUT", "/api/v1/checklist", &json!({"template": template, "effective_from": "2026-03-01"})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "not in the past: {}", r.body);
    let after: Value = province.get("/api/v1/checklist").await.json();
    assert_eq!(after["versions"].as_array().unwrap().len(), versions, "nothing stored by a refusal");

    let r = province.json("PUT", "/api/v1/checklist", &edit).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let after: Value = province.get("/api/v1/checklist").await.json();
    let list = after["versions"].as_array().unwrap();
    assert_eq!(list.len(), versions + 1);
    assert_eq!(list.last().unwrap()["effective_from"], "2026-03-03");
    assert_ne!(after["current"]["effective_from"], "2026-03-03", "tomorrow's version is not in force today");
}

#[tokio::test]
async fn bulletins_are_published_and_messages_read_through_the_api() {
    let app = TestApp::demo().await;
    let county_id = unit(&app, "清河县农村信用合作联社").await;
    let mut county = app.api("qinghe.baowei").await;
    let r = county
        .json(
            "POST",
            "/api/v1/bulletins",
            &json!({"unit_id": county_id, "title": "三月安全通报", "body": "检查发现的问题及整改要求。"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let list = app.api("chengguan.zhuren").await.get("/api/v1/bulletins").await;
    assert!(list.body.contains("三月安全通报"), "seen below: {}", list.body);
    let r = county.json("POST", "/api/v1/bulletins", &json!({"unit_id": county_id, "title": "", "body": "x"})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);

    let mut head = app.api("chengguan.zhuren").await;
    let unread = |m: &Value| m.as_array().unwrap().iter().filter(|x| x["read"] == false).count() as u64;
    let before = unread(&head.get("/api/v1/messages").await.json());
    let r = head.json("POST", "/api/v1/messages/read", &json!({})).await;
    assert_eq!(r.json()["marked"].as_u64(), Some(before), "{}", r.body);
    assert_eq!(unread(&head.get("/api/v1/messages").await.json()), 0);
    assert_eq!(head.json("POST", "/api/v1/messages/read", &json!({})).await.json()["marked"], 0);
}

#[tokio::test]
async fn every_api_error_is_json_even_when_the_framework_refuses() {
    let app = TestApp::demo().await;
    let mut api = app.api("baowei").await;
    // A query string that does not parse, and a method the path does not take.
    for (method, path, status) in [
        ("GET", "/api/v1/facilities/gaps?unit=abc", StatusCode::BAD_REQUEST),
        ("DELETE", "/api/v1/facilities/gaps", StatusCode::METHOD_NOT_ALLOWED),
    ] {
        let r = api.json(method, path, &json!({})).await;
        assert_eq!(r.status, status, "{method} {path}: {}", r.body);
        let e = r.json();
        assert!(e["error"]["code"].is_string() && e["error"]["message"].is_string(), "{method} {path}: {}", r.body);
    }
}

#[tokio::test]
async fn every_export_downloads_through_the_api_by_token_with_the_pages_rows() {
    let app = TestApp::demo().await;
    let cg = unit(&app, "城关信用社营业部").await;
    let mut head = app.api("chengguan.zhuren").await;
    let r = head.get(&format!("/api/v1/keys/export.xlsx?unit={cg}")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.headers[axum::http::header::CONTENT_TYPE].to_str().unwrap().contains("spreadsheetml"));
    let api_rows = sheet(&r.bytes);
    // The page's export, signed in by cookie, is the same workbook row for row.
    let page = app.signed_in("chengguan.zhuren").await.get(&format!("/keys/export.xlsx?unit={cg}")).await;
    assert_eq!(api_rows, sheet(&page.bytes));
    assert!(api_rows.len() > 1, "the outlet's keys are listed: {api_rows:?}");

    // Refusals are the API's: JSON, 401 without a token, 404 outside scope, 400 for a query that does not parse.
    let r = app.client().get("/api/v1/records/export.xlsx").await;
    assert_eq!((r.status, r.json()["error"]["code"].as_str()), (StatusCode::UNAUTHORIZED, Some("unauthenticated")));
    let dj = unit(&app, "东街分社").await;
    let r = app.api("dongjie.zhuren").await.get(&format!("/api/v1/inspections/export.xlsx?unit={cg}")).await;
    assert_eq!(
        (r.status, r.json()["error"]["code"].as_str()),
        (StatusCode::NOT_FOUND, Some("not_found")),
        "{}",
        r.body
    );
    let r = head.get(&format!("/api/v1/inspections/export.xlsx?unit={dj}x")).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert!(r.json()["error"]["code"].is_string());
    // Every export without a path id downloads for the province, as a workbook with its header row.
    let mut province = app.api("baowei").await;
    for e in anbao_web::api::exports::EXPORTS.iter().filter(|e| !e.path.contains('{')) {
        let r = province.get(e.path).await;
        assert_eq!(r.status, StatusCode::OK, "{}: {}", e.path, r.body);
        assert!(!sheet(&r.bytes).is_empty(), "{}: a header row at least", e.path);
    }
}

#[tokio::test]
async fn each_record_kind_says_what_it_asks_for_and_a_record_built_from_that_is_accepted() {
    let app = TestApp::demo().await;
    let cg = unit(&app, "城关信用社营业部").await;
    let mut teller = app.api("chengguan.guiyuan").await;
    let r = teller.get("/api/v1/record-kinds").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let kinds = r.json();
    let kind = |code: &str| kinds.as_array().unwrap().iter().find(|k| k["code"] == code).cloned().unwrap();
    assert_eq!(kinds.as_array().unwrap().len(), anbao_domain::records::RecordKind::ALL.len());
    let patrol = kind("atm_patrol");
    assert_eq!((patrol["about"].as_str(), patrol["asset_kind"].as_str()), (Some("asset"), Some("atm")));
    // An inspection visit is written by the inspection's countersigning, and the API says where.
    let visit = kind("inspection_visit");
    assert_eq!(visit["entered_through"].as_str(), Some("/inspections"));
    let r = teller.json("POST", "/api/v1/records", &json!({"kind": "inspection_visit", "unit_id": cg})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    // The opening check is about the unit and ticks its checks: every check ticked, it is a normal check.
    let opening = kind("opening_check");
    assert_eq!(opening["about"].as_str(), Some("unit"));
    let checks: Vec<&str> = opening["checks"].as_array().unwrap().iter().map(|c| c["code"].as_str().unwrap()).collect();
    assert!(checks.len() >= 3, "{opening}");
    assert_eq!(opening["text"]["max_chars"].as_u64(), Some(2000));
    let r = teller
        .json("POST", "/api/v1/records", &json!({"kind": "opening_check", "unit_id": cg, "checks": checks}))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let id = r.json()["id"].as_i64().unwrap();
    let stored = teller.get(&format!("/api/v1/records/{id}")).await.json();
    assert_eq!(stored["kind"], "opening_check");
    assert!(checks.iter().all(|c| stored["data"]["checks"][c] == true), "{stored}");
    // Without a token, nothing.
    assert_eq!(app.client().get("/api/v1/record-kinds").await.status, StatusCode::UNAUTHORIZED);
    app.finish().await;
}
