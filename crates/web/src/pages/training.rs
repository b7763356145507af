//! The training-hours report (TRN-3): each unit's people, their sessions and hours in a year against the
//! rulebook's target, unit by unit, with Excel.
use super::org::xlsx_response;
use super::{Layout, render};
use crate::auth::Page;
use crate::error::PageError;
use crate::state::AppState;
use anbao_app::training::{self as app, HoursReport, hours_text};
use anbao_domain::ids::UnitId;
use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

#[derive(Deserialize, Default)]
pub struct HoursQuery {
    pub unit: Option<i64>,
    pub year: Option<i32>,
}

pub struct PersonLine {
    pub unit: String,
    pub name: String,
    pub no: String,
    pub sessions: i64,
    pub hours: String,
    pub below: bool,
}

pub struct UnitLine {
    pub id: i64,
    pub unit: String,
    pub people: i64,
    pub hours: String,
    pub mean: String,
    pub below: i64,
}

#[derive(Template)]
#[template(path = "training/hours.html")]
struct HoursPage {
    l: Layout,
    unit_id: i64,
    unit: String,
    year: i32,
    target: String,
    source: String,
    units: Vec<UnitLine>,
    people: Vec<PersonLine>,
}

fn lines(r: &HoursReport) -> (Vec<UnitLine>, Vec<PersonLine>) {
    let target = r.target.as_ref().map(|(h, _)| h * 10);
    let units = r
        .units
        .iter()
        .map(|u| UnitLine {
            id: u.unit_id,
            unit: u.unit_name.clone(),
            people: u.people,
            hours: hours_text(u.tenths),
            mean: hours_text(u.mean_tenths()),
            below: u.below,
        })
        .collect();
    let people = r
        .people
        .iter()
        .map(|p| PersonLine {
            unit: p.unit_name.clone(),
            name: p.name.clone(),
            no: p.staff_no.clone(),
            sessions: p.sessions,
            hours: hours_text(p.tenths),
            below: target.is_some_and(|t| p.tenths < t),
        })
        .collect();
    (units, people)
}

pub async fn hours(State(s): State<AppState>, p: Page, Query(q): Query<HoursQuery>) -> Result<Response, PageError> {
    let r = app::hours(&s.db, &p.ctx, q.unit.map(UnitId::new), q.year).await?;
    let (units, people) = lines(&r);
    let l = Layout::new(&p, "/training/hours", "学习培训学时", "Training hours")
        .crumb(p.lang.tr("学习培训学时", "Training hours"), None);
    Ok(render(&HoursPage {
        unit_id: r.unit.id.get(),
        unit: r.unit.name.clone(),
        year: r.year,
        target: r.target.as_ref().map(|(h, _)| h.to_string()).unwrap_or_default(),
        source: r.target.as_ref().map(|(_, s)| s.clone()).unwrap_or_default(),
        units,
        people,
        l,
    })?
    .into_response())
}

pub async fn export(State(s): State<AppState>, p: Page, Query(q): Query<HoursQuery>) -> Result<Response, PageError> {
    let r = app::hours(&s.db, &p.ctx, q.unit.map(UnitId::new), q.year).await?;
    let (_, people) = lines(&r);
    let rows: Vec<Vec<String>> = people
        .into_iter()
        .map(|x| {
            vec![
                x.unit,
                x.name,
                x.no,
                x.sessions.to_string(),
                x.hours,
                if x.below { "未达标".into() } else { String::new() },
            ]
        })
        .collect();
    let bytes =
        anbao_app::export::xlsx("学习学时", &["单位", "姓名", "工号", "参加次数", "学时（小时）", "备注"], &rows)?;
    Ok(xlsx_response(bytes, "training-hours.xlsx"))
}
