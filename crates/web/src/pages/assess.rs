//! Assessment pages: the quarter's ranking of the units a reader assesses (with the veto shown), one unit's quarter
//! with every point lost and the records behind it, the year's result with its rewards, and the scheme.
use super::org::xlsx_response;
use super::{Layout, again, render, user_message};
use crate::auth::Page;
use crate::error::PageError;
use crate::form::{Id, PageForm};
use crate::queries::assess::AssessQuery;
use crate::state::AppState;
use anbao_app::assess::{self as app, UnitResult};
use anbao_domain::assess::{Deduction, Scheme, points};
use anbao_domain::ids::UnitId;
use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};

pub struct RankLine {
    pub rank: usize,
    pub unit_id: i64,
    pub unit: String,
    pub kind: &'static str,
    pub total: String,
    pub rating: String,
    pub veto: Option<(i64, String, String)>,
    pub frozen: bool,
}

fn kind_label(code: &str, en: bool) -> &'static str {
    anbao_domain::org::UnitKind::parse(code).map(|k| if en { k.label_en() } else { k.label_zh() }).unwrap_or("")
}

fn rank_lines(results: &[UnitResult], en: bool) -> Vec<RankLine> {
    results
        .iter()
        .enumerate()
        .map(|(i, r)| RankLine {
            rank: i + 1,
            unit_id: r.unit_id,
            unit: r.unit_name.clone(),
            kind: kind_label(&r.unit_kind, en),
            total: points(r.score.total_tenths),
            rating: r.rating_label.clone(),
            veto: r.veto.clone(),
            frozen: r.frozen,
        })
        .collect()
}

#[derive(Template)]
#[template(path = "assess/ranking.html")]
struct RankingPage {
    l: Layout,
    assessor_id: i64,
    assessor: String,
    year: i32,
    quarter: i8,
    lines: Vec<RankLine>,
    may_freeze: bool,
    ended: bool,
    error: Option<String>,
}

async fn ranking_page(
    s: &AppState,
    p: &Page,
    q: &AssessQuery,
    error: Option<String>,
) -> Result<RankingPage, PageError> {
    let r = app::ranking(&s.db, &p.ctx, q.unit()?, q.year(), q.quarter()).await?;
    let l = Layout::new(p, "/assessment", "季度考核", "Quarterly assessment")
        .crumb(p.lang.tr("季度考核", "Quarterly assessment"), None)
        .flash_from(q.ok.as_deref());
    Ok(RankingPage {
        assessor_id: r.assessor.id.get(),
        assessor: r.assessor.name.clone(),
        year: r.year,
        quarter: r.quarter,
        lines: rank_lines(&r.results, p.lang.is_en()),
        may_freeze: r.may_freeze,
        ended: r.ended,
        error,
        l,
    })
}

pub async fn ranking(State(s): State<AppState>, p: Page, Query(q): Query<AssessQuery>) -> Result<Response, PageError> {
    Ok(render(&ranking_page(&s, &p, &q, None).await?)?.into_response())
}

pub async fn export(State(s): State<AppState>, p: Page, Query(q): Query<AssessQuery>) -> Result<Response, PageError> {
    let r = app::ranking(&s.db, &p.ctx, q.unit()?, q.year(), q.quarter()).await?;
    let rows: Vec<Vec<String>> = rank_lines(&r.results, false)
        .into_iter()
        .map(|x| {
            vec![
                x.rank.to_string(),
                x.unit,
                x.kind.to_owned(),
                x.total,
                x.rating,
                x.veto.map(|v| format!("一票否决：{}", v.2)).unwrap_or_default(),
                if x.frozen { "已定稿".into() } else { "未定稿".into() },
            ]
        })
        .collect();
    let sheet = format!("{}年第{}季度考核", r.year, r.quarter);
    let bytes = anbao_app::export::xlsx(&sheet, &["名次", "单位", "类型", "得分", "等次", "一票否决", "状态"], &rows)?;
    Ok(xlsx_response(bytes, "assessment.xlsx"))
}

pub async fn freeze(State(s): State<AppState>, p: Page, PageForm(form): PageForm) -> Result<Response, PageError> {
    let unit = form.id("unit_id")?.ok_or(anbao_app::AppError::NotFound)?;
    let (year, quarter) = (form.text("year"), form.text("quarter"));
    match app::freeze(&s.db, &p.ctx, UnitId::new(unit), &year, &quarter).await {
        Ok(_) => {
            Ok(Redirect::to(&format!("/assessment?unit={unit}&year={year}&quarter={quarter}&ok=saved")).into_response())
        }
        Err(e) => {
            let msg = user_message(&p, e)?;
            let q = AssessQuery { unit: Some(unit.to_string()), ..Default::default() };
            again(&ranking_page(&s, &p, &q, Some(msg)).await?)
        }
    }
}

pub struct SectionView {
    pub title: String,
    pub points: i64,
    pub got: String,
    pub lines: Vec<Deduction>,
}

