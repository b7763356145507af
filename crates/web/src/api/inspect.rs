//! `/api/v1/inspections`, `/api/v1/hazards`, `/api/v1/bulletins`: inspections with their results and scores, the
//! hazard register and its lifecycle, safety bulletins.
use super::auth::Created;
use super::keys::Confirmed;
use crate::auth::{Api, ApiJson};
use crate::error::{ApiError, ErrorBody};
use crate::form::Id;
use crate::state::AppState;
use anbao_domain::ids::UnitId;
use anbao_domain::inspect::ItemResult;
use axum::Json;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::{IntoParams, ToSchema};

#[derive(Deserialize, IntoParams)]
pub struct ListQuery {
    pub unit: i64,
    /// `YYYY-MM`
    #[param(pattern = r"^(20[0-9]{2}|2100)-(0[1-9]|1[0-2])$")]
    pub month: String,
}

#[derive(Serialize, ToSchema)]
pub struct InspectionBody {
    pub id: i64,
    pub target_unit_id: i64,
    pub target_name: String,
    /// routine, surprise, night, holiday, topic
    pub kind: String,
    pub inspector_id: i64,
    pub inspector_name: String,
    pub date: String,
    /// Out of 100, one decimal.
    pub score: f64,
    /// draft, signed, countersigned
    pub status: String,
    pub checklist_version_id: i64,
}

fn body(r: &anbao_store::inspect::InspectionRow) -> InspectionBody {
    InspectionBody {
        id: r.id,
        target_unit_id: r.target_unit_id,
        target_name: r.target_name.clone(),
        kind: r.kind.clone(),
        inspector_id: r.inspector_id,
        inspector_name: r.inspector_name.clone(),
        date: anbao_domain::period::date_of_day(r.local_day).to_string(),
        score: r.score_tenths as f64 / 10.0,
        status: r.status.clone(),
        checklist_version_id: r.checklist_version_id,
    }
}

#[utoipa::path(get, path = "/api/v1/inspections", tag = "inspect", params(ListQuery),
    responses((status = 200, body = Vec<InspectionBody>), (status = 404, body = ErrorBody)))]
pub async fn list(
    State(s): State<AppState>,
    a: Api,
    Query(q): Query<ListQuery>,
) -> Result<Json<Vec<InspectionBody>>, ApiError> {
    let (from, to) = anbao_domain::period::month_of(&q.month).map_err(anbao_app::AppError::from)?;
    let rows = anbao_app::inspect::list(&s.db, &a.ctx, UnitId::new(q.unit), from, to).await?;
    Ok(Json(rows.iter().map(body).collect()))
}

#[derive(Deserialize, ToSchema)]
pub struct NewInspection {
    pub target_unit_id: i64,
    #[schema(schema_with = super::codes::inspection_kinds)]
    pub kind: String,
    /// The inspector's post: chairman, director, deputy_in_charge or security_officer.
    pub position: String,
}

#[utoipa::path(post, path = "/api/v1/inspections", tag = "inspect", request_body = NewInspection,
    responses((status = 201, body = Created), (status = 422, body = ErrorBody)))]
pub async fn start(
    State(s): State<AppState>,
    a: Api,
    ApiJson(b): ApiJson<NewInspection>,
) -> Result<(StatusCode, Json<Created>), ApiError> {
    let id = anbao_app::inspect::start(&s.db, &a.ctx, b.target_unit_id, &b.kind, &b.position).await?;
    Ok((StatusCode::CREATED, Json(Created { id })))
}

#[derive(Serialize, ToSchema)]
pub struct InspectionDetail {
    #[serde(flatten)]
    pub inspection: InspectionBody,
    /// Per item code: `{outcome: pass|fail|not_applicable, deduct, note}`.
    #[schema(value_type = Object)]
    pub results: serde_json::Value,
    pub hazard_ids: Vec<i64>,
}

#[utoipa::path(get, path = "/api/v1/inspections/{id}", tag = "inspect", params(("id" = i64, Path)),
    responses((status = 200, body = InspectionDetail), (status = 404, body = ErrorBody)))]
pub async fn get(State(s): State<AppState>, a: Api, Id(id): Id) -> Result<Json<InspectionDetail>, ApiError> {
    let i = anbao_app::inspect::get(&s.db, &a.ctx, id).await?;
    Ok(Json(InspectionDetail {
        inspection: body(&i.row),
        results: serde_json::to_value(&i.results).unwrap_or_default(),
        hazard_ids: i.hazards.iter().map(|h| h.id).collect(),
    }))
}

