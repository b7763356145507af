//! `/api/v1/exams`: the question bank, papers, sittings, hand-in, marking and results. The same
//! `anbao_app::exam` calls as the pages.
use super::auth::Created;
use crate::auth::{Api, ApiJson};
use crate::error::{ApiError, ErrorBody};
use crate::form::Id;
use crate::state::AppState;
use anbao_app::exam::{self as app, PaperForm};
use anbao_domain::exam::QuestionDraft;
use anbao_domain::ids::UnitId;
use anbao_store::exam::{PaperRow, QuestionRow, SittingRow};
use axum::Json;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
pub struct QuestionBody {
    pub id: i64,
    pub code: String,
    /// single | multiple | truefalse | fill | short
    pub kind: String,
    /// seed (第五篇) | derived (written from an article) | bank
    pub origin: String,
    pub posts: Vec<String>,
    pub tags: Vec<String>,
    pub article: String,
    pub difficulty: i32,
    pub marks: i32,
    pub text: String,
    pub options: Vec<String>,
    /// The key; empty while the reader's own sitting is open.
    pub answer: String,
}

fn question(q: &QuestionRow) -> QuestionBody {
    QuestionBody {
        id: q.id,
        code: q.code.clone(),
        kind: q.kind.code().into(),
        origin: q.origin.clone(),
        posts: q.posts.iter().map(|p| p.code().to_owned()).collect(),
        tags: q.tags.clone(),
        article: q.article.clone(),
        difficulty: q.difficulty,
        marks: q.marks,
        text: q.text.clone(),
        options: q.options.clone(),
        answer: q.answer.clone(),
    }
}

#[derive(Deserialize, ToSchema, Default)]
pub struct BankQuery {
    pub kind: Option<String>,
    pub post: Option<String>,
}

/// The bank with its answers (security departments, administrators and auditors only).
#[utoipa::path(get, path = "/api/v1/exams/questions", tag = "exams",
    params(("kind" = Option<anbao_domain::exam::QuestionKind>, Query), ("post" = Option<anbao_domain::staff::Position>, Query)),
    responses((status = 200, body = Vec<QuestionBody>), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn questions(
    State(s): State<AppState>,
    a: Api,
    Query(q): Query<BankQuery>,
) -> Result<Json<Vec<QuestionBody>>, ApiError> {
    let rows = app::bank(&s.db, &a.ctx, q.kind.as_deref(), q.post.as_deref()).await?;
    Ok(Json(rows.iter().map(question).collect()))
}

#[derive(Serialize, ToSchema)]
pub struct QuestionSaved {
    pub id: i64,
    /// False when an entry with this code was corrected.
    pub created: bool,
}

/// Add a question, or correct the one with its code (the rulebook's permission over the whole tree).
#[utoipa::path(post, path = "/api/v1/exams/questions", tag = "exams", request_body = QuestionDraft,
    responses((status = 201, body = QuestionSaved), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn put_question(
    State(s): State<AppState>,
    a: Api,
    ApiJson(b): ApiJson<QuestionDraft>,
) -> Result<(StatusCode, Json<QuestionSaved>), ApiError> {
    let (id, created) = app::put_question(&s.db, &a.ctx, &b).await?;
    Ok((StatusCode::CREATED, Json(QuestionSaved { id, created })))
}

#[derive(Serialize, ToSchema)]
#[schema(as = BankImportBody)]
pub struct ImportBody {
    pub rows: usize,
    pub added: usize,
    pub corrected: usize,
    /// The rows that cannot be taken; when any, nothing was written.
    pub errors: Vec<super::RowError>,
}
/// An import refused: the rows that cannot be taken, or an error before any row was read (an unreadable workbook).
#[derive(Serialize, ToSchema)]
#[serde(untagged)]
pub enum BankImportRefusal {
    Rows(ImportBody),
    Error(ErrorBody),
}

/// Import questions from Excel in the columns of the export (all or nothing; a known code corrects its question).
#[utoipa::path(post, path = "/api/v1/exams/questions/import", tag = "exams",
    request_body(description = "The workbook (.xlsx); the body is read as it is, whatever its Content-Type.", content((Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), (Vec<u8> = "application/octet-stream"))),
    responses((status = 200, body = ImportBody), (status = 403, body = ErrorBody), (status = 422, body = BankImportRefusal)))]
