//! The annual security work plan (RESP-4): made from the template once per unit and year, judged items take their
//! progress from the rules, the others are reported by the unit's keepers, every item names who answers for it, and
//! bad reports write nothing.
use anbao_testkit::TestApp;
use axum::http::StatusCode;
use serde_json::{Value, json};

async fn county(app: &TestApp) -> i64 {
    app.scalar("SELECT id FROM units WHERE name = '清河县农村信用合作联社'").await
}

fn item<'a>(plan: &'a Value, title_part: &str) -> &'a Value {
    plan["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["title"].as_str().unwrap_or_default().contains(title_part))
        .unwrap()
}

#[tokio::test]
async fn a_plan_is_made_from_the_template_and_its_items_are_judged_or_reported() {
    let app = TestApp::demo().await;
    let unit = county(&app).await;
    let mut sec = app.api("qinghe.baowei").await;
    let r = sec.json("POST", "/api/v1/workplan", &json!({"unit_id": unit, "year": "2026"})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let again = sec.json("POST", "/api/v1/workplan", &json!({"unit_id": unit, "year": "2026"})).await;
    assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.body);
    let template = anbao_app::workplan::template().unwrap().items.len() as i64;
    assert_eq!(app.count("work_plan_items").await, template);
    let plan = sec.get(&format!("/api/v1/workplan?unit={unit}&year=2026")).await.json();
    // Judged: nobody has signed a letter in the demo, so the January letters item is overdue by its rule.
    let letters = item(&plan, "层层签订安全责任书");
    assert_eq!((letters["rule_id"].as_str(), letters["state"].as_str()), (Some("RESP-1-a"), Some("overdue")), "{plan}");
    assert!(letters["progress"].as_str().unwrap().starts_with("0/"), "{letters}");
    // Reported: the January alarm item is overdue until reported whole; its owner is named by post.
    let alarm = item(&plan, "110联网报警系统");
    assert_eq!(alarm["state"].as_str(), Some("overdue"));
    assert!(
        alarm["accountable"].as_str().unwrap().starts_with("保卫人员："),
        "the county's security officers sit in its 保卫部: {alarm}"
    );
    let id = alarm["id"].as_i64().unwrap();
    let r = sec
        .json("PUT", &format!("/api/v1/workplan/items/{id}"), &json!({"percent": "100", "note": "已更换并联网测试"}))
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    let plan = sec.get(&format!("/api/v1/workplan?unit={unit}&year=2026")).await.json();
    assert_eq!(item(&plan, "110联网报警系统")["state"].as_str(), Some("done"));
    // The page shows the same, at desktop and with the report form.
    let page = app.signed_in("qinghe.baowei").await.get(&format!("/workplan?unit={unit}&year=2026")).await;
    assert!(page.status == StatusCode::OK && page.body.contains("已更换并联网测试") && page.body.contains("填报"));
    app.finish().await;
}

#[tokio::test]
async fn a_bad_report_gets_a_clear_error_and_writes_nothing() {
    let app = TestApp::demo().await;
    let unit = county(&app).await;
    let mut sec = app.api("qinghe.baowei").await;
    sec.json("POST", "/api/v1/workplan", &json!({"unit_id": unit, "year": "2026"})).await;
    let plan = sec.get(&format!("/api/v1/workplan?unit={unit}&year=2026")).await.json();
    let manual = item(&plan, "电控联动门")["id"].as_i64().unwrap();
    let judged = item(&plan, "层层签订安全责任书")["id"].as_i64().unwrap();
    let long = "进".repeat(501);
    for (id, body, says) in [
        (manual, json!({"percent": "150"}), "0–100"),
        (manual, json!({"percent": "半"}), "0–100"),
        (manual, json!({"percent": "50", "note": long}), "500"),
        (judged, json!({"percent": "100"}), "RESP-1-a"),
    ] {
        let r = sec.json("PUT", &format!("/api/v1/workplan/items/{id}"), &body).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert!(r.body.contains(says), "{says}: {}", r.body);
    }
    assert_eq!(app.scalar("SELECT COUNT(*) FROM work_plan_items WHERE percent <> 0 OR note <> ''").await, 0);
    let r = sec.json("POST", "/api/v1/workplan", &json!({"unit_id": unit, "year": "26"})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    app.finish().await;
}