#[derive(Deserialize, ToSchema)]
pub struct Results {
    /// By checklist item code; signing needs every item answered.
    pub results: BTreeMap<String, ItemResult>,
    #[schema(max_length = 2000, pattern = r"^[^\x00-\x08\x0b-\x1f\x7f-\x9f]*$")]
    pub suggestions: Option<String>,
    /// Sign after saving (every item must then be answered).
    #[serde(default)]
    pub sign: bool,
}

#[utoipa::path(put, path = "/api/v1/inspections/{id}/results", tag = "inspect", params(("id" = i64, Path)),
    request_body = Results, responses((status = 204), (status = 422, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn save(
    State(s): State<AppState>,
    a: Api,
    Id(id): Id,
    ApiJson(b): ApiJson<Results>,
) -> Result<StatusCode, ApiError> {
    anbao_app::inspect::save(&s.db, &s.blobs, &a.ctx, id, b.results, b.suggestions.as_deref(), Vec::new()).await?;
    if b.sign {
        anbao_app::inspect::sign(&s.db, &a.ctx, id).await?;
    }
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(post, path = "/api/v1/inspections/{id}/countersign", tag = "inspect", params(("id" = i64, Path)),
    request_body = Confirmed, responses((status = 204), (status = 422, body = ErrorBody)))]
pub async fn countersign(
    State(s): State<AppState>,
    a: Api,
    Id(id): Id,
    ApiJson(b): ApiJson<Confirmed>,
) -> Result<StatusCode, ApiError> {
    anbao_app::inspect::countersign(&s.db, &s.policy, &a.ctx, id, &b.second()).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, IntoParams)]
pub struct HazardQuery {
    pub unit: i64,
    /// open, rectified, closed
    pub status: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct HazardBody {
    pub id: i64,
    pub notice_no: String,
    pub unit_id: i64,
    pub unit_name: String,
    pub title: String,
    pub article: String,
    /// general or major
    pub severity: String,
    pub owner_name: Option<String>,
    pub deadline: String,
    /// open, rectified, closed
    pub status: String,
    /// How many times the same item failed at this unit before, within INSP-5's window.
    pub repeat_count: i64,
    /// 0 none, 1 reported to the deputy in charge, 2 to the board.
    pub escalation: u8,
    pub case_ref: Option<String>,
}

fn hazard_body(h: &anbao_store::inspect::HazardRow, escalation: u8) -> HazardBody {
    HazardBody {
        id: h.id,
        notice_no: h.notice_no.clone(),
        unit_id: h.unit_id,
        unit_name: h.unit_name.clone(),
        title: h.title.clone(),
        article: h.article.clone(),
        severity: h.severity.clone(),
        owner_name: h.owner_name.clone(),
        deadline: anbao_domain::period::date_of_day(h.deadline_day).to_string(),
        status: h.status.clone(),
        repeat_count: h.repeat_count,
        escalation,
        case_ref: h.case_ref.clone(),
    }
}

#[utoipa::path(get, path = "/api/v1/hazards", tag = "inspect", params(HazardQuery),
    responses((status = 200, body = Vec<HazardBody>), (status = 404, body = ErrorBody)))]
pub async fn hazards(
    State(s): State<AppState>,
    a: Api,
    Query(q): Query<HazardQuery>,
) -> Result<Json<Vec<HazardBody>>, ApiError> {
    let rows = anbao_app::inspect::register(&s.db, &a.ctx, UnitId::new(q.unit), q.status.as_deref()).await?;
    Ok(Json(rows.iter().map(|r| hazard_body(&r.row, r.escalation)).collect()))
}

#[utoipa::path(get, path = "/api/v1/hazards/{id}", tag = "inspect", params(("id" = i64, Path)),
    responses((status = 200, body = HazardBody), (status = 404, body = ErrorBody)))]
pub async fn hazard(State(s): State<AppState>, a: Api, Id(id): Id) -> Result<Json<HazardBody>, ApiError> {
    let h = anbao_app::inspect::hazard(&s.db, &a.ctx, id).await?;
    Ok(Json(hazard_body(&h.row, h.escalation)))
}

#[derive(Deserialize, ToSchema)]
pub struct NewHazard {
    pub unit_id: i64,
    #[schema(max_length = 300, pattern = r"^[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*$")]
    pub title: String,
    #[schema(max_length = 200, pattern = r"^[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*$")]
    pub article: String,
    /// Default: general.
    #[schema(schema_with = super::codes::hazard_severities)]
    pub severity: Option<String>,
    /// `YYYY-MM-DD`, today or later.
    #[schema(format = Date, pattern = r"^(20[0-9]{2}|2100)-")]
    pub deadline: String,
    pub owner_id: Option<i64>,
    #[schema(max_length = 60, pattern = r"^[^\x00-\x1f\x7f-\x9f]*$")]
    pub case_ref: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/hazards", tag = "inspect", request_body = NewHazard,
    responses((status = 201, body = Created), (status = 422, body = ErrorBody)))]
