//! `/api/v1/assessment`: the quarter's ranking, one unit's quarter with every point lost, the year's result, making a
//! quarter final, rewards, and the scheme (read, or replaced by a new version). The same `anbao_app::assess` calls as
//! the pages.
use crate::auth::{Api, ApiJson};
use crate::error::{ApiError, ErrorBody};
use crate::form::Id;
use crate::queries::assess::AssessQuery;
use crate::state::AppState;
use anbao_app::assess::{self as app, UnitResult};
use anbao_domain::assess::Scheme;
use anbao_domain::ids::UnitId;
use axum::Json;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// One point lost, with the page of the records behind it.
#[derive(Serialize, ToSchema)]
pub struct LineBody {
    pub section: String,
    pub item: String,
    pub what: String,
    /// Points lost, in tenths (15 = 1.5 points).
    pub lost_tenths: i64,
    pub link: String,
}

/// A unit's quarter.
#[derive(Serialize, ToSchema)]
pub struct ResultBody {
    pub unit_id: i64,
    pub unit_name: String,
    pub unit_kind: String,
    /// Score in tenths (875 = 87.5 points).
    pub total_tenths: i64,
    pub rating: String,
    pub rating_label: String,
    pub veto_case_id: Option<i64>,
    pub veto_case_no: Option<String>,
    pub final_result: bool,
    pub lines: Vec<LineBody>,
}

fn body(r: &UnitResult) -> ResultBody {
    ResultBody {
        unit_id: r.unit_id,
        unit_name: r.unit_name.clone(),
        unit_kind: r.unit_kind.clone(),
        total_tenths: r.score.total_tenths,
        rating: r.rating.clone(),
        rating_label: r.rating_label.clone(),
        veto_case_id: r.veto.as_ref().map(|v| v.0),
        veto_case_no: r.veto.as_ref().map(|v| v.1.clone()),
        final_result: r.frozen,
        lines: r
            .score
            .sections
            .iter()
            .flat_map(|s| {
                s.lines.iter().filter(|d| d.tenths > 0).map(|d| LineBody {
                    section: s.code.clone(),
                    item: d.item.clone(),
                    what: d.what.clone(),
                    lost_tenths: d.tenths,
                    link: d.link.clone(),
                })
            })
            .collect(),
    }
}

#[derive(Serialize, ToSchema)]
pub struct RankingBody {
    pub assessor_id: i64,
    pub year: i32,
    pub quarter: i8,
    /// Best first.
    pub results: Vec<ResultBody>,
}

