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
