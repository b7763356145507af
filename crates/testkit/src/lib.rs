//! Test support: a fresh Anbao per test — on SQLite by default, on PostgreSQL when `ANBAO_TEST_POSTGRES_URL` is
#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)] // test support: a failed fixture should stop the test loudly
//! set — driven in-process through the real router, with a cookie-keeping client and a settable clock.
pub mod directory;

use anbao_app::auth::AuthPolicy;
use anbao_store::Db;
use anbao_web::AppState;
use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use rand::RngCore;
use std::collections::HashMap;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, OnceLock};
use tower::ServiceExt;

/// 2026-03-02 09:30 in Shanghai, a Monday; tests move the clock from here.
pub const START_MS: i64 = 1_772_415_000_000;
pub const DEMO_PASSWORD: &str = "anbao-demo";
/// The confirmation PIN of the demo accounts linked to staff (the second person of a two-person procedure).
pub const DEMO_PIN: &str = anbao_app::demo::DEMO_PIN;
/// The address the in-process client appears to come from unless told otherwise.
pub const CLIENT_IP: [u8; 4] = [127, 0, 0, 1];

pub struct TestApp {
    pub db: Db,
    pub router: Router,
    pub clock: Arc<AtomicI64>,
    pub url: String,
}

/// Which database this run tests against.
pub fn backend_url() -> Option<String> {
    std::env::var("ANBAO_TEST_POSTGRES_URL").ok().filter(|s| !s.is_empty())
}

fn random_suffix() -> String {
    let mut b = [0u8; 6];
    rand::rng().fill_bytes(&mut b);
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// A fresh, empty, migrated database: a temporary SQLite file, or a new PostgreSQL database.
pub async fn fresh_db() -> (Db, String) {
    sqlx::any::install_default_drivers();
    let url = match backend_url() {
        Some(base) => {
            use sqlx::Connection;
            let name = format!("anbao_t_{}", random_suffix());
            let mut admin = sqlx::AnyConnection::connect(&base).await.expect("connect to the PostgreSQL test server");
            sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
                .execute(&mut admin)
                .await
                .expect("create test database");
            let _ = admin.close().await;
            match base.rfind('/') {
                Some(i) => format!("{}/{name}", &base[..i]),
                None => panic!("ANBAO_TEST_POSTGRES_URL must name a database"),
            }
        }
        None => {
            let dir = std::env::temp_dir().join("anbao-tests");
            std::fs::create_dir_all(&dir).expect("temp dir");
            format!("sqlite://{}/t-{}.db", dir.display(), random_suffix())
        }
    };
    let db = Db::connect(&url).await.expect("connect");
    db.migrate().await.expect("migrate");
    (db, url)
}

/// Built once per test binary and copied by each test: a migrated database with the default rulebook, and the same
/// with the demo seeded. Seeding the demo (argon2 hashes for every account, a year of records) takes seconds, and
/// nearly every test starts from it; copying a file or a PostgreSQL template takes milliseconds. Both are made
/// exactly as `empty()` and `demo()` made them before: the same clock, password and rulebook.
static EMPTY_TEMPLATE: OnceLock<String> = OnceLock::new();
static DEMO_TEMPLATE: OnceLock<String> = OnceLock::new();

fn template(cell: &'static OnceLock<String>, demo: bool) -> &'static str {
    cell.get_or_init(|| {
        // On its own thread and runtime: the test asking first may run on a single-threaded runtime, and the
        // template's pool must not outlive the runtime that opened it.
        std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
            rt.block_on(async move {
                let (db, url) = fresh_db().await;
                anbao_app::setup::load_defaults(&db, START_MS).await.expect("load the default rulebook");
                if demo {
                    anbao_app::demo::seed(&db, START_MS, DEMO_PASSWORD).await.expect("seed demo");
                }
                db.close().await;
                url
            })
        })
        .join()
        .expect("build the test template")
    })
}

