//! Staff records: create, find, edit, transfer, export.
use anbao_testkit::TestApp;
use axum::http::StatusCode;
use calamine::{Reader, Xlsx};

/// The first sheet of a workbook as rows of text.
pub fn read_xlsx(bytes: &[u8]) -> Vec<Vec<String>> {
    let mut wb: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes.to_vec())).expect("a readable workbook");
    let name = wb.sheet_names().first().cloned().expect("a sheet");
    let range = wb.worksheet_range(&name).expect("sheet range");
    range.rows().map(|r| r.iter().map(ToString::to_string).collect()).collect()
}

#[tokio::test]
async fn a_staff_member_added_through_the_form_is_found_in_the_list() {
    let app = TestApp::demo().await;
    let mut c = app.signed_in("chengguan.zhuren").await;
    let outlet = app.scalar("SELECT id FROM units WHERE name = '城关信用社营业部'").await.to_string();
    let r = c
        .post_form(
            "/staff",
            &[
                ("name", "欧阳晓峰"),
                ("staff_no", "QH-9001"),
                ("unit_id", &outlet),
                ("positions", "teller"),
                ("positions", "cctv_admin"),
                ("employment", "approved_contract"),
                ("card_grade", "cash"),
                ("phone", "13900001111"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let list = c.get("/staff?q=%E6%AC%A7%E9%98%B3").await.body; // q=欧阳
    assert!(list.contains("欧阳晓峰") && list.contains("QH-9001"));
    let by_position = c.get("/staff?position=cctv_admin").await.body;
    assert!(by_position.contains("欧阳晓峰"));
    let page = c.get(r.location().as_str()).await.body;
    assert!(page.contains("经批准短期合同工") && page.contains("现金") && page.contains("监控管理员"));
    app.finish().await;
}

#[tokio::test]
async fn filters_combine_and_paging_counts_every_match() {
    let app = TestApp::demo().await;
    let mut api = app.api("admin").await;
    let all = api.get("/api/v1/staff").await.json();
    assert_eq!(all["total"].as_i64(), Some(app.count("staff").await));
    assert_eq!(all["items"].as_array().map(Vec::len), Some(50));
    let keepers = api.get("/api/v1/staff?position=vault_keeper&key=1").await.json();
    let direct =
        app.scalar("SELECT COUNT(*) FROM staff WHERE positions LIKE '%,vault_keeper,%' AND key_position = 1").await;
    assert_eq!(keepers["total"].as_i64(), Some(direct));
    let page2 = api.get("/api/v1/staff?page=2").await.json();
    assert_ne!(all["items"][0]["id"], page2["items"][0]["id"]);
    app.finish().await;
}

#[tokio::test]
async fn a_transfer_and_a_departure_are_edits_that_keep_the_record() {
    let app = TestApp::demo().await;
    let mut api = app.api("qinghe.baowei").await;
    let from = app.scalar("SELECT id FROM units WHERE name = '东街分社'").await;
    let to = app.scalar("SELECT id FROM units WHERE name = '西关分社'").await;
    let id =
        app.scalar(&format!("SELECT id FROM staff WHERE unit_id = {from} AND positions = ',teller,' LIMIT 1")).await;
    let current = api.get(&format!("/api/v1/staff/{id}")).await.json();
    let mut body = serde_json::json!({
        "unit_id": to, "name": current["name"], "staff_no": current["staff_no"], "positions": ["teller"],
        "employment": current["employment"], "key_position": false, "card_grade": current["card_grade"], "phone": current["phone"]
    });
    let r = api.json("PUT", &format!("/api/v1/staff/{id}"), &body).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["unit_id"], to);
    body["active"] = serde_json::json!(false);
    let r = api.json("PUT", &format!("/api/v1/staff/{id}"), &body).await;
    assert_eq!(r.json()["active"], false);
    // Left staff drop out of the list but the record stays, with its history.
    let listed = api.get(&format!("/api/v1/staff?unit={to}")).await.body;
    assert!(!listed.contains(&format!("\"id\":{id},")));
    let events =
        app.scalar(&format!("SELECT COUNT(*) FROM audit_events WHERE entity = 'staff' AND entity_id = '{id}'")).await;
    assert_eq!(events, 3, "created, transferred, left");
    app.finish().await;
}

#[tokio::test]
async fn the_staff_list_exports_to_excel_with_its_filters() {
    let app = TestApp::demo().await;
    let mut c = app.signed_in("chengguan.zhuren").await;
    let r = c.get("/staff/export.xlsx?position=teller").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.headers.get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default().contains("spreadsheetml"));
    let rows = read_xlsx(&r.bytes);
    assert_eq!(rows[0][0], "工号");
    let outlet = app.scalar("SELECT id FROM units WHERE name = '城关信用社营业部'").await;
    let tellers = app
        .scalar(&format!("SELECT COUNT(*) FROM staff WHERE unit_id = {outlet} AND positions LIKE '%,teller,%'"))
        .await;
    assert_eq!(rows.len() as i64 - 1, tellers, "only the outlet's own tellers, nobody from another outlet");
    assert!(rows[1..].iter().all(|r| r[2] == "城关信用社营业部"));
    app.finish().await;
}
