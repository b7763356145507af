//! The security hardening, item by item, through the real router: each test failed on the code before it.
use anbao_testkit::{DEMO_PASSWORD, DEMO_PIN, TestApp};
use axum::http::StatusCode;

/// A workbook with the ledger's header row and one cell far out at XFD1048576.
fn hostile_workbook() -> Vec<u8> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    for (c, h) in anbao_app::facility::IMPORT_COLUMNS.iter().enumerate() {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    ws.write_string(1_048_575, 16_383, "x").unwrap();
    wb.save_to_buffer().unwrap()
}

async fn post_bytes(c: &mut anbao_testkit::Client, path: &str, body: Vec<u8>) -> anbao_testkit::Resp {
    c.post_xlsx(path, body).await
}

#[tokio::test]
async fn a_hostile_workbook_is_refused_and_the_server_stays_up() {
    let app = TestApp::demo().await;
    let file = hostile_workbook();
    assert!(file.len() < 16 * 1024, "a small file: {} bytes", file.len());
    // A reader may not import at all: refused before the file is read.
    let mut auditor = app.api("shenji").await;
    let r = post_bytes(&mut auditor, "/api/v1/facilities/import", file.clone()).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    // The security department may import, and gets the limit named in Chinese.
    let mut sec = app.api("baowei").await;
    let mut web = app.signed_in("baowei").await;
    let before = (app.count("facility_items").await, app.count("audit_events").await);
    let r = post_bytes(&mut sec, "/api/v1/facilities/import?commit=true", file.clone()).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.json()["error"]["message"].as_str().unwrap().contains("最多5001行"), "{}", r.body);
    // The page form answers the same, in a page.
    let r = web.post_multipart("/facilities/import", &[("commit", "1")], &[("file", "ledger.xlsx", &file)]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("表格超出导入上限"), "{}", r.body);
    // A body over the route's limit is refused without being read whole.
    let r = post_bytes(&mut sec, "/api/v1/facilities/import", vec![b'x'; 6 * 1024 * 1024]).await;
    assert!(r.status == StatusCode::UNPROCESSABLE_ENTITY || r.status == StatusCode::PAYLOAD_TOO_LARGE, "{}", r.status);
    // Still up, and nothing written.
    assert_eq!(app.client().get("/healthz").await.status, StatusCode::OK);
    assert_eq!((app.count("facility_items").await, app.count("audit_events").await), before);
    app.finish().await;
}

