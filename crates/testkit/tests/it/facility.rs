//! The facilities ledger: statistics equal a direct count of the ledger, an import with bad rows changes nothing
//! and names them, an installation is payable only after acceptance, and repairs go through the security department.
use anbao_testkit::{Client, TestApp};
use axum::http::StatusCode;
use serde_json::{Value, json};

async fn province(app: &TestApp) -> i64 {
    app.scalar("SELECT id FROM units WHERE parent_id IS NULL").await
}

/// Places of `place_kind` whose working, unexpired items of `kind` number fewer than `min`, counted in SQL.
async fn direct(app: &TestApp, place_kind: &str, kind: &str, min: i64, today: i64) -> i64 {
    app.scalar(&format!(
        "SELECT COUNT(*) FROM places p WHERE p.kind = '{place_kind}' AND COALESCE((SELECT SUM(i.count) FROM facility_items i \
         WHERE i.place_id = p.id AND i.kind = '{kind}' AND i.status = 'working' AND (i.expires_day IS NULL OR i.expires_day >= {today})), 0) < {min}"
    ))
    .await
}

#[tokio::test]
async fn the_province_statistics_equal_a_direct_count_of_the_ledger() {
    let app = TestApp::demo().await;
    let mut api = app.api("baowei").await;
    let today = anbao_domain::period::day_of_ms(app.now());
    let body: Value = api.get(&format!("/api/v1/facilities/gaps?unit={}", province(&app).await)).await.json();
    let reported = |place: &str, kind: &str| {
        body["lacking"]
            .as_array()
            .and_then(|a| a.iter().find(|x| x["place_kind"] == place && x["facility_kind"] == kind))
            .map_or(0, |x| x["places"].as_i64().unwrap_or(0))
    };
    for (place, kind, min) in [
        ("outlet", "bulletproof_glass", 1),
        ("outlet", "interlock_door", 1),
        ("outlet", "cctv", 1),
        ("outlet", "extinguisher", 2),
        ("vault", "vibration_alarm", 1),
        ("vault", "cctv", 1),
        // 篇二 (三)4 "给所有营业网点配足保安"; 第四篇 一、(3) 签订联防协议: ledger items that expire.
        ("outlet", "security_guard", 1),
        ("outlet", "mutual_defence", 1),
    ] {
        let n = direct(&app, place, kind, min, today).await;
        assert_eq!(reported(place, kind), n, "{place} {kind}");
        assert!(n > 0 || kind == "cctv", "the demo has gaps of {kind}");
    }
    // An outlet whose guard contract ran out lacks guards; a new contract in the ledger closes the gap.
    let lapsed = app
        .scalar(&format!(
            "SELECT p.id FROM places p WHERE p.kind = 'outlet' AND EXISTS (SELECT 1 FROM facility_items i WHERE i.place_id = p.id              AND i.kind = 'security_guard' AND i.expires_day < {today}) ORDER BY p.id LIMIT 1"
        ))
        .await;
    let before = reported("outlet", "security_guard");
    let item = json!({"place_id": lapsed, "kind": "security_guard", "model": "保安服务合同（续签）", "count": 1,
        "supplier": "县保安服务公司", "installed": anbao_domain::period::date_of_day(today).to_string(),
        "expires": anbao_domain::period::date_of_day(today + 365).to_string()});
    let r = api.json("POST", "/api/v1/facilities/items", &item).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let after: Value = api.get(&format!("/api/v1/facilities/gaps?unit={}", province(&app).await)).await.json();
    let guards = after["lacking"]
        .as_array()
        .and_then(|a| a.iter().find(|x| x["place_kind"] == "outlet" && x["facility_kind"] == "security_guard"))
        .map_or(0, |x| x["places"].as_i64().unwrap_or(0));
    assert_eq!(guards, before - 1);
    // A vault's camera reported faulty no longer counts: the vault becomes substandard for CCTV.
    let faulty = app.scalar("SELECT COUNT(*) FROM facility_items WHERE status = 'faulty'").await;
    assert_eq!(faulty, 1);
    assert_eq!(reported("vault", "cctv"), direct(&app, "vault", "cctv", 1, today).await);
    assert!(reported("vault", "cctv") >= 1);
    app.finish().await;
}

fn workbook(rows: &[[String; 8]]) -> Vec<u8> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    for (c, h) in anbao_app::facility::IMPORT_COLUMNS.iter().enumerate() {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            if c == 4 && v.parse::<f64>().is_ok() {
                ws.write_number(r as u32 + 1, c as u16, v.parse::<f64>().unwrap()).unwrap();
            } else {
                ws.write_string(r as u32 + 1, c as u16, v).unwrap();
            }
        }
    }
    wb.save_to_buffer().unwrap()
}

