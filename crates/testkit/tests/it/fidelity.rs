//! Rule fidelity: rules judged from the records and the people the articles name — the inspection quotas filled only
//! by the leaders each quota names (篇五 四), the night-duty phone checks (篇二 (四)), the key staff of a county's
//! security department (篇二 一、1), a business day without two at the counter (第三篇 第四条).
use anbao_app::bulk::BulkRecord;
use anbao_domain::ids::{StaffId, UnitId};
use anbao_domain::records::{RecordDraft, RecordKind};
use anbao_testkit::{START_MS, TestApp};
use axum::http::StatusCode;
use serde_json::{Value, json};

const COUNTY: &str = "清河县农村信用合作联社";

async fn items(c: &mut anbao_testkit::Client, query: &str) -> Vec<Value> {
    let r = c.get(&format!("/api/v1/compliance/items?{query}")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    r.json().as_array().cloned().unwrap_or_default()
}

async fn have(c: &mut anbao_testkit::Client, unit: i64, rule: &str, month: &str) -> i64 {
    let got = items(c, &format!("unit={unit}&rule={rule}&month={month}")).await;
    assert_eq!(got.len(), 1, "{got:?}");
    got[0]["have"].as_i64().unwrap_or(-1)
}

/// A visit as a countersigned inspection writes it: at the inspector's unit, in the post they inspected in, today.
fn visit(at_unit: i64, who: i64, post: &str, kind: &str, target: i64) -> BulkRecord {
    BulkRecord {
        draft: RecordDraft {
            kind: RecordKind::InspectionVisit,
            subkind: Some(kind.into()),
            performer: Some(StaffId::new(who)),
            performer_position: Some(post.into()),
            second_person: None,
            subject_staff: None,
            target_unit: Some(UnitId::new(target)),
            value: None,
            data: json!({"checks": {}, "notes": "检查"}),
            breach: None,
        },
        unit: UnitId::new(at_unit),
        asset: None,
        occurred_at: START_MS,
        photo: None,
    }
}

async fn write(app: &TestApp, recs: Vec<BulkRecord>) {
    anbao_app::bulk::import(&app.db, &app.blobs(), None, app.now(), recs).await.expect("records");
}

#[tokio::test]
async fn a_county_leaders_quota_is_filled_only_by_the_county_unions_own_leaders() {
    // 篇五 四: "各行社主要领导对辖内营业网点@安全检查,每月检查不少于1次" — the county union's leaders, not the directors
    // of the cooperatives below it, nor the head of its security department.
    let app = TestApp::demo().await;
    let mut c = app.api("admin").await;
    let county = app.scalar(&format!("SELECT id FROM units WHERE name = '{COUNTY}'")).await;
    let coop = app
        .scalar(&format!(
            "SELECT id FROM units WHERE parent_id = {county} AND kind = 'cooperative' ORDER BY id LIMIT 1"
        ))
        .await;
    let coop_director = app
        .scalar(&format!("SELECT id FROM staff WHERE unit_id = {coop} AND positions LIKE '%,director,%' LIMIT 1"))
        .await;
    let dept = app.scalar(&format!("SELECT id FROM units WHERE parent_id = {county} AND name = '保卫部'")).await;
    let dept_director = app
        .scalar(&format!("SELECT id FROM staff WHERE unit_id = {dept} AND positions LIKE '%,director,%' LIMIT 1"))
        .await;
    let chairman = app
        .scalar(&format!("SELECT id FROM staff WHERE unit_id = {county} AND positions LIKE '%,chairman,%' LIMIT 1"))
        .await;
    let outlet = app.scalar(&format!("SELECT u.id FROM units u JOIN units p ON p.id = u.parent_id WHERE p.id = {coop} AND u.kind = 'outlet' ORDER BY u.id LIMIT 1")).await;
    let before = have(&mut c, county, "INSP-2-b", "2026-03").await;
    write(
        &app,
        vec![
            visit(coop, coop_director, "director", "routine", outlet),
            visit(dept, dept_director, "director", "routine", outlet),
        ],
    )
    .await;
    assert_eq!(
        have(&mut c, county, "INSP-2-b", "2026-03").await,
        before,
        "a cooperative's or a department's director is not the county's leader"
    );
    write(&app, vec![visit(county, chairman, "chairman", "routine", outlet)]).await;
    assert_eq!(have(&mut c, county, "INSP-2-b", "2026-03").await, before + 1);
    let rule = c.get("/api/v1/rules/INSP-2-b").await.json();
    assert_eq!(rule["rule"]["visits_by"], "unit");
    let page = app.signed_in("baowei").await.get("/rulebook/INSP-2-b").await.body;
    assert!(page.contains("仅本级单位人员的检查"), "{page}");
    assert!(rule["rule"]["source"].as_str().unwrap_or_default().contains("篇五"), "{rule}");
    app.finish().await;
}

#[tokio::test]
async fn night_duty_phone_checks_fill_the_phone_check_rule_and_in_person_night_visits_do_not() {
    // 篇二 (四): "并通过电话查岗对夜间值班情况进行检查".
    let app = TestApp::demo().await;
    let mut c = app.api("admin").await;
    let county = app.scalar(&format!("SELECT id FROM units WHERE name = '{COUNTY}'")).await;
    // March: none yet; an in-person night visit is not a phone check; a call is.
    assert_eq!(have(&mut c, county, "INSP-3", "2026-03").await, 0);
    let officer = app.scalar("SELECT staff_id FROM accounts WHERE username = 'qinghe.baowei'").await;
    let officer_unit = app.scalar(&format!("SELECT unit_id FROM staff WHERE id = {officer}")).await;
    let outlets: Vec<i64> = {
        let first = app.scalar(&format!("SELECT MIN(u.id) FROM units u WHERE u.kind = 'outlet' AND u.path LIKE (SELECT path FROM units WHERE id = {county}) || '%'")).await;
        let second = app.scalar(&format!("SELECT MIN(u.id) FROM units u WHERE u.kind = 'outlet' AND u.id > {first} AND u.path LIKE (SELECT path FROM units WHERE id = {county}) || '%'")).await;
        vec![first, second]
    };
    write(&app, vec![visit(officer_unit, officer, "security_officer", "night", outlets[0])]).await;
    assert_eq!(have(&mut c, county, "INSP-3", "2026-03").await, 0);
    let mut sec = app.api("qinghe.baowei").await;
    let call = json!({"kind": "phone_check", "unit_id": county, "target_unit_id": outlets[1], "performer_id": officer,
        "text2": "值班员", "result": "late"});
    let r = sec.json("POST", "/api/v1/records", &call).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(have(&mut c, county, "INSP-3", "2026-03").await, 1);
    let rule = c.get("/api/v1/rules/INSP-3").await.json();
    assert_eq!(rule["rule"]["evidence"], "phone_check");
    app.finish().await;
}

#[tokio::test]
async fn the_armed_guards_of_a_county_security_department_owe_the_yearly_qualification_review() {
    // 篇二 一、1: "每年对重要岗位人员进行一次资格审查" — the county's armed guards work in its security department.
    let app = TestApp::demo().await;
    let mut c = app.api("admin").await;
    let county = app.scalar(&format!("SELECT id FROM units WHERE name = '{COUNTY}'")).await;
    let dept = app.scalar(&format!("SELECT id FROM units WHERE parent_id = {county} AND name = '保卫部'")).await;
    let guards = app
        .scalar(&format!(
            "SELECT COUNT(*) FROM staff WHERE unit_id = {dept} AND active = 1 AND key_position = 1 AND positions LIKE '%,guard,%'"
        ))
        .await;
    assert!(guards > 0);
    let got = items(&mut c, &format!("unit={county}&rule=ORG-3&month=2026-03")).await;
    let of_guards =
        got.iter().filter(|i| i["unit_id"].as_i64() == Some(dept) && i["person"].is_string()).count() as i64;
    assert!(of_guards >= guards, "every key person of the department owes a review: {got:?}");
    // Seen from the department itself, the same items.
    let own = items(&mut c, &format!("unit={dept}&rule=ORG-3&month=2026-03")).await;
    let own = own.iter().filter(|i| i["unit_id"].as_i64() == Some(dept) && i["person"].is_string()).count() as i64;
    assert_eq!(own, of_guards, "from the department: {own}");
    app.finish().await;
}

#[tokio::test]
async fn a_business_day_with_no_counter_record_is_owed() {
    // 第三篇 第四条: "必须坚持双人临柜". Without a record for the day, nothing shows that two were at the counter.
    let app = TestApp::demo().await;
    let mut c = app.api("admin").await;
    let outlet = app.scalar("SELECT id FROM units WHERE name = '城关信用社营业部'").await;
    let tellers: Vec<i64> = {
        let a = app
            .scalar(&format!("SELECT MIN(id) FROM staff WHERE unit_id = {outlet} AND positions LIKE '%,teller,%'"))
            .await;
        let b = app
            .scalar(&format!(
                "SELECT MIN(id) FROM staff WHERE unit_id = {outlet} AND positions LIKE '%,teller,%' AND id > {a}"
            ))
            .await;
        vec![a, b]
    };
    let roster = |days_back: i64, second: Option<i64>| BulkRecord {
        draft: RecordDraft {
            kind: RecordKind::CounterRoster,
            subkind: None,
            performer: Some(StaffId::new(tellers[0])),
            performer_position: None,
            second_person: second.map(StaffId::new),
            subject_staff: None,
            target_unit: None,
            value: None,
            data: json!({"checks": {}, "result": "normal"}),
            breach: None,
        },
        unit: UnitId::new(outlet),
        asset: None,
        // 08:00 local.
        occurred_at: START_MS - days_back * 86_400_000 - 90 * 60_000,
        photo: None,
    };
    // 10 February, two tellers; Saturday 7 February (a rest day: nothing owed), one teller named twice — a breach all the same.
    write(&app, vec![roster(20, Some(tellers[1])), roster(23, Some(tellers[0]))]).await;
    let feb = items(&mut c, &format!("unit={outlet}&rule=OPS-2&month=2026-02")).await;
    // One item a business day: February 2026 has 16 by the calendar (see the calendar tests).
    assert_eq!(feb.len(), 17, "one item a business day, and the Saturday's breach: {feb:?}");
    let count = |s: &str| feb.iter().filter(|i| i["status"] == s).count();
    assert_eq!((count("met"), count("overdue")), (1, 16), "{feb:?}");
    let sat = feb.iter().find(|i| i["period_start"] == "2026-02-07").expect("the Saturday's item");
    assert_eq!(sat["status"], "overdue");
    assert_eq!(feb.iter().find(|i| i["status"] == "met").map(|i| i["period_start"].clone()), Some(json!("2026-02-10")));
    // Today (2 March) has no counter record yet: owed, not yet late; a day later it is overdue.
    let today = anbao_domain::period::day_of_ms(START_MS);
    let n = app
        .scalar(&format!(
            "SELECT COUNT(*) FROM records WHERE kind = 'counter_roster' AND unit_id = {outlet} AND local_day = {today}"
        ))
        .await;
    assert_eq!(n, 0);
    let status = |v: &[Value]| {
        v.iter()
            .find(|i| i["period_start"] == "2026-03-02")
            .map(|i| i["status"].as_str().unwrap_or_default().to_owned())
    };
    let mar = items(&mut c, &format!("unit={outlet}&rule=OPS-2&month=2026-03")).await;
    assert_ne!(status(&mar).as_deref(), Some("overdue"));
    assert!(status(&mar).is_some(), "{mar:?}");
    app.advance_minutes(24 * 60);
    let mut c = app.api("admin").await;
    let mar = items(&mut c, &format!("unit={outlet}&rule=OPS-2&month=2026-03")).await;
    assert_eq!(status(&mar).as_deref(), Some("overdue"));
    app.finish().await;
}

#[tokio::test]
async fn a_record_made_by_a_person_of_the_staff_register_names_them_as_performer_unless_told_otherwise() {
    let app = TestApp::demo().await;
    let mut sec = app.api("qinghe.baowei").await;
    let county = app.scalar(&format!("SELECT id FROM units WHERE name = '{COUNTY}'")).await;
    let me = app.scalar("SELECT staff_id FROM accounts WHERE username = 'qinghe.baowei'").await;
    let outlet = app.scalar("SELECT id FROM units WHERE name = '城关信用社营业部'").await;
    let call = json!({"kind": "phone_check", "unit_id": county, "target_unit_id": outlet, "text2": "值班员", "result": "on_time"});
    let r = sec.json("POST", "/api/v1/records", &call).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let id = r.json()["id"].as_i64().unwrap();
    assert_eq!(app.scalar(&format!("SELECT performer_id FROM records WHERE id = {id}")).await, me);
    // Another performer named is kept.
    let other = app
        .scalar(&format!("SELECT s.id FROM staff s JOIN units u ON u.id = s.unit_id WHERE u.parent_id = {county} AND s.id <> {me} AND s.active = 1 ORDER BY s.id LIMIT 1"))
        .await;
    let mut named = call.clone();
    named["performer_id"] = other.into();
    let r = sec.json("POST", "/api/v1/records", &named).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let id = r.json()["id"].as_i64().unwrap();
    assert_eq!(app.scalar(&format!("SELECT performer_id FROM records WHERE id = {id}")).await, other);
    // An account of no person (the administrator) must still name who did it.
    let mut admin = app.api("admin").await;
    let r = admin.json("POST", "/api/v1/records", &call).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(r.json()["error"]["field"], "performer_id");
    app.finish().await;
}

#[tokio::test]
async fn an_outlet_with_cctv_owes_a_named_administrator_until_one_is_named() {
    // 第三篇 第四十二条 "安装监控设施的网点必须落实专人负责管理" (CCTV-1, a post rule judged from the staff records).
    let app = TestApp::demo().await;
    let mut c = app.api("admin").await;
    let outlet = app.scalar("SELECT id FROM units WHERE name = '城关信用社营业部'").await;
    let cctv = app.scalar(&format!("SELECT COUNT(*) FROM assets WHERE unit_id = {outlet} AND kind = 'cctv'")).await;
    assert!(cctv > 0);
    let admins = app
        .scalar(&format!(
            "SELECT COUNT(*) FROM staff WHERE unit_id = {outlet} AND active = 1 AND positions LIKE '%,cctv_admin,%'"
        ))
        .await;
    assert!(admins > 0, "the demo names one");
    let feb = items(&mut c, &format!("unit={outlet}&rule=CCTV-1&month=2026-02")).await;
    assert_eq!((feb.len(), feb[0]["status"].as_str()), (1, Some("met")), "{feb:?}");
    assert!(feb[0]["reason"].as_str().unwrap_or_default().contains("监控管理员为"), "{feb:?}");
    // The post left vacant: owed — overdue for a month that has ended, open for the month running.
    app.exec(&format!("UPDATE staff SET positions = REPLACE(positions, ',cctv_admin,', ',') WHERE unit_id = {outlet}"))
        .await;
    app.exec(&format!("UPDATE staff SET positions = ',teller,' WHERE unit_id = {outlet} AND positions = ','")).await;
    let feb = items(&mut c, &format!("unit={outlet}&rule=CCTV-1&month=2026-02")).await;
    assert_eq!(feb[0]["status"], "overdue");
    assert!(feb[0]["reason"].as_str().unwrap_or_default().contains("尚未指定监控管理员"), "{feb:?}");
    let mar = items(&mut c, &format!("unit={outlet}&rule=CCTV-1&month=2026-03")).await;
    assert_eq!(mar[0]["status"], "not_yet_due");
    // An outlet without CCTV owes nothing.
    let none = app
        .scalar("SELECT COUNT(*) FROM units u WHERE u.kind = 'outlet' AND NOT EXISTS (SELECT 1 FROM assets a WHERE a.unit_id = u.id AND a.kind = 'cctv')")
        .await;
    if none > 0 {
        let bare = app
            .scalar("SELECT MIN(u.id) FROM units u WHERE u.kind = 'outlet' AND NOT EXISTS (SELECT 1 FROM assets a WHERE a.unit_id = u.id AND a.kind = 'cctv')")
            .await;
        assert!(items(&mut c, &format!("unit={bare}&rule=CCTV-1&month=2026-02")).await.is_empty());
    }
    let rule = c.get("/api/v1/rules/CCTV-1").await.json();
    assert_eq!((rule["rule"]["kind"].as_str(), rule["tracked"].as_bool()), (Some("post"), Some(true)));
    app.finish().await;
}
