//! Accounts for the people in the staff register: linked accounts take part in two-person procedures, bulk accounts
//! follow the posts and are made once, and links stay within the administrator's scope.
use anbao_testkit::{DEMO_PASSWORD, DEMO_PIN, TestApp};
use axum::http::StatusCode;

async fn staff_no(app: &TestApp, sql: &str) -> String {
    let id = app.scalar(sql).await;
    let mut c = app.db.read().await.unwrap();
    anbao_store::staff::get(&mut c, anbao_domain::ids::StaffId::new(id)).await.unwrap().unwrap().staff_no
}

/// Sign in through the API with an initial password, change it, set a PIN: what a new person does first.
async fn first_sign_in(app: &TestApp, username: &str, initial: &str) -> anbao_testkit::Client {
    let mut c = app.client();
    let r = c.json("POST", "/api/v1/auth/login", &serde_json::json!({"username": username, "password": initial})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    c.bearer = Some(r.json()["token"].as_str().unwrap().to_owned());
    let r = c
        .json(
            "PUT",
            "/api/v1/me/password",
            &serde_json::json!({"current_password": initial, "new_password": "own-password-1"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    let r = c.json("PUT", "/api/v1/me/pin", &serde_json::json!({"password": "own-password-1", "pin": "515253"})).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    c
}

#[tokio::test]
async fn an_account_linked_through_the_api_confirms_a_vault_entry_and_an_unlinked_one_cannot() {
    let app = TestApp::demo().await;
    let mut admin = app.api("admin").await;
    let outlet = app.scalar("SELECT id FROM units WHERE name = '城关信用社营业部'").await;
    // The outlet head's own account is retired; a new one is made for the same person and linked by staff number.
    let old = app.scalar("SELECT id FROM accounts WHERE username = 'chengguan.zhuren'").await;
    let director = staff_no(&app, "SELECT staff_id FROM accounts WHERE username = 'chengguan.zhuren'").await;
    let body = |user: &str, staff: Option<&str>| {
        serde_json::json!({"username": user, "display_name": "新主任", "password": "initial-pass-1",
            "staff_no": staff, "role": "unit_head", "unit_id": outlet})
    };
    let r = admin.json("POST", "/api/v1/accounts", &body("new.head", Some(&director))).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "one active account per person: {}", r.body);
    assert_eq!(
        admin.json("POST", &format!("/api/v1/accounts/{old}/disable"), &serde_json::json!({})).await.status,
        StatusCode::NO_CONTENT
    );
    let r = admin.json("POST", "/api/v1/accounts", &body("new.head", Some(&director))).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let r = admin.json("POST", "/api/v1/accounts", &body("loose.head", None)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    first_sign_in(&app, "new.head", "initial-pass-1").await;
    first_sign_in(&app, "loose.head", "initial-pass-1").await;
    let mut keeper = app.api("chengguan.guanku").await;
    let vault = app.scalar(&format!("SELECT id FROM assets WHERE unit_id = {outlet} AND kind = 'vault'")).await;
    let entry = |who: &str| {
        serde_json::json!({"kind": "vault_entry", "asset_id": vault, "subkind": "emergency", "text": "入库",
            "confirm_username": who, "confirm_secret": "515253"})
    };
    let before = app.count("records").await;
    let r = keeper.json("POST", "/api/v1/records", &entry("loose.head")).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.json()["error"]["message"].as_str().unwrap().contains("未关联在岗员工档案"), "{}", r.body);
    assert_eq!(app.count("records").await, before);
    let r = keeper.json("POST", "/api/v1/records", &entry("new.head")).await;
    assert_eq!(r.status, StatusCode::CREATED, "the linked account is the second person: {}", r.body);
    // The staff page shows the person's account, and the account list the person.
    let sid = app.scalar("SELECT staff_id FROM accounts WHERE username = 'new.head'").await;
    let mut web = app.signed_in("admin").await;
    assert!(web.get(&format!("/staff/{sid}")).await.body.contains("new.head（在用）"));
    assert!(web.get("/admin/accounts").await.body.contains(&format!("（{director}）")));
    app.finish().await;
}

#[tokio::test]
async fn bulk_accounts_for_a_cooperative_follow_the_posts_and_are_made_once() {
    let app = TestApp::demo().await;
    let mut admin = app.api("admin").await;
    let coop = app.scalar("SELECT id FROM units WHERE name = '城关信用社'").await;
    let path: String = {
        let mut c = app.db.read().await.unwrap();
        anbao_store::org::get(&mut c, anbao_domain::ids::UnitId::new(coop)).await.unwrap().unwrap().path
    };
    let without = app
        .scalar(&format!(
            "SELECT COUNT(*) FROM staff s JOIN units u ON u.id = s.unit_id WHERE u.path LIKE '{path}%' AND s.active = 1 \
             AND NOT EXISTS (SELECT 1 FROM accounts a WHERE a.staff_id = s.id)"
        ))
        .await;
    assert!(without > 5, "{without}");
    let preview = admin.get(&format!("/api/v1/accounts/bulk?unit={coop}")).await.json();
    assert_eq!(preview.as_array().unwrap().len() as i64, without);
    assert!(preview.as_array().unwrap().iter().all(|p| p.get("initial_password").is_none()));
    let accounts_before = app.count("accounts").await;
    let r = admin.json("POST", "/api/v1/accounts/bulk", &serde_json::json!({"unit_id": coop})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let made = r.json();
    let made = made.as_array().unwrap();
    assert_eq!(made.len() as i64, without);
    assert_eq!(app.count("accounts").await, accounts_before + without);
    for m in made {
        let sid = m["staff_id"].as_i64().unwrap();
        let positions: String = {
            let mut c = app.db.read().await.unwrap();
            let s = anbao_store::staff::get(&mut c, anbao_domain::ids::StaffId::new(sid)).await.unwrap().unwrap();
            assert_eq!(m["username"], s.staff_no.to_ascii_lowercase(), "the username rule");
            anbao_domain::staff::encode_positions(&s.positions)
        };
        let named = app.scalar(&format!("SELECT COUNT(*) FROM units WHERE first_responsible_id = {sid}")).await > 0;
        let in_security = app
            .scalar(&format!(
                "SELECT COUNT(*) FROM staff s JOIN units u ON u.id = s.unit_id WHERE s.id = {sid} AND u.kind = 'department' AND u.name LIKE '%保卫%'"
            ))
            .await
            > 0;
        let head = positions.contains(",director,") || positions.contains(",chairman,") || named;
        let expected = if in_security && (positions.contains(",security_officer,") || positions.contains(",director,"))
        {
            "security"
        } else if head {
            "unit_head"
        } else {
            "staff"
        };
        assert_eq!(m["role"], expected, "{m}");
        let n = app
            .scalar(&format!(
                "SELECT COUNT(*) FROM accounts a JOIN grants g ON g.account_id = a.id WHERE a.staff_id = {sid} \
                 AND a.must_change_password = 1 AND g.role = '{expected}'"
            ))
            .await;
        assert_eq!(n, 1);
    }
    // Each new account signs in with its initial password, and may then only change it.
    let first = &made[0];
    let mut c = app.client();
    let r = c
        .json(
            "POST",
            "/api/v1/auth/login",
            &serde_json::json!({"username": first["username"], "password": first["initial_password"]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    c.bearer = Some(r.json()["token"].as_str().unwrap().to_owned());
    assert_eq!(c.get("/api/v1/todo").await.status, StatusCode::FORBIDDEN);
    // A second run makes none.
    let r = admin.json("POST", "/api/v1/accounts/bulk", &serde_json::json!({"unit_id": coop})).await;
    assert_eq!(r.status, StatusCode::CREATED);
    assert_eq!(r.json().as_array().unwrap().len(), 0);
    assert_eq!(app.count("accounts").await, accounts_before + without);
    // Nobody but an account administrator may run it.
    let mut sec = app.api("baowei").await;
    assert_eq!(sec.get(&format!("/api/v1/accounts/bulk?unit={coop}")).await.status, StatusCode::FORBIDDEN);
    assert!(anbao_app::audit::verify(&app.db).await.unwrap().ok());
    app.finish().await;
}

#[tokio::test]
async fn links_stay_inside_the_administrators_scope_and_one_person_has_one_account() {
    let app = TestApp::demo().await;
    let mut admin = app.api("admin").await;
    let county = app.scalar("SELECT id FROM units WHERE name = '清河县农村信用合作联社'").await;
    let r = admin
        .json(
            "POST",
            "/api/v1/accounts",
            &serde_json::json!({"username": "qinghe.admin", "display_name": "清河管理员", "password": "initial-pass-1",
                "role": "admin", "unit_id": county}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let r = admin
        .json(
            "POST",
            "/api/v1/accounts",
            &serde_json::json!({"username": "qinghe.new", "display_name": "新员工", "password": "initial-pass-1",
                "role": "staff", "unit_id": county}),
        )
        .await;
    let account = r.json()["id"].as_i64().unwrap();
    let mut county_admin = app.client();
    let r = county_admin
        .json(
            "POST",
            "/api/v1/auth/login",
            &serde_json::json!({"username": "qinghe.admin", "password": "initial-pass-1"}),
        )
        .await;
    county_admin.bearer = Some(r.json()["token"].as_str().unwrap().to_owned());
    county_admin
        .json(
            "PUT",
            "/api/v1/me/password",
            &serde_json::json!({"current_password": "initial-pass-1", "new_password": "own-password-1"}),
        )
        .await;
    let elsewhere = staff_no(
        &app,
        "SELECT s.id FROM staff s JOIN units u ON u.id = s.unit_id WHERE u.path LIKE \
         (SELECT path FROM units WHERE name = '安平县农村信用合作联社') || '%' ORDER BY s.id LIMIT 1",
    )
    .await;
    let taken = staff_no(&app, "SELECT staff_id FROM accounts WHERE username = 'chengguan.guiyuan'").await;
    let before = app.count("audit_events").await;
    let link = |no: &str| serde_json::json!({"staff_no": no});
    let r = county_admin.json("PUT", &format!("/api/v1/accounts/{account}/staff"), &link(&elsewhere)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "outside the county: {}", r.body);
    let r = county_admin.json("PUT", &format!("/api/v1/accounts/{account}/staff"), &link(&taken)).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "already linked: {}", r.body);
    assert_eq!(app.count("audit_events").await, before, "refusals write nothing");
    assert_eq!(
        app.scalar(&format!("SELECT COUNT(*) FROM accounts WHERE id = {account} AND staff_id IS NULL")).await,
        1
    );
    // A free person of the county links.
    let free = staff_no(
        &app,
        &format!(
            "SELECT s.id FROM staff s JOIN units u ON u.id = s.unit_id WHERE u.path LIKE (SELECT path FROM units WHERE id = {county}) || '%' \
             AND s.active = 1 AND NOT EXISTS (SELECT 1 FROM accounts a WHERE a.staff_id = s.id) ORDER BY s.id LIMIT 1"
        ),
    )
    .await;
    let r = county_admin.json("PUT", &format!("/api/v1/accounts/{account}/staff"), &link(&free)).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    let _ = (DEMO_PASSWORD, DEMO_PIN);
    app.finish().await;
}

#[tokio::test]
async fn a_transfer_moves_the_grant_from_the_post_and_the_security_department_is_told() {
    let app = TestApp::demo().await;
    let mut admin = app.api("admin").await;
    let dongjie = app.scalar("SELECT id FROM units WHERE name = '东街分社'").await;
    let sid = app.scalar("SELECT staff_id FROM accounts WHERE username = 'chengguan.guiyuan'").await;
    let mut rec = admin.get(&format!("/api/v1/staff/{sid}")).await.json();
    rec["unit_id"] = serde_json::json!(dongjie);
    let r = admin.json("PUT", &format!("/api/v1/staff/{sid}"), &rec).await;
    assert!(r.status.is_success(), "{}", r.body);
    let grant_unit = app
        .scalar("SELECT g.unit_id FROM grants g JOIN accounts a ON a.id = g.account_id WHERE a.username = 'chengguan.guiyuan'")
        .await;
    assert_eq!(grant_unit, dongjie, "the employee's grant follows them to the new outlet");
    let told = app
        .scalar("SELECT COUNT(*) FROM messages m JOIN accounts a ON a.id = m.account_id WHERE a.username = 'qinghe.baowei' AND m.title = '人员调动后的账号授权待确认'")
        .await;
    assert_eq!(told, 1);
    // A new post proposes its role: made outlet head, the account becomes the unit head's.
    let mut rec = admin.get(&format!("/api/v1/staff/{sid}")).await.json();
    rec["positions"] = serde_json::json!(["director"]);
    let r = admin.json("PUT", &format!("/api/v1/staff/{sid}"), &rec).await;
    assert!(r.status.is_success(), "{}", r.body);
    let role = {
        use sqlx::Row;
        let mut c = app.db.read().await.unwrap();
        sqlx::query(
            "SELECT g.role FROM grants g JOIN accounts a ON a.id = g.account_id WHERE a.username = 'chengguan.guiyuan'",
        )
        .fetch_one(&mut *c)
        .await
        .unwrap()
        .get::<String, _>("role")
    };
    assert_eq!(role, "unit_head");
    assert!(anbao_app::audit::verify(&app.db).await.unwrap().ok());
    app.finish().await;
}

fn account_list(rows: &[[&str; 3]]) -> Vec<u8> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    for (c, h) in anbao_app::provision::import::IMPORT_COLUMNS.iter().enumerate() {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            ws.write_string(r as u32 + 1, c as u16, *v).unwrap();
        }
    }
    wb.save_to_buffer().unwrap()
}

async fn upload_list(c: &mut anbao_testkit::Client, bytes: Vec<u8>) -> anbao_testkit::Resp {
    c.post_xlsx("/api/v1/accounts/import", bytes).await
}

#[tokio::test]
async fn an_excel_list_of_accounts_is_made_whole_or_not_at_all() {
    let app = TestApp::demo().await;
    let mut admin = app.api("admin").await;
    let unlinked = "SELECT s.id FROM staff s JOIN units u ON u.id = s.unit_id WHERE u.name = '西关分社' AND s.active = 1 \
                    AND s.positions NOT LIKE '%,director,%' AND NOT EXISTS (SELECT 1 FROM accounts a WHERE a.staff_id = s.id) ORDER BY s.id";
    let first = app.scalar(unlinked).await;
    let second = app.scalar(&format!("{unlinked} LIMIT 1 OFFSET 1")).await;
    let (a, b) = (staff_no(&app, &format!("SELECT {first}")).await, staff_no(&app, &format!("SELECT {second}")).await);
    let linked = staff_no(&app, "SELECT staff_id FROM accounts WHERE username = 'chengguan.zhuren'").await;
    let before = app.count("accounts").await;
    let trail = app.count("audit_events").await;

    // Every wrong row is reported with its row number, and nothing is made.
    let bad = account_list(&[
        [a.as_str(), "", ""],
        ["NOPE-1", "", ""],
        [linked.as_str(), "", ""],
        [a.as_str(), "", ""],
        [b.as_str(), "admin", "系统管理员"],
    ]);
    let r = upload_list(&mut admin, bad).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let errors = r.json()["errors"].clone();
    let rows: Vec<i64> = errors.as_array().unwrap().iter().map(|e| e["row"].as_i64().unwrap()).collect();
    assert_eq!(rows, [3, 4, 5, 6], "{errors}");
    let text = errors.to_string();
    for why in [
        "没有工号为“NOPE-1”的员工档案",
        "该员工已有在用账号",
        "与第2行是同一员工",
        "不能通过导入授予系统管理员",
        "用户名“admin”已被使用",
    ] {
        assert!(text.contains(why), "{why}: {text}");
    }
    assert_eq!((app.count("accounts").await, app.count("audit_events").await), (before, trail));

    // A good list makes its accounts: the username and role as given, or by the rule and the posts.
    let good = account_list(&[[a.as_str(), "", ""], [b.as_str(), "dongjie.shenhe", "只读审计"]]);
    let r = upload_list(&mut admin, good.clone()).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let made = r.json()["made"].clone();
    assert_eq!(made[0]["username"], a.to_ascii_lowercase());
    assert_eq!(made[0]["role"], "staff");
    assert_eq!((made[1]["username"].as_str(), made[1]["role"].as_str()), (Some("dongjie.shenhe"), Some("auditor")));
    assert!(made[1]["initial_password"].as_str().is_some_and(|p| p.len() >= 8));
    assert_eq!(app.count("accounts").await, before + 2);
    let must_change = "SELECT COUNT(*) FROM accounts WHERE must_change_password = 1 AND username = 'dongjie.shenhe'";
    assert_eq!(app.scalar(must_change).await, 1);
    // The same list again makes nothing twice.
    let r = upload_list(&mut admin, good.clone()).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(app.count("accounts").await, before + 2);
    // Only an account administrator may import, refused before the file is read.
    let mut security = app.api("baowei").await;
    assert_eq!(upload_list(&mut security, good).await.status, StatusCode::FORBIDDEN);
    // A file that is not a workbook is a clear error.
    let r = upload_list(&mut admin, b"not a workbook".to_vec()).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["error"]["code"], "invalid_input", "{}", r.body);
    // On the page: a bad list answers with its rows' problems; a good one with the printable sheet.
    let mut web = app.signed_in("admin").await;
    let list = account_list(&[["NOPE-2", "", ""]]);
    let r = web.post_multipart("/admin/accounts/import", &[], &[("file", "list.xlsx", &list)]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("id=\"import-errors\"") && r.body.contains("NOPE-2"), "{}", r.body);
    let third = staff_no(&app, &format!("{unlinked} LIMIT 1 OFFSET 2")).await;
    let list = account_list(&[[third.as_str(), "", "员工"]]);
    let r = web.post_multipart("/admin/accounts/import", &[], &[("file", "list.xlsx", &list)]).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert!(r.body.contains(&third.to_ascii_lowercase()) && r.body.contains("初始账号交接单"));
    app.finish().await;
}