#[tokio::test]
async fn an_unknown_long_username_is_refused_before_any_write() {
    let app = TestApp::demo().await;
    let before = (app.count("audit_events").await, app.count("login_failures").await);
    let long = "a".repeat(200_000);
    let r = app.client().post_form("/login", &[("username", &long), ("password", "whatever-1")]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = app
        .client()
        .json("POST", "/api/v1/auth/login", &serde_json::json!({"username": long, "password": "whatever-1"}))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!((app.count("audit_events").await, app.count("login_failures").await), before, "nothing stored");
    // An unknown but well-formed username is recorded bounded, with the client's address.
    app.client().post_form("/login", &[("username", "nobody.here"), ("password", "whatever-1")]).await;
    let n = app
        .scalar(
            "SELECT COUNT(*) FROM audit_events WHERE action = 'auth.login_failed' AND after_json LIKE '%127.0.0.1%'",
        )
        .await;
    assert_eq!(n, 1);
    let longest = app.scalar("SELECT MAX(LENGTH(entity_id)) FROM audit_events").await;
    assert!(longest <= 64, "{longest}");
    app.finish().await;
}

#[tokio::test]
async fn no_audit_event_holds_a_credential_hash() {
    let app = TestApp::demo().await;
    // A PIN set through the page adds an account event too.
    let mut head = app.api("chengguan.zhuren").await;
    let r = head.json("PUT", "/api/v1/me/pin", &serde_json::json!({"password": DEMO_PASSWORD, "pin": "864209"})).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    let leaked = app
        .scalar("SELECT COUNT(*) FROM audit_events WHERE before_json LIKE '%argon2%' OR after_json LIKE '%argon2%'")
        .await;
    assert_eq!(leaked, 0);
    let mut auditor = app.api("shenji").await;
    let r = auditor.get("/api/v1/audit/events?limit=500").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(!r.body.contains("argon2") && !r.body.contains("password_hash"), "the API shows no hash");
    let mut web = app.signed_in("shenji").await;
    let x = web.get("/audit/export.xlsx").await;
    assert_eq!(x.status, StatusCode::OK);
    let mut book: calamine::Xlsx<_> = calamine::Reader::new(std::io::Cursor::new(x.bytes)).unwrap();
    let sheet = calamine::Reader::sheet_names(&book)[0].clone();
    let range = calamine::Reader::worksheet_range(&mut book, &sheet).unwrap();
    assert!(range.cells().all(|(_, _, v)| !v.to_string().contains("argon2")), "the export shows no hash");
    assert!(anbao_app::audit::verify(&app.db).await.unwrap().ok());
    app.finish().await;
}

#[tokio::test]
async fn old_events_are_redacted_and_verification_still_catches_a_swapped_hash() {
    let app = TestApp::demo().await;
    // Write an account event the way the system did before: the raw snapshot, hashes and all.
    let id = app.scalar("SELECT id FROM accounts WHERE username = 'chengguan.zhuren'").await;
    {
        let mut tx = app.db.begin().await.unwrap();
        let raw = anbao_store::accounts::snapshot_rows(&mut tx, Some(anbao_domain::ids::AccountId::new(id)))
            .await
            .unwrap()
            .remove(0)
            .1
            .to_string();
        assert!(raw.contains("argon2"));
        let h = anbao_domain::audit::row_hash(&raw);
        let e = anbao_store::audit::NewEvent {
            at_ms: app.now(),
            actor: None,
            unit: None,
            action: "account.update",
            entity: "account",
            entity_id: &id.to_string(),
            before: Some(&raw),
            after: Some(&raw),
            row_hash: Some(&h),
        };
        anbao_store::audit::append(&mut tx, e).await.unwrap();
        tx.commit().await.unwrap();
    }
    // The trail now disagrees with the row (which the audit layer sees as digests): found.
    assert!(!anbao_app::audit::verify(&app.db).await.unwrap().ok());
    let n = anbao_app::credentials::redact_stored_events(&app.db, app.now()).await.unwrap();
    assert_eq!(n, 2, "before and after of the old event");
    assert_eq!(anbao_app::credentials::redact_stored_events(&app.db, app.now()).await.unwrap(), 0, "once only");
    let report = anbao_app::audit::verify(&app.db).await.unwrap();
    assert!(report.ok(), "{:?}", report.problems);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM audit_events WHERE after_json LIKE '%argon2%'").await, 0);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM audit_events WHERE action = 'audit.redact_credentials'").await, 1);
    // A password hash swapped behind the system's back is still caught through its digest.
    app.exec(&format!(
        "UPDATE accounts SET password_hash = (SELECT password_hash FROM accounts WHERE username = 'admin') WHERE id = {id}"
    ))
    .await;
    let report = anbao_app::audit::verify(&app.db).await.unwrap();
    assert!(
        report
            .problems
            .iter()
            .any(|p| matches!(p, anbao_app::audit::Problem::RowChanged { entity, .. } if entity == "account")),
        "{:?}",
        report.problems
    );
    app.finish().await;
}

