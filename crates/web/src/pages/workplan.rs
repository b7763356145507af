//! The annual security work plan page: a unit's items by section with owner, due month, progress and state; making
//! the plan from the template; reporting progress on the items no rule judges.
use super::{Layout, again, render, user_message};
use crate::auth::Page;
use crate::error::PageError;
use crate::form::{Id, PageForm};
use crate::queries::workplan::PlanQuery;
use crate::state::AppState;
use anbao_app::workplan as app;
use anbao_domain::ids::UnitId;
use anbao_domain::workplan::ItemState;
use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};

pub struct ItemLine {
    pub id: i64,
    pub section: String,
    pub new_section: bool,
    pub title: String,
    pub owner: String,
    pub due: String,
    pub rule: String,
    pub progress: String,
    pub state: &'static str,
    pub state_label: &'static str,
    pub note: String,
    pub percent: i64,
    pub source: String,
    pub may_report: bool,
}

#[derive(Template)]
#[template(path = "workplan/plan.html")]
struct PlanPage {
    l: Layout,
    unit_id: i64,
    unit: String,
    year: i32,
    planned: bool,
    may_make: bool,
    items: Vec<ItemLine>,
    done: usize,
    overdue: usize,
    error: Option<String>,
}

async fn plan_page(s: &AppState, p: &Page, q: &PlanQuery, error: Option<String>) -> Result<PlanPage, PageError> {
    let v = app::plan(&s.db, &p.ctx, q.unit()?, q.year.as_deref()).await?;
    let en = p.lang.is_en();
    let mut last = String::new();
    let items: Vec<ItemLine> = v
        .items
        .iter()
        .map(|i| {
            let new_section = i.row.section != last;
            last.clone_from(&i.row.section);
            ItemLine {
                id: i.row.id,
                section: i.row.section.clone(),
                new_section,
                title: i.row.title.clone(),
                owner: if en { i.accountable.1.clone() } else { i.accountable.0.clone() },
                due: format!("{}{}", i.row.due_month, p.lang.tr("月", "")),
                rule: i.row.rule_id.clone(),
                progress: i.progress.clone(),
                state: i.state.code(),
                state_label: if en { i.state.label_en() } else { i.state.label_zh() },
                note: i.row.note.clone(),
                percent: i.row.percent,
                source: i.row.source.clone(),
                may_report: i.may_report,
            }
        })
        .collect();
    let l = Layout::new(p, "/workplan", "工作计划", "Work plan")
        .crumb(p.lang.tr("年度安全保卫工作计划", "Annual work plan"), None)
        .flash_from(q.ok.as_deref());
    Ok(PlanPage {
        unit_id: v.unit.id.get(),
        unit: v.unit.name.clone(),
        year: v.year,
        planned: v.plan.is_some(),
        may_make: v.may_make,
        done: v.items.iter().filter(|i| i.state == ItemState::Done).count(),
        overdue: v.items.iter().filter(|i| i.state == ItemState::Overdue).count(),
        items,
        error,
        l,
    })
}

pub async fn plan(State(s): State<AppState>, p: Page, Query(q): Query<PlanQuery>) -> Result<Response, PageError> {
    Ok(render(&plan_page(&s, &p, &q, None).await?)?.into_response())
}

pub async fn make(State(s): State<AppState>, p: Page, PageForm(form): PageForm) -> Result<Response, PageError> {
    let unit = form.id("unit_id")?.ok_or(anbao_app::AppError::NotFound)?;
    let year = form.text("year");
    match app::make_plan(&s.db, &p.ctx, UnitId::new(unit), &year).await {
        Ok(_) => Ok(Redirect::to(&format!("/workplan?unit={unit}&year={}&ok=created", year.trim())).into_response()),
        Err(e) => {
            let msg = user_message(&p, e)?;
            let q = PlanQuery { unit: Some(unit.to_string()), ..Default::default() };
            again(&plan_page(&s, &p, &q, Some(msg)).await?)
        }
    }
}

pub async fn report(
    State(s): State<AppState>,
    p: Page,
    Id(id): Id,
    PageForm(form): PageForm,
) -> Result<Response, PageError> {
    let (unit, year) = (form.text("unit"), form.text("year"));
    match app::report(&s.db, &p.ctx, id, &form.text("percent"), &form.text("note")).await {
        Ok(()) => Ok(Redirect::to(&format!("/workplan?unit={unit}&year={year}&ok=saved")).into_response()),
        Err(e) => {
            let msg = user_message(&p, e)?;
            let q = PlanQuery { unit: Some(unit), year: Some(year), ok: None };
            again(&plan_page(&s, &p, &q, Some(msg)).await?)
        }
    }
}
