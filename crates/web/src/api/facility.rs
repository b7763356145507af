//! `/api/v1/facilities`: the gaps and statistics of a unit, a place's ledger, installation projects, faults, and
//! import of a ledger from Excel.
use super::auth::Created;
use crate::auth::{Api, ApiJson};
use crate::error::{ApiError, ErrorBody};
use crate::form::IdVerb;
use crate::state::AppState;
use anbao_domain::ids::UnitId;
use axum::Json;
use axum::body::Body;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Deserialize, IntoParams)]
pub struct UnitQuery {
    pub unit: i64,
}

#[derive(Serialize, ToSchema)]
pub struct Lacking {
    /// outlet, vault, atm, van, monitoring_room
    pub place_kind: String,
    pub facility_kind: String,
    pub places: i64,
}

#[derive(Serialize, ToSchema)]
pub struct Substandard {
    pub place_kind: String,
    pub substandard: i64,
    pub total: i64,
}

#[derive(Serialize, ToSchema)]
pub struct PlaceGaps {
    pub place_id: i64,
    pub unit_name: String,
    pub name: String,
    pub kind: String,
    pub risk_level: i64,
    pub opened: bool,
    /// Facility kinds short of the standard.
    pub gaps: Vec<FacilityGap>,
}

#[derive(Serialize, ToSchema)]
pub struct FacilityGap {
    /// The facility kind's code in the catalogue.
    pub kind: String,
    /// How many the standard asks for.
    pub need: i64,
    /// How many working ones are in the ledger.
    pub have: i64,
}

impl From<&anbao_domain::facility::Gap> for FacilityGap {
    fn from(g: &anbao_domain::facility::Gap) -> Self {
        FacilityGap { kind: g.kind.clone(), need: g.need, have: g.have }
    }
}

/// Places lacking each facility kind, as the gaps and the monthly report both answer them.
pub fn lacking_of(s: &anbao_app::facility::Stats) -> Vec<Lacking> {
    s.lacking.iter().map(|(p, k, n)| Lacking { place_kind: p.clone(), facility_kind: k.clone(), places: *n }).collect()
}

/// Substandard places per kind of place, as the gaps and the monthly report both answer them.
pub fn substandard_of(s: &anbao_app::facility::Stats) -> Vec<Substandard> {
    s.substandard.iter().map(|(k, x, t)| Substandard { place_kind: k.clone(), substandard: *x, total: *t }).collect()
}

#[derive(Serialize, ToSchema)]
pub struct GapsBody {
    pub lacking: Vec<Lacking>,
    pub substandard: Vec<Substandard>,
    pub unopened: i64,
    pub places: Vec<PlaceGaps>,
}

#[utoipa::path(get, path = "/api/v1/facilities/gaps", tag = "facility", params(UnitQuery),
    responses((status = 200, body = GapsBody), (status = 404, body = ErrorBody)))]
pub async fn gaps(State(s): State<AppState>, a: Api, Query(q): Query<UnitQuery>) -> Result<Json<GapsBody>, ApiError> {
    let m = anbao_app::facility::gap_map(&s.db, &a.ctx, UnitId::new(q.unit)).await?;
    Ok(Json(GapsBody {
        lacking: lacking_of(&m.stats),
        substandard: substandard_of(&m.stats),
        unopened: m.stats.unopened,
        places: m
            .places
            .iter()
            .map(|(p, g)| PlaceGaps {
                place_id: p.id,
                unit_name: p.unit_name.clone(),
                name: p.name.clone(),
                kind: p.kind.clone(),
                risk_level: p.risk_level,
                opened: p.opened,
                gaps: g.iter().map(FacilityGap::from).collect(),
            })
            .collect(),
    }))
}

#[derive(Deserialize, ToSchema)]
#[schema(as = NewFacilityItem)]
pub struct NewItem {
    pub place_id: i64,
    pub kind: String,
    #[schema(max_length = 60, pattern = r"^[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*$")]
    pub model: String,
    #[schema(minimum = 1, maximum = 1000)]
    pub count: i64,
    #[schema(max_length = 60, pattern = r"^[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*$")]
    pub supplier: String,
    /// `YYYY-MM-DD`, not after today.
    #[schema(format = Date, pattern = r"^(20[0-9]{2}|2100)-")]
    pub installed: String,
    /// Not before `installed`.
    #[schema(format = Date, pattern = r"^(20[0-9]{2}|2100)-")]
    pub expires: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/facilities/items", tag = "facility", request_body = NewItem,
    responses((status = 201, body = Created), (status = 422, body = ErrorBody)))]