#[derive(Template)]
#[template(path = "assess/unit.html")]
struct UnitPage {
    l: Layout,
    r: UnitResult,
    year: i32,
    quarter: i8,
    total: String,
    sections: Vec<SectionView>,
}

pub async fn unit(
    State(s): State<AppState>,
    p: Page,
    Id(id): Id,
    Query(q): Query<AssessQuery>,
) -> Result<Response, PageError> {
    let (year, quarter) = match (q.year(), q.quarter()) {
        (Some(y), Some(qq)) => anbao_domain::assess::parse_quarter(y, qq)?,
        _ => app::quarter_of(anbao_domain::period::day_of_ms(p.ctx.now)),
    };
    let (r, _) = app::unit_result(&s.db, &p.ctx, UnitId::new(id), &year.to_string(), &quarter.to_string()).await?;
    let mut l = Layout::new(&p, "/assessment", "季度考核", "Quarterly assessment")
        .crumb(
            p.lang.tr("季度考核", "Quarterly assessment"),
            Some(format!("/assessment?year={year}&quarter={quarter}")),
        )
        .crumb(r.unit_name.clone(), None);
    l.title = format!("{} · {}年第{}季度", r.unit_name, year, quarter);
    let sections = r
        .score
        .sections
        .iter()
        .map(|x| SectionView {
            title: x.title.clone(),
            points: x.points,
            got: points(x.points * 10 - x.lost_tenths),
            lines: x.lines.iter().filter(|d| d.tenths > 0).cloned().collect(),
        })
        .collect();
    let total = points(r.score.total_tenths);
    Ok(render(&UnitPage { l, year, quarter, total, sections, r })?.into_response())
}

pub struct YearLine {
    pub unit_id: i64,
    pub unit: String,
    pub quarters: Vec<String>,
    pub total: String,
    pub rating: String,
    pub veto: Option<(i64, String, String)>,
    pub reward: Option<String>,
}

#[derive(Template)]
#[template(path = "assess/annual.html")]
struct AnnualPage {
    l: Layout,
    assessor_id: i64,
    assessor: String,
    year: i32,
    lines: Vec<YearLine>,
    may_reward: bool,
    error: Option<String>,
}

async fn annual_page(s: &AppState, p: &Page, q: &AssessQuery, error: Option<String>) -> Result<AnnualPage, PageError> {
    let a = app::annual_results(&s.db, &p.ctx, q.unit()?, q.year()).await?;
    let l = Layout::new(p, "/assessment", "年度考核", "Annual result")
        .crumb(p.lang.tr("季度考核", "Quarterly assessment"), Some("/assessment".into()))
        .crumb(p.lang.tr("年度结果", "Annual result"), None)
        .flash_from(q.ok.as_deref());
    let lines = a
        .units
        .iter()
        .map(|u| YearLine {
            unit_id: u.unit_id,
            unit: u.unit_name.clone(),
            quarters: u.quarters.iter().map(|q| q.map(points).unwrap_or_else(|| "—".into())).collect(),
            total: u.total_tenths.map(points).unwrap_or_else(|| "—".into()),
            rating: u.rating_label.clone(),
            veto: u.veto.clone(),
            reward: u.reward.clone(),
        })
        .collect();
    Ok(AnnualPage {
        assessor_id: a.assessor.id.get(),
        assessor: a.assessor.name.clone(),
        year: a.year,
        lines,
        may_reward: a.may_reward,
        error,
        l,
    })
}

pub async fn annual(State(s): State<AppState>, p: Page, Query(q): Query<AssessQuery>) -> Result<Response, PageError> {
    Ok(render(&annual_page(&s, &p, &q, None).await?)?.into_response())
}

pub async fn reward(State(s): State<AppState>, p: Page, PageForm(form): PageForm) -> Result<Response, PageError> {
    let unit = form.id("unit_id")?.ok_or(anbao_app::AppError::NotFound)?;
    let assessor = form.text("assessor");
    let year = form.text("year");
    match app::reward(&s.db, &p.ctx, UnitId::new(unit), &year, &form.text("title")).await {
        Ok(()) => Ok(Redirect::to(&format!("/assessment/annual?unit={assessor}&year={year}&ok=saved")).into_response()),
        Err(e) => {
            let msg = user_message(&p, e)?;
            let q = AssessQuery { unit: Some(assessor), year: Some(year), ..Default::default() };
            again(&annual_page(&s, &p, &q, Some(msg)).await?)
        }
    }
}

#[derive(Template)]
#[template(path = "assess/scheme.html")]
struct SchemePage {
    l: Layout,
    s: Scheme,
}

pub async fn scheme(State(st): State<AppState>, p: Page) -> Result<Response, PageError> {
    let (_, s) = app::scheme(&st.db).await?;
    let l = Layout::new(&p, "/assessment", "考核办法", "Assessment scheme")
        .crumb(p.lang.tr("季度考核", "Quarterly assessment"), Some("/assessment".into()))
        .crumb(p.lang.tr("考核办法", "Scheme"), None);
    Ok(render(&SchemePage { l, s })?.into_response())
}
