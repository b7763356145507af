//! `/api/v1/records`, `/api/v1/assets`, `/api/v1/messages`: evidence records (append-only), photos, assets.
use super::auth::Created;
use crate::auth::{Api, ApiJson};
use crate::error::{ApiError, ErrorBody};
use crate::form::Id;
use crate::queries::records::{ListQuery, filter_of};
use crate::state::AppState;
use anbao_app::AppError;
use anbao_app::evidence::Upload;
use anbao_domain::ids::UnitId;
use anbao_domain::records::RecordInput;
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
pub struct RecordBody {
    pub id: i64,
    pub kind: String,
    pub subkind: Option<String>,
    pub unit_id: i64,
    pub unit_name: String,
    pub asset_id: Option<i64>,
    pub asset_code: Option<String>,
    pub performer: Option<String>,
    pub performer_position: Option<String>,
    pub second_person: Option<String>,
    pub subject_staff: Option<String>,
    pub target_unit: Option<String>,
    pub occurred_at: String,
    pub value: Option<i64>,
    pub data: serde_json::Value,
    pub supersedes_id: Option<i64>,
    pub superseded_by: Option<i64>,
    pub recorded_by: Option<String>,
    pub attachments: i64,
}

fn body(r: anbao_store::records::RecordRow) -> RecordBody {
    RecordBody {
        id: r.id,
        kind: r.kind,
        subkind: r.subkind,
        unit_id: r.unit_id,
        unit_name: r.unit_name,
        asset_id: r.asset_id,
        asset_code: r.asset_code,
        performer: r.performer,
        performer_position: r.performer_position,
        second_person: r.second_person,
        subject_staff: r.subject_staff,
        target_unit: r.target_unit,
        occurred_at: anbao_domain::time::rfc3339_ms(r.occurred_at),
        value: r.value,
        data: serde_json::from_str(&r.data).unwrap_or_default(),
        supersedes_id: r.supersedes_id,
        superseded_by: r.superseded_by,
        recorded_by: r.recorded_by,
        attachments: r.attachments,
    }
}

#[derive(Serialize, ToSchema)]
pub struct RecordPage {
    pub items: Vec<RecordBody>,
    /// Matches, counted up to 10,000; `total_capped` says there are more.
    pub total: i64,
    pub total_capped: bool,
    pub page: i64,
}

/// The days a list covers (the document only: `ListQuery` reads them).
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct DateRange {
    /// YYYY-MM-DD
    #[param(schema_with = super::codes::optional_date)]
    from: Option<String>,
    /// YYYY-MM-DD, inclusive
    #[param(schema_with = super::codes::optional_date)]
    to: Option<String>,
}

/// Records in scope, newest first.
#[utoipa::path(get, path = "/api/v1/records", tag = "records",
    params(("kind" = Option<anbao_domain::records::RecordKind>, Query), ("unit" = Option<i64>, Query), ("asset" = Option<i64>, Query),
           DateRange, ("page" = Option<i64>, Query, minimum = 1)),
    responses((status = 200, body = RecordPage), (status = 422, body = ErrorBody)))]
pub async fn list(State(s): State<AppState>, a: Api, Query(q): Query<ListQuery>) -> Result<Json<RecordPage>, ApiError> {
    let f = filter_of(&s, &a.ctx, &q).await?;
    let page = crate::form::page_number(q.page.as_deref())?;
    let (rows, total) = anbao_app::records::list(&s.db, &a.ctx, &f, page).await?;
    let cap = anbao_store::records::COUNT_CAP;
    Ok(Json(RecordPage {
        items: rows.into_iter().map(body).collect(),
        total: total.min(cap),
        total_capped: total > cap,
        page,
    }))
}

