//! Leadership group pages: all groups in scope, one group with its members, adding and removing members.
use super::org::xlsx_response;
use super::{Flash, Layout, render};
use crate::auth::Page;
use crate::error::PageError;
use crate::form::Id;
use crate::form::IdAnd;
use crate::form::PageForm;
use crate::form::path_id;
use crate::state::AppState;
use anbao_domain::groups::GroupRole;
use anbao_domain::ids::{GroupId, StaffId};
use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};

pub struct GroupRowView {
    pub id: i64,
    pub unit: String,
    pub label: &'static str,
    pub chair: String,
    pub members: i64,
}

#[derive(Template)]
#[template(path = "groups/list.html")]
struct ListPage {
    l: Layout,
    groups: Vec<GroupRowView>,
}

pub async fn list(State(s): State<AppState>, p: Page) -> Result<Response, PageError> {
    let groups = anbao_app::groups::list_groups(&s.db, &p.ctx).await?;
    let en = p.lang.is_en();
    let l = Layout::new(&p, "/groups", "领导小组", "Leadership groups")
        .crumb(p.lang.tr("领导小组", "Leadership groups"), None);
    let groups = groups
        .into_iter()
        .map(|g| GroupRowView {
            id: g.id.get(),
            unit: g.unit_name,
            label: if en { g.kind.label_en() } else { g.kind.label_zh() },
            chair: g.chair_name.unwrap_or_default(),
            members: g.member_count,
        })
        .collect();
    Ok(render(&ListPage { l, groups })?.into_response())
}

pub async fn export(State(s): State<AppState>, p: Page) -> Result<Response, PageError> {
    let groups = anbao_app::groups::list_groups(&s.db, &p.ctx).await?;
    let mut rows = Vec::new();
    for g in groups {
        let (_, members, _) = anbao_app::groups::get_group(&s.db, &p.ctx, g.id).await?;
        for m in members {
            rows.push(vec![
                g.unit_name.clone(),
                g.kind.label_zh().to_owned(),
                m.role.label_zh().to_owned(),
                m.name,
                m.staff_no,
                m.unit_name,
            ]);
        }
    }
    let bytes =
        anbao_app::export::xlsx("领导小组", &["单位", "领导小组", "组内职务", "姓名", "工号", "所在单位"], &rows)?;
    Ok(xlsx_response(bytes, "groups.xlsx"))
}

pub struct MemberView {
    pub staff_id: i64,
    pub name: String,
    pub staff_no: String,
    pub unit: String,
    pub role: &'static str,
}

#[derive(Template)]
#[template(path = "groups/show.html")]
struct ShowPage {
    l: Layout,
    id: i64,
    unit_id: i64,
    unit: String,
    label: &'static str,
    members: Vec<MemberView>,
    can_write: bool,
    roles: Vec<(&'static str, &'static str)>,
    candidates: Vec<(i64, String)>,
    error: Option<String>,
}

pub async fn show(
    State(s): State<AppState>,
    p: Page,
    Id(id): Id,
    Query(f): Query<Flash>,
) -> Result<Response, PageError> {
    Ok(render(&show_page(&s, &p, id, f.ok.as_deref(), None).await?)?.into_response())
}

async fn show_page(
    s: &AppState,
    p: &Page,
    id: i64,
    ok: Option<&str>,
    error: Option<String>,
) -> Result<ShowPage, PageError> {
    let id = GroupId::new(id);
    let (g, members, can_write) = anbao_app::groups::get_group(&s.db, &p.ctx, id).await?;
    let en = p.lang.is_en();
    let label = if en { g.kind.label_en() } else { g.kind.label_zh() };
    let candidates = if can_write {
        // Candidates: the unit's own staff and those of its departments (leaders and security staff sit there).
        let d = anbao_app::org::unit_detail(&s.db, &p.ctx, g.unit_id).await?;
        let mut c: Vec<(i64, String)> =
            d.staff.iter().map(|s| (s.id.get(), format!("{}（{}）", s.name, s.staff_no))).collect();
        for dept in d.children.iter().filter(|u| u.kind == anbao_domain::org::UnitKind::Department) {
            let sub = anbao_app::org::unit_detail(&s.db, &p.ctx, dept.id).await?;
            c.extend(sub.staff.iter().map(|s| (s.id.get(), format!("{}（{} · {}）", s.name, s.staff_no, dept.name))));
        }
        c
    } else {
        Vec::new()
    };
    let mut l = Layout::new(p, "/groups", "领导小组", "Leadership group")
        .crumb(p.lang.tr("领导小组", "Leadership groups"), Some("/groups".into()))
        .crumb(format!("{} · {}", g.unit_name, label), None)
        .flash_from(ok);
    l.title = label.to_owned();
    let page = ShowPage {
        id: id.get(),
        unit_id: g.unit_id.get(),
        unit: g.unit_name,
        label,
        members: members
            .into_iter()
            .map(|m| MemberView {
                staff_id: m.staff_id.get(),
                name: m.name,
                staff_no: m.staff_no,
                unit: m.unit_name,
                role: if en { m.role.label_en() } else { m.role.label_zh() },
            })
            .collect(),
        can_write,
        roles: GroupRole::ALL.iter().map(|r| (r.code(), if en { r.label_en() } else { r.label_zh() })).collect(),
        candidates,
        error,
        l,
    };
    Ok(page)
}

pub async fn put_member(
    State(s): State<AppState>,
    p: Page,
    Id(id): Id,
    PageForm(form): PageForm,
) -> Result<Response, PageError> {
    let id = GroupId::new(id);
    let staff = form.id("staff_id")?.unwrap_or(0);
    anbao_app::groups::put_member(&s.db, &p.ctx, id, StaffId::new(staff), &form.text("role")).await?;
    Ok(Redirect::to(&format!("/groups/{id}?ok=saved")).into_response())
}

pub async fn remove_member(
    State(s): State<AppState>,
    p: Page,
    IdAnd(id, staff): IdAnd,
    _: PageForm,
) -> Result<Response, PageError> {
    let id = GroupId::new(id);
    let staff = StaffId::new(path_id(&staff)?);
    anbao_app::groups::remove_member(&s.db, &p.ctx, id, staff).await?;
    Ok(Redirect::to(&format!("/groups/{id}?ok=saved")).into_response())
}

/// Confirm the group in place for the year; a refusal (no chair, a chair of the wrong post) is shown on the page.
pub async fn confirm(State(s): State<AppState>, p: Page, Id(id): Id, _: PageForm) -> Result<Response, PageError> {
    match anbao_app::groups::confirm_year(&s.db, &p.ctx, GroupId::new(id)).await {
        Ok(()) => Ok(Redirect::to(&format!("/groups/{id}?ok=confirmed")).into_response()),
        Err(e) => {
            let msg = super::user_message(&p, e)?;
            super::again(&show_page(&s, &p, id, None, Some(msg)).await?)
        }
    }
}
