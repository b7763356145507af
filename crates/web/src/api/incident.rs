//! `/api/v1/cases` and `/api/v1/penalties`: cases reported up the tree, their investigation, determination and
//! closing; violations and the penalties decided. The same `anbao_app::incident` calls as the pages.
use super::auth::Created;
use crate::auth::{Api, ApiJson};
use crate::error::{ApiError, ErrorBody};
use crate::form::{Id, IdAnd};
use crate::state::AppState;
use anbao_app::incident::{self as app, CaseInput, Findings, LineChange, PenaltyDecision};
use anbao_domain::ids::UnitId;
use axum::Json;
use axum::body::Body;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A case as entered (kind: a code of the accountability rules' `kind`; place: outlet, vault, van, atm, other).
#[derive(Deserialize, ToSchema)]
pub struct NewCase {
    pub kind: String,
    pub unit_id: i64,
    #[schema(value_type = anbao_domain::incident::CasePlace)]
    pub place: String,
    pub occurred_at: Option<String>,
    /// Yuan, up to two decimals.
    // `anbao_domain::incident::parse_loss`: at most 100000000000 yuan.
    #[schema(pattern = r"^([0-9]{1,11}(\.[0-9]{1,2})?)?$")]
    pub loss: Option<String>,
    // `app::incident::DESCRIPTION_MAX`
    #[schema(
        max_length = 2000,
        pattern = r"^[^\x00-\x08\x0b-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x08\x0b-\x1f\x7f-\x9f]*$"
    )]
    pub description: String,
    #[serde(default)]
    #[schema(max_items = 50)]
    pub people: Vec<i64>,
    #[serde(default)]
    pub insider: bool,
}