pub async fn import(
    State(s): State<AppState>,
    a: Api,
    body: axum::body::Body,
) -> Result<(StatusCode, Json<ImportBody>), ApiError> {
    // Who may import is settled before a byte of the upload is read.
    app::may_edit_bank(&a.ctx)?;
    let bytes = crate::form::body_within(body, app::import::IMPORT_LIMITS.max_file_bytes).await?;
    let r = app::import::import(&s.db, &a.ctx, bytes).await?;
    let status = if r.errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    Ok((
        status,
        Json(ImportBody { rows: r.rows, added: r.added, corrected: r.corrected, errors: super::row_errors(r.errors) }),
    ))
}

#[derive(Serialize, ToSchema)]
pub struct PaperBody {
    pub id: i64,
    pub unit_id: i64,
    pub unit_name: String,
    pub title: String,
    pub rule: String,
    pub posts: Vec<String>,
    pub opens_at: String,
    pub closes_at: String,
    pub limit_minutes: i64,
    pub pass_pct: i64,
    pub max_attempts: i64,
    pub retake_days: i64,
}

fn paper_body(p: &PaperRow) -> PaperBody {
    PaperBody {
        id: p.id,
        unit_id: p.unit_id,
        unit_name: p.unit_name.clone(),
        title: p.title.clone(),
        rule: p.rule.clone(),
        posts: p.posts.iter().map(|x| x.code().to_owned()).collect(),
        opens_at: anbao_domain::time::rfc3339_ms(p.opens_at),
        closes_at: anbao_domain::time::rfc3339_ms(p.closes_at),
        limit_minutes: p.limit_minutes,
        pass_pct: p.pass_pct,
        max_attempts: p.max_attempts,
        retake_days: p.retake_days,
    }
}

#[utoipa::path(get, path = "/api/v1/exams/papers", tag = "exams", responses((status = 200, body = Vec<PaperBody>)))]
pub async fn papers(State(s): State<AppState>, a: Api) -> Result<Json<Vec<PaperBody>>, ApiError> {
    Ok(Json(app::papers(&s.db, &a.ctx).await?.iter().map(paper_body).collect()))
}

#[derive(Deserialize, ToSchema)]
pub struct NewPaper {
    pub unit_id: i64,
    #[schema(max_length = 100, pattern = r"^[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*$")]
    pub title: String,
    /// `single:5, truefalse:5, short:2`
    pub rule: String,
    #[serde(default)]
    #[schema(value_type = Vec<anbao_domain::staff::Position>)]
    pub posts: Vec<String>,
    /// RFC 3339 or local `YYYY-MM-DDTHH:MM`
    pub opens_at: String,
    pub closes_at: String,
    #[schema(minimum = 5, maximum = 240)]
    pub limit_minutes: i64,
    #[schema(minimum = 1, maximum = 100)]
    pub pass_pct: i64,
    #[schema(minimum = 1, maximum = 5)]
    pub max_attempts: i64,
    #[schema(minimum = 0, maximum = 90)]
    pub retake_days: i64,
}

