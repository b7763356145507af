//! Exams end to end on the demo: a paper drawn twice for one person does not repeat questions while the bank has
//! others; marking equals a hand computation from the keys; a pass writes the `exam_pass` evidence and TRN-4-a
//! judges it; a paper asking more than the bank holds, an answer after the time limit and an out-of-range mark are
//! refused and write nothing.
use anbao_testkit::TestApp;
use axum::http::StatusCode;
use serde_json::{Value, json};
use std::collections::{BTreeMap, HashSet};

const COUNTY: &str = "清河县农村信用合作联社";
const SETTER: &str = "qinghe.baowei";
const TELLER: &str = "chengguan.guiyuan";

async fn unit(app: &TestApp, name: &str) -> i64 {
    app.scalar(&format!("SELECT id FROM units WHERE name = '{name}'")).await
}

fn at(ms: i64) -> String {
    anbao_domain::time::rfc3339_ms(ms)
}

/// A paper for the county's tellers.
async fn set_paper(app: &TestApp, rule: &str, limit: i64, pass_pct: i64) -> (StatusCode, Value) {
    let county = unit(app, COUNTY).await;
    let mut c = app.api(SETTER).await;
    let r = c
        .json(
            "POST",
            "/api/v1/exams/papers",
            &json!({"unit_id": county, "title": "2026年安全保卫知识考试", "rule": rule, "posts": ["teller"],
                "opens_at": at(app.now() - 60_000), "closes_at": at(app.now() + 10 * 86_400_000),
                "limit_minutes": limit, "pass_pct": pass_pct, "max_attempts": 3, "retake_days": 7}),
        )
        .await;
    let body = if r.status.is_success() { r.json() } else { json!({"error": r.body}) };
    (r.status, body)
}

async fn start(app: &TestApp, user: &str, paper: i64) -> (StatusCode, Value) {
    let mut c = app.api(user).await;
    let r = c.json("POST", &format!("/api/v1/exams/papers/{paper}/sittings"), &json!({})).await;
    let body = if r.status.is_success() { r.json() } else { json!({"error": r.body}) };
    (r.status, body)
}

