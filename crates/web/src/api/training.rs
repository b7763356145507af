//! `/api/v1/training/hours`: each person's study hours in a year under a unit, per unit with the mean and who falls
//! short of the rulebook's target. The same `anbao_app::training` call as the page.
use crate::auth::Api;
use crate::error::{ApiError, ErrorBody};
use crate::state::AppState;
use anbao_app::training as app;
use anbao_domain::ids::UnitId;
use axum::Json;
use axum::extract::{Query, State};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Deserialize, ToSchema, Default)]
pub struct HoursQuery {
    pub unit: Option<i64>,
    #[schema(minimum = 2000, maximum = 2100)]
    pub year: Option<i32>,
}

#[derive(Serialize, ToSchema)]
#[schema(as = TraineeBody)]
pub struct PersonBody {
    pub staff_id: i64,
    pub name: String,
    pub unit_id: i64,
    pub sessions: i64,
    /// Hours in tenths (35 = 3.5 hours).
    pub tenths: i64,
}

#[derive(Serialize, ToSchema)]
#[schema(as = TrainingUnitBody)]
pub struct UnitBody {
    pub unit_id: i64,
    pub unit_name: String,
    pub people: i64,
    pub tenths: i64,
    pub mean_tenths: i64,
    /// People short of the target.
    pub below: i64,
}

#[derive(Serialize, ToSchema)]
pub struct HoursBody {
    pub unit_id: i64,
    pub year: i32,
    /// Hours per person a year (rule TRN-3-c), when the rulebook sets it.
    pub target_hours: Option<i64>,
    pub units: Vec<UnitBody>,
    pub people: Vec<PersonBody>,
}

#[utoipa::path(get, path = "/api/v1/training/hours", tag = "training",
    params(("unit" = Option<i64>, Query), ("year" = Option<i32>, Query, minimum = 2000, maximum = 2100)),
    responses((status = 200, body = HoursBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn hours(
    State(s): State<AppState>,
    a: Api,
    Query(q): Query<HoursQuery>,
) -> Result<Json<HoursBody>, ApiError> {
    let r = app::hours(&s.db, &a.ctx, q.unit.map(UnitId::new), q.year).await?;
    Ok(Json(HoursBody {
        unit_id: r.unit.id.get(),
        year: r.year,
        target_hours: r.target.as_ref().map(|(h, _)| *h),
        units: r
            .units
            .iter()
            .map(|u| UnitBody {
                unit_id: u.unit_id,
                unit_name: u.unit_name.clone(),
                people: u.people,
                tenths: u.tenths,
                mean_tenths: u.mean_tenths(),
                below: u.below,
            })
            .collect(),
        people: r
            .people
            .iter()
            .map(|p| PersonBody {
                staff_id: p.staff_id,
                name: p.name.clone(),
                unit_id: p.unit_id,
                sessions: p.sessions,
                tenths: p.tenths,
            })
            .collect(),
    }))
}
