//! `/api/v1/escort`: vans, trips, cash-box handovers and events on the way.
use super::auth::Created;
use super::keys::{Confirmed, UnitQuery};
use crate::auth::{Api, ApiJson};
use crate::error::{ApiError, ErrorBody};
use crate::form::Id;
use crate::form::IdAnd;
use crate::state::AppState;
use anbao_domain::ids::UnitId;
use axum::Json;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
pub struct VanBody {
    pub plate: String,
    pub model: String,
    pub dedicated_armoured: bool,
}

#[derive(Serialize, ToSchema)]
pub struct TripBody {
    pub id: i64,
    pub unit_name: String,
    pub date: String,
    pub plate: String,
    pub route: String,
    /// planned, under_way, closed
    pub status: String,
}

#[derive(Serialize, ToSchema)]
pub struct EscortBody {
    pub vans: Vec<VanBody>,
    pub trips: Vec<TripBody>,
}

fn trip_body(t: &anbao_store::escort::TripRow) -> TripBody {
    TripBody {
        id: t.id,
        unit_name: t.unit_name.clone(),
        date: anbao_domain::period::date_of_day(t.day).to_string(),
        plate: t.plate.clone(),
        route: t.route.clone(),
        status: t.status.clone(),
    }
}

#[utoipa::path(get, path = "/api/v1/escort", tag = "custody", params(UnitQuery),
    responses((status = 200, body = EscortBody), (status = 404, body = ErrorBody)))]
pub async fn list(State(s): State<AppState>, a: Api, Query(q): Query<UnitQuery>) -> Result<Json<EscortBody>, ApiError> {
    let (trips, vans) = anbao_app::escort::trips(&s.db, &a.ctx, UnitId::new(q.unit)).await?;
    Ok(Json(EscortBody {
        vans: vans
            .into_iter()
            .map(|v| VanBody { plate: v.plate, model: v.model, dedicated_armoured: v.dedicated_armoured })
            .collect(),
        trips: trips.iter().map(trip_body).collect(),
    }))
}

#[derive(Deserialize, ToSchema)]
pub struct NewVan {
    pub unit_id: i64,
    #[schema(max_length = 16, pattern = r"^[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*$")]
    pub plate: String,
    #[schema(max_length = 40, pattern = r"^[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*$")]
    pub model: String,
    pub dedicated_armoured: bool,
}

#[utoipa::path(post, path = "/api/v1/escort/vans", tag = "custody", request_body = NewVan,
    responses((status = 201, body = Created), (status = 409, body = ErrorBody)))]
pub async fn register_van(
    State(s): State<AppState>,
    a: Api,
    ApiJson(b): ApiJson<NewVan>,
) -> Result<(StatusCode, Json<Created>), ApiError> {
    let id =
        anbao_app::escort::register_van(&s.db, &a.ctx, b.unit_id, &b.plate, &b.model, b.dedicated_armoured).await?;
    Ok((StatusCode::CREATED, Json(Created { id })))
}

#[derive(Deserialize, ToSchema)]
pub struct CrewBody {
    pub staff_id: i64,
    /// escort or driver
    pub role: String,
    #[serde(default)]
    pub gun: bool,
    #[serde(default)]
    pub armour: bool,
    #[serde(default)]
    pub helmet: bool,
}

#[derive(Deserialize, ToSchema)]
pub struct StopBody {
    pub unit_id: i64,
    /// Box numbers: non-empty, at most 20 characters, each listed once in the whole trip.
    #[serde(default)]
    #[schema(max_length = 20, pattern = r"\S")]
    pub deliver: Vec<String>,
    /// Box numbers: non-empty, at most 20 characters, each listed once in the whole trip.
    #[serde(default)]
    #[schema(max_length = 20, pattern = r"\S")]
    pub collect: Vec<String>,
}

#[derive(Deserialize, ToSchema)]
pub struct NewTrip {
    pub unit_id: i64,
    /// Must be a registered dedicated armoured van.
    pub plate: String,
    /// `YYYY-MM-DD`
    #[schema(format = Date, pattern = r"^(20[0-9]{2}|2100)-")]
    pub date: String,
    #[schema(max_length = 200, pattern = r"^[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*$")]
    pub route: String,
    #[schema(min_items = 1)]
    pub crew: Vec<CrewBody>,
    #[schema(min_items = 1)]
    pub stops: Vec<StopBody>,
}

#[utoipa::path(post, path = "/api/v1/escort/trips", tag = "custody", request_body = NewTrip,
    responses((status = 201, body = Created), (status = 422, body = ErrorBody)))]
