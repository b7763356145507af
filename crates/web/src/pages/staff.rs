//! Staff pages: the searchable list with filters and paging, the Excel export, a person's page, the form.
use super::org::{positions_label, xlsx_response};
use super::{Flash, Layout, render, when};
use crate::auth::Page;
use crate::error::PageError;
use crate::form::Id;
use crate::form::{FormData, PageForm};
use crate::i18n::Lang;
use crate::state::AppState;
use anbao_app::AppError;
use anbao_app::staff::{PAGE_SIZE, StaffInput};
use anbao_domain::access::Permission;
use anbao_domain::ids::StaffId;
use anbao_domain::staff::{CardGrade, Employment, Position};
use anbao_store::staff::StaffRow;
use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

pub use crate::queries::staff::{ListQuery, filter_of, nonempty};

pub struct Row {
    pub id: i64,
    pub name: String,
    pub staff_no: String,
    pub unit: String,
    pub unit_id: i64,
    pub positions: String,
    pub employment: &'static str,
    pub key: bool,
    pub card: &'static str,
    pub active: bool,
}

fn row(s: &StaffRow, lang: Lang) -> Row {
    Row {
        id: s.id.get(),
        name: s.name.clone(),
        staff_no: s.staff_no.clone(),
        unit: s.unit_name.clone(),
        unit_id: s.unit_id.get(),
        positions: positions_label(&s.positions, lang),
        employment: if lang.is_en() { s.employment.label_en() } else { s.employment.label_zh() },
        key: s.key_position,
        card: s.card_grade.map_or("", |g| if lang.is_en() { g.label_en() } else { g.label_zh() }),
        active: s.active,
    }
}

type Opt = (&'static str, &'static str, bool);

fn options<T: Copy>(
    all: &[T],
    code: fn(T) -> &'static str,
    label: fn(T) -> &'static str,
    selected: Option<&str>,
) -> Vec<Opt> {
    all.iter().map(|v| (code(*v), label(*v), selected == Some(code(*v)))).collect()
}

fn labels<T>(lang: Lang, zh: fn(T) -> &'static str, en: fn(T) -> &'static str) -> fn(T) -> &'static str {
    if lang.is_en() { en } else { zh }
}

#[derive(Template)]
#[template(path = "staff/list.html")]
struct ListPage {
    l: Layout,
    rows: Vec<Row>,
    total: i64,
    page: i64,
    pages: i64,
    q: String,
    unit: String,
    key: String,
    positions: Vec<Opt>,
    employments: Vec<Opt>,
    cards: Vec<Opt>,
    query_base: String,
    export_query: String,
    can_create: bool,
}

pub async fn list(State(s): State<AppState>, p: Page, Query(q): Query<ListQuery>) -> Result<Response, PageError> {
    let f = filter_of(&s, &p.ctx, &q).await?;
    let page = nonempty(&q.page).and_then(|v| v.parse::<i64>().ok()).unwrap_or(1).max(1);
    let (rows, total) = anbao_app::staff::list_staff(&s.db, &p.ctx, &f, page).await?;
    let lang = p.lang;
    let mut keep: Vec<(&str, String)> = Vec::new();
    for (k, v) in [
        ("q", &q.q),
        ("unit", &q.unit),
        ("position", &q.position),
        ("employment", &q.employment),
        ("key", &q.key),
        ("card", &q.card),
    ] {
        if let Some(v) = nonempty(v) {
            keep.push((k, v.to_owned()));
        }
    }
    let export_query = serde_urlencoded::to_string(&keep).unwrap_or_default();
    let l = Layout::new(&p, "/staff", "员工档案", "Staff")
        .crumb(lang.tr("员工档案", "Staff"), None)
        .flash_from(q.ok.as_deref());
    let page = ListPage {
        rows: rows.iter().map(|r| row(r, lang)).collect(),
        total,
        page,
        pages: ((total + PAGE_SIZE - 1) / PAGE_SIZE).max(1),
        q: q.q.clone().unwrap_or_default(),
        unit: q.unit.clone().unwrap_or_default(),
        key: q.key.clone().unwrap_or_default(),
        positions: options(
            Position::ALL,
            Position::code,
            labels(lang, Position::label_zh, Position::label_en),
            nonempty(&q.position),
        ),
        employments: options(
            Employment::ALL,
            Employment::code,
            labels(lang, Employment::label_zh, Employment::label_en),
            nonempty(&q.employment),
        ),
        cards: options(
            CardGrade::ALL,
            CardGrade::code,
            labels(lang, CardGrade::label_zh, CardGrade::label_en),
            nonempty(&q.card),
        ),
        query_base: if export_query.is_empty() { String::new() } else { format!("{export_query}&") },
        export_query,
        can_create: p.ctx.actor.scope.has_anywhere(Permission::StaffWrite),
        l,
    };
    Ok(render(&page)?.into_response())
}

