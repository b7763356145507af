//! An upgraded database: the rules, accountability rules and checklist it holds from an earlier release's defaults
//! follow this release's defaults from today, unless the union has saved its own; loading twice changes nothing.
use anbao_testkit::TestApp;
use sqlx::Row;

/// Every version of the three, as one number.
const VERSIONS: &str = "SELECT (SELECT COUNT(*) FROM rule_versions) * 1000000 \
    + (SELECT COUNT(*) FROM accountability_versions) * 1000 + (SELECT COUNT(*) FROM checklist_versions)";

async fn text(app: &TestApp, sql: &str) -> String {
    let mut c = app.db.read().await.expect("conn");
    sqlx::query(sqlx::AssertSqlSafe(sql.to_owned())).fetch_one(&mut *c).await.expect("row").get(0)
}

/// Rewrite a stored body as an earlier release would have left it.
async fn set_body(app: &TestApp, table: &str, cond: &str, body: &serde_json::Value) {
    let sql = format!("UPDATE {table} SET body = '{}' WHERE {cond}", body.to_string().replace('\'', "''"));
    assert_eq!(app.exec(&sql).await, 1, "{table} {cond}");
}

#[tokio::test]
async fn defaults_an_earlier_release_loaded_follow_this_releases_from_today_and_the_unions_own_are_kept() {
    let app = TestApp::demo().await;
    let today = anbao_domain::period::day_of_ms(app.now());
    // ATM-1 as an earlier release shipped it: no spacing.
    let mut atm: serde_json::Value = serde_json::from_str(
        &text(&app, "SELECT body FROM rule_versions WHERE rule_id = 'ATM-1' AND version = 1").await,
    )
    .expect("json");
    atm.as_object_mut().expect("object").remove("spacing_minutes");
    set_body(&app, "rule_versions", "rule_id = 'ATM-1' AND version = 1", &atm).await;
    // OPS-4 as the union saved it: a second version by an account, differing from the default.
    let admin = app.scalar("SELECT id FROM accounts WHERE username = 'admin'").await;
    let mut ops: serde_json::Value = serde_json::from_str(
        &text(&app, "SELECT body FROM rule_versions WHERE rule_id = 'OPS-4' AND version = 1").await,
    )
    .expect("json");
    ops["amount"] = 30000.into();
    app.exec(&format!(
        "INSERT INTO rule_versions (rule_id, version, body, active, effective_from_day, created_at, created_by) \
         VALUES ('OPS-4', 2, '{}', 1, 0, 0, {admin})",
        ops.to_string().replace('\'', "''")
    ))
    .await;
    // The accountability rules and the checklist as loaded by an earlier release: without a violation, an item.
    let mut acc: serde_json::Value =
        serde_json::from_str(&text(&app, "SELECT body FROM accountability_versions WHERE version = 1").await)
            .expect("json");
    acc["violation"].as_array_mut().expect("violations").retain(|v| v["code"] != "cctv_not_recording");
    set_body(&app, "accountability_versions", "version = 1", &acc).await;
    let rules_before = app.count("rule_versions").await;

    anbao_app::setup::load_defaults(&app.db, app.now()).await.expect("load");

    let atm2 = text(&app, "SELECT body FROM rule_versions WHERE rule_id = 'ATM-1' AND version = 2").await;
    assert!(atm2.contains("\"spacing_minutes\":60"), "{atm2}");
    assert_eq!(
        app.scalar("SELECT effective_from_day FROM rule_versions WHERE rule_id = 'ATM-1' AND version = 2").await,
        today
    );
    assert_eq!(app.count("rule_versions").await, rules_before + 1, "only ATM-1 differed; OPS-4 is the union's");
    assert_eq!(app.scalar("SELECT COUNT(*) FROM audit_events WHERE action = 'rule.upgrade_default'").await, 1);
    let acc2 = text(&app, "SELECT body FROM accountability_versions WHERE version = 2").await;
    assert!(acc2.contains("cctv_not_recording"), "the new violation arrives");
    assert_eq!(app.scalar("SELECT effective_from_day FROM accountability_versions WHERE version = 2").await, today);
    // The union's checklist is its own: saved by an account, it is not replaced.
    let mut list: serde_json::Value =
        serde_json::from_str(&text(&app, "SELECT body FROM checklist_versions ORDER BY version DESC LIMIT 1").await)
            .expect("json");
    list["rectify_days"] = 9.into();
    let v = app.scalar("SELECT MAX(version) FROM checklist_versions").await;
    app.exec(&format!(
        "INSERT INTO checklist_versions (version, body, effective_from_day, created_at, created_by) VALUES ({}, '{}', 0, 0, {admin})",
        v + 1,
        list.to_string().replace('\'', "''")
    ))
    .await;
    let settled = app.scalar(VERSIONS).await;
    anbao_app::setup::load_defaults(&app.db, app.now()).await.expect("load again");
    assert_eq!(app.scalar(VERSIONS).await, settled, "loading again adds nothing");
    app.finish().await;
}

