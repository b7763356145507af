//! The OpenAPI document, generated from the handlers' annotations so it cannot drift from them.
use super::exports::Exports;
use super::{
    accounts, arms, assess, audit, auth, calendar, compliance, duty, escort, exam, facility, facility_ledger, groups,
    guards, incident, inspect, keys, letters, org, plans, record_kinds, records, staff, training, warnings, workplan,
};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{ContentBuilder, Ref, RefOr, ResponseBuilder};
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

/// The error answers every operation can give, from the one error mechanism all handlers share (`ApiError`, the
/// JSON-errors middleware, the extractors): listed on each operation that does not already describe them, so a
/// client generated from the document knows every status it may meet and that its body is `ErrorBody`.
struct CommonErrors;

/// (status, what it means), for every operation.
const EVERY_OPERATION: [(&str, &str); 6] = [
    ("400", "请求格式不对 (malformed query or body)"),
    ("401", "未登录或令牌失效 (not signed in)"),
    ("403", "无此权限，或须先修改密码 (not permitted, or the password must be changed first)"),
    ("404", "不存在或不在权限范围内 (not found, or outside the caller's scope)"),
    ("422", "输入不符合规则 (input breaks a rule; `field` names it)"),
    ("500", "服务器内部错误 (internal error; the cause is logged)"),
];
/// And for every write: a state that forbids it, and a body over the route's limit.
const EVERY_WRITE: [(&str, &str); 2] =
    [("409", "与现有记录冲突 (conflicts with what is stored)"), ("413", "请求体超过大小上限 (body over the limit)")];
/// Sign-in only: throttled attempts and an unreachable directory.
const SIGN_IN: [(&str, &str); 2] =
    [("429", "尝试次数过多 (too many attempts; see Retry-After)"), ("503", "目录服务不可用 (directory unavailable)")];

impl Modify for CommonErrors {
    fn modify(&self, api: &mut utoipa::openapi::OpenApi) {
        let c = api.components.get_or_insert_with(Default::default);
        let all = EVERY_OPERATION.iter().chain(EVERY_WRITE.iter()).chain(SIGN_IN.iter());
        for (status, what) in all {
            let content = ContentBuilder::new().schema(Some(Ref::from_schema_name("ErrorBody"))).build();
            let r = ResponseBuilder::new().description(*what).content("application/json", content).build();
            c.responses.insert(format!("E{status}"), RefOr::T(r));
        }
        for (path, item) in api.paths.paths.iter_mut() {
            let ops = [
                (false, item.get.as_mut()),
                (true, item.post.as_mut()),
                (true, item.put.as_mut()),
                (true, item.delete.as_mut()),
                (true, item.patch.as_mut()),
            ];
            for (write, op) in ops {
                let Some(op) = op else { continue };
                let mut add = |list: &[(&str, &str)]| {
                    for (status, _) in list {
                        op.responses
                            .responses
                            .entry((*status).to_owned())
                            .or_insert_with(|| RefOr::Ref(Ref::from_response_name(format!("E{status}"))));
                    }
                };
                add(&EVERY_OPERATION);
                if write {
                    add(&EVERY_WRITE);
                }
                if path == "/api/v1/auth/login" {
                    add(&SIGN_IN);
                }
            }
        }
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
        records::list, records::create, records::get, records::add_photo, records::assets, records::create_asset, records::messages, records::mark_read,
        calendar::calendar, calendar::replace, compliance::rules, compliance::rule, compliance::edit_rule, compliance::rollup_of, compliance::items,
        duty::month, duty::save, duty::leave, duty::request_swap, duty::decide_swap,
        keys::table, keys::register, keys::handover, keys::lost, keys::lock_changed, keys::set_pin,
        arms::register_of, arms::register, arms::request, arms::decide, arms::issue, arms::give_back,
        escort::list, escort::register_van, escort::plan, escort::get, escort::depart, escort::close, escort::hand_box, escort::event,
        inspect::list, inspect::start, inspect::get, inspect::save, inspect::countersign,
        inspect::correct, inspect::checklist, inspect::edit_checklist,
        inspect::hazards, inspect::hazard, inspect::hazard_notice_pdf, inspect::raise, inspect::rectify, inspect::verify, inspect::bulletins, inspect::publish,
        facility::gaps, facility::add_item, facility::propose, facility::project_step, facility::import,
        facility_ledger::catalogue, facility_ledger::add_place, facility_ledger::ledger, facility_ledger::item_act, facility_ledger::fault_step, facility_ledger::work, facility_ledger::report, facility_ledger::freeze,
        incident::list, incident::report, incident::get, incident::add_note, incident::add_file, incident::file, incident::forward, incident::findings, incident::propose, incident::decide, incident::send_back, incident::close,
        incident::penalties, incident::decide_penalty, incident::penalty_notice_pdf,
        assess::ranking, assess::unit, assess::freeze, assess::annual, assess::reward, assess::scheme, assess::replace_scheme,
        workplan::plan, workplan::make, workplan::report,
        training::hours,
        warnings::list, warnings::issue, warnings::get, warnings::acknowledge,
        plans::book, plans::replace, plans::plan, plans::record,
        exam::questions, exam::put_question, exam::import, exam::papers, exam::create_paper, exam::paper, exam::results, exam::start, exam::sitting, exam::submit, exam::mark,
        record_kinds::list,
        letters::overview, letters::mine, letters::get, letters::letter_pdf, letters::make_plan, letters::sign, letters::upload_scan, letters::remind,
    ),
    modifiers(&Bearer, &Exports, &CommonErrors),
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

#[cfg(test)]
mod tests {
    use super::ApiDoc;
    use std::collections::BTreeMap;
    use utoipa::OpenApi;

