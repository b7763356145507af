//! Org pages: the tree, a unit's page, creating, editing (rename, leaders), moving, and the Excel export.
use super::{Flash, Layout, render, when};
use crate::auth::Page;
use crate::error::PageError;
use crate::form::{FormData, path_id};
use crate::form::{Id, PageForm};
use crate::i18n::Lang;
use crate::state::AppState;
use anbao_app::AppError;
use anbao_app::org::{UnitEdit, UnitInput};
use anbao_domain::access::Permission;
use anbao_domain::ids::{StaffId, UnitId};
use anbao_domain::org::UnitKind;
use anbao_store::org::UnitRow;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

pub struct UnitView {
    pub id: i64,
    pub name: String,
    pub kind: &'static str,
    pub kind_label: &'static str,
    pub indent: usize,
    pub first_responsible: String,
    pub deputy: String,
    pub staff_count: i64,
    pub phone: String,
}

pub fn kind_label(k: UnitKind, lang: Lang) -> &'static str {
    if lang.is_en() { k.label_en() } else { k.label_zh() }
}

fn view(u: &UnitRow, base_depth: i64, lang: Lang) -> UnitView {
    UnitView {
        id: u.id.get(),
        name: u.name.clone(),
        kind: u.kind.code(),
        kind_label: kind_label(u.kind, lang),
        indent: (u.depth - base_depth).clamp(0, 5) as usize,
        first_responsible: u.first_responsible_name.clone().unwrap_or_default(),
        deputy: u.deputy_in_charge_name.clone().unwrap_or_default(),
        staff_count: u.staff_count,
        phone: u.phone.clone().unwrap_or_default(),
    }
}

#[derive(Template)]
#[template(path = "org/tree.html")]
struct TreePage {
    l: Layout,
    units: Vec<UnitView>,
    can_create_root: bool,
}

pub async fn tree(State(s): State<AppState>, p: Page, Query(f): Query<Flash>) -> Result<Response, PageError> {
    let units = anbao_app::org::list_units(&s.db, &p.ctx).await?;
    let base = units.iter().map(|u| u.depth).min().unwrap_or(1);
    let l = Layout::new(&p, "/org", "组织机构", "Organisation")
        .crumb(p.lang.tr("组织机构", "Organisation"), None)
        .flash_from(f.ok.as_deref());
    let page = TreePage {
        units: units.iter().map(|u| view(u, base, p.lang)).collect(),
        can_create_root: units.is_empty() && p.ctx.actor.scope.has_global(Permission::OrgWrite),
        l,
    };
    Ok(render(&page)?.into_response())
}

pub async fn export(State(s): State<AppState>, p: Page) -> Result<Response, PageError> {
    let units = anbao_app::org::list_units(&s.db, &p.ctx).await?;
    let names: std::collections::HashMap<i64, String> = units.iter().map(|u| (u.id.get(), u.name.clone())).collect();
    let rows: Vec<Vec<String>> = units
        .iter()
        .map(|u| {
            vec![
                u.id.to_string(),
                u.name.clone(),
                u.kind.label_zh().into(),
                u.parent_id.and_then(|p| names.get(&p.get()).cloned()).unwrap_or_default(),
                u.first_responsible_name.clone().unwrap_or_default(),
                u.deputy_in_charge_name.clone().unwrap_or_default(),
                u.staff_count.to_string(),
                u.phone.clone().unwrap_or_default(),
                u.address.clone().unwrap_or_default(),
            ]
        })
        .collect();
    let headers = ["编号", "单位名称", "类型", "上级单位", "第一责任人", "分管领导", "在岗人数", "电话", "地址"];
    let bytes = anbao_app::export::xlsx("组织机构", &headers, &rows)?;
    Ok(xlsx_response(bytes, "units.xlsx"))
}

pub fn xlsx_response(bytes: Vec<u8>, filename: &str) -> Response {
    (
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_owned()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{filename}\"")),
        ],
        bytes,
    )
        .into_response()
}

pub struct PersonView {
    pub id: i64,
    pub name: String,
    pub staff_no: String,
    pub positions: String,
    pub key: bool,
}

pub struct HistoryView {
    pub at: String,
    pub actor: String,
    pub change: String,
    pub name: String,
}

pub struct GroupView {
    pub id: i64,
    pub label: &'static str,
    pub chair: String,
    pub members: i64,
}

