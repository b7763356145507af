//! The quarterly assessment end to end: a unit's score equals a hand computation from its records; a unit with a
//! 四类 case is never rated excellent nor rewarded; results are made final once; a scheme that does not add up to
//! 100 is refused and nothing is stored.
use anbao_testkit::{DEMO_PASSWORD, START_MS, TestApp};
use axum::http::StatusCode;
use serde_json::{Value, json};

async fn unit(app: &TestApp, name: &str) -> i64 {
    app.scalar(&format!("SELECT id FROM units WHERE name = '{name}'")).await
}

/// A scheme of the counted measures only, so a test can compute the score by hand.
fn scheme(sections: Value) -> Value {
    json!({
        "title": "测试考核办法", "source": "第四篇 一、(2)", "article": "采取百分制形式",
        "section": sections,
        "rating": [
            {"code": "excellent", "label": "优秀", "label_en": "Excellent", "min": 90},
            {"code": "good", "label": "良好", "label_en": "Good", "min": 80},
            {"code": "fail", "label": "不合格", "label_en": "Fail", "min": 0}
        ],
        "veto": {"four": true, "kinds": ["mass_incident"], "levels": ["outlet", "cooperative", "county"],
                 "forbids": ["excellent"], "source": "篇五 六", "article": "不能评优评先"},
        "assessor": [
            {"unit_kind": "province", "assesses": ["regional_centre", "county"]},
            {"unit_kind": "county", "assesses": ["cooperative", "outlet"]}
        ]
    })
}

fn section(code: &str, points: i64, items: Value) -> Value {
    json!({"code": code, "title": code, "title_en": code, "points": points, "source": "x", "item": items})
}

async fn seed(app: &TestApp) {
    anbao_app::demo_inspect::seed(&app.db, &app.blobs(), START_MS, DEMO_PASSWORD).await.expect("inspections");
    anbao_app::demo_incident::seed(&app.db, &app.blobs(), START_MS, DEMO_PASSWORD).await.expect("cases");
}

async fn rows(app: &TestApp, sql: &str) -> Vec<(i64, i64)> {
    use sqlx::Row;
    let mut c = app.db.read().await.expect("conn");
    sqlx::query(sqlx::AssertSqlSafe(sql.to_owned()))
        .fetch_all(&mut *c)
        .await
        .expect("rows")
        .iter()
        .map(|r| (r.get::<i64, _>(0), r.get::<Option<i64>, _>(1).unwrap_or(-1)))
        .collect()
}