pub async fn raise(
    State(s): State<AppState>,
    a: Api,
    ApiJson(b): ApiJson<NewHazard>,
) -> Result<(StatusCode, Json<Created>), ApiError> {
    let input = anbao_app::inspect::HazardInput {
        unit_id: Some(b.unit_id),
        title: Some(b.title),
        article: Some(b.article),
        severity: b.severity,
        deadline: Some(crate::form::day(&b.deadline, "deadline")?),
        owner_id: b.owner_id,
        case_ref: b.case_ref,
    };
    let id = anbao_app::inspect::raise(&s.db, &a.ctx, &input).await?;
    Ok((StatusCode::CREATED, Json(Created { id })))
}

#[derive(Deserialize, ToSchema)]
pub struct Rectified {
    #[schema(
        max_length = 1000,
        pattern = r"^[^\x00-\x08\x0b-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x08\x0b-\x1f\x7f-\x9f]*$"
    )]
    pub note: String,
}

#[utoipa::path(post, path = "/api/v1/hazards/{id}/rectify", tag = "inspect", params(("id" = i64, Path)),
    request_body = Rectified, responses((status = 204), (status = 409, body = ErrorBody)))]
pub async fn rectify(
    State(s): State<AppState>,
    a: Api,
    Id(id): Id,
    ApiJson(b): ApiJson<Rectified>,
) -> Result<StatusCode, ApiError> {
    anbao_app::inspect::rectify(&s.db, &a.ctx, id, &b.note).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
pub struct Verification {
    pub pass: bool,
    #[serde(default)]
    pub note: String,
    /// For a hazard tied to a case (三不放过).
    pub cause: Option<String>,
    pub accountability: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/hazards/{id}/verify", tag = "inspect", params(("id" = i64, Path)),
    request_body = Verification, responses((status = 204), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn verify(
    State(s): State<AppState>,
    a: Api,
    Id(id): Id,
    ApiJson(b): ApiJson<Verification>,
) -> Result<StatusCode, ApiError> {
    anbao_app::inspect::verify(&s.db, &a.ctx, id, b.pass, &b.note, b.cause.as_deref(), b.accountability.as_deref())
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Serialize, ToSchema)]
pub struct BulletinBody {
    pub id: i64,
    pub unit_name: String,
    pub title: String,
    pub body: String,
    pub reads: i64,
}

#[utoipa::path(get, path = "/api/v1/bulletins", tag = "inspect", responses((status = 200, body = Vec<BulletinBody>)))]
pub async fn bulletins(State(s): State<AppState>, a: Api) -> Result<Json<Vec<BulletinBody>>, ApiError> {
    let rows = anbao_app::inspect::bulletins(&s.db, &a.ctx).await?;
    Ok(Json(
        rows.into_iter()
            .map(|b| BulletinBody { id: b.id, unit_name: b.unit_name, title: b.title, body: b.body, reads: b.reads })
            .collect(),
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct NewBulletin {
    /// The bulletin goes to the units under this one.
    pub unit_id: i64,
    #[schema(max_length = 100, pattern = r"^[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*$")]
    pub title: String,
    #[schema(
        max_length = 5000,
        pattern = r"^[^\x00-\x08\x0b-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x08\x0b-\x1f\x7f-\x9f]*$"
    )]
    pub body: String,
    /// Hazards the bulletin reports on; each must lie under `unit_id`.
    #[serde(default)]
    pub hazard_ids: Vec<i64>,
}

/// Publish a safety bulletin (安全通报) to the units under a unit.
#[utoipa::path(post, path = "/api/v1/bulletins", tag = "inspect", request_body = NewBulletin,
    responses((status = 201, body = Created)))]
pub async fn publish(
    State(s): State<AppState>,
    a: Api,
    ApiJson(b): ApiJson<NewBulletin>,
) -> Result<(StatusCode, Json<Created>), ApiError> {
    let id = anbao_app::inspect::publish(&s.db, &a.ctx, UnitId::new(b.unit_id), &b.title, &b.body, &b.hazard_ids, &[])
        .await?;
    Ok((StatusCode::CREATED, Json(Created { id })))
}

/// Start a correction of a countersigned inspection (by its inspector): a new draft naming the one it corrects, its
/// results copied; the countersigned one stays as it was. Answers the draft's id.
#[utoipa::path(post, path = "/api/v1/inspections/{id}/correct", tag = "inspect", params(("id" = i64, Path)),
    responses((status = 201, body = Created)))]