pub async fn add_item(
    State(s): State<AppState>,
    a: Api,
    ApiJson(b): ApiJson<NewItem>,
) -> Result<(StatusCode, Json<Created>), ApiError> {
    let day = |raw: &str| crate::form::day(raw, "installed");
    let input = anbao_app::facility::ItemInput {
        place_id: Some(b.place_id),
        kind: Some(b.kind),
        model: Some(b.model),
        count: Some(b.count),
        supplier: Some(b.supplier),
        installed: Some(day(&b.installed)?),
        expires: b.expires.as_deref().map(day).transpose()?,
    };
    let id = anbao_app::facility::add_item(&s.db, &a.ctx, &input).await?;
    Ok((StatusCode::CREATED, Json(Created { id })))
}

#[derive(Deserialize, ToSchema)]
pub struct NewProject {
    pub place_id: i64,
    pub kind: String,
    /// A model on the union's designated list.
    pub product: String,
    #[schema(max_length = 60, pattern = r"^[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*$")]
    pub supplier: String,
    #[schema(minimum = 1, maximum = 100000000)]
    pub budget: i64,
}

#[utoipa::path(post, path = "/api/v1/facilities/projects", tag = "facility", request_body = NewProject,
    responses((status = 201, body = Created), (status = 422, body = ErrorBody)))]
pub async fn propose(
    State(s): State<AppState>,
    a: Api,
    ApiJson(b): ApiJson<NewProject>,
) -> Result<(StatusCode, Json<Created>), ApiError> {
    let id =
        anbao_app::facility::propose(&s.db, &a.ctx, b.place_id, &b.kind, &b.product, &b.supplier, b.budget).await?;
    Ok((StatusCode::CREATED, Json(Created { id })))
}

#[derive(Deserialize, ToSchema)]
pub struct Step {
    /// For a failed acceptance.
    pub findings: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/facilities/projects/{id}/{step}", tag = "facility",
    params(("id" = i64, Path), ("step" = String, Path, description = "approve, reject, install, accept, fail, pay")),
    request_body = Step, responses((status = 204), (status = 409, body = ErrorBody)))]
pub async fn project_step(
    State(s): State<AppState>,
    a: Api,
    IdVerb(id, step): IdVerb<anbao_domain::facility::ProjectStep>,
    ApiJson(b): ApiJson<Step>,
) -> Result<StatusCode, ApiError> {
    anbao_app::facility::project_step(&s.db, &a.ctx, id, step, b.findings.as_deref()).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, IntoParams)]
pub struct ImportQuery {
    /// Import when every row is good; without it the workbook is only checked.
    #[serde(default)]
    pub commit: bool,
}

#[derive(Serialize, ToSchema)]
#[schema(as = LedgerImportBody)]
pub struct ImportBody {
    pub rows: usize,
    pub imported: usize,
    /// The rows that cannot be taken; when any, nothing was written.
    pub errors: Vec<super::RowError>,
}
/// An import refused: the rows that cannot be taken, or an error before any row was read (an unreadable workbook).
#[derive(Serialize, ToSchema)]
#[serde(untagged)]
pub enum LedgerImportRefusal {
    Rows(ImportBody),
    Error(ErrorBody),
}

#[utoipa::path(post, path = "/api/v1/facilities/import", tag = "facility", params(ImportQuery),
    request_body(description = "The workbook (.xlsx); the body is read as it is, whatever its Content-Type.", content((Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), (Vec<u8> = "application/octet-stream"))),
    responses((status = 200, body = ImportBody), (status = 422, body = LedgerImportRefusal)))]
pub async fn import(
    State(s): State<AppState>,
    a: Api,
    Query(q): Query<ImportQuery>,
    body: Body,
) -> Result<(StatusCode, Json<ImportBody>), ApiError> {
    // Who may import is settled before a byte of the upload is read.
    anbao_app::facility::may_import(&a.ctx)?;
    let bytes = crate::form::body_within(body, anbao_app::facility::IMPORT_LIMITS.max_file_bytes).await?;
    let r = anbao_app::facility::import(&s.db, &a.ctx, bytes, q.commit).await?;
    let status = if r.errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    Ok((status, Json(ImportBody { rows: r.rows, imported: r.imported, errors: super::row_errors(r.errors) })))
}
