//! The business-day calendar (SYS-6): business-hours duties owed on business days only, holidays and adjusted
//! working days from the calendar, an edit that moves the dashboard's summaries, the holiday-duty checks
//! (篇二 (四) 增加节假日安全值班的检查频率) judged per holiday, and the roster's holiday nights.
use anbao_app::bulk::BulkRecord;
use anbao_domain::ids::{StaffId, UnitId};
use anbao_domain::records::{RecordDraft, RecordKind};
use anbao_testkit::{START_MS, TestApp};
use axum::http::StatusCode;
use serde_json::{Value, json};

const OUTLET: &str = "城关信用社营业部";
const COUNTY: &str = "清河县农村信用合作联社";

async fn items(c: &mut anbao_testkit::Client, query: &str) -> Vec<Value> {
    let r = c.get(&format!("/api/v1/compliance/items?{query}")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    r.json().as_array().cloned().unwrap_or_default()
}

fn starts(items: &[Value]) -> Vec<String> {
    items.iter().filter_map(|i| i["period_start"].as_str().map(str::to_owned)).collect()
}

#[tokio::test]
async fn opening_checks_are_owed_on_business_days_only_by_the_calendar() {
    // 第三篇 第五条 (营业前检查) on each business day: February 2026 has 20 weekdays; the Spring Festival closes six of
    // them (16–20 and 23 February) and two Saturdays are worked (14 and 28 February): 16 business days.
    let app = TestApp::demo().await;
    let mut c = app.api("admin").await;
    let outlet = app.scalar(&format!("SELECT id FROM units WHERE name = '{OUTLET}'")).await;
    let feb = items(&mut c, &format!("unit={outlet}&rule=OPS-1&month=2026-02")).await;
    let days = starts(&feb);
    assert_eq!(days.len(), 16, "{days:?}");
    assert!(days.contains(&"2026-02-14".to_owned()) && days.contains(&"2026-02-28".to_owned()));
    assert!(!days.contains(&"2026-02-16".to_owned()) && !days.contains(&"2026-02-07".to_owned()));
    // A daily rule not of business hours (ATM patrols) is owed every day.
    let atm = items(&mut c, &format!("unit={outlet}&rule=ATM-1&month=2026-02")).await;
    assert!(starts(&atm).contains(&"2026-02-16".to_owned()));
    let rule = c.get("/api/v1/rules/OPS-1").await.json();
    assert_eq!(rule["rule"]["business_days_only"], true);
    app.finish().await;
}

#[tokio::test]
async fn a_day_listed_as_a_holiday_drops_its_business_duties_from_the_items_and_the_dashboard() {
    let app = TestApp::demo().await;
    let mut c = app.api("baowei").await;
    let outlet = app.scalar(&format!("SELECT id FROM units WHERE name = '{OUTLET}'")).await;
    let total = |b: &Value| {
        let t = &b["unit"]["tally"];
        ["met", "partly_met", "overdue", "not_yet_due"].iter().map(|k| t[k].as_i64().unwrap_or(0)).sum::<i64>()
    };
    let before = c.get(&format!("/api/v1/compliance?unit={outlet}&month=2026-03")).await.json();
    let today = |v: &[Value]| v.iter().filter(|i| i["period_start"] == "2026-03-02").count();
    let mar = items(&mut c, &format!("unit={outlet}&month=2026-03")).await;
    let owed_today = today(&mar);
    assert!(owed_today >= 3, "{mar:?}");
    // Today, an ordinary Monday, becomes a holiday.
    let mut book = c.get("/api/v1/calendar").await.json();
    let version = book["version"].as_i64().unwrap();
    book["day"].as_array_mut().unwrap().push(json!({"date": "2026-03-02", "kind": "holiday", "name": "临时休息"}));
    let put = json!({"rest_weekdays": book["rest_weekdays"], "day": book["day"]});
    let r = c.json("PUT", "/api/v1/calendar", &put).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["version"].as_i64(), Some(version + 1));
    let mar = items(&mut c, &format!("unit={outlet}&month=2026-03")).await;
    let business = ["OPS-1", "OPS-2", "OPS-5"];
    assert!(
        mar.iter()
            .filter(|i| i["period_start"] == "2026-03-02")
            .all(|i| !business.contains(&i["rule_id"].as_str().unwrap_or("")))
    );
    let dropped = owed_today - today(&mar);
    assert_eq!(dropped, 3, "the opening and closing checks and the counter record");
    let after = c.get(&format!("/api/v1/compliance?unit={outlet}&month=2026-03")).await.json();
    assert_eq!(total(&after), total(&before) - 3, "the summary follows the calendar's version");
    // A calendar that does not make sense is refused, and nothing is stored.
    let bad = json!({"rest_weekdays": [8], "day": []});
    let r = c.json("PUT", "/api/v1/calendar", &bad).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let twice = json!({"rest_weekdays": [6, 7], "day": [{"date": "2026-05-01", "kind": "holiday", "name": "劳动节"}, {"date": "2026-05-01", "kind": "workday", "name": "x"}]});
    let r = c.json("PUT", "/api/v1/calendar", &twice).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("日期重复"), "{}", r.body);
    assert_eq!(c.get("/api/v1/calendar").await.json()["version"].as_i64(), Some(version + 1));
    // A day already judged keeps its listing: the Spring Festival cannot be moved after the fact.
    let mut web = app.signed_in("baowei").await;
    let r = web.post_form("/calendar/days", &[("date", "2026-02-16"), ("kind", "none"), ("name", "")]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("不能修改今天以前的日期"), "{}", r.body);
    assert_eq!(c.get("/api/v1/calendar").await.json()["version"].as_i64(), Some(version + 1));
    // The page lists and unlists a day the same way.
    let r = web.post_form("/calendar/days", &[("date", "2026-03-02"), ("kind", "none"), ("name", "")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let mar = items(&mut c, &format!("unit={outlet}&month=2026-03")).await;
    assert_eq!(today(&mar), owed_today);
    let r = web.post_form("/calendar/days", &[("date", "2026-02-30"), ("kind", "holiday"), ("name", "x")]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("请填写日期"), "{}", r.body);
    app.finish().await;
}

#[tokio::test]
async fn each_holiday_owes_a_phone_check_of_every_outlets_duty() {
    // 篇二 (四) "特别是要增加节假日安全值班的检查频率"; the count and coverage are our defaults (INSP-3-b).
    let app = TestApp::demo().await;
    let mut c = app.api("admin").await;
    let county = app.scalar(&format!("SELECT id FROM units WHERE name = '{COUNTY}'")).await;
    let feb = items(&mut c, &format!("unit={county}&rule=INSP-3-b&month=2026-02")).await;
    assert_eq!(feb.len(), 1, "one holiday in February: {feb:?}");
    assert_eq!(
        (feb[0]["period_start"].as_str(), feb[0]["period_end"].as_str()),
        (Some("2026-02-15"), Some("2026-02-23"))
    );
    assert_eq!(feb[0]["status"], "overdue");
    let need = feb[0]["need"].as_i64().unwrap();
    let officer = app.scalar("SELECT staff_id FROM accounts WHERE username = 'qinghe.baowei'").await;
    let outlets: Vec<i64> = {
        use sqlx::Row;
        let mut conn = app.db.read().await.expect("conn");
        sqlx::query("SELECT u.id FROM units u WHERE u.kind = 'outlet' AND u.path LIKE (SELECT path FROM units WHERE id = $1) || '%' ORDER BY u.id")
            .bind(county)
            .fetch_all(&mut *conn)
            .await
            .expect("rows")
            .iter()
            .map(|r| r.get("id"))
            .collect()
    };
    assert_eq!(outlets.len() as i64, need);
    // Calls on 16 February, 23:00 local; one outlet called only on the 25th, after the holiday.
    let call = |target: i64, days_back: i64| BulkRecord {
        draft: RecordDraft {
            kind: RecordKind::PhoneCheck,
            subkind: Some("on_time".into()),
            performer: Some(StaffId::new(officer)),
            performer_position: Some("security_officer".into()),
            second_person: None,
            subject_staff: None,
            target_unit: Some(UnitId::new(target)),
            value: None,
            data: json!({"checks": {}, "result": "on_time", "answered_by": "值班员", "notes": ""}),
            breach: None,
        },
        unit: UnitId::new(county),
        asset: None,
        occurred_at: START_MS - days_back * 86_400_000 + (13 * 60 + 30) * 60_000,
        photo: None,
    };
    let mut recs: Vec<BulkRecord> = outlets[1..].iter().map(|o| call(*o, 14)).collect();
    recs.push(call(outlets[0], 5));
    anbao_app::bulk::import(&app.db, &app.blobs(), None, app.now(), recs).await.expect("calls");
    let feb = items(&mut c, &format!("unit={county}&rule=INSP-3-b&month=2026-02")).await;
    assert_eq!((feb[0]["status"].as_str(), feb[0]["have"].as_i64()), (Some("partly_met"), Some(need - 1)));
    anbao_app::bulk::import(&app.db, &app.blobs(), None, app.now(), vec![call(outlets[0], 13)]).await.expect("call");
    let feb = items(&mut c, &format!("unit={county}&rule=INSP-3-b&month=2026-02")).await;
    assert_eq!(feb[0]["status"], "met");
    // March has no holiday: nothing is owed.
    assert!(items(&mut c, &format!("unit={county}&rule=INSP-3-b&month=2026-03")).await.is_empty());
    app.finish().await;
}

#[tokio::test]
async fn the_roster_marks_the_calendars_holiday_nights() {
    let app = TestApp::demo().await;
    let mut web = app.signed_in("chengguan.zhuren").await;
    let vault = app
        .scalar(&format!(
            "SELECT a.id FROM assets a JOIN units u ON u.id = a.unit_id WHERE a.kind = 'vault' AND u.name = '{OUTLET}'"
        ))
        .await;
    let page = web.get(&format!("/duty?vault={vault}&month=2026-02")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("春节") && page.body.contains("春节调休上班"), "{}", page.body);
    let row = |day: &str| {
        let i = page.body.find(&format!(">{day} ")).unwrap_or_else(|| panic!("no row for {day}"));
        let start = page.body[..i].rfind("<tr").unwrap_or(0);
        page.body[start..i].contains("holiday")
    };
    assert!(row("02-16"), "a Spring Festival night is holiday duty");
    assert!(!row("02-14"), "an adjusted working Saturday is not");
    assert!(row("02-07"), "an ordinary Saturday is a rest day");
    assert!(!row("02-10"), "an ordinary Tuesday is not");
    app.finish().await;
}

#[tokio::test]
async fn a_rule_owed_every_day_from_an_edit_keeps_its_earlier_rest_days_free() {
    // OPS-1 (第五条) is owed on business days; from 2 March the union owes it every day. Sunday 1 March stays a rest
    // day of the version that judged it; Saturday 7 March is owed under the new one.
    let app = TestApp::demo().await;
    let mut c = app.api("admin").await;
    let outlet = app.scalar(&format!("SELECT id FROM units WHERE name = '{OUTLET}'")).await;
    let mut rule = c.get("/api/v1/rules/OPS-1").await.json()["rule"].clone();
    rule["business_days_only"] = false.into();
    let r = c.json("PUT", "/api/v1/rules/OPS-1", &json!({"rule": rule, "effective_from": "2026-03-02"})).await;
    assert!(r.status.is_success(), "{}", r.body);
    app.advance_minutes(6 * 24 * 60);
    let days = starts(&items(&mut c, &format!("unit={outlet}&rule=OPS-1&month=2026-03")).await);
    assert!(!days.contains(&"2026-03-01".to_owned()), "{days:?}");
    assert!(days.contains(&"2026-03-07".to_owned()) && days.contains(&"2026-03-02".to_owned()), "{days:?}");
    app.finish().await;
}

#[tokio::test]
async fn opening_on_saturdays_from_today_leaves_februarys_saturdays_as_they_were_judged() {
    let app = TestApp::demo().await;
    let mut c = app.api("admin").await;
    let outlet = app.scalar(&format!("SELECT id FROM units WHERE name = '{OUTLET}'")).await;
    let feb = starts(&items(&mut c, &format!("unit={outlet}&rule=OPS-1&month=2026-02")).await);
    let book = c.get("/api/v1/calendar").await.json();
    let r = c.json("PUT", "/api/v1/calendar", &json!({"rest_weekdays": [7], "day": book["day"]})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(starts(&items(&mut c, &format!("unit={outlet}&rule=OPS-1&month=2026-02")).await), feb);
    let kept = c.get("/api/v1/calendar").await.json();
    assert_eq!(kept["earlier"], json!([{"until": "2026-03-02", "rest_weekdays": [6, 7]}]), "{kept}");
    let page = app.signed_in("admin").await.get("/calendar").await;
    assert!(page.body.contains("2026-03-02以前：周六、周日"), "the page shows the earlier rest days");
    // Saturday 7 March is owed now.
    app.advance_minutes(5 * 24 * 60 + 60);
    let mar = starts(&items(&mut c, &format!("unit={outlet}&rule=OPS-1&month=2026-03")).await);
    assert!(mar.contains(&"2026-03-07".to_owned()) && !mar.contains(&"2026-03-01".to_owned()), "{mar:?}");
    app.finish().await;
}