/// A database of its own for one test, copied from a template.
async fn copy_of(template_url: &str) -> (Db, String) {
    sqlx::any::install_default_drivers();
    let url = match backend_url() {
        Some(base) => {
            use sqlx::Connection;
            let name = format!("anbao_t_{}", random_suffix());
            let tpl = template_url.rsplit('/').next().expect("template name");
            let mut admin = sqlx::AnyConnection::connect(&base).await.expect("connect to the PostgreSQL test server");
            // Two tests copying the same template at once may find it busy for a moment.
            let mut tries = 0;
            loop {
                let r = sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name} TEMPLATE {tpl}")))
                    .execute(&mut admin)
                    .await;
                match r {
                    Ok(_) => break,
                    Err(e) => {
                        tries += 1;
                        assert!(tries < 50, "copy the template database: {e}");
                        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                    }
                }
            }
            let _ = admin.close().await;
            match base.rfind('/') {
                Some(i) => format!("{}/{name}", &base[..i]),
                None => panic!("ANBAO_TEST_POSTGRES_URL must name a database"),
            }
        }
        None => {
            let from = template_url.strip_prefix("sqlite://").expect("a SQLite template");
            let dir = std::env::temp_dir().join("anbao-tests");
            let to = format!("{}/t-{}.db", dir.display(), random_suffix());
            std::fs::copy(from, &to).expect("copy the template database");
            if std::path::Path::new(&format!("{from}-wal")).exists() {
                std::fs::copy(format!("{from}-wal"), format!("{to}-wal")).expect("copy the template's log");
            }
            format!("sqlite://{to}")
        }
    };
    let db = Db::connect(&url).await.expect("connect");
    (db, url)
}

impl TestApp {
    /// An empty Anbao.
    pub async fn empty() -> TestApp {
        TestApp::empty_with(|_| {}).await
    }

    /// An empty Anbao whose state `f` adjusts first (cookies behind TLS, tight sign-in rates…). Unless `f` says
    /// otherwise, the in-memory sign-in rates are generous, so tests that sign in often are not slowed by them.
    pub async fn empty_with(f: impl FnOnce(&mut AppState)) -> TestApp {
        TestApp::from_template(template(&EMPTY_TEMPLATE, false), f).await
    }

    async fn from_template(tpl: &str, f: impl FnOnce(&mut AppState)) -> TestApp {
        let (db, url) = copy_of(tpl).await;
        let clock = Arc::new(AtomicI64::new(START_MS));
        let c = clock.clone();
        let blobs = anbao_store::blobs::BlobStore::local(std::env::temp_dir().join("anbao-tests").join("blobs"));
        let mut state = AppState::new(db.clone(), AuthPolicy::default(), false, blobs.clone());
        state.clock = Arc::new(move || c.load(Ordering::SeqCst));
        state.sign_in_limits = Arc::new(anbao_web::security::SignInLimits::new(anbao_web::security::SignInRates {
            per_client_per_minute: 100_000,
            all_per_second: 100_000,
        }));
        f(&mut state);
        TestApp { router: anbao_web::router(state), db, clock, url }
    }

    /// The demo, on a state that `f` adjusts first.
    pub async fn demo_with(f: impl FnOnce(&mut AppState)) -> TestApp {
        TestApp::from_template(template(&DEMO_TEMPLATE, true), f).await
    }

    /// Anbao with the demo province loaded (the same data `anbao demo` serves).
    pub async fn demo() -> TestApp {
        TestApp::demo_with(|_| {}).await
    }

    pub fn now(&self) -> i64 {
        self.clock.load(Ordering::SeqCst)
    }

    pub fn advance_minutes(&self, m: i64) {
        self.clock.fetch_add(m * 60_000, Ordering::SeqCst);
    }

    pub fn client(&self) -> Client {
        Client { router: self.router.clone(), cookies: HashMap::new(), bearer: None, ip: CLIENT_IP.into() }
    }

    /// A client that appears to come from another address.
    pub fn client_from(&self, ip: [u8; 4]) -> Client {
        Client { ip: ip.into(), ..self.client() }
    }

    /// A client signed in through the sign-in page.
    pub async fn signed_in(&self, username: &str) -> Client {
        let mut c = self.client();
        let r = c.post_form("/login", &[("username", username), ("password", DEMO_PASSWORD), ("next", "/")]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "sign-in of {username} failed: {}", r.body);
        c
    }

