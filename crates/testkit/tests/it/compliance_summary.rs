//! Kept compliance summaries: always the same figures as judging afresh, reused while nothing they were judged from
//! has changed, and judged again, rule by rule, as soon as evidence (a late record, a correction moving a record to
//! another month), assets or staff change.
use anbao_app::compliance::{Tally, evaluate_core};
use anbao_app::compliance_summary::{Summary, summary};
use anbao_domain::period::{self, Day};
use anbao_testkit::{START_MS, TestApp};
use axum::http::StatusCode;
use serde_json::{Value, json};
use std::collections::{BTreeMap, HashMap};

const DAY: i64 = 86_400_000;

/// A local time `days_back` days before `START_MS` (09:30 local), at hh:mm.
fn local(days_back: i64, hh: i64, mm: i64) -> String {
    anbao_domain::time::rfc3339_ms(START_MS - days_back * DAY - (9 * 60 + 30) * 60_000 + (hh * 60 + mm) * 60_000)
}

fn feb() -> (Day, Day) {
    (period::first_of_month(2026, 2), period::first_of_month(2026, 3))
}

async fn path_of(app: &TestApp, name: &str) -> String {
    use sqlx::Row;
    let mut c = app.db.read().await.expect("conn");
    sqlx::query("SELECT path FROM units WHERE name = $1").bind(name).fetch_one(&mut *c).await.expect("unit").get("path")
}

/// The figures a summary shows, beside those of a judgement from scratch of the same window.
async fn both(
    app: &TestApp,
    path: &str,
    (from, to): (Day, Day),
) -> (Summary, HashMap<i64, Tally>, BTreeMap<String, Tally>) {
    let today = period::day_of_ms(app.now());
    let s = summary(&app.db, path, from, to, today).await.expect("summary");
    let e = evaluate_core(&app.db, path, from, to, today).await.expect("evaluate");
    (s, e.rollup(), e.by_rule())
}

async fn assert_fresh(app: &TestApp, path: &str, window: (Day, Day)) -> Summary {
    let (s, rollup, by_rule) = both(app, path, window).await;
    assert_eq!(s.rollup(), rollup, "the summary of {path} rolls up as a fresh judgement does");
    assert_eq!(s.by_rule(), by_rule, "the summary of {path} counts each rule as a fresh judgement does");
    s
}

async fn seeded() -> TestApp {
    let app = TestApp::demo().await;
    anbao_app::demo_records::seed(&app.db, &app.blobs(), START_MS, 35).await.expect("generate records");
    app
}

