//! One error type per kind of answer: `PageError` renders a Chinese (or English) HTML page, `ApiError` a JSON body
//! with a stable code. Both come from `AppError`; the cause of an internal error goes to the log, not the user.
use crate::i18n::Lang;
use anbao_app::AppError;
use askama::Template;
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Serialize;

pub fn status_of(e: &AppError) -> StatusCode {
    match e {
        AppError::NotFound => StatusCode::NOT_FOUND,
        AppError::Forbidden => StatusCode::FORBIDDEN,
        AppError::Unauthenticated => StatusCode::UNAUTHORIZED,
        AppError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
        AppError::Conflict(_) => StatusCode::CONFLICT,
        AppError::TooManyAttempts { .. } => StatusCode::TOO_MANY_REQUESTS,
        AppError::PasswordChangeRequired => StatusCode::FORBIDDEN,
        AppError::DirectoryUnavailable | AppError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
        AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

fn log(e: &AppError) {
    if let AppError::Internal(cause) = e {
        tracing::error!(%cause, "internal error");
    }
}

/// A page's error. It carries no language: the page is rendered in Chinese, and in English too, and
/// [`localise_error_pages`] sends the one the reader asked for, so a handler can just use `?`.
#[derive(Debug)]
pub enum PageError {
    App(AppError),
    /// Not signed in: go to the sign-in page and come back.
    SignIn(String),
    /// Signed in with a password that must be changed first: only the password page opens.
    ChangePassword,
    /// A page handler answering an API caller (see `auth::Page`) was refused before it ran: the API's JSON.
    Api(ApiError),
}

impl From<AppError> for PageError {
    fn from(e: AppError) -> Self {
        PageError::App(e)
    }
}

impl From<anbao_domain::DomainError> for PageError {
    fn from(e: anbao_domain::DomainError) -> Self {
        PageError::App(e.into())
    }
}

/// The English rendering of an error page, carried on the response until [`localise_error_pages`] picks.
#[derive(Clone)]
struct EnglishPage(String);

fn error_page(e: &AppError, status: StatusCode, lang: Lang) -> String {
    let page = ErrorPage {
        lang: lang.code(),
        title: format!("{} {}", status.as_u16(), lang.tr("出错了", "Something went wrong")),
        message: if lang.is_en() { e.message_en() } else { e.message_zh() },
        home: lang.tr("回到首页", "Home"),
    };
    page.render().unwrap_or_else(|_| e.message_zh())
}

/// Middleware: an error page goes out in the reader's language (the `lang` cookie), Chinese unless English is asked.
pub async fn localise_error_pages(req: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let en = Lang::from_headers(req.headers()).is_en();
    let mut res = next.run(req).await;
    if let Some(EnglishPage(body)) = res.extensions_mut().remove::<EnglishPage>()
        && en
    {
        res.headers_mut().remove(header::CONTENT_LENGTH);
        *res.body_mut() = axum::body::Body::from(body);
    }
    res
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    lang: &'static str,
    title: String,
    message: String,
    home: &'static str,
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        match self {
            PageError::SignIn(next) => {
                let q = serde_urlencoded::to_string([("next", next.as_str())]).unwrap_or_default();
                Redirect::to(&format!("/login?{q}")).into_response()
            }
            PageError::Api(e) => e.into_response(),
            PageError::App(AppError::Unauthenticated) => Redirect::to("/login").into_response(),
            PageError::ChangePassword | PageError::App(AppError::PasswordChangeRequired) => {
                Redirect::to("/account/password?ok=must_change").into_response()
            }
            PageError::App(e) => {
                log(&e);
                let status = status_of(&e);
                let mut res = (status, Html(error_page(&e, status, Lang::Zh))).into_response();
                res.extensions_mut().insert(EnglishPage(error_page(&e, status, Lang::En)));
                // Under the API, `json_errors` sends this instead of the page.
                res.extensions_mut().insert(JsonTwin(body_of(&e)));
                res
            }
        }
    }
}

/// A JSON error body: `{"error": {"code": "...", "message": "中文", "message_en": "...", "field": "..."}}`.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ErrorDetail {
    /// Stable machine-readable code: not_found, forbidden, unauthenticated, invalid_input, invalid_json, conflict,
    /// too_many_attempts, password_change_required, directory_unavailable, internal.
    pub code: String,
    /// Chinese message for people.
    pub message: String,
    pub message_en: String,
    /// The input field at fault, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

#[derive(Debug)]
pub struct ApiError(pub AppError);

impl From<AppError> for ApiError {
    fn from(e: AppError) -> Self {
        ApiError(e)
    }
}

/// The JSON an error page stands for, carried on the response for [`json_errors`].
#[derive(Clone)]
struct JsonTwin(ErrorBody);

fn body_of(e: &AppError) -> ErrorBody {
    ErrorBody {
        error: ErrorDetail {
            code: e.code().into(),
            message: e.message_zh(),
            message_en: e.message_en(),
            field: e.field().map(str::to_owned),
        },
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        log(&self.0);
        let body = body_of(&self.0);
        let mut res = (status_of(&self.0), axum::Json(body)).into_response();
        if let AppError::TooManyAttempts { retry_after_secs } = self.0
            && let Ok(v) = header::HeaderValue::from_str(&retry_after_secs.to_string())
        {
            res.headers_mut().insert(header::RETRY_AFTER, v);
        }
        res
    }
}

/// 413 for a JSON body over the API's limit of `limit` bytes.
pub fn too_large(limit: usize) -> Response {
    let body = ErrorBody {
        error: ErrorDetail {
            code: "too_large".into(),
            message: format!("请求体超过大小上限（{} KB）", limit / 1024),
            message_en: format!("the request body is over the limit of {} KB", limit / 1024),
            field: None,
        },
    };
    (StatusCode::PAYLOAD_TOO_LARGE, axum::Json(body)).into_response()
}

/// A JSON error for a body that is not valid JSON or has the wrong shape.
pub fn bad_json(detail: &str) -> Response {
    let body = ErrorBody {
        error: ErrorDetail {
            code: "invalid_json".into(),
            message: format!("请求体不是有效的JSON或字段类型不正确：{detail}"),
            message_en: format!("the request body is not valid JSON of the expected shape: {detail}"),
            field: None,
        },
    };
    (StatusCode::BAD_REQUEST, axum::Json(body)).into_response()
}

/// Middleware on the API: an answer that axum or tower made before a handler ran (a query string that does not
/// parse, a method the path does not take, a body of the wrong media type) is plain text; the API's callers are
/// promised `ErrorBody` for every error, so such an answer is rewritten as one, keeping its status.
pub async fn json_errors(req: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let mut res = next.run(req).await;
    let status = res.status();
    // An error page of a page handler mounted under the API (an export) already knows its JSON.
    if let Some(JsonTwin(body)) = res.extensions_mut().remove::<JsonTwin>() {
        let mut out = (status, axum::Json(body)).into_response();
        if let Some(v) = res.headers().get(header::RETRY_AFTER) {
            out.headers_mut().insert(header::RETRY_AFTER, v.clone());
        }
        return out;
    }
    let is_json = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if !(status.is_client_error() || status.is_server_error()) || is_json {
        return res;
    }
    let (parts, body) = res.into_parts();
    // Framework rejections are a line or two; anything longer is cut rather than read whole.
    let text = axum::body::to_bytes(body, 4096).await.map(|b| String::from_utf8_lossy(&b).into_owned());
    let detail = text.unwrap_or_default();
    let (code, zh, en) = match status {
        StatusCode::METHOD_NOT_ALLOWED => {
            ("method_not_allowed", "该地址不支持此请求方法", "this path does not take that method")
        }
        StatusCode::UNSUPPORTED_MEDIA_TYPE => {
            ("unsupported_media_type", "请求体的类型不对", "the request body is not of a type this path takes")
        }
        StatusCode::PAYLOAD_TOO_LARGE => ("too_large", "请求体超过大小上限", "the request body is over the limit"),
        StatusCode::NOT_FOUND => ("not_found", "找不到该地址", "no such path"),
        s if s.is_server_error() => ("internal", "服务器内部错误", "internal error"),
        _ => ("invalid_request", "请求的参数不正确", "the request's parameters are not valid"),
    };
    let detail = detail.trim();
    let with = |m: &str, sep: &str| if detail.is_empty() { m.to_owned() } else { format!("{m}{sep}{detail}") };
    let body = ErrorBody {
        error: ErrorDetail { code: code.into(), message: with(zh, "："), message_en: with(en, ": "), field: None },
    };
    let mut out = (status, axum::Json(body)).into_response();
    // Keep what the framework said beside the status (an `Allow` header on 405, say).
    for (name, value) in &parts.headers {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            out.headers_mut().insert(name.clone(), value.clone());
        }
    }
    out
}
