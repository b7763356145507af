//! URL-encoded form bodies as a list of pairs, so repeated fields (several positions) survive parsing; the page form
//! extractor that parses one and checks its CSRF token in one place; typed path ids; shared date parsers.
use anbao_app::AppError;
use anbao_domain::DomainError;

#[derive(Debug, Clone, Default)]
pub struct FormData(pub Vec<(String, String)>);

impl FormData {
    pub fn parse(body: &[u8]) -> Result<FormData, AppError> {
        serde_urlencoded::from_bytes::<Vec<(String, String)>>(body)
            .map(FormData)
            .map_err(|_| AppError::Invalid(DomainError::new("", "表单数据格式不正确", "the form data is malformed")))
    }

    pub fn get(&self, key: &str) -> Option<&str> {
        self.0.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }

    pub fn text(&self, key: &str) -> String {
        self.get(key).unwrap_or_default().to_owned()
    }

    pub fn all(&self, key: &str) -> Vec<String> {
        self.0.iter().filter(|(k, _)| k == key).map(|(_, v)| v.clone()).collect()
    }

    pub fn flag(&self, key: &str) -> bool {
        matches!(self.get(key), Some("1" | "on" | "true" | "yes"))
    }

    /// An optional id field: empty means none; anything else must be a whole number.
    pub fn id(&self, key: &'static str) -> Result<Option<i64>, AppError> {
        match self.get(key).map(str::trim) {
            None | Some("") => Ok(None),
            Some(v) => v.parse::<i64>().map(Some).map_err(|_| {
                AppError::Invalid(DomainError::new(key, "编号必须是整数", "an id must be a whole number"))
            }),
        }
    }
}

impl FormData {
    /// An id field where anything but a whole number counts as not chosen (a roster's empty cells).
    pub fn id_lenient(&self, key: &str) -> Option<i64> {
        self.get(key).and_then(|v| v.trim().parse::<i64>().ok()).filter(|v| *v > 0)
    }
}

/// Parse a path id, answering 404 for anything that is not a whole number.
pub fn path_id(raw: &str) -> Result<i64, AppError> {
    raw.parse::<i64>().map_err(|_| AppError::NotFound)
}

/// Read a request body of at most `limit` bytes. Handlers that must check who is asking before reading an upload
/// take the raw body and call this after the check.
pub async fn body_within(body: axum::body::Body, limit: usize) -> Result<Vec<u8>, AppError> {
    axum::body::to_bytes(body, limit).await.map(|b| b.to_vec()).map_err(|_| {
        let mb = limit / (1024 * 1024);
        AppError::Invalid(DomainError::new(
            "file",
            format!("上传内容超过{mb} MB的上限，或未能完整接收"),
            format!("the upload exceeds the {mb} MB limit or did not arrive whole"),
        ))
    })
}

/// A multipart body that could not be read: past the route's body limit (a 200 MB video) the person is told the
/// limit; anything else is a malformed form.
pub fn multipart_error(e: axum::extract::multipart::MultipartError) -> AppError {
    if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
        use anbao_app::evidence::{MAX_UPLOAD_BYTES, MAX_UPLOADS, MAX_VIDEO_BYTES};
        let mb = |b: usize| b / (1024 * 1024);
        let (one, video) = (mb(MAX_UPLOAD_BYTES), mb(MAX_VIDEO_BYTES));
        let all = video + (MAX_UPLOADS - 1) * one;
        AppError::Invalid(DomainError::new(
            "photos",
            format!("上传内容过大：照片和扫描件每个不超过{one}MB，视频不超过{video}MB，一次合计不超过{all}MB"),
            format!(
                "the upload is too large: photos and scans up to {one} MB each, a video up to {video} MB, {all} MB in all"
            ),
        ))
    } else {
        AppError::Invalid(DomainError::new("", "表单数据格式不正确", "the form data is malformed"))
    }
}