#[derive(Template)]
#[template(path = "org/unit.html")]
struct UnitPage {
    l: Layout,
    u: UnitView,
    address: String,
    children: Vec<UnitView>,
    staff: Vec<PersonView>,
    groups: Vec<GroupView>,
    missing_groups: Vec<(&'static str, &'static str)>,
    history: Vec<HistoryView>,
    can_write: bool,
    can_write_staff: bool,
    can_add_child: bool,
}

pub fn positions_label(ps: &[anbao_domain::staff::Position], lang: Lang) -> String {
    ps.iter().map(|p| if lang.is_en() { p.label_en() } else { p.label_zh() }).collect::<Vec<_>>().join("、")
}

pub async fn show(
    State(s): State<AppState>,
    p: Page,
    Id(id): Id,
    Query(f): Query<Flash>,
) -> Result<Response, PageError> {
    let id = UnitId::new(id);
    let d = anbao_app::org::unit_detail(&s.db, &p.ctx, id).await?;
    let lang = p.lang;
    let mut l =
        Layout::new(&p, "/org", "单位详情", "Unit").crumb(lang.tr("组织机构", "Organisation"), Some("/org".into()));
    for (cid, name, linked) in &d.breadcrumbs {
        let href = (*linked && *cid != id).then(|| format!("/org/units/{cid}"));
        l = l.crumb(name.clone(), href);
    }
    l.title = d.unit.name.clone();
    let have: Vec<_> = d.groups.iter().map(|g| g.kind).collect();
    let missing_groups = if d.can_write && d.unit.kind != UnitKind::Department {
        anbao_domain::groups::GroupKind::ALL
            .into_iter()
            .filter(|k| !have.contains(k))
            .map(|k| (k.code(), if lang.is_en() { k.label_en() } else { k.label_zh() }))
            .collect()
    } else {
        Vec::new()
    };
    let page = UnitPage {
        u: view(&d.unit, d.unit.depth, lang),
        address: d.unit.address.clone().unwrap_or_default(),
        children: d.children.iter().map(|c| view(c, c.depth, lang)).collect(),
        staff: d
            .staff
            .iter()
            .map(|s| PersonView {
                id: s.id.get(),
                name: s.name.clone(),
                staff_no: s.staff_no.clone(),
                positions: positions_label(&s.positions, lang),
                key: s.key_position,
            })
            .collect(),
        groups: d
            .groups
            .iter()
            .map(|g| GroupView {
                id: g.id.get(),
                label: if lang.is_en() { g.kind.label_en() } else { g.kind.label_zh() },
                chair: g.chair_name.clone().unwrap_or_default(),
                members: g.member_count,
            })
            .collect(),
        missing_groups,
        history: d
            .history
            .iter()
            .map(|h| HistoryView {
                at: when(&h.at),
                actor: h.actor.clone().unwrap_or_default(),
                change: change_label(&h.change, lang).into(),
                name: h.name.clone(),
            })
            .collect(),
        can_write: d.can_write,
        can_write_staff: d.can_write_staff,
        can_add_child: d.can_write && d.unit.kind != UnitKind::Department,
        l: l.flash_from(f.ok.as_deref()),
    };
    Ok(render(&page)?.into_response())
}

fn change_label(c: &str, lang: Lang) -> &'static str {
    match c {
        "create" => lang.tr("设立", "created"),
        "rename" => lang.tr("更名", "renamed"),
        "move" => lang.tr("调整隶属关系", "moved"),
        _ => lang.tr("修改信息", "updated"),
    }
}

#[derive(Template)]
#[template(path = "org/unit_form.html")]
struct UnitForm {
    l: Layout,
    action: String,
    creating: bool,
    parent_id: String,
    parent_name: String,
    kinds: Vec<(&'static str, &'static str, bool)>,
    name: String,
    address: String,
    phone: String,
    leaders: Vec<(i64, String)>,
    first_responsible: i64,
    deputy: i64,
    error: Option<String>,
}

#[derive(Deserialize)]
pub struct NewQuery {
    parent: Option<String>,
}

fn kind_options(parent: Option<UnitKind>, selected: &str, lang: Lang) -> Vec<(&'static str, &'static str, bool)> {
    UnitKind::ALL
        .into_iter()
        .filter(|k| k.may_sit_under(parent))
        .map(|k| (k.code(), kind_label(k, lang), k.code() == selected))
        .collect()
}