pub async fn plan(
    State(s): State<AppState>,
    a: Api,
    ApiJson(b): ApiJson<NewTrip>,
) -> Result<(StatusCode, Json<Created>), ApiError> {
    let input = anbao_app::escort::TripInput {
        unit_id: Some(b.unit_id),
        plate: Some(b.plate),
        day: Some(crate::form::day(&b.date, "date")?),
        route: Some(b.route),
        crew: b
            .crew
            .into_iter()
            .map(|c| anbao_app::escort::CrewInput {
                staff_id: c.staff_id,
                role: c.role,
                gun: c.gun,
                armour: c.armour,
                helmet: c.helmet,
            })
            .collect(),
        stops: b
            .stops
            .into_iter()
            .map(|s| anbao_app::escort::StopInput { unit_id: s.unit_id, deliver: s.deliver, collect: s.collect })
            .collect(),
    };
    let id = anbao_app::escort::plan_trip(&s.db, &a.ctx, &input).await?;
    Ok((StatusCode::CREATED, Json(Created { id })))
}

#[derive(Serialize, ToSchema)]
pub struct BoxBody {
    pub id: i64,
    pub stop_unit_id: i64,
    pub stop_name: String,
    pub box_no: String,
    /// deliver or collect
    pub direction: String,
    pub handed_over: bool,
}

#[derive(Serialize, ToSchema)]
#[schema(as = EscortEventBody)]
pub struct EventBody {
    pub kind: String,
    pub note: String,
    pub police_verified: bool,
}

#[derive(Serialize, ToSchema)]
pub struct TripDetail {
    #[serde(flatten)]
    pub trip: TripBody,
    pub boxes: Vec<BoxBody>,
    pub events: Vec<EventBody>,
}

#[utoipa::path(get, path = "/api/v1/escort/trips/{id}", tag = "custody", params(("id" = i64, Path)),
    responses((status = 200, body = TripDetail), (status = 404, body = ErrorBody)))]
pub async fn get(State(s): State<AppState>, a: Api, Id(id): Id) -> Result<Json<TripDetail>, ApiError> {
    let t = anbao_app::escort::trip(&s.db, &a.ctx, id).await?;
    Ok(Json(TripDetail {
        trip: trip_body(&t.trip),
        boxes: t
            .boxes
            .into_iter()
            .map(|b| BoxBody {
                id: b.id,
                stop_unit_id: b.stop_unit_id,
                stop_name: b.stop_name,
                box_no: b.box_no,
                direction: b.direction,
                handed_over: b.handed_at.is_some(),
            })
            .collect(),
        events: t
            .events
            .into_iter()
            .map(|e| EventBody { kind: e.kind, note: e.note, police_verified: e.police_verified })
            .collect(),
    }))
}

#[utoipa::path(post, path = "/api/v1/escort/trips/{id}/depart", tag = "custody", params(("id" = i64, Path)),
    responses((status = 204), (status = 409, body = ErrorBody)))]
pub async fn depart(State(s): State<AppState>, a: Api, Id(id): Id) -> Result<StatusCode, ApiError> {
    anbao_app::escort::depart(&s.db, &a.ctx, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(post, path = "/api/v1/escort/trips/{id}/close", tag = "custody", params(("id" = i64, Path)),
    responses((status = 204), (status = 409, body = ErrorBody)))]
pub async fn close(State(s): State<AppState>, a: Api, Id(id): Id) -> Result<StatusCode, ApiError> {
    anbao_app::escort::close(&s.db, &a.ctx, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(post, path = "/api/v1/escort/trips/{id}/boxes/{box_id}/handover", tag = "custody",
    params(("id" = i64, Path), ("box_id" = i64, Path)), request_body = Confirmed,
    responses((status = 204), (status = 422, body = ErrorBody)))]
pub async fn hand_box(
    State(s): State<AppState>,
    a: Api,
    IdAnd(id, b): IdAnd,
    ApiJson(body): ApiJson<Confirmed>,
) -> Result<StatusCode, ApiError> {
    anbao_app::escort::hand_box(&s.db, &s.policy, &a.ctx, id, super::id(&b)?, &body.second()).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
pub struct NewEvent {
    #[schema(schema_with = super::codes::escort_events)]
    pub kind: String,
    #[schema(
        max_length = 500,
        pattern = r"^[^\x00-\x08\x0b-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x08\x0b-\x1f\x7f-\x9f]*$"
    )]
    pub note: String,
    #[serde(default)]
    pub police_verified: bool,
}

#[utoipa::path(post, path = "/api/v1/escort/trips/{id}/events", tag = "custody", params(("id" = i64, Path)),
    request_body = NewEvent, responses((status = 201, body = Created), (status = 422, body = ErrorBody)))]
pub async fn event(
    State(s): State<AppState>,
    a: Api,
    Id(id): Id,
    ApiJson(b): ApiJson<NewEvent>,
) -> Result<(StatusCode, Json<Created>), ApiError> {
    let id = anbao_app::escort::record_event(&s.db, &a.ctx, id, &b.kind, &b.note, b.police_verified).await?;
    Ok((StatusCode::CREATED, Json(Created { id })))
}
