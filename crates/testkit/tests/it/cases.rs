//! Cases and accountability end to end: a case reported at the outlet climbs the tree, a late level is recorded and
//! aggravates, the investigation is prefilled, the determination follows 第十一条 and 第十二条 from the records, the
//! union decides (a change needs its reason), penalties follow, and 三不放过 holds the case open until all is done.
use anbao_testkit::{Client, TestApp};
use axum::http::StatusCode;
use serde_json::{Value, json};

const OUTLET: &str = "城关信用社营业部";

async fn outlet(app: &TestApp) -> i64 {
    app.scalar(&format!("SELECT id FROM units WHERE name = '{OUTLET}'")).await
}

async fn report(app: &TestApp, c: &mut Client, kind: &str) -> i64 {
    let unit = outlet(app).await;
    let r = c
        .json(
            "POST",
            "/api/v1/cases",
            &json!({"kind": kind, "unit_id": unit, "place": "outlet", "loss": "12000.50",
                    "description": "营业终了后发现现金短少，调阅监控查看"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    r.json()["id"].as_i64().unwrap()
}

async fn detail(c: &mut Client, id: i64) -> Value {
    let r = c.get(&format!("/api/v1/cases/{id}")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    r.json()
}

fn lines(d: &Value) -> Vec<Value> {
    d["proposal"]["determination"]["lines"].as_array().cloned().unwrap_or_default()
}

fn line_of<'a>(ls: &'a [Value], label_part: &str) -> Option<&'a Value> {
    ls.iter().find(|l| l["who"]["label"].as_str().is_some_and(|s| s.contains(label_part)))
}

#[tokio::test]
async fn bad_case_input_gets_a_clear_error_and_writes_nothing() {
    let app = TestApp::demo().await;
    let mut head = app.api("chengguan.zhuren").await;
    let unit = outlet(&app).await;
    let long = "案".repeat(2001);
    for (body, field) in [
        (json!({"kind": "piracy", "unit_id": unit, "place": "outlet", "description": "x"}), "案件类别"),
        (
            json!({"kind": "theft", "unit_id": unit, "place": "outlet", "description": "x", "occurred_at": "2030-01-01T10:00"}),
            "晚于",
        ),
        (json!({"kind": "theft", "unit_id": unit, "place": "outlet", "description": "x", "loss": "-5"}), "损失金额"),
        (json!({"kind": "theft", "unit_id": unit, "place": "outlet", "description": long}), "案情经过"),
        (json!({"kind": "theft", "unit_id": unit, "place": "roof", "description": "x"}), "案发部位"),
    ] {
        let r = head.json("POST", "/api/v1/cases", &body).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert!(r.body.contains(field), "{field}: {}", r.body);
    }
    assert_eq!(app.count("cases").await, 0);
    assert_eq!(app.count("case_reports").await, 0);
    // A page form gets the same message in Chinese, and the form again.
    let mut web = app.signed_in("chengguan.zhuren").await;
    let r = web
        .post_multipart(
            "/cases",
            &[
                ("kind", "theft"),
                ("unit_id", &unit.to_string()),
                ("place", "outlet"),
                ("loss", "abc"),
                ("description", "x"),
            ],
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("损失金额须为不小于0的数字"), "{}", r.body);
    app.finish().await;
}

#[tokio::test]
async fn a_case_climbs_level_by_level_and_a_late_level_is_a_violation_that_aggravates() {
    let app = TestApp::demo().await;
    let mut head = app.api("chengguan.zhuren").await;
    let id = report(&app, &mut head, "fire").await;
    // The province's security department sees it at once.
    let mut province = app.api("baowei").await;
    let all = province.get("/api/v1/cases").await.json();
    assert!(all.as_array().unwrap().iter().any(|c| c["id"] == id), "{all}");
    let d = detail(&mut head, id).await;
    let reports = d["reports"].as_array().unwrap();
    // cooperative → county → regional centre → province
    assert_eq!(reports.len(), 4, "{}", d["proposal"]);
    assert!(reports[0]["reported_at"].is_i64() && reports[1]["reported_at"].is_null());
    // The outlet head cannot acknowledge for the cooperative.
    assert_eq!(
        head.json("POST", &format!("/api/v1/cases/{id}/forward"), &json!({})).await.status,
        StatusCode::FORBIDDEN
    );
    let mut county = app.api("qinghe.baowei").await;
    // The cooperative sends it on in time; the county waits three hours (past its 4-hour mark).
    assert_eq!(
        county.json("POST", &format!("/api/v1/cases/{id}/forward"), &json!({})).await.status,
        StatusCode::NO_CONTENT
    );
    app.advance_minutes(7 * 60);
    assert_eq!(
        county.json("POST", &format!("/api/v1/cases/{id}/forward"), &json!({})).await.status,
        StatusCode::NO_CONTENT
    );
    // The county's security department cannot acknowledge for the regional centre; the province's can.
    assert_eq!(
        county.json("POST", &format!("/api/v1/cases/{id}/forward"), &json!({})).await.status,
        StatusCode::FORBIDDEN
    );
    let late = app.scalar("SELECT COUNT(*) FROM violations WHERE code = 'late_report'").await;
    assert_eq!(late, 1, "the county reported the regional centre late");
    let facts: String = {
        use sqlx::Row;
        let mut c = app.db.read().await.unwrap();
        sqlx::query("SELECT facts FROM violations WHERE code = 'late_report'")
            .fetch_one(&mut *c)
            .await
            .unwrap()
            .get("facts")
    };
    assert!(facts.contains("清河县") && facts.contains("超过时限"), "{facts}");
    let d = detail(&mut county, id).await;
    assert!(d["reports"][2]["late_minutes"].as_i64().unwrap() > 0, "{}", d["proposal"]);
    assert!(d["timeline"].as_array().unwrap().iter().any(|e| e["action"] == "late_report"));

    // Findings: a staff violation (㈠); the county's head who reported late is aggravated.
    let r = county
        .json(
            "PUT",
            &format!("/api/v1/cases/{id}/findings"),
            &json!({"causes": ["c1"], "cause": "营业终了未按规定入库", "notes": "调阅录像"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    assert_eq!(
        county.json("POST", &format!("/api/v1/cases/{id}/propose"), &json!({})).await.status,
        StatusCode::NO_CONTENT
    );
    let d = detail(&mut county, id).await;
    let ls = lines(&d);
    let non_reporter = ls.iter().find(|l| l["aggravated"] == true).unwrap_or_else(|| panic!("{}", d["proposal"]));
    assert!(non_reporter["grounds"].to_string().contains("第十一条㈥"), "{non_reporter}");
    assert!(non_reporter["who"]["label"].as_str().unwrap().contains("清河县"));
    app.finish().await;
}

#[tokio::test]
async fn a_theft_holds_the_county_and_regional_leaders_and_the_decision_needs_reasons_then_three_nots_closes_it() {
    let app = TestApp::demo().await;
    let mut head = app.api("chengguan.zhuren").await;
    let id = report(&app, &mut head, "theft").await;
    let case_no = detail(&mut head, id).await["case_no"].as_str().unwrap().to_owned();
    let mut county = app.api("qinghe.baowei").await;
    // A hazard the case exposed, tied to it (三不放过).
    let unit = outlet(&app).await;
    let deadline = anbao_domain::period::date_of_day(anbao_domain::period::day_of_ms(app.now()) + 10).to_string();
    let r = county
        .json("POST", "/api/v1/hazards", &json!({"unit_id": unit, "title": "营业室后门锁损坏", "article": "第三篇 第四条", "deadline": deadline, "case_ref": case_no}))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let hazard = r.json()["id"].as_i64().unwrap();
    let teller = app.scalar(&format!("SELECT id FROM staff WHERE unit_id = {unit} ORDER BY id DESC LIMIT 1")).await;
    // Proposing without the cause is refused (三不放过: the cause first).
    let r = county.json("PUT", &format!("/api/v1/cases/{id}/findings"), &json!({"causes": ["c1", "c9"]})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let r = county
        .json("PUT", &format!("/api/v1/cases/{id}/findings"), &json!({"causes": ["c1"], "violators": [teller]}))
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    let r = county.json("POST", &format!("/api/v1/cases/{id}/propose"), &json!({})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let r = county
        .json(
            "PUT",
            &format!("/api/v1/cases/{id}/findings"),
            &json!({"causes": ["c1"], "violators": [teller], "cause": "柜员离柜未锁尾箱"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    assert_eq!(
        county.json("POST", &format!("/api/v1/cases/{id}/propose"), &json!({})).await.status,
        StatusCode::NO_CONTENT
    );
    let d = detail(&mut county, id).await;
    let ls = lines(&d);
    let direct = ls.iter().find(|l| l["weight"] == "direct").unwrap_or_else(|| panic!("{}", d["proposal"]));
    assert_eq!(direct["who"]["staff_id"], teller);
    // INC-5: the county's main leader and the regional centre's head and deputy answer too.
    // The regional centre's head and deputy answer for management only; the county's chairman is named by both.
    let management: Vec<&Value> = ls.iter().filter(|l| l["weight"] == "management").collect();
    assert_eq!(management.len(), 2, "{}", d["proposal"]);
    assert!(
        management.iter().all(|l| l["who"]["label"].as_str().unwrap().contains("稽核审计中心")),
        "{}",
        d["proposal"]
    );
    let chairman = ls
        .iter()
        .find(|l| l["who"]["label"].as_str().is_some_and(|s| s.starts_with("清河县") && s.contains("主要领导")))
        .unwrap_or_else(|| panic!("{}", d["proposal"]));
    assert!(chairman["as_party"].to_string().contains("区域稽核审计中心主任"), "{chairman}");
    assert!(chairman["grounds"].to_string().contains("第一篇《安排意见》一、六"), "{chairman}");

    // The outlet head may not decide; the county's security department may, and a change needs its reason.
    let r = head.json("POST", &format!("/api/v1/cases/{id}/decide"), &json!({})).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let key = direct["who"]["key"].as_str().unwrap();
    let r = county
        .json("POST", &format!("/api/v1/cases/{id}/decide"), &json!({"changes": [{"key": key, "weight": "primary"}]}))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("须写明理由"));
    let r = county
        .json(
            "POST",
            &format!("/api/v1/cases/{id}/decide"),
            &json!({"changes": [{"key": key, "weight": "primary", "reason": "主动报告并追回损失"}]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    let d = detail(&mut county, id).await;
    assert_eq!(d["status"], "decided");
    assert!(d["decision"]["lines"].to_string().contains("主动报告并追回损失"));
    let penalties = d["violations"].as_array().unwrap().clone();
    assert!(penalties.iter().any(|v| v["staff_name"].is_string() && v["sanction"] == "warning"), "{}", d["proposal"]);

    // 三不放过: not closed while penalties are undecided and the hazard is open.
    let r = county.json("POST", &format!("/api/v1/cases/{id}/close"), &json!({})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("处罚尚未决定") && r.body.contains("隐患"), "{}", r.body);
    // The regional centre's leaders' penalties are the province's to decide, not the county's.
    // The county's view of the case lists only the violations in its scope; the province's lists them all.
    let in_centre = |v: &&Value| v["unit_name"].as_str().unwrap().contains("稽核审计中心");
    assert!(!penalties.iter().any(|v| in_centre(&v)), "{penalties:?}");
    let mut province = app.api("baowei").await;
    let all = detail(&mut province, id).await["violations"].as_array().unwrap().clone();
    assert!(all.len() > penalties.len());
    let regional = all.iter().find(in_centre).unwrap();
    let r = county
        .json(
            "POST",
            &format!("/api/v1/penalties/{}/decide", regional["id"]),
            &json!({"status": "waived", "reason": "x"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "outside the county's scope");
    for v in &all {
        let r = province
            .json(
                "POST",
                &format!("/api/v1/penalties/{}/decide", v["id"]),
                &json!({"status": "decided", "fine": 100, "sanction": "warning", "reason": "初犯"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    }
    let r = county.json("POST", &format!("/api/v1/cases/{id}/close"), &json!({})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(!r.body.contains("处罚尚未决定") && r.body.contains("隐患"), "{}", r.body);
    let mut head_web = app.signed_in("chengguan.zhuren").await;
    let r = head_web.post_form(&format!("/hazards/{hazard}/rectify"), &[("note", "已更换门锁")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let mut county_web = app.signed_in("qinghe.baowei").await;
    let r = county_web
        .post_form(
            &format!("/hazards/{hazard}/verify"),
            &[("pass", "1"), ("note", "复查合格"), ("cause", "门锁老化"), ("accountability", "已处罚")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(
        county.json("POST", &format!("/api/v1/cases/{id}/close"), &json!({})).await.status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(detail(&mut county, id).await["status"], "closed");
    // A closed case takes nothing more.
    let r = county.json("POST", &format!("/api/v1/cases/{id}/notes"), &json!({"note": "补充"})).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    assert!(r.body.contains("已结案"), "{}", r.body);
    let page = county_web.get(&format!("/cases/{id}")).await;
    assert!(page.body.contains("案件经过") && !page.body.contains("id=\"note-form\""), "no form on a closed case");
    // Every step is in the audit trail, and the trail verifies.
    for action in ["case.report", "case.findings", "case.propose", "case.decide", "case.close", "violation.decide"] {
        let n = app.scalar(&format!("SELECT COUNT(*) FROM audit_events WHERE action = '{action}'")).await;
        assert!(n >= 1, "{action}");
    }
    let problems = anbao_app::audit::verify(&app.db).await.unwrap().problems;
    assert!(problems.is_empty(), "{problems:?}");
    // The printable determination names the articles.
    let page = county_web.get(&format!("/cases/{id}/determination")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("案件责任认定书")
            && page.body.contains("第十一条㈠")
            && page.body.contains("主动报告并追回损失")
    );
    app.finish().await;
}

#[tokio::test]
async fn a_notice_within_its_period_exempts_the_issuer_and_past_it_the_leaders_answer_first() {
    for past in [false, true] {
        let app = TestApp::demo().await;
        let mut county = app.api("qinghe.baowei").await;
        // An outlet with no hazard of the demo's own.
        let unit = app.scalar("SELECT id FROM units WHERE name = '西关分社'").await;
        let deadline = anbao_domain::period::date_of_day(anbao_domain::period::day_of_ms(app.now()) + 5).to_string();
        let r = county
            .json(
                "POST",
                "/api/v1/hazards",
                &json!({"unit_id": unit, "title": "报警器失灵", "article": "第三篇 第六条", "deadline": deadline}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        if past {
            app.advance_minutes(7 * 24 * 60);
        }
        let r = county
            .json(
                "POST",
                "/api/v1/cases",
                &json!({"kind": "fire", "unit_id": unit, "place": "outlet", "description": "报警器失灵，营业室起火"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let id = r.json()["id"].as_i64().unwrap();
        let r = county
            .json(
                "PUT",
                &format!("/api/v1/cases/{id}/findings"),
                &json!({"causes": ["c2"], "cause": "报警器失灵未及时修复"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
        assert_eq!(
            county.json("POST", &format!("/api/v1/cases/{id}/propose"), &json!({})).await.status,
            StatusCode::NO_CONTENT
        );
        let d = detail(&mut county, id).await;
        let ls = lines(&d);
        let dept = line_of(&ls, "保卫部").unwrap_or_else(|| panic!("{}", d["proposal"]));
        let leader = ls
            .iter()
            .find(|l| l["as_party"].to_string().contains("单位领导"))
            .unwrap_or_else(|| panic!("{}", d["proposal"]));
        if past {
            assert_eq!(dept["weight"], "secondary", "{}", d["proposal"]);
            assert_eq!(leader["weight"], "primary", "{}", d["proposal"]);
            assert!(leader["grounds"].to_string().contains("第十二条㈡"));
        } else {
            assert!(dept["weight"].is_null(), "{}", d["proposal"]);
            assert!(dept["exempt"].to_string().contains("整改期内"), "{}", d["proposal"]);
            assert_eq!(leader["weight"], "secondary", "{}", d["proposal"]);
        }
        // The investigation lists the notice, linked to the hazard.
        assert!(d["investigation"].to_string().contains("隐患整改通知书"), "{}", d["proposal"]);
        app.finish().await;
    }
}

#[tokio::test]
async fn a_register_stores_a_breach_flags_it_and_proposes_the_seeds_fine() {
    let app = TestApp::demo().await;
    let mut head = app.api("chengguan.zhuren").await;
    let unit = outlet(&app).await;
    let r = head
        .json(
            "POST",
            "/api/v1/records",
            &json!({"kind": "interlock_open", "unit_id": unit, "subkind": "other", "text": "为方便搬运杂物双开"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let v = head.get("/api/v1/penalties").await.json();
    let misuse = v
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["code"] == "interlock_misuse")
        .cloned()
        .unwrap_or_else(|| panic!("{v}"));
    assert_eq!(misuse["fine_yuan"], 200);
    assert_eq!(misuse["article"], "第五篇 第10题");
    assert_eq!(misuse["source"], "record");
    // The head cannot decide their own penalty; another county cannot even see it.
    let id = misuse["id"].as_i64().unwrap();
    let r =
        head.json("POST", &format!("/api/v1/penalties/{id}/decide"), &json!({"status": "waived", "reason": "x"})).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let mut county = app.api("qinghe.baowei").await;
    // Below the minimum without a reason: refused.
    let r =
        county.json("POST", &format!("/api/v1/penalties/{id}/decide"), &json!({"status": "decided", "fine": 50})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let r = county
        .json("POST", &format!("/api/v1/penalties/{id}/decide"), &json!({"status": "decided", "fine": 200}))
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    let r = county
        .json("POST", &format!("/api/v1/penalties/{id}/decide"), &json!({"status": "decided", "fine": 300}))
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    // A proper handover is no violation.
    let r = head
        .json(
            "POST",
            "/api/v1/records",
            &json!({"kind": "interlock_open", "unit_id": unit, "subkind": "cash_handover"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM violations WHERE code = 'interlock_misuse'").await, 1);
    let mut web = app.signed_in("qinghe.baowei").await;
    let page = web.get("/penalties/export.xlsx").await;
    assert_eq!(page.status, StatusCode::OK);
    let page = web.get(&format!("/penalties/{id}")).await;
    assert!(page.body.contains("第五篇 第10题") && page.body.contains("已决定"), "{}", page.body);
    app.finish().await;
}

/// A 1×1 PNG, as a phone's photo would arrive.
const PNG: &[u8] = &[
    0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52, 0x00, 0x00, 0x00,
    0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1F, 0x15, 0xC4, 0x89, 0x00, 0x00, 0x00, 0x0A, 0x49,
    0x44, 0x41, 0x54, 0x78, 0x9C, 0x63, 0x00, 0x01, 0x00, 0x00, 0x05, 0x00, 0x01, 0x0D, 0x0A, 0x2D, 0xB4, 0x00, 0x00,
    0x00, 0x00, 0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82,
];

/// Enter a theft from the phone form with photos.
async fn enter(web: &mut Client, unit: i64, description: &str, photos: &[(&str, &[u8])]) -> anbao_testkit::Resp {
    let unit = unit.to_string();
    let fields = [("kind", "theft"), ("unit_id", unit.as_str()), ("place", "outlet"), ("description", description)];
    let files: Vec<(&str, &str, &[u8])> = photos.iter().map(|(n, b)| ("photos", *n, *b)).collect();
    web.post_multipart("/cases", &fields, &files).await
}

#[tokio::test]
async fn a_case_is_entered_on_the_phone_with_photos_and_gathers_notes_and_scans() {
    let app = TestApp::demo().await;
    let unit = outlet(&app).await;
    let mut web = app.signed_in("chengguan.zhuren").await;
    // Not an image or a PDF, and more than four files: refused with the reason, nothing written.
    let r = enter(&mut web, unit, "柜台现金短少", &[("报告.exe", b"MZ\x90\x00\x03")]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("不是图片或PDF文件"), "{}", r.body);
    let five: [(&str, &[u8]); 5] = [("1.png", PNG), ("2.png", PNG), ("3.png", PNG), ("4.png", PNG), ("5.png", PNG)];
    let r = enter(&mut web, unit, "柜台现金短少", &five).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("最多上传4个附件"), "{}", r.body);
    assert_eq!(app.count("cases").await, 0);
    assert_eq!(app.count("case_attachments").await, 0);
    // Entered with a photo, and a description on two lines (a text area's line break is kept).
    let r = enter(&mut web, unit, "营业终了清点发现短款。\r\n已调阅监控。", &[("现场.png", PNG)]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let id: i64 = r.location().trim_start_matches("/cases/").split('?').next().unwrap().parse().unwrap();
    let mut api = app.api("chengguan.zhuren").await;
    let d = detail(&mut api, id).await;
    assert_eq!(d["description"], "营业终了清点发现短款。\n已调阅监控。");
    let files = d["files"].as_array().unwrap().clone();
    assert_eq!(files.len(), 1, "{d}");
    assert_eq!(files[0]["content_type"], "image/png");
    let photo = files[0]["id"].as_i64().unwrap();
    let page = web.get(&format!("/cases/{id}")).await.body;
    assert!(page.contains(&format!("/cases/{id}/files/{photo}")) && page.contains("现场.png"), "{page}");
    let got = web.get(&format!("/cases/{id}/files/{photo}")).await;
    assert_eq!(got.status, StatusCode::OK);
    // A note with a scan, from the page; then a PDF through the API, read only once the caller may add.
    let pdf: &[u8] = b"%PDF-1.4\n%receipt\n";
    let r = web
        .post_multipart(&format!("/cases/{id}/notes"), &[("note", "派出所已受案")], &[("files", "回执.pdf", pdf)])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let r = web.post_multipart(&format!("/cases/{id}/notes"), &[("note", " ")], &[]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("请填写补充情况或选择附件"), "{}", r.body);
    let req = axum::http::Request::post(format!("/api/v1/cases/{id}/files?note=%E8%A1%A5%E5%BD%95&name=scan.pdf"))
        .header("content-type", "application/pdf")
        .body(axum::body::Body::from(pdf.to_vec()))
        .unwrap();
    assert_eq!(api.send(req).await.status, StatusCode::NO_CONTENT);
    let big = vec![0xFFu8; anbao_app::evidence::MAX_UPLOAD_BYTES + 1];
    let req = axum::http::Request::post(format!("/api/v1/cases/{id}/files"))
        .header("content-type", "image/jpeg")
        .body(axum::body::Body::from(big))
        .unwrap();
    let r = api.send(req).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("MB"), "{}", r.body);
    let d = detail(&mut api, id).await;
    let files = d["files"].as_array().unwrap();
    assert_eq!(files.len(), 3, "{d}");
    assert!(files.iter().filter(|f| f["content_type"] == "application/pdf").count() == 2);
    let notes: Vec<&str> = d["timeline"].as_array().unwrap().iter().filter_map(|e| e["note"].as_str()).collect();
    assert!(notes.contains(&"派出所已受案（附件1个）") && notes.contains(&"补录（附件1个）"), "{notes:?}");
    let scan = files[2]["id"].as_i64().unwrap();
    let r = api.get(&format!("/api/v1/cases/{id}/files/{scan}")).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.starts_with("%PDF-"));
    // A file is reached only through its own case, and only by those who see the case.
    let other = report(&app, &mut api, "fire").await;
    assert_eq!(api.get(&format!("/api/v1/cases/{other}/files/{scan}")).await.status, StatusCode::NOT_FOUND);
    let mut outsider = app.api("dongjie.zhuren").await;
    assert_eq!(outsider.get(&format!("/api/v1/cases/{id}/files/{scan}")).await.status, StatusCode::NOT_FOUND);
    let r = outsider.json("POST", &format!("/api/v1/cases/{id}/notes"), &json!({"note": "x"})).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    // The blobs are the bytes sent, and every file is in the audit trail.
    assert_eq!(app.scalar("SELECT COUNT(*) FROM audit_events WHERE action = 'case.attach'").await, 3);
    let problems = anbao_app::audit::verify(&app.db).await.unwrap().problems;
    assert!(problems.is_empty(), "{problems:?}");
    app.finish().await;
}

/// An attempted robbery at `unit` beyond the protection limits, investigated and proposed now.
async fn attempt_beyond_limits(county: &mut Client, unit: i64) -> Value {
    let r = county
        .json(
            "POST",
            "/api/v1/cases",
            &json!({"kind": "attempted_robbery", "unit_id": unit, "place": "outlet",
                    "description": "歹徒持械冲击营业室，被防弹玻璃和联动门阻挡"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let id = r.json()["id"].as_i64().unwrap();
    let r = county
        .json(
            "PUT",
            &format!("/api/v1/cases/{id}/findings"),
            &json!({"causes": ["c5"], "beyond_limits": true, "cause": "歹徒使用爆炸物，超出防护能力"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    let r = county.json("POST", &format!("/api/v1/cases/{id}/propose"), &json!({})).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    detail(county, id).await
}

/// 第十二条㈠ from a real ledger: an attempted robbery beyond the protection limits at an outlet whose every place met
/// the standard exempts the whole case; once the interlock door is reported broken, the same facts no longer exempt a
/// later case — while the first case, judged as of its own time, still stands exempt.
#[tokio::test]
async fn an_attack_beyond_the_limits_is_exempt_only_where_the_ledger_met_the_standard_at_the_time() {
    let app = TestApp::demo().await;
    let mut county = app.api("qinghe.baowei").await;
    let unit = app.scalar("SELECT id FROM units WHERE name = '西关分社'").await;
    let gaps: Value = county.get(&format!("/api/v1/facilities/gaps?unit={unit}")).await.json();
    let places = gaps["places"].as_array().unwrap();
    assert!(places.len() >= 2 && places.iter().all(|p| p["gaps"] == json!([])), "a compliant outlet: {gaps}");

    // Without this year's responsibility letters the rules were not in place (第十二条㈠ "规章制度健全").
    let unsigned = attempt_beyond_limits(&mut county, unit).await;
    assert!(unsigned["proposal"]["determination"]["exempt_all"].is_null(), "{}", unsigned["proposal"]);
    assert!(unsigned["investigation"].to_string().contains("1月底前未完成责任书签订"), "{}", unsigned["investigation"]);
    let head = app.scalar(&format!("SELECT MIN(id) FROM staff WHERE unit_id = {unit}")).await;
    let (year, _, _) = anbao_domain::period::ymd(anbao_domain::period::day_of_ms(app.now()));
    for letter in ["security_target", "fire_safety"] {
        let r = county
            .json(
                "POST",
                "/api/v1/records",
                &json!({"kind": "resp_letter", "unit_id": unit, "subkind": letter, "performer_id": head,
                        "occurred_at": format!("{year}-01-15T10:00")}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    }

    let first = attempt_beyond_limits(&mut county, unit).await;
    let exempt = &first["proposal"]["determination"]["exempt_all"];
    assert!(exempt.to_string().contains("第十二条㈠"), "{}", first["proposal"]);
    assert!(first["investigation"].to_string().contains("案发时安防设施符合标准"), "{}", first["investigation"]);
    assert!(!lines(&first).is_empty() && lines(&first).iter().all(|l| l["weight"].is_null()), "{}", first["proposal"]);

    app.advance_minutes(60);
    let door = app
        .scalar(
            "SELECT i.id FROM facility_items i JOIN places p ON p.id = i.place_id \
             WHERE p.name = '西关分社营业场所' AND i.kind = 'interlock_door'",
        )
        .await;
    let mut web = app.signed_in("qinghe.baowei").await;
    let r = web
        .post_form(
            &format!("/facilities/places/{}/fault", places.iter().find(|p| p["kind"] == "outlet").unwrap()["place_id"]),
            &[("item_id", &door.to_string()), ("description", "联动门互锁失灵")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    app.advance_minutes(60);

    let second = attempt_beyond_limits(&mut county, unit).await;
    assert!(second["proposal"]["determination"]["exempt_all"].is_null(), "{}", second["proposal"]);
    assert!(second["investigation"].to_string().contains("案发时不达标"), "{}", second["investigation"]);
    assert!(lines(&second).iter().any(|l| !l["weight"].is_null()), "{}", second["proposal"]);
    // The broken door is retired. Read afresh, the ledger would no longer show it at the first case's time; the
    // first case keeps the investigation its determination was made from.
    let outlet_place = places.iter().find(|p| p["kind"] == "outlet").unwrap()["place_id"].clone();
    let r = web
        .post_form(
            &format!("/facilities/places/{outlet_place}/retire"),
            &[("item_id", &door.to_string()), ("note", "联动门损坏报废")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let first_id = first["id"].as_i64().unwrap();
    let again = detail(&mut county, first_id).await;
    assert_eq!(again["investigation"], first["investigation"]);
    assert!(again["proposal"].get("investigation").is_none_or(Value::is_null), "sent once: {}", again["proposal"]);
    let page = web.get(&format!("/cases/{first_id}")).await;
    assert!(page.body.contains("investigation-frozen") && !page.body.contains("案发时不达标"), "{}", page.body);
    // Sent back for more investigation, the case's facts are gathered afresh until it is proposed again.
    let r = county
        .json("POST", &format!("/api/v1/cases/{first_id}/send-back"), &json!({"reason": "补充调查设施情况"}))
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    let page = web.get(&format!("/cases/{first_id}")).await;
    assert!(page.body.contains("调查（第十条）") && !page.body.contains("investigation-frozen"), "{}", page.body);
    app.finish().await;
}

/// A training session at `unit` attended by `people`, recorded now or at `at` (local `YYYY-MM-DDTHH:MM`).
async fn record_training(c: &mut Client, unit: i64, people: &[i64], subject: &str, at: Option<String>) -> i64 {
    let mut body = json!({"kind": "training", "unit_id": unit, "number": 2, "text2": subject, "people": people});
    if let Some(at) = at {
        body["occurred_at"] = json!(at);
    }
    let r = c.json("POST", "/api/v1/records", &body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    r.json()["id"].as_i64().unwrap()
}

/// 第十条㈢: an insider's education is read from the records they took part in — a training they attended counts for
/// them and not for a colleague who stayed away.
#[tokio::test]
async fn an_insiders_training_is_found_among_the_sessions_they_attended() {
    let app = TestApp::demo().await;
    let mut county = app.api("qinghe.baowei").await;
    let unit = app.scalar("SELECT id FROM units WHERE name = '西关分社'").await;
    let attended = app.scalar(&format!("SELECT MIN(id) FROM staff WHERE unit_id = {unit}")).await;
    let absent = app.scalar(&format!("SELECT MAX(id) FROM staff WHERE unit_id = {unit}")).await;
    assert_ne!(attended, absent);
    let training = record_training(&mut county, unit, &[attended], "防范内部诈骗专题培训", None).await;
    // The colleague's training long before the look-back window does not count for this case.
    let long_ago = anbao_domain::period::date_of_day(anbao_domain::period::day_of_ms(app.now()) - 100);
    let long_ago_id =
        record_training(&mut county, unit, &[absent], "上年度培训", Some(format!("{long_ago}T10:00"))).await;
    // A session the same day at the outlet next door is not this outlet's record.
    let next_door = app.scalar("SELECT id FROM units WHERE name = '东街分社'").await;
    let neighbour = app.scalar(&format!("SELECT MIN(id) FROM staff WHERE unit_id = {next_door}")).await;
    let next_door_id = record_training(&mut county, next_door, &[neighbour], "消防培训", None).await;
    app.advance_minutes(60);
    let r = county
        .json(
            "POST",
            "/api/v1/cases",
            &json!({"kind": "fraud", "unit_id": unit, "place": "outlet", "insider": true, "people": [attended, absent],
                    "description": "员工伙同外部人员冒名贷款"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let case = r.json()["id"].as_i64().unwrap();
    // Nor does one held after the case.
    app.advance_minutes(60);
    record_training(&mut county, unit, &[absent], "案后警示教育", None).await;
    let d = detail(&mut county, case).await;
    let insider = d["investigation"].as_array().unwrap().iter().find(|s| s["code"] == "insider").cloned();
    let facts = insider.unwrap_or_else(|| panic!("{}", d["investigation"]))["facts"].as_array().unwrap().clone();
    let of = |link: String| facts.iter().filter(move |f| f["link"] == link.as_str()).count();
    assert_eq!(of(format!("/records/{training}")), 1, "{facts:?}");
    let bad: Vec<&Value> = facts.iter().filter(|f| f["bad"] == true).collect();
    assert_eq!(bad.len(), 1, "only the colleague who stayed away lacks education: {facts:?}");
    assert_eq!(bad[0]["link"], format!("/staff/{absent}"));
    // ㈡ lists the outlet's own records of the case day only.
    let conduct = d["investigation"].as_array().unwrap().iter().find(|s| s["code"] == "conduct").unwrap().to_string();
    assert!(conduct.contains(&format!("/records/{training}\"")), "{conduct}");
    assert!(!conduct.contains(&format!("/records/{long_ago_id}\"")), "{conduct}");
    assert!(!conduct.contains(&format!("/records/{next_door_id}\"")), "{conduct}");
    // The findings are kept as entered once: causes and violators once each, the notes' lines normalised.
    let r = county
        .json(
            "PUT",
            &format!("/api/v1/cases/{case}/findings"),
            &json!({"causes": ["c1", "c1"], "violators": [attended, attended], "notes": " 甲\r\n乙 "}),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    let f = &detail(&mut county, case).await["findings"];
    assert_eq!((&f["causes"], &f["violators"], &f["notes"]), (&json!(["c1"]), &json!([attended]), &json!("甲\n乙")));
    app.finish().await;
}
