//! 我的待办 by post (RESP-2, "联人、联岗"): each person sees what they owe through their own posts; a head sees, as a
//! separate list, what the other posts of their unit have missed, each naming who answers for it or which post is
//! vacant.
use anbao_testkit::TestApp;
use serde_json::Value;

async fn todo(app: &TestApp, user: &str) -> Vec<Value> {
    let r = app.api(user).await.get("/api/v1/todo").await;
    assert!(r.status.is_success(), "{}", r.body);
    r.json().as_array().cloned().unwrap_or_default()
}

fn titles(items: &[Value], supervised: bool) -> Vec<String> {
    items
        .iter()
        .filter(|i| i["supervised"].as_bool() == Some(supervised))
        .map(|i| i["title"].as_str().unwrap_or_default().to_owned())
        .collect()
}

fn any(ts: &[String], part: &str) -> bool {
    ts.iter().any(|t| t.contains(part))
}

#[tokio::test]
async fn a_tellers_to_do_holds_only_the_duties_of_their_posts() {
    let app = TestApp::demo().await;
    // 城关's teller is also its CCTV administrator (监控管理员).
    let items = todo(&app, "chengguan.guiyuan").await;
    let own = titles(&items, false);
    assert!(any(&own, "监控管理员每天检查监控设施运转一次"), "{own:?}");
    assert!(any(&own, "营业前检查自卫武器"), "{own:?}");
    assert!(any(&own, "营业终了物品入库"), "{own:?}");
    for not_theirs in ["ATM每日巡查", "网点负责人每周录像调阅", "应急预案演练", "金库", "消防防火演练"]
    {
        assert!(!any(&own, not_theirs), "{not_theirs} is not a teller's: {own:?}");
    }
    assert!(titles(&items, true).is_empty(), "a teller supervises nobody");
    // The outlet's vault keeper sees the vault's duties and not the CCTV administrator's.
    let keeper = titles(&todo(&app, "chengguan.guanku").await, false);
    assert!(any(&keeper, "金库内务及库内设施检查"), "{keeper:?}");
    assert!(!any(&keeper, "监控管理员每天检查"), "{keeper:?}");
    app.finish().await;
}

#[tokio::test]
async fn a_head_owes_the_heads_duties_and_follows_up_the_others_by_name() {
    let app = TestApp::demo().await;
    let items = todo(&app, "chengguan.zhuren").await;
    let own = titles(&items, false);
    let followed = titles(&items, true);
    assert!(any(&own, "网点负责人每周录像调阅检查"), "{own:?}");
    assert!(!any(&own, "ATM每日巡查"), "{own:?}");
    // Last week's missed ATM patrols are the ATM administrator's and the security officer's, named.
    let atm = followed.iter().find(|t| t.contains("ATM每日巡查")).cloned().unwrap_or_default();
    assert!(atm.contains("ATM管理员/保卫人员："), "{followed:?}");
    // With nobody left in the CCTV administrator's post, the follow-up says the post is vacant.
    let outlet = app.scalar("SELECT id FROM units WHERE name = '城关信用社营业部'").await;
    app.exec(&format!(
        "UPDATE staff SET positions = ',teller,' WHERE unit_id = {outlet} AND positions LIKE '%,cctv_admin,%'"
    ))
    .await;
    let followed = titles(&todo(&app, "chengguan.zhuren").await, true);
    assert!(any(&followed, "监控管理员空缺"), "{followed:?}");
    app.finish().await;
}

#[tokio::test]
async fn reminders_go_to_the_posts_that_owe_the_item_and_to_the_head() {
    let app = TestApp::demo().await;
    anbao_app::reminders::run_once(&app.db, anbao_testkit::START_MS).await.expect("reminders");
    let teller = messages(&app, "chengguan.guiyuan").await;
    let keeper = messages(&app, "chengguan.guanku").await;
    let head = messages(&app, "chengguan.zhuren").await;
    assert!(teller.contains("监控管理员每天检查监控设施运转一次"), "{teller}");
    assert!(!teller.contains("ATM每日巡查"), "the teller does not owe the ATM patrols: {teller}");
    assert!(keeper.contains("每个金库每天一份值班记录"), "the vault keeper owes the vault's duty log: {keeper}");
    assert!(!keeper.contains("监控管理员每天检查") && !keeper.contains("ATM每日巡查"), "{keeper}");
    assert!(head.contains("ATM每日巡查") && head.contains("监控管理员每天检查"), "the head hears of all: {head}");
    app.finish().await;
}

async fn messages(app: &TestApp, user: &str) -> String {
    app.api(user).await.get("/api/v1/messages").await.body
}

#[tokio::test]
async fn every_due_item_names_who_answers_for_it_or_the_vacant_post() {
    let app = TestApp::demo().await;
    let outlet = app.scalar("SELECT id FROM units WHERE name = '城关信用社营业部'").await;
    let mut c = app.api("qinghe.baowei").await;
    let items = c.get(&format!("/api/v1/compliance/items?unit={outlet}&month=2026-02")).await.json();
    let of = |rule: &str| {
        items
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["rule_id"] == rule)
            .map(|i| i["accountable"].as_str().unwrap_or_default().to_owned())
    };
    let cctv_admin = app
        .scalar(&format!("SELECT COUNT(*) FROM staff WHERE unit_id = {outlet} AND positions LIKE '%,cctv_admin,%'"))
        .await;
    assert_eq!(cctv_admin, 1);
    assert!(of("CCTV-3-a").is_some_and(|w| w.starts_with("监控管理员：")), "{items}");
    assert!(of("TRN-1-a").is_some_and(|w| w.starts_with("第一责任人：")), "{items}");
    app.exec(&format!(
        "UPDATE staff SET positions = ',teller,' WHERE unit_id = {outlet} AND positions LIKE '%,cctv_admin,%'"
    ))
    .await;
    let items = c.get(&format!("/api/v1/compliance/items?unit={outlet}&month=2026-02&rule=CCTV-3-a")).await.json();
    assert!(items.as_array().unwrap().iter().all(|i| i["accountable"] == "监控管理员空缺"), "{items}");
    let page = app
        .signed_in("qinghe.baowei")
        .await
        .get(&format!("/compliance/items?unit={outlet}&month=2026-02&rule=CCTV-3-a"))
        .await;
    assert!(page.body.contains("监控管理员空缺"));
    app.finish().await;
}