/// The ranking of the units the reader's unit assesses in a quarter (default: the current one).
#[utoipa::path(get, path = "/api/v1/assessment", tag = "assessment",
    params(("unit" = Option<i64>, Query), ("year" = Option<i32>, Query, minimum = 2000, maximum = 2100), ("quarter" = Option<i8>, Query, minimum = 1, maximum = 4)),
    responses((status = 200, body = RankingBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn ranking(
    State(s): State<AppState>,
    a: Api,
    Query(q): Query<AssessQuery>,
) -> Result<Json<RankingBody>, ApiError> {
    let r = app::ranking(&s.db, &a.ctx, q.unit()?, q.year(), q.quarter()).await?;
    Ok(Json(RankingBody {
        assessor_id: r.assessor.id.get(),
        year: r.year,
        quarter: r.quarter,
        results: r.results.iter().map(body).collect(),
    }))
}

/// One unit's quarter, as its assessor scores it.
#[utoipa::path(get, path = "/api/v1/assessment/units/{id}", tag = "assessment",
    params(("id" = i64, Path), ("year" = i32, Query, minimum = 2000, maximum = 2100), ("quarter" = i8, Query, minimum = 1, maximum = 4)),
    responses((status = 200, body = ResultBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn unit(
    State(s): State<AppState>,
    a: Api,
    Id(id): Id,
    Query(q): Query<AssessQuery>,
) -> Result<Json<ResultBody>, ApiError> {
    let (r, _) =
        app::unit_result(&s.db, &a.ctx, UnitId::new(id), q.year().unwrap_or_default(), q.quarter().unwrap_or_default())
            .await?;
    Ok(Json(body(&r)))
}

#[derive(Deserialize, ToSchema)]
pub struct QuarterBody {
    /// The assessing unit.
    pub unit_id: i64,
    #[schema(pattern = r"^(20[0-9]{2}|2100)$")]
    pub year: String,
    /// 1–4, or Q1–Q4.
    #[schema(pattern = r"^[Qq]?[1-4]$")]
    pub quarter: String,
}

#[derive(Serialize, ToSchema)]
pub struct Frozen {
    pub made_final: usize,
}

/// Make an ended quarter's results final (the assessing unit's security department).
#[utoipa::path(post, path = "/api/v1/assessment/freeze", tag = "assessment", request_body = QuarterBody,
    responses((status = 200, body = Frozen), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn freeze(
    State(s): State<AppState>,
    a: Api,
    ApiJson(b): ApiJson<QuarterBody>,
) -> Result<Json<Frozen>, ApiError> {
    let made_final = app::freeze(&s.db, &a.ctx, UnitId::new(b.unit_id), &b.year, &b.quarter).await?;
    Ok(Json(Frozen { made_final }))
}

#[derive(Serialize, ToSchema)]
pub struct YearBody {
    pub unit_id: i64,
    pub unit_name: String,
    /// Each quarter's final score in tenths, or null while not final.
    pub quarters: Vec<Option<i64>>,
    pub total_tenths: Option<i64>,
    pub rating_label: String,
    pub veto_case_id: Option<i64>,
    pub reward: Option<String>,
}

/// The year's results of the units the reader's unit assesses.
#[utoipa::path(get, path = "/api/v1/assessment/annual", tag = "assessment",
    params(("unit" = Option<i64>, Query), ("year" = Option<i32>, Query, minimum = 2000, maximum = 2100)),
    responses((status = 200, body = Vec<YearBody>), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn annual(
    State(s): State<AppState>,
    a: Api,
    Query(q): Query<AssessQuery>,
) -> Result<Json<Vec<YearBody>>, ApiError> {
    let y = app::annual_results(&s.db, &a.ctx, q.unit()?, q.year()).await?;
    Ok(Json(
        y.units
            .into_iter()
            .map(|u| YearBody {
                unit_id: u.unit_id,
                unit_name: u.unit_name,
                quarters: u.quarters,
                total_tenths: u.total_tenths,
                rating_label: u.rating_label,
                veto_case_id: u.veto.map(|v| v.0),
                reward: u.reward,
            })
            .collect(),
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct RewardBody {
    pub unit_id: i64,
    #[schema(pattern = r"^(20[0-9]{2}|2100)$")]
    pub year: String,
    #[schema(max_length = 100, pattern = r"^[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*$")]
    pub title: String,
}

/// Record a unit's reward for a year; refused under the one-vote veto.
#[utoipa::path(post, path = "/api/v1/assessment/rewards", tag = "assessment", request_body = RewardBody,
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn reward(
    State(s): State<AppState>,
    a: Api,
    ApiJson(b): ApiJson<RewardBody>,
) -> Result<StatusCode, ApiError> {
    app::reward(&s.db, &a.ctx, UnitId::new(b.unit_id), &b.year, &b.title).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The scheme in force (sections, items, ratings, veto, assessors), as JSON.
#[utoipa::path(get, path = "/api/v1/assessment/scheme", tag = "assessment", responses((status = 200, body = Scheme)))]
pub async fn scheme(State(s): State<AppState>, _a: Api) -> Result<Json<Scheme>, ApiError> {
    Ok(Json(app::scheme(&s.db).await?.1))
}

#[derive(Serialize, ToSchema)]
pub struct SchemeVersion {
    pub version: i64,
}

/// Replace the scheme with a new version (the shape `GET` returns); checked whole — the sections must sum to 100 —
/// or nothing is stored. Only for the rulebook's editors over the whole union.
#[utoipa::path(put, path = "/api/v1/assessment/scheme", tag = "assessment", request_body = Scheme,
    responses((status = 200, body = SchemeVersion), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn replace_scheme(
    State(s): State<AppState>,
    a: Api,
    ApiJson(b): ApiJson<serde_json::Value>,
) -> Result<Json<SchemeVersion>, ApiError> {
    app::must_edit_scheme(&a.ctx)?;
    let scheme: Scheme = serde_json::from_value(b).map_err(|e| {
        anbao_app::error::invalid("body", format!("考核办法格式不正确：{e}"), format!("malformed scheme: {e}"))
    })?;
    Ok(Json(SchemeVersion { version: app::replace_scheme(&s.db, &a.ctx, scheme).await? }))
}
