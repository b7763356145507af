//! `/api/v1/letters`: responsibility letters — the signing view of a unit, one's own letters, the plan, signing, a
//! paper letter's scan, reminders. The same `anbao_app::letters` calls as the pages.
use crate::auth::{Api, ApiJson};
use crate::error::{ApiError, ErrorBody};
use crate::form::Id;
use crate::queries::letters::LetterQuery;
use crate::state::AppState;
use anbao_app::letters as app;
use anbao_domain::ids::UnitId;
use anbao_store::letters::LetterRow;
use axum::Json;
use axum::body::Body;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// One letter: who signs with whom, and whether and how it was signed.
#[derive(Serialize, ToSchema)]
pub struct LetterBody {
    pub id: i64,
    pub kind: String,
    pub year: i32,
    pub signer_id: i64,
    pub signer_name: String,
    pub unit_id: i64,
    pub unit_name: String,
    /// None when the issuing unit's head is vacant.
    pub issuer_id: Option<i64>,
    pub issuer_name: Option<String>,
    pub issuer_unit_id: i64,
    pub status: String,
    pub method: Option<String>,
    pub signed_at: Option<String>,
    /// The last day to sign, `YYYY-MM-DD`.
    pub deadline: String,
    pub late: bool,
    pub targets: String,
}

fn ymd(day: i64) -> String {
    let (y, m, d) = anbao_domain::period::ymd(day);
    format!("{y:04}-{m:02}-{d:02}")
}

fn body(l: &LetterRow) -> LetterBody {
    LetterBody {
        id: l.id,
        kind: l.kind.code().into(),
        year: l.year,
        signer_id: l.signer_id,
        signer_name: l.signer_name.clone(),
        unit_id: l.unit_id,
        unit_name: l.unit_name.clone(),
        issuer_id: l.issuer_id,
        issuer_name: l.issuer_name.clone(),
        issuer_unit_id: l.issuer_unit_id,
        status: l.status.code().into(),
        method: l.method.map(|m| m.code().into()),
        signed_at: l.signed_at.map(anbao_domain::time::rfc3339_ms),
        deadline: ymd(l.deadline_day),
        late: l.signed_at.is_some_and(|at| anbao_domain::period::day_of_ms(at) > l.deadline_day),
        targets: l.targets.clone(),
    }
}

#[derive(Serialize, ToSchema)]
#[schema(as = SigningTally)]
pub struct TallyBody {
    pub unit_id: i64,
    pub unit_name: String,
    /// True for the unit's own people; false for a unit below (its whole subtree).
    pub own: bool,
    pub letters: i64,
    pub signed: i64,
    pub late: i64,
}

#[derive(Serialize, ToSchema)]
pub struct OverviewBody {
    pub unit_id: i64,
    pub kind: String,
    pub year: i32,
    pub deadline: Option<String>,
    pub letters: i64,
    pub signed: i64,
    pub unsigned: i64,
    pub late: i64,
    pub tallies: Vec<TallyBody>,
    /// Those not signed yet, at most 500 (the counts are whole).
    pub not_signed: Vec<LetterBody>,
}

/// The signing view of a unit (default: one's own top unit; this year; the security target letter).
#[utoipa::path(get, path = "/api/v1/letters", tag = "letters",
    params(("unit" = Option<i64>, Query), ("kind" = Option<anbao_domain::letters::LetterKind>, Query), ("year" = Option<i32>, Query, minimum = 2000, maximum = 2100)),
    responses((status = 200, body = OverviewBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn overview(
    State(s): State<AppState>,
    a: Api,
    Query(q): Query<LetterQuery>,
) -> Result<Json<OverviewBody>, ApiError> {
    let o = app::overview(&s.db, &a.ctx, q.unit()?, q.kind(), q.year()).await?;
    let (letters, signed, late) = o.total();
    Ok(Json(OverviewBody {
        unit_id: o.unit.id.get(),
        kind: o.kind.code().into(),
        year: o.year,
        deadline: o.deadline_day.map(ymd),
        letters,
        signed,
        unsigned: letters - signed,
        late,
        tallies: o
            .tallies
            .iter()
            .map(|t| TallyBody {
                unit_id: t.unit_id,
                unit_name: t.unit_name.clone(),
                own: t.unit_id == o.unit.id.get(),
                letters: t.letters,
                signed: t.signed,
                late: t.late,
            })
            .collect(),
        not_signed: o.unsigned.iter().map(body).collect(),
    }))
}

/// The signed-in person's own letters.
#[utoipa::path(get, path = "/api/v1/letters/mine", tag = "letters", responses((status = 200, body = Vec<LetterBody>)))]
pub async fn mine(State(s): State<AppState>, a: Api) -> Result<Json<Vec<LetterBody>>, ApiError> {
    Ok(Json(app::my_letters(&s.db, &a.ctx).await?.iter().map(body).collect()))
}

#[utoipa::path(get, path = "/api/v1/letters/{id}", tag = "letters", params(("id" = i64, Path)),
    responses((status = 200, body = LetterBody), (status = 404, body = ErrorBody)))]
