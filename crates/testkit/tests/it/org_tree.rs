//! The org tree: creating units where the hierarchy allows, naming leaders, renaming and moving with history.
use anbao_testkit::TestApp;
use axum::http::StatusCode;

async fn unit_id(app: &TestApp, name: &str) -> i64 {
    app.scalar(&format!("SELECT id FROM units WHERE name = '{name}' ORDER BY id LIMIT 1")).await
}

#[tokio::test]
async fn the_demo_has_the_levels_of_a_province_union() {
    let app = TestApp::demo().await;
    for (kind, n) in [("province", 1), ("regional_centre", 2), ("county", 3), ("cooperative", 10), ("outlet", 30)] {
        assert_eq!(app.scalar(&format!("SELECT COUNT(*) FROM units WHERE kind = '{kind}'")).await, n, "{kind}");
    }
    let staff = app.count("staff").await;
    assert!((280..=330).contains(&staff), "about 300 staff, got {staff}");
    app.finish().await;
}

#[tokio::test]
async fn a_unit_is_created_under_its_parent_and_shows_in_the_tree() {
    let app = TestApp::demo().await;
    let mut c = app.signed_in("qinghe.baowei").await;
    let coop = unit_id(&app, "城关信用社").await;
    let r = c
        .post_form(
            "/org/units",
            &[
                ("parent_id", &coop.to_string()),
                ("kind", "outlet"),
                ("name", "城关新区分社"),
                ("phone", "0357-5550001"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let id = unit_id(&app, "城关新区分社").await;
    let path: String = {
        use sqlx::Row;
        let mut conn = app.db.read().await.expect("conn");
        sqlx::query("SELECT path FROM units WHERE id = $1")
            .bind(id)
            .fetch_one(&mut *conn)
            .await
            .expect("row")
            .get("path")
    };
    assert!(path.ends_with(&format!("/{coop}/{id}/")), "{path}");
    let tree = c.get("/org").await.body;
    assert!(tree.contains("城关新区分社"));
    let page = c.get(&format!("/org/units/{id}")).await;
    assert!(page.body.contains("设立"), "the history records the creation");
    app.finish().await;
}

#[tokio::test]
async fn the_hierarchy_refuses_an_outlet_directly_under_the_province_union() {
    let app = TestApp::demo().await;
    let mut api = app.api("admin").await;
    let before = app.count("units").await;
    let r = api
        .json("POST", "/api/v1/units", &serde_json::json!({"parent_id": 1, "kind": "outlet", "name": "越级网点"}))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.json()["error"]["message"].as_str().unwrap_or_default().contains("不能设在"));
    let r = api.json("POST", "/api/v1/units", &serde_json::json!({"kind": "province", "name": "第二个省联社"})).await;
    assert_eq!(r.status, StatusCode::CREATED, "the whole-tree administrator may set up a root");
    assert_eq!(app.count("units").await, before + 1);
    app.finish().await;
}

#[tokio::test]
async fn leaders_are_named_from_the_units_own_staff_only() {
    let app = TestApp::demo().await;
    let mut api = app.api("admin").await;
    let outlet = unit_id(&app, "东街分社").await;
    let own = app.scalar(&format!("SELECT id FROM staff WHERE unit_id = {outlet} ORDER BY id LIMIT 1")).await;
    let stranger = app.scalar(&format!("SELECT id FROM staff WHERE unit_id <> {outlet} ORDER BY id LIMIT 1")).await;
    let r = api
        .json(
            "PUT",
            &format!("/api/v1/units/{outlet}"),
            &serde_json::json!({"name": "东街分社", "first_responsible_id": stranger}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = api
        .json(
            "PUT",
            &format!("/api/v1/units/{outlet}"),
            &serde_json::json!({"name": "东街分社", "first_responsible_id": own}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["first_responsible_id"], own);
    app.finish().await;
}

#[tokio::test]
async fn a_rename_keeps_the_old_name_in_the_history() {
    let app = TestApp::demo().await;
    let mut c = app.signed_in("admin").await;
    let id = unit_id(&app, "西关分社").await;
    let r = c
        .post_form(
            &format!("/org/units/{id}/edit"),
            &[("name", "西关中心分社"), ("first_responsible", "0"), ("deputy_in_charge", "0")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let history =
        app.scalar(&format!("SELECT COUNT(*) FROM unit_history WHERE unit_id = {id} AND name = '西关分社'")).await;
    assert!(history >= 1, "the old name is kept");
    let page = c.get(&format!("/org/units/{id}")).await.body;
    assert!(page.contains("西关中心分社") && page.contains("更名"));
    app.finish().await;
}

#[tokio::test]
async fn moving_a_cooperative_moves_its_outlets_and_refuses_cycles() {
    let app = TestApp::demo().await;
    let mut api = app.api("admin").await;
    let coop = unit_id(&app, "河口信用社").await;
    let other_county = unit_id(&app, "安平县农村信用合作联社").await;
    let outlet = unit_id(&app, "河口车站分社").await;
    let r =
        api.json("POST", &format!("/api/v1/units/{coop}/move"), &serde_json::json!({"parent_id": other_county})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let r = api.get(&format!("/api/v1/units/{outlet}")).await.json();
    let path = r["path"].as_str().unwrap_or_default().to_owned();
    assert!(path.contains(&format!("/{other_county}/{coop}/{outlet}/")), "{path}");
    // Under its own outlet: refused, nothing changes.
    let r = api.json("POST", &format!("/api/v1/units/{coop}/move"), &serde_json::json!({"parent_id": outlet})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(api.get(&format!("/api/v1/units/{outlet}")).await.json()["path"], path.as_str());
    // The people of the moved outlet are now found under the new county.
    let staff = api.get(&format!("/api/v1/staff?unit={other_county}&q=")).await.json();
    assert!(staff["total"].as_i64().unwrap_or(0) > 0);
    app.finish().await;
}

#[tokio::test]
async fn leadership_groups_have_one_chair_from_the_unit() {
    let app = TestApp::demo().await;
    let mut api = app.api("admin").await;
    let county = unit_id(&app, "石桥县农村信用合作联社").await;
    let r = api.json("POST", "/api/v1/groups", &serde_json::json!({"unit_id": county, "kind": "fire_safety"})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let g = r.json()["id"].as_i64().unwrap_or(0);
    let r = api.json("POST", "/api/v1/groups", &serde_json::json!({"unit_id": county, "kind": "fire_safety"})).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    let people: Vec<i64> = {
        use sqlx::Row;
        let mut conn = app.db.read().await.expect("conn");
        sqlx::query("SELECT id FROM staff WHERE unit_id = $1 ORDER BY id")
            .bind(county)
            .fetch_all(&mut *conn)
            .await
            .expect("rows")
            .iter()
            .map(|r| r.get::<i64, _>("id"))
            .collect()
    };
    let r = api
        .json("PUT", &format!("/api/v1/groups/{g}/members/{}", people[0]), &serde_json::json!({"role": "chair"}))
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    let r = api
        .json("PUT", &format!("/api/v1/groups/{g}/members/{}", people[1]), &serde_json::json!({"role": "chair"}))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "a second chair is refused");
    let outsider = app
        .scalar(&format!(
            "SELECT s.id FROM staff s JOIN units u ON u.id = s.unit_id WHERE u.path NOT LIKE '%/{county}/%' LIMIT 1"
        ))
        .await;
    let r = api
        .json("PUT", &format!("/api/v1/groups/{g}/members/{outsider}"), &serde_json::json!({"role": "member"}))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "members come from the unit's subtree");
    let detail = api.get(&format!("/api/v1/groups/{g}")).await.json();
    assert_eq!(detail["members"].as_array().map(Vec::len), Some(1));
    app.finish().await;
}

#[tokio::test]
async fn the_home_page_derives_to_do_items_from_the_records() {
    let app = TestApp::demo().await;
    let mut c = app.signed_in("admin").await;
    let home = c.get("/").await.body;
    // The demo's third county lacks four groups, and one outlet has no first responsible person named.
    assert!(home.contains("石桥县农村信用合作联社：未设立消防安全领导组"), "{home}");
    assert!(home.contains("未指定第一责任人"));
    let todo = app.api("admin").await.get("/api/v1/todo").await.json();
    let before = todo.as_array().map(Vec::len).unwrap_or(0);
    let county = unit_id(&app, "石桥县农村信用合作联社").await;
    app.api("admin")
        .await
        .json("POST", "/api/v1/groups", &serde_json::json!({"unit_id": county, "kind": "fire_safety"}))
        .await;
    let after = app.api("admin").await.get("/api/v1/todo").await.json().as_array().map(Vec::len).unwrap_or(0);
    assert_eq!(after, before - 1, "setting up the group clears its to-do item");
    app.finish().await;
}

#[tokio::test]
async fn the_unit_list_exports_to_excel() {
    let app = TestApp::demo().await;
    let mut c = app.signed_in("admin").await;
    let r = c.get("/org/export.xlsx").await;
    assert_eq!(r.status, StatusCode::OK);
    let sheet = crate::staff_records::read_xlsx(&r.bytes);
    assert_eq!(sheet[0][1], "单位名称");
    assert!(sheet.iter().any(|row| row[1] == "东街分社"));
    assert_eq!(sheet.len() as i64 - 1, app.count("units").await);
    app.finish().await;
}

/// The page forms that remove a group member or a grant carry the session's CSRF token: a forged one changes
/// nothing, the page's own removes the row.
#[tokio::test]
async fn removing_a_member_or_a_grant_from_a_page_needs_the_pages_token() {
    let app = TestApp::demo().await;
    let mut web = app.signed_in("admin").await;
    let g = app
        .scalar("SELECT group_id FROM group_members WHERE role = 'member' ORDER BY group_id, staff_id LIMIT 1")
        .await;
    let s = app
        .scalar(&format!(
            "SELECT staff_id FROM group_members WHERE group_id = {g} AND role = 'member' ORDER BY staff_id LIMIT 1"
        ))
        .await;
    let members = format!("SELECT COUNT(*) FROM group_members WHERE group_id = {g} AND staff_id = {s}");
    let path = format!("/groups/{g}/members/{s}/remove");
    let r = web.post_form(&path, &[("csrf", "forged")]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("表单已过期或来源不明"), "{}", r.body);
    assert_eq!(app.scalar(&members).await, 1);
    let r = web.post_form(&path, &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(app.scalar(&members).await, 0);

    let grant = app
        .scalar(
            "SELECT g.id FROM grants g JOIN accounts a ON a.id = g.account_id WHERE a.username <> 'admin' \
             AND g.account_id IN (SELECT account_id FROM grants GROUP BY account_id HAVING COUNT(*) > 1) \
             ORDER BY g.id DESC LIMIT 1",
        )
        .await;
    let account = app.scalar(&format!("SELECT account_id FROM grants WHERE id = {grant}")).await;
    let path = format!("/admin/accounts/{account}/grants/{grant}/remove");
    let grants = format!("SELECT COUNT(*) FROM grants WHERE id = {grant}");
    let r = web.post_form(&path, &[("csrf", "forged")]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(app.scalar(&grants).await, 1);
    let r = web.post_form(&path, &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(app.scalar(&grants).await, 0);
    app.finish().await;
}

#[tokio::test]
async fn the_groups_a_unit_must_have_come_from_the_rulebook_and_are_confirmed_each_year() {
    let app = TestApp::demo().await;
    // ORG-4-f: every cooperative sets up its own emergency group; the demo's 青松信用社 has not.
    let todo = app.api("admin").await.get("/api/v1/todo").await.body;
    assert!(todo.contains("青松信用社：未设立处置突发事件领导小组"), "{todo}");
    assert!(!todo.contains("城关信用社：未设立处置突发事件领导小组"), "{todo}");
    let mut admin = app.api("admin").await;
    let coop = unit_id(&app, "青松信用社").await;
    let r =
        admin.json("POST", "/api/v1/groups", &serde_json::json!({"unit_id": coop, "kind": "emergency_response"})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let group = r.json()["id"].as_i64().unwrap();
    // Its chair must be the cooperative's director (预案 第四条): the deputy as chair is refused, nothing written.
    let deputy = app
        .scalar(&format!(
            "SELECT id FROM staff WHERE unit_id = {coop} AND positions LIKE '%,deputy_in_charge,%' LIMIT 1"
        ))
        .await;
    let r = admin
        .json("PUT", &format!("/api/v1/groups/{group}/members/{deputy}"), &serde_json::json!({"role": "chair"}))
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    let before = app.count("records").await;
    let r = admin.json("POST", &format!("/api/v1/groups/{group}/confirm"), &serde_json::json!({})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("第四条") && r.body.contains("主任"), "{}", r.body);
    assert_eq!(app.count("records").await, before);
    // 清河's emergency group is chaired by its chairman: confirmed, and ORG-4-e judges from that record (late, in March).
    let qinghe = unit_id(&app, "清河县农村信用合作联社").await;
    let anping = unit_id(&app, "安平县农村信用合作联社").await;
    let g = app
        .scalar(&format!("SELECT id FROM leadership_groups WHERE unit_id = {qinghe} AND kind = 'emergency_response'"))
        .await;
    let mut sec = app.signed_in("qinghe.baowei").await;
    let r = sec.post_form(&format!("/groups/{g}/confirm"), &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM records WHERE kind = 'leadership_group' AND subkind = 'emergency_response'")
            .await,
        1
    );
    // A running month is judged up to yesterday: look the next day.
    app.advance_minutes(24 * 60);
    let items = admin.get("/api/v1/compliance/items?rule=ORG-4-e&month=2026-03").await.json();
    let status = |unit: i64| {
        items
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["unit_id"] == unit)
            .map(|i| i["status"].as_str().unwrap_or_default().to_owned())
    };
    assert_eq!(status(qinghe).as_deref(), Some("partly_met"), "{items}");
    assert_eq!(status(anping).as_deref(), Some("overdue"));
    // Another county's department cannot confirm 清河's group.
    let mut other = app.api("chengguan.zhuren").await;
    assert_eq!(
        other.json("POST", &format!("/api/v1/groups/{g}/confirm"), &serde_json::json!({})).await.status,
        StatusCode::NOT_FOUND
    );
    app.finish().await;
}
