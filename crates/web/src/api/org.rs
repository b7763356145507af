//! `/api/v1/units`: the org tree.
use super::auth::Created;
use crate::auth::{Api, ApiJson};
use crate::error::{ApiError, ErrorBody};
use crate::form::Id;
use crate::state::AppState;
use anbao_app::org::{UnitEdit, UnitInput};
use anbao_domain::ids::{StaffId, UnitId};
use anbao_domain::org::UnitKind;
use anbao_store::org::UnitRow;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
pub struct UnitBody {
    pub id: UnitId,
    pub parent_id: Option<UnitId>,
    pub kind: UnitKind,
    pub kind_label: String,
    pub name: String,
    /// Materialised path of ids from the root, e.g. `/1/4/17/`.
    pub path: String,
    pub depth: i64,
    pub first_responsible_id: Option<StaffId>,
    pub first_responsible_name: Option<String>,
    pub deputy_in_charge_id: Option<StaffId>,
    pub deputy_in_charge_name: Option<String>,
    pub address: Option<String>,
    pub phone: Option<String>,
    pub staff_count: i64,
}

impl From<UnitRow> for UnitBody {
    fn from(u: UnitRow) -> Self {
        UnitBody {
            id: u.id,
            parent_id: u.parent_id,
            kind: u.kind,
            kind_label: u.kind.label_zh().into(),
            name: u.name,
            path: u.path,
            depth: u.depth,
            first_responsible_id: u.first_responsible_id,
            first_responsible_name: u.first_responsible_name,
            deputy_in_charge_id: u.deputy_in_charge_id,
            deputy_in_charge_name: u.deputy_in_charge_name,
            address: u.address,
            phone: u.phone,
            staff_count: u.staff_count,
        }
    }
}

#[utoipa::path(get, path = "/api/v1/units", tag = "org", responses((status = 200, body = Vec<UnitBody>), (status = 401, body = ErrorBody)))]
pub async fn list(State(s): State<AppState>, a: Api) -> Result<Json<Vec<UnitBody>>, ApiError> {
    let units = anbao_app::org::list_units(&s.db, &a.ctx).await?;
    Ok(Json(units.into_iter().map(UnitBody::from).collect()))
}

#[utoipa::path(get, path = "/api/v1/units/{id}", tag = "org", params(("id" = i64, Path)),
    responses((status = 200, body = UnitBody), (status = 404, body = ErrorBody)))]
pub async fn get(State(s): State<AppState>, a: Api, Id(id): Id) -> Result<Json<UnitBody>, ApiError> {
    let u = anbao_app::org::get_unit(&s.db, &a.ctx, UnitId::new(id)).await?;
    Ok(Json(u.into()))
}

#[derive(Deserialize, ToSchema)]
pub struct NewUnit {
    pub parent_id: Option<i64>,
    #[schema(value_type = anbao_domain::org::UnitKind)]
    pub kind: String,
    // `UnitName::MAX_CHARS`
    #[schema(max_length = 64, pattern = r"^[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*$")]
    pub name: String,
    #[schema(max_length = 128, pattern = r"^[^\x00-\x1f\x7f-\x9f]*$")]
    pub address: Option<String>,
    /// Digits, `+`, `-` and spaces.
    // `anbao_domain::staff::parse_phone`
    #[schema(max_length = 20, pattern = r"^[0-9+ -]*$")]
    pub phone: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/units", tag = "org", request_body = NewUnit,
    responses((status = 201, body = Created), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create(
    State(s): State<AppState>,
    a: Api,
    ApiJson(b): ApiJson<NewUnit>,
) -> Result<(StatusCode, Json<Created>), ApiError> {
    let id = anbao_app::org::create_unit(
        &s.db,
        &a.ctx,
        UnitInput {
            parent: b.parent_id.map(UnitId::new),
            kind: b.kind,
            name: b.name,
            address: b.address,
            phone: b.phone,
        },
    )
    .await?;
    Ok((StatusCode::CREATED, Json(Created { id: id.get() })))
}

#[derive(Deserialize, ToSchema)]
pub struct EditUnit {
    // `UnitName::MAX_CHARS`
    #[schema(max_length = 64, pattern = r"^[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*$")]
    pub name: String,
    pub first_responsible_id: Option<i64>,
    pub deputy_in_charge_id: Option<i64>,
    #[schema(max_length = 128, pattern = r"^[^\x00-\x1f\x7f-\x9f]*$")]
    pub address: Option<String>,
    /// Digits, `+`, `-` and spaces.
    // `anbao_domain::staff::parse_phone`
    #[schema(max_length = 20, pattern = r"^[0-9+ -]*$")]
    pub phone: Option<String>,
}

#[utoipa::path(put, path = "/api/v1/units/{id}", tag = "org", params(("id" = i64, Path)), request_body = EditUnit,
    responses((status = 200, body = UnitBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update(
    State(s): State<AppState>,
    a: Api,
    Id(id): Id,
    ApiJson(b): ApiJson<EditUnit>,
) -> Result<Json<UnitBody>, ApiError> {
    let id = UnitId::new(id);
    let edit = UnitEdit {
        name: b.name,
        first_responsible: b.first_responsible_id.map(StaffId::new),
        deputy_in_charge: b.deputy_in_charge_id.map(StaffId::new),
        address: b.address,
        phone: b.phone,
    };
    anbao_app::org::update_unit(&s.db, &a.ctx, id, edit).await?;
    Ok(Json(anbao_app::org::get_unit(&s.db, &a.ctx, id).await?.into()))
}

#[derive(Deserialize, ToSchema)]
pub struct MoveUnit {
    pub parent_id: i64,
}

#[utoipa::path(post, path = "/api/v1/units/{id}/move", tag = "org", params(("id" = i64, Path)), request_body = MoveUnit,
    responses((status = 200, body = UnitBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn move_unit(
    State(s): State<AppState>,
    a: Api,
    Id(id): Id,
    ApiJson(b): ApiJson<MoveUnit>,
) -> Result<Json<UnitBody>, ApiError> {
    let id = UnitId::new(id);
    anbao_app::org::move_unit(&s.db, &a.ctx, id, UnitId::new(b.parent_id)).await?;
    Ok(Json(anbao_app::org::get_unit(&s.db, &a.ctx, id).await?.into()))
}
