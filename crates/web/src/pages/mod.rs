//! HTML pages, one module per area. Each page is a typed struct checked against its template at compile time;
//! `Layout` carries what the shell around every page needs (navigation, breadcrumbs, language, CSRF token).
pub mod accounts;
pub mod apidocs;
pub mod arms;
pub mod assess;
pub mod audit;
pub mod calendar;
pub mod compliance;
pub mod custody;
pub mod duty;
pub mod escort;
pub mod exam;
pub mod facility;
pub mod groups;
pub mod guards;
pub mod hazards;
pub mod home;
pub mod incident;
pub mod inspect;
pub mod keys;
pub mod letters;
pub mod login;
pub mod messages;
pub mod org;
pub mod plans;
pub mod records;
pub mod rulebook;
pub mod staff;
pub mod training;
pub mod warnings;
pub mod workplan;

use crate::auth::Page;
use crate::error::PageError;
use crate::i18n::Lang;
use anbao_domain::access::Permission;
use askama::Template;
use axum::response::Html;

pub struct NavItem {
    pub href: &'static str,
    pub label: &'static str,
    pub active: bool,
}

pub struct Crumb {
    pub label: String,
    pub href: Option<String>,
}

pub struct Layout {
    pub lang: Lang,
    pub title: String,
    pub user: String,
    pub roles: String,
    pub csrf: String,
    pub nav: Vec<NavItem>,
    pub crumbs: Vec<Crumb>,
    pub flash: Option<String>,
    pub path: String,
}

/// The left navigation, by area; entries appear only where the person holds the permission somewhere.
const NAV: [(&str, &str, &str, Option<Permission>); 31] = [
    ("/", "首页", "Home", None),
    ("/records/new?kind=atm_patrol", "快速登记", "Quick record", Some(Permission::RecordWrite)),
    ("/records", "工作记录", "Records", None),
    ("/compliance", "合规看板", "Compliance", None),
    ("/rulebook", "规则库", "Rulebook", None),
    ("/calendar", "营业日历", "Business days", None),
    ("/messages", "消息中心", "Messages", None),
    ("/org", "组织机构", "Organisation", None),
    ("/staff", "员工档案", "Staff", None),
    ("/groups", "领导小组", "Leadership groups", None),
    ("/letters", "责任书", "Responsibility letters", None),
    ("/workplan", "工作计划", "Work plan", None),
    ("/assessment", "季度考核", "Assessment", None),
    ("/training/hours", "学习学时", "Training hours", None),
    ("/exams", "考试", "Exams", None),
    ("/plans", "应急预案", "Emergency plans", None),
    ("/warnings", "警示教育", "Warning education", None),
    ("/assets", "设备台账", "Assets", None),
    ("/inspections", "安全检查", "Inspections", None),
    ("/hazards", "隐患台账", "Hazard register", None),
    ("/bulletins", "安全通报", "Safety bulletins", None),
    ("/cases", "案件管理", "Cases", None),
    ("/penalties", "违规处罚", "Penalties", None),
    ("/facilities", "安防设施", "Facilities", None),
    ("/duty", "守库排班", "Duty roster", None),
    ("/keys", "钥匙密码", "Keys and codes", None),
    ("/arms", "枪弹管理", "Guns and ammunition", None),
    ("/escort", "押运管理", "Escort trips", None),
    ("/audit", "审计日志", "Audit trail", Some(Permission::AuditRead)),
    ("/admin/accounts", "账号与权限", "Accounts", Some(Permission::AccountAdmin)),
    ("/api/docs", "接口文档", "API", None),
];

impl Layout {
    pub fn new(p: &Page, active: &str, title_zh: &str, title_en: &str) -> Layout {
        let lang = p.lang;
        let nav = NAV
            .iter()
            .filter(|(_, _, _, perm)| perm.is_none_or(|perm| p.ctx.actor.scope.has_anywhere(perm)))
            .map(|(href, zh, en, _)| NavItem { href, label: lang.tr(zh, en), active: *href == active })
            .collect();
        let mut roles: Vec<&str> = p
            .ctx
            .actor
            .scope
            .grants
            .iter()
            .map(|g| if lang.is_en() { g.role.label_en() } else { g.role.label_zh() })
            .collect();
        roles.dedup();
        Layout {
            lang,
            title: lang.tr(title_zh, title_en).to_owned(),
            user: p.ctx.actor.display_name.clone(),
            roles: roles.join("、"),
            csrf: p.csrf.clone(),
            nav,
            crumbs: vec![Crumb { label: lang.tr("首页", "Home").into(), href: Some("/".into()) }],
            flash: None,
            path: active.to_owned(),
        }
    }

    pub fn tr<'a>(&self, zh: &'a str, en: &'a str) -> &'a str {
        self.lang.tr(zh, en)
    }

    pub fn crumb(mut self, label: impl Into<String>, href: Option<String>) -> Self {
        self.crumbs.push(Crumb { label: label.into(), href });
        self
    }

    /// Show a confirmation after a redirect (`?ok=saved`).
    pub fn flash_from(mut self, ok: Option<&str>) -> Self {
        self.flash = ok.map(|k| {
            match k {
                "created" => self.tr("已创建", "Created"),
                "moved" => self.tr("已移动", "Moved"),
                "password" => self.tr(
                    "密码已修改，您的其他会话和API令牌均已结束",
                    "Password changed; your other sessions and API tokens have ended",
                ),
                "must_change" => {
                    self.tr("请先修改初始密码，然后才能继续使用", "Change your initial password before going on")
                }
                "revoked" => self.tr("已结束该会话", "That session has ended"),
                "signed" => self.tr("责任书已签订", "The letter is signed"),
                "confirmed" => self.tr("已确认本年度本组健全", "The group is confirmed for the year"),
                "reminded" => self.tr("已向未签订人员发送提醒", "The people who have not signed were reminded"),
                _ => self.tr("已保存", "Saved"),
            }
            .to_owned()
        });
        self
    }

    pub fn lang_code(&self) -> &'static str {
        self.lang.code()
    }

    pub fn is_en(&self) -> bool {
        self.lang.is_en()
    }
}

pub fn render<T: Template>(t: &T) -> Result<Html<String>, PageError> {
    t.render().map(Html).map_err(|e| PageError::from(anbao_app::AppError::Internal(e.to_string())))
}

/// Local time for display.
pub fn when(ms: &i64) -> String {
    anbao_domain::time::format_ms(*ms)
}

#[derive(serde::Deserialize, Default)]
pub struct Flash {
    pub ok: Option<String>,
}

/// A refusal the person can act on (bad input, a broken rule, a state conflict, a lock-out) becomes a message shown
/// on the page they came from; anything else is an error page.
pub fn user_message(p: &crate::auth::Page, e: anbao_app::AppError) -> Result<String, PageError> {
    use anbao_app::AppError as E;
    match e {
        E::Invalid(_) | E::Conflict(_) | E::TooManyAttempts { .. } => {
            Ok(if p.lang.is_en() { e.message_en() } else { e.message_zh() })
        }
        other => Err(PageError::from(other)),
    }
}

/// A refused form answers with its page again, the message on top, as 422; nothing was written.
pub fn again<T: Template>(page: &T) -> Result<axum::response::Response, PageError> {
    use axum::response::IntoResponse;
    Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, render(page)?).into_response())
}