/// Enter a record. Records are append-only: to correct one, send `supersedes_id`.
#[utoipa::path(post, path = "/api/v1/records", tag = "records", request_body = RecordInput,
    responses((status = 201, body = Created), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create(
    State(s): State<AppState>,
    a: Api,
    ApiJson(input): ApiJson<RecordInput>,
) -> Result<(StatusCode, Json<Created>), ApiError> {
    let id = anbao_app::records::create(&s.db, &s.blobs, &s.policy, &a.ctx, &input, Vec::new()).await?;
    Ok((StatusCode::CREATED, Json(Created { id })))
}

/// One record.
#[utoipa::path(get, path = "/api/v1/records/{id}", tag = "records", params(("id" = i64, Path)),
    responses((status = 200, body = RecordBody), (status = 404, body = ErrorBody)))]
pub async fn get(State(s): State<AppState>, a: Api, Id(id): Id) -> Result<Json<RecordBody>, ApiError> {
    let (r, _) = anbao_app::records::get(&s.db, &a.ctx, id).await?;
    Ok(Json(body(r)))
}

/// Correct a record with a photo: the raw image is the body (`Content-Type: image/jpeg`…); the record is entered
/// again with the photo attached and supersedes the original. Optional header `X-Taken-At` (RFC 3339).
#[utoipa::path(post, path = "/api/v1/records/{id}/photo", tag = "records", params(("id" = i64, Path)),
    request_body(content = Vec<u8>, content_type = "image/jpeg"),
    responses((status = 201, body = Created), (status = 422, body = ErrorBody)))]
pub async fn add_photo(
    State(s): State<AppState>,
    a: Api,
    Id(id): Id,
    headers: HeaderMap,
    bytes: Bytes,
) -> Result<(StatusCode, Json<Created>), ApiError> {
    let (r, _) = anbao_app::records::get(&s.db, &a.ctx, id).await?;
    let taken = headers
        .get("x-taken-at")
        .and_then(|v| v.to_str().ok())
        .map(|t| anbao_app::evidence::parse_time(Some(t), a.ctx.now))
        .transpose()?;
    let data: serde_json::Value = serde_json::from_str(&r.data).unwrap_or_default();
    let text = |k: &str| data.get(k).and_then(|v| v.as_str()).map(str::to_owned);
    let input = RecordInput {
        kind: r.kind.clone(),
        unit_id: Some(r.unit_id),
        asset_id: r.asset_id,
        occurred_at: Some(anbao_domain::time::rfc3339_ms(r.occurred_at)),
        subkind: r.subkind.clone(),
        performer_id: None,
        performer_position: r.performer_position.clone(),
        second_person_id: None,
        subject_staff_id: None,
        target_unit_id: None,
        checks: data
            .get("checks")
            .and_then(|c| c.as_object())
            .map(|m| m.iter().filter(|(_, v)| v.as_bool() == Some(true)).map(|(k, _)| k.clone()).collect())
            .unwrap_or_default(),
        number: r.value.map(|v| if r.kind == "training" { v as f64 / 10.0 } else { v as f64 }),
        people: data
            .get("participants")
            .or(data.get("attendees"))
            .and_then(|p| p.as_array())
            .map(|a| a.iter().filter_map(|v| v.as_i64()).collect())
            .unwrap_or_default(),
        result: text("result"),
        text: text("plan").or(text("minutes")).or(text("reason")).or(text("notes")),
        text2: text("deployment").or(text("title")).or(text("requester")),
        supersedes_id: Some(id),
        plan: text("plan_code"),
        plan_steps: data
            .get("plan_steps")
            .and_then(|p| p.as_array())
            .map(|a| a.iter().filter_map(|v| v.as_u64()).map(|v| v as usize).collect())
            .unwrap_or_default(),
        confirm_username: None,
        confirm_secret: None,
    };
    if r.performer.is_some() || r.second_person.is_some() || r.subject_staff.is_some() || r.target_unit.is_some() {
        // People and targets are not echoed in the list view; re-entry through the form or JSON keeps them exact.
        return Err(AppError::Invalid(anbao_domain::DomainError::new(
            "id",
            "该类记录请通过更正（supersedes_id）重新提交并附照片",
            "correct this kind of record with supersedes_id and the photo in the form",
        ))
        .into());
    }
    let upload = Upload {
        file_name: headers.get("x-file-name").and_then(|v| v.to_str().ok()).unwrap_or("photo").to_owned(),
        bytes: bytes.to_vec(),
        taken_at: taken,
    };
    let new_id = anbao_app::records::create(&s.db, &s.blobs, &s.policy, &a.ctx, &input, vec![upload]).await?;
    Ok((StatusCode::CREATED, Json(Created { id: new_id })))
}

