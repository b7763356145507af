//! `/api/v1/staff`: staff records with the same filters as the list page.
use super::auth::Created;
use crate::auth::{Api, ApiJson};
use crate::error::{ApiError, ErrorBody};
use crate::form::Id;
use crate::queries::staff::{ListQuery, filter_of};
use crate::state::AppState;
use anbao_app::staff::StaffInput;
use anbao_domain::ids::{StaffId, UnitId};
use anbao_domain::staff::{CardGrade, Employment, Position};
use anbao_store::staff::StaffRow;
use axum::Json;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
pub struct StaffBody {
    pub id: StaffId,
    pub unit_id: UnitId,
    pub unit_name: String,
    pub staff_no: String,
    pub name: String,
    pub positions: Vec<Position>,
    pub employment: Employment,
    pub key_position: bool,
    pub card_grade: Option<CardGrade>,
    pub phone: Option<String>,
    pub active: bool,
    pub updated_at: String,
}

impl From<StaffRow> for StaffBody {
    fn from(s: StaffRow) -> Self {
        StaffBody {
            id: s.id,
            unit_id: s.unit_id,
            unit_name: s.unit_name,
            staff_no: s.staff_no,
            name: s.name,
            positions: s.positions,
            employment: s.employment,
            key_position: s.key_position,
            card_grade: s.card_grade,
            phone: s.phone,
            active: s.active,
            updated_at: anbao_domain::time::rfc3339_ms(s.updated_at),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct StaffPage {
    pub items: Vec<StaffBody>,
    pub total: i64,
    pub page: i64,
    pub page_size: i64,
}

#[utoipa::path(get, path = "/api/v1/staff", tag = "staff",
    params(("q" = Option<String>, Query, description = "name or staff number contains"),
           ("unit" = Option<i64>, Query, description = "only this unit and below"),
           ("position" = Option<anbao_domain::staff::Position>, Query), ("employment" = Option<anbao_domain::staff::Employment>, Query),
           ("key" = Option<String>, Query, description = "1 = key posts only, 0 = others"),
           ("card" = Option<anbao_domain::staff::CardGrade>, Query), ("page" = Option<i64>, Query, minimum = 1)),
    responses((status = 200, body = StaffPage), (status = 422, body = ErrorBody)))]
pub async fn list(State(s): State<AppState>, a: Api, Query(q): Query<ListQuery>) -> Result<Json<StaffPage>, ApiError> {
    let f = filter_of(&s, &a.ctx, &q).await?;
    let page = crate::form::page_number(q.page.as_deref())?;
    let (rows, total) = anbao_app::staff::list_staff(&s.db, &a.ctx, &f, page).await?;
    Ok(Json(StaffPage {
        items: rows.into_iter().map(StaffBody::from).collect(),
        total,
        page,
        page_size: anbao_app::staff::PAGE_SIZE,
    }))
}

#[utoipa::path(get, path = "/api/v1/staff/{id}", tag = "staff", params(("id" = i64, Path)),
    responses((status = 200, body = StaffBody), (status = 404, body = ErrorBody)))]
pub async fn get(State(s): State<AppState>, a: Api, Id(id): Id) -> Result<Json<StaffBody>, ApiError> {
    Ok(Json(anbao_app::staff::get_staff(&s.db, &a.ctx, StaffId::new(id)).await?.into()))
}

#[derive(Deserialize, ToSchema)]
pub struct StaffInputBody {
    pub unit_id: i64,
    #[schema(max_length = 32, pattern = r"^[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*$")]
    pub name: String,
    /// Letters, digits and hyphens.
    #[schema(max_length = 32, pattern = r"^[A-Za-z0-9-]+$")]
    pub staff_no: String,
    /// Position codes, e.g. ["teller", "vault_keeper"].
    #[schema(value_type = Vec<anbao_domain::staff::Position>, min_items = 1)]
    pub positions: Vec<String>,
    /// formal, approved_contract, trainee
    #[schema(value_type = anbao_domain::staff::Employment)]
    pub employment: String,
    #[serde(default)]
    pub key_position: bool,
    /// a, b, cash, ordinary, or null; only with the post teller, director or accountant.
    #[schema(value_type = Option<anbao_domain::staff::CardGrade>)]
    pub card_grade: Option<String>,
    /// Digits, spaces, `-` and `+`.
    #[schema(max_length = 20, pattern = r"^[0-9+ -]*$")]
    pub phone: Option<String>,
    /// false when the person has left (edits only)
    pub active: Option<bool>,
}

impl From<StaffInputBody> for StaffInput {
    fn from(b: StaffInputBody) -> Self {
        StaffInput {
            unit_id: Some(b.unit_id),
            name: b.name,
            staff_no: b.staff_no,
            positions: b.positions,
            employment: b.employment,
            key_position: b.key_position,
            card_grade: b.card_grade,
            phone: b.phone,
            active: b.active,
        }
    }
}

#[utoipa::path(post, path = "/api/v1/staff", tag = "staff", request_body = StaffInputBody,
    responses((status = 201, body = Created), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create(
    State(s): State<AppState>,
    a: Api,
    ApiJson(b): ApiJson<StaffInputBody>,
) -> Result<(StatusCode, Json<Created>), ApiError> {
    let id = anbao_app::staff::create_staff(&s.db, &a.ctx, b.into()).await?;
    Ok((StatusCode::CREATED, Json(Created { id: id.get() })))
}

#[utoipa::path(put, path = "/api/v1/staff/{id}", tag = "staff", params(("id" = i64, Path)), request_body = StaffInputBody,
    responses((status = 200, body = StaffBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update(
    State(s): State<AppState>,
    a: Api,
    Id(id): Id,
    ApiJson(b): ApiJson<StaffInputBody>,
) -> Result<Json<StaffBody>, ApiError> {
    let id = StaffId::new(id);
    anbao_app::staff::update_staff(&s.db, &a.ctx, id, b.into()).await?;
    Ok(Json(anbao_app::staff::get_staff(&s.db, &a.ctx, id).await?.into()))
}
