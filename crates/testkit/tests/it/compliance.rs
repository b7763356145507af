//! The rulebook engine on hand-made records: each rule kind met, partly met and overdue, with the edge cases
//! (periods in Asia/Shanghai, a person counted twice, records outside scope, a rule changed mid-year), and the
//! dashboard against a direct count of generated records.
use anbao_app::bulk::BulkRecord;
use anbao_domain::ids::{StaffId, UnitId};
use anbao_domain::records::{RecordDraft, RecordKind};
use anbao_testkit::{START_MS, TestApp};
use axum::http::StatusCode;
use serde_json::{Value, json};

/// 2026-03-02 09:30 local is `START_MS`; these are local times before it.
const DAY: i64 = 86_400_000;

fn local(days_back: i64, hh: i64, mm: i64) -> String {
    // START_MS is 09:30 local; go back whole days, then set the clock time.
    let ms = START_MS - days_back * DAY - (9 * 60 + 30) * 60_000 + (hh * 60 + mm) * 60_000;
    anbao_domain::time::rfc3339_ms(ms)
}

async fn id_of(app: &TestApp, sql: &str) -> i64 {
    app.scalar(sql).await
}

async fn items(c: &mut anbao_testkit::Client, query: &str) -> Vec<Value> {
    let r = c.get(&format!("/api/v1/compliance/items?{query}")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    r.json().as_array().cloned().unwrap_or_default()
}

fn on<'a>(items: &'a [Value], day: &str) -> &'a Value {
    items.iter().find(|i| i["period_start"] == day).unwrap_or_else(|| panic!("no item for {day}: {items:?}"))
}

async fn post(c: &mut anbao_testkit::Client, body: Value) -> anbao_testkit::Resp {
    c.json("POST", "/api/v1/records", &body).await
}

#[tokio::test]
async fn atm_patrols_are_counted_per_atm_per_local_day() {
    let app = TestApp::demo().await;
    let mut c = app.api("admin").await;
    let atm = id_of(&app, "SELECT a.id FROM assets a JOIN units u ON u.id = a.unit_id WHERE a.kind = 'atm' AND u.name = '东街分社' LIMIT 1").await;
    let outlet = id_of(&app, "SELECT id FROM units WHERE name = '东街分社'").await;
    let checks = json!(["appearance_ok", "no_skimmer", "notice_ok"]);
    // 1 March: six patrols. 28 February: four, the last at 23:30 local (15:30 UTC) — still February the 28th.
    for h in [8, 10, 12, 14, 16, 20] {
        let r = post(
            &mut c,
            json!({"kind": "atm_patrol", "asset_id": atm, "occurred_at": local(1, h, 0), "checks": checks}),
        )
        .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    }
    for (h, m) in [(9, 0), (13, 0), (18, 0), (23, 30)] {
        post(&mut c, json!({"kind": "atm_patrol", "asset_id": atm, "occurred_at": local(2, h, m), "checks": checks}))
            .await;
    }
    let feb = items(&mut c, &format!("unit={outlet}&rule=ATM-1&month=2026-02")).await;
    let d28 = on(&feb, "2026-02-28");
    assert_eq!(
        (d28["status"].as_str(), d28["have"].as_i64(), d28["need"].as_i64()),
        (Some("partly_met"), Some(4), Some(6))
    );
    assert!(d28["reason"].as_str().unwrap_or_default().contains("4/6"), "{d28}");
    assert_eq!(on(&feb, "2026-02-27")["status"], "overdue");
    let mar = items(&mut c, &format!("unit={outlet}&rule=ATM-1&month=2026-03")).await;
    assert_eq!(on(&mar, "2026-03-01")["status"], "met");
    // Today is still running: not yet due.
    assert_eq!(on(&mar, "2026-03-02")["status"], "not_yet_due");
    assert!(mar.iter().all(|i| i["period_start"].as_str() <= Some("2026-03-02")), "no items for days not begun");
    app.finish().await;
}

#[tokio::test]
async fn a_record_for_an_atm_outside_scope_is_refused_and_nothing_is_written() {
    let app = TestApp::demo().await;
    let mut c = app.api("chengguan.zhuren").await;
    let other = id_of(&app, "SELECT a.id FROM assets a JOIN units u ON u.id = a.unit_id WHERE a.kind = 'atm' AND u.name = '东街分社' LIMIT 1").await;
    let before = app.count("records").await;
    let r = post(&mut c, json!({"kind": "atm_patrol", "asset_id": other, "checks": []})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.json()["error"]["message"].as_str().unwrap_or_default().contains("不存在"));
    let own = id_of(&app, "SELECT a.id FROM assets a JOIN units u ON u.id = a.unit_id WHERE a.kind = 'atm' AND u.name = '城关信用社营业部' LIMIT 1").await;
    assert_eq!(post(&mut c, json!({"kind": "atm_patrol", "asset_id": own})).await.status, StatusCode::CREATED);
    assert_eq!(app.count("records").await, before + 1);
    // The auditor reads but records nothing.
    let mut auditor = app.api("shenji").await;
    assert_eq!(post(&mut auditor, json!({"kind": "atm_patrol", "asset_id": own})).await.status, StatusCode::FORBIDDEN);
    app.finish().await;
}

