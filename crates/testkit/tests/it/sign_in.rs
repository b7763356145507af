//! Sign-in, sessions, throttling, password change, API tokens, CSRF.
use anbao_testkit::{DEMO_PASSWORD, TestApp};
use axum::http::StatusCode;

#[tokio::test]
async fn health_answers_when_the_database_is_reachable() {
    let app = TestApp::empty().await;
    let r = app.client().get("/healthz").await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json()["status"], "ok");
    app.finish().await;
}

#[tokio::test]
async fn pages_send_strangers_to_the_sign_in_page_and_the_api_answers_401_json() {
    let app = TestApp::demo().await;
    let mut c = app.client();
    let r = c.get("/staff").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(r.location().starts_with("/login?next=%2Fstaff"));
    let r = c.get("/api/v1/staff").await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(r.json()["error"]["code"], "unauthenticated");
    assert!(r.json()["error"]["message"].as_str().unwrap_or_default().contains("登录"));
    app.finish().await;
}

#[tokio::test]
async fn a_session_cookie_is_http_only_and_same_site_and_sign_out_ends_it() {
    let app = TestApp::demo().await;
    let mut c = app.client();
    let r = c.post_form("/login", &[("username", "admin"), ("password", DEMO_PASSWORD), ("next", "/org")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.location(), "/org");
    let cookie = r.headers.get("set-cookie").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"), "{cookie}");
    assert_eq!(c.get("/").await.status, StatusCode::OK);
    let mut stolen = c.clone();
    let r = c.post_form("/logout", &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    // The server forgot the session: even a copy of the old cookie no longer works.
    assert_eq!(stolen.get("/").await.status, StatusCode::SEE_OTHER);
    app.finish().await;
}

#[tokio::test]
async fn a_wrong_password_is_refused_in_chinese_and_logged() {
    let app = TestApp::demo().await;
    let before = app.count("audit_events").await;
    let r = app.client().post_form("/login", &[("username", "admin"), ("password", "wrong-pass")]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("用户名或密码错误"));
    assert_eq!(app.count("audit_events").await, before + 1);
    app.finish().await;
}

#[tokio::test]
async fn repeated_failures_lock_the_username_until_the_lock_ends() {
    let app = TestApp::demo().await;
    let mut c = app.client();
    for _ in 0..5 {
        c.post_form("/login", &[("username", "baowei"), ("password", "guess-guess")]).await;
    }
    // Even the right password is refused while locked.
    let r = c.post_form("/login", &[("username", "baowei"), ("password", DEMO_PASSWORD)]).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(r.body.contains("尝试次数过多"));
    let r = c
        .json("POST", "/api/v1/auth/login", &serde_json::json!({"username": "baowei", "password": DEMO_PASSWORD}))
        .await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(r.json()["error"]["code"], "too_many_attempts");
    // Other accounts are not affected.
    app.signed_in("admin").await;
    app.advance_minutes(16);
    app.signed_in("baowei").await;
    app.finish().await;
}

#[tokio::test]
async fn a_session_expires_after_its_lifetime() {
    let app = TestApp::demo().await;
    let mut c = app.signed_in("admin").await;
    assert_eq!(c.get("/").await.status, StatusCode::OK);
    app.advance_minutes(13 * 60);
    assert_eq!(c.get("/").await.status, StatusCode::SEE_OTHER);
    app.finish().await;
}

#[tokio::test]
async fn forms_without_the_session_csrf_token_are_refused() {
    let app = TestApp::demo().await;
    let mut c = app.signed_in("admin").await;
    let before = app.count("units").await;
    let r = c
        .post_form(
            "/org/units",
            &[("csrf", "forged"), ("parent_id", "1"), ("kind", "department"), ("name", "伪造部门")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("表单已过期或来源不明"));
    assert_eq!(app.count("units").await, before);
    app.finish().await;
}

#[tokio::test]
async fn cross_site_posts_are_refused_before_any_handler() {
    let app = TestApp::demo().await;
    let mut c = app.signed_in("admin").await;
    let token = c.csrf().await;
    let req = axum::http::Request::post("/org/units")
        .header("content-type", "application/x-www-form-urlencoded")
        .header("sec-fetch-site", "cross-site")
        .body(axum::body::Body::from(format!("csrf={token}&parent_id=1&kind=department&name=x")))
        .expect("request");
    assert_eq!(c.send(req).await.status, StatusCode::FORBIDDEN);
    let req = axum::http::Request::post("/org/units")
        .header("content-type", "application/x-www-form-urlencoded")
        .header("origin", "https://evil.example")
        .body(axum::body::Body::from(format!("csrf={token}&parent_id=1&kind=department&name=x")))
        .expect("request");
    assert_eq!(c.send(req).await.status, StatusCode::FORBIDDEN);
    app.finish().await;
}

#[tokio::test]
async fn changing_a_password_needs_the_current_one_and_ends_other_sessions() {
    let app = TestApp::demo().await;
    let mut a = app.signed_in("shenji").await;
    let mut other = app.signed_in("shenji").await;
    let r = a
        .post_form(
            "/account/password",
            &[
                ("current_password", "nope-nope"),
                ("new_password", "new-password-1"),
                ("new_password2", "new-password-1"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("当前密码不正确"));
    let r = a
        .post_form(
            "/account/password",
            &[("current_password", DEMO_PASSWORD), ("new_password", "short"), ("new_password2", "short")],
        )
        .await;
    assert!(r.body.contains("密码至少需要8个字符"));
    let r = a
        .post_form(
            "/account/password",
            &[
                ("current_password", DEMO_PASSWORD),
                ("new_password", "new-password-1"),
                ("new_password2", "new-password-1"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(a.get("/").await.status, StatusCode::OK);
    assert_eq!(other.get("/").await.status, StatusCode::SEE_OTHER);
    let r = app.client().post_form("/login", &[("username", "shenji"), ("password", "new-password-1")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    app.finish().await;
}

#[tokio::test]
async fn an_api_token_works_as_a_bearer_and_a_cookie_write_needs_the_csrf_header() {
    let app = TestApp::demo().await;
    let mut api = app.api("baowei").await;
    let me = api.get("/api/v1/me").await;
    assert_eq!(me.status, StatusCode::OK);
    assert_eq!(me.json()["username"], "baowei");
    // A browser session calling a write endpoint without the CSRF header is refused.
    let mut web = app.signed_in("baowei").await;
    let r = web
        .json("POST", "/api/v1/units", &serde_json::json!({"parent_id": 1, "kind": "department", "name": "测试部"}))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = api.get("/api/v1/units/999999").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(r.json()["error"]["code"], "not_found");
    let r = api.json("POST", "/api/v1/auth/logout", &serde_json::json!({})).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    assert_eq!(api.get("/api/v1/me").await.status, StatusCode::UNAUTHORIZED);
    app.finish().await;
}

#[tokio::test]
async fn the_openapi_document_lists_the_api() {
    let app = TestApp::empty().await;
    let r = app.client().get("/api/openapi.json").await;
    assert_eq!(r.status, StatusCode::OK);
    let doc = r.json();
    for path in ["/api/v1/auth/login", "/api/v1/units", "/api/v1/staff", "/api/v1/groups", "/api/v1/audit/verify"] {
        assert!(doc["paths"].get(path).is_some(), "{path} missing from OpenAPI");
    }
    app.finish().await;
}

#[tokio::test]
async fn the_interface_switches_to_english_and_back() {
    let app = TestApp::demo().await;
    let mut c = app.signed_in("admin").await;
    assert!(c.get("/").await.body.contains("我的待办"));
    let r = c.get("/lang/en?next=/").await;
    assert_eq!(r.location(), "/");
    let home = c.get("/").await.body;
    assert!(home.contains("My to-do") && !home.contains("我的待办"));
    // Error pages follow the reader's language too, whichever handler failed.
    let missing = c.get("/records/999999").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert!(missing.body.contains("Something went wrong") && !missing.body.contains("出错了"), "{}", missing.body);
    c.get("/lang/zh?next=/").await;
    assert!(c.get("/").await.body.contains("我的待办"));
    assert!(c.get("/records/999999").await.body.contains("出错了"));
    app.finish().await;
}
