//! `/api/v1/facilities/…` beside the gaps: the catalogue and standards, places and their ledgers, checks,
//! retirements and faults of items, the projects-and-faults work list, and the monthly upward report (按月上报).
use super::auth::Created;
use super::facility::{FacilityGap, UnitQuery};
use super::internal;
use crate::auth::{Api, ApiJson};
use crate::error::ApiError;
use crate::form::IdVerb;
use crate::state::AppState;
use anbao_domain::ids::UnitId;
use anbao_domain::period::date_of_day;
use axum::Json;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Serialize, ToSchema)]
pub struct CatalogueBody {
    /// The kinds of place a facility belongs to: (code, name).
    pub place_kinds: Vec<PlaceKindBody>,
    /// The catalogue in force (`rulebook/facilities.toml`): `kind` (facility kinds with service life and check
    /// interval), `standard` (what each kind of place must have, by risk level) and `product` (designated models).
    #[schema(value_type = Object)]
    pub catalogue: serde_json::Value,
}

#[derive(Serialize, ToSchema)]
pub struct PlaceKindBody {
    pub code: String,
    pub name: String,
}

/// The facility catalogue and standards in force (anyone signed in may read them).
#[utoipa::path(get, path = "/api/v1/facilities/catalogue", tag = "facility", responses((status = 200, body = CatalogueBody)))]
pub async fn catalogue(State(s): State<AppState>, _a: Api) -> Result<Json<CatalogueBody>, ApiError> {
    let cat = anbao_app::facility::current_catalogue(&s.db).await?;
    Ok(Json(CatalogueBody {
        place_kinds: anbao_domain::facility::PLACE_KINDS
            .iter()
            .map(|(code, name)| PlaceKindBody { code: (*code).into(), name: (*name).into() })
            .collect(),
        catalogue: serde_json::to_value(&cat).map_err(internal)?,
    }))
}

#[derive(Deserialize, ToSchema)]
pub struct NewPlace {
    pub unit_id: i64,
    #[schema(schema_with = super::codes::place_kinds)]
    pub kind: String,
    #[schema(max_length = 60, pattern = r"^[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*$")]
    pub name: String,
    /// 风险等级 1–3.
    #[schema(minimum = 1, maximum = 3)]
    pub risk_level: i64,
    /// A new or rebuilt outlet that may not open before its acceptance passes (第四篇 验收).
    #[serde(default)]
    pub new_site: bool,
}

/// Register a place (an outlet, vault, ATM, van or monitoring room) of a unit.
#[utoipa::path(post, path = "/api/v1/facilities/places", tag = "facility", request_body = NewPlace,
    responses((status = 201, body = Created)))]
pub async fn add_place(
    State(s): State<AppState>,
    a: Api,
    ApiJson(b): ApiJson<NewPlace>,
) -> Result<(StatusCode, Json<Created>), ApiError> {
    let id = anbao_app::facility::add_place(
        &s.db,
        &a.ctx,
        UnitId::new(b.unit_id),
        &b.kind,
        &b.name,
        b.risk_level,
        None,
        !b.new_site,
    )
    .await?;
    Ok((StatusCode::CREATED, Json(Created { id })))
}

#[derive(Serialize, ToSchema)]
pub struct LedgerItemBody {
    pub id: i64,
    pub kind: String,
    pub model: String,
    pub count: i64,
    pub supplier: String,
    /// `YYYY-MM-DD`
    pub installed: String,
    pub expires: Option<String>,
    /// working, faulty, retired
    pub status: String,
    pub last_check: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct LedgerEventBody {
    pub item_id: i64,
    pub kind: String,
    pub action: String,
    pub note: String,
    /// Milliseconds since the epoch.
    pub at: i64,
}

#[derive(Serialize, ToSchema)]
pub struct LedgerBody {
    pub place_id: i64,
    pub unit_id: i64,
    pub unit_name: String,
    pub name: String,
    pub kind: String,
    pub risk_level: i64,
    pub opened: bool,
    pub items: Vec<LedgerItemBody>,
    /// What the place lacks against the standard today.
    pub gaps: Vec<FacilityGap>,
    /// The newest hundred events of its items.
    pub events: Vec<LedgerEventBody>,
}

/// A place's ledger (设施台账): its items, what it lacks, and its history.
#[utoipa::path(get, path = "/api/v1/facilities/places/{id}", tag = "facility", params(("id" = i64, Path)),
    responses((status = 200, body = LedgerBody)))]
