//! `/api/v1/accounts`: the accounts an administrator keeps — list, disable and enable, add and remove grants.
use crate::auth::{Api, ApiJson};
use crate::error::{ApiError, ErrorBody};
use crate::state::AppState;
use anbao_domain::access::{Grant, Role};
use anbao_domain::ids::{AccountId, UnitId};
use axum::Json;
use axum::extract::{Path, State};
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
pub async fn disable(State(s): State<AppState>, a: Api, Path(id): Path<String>) -> Result<StatusCode, ApiError> {
    let id = AccountId::new(super::id(&id)?);
    anbao_app::accounts::set_disabled(&s.db, Some(&a.ctx), a.ctx.now, id, true).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(post, path = "/api/v1/accounts/{id}/enable", tag = "accounts", params(("id" = i64, Path)),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn enable(State(s): State<AppState>, a: Api, Path(id): Path<String>) -> Result<StatusCode, ApiError> {
    let id = AccountId::new(super::id(&id)?);
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
    Path(id): Path<String>,
    ApiJson(b): ApiJson<NewGrant>,
) -> Result<StatusCode, ApiError> {
    let id = AccountId::new(super::id(&id)?);
    anbao_app::accounts::add_grant(&s.db, &a.ctx, id, b.role, UnitId::new(b.unit_id)).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Remove a grant; it stops counting on the account's next request.
#[utoipa::path(delete, path = "/api/v1/accounts/{id}/grants/{grant}", tag = "accounts",
    params(("id" = i64, Path), ("grant" = i64, Path)),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn remove_grant(
    State(s): State<AppState>,
    a: Api,
    Path((id, grant)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    let id = AccountId::new(super::id(&id)?);
    anbao_app::accounts::remove_grant(&s.db, &a.ctx, id, super::id(&grant)?).await?;
    Ok(StatusCode::NO_CONTENT)
}