#[tokio::test]
async fn a_checklist_only_ever_loaded_from_the_defaults_follows_this_releases() {
    let app = TestApp::demo().await;
    let mut list: serde_json::Value =
        serde_json::from_str(&text(&app, "SELECT body FROM checklist_versions WHERE version = 1").await).expect("json");
    let edited = app.scalar("SELECT COUNT(*) FROM checklist_versions WHERE created_by IS NOT NULL").await;
    assert_eq!(edited, 0, "the demo keeps the shipped checklist");
    list["rectify_days"] = 99.into();
    set_body(&app, "checklist_versions", "version = 1", &list).await;
    anbao_app::setup::load_defaults(&app.db, app.now()).await.expect("load");
    let v2 = text(&app, "SELECT body FROM checklist_versions WHERE version = 2").await;
    assert!(!v2.contains("\"rectify_days\":99"), "{v2}");
    assert_eq!(app.scalar("SELECT COUNT(*) FROM audit_events WHERE action = 'checklist.upgrade_default'").await, 1);
    app.finish().await;
}

#[tokio::test]
async fn an_upgrade_adds_the_holidays_of_a_year_the_calendar_does_not_list_and_keeps_the_years_it_does() {
    let app = TestApp::demo().await;
    let mut book: serde_json::Value =
        serde_json::from_str(&text(&app, "SELECT body FROM calendar_versions ORDER BY version DESC LIMIT 1").await)
            .expect("json");
    let v = app.scalar("SELECT MAX(version) FROM calendar_versions").await;
    // As an earlier release left it: 2026 only, with one holiday of 2026 the union unlisted.
    let days = book["day"].as_array_mut().expect("days");
    let shipped_2027 = days.iter().filter(|d| d["date"].as_str().is_some_and(|x| x.starts_with("2027"))).count();
    assert!(shipped_2027 > 0, "this release ships 2027");
    days.retain(|d| d["date"].as_str().is_some_and(|x| x.starts_with("2026")));
    let unlisted = days.remove(days.len() - 1);
    let kept_2026 = days.len();
    // A day of the union's own in 2027 does not keep the national holidays of 2027 out.
    days.push(serde_json::json!({"date": "2027-12-31", "kind": "holiday", "name": "年终决算"}));
    set_body(&app, "calendar_versions", &format!("version = {v}"), &book).await;

    anbao_app::setup::load_defaults(&app.db, app.now()).await.expect("load");

    let new: serde_json::Value =
        serde_json::from_str(&text(&app, "SELECT body FROM calendar_versions ORDER BY version DESC LIMIT 1").await)
            .expect("json");
    assert_eq!(app.scalar("SELECT MAX(version) FROM calendar_versions").await, v + 1);
    let of = |y: &str| {
        new["day"]
            .as_array()
            .map_or(0, |d| d.iter().filter(|x| x["date"].as_str().is_some_and(|s| s.starts_with(y))).count())
    };
    assert_eq!(of("2027"), shipped_2027 + 1, "next year's holidays arrive beside the union's own day");
    assert_eq!(of("2026"), kept_2026, "the year the union keeps stays as it keeps it");
    assert!(!new["day"].as_array().is_some_and(|d| d.contains(&unlisted)), "a day the union unlisted stays unlisted");
    anbao_app::setup::load_defaults(&app.db, app.now()).await.expect("load again");
    assert_eq!(app.scalar("SELECT MAX(version) FROM calendar_versions").await, v + 1);
    app.finish().await;
}

