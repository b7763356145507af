//! Sign-in, sign-out, the language switch and changing one's own password.
use super::{Flash, Layout, render};
use crate::auth::{ClientIp, Page, clear_session_cookie, session_cookie};
use crate::error::PageError;
use crate::form::{FormData, PageForm};
use crate::i18n::Lang;
use crate::state::AppState;
use anbao_app::AppError;
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    lang: Lang,
    next: String,
    username: String,
    error: Option<String>,
}

impl LoginPage {
    fn tr<'a>(&self, zh: &'a str, en: &'a str) -> &'a str {
        self.lang.tr(zh, en)
    }
}

#[derive(Deserialize, Default)]
pub struct NextQuery {
    next: Option<String>,
}

/// Only paths of this site are followed after sign-in or a language switch, never another site: the value must
/// start with one `/`, and neither it nor its percent-decoded form may hold a control character, a backslash or
/// a second leading slash (browsers drop tabs and newlines and read `/\\` as `//`, which names another host).
fn safe_next(next: Option<&str>) -> String {
    fn plain(v: &str) -> bool {
        v.starts_with('/')
            && !v.starts_with("//")
            && !v.chars().any(|c| c.is_control() || c == '\\')
            && !v[1..].trim_start().starts_with(['/', '\\'])
    }
    match next {
        Some(n) if n.len() <= 2048 && plain(n) && plain(&percent_decode(n)) => n.to_owned(),
        _ => "/".into(),
    }
}