pub async fn correct(State(s): State<AppState>, a: Api, Id(id): Id) -> Result<(StatusCode, Json<Created>), ApiError> {
    Ok((StatusCode::CREATED, Json(Created { id: anbao_app::inspect::correct(&s.db, &a.ctx, id).await? })))
}

#[derive(Serialize, ToSchema)]
pub struct ChecklistVersionBody {
    pub version: i64,
    /// `YYYY-MM-DD`
    pub effective_from: String,
    /// The checklist (the shape of `rulebook/inspection.toml`): sections, items with their points and articles.
    #[schema(value_type = anbao_domain::inspect::Template)]
    pub template: serde_json::Value,
}

#[derive(Serialize, ToSchema)]
pub struct ChecklistBody {
    /// The version in force today.
    pub current: ChecklistVersionBody,
    /// Every version, oldest first (a scheduled one is last).
    pub versions: Vec<ChecklistVersionBody>,
}

fn version_body(v: anbao_app::inspect::Checklist) -> Result<ChecklistVersionBody, ApiError> {
    Ok(ChecklistVersionBody {
        version: v.version,
        effective_from: anbao_domain::period::date_of_day(v.effective_from_day).to_string(),
        template: serde_json::to_value(&v.template).map_err(super::internal)?,
    })
}

/// The inspection checklist (检查表) in force, and its versions. Anyone signed in may read it.
#[utoipa::path(get, path = "/api/v1/checklist", tag = "inspect", responses((status = 200, body = ChecklistBody)))]
pub async fn checklist(State(s): State<AppState>, a: Api) -> Result<Json<ChecklistBody>, ApiError> {
    let today = anbao_domain::period::day_of_ms(a.ctx.now);
    let (versions, current) = anbao_app::inspect::checklist_versions(&s.db, today).await?;
    Ok(Json(ChecklistBody {
        current: version_body(current)?,
        versions: versions.into_iter().map(version_body).collect::<Result<_, _>>()?,
    }))
}

#[derive(Deserialize, ToSchema)]
pub struct ChecklistEdit {
    /// The whole checklist, in the shape `GET` answers as `template`; its points must total 100.
    #[schema(value_type = anbao_domain::inspect::Template)]
    pub template: serde_json::Value,
    /// `YYYY-MM-DD`, today or later; inspections keep the version they were made with.
    #[schema(format = Date)]
    pub effective_from: String,
}

/// Save an edited checklist as a new version (the rulebook's editors over the whole union). Answers its row id.
#[utoipa::path(put, path = "/api/v1/checklist", tag = "inspect", request_body = ChecklistEdit,
    responses((status = 201, body = Created)))]
pub async fn edit_checklist(
    State(s): State<AppState>,
    a: Api,
    ApiJson(b): ApiJson<ChecklistEdit>,
) -> Result<(StatusCode, Json<Created>), ApiError> {
    let day = crate::form::day(&b.effective_from, "effective_from")?;
    // The checklist is kept and checked as TOML (the rulebook's file); the API's JSON is the same document.
    let bad = |e: String| {
        ApiError(anbao_app::error::invalid(
            "template",
            format!("检查表格式不正确：{e}"),
            format!("malformed checklist: {e}"),
        ))
    };
    let t: anbao_domain::inspect::Template = serde_json::from_value(b.template).map_err(|e| bad(e.to_string()))?;
    let text = toml::to_string(&t).map_err(|e| bad(e.to_string()))?;
    let id = anbao_app::inspect::edit_checklist(&s.db, &a.ctx, &text, day).await?;
    Ok((StatusCode::CREATED, Json(Created { id })))
}

/// The hazard's rectification notice (安全隐患整改通知书) as an A4 PDF in the official layout: the same data as the
/// page `/hazards/{id}/notice`. 503 when the server has no Chinese font to set it in.
#[utoipa::path(get, path = "/api/v1/hazards/{id}/notice.pdf", tag = "inspect", params(("id" = i64, Path)),
    responses((status = 200, content_type = "application/pdf"), (status = 404, body = ErrorBody), (status = 503, body = ErrorBody)))]
pub async fn hazard_notice_pdf(
    State(s): State<AppState>,
    a: Api,
    Id(id): Id,
) -> Result<axum::response::Response, ApiError> {
    let n = crate::documents::hazard_notice(&s, &a.ctx, id).await?;
    Ok(crate::documents::pdf(&s, anbao_pdf::Document::HazardNotice, &n, &n.notice_no).await?)
}
