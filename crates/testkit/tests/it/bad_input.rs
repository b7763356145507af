//! Bad input gets a clear error and writes nothing.
use anbao_testkit::TestApp;
use axum::http::StatusCode;

async fn outlet(app: &TestApp) -> i64 {
    app.scalar("SELECT id FROM units WHERE name = '城关信用社营业部'").await
}

#[tokio::test]
async fn malformed_or_mistyped_json_is_a_json_error_and_writes_nothing() {
    let app = TestApp::demo().await;
    let mut api = app.api("admin").await;
    let before = (app.count("staff").await, app.count("audit_events").await);
    for body in [
        "{not json",
        "[]",
        r#"{"unit_id": "seven", "name": "x"}"#,
        r#"{"unit_id": 1, "name": 5, "staff_no": "A", "positions": [], "employment": "formal"}"#,
    ] {
        let r = api.raw_json("POST", "/api/v1/staff", body.into()).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{body}: {}", r.body);
        assert_eq!(r.json()["error"]["code"], "invalid_json");
        assert!(r.json()["error"]["message"].as_str().unwrap_or_default().contains("JSON"));
    }
    // A body over the API's limit is not "bad JSON": 413, with the limit.
    let big = format!(r#"{{"unit_id": 1, "name": "{}"}}"#, "x".repeat(anbao_web::routes::BODY_LIMIT + 1));
    let r = api.raw_json("POST", "/api/v1/staff", big).await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", r.body);
    assert_eq!(r.json()["error"]["code"], "too_large");
    assert!(r.json()["error"]["message"].as_str().unwrap_or_default().contains("256 KB"), "{}", r.body);
    assert_eq!((app.count("staff").await, app.count("audit_events").await), before);
    app.finish().await;
}

#[tokio::test]
async fn rule_breaking_staff_input_names_the_field_and_writes_nothing() {
    let app = TestApp::demo().await;
    let mut api = app.api("admin").await;
    let unit = outlet(&app).await;
    let before = app.count("staff").await;
    let long = "张".repeat(33);
    let cases = [
        (
            serde_json::json!({"unit_id": unit, "name": long, "staff_no": "X1", "positions": ["teller"], "employment": "formal"}),
            "name",
            "姓名不能超过32个字",
        ),
        (
            serde_json::json!({"unit_id": unit, "name": "  ", "staff_no": "X1", "positions": ["teller"], "employment": "formal"}),
            "name",
            "姓名不能为空",
        ),
        (
            serde_json::json!({"unit_id": unit, "name": "李四", "staff_no": "X 1", "positions": ["teller"], "employment": "formal"}),
            "staff_no",
            "工号只能包含",
        ),
        (
            serde_json::json!({"unit_id": unit, "name": "李四", "staff_no": "X1", "positions": [], "employment": "formal"}),
            "positions",
            "至少选择一个岗位",
        ),
        (
            serde_json::json!({"unit_id": unit, "name": "李四", "staff_no": "X1", "positions": ["astronaut"], "employment": "formal"}),
            "positions",
            "未知的岗位",
        ),
        (
            serde_json::json!({"unit_id": unit, "name": "李四", "staff_no": "X1", "positions": ["teller"], "employment": "boss"}),
            "employment",
            "未知的用工性质",
        ),
        (
            serde_json::json!({"unit_id": unit, "name": "李四", "staff_no": "X1", "positions": ["vault_keeper"], "employment": "formal", "card_grade": "a"}),
            "card_grade",
            "柜员卡",
        ),
        (
            serde_json::json!({"unit_id": 987654, "name": "李四", "staff_no": "X1", "positions": ["teller"], "employment": "formal"}),
            "unit_id",
            "所属单位不存在",
        ),
    ];
    for (body, field, msg) in cases {
        let r = api.json("POST", "/api/v1/staff", &body).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {}", r.body);
        let e = &r.json()["error"];
        assert_eq!(e["field"], field, "{body}");
        assert!(e["message"].as_str().unwrap_or_default().contains(msg), "{body}: {e}");
    }
    assert_eq!(app.count("staff").await, before);
    app.finish().await;
}

#[tokio::test]
async fn a_duplicate_staff_number_is_a_conflict_and_the_first_record_is_untouched() {
    let app = TestApp::demo().await;
    let mut api = app.api("admin").await;
    let taken: String = {
        use sqlx::Row;
        let mut c = app.db.read().await.expect("conn");
        sqlx::query("SELECT staff_no FROM staff ORDER BY id LIMIT 1")
            .fetch_one(&mut *c)
            .await
            .expect("row")
            .get("staff_no")
    };
    let before = app.count("staff").await;
    let events = app.count("audit_events").await;
    let r = api.json("POST", "/api/v1/staff", &serde_json::json!({"unit_id": outlet(&app).await, "name": "重号", "staff_no": taken, "positions": ["teller"], "employment": "formal"})).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(r.json()["error"]["message"].as_str().unwrap_or_default().contains("重复"));
    assert_eq!(app.count("staff").await, before);
    assert_eq!(app.count("audit_events").await, events, "a refused write leaves no audit event either");
    app.finish().await;
}

#[tokio::test]
async fn a_refused_form_is_shown_again_with_the_input_and_a_chinese_message() {
    let app = TestApp::demo().await;
    let mut c = app.signed_in("admin").await;
    let r = c
        .post_form(
            "/staff",
            &[
                ("name", "王五"),
                ("staff_no", "bad no"),
                ("unit_id", &outlet(&app).await.to_string()),
                ("positions", "teller"),
                ("employment", "formal"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("工号只能包含字母、数字和连字符"));
    assert!(r.body.contains("value=\"王五\""), "the person's input is kept");
    let r = c.post_raw("/staff", "%%%zz=&&".into()).await;
    assert!(r.status.is_client_error());
    app.finish().await;
}

#[tokio::test]
async fn unknown_ids_and_non_numbers_in_paths_are_not_found() {
    let app = TestApp::demo().await;
    let mut c = app.signed_in("admin").await;
    for path in ["/staff/99999", "/staff/abc", "/org/units/99999", "/groups/-1", "/org/units/1x/edit"] {
        let r = c.get(path).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{path}");
        assert!(r.body.contains("找不到该记录"), "{path}");
    }
    let mut api = app.api("admin").await;
    for path in ["/api/v1/staff/99999", "/api/v1/staff/abc", "/api/v1/nothing-here"] {
        let r = api.get(path).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{path}");
        assert_eq!(r.json()["error"]["code"], "not_found");
    }
    app.finish().await;
}

#[tokio::test]
async fn a_unit_name_over_the_limit_is_refused_and_nothing_is_created() {
    let app = TestApp::demo().await;
    let mut api = app.api("admin").await;
    let before = app.count("units").await;
    let r = api
        .json(
            "POST",
            "/api/v1/units",
            &serde_json::json!({"parent_id": 1, "kind": "department", "name": "部".repeat(65)}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.json()["error"]["message"].as_str().unwrap_or_default().contains("单位名称不能超过64个字"));
    let r =
        api.json("POST", "/api/v1/units", &serde_json::json!({"parent_id": 1, "kind": "spaceport", "name": "x"})).await;
    assert_eq!(r.json()["error"]["field"], "kind");
    assert_eq!(app.count("units").await, before);
    app.finish().await;
}

#[tokio::test]
async fn a_page_past_the_end_is_an_empty_page_however_far_and_a_page_not_a_number_is_refused() {
    let app = TestApp::demo().await;
    let mut api = app.api("admin").await;
    for path in ["/api/v1/records?page=9223372036854775807", "/api/v1/staff?page=9223372036854775807"] {
        let r = api.get(path).await;
        assert_eq!(r.status, StatusCode::OK, "{path}: {}", r.body);
        let rows = r.json().as_object().and_then(|o| o.values().find_map(|v| v.as_array().map(Vec::len)));
        assert_eq!(rows, Some(0), "{path}: {}", r.body);
    }
    // A page that is not a whole number from 1 is refused, not read as the first; empty is the first.
    for path in ["/api/v1/records?page=abc", "/api/v1/staff?page=0", "/api/v1/records?page=9223372036854775808"] {
        let r = api.get(path).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{path}: {}", r.body);
        assert_eq!(r.json()["error"]["field"], "page", "{path}");
    }
    for path in ["/api/v1/records?page=", "/api/v1/records?page=1", "/api/v1/staff?page=1"] {
        assert_eq!(api.get(path).await.status, StatusCode::OK, "{path}");
    }
    // An asset filter that is no asset's id lists nothing, as an unknown unit: not everything.
    assert_eq!(api.get("/api/v1/records?asset=atm-1").await.status, StatusCode::NOT_FOUND);
    app.finish().await;
}

#[tokio::test]
async fn a_whole_number_written_with_a_fraction_is_read_as_the_number() {
    // JSON Schema's integers include 12.0; the ids of a body read it as 12.
    let app = TestApp::demo().await;
    let mut api = app.api("admin").await;
    let unit = outlet(&app).await;
    let body = serde_json::json!({"kind": "closing_check", "unit_id": unit as f64,
        "checks": ["cash_in_vault", "vouchers_seals_in_vault", "books_in_vault", "power_off", "doors_windows_closed", "weapons_secured"]});
    let r = api.json("POST", "/api/v1/records", &body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let r = api.json("POST", "/api/v1/records", &serde_json::json!({"kind": "closing_check", "unit_id": 10.5})).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    app.finish().await;
}
