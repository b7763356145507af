//! Sign-in through the union's directory, against a real OpenLDAP server (`slapd`) on loopback: the directory's
//! person opens the account linked to their staff record, wrong directory passwords are refused and counted like any
//! failed sign-in, and the administrator keeps the local password.
use anbao_testkit::directory::{Person, Slapd, config_at, free_port};
use anbao_testkit::{DEMO_PASSWORD, TestApp};
use axum::http::StatusCode;
use std::sync::Arc;

async fn staff_no_of(app: &TestApp, username: &str) -> String {
    let id = app.scalar(&format!("SELECT staff_id FROM accounts WHERE username = '{username}'")).await;
    let mut c = app.db.read().await.unwrap();
    anbao_store::staff::get(&mut c, anbao_domain::ids::StaffId::new(id)).await.unwrap().unwrap().staff_no
}

fn login(username: &str, password: &str) -> serde_json::Value {
    serde_json::json!({"username": username, "password": password})
}

#[tokio::test]
async fn a_directory_sign_in_opens_the_account_linked_to_the_staff_number_and_wrong_passwords_count() {
    let port = free_port();
    let app = TestApp::demo_with(|s| s.policy.directory = Some(Arc::new(config_at(port)))).await;
    let teller = staff_no_of(&app, "chengguan.guiyuan").await;
    // A person whose account was made in bulk, with an initial password they never need.
    let mut admin = app.api("admin").await;
    let outlet = app.scalar("SELECT id FROM units WHERE name = '西关分社'").await;
    let r = admin.json("POST", "/api/v1/accounts/bulk", &serde_json::json!({"unit_id": outlet})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let made = r.json()[0].clone();
    let (bulk_no, bulk_user) = (made["staff_no"].as_str().unwrap().to_owned(), made["username"].as_str().unwrap());
    let _slapd = Slapd::start(
        port,
        &[
            Person { uid: "zhang.min", password: "dir-pass-zhang", staff_no: &teller },
            Person { uid: "li.hua", password: "dir-pass-li", staff_no: &bulk_no },
            Person { uid: "ghost", password: "dir-pass-ghost", staff_no: "NOPE-404" },
        ],
    );

    let mut c = app.client();
    let r = c.json("POST", "/api/v1/auth/login", &login("zhang.min", "dir-pass-zhang")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    c.bearer = Some(r.json()["token"].as_str().unwrap().to_owned());
    let me = c.get("/api/v1/me").await;
    assert_eq!(me.json()["username"], "chengguan.guiyuan", "{}", me.body);
    // The directory keeps the password: no change here, but the PIN is set with the directory's password.
    let r = c
        .json(
            "PUT",
            "/api/v1/me/password",
            &serde_json::json!({"current_password": "dir-pass-zhang",
            "new_password": "another-pass-1"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("统一身份目录"), "{}", r.body);
    let pin = |pw: &str| serde_json::json!({"password": pw, "pin": "515253"});
    assert_eq!(c.json("PUT", "/api/v1/me/pin", &pin(DEMO_PASSWORD)).await.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(c.json("PUT", "/api/v1/me/pin", &pin("dir-pass-zhang")).await.status, StatusCode::NO_CONTENT);

    // A linked account's local password no longer opens it; the administrator, linked to nobody, keeps theirs.
    let r = app.client().json("POST", "/api/v1/auth/login", &login("chengguan.guiyuan", DEMO_PASSWORD)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    app.api("admin").await;
    // A directory person Anbao's register does not hold, and an empty password, open nothing.
    for (u, p) in [("ghost", "dir-pass-ghost"), ("zhang.min", "")] {
        let r = app.client().json("POST", "/api/v1/auth/login", &login(u, p)).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{u}: {}", r.body);
    }

    // The bulk-made account: the directory password opens it and no change of the initial password is asked.
    let mut li = app.client();
    let r = li.json("POST", "/api/v1/auth/login", &login("li.hua", "dir-pass-li")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    li.bearer = Some(r.json()["token"].as_str().unwrap().to_owned());
    assert_eq!(li.get("/api/v1/me").await.json()["username"], bulk_user);
    assert_eq!(li.get("/api/v1/me/tokens").await.status, StatusCode::OK, "no initial-password change is demanded");

    // On the web: the sign-in page takes the directory password, and the password page offers no local change.
    let mut web = app.client();
    let r = web.post_form("/login", &[("username", "zhang.min"), ("password", "dir-pass-zhang"), ("next", "/")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = web.get("/account/password").await;
    assert!(page.body.contains("id=\"directory-note\"") && !page.body.contains("name=\"new_password\""));

    // Wrong directory passwords are refused, written to the trail, and lock the name like any failed sign-in.
    let failed = "SELECT COUNT(*) FROM audit_events WHERE action = 'auth.login_failed'";
    let before = app.scalar(failed).await;
    let mut guesser = app.client_from([10, 0, 0, 9]);
    for _ in 0..5 {
        let r = guesser.json("POST", "/api/v1/auth/login", &login("zhang.min", "guess-guess")).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(r.json()["error"]["message"], "用户名或密码错误");
    }
    assert_eq!(app.scalar(failed).await, before + 5);
    let r = guesser.json("POST", "/api/v1/auth/login", &login("zhang.min", "dir-pass-zhang")).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "even the right password waits out the lock");
    app.finish().await;
}

#[tokio::test]
async fn an_unreachable_directory_is_said_so_and_the_administrator_still_signs_in() {
    // Nothing listens on this port.
    let port = free_port();
    let app = TestApp::demo_with(|s| s.policy.directory = Some(Arc::new(config_at(port)))).await;
    let r = app.client().json("POST", "/api/v1/auth/login", &login("zhang.min", "dir-pass-zhang")).await;
    assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE, "{}", r.body);
    assert_eq!(r.json()["error"]["code"], "directory_unavailable");
    let r = app.client().post_form("/login", &[("username", "zhang.min"), ("password", "dir-pass-zhang")]).await;
    assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(r.body.contains("统一身份目录暂时无法连接"), "the sign-in page says so");
    app.api("admin").await;
    app.finish().await;
}
