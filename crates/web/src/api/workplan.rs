//! `/api/v1/workplan`: a unit's annual security work plan, making it from the template, reporting progress. The same
//! `anbao_app::workplan` calls as the page.
use crate::auth::{Api, ApiJson};
use crate::error::{ApiError, ErrorBody};
use crate::form::Id;
use crate::queries::workplan::PlanQuery;
use crate::state::AppState;
use anbao_app::workplan as app;
use anbao_domain::ids::UnitId;
use axum::Json;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
#[schema(as = WorkplanItemBody)]
pub struct ItemBody {
    pub id: i64,
    pub section: String,
    pub title: String,
    /// The post that owns it (a staff position code).
    pub owner_post: String,
    /// Who holds that post at the unit, or that it is vacant.
    pub accountable: String,
    pub due_month: i64,
    /// The rule that judges it, or empty when it is reported.
    pub rule_id: String,
    /// "met/judged" for a judged item, "N%" for a reported one.
    pub progress: String,
    /// done, in_progress or overdue.
    pub state: String,
    pub note: String,
    pub source: String,
}

#[derive(Serialize, ToSchema)]
#[schema(as = WorkplanBody)]
pub struct PlanBody {
    pub unit_id: i64,
    pub year: i32,
    pub plan_id: Option<i64>,
    pub items: Vec<ItemBody>,
}

#[utoipa::path(get, path = "/api/v1/workplan", tag = "workplan",
    params(("unit" = Option<i64>, Query), ("year" = Option<i32>, Query, minimum = 2000, maximum = 2100)),
    responses((status = 200, body = PlanBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn plan(State(s): State<AppState>, a: Api, Query(q): Query<PlanQuery>) -> Result<Json<PlanBody>, ApiError> {
    let v = app::plan(&s.db, &a.ctx, q.unit()?, q.year.as_deref()).await?;
    Ok(Json(PlanBody {
        unit_id: v.unit.id.get(),
        year: v.year,
        plan_id: v.plan,
        items: v
            .items
            .into_iter()
            .map(|i| ItemBody {
                id: i.row.id,
                section: i.row.section,
                title: i.row.title,
                owner_post: i.row.owner_post,
                accountable: i.accountable.0,
                due_month: i.row.due_month,
                rule_id: i.row.rule_id,
                progress: i.progress,
                state: i.state.code().into(),
                note: i.row.note,
                source: i.row.source,
            })
            .collect(),
    }))
}

#[derive(Deserialize, ToSchema)]
#[schema(as = NewWorkplan)]
pub struct NewPlan {
    pub unit_id: i64,
    #[schema(pattern = r"^(20[0-9]{2}|2100)$")]
    pub year: String,
}

#[derive(Serialize, ToSchema)]
pub struct Made {
    pub plan_id: i64,
}

/// Make a unit's plan for a year from the template (the unit's security department).
#[utoipa::path(post, path = "/api/v1/workplan", tag = "workplan", request_body = NewPlan,
    responses((status = 201, body = Made), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn make(
    State(s): State<AppState>,
    a: Api,
    ApiJson(b): ApiJson<NewPlan>,
) -> Result<(StatusCode, Json<Made>), ApiError> {
    let plan_id = app::make_plan(&s.db, &a.ctx, UnitId::new(b.unit_id), &b.year).await?;
    Ok((StatusCode::CREATED, Json(Made { plan_id })))
}

#[derive(Deserialize, ToSchema)]
pub struct Report {
    /// 0–100.
    #[schema(pattern = r"^(100|[1-9]?[0-9])%?$")]
    pub percent: String,
    #[serde(default)]
    // anbao_app::workplan::NOTE_MAX
    #[schema(max_length = 500, pattern = r"^[^\x00-\x08\x0b-\x1f\x7f-\x9f]*$")]
    pub note: String,
}

/// Report progress on an item no rule judges (the unit's head or security department).
#[utoipa::path(put, path = "/api/v1/workplan/items/{id}", tag = "workplan", params(("id" = i64, Path)), request_body = Report,
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn report(
    State(s): State<AppState>,
    a: Api,
    Id(id): Id,
    ApiJson(b): ApiJson<Report>,
) -> Result<StatusCode, ApiError> {
    app::report(&s.db, &a.ctx, id, &b.percent, &b.note).await?;
    Ok(StatusCode::NO_CONTENT)
}
