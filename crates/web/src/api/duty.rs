//! `/api/v1/duty`: a vault's monthly duty roster, leave and swaps.
use super::auth::Created;
use crate::auth::{Api, ApiJson};
use crate::error::{ApiError, ErrorBody};
use crate::form::Id;
use crate::state::AppState;
use anbao_app::duty::NightInput;
use axum::Json;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Deserialize, IntoParams)]
pub struct MonthQuery {
    /// The vault (asset id).
    pub vault: i64,
    /// `YYYY-MM`
    #[param(pattern = r"^(20[0-9]{2}|2100)-(0[1-9]|1[0-2])$")]
    pub month: String,
}

/// One night as saved: its shift id is what a swap is asked for (`POST /api/v1/duty/swaps`).
#[derive(Serialize, ToSchema)]
pub struct ShiftBody {
    pub shift_id: i64,
    /// `YYYY-MM-DD`
    pub date: String,
    pub guard_a: i64,
    pub guard_b: i64,
    /// Holiday duty (a rest day of the union's calendar, or marked on the roster).
    pub holiday: bool,
}

/// One night as sent when saving a month.
#[derive(Serialize, Deserialize, ToSchema)]
pub struct NightBody {
    /// `YYYY-MM-DD`
    #[schema(format = Date, pattern = r"^(20[0-9]{2}|2100)-")]
    pub date: String,
    pub guard_a: Option<i64>,
    pub guard_b: Option<i64>,
    #[serde(default)]
    pub holiday: bool,
}

#[derive(Serialize, ToSchema)]
pub struct SwapBody {
    pub id: i64,
    pub date: String,
    pub out_staff: i64,
    pub out_name: String,
    pub in_staff: i64,
    pub in_name: String,
    pub reason: String,
    /// pending, approved, refused
    pub status: String,
}

#[derive(Serialize, ToSchema)]
pub struct RosterBody {
    pub vault_id: i64,
    pub vault_name: String,
    pub unit_name: String,
    pub month: String,
    pub nights: Vec<ShiftBody>,
    pub swaps: Vec<SwapBody>,
}

fn date(d: i64) -> String {
    anbao_domain::period::date_of_day(d).to_string()
}

fn day(raw: &str) -> Result<i64, ApiError> {
    Ok(crate::form::day(raw, "date")?)
}

#[utoipa::path(get, path = "/api/v1/duty", tag = "custody", params(MonthQuery),
    responses((status = 200, body = RosterBody), (status = 404, body = ErrorBody)))]
pub async fn month(
    State(s): State<AppState>,
    a: Api,
    Query(q): Query<MonthQuery>,
) -> Result<Json<RosterBody>, ApiError> {
    let m = anbao_app::duty::month(&s.db, &a.ctx, q.vault, &q.month).await?;
    Ok(Json(RosterBody {
        vault_id: m.vault.id,
        vault_name: m.vault.name.clone(),
        unit_name: m.vault.unit_name.clone(),
        month: q.month,
        nights: m
            .shifts
            .iter()
            .map(|x| ShiftBody {
                shift_id: x.id,
                date: date(x.day),
                guard_a: x.guard_a,
                guard_b: x.guard_b,
                // The calendar as it stands: a rest day is holiday duty even if saved before the calendar said so.
                holiday: x.holiday || !m.calendar.is_business_day(x.day),
            })
            .collect(),
        swaps: m
            .swaps
            .iter()
            .map(|w| SwapBody {
                id: w.id,
                date: date(w.day),
                out_staff: w.out_staff,
                out_name: w.out_name.clone(),
                in_staff: w.in_staff,
                in_name: w.in_name.clone(),
                reason: w.reason.clone(),
                status: w.status.clone(),
            })
            .collect(),
    }))
}

#[derive(Deserialize, ToSchema)]
pub struct SaveRoster {
    pub vault: i64,
    /// `YYYY-MM`
    #[schema(pattern = r"^(20[0-9]{2}|2100)-(0[1-9]|1[0-2])$")]
    pub month: String,
    /// Every night of the month; a month with any unlawful night is refused whole.
    pub nights: Vec<NightBody>,
}

#[utoipa::path(put, path = "/api/v1/duty", tag = "custody", request_body = SaveRoster,
    responses((status = 204), (status = 422, body = ErrorBody)))]
pub async fn save(State(s): State<AppState>, a: Api, ApiJson(b): ApiJson<SaveRoster>) -> Result<StatusCode, ApiError> {
    let mut nights = Vec::new();
    for n in &b.nights {
        nights.push(NightInput { day: day(&n.date)?, a: n.guard_a, b: n.guard_b, holiday: n.holiday });
    }
    anbao_app::duty::save_month(&s.db, &a.ctx, b.vault, &b.month, &nights).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
pub struct NewLeave {
    pub staff_id: i64,
    #[schema(format = Date, pattern = r"^(20[0-9]{2}|2100)-")]
    pub from: String,
    /// Not before `from`.
    #[schema(format = Date, pattern = r"^(20[0-9]{2}|2100)-")]
    pub to: String,
    #[schema(max_length = 100, pattern = r"^[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*$")]
    pub reason: String,
}

#[utoipa::path(post, path = "/api/v1/duty/leave", tag = "custody", request_body = NewLeave,
    responses((status = 201, body = Created), (status = 422, body = ErrorBody)))]
pub async fn leave(
    State(s): State<AppState>,
    a: Api,
    ApiJson(b): ApiJson<NewLeave>,
) -> Result<(StatusCode, Json<Created>), ApiError> {
    let id = anbao_app::duty::add_leave(&s.db, &a.ctx, b.staff_id, day(&b.from)?, day(&b.to)?, &b.reason).await?;
    Ok((StatusCode::CREATED, Json(Created { id })))
}

#[derive(Deserialize, ToSchema)]
pub struct NewSwap {
    pub shift_id: i64,
    pub out_staff: i64,
    pub in_staff: i64,
    #[schema(max_length = 100, pattern = r"^[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*$")]
    pub reason: String,
}

#[utoipa::path(post, path = "/api/v1/duty/swaps", tag = "custody", request_body = NewSwap,
    responses((status = 201, body = Created), (status = 422, body = ErrorBody)))]
pub async fn request_swap(
    State(s): State<AppState>,
    a: Api,
    ApiJson(b): ApiJson<NewSwap>,
) -> Result<(StatusCode, Json<Created>), ApiError> {
    let id = anbao_app::duty::request_swap(&s.db, &a.ctx, b.shift_id, b.out_staff, b.in_staff, &b.reason).await?;
    Ok((StatusCode::CREATED, Json(Created { id })))
}

#[derive(Deserialize, ToSchema)]
#[schema(as = SwapDecision)]
pub struct Decision {
    pub approve: bool,
    pub note: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/duty/swaps/{id}/decide", tag = "custody", params(("id" = i64, Path)),
    request_body = Decision, responses((status = 204), (status = 422, body = ErrorBody)))]
pub async fn decide_swap(
    State(s): State<AppState>,
    a: Api,
    Id(id): Id,
    ApiJson(b): ApiJson<Decision>,
) -> Result<StatusCode, ApiError> {
    anbao_app::duty::decide_swap(&s.db, &a.ctx, id, b.approve).await?;
    Ok(StatusCode::NO_CONTENT)
}