    /// A client holding an API token.
    pub async fn api(&self, username: &str) -> Client {
        let mut c = self.client();
        let r = c
            .json("POST", "/api/v1/auth/login", &serde_json::json!({ "username": username, "password": DEMO_PASSWORD }))
            .await;
        assert_eq!(r.status, StatusCode::OK, "API sign-in of {username} failed: {}", r.body);
        c.bearer = Some(r.json()["token"].as_str().expect("token").to_owned());
        c
    }

    /// Count rows of a table, straight from the database.
    pub async fn count(&self, table: &str) -> i64 {
        use sqlx::Row;
        let mut c = self.db.read().await.expect("conn");
        sqlx::query(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) AS n FROM {table}")))
            .fetch_one(&mut *c)
            .await
            .expect("count")
            .try_get::<i64, _>("n")
            .expect("n")
    }

    /// Run a statement straight against the database, behind the system's back.
    pub async fn exec(&self, sql: &str) -> u64 {
        let mut c = self.db.read().await.expect("conn");
        sqlx::query(sqlx::AssertSqlSafe(sql.to_owned())).execute(&mut *c).await.expect(sql).rows_affected()
    }

    /// One integer from a query.
    pub async fn scalar(&self, sql: &str) -> i64 {
        use sqlx::Row;
        let mut c = self.db.read().await.expect("conn");
        sqlx::query(sqlx::AssertSqlSafe(sql.to_owned()))
            .fetch_one(&mut *c)
            .await
            .expect(sql)
            .try_get::<i64, _>(0)
            .expect("int")
    }

    /// The blob store the app writes photos to.
    pub fn blobs(&self) -> anbao_store::blobs::BlobStore {
        anbao_store::blobs::BlobStore::local(std::env::temp_dir().join("anbao-tests").join("blobs"))
    }

    /// Drop a PostgreSQL test database (SQLite files live in the temp folder).
    pub async fn finish(self) {
        self.db.close().await;
        if let Some(base) = backend_url() {
            use sqlx::Connection;
            if let (Ok(mut admin), Some(name)) =
                (sqlx::AnyConnection::connect(&base).await, self.url.rsplit('/').next())
            {
                let _ = sqlx::query(sqlx::AssertSqlSafe(format!("DROP DATABASE IF EXISTS {name}")))
                    .execute(&mut admin)
                    .await;
            }
        } else if let Some(path) = self.url.strip_prefix("sqlite://") {
            for s in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{path}{s}"));
            }
        }
    }
}

/// An in-process HTTP client that keeps cookies and, once signed in, the page's CSRF token.
#[derive(Clone)]
pub struct Client {
    router: Router,
    cookies: HashMap<String, String>,
    pub bearer: Option<String>,
    /// The peer address the server sees (as the real accept loop hands it over).
    pub ip: std::net::IpAddr,
}

#[derive(Debug, Clone)]
pub struct Resp {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub body: String,
    pub bytes: Vec<u8>,
}

impl Resp {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|_| panic!("not JSON: {}", self.body))
    }

    pub fn location(&self) -> String {
        self.headers.get(header::LOCATION).and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned()
    }
}

impl Client {
    pub async fn send(&mut self, req: Request<Body>) -> Resp {
        let mut req = req;
        if !self.cookies.is_empty() {
            let c = self.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("; ");
            req.headers_mut().insert(header::COOKIE, c.parse().expect("cookie header"));
        }
        if let Some(t) = &self.bearer {
            req.headers_mut().insert(header::AUTHORIZATION, format!("Bearer {t}").parse().expect("auth header"));
        }
        req.headers_mut().insert(header::HOST, "anbao.test".parse().expect("host"));
        req.extensions_mut().insert(axum::extract::ConnectInfo(std::net::SocketAddr::new(self.ip, 40_000)));
        let res = self.router.clone().oneshot(req).await.expect("router answers");
        for v in res.headers().get_all(header::SET_COOKIE) {
            if let Some((kv, _)) = v.to_str().unwrap_or_default().split_once(';')
                && let Some((k, v)) = kv.split_once('=')
            {
                if v.is_empty() {
                    self.cookies.remove(k);
                } else {
                    self.cookies.insert(k.into(), v.into());
                }
            }
        }
        let status = res.status();
        let headers = res.headers().clone();
        let bytes = res.into_body().collect().await.expect("body").to_bytes().to_vec();
        Resp { status, headers, body: String::from_utf8_lossy(&bytes).into_owned(), bytes }
    }

