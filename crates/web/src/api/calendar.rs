//! `/api/v1/calendar`: the union's business-day calendar (the document in force with its version) and its
//! replacement as a new version. The same `anbao_app::calendar` calls as the page.
use crate::auth::{Api, ApiJson};
use crate::error::{ApiError, ErrorBody};
use crate::state::AppState;
use anbao_app::calendar as app;
use anbao_domain::calendar::{CalendarBook, EarlierRest, ListedDay};
use axum::Json;
use axum::extract::State;
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
pub struct CalendarBody {
    pub version: i64,
    /// Weekdays outlets are closed on unless listed as adjusted working days: 1 = Monday … 7 = Sunday.
    pub rest_weekdays: Vec<u8>,
    /// The rest weekdays before each change of them, oldest first: each decides the unlisted days before its
    /// `until`, so a change never rewrites judged days.
    pub earlier: Vec<EarlierRest>,
    /// Holidays and adjusted working days, by date.
    pub day: Vec<ListedDay>,
}

/// The business-day calendar in force.
#[utoipa::path(get, path = "/api/v1/calendar", tag = "compliance", responses((status = 200, body = CalendarBody)))]
pub async fn calendar(State(s): State<AppState>, _a: Api) -> Result<Json<CalendarBody>, ApiError> {
    let (version, b) = app::book(&s.db).await?;
    Ok(Json(body(version, b)))
}

/// Replace the calendar (the union's rulebook permission over the whole tree): a new version, which the
/// business-day rules and holiday periods use from then on.
#[utoipa::path(put, path = "/api/v1/calendar", tag = "compliance", request_body = CalendarBook,
    responses((status = 200, body = CalendarBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn replace(
    State(s): State<AppState>,
    a: Api,
    ApiJson(b): ApiJson<CalendarBook>,
) -> Result<Json<CalendarBody>, ApiError> {
    app::replace(&s.db, &a.ctx, &b).await?;
    // The calendar as stored: the history of rest weekdays is kept by Anbao, not taken from the request.
    let (version, b) = app::book(&s.db).await?;
    Ok(Json(body(version, b)))
}

fn body(version: i64, b: CalendarBook) -> CalendarBody {
    CalendarBody { version, rest_weekdays: b.rest_weekdays, earlier: b.earlier, day: b.day }
}