async fn new_form(
    s: &AppState,
    p: &Page,
    parent: Option<UnitId>,
    f: &FormData,
    error: Option<String>,
) -> Result<UnitForm, PageError> {
    let parent_row = match parent {
        Some(pid) => Some(anbao_app::org::get_unit(&s.db, &p.ctx, pid).await?),
        None => None,
    };
    let l = Layout::new(p, "/org", "新增单位", "New unit")
        .crumb(p.lang.tr("组织机构", "Organisation"), Some("/org".into()))
        .crumb(p.lang.tr("新增单位", "New unit"), None);
    Ok(UnitForm {
        l,
        action: "/org/units".into(),
        creating: true,
        parent_id: parent.map(|i| i.to_string()).unwrap_or_default(),
        parent_name: parent_row
            .as_ref()
            .map(|r| r.name.clone())
            .unwrap_or_else(|| p.lang.tr("（根）", "(root)").into()),
        kinds: kind_options(parent_row.as_ref().map(|r| r.kind), &f.text("kind"), p.lang),
        name: f.text("name"),
        address: f.text("address"),
        phone: f.text("phone"),
        leaders: Vec::new(),
        first_responsible: 0,
        deputy: 0,
        error,
    })
}

pub async fn new_unit(State(s): State<AppState>, p: Page, Query(q): Query<NewQuery>) -> Result<Response, PageError> {
    let parent = match q.parent.as_deref() {
        Some(raw) if !raw.is_empty() => Some(UnitId::new(path_id(raw)?)),
        _ => None,
    };
    let page = new_form(&s, &p, parent, &FormData::default(), None).await?;
    Ok(render(&page)?.into_response())
}

fn message(e: &AppError, lang: Lang) -> String {
    if lang.is_en() { e.message_en() } else { e.message_zh() }
}

pub async fn create(State(s): State<AppState>, p: Page, PageForm(form): PageForm) -> Result<Response, PageError> {
    let parent = form.id("parent_id")?.map(UnitId::new);
    let input = UnitInput {
        parent,
        kind: form.text("kind"),
        name: form.text("name"),
        address: form.get("address").map(str::to_owned),
        phone: form.get("phone").map(str::to_owned),
    };
    match anbao_app::org::create_unit(&s.db, &p.ctx, input).await {
        Ok(id) => Ok(Redirect::to(&format!("/org/units/{id}?ok=created")).into_response()),
        Err(e @ (AppError::Invalid(_) | AppError::Conflict(_))) => {
            let page = new_form(&s, &p, parent, &form, Some(message(&e, p.lang))).await?;
            Ok((crate::error::status_of(&e), render(&page)?).into_response())
        }
        Err(e) => Err(PageError::from(e)),
    }
}

async fn edit_form(
    s: &AppState,
    p: &Page,
    id: UnitId,
    f: Option<&FormData>,
    error: Option<String>,
) -> Result<UnitForm, PageError> {
    let u = anbao_app::org::get_unit(&s.db, &p.ctx, id).await?;
    if !p.ctx.actor.scope.allows(Permission::OrgWrite, &u.path) {
        return Err(PageError::from(AppError::Forbidden));
    }
    // Leaders are chosen from the unit's own staff and, for unions, the staff of its departments.
    let d = anbao_app::org::unit_detail(&s.db, &p.ctx, id).await?;
    let mut leaders: Vec<(i64, String)> =
        d.staff.iter().map(|s| (s.id.get(), format!("{}（{}）", s.name, s.staff_no))).collect();
    for child in d.children.iter().filter(|c| c.kind == UnitKind::Department) {
        let sub = anbao_app::org::unit_detail(&s.db, &p.ctx, child.id).await?;
        leaders
            .extend(sub.staff.iter().map(|s| (s.id.get(), format!("{}（{} · {}）", s.name, s.staff_no, child.name))));
    }
    let pick = |key: &str, current: Option<StaffId>| -> i64 {
        match f {
            Some(f) => f.get(key).and_then(|v| v.parse().ok()).unwrap_or(0),
            None => current.map_or(0, StaffId::get),
        }
    };
    let l = Layout::new(p, "/org", "编辑单位", "Edit unit")
        .crumb(p.lang.tr("组织机构", "Organisation"), Some("/org".into()))
        .crumb(u.name.clone(), Some(format!("/org/units/{id}")))
        .crumb(p.lang.tr("编辑", "Edit"), None);
    let text = |key: &str, current: &Option<String>| f.map_or(current.clone().unwrap_or_default(), |f| f.text(key));
    Ok(UnitForm {
        l,
        action: format!("/org/units/{id}/edit"),
        creating: false,
        parent_id: String::new(),
        parent_name: String::new(),
        kinds: vec![(u.kind.code(), kind_label(u.kind, p.lang), true)],
        name: f.map_or(u.name.clone(), |f| f.text("name")),
        address: text("address", &u.address),
        phone: text("phone", &u.phone),
        first_responsible: pick("first_responsible", u.first_responsible_id),
        deputy: pick("deputy_in_charge", u.deputy_in_charge_id),
        leaders,
        error,
    })
}