#[tokio::test]
async fn future_dates_beyond_tolerance_and_malformed_times_are_refused() {
    let app = TestApp::demo().await;
    let mut c = app.api("admin").await;
    let atm = id_of(&app, "SELECT id FROM assets WHERE kind = 'atm' LIMIT 1").await;
    let before = app.count("records").await;
    let soon = anbao_domain::time::rfc3339_ms(START_MS + 5 * 60_000);
    assert_eq!(
        post(&mut c, json!({"kind": "atm_patrol", "asset_id": atm, "occurred_at": soon})).await.status,
        StatusCode::CREATED,
        "a phone clock a few minutes fast is fine"
    );
    let later = anbao_domain::time::rfc3339_ms(START_MS + 3 * 3_600_000);
    let r = post(&mut c, json!({"kind": "atm_patrol", "asset_id": atm, "occurred_at": later})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.json()["error"]["message"].as_str().unwrap_or_default().contains("不能晚于当前时间"));
    let r = post(&mut c, json!({"kind": "atm_patrol", "asset_id": atm, "occurred_at": "yesterday"})).await;
    assert_eq!(r.json()["error"]["field"], "occurred_at");
    assert_eq!(app.count("records").await, before + 1);
    app.finish().await;
}

#[tokio::test]
async fn a_review_counts_only_for_the_post_it_was_made_in() {
    let app = TestApp::demo().await;
    let mut c = app.api("admin").await;
    let outlet = id_of(&app, "SELECT id FROM units WHERE name = '东街分社'").await;
    let head =
        id_of(&app, &format!("SELECT id FROM staff WHERE unit_id = {outlet} AND positions = ',director,'")).await;
    let admin =
        id_of(&app, &format!("SELECT id FROM staff WHERE unit_id = {outlet} AND positions LIKE '%,cctv_admin,%'"))
            .await;
    // The head reviews twice in the week of 23 February; the administrator once.
    for d in [6, 5] {
        let r = post(&mut c, json!({"kind": "cctv_review", "unit_id": outlet, "performer_id": head, "performer_position": "director", "occurred_at": local(d, 17, 0), "text": "回放正常"})).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    }
    post(&mut c, json!({"kind": "cctv_review", "unit_id": outlet, "performer_id": admin, "performer_position": "cctv_admin", "occurred_at": local(4, 17, 0), "text": "回放正常"})).await;
    // Acting in a post one does not hold is refused.
    let r = post(&mut c, json!({"kind": "cctv_review", "unit_id": outlet, "performer_id": head, "performer_position": "cctv_admin", "text": "x"})).await;
    assert_eq!(r.json()["error"]["field"], "performer_position");
    let admin_items = items(&mut c, &format!("unit={outlet}&rule=CCTV-3-b&month=2026-02")).await;
    let week = on(&admin_items, "2026-02-23");
    assert_eq!(
        (week["status"].as_str(), week["have"].as_i64()),
        (Some("partly_met"), Some(1)),
        "the head's reviews do not count for the administrator"
    );
    let head_items = items(&mut c, &format!("unit={outlet}&rule=CCTV-3-c&month=2026-02")).await;
    assert_eq!(on(&head_items, "2026-02-23")["status"], "met");
    // A person listed twice in one session is one person.
    let r = post(
        &mut c,
        json!({"kind": "training", "unit_id": outlet, "number": 2, "text2": "制度学习", "people": [head, admin, head]}),
    )
    .await;
    assert_eq!(r.json()["error"]["field"], "people");
    app.finish().await;
}