pub async fn ledger(
    State(s): State<AppState>,
    a: Api,
    crate::form::Id(id): crate::form::Id,
) -> Result<Json<LedgerBody>, ApiError> {
    let g = anbao_app::facility::ledger(&s.db, &a.ctx, id).await?;
    let day = |d: i64| date_of_day(d).to_string();
    Ok(Json(LedgerBody {
        place_id: g.place.id,
        unit_id: g.place.unit_id,
        unit_name: g.place.unit_name,
        name: g.place.name,
        kind: g.place.kind,
        risk_level: g.place.risk_level,
        opened: g.place.opened,
        items: g
            .items
            .into_iter()
            .map(|i| LedgerItemBody {
                id: i.id,
                kind: i.kind,
                model: i.model,
                count: i.count,
                supplier: i.supplier,
                installed: day(i.installed_day),
                expires: i.expires_day.map(day),
                status: i.status,
                last_check: i.last_check_day.map(day),
            })
            .collect(),
        gaps: g.gaps.iter().map(FacilityGap::from).collect(),
        events: g
            .events
            .into_iter()
            .map(|(item_id, kind, action, note, at)| LedgerEventBody { item_id, kind, action, note, at })
            .collect(),
    }))
}

crate::verbs!(
    /// What can happen to one ledger item.
    ItemVerb {
        Check => "check",
        Retire => "retire",
        Fault => "fault",
    }
);

#[derive(Deserialize, ToSchema)]
pub struct ItemAct {
    /// For `check` and `retire`: a note; for `fault`: what is wrong (required).
    #[serde(default)]
    #[schema(max_length = 500)]
    pub note: String,
}

/// A ledger item checked (定期检查), retired (报废) or reported faulty (报修). A fault answers its id.
#[utoipa::path(post, path = "/api/v1/facilities/items/{id}/{verb}", tag = "facility",
    params(("id" = i64, Path), ("verb" = String, Path, description = "check, retire, fault")),
    request_body = ItemAct, responses((status = 200, body = Created)))]
pub async fn item_act(
    State(s): State<AppState>,
    a: Api,
    IdVerb(id, verb): IdVerb<ItemVerb>,
    ApiJson(b): ApiJson<ItemAct>,
) -> Result<Json<Created>, ApiError> {
    let done = match verb {
        ItemVerb::Check => anbao_app::facility::item_action(&s.db, &a.ctx, id, "checked", &b.note).await.map(|()| id),
        ItemVerb::Retire => anbao_app::facility::item_action(&s.db, &a.ctx, id, "retired", &b.note).await.map(|()| id),
        ItemVerb::Fault => anbao_app::facility::report_fault(&s.db, &a.ctx, id, &b.note).await,
    }?;
    Ok(Json(Created { id: done }))
}

#[derive(Deserialize, ToSchema)]
pub struct FaultAct {
    /// `dispatch`: who repairs it (required).
    #[schema(max_length = 60)]
    pub assignee: Option<String>,
    /// `dispatch`: the day it must be repaired by, `YYYY-MM-DD`.
    #[schema(format = Date)]
    pub deadline: Option<String>,
    /// `repaired` on a vault's facility (第三十七条): the outlet head's and a vault keeper's staff numbers.
    #[schema(max_length = 200)]
    pub accompanied_by: Option<String>,
}

/// A fault's next step: dispatched for repair, repaired, verified.
#[utoipa::path(post, path = "/api/v1/facilities/faults/{id}/{step}", tag = "facility",
    params(("id" = i64, Path), ("step" = String, Path, description = "dispatch, repaired, verify")),
    request_body = FaultAct, responses((status = 204)))]
pub async fn fault_step(
    State(s): State<AppState>,
    a: Api,
    IdVerb(id, step): IdVerb<anbao_domain::facility::FaultStep>,
    ApiJson(b): ApiJson<FaultAct>,
) -> Result<StatusCode, ApiError> {
    let deadline = b.deadline.as_deref().map(|d| crate::form::day(d, "deadline")).transpose()?;
    anbao_app::facility::fault_step(
        &s.db,
        &a.ctx,
        id,
        step,
        b.assignee.as_deref(),
        deadline,
        b.accompanied_by.as_deref(),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Serialize, ToSchema)]
pub struct ProjectBody {
    pub id: i64,
    pub place_id: i64,
    pub place_name: String,
    pub unit_name: String,
    pub kind: String,
    pub product: String,
    pub supplier: String,
    pub budget: i64,
    /// proposed, approved, rejected, installed, accepted, failed, paid
    pub status: String,
    pub findings: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct FaultBody {
    pub id: i64,
    pub item_id: i64,
    pub kind: String,
    pub place_id: i64,
    pub place_name: String,
    pub unit_name: String,
    pub description: String,
    /// reported, dispatched, repaired, verified
    pub status: String,
    pub assignee: Option<String>,
    pub accompanied_by: Option<String>,
    pub deadline: Option<String>,
    /// Not verified and past its deadline.
    pub overdue: bool,
}

#[derive(Serialize, ToSchema)]
pub struct WorkBody {
    pub projects: Vec<ProjectBody>,
    pub faults: Vec<FaultBody>,
}

/// Installation projects and faults under a unit (安装项目与故障).
#[utoipa::path(get, path = "/api/v1/facilities/work", tag = "facility", params(UnitQuery),
    responses((status = 200, body = WorkBody)))]
