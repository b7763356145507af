//! Emergency plans end to end: the shipped book holds the seed's plans with their articles; a plan's page on the
//! reader's unit names its leaders and the county's security department from the org data; a use of a plan keeps
//! the steps ticked, and bad ticks write nothing; only the union's rulebook holders replace the book; the service
//! worker lists every plan; a sign-out clears what the phone kept.
use anbao_testkit::TestApp;
use axum::http::StatusCode;
use serde_json::json;

#[tokio::test]
async fn the_shipped_book_holds_the_seeds_plans_with_their_articles() {
    let app = TestApp::demo().await;
    let mut c = app.api("chengguan.guiyuan").await;
    let r = c.get("/api/v1/plans").await;
    assert_eq!(r.status, StatusCode::OK);
    let b = r.json();
    let plans = b["plans"].as_array().unwrap();
    let article =
        |code: &str| plans.iter().find(|p| p["code"] == code).map(|p| p["article"].as_str().unwrap().to_owned());
    // 预案 第六–十一条 (fire), 第十二条 (counter), 第十七–十八条 (vault duty), 第十九–二十五条 (escort).
    assert_eq!(article("fire_business_hours").as_deref(), Some("预案 第六条"));
    assert_eq!(article("fire_cash_van").as_deref(), Some("预案 第十条"));
    assert_eq!(article("counter_threat").as_deref(), Some("预案 第十二条"));
    assert_eq!(article("vault_lines_cut").as_deref(), Some("预案 第十八条"));
    assert_eq!(article("escort_handover_robbery").as_deref(), Some("预案 第二十五条"));
    for g in ["fire", "counter", "vault", "escort"] {
        assert!(plans.iter().any(|p| p["group"] == g), "a plan for {g}");
    }
    // Every plan ends with 第五条's report.
    assert!(
        plans.iter().all(|p| p["step"].as_array().unwrap().last().unwrap()["act"].as_str().unwrap().contains("报告"))
    );
    app.finish().await;
}

#[tokio::test]
async fn a_plan_names_the_readers_leaders_and_security_department_and_keeps_the_steps_ticked() {
    let app = TestApp::demo().await;
    let mut c = app.api("chengguan.guiyuan").await;
    let r = c.get("/api/v1/plans/fire_business_hours").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let v = r.json();
    let outlet = app
        .scalar(
            "SELECT s.unit_id FROM staff s JOIN accounts a ON a.staff_id = s.id WHERE a.username = 'chengguan.guiyuan'",
        )
        .await;
    assert_eq!(v["unit_id"].as_i64(), Some(outlet));
    let contact =
        |code: &str| v["contacts"].as_array().unwrap().iter().find(|c| c["contact"] == code).cloned().unwrap();
    assert_eq!(contact("119")["number"], "119");
    // The outlet's head, as the staff register has them.
    let head: String = {
        use sqlx::Row;
        let mut db = app.db.read().await.unwrap();
        sqlx::query(
            "SELECT s.name FROM staff s JOIN accounts a ON a.staff_id = s.id WHERE a.username = 'chengguan.zhuren'",
        )
        .fetch_one(&mut *db)
        .await
        .unwrap()
        .get("name")
    };
    let leaders = contact("unit_leaders");
    assert!(leaders["people"].as_array().unwrap().iter().any(|p| p["name"] == head.as_str()), "{leaders}");
    let security = contact("security_dept");
    assert!(!security["people"].as_array().unwrap().is_empty(), "{security}");
    // The page offers one-tap calls and the steps.
    let mut w = app.signed_in("chengguan.guiyuan").await;
    let page = w.get("/plans/fire_business_hours").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("href=\"tel:119\"") && page.body.contains("切断电源") && page.body.contains(&head));
    // A use of the plan: two steps ticked.
    let now = app.now();
    let runs = app.count("plan_runs").await;
    let ok = json!({"started_at": now - 120_000, "ticks": [{"step": 1, "at": now - 100_000}, {"step": 2, "at": now - 60_000}], "notes": "火情已扑灭"});
    let r = c.json("POST", "/api/v1/plans/fire_business_hours/runs", &ok).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(app.count("plan_runs").await, runs + 1);
    // Bad ticks: a step the plan does not have, one twice, one before the start, a start a week and more ago.
    for bad in [
        json!({"started_at": now - 1000, "ticks": [{"step": 99, "at": now}]}),
        json!({"started_at": now - 1000, "ticks": [{"step": 1, "at": now}, {"step": 1, "at": now}]}),
        json!({"started_at": now - 1000, "ticks": [{"step": 1, "at": now - 3_600_000}]}),
        json!({"started_at": now - 8 * 86_400_000, "ticks": []}),
        json!({"started_at": now, "notes": "长".repeat(2001)}),
    ] {
        let r = c.json("POST", "/api/v1/plans/fire_business_hours/runs", &bad).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{bad} → {}", r.body);
    }
    assert_eq!(app.count("plan_runs").await, runs + 1);
    assert_eq!(c.json("POST", "/api/v1/plans/no_such_plan/runs", &ok).await.status, StatusCode::NOT_FOUND);
    // A case report started from the plan names it.
    let f = w.get("/cases/new?plan=fire_business_hours").await;
    assert!(f.body.contains("营业期间发生火灾") && f.body.contains("预案 第六条"), "the report names the plan");
    app.finish().await;
}