#[tokio::test]
async fn a_units_score_equals_a_hand_computation_from_its_records() {
    let app = TestApp::demo().await;
    seed(&app).await;
    let mut admin = app.api("admin").await;
    let s = scheme(json!([
        section("insp", 40, json!([{"code": "i", "title": "检查得分", "measure": "inspection_score", "points": 40}])),
        section(
            "haz",
            30,
            json!([{"code": "h", "title": "隐患逾期", "measure": "hazards_late", "points": 30, "per_item": 5}])
        ),
        section("case", 30, json!([{"code": "c", "title": "案件", "measure": "cases", "points": 30, "per_item": 10}])),
    ]));
    let r = admin.json("PUT", "/api/v1/assessment/scheme", &s).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let outlet = unit(&app, "城关信用社营业部").await;
    // 2026 Q1: days from 2026-01-01 to 2026-04-01.
    let (from, to) = (anbao_domain::period::first_of_month(2026, 1), anbao_domain::period::first_of_month(2026, 4));
    let scores: Vec<i64> = rows(
        &app,
        &format!(
            "SELECT score_tenths, id FROM inspections WHERE target_unit_id = {outlet} AND status = 'countersigned' \
             AND local_day >= {from} AND local_day < {to} \
             AND id NOT IN (SELECT supersedes_id FROM inspections WHERE supersedes_id IS NOT NULL)"
        ),
    )
    .await
    .into_iter()
    .map(|r| r.0)
    .collect();
    assert!(!scores.is_empty(), "the demo inspects 城关 in the quarter");
    let n = scores.len() as i64;
    let insp: i64 = scores.iter().map(|s| (2 * 400 * (1000 - s) + 1000 * n) / (2 * 1000 * n)).sum();
    let hazards = rows(&app, &format!("SELECT deadline_day, closed_at FROM hazards WHERE unit_id = {outlet}")).await;
    let late = hazards
        .iter()
        .filter(|(d, closed)| *d >= from && *d < to && (*closed < 0 || anbao_domain::period::day_of_ms(*closed) > *d))
        .count() as i64;
    let cases = app
        .scalar(&format!(
            "SELECT COUNT(*) FROM cases WHERE unit_id = {outlet} AND local_day >= {from} AND local_day < {to}"
        ))
        .await;
    assert!(cases >= 1, "the demo's theft at 城关 is in the quarter");
    let expected = 1000 - insp.min(400) - (late * 50).min(300) - (cases * 100).min(300);
    let mut sec = app.api("qinghe.baowei").await;
    let got = sec.get(&format!("/api/v1/assessment/units/{outlet}?year=2026&quarter=1")).await;
    assert_eq!(got.status, StatusCode::OK, "{}", got.body);
    let got = got.json();
    assert_eq!(got["total_tenths"].as_i64(), Some(expected), "{got}");
    // Every point lost is a line with its link; they add up to what was lost.
    let lost: i64 = got["lines"].as_array().unwrap().iter().map(|l| l["lost_tenths"].as_i64().unwrap()).sum();
    assert_eq!(lost, 1000 - expected);
    assert!(got["lines"].as_array().unwrap().iter().all(|l| l["link"].as_str().is_some_and(|s| s.starts_with('/'))));
    // The theft is a 四类 case: 城关 is vetoed, whatever its score.
    assert!(got["veto_case_no"].as_str().is_some_and(|n| n.starts_with("AJ")), "{got}");
    assert_ne!(got["rating"].as_str(), Some("excellent"));
    // The county's ranking has the outlet in it, with the same score.
    let county = unit(&app, "清河县农村信用合作联社").await;
    let rk = sec.get(&format!("/api/v1/assessment?unit={county}&year=2026&quarter=1")).await.json();
    let line = rk["results"].as_array().unwrap().iter().find(|r| r["unit_id"] == outlet).cloned().unwrap();
    assert_eq!(line["total_tenths"].as_i64(), Some(expected));
    app.finish().await;
}

