//! Who is asking: the session cookie for pages, a bearer token (or the session plus a CSRF header) for the API.
use crate::error::{ApiError, PageError, bad_json};
use crate::form::FormData;
use crate::i18n::Lang;
use crate::state::AppState;
use anbao_app::{AppError, Ctx};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::{Method, header, request::Parts};
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;

pub use crate::cookies::{
    SECURE_SESSION_COOKIE, SESSION_COOKIE, clear_session_cookie, cookie, session_cookie, session_cookie_name,
};

/// Pages a person who must change their password may still open (and sign out from).
const PAGES_WHILE_PASSWORD_MUST_CHANGE: [&str; 2] = ["/account/password", "/logout"];
/// API paths that answer while a password must be changed.
const API_WHILE_PASSWORD_MUST_CHANGE: [&str; 3] = ["/api/v1/me", "/api/v1/me/password", "/api/v1/auth/logout"];

/// The request's path as the client sent it (a nested router sees its own part only).
fn full_path(parts: &Parts) -> &str {
    parts.extensions.get::<axum::extract::OriginalUri>().map_or(parts.uri.path(), |u| u.0.path())
}

/// A signed-in person on a page.
pub struct Page {
    pub ctx: Ctx,
    pub csrf: String,
    pub token: String,
    pub lang: Lang,
}

impl Page {
    /// Forms carry the session's CSRF token; a mismatch means the form did not come from our page.
    pub fn check_csrf(&self, form: &FormData) -> Result<(), PageError> {
        crate::form::check_csrf(form.get("csrf"), &self.csrf)
    }
}

impl FromRequestParts<AppState> for Page {
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let lang = Lang::from_headers(&parts.headers);
        // A page handler mounted in the API's part of the table (the Excel exports) answers an API caller: signed
        // in as the API is, by bearer token, refused in JSON. It only reads, so the page's CSRF token is not needed.
        if full_path(parts).starts_with("/api/v1/") {
            let a = Api::from_request_parts(parts, state).await.map_err(PageError::Api)?;
            return Ok(Page { ctx: a.ctx, csrf: String::new(), token: a.token, lang });
        }
        let next = parts.uri.path_and_query().map_or("/", |p| p.as_str()).to_owned();
        let name = session_cookie_name(state.secure_cookies);
        let token = cookie(&parts.headers, name).ok_or_else(|| PageError::SignIn(next.clone()))?;
        let now = state.now();
        match anbao_app::auth::resolve(&state.db, now, &token).await? {
            Some((actor, csrf, kind)) if kind == "web" => {
                if actor.must_change_password && !PAGES_WHILE_PASSWORD_MUST_CHANGE.contains(&full_path(parts)) {
                    return Err(PageError::ChangePassword);
                }
                // For the form extractor, which runs after this one and checks the form's token against it.
                parts.extensions.insert(crate::form::SessionCsrf(csrf.clone()));
                Ok(Page { ctx: Ctx::new(now, actor), csrf, token, lang })
            }
            _ => Err(PageError::SignIn(next)),
        }
    }
}

/// A caller of the JSON API.
pub struct Api {
    pub ctx: Ctx,
    pub token: String,
}

impl FromRequestParts<AppState> for Api {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let bearer = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(|t| t.trim().to_owned());
        let (token, from_cookie) = match bearer {
            Some(t) => (t, false),
            None => (
                cookie(&parts.headers, session_cookie_name(state.secure_cookies)).ok_or(AppError::Unauthenticated)?,
                true,
            ),
        };
        let now = state.now();
        let (actor, csrf, _kind) =
            anbao_app::auth::resolve(&state.db, now, &token).await?.ok_or(AppError::Unauthenticated)?;
        // A browser session may call the API, but a write must prove it came from our page.
        if from_cookie && !matches!(parts.method, Method::GET | Method::HEAD) {
            let sent = parts.headers.get("x-csrf-token").and_then(|v| v.to_str().ok());
            if sent != Some(csrf.as_str()) {
                return Err(ApiError(AppError::Forbidden));
            }
        }
        if actor.must_change_password && !API_WHILE_PASSWORD_MUST_CHANGE.contains(&full_path(parts)) {
            return Err(ApiError(AppError::PasswordChangeRequired));
        }
        Ok(Api { ctx: Ctx::new(now, actor), token })
    }
}

/// A JSON body whose parse errors answer as JSON errors (axum's own answer is plain text).
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = Response;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let mut v = match axum::Json::<serde_json::Value>::from_request(req, state).await {
            Ok(axum::Json(v)) => v,
            // A body over the limit is not malformed JSON: it answers 413 and says the limit.
            Err(rej) if rej.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE => {
                return Err(crate::error::too_large(crate::routes::BODY_LIMIT));
            }
            Err(rej) => return Err(bad_json(&rej.body_text())),
        };
        integral_numbers(&mut v);
        serde_path_to_error::deserialize(v)
            .map(ApiJson)
            .map_err(|e| bad_json(&format!("Failed to deserialize the JSON body into the target type: {e}")))
    }
}

/// JSON has one number type: `12.0` is the integer 12 to JSON Schema (and so to the OpenAPI document), though serde
/// reads it as a float an `i64` refuses. Whole numbers written with a fraction become integers before the body is
/// read as its type; a float field still reads them as floats.
fn integral_numbers(v: &mut serde_json::Value) {
    match v {
        serde_json::Value::Number(n) if !n.is_i64() && !n.is_u64() => {
            if let Some(f) = n.as_f64()
                && f.fract() == 0.0
                && f >= i64::MIN as f64
                && f < i64::MAX as f64
            {
                *v = serde_json::Value::from(f as i64);
            }
        }
        serde_json::Value::Array(a) => a.iter_mut().for_each(integral_numbers),
        serde_json::Value::Object(o) => o.values_mut().for_each(integral_numbers),
        _ => {}
    }
}

/// Answer 401 as JSON for the API when no one is signed in.
pub fn unauthenticated() -> Response {
    ApiError(AppError::Unauthenticated).into_response()
}

/// The client's address (see `security::client_ip`), for throttling and for the session and audit records.
pub struct ClientIp(pub String);

impl FromRequestParts<AppState> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        Ok(ClientIp(crate::security::client_ip(&parts.headers, &parts.extensions, state.trust_proxy)))
    }
}

#[cfg(test)]
mod tests {
    use super::integral_numbers;
    use serde_json::json;

    #[test]
    fn whole_numbers_written_with_a_fraction_read_as_integers_and_fractions_stay() {
        let mut v = json!({"unit_id": 12.0, "ids": [-3.0, 4], "inner": {"n": 1.5, "big": 1e300}, "s": "1.0"});
        integral_numbers(&mut v);
        assert_eq!(v, json!({"unit_id": 12, "ids": [-3, 4], "inner": {"n": 1.5, "big": 1e300}, "s": "1.0"}));
        assert!(v["unit_id"].is_i64() && v["inner"]["big"].is_f64());
    }
}