/// `%XX` sequences decoded (lossily); only used to judge a redirect target, never to build one.
fn percent_decode(v: &str) -> String {
    let b = v.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = |c: u8| (c as char).to_digit(16).map(|d| d as u8);
        if b[i] == b'%'
            && let (Some(h), Some(l)) = (b.get(i + 1).and_then(|c| hex(*c)), b.get(i + 2).and_then(|c| hex(*c)))
        {
            out.push(h * 16 + l);
            i += 3;
            continue;
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

pub async fn login_form(headers: HeaderMap, Query(q): Query<NextQuery>) -> Result<Response, PageError> {
    let page = LoginPage {
        lang: Lang::from_headers(&headers),
        next: safe_next(q.next.as_deref()),
        username: String::new(),
        error: None,
    };
    Ok(render(&page)?.into_response())
}

pub async fn login(
    State(s): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, PageError> {
    let lang = Lang::from_headers(&headers);
    let form = FormData::parse(&body).map_err(PageError::App)?;
    let username = anbao_domain::text::clip(&form.text("username"), 64);
    let next = safe_next(form.get("next"));
    let password = form.text("password");
    let attempt = anbao_app::auth::Attempt { username: &username, password: &password, kind: "web", client_ip: &ip };
    let result = match s.sign_in_limits.check(&ip) {
        Ok(()) => anbao_app::auth::login(&s.db, &s.policy, s.now(), attempt).await,
        Err(wait) => Err(AppError::TooManyAttempts { retry_after_secs: wait }),
    };
    match result {
        Ok(issued) => {
            let max_age = (issued.expires_at - s.now()) / 1000;
            let mut res = Redirect::to(&next).into_response();
            if let Ok(v) = header::HeaderValue::from_str(&session_cookie(&issued.token, max_age, s.secure_cookies)) {
                res.headers_mut().insert(header::SET_COOKIE, v);
            }
            Ok(res)
        }
        Err(e @ (AppError::Invalid(_) | AppError::TooManyAttempts { .. } | AppError::DirectoryUnavailable)) => {
            let status = crate::error::status_of(&e);
            let message = if lang.is_en() { e.message_en() } else { e.message_zh() };
            let page = LoginPage { lang, next, username, error: Some(message) };
            Ok((status, render(&page)?).into_response())
        }
        Err(e) => Err(PageError::App(e)),
    }
}

pub async fn logout(State(s): State<AppState>, p: Page, PageForm(_form): PageForm) -> Result<Response, PageError> {
    anbao_app::auth::logout(&s.db, &p.ctx, &p.token).await?;
    let mut res = Redirect::to("/login").into_response();
    if let Ok(v) = header::HeaderValue::from_str(&clear_session_cookie(s.secure_cookies)) {
        res.headers_mut().insert(header::SET_COOKIE, v);
    }
    // The emergency plans kept for offline use (and the ticks of a plan being followed) stay on a shared phone
    // only while someone is signed in.
    res.headers_mut().insert("clear-site-data", header::HeaderValue::from_static("\"cache\", \"storage\""));
    Ok(res)
}

/// Switch the language with a cookie and go back where the person was.
pub async fn set_lang(Path(code): Path<String>, Query(q): Query<NextQuery>) -> Response {
    let v = if code == "en" { "en" } else { "zh" };
    let mut res = Redirect::to(&safe_next(q.next.as_deref())).into_response();
    if let Ok(h) = header::HeaderValue::from_str(&format!("lang={v}; Path=/; SameSite=Lax; Max-Age=31536000")) {
        res.headers_mut().insert(header::SET_COOKIE, h);
    }
    res
}

#[derive(Template)]
#[template(path = "account/password.html")]
struct PasswordPage {
    l: Layout,
    error: Option<String>,
    must_change: bool,
    /// The password is the directory's: no change form, a note instead.
    directory: bool,
    /// (handle, kind label, opened, expires, address, is this one)
    sessions: Vec<(String, String, String, String, String, bool)>,
}

async fn password_page(
    s: &AppState,
    p: &Page,
    flash: Option<&str>,
    error: Option<String>,
) -> Result<PasswordPage, PageError> {
    let l = Layout::new(p, "", "修改密码", "Change password").crumb(p.lang.tr("修改密码", "Change password"), None);
    let sessions = anbao_app::auth::own_sessions(&s.db, &p.ctx, &p.token)
        .await?
        .into_iter()
        .map(|x| {
            let kind = if x.kind == "api" {
                p.lang.tr("API令牌", "API token")
            } else {
                p.lang.tr("网页会话", "Web session")
            };
            (
                x.id,
                kind.to_owned(),
                super::when(&x.created_at),
                super::when(&x.expires_at),
                x.client_ip.unwrap_or_default(),
                x.current,
            )
        })
        .collect();
    Ok(PasswordPage {
        l: l.flash_from(flash),
        error,
        must_change: p.ctx.actor.must_change_password,
        directory: s.policy.directory_for(p.ctx.actor.staff_id).is_some(),
        sessions,
    })
}

pub async fn password_form(State(s): State<AppState>, p: Page, Query(f): Query<Flash>) -> Result<Response, PageError> {
    Ok(render(&password_page(&s, &p, f.ok.as_deref(), None).await?)?.into_response())
}

/// End one of one's own sessions or API tokens.
pub async fn revoke_session(
    State(s): State<AppState>,
    p: Page,
    Path(handle): Path<String>,
    PageForm(_form): PageForm,
) -> Result<Response, PageError> {
    anbao_app::auth::revoke_own_session(&s.db, &p.ctx, &handle).await?;
    Ok(Redirect::to("/account/password?ok=revoked").into_response())
}

pub async fn change_password(
    State(s): State<AppState>,
    p: Page,
    PageForm(form): PageForm,
) -> Result<Response, PageError> {
    let (new, again) = (form.text("new_password"), form.text("new_password2"));
    let result = if new != again {
        Err(AppError::Invalid(anbao_domain::DomainError::new(
            "new_password2",
            "两次输入的新密码不一致",
            "the two new passwords differ",
        )))
    } else {
        anbao_app::auth::change_password(&s.db, &s.policy, &p.ctx, &p.token, &form.text("current_password"), &new).await
    };
    match result {
        Ok(()) => Ok(Redirect::to("/account/password?ok=password").into_response()),
        Err(e @ (AppError::Invalid(_) | AppError::TooManyAttempts { .. })) => {
            let msg = if p.lang.is_en() { e.message_en() } else { e.message_zh() };
            let status = crate::error::status_of(&e);
            Ok((status, render(&password_page(&s, &p, None, Some(msg)).await?)?).into_response())
        }
        Err(e) => Err(PageError::from(e)),
    }
}

/// Set the confirmation PIN a person types, as the second of two people, on a colleague's device (SYS-2).
pub async fn set_pin(State(s): State<AppState>, p: Page, PageForm(form): PageForm) -> Result<Response, PageError> {
    let (pin, again) = (form.text("pin"), form.text("pin2"));
    let result = if pin != again {
        Err(AppError::Invalid(anbao_domain::DomainError::new("pin2", "两次输入的PIN不一致", "the two PINs differ")))
    } else {
        anbao_app::confirm::set_pin(&s.db, &s.policy, &p.ctx, &form.text("pin_password"), &pin).await
    };
    match result {
        Ok(()) => Ok(Redirect::to("/account/password?ok=saved").into_response()),
        Err(e @ (AppError::Invalid(_) | AppError::TooManyAttempts { .. })) => {
            let msg = if p.lang.is_en() { e.message_en() } else { e.message_zh() };
            let status = crate::error::status_of(&e);
            Ok((status, render(&password_page(&s, &p, None, Some(msg)).await?)?).into_response())
        }
        Err(e) => Err(PageError::from(e)),
    }
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn only_local_paths_are_followed_after_sign_in() {
        assert_eq!(safe_next(Some("/staff?q=王")), "/staff?q=王");
        assert_eq!(safe_next(Some("//evil.example/")), "/");
        assert_eq!(safe_next(Some("https://evil.example/")), "/");
        assert_eq!(safe_next(Some("/\\evil")), "/");
        assert_eq!(safe_next(None), "/");
        for hostile in [
            "/\t/evil.example",
            "/%09/evil.example",
            "/\n/evil",
            "/%0a/evil",
            "/%2F/evil",
            "/%2f%2fevil",
            "/%5cevil",
            "/%5C%5Cevil",
            "/ /evil",
            "\t//evil",
            "%2F%2Fevil",
            "/\u{7f}/evil",
            "/%7f/evil",
        ] {
            assert_eq!(safe_next(Some(hostile)), "/", "{hostile:?} must not be followed");
        }
        assert_eq!(safe_next(Some("/records?kind=atm_patrol&q=%E7%8E%8B")), "/records?kind=atm_patrol&q=%E7%8E%8B");
    }
}