pub async fn get(State(s): State<AppState>, a: Api, Id(id): Id) -> Result<Json<LetterBody>, ApiError> {
    Ok(Json(body(&app::get_letter(&s.db, &a.ctx, id).await?.letter)))
}

/// A plan: for a unit, a kind and a year, with the year's targets.
#[derive(Deserialize, ToSchema)]
#[schema(as = NewSigningPlan)]
pub struct NewPlan {
    pub unit_id: i64,
    #[schema(value_type = anbao_domain::letters::LetterKind)]
    pub kind: String,
    #[schema(pattern = r"^(20[0-9]{2}|2100)$")]
    pub year: String,
    // anbao_domain::letters::TARGETS_MAX
    #[schema(
        max_length = 4000,
        pattern = r"^[^\x00-\x08\x0b-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x08\x0b-\x1f\x7f-\x9f]*$"
    )]
    pub targets: String,
}

#[derive(Serialize, ToSchema)]
pub struct PlanMade {
    pub plan_id: i64,
    /// Letters added now (0 when everyone already had one).
    pub added: usize,
}

/// Make the signing plan of a unit, or extend it with the people who joined since.
#[utoipa::path(post, path = "/api/v1/letters/plans", tag = "letters", request_body = NewPlan,
    responses((status = 201, body = PlanMade), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn make_plan(
    State(s): State<AppState>,
    a: Api,
    ApiJson(b): ApiJson<NewPlan>,
) -> Result<(StatusCode, Json<PlanMade>), ApiError> {
    let (plan_id, added) = app::make_plan(&s.db, &a.ctx, UnitId::new(b.unit_id), &b.kind, &b.year, &b.targets).await?;
    Ok((StatusCode::CREATED, Json(PlanMade { plan_id, added })))
}

/// The signer's confirmation: their PIN or sign-in password, and the pledge.
#[derive(Deserialize, ToSchema)]
pub struct SignBody {
    pub secret: String,
    pub agree: bool,
}

#[utoipa::path(post, path = "/api/v1/letters/{id}/sign", tag = "letters", params(("id" = i64, Path)), request_body = SignBody,
    responses((status = 204), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn sign(
    State(s): State<AppState>,
    a: Api,
    Id(id): Id,
    ApiJson(b): ApiJson<SignBody>,
) -> Result<StatusCode, ApiError> {
    app::sign(&s.db, &s.policy, &a.ctx, id, &b.secret, b.agree).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A paper letter's scan (PDF or photo, the raw body, at most 10 MB, read only after the caller is known to be
/// allowed): the letter becomes signed on paper.
#[utoipa::path(post, path = "/api/v1/letters/{id}/scan", tag = "letters", params(("id" = i64, Path)),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn upload_scan(
    State(s): State<AppState>,
    a: Api,
    Id(id): Id,
    headers: HeaderMap,
    raw: Body,
) -> Result<StatusCode, ApiError> {
    app::must_upload(&s.db, &a.ctx, id).await?;
    let bytes = crate::form::body_within(raw, anbao_app::evidence::MAX_UPLOAD_BYTES).await?;
    let file_name =
        headers.get("x-file-name").and_then(|v| v.to_str().ok()).map(str::to_owned).unwrap_or_else(|| "letter".into());
    let upload = anbao_app::evidence::Upload { file_name, bytes, taken_at: None };
    app::upload_scan(&s.db, &s.blobs, &a.ctx, id, upload).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
pub struct RemindBody {
    pub unit_id: i64,
    #[schema(value_type = anbao_domain::letters::LetterKind)]
    pub kind: String,
    #[schema(pattern = r"^(20[0-9]{2}|2100)$")]
    pub year: String,
}

#[derive(Serialize, ToSchema)]
pub struct Reminded {
    pub reminded: usize,
}

/// Remind those of a subtree who have not signed (once a day each).
#[utoipa::path(post, path = "/api/v1/letters/remind", tag = "letters", request_body = RemindBody,
    responses((status = 200, body = Reminded), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn remind(
    State(s): State<AppState>,
    a: Api,
    ApiJson(b): ApiJson<RemindBody>,
) -> Result<Json<Reminded>, ApiError> {
    let reminded = app::remind(&s.db, &a.ctx, UnitId::new(b.unit_id), &b.kind, &b.year).await?;
    Ok(Json(Reminded { reminded }))
}

/// The letter (安全目标责任书 or 消防安全责任书) as an A4 PDF: the same data as the page `/letters/{id}/print`,
/// with how and when it was signed once it is. 503 when the server has no Chinese font.
#[utoipa::path(get, path = "/api/v1/letters/{id}/letter.pdf", tag = "letters", params(("id" = i64, Path)),
    responses((status = 200, content_type = "application/pdf"), (status = 404, body = ErrorBody), (status = 503, body = ErrorBody)))]
pub async fn letter_pdf(State(s): State<AppState>, a: Api, Id(id): Id) -> Result<axum::response::Response, ApiError> {
    let d = crate::documents::letter(&s, &a.ctx, id).await?;
    let name = format!("{}-{}", d.title, d.signer);
    Ok(crate::documents::pdf(&s, anbao_pdf::Document::Letter, &d, &name).await?)
}
