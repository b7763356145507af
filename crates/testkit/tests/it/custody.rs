//! Vault, duty and custody: each refusal the regulations demand happens, quotes its article, and writes nothing.
use anbao_testkit::{DEMO_PASSWORD, DEMO_PIN, TestApp};
use axum::http::StatusCode;
use serde_json::json;

const OUTLET: &str = "城关信用社营业部";

async fn vault(app: &TestApp) -> i64 {
    app.scalar(&format!(
        "SELECT a.id FROM assets a JOIN units u ON u.id = a.unit_id WHERE u.name = '{OUTLET}' AND a.kind = 'vault'"
    ))
    .await
}

async fn staff_with(app: &TestApp, post: &str, nth: i64) -> i64 {
    app.scalar(&format!(
        "SELECT s.id FROM staff s JOIN units u ON u.id = s.unit_id WHERE u.name = '{OUTLET}' \
         AND s.positions LIKE '%,{post},%' ORDER BY s.id LIMIT 1 OFFSET {nth}"
    ))
    .await
}

#[tokio::test]
async fn a_roster_with_two_vault_keepers_on_one_night_is_refused_with_its_article_and_nothing_is_saved() {
    let app = TestApp::demo().await;
    let mut web = app.signed_in("chengguan.zhuren").await;
    let v = vault(&app).await;
    let (k1, k2, sec) = (
        staff_with(&app, "vault_keeper", 0).await,
        staff_with(&app, "vault_keeper", 1).await,
        staff_with(&app, "security_officer", 0).await,
    );
    let (from, to) = anbao_domain::period::month_of("2026-04").unwrap();
    let (vs, ms) = (v.to_string(), "2026-04".to_owned());
    let mut fields: Vec<(String, String)> = vec![("vault".into(), vs.clone()), ("month".into(), ms.clone())];
    for d in from..to {
        let (a, b) = if d == from + 9 {
            (k1, k2)
        } else if (d - from) % 2 == 0 {
            (k1, sec)
        } else {
            (k2, sec)
        };
        fields.push((format!("a_{d}"), a.to_string()));
        fields.push((format!("b_{d}"), b.to_string()));
    }
    let before = app.count("duty_shifts").await;
    let f: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let r = web.post_form("/duty", &f).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("4月10日") && r.body.contains("管库员") && r.body.contains("第十八条"), "{}", r.body);
    assert_eq!(app.count("duty_shifts").await, before);
    // The same month without the clash saves, every night.
    let mut ok = fields.clone();
    for (k, v) in ok.iter_mut() {
        if *k == format!("b_{}", from + 9) {
            *v = sec.to_string();
        }
    }
    let f: Vec<(&str, &str)> = ok.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let r = web.post_form("/duty", &f).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(app.count("duty_shifts").await, before + (to - from));
    app.finish().await;
}

fn entry<'a>(v: &'a str, at: &'a str, sub: &'a str, user: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("kind", "vault_entry"),
        ("asset_id", v),
        ("occurred_at", at),
        ("subkind", sub),
        ("text", "入库存放现金"),
        ("confirm_username", user),
        ("confirm_secret", DEMO_PIN),
    ]
}

