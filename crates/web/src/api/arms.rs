//! `/api/v1/arms`: guns and ammunition, and checkouts from request to return.
use super::auth::Created;
use super::keys::{Confirmed, UnitQuery};
use crate::auth::{Api, ApiJson};
use crate::error::{ApiError, ErrorBody};
use crate::form::Id;
use crate::state::AppState;
use anbao_domain::ids::UnitId;
use axum::Json;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
pub struct ArmBody {
    pub id: i64,
    #[schema(schema_with = super::codes::arm_kinds)]
    pub kind: String,
    pub label: String,
    pub serial: String,
    pub rounds: i64,
    pub cabinet_id: i64,
    pub keeper_id: i64,
    pub keeper_name: String,
    pub gun_id: Option<i64>,
    /// in_store, issued
    pub status: String,
}

#[derive(Serialize, ToSchema)]
pub struct CheckoutBody {
    pub id: i64,
    pub gun_id: i64,
    pub ammo_id: Option<i64>,
    pub rounds_out: i64,
    pub rounds_back: Option<i64>,
    pub purpose: String,
    pub requester_id: i64,
    pub approver_id: Option<i64>,
    /// requested, approved, rejected, issued, returned
    pub status: String,
    pub discrepancy: bool,
}

#[derive(Serialize, ToSchema)]
pub struct ArmsBody {
    pub arms: Vec<ArmBody>,
    pub checkouts: Vec<CheckoutBody>,
}

#[utoipa::path(get, path = "/api/v1/arms", tag = "custody", params(UnitQuery),
    responses((status = 200, body = ArmsBody), (status = 404, body = ErrorBody)))]
pub async fn register_of(
    State(s): State<AppState>,
    a: Api,
    Query(q): Query<UnitQuery>,
) -> Result<Json<ArmsBody>, ApiError> {
    let r = anbao_app::arms::register_of(&s.db, &a.ctx, UnitId::new(q.unit)).await?;
    Ok(Json(ArmsBody {
        arms: r
            .arms
            .into_iter()
            .map(|x| ArmBody {
                id: x.id,
                kind: x.kind,
                label: x.label,
                serial: x.serial,
                rounds: x.rounds,
                cabinet_id: x.cabinet_id,
                keeper_id: x.keeper_id,
                keeper_name: x.keeper_name,
                gun_id: x.gun_id,
                status: x.status,
            })
            .collect(),
        checkouts: r
            .checkouts
            .into_iter()
            .map(|k| CheckoutBody {
                id: k.id,
                gun_id: k.gun_id,
                ammo_id: k.ammo_id,
                rounds_out: k.rounds_out,
                rounds_back: k.rounds_back,
                purpose: k.purpose,
                requester_id: k.requester_id,
                approver_id: k.approver_id,
                status: k.status,
                discrepancy: k.discrepancy,
            })
            .collect(),
    }))
}

#[derive(Deserialize, ToSchema)]
pub struct NewArm {
    /// gun or ammo
    #[schema(schema_with = super::codes::arm_kinds)]
    pub kind: String,
    #[schema(max_length = 60, pattern = r"^[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*$")]
    pub label: String,
    #[schema(max_length = 40, pattern = r"^[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*$")]
    pub serial: String,
    /// Required for ammunition; ignored for a gun.
    #[schema(minimum = 0, maximum = 100000)]
    pub rounds: Option<i64>,
    pub cabinet_id: i64,
    pub keeper_id: i64,
    /// For ammunition: the gun it serves.
    pub gun_id: Option<i64>,
}

#[utoipa::path(post, path = "/api/v1/arms", tag = "custody", request_body = NewArm,
    responses((status = 201, body = Created), (status = 422, body = ErrorBody)))]
