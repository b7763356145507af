//! Hazard pages (隐患台账): the register by unit, status and age; a hazard with its history and the actions of each
//! side; the printable rectification notice; hazards raised by hand; safety bulletins and who has read them.
use super::custody::{date, day, picker, staff_options, unit, unit_options};
use super::{Layout, again, render, user_message, when};
use crate::auth::Page;
use crate::error::PageError;
use crate::form::Id;
use crate::form::IdVerb;
use crate::form::PageForm;
use crate::state::AppState;
use anbao_app::inspect::HazardInput;
use anbao_domain::access::Permission;
use anbao_domain::inspect::HazardStatus;
use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};

#[derive(serde::Deserialize, Default)]
pub struct RegisterQuery {
    unit: Option<i64>,
    status: Option<String>,
    repeat: Option<String>,
    ok: Option<String>,
}

pub struct Row {
    pub id: i64,
    pub notice_no: String,
    pub unit: String,
    pub title: String,
    pub severity: &'static str,
    pub owner: String,
    pub deadline: String,
    pub status: &'static str,
    pub age: i64,
    pub overdue: i64,
    pub escalation: &'static str,
    pub repeat: i64,
}

fn escalation_label(level: u8) -> &'static str {
    match level {
        0 => "",
        1 => "已报分管领导",
        _ => "已报理事会",
    }
}

#[derive(Template)]
#[template(path = "hazards/list.html")]
struct RegisterPage {
    l: Layout,
    unit_id: i64,
    unit_name: String,
    rows: Vec<Row>,
    status: String,
    repeat_only: bool,
    units: Vec<(i64, String)>,
    staff: Vec<(i64, String)>,
    today: String,
    can_raise: bool,
    pick: Vec<(i64, String, bool)>,
    pick_action: &'static str,
    error: Option<String>,
}

async fn register_page(
    s: &AppState,
    p: &Page,
    q: &RegisterQuery,
    error: Option<String>,
) -> Result<RegisterPage, PageError> {
    let u = unit(s, p, q.unit).await?;
    let status = q.status.clone().unwrap_or_default();
    let repeat_only = q.repeat.as_deref() == Some("1");
    let rows =
        anbao_app::inspect::register(&s.db, &p.ctx, u.id, Some(status.as_str()).filter(|s| !s.is_empty())).await?;
    let l = Layout::new(p, "/hazards", "隐患台账", "Hazard register")
        .crumb(p.lang.tr("隐患台账", "Hazard register"), None)
        .flash_from(q.ok.as_deref());
    Ok(RegisterPage {
        l,
        unit_id: u.id.get(),
        unit_name: u.name.clone(),
        rows: rows
            .into_iter()
            .filter(|r| !repeat_only || r.row.repeat_count > 0)
            .map(|r| Row {
                id: r.row.id,
                notice_no: r.row.notice_no.clone(),
                unit: r.row.unit_name.clone(),
                title: r.row.title.clone(),
                severity: crate::documents::severity_zh(&r.row.severity),
                // RESP-2: a hazard names who answers for it, or that the unit's head is vacant.
                owner: r.row.owner_name.clone().unwrap_or_else(|| "（第一责任人空缺）".into()),
                deadline: date(r.row.deadline_day),
                status: HazardStatus::parse(&r.row.status).map_or("—", |s| s.label_zh()),
                age: r.age_days,
                overdue: r.overdue_days,
                escalation: escalation_label(r.escalation),
                repeat: r.row.repeat_count,
            })
            .collect(),
        status,
        repeat_only,
        units: unit_options(s, p, &u.path).await?,
        staff: staff_options(s, p, &u.path).await?,
        today: date(anbao_domain::period::day_of_ms(p.ctx.now)),
        can_raise: p.ctx.actor.scope.allows(Permission::RecordWrite, &u.path),
        pick: picker(s, p, u.id.get()).await?,
        pick_action: "/hazards",
        error,
    })
}

pub async fn register(
    State(s): State<AppState>,
    p: Page,
    Query(q): Query<RegisterQuery>,
) -> Result<Response, PageError> {
    Ok(render(&register_page(&s, &p, &q, None).await?)?.into_response())
}

pub async fn export(State(s): State<AppState>, p: Page, Query(q): Query<RegisterQuery>) -> Result<Response, PageError> {
    let pg = register_page(&s, &p, &q, None).await?;
    let rows: Vec<Vec<String>> = pg
        .rows
        .iter()
        .map(|r| {
            vec![
                r.notice_no.clone(),
                r.unit.clone(),
                r.title.clone(),
                r.severity.to_owned(),
                r.owner.clone(),
                r.deadline.clone(),
                r.status.to_owned(),
                r.age.to_string(),
                r.overdue.to_string(),
                r.escalation.to_owned(),
                r.repeat.to_string(),
            ]
        })
        .collect();
    let bytes = anbao_app::export::xlsx(
        "隐患台账",
        &[
            "通知书编号",
            "单位",
            "隐患",
            "等级",
            "责任人",
            "整改期限",
            "状态",
            "已历天数",
            "逾期天数",
            "上报",
            "此前同类次数",
        ],
        &rows,
    )?;
    Ok(super::org::xlsx_response(bytes, "hazards.xlsx"))
}