/// A multipart form holding one file under `file_field` and text fields: the file's bytes (the last, if several were
/// sent) and the fields. The body limit of the route bounds the whole of it.
pub async fn file_form(mp: &mut axum::extract::Multipart, file_field: &str) -> Result<(FormData, Vec<u8>), AppError> {
    let (fields, files) = files_form(mp, file_field).await?;
    Ok((fields, files.into_iter().last().map(|f| f.bytes).unwrap_or_default()))
}

/// A multipart form holding any number of files under `file_field` (each with its name) and text fields. The body
/// limit of the route bounds the whole of it; the files' count, size and type are the app's to check.
pub async fn files_form(
    mp: &mut axum::extract::Multipart,
    file_field: &str,
) -> Result<(FormData, Vec<anbao_app::evidence::Upload>), AppError> {
    let bad = multipart_error;
    let mut fields = Vec::new();
    let mut files = Vec::new();
    while let Some(field) = mp.next_field().await.map_err(bad)? {
        let name = field.name().unwrap_or_default().to_owned();
        if name == file_field {
            let file_name = field.file_name().unwrap_or("file").to_owned();
            let bytes = field.bytes().await.map_err(bad)?.to_vec();
            files.push(anbao_app::evidence::Upload { file_name, bytes, taken_at: None });
        } else {
            fields.push((name, field.text().await.map_err(bad)?));
        }
    }
    Ok((FormData(fields), files))
}

/// A date typed as `YYYY-MM-DD`, as a local day number; the error names `field`.
pub fn day(raw: &str, field: &'static str) -> Result<i64, AppError> {
    raw.trim()
        .parse::<jiff::civil::Date>()
        .map(anbao_domain::period::day_of_date)
        .map_err(|_| AppError::Invalid(DomainError::new(field, "日期格式应为 2026-03-02", "dates: YYYY-MM-DD")))
}

/// A date of a query or a filter (`date`).
pub fn parse_day(raw: &str) -> Result<i64, AppError> {
    day(raw, "date")
}

/// The page of a list (`page`): empty means the first; anything but a whole number from 1 is refused, not read as 1.
pub fn page_number(raw: Option<&str>) -> Result<i64, AppError> {
    match raw.map(str::trim).filter(|p| !p.is_empty()) {
        None => Ok(1),
        Some(p) => p
            .parse::<i64>()
            .ok()
            .filter(|n| *n >= 1)
            .ok_or_else(|| anbao_app::error::invalid("page", "页码须为正整数", "the page is a whole number from 1")),
    }
}

/// A numeric `{id}` in the path, parsed at the edge: anything but a number answers 404 (a page in the reader's
/// language, or the JSON error under `/api/`), as an unknown id does.
pub struct Id(pub i64);

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for Id {
    type Rejection = axum::response::Response;

    async fn from_request_parts(parts: &mut axum::http::request::Parts, state: &S) -> Result<Self, Self::Rejection> {
        let raw = axum::extract::Path::<String>::from_request_parts(parts, state).await.map(|p| p.0);
        raw.ok().and_then(|r| r.parse::<i64>().ok()).map(Id).ok_or_else(|| not_found(parts))
    }
}

/// A numeric `{id}` followed by one more path segment (`/{id}/{action}`, `/{id}/{member}`), the id parsed as `Id`
/// parses it.
pub struct IdAnd(pub i64, pub String);

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for IdAnd {
    type Rejection = axum::response::Response;

    async fn from_request_parts(parts: &mut axum::http::request::Parts, state: &S) -> Result<Self, Self::Rejection> {
        let raw = axum::extract::Path::<(String, String)>::from_request_parts(parts, state).await.map(|p| p.0);
        match raw.ok().and_then(|(id, rest)| id.parse::<i64>().ok().map(|id| (id, rest))) {
            Some((id, rest)) => Ok(IdAnd(id, rest)),
            None => Err(not_found(parts)),
        }
    }
}

