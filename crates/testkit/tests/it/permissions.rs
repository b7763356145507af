//! Who may see and do what, table-driven: for each demo role and scope, which pages and API calls succeed, and
//! which answers must not contain another unit's data.
use anbao_testkit::TestApp;
use axum::http::StatusCode;

/// Names and ids the scenarios refer to, read from the demo database.
struct Fixture {
    chengguan: i64,
    dongjie: i64,
    anping: i64,
    dongjie_person: i64,
    dongjie_name: String,
    anping_name: String,
    chengguan_name: String,
}

async fn fixture(app: &TestApp) -> Fixture {
    use sqlx::Row;
    let chengguan = app.scalar("SELECT id FROM units WHERE name = '城关信用社营业部'").await;
    let dongjie = app.scalar("SELECT id FROM units WHERE name = '东街分社'").await;
    let anping = app.scalar("SELECT id FROM units WHERE name = '安平县农村信用合作联社'").await;
    let mut c = app.db.read().await.expect("conn");
    let name_in = |unit: i64| format!("SELECT id, name FROM staff WHERE unit_id = {unit} ORDER BY id LIMIT 1");
    let d = sqlx::query(sqlx::AssertSqlSafe(name_in(dongjie))).fetch_one(&mut *c).await.expect("dongjie staff");
    let a = sqlx::query(sqlx::AssertSqlSafe(name_in(anping))).fetch_one(&mut *c).await.expect("anping staff");
    let g = sqlx::query(sqlx::AssertSqlSafe(name_in(chengguan))).fetch_one(&mut *c).await.expect("chengguan staff");
    Fixture {
        chengguan,
        dongjie,
        anping,
        dongjie_person: d.get("id"),
        dongjie_name: d.get("name"),
        anping_name: a.get("name"),
        chengguan_name: g.get("name"),
    }
}