#[tokio::test]
async fn a_unit_with_a_four_kind_case_is_never_rated_excellent_nor_rewarded() {
    let app = TestApp::demo().await;
    seed(&app).await;
    let mut admin = app.api("admin").await;
    // Only decided penalties cost points: with none in 2025 Q4 every unit scores 100.
    let s = scheme(json!([section(
        "p",
        100,
        json!([{"code": "p", "title": "处罚", "measure": "penalties", "points": 100, "per_item": 1}])
    )]));
    assert_eq!(admin.json("PUT", "/api/v1/assessment/scheme", &s).await.status, StatusCode::OK);
    let province = unit(&app, "云岭省农村信用社联合社").await;
    let qinghe = unit(&app, "清河县农村信用合作联社").await;
    let anping = unit(&app, "安平县农村信用合作联社").await;
    let mut office = app.api("baowei").await;
    let rk = office.get(&format!("/api/v1/assessment?unit={province}&year=2025&quarter=4")).await.json();
    let of = |id: i64| rk["results"].as_array().unwrap().iter().find(|r| r["unit_id"] == id).cloned().unwrap();
    // The attempted robbery at 东街 (2025-10) is a 四类 case: its county is vetoed, the next county is not.
    assert_eq!(of(qinghe)["total_tenths"].as_i64(), Some(1000));
    assert_eq!(of(qinghe)["rating"].as_str(), Some("good"), "{rk}");
    assert!(of(qinghe)["veto_case_id"].as_i64().is_some());
    assert_eq!(of(anping)["rating"].as_str(), Some("excellent"));
    // The province's security department makes the ended quarter final, once.
    let q = json!({"unit_id": province, "year": "2025", "quarter": "4"});
    let r = office.json("POST", "/api/v1/assessment/freeze", &q).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let made = r.json()["made_final"].as_i64().unwrap();
    assert_eq!(app.count("assessment_results").await, made);
    // Each unit made final has its ASSESS-1 evidence, dated within the quarter.
    let q4 = anbao_domain::period::first_of_month(2025, 10);
    let evidence = app
        .scalar(&format!(
            "SELECT COUNT(*) FROM records WHERE kind = 'assessment' AND local_day >= {q4} AND local_day < {}",
            q4 + 92
        ))
        .await;
    assert_eq!(evidence, made);
    assert_eq!(office.json("POST", "/api/v1/assessment/freeze", &q).await.status, StatusCode::CONFLICT);
    let running = json!({"unit_id": province, "year": "2026", "quarter": "1"});
    let r = office.json("POST", "/api/v1/assessment/freeze", &running).await;
    assert!(r.status == StatusCode::UNPROCESSABLE_ENTITY && r.body.contains("尚未结束"), "{}", r.body);
    // The year: the vetoed county cannot be rewarded; the other can, once.
    let y = office.get(&format!("/api/v1/assessment/annual?unit={province}&year=2025")).await.json();
    let q_of = |id: i64| y.as_array().unwrap().iter().find(|r| r["unit_id"] == id).cloned().unwrap();
    assert_eq!(q_of(qinghe)["total_tenths"].as_i64(), Some(1000));
    assert_eq!(q_of(qinghe)["rating_label"].as_str(), Some("良好"));
    assert_eq!(q_of(anping)["rating_label"].as_str(), Some("优秀"));
    let reward = |u: i64| json!({"unit_id": u, "year": "2025", "title": "安全保卫工作先进单位"});
    let r = office.json("POST", "/api/v1/assessment/rewards", &reward(qinghe)).await;
    assert!(r.status == StatusCode::UNPROCESSABLE_ENTITY && r.body.contains("一票否决"), "{}", r.body);
    assert_eq!(office.json("POST", "/api/v1/assessment/rewards", &reward(anping)).await.status, StatusCode::NO_CONTENT);
    assert_eq!(office.json("POST", "/api/v1/assessment/rewards", &reward(anping)).await.status, StatusCode::CONFLICT);
    assert_eq!(app.count("assessment_rewards").await, 1);
    // A county's department cannot reward at the province's level.
    let mut county = app.api("qinghe.baowei").await;
    assert_eq!(county.json("POST", "/api/v1/assessment/rewards", &reward(anping)).await.status, StatusCode::NOT_FOUND);
    let problems = anbao_app::audit::verify(&app.db).await.expect("verify").problems;
    assert!(problems.is_empty(), "{problems:?}");
    app.finish().await;
}

#[tokio::test]
async fn a_scheme_that_does_not_add_up_to_100_is_refused_and_nothing_is_stored() {
    let app = TestApp::demo().await;
    let before = app.count("assessment_schemes").await;
    let mut admin = app.api("admin").await;
    let short = scheme(json!([section(
        "p",
        90,
        json!([{"code": "p", "title": "处罚", "measure": "penalties", "points": 90, "per_item": 1}])
    )]));
    let r = admin.json("PUT", "/api/v1/assessment/scheme", &short).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("100"), "{}", r.body);
    let bad_item = scheme(json!([section(
        "p",
        100,
        json!([{"code": "p", "title": "处罚", "measure": "penalties", "points": 60, "per_item": 1}])
    )]));
    assert_eq!(
        admin.json("PUT", "/api/v1/assessment/scheme", &bad_item).await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let r = admin.json("PUT", "/api/v1/assessment/scheme", &json!({"title": "x"})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let ok = scheme(json!([section(
        "p",
        100,
        json!([{"code": "p", "title": "处罚", "measure": "penalties", "points": 100, "per_item": 1}])
    )]));
    let mut county = app.api("qinghe.baowei").await;
    assert_eq!(county.json("PUT", "/api/v1/assessment/scheme", &ok).await.status, StatusCode::FORBIDDEN);
    assert_eq!(app.count("assessment_schemes").await, before);
    // The shipped scheme is what GET answers, and it adds up.
    let got = admin.get("/api/v1/assessment/scheme").await.json();
    let total: i64 = got["section"].as_array().unwrap().iter().map(|s| s["points"].as_i64().unwrap()).sum();
    assert_eq!(total, 100);
    app.finish().await;
}
