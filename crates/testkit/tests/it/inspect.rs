//! Inspections and hazards: scores by hand, the full loop from failed items to closure, escalation with a set
//! clock, and the refusals (a deduction out of range, countersigning one's own inspection, verifying outside scope).
use anbao_testkit::{Client, DEMO_PIN, TestApp};
use axum::http::StatusCode;
use serde_json::{Value, json};

const OUTLET: &str = "城关信用社营业部";

async fn outlet(app: &TestApp) -> i64 {
    app.scalar(&format!("SELECT id FROM units WHERE name = '{OUTLET}'")).await
}

/// Start an inspection of the outlet as the county security head and answer every item: all pass but `fails`.
async fn inspect(app: &TestApp, web: &mut Client, fails: &[(&str, i64)]) -> i64 {
    let target = outlet(app).await.to_string();
    let r = web
        .post_form(
            "/inspections",
            &[("target_unit_id", &target), ("kind", "routine"), ("position", "security_officer")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let id: i64 = r.location().trim_start_matches("/inspections/").parse().unwrap();
    let codes: Vec<String> = {
        let body = web.get(&format!("/inspections/{id}")).await.body;
        body.match_indices("name=\"o_")
            .map(|(i, _)| body[i + 8..].split('"').next().unwrap_or_default().to_owned())
            .collect()
    };
    let mut fields: Vec<(String, String)> = Vec::new();
    for c in codes.iter().filter(|c| !c.is_empty()) {
        if !fields.iter().any(|(k, _)| k == &format!("o_{c}")) {
            let fail = fails.iter().find(|(f, _)| f == c);
            fields.push((format!("o_{c}"), if fail.is_some() { "fail" } else { "pass" }.into()));
            if let Some((_, d)) = fail {
                fields.push((format!("d_{c}"), d.to_string()));
                fields.push((format!("n_{c}"), "检查发现不符合要求".into()));
            }
        }
    }
    fields.push(("suggestions".into(), "加强值班管理".into()));
    let f: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let r = web.post_multipart(&format!("/inspections/{id}/save"), &f, &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    id
}

async fn sign(web: &mut Client, id: i64) -> anbao_testkit::Resp {
    web.post_multipart(&format!("/inspections/{id}/save"), &[("then", "sign")], &[]).await
}

#[tokio::test]
async fn a_full_loop_from_two_failed_items_to_one_closed_and_one_sent_back() {
    let app = TestApp::demo().await;
    let mut inspector = app.signed_in("qinghe.baowei").await;
    let id = inspect(&app, &mut inspector, &[("R5", 8), ("F1", 3)]).await;
    let r = sign(&mut inspector, id).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    // 100 - 8 - 3 = 89.0, and two hazards with their notices.
    assert_eq!(app.scalar(&format!("SELECT score_tenths FROM inspections WHERE id = {id}")).await, 890);
    assert_eq!(app.scalar(&format!("SELECT COUNT(*) FROM hazards WHERE inspection_id = {id}")).await, 2);
    let page = inspector.get(&format!("/inspections/{id}")).await.body;
    assert!(page.contains("隐患整改〔2026〕第0001号") && page.contains("隐患整改〔2026〕第0002号"), "{page}");
    // Signed, it cannot change.
    let r = inspector
        .post_multipart(&format!("/inspections/{id}/save"), &[("o_R1", "fail"), ("d_R1", "2"), ("n_R1", "x")], &[])
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    // The outlet head countersigns on the inspector's device; the inspector cannot sign for the outlet.
    let r = inspector
        .post_form(
            &format!("/inspections/{id}/countersign"),
            &[("confirm_username", "qinghe.baowei"), ("confirm_secret", DEMO_PIN)],
        )
        .await;
    assert!(r.body.contains("一个账号不能同时作为两个人确认"), "{}", r.body);
    let r = inspector
        .post_form(
            &format!("/inspections/{id}/countersign"),
            &[("confirm_username", "chengguan.zhuren"), ("confirm_secret", DEMO_PIN)],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    // It now counts as the security department's visit for the quotas.
    let visits = app
        .scalar(&format!(
            "SELECT COUNT(*) FROM records WHERE kind = 'inspection_visit' AND target_unit_id = {}",
            outlet(&app).await
        ))
        .await;
    assert_eq!(visits, 1);
    let notice = inspector.get("/hazards/1/notice").await;
    assert!(notice.body.contains("安全隐患整改通知书") && notice.body.contains(OUTLET), "{}", notice.body);
    // The outlet reports both rectified; the inspector passes one and sends the other back with reasons.
    let mut head = app.signed_in("chengguan.zhuren").await;
    let hazards: Vec<i64> = {
        let a = app.scalar(&format!("SELECT MIN(id) FROM hazards WHERE inspection_id = {id}")).await;
        vec![a, a + 1]
    };
    for h in &hazards {
        let r = head.post_form(&format!("/hazards/{h}/rectify"), &[("note", "已调整排班，补齐值班记录")]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    }
    // The outlet cannot verify its own rectification.
    let r = head.post_form(&format!("/hazards/{}/verify", hazards[0]), &[("pass", "1")]).await;
    assert_ne!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let r =
        inspector.post_form(&format!("/hazards/{}/verify", hazards[0]), &[("pass", "1"), ("note", "复查合格")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let r = inspector.post_form(&format!("/hazards/{}/verify", hazards[1]), &[("pass", "0"), ("note", "")]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let r = inspector
        .post_form(&format!("/hazards/{}/verify", hazards[1]), &[("pass", "0"), ("note", "报警器仍未联网")])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let status = |h: i64| {
        format!("SELECT CASE status WHEN 'closed' THEN 1 WHEN 'open' THEN 2 ELSE 3 END FROM hazards WHERE id = {h}")
    };
    assert_eq!((app.scalar(&status(hazards[0])).await, app.scalar(&status(hazards[1])).await), (1, 2));
    app.finish().await;
}

#[tokio::test]
async fn an_overdue_hazard_goes_to_the_deputy_then_the_board_with_a_set_clock() {
    let app = TestApp::demo().await;
    let mut inspector = app.signed_in("qinghe.baowei").await;
    let id = inspect(&app, &mut inspector, &[("R1", 6)]).await;
    assert_eq!(sign(&mut inspector, id).await.status, StatusCode::SEE_OTHER);
    let h = app.scalar(&format!("SELECT id FROM hazards WHERE inspection_id = {id}")).await;
    // Within the deadline (15 days by the checklist) nothing is escalated.
    anbao_app::reminders::run_once(&app.db, app.now()).await.unwrap();
    let esc = |k: &str| format!("SELECT COUNT(*) FROM messages WHERE dedupe_key = 'hazard-{k}-{h}'");
    assert_eq!(app.scalar(&esc("esc1")).await, 0);
    // Day 16: overdue, the security department (and any deputy in charge with an account) is told.
    app.advance_minutes(16 * 24 * 60);
    anbao_app::reminders::run_once(&app.db, app.now()).await.unwrap();
    assert!(app.scalar(&esc("esc1")).await >= 1);
    assert_eq!(app.scalar(&esc("esc2")).await, 0);
    let web = &mut app.api("baowei").await;
    let body = web.get(&format!("/api/v1/hazards/{h}")).await.json();
    assert_eq!(body["escalation"], 1, "{body}");
    // More than INSP-4's 7 days overdue: the board too (escalation level 2 on the hazard).
    app.advance_minutes(8 * 24 * 60);
    anbao_app::reminders::run_once(&app.db, app.now()).await.unwrap();
    let mut web = app.api("baowei").await;
    let body = web.get(&format!("/api/v1/hazards/{h}")).await.json();
    assert_eq!(body["escalation"], 2, "{body}");
    app.finish().await;
}

#[tokio::test]
async fn scores_follow_the_checklist_version_each_inspection_used() {
    let app = TestApp::demo().await;
    let mut inspector = app.signed_in("qinghe.baowei").await;
    let before = inspect(&app, &mut inspector, &[("R5", 8)]).await;
    assert_eq!(sign(&mut inspector, before).await.status, StatusCode::SEE_OTHER);
    // Mid-quarter the union moves 4 points from R5 to C2, effective tomorrow.
    let mut admin = app.signed_in("admin").await;
    let text = anbao_app::inspect::DEFAULT_CHECKLIST
        .replacen(
            "points = 8\nseverity = \"major\"\narticle = \"第三篇 第十二条",
            "points = 4\nseverity = \"major\"\narticle = \"第三篇 第十二条",
            1,
        )
        .replacen(
            "points = 6\nseverity = \"general\"\narticle = \"第四篇",
            "points = 10\nseverity = \"general\"\narticle = \"第四篇",
            1,
        );
    let r = admin.post_form("/checklist", &[("body", &text), ("effective_from", "2026-03-03")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    // A checklist that does not sum to 100 is refused.
    let broken = text.replacen("points = 10", "points = 11", 1);
    let r = admin.post_form("/checklist", &[("body", &broken), ("effective_from", "2026-03-03")]).await;
    assert!(r.body.contains("合计须为100分"), "{}", r.body);
    app.advance_minutes(24 * 60);
    let mut inspector = app.signed_in("qinghe.baowei").await;
    let after = inspect(&app, &mut inspector, &[("R5", 4), ("C2", 5)]).await;
    assert_eq!(sign(&mut inspector, after).await.status, StatusCode::SEE_OTHER);
    // By hand: v1 100 - 8 = 92.0; v2 100 - 4 - 5 = 91.0; the first keeps its score.
    let score = |id: i64| format!("SELECT score_tenths FROM inspections WHERE id = {id}");
    assert_eq!((app.scalar(&score(before)).await, app.scalar(&score(after)).await), (920, 910));
    // Deducting more than v2's 4 points for R5 is refused, and nothing changes.
    let third = inspect(&app, &mut inspector, &[]).await;
    let r = inspector
        .post_multipart(&format!("/inspections/{third}/save"), &[("o_R5", "fail"), ("d_R5", "5"), ("n_R5", "x")], &[])
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("1–4分"), "{}", r.body);
    assert_eq!(app.scalar(&score(third)).await, 1000);
    // A finding's note is one line of at most 200 characters: one more is refused and the stored results stay.
    let note = |n: usize| "门".repeat(n);
    let long = note(201);
    let r = inspector
        .post_multipart(&format!("/inspections/{third}/save"), &[("o_R5", "fail"), ("d_R5", "2"), ("n_R5", &long)], &[])
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("不能超过200个字"), "{}", r.body);
    assert_eq!(app.scalar(&score(third)).await, 1000);
    let mut api = app.api("qinghe.baowei").await;
    let r = api
        .json(
            "PUT",
            &format!("/api/v1/inspections/{third}/results"),
            &json!({"results": {"R5": {"outcome": "fail", "deduct": 2, "note": "值班\u{0007}记录"}}}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let at_limit = note(200);
    let r = api
        .json(
            "PUT",
            &format!("/api/v1/inspections/{third}/results"),
            &json!({"results": {"R5": {"outcome": "fail", "deduct": 2, "note": at_limit}}}),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    assert_eq!(app.scalar(&score(third)).await, 980);
    app.finish().await;
}

#[tokio::test]
async fn a_hazard_outside_ones_scope_cannot_be_seen_or_verified_and_a_case_closes_only_under_three_nots() {
    let app = TestApp::demo().await;
    let mut sec = app.api("qinghe.baowei").await;
    let target = outlet(&app).await;
    let r = sec
        .json(
            "POST",
            "/api/v1/hazards",
            &json!({"unit_id": target, "title": "营业室后门锁具损坏", "article": "第三篇 第四条",
            "severity": "major", "deadline": "2026-03-10", "case_ref": "2026-盗-01"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let h = r.json()["id"].as_i64().unwrap();
    // The head of the outlet next door does not see it at all.
    let mut other = app.api("dongjie.zhuren").await;
    assert_eq!(other.get(&format!("/api/v1/hazards/{h}")).await.status, StatusCode::NOT_FOUND);
    let r = other.json("POST", &format!("/api/v1/hazards/{h}/verify"), &json!({"pass": true})).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
    let mut head = app.api("chengguan.zhuren").await;
    let r = head.json("POST", &format!("/api/v1/hazards/{h}/rectify"), &json!({"note": "已更换锁具"})).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    // Tied to a case: closing needs the cause and the responsibility pursued.
    let r = sec.json("POST", &format!("/api/v1/hazards/{h}/verify"), &json!({"pass": true})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.json()["error"]["message"].as_str().unwrap_or_default().contains("三不放过"));
    let r = sec
        .json(
            "POST",
            &format!("/api/v1/hazards/{h}/verify"),
            &json!({"pass": true, "cause": "锁具老化未及时更换", "accountability": "对网点负责人通报批评"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    let body: Value = sec.get(&format!("/api/v1/hazards/{h}")).await.json();
    assert_eq!(body["status"], "closed");
    app.finish().await;
}

#[tokio::test]
async fn the_same_item_failing_again_is_flagged_and_a_bulletin_records_its_readers() {
    let app = TestApp::demo().await;
    let mut inspector = app.signed_in("qinghe.baowei").await;
    for _ in 0..2 {
        let id = inspect(&app, &mut inspector, &[("K2", 5)]).await;
        assert_eq!(sign(&mut inspector, id).await.status, StatusCode::SEE_OTHER);
    }
    let repeats = app.scalar("SELECT MAX(repeat_count) FROM hazards WHERE item_code = 'K2'").await;
    assert_eq!(repeats, 1);
    let page = inspector.get("/hazards?repeat=1").await.body;
    assert!(page.contains("屡犯"), "{page}");
    let county = app.scalar("SELECT id FROM units WHERE name = '清河县农村信用合作联社'").await.to_string();
    let h = app.scalar("SELECT MAX(id) FROM hazards").await.to_string();
    let r = inspector
        .post_form(
            "/bulletins",
            &[
                ("unit_id", &county),
                ("title", "关于金库内务问题的通报"),
                ("body", "近期检查发现金库堆放杂物，请各网点立即自查。"),
                ("hazard_ids", &h),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let b = r.location();
    let mut head = app.signed_in("chengguan.zhuren").await;
    assert!(head.get(&b).await.body.contains("金库堆放杂物"));
    let readers = inspector.get(&b).await.body;
    let head_name: String = {
        let mut c = app.db.read().await.unwrap();
        anbao_store::accounts::by_username(&mut c, "chengguan.zhuren").await.unwrap().unwrap().display_name
    };
    assert!(readers.contains(&head_name), "{head_name}: {readers}");
    assert_eq!(app.scalar("SELECT COUNT(*) FROM bulletin_reads").await, 2);
    app.finish().await;
}

#[tokio::test]
async fn night_phone_checks_and_cctv_spot_checks_are_quick_records_against_the_unit_checked() {
    let app = TestApp::demo().await;
    let mut sec = app.api("qinghe.baowei").await;
    let county = app.scalar("SELECT id FROM units WHERE name = '清河县农村信用合作联社'").await;
    let me = app.scalar("SELECT staff_id FROM accounts WHERE username = 'qinghe.baowei'").await;
    let target = outlet(&app).await;
    let call = |result: &str| {
        json!({"kind": "phone_check", "unit_id": county, "target_unit_id": target, "performer_id": me,
            "text2": "吕国", "result": result})
    };
    let r = sec.json("POST", "/api/v1/records", &call("no_answer")).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let r = sec.json("POST", "/api/v1/records", &call("maybe")).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let spot = json!({"kind": "cctv_spot_check", "unit_id": county, "target_unit_id": target, "performer_id": me});
    let r = sec.json("POST", "/api/v1/records", &spot).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "a spot check needs what it found: {}", r.body);
    let mut spot = spot;
    spot["text"] = "抽查上午录像，柜员离柜未退出系统一次".into();
    assert_eq!(sec.json("POST", "/api/v1/records", &spot).await.status, StatusCode::CREATED);
    let n = app.scalar(&format!("SELECT COUNT(*) FROM records WHERE kind IN ('phone_check', 'cctv_spot_check') AND target_unit_id = {target}")).await;
    assert_eq!(n, 2);
    app.finish().await;
}