async fn upload(c: &mut Client, bytes: Vec<u8>, commit: bool) -> anbao_testkit::Resp {
    c.post_xlsx(&format!("/api/v1/facilities/import?commit={commit}"), bytes).await
}

#[tokio::test]
async fn an_excel_ledger_with_three_bad_rows_among_200_is_refused_whole_and_imports_once_fixed() {
    let app = TestApp::demo().await;
    let mut api = app.api("qinghe.baowei").await;
    let places: Vec<(String, String)> = {
        use sqlx::Row;
        let mut c = app.db.read().await.unwrap();
        sqlx::query(
            "SELECT u.name AS unit, p.name AS place FROM places p JOIN units u ON u.id = p.unit_id \
             WHERE u.path LIKE (SELECT path FROM units WHERE name = '清河县农村信用合作联社') || '%' AND p.kind = 'outlet' ORDER BY p.id",
        )
        .fetch_all(&mut *c)
        .await
        .unwrap()
        .iter()
        .map(|r| (r.get("unit"), r.get("place")))
        .collect()
    };
    let mut rows: Vec<[String; 8]> = (0..200)
        .map(|i| {
            let (u, p) = &places[i % places.len()];
            [
                u.clone(),
                p.clone(),
                "灭火器".into(),
                "MFZ/ABC4".into(),
                "2".into(),
                "消防器材公司".into(),
                "2026-01-15".into(),
                String::new(),
            ]
        })
        .collect();
    rows[17][2] = "隐形斗篷".into();
    rows[88][4] = "两个".into();
    rows[150][6] = "去年春天".into();
    let before = app.count("facility_items").await;
    let r = upload(&mut api, workbook(&rows), true).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let body = r.json();
    let bad: Vec<i64> = body["errors"].as_array().unwrap().iter().map(|e| e["row"].as_i64().unwrap()).collect();
    assert_eq!(bad, vec![19, 90, 152], "{body}");
    assert!(body["errors"][0]["message"].as_str().unwrap().contains("隐形斗篷"));
    assert_eq!(app.count("facility_items").await, before);
    rows[17][2] = "灭火器".into();
    rows[88][4] = "2".into();
    rows[150][6] = "2026-02-01".into();
    // A preview of the good file imports nothing; the commit imports all 200.
    let r = upload(&mut api, workbook(&rows), false).await;
    assert_eq!((r.status, r.json()["imported"].as_i64()), (StatusCode::OK, Some(0)));
    assert_eq!(app.count("facility_items").await, before);
    let r = upload(&mut api, workbook(&rows), true).await;
    assert_eq!(r.json()["imported"], 200, "{}", r.body);
    assert_eq!(app.count("facility_items").await, before + 200);
    // The exported ledger has the import's columns and every item of the county.
    let mut web = app.signed_in("qinghe.baowei").await;
    let sheet = crate::staff_records::read_xlsx(&web.get("/facilities/export.xlsx").await.bytes);
    assert_eq!(sheet[0][..8], anbao_app::facility::IMPORT_COLUMNS.map(String::from));
    assert!(sheet.len() > 200, "{} rows", sheet.len());
    app.finish().await;
}

#[tokio::test]
async fn only_the_security_department_imports_a_ledger_even_of_the_importers_own_outlet() {
    let app = TestApp::demo().await;
    let (unit, place): (String, String) = {
        use sqlx::Row;
        let mut c = app.db.read().await.unwrap();
        let r = sqlx::query(
            "SELECT u.name AS unit, p.name AS place FROM places p JOIN units u ON u.id = p.unit_id \
             WHERE u.name = '城关信用社营业部' ORDER BY p.id LIMIT 1",
        )
        .fetch_one(&mut *c)
        .await
        .unwrap();
        (r.get("unit"), r.get("place"))
    };
    let row = [
        unit,
        place,
        "灭火器".into(),
        "MFZ/ABC4".into(),
        "2".into(),
        "消防器材公司".into(),
        "2026-01-15".into(),
        String::new(),
    ];
    let before = app.count("facility_items").await;
    let mut head = app.api("chengguan.zhuren").await;
    let r = upload(&mut head, workbook(std::slice::from_ref(&row)), true).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("设施台账由保卫部门登记"), "{}", r.body);
    assert_eq!(app.count("facility_items").await, before);
    let mut sec = app.api("qinghe.baowei").await;
    let r = upload(&mut sec, workbook(std::slice::from_ref(&row)), true).await;
    assert_eq!(r.json()["imported"], 1, "{}", r.body);
    app.finish().await;
}