pub async fn register(
    State(s): State<AppState>,
    a: Api,
    ApiJson(b): ApiJson<NewArm>,
) -> Result<(StatusCode, Json<Created>), ApiError> {
    let input = anbao_app::arms::ArmInput {
        kind: Some(b.kind),
        label: Some(b.label),
        serial: Some(b.serial),
        rounds: b.rounds,
        cabinet_id: Some(b.cabinet_id),
        keeper_id: Some(b.keeper_id),
        gun_id: b.gun_id,
    };
    let id = anbao_app::arms::register(&s.db, &a.ctx, &input).await?;
    Ok((StatusCode::CREATED, Json(Created { id })))
}

#[derive(Deserialize, ToSchema)]
pub struct NewCheckout {
    pub gun_id: i64,
    pub ammo_id: Option<i64>,
    /// 0 without `ammo_id`; otherwise 1 to the rounds of that lot.
    // A lot holds at most 100000 rounds (`app::arms::register`).
    #[serde(default)]
    #[schema(minimum = 0, maximum = 100000)]
    pub rounds: i64,
    #[schema(max_length = 200, pattern = r"^[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*$")]
    pub purpose: String,
}

#[utoipa::path(post, path = "/api/v1/arms/checkouts", tag = "custody", request_body = NewCheckout,
    responses((status = 201, body = Created), (status = 422, body = ErrorBody)))]
pub async fn request(
    State(s): State<AppState>,
    a: Api,
    ApiJson(b): ApiJson<NewCheckout>,
) -> Result<(StatusCode, Json<Created>), ApiError> {
    let id = anbao_app::arms::request(&s.db, &a.ctx, b.gun_id, b.ammo_id, b.rounds, &b.purpose).await?;
    Ok((StatusCode::CREATED, Json(Created { id })))
}

#[derive(Deserialize, ToSchema)]
#[schema(as = CheckoutDecision)]
pub struct Decision {
    pub approve: bool,
    pub note: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/arms/checkouts/{id}/decide", tag = "custody", params(("id" = i64, Path)),
    request_body = Decision, responses((status = 204), (status = 422, body = ErrorBody)))]
pub async fn decide(
    State(s): State<AppState>,
    a: Api,
    Id(id): Id,
    ApiJson(b): ApiJson<Decision>,
) -> Result<StatusCode, ApiError> {
    anbao_app::arms::decide(&s.db, &a.ctx, id, b.approve, b.note.as_deref()).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(post, path = "/api/v1/arms/checkouts/{id}/issue", tag = "custody", params(("id" = i64, Path)),
    request_body = Confirmed, responses((status = 204), (status = 422, body = ErrorBody)))]
pub async fn issue(
    State(s): State<AppState>,
    a: Api,
    Id(id): Id,
    ApiJson(b): ApiJson<Confirmed>,
) -> Result<StatusCode, ApiError> {
    anbao_app::arms::issue(&s.db, &s.policy, &a.ctx, id, &b.second()).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
pub struct Return {
    pub rounds_back: i64,
    pub note: Option<String>,
    pub confirm_username: String,
    pub confirm_secret: String,
}

#[derive(Serialize, ToSchema)]
pub struct Returned {
    /// The rounds returned differ from those issued.
    pub discrepancy: bool,
}

#[utoipa::path(post, path = "/api/v1/arms/checkouts/{id}/return", tag = "custody", params(("id" = i64, Path)),
    request_body = Return, responses((status = 200, body = Returned), (status = 422, body = ErrorBody)))]
pub async fn give_back(
    State(s): State<AppState>,
    a: Api,
    Id(id): Id,
    ApiJson(b): ApiJson<Return>,
) -> Result<Json<Returned>, ApiError> {
    let second = anbao_app::confirm::SecondSignIn {
        confirm_username: Some(b.confirm_username),
        confirm_secret: Some(b.confirm_secret),
    };
    let discrepancy =
        anbao_app::arms::give_back(&s.db, &s.policy, &a.ctx, id, b.rounds_back, b.note.as_deref(), &second).await?;
    Ok(Json(Returned { discrepancy }))
}
