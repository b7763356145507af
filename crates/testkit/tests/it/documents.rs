//! The printed documents as PDF through the pages and the API: the same data as the print page, the official layout's
//! title and number found in the file's text (poppler's pdftotext), the reader's scope kept, and a server without
//! Chinese fonts answering 503 with what to install.
use anbao_testkit::TestApp;
use axum::http::{StatusCode, header};

/// The text of a PDF, without spaces and line breaks (poppler-utils, installed by scripts/test.sh).
fn text_of(pdf: &[u8]) -> String {
    let file = std::env::temp_dir().join(format!("anbao-doc-{}-{}.pdf", std::process::id(), pdf.len()));
    std::fs::write(&file, pdf).unwrap();
    let out = std::process::Command::new("pdftotext").arg(&file).arg("-").output().expect("pdftotext (poppler-utils)");
    std::fs::remove_file(&file).ok();
    String::from_utf8_lossy(&out.stdout).chars().filter(|c| !c.is_whitespace()).collect()
}

/// A hazard raised at the outlet by the county's security department: its id and notice number.
async fn raise(app: &TestApp) -> (i64, String) {
    let unit = app.scalar("SELECT id FROM units WHERE name = '城关信用社营业部'").await;
    let deadline = anbao_domain::period::date_of_day(anbao_domain::period::day_of_ms(app.now()) + 10).to_string();
    let body = serde_json::json!({"unit_id": unit, "title": "营业室后门锁损坏", "article": "第三篇 第四条", "deadline": deadline});
    let r = app.api("qinghe.baowei").await.json("POST", "/api/v1/hazards", &body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let id = r.json()["id"].as_i64().unwrap();
    let h = app.api("qinghe.baowei").await.get(&format!("/api/v1/hazards/{id}")).await.json();
    (id, h["notice_no"].as_str().unwrap_or_default().to_owned())
}

#[tokio::test]
async fn a_rectification_notice_downloads_as_the_pdf_of_its_page_within_scope() {
    let app = TestApp::demo().await;
    let (id, no) = raise(&app).await;
    assert!(no.contains("〔2026〕"), "{no}");
    let unit = "城关信用社营业部";
    let mut baowei = app.signed_in("baowei").await;
    let page = baowei.get(&format!("/hazards/{id}/notice")).await;
    assert!(page.body.contains(&format!("/hazards/{id}/notice.pdf")), "the page offers its PDF");
    let r = baowei.get(&format!("/hazards/{id}/notice.pdf")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.headers[header::CONTENT_TYPE], "application/pdf");
    assert!(r.headers[header::CONTENT_DISPOSITION].to_str().unwrap().contains("filename*=UTF-8''"));
    assert!(r.bytes.starts_with(b"%PDF-"));
    let text = text_of(&r.bytes);
    assert!(text.contains("安全隐患整改通知书") && text.contains(&no) && text.contains(unit), "{text}");
    // The API gives the same document by token.
    let r = app.api("baowei").await.get(&format!("/api/v1/hazards/{id}/notice.pdf")).await;
    assert_eq!((r.status, r.bytes.starts_with(b"%PDF-")), (StatusCode::OK, true));
    assert!(text_of(&r.bytes).contains(&no));
    // Outside the reader's scope, or no such hazard: not found, as JSON under the API.
    // Another outlet's head sees neither the hazard nor its notice.
    let r = app.api("dongjie.zhuren").await.get(&format!("/api/v1/hazards/{id}/notice.pdf")).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
    let r = app.signed_in("dongjie.zhuren").await.get(&format!("/hazards/{id}/notice.pdf")).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = app.api("baowei").await.get("/api/v1/hazards/999999/notice.pdf").await;
    assert_eq!((r.status, r.json()["error"]["code"].as_str()), (StatusCode::NOT_FOUND, Some("not_found")));
    app.finish().await;
}

#[tokio::test]
async fn the_roster_and_the_custody_table_print_for_the_wall_with_the_exports_rows() {
    let app = TestApp::demo().await;
    let mut head = app.api("chengguan.zhuren").await;
    for e in anbao_web::api::exports::PRINTS {
        let r = head.get(e.path).await;
        assert_eq!(r.status, StatusCode::OK, "{}: {}", e.path, r.body);
        assert_eq!(r.headers[header::CONTENT_TYPE], "application/pdf", "{}", e.path);
        let text = text_of(&r.bytes);
        let title = e.what.split(' ').next().unwrap_or_default();
        assert!(text.contains(title), "{}: {title} in {text}", e.path);
        assert!(text.contains("制表："), "{}", e.path);
    }
    // The custody table lists what the export lists: every holder of the outlet's keys is on it.
    let keys = head.get("/api/v1/keys/export.xlsx").await;
    let pdf = text_of(&head.get("/api/v1/keys/table.pdf").await.bytes);
    let limits = anbao_app::workbook::Limits {
        max_file_bytes: 16 << 20,
        max_unzipped_bytes: 256 << 20,
        max_rows: 10_000,
        max_cols: 20,
    };
    let rows = anbao_app::workbook::read_first_sheet(&keys.bytes, &limits).expect("a workbook");
    let holders: Vec<String> =
        rows.iter().skip(1).filter_map(|(_, r)| r.get(4).map(|c| c.to_string())).filter(|h| !h.is_empty()).collect();
    assert!(!holders.is_empty());
    for h in &holders {
        assert!(pdf.contains(h.as_str()), "{h} is on the printed table");
    }
    // Another outlet's table is not the reader's to print.
    let dj = app.scalar("SELECT id FROM units WHERE name = '东街分社'").await;
    assert_eq!(head.get(&format!("/api/v1/keys/table.pdf?unit={dj}")).await.status, StatusCode::NOT_FOUND);
    app.finish().await;
}

#[tokio::test]
async fn a_penalty_notice_exists_once_decided_and_names_the_county_union_that_issues_it() {
    let app = TestApp::demo().await;
    let unit = app.scalar("SELECT id FROM units WHERE name = '城关信用社营业部'").await;
    let mut head = app.api("chengguan.zhuren").await;
    let body = serde_json::json!({"kind": "interlock_open", "unit_id": unit, "subkind": "other", "text": "为方便搬运杂物双开"});
    assert_eq!(head.json("POST", "/api/v1/records", &body).await.status, StatusCode::CREATED);
    let v = head.get("/api/v1/penalties").await.json();
    let id = v.as_array().unwrap().iter().find(|x| x["code"] == "interlock_misuse").unwrap()["id"].as_i64().unwrap();
    // Proposed, not decided: there is no notice yet.
    let mut county = app.api("qinghe.baowei").await;
    let r = county.get(&format!("/api/v1/penalties/{id}/notice.pdf")).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    let decide = serde_json::json!({"status": "decided", "fine": 200});
    let r = county.json("POST", &format!("/api/v1/penalties/{id}/decide"), &decide).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    let r = county.get(&format!("/api/v1/penalties/{id}/notice.pdf")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let text = text_of(&r.bytes);
    let number = format!("违规处罚〔2026〕第{id:04}号");
    for want in
        ["违规处罚通知书", number.as_str(), "清河县农村信用合作联社", "城关信用社营业部", "处罚款200元", "第五篇第10题"]
    {
        assert!(text.contains(want), "{want} in {text}");
    }
    // The print page says the same, and offers the PDF.
    let page = app.signed_in("qinghe.baowei").await.get(&format!("/penalties/{id}/notice")).await;
    assert!(page.body.contains(&number) && page.body.contains("处罚款200元"), "{}", page.body);
    assert!(page.body.contains(&format!("/penalties/{id}/notice.pdf")));
    // Another outlet's head does not see it.
    let r = app.api("dongjie.zhuren").await.get(&format!("/api/v1/penalties/{id}/notice.pdf")).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    app.finish().await;
}

#[tokio::test]
async fn a_responsibility_letter_prints_its_parties_and_targets_and_once_signed_how_and_when() {
    let app = TestApp::demo().await;
    let county = app.scalar("SELECT id FROM units WHERE name = '清河县农村信用合作联社'").await;
    let plan = serde_json::json!({"unit_id": county, "kind": "security_target", "year": "2027",
        "targets": "一、全年不发生案件。\n二、严格执行双人制度。"});
    let r = app.api("qinghe.baowei").await.json("POST", "/api/v1/letters/plans", &plan).await;
    assert!(r.status.is_success(), "{}", r.body);
    let id = app
        .scalar(
            "SELECT l.id FROM letters l JOIN accounts a ON a.staff_id = l.signer_id \
             WHERE a.username = 'chengguan.guiyuan' AND l.kind = 'security_target' AND l.year = 2027",
        )
        .await;
    let mut teller = app.api("chengguan.guiyuan").await;
    let text = text_of(&teller.get(&format!("/api/v1/letters/{id}/letter.pdf")).await.bytes);
    for want in [
        "2027年度安全目标责任书",
        "甲方（发包方）",
        "城关信用社营业部",
        "一、全年不发生案件。",
        "二、严格执行双人制度。",
    ] {
        assert!(text.contains(want), "{want} in {text}");
    }
    // Unsigned, it is for a signature by hand: no date of signing yet.
    assert!(!text.contains("以确认密码签订"), "{text}");
    let r = teller
        .json(
            "POST",
            &format!("/api/v1/letters/{id}/sign"),
            &serde_json::json!({"secret": anbao_testkit::DEMO_PIN, "agree": true}),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    let signed = text_of(&teller.get(&format!("/api/v1/letters/{id}/letter.pdf")).await.bytes);
    assert!(signed.contains("2026年3月2日以") && signed.contains("签订"), "{signed}");
    // The page offers it; another outlet's head cannot print it.
    let page = app.signed_in("chengguan.guiyuan").await.get(&format!("/letters/{id}/print")).await;
    assert!(page.body.contains(&format!("/letters/{id}/letter.pdf")));
    let r = app.api("dongjie.zhuren").await.get(&format!("/api/v1/letters/{id}/letter.pdf")).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    app.finish().await;
}

#[tokio::test]
async fn without_chinese_fonts_a_pdf_is_refused_with_what_to_install() {
    let empty = std::env::temp_dir().join(format!("anbao-no-fonts-it-{}", std::process::id()));
    std::fs::create_dir_all(&empty).unwrap();
    let dir = empty.clone();
    let app = TestApp::demo_with(move |s| s.printer = std::sync::Arc::new(anbao_pdf::Printer::new(Some(dir)))).await;
    let (id, _) = raise(&app).await;
    let r = app.api("baowei").await.get(&format!("/api/v1/hazards/{id}/notice.pdf")).await;
    assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE, "{}", r.body);
    assert_eq!(r.json()["error"]["code"], "unavailable");
    assert!(r.json()["error"]["message"].as_str().unwrap().contains("fonts-noto-cjk"));
    let page = app.signed_in("baowei").await.get(&format!("/hazards/{id}/notice.pdf")).await;
    assert_eq!(page.status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(page.body.contains("中文字体"), "{}", page.body);
    std::fs::remove_dir_all(&empty).ok();
    app.finish().await;
}
