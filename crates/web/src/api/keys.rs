//! `/api/v1/custody`: keys, codes and self-defence weapons; handovers both people confirm; loss and lock change.
use super::auth::Created;
use crate::auth::{Api, ApiJson};
use crate::error::{ApiError, ErrorBody};
use crate::form::Id;
use crate::state::AppState;
use anbao_app::confirm::SecondSignIn;
use anbao_domain::ids::UnitId;
use axum::Json;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Deserialize, IntoParams)]
pub struct UnitQuery {
    pub unit: i64,
}

#[derive(Serialize, ToSchema)]
#[schema(as = CustodyItemBody)]
pub struct ItemBody {
    pub id: i64,
    pub unit_id: i64,
    pub unit_name: String,
    pub asset_id: Option<i64>,
    pub asset_name: Option<String>,
    /// key, code, spare_key, spare_code, weapon
    pub kind: String,
    pub label: String,
    pub holder_id: Option<i64>,
    pub holder_name: Option<String>,
    /// held, lost, retired
    pub status: String,
}

#[derive(Serialize, ToSchema)]
pub struct CustodyBody {
    pub items: Vec<ItemBody>,
    /// Ids of the items whose lock change is still open.
    pub lock_changes_open: Vec<i64>,
}

#[utoipa::path(get, path = "/api/v1/custody", tag = "custody", params(UnitQuery),
    responses((status = 200, body = CustodyBody), (status = 404, body = ErrorBody)))]
pub async fn table(
    State(s): State<AppState>,
    a: Api,
    Query(q): Query<UnitQuery>,
) -> Result<Json<CustodyBody>, ApiError> {
    let t = anbao_app::custody::table(&s.db, &a.ctx, UnitId::new(q.unit)).await?;
    Ok(Json(CustodyBody {
        items: t
            .items
            .into_iter()
            .map(|i| ItemBody {
                id: i.id,
                unit_id: i.unit_id,
                unit_name: i.unit_name,
                asset_id: i.asset_id,
                asset_name: i.asset_name,
                kind: i.kind,
                label: i.label,
                holder_id: i.holder_id,
                holder_name: i.holder_name,
                status: i.status,
            })
            .collect(),
        lock_changes_open: t.lock_changes.iter().map(|l| l.item_id).collect(),
    }))
}

#[derive(Deserialize, ToSchema)]
#[schema(as = NewCustodyItem)]
pub struct NewItem {
    pub unit_id: Option<i64>,
    pub asset_id: Option<i64>,
    #[schema(schema_with = super::codes::custody_kinds)]
    pub kind: String,
    #[schema(max_length = 60, pattern = r"^[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*$")]
    pub label: String,
    pub holder_id: i64,
}

#[utoipa::path(post, path = "/api/v1/custody/items", tag = "custody", request_body = NewItem,
    responses((status = 201, body = Created), (status = 422, body = ErrorBody)))]
pub async fn register(
    State(s): State<AppState>,
    a: Api,
    ApiJson(b): ApiJson<NewItem>,
) -> Result<(StatusCode, Json<Created>), ApiError> {
    let input = anbao_app::custody::ItemInput {
        unit_id: b.unit_id,
        asset_id: b.asset_id,
        kind: Some(b.kind),
        label: Some(b.label),
        holder_id: Some(b.holder_id),
    };
    let id = anbao_app::custody::register(&s.db, &a.ctx, &input).await?;
    Ok((StatusCode::CREATED, Json(Created { id })))
}

/// The second person's sign-in, given on the same device.
#[derive(Deserialize, ToSchema)]
pub struct Confirmed {
    pub confirm_username: String,
    /// Their confirmation PIN (a sign-in password is refused).
    pub confirm_secret: String,
    pub note: Option<String>,
}

impl Confirmed {
    pub fn second(&self) -> SecondSignIn {
        SecondSignIn {
            confirm_username: Some(self.confirm_username.clone()),
            confirm_secret: Some(self.confirm_secret.clone()),
        }
    }
}

#[utoipa::path(post, path = "/api/v1/custody/items/{id}/handover", tag = "custody", params(("id" = i64, Path)),
    request_body = Confirmed, responses((status = 201, body = Created), (status = 422, body = ErrorBody)))]
pub async fn handover(
    State(s): State<AppState>,
    a: Api,
    Id(id): Id,
    ApiJson(b): ApiJson<Confirmed>,
) -> Result<(StatusCode, Json<Created>), ApiError> {
    let id = anbao_app::custody::handover(&s.db, &s.policy, &a.ctx, id, &b.second(), b.note.as_deref()).await?;
    Ok((StatusCode::CREATED, Json(Created { id })))
}

#[derive(Deserialize, ToSchema)]
pub struct Lost {
    #[schema(max_length = 200, pattern = r"^[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*$")]
    pub reason: String,
}

#[utoipa::path(post, path = "/api/v1/custody/items/{id}/lost", tag = "custody", params(("id" = i64, Path)),
    request_body = Lost, responses((status = 201, body = Created), (status = 409, body = ErrorBody)))]
pub async fn lost(
    State(s): State<AppState>,
    a: Api,
    Id(id): Id,
    ApiJson(b): ApiJson<Lost>,
) -> Result<(StatusCode, Json<Created>), ApiError> {
    let id = anbao_app::custody::report_lost(&s.db, &a.ctx, id, &b.reason).await?;
    Ok((StatusCode::CREATED, Json(Created { id })))
}

#[derive(Deserialize, ToSchema)]
pub struct LockChanged {
    pub holder_id: i64,
    #[schema(max_length = 200, pattern = r"^[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*$")]
    pub note: String,
}

#[utoipa::path(post, path = "/api/v1/custody/lock-changes/{id}/done", tag = "custody", params(("id" = i64, Path)),
    request_body = LockChanged, responses((status = 201, body = Created), (status = 409, body = ErrorBody)))]
pub async fn lock_changed(
    State(s): State<AppState>,
    a: Api,
    Id(id): Id,
    ApiJson(b): ApiJson<LockChanged>,
) -> Result<(StatusCode, Json<Created>), ApiError> {
    let id = anbao_app::custody::finish_lock_change(&s.db, &a.ctx, id, b.holder_id, &b.note).await?;
    Ok((StatusCode::CREATED, Json(Created { id })))
}

#[derive(Deserialize, ToSchema)]
pub struct NewPin {
    pub password: String,
    /// 6–12 digits
    pub pin: String,
}

#[utoipa::path(put, path = "/api/v1/me/pin", tag = "auth", request_body = NewPin,
    responses((status = 204), (status = 422, body = ErrorBody)))]
pub async fn set_pin(State(s): State<AppState>, a: Api, ApiJson(b): ApiJson<NewPin>) -> Result<StatusCode, ApiError> {
    anbao_app::confirm::set_pin(&s.db, &s.policy, &a.ctx, &b.password, &b.pin).await?;
    Ok(StatusCode::NO_CONTENT)
}