    /// The name each `ToSchema` type of the API files goes by in the document: its `#[schema(as = …)]`, or its own.
    fn schema_names() -> Vec<(String, String)> {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/src/api");
        let mut out = Vec::new();
        for entry in std::fs::read_dir(dir).expect("api dir") {
            let path = entry.expect("entry").path();
            let text = std::fs::read_to_string(&path).expect("source");
            let file = path.file_name().unwrap().to_string_lossy().into_owned();
            let mut pending: Option<Option<String>> = None;
            for line in text.lines().map(str::trim) {
                if line.starts_with("#[derive(") && line.contains("ToSchema") {
                    pending = Some(None);
                } else if let Some(alias) = pending.as_mut() {
                    if let Some(rest) = line.strip_prefix("#[schema(as = ") {
                        *alias = Some(rest.trim_end_matches(")]").to_owned());
                    } else if let Some(rest) = line.strip_prefix("pub struct ").or(line.strip_prefix("pub enum ")) {
                        let own = rest.split([' ', '{', '(', '<', ';']).next().unwrap_or_default().to_owned();
                        out.push((alias.take().unwrap_or(own), file.clone()));
                        pending = None;
                    } else if !line.starts_with("#[") && !line.starts_with("///") {
                        pending = None;
                    }
                }
            }
        }
        out
    }

    #[test]
    fn two_shapes_never_share_a_schema_name() {
        let names = schema_names();
        assert!(names.len() > 100, "the scan found the API's types: {}", names.len());
        let mut by: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        for (name, file) in &names {
            by.entry(name).or_default().push(file);
        }
        let shared: Vec<_> = by.iter().filter(|(_, files)| files.len() > 1).collect();
        assert!(shared.is_empty(), "one schema name for several types (a generated client would break): {shared:?}");
    }

    fn walk<'a>(v: &'a serde_json::Value, at: String, out: &mut Vec<(String, &'a serde_json::Value)>) {
        match v {
            serde_json::Value::Object(m) => {
                for (k, x) in m {
                    out.push((format!("{at}/{k}"), x));
                    walk(x, format!("{at}/{k}"), out);
                }
            }
            serde_json::Value::Array(a) => {
                for (i, x) in a.iter().enumerate() {
                    walk(x, format!("{at}/{i}"), out);
                }
            }
            _ => {}
        }
    }

