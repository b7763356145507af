//! Training hours end to end: each person's hours in a year equal a direct sum over the training records they
//! attended (a corrected record counted once, as corrected); the target is the rulebook's TRN-3-c; people short of
//! it are counted per unit.
use anbao_testkit::TestApp;
use axum::http::StatusCode;
use serde_json::json;
use std::collections::HashMap;

#[tokio::test]
async fn hours_per_person_equal_a_direct_sum_of_the_sessions_attended() {
    let app = TestApp::demo().await;
    let outlet = app.scalar("SELECT id FROM units WHERE name = '城关信用社营业部'").await;
    let teller = app.scalar("SELECT staff_id FROM accounts WHERE username = 'chengguan.guiyuan'").await;
    let keeper = app.scalar("SELECT staff_id FROM accounts WHERE username = 'chengguan.guanku'").await;
    let mut c = app.api("chengguan.zhuren").await;
    for (hours, people) in [(2.5, vec![teller, keeper]), (3.0, vec![teller])] {
        let r = c
            .json(
                "POST",
                "/api/v1/records",
                &json!({"kind": "training", "unit_id": outlet, "number": hours, "text2": "制度学习", "people": people}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    }
    let year = anbao_domain::period::ymd(anbao_domain::period::day_of_ms(app.now())).0;
    let r = c.get(&format!("/api/v1/training/hours?unit={outlet}&year={year}")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let report = r.json();
    assert_eq!(report["target_hours"].as_i64(), Some(10));
    // The direct sum: every training record of the outlet this year not replaced by a correction.
    let (from, to) =
        (anbao_domain::period::first_of_month(year, 1), anbao_domain::period::first_of_month(year + 1, 1) - 1);
    let mut direct: HashMap<i64, i64> = HashMap::new();
    {
        use sqlx::Row;
        let mut db = app.db.read().await.unwrap();
        let rows = sqlx::query(
            "SELECT value, data FROM records r WHERE kind = 'training' AND unit_id = $1 AND local_day BETWEEN $2 AND $3 \
             AND NOT EXISTS (SELECT 1 FROM records n WHERE n.supersedes_id = r.id)",
        )
        .bind(outlet)
        .bind(from)
        .bind(to)
        .fetch_all(&mut *db)
        .await
        .unwrap();
        for row in rows {
            let v: serde_json::Value = serde_json::from_str(&row.get::<String, _>("data")).unwrap();
            for a in v["attendees"].as_array().unwrap() {
                *direct.entry(a.as_i64().unwrap()).or_default() += row.get::<i64, _>("value");
            }
        }
    }
    let people = report["people"].as_array().unwrap();
    let got: HashMap<i64, i64> =
        people.iter().map(|p| (p["staff_id"].as_i64().unwrap(), p["tenths"].as_i64().unwrap())).collect();
    for (s, t) in &direct {
        assert_eq!(got.get(s), Some(t), "staff {s}");
    }
    assert!(got.get(&teller).copied().unwrap_or(0) >= 55, "the teller's 2.5 + 3 hours at least");
    assert!(got.iter().all(|(s, t)| direct.get(s).copied().unwrap_or(0) == *t), "nobody has hours from nowhere");
    // Per unit: the people short of 10 hours.
    let below = got.values().filter(|t| **t < 100).count() as i64;
    let u = report["units"].as_array().unwrap().iter().find(|u| u["unit_id"] == outlet).unwrap();
    assert_eq!(u["below"].as_i64(), Some(below));
    assert_eq!(u["tenths"].as_i64(), Some(got.values().sum::<i64>()));
    // Bad input.
    assert_eq!(
        c.get(&format!("/api/v1/training/hours?unit={outlet}&year=1900")).await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let other = app.scalar("SELECT id FROM units WHERE name = '东街分社'").await;
    assert_eq!(c.get(&format!("/api/v1/training/hours?unit={other}")).await.status, StatusCode::NOT_FOUND);
    app.finish().await;
}