/// Set a paper for a subtree; its rule is checked against the bank for each post it is for.
#[utoipa::path(post, path = "/api/v1/exams/papers", tag = "exams", request_body = NewPaper,
    responses((status = 201, body = Created), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_paper(
    State(s): State<AppState>,
    a: Api,
    ApiJson(b): ApiJson<NewPaper>,
) -> Result<(StatusCode, Json<Created>), ApiError> {
    let f = PaperForm {
        unit_id: b.unit_id,
        title: b.title,
        rule: b.rule,
        posts: b.posts,
        opens_at: b.opens_at,
        closes_at: b.closes_at,
        limit_minutes: b.limit_minutes,
        pass_pct: b.pass_pct,
        max_attempts: b.max_attempts,
        retake_days: b.retake_days,
    };
    let id = app::create_paper(&s.db, &a.ctx, &f).await?;
    Ok((StatusCode::CREATED, Json(Created { id })))
}

#[derive(Serialize, ToSchema)]
pub struct SittingBody {
    pub id: i64,
    pub paper_id: i64,
    pub staff_id: i64,
    pub staff_name: String,
    pub unit_id: i64,
    pub attempt: i64,
    pub started_at: String,
    pub deadline_at: String,
    /// open | submitted | marked
    pub status: String,
    pub score: Option<i64>,
    pub max_score: i64,
    pub passed: Option<bool>,
}

fn sitting_body(s: &SittingRow) -> SittingBody {
    SittingBody {
        id: s.id,
        paper_id: s.paper_id,
        staff_id: s.staff_id,
        staff_name: s.staff_name.clone(),
        unit_id: s.unit_id,
        attempt: s.attempt,
        started_at: anbao_domain::time::rfc3339_ms(s.started_at),
        deadline_at: anbao_domain::time::rfc3339_ms(s.deadline_at),
        status: s.status.code().into(),
        score: s.score,
        max_score: s.max_score,
        passed: s.passed,
    }
}

#[derive(Serialize, ToSchema)]
pub struct PaperView {
    pub paper: PaperBody,
    /// The reader's own attempts.
    pub mine: Vec<SittingBody>,
    /// Why the reader may not start now; null when they may.
    pub start_refusal: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/exams/papers/{id}", tag = "exams", params(("id" = i64, Path)),
    responses((status = 200, body = PaperView), (status = 404, body = ErrorBody)))]
pub async fn paper(State(s): State<AppState>, a: Api, Id(id): Id) -> Result<Json<PaperView>, ApiError> {
    let v = app::paper_view(&s.db, &a.ctx, id).await?;
    Ok(Json(PaperView {
        paper: paper_body(&v.paper),
        mine: v.mine.iter().map(sitting_body).collect(),
        start_refusal: v.start_refusal,
    }))
}

#[derive(Serialize, ToSchema)]
pub struct UnitResultBody {
    pub unit_id: i64,
    pub unit_name: String,
    pub candidates: i64,
    pub sat: i64,
    pub passed: i64,
    pub mean_pct: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct QuestionResultBody {
    pub question_id: i64,
    pub code: String,
    pub given: i64,
    pub right: i64,
    pub unmarked: i64,
}

#[derive(Serialize, ToSchema)]
pub struct ResultsBody {
    pub paper_id: i64,
    pub unit_id: i64,
    pub sittings: Vec<SittingBody>,
    pub units: Vec<UnitResultBody>,
    /// The most missed first.
    pub questions: Vec<QuestionResultBody>,
}

#[derive(Deserialize, ToSchema, Default)]
pub struct ResultsQuery {
    pub unit: Option<i64>,
}

#[utoipa::path(get, path = "/api/v1/exams/papers/{id}/results", tag = "exams",
    params(("id" = i64, Path), ("unit" = Option<i64>, Query)),
    responses((status = 200, body = ResultsBody), (status = 404, body = ErrorBody)))]
pub async fn results(
    State(s): State<AppState>,
    a: Api,
    Id(id): Id,
    Query(q): Query<ResultsQuery>,
) -> Result<Json<ResultsBody>, ApiError> {
    let r = app::results(&s.db, &a.ctx, id, q.unit.map(UnitId::new)).await?;
    Ok(Json(ResultsBody {
        paper_id: r.paper.id,
        unit_id: r.unit.id.get(),
        sittings: r.sittings.iter().map(sitting_body).collect(),
        units: r
            .units
            .iter()
            .map(|u| UnitResultBody {
                unit_id: u.unit_id,
                unit_name: u.unit_name.clone(),
                candidates: u.candidates,
                sat: u.sat,
                passed: u.passed,
                mean_pct: u.mean_pct,
            })
            .collect(),
        questions: r
            .questions
            .iter()
            .map(|(q, t)| QuestionResultBody {
                question_id: q.id,
                code: q.code.clone(),
                given: t.given,
                right: t.right,
                unmarked: t.unmarked,
            })
            .collect(),
    }))
}