pub async fn work(State(s): State<AppState>, a: Api, Query(q): Query<UnitQuery>) -> Result<Json<WorkBody>, ApiError> {
    let unit = UnitId::new(q.unit);
    let projects = anbao_app::facility::projects(&s.db, &a.ctx, unit).await?;
    let faults = anbao_app::facility::faults(&s.db, &a.ctx, unit).await?;
    let today = anbao_domain::period::day_of_ms(a.ctx.now);
    Ok(Json(WorkBody {
        projects: projects
            .into_iter()
            .map(|j| ProjectBody {
                id: j.id,
                place_id: j.place_id,
                place_name: j.place_name,
                unit_name: j.unit_name,
                kind: j.kind,
                product: j.product,
                supplier: j.supplier,
                budget: j.budget,
                status: j.status,
                findings: j.findings,
            })
            .collect(),
        faults: faults
            .into_iter()
            .map(|f| FaultBody {
                overdue: f.status != "verified" && f.deadline_day.is_some_and(|d| d < today),
                id: f.id,
                item_id: f.item_id,
                kind: f.kind,
                place_id: f.place_id,
                place_name: f.place_name,
                unit_name: f.unit_name,
                description: f.description,
                status: f.status,
                assignee: f.assignee,
                accompanied_by: f.accompanied_by,
                deadline: f.deadline_day.map(|d| date_of_day(d).to_string()),
            })
            .collect(),
    }))
}

#[derive(Deserialize, IntoParams)]
pub struct ReportQuery {
    pub unit: i64,
    /// `YYYY-MM`; this month when absent.
    #[param(pattern = r"^(20[0-9]{2}|2100)-(0[1-9]|1[0-2])$")]
    pub month: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct MonthlyReportBody {
    pub unit_id: i64,
    pub month: String,
    /// Frozen when it was reported upward; else the figures as they stand now.
    pub frozen: bool,
    pub lacking: Vec<super::facility::Lacking>,
    pub substandard: Vec<super::facility::Substandard>,
    pub unopened: i64,
}

fn report_body(unit: i64, month: String, frozen: bool, s: &anbao_app::facility::Stats) -> MonthlyReportBody {
    MonthlyReportBody {
        unit_id: unit,
        month,
        frozen,
        lacking: super::facility::lacking_of(s),
        substandard: super::facility::substandard_of(s),
        unopened: s.unopened,
    }
}

/// The monthly facility report of a unit (安防设施月报): as frozen when it was reported, else as it stands now.
#[utoipa::path(get, path = "/api/v1/facilities/report", tag = "facility", params(ReportQuery),
    responses((status = 200, body = MonthlyReportBody)))]
pub async fn report(
    State(s): State<AppState>,
    a: Api,
    Query(q): Query<ReportQuery>,
) -> Result<Json<MonthlyReportBody>, ApiError> {
    let unit = anbao_app::org::get_unit(&s.db, &a.ctx, UnitId::new(q.unit)).await?;
    let month = q.month.unwrap_or_else(|| anbao_domain::period::month_code(anbao_domain::period::day_of_ms(a.ctx.now)));
    anbao_domain::period::month_of(&month).map_err(anbao_app::AppError::from)?;
    // A frozen report is read as it was stored; only a month not yet reported judges the ledger (the whole subtree).
    Ok(Json(match anbao_app::facility::frozen_report(&s.db, &a.ctx, &unit, &month).await? {
        Some((_, body, _)) => {
            let stats = serde_json::from_str(&body).map_err(internal)?;
            report_body(q.unit, month, true, &stats)
        }
        None => {
            let live = anbao_app::facility::gap_map(&s.db, &a.ctx, unit.id).await?;
            report_body(q.unit, month, false, &live.stats)
        }
    }))
}

#[derive(Deserialize, ToSchema)]
pub struct ReportMonth {
    pub unit_id: i64,
    /// `YYYY-MM`: this month, or last month while its report is still due.
    #[schema(pattern = r"^(20[0-9]{2}|2100)-(0[1-9]|1[0-2])$")]
    pub month: String,
}

/// Report the month upward: the unit's figures frozen as they stand now (once; a second call answers the frozen
/// figures). The security department of the unit or above.
#[utoipa::path(post, path = "/api/v1/facilities/report", tag = "facility", request_body = ReportMonth,
    responses((status = 200, body = MonthlyReportBody)))]
pub async fn freeze(
    State(s): State<AppState>,
    a: Api,
    ApiJson(b): ApiJson<ReportMonth>,
) -> Result<Json<MonthlyReportBody>, ApiError> {
    let (stats, _, _) = anbao_app::facility::report_month(&s.db, &a.ctx, UnitId::new(b.unit_id), &b.month).await?;
    Ok(Json(report_body(b.unit_id, b.month, true, &stats)))
}