    pub async fn get(&mut self, path: &str) -> Resp {
        self.send(Request::get(path).body(Body::empty()).expect("request")).await
    }

    /// Post a form; a `csrf` field is added from a page of the signed-in session unless one is given.
    pub async fn post_form(&mut self, path: &str, fields: &[(&str, &str)]) -> Resp {
        let mut fields: Vec<(String, String)> = fields.iter().map(|(k, v)| ((*k).into(), (*v).into())).collect();
        if !fields.iter().any(|(k, _)| k == "csrf") && self.cookies.keys().any(|k| k.ends_with("anbao_session")) {
            let token = self.csrf().await;
            fields.push(("csrf".into(), token));
        }
        self.post_raw(path, serde_urlencoded::to_string(&fields).expect("form")).await
    }

    pub async fn post_raw(&mut self, path: &str, body: String) -> Resp {
        let req = Request::post(path)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(body))
            .expect("request");
        self.send(req).await
    }

    /// The CSRF token of the session, read from a page as a browser would.
    pub async fn csrf(&mut self) -> String {
        let page = self.get("/account/password").await.body;
        let marker = "name=\"csrf\" value=\"";
        let start = page.find(marker).map(|i| i + marker.len()).expect("csrf field on the page");
        page[start..].split('"').next().unwrap_or_default().to_owned()
    }

    /// Post an Excel workbook as the whole body (the API's imports).
    pub async fn post_xlsx(&mut self, path: &str, bytes: Vec<u8>) -> Resp {
        let req = Request::post(path)
            .header(header::CONTENT_TYPE, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
            .body(Body::from(bytes))
            .expect("request");
        self.send(req).await
    }

    /// Post a multipart form (text fields and files), with the session's CSRF token added.
    pub async fn post_multipart(&mut self, path: &str, fields: &[(&str, &str)], files: &[(&str, &str, &[u8])]) -> Resp {
        let boundary = "----anbao-test-boundary-7MA4YWxkTrZu0gW";
        let mut body: Vec<u8> = Vec::new();
        let mut all: Vec<(String, String)> = fields.iter().map(|(k, v)| ((*k).into(), (*v).into())).collect();
        if !all.iter().any(|(k, _)| k == "csrf") {
            let token = self.csrf().await;
            all.push(("csrf".into(), token));
        }
        for (k, v) in &all {
            body.extend_from_slice(
                format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n").as_bytes(),
            );
        }
        for (field, name, bytes) in files {
            body.extend_from_slice(
                format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n").as_bytes(),
            );
            body.extend_from_slice(bytes);
            body.extend_from_slice(b"\r\n");
        }
        body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
        let req = Request::post(path)
            .header(header::CONTENT_TYPE, format!("multipart/form-data; boundary={boundary}"))
            .body(Body::from(body))
            .expect("request");
        self.send(req).await
    }

    pub async fn json(&mut self, method: &str, path: &str, body: &serde_json::Value) -> Resp {
        self.raw_json(method, path, body.to_string()).await
    }

    pub async fn raw_json(&mut self, method: &str, path: &str, body: String) -> Resp {
        let req = Request::builder()
            .method(method)
            .uri(path)
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body))
            .expect("request");
        self.send(req).await
    }
}

impl Client {
    /// Cookies the client holds, by name (to check what the server set).
    pub fn cookie_names(&self) -> Vec<String> {
        self.cookies.keys().cloned().collect()
    }
}

/// Run `f` against a fresh demo app, then drop its database.
#[macro_export]
macro_rules! with_demo {
    (|$app:ident| $body:block) => {{
        let $app = $crate::TestApp::demo().await;
        $body
        $app.finish().await;
    }};
}
