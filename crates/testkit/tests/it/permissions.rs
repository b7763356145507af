//! Who may see and do what, table-driven: for each demo role and scope, which pages and API calls succeed, and
//! which answers must not contain another unit's data.
use anbao_testkit::TestApp;
use axum::http::StatusCode;

/// Names and ids the scenarios refer to, read from the demo database.
struct Fixture {
    chengguan: i64,
    dongjie: i64,
    anping: i64,
    dongjie_person: i64,
    dongjie_name: String,
    anping_name: String,
    chengguan_name: String,
}

async fn fixture(app: &TestApp) -> Fixture {
    use sqlx::Row;
    let chengguan = app.scalar("SELECT id FROM units WHERE name = '城关信用社营业部'").await;
    let dongjie = app.scalar("SELECT id FROM units WHERE name = '东街分社'").await;
    let anping = app.scalar("SELECT id FROM units WHERE name = '安平县农村信用合作联社'").await;
    let mut c = app.db.read().await.expect("conn");
    let name_in = |unit: i64| format!("SELECT id, name FROM staff WHERE unit_id = {unit} ORDER BY id LIMIT 1");
    let d = sqlx::query(sqlx::AssertSqlSafe(name_in(dongjie))).fetch_one(&mut *c).await.expect("dongjie staff");
    let a = sqlx::query(sqlx::AssertSqlSafe(name_in(anping))).fetch_one(&mut *c).await.expect("anping staff");
    let g = sqlx::query(sqlx::AssertSqlSafe(name_in(chengguan))).fetch_one(&mut *c).await.expect("chengguan staff");
    Fixture {
        chengguan,
        dongjie,
        anping,
        dongjie_person: d.get("id"),
        dongjie_name: d.get("name"),
        anping_name: a.get("name"),
        chengguan_name: g.get("name"),
    }
}

struct Case {
    user: &'static str,
    method: &'static str,
    path: String,
    body: Option<serde_json::Value>,
    status: StatusCode,
    must_contain: Vec<String>,
    must_not_contain: Vec<String>,
}

fn get(user: &'static str, path: String, status: StatusCode) -> Case {
    Case { user, method: "GET", path, body: None, status, must_contain: vec![], must_not_contain: vec![] }
}

impl Case {
    fn with(mut self, s: &str) -> Self {
        self.must_contain.push(s.to_owned());
        self
    }
    fn without(mut self, s: &str) -> Self {
        self.must_not_contain.push(s.to_owned());
        self
    }
    fn json(mut self, method: &'static str, body: serde_json::Value) -> Self {
        self.method = method;
        self.body = Some(body);
        self
    }
}

const OK: StatusCode = StatusCode::OK;
const NOT_FOUND: StatusCode = StatusCode::NOT_FOUND;
const FORBIDDEN: StatusCode = StatusCode::FORBIDDEN;

