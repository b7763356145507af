//! `/api/v1/accounts`: the accounts an administrator keeps — list, disable and enable, add and remove grants.
use crate::auth::{Api, ApiJson};
use crate::error::{ApiError, ErrorBody};
use crate::form::Id;
use crate::form::IdAnd;
use crate::state::AppState;
use anbao_domain::access::{Grant, Role};
use anbao_domain::ids::{AccountId, UnitId};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
pub struct GrantBody {
    pub id: i64,
    #[serde(flatten)]
    pub grant: Grant,
}

#[derive(Serialize, ToSchema)]
pub struct AccountBody {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub staff_id: Option<i64>,
    pub disabled: bool,
    pub must_change_password: bool,
    pub grants: Vec<GrantBody>,
}

#[utoipa::path(get, path = "/api/v1/accounts", tag = "accounts",
    responses((status = 200, body = Vec<AccountBody>), (status = 403, body = ErrorBody)))]
pub async fn list(State(s): State<AppState>, a: Api) -> Result<Json<Vec<AccountBody>>, ApiError> {
    let rows = anbao_app::accounts::list(&s.db, &a.ctx).await?;
    Ok(Json(
        rows.into_iter()
            .map(|(r, g)| AccountBody {
                id: r.id.get(),
                username: r.username,
                display_name: r.display_name,
                staff_id: r.staff_id.map(|s| s.get()),
                disabled: r.disabled,
                must_change_password: r.must_change_password,
                grants: g.into_iter().map(|g| GrantBody { id: g.id, grant: g.grant }).collect(),
            })
            .collect(),
    ))
}