/// The sitting as the security department sees it: with the keys.
async fn keyed(app: &TestApp, sitting: i64) -> Value {
    let mut c = app.api(SETTER).await;
    let r = c.get(&format!("/api/v1/exams/sittings/{sitting}")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    r.json()
}

async fn submit(app: &TestApp, user: &str, sitting: i64, answers: &BTreeMap<i64, String>) -> (StatusCode, Value) {
    let mut c = app.api(user).await;
    let r = c.json("POST", &format!("/api/v1/exams/sittings/{sitting}/submit"), &json!({ "answers": answers })).await;
    let body = if r.status.is_success() { r.json() } else { json!({"error": r.body}) };
    (r.status, body)
}

fn wrong(kind: &str, key: &str) -> String {
    match kind {
        "single" => if key == "A" { "B" } else { "A" }.into(),
        "multiple" => "A".into(),
        "truefalse" => if key == "true" { "false" } else { "true" }.into(),
        _ => "不知道".into(),
    }
}

/// How many questions of a type the bank offers a person holding `post` (for everyone, or for that post).
async fn pool(app: &TestApp, kind: &str, post: &str) -> i64 {
    app.scalar(&format!(
        "SELECT COUNT(*) FROM exam_questions WHERE active = 1 AND kind = '{kind}' AND (posts = ',' OR posts = '' OR posts LIKE '%,{post},%')"
    ))
    .await
}

#[tokio::test]
async fn the_shipped_bank_starts_with_the_seeds_exam() {
    let app = TestApp::demo().await;
    // 第五篇 has questions 1–5 and 7–12 (no 6): eleven short answers with their model answers.
    assert_eq!(app.scalar("SELECT COUNT(*) FROM exam_questions WHERE origin = 'seed' AND kind = 'short'").await, 11);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM exam_questions WHERE code = 'S5-06'").await, 0);
    let mut c = app.api(SETTER).await;
    let r = c.get("/api/v1/exams/questions?kind=short").await;
    assert_eq!(r.status, StatusCode::OK);
    let q1 = r.json().as_array().unwrap().iter().find(|q| q["code"] == "S5-01").cloned().unwrap();
    assert!(q1["answer"].as_str().unwrap().contains("先记账,后加钞"), "{q1}");
    assert_eq!(q1["article"], "第五篇 第1题");
    // A teller may not read the bank: it holds the answers.
    let mut t = app.api(TELLER).await;
    assert_eq!(t.get("/api/v1/exams/questions").await.status, StatusCode::FORBIDDEN);
    app.finish().await;
}

#[tokio::test]
async fn a_paper_drawn_twice_for_one_person_does_not_repeat_questions_while_the_bank_has_others() {
    let app = TestApp::demo().await;
    let n = pool(&app, "single", "teller").await;
    assert!(n >= 4, "the bank offers a teller {n} single-choice questions");
    let per = n / 2;
    let (st, paper) = set_paper(&app, &format!("single:{per}"), 30, 100).await;
    assert_eq!(st, StatusCode::CREATED, "{paper}");
    let paper = paper["id"].as_i64().unwrap();
    let mut seen: Vec<HashSet<i64>> = Vec::new();
    for _ in 0..2 {
        let (st, s) = start(&app, TELLER, paper).await;
        assert_eq!(st, StatusCode::CREATED, "{s}");
        let sid = s["id"].as_i64().unwrap();
        let v = keyed(&app, sid).await;
        let items = v["items"].as_array().unwrap();
        assert_eq!(items.len() as i64, per);
        seen.push(items.iter().map(|i| i["question"]["id"].as_i64().unwrap()).collect());
        // Everything wrong: a fail, so a retake is allowed.
        let answers: BTreeMap<i64, String> = items
            .iter()
            .map(|i| (i["seq"].as_i64().unwrap(), wrong("single", i["question"]["answer"].as_str().unwrap())))
            .collect();
        let (st, b) = submit(&app, TELLER, sid, &answers).await;
        assert_eq!((st, b["status"].as_str()), (StatusCode::OK, Some("marked")), "{b}");
        app.advance_minutes(5);
    }
    assert_eq!(seen[0].len() as i64, per);
    assert!(seen[0].is_disjoint(&seen[1]), "the second draw repeated questions: {seen:?}");
    // The third attempt must repeat some (the bank has n, two draws took 2 × n/2), and still draws a whole paper.
    let (st, s) = start(&app, TELLER, paper).await;
    assert_eq!(st, StatusCode::CREATED, "{s}");
    app.finish().await;
}

#[tokio::test]
async fn marking_equals_a_hand_computation_and_a_pass_is_evidence_the_rule_judges() {
    let app = TestApp::demo().await;
    let (st, paper) = set_paper(&app, "single:3, multiple:2, truefalse:2, fill:2, short:1", 40, 60).await;
    assert_eq!(st, StatusCode::CREATED, "{paper}");
    let paper = paper["id"].as_i64().unwrap();
    let (st, s) = start(&app, TELLER, paper).await;
    assert_eq!(st, StatusCode::CREATED, "{s}");
    let sid = s["id"].as_i64().unwrap();
    // The candidate does not see the keys while the sitting is open.
    let mut t = app.api(TELLER).await;
    let own = t.get(&format!("/api/v1/exams/sittings/{sid}")).await.json();
    assert!(own["items"].as_array().unwrap().iter().all(|i| i["question"]["answer"] == ""), "{own}");
    let v = keyed(&app, sid).await;
    let items = v["items"].as_array().unwrap();
    assert_eq!(items.len(), 10);
    // Right on every other question, wrong on the rest; the short answer is written out.
    let mut answers = BTreeMap::new();
    let mut expected = 0;
    let mut max = 0;
    let mut short_seq = 0;
    let mut short_marks = 0;
    for (k, i) in items.iter().enumerate() {
        let seq = i["seq"].as_i64().unwrap();
        let q = &i["question"];
        let (kind, key, marks) =
            (q["kind"].as_str().unwrap(), q["answer"].as_str().unwrap(), q["marks"].as_i64().unwrap());
        max += marks;
        if kind == "short" {
            short_seq = seq;
            short_marks = marks;
            answers.insert(seq, "双人会同，先记账后加钞，全程录像。".to_owned());
            continue;
        }
        if k % 2 == 0 {
            let right = if kind == "fill" { key.split('|').next().unwrap().to_owned() } else { key.to_lowercase() };
            answers.insert(seq, right);
            expected += marks;
        } else {
            answers.insert(seq, wrong(kind, key));
        }
    }
    let (st, b) = submit(&app, TELLER, sid, &answers).await;
    assert_eq!((st, b["status"].as_str()), (StatusCode::OK, Some("submitted")), "{b}");
    assert_eq!(
        app.scalar(&format!(
            "SELECT CAST(COALESCE(SUM(awarded), 0) AS BIGINT) FROM exam_answers WHERE sitting_id = {sid}"
        ))
        .await,
        expected
    );
    // A second hand-in is refused.
    let (st, _) = submit(&app, TELLER, sid, &answers).await;
    assert_eq!(st, StatusCode::CONFLICT);
    // The candidate cannot mark their own; a mark beyond the question's is refused and writes nothing.
    let mut cand = app.api(TELLER).await;
    let r = cand
        .json("POST", &format!("/api/v1/exams/sittings/{sid}/mark"), &json!({"awards": {short_seq.to_string(): 1}}))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let mut m = app.api(SETTER).await;
    let r = m
        .json(
            "POST",
            &format!("/api/v1/exams/sittings/{sid}/mark"),
            &json!({"awards": {short_seq.to_string(): short_marks + 1}}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(
        app.scalar(&format!("SELECT COUNT(*) FROM exam_answers WHERE sitting_id = {sid} AND awarded IS NULL")).await,
        1
    );
    // Full marks for the short answer: the score is the hand sum, and the pass follows the pass mark.
    let records_before = app.scalar("SELECT COUNT(*) FROM records WHERE kind = 'exam_pass'").await;
    let r = m
        .json(
            "POST",
            &format!("/api/v1/exams/sittings/{sid}/mark"),
            &json!({"awards": {short_seq.to_string(): short_marks}}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let total = expected + short_marks;
    let pass = total * 100 >= 60 * max;
    assert_eq!(r.json()["score"].as_i64(), Some(total));
    assert_eq!(r.json()["passed"].as_bool(), Some(pass));
    let written = app.scalar("SELECT COUNT(*) FROM records WHERE kind = 'exam_pass'").await - records_before;
    assert_eq!(written, i64::from(pass));
    // The results per question count the sitting's right answers.
    let res = m.get(&format!("/api/v1/exams/papers/{paper}/results")).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    let qs = res.json()["questions"].as_array().unwrap().clone();
    assert_eq!(qs.len(), 10);
    let right: i64 = qs.iter().map(|q| q["right"].as_i64().unwrap()).sum();
    let direct = app
        .scalar(&format!("SELECT COUNT(*) FROM exam_answers WHERE sitting_id = {sid} AND awarded = marks_max"))
        .await;
    assert_eq!(right, direct);
    assert!(qs.iter().all(|q| q["unmarked"] == 0));
    app.finish().await;
}

#[tokio::test]
async fn a_pass_writes_the_evidence_and_trn_4_judges_the_person_from_it() {
    let app = TestApp::demo().await;
    let (st, paper) = set_paper(&app, "single:3", 30, 60).await;
    assert_eq!(st, StatusCode::CREATED, "{paper}");
    let paper = paper["id"].as_i64().unwrap();
    let staff = app.scalar(&format!("SELECT staff_id FROM accounts WHERE username = '{TELLER}'")).await;
    // The teller holds a key post for the rule to be about them.
    app.exec(&format!("UPDATE staff SET key_position = 1 WHERE id = {staff}")).await;
    let outlet = app.scalar(&format!("SELECT unit_id FROM staff WHERE id = {staff}")).await;
    let name: String = {
        use sqlx::Row;
        let mut c = app.db.read().await.expect("conn");
        sqlx::query("SELECT name FROM staff WHERE id = $1").bind(staff).fetch_one(&mut *c).await.unwrap().get("name")
    };
    let item = |v: &Value| -> Value {
        v.as_array().unwrap().iter().find(|i| i["person"] == name.as_str()).cloned().unwrap_or(Value::Null)
    };
    let month = {
        let (y, m, _) = anbao_domain::period::ymd(anbao_domain::period::day_of_ms(app.now()));
        format!("{y:04}-{m:02}")
    };
    let mut sec = app.api(SETTER).await;
    let q = format!("/api/v1/compliance/items?unit={outlet}&rule=TRN-4-a&month={month}");
    let before = item(&sec.get(&q).await.json());
    assert!(before.is_object() && before["status"] != "met", "{before}");
    let (_, s) = start(&app, TELLER, paper).await;
    let sid = s["id"].as_i64().unwrap();
    let v = keyed(&app, sid).await;
    let answers: BTreeMap<i64, String> = v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| (i["seq"].as_i64().unwrap(), i["question"]["answer"].as_str().unwrap().to_owned()))
        .collect();
    let (st, b) = submit(&app, TELLER, sid, &answers).await;
    assert_eq!((st, b["status"].as_str()), (StatusCode::OK, Some("marked")), "{b}");
    assert_eq!(
        app.scalar(&format!("SELECT COUNT(*) FROM records WHERE kind = 'exam_pass' AND subject_staff_id = {staff}"))
            .await,
        1
    );
    let after = item(&sec.get(&q).await.json());
    assert_eq!(after["status"], "met", "{after}");
    app.finish().await;
}

#[tokio::test]
async fn bad_exam_input_is_refused_and_writes_nothing() {
    let app = TestApp::demo().await;
    let papers = app.count("exam_papers").await;
    // More questions than the bank holds for a teller.
    let have = pool(&app, "short", "teller").await;
    let (st, b) = set_paper(&app, &format!("short:{}", have + 1), 30, 60).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    assert!(b["error"].as_str().unwrap().contains(&format!("只有{have}道")), "{b}");
    for rule in ["", "essay:2", "single:0", "single:500"] {
        let (st, _) = set_paper(&app, rule, 30, 60).await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{rule}");
    }
    let (st, _) = set_paper(&app, "single:2", 1000, 60).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(app.count("exam_papers").await, papers);
    // A teller cannot set a paper for their own outlet, and does not see the county.
    let outlet = app
        .scalar(&format!(
            "SELECT s.unit_id FROM staff s JOIN accounts a ON a.staff_id = s.id WHERE a.username = '{TELLER}'"
        ))
        .await;
    let mut t = app.api(TELLER).await;
    let r = t
        .json("POST", "/api/v1/exams/papers", &json!({"unit_id": outlet, "title": "x", "rule": "single:1", "opens_at": at(app.now()),
            "closes_at": at(app.now() + 86_400_000), "limit_minutes": 30, "pass_pct": 60, "max_attempts": 1, "retake_days": 0}))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // An answer after the time limit: refused, nothing kept, the sitting still open (and then out of time).
    let (_, paper) = set_paper(&app, "single:2", 10, 60).await;
    let (_, s) = start(&app, TELLER, paper["id"].as_i64().unwrap()).await;
    let sid = s["id"].as_i64().unwrap();
    app.advance_minutes(11);
    let (st, b) = submit(&app, TELLER, sid, &BTreeMap::from([(1, "A".to_owned())])).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    assert!(b["error"].as_str().unwrap().contains("超过考试时限"), "{b}");
    assert_eq!(
        app.scalar(&format!("SELECT COUNT(*) FROM exam_answers WHERE sitting_id = {sid} AND given IS NOT NULL")).await,
        0
    );
    assert_eq!(
        app.scalar(&format!("SELECT COUNT(*) FROM exam_sittings WHERE id = {sid} AND status = 'open'")).await,
        1
    );
    // An answer to a question the paper does not have, and an overlong one.
    let (_, s2) = start(&app, TELLER, paper["id"].as_i64().unwrap()).await;
    let sid2 = s2["id"].as_i64().unwrap();
    let (st, _) = submit(&app, TELLER, sid2, &BTreeMap::from([(99, "A".to_owned())])).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    let (st, _) = submit(&app, TELLER, sid2, &BTreeMap::from([(1, "A".repeat(2001))])).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    // Someone else cannot hand in the teller's sitting.
    let (st, _) = submit(&app, "chengguan.guanku", sid2, &BTreeMap::from([(1, "A".to_owned())])).await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    assert_eq!(
        app.scalar(&format!("SELECT COUNT(*) FROM exam_answers WHERE sitting_id = {sid2} AND given IS NOT NULL")).await,
        0
    );
    app.finish().await;
}

#[tokio::test]
async fn the_bank_round_trips_through_excel_and_a_bad_row_imports_nothing() {
    let app = TestApp::demo().await;
    let mut web = app.signed_in("baowei").await;
    let export = web.get("/exams/bank/export.xlsx").await;
    assert_eq!(export.status, StatusCode::OK);
    let n = app.count("exam_questions").await;
    // The export imports back as corrections of every question, changing nothing.
    let mut api = app.api("baowei").await;
    let r = api.post_xlsx("/api/v1/exams/questions/import", export.bytes.clone()).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!((r.json()["added"].as_i64(), r.json()["corrected"].as_i64()), (Some(0), Some(n)));
    assert_eq!(app.count("exam_questions").await, n);
    let headers = &anbao_app::exam::DEFAULT_COLUMNS;
    let row = |code: &str, kind: &str, options: &str, answer: &str| {
        vec![
            code.into(),
            kind.into(),
            "临柜人员".into(),
            "第三篇 第十条".into(),
            "1".into(),
            "2".into(),
            "营业期间防尾随门须锁闭。".into(),
            options.into(),
            answer.into(),
            "counter".into(),
        ]
    };
    let bad = anbao_app::export::xlsx(
        "题库",
        headers,
        &[row("X-1", "判断题", "", "对"), row("X-2", "单选题", "A. 是\nB. 否", "E")],
    )
    .unwrap();
    let r = api.post_xlsx("/api/v1/exams/questions/import", bad).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let errors = r.json()["errors"].clone();
    assert_eq!(errors[0]["row"].as_i64(), Some(3), "{errors}");
    assert!(errors[0]["message"].as_str().unwrap().contains("单选题的答案"), "{errors}");
    assert_eq!(app.count("exam_questions").await, n, "nothing written");
    let good = anbao_app::export::xlsx(
        "题库",
        headers,
        &[row("X-1", "判断题", "", "对"), row("X-2", "单选题", "A. 是\nB. 否", "A")],
    )
    .unwrap();
    let r = api.post_xlsx("/api/v1/exams/questions/import", good).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["added"].as_i64(), Some(2));
    assert_eq!(app.count("exam_questions").await, n + 2);
    assert_eq!(
        app.scalar(
            "SELECT COUNT(*) FROM exam_questions WHERE code = 'X-2' AND options LIKE '%否%' AND posts = ',teller,'"
        )
        .await,
        1
    );
    // A wrong header, and someone without the rulebook over the whole tree.
    let wrong = anbao_app::export::xlsx("题库", &["题目", "答案"], &[vec!["x".into(), "y".into()]]).unwrap();
    assert_eq!(api.post_xlsx("/api/v1/exams/questions/import", wrong).await.status, StatusCode::UNPROCESSABLE_ENTITY);
    let mut county = app.api(SETTER).await;
    assert_eq!(county.post_xlsx("/api/v1/exams/questions/import", export.bytes).await.status, StatusCode::FORBIDDEN);
    app.finish().await;
}
