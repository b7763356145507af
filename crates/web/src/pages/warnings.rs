//! Warning education pages: one's own bulletins (unread first) and those issued over one's units with how many
//! have read them; the form to issue one (by hand or from a closed case); a bulletin with its acknowledgement
//! button and, for heads and the security department, who has not read it, unit by unit, with Excel.
use super::org::xlsx_response;
use super::{Layout, again, render, user_message, when};
use crate::auth::Page;
use crate::error::PageError;
use crate::form::{Id, PageForm};
use crate::state::AppState;
use anbao_app::warnings::{self as app, WarningForm};
use anbao_domain::staff::Position;
use anbao_store::warnings::WarningRow;
use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

pub struct Line {
    pub id: i64,
    pub title: String,
    pub unit: String,
    pub issued: String,
    pub posts: String,
    pub read: Option<String>,
}

fn line(w: &WarningRow) -> Line {
    Line {
        id: w.id,
        title: w.title.clone(),
        unit: w.unit_name.clone(),
        issued: when(&w.issued_at),
        posts: if w.posts.is_empty() {
            "全体员工".into()
        } else {
            w.posts.iter().map(|p| p.label_zh()).collect::<Vec<_>>().join("、")
        },
        read: w.read_at.as_ref().map(when),
    }
}

#[derive(Template)]
#[template(path = "warnings/index.html")]
struct IndexPage {
    l: Layout,
    mine: Vec<Line>,
    issued: Vec<Line>,
    units: Vec<(i64, String)>,
    posts: Vec<(&'static str, &'static str)>,
    cases: Vec<(i64, String, String)>,
    title: String,
    body: String,
    error: Option<String>,
}

#[derive(Deserialize, Default)]
pub struct Flash {
    pub ok: Option<String>,
}

async fn index_page(
    s: &AppState,
    p: &Page,
    flash: Option<&str>,
    title: String,
    body: String,
    error: Option<String>,
) -> Result<IndexPage, PageError> {
    let en = p.lang.is_en();
    let issuer_units: Vec<(i64, String)> = p
        .ctx
        .actor
        .scope
        .grants
        .iter()
        .filter(|g| matches!(g.role, anbao_domain::access::Role::Security | anbao_domain::access::Role::Admin))
        .filter_map(|g| g.unit_id)
        .map(|u| (u.get(), String::new()))
        .collect();
    let mut units = Vec::new();
    for (id, _) in issuer_units {
        if let Ok(u) = anbao_app::org::get_unit(&s.db, &p.ctx, anbao_domain::ids::UnitId::new(id)).await {
            units.push((id, u.name));
        }
    }
    let cases = if units.is_empty() { Vec::new() } else { app::closed_cases(&s.db, &p.ctx).await? };
    let l = Layout::new(p, "/warnings", "警示教育", "Warning education")
        .crumb(p.lang.tr("警示教育", "Warning education"), None)
        .flash_from(flash);
    Ok(IndexPage {
        mine: app::mine(&s.db, &p.ctx).await?.iter().map(line).collect(),
        issued: app::issued(&s.db, &p.ctx).await?.iter().map(line).collect(),
        posts: Position::ALL.iter().map(|x| (x.code(), if en { x.label_en() } else { x.label_zh() })).collect(),
        units,
        cases,
        title,
        body,
        error,
        l,
    })
}

pub async fn index(State(s): State<AppState>, p: Page, Query(q): Query<Flash>) -> Result<Response, PageError> {
    Ok(render(&index_page(&s, &p, q.ok.as_deref(), String::new(), String::new(), None).await?)?.into_response())
}

pub async fn issue(State(s): State<AppState>, p: Page, PageForm(form): PageForm) -> Result<Response, PageError> {
    let f = WarningForm {
        unit_id: form.id("unit_id")?.ok_or(anbao_app::AppError::NotFound)?,
        title: form.text("title"),
        body: form.text("body"),
        posts: form.all("posts"),
        case_id: form.id("case_id")?,
    };
    match app::issue(&s.db, &p.ctx, &f).await {
        Ok(id) => Ok(Redirect::to(&format!("/warnings/{id}?ok=saved")).into_response()),
        Err(e) => {
            let msg = user_message(&p, e)?;
            again(&index_page(&s, &p, None, f.title, f.body, Some(msg)).await?)
        }
    }
}

pub struct TallyLine {
    pub unit: String,
    pub recipients: i64,
    pub read: i64,
    pub unread: i64,
}

#[derive(Template)]
#[template(path = "warnings/show.html")]
struct ShowPage {
    l: Layout,
    w: Line,
    body: Vec<String>,
    case_id: Option<i64>,
    may_acknowledge: bool,
    read_at: Option<String>,
    tallies: Vec<TallyLine>,
    unread: Vec<(String, String, String)>,
    unread_total: usize,
    truncated: bool,
}

pub async fn show(
    State(s): State<AppState>,
    p: Page,
    Id(id): Id,
    Query(q): Query<Flash>,
) -> Result<Response, PageError> {
    let v = app::view(&s.db, &p.ctx, id).await?;
    let mut l = Layout::new(&p, "/warnings", "警示教育", "Warning education")
        .crumb(p.lang.tr("警示教育", "Warning education"), Some("/warnings".into()))
        .crumb(v.warning.title.clone(), None)
        .flash_from(q.ok.as_deref());
    l.title = v.warning.title.clone();
    Ok(render(&ShowPage {
        w: line(&v.warning),
        body: v.warning.body.lines().map(str::to_owned).collect(),
        case_id: v.warning.case_id,
        may_acknowledge: v.may_acknowledge,
        read_at: v.read_at.as_ref().map(when),
        tallies: v
            .tallies
            .iter()
            .map(|t| TallyLine {
                unit: t.unit_name.clone(),
                recipients: t.recipients,
                read: t.read,
                unread: t.recipients - t.read,
            })
            .collect(),
        truncated: v.unread_total > v.unread.len(),
        unread: v.unread.iter().map(|x| (x.unit_name.clone(), x.name.clone(), x.staff_no.clone())).collect(),
        unread_total: v.unread_total,
        l,
    })?
    .into_response())
}

pub async fn acknowledge(
    State(s): State<AppState>,
    p: Page,
    Id(id): Id,
    PageForm(_f): PageForm,
) -> Result<Response, PageError> {
    app::acknowledge(&s.db, &p.ctx, id).await?;
    Ok(Redirect::to(&format!("/warnings/{id}?ok=saved")).into_response())
}

/// Who has not read a bulletin, as Excel (the whole list, not only the first 500).
pub async fn unread_export(State(s): State<AppState>, p: Page, Id(id): Id) -> Result<Response, PageError> {
    let v = app::view_listing(&s.db, &p.ctx, id, 200_000).await?;
    if v.tallies.is_empty() {
        return Err(anbao_app::AppError::Forbidden.into());
    }
    let rows: Vec<Vec<String>> =
        v.unread.iter().map(|x| vec![x.unit_name.clone(), x.name.clone(), x.staff_no.clone()]).collect();
    let bytes = anbao_app::export::xlsx("未阅读人员", &["单位", "姓名", "工号"], &rows)?;
    Ok(xlsx_response(bytes, "warning-unread.xlsx"))
}