pub async fn export(State(s): State<AppState>, p: Page, Query(q): Query<ListQuery>) -> Result<Response, PageError> {
    let f = filter_of(&s, &p.ctx, &q).await?;
    let rows = anbao_app::staff::export_staff(&s.db, &p.ctx, &f).await?;
    let data: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            vec![
                r.staff_no.clone(),
                r.name.clone(),
                r.unit_name.clone(),
                positions_label(&r.positions, Lang::Zh),
                r.employment.label_zh().into(),
                if r.key_position { "是".into() } else { "否".into() },
                r.card_grade.map(|g| g.label_zh().to_owned()).unwrap_or_default(),
                r.phone.clone().unwrap_or_default(),
                if r.active { "在岗".into() } else { "离岗".into() },
            ]
        })
        .collect();
    let headers = ["工号", "姓名", "所属单位", "岗位", "用工性质", "要害岗位", "柜员卡等级", "联系电话", "状态"];
    let bytes = anbao_app::export::xlsx("员工档案", &headers, &data)?;
    Ok(xlsx_response(bytes, "staff.xlsx"))
}

#[derive(Template)]
#[template(path = "staff/show.html")]
struct ShowPage {
    l: Layout,
    r: Row,
    phone: String,
    updated: String,
    can_write: bool,
    history: Vec<(String, String, String)>,
    /// The person's account: "username（状态）", or empty.
    account: String,
}

pub async fn show(
    State(s): State<AppState>,
    p: Page,
    Id(id): Id,
    Query(f): Query<Flash>,
) -> Result<Response, PageError> {
    let id = StaffId::new(id);
    let st = anbao_app::staff::get_staff(&s.db, &p.ctx, id).await?;
    let events = anbao_app::audit::history_of(&s.db, anbao_app::audit::Entity::Staff(id)).await?;
    let lang = p.lang;
    let account = anbao_app::accounts::account_of_staff(&s.db, &p.ctx, id)
        .await?
        .map(|a| {
            let state = if a.disabled { lang.tr("停用", "disabled") } else { lang.tr("在用", "active") };
            format!("{}（{state}）", a.username)
        })
        .unwrap_or_default();
    let mut l = Layout::new(&p, "/staff", "员工", "Staff")
        .crumb(lang.tr("员工档案", "Staff"), Some("/staff".into()))
        .crumb(st.name.clone(), None)
        .flash_from(f.ok.as_deref());
    l.title = st.name.clone();
    let page = ShowPage {
        phone: st.phone.clone().unwrap_or_default(),
        updated: when(&st.updated_at),
        can_write: p.ctx.actor.scope.allows(Permission::StaffWrite, &st.unit_path),
        history: events
            .iter()
            .map(|e| (when(&e.at_ms), e.action.clone(), e.actor_name.clone().unwrap_or_default()))
            .collect(),
        r: row(&st, lang),
        account,
        l,
    };
    Ok(render(&page)?.into_response())
}

#[derive(Template)]
#[template(path = "staff/form.html")]
struct FormPage {
    l: Layout,
    action: String,
    creating: bool,
    units: Vec<(i64, String, bool)>,
    name: String,
    staff_no: String,
    phone: String,
    positions: Vec<Opt>,
    employments: Vec<Opt>,
    cards: Vec<Opt>,
    key: bool,
    active: bool,
    error: Option<String>,
}

struct Values {
    unit: i64,
    name: String,
    staff_no: String,
    phone: String,
    positions: Vec<String>,
    employment: String,
    card: String,
    key: bool,
    active: bool,
}

impl Values {
    fn from_form(f: &FormData) -> Values {
        Values {
            unit: f.get("unit_id").and_then(|v| v.parse().ok()).unwrap_or(0),
            name: f.text("name"),
            staff_no: f.text("staff_no"),
            phone: f.text("phone"),
            positions: f.all("positions"),
            employment: f.text("employment"),
            card: f.text("card_grade"),
            key: f.flag("key_position"),
            active: f.get("active").is_none_or(|v| v == "1"),
        }
    }
}