#[derive(Serialize, ToSchema)]
pub struct CaseBody {
    pub id: i64,
    pub case_no: String,
    pub kind: String,
    pub kind_label: String,
    pub unit_id: i64,
    pub unit_name: String,
    pub place: String,
    pub occurred_at: i64,
    pub loss_yuan: f64,
    pub description: String,
    pub insider: bool,
    pub status: String,
    pub cause: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct ReportBody {
    pub level: i64,
    pub unit_name: String,
    pub due_at: i64,
    pub reported_at: Option<i64>,
    pub acknowledged_at: Option<i64>,
    /// Minutes past the deadline (so far, if not yet made).
    pub late_minutes: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct ViolationBody {
    pub id: i64,
    pub unit_name: String,
    pub staff_name: Option<String>,
    pub code: String,
    pub title: String,
    pub article: String,
    pub source: String,
    pub case_id: Option<i64>,
    pub occurred_at: i64,
    pub facts: String,
    pub fine_yuan: Option<i64>,
    pub sanction: Option<String>,
    pub joint_name: Option<String>,
    pub status: String,
    pub decided_fine_yuan: Option<i64>,
    pub decided_sanction: Option<String>,
    pub decision_reason: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct FactBody {
    pub text: String,
    pub link: Option<String>,
    /// Counts against the unit.
    pub bad: bool,
}

#[derive(Serialize, ToSchema)]
pub struct SectionBody {
    pub code: String,
    pub title: String,
    pub article: String,
    pub facts: Vec<FactBody>,
}

/// One step on a case's timeline.
#[derive(Serialize, ToSchema)]
pub struct TimelineEntry {
    /// Milliseconds since the epoch.
    pub at: i64,
    pub action: String,
    pub note: String,
    /// Who acted, when a person did.
    pub by: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct CaseDetail {
    #[serde(flatten)]
    pub case: CaseBody,
    pub reports: Vec<ReportBody>,
    pub timeline: Vec<TimelineEntry>,
    /// The case's photos and scans; each downloads from `/api/v1/cases/{id}/files/{file}`.
    pub files: Vec<FileBody>,
    /// 第十条's sections, prefilled from the records as of the case time.
    pub investigation: Vec<SectionBody>,
    pub facilities_ok: bool,
    pub rules_in_place: bool,
    #[schema(value_type = Object)]
    pub findings: serde_json::Value,
    /// The determination proposed: lines with the person, weight, grounds and exemptions.
    /// Absent (null) until proposed.
    #[schema(value_type = Option<Object>)]
    pub proposal: Option<serde_json::Value>,
    /// Absent (null) until decided.
    #[schema(value_type = Option<Object>)]
    pub decision: Option<serde_json::Value>,
    pub violations: Vec<ViolationBody>,
    /// What 三不放过 still needs before closing.
    pub open_points: Vec<String>,
}

#[derive(Serialize, ToSchema)]
pub struct FileBody {
    pub id: i64,
    pub file_name: String,
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
    pub taken_at: i64,
}

fn body(r: &anbao_store::incident::CaseRow, rules: &anbao_domain::incident::Rules) -> CaseBody {
    CaseBody {
        id: r.id,
        case_no: r.case_no.clone(),
        kind: r.kind.clone(),
        kind_label: rules.kind.iter().find(|k| k.code == r.kind).map_or(r.kind.clone(), |k| k.label.clone()),
        unit_id: r.unit_id,
        unit_name: r.unit_name.clone(),
        place: r.place.clone(),
        occurred_at: r.occurred_at,
        loss_yuan: r.loss_fen as f64 / 100.0,
        description: r.description.clone(),
        insider: r.insider,
        status: r.status.clone(),
        cause: r.cause.clone(),
    }
}

pub fn violation_body(v: anbao_store::incident::ViolationRow) -> ViolationBody {
    ViolationBody {
        id: v.id,
        unit_name: v.unit_name,
        staff_name: v.staff_name,
        code: v.code,
        title: v.title,
        article: v.article,
        source: v.source,
        case_id: v.case_id,
        occurred_at: v.occurred_at,
        facts: v.facts,
        fine_yuan: v.fine_yuan,
        sanction: v.sanction,
        joint_name: v.joint_name,
        status: v.status,
        decided_fine_yuan: v.decided_fine_yuan,
        decided_sanction: v.decided_sanction,
        decision_reason: v.decision_reason,
    }
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct CaseListQuery {
    pub unit: Option<i64>,
    pub kind: Option<String>,
    #[param(value_type = Option<anbao_domain::incident::CaseStatus>)]
    pub status: Option<String>,
    #[param(minimum = 2000, maximum = 2100)]
    pub year: Option<i32>,
}

#[utoipa::path(get, path = "/api/v1/cases", tag = "cases", params(CaseListQuery),
    responses((status = 200, body = Vec<CaseBody>), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn list(
    State(s): State<AppState>,
    a: Api,
    Query(q): Query<CaseListQuery>,
) -> Result<Json<Vec<CaseBody>>, ApiError> {
    let unit = match q.unit {
        Some(u) => UnitId::new(u),
        None => anbao_app::org::home_unit(&s.db, &a.ctx).await?.id,
    };
    let query = app::CaseQuery {
        unit,
        kind: q.kind.filter(|k| !k.is_empty()),
        status: q.status.filter(|k| !k.is_empty()),
        year: q.year,
    };
    let rules = app::rules(&s.db).await?;
    Ok(Json(app::register(&s.db, &a.ctx, &query).await?.iter().map(|r| body(r, &rules)).collect()))
}

#[utoipa::path(post, path = "/api/v1/cases", tag = "cases", request_body = NewCase,
    responses((status = 201, body = Created), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn report(
    State(s): State<AppState>,
    a: Api,
    ApiJson(b): ApiJson<NewCase>,
) -> Result<(StatusCode, Json<Created>), ApiError> {
    let input = CaseInput {
        kind: b.kind,
        unit_id: Some(b.unit_id),
        place: b.place,
        occurred_at: b.occurred_at,
        loss: b.loss,
        description: b.description,
        people: b.people,
        insider: b.insider,
    };
    let id = app::report(&s.db, &s.blobs, &a.ctx, &input, Vec::new()).await?;
    Ok((StatusCode::CREATED, Json(Created { id })))
}

#[utoipa::path(get, path = "/api/v1/cases/{id}", tag = "cases", params(("id" = i64, Path)),
    responses((status = 200, body = CaseDetail), (status = 404, body = ErrorBody)))]
pub async fn get(State(s): State<AppState>, a: Api, Id(id): Id) -> Result<Json<CaseDetail>, ApiError> {
    let k = app::case(&s.db, &a.ctx, id).await?;
    let inv = app::investigation_of(&s.db, &a.ctx, &k.row).await?;
    let open_points = app::open_points_of(&s.db, &a.ctx, id).await?;
    Ok(Json(CaseDetail {
        case: body(&k.row, &k.rules),
        reports: k
            .reports
            .iter()
            .map(|r| ReportBody {
                level: r.level,
                unit_name: r.unit_name.clone(),
                due_at: r.due_at,
                reported_at: r.reported_at,
                acknowledged_at: r.acknowledged_at,
                late_minutes: app::late_minutes(r, a.ctx.now),
            })
            .collect(),
        timeline: k
            .events
            .iter()
            .map(|e| TimelineEntry { at: e.at, action: e.action.clone(), note: e.note.clone(), by: e.by_name.clone() })
            .collect(),
        files: k
            .files
            .iter()
            .map(|f| FileBody {
                id: f.id,
                file_name: f.file_name.clone(),
                content_type: f.content_type.clone(),
                size: f.size,
                sha256: f.sha256.clone(),
                taken_at: f.taken_at,
            })
            .collect(),
        investigation: inv
            .sections
            .into_iter()
            .map(|x| SectionBody {
                code: x.code,
                title: x.title,
                article: x.article,
                facts: x.facts.into_iter().map(|f| FactBody { text: f.text, link: f.link, bad: f.bad }).collect(),
            })
            .collect(),
        facilities_ok: inv.facilities_ok,
        rules_in_place: inv.rules_in_place,
        findings: serde_json::to_value(app::findings_of(&k.row)).unwrap_or_default(),
        // The frozen investigation is `investigation` above; it is not sent twice.
        proposal: app::proposal_of(&k.row)
            .and_then(|p| serde_json::to_value(app::Proposal { investigation: None, ..p }).ok()),
        decision: app::decision_of(&k.row).and_then(|p| serde_json::to_value(p).ok()),
        violations: k.violations.into_iter().map(violation_body).collect(),
        open_points,
    }))
}

/// A note on a case's timeline.
#[derive(Deserialize, ToSchema)]
pub struct NoteBody {
    // `app::incident::NOTE_MAX`
    #[schema(
        max_length = 1000,
        pattern = r"^[^\x00-\x08\x0b-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x08\x0b-\x1f\x7f-\x9f]*$"
    )]
    pub note: String,
}

#[utoipa::path(post, path = "/api/v1/cases/{id}/notes", tag = "cases", params(("id" = i64, Path)), request_body = NoteBody,
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn add_note(
    State(s): State<AppState>,
    a: Api,
    Id(id): Id,
    ApiJson(b): ApiJson<NoteBody>,
) -> Result<StatusCode, ApiError> {
    app::add_note(&s.db, &s.blobs, &a.ctx, id, &b.note, Vec::new()).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct FileQuery {
    /// What the file is (shown on the timeline with it).
    pub note: Option<String>,
    /// The file's name (the `X-File-Name` header may carry it instead, ASCII only).
    pub name: Option<String>,
}

/// Attach one photo or PDF scan to a case: the raw file is the body (`Content-Type: image/jpeg`, `application/pdf`…),
/// judged by its bytes, at most 10 MB, read only after the caller is known to be allowed.
#[utoipa::path(post, path = "/api/v1/cases/{id}/files", tag = "cases", params(("id" = i64, Path), FileQuery),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn add_file(
    State(s): State<AppState>,
    a: Api,
    Id(id): Id,
    Query(q): Query<FileQuery>,
    headers: HeaderMap,
    body: Body,
) -> Result<StatusCode, ApiError> {
    app::must_add_to(&s.db, &a.ctx, id).await?;
    let bytes = crate::form::body_within(body, anbao_app::evidence::MAX_UPLOAD_BYTES).await?;
    let file_name = q
        .name
        .or_else(|| headers.get("x-file-name").and_then(|v| v.to_str().ok()).map(str::to_owned))
        .unwrap_or_else(|| "file".into());
    let upload = anbao_app::evidence::Upload { file_name, bytes, taken_at: None };
    app::add_note(&s.db, &s.blobs, &a.ctx, id, q.note.as_deref().unwrap_or_default(), vec![upload]).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/api/v1/cases/{id}/files/{file}", tag = "cases", params(("id" = i64, Path), ("file" = i64, Path)),
    responses((status = 200, content_type = "application/octet-stream"), (status = 404, body = ErrorBody)))]
pub async fn file(State(s): State<AppState>, a: Api, IdAnd(id, file): IdAnd) -> Result<Response, ApiError> {
    let file = crate::form::path_id(&file)?;
    let (f, bytes) = app::file(&s.db, &s.blobs, &a.ctx, id, file).await?;
    Ok(([(header::CONTENT_TYPE, f.content_type)], bytes).into_response())
}

#[utoipa::path(post, path = "/api/v1/cases/{id}/forward", tag = "cases", params(("id" = i64, Path)),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn forward(State(s): State<AppState>, a: Api, Id(id): Id) -> Result<StatusCode, ApiError> {
    app::forward(&s.db, &a.ctx, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The investigator's findings and the cause found.
#[derive(Deserialize, ToSchema)]
pub struct FindingsBody {
    #[serde(default)]
    pub causes: Vec<String>,
    #[serde(default)]
    pub violators: Vec<i64>,
    #[serde(default)]
    pub beyond_limits: bool,
    #[serde(default)]
    pub quality_defect: bool,
    #[serde(default)]
    pub no_direct_link: bool,
    #[serde(default)]
    pub notes: String,
    #[serde(default)]
    pub cause: String,
}

#[utoipa::path(put, path = "/api/v1/cases/{id}/findings", tag = "cases", params(("id" = i64, Path)), request_body = FindingsBody,
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn findings(
    State(s): State<AppState>,
    a: Api,
    Id(id): Id,
    ApiJson(b): ApiJson<FindingsBody>,
) -> Result<StatusCode, ApiError> {
    let f = Findings {
        causes: b.causes,
        violators: b.violators,
        beyond_limits: b.beyond_limits,
        quality_defect: b.quality_defect,
        no_direct_link: b.no_direct_link,
        notes: b.notes,
    };
    app::save_findings(&s.db, &a.ctx, id, &f, &b.cause).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(post, path = "/api/v1/cases/{id}/propose", tag = "cases", params(("id" = i64, Path)),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn propose(State(s): State<AppState>, a: Api, Id(id): Id) -> Result<StatusCode, ApiError> {
    app::propose(&s.db, &a.ctx, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
pub struct DecideBody {
    /// Lines changed from the proposal: key, weight (empty = not responsible) and the reason.
    #[serde(default)]
    pub changes: Vec<ChangeBody>,
}

#[derive(Deserialize, ToSchema)]
pub struct ChangeBody {
    pub key: String,
    pub weight: Option<String>,
    pub reason: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/cases/{id}/decide", tag = "cases", params(("id" = i64, Path)), request_body = DecideBody,
    responses((status = 204), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn decide(
    State(s): State<AppState>,
    a: Api,
    Id(id): Id,
    ApiJson(b): ApiJson<DecideBody>,
) -> Result<StatusCode, ApiError> {
    let changes: Vec<LineChange> =
        b.changes.into_iter().map(|c| LineChange { key: c.key, weight: c.weight, reason: c.reason }).collect();
    app::decide(&s.db, &a.ctx, id, &changes).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
pub struct ReasonBody {
    // `app::incident::NOTE_MAX`
    #[schema(max_length = 1000, pattern = r"^[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*$")]
    pub reason: String,
}

#[utoipa::path(post, path = "/api/v1/cases/{id}/send-back", tag = "cases", params(("id" = i64, Path)), request_body = ReasonBody,
    responses((status = 204), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn send_back(
    State(s): State<AppState>,
    a: Api,
    Id(id): Id,
    ApiJson(b): ApiJson<ReasonBody>,
) -> Result<StatusCode, ApiError> {
    app::send_back(&s.db, &a.ctx, id, &b.reason).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(post, path = "/api/v1/cases/{id}/close", tag = "cases", params(("id" = i64, Path)),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn close(State(s): State<AppState>, a: Api, Id(id): Id) -> Result<StatusCode, ApiError> {
    app::close(&s.db, &a.ctx, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct PenaltyQuery {
    pub unit: Option<i64>,
    #[param(minimum = 2000, maximum = 2100)]
    pub year: Option<i32>,
    #[param(value_type = Option<anbao_domain::incident::PenaltyStatus>)]
    pub status: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/penalties", tag = "cases", params(PenaltyQuery),
    responses((status = 200, body = Vec<ViolationBody>), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn penalties(
    State(s): State<AppState>,
    a: Api,
    Query(q): Query<PenaltyQuery>,
) -> Result<Json<Vec<ViolationBody>>, ApiError> {
    let unit = match q.unit {
        Some(u) => UnitId::new(u),
        None => anbao_app::org::home_unit(&s.db, &a.ctx).await?.id,
    };
    let year = q.year.unwrap_or_else(|| anbao_domain::period::ymd(anbao_domain::period::day_of_ms(a.ctx.now)).0);
    let status = q.status.as_deref().filter(|s| !s.is_empty());
    Ok(Json(app::penalties(&s.db, &a.ctx, unit, year, status).await?.into_iter().map(violation_body).collect()))
}

#[derive(Deserialize, ToSchema)]
pub struct PenaltyBody {
    #[schema(schema_with = super::codes::decisions)]
    pub status: String,
    /// Whole yuan.
    #[schema(minimum = 0, maximum = 10000000)]
    pub fine: Option<i64>,
    /// A sanction code (warning, demerit, major_demerit, demotion, removal, probation, expulsion).
    pub sanction: Option<String>,
    /// Required to waive, or to fine below the catalogue's minimum.
    // `app::incident::NOTE_MAX`
    #[schema(max_length = 1000, pattern = r"^[^\x00-\x1f\x7f-\x9f]*$")]
    pub reason: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/penalties/{id}/decide", tag = "cases", params(("id" = i64, Path)), request_body = PenaltyBody,
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn decide_penalty(
    State(s): State<AppState>,
    a: Api,
    Id(id): Id,
    ApiJson(b): ApiJson<PenaltyBody>,
) -> Result<StatusCode, ApiError> {
    let d = PenaltyDecision {
        status: b.status,
        fine: b.fine.map(|f| f.to_string()),
        sanction: b.sanction,
        reason: b.reason,
    };
    app::decide_penalty(&s.db, &a.ctx, id, &d).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A decided penalty's notice (违规处罚通知书) as an A4 PDF in the official layout: the same data as the page
/// `/penalties/{id}/notice`. 409 while the penalty is undecided; 503 when the server has no Chinese font.
#[utoipa::path(get, path = "/api/v1/penalties/{id}/notice.pdf", tag = "cases", params(("id" = i64, Path)),
    responses((status = 200, content_type = "application/pdf"), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 503, body = ErrorBody)))]
pub async fn penalty_notice_pdf(State(s): State<AppState>, a: Api, Id(id): Id) -> Result<Response, ApiError> {
    let n = crate::documents::penalty_notice(&s, &a.ctx, id).await?;
    Ok(crate::documents::pdf(&s, anbao_pdf::Document::PenaltyNotice, &n, &n.number).await?)
}