struct Case {
    user: &'static str,
    method: &'static str,
    path: String,
    body: Option<serde_json::Value>,
    /// A page form posted with the session's CSRF token.
    form: Option<Vec<(&'static str, String)>>,
    status: StatusCode,
    must_contain: Vec<String>,
    must_not_contain: Vec<String>,
}

fn get(user: &'static str, path: String, status: StatusCode) -> Case {
    Case { user, method: "GET", path, body: None, form: None, status, must_contain: vec![], must_not_contain: vec![] }
}

impl Case {
    fn with(mut self, s: &str) -> Self {
        self.must_contain.push(s.to_owned());
        self
    }
    fn without(mut self, s: &str) -> Self {
        self.must_not_contain.push(s.to_owned());
        self
    }
    fn json(mut self, method: &'static str, body: serde_json::Value) -> Self {
        self.method = method;
        self.body = Some(body);
        self
    }
    fn form(mut self, fields: &[(&'static str, String)]) -> Self {
        self.method = "POST";
        self.form = Some(fields.to_vec());
        self
    }
}

const OK: StatusCode = StatusCode::OK;
const NOT_FOUND: StatusCode = StatusCode::NOT_FOUND;
const FORBIDDEN: StatusCode = StatusCode::FORBIDDEN;
const CREATED: StatusCode = StatusCode::CREATED;
const NO_CONTENT: StatusCode = StatusCode::NO_CONTENT;
const SEE_OTHER: StatusCode = StatusCode::SEE_OTHER;
const INVALID: StatusCode = StatusCode::UNPROCESSABLE_ENTITY;
const CONFLICT: StatusCode = StatusCode::CONFLICT;

fn scenarios(f: &Fixture) -> Vec<Case> {
    let staff_body = |unit: i64, no: &str| serde_json::json!({"unit_id": unit, "name": "测试员", "staff_no": no, "positions": ["teller"], "employment": "formal"});
    let rename = serde_json::json!({"name": "改名测试"});
    vec![
        // An outlet head sees their own outlet and nothing of the outlet next door.
        get("chengguan.zhuren", "/staff".into(), OK)
            .with(&f.chengguan_name)
            .without(&f.dongjie_name)
            .without(&f.anping_name),
        get("chengguan.zhuren", "/api/v1/staff".into(), OK).with(&f.chengguan_name).without(&f.dongjie_name),
        get("chengguan.zhuren", "/org".into(), OK).with("城关信用社营业部").without("东街分社").without("安平县"),
        get("chengguan.zhuren", "/api/v1/units".into(), OK).with("城关信用社营业部").without("东街分社"),
        get("chengguan.zhuren", format!("/staff/{}", f.dongjie_person), NOT_FOUND).without(&f.dongjie_name),
        get("chengguan.zhuren", format!("/api/v1/staff/{}", f.dongjie_person), NOT_FOUND).without(&f.dongjie_name),
        get("chengguan.zhuren", format!("/org/units/{}", f.dongjie), NOT_FOUND),
        get("chengguan.zhuren", format!("/api/v1/units/{}", f.dongjie), NOT_FOUND),
        get("chengguan.zhuren", format!("/staff?unit={}", f.dongjie), NOT_FOUND),
        get("chengguan.zhuren", format!("/api/v1/staff?unit={}", f.anping), NOT_FOUND),
        get("chengguan.zhuren", "/staff/export.xlsx".into(), OK),
        get("chengguan.zhuren", "/groups".into(), OK).without("安全保卫领导组"),
        get("chengguan.zhuren", "/audit".into(), FORBIDDEN),
        get("chengguan.zhuren", "/api/v1/audit/events".into(), FORBIDDEN),
        get("chengguan.zhuren", "/admin/accounts".into(), FORBIDDEN),
        // ...and can change nothing there.
        get("chengguan.zhuren", format!("/api/v1/staff/{}", f.dongjie_person), NOT_FOUND)
            .json("PUT", staff_body(f.dongjie, "P-1")),
        get("chengguan.zhuren", "/api/v1/staff".into(), StatusCode::UNPROCESSABLE_ENTITY)
            .json("POST", staff_body(f.dongjie, "P-2"))
            .with("所属单位不存在"),
        get("chengguan.zhuren", "/api/v1/staff".into(), StatusCode::CREATED)
            .json("POST", staff_body(f.chengguan, "P-3")),
        get("chengguan.zhuren", format!("/api/v1/units/{}", f.chengguan), FORBIDDEN).json("PUT", rename.clone()),
        // An employee reads their outlet and writes nothing.
        get("chengguan.guiyuan", "/staff".into(), OK).with(&f.chengguan_name).without(&f.dongjie_name),
        get("chengguan.guiyuan", "/api/v1/staff".into(), FORBIDDEN).json("POST", staff_body(f.chengguan, "P-4")),
        get("chengguan.guiyuan", "/staff/new".into(), FORBIDDEN),
        // The other outlet head is the mirror image.
        get("dongjie.zhuren", "/api/v1/staff".into(), OK).with(&f.dongjie_name).without(&f.chengguan_name),
        // A county security department sees its county, not the neighbouring one.
        get("qinghe.baowei", "/api/v1/staff?q=".into(), OK).without(&f.anping_name),
        get("qinghe.baowei", "/org".into(), OK).with("东街分社").without("安平县").without("石桥"),
        get("qinghe.baowei", format!("/api/v1/units/{}", f.anping), NOT_FOUND),
        get("qinghe.baowei", "/api/v1/units".into(), StatusCode::CREATED)
            .json("POST", serde_json::json!({"parent_id": f.chengguan, "kind": "department", "name": "营业部保卫组"})),
        get("qinghe.baowei", "/api/v1/units".into(), NOT_FOUND)
            .json("POST", serde_json::json!({"parent_id": f.anping, "kind": "department", "name": "越权部门"})),
        get("qinghe.baowei", "/api/v1/units".into(), FORBIDDEN)
            .json("POST", serde_json::json!({"kind": "province", "name": "新省联社"})),
        // The auditor reads everything and changes nothing.
        get("shenji", "/staff?q=".into(), OK),
        get("shenji", "/api/v1/staff".into(), OK),
        get("shenji", "/audit".into(), OK).with("审计日志"),
        get("shenji", "/api/v1/audit/verify".into(), OK).with("\"ok\":true"),
        get("shenji", "/api/v1/staff".into(), FORBIDDEN).json("POST", staff_body(f.chengguan, "P-5")),
        get("shenji", format!("/api/v1/units/{}", f.chengguan), FORBIDDEN).json("PUT", rename.clone()),
        get("shenji", "/admin/accounts".into(), FORBIDDEN),
        // The province security department keeps records anywhere but does not manage accounts.
        get("baowei", "/api/v1/staff".into(), StatusCode::CREATED).json("POST", staff_body(f.dongjie, "P-6")),
        get("baowei", "/admin/accounts".into(), FORBIDDEN),
        get("baowei", "/audit".into(), OK),
        // The administrator manages accounts.
        get("admin", "/admin/accounts".into(), OK).with("chengguan.zhuren"),
        // Accounts, their staff links and bulk accounts: only an account administrator (and only in scope).
        get("baowei", "/api/v1/accounts".into(), FORBIDDEN),
        get("shenji", format!("/api/v1/accounts/bulk?unit={}", f.chengguan), FORBIDDEN),
        get("chengguan.zhuren", format!("/admin/accounts/bulk?unit={}", f.chengguan), FORBIDDEN),
        get("chengguan.zhuren", "/api/v1/accounts/1/disable".into(), FORBIDDEN).json("POST", serde_json::json!({})),
        get("baowei", "/api/v1/accounts/1/staff".into(), FORBIDDEN)
            .json("PUT", serde_json::json!({"staff_no": "QH0001"})),
        get("baowei", "/api/v1/accounts/bulk".into(), FORBIDDEN)
            .json("POST", serde_json::json!({"unit_id": f.chengguan})),
        get("admin", format!("/api/v1/accounts/bulk?unit={}", f.chengguan), OK).without("initial_password"),
        get("admin", format!("/admin/accounts/bulk?unit={}", f.chengguan), OK).with("按员工档案批量开户"),
        get("admin", "/api/v1/accounts".into(), OK).with("chengguan.zhuren").without("argon2"),
        // Accounts from an Excel list: the administrator's page; anyone else is refused before the file is read.
        get("admin", "/admin/accounts/import".into(), OK).with("从Excel名单开户"),
        get("baowei", "/admin/accounts/import".into(), FORBIDDEN),
        get("chengguan.zhuren", "/api/v1/accounts/import".into(), FORBIDDEN).json("POST", serde_json::json!({})),
        // Everyone sees their own sessions and tokens, and only theirs.
        get("chengguan.guiyuan", "/api/v1/me/tokens".into(), OK).without("token_hash"),
        get("chengguan.guiyuan", "/api/v1/me/tokens/0123456789abcdef".into(), NOT_FOUND)
            .json("DELETE", serde_json::json!({})),
    ]
}

/// Objects of the custody, inspection, facility, arms and escort areas the area scenarios act on.
struct Targets {
    county: i64,
    /// The vault key that chengguan.guanku holds.
    keepers_key: i64,
    /// A key of 城关 held by neither chengguan.guanku nor chengguan.zhuren.
    others_key: i64,
    dongjie_key: i64,
    chengguan_hazard: i64,
    dongjie_hazard: i64,
    chengguan_inspection: i64,
    chengguan_place: i64,
    chengguan_item: i64,
    dongjie_place: i64,
    dongjie_item: i64,
    dongjie_atm: i64,
    gun: i64,
    gun_cabinet: i64,
    trip: i64,
    chengguan_vault: i64,
}

async fn targets(app: &TestApp, f: &Fixture) -> Targets {
    let (cg, dj) = (f.chengguan, f.dongjie);
    let account = |u: &str| format!("(SELECT staff_id FROM accounts WHERE username = '{u}')");
    let open_hazard =
        |u: i64| format!("SELECT id FROM hazards WHERE unit_id = {u} AND status = 'open' ORDER BY id LIMIT 1");
    let place = |u: i64| format!("SELECT id FROM places WHERE unit_id = {u} ORDER BY id LIMIT 1");
    let item = |u: i64| {
        format!(
            "SELECT id FROM facility_items WHERE status = 'working' AND place_id = \
             (SELECT id FROM places WHERE unit_id = {u} ORDER BY id LIMIT 1) ORDER BY id LIMIT 1"
        )
    };
    Targets {
        county: app.scalar("SELECT id FROM units WHERE name = '清河县农村信用合作联社'").await,
        keepers_key: app
            .scalar(&format!(
                "SELECT id FROM custody_items WHERE kind = 'key' AND status = 'held' AND holder_id = {} ORDER BY id LIMIT 1",
                account("chengguan.guanku")
            ))
            .await,
        others_key: app
            .scalar(&format!(
                "SELECT id FROM custody_items WHERE unit_id = {cg} AND kind = 'key' AND status = 'held' \
                 AND holder_id <> {} AND holder_id <> {} ORDER BY id LIMIT 1",
                account("chengguan.guanku"),
                account("chengguan.zhuren")
            ))
            .await,
        dongjie_key: app
            .scalar(&format!("SELECT id FROM custody_items WHERE unit_id = {dj} AND kind = 'key' ORDER BY id LIMIT 1"))
            .await,
        chengguan_hazard: app.scalar(&open_hazard(cg)).await,
        dongjie_hazard: app.scalar(&open_hazard(dj)).await,
        chengguan_inspection: app
            .scalar(&format!("SELECT id FROM inspections WHERE target_unit_id = {cg} ORDER BY id LIMIT 1"))
            .await,
        chengguan_place: app.scalar(&place(cg)).await,
        chengguan_item: app.scalar(&item(cg)).await,
        dongjie_place: app.scalar(&place(dj)).await,
        dongjie_item: app.scalar(&item(dj)).await,
        dongjie_atm: app.scalar(&format!("SELECT id FROM assets WHERE unit_id = {dj} AND kind = 'atm' LIMIT 1")).await,
        gun: app.scalar("SELECT id FROM arms WHERE kind = 'gun' ORDER BY id LIMIT 1").await,
        gun_cabinet: app.scalar("SELECT id FROM assets WHERE kind = 'gun_cabinet' ORDER BY id LIMIT 1").await,
        trip: app.scalar("SELECT id FROM escort_trips ORDER BY id LIMIT 1").await,
        chengguan_vault: app
            .scalar(&format!("SELECT id FROM assets WHERE unit_id = {cg} AND kind = 'vault' ORDER BY id LIMIT 1"))
            .await,
    }
}

/// Who may act in each custody, inspection, facility, arms and escort procedure: who may (2xx), who does not see
/// the object (404), and who sees it but does not hold the post the regulations give the act (403). Refusals come
/// before the successes that would change what they find.
fn area_scenarios(f: &Fixture, t: &Targets) -> Vec<Case> {
    let (cg, dj, county) = (f.chengguan, f.dongjie, t.county);
    let lost = |id: i64| format!("/api/v1/custody/items/{id}/lost");
    let reason = serde_json::json!({"reason": "钥匙遗失"});
    let rectify = |id: i64| format!("/api/v1/hazards/{id}/rectify");
    let note = serde_json::json!({"note": "已整改"});
    let retire = |place: i64| format!("/facilities/places/{place}/retire");
    let item_of = |item: i64| [("item_id", item.to_string()), ("note", "报废".to_owned())];
    let ledger_item = |place: i64| serde_json::json!({"place_id": place, "kind": "extinguisher", "model": "MFZ/ABC4", "count": 2, "supplier": "消防器材公司", "installed": "2026-02-01"});
    let visit = serde_json::json!({"kind": "inspection_visit", "unit_id": county, "performer_position": "security_officer", "subkind": "routine", "target_unit_id": cg, "text": "常规检查"});
    let patrol = |atm: i64| serde_json::json!({"kind": "atm_patrol", "asset_id": atm, "checks": ["appearance_ok", "no_skimmer", "notice_ok"]});
    let month = "month=2026-02";
    vec![
        // Records: inspection visits are never typed in, by anyone; records stay within scope.
        get("qinghe.baowei", "/api/v1/records".into(), INVALID).json("POST", visit.clone()).with("检查人签字并经被检查单位负责人确认后自动生成"),
        get("admin", "/api/v1/records".into(), INVALID).json("POST", visit.clone()).with("检查人签字并经被检查单位负责人确认后自动生成"),
        get("chengguan.zhuren", "/records/new?kind=atm_patrol".into(), OK).without("value=\"inspection_visit\""),
        get("qinghe.baowei", "/records/new?kind=inspection_visit".into(), INVALID),
        get("chengguan.zhuren", "/api/v1/records".into(), INVALID).json("POST", patrol(t.dongjie_atm)).with("所选设备或单位不存在"),
        get("shenji", "/api/v1/records".into(), FORBIDDEN).json("POST", patrol(t.dongjie_atm)),
        get("dongjie.zhuren", "/api/v1/records".into(), CREATED).json("POST", patrol(t.dongjie_atm)),
        get("dongjie.zhuren", format!("/api/v1/records?unit={cg}"), NOT_FOUND),
        get("dongjie.zhuren", "/api/v1/records".into(), OK).without("城关信用社营业部"),
        // Custody: a key is reported lost by its holder, the unit head or the security department only.
        get("chengguan.guiyuan", lost(t.keepers_key), FORBIDDEN).json("POST", reason.clone()),
        get("qinghe.yayun", lost(t.keepers_key), FORBIDDEN).json("POST", reason.clone()),
        get("shenji", lost(t.keepers_key), FORBIDDEN).json("POST", reason.clone()),
        get("dongjie.zhuren", lost(t.keepers_key), NOT_FOUND).json("POST", reason.clone()),
        get("chengguan.zhuren", lost(t.dongjie_key), NOT_FOUND).json("POST", reason.clone()),
        get("chengguan.guanku", lost(t.keepers_key), CREATED).json("POST", reason.clone()),
        get("chengguan.zhuren", lost(t.others_key), CREATED).json("POST", reason.clone()),
        get("qinghe.baowei", lost(t.dongjie_key), CREATED).json("POST", reason.clone()),
        get("dongjie.zhuren", format!("/api/v1/custody?unit={cg}"), NOT_FOUND),
        get("chengguan.zhuren", format!("/api/v1/custody?unit={cg}"), OK).with("库门钥匙"),
        // Arms: the county's guns are not seen from an outlet; an escort does not keep the register.
        get("chengguan.zhuren", format!("/api/v1/arms?unit={county}"), NOT_FOUND),
        get("dongjie.zhuren", "/api/v1/arms/checkouts".into(), NOT_FOUND)
            .json("POST", serde_json::json!({"gun_id": t.gun, "rounds": 5, "purpose": "押运"})),
        get("qinghe.yayun", "/api/v1/arms".into(), FORBIDDEN).json(
            "POST",
            serde_json::json!({"kind": "gun", "label": "97式防暴枪", "serial": "QH97-9999", "cabinet_id": t.gun_cabinet, "keeper_id": f.dongjie_person}),
        ),
        get("qinghe.baowei", format!("/api/v1/arms?unit={county}"), OK).with("QH97-0131"),
        // Escort: trips are the county's; an escort runs them but does not register vans.
        get("dongjie.zhuren", format!("/api/v1/escort?unit={county}"), NOT_FOUND),
        get("dongjie.zhuren", format!("/api/v1/escort/trips/{}", t.trip), NOT_FOUND),
        get("qinghe.yayun", "/api/v1/escort/vans".into(), FORBIDDEN).json(
            "POST",
            serde_json::json!({"unit_id": county, "plate": "云A·X0001", "model": "运钞车", "dedicated_armoured": true}),
        ),
        get("qinghe.yayun", format!("/api/v1/escort?unit={county}"), OK).with("云A·J3857"),
        // Inspections: the other outlet's are not seen.
        get("dongjie.zhuren", format!("/api/v1/inspections?unit={cg}&{month}"), NOT_FOUND),
        get("dongjie.zhuren", format!("/api/v1/inspections/{}", t.chengguan_inspection), NOT_FOUND),
        get("chengguan.zhuren", format!("/api/v1/inspections/{}", t.chengguan_inspection), OK),
        get("qinghe.baowei", format!("/api/v1/inspections?unit={county}&{month}"), OK).with("城关信用社营业部"),
        // A hazard's notice as PDF: for whoever sees the hazard.
        get("chengguan.zhuren", format!("/hazards/{}/notice.pdf", t.chengguan_hazard), OK).with("%PDF-"),
        get("chengguan.zhuren", format!("/api/v1/hazards/{}/notice.pdf", t.chengguan_hazard), OK).with("%PDF-"),
        get("dongjie.zhuren", format!("/hazards/{}/notice.pdf", t.chengguan_hazard), NOT_FOUND),
        get("dongjie.zhuren", format!("/api/v1/hazards/{}/notice.pdf", t.chengguan_hazard), NOT_FOUND),
        // The registers printed for the wall: for the unit's own readers.
        get("chengguan.zhuren", format!("/keys/table.pdf?unit={cg}"), OK).with("%PDF-"),
        get("dongjie.zhuren", format!("/api/v1/keys/table.pdf?unit={cg}"), NOT_FOUND),
        get("dongjie.zhuren", format!("/keys/table.pdf?unit={dj}"), OK).with("%PDF-"),
        get("chengguan.guanku", "/api/v1/duty/roster.pdf".into(), OK).with("%PDF-"),
        get("dongjie.zhuren", format!("/api/v1/duty/roster.pdf?vault={}", t.chengguan_vault), NOT_FOUND),
        get("dongjie.zhuren", format!("/duty/roster.pdf?vault={}", t.chengguan_vault), NOT_FOUND),
        // Hazards: rectified by the head of the unit that has them, or the security department.
        get("chengguan.guiyuan", rectify(t.chengguan_hazard), FORBIDDEN).json("POST", note.clone()),
        get("qinghe.yayun", rectify(t.chengguan_hazard), FORBIDDEN).json("POST", note.clone()),
        get("shenji", rectify(t.chengguan_hazard), FORBIDDEN).json("POST", note.clone()),
        get("dongjie.zhuren", rectify(t.chengguan_hazard), NOT_FOUND).json("POST", note.clone()),
        get("dongjie.zhuren", format!("/api/v1/hazards?unit={cg}"), NOT_FOUND),
        get("dongjie.zhuren", format!("/api/v1/hazards/{}", t.chengguan_hazard), NOT_FOUND),
        get("dongjie.zhuren", format!("/api/v1/hazards?unit={dj}"), OK).without("城关信用社营业部"),
        get("chengguan.zhuren", rectify(t.chengguan_hazard), NO_CONTENT).json("POST", note.clone()),
        get("qinghe.baowei", rectify(t.dongjie_hazard), NO_CONTENT).json("POST", note.clone()),
        // Facilities: the outlet checks its items; only the security department enters or retires them.
        get("qinghe.yayun", retire(t.chengguan_place), FORBIDDEN).form(&item_of(t.chengguan_item)),
        get("chengguan.zhuren", retire(t.chengguan_place), FORBIDDEN).form(&item_of(t.chengguan_item)),
        get("dongjie.zhuren", retire(t.chengguan_place), NOT_FOUND).form(&item_of(t.chengguan_item)),
        // Verbs are spelled out in the route table: one it does not name is no page at all.
        get("qinghe.baowei", format!("/facilities/places/{}/demolish", t.chengguan_place), NOT_FOUND)
            .form(&item_of(t.chengguan_item)),
        get("qinghe.baowei", format!("/facilities/projects/{}/skip", t.chengguan_place), NOT_FOUND).form(&[]),
        get("chengguan.zhuren", "/api/v1/facilities/items".into(), FORBIDDEN).json("POST", ledger_item(t.chengguan_place)),
        get("dongjie.zhuren", format!("/api/v1/facilities/gaps?unit={cg}"), NOT_FOUND),
        get("dongjie.zhuren", format!("/facilities/places/{}", t.chengguan_place), NOT_FOUND),
        get("chengguan.zhuren", format!("/facilities/places/{}/check", t.chengguan_place), SEE_OTHER)
            .form(&item_of(t.chengguan_item)),
        get("chengguan.zhuren", "/facilities/report".into(), FORBIDDEN)
            .form(&[("unit_id", cg.to_string()), ("month", "2026-03".to_owned())]),
        get("qinghe.baowei", "/facilities/report".into(), SEE_OTHER)
            .form(&[("unit_id", county.to_string()), ("month", "2026-03".to_owned())]),
        // The same through the API (SYS-7): a place's ledger, its items, the work list and the monthly report.
        get("dongjie.zhuren", format!("/api/v1/facilities/places/{}", t.chengguan_place), NOT_FOUND),
        get("chengguan.zhuren", format!("/api/v1/facilities/places/{}", t.chengguan_place), OK).with("城关信用社营业部"),
        // Another outlet's item answers as a missing one would (its place is not in scope).
        get("dongjie.zhuren", format!("/api/v1/facilities/items/{}/check", t.chengguan_item), INVALID)
            .json("POST", serde_json::json!({"note": "外观完好"}))
            .with("场所不存在"),
        get("chengguan.zhuren", format!("/api/v1/facilities/items/{}/retire", t.chengguan_item), FORBIDDEN)
            .json("POST", serde_json::json!({"note": "报废"})),
        get("chengguan.zhuren", format!("/api/v1/facilities/items/{}/check", t.chengguan_item), OK)
            .json("POST", serde_json::json!({"note": "外观完好"})),
        get("chengguan.zhuren", "/api/v1/facilities/places".into(), FORBIDDEN)
            .json("POST", serde_json::json!({"unit_id": cg, "kind": "atm", "name": "新设自助银行", "risk_level": 2})),
        get("dongjie.zhuren", format!("/api/v1/facilities/work?unit={cg}"), NOT_FOUND),
        get("dongjie.zhuren", format!("/api/v1/facilities/report?unit={cg}"), NOT_FOUND),
        get("chengguan.zhuren", "/api/v1/facilities/report".into(), FORBIDDEN)
            .json("POST", serde_json::json!({"unit_id": cg, "month": "2026-03"})),
        get("shenji", "/api/v1/facilities/catalogue".into(), OK).with("extinguisher"),
        get("dongjie.zhuren", "/api/v1/bulletins".into(), NOT_FOUND)
            .json("POST", serde_json::json!({"unit_id": cg, "title": "通报", "body": "内容"})),
        get("chengguan.guiyuan", "/api/v1/bulletins".into(), FORBIDDEN)
            .json("POST", serde_json::json!({"unit_id": cg, "title": "通报", "body": "内容"})),
        get("dongjie.zhuren", format!("/api/v1/inspections/{}/correct", t.chengguan_inspection), NOT_FOUND)
            .json("POST", serde_json::json!({})),
        get("chengguan.guiyuan", "/api/v1/checklist".into(), OK).with("\"points\""),
        // What each record kind asks for is the same for everyone signed in.
        get("chengguan.guiyuan", "/api/v1/record-kinds".into(), OK).with("\"atm_patrol\""),
        get("shenji", "/api/v1/record-kinds".into(), OK).with("\"entered_through\""),
        // The Excel exports through the API: the page's own scope, by token.
        get("dongjie.zhuren", format!("/api/v1/keys/export.xlsx?unit={cg}"), NOT_FOUND).with("not_found"),
        get("chengguan.zhuren", format!("/api/v1/keys/export.xlsx?unit={cg}"), OK),
        get("dongjie.zhuren", format!("/api/v1/hazards/export.xlsx?unit={cg}"), NOT_FOUND),
        get("qinghe.baowei", "/api/v1/facilities/places".into(), CREATED)
            .json("POST", serde_json::json!({"unit_id": cg, "kind": "atm", "name": "新设自助银行", "risk_level": 2})),
        get("qinghe.baowei", "/api/v1/facilities/items".into(), CREATED).json("POST", ledger_item(t.chengguan_place)),
        get("qinghe.baowei", retire(t.chengguan_place), SEE_OTHER).form(&item_of(t.chengguan_item)),
        get("baowei", retire(t.dongjie_place), SEE_OTHER).form(&item_of(t.dongjie_item)),
        // Compliance figures: the outlet next door's are neither reported nor rolled up.
        get("dongjie.zhuren", format!("/api/v1/compliance?unit={cg}&{month}"), NOT_FOUND),
        get("dongjie.zhuren", format!("/api/v1/compliance/items?unit={cg}&{month}"), NOT_FOUND),
        get("dongjie.zhuren", format!("/api/v1/compliance?{month}"), OK).with("东街分社").without("城关信用社营业部"),
        get("dongjie.zhuren", format!("/api/v1/compliance/items?{month}"), OK).without("城关信用社营业部"),
        get("chengguan.zhuren", format!("/api/v1/compliance/items?unit={cg}&{month}"), OK).with("城关信用社营业部"),
    ]
}

/// Run the cases in order (a write may change what a later case finds) and report every failure at once.
async fn run(app: &TestApp, cases: Vec<Case>) {
    let mut failures = Vec::new();
    for case in cases {
        let is_api = case.path.starts_with("/api/");
        let mut c = if is_api { app.api(case.user).await } else { app.signed_in(case.user).await };
        let r = match (&case.body, &case.form) {
            (Some(b), _) => c.json(case.method, &case.path, b).await,
            (None, Some(f)) => {
                let fields: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
                c.post_form(&case.path, &fields).await
            }
            (None, None) => c.get(&case.path).await,
        };
        let label = format!("{} {} {}", case.user, case.method, case.path);
        if r.status != case.status {
            failures.push(format!(
                "{label}: expected {}, got {} — {}",
                case.status,
                r.status,
                r.body.chars().take(200).collect::<String>()
            ));
        }
        for s in &case.must_contain {
            if !r.body.contains(s) {
                failures.push(format!("{label}: must contain {s}"));
            }
        }
        for s in &case.must_not_contain {
            if r.body.contains(s) {
                failures.push(format!("{label}: must NOT contain {s}"));
            }
        }
    }
    assert!(failures.is_empty(), "permission scenarios failed:\n{}", failures.join("\n"));
}

#[tokio::test]
async fn each_role_sees_and_changes_only_its_own_subtree() {
    let app = TestApp::demo().await;
    let f = fixture(&app).await;
    run(&app, scenarios(&f)).await;
    app.finish().await;
}

#[tokio::test]
async fn each_act_is_left_to_the_post_the_regulations_give_it() {
    let app = TestApp::demo().await;
    // The served demo's three months of inspections of 城关 and 东街, with their open hazards.
    let made =
        anbao_app::demo_inspect::seed(&app.db, &app.blobs(), anbao_testkit::START_MS, anbao_testkit::DEMO_PASSWORD)
            .await
            .expect("seed inspections");
    assert!(made > 0);
    let f = fixture(&app).await;
    let t = targets(&app, &f).await;
    run(&app, area_scenarios(&f, &t)).await;
    app.finish().await;
}

#[tokio::test]
async fn an_account_created_for_an_outlet_is_confined_to_it() {
    let app = TestApp::demo().await;
    let f = fixture(&app).await;
    let mut admin = app.signed_in("admin").await;
    let r = admin
        .post_form(
            "/admin/accounts",
            &[
                ("username", "new.teller"),
                ("display_name", "新柜员"),
                ("password", "first-pass-1"),
                ("role", "staff"),
                ("unit_id", &f.dongjie.to_string()),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let mut c = app.client();
    c.post_form("/login", &[("username", "new.teller"), ("password", "first-pass-1")]).await;
    // Until the initial password is changed, every page leads to the password page.
    let home = c.get("/").await;
    assert_eq!(home.status, StatusCode::SEE_OTHER);
    assert!(home.location().starts_with("/account/password"), "{}", home.location());
    assert!(c.get("/account/password").await.body.contains("请先设置您自己的新密码"));
    let r = c
        .post_form(
            "/account/password",
            &[("current_password", "first-pass-1"), ("new_password", "own-pass-22"), ("new_password2", "own-pass-22")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let staff = c.get("/staff").await.body;
    assert!(staff.contains(&f.dongjie_name) && !staff.contains(&f.chengguan_name));
    app.finish().await;
}

#[tokio::test]
async fn cases_and_penalties_are_seen_and_decided_only_within_scope() {
    let app = TestApp::demo().await;
    let made =
        anbao_app::demo_incident::seed(&app.db, &app.blobs(), anbao_testkit::START_MS, anbao_testkit::DEMO_PASSWORD)
            .await
            .expect("seed cases");
    assert_eq!(made, 4);
    let f = fixture(&app).await;
    let cg = f.chengguan;
    let theft = app.scalar(&format!("SELECT id FROM cases WHERE unit_id = {cg} AND kind = 'theft'")).await;
    let robbery =
        app.scalar(&format!("SELECT id FROM cases WHERE unit_id = {} AND kind = 'attempted_robbery'", f.dongjie)).await;
    let misuse = app.scalar("SELECT id FROM violations WHERE code = 'interlock_misuse'").await;
    let photo = app.scalar(&format!("SELECT id FROM case_attachments WHERE case_id = {robbery}")).await;
    let note = serde_json::json!({"note": "补充情况"});
    let none = serde_json::json!({});
    let cases = vec![
        get("dongjie.zhuren", "/api/v1/cases".into(), OK).with("东街分社").without("城关信用社营业部"),
        get("dongjie.zhuren", format!("/api/v1/cases/{theft}"), NOT_FOUND),
        get("dongjie.zhuren", format!("/cases/{theft}"), NOT_FOUND),
        get("dongjie.zhuren", format!("/cases/{theft}/determination"), NOT_FOUND),
        get("dongjie.zhuren", format!("/api/v1/cases?unit={cg}"), NOT_FOUND),
        get("dongjie.zhuren", format!("/api/v1/cases/{theft}/forward"), NOT_FOUND).json("POST", none.clone()),
        get("dongjie.zhuren", format!("/cases/{robbery}/determination"), OK).with("东街分社").with("第十二条"),
        get("chengguan.zhuren", format!("/api/v1/cases/{theft}"), OK).with("第十一条"),
        get("chengguan.zhuren", format!("/api/v1/cases/{theft}/decide"), FORBIDDEN).json("POST", none.clone()),
        get("chengguan.zhuren", format!("/api/v1/cases/{theft}/propose"), FORBIDDEN).json("POST", none.clone()),
        get("chengguan.zhuren", format!("/api/v1/cases/{theft}/findings"), FORBIDDEN).json("PUT", none.clone()),
        get("chengguan.zhuren", format!("/api/v1/cases/{theft}/close"), FORBIDDEN).json("POST", none.clone()),
        get("shenji", format!("/api/v1/cases/{theft}"), OK),
        get("shenji", format!("/api/v1/cases/{theft}/decide"), FORBIDDEN).json("POST", none.clone()),
        get("shenji", "/api/v1/cases".into(), FORBIDDEN)
            .json("POST", serde_json::json!({"kind": "theft", "unit_id": cg, "place": "outlet", "description": "x"})),
        get("dongjie.zhuren", format!("/api/v1/penalties?unit={cg}"), NOT_FOUND),
        get("dongjie.zhuren", "/api/v1/penalties".into(), OK).without("城关信用社营业部"),
        get("dongjie.zhuren", format!("/penalties/{misuse}"), NOT_FOUND),
        get("chengguan.zhuren", format!("/penalties/{misuse}"), OK).with("第五篇 第10题"),
        get("chengguan.zhuren", format!("/api/v1/penalties/{misuse}/decide"), FORBIDDEN)
            .json("POST", serde_json::json!({"status": "waived", "reason": "x"})),
        get("dongjie.zhuren", format!("/api/v1/penalties/{misuse}/decide"), NOT_FOUND)
            .json("POST", serde_json::json!({"status": "waived", "reason": "x"})),
        get("qinghe.baowei", format!("/cases/{theft}/decide"), SEE_OTHER).form(&[]),
        get("qinghe.baowei", format!("/cases/{theft}/approve"), NOT_FOUND).form(&[]),
        get("qinghe.baowei", format!("/api/v1/penalties/{misuse}/decide"), NO_CONTENT)
            .json("POST", serde_json::json!({"status": "decided", "fine": 200, "sanction": "warning"})),
        get("baowei", "/cases".into(), OK).with("AJ2026-").with("城关信用社营业部").with("东街分社"),
        // A case's notes and files: those who see the case read them; its unit and the security over it add.
        get("dongjie.zhuren", format!("/cases/{robbery}/files/{photo}"), OK),
        get("dongjie.zhuren", format!("/api/v1/cases/{robbery}/files/{photo}"), OK),
        get("dongjie.zhuren", format!("/cases/{theft}/files/{photo}"), NOT_FOUND),
        get("dongjie.zhuren", format!("/cases/{robbery}/files/x{photo}"), NOT_FOUND),
        get("chengguan.zhuren", format!("/cases/{robbery}/files/{photo}"), NOT_FOUND),
        get("chengguan.zhuren", format!("/api/v1/cases/{robbery}/files/{photo}"), NOT_FOUND),
        get("shenji", format!("/api/v1/cases/{robbery}/files/{photo}"), OK),
        get("dongjie.zhuren", format!("/api/v1/cases/{theft}/notes"), NOT_FOUND).json("POST", note.clone()),
        get("dongjie.zhuren", format!("/api/v1/cases/{theft}/files"), NOT_FOUND).json("POST", note.clone()),
        get("shenji", format!("/cases/{theft}"), OK).with("案件经过").without("id=\"note-form\""),
        get("chengguan.zhuren", format!("/cases/{theft}"), OK).with("id=\"note-form\""),
        get("qinghe.baowei", format!("/cases/{theft}"), OK).with("id=\"note-form\""),
        get("shenji", format!("/api/v1/cases/{theft}/notes"), FORBIDDEN).json("POST", note.clone()),
        get("shenji", format!("/api/v1/cases/{theft}/files"), FORBIDDEN).json("POST", note.clone()),
        get("chengguan.zhuren", format!("/api/v1/cases/{theft}/notes"), NO_CONTENT).json("POST", note.clone()),
        get("qinghe.baowei", format!("/api/v1/cases/{theft}/notes"), NO_CONTENT).json("POST", note.clone()),
        get("dongjie.zhuren", format!("/api/v1/cases/{robbery}/notes"), NO_CONTENT).json("POST", note.clone()),
    ];
    run(&app, cases).await;
    app.finish().await;
}

#[tokio::test]
async fn letters_are_seen_signed_and_organised_only_within_scope() {
    let app = TestApp::demo().await;
    let f = fixture(&app).await;
    let county = app.scalar("SELECT id FROM units WHERE name = '清河县农村信用合作联社'").await;
    let plan = |unit: i64| serde_json::json!({"unit_id": unit, "kind": "security_target", "year": "2027", "targets": "全年不发生案件"});
    let r = app.api("qinghe.baowei").await.json("POST", "/api/v1/letters/plans", &plan(county)).await;
    assert_eq!(r.status, CREATED, "{}", r.body);
    let letter = |user: &str| {
        format!(
            "SELECT l.id FROM letters l JOIN accounts a ON a.staff_id = l.signer_id WHERE a.username = '{user}' AND l.year = 2027"
        )
    };
    let teller = app.scalar(&letter("chengguan.guiyuan")).await;
    let dongjie = app.scalar(&letter("dongjie.zhuren")).await;
    let (cg, dj) = (f.chengguan, f.dongjie);
    let sign = serde_json::json!({"secret": anbao_testkit::DEMO_PIN, "agree": true});
    let remind = |unit: i64| serde_json::json!({"unit_id": unit, "kind": "security_target", "year": "2027"});
    let q = "kind=security_target&year=2027";
    let cases = vec![
        // The teller sees their own letter and their outlet's view, signs their own and nothing else.
        get("chengguan.guiyuan", "/letters".into(), OK).with("我的责任书").without("生成签订计划"),
        get("chengguan.guiyuan", format!("/letters/{teller}"), OK).with("本人签订"),
        get("chengguan.guiyuan", format!("/letters/{teller}/print"), OK).with("2027年度安全目标责任书"),
        get("chengguan.guiyuan", format!("/letters/{dongjie}"), NOT_FOUND),
        get("chengguan.guiyuan", format!("/api/v1/letters/{dongjie}"), NOT_FOUND),
        get("chengguan.guiyuan", format!("/api/v1/letters/{dongjie}/letter.pdf"), NOT_FOUND),
        get("chengguan.guiyuan", format!("/letters/{dongjie}/letter.pdf"), NOT_FOUND),
        get("chengguan.guiyuan", format!("/api/v1/letters/{teller}/letter.pdf"), OK).with("%PDF-"),
        get("chengguan.guiyuan", format!("/api/v1/letters/{dongjie}/sign"), NOT_FOUND).json("POST", sign.clone()),
        get("chengguan.guiyuan", format!("/api/v1/letters?unit={dj}&{q}"), NOT_FOUND),
        get("chengguan.guiyuan", format!("/letters/export.xlsx?unit={dj}&{q}"), NOT_FOUND),
        get("chengguan.guiyuan", "/api/v1/letters/plans".into(), FORBIDDEN).json("POST", plan(cg)),
        get("chengguan.guiyuan", "/api/v1/letters/remind".into(), FORBIDDEN).json("POST", remind(cg)),
        get("chengguan.guiyuan", format!("/api/v1/letters/{teller}/scan"), FORBIDDEN)
            .json("POST", serde_json::json!({})),
        get("chengguan.guiyuan", "/letters/plans".into(), FORBIDDEN).form(&[
            ("unit_id", cg.to_string()),
            ("kind", "security_target".into()),
            ("year", "2027".into()),
            ("targets", "x".into()),
        ]),
        get("chengguan.guiyuan", "/api/v1/letters/mine".into(), OK).with("security_target"),
        get("chengguan.guiyuan", format!("/api/v1/letters/{teller}/sign"), NO_CONTENT).json("POST", sign.clone()),
        get("chengguan.guiyuan", format!("/letters/{teller}/sign"), INVALID)
            .form(&[("secret", anbao_testkit::DEMO_PIN.into()), ("agree", "1".into())])
            .with("已签订"),
        // The outlet head sees their outlet's letters, reminds its people, cannot make a plan (the department does).
        get("chengguan.zhuren", format!("/api/v1/letters?unit={cg}&{q}"), OK).with("\"signed\":1"),
        get("chengguan.zhuren", format!("/letters?unit={cg}&{q}"), OK).without(&f.dongjie_name),
        get("chengguan.zhuren", format!("/letters/{teller}"), OK),
        get("chengguan.zhuren", format!("/api/v1/letters/{teller}/sign"), INVALID)
            .json("POST", sign.clone())
            .with("本人签订"),
        get("chengguan.zhuren", "/api/v1/letters/remind".into(), OK).json("POST", remind(cg)),
        get("chengguan.zhuren", "/api/v1/letters/remind".into(), NOT_FOUND).json("POST", remind(dj)),
        get("chengguan.zhuren", "/letters/remind".into(), SEE_OTHER).form(&[
            ("unit_id", cg.to_string()),
            ("kind", "security_target".into()),
            ("year", "2027".into()),
        ]),
        get("chengguan.zhuren", "/api/v1/letters/plans".into(), FORBIDDEN).json("POST", plan(cg)),
        get("chengguan.zhuren", format!("/letters/{dongjie}/print"), NOT_FOUND),
        get("chengguan.zhuren", format!("/letters/{dongjie}/scan"), NOT_FOUND),
        // The auditor reads, changes nothing.
        get("shenji", format!("/api/v1/letters?unit={county}&{q}"), OK),
        get("shenji", "/api/v1/letters/remind".into(), FORBIDDEN).json("POST", remind(county)),
        get("shenji", "/api/v1/letters/plans".into(), FORBIDDEN).json("POST", plan(county)),
        // The county's security department sees the county and organises it; the province's sees all.
        get("qinghe.baowei", format!("/letters?unit={county}&{q}"), OK).with("生成签订计划").with(&f.dongjie_name),
        get("qinghe.baowei", format!("/letters/export.xlsx?unit={county}&{q}"), OK),
        get("qinghe.baowei", format!("/letters?unit={}&{q}", f.anping), NOT_FOUND),
        get("qinghe.baowei", "/api/v1/letters/plans".into(), NOT_FOUND).json("POST", plan(f.anping)),
        get("qinghe.baowei", "/letters/plans".into(), SEE_OTHER).form(&[
            ("unit_id", county.to_string()),
            ("kind", "fire_safety".into()),
            ("year", "2027".into()),
            ("targets", "无火灾".into()),
        ]),
        get("baowei", format!("/api/v1/letters?unit={}&{q}", f.anping), OK),
        get("baowei", "/letters/x1".into(), NOT_FOUND),
    ];
    run(&app, cases).await;
    app.finish().await;
}

#[tokio::test]
async fn assessments_are_seen_finalised_and_rewarded_only_within_scope() {
    let app = TestApp::demo().await;
    let f = fixture(&app).await;
    let province = app.scalar("SELECT id FROM units WHERE name = '云岭省农村信用社联合社'").await;
    let county = app.scalar("SELECT id FROM units WHERE name = '清河县农村信用合作联社'").await;
    let (cg, dj) = (f.chengguan, f.dongjie);
    let q = "year=2025&quarter=4";
    let freeze = |u: i64| serde_json::json!({"unit_id": u, "year": "2025", "quarter": "4"});
    let reward = |u: i64| serde_json::json!({"unit_id": u, "year": "2025", "title": "先进单位"});
    let cases = vec![
        // An outlet head sees their outlet's own quarter, not the next outlet's nor the county's ranking.
        get("chengguan.zhuren", format!("/api/v1/assessment/units/{cg}?{q}"), OK).with("total_tenths"),
        get("chengguan.zhuren", format!("/assessment/units/{cg}?{q}"), OK).with("城关信用社营业部"),
        get("chengguan.zhuren", format!("/api/v1/assessment/units/{dj}?{q}"), NOT_FOUND),
        get("chengguan.zhuren", format!("/assessment/units/{dj}?{q}"), NOT_FOUND),
        get("chengguan.zhuren", format!("/api/v1/assessment?unit={county}&{q}"), NOT_FOUND),
        get("chengguan.zhuren", format!("/assessment/export.xlsx?unit={county}&{q}"), NOT_FOUND),
        get("chengguan.zhuren", "/assessment".into(), OK).with("本单位不考核下级单位"),
        get("chengguan.zhuren", "/api/v1/assessment/freeze".into(), NOT_FOUND).json("POST", freeze(county)),
        get("chengguan.zhuren", "/api/v1/assessment/rewards".into(), NOT_FOUND).json("POST", reward(dj)),
        get("chengguan.zhuren", "/assessment/scheme".into(), OK).with("查制度看落实"),
        get("chengguan.zhuren", "/api/v1/assessment/scheme".into(), OK),
        get("chengguan.zhuren", "/api/v1/assessment/scheme".into(), FORBIDDEN).json("PUT", serde_json::json!({})),
        // The county's security department ranks its outlets, not the province's counties.
        get("qinghe.baowei", "/assessment".into(), OK).with("东街分社").with("城关信用社营业部"),
        get("qinghe.baowei", format!("/api/v1/assessment?unit={county}&{q}"), OK).with("东街分社"),
        get("qinghe.baowei", format!("/api/v1/assessment?unit={province}&{q}"), NOT_FOUND),
        get("qinghe.baowei", format!("/api/v1/assessment/annual?unit={province}&year=2025"), NOT_FOUND),
        get("qinghe.baowei", "/api/v1/assessment/freeze".into(), NOT_FOUND).json("POST", freeze(province)),
        get("qinghe.baowei", format!("/assessment/export.xlsx?unit={county}&{q}"), OK),
        get("qinghe.baowei", "/assessment/freeze".into(), SEE_OTHER).form(&[
            ("unit_id", county.to_string()),
            ("year", "2025".into()),
            ("quarter", "4".into()),
        ]),
        get("qinghe.baowei", format!("/assessment/annual?unit={county}&year=2025"), OK).with("东街分社"),
        get("qinghe.baowei", "/assessment/rewards".into(), SEE_OTHER).form(&[
            ("unit_id", cg.to_string()),
            ("assessor", county.to_string()),
            ("year", "2025".into()),
            ("title", "先进网点".into()),
        ]),
        // The outlet head may read the county's scheme but not make results final or reward.
        get("chengguan.zhuren", "/api/v1/assessment/freeze".into(), NOT_FOUND).json("POST", freeze(county)),
        // The auditor reads and changes nothing.
        get("shenji", format!("/api/v1/assessment?unit={province}&{q}"), OK).with("清河县农村信用合作联社"),
        get("shenji", "/api/v1/assessment/freeze".into(), FORBIDDEN).json("POST", freeze(province)),
        get("shenji", "/api/v1/assessment/rewards".into(), FORBIDDEN).json("POST", reward(county)),
        get("baowei", format!("/assessment?unit={province}&{q}"), OK)
            .with("安平县农村信用合作联社")
            .with("id=\"freeze\""),
        get("baowei", "/assessment/units/x1".into(), NOT_FOUND),
    ];
    run(&app, cases).await;
    app.finish().await;
}

#[tokio::test]
async fn a_group_is_confirmed_only_by_who_keeps_the_groups_over_it() {
    let app = TestApp::demo().await;
    let county = app.scalar("SELECT id FROM units WHERE name = '清河县农村信用合作联社'").await;
    let other = app.scalar("SELECT id FROM units WHERE name = '安平县农村信用合作联社'").await;
    let group = |u: i64| format!("SELECT id FROM leadership_groups WHERE unit_id = {u} AND kind = 'security'");
    let (mine, theirs) = (app.scalar(&group(county)).await, app.scalar(&group(other)).await);
    let none = serde_json::json!({});
    let cases = vec![
        get("chengguan.zhuren", format!("/api/v1/groups/{mine}/confirm"), NOT_FOUND).json("POST", none.clone()),
        get("chengguan.guiyuan", format!("/groups/{mine}/confirm"), NOT_FOUND).form(&[]),
        get("shenji", format!("/api/v1/groups/{mine}/confirm"), FORBIDDEN).json("POST", none.clone()),
        get("qinghe.baowei", format!("/api/v1/groups/{theirs}/confirm"), NOT_FOUND).json("POST", none.clone()),
        get("qinghe.baowei", format!("/api/v1/groups/{mine}/confirm"), NO_CONTENT).json("POST", none.clone()),
        get("qinghe.baowei", format!("/groups/{mine}/confirm"), SEE_OTHER).form(&[]),
        get("qinghe.baowei", format!("/groups/{mine}"), OK).with("确认本年度本组健全"),
        get("baowei", format!("/api/v1/groups/{theirs}/confirm"), NO_CONTENT).json("POST", none.clone()),
        get("baowei", "/groups/x1/confirm".into(), NOT_FOUND).form(&[]),
    ];
    run(&app, cases).await;
    assert_eq!(app.scalar("SELECT COUNT(*) FROM records WHERE kind = 'leadership_group'").await, 3);
    app.finish().await;
}

#[tokio::test]
async fn a_work_plan_is_made_and_reported_only_by_the_units_keepers() {
    let app = TestApp::demo().await;
    let f = fixture(&app).await;
    let county = app.scalar("SELECT id FROM units WHERE name = '清河县农村信用合作联社'").await;
    let r = app
        .api("qinghe.baowei")
        .await
        .json("POST", "/api/v1/workplan", &serde_json::json!({"unit_id": county, "year": "2026"}))
        .await;
    assert_eq!(r.status, CREATED, "{}", r.body);
    let item = app.scalar("SELECT id FROM work_plan_items WHERE rule_id = '' ORDER BY seq LIMIT 1").await;
    let report = serde_json::json!({"percent": "40"});
    let make = |u: i64| serde_json::json!({"unit_id": u, "year": "2026"});
    let cases = vec![
        get("chengguan.zhuren", format!("/api/v1/workplan?unit={county}&year=2026"), NOT_FOUND),
        get("chengguan.zhuren", format!("/workplan?unit={county}&year=2026"), NOT_FOUND),
        get("chengguan.zhuren", format!("/api/v1/workplan/items/{item}"), NOT_FOUND).json("PUT", report.clone()),
        get("chengguan.zhuren", "/api/v1/workplan".into(), FORBIDDEN).json("POST", make(f.chengguan)),
        get("chengguan.zhuren", "/workplan".into(), OK).with("尚无该年度的工作计划").without("按模板生成"),
        get("chengguan.guiyuan", "/workplan".into(), FORBIDDEN)
            .form(&[("unit_id", f.chengguan.to_string()), ("year", "2026".into())]),
        get("shenji", format!("/api/v1/workplan?unit={county}&year=2026"), OK).with("110联网报警"),
        get("shenji", format!("/api/v1/workplan/items/{item}"), FORBIDDEN).json("PUT", report.clone()),
        get("qinghe.baowei", format!("/api/v1/workplan/items/{item}"), NO_CONTENT).json("PUT", report.clone()),
        get("qinghe.baowei", format!("/workplan/items/{item}"), SEE_OTHER).form(&[
            ("percent", "60".into()),
            ("unit", county.to_string()),
            ("year", "2026".into()),
        ]),
        get("qinghe.baowei", "/api/v1/workplan".into(), NOT_FOUND).json("POST", make(f.anping)),
        get("qinghe.baowei", format!("/workplan?unit={county}&year=2026"), OK).with("60%"),
        get("baowei", "/api/v1/workplan".into(), CREATED).json("POST", make(f.anping)),
        get("baowei", "/workplan/items/x1".into(), NOT_FOUND).form(&[("percent", "1".into())]),
    ];
    run(&app, cases).await;
    app.finish().await;
}

#[tokio::test]
async fn exams_are_sat_marked_and_read_only_within_scope() {
    let app = TestApp::demo().await;
    let f = fixture(&app).await;
    let county = app.scalar("SELECT id FROM units WHERE name = '清河县农村信用合作联社'").await;
    let at = |ms: i64| anbao_domain::time::rfc3339_ms(ms);
    let paper = |unit: i64| {
        serde_json::json!({"unit_id": unit, "title": "临柜人员安全保卫知识考试", "rule": "single:2, short:1", "posts": ["teller"],
            "opens_at": at(app.now() - 60_000), "closes_at": at(app.now() + 86_400_000), "limit_minutes": 30,
            "pass_pct": 60, "max_attempts": 2, "retake_days": 7})
    };
    let r = app.api("qinghe.baowei").await.json("POST", "/api/v1/exams/papers", &paper(county)).await;
    assert_eq!(r.status, CREATED, "{}", r.body);
    let id = r.json()["id"].as_i64().unwrap();
    let r = app.api("baowei").await.json("POST", "/api/v1/exams/papers", &paper(f.anping)).await;
    assert_eq!(r.status, CREATED, "{}", r.body);
    let other = r.json()["id"].as_i64().unwrap();
    let r = app
        .api("chengguan.guiyuan")
        .await
        .json("POST", &format!("/api/v1/exams/papers/{id}/sittings"), &serde_json::json!({}))
        .await;
    assert_eq!(r.status, CREATED, "{}", r.body);
    let sid = r.json()["id"].as_i64().unwrap();
    let mark = serde_json::json!({"awards": {"3": 5}});
    let cases = vec![
        // The teller sits their paper and sees only their own sitting; never the bank, another county's paper, or marking.
        get("chengguan.guiyuan", "/exams".into(), OK).with("临柜人员安全保卫知识考试").without("发布试卷"),
        get("chengguan.guiyuan", format!("/exams/papers/{id}"), OK).with("参加考试").without("各单位情况"),
        get("chengguan.guiyuan", format!("/exams/sittings/{sid}"), OK).with("交卷"),
        get("chengguan.guiyuan", format!("/api/v1/exams/sittings/{sid}"), OK).with("\"answer\":\"\"").without("\"may_mark\":true"),
        get("chengguan.guiyuan", "/exams/bank".into(), FORBIDDEN),
        get("chengguan.guiyuan", "/exams/bank/export.xlsx".into(), FORBIDDEN),
        get("chengguan.guiyuan", "/api/v1/exams/questions".into(), FORBIDDEN),
        get("chengguan.guiyuan", "/api/v1/exams/questions/import".into(), FORBIDDEN).json("POST", serde_json::json!({})),
        get("shenji", "/api/v1/exams/questions/import".into(), FORBIDDEN).json("POST", serde_json::json!({})),
        get("qinghe.baowei", "/api/v1/exams/questions/import".into(), FORBIDDEN).json("POST", serde_json::json!({})),
        get("chengguan.guiyuan", format!("/exams/papers/{other}"), NOT_FOUND),
        get("chengguan.guiyuan", format!("/api/v1/exams/papers/{other}/sittings"), NOT_FOUND).json("POST", serde_json::json!({})),
        get("chengguan.guiyuan", format!("/exams/papers/{id}/results.xlsx"), NOT_FOUND),
        get("chengguan.guiyuan", format!("/api/v1/exams/papers/{id}/results"), NOT_FOUND),
        get("chengguan.guiyuan", "/api/v1/exams/papers".into(), FORBIDDEN).json("POST", paper(f.chengguan)),
        get("chengguan.guiyuan", format!("/api/v1/exams/sittings/{sid}/mark"), FORBIDDEN).json("POST", mark.clone()),
        get("chengguan.guiyuan", "/exams/papers".into(), FORBIDDEN).form(&[
            ("unit_id", f.chengguan.to_string()),
            ("title", "x".into()),
            ("rule", "single:1".into()),
            ("opens_at", "2026-03-02T08:00".into()),
            ("closes_at", "2026-03-09T08:00".into()),
            ("limit_minutes", "30".into()),
            ("pass_pct", "60".into()),
            ("max_attempts", "1".into()),
            ("retake_days", "0".into()),
        ]),
        // The outlet head is no teller: no sitting, but their outlet's results.
        get("chengguan.zhuren", format!("/exams/papers/{id}"), OK).with("各单位情况").with("城关信用社营业部").without("东街分社"),
        get("chengguan.zhuren", format!("/api/v1/exams/papers/{id}/sittings"), INVALID).json("POST", serde_json::json!({})),
        get("chengguan.zhuren", format!("/exams/sittings/{sid}"), OK),
        get("dongjie.zhuren", format!("/exams/sittings/{sid}"), NOT_FOUND),
        // A colleague at the same outlet, who may still sit the paper, never reads another's sitting.
        get("chengguan.guanku", format!("/exams/sittings/{sid}"), NOT_FOUND),
        get("chengguan.guanku", format!("/api/v1/exams/sittings/{sid}"), NOT_FOUND),
        get("dongjie.zhuren", format!("/api/v1/exams/sittings/{sid}/submit"), NOT_FOUND).json("POST", serde_json::json!({"answers": {}})),
        get("chengguan.zhuren", format!("/api/v1/exams/sittings/{sid}/mark"), FORBIDDEN).json("POST", mark.clone()),
        // The auditor reads the bank and results, sets nothing.
        get("shenji", "/exams/bank".into(), OK).with("S5-01"),
        get("shenji", format!("/api/v1/exams/papers/{id}/results"), OK),
        get("shenji", "/api/v1/exams/papers".into(), FORBIDDEN).json("POST", paper(county)),
        get("shenji", "/api/v1/exams/questions".into(), FORBIDDEN).json("POST", serde_json::json!({"code": "X-1", "kind": "truefalse",
            "article": "篇二 四", "difficulty": 1, "marks": 2, "text": "每台自动柜员机每天至少巡查6次。", "answer": "true"})),
        // The county's department reads its paper and not the other county's; the province's sets and edits the bank.
        get("qinghe.baowei", format!("/exams/papers/{id}"), OK).with("各单位情况").with("各题得分"),
        get("qinghe.baowei", format!("/exams/papers/{id}/results.xlsx"), OK),
        get("qinghe.baowei", format!("/exams/papers/{other}"), NOT_FOUND),
        get("qinghe.baowei", "/api/v1/exams/papers".into(), NOT_FOUND).json("POST", paper(f.anping)),
        get("qinghe.baowei", format!("/api/v1/exams/sittings/{sid}/mark"), CONFLICT).json("POST", mark.clone()),
        get("baowei", "/api/v1/exams/questions".into(), CREATED).json("POST", serde_json::json!({"code": "X-1", "kind": "truefalse",
            "article": "篇二 四", "difficulty": 1, "marks": 2, "text": "每台自动柜员机每天至少巡查6次。", "answer": "true"})),
        get("baowei", "/exams/papers/x1".into(), NOT_FOUND),
    ];
    run(&app, cases).await;
    app.finish().await;
}

#[tokio::test]
async fn emergency_plans_are_read_by_everyone_used_by_those_who_record_and_edited_by_the_union() {
    let app = TestApp::demo().await;
    let now = app.now();
    let tick = serde_json::json!({"started_at": now - 60_000, "ticks": [{"step": 1, "at": now - 30_000}]});
    let book = app.api("baowei").await.get("/api/v1/plans").await.json();
    let put = serde_json::json!({"plan": book["plans"]});
    let cases = vec![
        get("chengguan.guiyuan", "/plans".into(), OK).with("火灾").with("押运途中"),
        get("chengguan.guiyuan", "/plans/fire_business_hours".into(), OK).with("tel:119"),
        get("chengguan.guiyuan", "/plans/no_such_plan".into(), NOT_FOUND),
        get("chengguan.guiyuan", "/api/v1/plans/fire_business_hours/runs".into(), CREATED).json("POST", tick.clone()),
        get("chengguan.guiyuan", "/plans/fire_business_hours/runs".into(), SEE_OTHER).form(&[
            ("started_at", (now - 60_000).to_string()),
            ("ticks", format!("[{{\"step\":1,\"at\":{}}}]", now - 30_000)),
            ("notes", String::new()),
        ]),
        get("chengguan.guiyuan", "/api/v1/plans".into(), FORBIDDEN).json("PUT", put.clone()),
        get("qinghe.baowei", "/api/v1/plans".into(), FORBIDDEN).json("PUT", put.clone()),
        get("shenji", "/api/v1/plans/fire_business_hours".into(), OK),
        get("shenji", "/api/v1/plans/fire_business_hours/runs".into(), FORBIDDEN).json("POST", tick.clone()),
        get("baowei", "/api/v1/plans".into(), OK).json("PUT", put.clone()),
    ];
    run(&app, cases).await;
    app.finish().await;
}

#[tokio::test]
async fn the_business_day_calendar_is_read_by_everyone_and_edited_by_the_union() {
    let app = TestApp::demo().await;
    let book = app.api("baowei").await.get("/api/v1/calendar").await.json();
    let put = serde_json::json!({"rest_weekdays": book["rest_weekdays"], "day": book["day"]});
    let day = |kind: &str| {
        vec![("date", "2026-03-09".to_owned()), ("kind", kind.to_owned()), ("name", "临时休息".to_owned())]
    };
    let cases = vec![
        get("chengguan.guiyuan", "/calendar?year=2026".into(), OK)
            .with("春节")
            .with("调休上班")
            .without("calendar-form"),
        get("chengguan.guiyuan", "/api/v1/calendar".into(), OK).with("2026-10-01"),
        get("shenji", "/calendar".into(), OK).without("calendar-form"),
        get("chengguan.guiyuan", "/api/v1/calendar".into(), FORBIDDEN).json("PUT", put.clone()),
        get("chengguan.zhuren", "/calendar/days".into(), FORBIDDEN).form(&day("holiday")),
        // A county's security department keeps its own county's records, not the union's calendar.
        get("qinghe.baowei", "/api/v1/calendar".into(), FORBIDDEN).json("PUT", put.clone()),
        get("qinghe.baowei", "/calendar/days".into(), FORBIDDEN).form(&day("holiday")),
        get("shenji", "/api/v1/calendar".into(), FORBIDDEN).json("PUT", put.clone()),
        get("baowei", "/calendar".into(), OK).with("calendar-form"),
        get("baowei", "/calendar/days".into(), SEE_OTHER).form(&day("holiday")),
        get("baowei", "/api/v1/calendar".into(), OK).json("PUT", put.clone()),
    ];
    run(&app, cases).await;
    app.finish().await;
}

#[tokio::test]
async fn warning_bulletins_are_read_by_their_recipients_and_tallied_within_scope() {
    let app = TestApp::demo().await;
    let f = fixture(&app).await;
    let county = app.scalar("SELECT id FROM units WHERE name = '清河县农村信用合作联社'").await;
    let new = |u: i64| serde_json::json!({"unit_id": u, "title": "持枪抢劫案件通报", "body": "案情与教训"});
    let r = app.api("qinghe.baowei").await.json("POST", "/api/v1/warnings", &new(county)).await;
    assert_eq!(r.status, CREATED, "{}", r.body);
    let w = r.json()["id"].as_i64().unwrap();
    let r = app.api("baowei").await.json("POST", "/api/v1/warnings", &new(f.anping)).await;
    assert_eq!(r.status, CREATED, "{}", r.body);
    let other = r.json()["id"].as_i64().unwrap();
    let cases = vec![
        // The teller reads and acknowledges the bulletin sent to them, sees no tally, issues nothing.
        get("chengguan.guiyuan", "/warnings".into(), OK).with("持枪抢劫案件通报").without("发布警示教育通报"),
        get("chengguan.guiyuan", format!("/warnings/{w}"), OK).with("本人已阅读并知悉").without("未阅读人员"),
        get("chengguan.guiyuan", format!("/warnings/{w}/unread.xlsx"), FORBIDDEN),
        get("chengguan.guiyuan", format!("/warnings/{w}/ack"), SEE_OTHER).form(&[]),
        get("chengguan.guiyuan", format!("/api/v1/warnings/{w}/ack"), NO_CONTENT).json("POST", serde_json::json!({})),
        get("chengguan.guiyuan", format!("/warnings/{other}"), NOT_FOUND),
        get("chengguan.guiyuan", format!("/api/v1/warnings/{other}/ack"), NOT_FOUND)
            .json("POST", serde_json::json!({})),
        get("chengguan.guiyuan", "/api/v1/warnings".into(), FORBIDDEN).json("POST", new(f.chengguan)),
        get("chengguan.guiyuan", "/api/v1/warnings".into(), NOT_FOUND).json("POST", new(county)),
        get("chengguan.guiyuan", "/warnings".into(), FORBIDDEN).form(&[
            ("unit_id", f.chengguan.to_string()),
            ("title", "x".into()),
            ("body", "y".into()),
        ]),
        // The outlet head sees their outlet's readers, not the next outlet's.
        get("chengguan.zhuren", format!("/warnings/{w}"), OK)
            .with("未阅读人员")
            .with("城关信用社营业部")
            .without(&f.dongjie_name),
        get("chengguan.zhuren", format!("/warnings/{w}/unread.xlsx"), OK),
        // The auditor reads the tally, issues nothing, acknowledges nothing (no staff record).
        get("shenji", format!("/api/v1/warnings/{w}"), OK).with("unread_total"),
        get("shenji", "/api/v1/warnings".into(), FORBIDDEN).json("POST", new(county)),
        get("shenji", format!("/api/v1/warnings/{w}/ack"), NOT_FOUND).json("POST", serde_json::json!({})),
        // The county's department tallies its own, not the other county's.
        get("qinghe.baowei", format!("/warnings/{w}"), OK).with("阅读情况"),
        get("qinghe.baowei", format!("/warnings/{other}"), NOT_FOUND),
        get("qinghe.baowei", "/api/v1/warnings".into(), NOT_FOUND).json("POST", new(f.anping)),
        get("baowei", format!("/api/v1/warnings/{other}"), OK),
        get("baowei", "/warnings/x1".into(), NOT_FOUND),
    ];
    run(&app, cases).await;
    app.finish().await;
}

#[tokio::test]
async fn guard_credentials_are_kept_by_the_security_department_over_the_guard() {
    let app = TestApp::demo().await;
    let g = app.scalar("SELECT staff_id FROM accounts WHERE username = 'qinghe.yayun'").await;
    let body = serde_json::json!({"birth": "1995-05-01", "vetted_personnel": "2025-01-10", "vetted_security": "2025-01-12",
        "trained": "2025-02-01", "licence_no": "云公持证〔2025〕0101号", "licence_expires": "2028-01-31"});
    let cases = vec![
        get("chengguan.guiyuan", format!("/staff/{g}/guard"), NOT_FOUND),
        get("chengguan.guiyuan", format!("/api/v1/staff/{g}/guard"), NOT_FOUND).json("PUT", body.clone()),
        get("chengguan.zhuren", format!("/api/v1/staff/{g}/guard"), NOT_FOUND),
        get("qinghe.yayun", format!("/staff/{g}/guard"), OK).with("具备经警资格").without("save-credential"),
        get("qinghe.yayun", format!("/api/v1/staff/{g}/guard"), FORBIDDEN).json("PUT", body.clone()),
        get("shenji", format!("/api/v1/staff/{g}/guard"), OK).with("\"eligible\":true"),
        get("shenji", format!("/api/v1/staff/{g}/guard"), FORBIDDEN).json("PUT", body.clone()),
        get("qinghe.baowei", format!("/staff/{g}/guard"), OK).with("save-credential"),
        get("qinghe.baowei", format!("/api/v1/staff/{g}/guard"), OK).json("PUT", body.clone()),
        get("qinghe.baowei", format!("/staff/{g}/guard"), SEE_OTHER).form(&[
            ("birth", "1995-05-01".into()),
            ("vetted_personnel", "2025-01-10".into()),
            ("vetted_security", "2025-01-12".into()),
            ("trained", "2025-02-01".into()),
            ("licence_no", "云公持证〔2025〕0101号".into()),
            ("licence_expires", "2028-01-31".into()),
        ]),
        get("baowei", "/staff/x1/guard".into(), NOT_FOUND),
    ];
    run(&app, cases).await;
    app.finish().await;
}