async fn form_page(
    s: &AppState,
    p: &Page,
    action: String,
    creating: bool,
    v: Values,
    error: Option<String>,
) -> Result<FormPage, PageError> {
    let lang = p.lang;
    let units = anbao_app::org::list_units(&s.db, &p.ctx).await?;
    let units = units
        .into_iter()
        .filter(|u| p.ctx.actor.scope.allows(Permission::StaffWrite, &u.path))
        .map(|u| (u.id.get(), u.name, u.id.get() == v.unit))
        .collect();
    let pos: Vec<&str> = v.positions.iter().map(String::as_str).collect();
    let title = if creating { ("新增员工", "New staff member") } else { ("编辑员工", "Edit staff member") };
    let l = Layout::new(p, "/staff", title.0, title.1)
        .crumb(lang.tr("员工档案", "Staff"), Some("/staff".into()))
        .crumb(lang.tr(title.0, title.1), None);
    Ok(FormPage {
        l,
        action,
        creating,
        units,
        name: v.name,
        staff_no: v.staff_no,
        phone: v.phone,
        positions: Position::ALL
            .iter()
            .map(|x| (x.code(), if lang.is_en() { x.label_en() } else { x.label_zh() }, pos.contains(&x.code())))
            .collect(),
        employments: options(
            Employment::ALL,
            Employment::code,
            labels(lang, Employment::label_zh, Employment::label_en),
            Some(&v.employment),
        ),
        cards: options(
            CardGrade::ALL,
            CardGrade::code,
            labels(lang, CardGrade::label_zh, CardGrade::label_en),
            Some(&v.card),
        ),
        key: v.key,
        active: v.active,
        error,
    })
}

#[derive(Deserialize)]
pub struct NewQuery {
    unit: Option<String>,
}

pub async fn new(State(s): State<AppState>, p: Page, Query(q): Query<NewQuery>) -> Result<Response, PageError> {
    if !p.ctx.actor.scope.has_anywhere(Permission::StaffWrite) {
        return Err(PageError::from(AppError::Forbidden));
    }
    let v = Values {
        unit: q.unit.as_deref().and_then(|u| u.parse().ok()).unwrap_or(0),
        name: String::new(),
        staff_no: String::new(),
        phone: String::new(),
        positions: Vec::new(),
        employment: "formal".into(),
        card: String::new(),
        key: false,
        active: true,
    };
    Ok(render(&form_page(&s, &p, "/staff".into(), true, v, None).await?)?.into_response())
}

fn input_of(f: &FormData) -> Result<StaffInput, PageError> {
    Ok(StaffInput {
        unit_id: f.id("unit_id")?,
        name: f.text("name"),
        staff_no: f.text("staff_no"),
        positions: f.all("positions"),
        employment: f.text("employment"),
        key_position: f.flag("key_position"),
        card_grade: f.get("card_grade").map(str::to_owned),
        phone: f.get("phone").map(str::to_owned),
        active: f.get("active").map(|v| v == "1"),
    })
}

fn message(e: &AppError, lang: Lang) -> String {
    if lang.is_en() { e.message_en() } else { e.message_zh() }
}

pub async fn create(State(s): State<AppState>, p: Page, PageForm(form): PageForm) -> Result<Response, PageError> {
    match anbao_app::staff::create_staff(&s.db, &p.ctx, input_of(&form)?).await {
        Ok(id) => Ok(Redirect::to(&format!("/staff/{id}?ok=created")).into_response()),
        Err(e @ (AppError::Invalid(_) | AppError::Conflict(_))) => {
            let page =
                form_page(&s, &p, "/staff".into(), true, Values::from_form(&form), Some(message(&e, p.lang))).await?;
            Ok((crate::error::status_of(&e), render(&page)?).into_response())
        }
        Err(e) => Err(PageError::from(e)),
    }
}

pub async fn edit(State(s): State<AppState>, p: Page, Id(id): Id) -> Result<Response, PageError> {
    let id = StaffId::new(id);
    let st = anbao_app::staff::get_staff(&s.db, &p.ctx, id).await?;
    if !p.ctx.actor.scope.allows(Permission::StaffWrite, &st.unit_path) {
        return Err(PageError::from(AppError::Forbidden));
    }
    let v = Values {
        unit: st.unit_id.get(),
        name: st.name,
        staff_no: st.staff_no,
        phone: st.phone.unwrap_or_default(),
        positions: st.positions.iter().map(|x| x.code().to_owned()).collect(),
        employment: st.employment.code().into(),
        card: st.card_grade.map(|g| g.code().to_owned()).unwrap_or_default(),
        key: st.key_position,
        active: st.active,
    };
    Ok(render(&form_page(&s, &p, format!("/staff/{id}/edit"), false, v, None).await?)?.into_response())
}

pub async fn update(
    State(s): State<AppState>,
    p: Page,
    Id(id): Id,
    PageForm(form): PageForm,
) -> Result<Response, PageError> {
    let id = StaffId::new(id);
    match anbao_app::staff::update_staff(&s.db, &p.ctx, id, input_of(&form)?).await {
        Ok(()) => Ok(Redirect::to(&format!("/staff/{id}?ok=saved")).into_response()),
        Err(e @ (AppError::Invalid(_) | AppError::Conflict(_))) => {
            let page = form_page(
                &s,
                &p,
                format!("/staff/{id}/edit"),
                false,
                Values::from_form(&form),
                Some(message(&e, p.lang)),
            )
            .await?;
            Ok((crate::error::status_of(&e), render(&page)?).into_response())
        }
        Err(e) => Err(PageError::from(e)),
    }
}