    #[test]
    fn every_pattern_in_the_document_is_a_named_one() {
        let doc = serde_json::to_value(ApiDoc::openapi()).expect("json");
        let mut all = Vec::new();
        walk(&doc, String::new(), &mut all);
        let named: Vec<&str> = super::super::codes::PATTERNS.iter().map(|p| p.0).collect();
        let patterns: Vec<(&String, &str)> = all
            .iter()
            .filter(|(at, _)| at.ends_with("/pattern"))
            .filter_map(|(at, v)| v.as_str().map(|p| (at, p)))
            .collect();
        assert!(patterns.len() > 40, "the document carries its patterns: {}", patterns.len());
        let strays: Vec<_> = patterns.iter().filter(|(_, p)| !named.contains(p)).collect();
        assert!(strays.is_empty(), "patterns not in api::codes::PATTERNS: {strays:?}");
    }

    /// utoipa takes a limit only as a literal, so the document's copies of the limits the checks read from their
    /// constants are compared with them here: a limit changed in one place fails this, not a client.
    #[test]
    fn the_documents_limits_are_the_checks_constants() {
        use anbao_domain::{calendar, exam, inspect, plans, records::spec::LONG_TEXT};
        let doc = serde_json::to_value(ApiDoc::openapi()).expect("json");
        let at = |schema: &str, field: &str, key: &str| {
            doc["components"]["schemas"][schema]["properties"][field][key].as_u64().map(|n| n as usize)
        };
        let cases = [
            (("RecordInput", "text", "maxLength"), LONG_TEXT),
            (("RecordInput", "text2", "maxLength"), LONG_TEXT),
            (("CalendarBook", "day", "maxItems"), calendar::MAX_DAYS),
            (("ListedDay", "name", "maxLength"), calendar::MAX_NAME_CHARS),
            (("QuestionDraft", "text", "maxLength"), exam::TEXT_MAX),
            (("QuestionDraft", "answer", "maxLength"), exam::ANSWER_MAX),
            (("QuestionDraft", "marks", "maximum"), exam::MARKS_MAX as usize),
            (("ItemResult", "note", "maxLength"), inspect::NOTE_MAX),
            (("PlanBook", "plan", "maxItems"), plans::PLANS_MAX),
            (("Plan", "step", "maxItems"), plans::STEPS_MAX),
        ];
        for ((schema, field, key), want) in cases {
            assert_eq!(at(schema, field, key), Some(want), "{schema}.{field} {key}");
        }
        let options = &doc["components"]["schemas"]["QuestionDraft"]["properties"]["options"];
        assert_eq!(options["maxItems"].as_u64(), Some(exam::OPTIONS_MAX as u64));
        assert_eq!(options["items"]["maxLength"].as_u64(), Some(exam::OPTION_MAX as u64));
    }

    #[test]
    fn the_document_is_valid_openapi_and_lists_every_error() {
        let doc = serde_json::to_value(ApiDoc::openapi()).expect("json");
        let mut all = Vec::new();
        walk(&doc, String::new(), &mut all);
        // A Rust tuple becomes `items: [..]`, which OpenAPI 3.1 does not allow; the API answers named fields instead.
        let tuples: Vec<&String> =
            all.iter().filter(|(at, v)| at.ends_with("/items") && v.is_array()).map(|(at, _)| at).collect();
        assert!(tuples.is_empty(), "tuple schemas: {tuples:?}");
        let paths = doc["paths"].as_object().expect("paths");
        assert!(paths.len() > 100);
        for (path, item) in paths {
            for (method, op) in item.as_object().unwrap() {
                let r = op["responses"].as_object().expect("responses");
                for status in ["400", "401", "403", "404", "422", "500"] {
                    assert!(r.contains_key(status), "{method} {path} does not list {status}");
                }
                if method != "get" {
                    assert!(r.contains_key("409") && r.contains_key("413"), "{method} {path}: 409 and 413");
                }
            }
        }
        assert!(doc["paths"]["/api/v1/auth/login"]["post"]["responses"]["429"].is_object());
        assert!(doc["paths"]["/api/v1/units"]["get"]["responses"]["429"].is_null(), "429 is the sign-in's only");
    }
}