pub async fn raise(State(s): State<AppState>, p: Page, PageForm(form): PageForm) -> Result<Response, PageError> {
    let back = form.id_lenient("back_unit");
    let r = async {
        let input = HazardInput {
            unit_id: form.id_lenient("unit_id"),
            title: Some(form.text("title")),
            article: Some(form.text("article")),
            severity: Some(form.text("severity")),
            deadline: Some(day(&form.text("deadline"), "deadline")?),
            owner_id: form.id_lenient("owner_id"),
            case_ref: Some(form.text("case_ref")),
        };
        anbao_app::inspect::raise(&s.db, &p.ctx, &input).await
    }
    .await;
    match r {
        Ok(id) => Ok(Redirect::to(&format!("/hazards/{id}?ok=created")).into_response()),
        Err(e) => {
            let msg = user_message(&p, e)?;
            again(&register_page(&s, &p, &RegisterQuery { unit: back, ..Default::default() }, Some(msg)).await?)
        }
    }
}

#[derive(Template)]
#[template(path = "hazards/show.html")]
struct ShowPage {
    l: Layout,
    id: i64,
    h: anbao_store::inspect::HazardRow,
    status: &'static str,
    severity: &'static str,
    deadline: String,
    raised: String,
    escalation: &'static str,
    events: Vec<(String, &'static str, String, String)>,
    can_rectify: bool,
    can_verify: bool,
    error: Option<String>,
}

async fn show_page(
    s: &AppState,
    p: &Page,
    id: i64,
    ok: Option<&str>,
    error: Option<String>,
) -> Result<ShowPage, PageError> {
    let h = anbao_app::inspect::hazard(&s.db, &p.ctx, id).await?;
    let st = HazardStatus::parse(&h.row.status).unwrap_or(HazardStatus::Closed);
    let l = Layout::new(p, "/hazards", "隐患", "Hazard")
        .crumb(p.lang.tr("隐患台账", "Hazard register"), Some("/hazards".into()))
        .crumb(h.row.notice_no.clone(), None)
        .flash_from(ok);
    Ok(ShowPage {
        l,
        id,
        status: st.label_zh(),
        severity: crate::documents::severity_zh(&h.row.severity),
        deadline: date(h.row.deadline_day),
        raised: when(&h.row.raised_at),
        escalation: escalation_label(h.escalation),
        events: h
            .events
            .iter()
            .map(|e| {
                let what = match e.action.as_str() {
                    "rectified" => "网点报告整改",
                    "verified" => "验证合格，销号",
                    "rejected" => "验证不合格，退回整改",
                    _ => "—",
                };
                (when(&e.at), what, e.note.clone(), e.by_name.clone().unwrap_or_default())
            })
            .collect(),
        can_rectify: st == HazardStatus::Open
            && p.ctx.actor.scope.holds(&anbao_app::inspect::RECTIFIERS, &h.row.unit_path),
        can_verify: st == HazardStatus::Rectified
            && p.ctx.actor.scope.allows(Permission::RecordWrite, &h.row.raised_by_path),
        h: h.row,
        error,
    })
}

pub async fn show(
    State(s): State<AppState>,
    p: Page,
    Id(id): Id,
    Query(q): Query<RegisterQuery>,
) -> Result<Response, PageError> {
    Ok(render(&show_page(&s, &p, id, q.ok.as_deref(), None).await?)?.into_response())
}

crate::verbs!(
    /// What can be done to a hazard from its page.
    HazardVerb {
        Rectify => "rectify",
        Verify => "verify",
    }
);

pub async fn act(
    State(s): State<AppState>,
    p: Page,
    IdVerb(id, verb): IdVerb<HazardVerb>,
    PageForm(form): PageForm,
) -> Result<Response, PageError> {
    let note = form.text("note");
    let r = match verb {
        HazardVerb::Rectify => anbao_app::inspect::rectify(&s.db, &p.ctx, id, &note).await,
        HazardVerb::Verify => {
            let (cause, acc) = (form.text("cause"), form.text("accountability"));
            anbao_app::inspect::verify(&s.db, &p.ctx, id, form.flag("pass"), &note, Some(&cause), Some(&acc)).await
        }
    };
    match r {
        Ok(()) => Ok(Redirect::to(&format!("/hazards/{id}?ok=saved")).into_response()),
        Err(e) => {
            let msg = user_message(&p, e)?;
            again(&show_page(&s, &p, id, None, Some(msg)).await?)
        }
    }
}

#[derive(Template)]
#[template(path = "hazards/notice.html")]
struct NoticePage {
    l: Layout,
    n: crate::documents::HazardNotice,
}

/// The rectification notice (隐患整改通知书) in the usual official layout, for printing; its PDF is the same data.
pub async fn notice(State(s): State<AppState>, p: Page, Id(id): Id) -> Result<Response, PageError> {
    let n = crate::documents::hazard_notice(&s, &p.ctx, id).await?;
    let l = Layout::new(&p, "/hazards", "隐患整改通知书", "Rectification notice");
    Ok(render(&NoticePage { l, n })?.into_response())
}

/// The rectification notice as an A4 PDF in the official layout (红头, number, seal's place).
pub async fn notice_pdf(State(s): State<AppState>, p: Page, Id(id): Id) -> Result<Response, PageError> {
    let n = crate::documents::hazard_notice(&s, &p.ctx, id).await?;
    Ok(crate::documents::pdf(&s, anbao_pdf::Document::HazardNotice, &n, &n.notice_no).await?)
}

#[derive(Template)]
#[template(path = "bulletins/list.html")]
struct BulletinsPage {
    l: Layout,
    rows: Vec<(i64, String, String, String, i64)>,
    hazards: Vec<(i64, String, String)>,
    unit_id: i64,
    can_publish: bool,
    error: Option<String>,
}

async fn bulletins_page(
    s: &AppState,
    p: &Page,
    error: Option<String>,
    ok: Option<&str>,
) -> Result<BulletinsPage, PageError> {
    let u = unit(s, p, None).await?;
    let rows = anbao_app::inspect::bulletins(&s.db, &p.ctx).await?;
    let can_publish = p.ctx.actor.scope.allows(Permission::NoticeWrite, &u.path);
    let hazards = if can_publish {
        anbao_app::inspect::register(&s.db, &p.ctx, u.id, None)
            .await?
            .into_iter()
            .take(200)
            .map(|r| (r.row.id, r.row.notice_no.clone(), format!("{}：{}", r.row.unit_name, r.row.title)))
            .collect()
    } else {
        Vec::new()
    };
    Ok(BulletinsPage {
        l: Layout::new(p, "/bulletins", "安全通报", "Safety bulletins")
            .crumb(p.lang.tr("安全通报", "Safety bulletins"), None)
            .flash_from(ok),
        rows: rows.into_iter().map(|b| (b.id, when(&b.published_at), b.unit_name, b.title, b.reads)).collect(),
        hazards,
        unit_id: u.id.get(),
        can_publish,
        error,
    })
}

pub async fn bulletins(
    State(s): State<AppState>,
    p: Page,
    Query(q): Query<RegisterQuery>,
) -> Result<Response, PageError> {
    Ok(render(&bulletins_page(&s, &p, None, q.ok.as_deref()).await?)?.into_response())
}

pub async fn publish(State(s): State<AppState>, p: Page, PageForm(form): PageForm) -> Result<Response, PageError> {
    let hazards: Vec<i64> = form.all("hazard_ids").iter().filter_map(|v| v.parse().ok()).collect();
    let unit = anbao_domain::ids::UnitId::new(form.id_lenient("unit_id").unwrap_or(0));
    match anbao_app::inspect::publish(&s.db, &p.ctx, unit, &form.text("title"), &form.text("body"), &hazards, &[]).await
    {
        Ok(id) => Ok(Redirect::to(&format!("/bulletins/{id}")).into_response()),
        Err(e) => {
            let msg = user_message(&p, e)?;
            again(&bulletins_page(&s, &p, Some(msg), None).await?)
        }
    }
}

#[derive(Template)]
#[template(path = "bulletins/show.html")]
struct BulletinPage {
    l: Layout,
    b: anbao_store::inspect::BulletinRow,
    published: String,
    hazards: Vec<(i64, String, String, String)>,
    readers: Vec<(String, String)>,
    unread: usize,
}

pub async fn bulletin(
    State(s): State<AppState>,
    p: Page,
    Id(id): Id,
    headers: axum::http::HeaderMap,
) -> Result<Response, PageError> {
    let receipt = crate::security::same_site_navigation(&headers);
    let b = anbao_app::inspect::read_bulletin(&s.db, &p.ctx, id, receipt).await?;
    Ok(render(&BulletinPage {
        l: Layout::new(&p, "/bulletins", "安全通报", "Safety bulletin")
            .crumb(p.lang.tr("安全通报", "Safety bulletins"), Some("/bulletins".into()))
            .crumb(b.row.title.clone(), None),
        published: when(&b.row.published_at),
        hazards: b.hazards.iter().map(|h| (h.id, h.notice_no.clone(), h.unit_name.clone(), h.title.clone())).collect(),
        unread: b.readers.iter().filter(|r| r.1.is_none()).count(),
        readers: b.readers.iter().map(|(n, at)| (n.clone(), at.as_ref().map(when).unwrap_or_default())).collect(),
        b: b.row,
    })?
    .into_response())
}
