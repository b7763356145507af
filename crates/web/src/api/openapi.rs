//! The OpenAPI document, generated from the handlers' annotations so it cannot drift from them.
use super::{
    accounts, arms, assess, audit, auth, calendar, compliance, duty, escort, exam, facility, groups, guards, incident,
    inspect, keys, letters, org, plans, records, staff, training, warnings, workplan,
};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

struct Bearer;

impl Modify for Bearer {
    fn modify(&self, api: &mut utoipa::openapi::OpenApi) {
        let c = api.components.get_or_insert_with(Default::default);
        c.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

#[derive(OpenApi)]
#[openapi(
    info(title = "Anbao 安保 API", description = "安全保卫管理系统 JSON 接口。先 POST /api/v1/auth/login 取得 token，再以 Authorization: Bearer 调用。错误统一为 {\"error\":{\"code\",\"message\"}}。"),
    paths(
        auth::login, auth::logout, auth::me, auth::change_password, auth::tokens, auth::revoke_token, auth::todo, auth::notices, auth::publish_notice,
        accounts::list, accounts::create, accounts::link_staff, accounts::bulk_preview, accounts::bulk_create, accounts::import, accounts::disable, accounts::enable, accounts::add_grant, accounts::remove_grant,
        org::list, org::get, org::create, org::update, org::move_unit,
        staff::list, staff::get, staff::create, staff::update, guards::get, guards::put,
        groups::list, groups::get, groups::create, groups::put_member, groups::remove_member, groups::confirm,
        audit::events, audit::verify,
        records::list, records::create, records::get, records::add_photo, records::assets, records::create_asset, records::messages,
        calendar::calendar, calendar::replace, compliance::rules, compliance::rule, compliance::edit_rule, compliance::rollup_of, compliance::items,
        duty::month, duty::save, duty::leave, duty::request_swap, duty::decide_swap,
        keys::table, keys::register, keys::handover, keys::lost, keys::lock_changed, keys::set_pin,
        arms::register_of, arms::register, arms::request, arms::decide, arms::issue, arms::give_back,
        escort::list, escort::register_van, escort::plan, escort::get, escort::depart, escort::close, escort::hand_box, escort::event,
        inspect::list, inspect::start, inspect::get, inspect::save, inspect::countersign,
        inspect::hazards, inspect::hazard, inspect::raise, inspect::rectify, inspect::verify, inspect::bulletins,
        facility::gaps, facility::add_item, facility::propose, facility::project_step, facility::import,
        incident::list, incident::report, incident::get, incident::add_note, incident::add_file, incident::file, incident::forward, incident::findings, incident::propose, incident::decide, incident::send_back, incident::close,
        incident::penalties, incident::decide_penalty,
        assess::ranking, assess::unit, assess::freeze, assess::annual, assess::reward, assess::scheme, assess::replace_scheme,
        workplan::plan, workplan::make, workplan::report,
        training::hours,
        warnings::list, warnings::issue, warnings::get, warnings::acknowledge,
        plans::book, plans::replace, plans::plan, plans::record,
        exam::questions, exam::put_question, exam::import, exam::papers, exam::create_paper, exam::paper, exam::results, exam::start, exam::sitting, exam::submit, exam::mark,
        letters::overview, letters::mine, letters::get, letters::make_plan, letters::sign, letters::upload_scan, letters::remind,
    ),
    modifiers(&Bearer),
    security(("bearer" = [])),
    tags((name = "auth", description = "登录与个人 (sign-in, me, to-do)"), (name = "accounts", description = "账号与授权 (accounts, grants)"), (name = "org", description = "组织机构 (org tree)"),
          (name = "staff", description = "员工档案 (staff)"), (name = "groups", description = "领导小组 (leadership groups)"),
          (name = "assessment", description = "季度考核、年度兑现、一票否决 (quarterly 100-point assessment, annual result, veto, rewards, scheme)"),
          (name = "workplan", description = "年度安全保卫工作计划 (annual security work plan)"),
          (name = "training", description = "学习培训学时 (training hours per person against the target)"),
          (name = "warnings", description = "警示教育 (case bulletins, acknowledgements, who has not read)"),
          (name = "plans", description = "应急预案 (emergency plans as steps, contacts, plans followed)"),
          (name = "exams", description = "安全保卫知识考试 (question bank, papers, sittings, marking, results)"),
          (name = "letters", description = "责任书签订 (responsibility letters: signing plan, signing, who has not signed)"),
          (name = "notices", description = "通知公告 (notices)"), (name = "audit", description = "审计日志 (audit trail)"),
          (name = "records", description = "工作记录、设备、消息 (evidence records, assets, messages)"),
          (name = "compliance", description = "规则库与合规 (rulebook, due items, roll-up)"),
          (name = "facility", description = "安防设施台账 (facility ledger, gaps, projects, import)"),
          (name = "cases", description = "案件责任追究、违规处罚 (cases, reports upward, determination, penalties)"),
          (name = "inspect", description = "安全检查、隐患台账、安全通报 (inspections, hazards, bulletins)"),
          (name = "custody", description = "守库排班、钥匙密码、枪弹、押运 (duty roster, keys and codes, guns, escort); 双人手续的第二人以 confirm_username/confirm_secret 当场确认"))
)]
pub struct ApiDoc;

pub async fn openapi_json() -> axum::Json<utoipa::openapi::OpenApi> {
    axum::Json(ApiDoc::openapi())
}
