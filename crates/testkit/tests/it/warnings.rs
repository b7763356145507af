//! Warning education end to end: a bulletin for the county's tellers reaches each of them once (their to-do, their
//! list), an acknowledgement counts once, the unread list equals a direct count, issuing writes the county's
//! `warning_education` evidence that TRN-5-a counts, and bad input writes nothing.
use anbao_testkit::TestApp;
use axum::http::StatusCode;
use serde_json::json;

const COUNTY: &str = "清河县农村信用合作联社";

async fn county(app: &TestApp) -> (i64, String) {
    use sqlx::Row;
    let mut c = app.db.read().await.unwrap();
    let r = sqlx::query("SELECT id, path FROM units WHERE name = $1").bind(COUNTY).fetch_one(&mut *c).await.unwrap();
    (r.get("id"), r.get("path"))
}

#[tokio::test]
async fn a_bulletin_reaches_its_posts_counts_each_read_once_and_its_unread_list_equals_a_direct_count() {
    let app = TestApp::demo().await;
    let (id, path) = county(&app).await;
    let mut sec = app.api("qinghe.baowei").await;
    let evidence =
        app.scalar(&format!("SELECT COUNT(*) FROM records WHERE kind = 'warning_education' AND unit_id = {id}")).await;
    let r = sec
        .json(
            "POST",
            "/api/v1/warnings",
            &json!({"unit_id": id, "title": "湖北某地持枪抢劫信用社案件通报",
            "body": "某日，歹徒持枪闯入营业网点抢劫。\n教训：营业期间防尾随门未锁闭。", "posts": ["teller"]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let w = r.json()["id"].as_i64().unwrap();
    assert_eq!(
        app.scalar(&format!("SELECT COUNT(*) FROM records WHERE kind = 'warning_education' AND unit_id = {id}")).await,
        evidence + 1
    );
    // The teller finds it on their to-do and in their list; the vault keeper (not a teller) does not.
    let mut t = app.api("chengguan.guiyuan").await;
    assert!(t.get("/api/v1/todo").await.body.contains("湖北某地持枪抢劫"), "on the teller's to-do");
    let mine = t.get("/api/v1/warnings").await.json();
    assert_eq!(mine["mine"][0]["id"].as_i64(), Some(w));
    let mut k = app.api("chengguan.guanku").await;
    let keeper_is_teller = app
        .scalar("SELECT COUNT(*) FROM staff s JOIN accounts a ON a.staff_id = s.id WHERE a.username = 'chengguan.guanku' AND s.positions LIKE '%,teller,%'")
        .await;
    if keeper_is_teller == 0 {
        assert_eq!(k.get(&format!("/api/v1/warnings/{w}")).await.status, StatusCode::NOT_FOUND);
        assert_eq!(
            k.json("POST", &format!("/api/v1/warnings/{w}/ack"), &json!({})).await.status,
            StatusCode::NOT_FOUND
        );
    }
    // Acknowledged twice: one read.
    for _ in 0..2 {
        assert_eq!(
            t.json("POST", &format!("/api/v1/warnings/{w}/ack"), &json!({})).await.status,
            StatusCode::NO_CONTENT
        );
    }
    assert_eq!(app.scalar(&format!("SELECT COUNT(*) FROM warning_reads WHERE warning_id = {w}")).await, 1);
    assert!(!t.get("/api/v1/todo").await.body.contains("湖北某地持枪抢劫"), "off the to-do once read");
    // The unread list equals a direct count of the county's active tellers without a read.
    let direct = app
        .scalar(&format!(
            "SELECT COUNT(*) FROM staff s JOIN units u ON u.id = s.unit_id WHERE s.active = 1 AND u.path LIKE '{path}%' \
             AND s.positions LIKE '%,teller,%' AND NOT EXISTS (SELECT 1 FROM warning_reads r WHERE r.warning_id = {w} AND r.staff_id = s.id)"
        ))
        .await;
    let v = sec.get(&format!("/api/v1/warnings/{w}")).await.json();
    assert_eq!(v["unread_total"].as_i64(), Some(direct));
    assert!(direct > 0);
    let tallies = v["tallies"].as_array().unwrap();
    let (rec, read): (i64, i64) = tallies
        .iter()
        .fold((0, 0), |(a, b), t| (a + t["recipients"].as_i64().unwrap(), b + t["read"].as_i64().unwrap()));
    assert_eq!((rec - read, read), (direct, 1));
    // The outlet head sees their outlet's figures only.
    let mut head = app.api("chengguan.zhuren").await;
    let hv = head.get(&format!("/api/v1/warnings/{w}")).await.json();
    assert!(hv["tallies"].as_array().unwrap().iter().all(|t| t["unit_name"] == "城关信用社营业部"), "{hv}");
    app.finish().await;
}

#[tokio::test]
async fn issued_bulletins_are_counted_by_trn_5_and_bad_input_writes_nothing() {
    let app = TestApp::demo().await;
    let (id, _) = county(&app).await;
    let mut sec = app.api("qinghe.baowei").await;
    let month = {
        let (y, m, _) = anbao_domain::period::ymd(anbao_domain::period::day_of_ms(app.now()));
        format!("{y:04}-{m:02}")
    };
    let have = |v: serde_json::Value| {
        v.as_array().unwrap().iter().find(|i| i["unit_id"] == id).map(|i| i["have"].as_i64().unwrap())
    };
    let q = format!("/api/v1/compliance/items?unit={id}&rule=TRN-5-a&month={month}");
    let before = have(sec.get(&q).await.json()).expect("TRN-5-a judges the county");
    let r = sec
        .json(
            "POST",
            "/api/v1/warnings",
            &json!({"unit_id": id, "title": "湖南某地持枪抢劫案件通报", "body": "案情与教训"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(have(sec.get(&q).await.json()), Some(before + 1));
    let n = app.count("warnings").await;
    let records = app.count("records").await;
    for bad in [
        json!({"unit_id": id, "title": "", "body": "x"}),
        json!({"unit_id": id, "title": "t", "body": ""}),
        json!({"unit_id": id, "title": "长".repeat(101), "body": "x"}),
        json!({"unit_id": id, "title": "t", "body": "x", "posts": ["astronaut"]}),
    ] {
        assert_eq!(sec.json("POST", "/api/v1/warnings", &bad).await.status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
    }
    // A case that is not closed cannot be the bulletin's source.
    let open_case = app.scalar("SELECT COALESCE(MIN(id), 0) FROM cases WHERE status <> 'closed'").await;
    if open_case > 0 {
        let r = sec
            .json("POST", "/api/v1/warnings", &json!({"unit_id": id, "title": "t", "body": "x", "case_id": open_case}))
            .await;
        assert!(matches!(r.status, StatusCode::UNPROCESSABLE_ENTITY | StatusCode::NOT_FOUND), "{}", r.body);
    }
    assert_eq!((app.count("warnings").await, app.count("records").await), (n, records));
    app.finish().await;
}