pub async fn edit(State(s): State<AppState>, p: Page, Id(id): Id) -> Result<Response, PageError> {
    let id = UnitId::new(id);
    Ok(render(&edit_form(&s, &p, id, None, None).await?)?.into_response())
}

pub async fn update(
    State(s): State<AppState>,
    p: Page,
    Id(id): Id,
    PageForm(form): PageForm,
) -> Result<Response, PageError> {
    let id = UnitId::new(id);
    let staff_id = |k: &'static str| form.id(k).map(|v| v.filter(|v| *v != 0).map(StaffId::new));
    let edit = UnitEdit {
        name: form.text("name"),
        first_responsible: staff_id("first_responsible")?,
        deputy_in_charge: staff_id("deputy_in_charge")?,
        address: form.get("address").map(str::to_owned),
        phone: form.get("phone").map(str::to_owned),
    };
    match anbao_app::org::update_unit(&s.db, &p.ctx, id, edit).await {
        Ok(()) => Ok(Redirect::to(&format!("/org/units/{id}?ok=saved")).into_response()),
        Err(e @ (AppError::Invalid(_) | AppError::Conflict(_))) => {
            let page = edit_form(&s, &p, id, Some(&form), Some(message(&e, p.lang))).await?;
            Ok((crate::error::status_of(&e), render(&page)?).into_response())
        }
        Err(e) => Err(PageError::from(e)),
    }
}

#[derive(Template)]
#[template(path = "org/move.html")]
struct MovePage {
    l: Layout,
    id: i64,
    name: String,
    targets: Vec<(i64, String)>,
    error: Option<String>,
}

async fn move_page(s: &AppState, p: &Page, id: UnitId, error: Option<String>) -> Result<MovePage, PageError> {
    let u = anbao_app::org::get_unit(&s.db, &p.ctx, id).await?;
    if !p.ctx.actor.scope.allows(Permission::OrgWrite, &u.path) {
        return Err(PageError::from(AppError::Forbidden));
    }
    let all = anbao_app::org::list_units(&s.db, &p.ctx).await?;
    let targets = all
        .iter()
        .filter(|t| {
            u.kind.may_sit_under(Some(t.kind))
                && !t.path.starts_with(&u.path)
                && Some(t.id) != u.parent_id
                && p.ctx.actor.scope.allows(Permission::OrgWrite, &t.path)
        })
        .map(|t| (t.id.get(), format!("{}（{}）", t.name, kind_label(t.kind, p.lang))))
        .collect();
    let l = Layout::new(p, "/org", "调整隶属关系", "Move unit")
        .crumb(p.lang.tr("组织机构", "Organisation"), Some("/org".into()))
        .crumb(u.name.clone(), Some(format!("/org/units/{id}")))
        .crumb(p.lang.tr("调整隶属关系", "Move"), None);
    Ok(MovePage { l, id: id.get(), name: u.name, targets, error })
}

pub async fn move_form(State(s): State<AppState>, p: Page, Id(id): Id) -> Result<Response, PageError> {
    let id = UnitId::new(id);
    Ok(render(&move_page(&s, &p, id, None).await?)?.into_response())
}

pub async fn move_unit(
    State(s): State<AppState>,
    p: Page,
    Id(id): Id,
    PageForm(form): PageForm,
) -> Result<Response, PageError> {
    let id = UnitId::new(id);
    let target = form.id("parent_id")?.map(UnitId::new);
    let result = match target {
        Some(t) => anbao_app::org::move_unit(&s.db, &p.ctx, id, t).await,
        None => Err(AppError::Invalid(anbao_domain::DomainError::new(
            "parent_id",
            "请选择新的上级单位",
            "choose the new parent",
        ))),
    };
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/org/units/{id}?ok=moved")).into_response()),
        Err(e @ AppError::Invalid(_)) => {
            let page = move_page(&s, &p, id, Some(message(&e, p.lang))).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
        }
        Err(e) => Err(PageError::from(e)),
    }
}

/// Set up a leadership group at a unit (from the unit page).
pub async fn create_group(
    State(s): State<AppState>,
    p: Page,
    Id(id): Id,
    PageForm(form): PageForm,
) -> Result<Response, PageError> {
    let id = UnitId::new(id);
    let g = anbao_app::groups::create_group(&s.db, &p.ctx, id, &form.text("kind")).await?;
    Ok(Redirect::to(&format!("/groups/{g}?ok=created")).into_response())
}