/// Start a sitting of a paper as the signed-in person.
#[utoipa::path(post, path = "/api/v1/exams/papers/{id}/sittings", tag = "exams", params(("id" = i64, Path)),
    responses((status = 201, body = Created), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn start(State(s): State<AppState>, a: Api, Id(id): Id) -> Result<(StatusCode, Json<Created>), ApiError> {
    let id = app::start(&s.db, &a.ctx, id).await?;
    Ok((StatusCode::CREATED, Json(Created { id })))
}

#[derive(Serialize, ToSchema)]
#[schema(as = SittingItemBody)]
pub struct ItemBody {
    pub seq: i64,
    pub question: QuestionBody,
    pub given: Option<String>,
    pub awarded: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct SittingView {
    pub sitting: SittingBody,
    pub items: Vec<ItemBody>,
    pub may_answer: bool,
    pub may_mark: bool,
}

/// A sitting: its questions (keys hidden from the candidate while it is open), answers and marks.
#[utoipa::path(get, path = "/api/v1/exams/sittings/{id}", tag = "exams", params(("id" = i64, Path)),
    responses((status = 200, body = SittingView), (status = 404, body = ErrorBody)))]
pub async fn sitting(State(s): State<AppState>, a: Api, Id(id): Id) -> Result<Json<SittingView>, ApiError> {
    let v = app::sitting_view(&s.db, &a.ctx, id).await?;
    Ok(Json(SittingView {
        sitting: sitting_body(&v.sitting),
        items: v
            .items
            .iter()
            .map(|it| ItemBody {
                seq: it.answer.seq,
                question: question(&it.question),
                given: it.answer.given.clone(),
                awarded: it.answer.awarded,
            })
            .collect(),
        may_answer: v.may_answer,
        may_mark: v.may_mark,
    }))
}

/// The answers by the question's place in the paper (1, 2, …): a letter, letters, `true`/`false` or text.
#[derive(Deserialize, ToSchema)]
pub struct SubmitBody {
    pub answers: BTreeMap<i64, String>,
}

#[derive(Serialize, ToSchema)]
pub struct Submitted {
    /// submitted (short answers wait for a marker) | marked
    pub status: String,
}

/// Hand in; refused after the deadline, and nothing is kept.
#[utoipa::path(post, path = "/api/v1/exams/sittings/{id}/submit", tag = "exams", params(("id" = i64, Path)), request_body = SubmitBody,
    responses((status = 200, body = Submitted), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn submit(
    State(s): State<AppState>,
    a: Api,
    Id(id): Id,
    ApiJson(b): ApiJson<SubmitBody>,
) -> Result<Json<Submitted>, ApiError> {
    let status = app::submit(&s.db, &a.ctx, id, &b.answers).await?;
    Ok(Json(Submitted { status: status.code().into() }))
}

/// The marks of each short answer waiting, by the question's place.
#[derive(Deserialize, ToSchema)]
pub struct MarkBody {
    pub awards: BTreeMap<i64, i64>,
}

#[derive(Serialize, ToSchema)]
pub struct Marked {
    pub score: i64,
    pub passed: bool,
}

#[utoipa::path(post, path = "/api/v1/exams/sittings/{id}/mark", tag = "exams", params(("id" = i64, Path)), request_body = MarkBody,
    responses((status = 200, body = Marked), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn mark(
    State(s): State<AppState>,
    a: Api,
    Id(id): Id,
    ApiJson(b): ApiJson<MarkBody>,
) -> Result<Json<Marked>, ApiError> {
    let (score, passed) = app::mark_short(&s.db, &a.ctx, id, &b.awards).await?;
    Ok(Json(Marked { score, passed }))
}