#[derive(Serialize, ToSchema)]
pub struct AssetBody {
    pub id: i64,
    pub unit_id: i64,
    pub unit_name: String,
    pub kind: String,
    pub code: String,
    pub name: String,
}

#[derive(Deserialize, Default)]
pub struct AssetQuery {
    kind: Option<String>,
}

/// Assets in scope (ATMs, vaults, CCTV systems…).
#[utoipa::path(get, path = "/api/v1/assets", tag = "records", params(("kind" = Option<String>, Query)), responses((status = 200, body = Vec<AssetBody>)))]
pub async fn assets(
    State(s): State<AppState>,
    a: Api,
    Query(q): Query<AssetQuery>,
) -> Result<Json<Vec<AssetBody>>, ApiError> {
    let rows = anbao_app::assets::list(&s.db, &a.ctx, q.kind.as_deref().filter(|k| !k.is_empty())).await?;
    Ok(Json(
        rows.into_iter()
            .map(|r| AssetBody {
                id: r.id,
                unit_id: r.unit_id.get(),
                unit_name: r.unit_name,
                kind: r.kind,
                code: r.code,
                name: r.name,
            })
            .collect(),
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct NewAsset {
    pub unit_id: i64,
    #[schema(schema_with = super::codes::asset_kinds)]
    pub kind: String,
    /// Letters, digits and hyphens.
    #[schema(max_length = 32, pattern = r"^[A-Za-z0-9-]+$")]
    pub code: String,
    #[schema(max_length = 64, pattern = r"^[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*$")]
    pub name: String,
}

/// Register an asset at a unit.
#[utoipa::path(post, path = "/api/v1/assets", tag = "records", request_body = NewAsset, responses((status = 201, body = Created), (status = 422, body = ErrorBody)))]
pub async fn create_asset(
    State(s): State<AppState>,
    a: Api,
    ApiJson(b): ApiJson<NewAsset>,
) -> Result<(StatusCode, Json<Created>), ApiError> {
    let id = anbao_app::assets::create(&s.db, &a.ctx, UnitId::new(b.unit_id), &b.kind, &b.code, &b.name).await?;
    Ok((StatusCode::CREATED, Json(Created { id })))
}

#[derive(Serialize, ToSchema)]
pub struct MessageBody {
    pub id: i64,
    pub title: String,
    pub body: String,
    pub link: String,
    pub created_at: String,
    pub read: bool,
}

/// The caller's message centre.
#[utoipa::path(get, path = "/api/v1/messages", tag = "records", responses((status = 200, body = Vec<MessageBody>)))]
pub async fn messages(State(s): State<AppState>, a: Api) -> Result<Json<Vec<MessageBody>>, ApiError> {
    let rows = anbao_app::messages::own(&s.db, &a.ctx).await?;
    Ok(Json(
        rows.into_iter()
            .map(|m| MessageBody {
                id: m.id,
                title: m.title,
                body: m.body,
                link: m.link,
                created_at: anbao_domain::time::rfc3339_ms(m.created_at),
                read: m.read,
            })
            .collect(),
    ))
}

#[derive(Serialize, ToSchema)]
pub struct MarkedRead {
    /// How many messages were unread and are now read.
    pub marked: u64,
}

/// Mark every message of the caller read.
#[utoipa::path(post, path = "/api/v1/messages/read", tag = "records", responses((status = 200, body = MarkedRead)))]
pub async fn mark_read(State(s): State<AppState>, a: Api) -> Result<Json<MarkedRead>, ApiError> {
    Ok(Json(MarkedRead { marked: anbao_app::messages::mark_all_read(&s.db, &a.ctx).await? }))
}