#[tokio::test]
async fn a_password_change_ends_every_other_session_and_token() {
    let app = TestApp::demo().await;
    let mut web = app.signed_in("shenji").await;
    let mut token = app.api("shenji").await;
    assert_eq!(token.get("/api/v1/me").await.status, StatusCode::OK);
    let r = web
        .post_form(
            "/account/password",
            &[
                ("current_password", DEMO_PASSWORD),
                ("new_password", "new-password-1"),
                ("new_password2", "new-password-1"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(token.get("/api/v1/me").await.status, StatusCode::UNAUTHORIZED, "the API token ended too");
    assert_eq!(web.get("/").await.status, StatusCode::OK, "the session that changed it stays");
    // A console reset ends every session, and the next sign-in may only change the password.
    anbao_app::accounts::reset_password(&app.db, app.now(), "shenji", "reset-pass-9", true).await.unwrap();
    assert_eq!(web.get("/").await.status, StatusCode::SEE_OTHER);
    let mut api = app.client();
    let r = api
        .json("POST", "/api/v1/auth/login", &serde_json::json!({"username": "shenji", "password": "reset-pass-9"}))
        .await;
    api.bearer = Some(r.json()["token"].as_str().unwrap().to_owned());
    assert_eq!(api.get("/api/v1/me").await.status, StatusCode::OK);
    let r = api.get("/api/v1/staff").await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(r.json()["error"]["code"], "password_change_required");
    let r = api
        .json(
            "PUT",
            "/api/v1/me/password",
            &serde_json::json!({"current_password": "reset-pass-9", "new_password": "own-pass-77"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    assert_eq!(api.get("/api/v1/staff").await.status, StatusCode::OK);
    // A person lists their own tokens and ends one.
    let mut second = app.client();
    let r = second
        .json("POST", "/api/v1/auth/login", &serde_json::json!({"username": "shenji", "password": "own-pass-77"}))
        .await;
    second.bearer = Some(r.json()["token"].as_str().unwrap().to_owned());
    let list = api.get("/api/v1/me/tokens").await.json();
    let other =
        list.as_array().unwrap().iter().find(|t| t["current"] == false).unwrap()["id"].as_str().unwrap().to_owned();
    let mut stranger = app.api("baowei").await;
    assert_eq!(
        stranger.raw_json("DELETE", &format!("/api/v1/me/tokens/{other}"), String::new()).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        api.raw_json("DELETE", &format!("/api/v1/me/tokens/{other}"), String::new()).await.status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(second.get("/api/v1/me").await.status, StatusCode::UNAUTHORIZED);
    app.finish().await;
}

#[tokio::test]
async fn a_disabled_account_and_a_departed_person_cannot_act() {
    let app = TestApp::demo().await;
    let mut admin = app.api("admin").await;
    let mut teller = app.api("chengguan.guiyuan").await;
    let id = app.scalar("SELECT id FROM accounts WHERE username = 'chengguan.guiyuan'").await;
    // An outlet head is no account administrator.
    let mut head = app.api("chengguan.zhuren").await;
    assert_eq!(
        head.json("POST", &format!("/api/v1/accounts/{id}/disable"), &serde_json::json!({})).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        admin.json("POST", &format!("/api/v1/accounts/{id}/disable"), &serde_json::json!({})).await.status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(teller.get("/api/v1/me").await.status, StatusCode::UNAUTHORIZED, "its token ended at once");
    let r = app.client().post_form("/login", &[("username", "chengguan.guiyuan"), ("password", DEMO_PASSWORD)]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        admin.json("POST", &format!("/api/v1/accounts/{id}/enable"), &serde_json::json!({})).await.status,
        StatusCode::NO_CONTENT
    );
    // A grant removed stops counting on the next request.
    let mut teller = app.api("chengguan.guiyuan").await;
    assert_eq!(teller.get("/api/v1/staff").await.status, StatusCode::OK);
    let list = admin.get("/api/v1/accounts").await.json();
    let grant = list.as_array().unwrap().iter().find(|a| a["id"] == id).unwrap()["grants"][0]["id"].as_i64().unwrap();
    let r = admin.raw_json("DELETE", &format!("/api/v1/accounts/{id}/grants/{grant}"), String::new()).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    let staff = teller.get("/api/v1/staff").await;
    assert!(
        staff.status != StatusCode::OK || staff.json()["items"].as_array().is_none_or(|a| a.is_empty()),
        "{}",
        staff.body
    );
    // A person who leaves takes their account along: the keeper's token stops, and sign-in is refused.
    let mut keeper = app.api("chengguan.guanku").await;
    let staff_id = app.scalar("SELECT staff_id FROM accounts WHERE username = 'chengguan.guanku'").await;
    let mut rec = admin.get(&format!("/api/v1/staff/{staff_id}")).await.json();
    rec["active"] = serde_json::Value::Bool(false);
    let r = admin.json("PUT", &format!("/api/v1/staff/{staff_id}"), &rec).await;
    assert!(r.status.is_success(), "{}", r.body);
    assert_eq!(keeper.get("/api/v1/me").await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(app.scalar("SELECT disabled FROM accounts WHERE username = 'chengguan.guanku'").await, 1);
    let report = anbao_app::audit::verify(&app.db).await.unwrap();
    assert!(report.ok(), "{:?}", report.problems);
    app.finish().await;
}

#[tokio::test]
async fn a_remote_client_cannot_lock_the_owner_out() {
    let app = TestApp::demo().await;
    let mut attacker = app.client_from([10, 9, 8, 7]);
    for _ in 0..6 {
        attacker.post_form("/login", &[("username", "admin"), ("password", "guess-guess")]).await;
    }
    let r = attacker.post_form("/login", &[("username", "admin"), ("password", DEMO_PASSWORD)]).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "the guessing client is locked");
    // The owner, from their own desk, signs in.
    app.signed_in("admin").await;
    // Spraying one password over many usernames locks the sprayer.
    let mut sprayer = app.client_from([10, 9, 8, 6]);
    let mut refused = 0;
    for n in 0..30 {
        let r = sprayer.post_form("/login", &[("username", &format!("user{n}")), ("password", "Spring2026!")]).await;
        if r.status == StatusCode::TOO_MANY_REQUESTS {
            refused += 1;
        }
    }
    assert!(refused >= 5, "{refused}");
    // Parallel failures are all counted and all answered (no 500s on a racing counter).
    let mut tasks = Vec::new();
    for i in 0..8u8 {
        let mut c = app.client_from([10, 1, 1, i]);
        tasks.push(tokio::spawn(async move {
            c.post_form("/login", &[("username", "baowei"), ("password", "parallel-guess")]).await.status
        }));
    }
    for t in tasks {
        assert_eq!(t.await.unwrap(), StatusCode::UNPROCESSABLE_ENTITY);
    }
    app.finish().await;
}

#[tokio::test]
async fn in_memory_limits_refuse_a_burst_before_the_database() {
    let app = TestApp::demo_with(|s| {
        s.sign_in_limits =
            std::sync::Arc::new(anbao_web::security::SignInLimits::new(anbao_web::security::SignInRates {
                per_client_per_minute: 3,
                all_per_second: 1000,
            }));
    })
    .await;
    let before = app.count("audit_events").await;
    let mut c = app.client_from([10, 2, 2, 2]);
    let mut statuses = Vec::new();
    for _ in 0..5 {
        statuses.push(c.post_form("/login", &[("username", "nobody"), ("password", "x-x-x-x-x")]).await.status);
    }
    assert_eq!(statuses.iter().filter(|s| **s == StatusCode::TOO_MANY_REQUESTS).count(), 2, "{statuses:?}");
    assert_eq!(app.count("audit_events").await, before + 3, "refused bursts write nothing");
    app.finish().await;
}

#[tokio::test]
async fn only_the_pin_confirms_and_the_second_person_is_told() {
    let app = TestApp::demo().await;
    let mut keeper = app.api("chengguan.guanku").await;
    let v = app
        .scalar("SELECT a.id FROM assets a JOIN units u ON u.id = a.unit_id WHERE u.name = '城关信用社营业部' AND a.kind = 'vault'")
        .await;
    let entry = |secret: &str| {
        serde_json::json!({"kind": "vault_entry", "asset_id": v, "subkind": "emergency", "text": "入库",
            "confirm_username": "chengguan.zhuren", "confirm_secret": secret})
    };
    let before = app.count("records").await;
    let r = keeper.json("POST", "/api/v1/records", &entry(DEMO_PASSWORD)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "the sign-in password is not accepted: {}", r.body);
    assert_eq!(app.count("records").await, before);
    // Wrong PINs lock the confirmation only, never the colleague's sign-in.
    for _ in 0..6 {
        keeper.json("POST", "/api/v1/records", &entry("000000")).await;
    }
    let r = keeper.json("POST", "/api/v1/records", &entry(DEMO_PIN)).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{}", r.body);
    app.signed_in("chengguan.zhuren").await;
    app.advance_minutes(16);
    let told = || {
        app.scalar("SELECT COUNT(*) FROM messages m JOIN accounts a ON a.id = m.account_id WHERE a.username = 'chengguan.zhuren' AND m.title LIKE '您的确认PIN%'")
    };
    let n0 = told().await;
    let r = keeper.json("POST", "/api/v1/records", &entry(DEMO_PIN)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(told().await, n0 + 1, "the second person is told of the confirmation in their name");
    app.finish().await;
}

#[tokio::test]
async fn redirects_stay_on_this_site() {
    let app = TestApp::empty().await;
    for next in ["/%09/evil.example", "//evil.example", "/%5Cevil.example", "/%2F%2Fevil.example", "/\\evil.example"] {
        let q = next.replace('\\', "%5C");
        let r = app.client().get(&format!("/lang/en?next={q}")).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert_eq!(r.location(), "/", "{next}");
    }
    let r = app.client().get("/lang/en?next=%2Fstaff%3Fq%3D1").await;
    assert_eq!(r.location(), "/staff?q=1");
    app.finish().await;
}

#[tokio::test]
async fn verification_during_writes_never_raises_a_false_alarm() {
    let app = TestApp::demo().await;
    let atm = app
        .scalar("SELECT a.id FROM assets a JOIN units u ON u.id = a.unit_id WHERE u.name = '城关信用社营业部' AND a.kind = 'atm'")
        .await;
    let mut clients = Vec::new();
    for _ in 0..4 {
        clients.push(app.api("chengguan.zhuren").await);
    }
    let mut tasks = Vec::new();
    for mut c in clients {
        tasks.push(tokio::spawn(async move {
            let mut ok = 0;
            for _ in 0..250 {
                let body = serde_json::json!({"kind": "atm_patrol", "asset_id": atm, "checks": ["appearance_ok", "no_skimmer", "notice_ok"]});
                if c.json("POST", "/api/v1/records", &body).await.status == StatusCode::CREATED {
                    ok += 1;
                }
            }
            ok
        }));
    }
    let mut verifications = 0;
    // A few verifications while the writes run (each reads the whole demo chain), then the final one.
    while verifications < 4 && tasks.iter().any(|t| !t.is_finished()) {
        let report = anbao_app::audit::verify(&app.db).await.unwrap();
        assert!(report.ok(), "a false alarm during writes: {:?}", report.problems);
        verifications += 1;
    }
    let mut written = 0;
    for t in tasks {
        written += t.await.unwrap();
    }
    assert_eq!(written, 1000);
    assert!(verifications >= 1);
    assert!(anbao_app::audit::verify(&app.db).await.unwrap().ok());
    app.finish().await;
}

#[tokio::test]
async fn a_phone_photo_of_3_mb_is_accepted() {
    let app = TestApp::demo().await;
    let mut web = app.signed_in("chengguan.zhuren").await;
    let outlet = app.scalar("SELECT id FROM units WHERE name = '城关信用社营业部'").await.to_string();
    let person =
        app.scalar(&format!("SELECT id FROM staff WHERE unit_id = {outlet} ORDER BY id LIMIT 1")).await.to_string();
    // A JPEG as a phone writes it: the SOI marker, then 3 MB of data.
    let mut photo = vec![0xFF, 0xD8, 0xFF, 0xE0];
    photo.resize(3 * 1024 * 1024, 0x5A);
    let fields = [
        ("kind", "drill"),
        ("unit_id", outlet.as_str()),
        ("subkind", "fire"),
        ("text", "消防演练方案"),
        ("text2", "分组部署"),
        ("people", person.as_str()),
    ];
    let r = web.post_multipart("/records", &fields, &[("photos", "drill.jpg", &photo)]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", &r.body[..r.body.len().min(400)]);
    // Above the photo limit, a Chinese refusal and nothing stored.
    let before = app.count("records").await;
    let mut huge = vec![0xFF, 0xD8, 0xFF, 0xE0];
    huge.resize(11 * 1024 * 1024, 0x5A);
    let r = web.post_multipart("/records", &fields, &[("photos", "big.jpg", &huge)]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("不能超过10MB"));
    assert_eq!(app.count("records").await, before);
    app.finish().await;
}

#[tokio::test]
async fn headers_and_cookies_behind_tls() {
    let app = TestApp::demo_with(|s| s.secure_cookies = true).await;
    let mut c = app.client();
    let r = c.post_form("/login", &[("username", "shenji"), ("password", DEMO_PASSWORD), ("next", "/")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let cookie = r.headers.get("set-cookie").unwrap().to_str().unwrap().to_owned();
    assert!(
        cookie.starts_with("__Host-anbao_session=") && cookie.contains("; Secure") && cookie.contains("Path=/"),
        "{cookie}"
    );
    let page = c.get("/").await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.headers.get("cache-control").unwrap(), "no-store");
    assert!(page.headers.get("strict-transport-security").is_some());
    // The plain name is not read when cookies are secure.
    assert!(c.cookie_names().iter().all(|n| n.starts_with("__Host-")));
    // A sign-in posted from an opaque origin (a sandboxed frame, a local file) is refused.
    let req = axum::http::Request::post("/login")
        .header("content-type", "application/x-www-form-urlencoded")
        .header("origin", "null")
        .body(axum::body::Body::from("username=shenji&password=anbao-demo"))
        .unwrap();
    assert_eq!(app.client().send(req).await.status, StatusCode::FORBIDDEN);
    app.finish().await;
}

#[tokio::test]
async fn a_bulletin_opened_from_another_site_is_not_marked_read() {
    let app = TestApp::demo().await;
    let county = app.scalar("SELECT id FROM units WHERE name = '清河县农村信用合作联社'").await.to_string();
    let mut sec = app.signed_in("qinghe.baowei").await;
    let r = sec
        .post_form(
            "/bulletins",
            &[("unit_id", &county), ("title", "关于金库管理的通报"), ("body", "请各网点对照整改。")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let id = app.scalar("SELECT MAX(id) FROM bulletins").await;
    let mut c = app.signed_in("chengguan.zhuren").await;
    let reads = || {
        app.scalar("SELECT COUNT(*) FROM bulletin_reads r JOIN accounts a ON a.id = r.account_id WHERE a.username = 'chengguan.zhuren'")
    };
    let before = reads().await;
    let req = axum::http::Request::get(format!("/bulletins/{id}"))
        .header("sec-fetch-site", "cross-site")
        .body(axum::body::Body::empty())
        .unwrap();
    let r = c.send(req).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(reads().await, before, "no receipt from a cross-site navigation");
    let r = c.get(&format!("/bulletins/{id}")).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(reads().await, before + 1, "opened from this site, it is read");
    app.finish().await;
}

#[tokio::test]
async fn current_password_guesses_on_the_password_page_are_throttled() {
    let app = TestApp::demo().await;
    let mut web = app.signed_in("shenji").await;
    let mut last = StatusCode::OK;
    for _ in 0..7 {
        last = web
            .post_form(
                "/account/password",
                &[
                    ("current_password", "guess-guess"),
                    ("new_password", "new-password-1"),
                    ("new_password2", "new-password-1"),
                ],
            )
            .await
            .status;
    }
    assert_eq!(last, StatusCode::TOO_MANY_REQUESTS);
    app.finish().await;
}