#[tokio::test]
async fn only_the_unions_rulebook_holders_replace_the_book_and_a_bad_book_writes_nothing() {
    let app = TestApp::demo().await;
    let mut p = app.api("baowei").await;
    let mut book = p.get("/api/v1/plans").await.json();
    let plans = book["plans"].as_array_mut().unwrap();
    plans[0]["step"][0]["act"] = json!("立即切断总电源");
    let body = json!({"plan": plans.clone()});
    let mut county = app.api("qinghe.baowei").await;
    assert_eq!(county.json("PUT", "/api/v1/plans", &body).await.status, StatusCode::FORBIDDEN);
    let versions = app.count("plan_versions").await;
    let mut dup = plans.clone();
    dup.push(plans[0].clone());
    let r = p.json("PUT", "/api/v1/plans", &json!({"plan": dup})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let mut badcall = plans.clone();
    badcall[0]["step"][0]["call"] = json!("999");
    assert_eq!(
        p.json("PUT", "/api/v1/plans", &json!({"plan": badcall})).await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(app.count("plan_versions").await, versions);
    let r = p.json("PUT", "/api/v1/plans", &body).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["version"].as_i64(), Some(2));
    let again = county.get("/api/v1/plans").await.json();
    assert_eq!(again["version"].as_i64(), Some(2));
    assert_eq!(again["plans"][0]["step"][0]["act"], "立即切断总电源");
    app.finish().await;
}

#[tokio::test]
async fn the_service_worker_keeps_every_plan_and_a_sign_out_clears_it() {
    let app = TestApp::demo().await;
    let mut w = app.signed_in("chengguan.guiyuan").await;
    let sw = w.get("/sw.js").await;
    assert_eq!(sw.status, StatusCode::OK);
    assert!(sw.headers.get("content-type").unwrap().to_str().unwrap().starts_with("text/javascript"));
    let n = app.scalar("SELECT COUNT(*) FROM plan_versions").await;
    assert_eq!(n, 1);
    for code in ["fire_business_hours", "counter_threat", "vault_lines_cut", "escort_accident"] {
        assert!(sw.body.contains(&format!("\"/plans/{code}\"")), "{code} is precached");
    }
    assert!(sw.body.contains("anbao-plans-1"));
    let token = w.csrf().await;
    let out = w.post_form("/logout", &[("csrf", &token)]).await;
    assert_eq!(out.headers.get("clear-site-data").and_then(|v| v.to_str().ok()), Some("\"cache\", \"storage\""));
    app.finish().await;
}