/// Disable an account: every session and token of it ends at once.
#[utoipa::path(post, path = "/api/v1/accounts/{id}/disable", tag = "accounts", params(("id" = i64, Path)),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn disable(State(s): State<AppState>, a: Api, Id(id): Id) -> Result<StatusCode, ApiError> {
    let id = AccountId::new(id);
    anbao_app::accounts::set_disabled(&s.db, Some(&a.ctx), a.ctx.now, id, true).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(post, path = "/api/v1/accounts/{id}/enable", tag = "accounts", params(("id" = i64, Path)),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn enable(State(s): State<AppState>, a: Api, Id(id): Id) -> Result<StatusCode, ApiError> {
    let id = AccountId::new(id);
    anbao_app::accounts::set_disabled(&s.db, Some(&a.ctx), a.ctx.now, id, false).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
pub struct NewGrant {
    pub role: Role,
    pub unit_id: i64,
}

#[utoipa::path(post, path = "/api/v1/accounts/{id}/grants", tag = "accounts", params(("id" = i64, Path)), request_body = NewGrant,
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn add_grant(
    State(s): State<AppState>,
    a: Api,
    Id(id): Id,
    ApiJson(b): ApiJson<NewGrant>,
) -> Result<StatusCode, ApiError> {
    let id = AccountId::new(id);
    anbao_app::accounts::add_grant(&s.db, &a.ctx, id, b.role, UnitId::new(b.unit_id)).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Remove a grant; it stops counting on the account's next request.
#[utoipa::path(delete, path = "/api/v1/accounts/{id}/grants/{grant}", tag = "accounts",
    params(("id" = i64, Path), ("grant" = i64, Path)),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn remove_grant(State(s): State<AppState>, a: Api, IdAnd(id, grant): IdAnd) -> Result<StatusCode, ApiError> {
    let id = AccountId::new(id);
    anbao_app::accounts::remove_grant(&s.db, &a.ctx, id, super::id(&grant)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
pub struct NewAccountBody {
    pub username: String,
    pub display_name: String,
    /// The initial password; the person must change it at the first sign-in.
    pub password: String,
    /// The staff record the account belongs to (its 工号); needed to take part in two-person procedures.
    pub staff_no: Option<String>,
    pub role: Role,
    pub unit_id: i64,
}

#[derive(Serialize, ToSchema)]
pub struct CreatedAccount {
    pub id: i64,
}

/// Create an account, linked to a staff record when `staff_no` is given.
#[utoipa::path(post, path = "/api/v1/accounts", tag = "accounts", request_body = NewAccountBody,
    responses((status = 201, body = CreatedAccount), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create(
    State(s): State<AppState>,
    a: Api,
    ApiJson(b): ApiJson<NewAccountBody>,
) -> Result<(StatusCode, Json<CreatedAccount>), ApiError> {
    let staff_id = match b.staff_no.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
        Some(no) => Some(anbao_app::provision::staff_for_new_account(&s.db, Some(&a.ctx), no).await?),
        None => None,
    };
    let input = anbao_app::accounts::AccountInput {
        username: b.username,
        display_name: b.display_name,
        password: b.password,
        staff_id,
        grants: vec![(b.role, Some(UnitId::new(b.unit_id)))],
        must_change_password: true,
    };
    let id = anbao_app::accounts::create(&s.db, Some(&a.ctx), a.ctx.now, input).await?;
    Ok((StatusCode::CREATED, Json(CreatedAccount { id: id.get() })))
}

#[derive(Deserialize, ToSchema)]
pub struct LinkBody {
    pub staff_no: String,
}

/// Link an account to the staff record with this number (in the administrator's scope, active, not yet linked).
#[utoipa::path(put, path = "/api/v1/accounts/{id}/staff", tag = "accounts", params(("id" = i64, Path)), request_body = LinkBody,
    responses((status = 204), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn link_staff(
    State(s): State<AppState>,
    a: Api,
    Id(id): Id,
    ApiJson(b): ApiJson<LinkBody>,
) -> Result<StatusCode, ApiError> {
    let id = AccountId::new(id);
    anbao_app::provision::link(&s.db, Some(&a.ctx), a.ctx.now, id, &b.staff_no).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct BulkQuery {
    pub unit: i64,
}

#[derive(Serialize, ToSchema)]
pub struct ProposalBody {
    pub staff_id: i64,
    pub staff_no: String,
    pub name: String,
    pub unit: String,
    pub username: String,
    pub role: Role,
    pub grant_unit_id: i64,
    pub grant_unit: String,
    /// Only in the answer to the run that made the account; shown once, never stored.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub initial_password: Option<String>,
}

fn proposal_body(p: anbao_app::provision::Proposal, password: Option<String>) -> ProposalBody {
    ProposalBody {
        staff_id: p.staff_id.get(),
        staff_no: p.staff_no,
        name: p.name,
        unit: p.unit_name,
        username: p.username,
        role: p.role,
        grant_unit_id: p.grant_unit.get(),
        grant_unit: p.grant_unit_name,
        initial_password: password,
    }
}

/// The accounts a bulk run under a unit would make (nothing is written).
#[utoipa::path(get, path = "/api/v1/accounts/bulk", tag = "accounts", params(BulkQuery),
    responses((status = 200, body = Vec<ProposalBody>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn bulk_preview(
    State(s): State<AppState>,
    a: Api,
    axum::extract::Query(q): axum::extract::Query<BulkQuery>,
) -> Result<Json<Vec<ProposalBody>>, ApiError> {
    let list = anbao_app::provision::propose(&s.db, &a.ctx, UnitId::new(q.unit)).await?;
    Ok(Json(list.into_iter().map(|p| proposal_body(p, None)).collect()))
}

#[derive(Deserialize, ToSchema)]
pub struct BulkBody {
    pub unit_id: i64,
}

/// Make one account per active person under the unit who has none, with initial passwords (answered once).
#[utoipa::path(post, path = "/api/v1/accounts/bulk", tag = "accounts", request_body = BulkBody,
    responses((status = 201, body = Vec<ProposalBody>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn bulk_create(
    State(s): State<AppState>,
    a: Api,
    ApiJson(b): ApiJson<BulkBody>,
) -> Result<(StatusCode, Json<Vec<ProposalBody>>), ApiError> {
    let made = anbao_app::provision::create_all(&s.db, &a.ctx, UnitId::new(b.unit_id)).await?;
    Ok((StatusCode::CREATED, Json(made.into_iter().map(|m| proposal_body(m.proposal, Some(m.password))).collect())))
}

#[derive(Serialize, ToSchema)]
pub struct AccountImportBody {
    pub rows: usize,
    /// The rows that cannot be taken; when any, no account was made.
    pub errors: Vec<super::RowError>,
    /// The accounts made, each with its initial password (answered once).
    pub made: Vec<ProposalBody>,
}

/// An import refused: the rows that cannot be taken, or an error before any row was read (an unreadable workbook).
#[derive(Serialize, ToSchema)]
#[serde(untagged)]
pub enum AccountImportRefusal {
    Rows(AccountImportBody),
    Error(ErrorBody),
}

/// Make accounts from an Excel list (工号, 用户名, 角色): all rows good, or none made.
#[utoipa::path(post, path = "/api/v1/accounts/import", tag = "accounts",
    request_body(description = "The workbook (.xlsx); the body is read as it is, whatever its Content-Type.", content((Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), (Vec<u8> = "application/octet-stream"))),
    responses((status = 201, body = AccountImportBody), (status = 422, body = AccountImportRefusal), (status = 403, body = ErrorBody)))]
pub async fn import(
    State(s): State<AppState>,
    a: Api,
    body: axum::body::Body,
) -> Result<(StatusCode, Json<AccountImportBody>), ApiError> {
    // Who may import is settled before a byte of the upload is read.
    anbao_app::provision::import::may_import(&a.ctx)?;
    let limit = anbao_app::provision::import::IMPORT_LIMITS.max_file_bytes;
    let bytes = crate::form::body_within(body, limit).await?;
    let r = anbao_app::provision::import::import(&s.db, &a.ctx, bytes).await?;
    let status = if r.errors.is_empty() { StatusCode::CREATED } else { StatusCode::UNPROCESSABLE_ENTITY };
    let made = r.made.into_iter().map(|m| proposal_body(m.proposal, Some(m.password))).collect();
    Ok((status, Json(AccountImportBody { rows: r.rows, errors: super::row_errors(r.errors), made })))
}