#[tokio::test]
async fn one_account_cannot_confirm_a_vault_entry_as_both_people() {
    let app = TestApp::demo().await;
    let mut web = app.signed_in("chengguan.guanku").await;
    let v = vault(&app).await.to_string();
    let before = app.count("records").await;
    let r = web.post_multipart("/records", &entry(&v, "2026-03-02T09:00", "routine", "chengguan.guanku"), &[]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("一个账号不能同时作为两个人确认"), "{}", r.body);
    // A wrong secret is refused too, and nothing is written.
    let mut wrong = entry(&v, "2026-03-02T09:00", "routine", "chengguan.zhuren");
    wrong[6] = ("confirm_secret", "not-the-password");
    let r = web.post_multipart("/records", &wrong, &[]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(app.count("records").await, before);
    // The key holder and the code holder together: accepted, both named.
    let r = web.post_multipart("/records", &entry(&v, "2026-03-02T09:00", "routine", "chengguan.zhuren"), &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let (k1, head) = (staff_with(&app, "vault_keeper", 0).await, staff_with(&app, "director", 0).await);
    let pair = app
        .scalar(&format!(
            "SELECT COUNT(*) FROM records WHERE kind = 'vault_entry' AND performer_id = {k1} AND second_person_id = {head}"
        ))
        .await;
    assert_eq!(pair, 1);
    // The teller holds neither the key nor the code of this vault.
    let r = web.post_multipart("/records", &entry(&v, "2026-03-02T09:30", "routine", "chengguan.guiyuan"), &[]).await;
    assert!(r.body.contains("钥匙掌管人和密码掌管人"), "{}", r.body);
    app.finish().await;
}

#[tokio::test]
async fn a_vault_entry_after_hours_is_recorded_as_a_breach_unless_an_authorised_special_case() {
    // 第四十一条 "非营业时间任何人不得进入金库"; 第十七条 "非特殊情况夜间一律不查库" — the rule's exception (VAULT-5).
    let app = TestApp::demo().await;
    let mut web = app.signed_in("chengguan.guanku").await;
    let v = vault(&app).await.to_string();
    let before = app.count("records").await;
    // A two-person record is made as it happens: it cannot be back-dated to dodge the business-hours rule.
    let r = web.post_multipart("/records", &entry(&v, "2026-03-01T16:00", "routine", "chengguan.zhuren"), &[]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("当场办理"), "{}", r.body);
    assert_eq!(app.count("records").await, before);
    let flagged = || async {
        app.scalar("SELECT COUNT(*) FROM records WHERE kind = 'vault_entry' AND data LIKE '%vault_after_hours_entry%'")
            .await
    };
    let proposed =
        || async { app.scalar("SELECT COUNT(*) FROM violations WHERE code = 'vault_after_hours_entry'").await };
    // 18:30 the same day: the outlet has closed (business hours in rule VAULT-5: 08:00-17:30). A routine entry is
    // what happened: stored, flagged with its article, and proposed for a penalty.
    app.advance_minutes(9 * 60);
    let r = web.post_multipart("/records", &entry(&v, "", "routine", "chengguan.zhuren"), &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!((app.count("records").await, flagged().await, proposed().await), (before + 1, 1, 1));
    let reason = app
        .scalar("SELECT COUNT(*) FROM records WHERE kind = 'vault_entry' AND data LIKE '%第四十一条%' AND data LIKE '%第十七条%'")
        .await;
    assert_eq!(reason, 1);
    // The special case: an emergency stated, with the outlet head as one of the two — no breach.
    let r = web.post_multipart("/records", &entry(&v, "", "emergency", "chengguan.zhuren"), &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!((flagged().await, proposed().await), (1, 1));
    // A union that allows no exception: every entry after hours is a breach, the emergency too.
    let mut admin = app.api("admin").await;
    let mut rule = admin.get("/api/v1/rules/VAULT-5").await.json()["rule"].clone();
    rule["special_case"] = false.into();
    let r = admin.json("PUT", "/api/v1/rules/VAULT-5", &json!({"rule": rule, "effective_from": "2026-03-02"})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let n = flagged().await;
    let r = web.post_multipart("/records", &entry(&v, "", "emergency", "chengguan.zhuren"), &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(flagged().await, n + 1);
    app.finish().await;
}

#[tokio::test]
async fn a_vault_entry_on_a_holiday_is_after_hours_whatever_the_clock() {
    // The calendar's rest days have no business hours: 10:00 on a Saturday is after hours.
    let app = TestApp::demo().await;
    app.advance_minutes(5 * 24 * 60 + 30);
    let mut web = app.signed_in("chengguan.guanku").await;
    let v = vault(&app).await.to_string();
    let r = web.post_multipart("/records", &entry(&v, "", "routine", "chengguan.zhuren"), &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let flagged = app
        .scalar("SELECT COUNT(*) FROM records WHERE kind = 'vault_entry' AND data LIKE '%vault_after_hours_entry%'")
        .await;
    assert_eq!(flagged, 1);
    app.finish().await;
}

/// Accounts for two county guards, linked to their staff records.
/// Disable the accounts a person already has, so a test can give them one of its own.
async fn step_aside(app: &TestApp, staff: i64) {
    let mut c = app.db.read().await.unwrap();
    let taken = anbao_store::accounts::by_staff(&mut c, anbao_domain::ids::StaffId::new(staff)).await.unwrap();
    drop(c);
    for a in taken {
        anbao_app::accounts::set_disabled(&app.db, None, app.now(), a.id, true).await.unwrap();
    }
}

async fn county_accounts(app: &TestApp) -> (i64, i64, i64) {
    let guards: Vec<i64> = {
        let mut ids = Vec::new();
        for n in 0..2 {
            ids.push(
                app.scalar(&format!(
                    "SELECT s.id FROM staff s JOIN units u ON u.id = s.unit_id WHERE u.name = '保卫部' \
                     AND u.path LIKE (SELECT path FROM units WHERE name = '清河县农村信用合作联社') || '%' \
                     AND s.positions LIKE '%,guard,%' ORDER BY s.id LIMIT 1 OFFSET {}",
                    n + 2
                ))
                .await,
            );
        }
        ids
    };
    let county = app.scalar("SELECT id FROM units WHERE name = '清河县农村信用合作联社'").await;
    // One person has one account in use: the demo's own accounts of these people step aside.
    for g in &guards {
        step_aside(app, *g).await;
    }
    for (i, g) in guards.iter().enumerate() {
        let id = anbao_app::accounts::create(
            &app.db,
            None,
            app.now(),
            anbao_app::accounts::AccountInput {
                username: format!("guard{i}"),
                display_name: format!("经警{i}"),
                password: DEMO_PASSWORD.into(),
                staff_id: Some(anbao_domain::ids::StaffId::new(*g)),
                grants: vec![(anbao_domain::access::Role::Staff, Some(anbao_domain::ids::UnitId::new(county)))],
                must_change_password: false,
            },
        )
        .await
        .unwrap();
        anbao_app::confirm::seed_pin(&app.db, app.now(), id, DEMO_PIN).await.unwrap();
    }
    (guards[0], guards[1], county)
}

#[tokio::test]
async fn the_requester_of_a_gun_cannot_approve_it_and_a_gun_and_its_ammunition_stay_apart() {
    let app = TestApp::demo().await;
    let (_, _, county) = county_accounts(&app).await;
    let mut web = app.signed_in("guard0").await;
    let gun = app.scalar("SELECT id FROM arms WHERE kind = 'gun' ORDER BY id LIMIT 1").await.to_string();
    let back = county.to_string();
    let r = web
        .post_form(
            "/arms/checkouts",
            &[("back_unit", &back), ("gun_id", &gun), ("rounds", "0"), ("purpose", "押运任务")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let k = app.scalar("SELECT MAX(id) FROM arms_checkouts").await;
    let r = web.post_form(&format!("/arms/checkouts/{k}/approve"), &[("back_unit", &back)]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("审批人不能是领用人本人"), "{}", r.body);
    assert_eq!(
        app.scalar(&format!("SELECT COUNT(*) FROM arms_checkouts WHERE id = {k} AND status = 'requested'")).await,
        1
    );
    // Registering ammunition with the gun's own keeper is refused.
    let mut sec = app.signed_in("qinghe.baowei").await;
    let keeper = app.scalar("SELECT keeper_id FROM arms WHERE kind = 'gun' ORDER BY id LIMIT 1").await.to_string();
    let cab = app.scalar("SELECT id FROM assets WHERE code = 'AMMO-QH-01'").await.to_string();
    let before = app.count("arms").await;
    let r = sec
        .post_form(
            "/arms",
            &[
                ("back_unit", &back),
                ("kind", "ammo"),
                ("label", "防暴弹"),
                ("serial", "T-1"),
                ("rounds", "10"),
                ("gun_id", &gun),
                ("cabinet_id", &cab),
                ("keeper_id", &keeper),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("不得由同一人保管"), "{}", r.body);
    assert_eq!(app.count("arms").await, before);
    app.finish().await;
}

#[tokio::test]
async fn a_trip_in_a_vehicle_that_is_not_a_registered_armoured_van_is_refused() {
    let app = TestApp::demo().await;
    let mut web = app.signed_in("qinghe.baowei").await;
    let county = app.scalar("SELECT id FROM units WHERE name = '清河县农村信用合作联社'").await.to_string();
    let outlet = app.scalar(&format!("SELECT id FROM units WHERE name = '{OUTLET}'")).await.to_string();
    assert_eq!(app.count("escort_trips").await, 1, "the demo plans one trip");
    let guard = app
        .scalar("SELECT s.id FROM staff s WHERE s.positions LIKE '%,guard,%' ORDER BY s.id LIMIT 1")
        .await
        .to_string();
    let before = app.count("escort_trips").await;
    for plate in ["云A·G1023", "云A·X0000"] {
        let r = web
            .post_form(
                "/escort/trips",
                &[
                    ("unit_id", &county),
                    ("plate", plate),
                    ("day", "2026-03-02"),
                    ("route", "县联社—城关"),
                    ("crew_0", &guard),
                    ("role_0", "escort"),
                    ("gun_0", "1"),
                    ("armour_0", "1"),
                    ("helmet_0", "1"),
                    ("stop_0", &outlet),
                    ("deliver_0", "B-1"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert!(r.body.contains("专用运钞车"), "{plate}: {}", r.body);
    }
    assert_eq!(app.count("escort_trips").await, before);
    // The demo's planned trip cannot close while its boxes are not handed over.
    let t = app.scalar("SELECT MIN(id) FROM escort_trips").await;
    let r = web.post_form(&format!("/escort/trips/{t}/depart"), &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    // An event on the way is recorded and reported to the security department over the trip.
    let r = web.post_form(&format!("/escort/trips/{t}/event"), &[("kind", "jam"), ("note", "城关大桥拥堵")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let told = app
        .scalar("SELECT COUNT(*) FROM messages m JOIN accounts a ON a.id = m.account_id WHERE a.username IN ('qinghe.baowei', 'baowei') AND m.title LIKE '押运途中情况：交通堵塞%'")
        .await;
    assert_eq!(told, 2);
    let r = web.post_form(&format!("/escort/trips/{t}/close"), &[]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("尚有款箱未交接"), "{}", r.body);
    app.finish().await;
}

async fn items(c: &mut anbao_testkit::Client, query: &str) -> Vec<serde_json::Value> {
    let r = c.get(&format!("/api/v1/compliance/items?{query}")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    r.json().as_array().cloned().unwrap_or_default()
}

#[tokio::test]
async fn a_lost_code_blocks_the_vaults_custody_check_until_the_lock_is_changed() {
    let app = TestApp::demo().await;
    let mut keeper = app.api("chengguan.guanku").await;
    let mut head = app.api("chengguan.zhuren").await;
    let v = vault(&app).await;
    let outlet = app.scalar(&format!("SELECT id FROM units WHERE name = '{OUTLET}'")).await;
    let check = |at: &str| {
        serde_json::json!({"kind": "vault_key_custody", "asset_id": v, "occurred_at": at,
            "confirm_username": "chengguan.zhuren", "confirm_secret": DEMO_PIN})
    };
    let r = keeper.json("POST", "/api/v1/records", &check("2026-03-02T09:20:00+08:00")).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    // The monthly check is a due item: met in March, overdue in February when nobody did it.
    let mar = items(&mut head, &format!("unit={outlet}&rule=VAULT-4-b&month=2026-03")).await;
    assert_eq!(mar.iter().filter(|i| i["status"] == "met").count(), 1, "{mar:?}");
    let feb = items(&mut head, &format!("unit={outlet}&rule=VAULT-4-b&month=2026-02")).await;
    assert!(
        feb.iter().any(|i| i["status"] == "overdue" && i["reason"].as_str().unwrap_or_default().contains("应有1次")),
        "{feb:?}"
    );
    // The outlet head loses the vault's code: a lock change opens and the check is refused until it is done.
    let code = app.scalar(&format!("SELECT id FROM custody_items WHERE asset_id = {v} AND kind = 'code'")).await;
    let r = head
        .json("POST", &format!("/api/v1/custody/items/{code}/lost"), &serde_json::json!({"reason": "密码条遗失"}))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let lock_change = r.json()["id"].as_i64().unwrap();
    let told = app
        .scalar("SELECT COUNT(*) FROM messages m JOIN accounts a ON a.id = m.account_id WHERE a.username = 'qinghe.baowei' AND m.title LIKE '%须立即更换锁具'")
        .await;
    assert_eq!(told, 1, "the county security department is told of the loss");
    let r = keeper.json("POST", "/api/v1/records", &check("2026-03-02T09:25:00+08:00")).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("换锁"), "{}", r.body);
    let director = staff_with(&app, "director", 0).await;
    let r = head
        .json(
            "POST",
            &format!("/api/v1/custody/lock-changes/{lock_change}/done"),
            &serde_json::json!({"holder_id": director, "note": "已更换密码锁"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let r = keeper.json("POST", "/api/v1/records", &check("2026-03-02T09:25:00+08:00")).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    app.finish().await;
}

#[tokio::test]
async fn a_swap_needs_the_outlet_heads_approval_and_is_checked_like_the_roster() {
    let app = TestApp::demo().await;
    let mut head = app.api("chengguan.zhuren").await;
    let mut teller = app.api("chengguan.guiyuan").await;
    let v = vault(&app).await;
    let (k1, k2, sec) = (
        staff_with(&app, "vault_keeper", 0).await,
        staff_with(&app, "vault_keeper", 1).await,
        staff_with(&app, "security_officer", 0).await,
    );
    let (from, to) = anbao_domain::period::month_of("2026-04").unwrap();
    let nights: Vec<serde_json::Value> = (from..to)
        .map(|d| {
            let date = anbao_domain::period::date_of_day(d).to_string();
            serde_json::json!({"date": date, "guard_a": k1, "guard_b": sec})
        })
        .collect();
    let r =
        head.json("PUT", "/api/v1/duty", &serde_json::json!({"vault": v, "month": "2026-04", "nights": nights})).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    // Through the API too, a roster with two vault keepers on a night is refused with its article.
    let mut bad = nights.clone();
    bad[3]["guard_b"] = k2.into();
    let r = head.json("PUT", "/api/v1/duty", &serde_json::json!({"vault": v, "month": "2026-04", "nights": bad})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.json()["error"]["message"].as_str().unwrap_or_default().contains("第十八条"), "{}", r.body);
    // The month read back names each night's shift (what a swap is asked for) and its holiday duty by the calendar:
    // 4–6 April is 清明节, 7 April an ordinary Tuesday.
    let month = head.get(&format!("/api/v1/duty?vault={v}&month=2026-04")).await.json();
    let night = |date: &str| month["nights"].as_array().unwrap().iter().find(|n| n["date"] == date).unwrap().clone();
    let shift = night("2026-04-05")["shift_id"].as_i64().unwrap();
    assert_eq!(
        shift,
        app.scalar(&format!("SELECT id FROM duty_shifts WHERE asset_id = {v} AND day = {}", from + 4)).await
    );
    assert_eq!(
        (night("2026-04-05")["holiday"].as_bool(), night("2026-04-07")["holiday"].as_bool()),
        (Some(true), Some(false))
    );
    // Swapping the security officer for the other vault keeper would pair two keepers: refused on approval.
    let ask =
        |inn: i64| serde_json::json!({"shift_id": shift, "out_staff": sec, "in_staff": inn, "reason": "家中有事"});
    let r = teller.json("POST", "/api/v1/duty/swaps", &ask(k2)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let bad_swap = r.json()["id"].as_i64().unwrap();
    let r = head
        .json("POST", &format!("/api/v1/duty/swaps/{bad_swap}/decide"), &serde_json::json!({"approve": true}))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let t = staff_with(&app, "cctv_admin", 0).await;
    let r = teller.json("POST", "/api/v1/duty/swaps", &ask(t)).await;
    let swap = r.json()["id"].as_i64().unwrap();
    // The teller cannot approve; the outlet head can.
    let r =
        teller.json("POST", &format!("/api/v1/duty/swaps/{swap}/decide"), &serde_json::json!({"approve": true})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.json()["error"]["message"].as_str().unwrap_or_default().contains("第十四条"), "{}", r.body);
    let r =
        head.json("POST", &format!("/api/v1/duty/swaps/{swap}/decide"), &serde_json::json!({"approve": true})).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    assert_eq!(app.scalar(&format!("SELECT guard_b FROM duty_shifts WHERE id = {shift}")).await, t);
    app.finish().await;
}

#[tokio::test]
async fn a_gun_is_approved_by_another_post_issued_before_both_and_returned_with_its_rounds_counted() {
    let app = TestApp::demo().await;
    let (requester, _, county) = county_accounts(&app).await;
    // The gun's keeper and the security department's officer sign in as themselves too.
    let keeper = app.scalar("SELECT keeper_id FROM arms WHERE kind = 'gun' ORDER BY id LIMIT 1").await;
    let officer = app
        .scalar(
            "SELECT s.id FROM staff s JOIN units u ON u.id = s.unit_id WHERE u.name = '保卫部' \
             AND s.positions = ',security_officer,' ORDER BY s.id LIMIT 1",
        )
        .await;
    for (name, staff) in [("keeper", keeper), ("officer", officer)] {
        step_aside(&app, staff).await;
        let id = anbao_app::accounts::create(
            &app.db,
            None,
            app.now(),
            anbao_app::accounts::AccountInput {
                username: name.into(),
                display_name: name.into(),
                password: DEMO_PASSWORD.into(),
                staff_id: Some(anbao_domain::ids::StaffId::new(staff)),
                grants: vec![(anbao_domain::access::Role::Staff, Some(anbao_domain::ids::UnitId::new(county)))],
                must_change_password: false,
            },
        )
        .await
        .unwrap();
        anbao_app::confirm::seed_pin(&app.db, app.now(), id, DEMO_PIN).await.unwrap();
    }
    let gun = app.scalar("SELECT id FROM arms WHERE kind = 'gun' ORDER BY id LIMIT 1").await;
    let ammo = app.scalar(&format!("SELECT id FROM arms WHERE gun_id = {gun}")).await;
    let mut g = app.api("guard0").await;
    let r = g
        .json(
            "POST",
            "/api/v1/arms/checkouts",
            &serde_json::json!({"gun_id": gun, "ammo_id": ammo, "rounds": 5, "purpose": "押运任务"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let k = r.json()["id"].as_i64().unwrap();
    // Issue before approval: refused.
    let mut kp = app.api("keeper").await;
    let confirm = serde_json::json!({"confirm_username": "guard0", "confirm_secret": DEMO_PIN});
    let r = kp.json("POST", &format!("/api/v1/arms/checkouts/{k}/issue"), &confirm).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    let mut off = app.api("officer").await;
    let r =
        off.json("POST", &format!("/api/v1/arms/checkouts/{k}/decide"), &serde_json::json!({"approve": true})).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    let r = kp.json("POST", &format!("/api/v1/arms/checkouts/{k}/issue"), &confirm).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    // The checkout is ARMS-2's evidence, naming requester and approver.
    let evidence = app
        .scalar(&format!("SELECT COUNT(*) FROM records WHERE kind = 'gun_checkout' AND performer_id = {requester} AND second_person_id = {officer}"))
        .await;
    assert_eq!(evidence, 1);
    assert_eq!(app.scalar(&format!("SELECT rounds FROM arms WHERE id = {ammo}")).await, 15);
    // Returned short without a word: refused; with the reason: accepted and flagged.
    let back = |note: Option<&str>| serde_json::json!({"rounds_back": 4, "note": note, "confirm_username": "guard0", "confirm_secret": DEMO_PIN});
    let r = kp.json("POST", &format!("/api/v1/arms/checkouts/{k}/return"), &back(None)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let r = kp.json("POST", &format!("/api/v1/arms/checkouts/{k}/return"), &back(Some("训练中击发一发"))).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["discrepancy"], true);
    // The county's security department is told of the missing round.
    let told = app
        .scalar("SELECT COUNT(*) FROM messages m JOIN accounts a ON a.id = m.account_id WHERE a.username = 'qinghe.baowei' AND m.title LIKE '枪弹归还数量不符%'")
        .await;
    assert_eq!(told, 1);
    assert_eq!(app.scalar(&format!("SELECT rounds FROM arms WHERE id = {ammo}")).await, 19);
    app.finish().await;
}

#[tokio::test]
async fn a_confirmation_pin_stands_in_for_the_password_and_a_wrong_one_is_refused() {
    let app = TestApp::demo().await;
    let mut head = app.api("chengguan.zhuren").await;
    let r = head.json("PUT", "/api/v1/me/pin", &serde_json::json!({"password": DEMO_PASSWORD, "pin": "12ab"})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let r = head.json("PUT", "/api/v1/me/pin", &serde_json::json!({"password": "wrong", "pin": "246810"})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let r = head.json("PUT", "/api/v1/me/pin", &serde_json::json!({"password": DEMO_PASSWORD, "pin": "246810"})).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    let mut keeper = app.api("chengguan.guanku").await;
    let v = vault(&app).await;
    let entry = |secret: &str| {
        serde_json::json!({"kind": "vault_entry", "asset_id": v, "subkind": "routine", "text": "入库",
            "occurred_at": "2026-03-02T09:10:00+08:00", "confirm_username": "chengguan.zhuren", "confirm_secret": secret})
    };
    let before = app.count("records").await;
    let r = keeper.json("POST", "/api/v1/records", &entry("135790")).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(app.count("records").await, before);
    let r = keeper.json("POST", "/api/v1/records", &entry("246810")).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    app.finish().await;
}

#[tokio::test]
async fn an_employee_may_hand_over_and_ask_but_not_set_the_roster_or_decide_who_holds_what() {
    let app = TestApp::demo().await;
    let mut teller = app.api("chengguan.guiyuan").await;
    let v = vault(&app).await;
    let me = staff_with(&app, "cctv_admin", 0).await;
    let before = (app.count("custody_items").await, app.count("duty_shifts").await);
    let r =
        teller.json("PUT", "/api/v1/duty", &serde_json::json!({"vault": v, "month": "2026-04", "nights": []})).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    let r = teller
        .json(
            "POST",
            "/api/v1/custody/items",
            &serde_json::json!({"asset_id": v, "kind": "spare_key", "label": "备用钥匙", "holder_id": me}),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    // Another outlet's vault does not exist for this outlet's head.
    let other = app
        .scalar(
            "SELECT a.id FROM assets a JOIN units u ON u.id = a.unit_id WHERE u.name = '东街分社' AND a.kind = 'vault'",
        )
        .await;
    let mut head = app.api("chengguan.zhuren").await;
    let r = head.get(&format!("/api/v1/duty?vault={other}&month=2026-03")).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
    assert_eq!((app.count("custody_items").await, app.count("duty_shifts").await), before);
    app.finish().await;
}

/// The first vault keeper, who holds the vault's key, hands it to the teller before duty (both confirm), so a duty log
/// naming the keeper is no breach of 第十八条.
pub(crate) async fn hand_the_vault_key_over_before_duty(app: &TestApp, vault: i64) {
    let key = app.scalar(&format!("SELECT id FROM custody_items WHERE asset_id = {vault} AND kind = 'key'")).await;
    let mut keeper = app.api("chengguan.guanku").await;
    let r = keeper
        .json(
            "POST",
            &format!("/api/v1/custody/items/{key}/handover"),
            &serde_json::json!({"confirm_username": "chengguan.guiyuan", "confirm_secret": DEMO_PIN, "note": "值班前交接"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
}

#[tokio::test]
async fn a_duty_log_names_the_two_the_roster_put_on_that_night() {
    let app = TestApp::demo().await;
    let mut head = app.api("chengguan.zhuren").await;
    let v = vault(&app).await;
    // The demo's roster for March puts the first vault keeper and the security officer on 1 March.
    let (k1, sec, director) = (
        staff_with(&app, "vault_keeper", 0).await,
        staff_with(&app, "security_officer", 0).await,
        staff_with(&app, "director", 0).await,
    );
    let log = |a: i64, b: i64| {
        serde_json::json!({"kind": "duty_log", "asset_id": v, "performer_id": a, "second_person_id": b,
            "occurred_at": "2026-03-01T19:30:00+08:00", "checks": ["on_time", "perimeter_patrol", "weapons_checked", "alarms_armed"]})
    };
    let before = app.count("records").await;
    let r = head.json("POST", "/api/v1/records", &log(k1, director)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.json()["error"]["message"].as_str().unwrap_or_default().contains("第十四条"), "{}", r.body);
    assert_eq!(app.count("records").await, before);
    let r = head.json("POST", "/api/v1/records", &log(sec, k1)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    // 第十八条 "严禁携带金库钥匙值班": the first keeper holds the vault key (the custody register says so), so the log
    // is a breach, recorded and proposed.
    let id = r.json()["id"].as_i64().unwrap();
    let flagged = |id: i64| {
        format!(
            "SELECT COUNT(*) FROM records WHERE id = {id} AND data LIKE '%duty_with_vault_key%' AND data LIKE '%第十八条%'"
        )
    };
    assert_eq!(app.scalar(&flagged(id)).await, 1);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM violations WHERE code = 'duty_with_vault_key'").await, 1);
    // The keeper hands the key over before duty (both confirm): the next log is clean.
    hand_the_vault_key_over_before_duty(&app, v).await;
    let r = head.json("POST", "/api/v1/records", &log(sec, k1)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(app.scalar(&flagged(r.json()["id"].as_i64().unwrap())).await, 0);
    app.finish().await;
}

#[tokio::test]
async fn a_vault_without_its_spares_or_with_a_lock_change_open_is_not_entered() {
    // The article before 第三十七条: "应立即更换锁具,严禁使用无备用钥匙(或备用密码)的金库".
    let app = TestApp::demo().await;
    let mut web = app.signed_in("chengguan.guanku").await;
    let mut head = app.api("chengguan.zhuren").await;
    let v = vault(&app).await;
    let vs = v.to_string();
    let r = web.post_multipart("/records", &entry(&vs, "", "routine", "chengguan.zhuren"), &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "the demo registers both spares: {}", r.body);
    // The spare code is lost: a lock change opens, and the vault is not entered until it is done.
    let spare = app.scalar(&format!("SELECT id FROM custody_items WHERE asset_id = {v} AND kind = 'spare_code'")).await;
    let r = head
        .json(
            "POST",
            &format!("/api/v1/custody/items/{spare}/lost"),
            &serde_json::json!({"reason": "备用密码封存袋遗失"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let before = app.count("records").await;
    let r = web.post_multipart("/records", &entry(&vs, "", "routine", "chengguan.zhuren"), &[]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("换锁") || r.body.contains("更换锁具"), "{}", r.body);
    assert_eq!(app.count("records").await, before);
    app.finish().await;
    // A vault whose spares were never registered is not entered either.
    let app = TestApp::demo().await;
    let mut web = app.signed_in("chengguan.guanku").await;
    app.exec(&format!("DELETE FROM custody_items WHERE asset_id = {v} AND kind = 'spare_key'")).await;
    let r = web.post_multipart("/records", &entry(&vs, "", "routine", "chengguan.zhuren"), &[]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("未登记备用钥匙或备用密码"), "{}", r.body);
    app.finish().await;
}

#[tokio::test]
async fn an_atm_loading_with_a_step_left_out_is_recorded_as_a_breach_and_raises_a_hazard() {
    // 第五篇 第1题: the loading procedure, step by step; a register records what happened.
    let app = TestApp::demo().await;
    let atm = app
        .scalar(&format!(
            "SELECT a.id FROM assets a JOIN units u ON u.id = a.unit_id WHERE u.name = '{OUTLET}' AND a.kind = 'atm' ORDER BY a.id LIMIT 1"
        ))
        .await;
    let holder = |kind: &str| {
        format!(
            "SELECT a.username FROM accounts a JOIN custody_items c ON c.holder_id = a.staff_id WHERE c.asset_id = {atm} AND c.kind = '{kind}' AND a.disabled = 0 LIMIT 1"
        )
    };
    let (key, code) = {
        use sqlx::Row;
        let mut c = app.db.read().await.unwrap();
        let k: String =
            sqlx::query(sqlx::AssertSqlSafe(holder("key"))).fetch_one(&mut *c).await.unwrap().get("username");
        let d: String =
            sqlx::query(sqlx::AssertSqlSafe(holder("code"))).fetch_one(&mut *c).await.unwrap().get("username");
        (k, d)
    };
    // The key holder enters it; the code holder (whose PIN the demo sets) confirms.
    let mut api = app.api(&key).await;
    let all = [
        "booked_first",
        "counted_together",
        "counterfeit_checked",
        "safe_together",
        "loading_book",
        "test_withdrawal",
        "under_video",
    ];
    let loading = |checks: &[&str]| {
        json!({"kind": "atm_loading", "asset_id": atm, "number": 200000, "checks": checks,
            "confirm_username": code, "confirm_secret": DEMO_PIN})
    };
    let before = (app.count("hazards").await, app.count("violations").await);
    let r = api.json("POST", "/api/v1/records", &loading(&all[..5])).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let id = r.json()["id"].as_i64().unwrap();
    let flagged = app
        .scalar(&format!("SELECT COUNT(*) FROM records WHERE id = {id} AND data LIKE '%atm_loading_step_missed%'"))
        .await;
    assert_eq!(flagged, 1);
    assert_eq!((app.count("hazards").await, app.count("violations").await), (before.0 + 1, before.1 + 1));
    let hazard = app
        .scalar(&format!(
            "SELECT COUNT(*) FROM hazards h JOIN units u ON u.id = h.unit_id WHERE u.name = '{OUTLET}' AND h.article = '第五篇 第1题' AND h.severity = 'major'"
        ))
        .await;
    assert_eq!(hazard, 1);
    // Every step done: no breach, no hazard.
    let r = api.json("POST", "/api/v1/records", &loading(&all)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!((app.count("hazards").await, app.count("violations").await), (before.0 + 1, before.1 + 1));
    app.finish().await;
}

#[tokio::test]
async fn a_night_check_states_its_special_case_and_names_a_union_leader_or_security_officer_from_the_staff_records() {
    // 第十七条: "必须验明有关证件,并有联社领导或保卫部门人员陪同方可进入检查。非特殊情况夜间一律不查库。"
    let app = TestApp::demo().await;
    let v = vault(&app).await;
    let mut head = app.api("chengguan.zhuren").await;
    let officer = app.scalar("SELECT staff_id FROM accounts WHERE username = 'qinghe.baowei'").await;
    let teller = staff_with(&app, "teller", 0).await;
    let check = |companion: Option<i64>, case: &str| {
        json!({"kind": "night_check", "asset_id": v, "checks": ["credential_verified"], "second_person_id": companion,
            "text": case, "text2": "县联社保卫部 检查组"})
    };
    let before = app.count("records").await;
    // No special case stated: refused, quoting the article.
    let r = head.json("POST", "/api/v1/records", &check(Some(officer), "")).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("非特殊情况夜间一律不查库"), "{}", r.body);
    // The companion is a person of the staff records, not free text: none named, or one of the outlet's tellers, is refused.
    let r = head.json("POST", "/api/v1/records", &check(None, "接报警系统异常，需夜间核查库房")).await;
    assert_eq!(r.json()["error"]["field"], "second_person_id", "{}", r.body);
    let r = head.json("POST", "/api/v1/records", &check(Some(teller), "接报警系统异常，需夜间核查库房")).await;
    assert_eq!(r.json()["error"]["field"], "second_person_id", "{}", r.body);
    assert!(r.body.contains("联社领导或保卫部门人员"), "{}", r.body);
    assert_eq!(app.count("records").await, before);
    // The county union's security officer (in its 保卫部, a unit above the outlet's): accepted.
    let r = head.json("POST", "/api/v1/records", &check(Some(officer), "接报警系统异常，需夜间核查库房")).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let id = r.json()["id"].as_i64().unwrap();
    assert_eq!(app.scalar(&format!("SELECT second_person_id FROM records WHERE id = {id}")).await, officer);
    // The form offers the people above to choose from.
    let mut web = app.signed_in("chengguan.zhuren").await;
    let form = web.get("/records/new?kind=night_check").await.body;
    let name = {
        use sqlx::Row;
        let mut c = app.db.read().await.unwrap();
        let r = sqlx::query("SELECT name FROM staff WHERE id = $1").bind(officer).fetch_one(&mut *c).await.unwrap();
        r.get::<String, _>("name")
    };
    let second = &form[form.find("id=\"second_person_id\"").expect("the companion select")..];
    assert!(second[..second.find("</select>").unwrap()].contains(&name), "{form}");
    app.finish().await;
}

#[tokio::test]
async fn a_self_defence_weapon_is_held_only_by_counter_vault_duty_or_escort_staff_and_never_lent() {
    // 第五十一条 "专为临柜、守库、押运时作防范之用,任何单位和个人无权调用、借用和移作他用"; 第五十二条 交接手续.
    let app = TestApp::demo().await;
    let mut head = app.api("chengguan.zhuren").await;
    let outlet = app.scalar(&format!("SELECT id FROM units WHERE name = '{OUTLET}'")).await;
    let (teller, director) = (staff_with(&app, "teller", 0).await, staff_with(&app, "director", 0).await);
    let weapon = |holder: i64| json!({"unit_id": outlet, "kind": "weapon", "label": "电警棍 2号", "holder_id": holder});
    let before = app.count("custody_items").await;
    // The outlet head holds no counter, vault-duty or escort post: refused, quoting the article.
    let r = head.json("POST", "/api/v1/custody/items", &weapon(director)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("第五十一条"), "{}", r.body);
    assert_eq!(app.count("custody_items").await, before);
    let r = head.json("POST", "/api/v1/custody/items", &weapon(teller)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let id = r.json()["id"].as_i64().unwrap();
    // The teller cannot pass it to the outlet head either (a loan, 移作他用); the handover is refused.
    let guiyuan = app.scalar("SELECT staff_id FROM accounts WHERE username = 'chengguan.guiyuan'").await;
    app.exec(&format!("UPDATE custody_items SET holder_id = {guiyuan} WHERE id = {id}")).await;
    let mut t = app.api("chengguan.guiyuan").await;
    let r = t
        .json(
            "POST",
            &format!("/api/v1/custody/items/{id}/handover"),
            &json!({"confirm_username": "chengguan.zhuren", "confirm_secret": DEMO_PIN}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("第五十一条"), "{}", r.body);
    app.finish().await;
}

#[tokio::test]
async fn the_recorders_password_and_cabinet_key_are_the_cctv_administrators_and_handed_over_on_leave() {
    // 第四十三条 "监控管理员必须设定好操作密码,保管好监控柜的钥匙,休息调班办理好交接手续".
    let app = TestApp::demo().await;
    let mut head = app.api("chengguan.zhuren").await;
    let cctv = app
        .scalar(&format!(
            "SELECT a.id FROM assets a JOIN units u ON u.id = a.unit_id WHERE u.name = '{OUTLET}' AND a.kind = 'cctv' ORDER BY a.id LIMIT 1"
        ))
        .await;
    let admin = staff_with(&app, "cctv_admin", 0).await;
    let teller = app
        .scalar(&format!(
            "SELECT s.id FROM staff s JOIN units u ON u.id = s.unit_id WHERE u.name = '{OUTLET}' AND s.positions = ',teller,' ORDER BY s.id LIMIT 1"
        ))
        .await;
    let item = |kind: &str, label: &str, holder: i64| json!({"asset_id": cctv, "kind": kind, "label": label, "holder_id": holder});
    let r = head.json("POST", "/api/v1/custody/items", &item("code", "录像机操作密码", teller)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("第四十三条"), "{}", r.body);
    // The administrator holds both: the password and the cabinet key are not split for CCTV.
    let r = head.json("POST", "/api/v1/custody/items", &item("code", "录像机操作密码", admin)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let r = head.json("POST", "/api/v1/custody/items", &item("key", "监控柜钥匙", admin)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let key = r.json()["id"].as_i64().unwrap();
    // On leave, the administrator hands the cabinet key over, both confirming; the handover is registered.
    assert_eq!(app.scalar("SELECT staff_id FROM accounts WHERE username = 'chengguan.guiyuan'").await, admin);
    let mut a = app.api("chengguan.guiyuan").await;
    let r = a
        .json(
            "POST",
            &format!("/api/v1/custody/items/{key}/handover"),
            &json!({"confirm_username": "chengguan.guanku", "confirm_secret": DEMO_PIN, "note": "休假交接"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(app.scalar(&format!("SELECT COUNT(*) FROM custody_handovers WHERE item_id = {key}")).await, 1);
    app.finish().await;
}
