//! Drills tied to plans (TRN-1): a drill names the emergency plan it rehearses and keeps the steps rehearsed, checked
//! against the plan book; its image evidence may be photos, MP4 video and PDF scans, each checked by content and
//! size, and a 200 MB video is refused with the limits and writes nothing.
use anbao_testkit::TestApp;
use axum::http::StatusCode;
use serde_json::json;

const OUTLET: &str = "城关信用社营业部";

async fn people(app: &TestApp) -> (i64, i64) {
    let outlet = app.scalar(&format!("SELECT id FROM units WHERE name = '{OUTLET}'")).await;
    let teller = app.scalar("SELECT staff_id FROM accounts WHERE username = 'chengguan.guiyuan'").await;
    (outlet, teller)
}

#[tokio::test]
async fn a_drill_names_its_plan_and_the_steps_rehearsed() {
    let app = TestApp::demo().await;
    let (outlet, teller) = people(&app).await;
    let mut c = app.api("chengguan.zhuren").await;
    let drill = |plan: &str, steps: serde_json::Value| {
        json!({"kind": "drill", "unit_id": outlet, "subkind": "fire", "people": [teller], "text": "营业期间火灾处置演练方案",
            "text2": "主任指挥，临柜人员转移现金", "plan": plan, "plan_steps": steps})
    };
    let r = c.json("POST", "/api/v1/records", &drill("fire_business_hours", json!([1, 2, 3]))).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let id = r.json()["id"].as_i64().unwrap();
    let got = c.get(&format!("/api/v1/records/{id}")).await.json();
    let data: serde_json::Value = match &got["data"] {
        serde_json::Value::String(s) => serde_json::from_str(s).unwrap(),
        v => v.clone(),
    };
    assert_eq!(data["plan_code"], "fire_business_hours", "{got}");
    assert_eq!(data["plan_steps"], json!([1, 2, 3]));
    let n = app.count("records").await;
    for (plan, steps, word) in [
        ("no_such_plan", json!([1]), "应急预案库中没有"),
        ("fire_business_hours", json!([99]), "演练步骤编号不正确"),
        ("fire_business_hours", json!([9]), "只有8个步骤"),
    ] {
        let r = c.json("POST", "/api/v1/records", &drill(plan, steps)).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{plan}: {}", r.body);
        assert!(r.body.contains(word), "{plan}: {}", r.body);
    }
    assert_eq!(app.count("records").await, n);
    // The drill form opened from the plan offers the plan's steps.
    let mut w = app.signed_in("chengguan.zhuren").await;
    let f = w.get("/records/new?kind=drill&plan=fire_business_hours").await;
    assert!(f.body.contains("name=\"plan_steps\"") && f.body.contains("切断电源") && f.body.contains("video/mp4"));
    app.finish().await;
}

#[tokio::test]
async fn a_drill_keeps_video_and_scans_and_a_200_mb_video_is_refused_with_the_limits() {
    let app = TestApp::demo().await;
    let (outlet, teller) = people(&app).await;
    let mut w = app.signed_in("chengguan.zhuren").await;
    let (o, t) = (outlet.to_string(), teller.to_string());
    let fields = [
        ("kind", "drill"),
        ("unit_id", o.as_str()),
        ("subkind", "emergency"),
        ("people", t.as_str()),
        ("text", "防抢演练方案"),
        ("text2", "部署"),
        ("plan", "counter_threat"),
    ];
    let mut mp4 = b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2mp41".to_vec();
    mp4.resize(2 * 1024 * 1024, 0);
    let pdf: &[u8] = b"%PDF-1.4\n%drill scheme\n%%EOF\n";
    let attachments = app.count("attachments").await;
    let r =
        w.post_multipart("/records", &fields, &[("photos", "drill.mp4", &mp4), ("photos", "scheme.pdf", pdf)]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(app.count("attachments").await, attachments + 2);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM attachments WHERE content_type = 'video/mp4'").await, 1);
    // A file that only claims to be a video, and a 51 MB video: refused by content and by size.
    let records = app.count("records").await;
    let fake = b"MZ\x90\x00 this is a program".to_vec();
    let r = w.post_multipart("/records", &fields, &[("photos", "drill.mp4", &fake)]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("不是图片、PDF或MP4视频"), "{}", r.body);
    let mut big = mp4.clone();
    big.resize(51 * 1024 * 1024, 0);
    let r = w.post_multipart("/records", &fields, &[("photos", "long.mp4", &big)]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("单个视频不能超过50MB"), "{}", r.body);
    drop(big);
    // 200 MB: the route's limit stops it before it is read whole.
    let mut huge = mp4;
    huge.resize(200 * 1024 * 1024, 0);
    let r = w.post_multipart("/records", &fields, &[("photos", "huge.mp4", &huge)]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", &r.body[..r.body.len().min(300)]);
    assert!(r.body.contains("上传内容过大"), "{}", &r.body[..r.body.len().min(300)]);
    assert_eq!((app.count("records").await, app.count("attachments").await), (records, attachments + 2));
    // Other kinds still take photos only.
    let fields = [
        ("kind", "meeting"),
        ("unit_id", o.as_str()),
        ("subkind", "monthly"),
        ("people", t.as_str()),
        ("text", "纪要"),
    ];
    let r = w.post_multipart("/records", &fields, &[("photos", "minutes.pdf", pdf)]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    app.finish().await;
}