#[tokio::test]
async fn an_installation_is_payable_only_after_acceptance_and_a_new_outlet_opens_only_when_complete() {
    let app = TestApp::demo().await;
    let mut sec = app.api("baowei").await;
    // The demo's new outlet: one project installed, awaiting acceptance; another proposed.
    let place = app.scalar("SELECT id FROM places WHERE opened = 0").await;
    let installed = app
        .scalar(&format!("SELECT id FROM facility_projects WHERE place_id = {place} AND status = 'installed'"))
        .await;
    let r = sec.json("POST", &format!("/api/v1/facilities/projects/{installed}/pay"), &json!({})).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    assert!(r.json()["error"]["message"].as_str().unwrap_or_default().contains("不得支付工程款"));
    // A failed acceptance needs its findings, and shows them.
    let r = sec.json("POST", &format!("/api/v1/facilities/projects/{installed}/fail"), &json!({})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let r = sec
        .json(
            "POST",
            &format!("/api/v1/facilities/projects/{installed}/fail"),
            &json!({"findings": "玻璃厚度不足，无检测报告"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    let mut web = app.signed_in("baowei").await;
    let board = web.get(&format!("/facilities/work?unit={}", province(&app).await)).await.body;
    assert!(board.contains("玻璃厚度不足"), "{board}");
    // Only a designated product may be proposed.
    let r = sec
        .json("POST", "/api/v1/facilities/projects", &json!({"place_id": place, "kind": "bulletproof_glass", "product": "杂牌玻璃", "supplier": "某公司", "budget": 1000}))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let r = sec
        .json("POST", "/api/v1/facilities/projects", &json!({"place_id": place, "kind": "bulletproof_glass", "product": "FD-32 防弹复合玻璃", "supplier": "云岭安防玻璃有限公司", "budget": 86000}))
        .await;
    let j = r.json()["id"].as_i64().unwrap();
    for step in ["approve", "install", "accept", "pay"] {
        let r = sec.json("POST", &format!("/api/v1/facilities/projects/{j}/{step}"), &json!({})).await;
        assert_eq!(r.status, StatusCode::NO_CONTENT, "{step}: {}", r.body);
    }
    // Accepted glass is in the ledger, but the new outlet still lacks what the standard requires: it stays closed.
    let glass = app
        .scalar(&format!("SELECT COUNT(*) FROM facility_items WHERE place_id = {place} AND kind = 'bulletproof_glass'"))
        .await;
    assert_eq!(glass, 1);
    assert_eq!(app.scalar(&format!("SELECT opened FROM places WHERE id = {place}")).await, 0);
    // The outlet cannot approve its own installation: that is the union's.
    let outlet_place = app.scalar("SELECT p.id FROM places p JOIN units u ON u.id = p.unit_id WHERE u.name = '城关信用社营业部' AND p.kind = 'outlet'").await;
    let mut head = app.api("chengguan.zhuren").await;
    let r = head
        .json("POST", "/api/v1/facilities/projects", &json!({"place_id": outlet_place, "kind": "interlock_door", "product": "LD-200 防尾随联动门", "supplier": "滇中安全门业有限公司", "budget": 120000}))
        .await;
    let mine = r.json()["id"].as_i64().unwrap();
    let r = head.json("POST", &format!("/api/v1/facilities/projects/{mine}/approve"), &json!({})).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    app.finish().await;
}

#[tokio::test]
async fn a_fault_is_repaired_only_through_the_security_department_and_a_vault_repair_names_its_escort() {
    let app = TestApp::demo().await;
    let fault = app.scalar("SELECT MIN(id) FROM facility_faults").await.to_string();
    // An outlet reports a fault and may not dispatch its own repair (no private repairs, 第四十七条).
    let mut head = app.signed_in("chengguan.zhuren").await;
    let place = app.scalar("SELECT p.id FROM places p JOIN units u ON u.id = p.unit_id WHERE u.name = '城关信用社营业部' AND p.kind = 'outlet'").await;
    let item = app
        .scalar(&format!("SELECT id FROM facility_items WHERE place_id = {place} AND kind = 'alarm_110'"))
        .await
        .to_string();
    let r = head
        .post_form(
            &format!("/facilities/places/{place}/fault"),
            &[("item_id", &item), ("description", "报警主机无法联网")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let own = app.scalar("SELECT MAX(id) FROM facility_faults").await;
    let r = head
        .post_form(
            &format!("/facilities/faults/{own}/dispatch"),
            &[("assignee", "自己找人修"), ("deadline", "2026-03-05")],
        )
        .await;
    assert!(r.body.contains("严禁私自维修"), "{}", r.body);
    let mut sec = app.signed_in("baowei").await;
    let r = sec.post_form(&format!("/facilities/faults/{fault}/repaired"), &[("accompanied_by", "")]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "not before it is dispatched: {}", r.body);
    let r = sec
        .post_form(&format!("/facilities/faults/{fault}/dispatch"), &[("assignee", ""), ("deadline", "2026-03-05")])
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let r = sec
        .post_form(
            &format!("/facilities/faults/{fault}/dispatch"),
            &[("assignee", "云岭数字安防科技有限公司 王工"), ("deadline", "2026-03-05")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let r = sec.post_form(&format!("/facilities/faults/{fault}/repaired"), &[("accompanied_by", "")]).await;
    assert!(r.body.contains("第三十七条"), "{}", r.body);
    // 第三十七条: the outlet head and a vault keeper, named from the staff records by their numbers — not free text.
    let r = sec
        .post_form(&format!("/facilities/faults/{fault}/repaired"), &[("accompanied_by", "网点负责人、管库员")])
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let no = |post: &str| {
        format!(
            "SELECT s.staff_no FROM staff s WHERE s.active = 1 AND s.positions LIKE '%,{post},%' AND s.unit_id = \
             (SELECT p.unit_id FROM facility_faults f JOIN facility_items i ON i.id = f.item_id JOIN places p ON p.id = i.place_id WHERE f.id = {fault}) \
             ORDER BY s.id LIMIT 1"
        )
    };
    let (head_no, keeper_no, teller_no) = {
        use sqlx::Row;
        let mut c = app.db.read().await.unwrap();
        let mut out = Vec::new();
        for post in ["director", "vault_keeper", "teller"] {
            let r = sqlx::query(sqlx::AssertSqlSafe(no(post))).fetch_one(&mut *c).await.unwrap();
            out.push(r.get::<String, _>("staff_no"));
        }
        (out[0].clone(), out[1].clone(), out[2].clone())
    };
    let r = sec
        .post_form(
            &format!("/facilities/faults/{fault}/repaired"),
            &[("accompanied_by", &format!("{head_no}、{teller_no}"))],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "a teller is no vault keeper: {}", r.body);
    let r = sec
        .post_form(
            &format!("/facilities/faults/{fault}/repaired"),
            &[("accompanied_by", &format!("{head_no}、{keeper_no}"))],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let kept = app
        .scalar(&format!("SELECT COUNT(*) FROM facility_faults WHERE id = {fault} AND accompanied_by LIKE '%（网点负责人）、%（管库员）'"))
        .await;
    assert_eq!(kept, 1);
    let r = sec.post_form(&format!("/facilities/faults/{fault}/verify"), &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let repaired = app.scalar(&format!("SELECT COUNT(*) FROM facility_items WHERE status = 'working' AND id = (SELECT item_id FROM facility_faults WHERE id = {fault})")).await;
    assert_eq!(repaired, 1, "the repaired camera counts again");
    // The monthly report freezes the figures and is FAC-2's evidence.
    let region =
        app.scalar("SELECT id FROM units WHERE kind = 'regional_centre' ORDER BY id LIMIT 1").await.to_string();
    let r = sec.post_form("/facilities/report", &[("unit_id", &region), ("month", "2026-03")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM records WHERE kind = 'monthly_facility_report'").await, 1);
    app.finish().await;
}

#[tokio::test]
async fn an_item_whose_check_is_overdue_is_due_and_the_security_department_is_reminded_once() {
    let app = TestApp::demo().await;
    // The demo left some alarms unchecked since they were installed years ago: due by the catalogue's interval.
    anbao_app::reminders::run_once(&app.db, app.now()).await.unwrap();
    let key = "SELECT COUNT(*) FROM messages m JOIN accounts a ON a.id = m.account_id WHERE a.username = 'baowei' AND m.dedupe_key LIKE 'facility-check-%'";
    let told = app.scalar(key).await;
    assert!(told > 0, "overdue checks are reminded");
    anbao_app::reminders::run_once(&app.db, app.now()).await.unwrap();
    assert_eq!(app.scalar(key).await, told, "once per item and due day");
    let mut web = app.signed_in("baowei").await;
    let page = web.get("/facilities").await.body;
    assert!(page.contains("检查逾期"), "the due list shows them");
    // Checking one takes it off the list.
    let item = app
        .scalar("SELECT MIN(i.id) FROM facility_items i WHERE i.kind = 'alarm_110' AND i.last_check_day IS NULL")
        .await;
    let place = app.scalar(&format!("SELECT place_id FROM facility_items WHERE id = {item}")).await;
    let r = web.post_form(&format!("/facilities/places/{place}/check"), &[("item_id", &item.to_string())]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let mut c = app.db.read().await.unwrap();
    let due = anbao_app::facility::due(&mut c, "/", anbao_domain::period::day_of_ms(app.now())).await.unwrap();
    assert!(!due.iter().any(|d| d.item.id == item));
    drop(c);
    app.finish().await;
}