fn scenarios(f: &Fixture) -> Vec<Case> {
    let staff_body = |unit: i64, no: &str| serde_json::json!({"unit_id": unit, "name": "测试员", "staff_no": no, "positions": ["teller"], "employment": "formal"});
    let rename = serde_json::json!({"name": "改名测试"});
    vec![
        // An outlet head sees their own outlet and nothing of the outlet next door.
        get("chengguan.zhuren", "/staff".into(), OK)
            .with(&f.chengguan_name)
            .without(&f.dongjie_name)
            .without(&f.anping_name),
        get("chengguan.zhuren", "/api/v1/staff".into(), OK).with(&f.chengguan_name).without(&f.dongjie_name),
        get("chengguan.zhuren", "/org".into(), OK).with("城关信用社营业部").without("东街分社").without("安平县"),
        get("chengguan.zhuren", "/api/v1/units".into(), OK).with("城关信用社营业部").without("东街分社"),
        get("chengguan.zhuren", format!("/staff/{}", f.dongjie_person), NOT_FOUND).without(&f.dongjie_name),
        get("chengguan.zhuren", format!("/api/v1/staff/{}", f.dongjie_person), NOT_FOUND).without(&f.dongjie_name),
        get("chengguan.zhuren", format!("/org/units/{}", f.dongjie), NOT_FOUND),
        get("chengguan.zhuren", format!("/api/v1/units/{}", f.dongjie), NOT_FOUND),
        get("chengguan.zhuren", format!("/staff?unit={}", f.dongjie), NOT_FOUND),
        get("chengguan.zhuren", format!("/api/v1/staff?unit={}", f.anping), NOT_FOUND),
        get("chengguan.zhuren", "/staff/export.xlsx".into(), OK),
        get("chengguan.zhuren", "/groups".into(), OK).without("安全保卫领导组"),
        get("chengguan.zhuren", "/audit".into(), FORBIDDEN),
        get("chengguan.zhuren", "/api/v1/audit/events".into(), FORBIDDEN),
        get("chengguan.zhuren", "/admin/accounts".into(), FORBIDDEN),
        // ...and can change nothing there.
        get("chengguan.zhuren", format!("/api/v1/staff/{}", f.dongjie_person), NOT_FOUND)
            .json("PUT", staff_body(f.dongjie, "P-1")),
        get("chengguan.zhuren", "/api/v1/staff".into(), StatusCode::UNPROCESSABLE_ENTITY)
            .json("POST", staff_body(f.dongjie, "P-2"))
            .with("所属单位不存在"),
        get("chengguan.zhuren", "/api/v1/staff".into(), StatusCode::CREATED)
            .json("POST", staff_body(f.chengguan, "P-3")),
        get("chengguan.zhuren", format!("/api/v1/units/{}", f.chengguan), FORBIDDEN).json("PUT", rename.clone()),
        // An employee reads their outlet and writes nothing.
        get("chengguan.guiyuan", "/staff".into(), OK).with(&f.chengguan_name).without(&f.dongjie_name),
        get("chengguan.guiyuan", "/api/v1/staff".into(), FORBIDDEN).json("POST", staff_body(f.chengguan, "P-4")),
        get("chengguan.guiyuan", "/staff/new".into(), FORBIDDEN),
        // The other outlet head is the mirror image.
        get("dongjie.zhuren", "/api/v1/staff".into(), OK).with(&f.dongjie_name).without(&f.chengguan_name),
        // A county security department sees its county, not the neighbouring one.
        get("qinghe.baowei", "/api/v1/staff?q=".into(), OK).without(&f.anping_name),
        get("qinghe.baowei", "/org".into(), OK).with("东街分社").without("安平县").without("石桥"),
        get("qinghe.baowei", format!("/api/v1/units/{}", f.anping), NOT_FOUND),
        get("qinghe.baowei", "/api/v1/units".into(), StatusCode::CREATED)
            .json("POST", serde_json::json!({"parent_id": f.chengguan, "kind": "department", "name": "营业部保卫组"})),
        get("qinghe.baowei", "/api/v1/units".into(), NOT_FOUND)
            .json("POST", serde_json::json!({"parent_id": f.anping, "kind": "department", "name": "越权部门"})),
        get("qinghe.baowei", "/api/v1/units".into(), FORBIDDEN)
            .json("POST", serde_json::json!({"kind": "province", "name": "新省联社"})),
        // The auditor reads everything and changes nothing.
        get("shenji", "/staff?q=".into(), OK),
        get("shenji", "/api/v1/staff".into(), OK),
        get("shenji", "/audit".into(), OK).with("审计日志"),
        get("shenji", "/api/v1/audit/verify".into(), OK).with("\"ok\":true"),
        get("shenji", "/api/v1/staff".into(), FORBIDDEN).json("POST", staff_body(f.chengguan, "P-5")),
        get("shenji", format!("/api/v1/units/{}", f.chengguan), FORBIDDEN).json("PUT", rename.clone()),
        get("shenji", "/admin/accounts".into(), FORBIDDEN),
        // The province security department keeps records anywhere but does not manage accounts.
        get("baowei", "/api/v1/staff".into(), StatusCode::CREATED).json("POST", staff_body(f.dongjie, "P-6")),
        get("baowei", "/admin/accounts".into(), FORBIDDEN),
        get("baowei", "/audit".into(), OK),
        // The administrator manages accounts.
        get("admin", "/admin/accounts".into(), OK).with("chengguan.zhuren"),
    ]
}

#[tokio::test]
async fn each_role_sees_and_changes_only_its_own_subtree() {
    let app = TestApp::demo().await;
    let f = fixture(&app).await;
    let mut failures = Vec::new();
    for case in scenarios(&f) {
        let is_api = case.path.starts_with("/api/");
        let mut c = if is_api { app.api(case.user).await } else { app.signed_in(case.user).await };
        let r = match &case.body {
            Some(b) => c.json(case.method, &case.path, b).await,
            None => c.get(&case.path).await,
        };
        let label = format!("{} {} {}", case.user, case.method, case.path);
        if r.status != case.status {
            failures.push(format!(
                "{label}: expected {}, got {} — {}",
                case.status,
                r.status,
                &r.body[..r.body.len().min(200)]
            ));
        }
        for s in &case.must_contain {
            if !r.body.contains(s) {
                failures.push(format!("{label}: must contain {s}"));
            }
        }
        for s in &case.must_not_contain {
            if r.body.contains(s) {
                failures.push(format!("{label}: must NOT contain {s}"));
            }
        }
    }
    assert!(failures.is_empty(), "permission scenarios failed:\n{}", failures.join("\n"));
    app.finish().await;
}

#[tokio::test]
async fn an_account_created_for_an_outlet_is_confined_to_it() {
    let app = TestApp::demo().await;
    let f = fixture(&app).await;
    let mut admin = app.signed_in("admin").await;
    let r = admin
        .post_form(
            "/admin/accounts",
            &[
                ("username", "new.teller"),
                ("display_name", "新柜员"),
                ("password", "first-pass-1"),
                ("role", "staff"),
                ("unit_id", &f.dongjie.to_string()),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let mut c = app.client();
    c.post_form("/login", &[("username", "new.teller"), ("password", "first-pass-1")]).await;
    let home = c.get("/").await.body;
    assert!(home.contains("请修改初始密码"), "a new account is asked to change its password");
    let staff = c.get("/staff").await.body;
    assert!(staff.contains(&f.dongjie_name) && !staff.contains(&f.chengguan_name));
    app.finish().await;
}
