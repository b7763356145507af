//! Registers record reality: a duty the article imposes, left out, is stored with the record, flagged with its article
//! and proposed for a penalty — the CCTV recorder started late (第四十四条), a weapon left unsecured after hours
//! (第五十三条) or taken out for anything but an escort (第五十一条), a vault duty step missed (第十三、十六条), a traffic
//! check let through unverified (预案 第二十三条) — and two ATM patrols closer than the rule's spacing count once.
use anbao_testkit::TestApp;
use axum::http::StatusCode;
use serde_json::json;

const OUTLET: &str = "城关信用社营业部";

/// The outlet's first asset of a kind (its first ATM, its vault).
async fn first_asset(app: &TestApp, kind: &str) -> i64 {
    app.scalar(&format!(
        "SELECT a.id FROM assets a JOIN units u ON u.id = a.unit_id WHERE u.name = '{OUTLET}' AND a.kind = '{kind}' ORDER BY a.id LIMIT 1"
    ))
    .await
}

async fn outlet(app: &TestApp) -> i64 {
    app.scalar(&format!("SELECT id FROM units WHERE name = '{OUTLET}'")).await
}

/// Post a record; its id, after asserting it was created.
async fn created(c: &mut anbao_testkit::Client, body: serde_json::Value) -> i64 {
    let r = c.json("POST", "/api/v1/records", &body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    r.json()["id"].as_i64().unwrap_or_default()
}

/// The violation code a record was flagged with ("" when none).
async fn flag(app: &TestApp, id: i64) -> (i64, i64) {
    (
        app.scalar(&format!("SELECT COUNT(*) FROM records WHERE id = {id} AND data LIKE '%\"violation\"%'")).await,
        app.scalar(&format!("SELECT COUNT(*) FROM violations WHERE source = 'record' AND source_id = {id}")).await,
    )
}

async fn proposed(app: &TestApp, code: &str) -> i64 {
    app.scalar(&format!("SELECT COUNT(*) FROM violations WHERE code = '{code}'")).await
}

/// The patrols of the ATM counted on its latest day of patrols (repeats left out), from the day buckets.
async fn day_count(app: &TestApp, atm: i64) -> i64 {
    app.scalar(&format!(
        "SELECT COALESCE(CAST(SUM(n) AS BIGINT), 0) FROM record_day_counts WHERE kind = 'atm_patrol' AND asset_id = {atm} \
         AND subkind <> 'repeat' AND day = (SELECT MAX(local_day) FROM records WHERE asset_id = {atm} AND kind = 'atm_patrol')"
    ))
    .await
}

/// What ATM-1 counts for the named ATM on 2 March (the test clock's day).
async fn have_today(c: &mut anbao_testkit::Client, unit: i64, atm: &str) -> i64 {
    let r = c.get(&format!("/api/v1/compliance/items?unit={unit}&rule=ATM-1&month=2026-03")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let items = r.json().as_array().cloned().unwrap_or_default();
    let today = items.iter().find(|i| i["period_start"] == "2026-03-02" && i["asset"].as_str() == Some(atm));
    today
        .and_then(|i| i["have"].as_i64())
        .unwrap_or_else(|| panic!("{atm}: {:?}", items.iter().rev().take(2).collect::<Vec<_>>()))
}

#[tokio::test]
async fn a_cctv_check_without_the_recorder_started_before_opening_is_a_breach_of_article_44() {
    let app = TestApp::demo().await;
    let unit = outlet(&app).await;
    let mut c = app.api("chengguan.guiyuan").await;
    let all = ["screens_ok", "channels_ok", "clock_ok", "audio_ok", "started_before_opening", "stopped_after_closing"];
    let check = |checks: &[&str]| json!({"kind": "cctv_check", "unit_id": unit, "number": 30, "checks": checks});
    let before = proposed(&app, "cctv_not_recording").await;
    // A faulty screen is a finding, not a breach.
    let id = created(&mut c, check(&all[1..])).await;
    assert_eq!(flag(&app, id).await, (0, 0));
    // 第四十四条 "提前开机、延迟关机": started late — recorded, flagged with the article, proposed.
    let id = created(&mut c, check(&[&all[..4], &all[5..]].concat())).await;
    assert_eq!(flag(&app, id).await, (1, 1));
    let quoted = app
        .scalar(&format!("SELECT COUNT(*) FROM records WHERE id = {id} AND data LIKE '%第四十四条%' AND data LIKE '%cctv_not_recording%'"))
        .await;
    assert_eq!(quoted, 1);
    // Both started late and stopped early: one breach of the one article.
    let id = created(&mut c, check(&all[..4])).await;
    assert_eq!(flag(&app, id).await, (1, 1));
    assert_eq!(proposed(&app, "cctv_not_recording").await, before + 2);
    app.finish().await;
}

#[tokio::test]
async fn a_closing_check_with_the_weapons_unsecured_is_a_breach_of_article_53() {
    let app = TestApp::demo().await;
    let unit = outlet(&app).await;
    let mut c = app.api("chengguan.zhuren").await;
    let all = [
        "cash_in_vault",
        "vouchers_seals_in_vault",
        "books_in_vault",
        "power_off",
        "doors_windows_closed",
        "weapons_secured",
    ];
    let closing =
        |checks: &[&str], text: &str| json!({"kind": "closing_check", "unit_id": unit, "checks": checks, "text": text});
    let id = created(&mut c, closing(&all, "")).await;
    assert_eq!(flag(&app, id).await, (0, 0));
    // The weapons left out: a breach, needing no explanation to be recorded.
    let id = created(&mut c, closing(&all[..5], "")).await;
    assert_eq!(flag(&app, id).await, (1, 1));
    assert_eq!(proposed(&app, "weapon_unsecured").await, 1);
    // The 第十一条 items still want their explanation when one fails.
    let before = app.count("records").await;
    let r = c.json("POST", "/api/v1/records", &closing(&all[1..], "")).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(app.count("records").await, before);
    let id = created(&mut c, closing(&all[1..], "现金尾箱由押运车接走，未入本网点库")).await;
    assert_eq!(flag(&app, id).await, (0, 0));
    app.finish().await;
}

#[tokio::test]
async fn a_weapon_taken_out_for_anything_but_an_escort_is_a_breach_of_article_51() {
    let app = TestApp::demo().await;
    let unit = outlet(&app).await;
    let guard = app
        .scalar(&format!(
            "SELECT s.id FROM staff s WHERE s.unit_id = {unit} AND s.positions LIKE '%,teller,%' ORDER BY s.id LIMIT 1"
        ))
        .await;
    let mut c = app.api("chengguan.zhuren").await;
    let out = |why: &str, text: &str| json!({"kind": "weapon_out", "unit_id": unit, "subkind": why, "performer_id": guard, "text": text, "checks": ["returned"]});
    let id = created(&mut c, out("escort", "防暴棍一支，随押运车至县联社金库")).await;
    assert_eq!(flag(&app, id).await, (0, 0));
    let id = created(&mut c, out("other", "防暴棍一支，带回家中")).await;
    assert_eq!(flag(&app, id).await, (1, 1));
    assert_eq!(proposed(&app, "weapon_taken_out").await, 1);
    // Why and where it went is required.
    let r = c.json("POST", "/api/v1/records", &out("escort", " ")).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    app.finish().await;
}

#[tokio::test]
async fn a_vault_duty_log_with_a_step_missed_is_a_breach_of_articles_13_and_16() {
    let app = TestApp::demo().await;
    let v = first_asset(&app, "vault").await;
    let staff = |post: &str| {
        format!(
            "SELECT s.id FROM staff s JOIN units u ON u.id = s.unit_id WHERE u.name = '{OUTLET}' AND s.positions LIKE '%,{post},%' ORDER BY s.id LIMIT 1"
        )
    };
    let (k1, sec) = (app.scalar(&staff("vault_keeper")).await, app.scalar(&staff("security_officer")).await);
    // The keeper hands the vault key over before duty (第十八条), so only the step missed is in question.
    crate::custody::hand_the_vault_key_over_before_duty(&app, v).await;
    let mut head = app.api("chengguan.zhuren").await;
    let log = |checks: &[&str]| {
        json!({"kind": "duty_log", "asset_id": v, "performer_id": sec, "second_person_id": k1,
            "occurred_at": "2026-03-01T19:30:00+08:00", "checks": checks})
    };
    let all = ["on_time", "perimeter_patrol", "weapons_checked", "alarms_armed"];
    let id = created(&mut head, log(&all)).await;
    assert_eq!(flag(&app, id).await, (0, 0));
    let hazards = app.count("hazards").await;
    let id = created(&mut head, log(&all[..3])).await;
    assert_eq!(flag(&app, id).await, (1, 1));
    // The step missed also leaves a hazard for the outlet to put right, citing the articles.
    assert_eq!(app.count("hazards").await, hazards + 1);
    let cited = app
        .scalar(&format!("SELECT COUNT(*) FROM hazards h JOIN units u ON u.id = h.unit_id WHERE u.name = '{OUTLET}' AND h.article LIKE '%第十六条%'"))
        .await;
    assert_eq!(cited, 1);
    let quoted = app
        .scalar(&format!("SELECT COUNT(*) FROM records WHERE id = {id} AND data LIKE '%vault_duty_step_missed%' AND data LIKE '%第十六条%'"))
        .await;
    assert_eq!(quoted, 1);
    app.finish().await;
}

#[tokio::test]
async fn a_traffic_check_let_through_without_verifying_the_officers_is_proposed_as_a_violation() {
    let app = TestApp::demo().await;
    let mut c = app.api("qinghe.baowei").await;
    let t = app.scalar("SELECT MIN(id) FROM escort_trips").await;
    let r = c.json("POST", &format!("/api/v1/escort/trips/{t}/depart"), &json!({})).await;
    assert!(r.status.is_success(), "{}", r.body);
    let event = |verified: bool| json!({"kind": "police_check", "note": "城关路口交警示意停车检查", "police_verified": verified});
    let r = c.json("POST", &format!("/api/v1/escort/trips/{t}/events"), &event(true)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(proposed(&app, "escort_police_unverified").await, 0);
    let r = c.json("POST", &format!("/api/v1/escort/trips/{t}/events"), &event(false)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let ev = r.json()["id"].as_i64().unwrap_or_default();
    let v = app
        .scalar(&format!(
            "SELECT COUNT(*) FROM violations WHERE code = 'escort_police_unverified' AND source = 'escort' AND source_id = {ev} AND article LIKE '%第二十三条%'"
        ))
        .await;
    assert_eq!(v, 1);
    // The crew answer for it (the security department recorded it): the trip's first escort.
    let escort = {
        use sqlx::Row;
        let mut c = app.db.read().await.expect("conn");
        let crew: String = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT crew FROM escort_trips WHERE id = {t}")))
            .fetch_one(&mut *c)
            .await
            .expect("trip")
            .get("crew");
        let crew: Vec<serde_json::Value> = serde_json::from_str(&crew).expect("crew");
        crew.iter().find(|m| m["role"] == "escort").and_then(|m| m["staff_id"].as_i64()).expect("an escort")
    };
    let named = app
        .scalar(&format!(
            "SELECT staff_id FROM violations WHERE code = 'escort_police_unverified' AND source_id = {ev}"
        ))
        .await;
    assert_eq!(named, escort);
    app.finish().await;
}

#[tokio::test]
async fn two_atm_patrols_closer_than_the_rules_spacing_count_once() {
    // ATM-1 (篇二 (四) 每天不少于6次巡查): 60 minutes apart is our default spacing.
    let app = TestApp::demo().await;
    let atm = first_asset(&app, "atm").await;
    let mut c = app.api("chengguan.zhuren").await;
    let patrol = |at: &str| json!({"kind": "atm_patrol", "asset_id": atm, "occurred_at": at, "checks": ["appearance_ok", "no_skimmer", "notice_ok"]});
    let first = created(&mut c, patrol("2026-03-02T08:00:00+08:00")).await;
    let base = day_count(&app, atm).await;
    let repeat = created(&mut c, patrol("2026-03-02T08:30:00+08:00")).await;
    let repeats = |id: i64| {
        format!(
            "SELECT COUNT(*) FROM records WHERE id = {id} AND subkind = 'repeat' AND data LIKE '%\"repeat_of\":{first}%'"
        )
    };
    assert_eq!(app.scalar(&repeats(repeat)).await, 1, "30 minutes after: a repeat of the first");
    assert_eq!(day_count(&app, atm).await, base);
    // 70 minutes after the first (40 after the repeat): counts.
    let third = created(&mut c, patrol("2026-03-02T09:10:00+08:00")).await;
    assert_eq!(app.scalar(&format!("SELECT COUNT(*) FROM records WHERE id = {third} AND subkind IS NULL")).await, 1);
    assert_eq!(day_count(&app, atm).await, base + 1);
    // A correction of the first is not a repeat of the record it replaces.
    let mut body = patrol("2026-03-02T08:00:00+08:00");
    body["supersedes_id"] = first.into();
    body["text"] = "更正：补记巡查人".into();
    let fixed = created(&mut c, body).await;
    assert_eq!(app.scalar(&format!("SELECT COUNT(*) FROM records WHERE id = {fixed} AND subkind IS NULL")).await, 1);
    assert_eq!(day_count(&app, atm).await, base + 1);
    // Twenty minutes apart across midnight: each day's patrol counts for its own day.
    let late = created(&mut c, patrol("2026-03-01T23:50:00+08:00")).await;
    let early = created(&mut c, patrol("2026-03-02T00:10:00+08:00")).await;
    for id in [late, early] {
        assert_eq!(app.scalar(&format!("SELECT COUNT(*) FROM records WHERE id = {id} AND subkind IS NULL")).await, 1);
    }
    app.finish().await;
}

#[tokio::test]
async fn the_atm_rule_counts_a_burst_of_patrols_once_and_the_rest_of_the_day_as_usual() {
    let app = TestApp::demo().await;
    let unit = outlet(&app).await;
    let (atm, name) = {
        use sqlx::Row;
        let mut c = app.db.read().await.expect("conn");
        let r = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT id, code FROM assets WHERE unit_id = {unit} AND kind = 'atm' ORDER BY id LIMIT 1"
        )))
        .fetch_one(&mut *c)
        .await
        .expect("atm");
        (r.get::<i64, _>("id"), r.get::<String, _>("code"))
    };
    let mut c = app.api("chengguan.zhuren").await;
    assert_eq!(have_today(&mut c, unit, &name).await, 0);
    let patrol = |at: &str| json!({"kind": "atm_patrol", "asset_id": atm, "occurred_at": at, "checks": []});
    for at in ["2026-03-02T07:00:00+08:00", "2026-03-02T07:10:00+08:00", "2026-03-02T07:20:00+08:00"] {
        created(&mut c, patrol(at)).await;
    }
    assert_eq!(have_today(&mut c, unit, &name).await, 1, "three patrols in twenty minutes are one");
    created(&mut c, patrol("2026-03-02T08:30:00+08:00")).await;
    assert_eq!(have_today(&mut c, unit, &name).await, 2);
    app.finish().await;
}

#[tokio::test]
async fn a_repeat_is_left_out_by_the_province_reads_and_the_dashboards_tallies_too() {
    // The province reads each rule's buckets by SQL and the dashboard tallies days in SQL: a repeat counts in neither.
    let app = TestApp::demo().await;
    let mut c = app.api("baowei").await;
    let province = app.scalar("SELECT id FROM units WHERE parent_id IS NULL").await;
    let outlet = app.scalar("SELECT id FROM units WHERE name = '黄城东关分社'").await;
    // An ATM-day of February at least two patrols short; as many patrols as it lacks, ten minutes apart, are one.
    let items = c.get(&format!("/api/v1/compliance/items?unit={outlet}&rule=ATM-1&month=2026-02")).await.json();
    let short = items
        .as_array()
        .and_then(|a| a.iter().find(|i| i["need"].as_i64().zip(i["have"].as_i64()).is_some_and(|(n, h)| n - h >= 2)))
        .cloned()
        .expect("a February ATM-day at least two patrols short");
    let (code, day) = (short["asset"].as_str().unwrap_or_default(), short["period_start"].as_str().unwrap_or_default());
    let (need, had) = (short["need"].as_i64().unwrap_or(0), short["have"].as_i64().unwrap_or(0));
    let atm = app.scalar(&format!("SELECT id FROM assets WHERE code = '{code}'")).await;
    let met = |t: Option<serde_json::Value>| t.and_then(|t| t["met"].as_i64());
    let before = met(atm_tally(&mut c, province).await);
    let mut head = app.api("admin").await;
    for k in 0..(need - had) {
        let at = format!("{day}T03:{:02}:00+08:00", k * 9);
        created(&mut head, json!({"kind": "atm_patrol", "asset_id": atm, "occurred_at": at})).await;
    }
    // Counted each, they would fill the day; as one, it is still short.
    assert_eq!(met(atm_tally(&mut c, province).await), before, "the dashboard's met days of ATM-1");
    let all = c.get(&format!("/api/v1/compliance/items?unit={province}&rule=ATM-1&month=2026-02")).await.json();
    let now = all
        .as_array()
        .and_then(|a| a.iter().find(|i| i["asset"].as_str() == Some(code) && i["period_start"].as_str() == Some(day)))
        .and_then(|i| i["have"].as_i64());
    assert_eq!(now, Some(had + 1), "the province's item for that ATM-day");
    app.finish().await;
}

/// ATM-1's tally on the dashboard of `unit` for February.
async fn atm_tally(c: &mut anbao_testkit::Client, unit: i64) -> Option<serde_json::Value> {
    let b = c.get(&format!("/api/v1/compliance?unit={unit}&month=2026-02")).await.json();
    b["rules"].as_array().and_then(|r| r.iter().find(|r| r["rule_id"] == "ATM-1")).map(|r| r["tally"].clone())
}
