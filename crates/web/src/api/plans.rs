//! `/api/v1/plans`: the emergency plans (the book in force, one plan with its contacts for the reader's unit), an
//! edit of the book as a new version, and the uses of a plan with the steps ticked. The same `anbao_app::plans`
//! calls as the pages.
use crate::auth::{Api, ApiJson};
use crate::error::{ApiError, ErrorBody};
use crate::state::AppState;
use anbao_app::plans as app;
use anbao_domain::plans::{Plan, PlanBook, Tick};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
pub struct BookBody {
    pub version: i64,
    pub plans: Vec<Plan>,
}

#[utoipa::path(get, path = "/api/v1/plans", tag = "plans", responses((status = 200, body = BookBody)))]
pub async fn book(State(s): State<AppState>, _a: Api) -> Result<Json<BookBody>, ApiError> {
    let (version, b) = app::book(&s.db).await?;
    Ok(Json(BookBody { version, plans: b.plan }))
}

/// Replace the plan book (the union's rulebook permission over the whole tree); a new version.
#[utoipa::path(put, path = "/api/v1/plans", tag = "plans", request_body = PlanBook,
    responses((status = 200, body = BookBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn replace(
    State(s): State<AppState>,
    a: Api,
    ApiJson(b): ApiJson<PlanBook>,
) -> Result<Json<BookBody>, ApiError> {
    let version = app::replace(&s.db, &a.ctx, &b).await?;
    Ok(Json(BookBody { version, plans: b.plan }))
}

#[derive(Serialize, ToSchema)]
#[schema(as = PlanPersonBody)]
pub struct PersonBody {
    pub name: String,
    pub post: String,
    pub unit: String,
    pub phone: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct ContactBody {
    /// 110 | 119 | 120 | 122 | unit_leaders | union_leaders | security_dept | neighbours
    pub contact: String,
    pub number: Option<String>,
    pub people: Vec<PersonBody>,
}

#[derive(Serialize, ToSchema)]
#[schema(as = EmergencyPlanBody)]
pub struct PlanBody {
    pub version: i64,
    pub plan: Plan,
    pub unit_id: i64,
    pub contacts: Vec<ContactBody>,
}

/// One plan with its contacts resolved for the reader's unit.
#[utoipa::path(get, path = "/api/v1/plans/{code}", tag = "plans", params(("code" = String, Path)),
    responses((status = 200, body = PlanBody), (status = 404, body = ErrorBody)))]
pub async fn plan(State(s): State<AppState>, a: Api, Path(code): Path<String>) -> Result<Json<PlanBody>, ApiError> {
    let v = app::plan_view(&s.db, &a.ctx, &code).await?;
    Ok(Json(PlanBody {
        version: v.version,
        unit_id: v.unit.id.get(),
        contacts: v
            .contacts
            .iter()
            .map(|c| ContactBody {
                contact: c.contact.code().into(),
                number: c.number.map(str::to_owned),
                people: c
                    .people
                    .iter()
                    .map(|p| PersonBody {
                        name: p.name.clone(),
                        post: p.post.clone(),
                        unit: p.unit.clone(),
                        phone: p.phone.clone(),
                    })
                    .collect(),
            })
            .collect(),
        plan: v.plan,
    }))
}

/// A use of a plan: when it started and each step ticked (epoch ms, from the phone's clock).
#[derive(Deserialize, ToSchema)]
pub struct RunBody {
    pub started_at: i64,
    #[serde(default)]
    pub ticks: Vec<Tick>,
    #[serde(default)]
    pub notes: String,
}

#[derive(Serialize, ToSchema)]
pub struct RunSaved {
    pub id: i64,
}

#[utoipa::path(post, path = "/api/v1/plans/{code}/runs", tag = "plans", params(("code" = String, Path)), request_body = RunBody,
    responses((status = 201, body = RunSaved), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn record(
    State(s): State<AppState>,
    a: Api,
    Path(code): Path<String>,
    ApiJson(b): ApiJson<RunBody>,
) -> Result<(StatusCode, Json<RunSaved>), ApiError> {
    let id = app::record_run(&s.db, &a.ctx, &code, b.started_at, &b.ticks, &b.notes).await?;
    Ok((StatusCode::CREATED, Json(RunSaved { id })))
}