#[tokio::test]
async fn a_rule_changed_mid_year_judges_only_the_periods_after_the_change() {
    let app = TestApp::demo().await;
    let mut c = app.api("admin").await;
    let atm = id_of(&app, "SELECT a.id FROM assets a JOIN units u ON u.id = a.unit_id WHERE a.kind = 'atm' AND u.name = '西关分社' LIMIT 1").await;
    let outlet = id_of(&app, "SELECT id FROM units WHERE name = '西关分社'").await;
    for h in [8, 12, 16, 20] {
        post(&mut c, json!({"kind": "atm_patrol", "asset_id": atm, "occurred_at": local(1, h, 0)})).await;
    }
    let mut rule = c.get("/api/v1/rules/ATM-1").await.json()["rule"].clone();
    // A negative count is refused and no version is added.
    rule["min_count"] = json!(-1);
    let r = c.json("PUT", "/api/v1/rules/ATM-1", &json!({"rule": rule, "effective_from": "2026-03-03"})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.json()["error"]["message"].as_str().unwrap_or_default().contains("不能为负数"));
    // A change cannot reach into judged periods.
    rule["min_count"] = json!(4);
    let r = c.json("PUT", "/api/v1/rules/ATM-1", &json!({"rule": rule, "effective_from": "2026-03-01"})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM rule_versions WHERE rule_id = 'ATM-1'").await, 1);
    let r = c.json("PUT", "/api/v1/rules/ATM-1", &json!({"rule": rule, "effective_from": "2026-03-03"})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    // Today the rule is still version 1: the new version is listed beside it as scheduled, not in its place.
    assert_eq!((r.json()["version"].as_i64(), r.json()["rule"]["min_count"].as_i64()), (Some(1), Some(6)));
    let got = c.get("/api/v1/rules/ATM-1").await.json();
    assert_eq!((got["version"].as_i64(), got["rule"]["min_count"].as_i64()), (Some(1), Some(6)));
    assert_eq!(
        (got["scheduled"][0]["version"].as_i64(), got["scheduled"][0]["effective_from"].as_str()),
        (Some(2), Some("2026-03-03"))
    );
    let listed = c.get("/api/v1/rules").await.json();
    let atm1 = listed.as_array().unwrap().iter().find(|r| r["rule"]["id"] == "ATM-1").unwrap().clone();
    assert_eq!((atm1["version"].as_i64(), atm1["scheduled"].as_array().map(Vec::len)), (Some(1), Some(1)));
    // Two days on: 1 March is still judged by version 1 (6 needed); 3 March by version 2 (4 needed).
    app.advance_minutes(2 * 24 * 60);
    let mut c = app.api("admin").await;
    let got = c.get("/api/v1/rules/ATM-1").await.json();
    assert_eq!((got["version"].as_i64(), got["scheduled"].as_array().map(Vec::len)), (Some(2), Some(0)));
    for h in [8, 9, 10, 11] {
        let t = anbao_domain::time::rfc3339_ms(START_MS + DAY - (9 * 60 + 30) * 60_000 + h * 3_600_000);
        assert_eq!(
            post(&mut c, json!({"kind": "atm_patrol", "asset_id": atm, "occurred_at": t})).await.status,
            StatusCode::CREATED
        );
    }
    let mar = items(&mut c, &format!("unit={outlet}&rule=ATM-1&month=2026-03")).await;
    let first = on(&mar, "2026-03-01");
    assert_eq!(
        (first["status"].as_str(), first["need"].as_i64(), first["version"].as_i64()),
        (Some("partly_met"), Some(6), Some(1))
    );
    let third = on(&mar, "2026-03-03");
    assert_eq!(
        (third["status"].as_str(), third["need"].as_i64(), third["version"].as_i64()),
        (Some("met"), Some(4), Some(2))
    );
    app.finish().await;
}

#[tokio::test]
async fn coverage_counts_distinct_outlets_visited_in_the_month() {
    let app = TestApp::demo().await;
    let mut c = app.api("admin").await;
    let county = id_of(&app, "SELECT id FROM units WHERE name = '石桥县农村信用合作联社'").await;
    let officer = id_of(&app, &format!("SELECT s.id FROM staff s JOIN units u ON u.id = s.unit_id WHERE u.parent_id = {county} AND s.positions LIKE '%,security_officer,%' LIMIT 1")).await;
    let outlets: Vec<i64> = {
        use sqlx::Row;
        let mut conn = app.db.read().await.expect("conn");
        let path: String = sqlx::query("SELECT path FROM units WHERE id = $1")
            .bind(county)
            .fetch_one(&mut *conn)
            .await
            .expect("row")
            .get("path");
        sqlx::query("SELECT id FROM units WHERE kind = 'outlet' AND path LIKE $1 || '%' ORDER BY id")
            .bind(path)
            .fetch_all(&mut *conn)
            .await
            .expect("rows")
            .iter()
            .map(|r| r.get("id"))
            .collect()
    };
    // Visits come only from countersigned inspections; they are written here the way the countersignature writes
    // them (typed in, they are refused: see the end of this test).
    let visit = |target: i64, day: i64| BulkRecord {
        draft: RecordDraft {
            kind: RecordKind::InspectionVisit,
            subkind: Some("routine".into()),
            performer: Some(StaffId::new(officer)),
            performer_position: Some("security_officer".into()),
            second_person: None,
            subject_staff: None,
            target_unit: Some(UnitId::new(target)),
            value: None,
            data: json!({"checks": {}, "notes": "常规检查"}),
            breach: None,
        },
        unit: UnitId::new(county),
        asset: None,
        // 10:00 local, `day` days before the start (which is 09:30 local).
        occurred_at: START_MS - day * DAY + 30 * 60_000,
        photo: None,
    };
    let blobs = app.blobs();
    let write = |recs: Vec<BulkRecord>| anbao_app::bulk::import(&app.db, &blobs, None, app.now(), recs);
    // Two visits to the same outlet count once.
    write(vec![visit(outlets[0], 20), visit(outlets[0], 10), visit(outlets[1], 12)]).await.expect("visits");
    let feb = items(&mut c, &format!("unit={county}&rule=INSP-2-d&month=2026-02")).await;
    assert_eq!(feb.len(), 1);
    assert_eq!(
        (feb[0]["status"].as_str(), feb[0]["have"].as_i64(), feb[0]["need"].as_i64()),
        (Some("partly_met"), Some(2), Some(outlets.len() as i64))
    );
    write(outlets[2..].iter().map(|o| visit(*o, 8)).collect()).await.expect("visits");
    let feb = items(&mut c, &format!("unit={county}&rule=INSP-2-d&month=2026-02")).await;
    assert_eq!(feb[0]["status"], "met");
    let jan = items(&mut c, &format!("unit={county}&rule=INSP-2-d&month=2026-01")).await;
    assert_eq!(jan[0]["status"], "overdue");
    // A visit typed in is refused, even by the administrator: it would count an inspection nobody signed.
    let typed = json!({"kind": "inspection_visit", "unit_id": county, "performer_id": officer, "performer_position": "security_officer", "subkind": "routine", "target_unit_id": outlets[0], "occurred_at": local(3, 10, 0), "text": "常规检查"});
    let r = post(&mut c, typed).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("检查人签字并经被检查单位负责人确认后自动生成"), "{}", r.body);
    // A check of a unit outside the inspecting unit is refused.
    let elsewhere = id_of(&app, "SELECT id FROM units WHERE name = '东街分社'").await;
    let call = json!({"kind": "phone_check", "unit_id": county, "performer_id": officer, "target_unit_id": elsewhere, "occurred_at": local(3, 22, 0), "text2": "值班员", "result": "on_time"});
    assert_eq!(post(&mut c, call).await.json()["error"]["field"], "target_unit_id");
    app.finish().await;
}

#[tokio::test]
async fn a_qualification_review_lapses_after_twelve_months() {
    let app = TestApp::demo().await;
    let mut c = app.api("admin").await;
    let outlet = id_of(&app, "SELECT id FROM units WHERE name = '东街分社'").await;
    let keeper =
        id_of(&app, &format!("SELECT id FROM staff WHERE unit_id = {outlet} AND key_position = 1 ORDER BY id LIMIT 1"))
            .await;
    let reviewer =
        id_of(&app, &format!("SELECT id FROM staff WHERE unit_id = {outlet} AND positions = ',director,'")).await;
    let review = |days: i64| json!({"kind": "qualification_review", "unit_id": outlet, "performer_id": reviewer, "subject_staff_id": keeper, "result": "pass", "occurred_at": local(days, 10, 0)});
    assert_eq!(post(&mut c, review(380)).await.status, StatusCode::CREATED);
    let person = |items: &[Value]| {
        items
            .iter()
            .find(|i| i["person"].as_str().is_some() && i["reason"].as_str().unwrap_or_default().contains("上次"))
            .cloned()
    };
    let feb = items(&mut c, &format!("unit={outlet}&rule=ORG-3&month=2026-02")).await;
    let lapsed = feb
        .iter()
        .find(|i| i["status"] == "overdue" && i["reason"].as_str().unwrap_or_default().contains("已超过12个月"));
    assert!(lapsed.is_some(), "{feb:?}");
    assert!(person(&feb).is_some());
    assert_eq!(post(&mut c, review(3)).await.status, StatusCode::CREATED);
    let mar = items(&mut c, &format!("unit={outlet}&rule=ORG-3&month=2026-03")).await;
    let renewed =
        mar.iter().filter(|i| i["reason"].as_str().unwrap_or_default().contains("仍在12个月有效期内")).count();
    assert_eq!(renewed, 1);
    app.finish().await;
}

#[tokio::test]
async fn retention_below_the_rulebook_days_is_overdue() {
    let app = TestApp::demo().await;
    let mut c = app.api("admin").await;
    let outlet = id_of(&app, "SELECT id FROM units WHERE name = '东街分社'").await;
    post(&mut c, json!({"kind": "cctv_check", "unit_id": outlet, "number": 21, "occurred_at": local(2, 8, 10)})).await;
    post(&mut c, json!({"kind": "cctv_check", "unit_id": outlet, "number": 45, "occurred_at": local(1, 8, 10)})).await;
    let r = post(&mut c, json!({"kind": "cctv_check", "unit_id": outlet, "number": -5})).await;
    assert_eq!(r.json()["error"]["field"], "number");
    let feb = items(&mut c, &format!("unit={outlet}&rule=CCTV-2&month=2026-02")).await;
    let d = on(&feb, "2026-02-28");
    assert_eq!(d["status"], "overdue");
    assert!(d["reason"].as_str().unwrap_or_default().contains("21 天"));
    let mar = items(&mut c, &format!("unit={outlet}&rule=CCTV-2&month=2026-03")).await;
    assert_eq!(on(&mar, "2026-03-01")["status"], "met");
    app.finish().await;
}

#[tokio::test]
async fn responsibility_letters_are_due_by_the_end_of_january() {
    let app = TestApp::demo().await;
    let mut c = app.api("admin").await;
    let on_time = id_of(&app, "SELECT id FROM units WHERE name = '东街分社'").await;
    let late = id_of(&app, "SELECT id FROM units WHERE name = '西关分社'").await;
    let missing = id_of(&app, "SELECT id FROM units WHERE name = '城关信用社营业部'").await;
    let signer = |u: i64| format!("SELECT id FROM staff WHERE unit_id = {u} ORDER BY id LIMIT 1");
    let s1 = id_of(&app, &signer(on_time)).await;
    let s2 = id_of(&app, &signer(late)).await;
    post(&mut c, json!({"kind": "resp_letter", "unit_id": on_time, "subkind": "security_target", "performer_id": s1, "occurred_at": local(40, 10, 0)})).await;
    post(&mut c, json!({"kind": "resp_letter", "unit_id": late, "subkind": "security_target", "performer_id": s2, "occurred_at": local(18, 10, 0)})).await;
    let status = |items: &[Value], unit: i64| {
        items.iter().find(|i| i["unit_id"] == unit).map(|i| i["status"].as_str().unwrap_or_default().to_owned())
    };
    let all = items(&mut c, "rule=RESP-1-a&month=2026-03").await;
    assert_eq!(status(&all, on_time).as_deref(), Some("met"));
    assert_eq!(status(&all, late).as_deref(), Some("partly_met"));
    assert_eq!(status(&all, missing).as_deref(), Some("overdue"));
    app.finish().await;
}

#[tokio::test]
async fn two_vault_keepers_or_two_non_formal_staff_on_one_night_break_the_two_person_rule() {
    let app = TestApp::demo().await;
    let mut c = app.api("admin").await;
    let outlet = id_of(&app, "SELECT id FROM units WHERE name = '东街分社'").await;
    let vault = id_of(&app, &format!("SELECT id FROM assets WHERE unit_id = {outlet} AND kind = 'vault'")).await;
    let keepers: Vec<i64> = {
        use sqlx::Row;
        let mut conn = app.db.read().await.expect("conn");
        sqlx::query("SELECT id FROM staff WHERE unit_id = $1 AND positions LIKE '%,vault_keeper,%' ORDER BY id")
            .bind(outlet)
            .fetch_all(&mut *conn)
            .await
            .expect("rows")
            .iter()
            .map(|r| r.get("id"))
            .collect()
    };
    let guard =
        id_of(&app, &format!("SELECT id FROM staff WHERE unit_id = {outlet} AND positions = ',security_officer,'"))
            .await;
    let duty = |a: i64, b: i64, d: i64| json!({"kind": "duty_log", "asset_id": vault, "performer_id": a, "second_person_id": b, "occurred_at": local(d, 19, 30), "checks": ["on_time", "perimeter_patrol", "weapons_checked", "alarms_armed"]});
    assert_eq!(post(&mut c, duty(keepers[0], keepers[1], 2)).await.status, StatusCode::CREATED);
    assert_eq!(post(&mut c, duty(keepers[0], guard, 1)).await.status, StatusCode::CREATED);
    // One person cannot stand both halves of a duty.
    assert_eq!(post(&mut c, duty(guard, guard, 1)).await.status, StatusCode::UNPROCESSABLE_ENTITY);
    let feb = items(&mut c, &format!("unit={outlet}&rule=VAULT-1&month=2026-02")).await;
    let bad = on(&feb, "2026-02-28");
    assert_eq!(bad["status"], "overdue");
    assert!(bad["reason"].as_str().unwrap_or_default().contains("同为管库员"), "{bad}");
    let mar = items(&mut c, &format!("unit={outlet}&rule=VAULT-1&month=2026-03")).await;
    assert_eq!(on(&mar, "2026-03-01")["status"], "met");
    // Two staff who are both not formal employees may not guard together either.
    let t1 = id_of(
        &app,
        &format!("SELECT id FROM staff WHERE unit_id = {outlet} AND positions = ',teller,' ORDER BY id LIMIT 1"),
    )
    .await;
    for id in [t1, guard] {
        app.exec(&format!("UPDATE staff SET employment = 'approved_contract' WHERE id = {id}")).await;
    }
    post(&mut c, duty(t1, guard, 3)).await;
    let feb = items(&mut c, &format!("unit={outlet}&rule=VAULT-1&month=2026-02")).await;
    assert!(on(&feb, "2026-02-27")["reason"].as_str().unwrap_or_default().contains("均非正式员工"));
    app.finish().await;
}

const PNG: &[u8] = &[
    0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0x0D, b'I', b'H', b'D', b'R', 0, 0, 0, 1, 0, 0, 0, 1, 8,
    6, 0, 0, 0,
];

#[tokio::test]
async fn a_drill_counts_only_with_image_evidence_and_a_non_image_is_refused() {
    let app = TestApp::demo().await;
    let mut web = app.signed_in("admin").await;
    let outlet = id_of(&app, "SELECT id FROM units WHERE name = '东街分社'").await;
    let person =
        id_of(&app, &format!("SELECT id FROM staff WHERE unit_id = {outlet} ORDER BY id LIMIT 1")).await.to_string();
    let o = outlet.to_string();
    let when = local(20, 16, 0);
    let fields = [
        ("kind", "drill"),
        ("unit_id", o.as_str()),
        ("subkind", "fire"),
        ("text", "消防演练方案"),
        ("text2", "分组部署"),
        ("people", person.as_str()),
        ("occurred_at", when.as_str()),
    ];
    let before = app.count("records").await;
    // Photos, PDF scans and MP4 video are a drill's image evidence (drills.rs); a program is none of them.
    let r = web.post_multipart("/records", &fields, &[("photos", "plan.exe", b"MZ\x90\x00 not a photo")]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("不是图片、PDF或MP4视频"));
    assert_eq!(app.count("records").await, before, "nothing is stored");
    let r = web.post_multipart("/records", &fields, &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let mut api = app.api("admin").await;
    let year = items(&mut api, &format!("unit={outlet}&rule=TRN-1-b&month=2026-02")).await;
    assert_eq!(year[0]["have"], 0, "a drill without photos does not count");
    let r = web.post_multipart("/records", &fields, &[("photos", "drill.png", PNG)]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let year = items(&mut api, &format!("unit={outlet}&rule=TRN-1-b&month=2026-02")).await;
    assert_eq!(year[0]["have"], 1);
    // The photo is served to those who may see the record, with the time it was taken.
    let page = web.get(&r.location()).await.body;
    let start = page.find("/attachments/").expect("photo link");
    let link: String = page[start..].chars().take_while(|c| *c != '"').collect();
    let img = web.get(&link).await;
    assert_eq!(img.headers.get("content-type").and_then(|v| v.to_str().ok()), Some("image/png"));
    let mut outsider = app.signed_in("chengguan.zhuren").await;
    assert_eq!(outsider.get(&link).await.status, StatusCode::NOT_FOUND);
    app.finish().await;
}

#[tokio::test]
async fn a_correction_is_a_new_record_and_the_original_no_longer_counts() {
    let app = TestApp::demo().await;
    let mut c = app.api("admin").await;
    let outlet = id_of(&app, "SELECT id FROM units WHERE name = '东街分社'").await;
    let r = post(&mut c, json!({"kind": "cctv_check", "unit_id": outlet, "number": 3, "occurred_at": local(1, 8, 0)}))
        .await;
    let first = r.json()["id"].as_i64().unwrap_or(0);
    let r = post(&mut c, json!({"kind": "cctv_check", "unit_id": outlet, "number": 30, "occurred_at": local(1, 8, 0), "supersedes_id": first})).await;
    assert_eq!(r.status, StatusCode::CREATED);
    let r = post(&mut c, json!({"kind": "cctv_check", "unit_id": outlet, "number": 31, "supersedes_id": first})).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "only the newest version can be corrected");
    let original = c.get(&format!("/api/v1/records/{first}")).await.json();
    assert_eq!(original["value"], 3, "the original is kept as it was");
    let mar = items(&mut c, &format!("unit={outlet}&rule=CCTV-2&month=2026-03")).await;
    assert_eq!(on(&mar, "2026-03-01")["status"], "met");
    assert!(anbao_app::audit::verify(&app.db).await.expect("verify").ok());
    app.finish().await;
}

#[tokio::test]
async fn the_dashboard_agrees_with_a_direct_count_of_the_records() {
    let app = TestApp::demo().await;
    anbao_app::demo_records::seed(&app.db, &app.blobs(), START_MS, 20).await.expect("generate records");
    let mut c = app.api("admin").await;
    // The direct count uses the rulebook's number too, so a union that edits ATM-1 keeps this test meaningful.
    let need = c.get("/api/v1/rules/ATM-1").await.json()["rule"]["min_count"].as_i64().expect("ATM-1 min_count");
    let roots = [
        ("province", id_of(&app, "SELECT id FROM units WHERE kind = 'province'").await),
        ("county", id_of(&app, "SELECT id FROM units WHERE name = '清河县农村信用合作联社'").await),
        ("outlet", id_of(&app, "SELECT id FROM units WHERE name = '黄城东关分社'").await),
    ];
    for (label, root) in roots {
        let body = c.get(&format!("/api/v1/compliance?unit={root}&month=2026-02")).await.json();
        let rule = body["rules"]
            .as_array()
            .and_then(|r| r.iter().find(|x| x["rule_id"] == "ATM-1"))
            .cloned()
            .expect("ATM-1 judged");
        let path: String = {
            use sqlx::Row;
            let mut conn = app.db.read().await.expect("conn");
            sqlx::query("SELECT path FROM units WHERE id = $1")
                .bind(root)
                .fetch_one(&mut *conn)
                .await
                .expect("row")
                .get("path")
        };
        // Direct count: for each ATM under the root and each day of February, patrols that day.
        let feb_from = anbao_domain::period::first_of_month(2026, 2);
        let feb_to = anbao_domain::period::first_of_month(2026, 3);
        let atms = app.scalar(&format!("SELECT COUNT(*) FROM assets a JOIN units u ON u.id = a.unit_id WHERE a.kind = 'atm' AND u.kind = 'outlet' AND u.path LIKE '{path}%'")).await;
        let grouped = format!(
            "SELECT r.asset_id, r.local_day, COUNT(*) AS n FROM records r JOIN units u ON u.id = r.unit_id \
             WHERE r.kind = 'atm_patrol' AND u.path LIKE '{path}%' AND r.local_day >= {feb_from} AND r.local_day < {feb_to} GROUP BY r.asset_id, r.local_day"
        );
        let met = app.scalar(&format!("SELECT COUNT(*) FROM ({grouped}) g WHERE g.n >= {need}")).await;
        let partly = app.scalar(&format!("SELECT COUNT(*) FROM ({grouped}) g WHERE g.n < {need}")).await;
        let overdue = atms * (feb_to - feb_from) - met - partly;
        let t = &rule["tally"];
        assert_eq!(
            (t["met"].as_i64(), t["partly_met"].as_i64(), t["overdue"].as_i64()),
            (Some(met), Some(partly), Some(overdue)),
            "{label}"
        );
        assert!(met > 0, "{label}: the generated data has met days");
    }
    // The outlet that skips night patrols is among the worst in its county.
    let html = app.signed_in("admin").await.get("/compliance?month=2026-02").await.body;
    assert!(html.contains("黄城东关分社"), "the worst units list names it");
    app.finish().await;
}

#[tokio::test]
async fn reminders_are_made_once_however_many_instances_run_the_job() {
    let app = TestApp::demo().await;
    let mut c = app.api("admin").await;
    let atm = id_of(&app, "SELECT a.id FROM assets a JOIN units u ON u.id = a.unit_id WHERE a.kind = 'atm' AND u.name = '城关信用社营业部' LIMIT 1").await;
    post(&mut c, json!({"kind": "atm_patrol", "asset_id": atm, "occurred_at": local(1, 9, 0)})).await;
    // The demo itself has told the security department of a fault; only the job's messages are counted here.
    let before = app.count("messages").await;
    let (a, b) = tokio::join!(
        anbao_app::reminders::run_once(&app.db, START_MS),
        anbao_app::reminders::run_once(&app.db, START_MS)
    );
    let made = a.expect("job a") + b.expect("job b");
    let stored = app.count("messages").await - before;
    assert_eq!(made as i64, stored, "concurrent runs made each message once");
    assert_eq!(anbao_app::reminders::run_once(&app.db, START_MS).await.expect("again"), 0);
    let mut head = app.api("chengguan.zhuren").await;
    let msgs = head.get("/api/v1/messages").await.json();
    assert!(
        msgs.as_array().is_some_and(|m| m.iter().any(|x| x["body"].as_str().unwrap_or_default().contains("1/6"))),
        "{msgs}"
    );
    let mut web = app.signed_in("chengguan.zhuren").await;
    let home = web.get("/").await.body;
    assert!(home.contains("逾期") && home.contains("ATM"), "the head's to-do lists the missed patrols");
    // Reading them is a write: the messages are marked read, and the trail says when and how many.
    let unread = "SELECT COUNT(*) FROM messages m JOIN accounts a ON a.id = m.account_id \
                  WHERE a.username = 'chengguan.zhuren' AND m.read_at IS NULL";
    let n = app.scalar(unread).await;
    assert!(n > 0);
    let r = web.post_form("/messages/read", &[]).await;
    assert_eq!(r.status, axum::http::StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(app.scalar(unread).await, 0);
    let events = app.scalar("SELECT COUNT(*) FROM audit_events WHERE action = 'messages.read_all'").await;
    assert_eq!(events, 1);
    app.finish().await;
}

#[tokio::test]
async fn the_dashboard_and_its_tables_export_to_excel() {
    let app = TestApp::demo().await;
    anbao_app::demo_records::seed(&app.db, &app.blobs(), START_MS, 5).await.expect("generate records");
    let mut web = app.signed_in("qinghe.baowei").await;
    let page = web.get("/compliance?month=2026-02").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("清河县农村信用合作联社") && !page.body.contains("安平县"),
        "the dashboard keeps to the county"
    );
    let units = crate::staff_records::read_xlsx(&web.get("/compliance/export.xlsx?month=2026-02").await.bytes);
    assert_eq!(units[0][1], "单位");
    assert!(units.iter().any(|r| r[1] == "东街分社") && !units.iter().any(|r| r[1].contains("安平")));
    let items =
        crate::staff_records::read_xlsx(&web.get("/compliance/items.xlsx?month=2026-02&rule=ATM-1").await.bytes);
    assert!(items.len() > 1 && items[1..].iter().all(|r| r[1] == "ATM-1"));
    let records = crate::staff_records::read_xlsx(&web.get("/records/export.xlsx?kind=atm_patrol").await.bytes);
    assert!(records.len() > 1 && records[1..].iter().all(|r| r[2] == "ATM巡查"));
    let bad = web.get("/compliance?month=2026-13").await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("月份格式应为"));
    app.finish().await;
}

/// RESP-4's two January items were listed but not judged until their record kinds existed; each kind is one
/// declaration, and the rule now judges it like any other.
#[tokio::test]
async fn responsibility_systems_and_rules_revised_by_january_are_judged_from_their_records() {
    let app = TestApp::demo().await;
    let mut c = app.api("admin").await;
    let counties: Vec<i64> = {
        let n = app.scalar("SELECT COUNT(*) FROM units WHERE kind = 'county'").await;
        let mut v = Vec::new();
        for i in 0..n {
            v.push(
                id_of(&app, &format!("SELECT id FROM units WHERE kind = 'county' ORDER BY id LIMIT 1 OFFSET {i}"))
                    .await,
            );
        }
        v
    };
    let (done, rest) = counties.split_first().expect("the demo has a county union");
    let all_checks = json!(["security_system", "fire_system"]);
    let r = post(&mut c, json!({"kind": "responsibility_system", "unit_id": done, "checks": all_checks, "text2": "曲农信发〔2026〕1号", "occurred_at": local(40, 10, 0)})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    // The revision must say what was revised; a refusal writes nothing.
    let before = app.count("records").await;
    let r = post(&mut c, json!({"kind": "rules_revision", "unit_id": done, "checks": ["rules", "rewards_penalties", "procedures"], "occurred_at": local(40, 11, 0)})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(r.json()["error"]["field"], "text");
    assert_eq!(app.count("records").await, before);
    let status = |items: &[Value], unit: i64| {
        items.iter().find(|i| i["unit_id"] == unit).map(|i| i["status"].as_str().unwrap_or_default().to_owned())
    };
    let items_a = items(&mut c, "rule=RESP-4-a&month=2026-03").await;
    assert_eq!(status(&items_a, *done).as_deref(), Some("met"), "{items_a:?}");
    for other in rest {
        assert_eq!(status(&items_a, *other).as_deref(), Some("overdue"));
    }
    let items_b = items(&mut c, "rule=RESP-4-b&month=2026-03").await;
    assert_eq!(status(&items_b, *done).as_deref(), Some("overdue"), "{items_b:?}");
    app.finish().await;
}

#[tokio::test]
async fn a_computer_security_check_counts_for_its_quarter_and_a_failed_item_needs_its_findings() {
    let app = TestApp::demo().await;
    let mut c = app.api("admin").await;
    let checked = id_of(&app, "SELECT id FROM units WHERE name = '东街分社'").await;
    let other = id_of(&app, "SELECT id FROM units WHERE name = '西关分社'").await;
    let checker = id_of(&app, &format!("SELECT id FROM staff WHERE unit_id = {checked} ORDER BY id LIMIT 1")).await;
    let four = json!(["users_passwords", "data_backup", "network", "hardware"]);
    // Antivirus failed: without the findings it is refused and nothing is written.
    let before = app.count("records").await;
    let r = post(&mut c, json!({"kind": "computer_check", "unit_id": checked, "performer_id": checker, "checks": four, "occurred_at": local(10, 10, 0)})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(app.count("records").await, before);
    let r = post(&mut c, json!({"kind": "computer_check", "unit_id": checked, "performer_id": checker, "checks": four, "text": "两台柜员机病毒库未更新，已当场升级", "occurred_at": local(10, 10, 0)})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let id = r.json()["id"].as_i64().unwrap();
    let rec = c.get(&format!("/api/v1/records/{id}")).await;
    assert!(rec.body.contains("abnormal"), "{}", rec.body);
    let status = |items: &[Value], unit: i64| {
        items.iter().find(|i| i["unit_id"] == unit).map(|i| i["status"].as_str().unwrap_or_default().to_owned())
    };
    let q1 = items(&mut c, "rule=ASSESS-2&month=2026-03").await;
    assert_eq!(status(&q1, checked).as_deref(), Some("met"), "{q1:?}");
    assert_eq!(status(&q1, other).as_deref(), Some("not_yet_due"));
    app.finish().await;
}