#[tokio::test]
async fn a_summary_is_kept_until_its_evidence_changes_and_then_judged_again_for_that_rule_only() {
    let app = seeded().await;
    let province = path_of(&app, "云岭省农村信用社联合社").await;
    let first = assert_fresh(&app, &province, feb()).await;
    let rules = first.rules.len();
    assert!(first.judged == rules && rules > 10, "the first summary judges every rule ({} of {rules})", first.judged);
    let again = assert_fresh(&app, &province, feb()).await;
    assert_eq!(again.judged, 0, "nothing changed: every rule's tallies are reused");
    // A county inside the province is answered from the province's tallies, with the county's own figures.
    let county = path_of(&app, "清河县农村信用合作联社").await;
    let c = assert_fresh(&app, &county, feb()).await;
    assert_eq!(c.judged, 0, "a subtree of a kept summary is not judged again");

    // An ATM-day of February that was not met, made met by late patrols entered now.
    let mut api = app.api("admin").await;
    let unit = app.scalar("SELECT id FROM units WHERE name = '云岭省农村信用社联合社'").await;
    let items = api.get(&format!("/api/v1/compliance/items?unit={unit}&rule=ATM-1&month=2026-02")).await;
    assert_eq!(items.status, StatusCode::OK, "{}", items.body);
    let gap: Value = items
        .json()
        .as_array()
        .and_then(|a| {
            a.iter()
                .filter(|i| i["status"] != "met" && i["period_start"].as_str() >= Some("2026-02-20"))
                .max_by_key(|i| i["period_start"].as_str().map(str::to_owned))
                .cloned()
        })
        .expect("the demo has a February ATM-day short of patrols");
    let code = gap["asset"].as_str().expect("an ATM item names its ATM");
    let atm = app.scalar(&format!("SELECT id FROM assets WHERE code = '{code}'")).await;
    let day = gap["period_start"].as_str().expect("day");
    let (y, m, d) =
        (day[..4].parse().expect("y"), day[5..7].parse().expect("m"), day[8..10].parse::<i64>().expect("d"));
    let days_back = period::day_of_ms(START_MS) - (period::first_of_month(y, m) + d - 1);
    let short = gap["need"].as_i64().unwrap_or(0) - gap["have"].as_i64().unwrap_or(0);
    assert!(short > 0, "{gap}");
    // Before the day's patrols begin, an hour apart: none repeats another within ATM-1's spacing.
    for i in 0..short {
        let r = api
            .json(
                "POST",
                "/api/v1/records",
                &json!({"kind": "atm_patrol", "asset_id": atm, "occurred_at": local(days_back, i, 0),
                        "checks": ["appearance_ok", "no_skimmer", "notice_ok"]}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    }
    let after = assert_fresh(&app, &province, feb()).await;
    assert!(after.judged >= 1 && after.judged < rules, "only the rules reading ATM patrols: {}", after.judged);
    let met = |s: &Summary| s.by_rule().get("ATM-1").map_or(0, |t| t.met);
    assert_eq!(met(&after), met(&first) + 1, "the ATM-day is met now");
    app.finish().await;
}

#[tokio::test]
async fn a_correction_moving_a_record_out_of_a_month_changes_that_month() {
    let app = seeded().await;
    let outlet = app.scalar("SELECT id FROM units WHERE name = '东街分社'").await;
    let path = path_of(&app, "东街分社").await;
    let mut api = app.api("admin").await;
    // A CCTV check on 27 February, judged; then corrected to 1 March.
    let r = api
        .json(
            "POST",
            "/api/v1/records",
            &json!({"kind": "cctv_check", "unit_id": outlet, "number": 30, "occurred_at": local(3, 8, 0)}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let id = r.json()["id"].as_i64().expect("id");
    assert_fresh(&app, &path, feb()).await;
    let r = api
        .json(
            "POST",
            "/api/v1/records",
            &json!({"kind": "cctv_check", "unit_id": outlet, "number": 30, "occurred_at": local(1, 8, 0), "supersedes_id": id}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let after = assert_fresh(&app, &path, feb()).await;
    assert!(after.judged >= 1, "the February summary is judged again though the correction is dated March");
    app.finish().await;
}

#[tokio::test]
async fn a_changed_asset_or_staff_record_makes_every_rule_judged_again() {
    let app = seeded().await;
    let province = path_of(&app, "云岭省农村信用社联合社").await;
    let first = assert_fresh(&app, &province, feb()).await;
    // Changes made behind the application's back still move the versions (they are kept by triggers).
    app.exec("UPDATE assets SET active = 0 WHERE id = (SELECT MIN(id) FROM assets WHERE kind = 'atm')").await;
    let s = assert_fresh(&app, &province, feb()).await;
    assert_eq!(s.judged, first.rules.len(), "an asset change re-judges the window");
    app.exec("UPDATE staff SET name = name WHERE id = (SELECT MIN(id) FROM staff)").await;
    let s = assert_fresh(&app, &province, feb()).await;
    assert_eq!(s.judged, first.rules.len(), "a staff change re-judges the window");
    assert_eq!(assert_fresh(&app, &province, feb()).await.judged, 0);
    app.finish().await;
}

#[tokio::test]
async fn the_current_month_is_judged_again_when_the_day_changes() {
    let app = seeded().await;
    let path = path_of(&app, "东街分社").await;
    let month = (period::first_of_month(2026, 3), period::first_of_month(2026, 4));
    let s = assert_fresh(&app, &path, month).await;
    assert!(s.total().open > 0, "today's items are still running");
    assert_eq!(assert_fresh(&app, &path, month).await.judged, 0);
    app.advance_minutes(24 * 60);
    let next = assert_fresh(&app, &path, month).await;
    assert!(next.judged > 0, "a new day: running periods are judged again");
    app.finish().await;
}