/// The verbs a route table names after `/{id}/` (`/hazards/{id}/rectify`); the handler gets the verb typed.
pub trait Verb: Sized {
    fn parse(raw: &str) -> Option<Self>;
}

/// Declare a page's verbs: an enum and the path segment of each, which the route table spells out route by route.
#[macro_export]
macro_rules! verbs {
    ($(#[$m:meta])* $name:ident { $($v:ident => $code:literal),* $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum $name { $($v),* }

        impl $crate::form::Verb for $name {
            fn parse(raw: &str) -> Option<Self> {
                match raw { $($code => Some($name::$v),)* _ => None }
            }
        }
    };
}

/// The facility lifecycles' steps are path verbs as they are (`/facilities/projects/{id}/approve`), by their codes.
impl Verb for anbao_domain::facility::ProjectStep {
    fn parse(raw: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|s| s.code() == raw)
    }
}

impl Verb for anbao_domain::facility::FaultStep {
    fn parse(raw: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|s| s.code() == raw)
    }
}

/// A numeric `{id}` and the verb that ends the path (`/{id}/approve`): the route table names each verb, so an
/// unknown one never reaches the handler; a verb the enum does not know answers 404 all the same.
pub struct IdVerb<V>(pub i64, pub V);

impl<S: Send + Sync, V: Verb> axum::extract::FromRequestParts<S> for IdVerb<V> {
    type Rejection = axum::response::Response;

    async fn from_request_parts(parts: &mut axum::http::request::Parts, state: &S) -> Result<Self, Self::Rejection> {
        let Id(id) = <Id as axum::extract::FromRequestParts<S>>::from_request_parts(parts, state).await?;
        let verb = parts.uri.path().rsplit('/').next().and_then(V::parse);
        verb.map(|v| IdVerb(id, v)).ok_or_else(|| not_found(parts))
    }
}

/// 404 for a path that names nothing: the JSON error under `/api/`, else a page in the reader's language.
fn not_found(parts: &axum::http::request::Parts) -> axum::response::Response {
    use axum::response::IntoResponse;
    let full = parts.extensions.get::<axum::extract::OriginalUri>().map_or(parts.uri.path(), |u| u.0.path());
    if full.starts_with("/api/") {
        crate::error::ApiError(AppError::NotFound).into_response()
    } else {
        crate::error::PageError::App(AppError::NotFound).into_response()
    }
}

/// The signed-in page session's CSRF token, left on the request by the `Page` extractor for [`PageForm`].
#[derive(Clone)]
pub struct SessionCsrf(pub String);

/// A form's token must be the session's: a mismatch means the form did not come from our page.
pub fn check_csrf(sent: Option<&str>, session: &str) -> Result<(), crate::error::PageError> {
    if sent == Some(session) {
        return Ok(());
    }
    Err(AppError::Invalid(DomainError::new(
        "csrf",
        "表单已过期或来源不明，请刷新页面后重试",
        "the form has expired or did not come from this site; reload and try again",
    ))
    .into())
}

/// A page's URL-encoded form, parsed, whose CSRF token matched the session's. Put it after `Page` in a handler's
/// arguments (a body extractor comes last anyway); without a signed-in page session it is refused.
pub struct PageForm(pub FormData);

impl<S: Send + Sync> axum::extract::FromRequest<S> for PageForm {
    type Rejection = axum::response::Response;

    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, Self::Rejection> {
        use axum::response::IntoResponse;
        let session = req.extensions().get::<SessionCsrf>().map(|t| t.0.clone()).unwrap_or_default();
        let body = axum::body::Bytes::from_request(req, state).await.map_err(IntoResponse::into_response)?;
        let form = FormData::parse(&body).map_err(|e| crate::error::PageError::from(e).into_response())?;
        if session.is_empty() {
            return Err(crate::error::PageError::from(AppError::Forbidden).into_response());
        }
        check_csrf(form.get("csrf"), &session).map_err(IntoResponse::into_response)?;
        Ok(PageForm(form))
    }
}
