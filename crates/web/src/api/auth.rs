//! API sign-in (a bearer token), sign-out, who am I, my to-do list, notices.
use crate::auth::{Api, ApiJson, ClientIp};
use crate::error::{ApiError, ErrorBody};
use crate::state::AppState;
use anbao_app::AppError;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Deserialize, ToSchema)]
pub struct LoginBody {
    pub username: String,
    pub password: String,
}

#[derive(Serialize, ToSchema)]
pub struct TokenBody {
    /// Send as `Authorization: Bearer <token>`.
    pub token: String,
    /// Expiry, RFC 3339 in Asia/Shanghai.
    pub expires_at: String,
}

#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth", request_body = LoginBody, security(()),
    responses((status = 200, body = TokenBody), (status = 422, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn login(
    State(s): State<AppState>,
    ClientIp(ip): ClientIp,
    ApiJson(b): ApiJson<LoginBody>,
) -> Result<Json<TokenBody>, ApiError> {
    s.sign_in_limits.check(&ip).map_err(|wait| AppError::TooManyAttempts { retry_after_secs: wait })?;
    let attempt =
        anbao_app::auth::Attempt { username: &b.username, password: &b.password, kind: "api", client_ip: &ip };
    let issued = anbao_app::auth::login(&s.db, &s.policy, s.now(), attempt).await?;
    Ok(Json(TokenBody { token: issued.token, expires_at: anbao_domain::time::rfc3339_ms(issued.expires_at) }))
}

#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "auth", responses((status = 204)))]
pub async fn logout(State(s): State<AppState>, a: Api) -> Result<StatusCode, ApiError> {
    anbao_app::auth::logout(&s.db, &a.ctx, &a.token).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Serialize, ToSchema)]
pub struct MeBody {
    pub account_id: i64,
    pub username: String,
    pub display_name: String,
    pub grants: Vec<anbao_domain::access::Grant>,
}

#[utoipa::path(get, path = "/api/v1/me", tag = "auth", responses((status = 200, body = MeBody), (status = 401, body = ErrorBody)))]
pub async fn me(a: Api) -> Json<MeBody> {
    let actor = a.ctx.actor;
    Json(MeBody {
        account_id: actor.account.get(),
        username: actor.username,
        display_name: actor.display_name,
        grants: actor.scope.grants,
    })
}

#[derive(Deserialize, ToSchema)]
pub struct PasswordBody {
    pub current_password: String,
    pub new_password: String,
}

/// Change one's own password. Every other session and token of the account ends; this token stays.
#[utoipa::path(put, path = "/api/v1/me/password", tag = "auth", request_body = PasswordBody,
    responses((status = 204), (status = 422, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn change_password(
    State(s): State<AppState>,
    a: Api,
    ApiJson(b): ApiJson<PasswordBody>,
) -> Result<StatusCode, ApiError> {
    anbao_app::auth::change_password(&s.db, &s.policy, &a.ctx, &a.token, &b.current_password, &b.new_password).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Serialize, ToSchema)]
pub struct SessionBody {
    /// The handle to revoke it by.
    pub id: String,
    /// `web` or `api`.
    pub kind: String,
    pub created_at: String,
    pub expires_at: String,
    pub client_ip: Option<String>,
    /// The session or token making this request.
    pub current: bool,
}

/// One's own live sessions and API tokens (never their secrets).
#[utoipa::path(get, path = "/api/v1/me/tokens", tag = "auth", responses((status = 200, body = Vec<SessionBody>)))]
pub async fn tokens(State(s): State<AppState>, a: Api) -> Result<Json<Vec<SessionBody>>, ApiError> {
    let list = anbao_app::auth::own_sessions(&s.db, &a.ctx, &a.token).await?;
    Ok(Json(
        list.into_iter()
            .map(|x| SessionBody {
                id: x.id,
                kind: x.kind,
                created_at: anbao_domain::time::rfc3339_ms(x.created_at),
                expires_at: anbao_domain::time::rfc3339_ms(x.expires_at),
                client_ip: x.client_ip,
                current: x.current,
            })
            .collect(),
    ))
}

/// End one of one's own sessions or tokens; another person's handle answers 404.
#[utoipa::path(delete, path = "/api/v1/me/tokens/{handle}", tag = "auth", params(("handle" = String, Path)),
    responses((status = 204), (status = 404, body = ErrorBody)))]
pub async fn revoke_token(
    State(s): State<AppState>,
    a: Api,
    axum::extract::Path(handle): axum::extract::Path<String>,
) -> Result<StatusCode, ApiError> {
    anbao_app::auth::revoke_own_session(&s.db, &a.ctx, &handle).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Serialize, ToSchema)]
pub struct TodoBody {
    /// "now" or "open".
    pub urgency: String,
    pub title: String,
    pub title_en: String,
    pub link: String,
    pub basis: String,
    /// Owed by the posts and units the reader supervises, not by the reader (a head's or the department's list).
    pub supervised: bool,
}

#[utoipa::path(get, path = "/api/v1/todo", tag = "auth", responses((status = 200, body = Vec<TodoBody>)))]
pub async fn todo(State(s): State<AppState>, a: Api) -> Result<Json<Vec<TodoBody>>, ApiError> {
    let items = anbao_app::home::todo(&s.db, &a.ctx).await?;
    Ok(Json(
        items
            .into_iter()
            .map(|t| TodoBody {
                urgency: if t.urgency == anbao_app::home::Urgency::Now { "now".into() } else { "open".into() },
                title: t.title_zh,
                title_en: t.title_en,
                link: t.link,
                basis: t.basis,
                supervised: t.supervised,
            })
            .collect(),
    ))
}

#[derive(Serialize, ToSchema)]
pub struct NoticeBody {
    pub id: i64,
    pub unit: Option<String>,
    pub title: String,
    pub body: String,
    pub author: Option<String>,
    pub published_at: String,
}

#[derive(Deserialize, ToSchema)]
pub struct NewNotice {
    pub unit_id: i64,
    #[schema(max_length = 80, pattern = r"^[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*$")]
    pub title: String,
    #[schema(
        max_length = 4000,
        pattern = r"^[^\x00-\x08\x0b-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x08\x0b-\x1f\x7f-\x9f]*$"
    )]
    pub body: String,
}

#[utoipa::path(get, path = "/api/v1/notices", tag = "notices", responses((status = 200, body = Vec<NoticeBody>)))]
pub async fn notices(State(s): State<AppState>, a: Api) -> Result<Json<Vec<NoticeBody>>, ApiError> {
    let list = anbao_app::notices::visible(&s.db, &a.ctx, 100).await?;
    Ok(Json(
        list.into_iter()
            .map(|n| NoticeBody {
                id: n.id.get(),
                unit: n.unit_name,
                title: n.title,
                body: n.body,
                author: n.author,
                published_at: anbao_domain::time::rfc3339_ms(n.published_at),
            })
            .collect(),
    ))
}

#[derive(Serialize, ToSchema)]
pub struct Created {
    pub id: i64,
}

#[utoipa::path(post, path = "/api/v1/notices", tag = "notices", request_body = NewNotice,
    responses((status = 201, body = Created), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn publish_notice(
    State(s): State<AppState>,
    a: Api,
    ApiJson(b): ApiJson<NewNotice>,
) -> Result<(StatusCode, Json<Created>), ApiError> {
    let id = anbao_app::notices::publish(&s.db, &a.ctx, anbao_domain::ids::UnitId::new(b.unit_id), &b.title, &b.body)
        .await?;
    Ok((StatusCode::CREATED, Json(Created { id: id.get() })))
}