#[tokio::test]
async fn a_facility_catalogue_only_ever_loaded_from_the_defaults_follows_this_releases() {
    let app = TestApp::demo().await;
    let v = app.scalar("SELECT MAX(version) FROM facility_catalogs").await;
    assert_eq!(app.scalar("SELECT COUNT(*) FROM facility_catalogs WHERE created_by IS NOT NULL").await, 0);
    let mut cat: serde_json::Value =
        serde_json::from_str(&text(&app, &format!("SELECT body FROM facility_catalogs WHERE version = {v}")).await)
            .expect("json");
    let before = cat.clone();
    // An earlier release without the last kind of the catalogue.
    let kinds = cat.as_object_mut().and_then(|o| o.values_mut().find_map(|x| x.as_array_mut())).expect("a list");
    kinds.pop();
    set_body(&app, "facility_catalogs", &format!("version = {v}"), &cat).await;
    anbao_app::setup::load_defaults(&app.db, app.now()).await.expect("load");
    let now: serde_json::Value = serde_json::from_str(
        &text(&app, &format!("SELECT body FROM facility_catalogs WHERE version = {}", v + 1)).await,
    )
    .expect("json");
    assert_eq!(now, before, "the shipped catalogue again");
    app.finish().await;
}

#[tokio::test]
async fn the_unions_own_accountability_rules_gain_the_violations_this_releases_registers_propose() {
    let app = TestApp::demo().await;
    let admin = app.scalar("SELECT id FROM accounts WHERE username = 'admin'").await;
    let mut acc: serde_json::Value =
        serde_json::from_str(&text(&app, "SELECT body FROM accountability_versions WHERE version = 1").await)
            .expect("json");
    // The union's version 2: its own fine for one type, and none of this release's CCTV violation.
    acc["violation"].as_array_mut().expect("violations").retain(|v| v["code"] != "cctv_not_recording");
    acc["violation"][0]["fine"] = 1234.into();
    app.exec(&format!(
        "INSERT INTO accountability_versions (version, body, effective_from_day, created_at, created_by) VALUES (2, '{}', 0, 0, {admin})",
        acc.to_string().replace('\'', "''")
    ))
    .await;
    anbao_app::setup::load_defaults(&app.db, app.now()).await.expect("load");
    let v3: serde_json::Value =
        serde_json::from_str(&text(&app, "SELECT body FROM accountability_versions WHERE version = 3").await)
            .expect("json");
    assert_eq!(v3["violation"][0]["fine"], 1234, "the union's own fine stays");
    let codes: Vec<&str> =
        v3["violation"].as_array().expect("list").iter().filter_map(|v| v["code"].as_str()).collect();
    assert!(codes.contains(&"cctv_not_recording"), "{codes:?}");
    anbao_app::setup::load_defaults(&app.db, app.now()).await.expect("load again");
    assert_eq!(app.scalar("SELECT MAX(version) FROM accountability_versions").await, 3);
    app.finish().await;
}

#[tokio::test]
async fn a_calendar_the_shipped_year_would_overfill_is_left_as_it_is_and_the_server_starts() {
    let app = TestApp::demo().await;
    let v = app.scalar("SELECT MAX(version) FROM calendar_versions").await;
    // The most days a calendar may list, none of them of a shipped year's.
    let days: Vec<serde_json::Value> = (0..anbao_domain::calendar::MAX_DAYS as i64)
        .map(|i| {
            let d = anbao_domain::period::date_of_day(anbao_domain::period::first_of_month(2030, 1) + i);
            serde_json::json!({"date": d.to_string(), "kind": "holiday", "name": "自定"})
        })
        .collect();
    let book = serde_json::json!({"rest_weekdays": [6, 7], "day": days});
    set_body(&app, "calendar_versions", &format!("version = {v}"), &book).await;
    anbao_app::setup::load_defaults(&app.db, app.now()).await.expect("the defaults load");
    assert_eq!(app.scalar("SELECT MAX(version) FROM calendar_versions").await, v, "nothing added");
    app.finish().await;
}
