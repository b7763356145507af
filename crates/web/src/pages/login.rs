//! Sign-in, sign-out, the language switch and changing one's own password.
use super::{Flash, Layout, render};
use crate::auth::{Page, SESSION_COOKIE, clear_session_cookie, cookie, session_cookie};
use crate::error::PageError;
use crate::form::FormData;
use crate::i18n::Lang;
use crate::state::AppState;
use anbao_app::AppError;
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
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

/// Only local paths are followed after sign-in, never another site.
fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.contains('\\') => n.to_owned(),
        _ => "/".into(),
    }
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

pub async fn login(State(s): State<AppState>, headers: HeaderMap, body: Bytes) -> Result<Response, PageError> {
    let lang = Lang::from_headers(&headers);
    let form = FormData::parse(&body).map_err(|e| PageError::App(e, lang))?;
    let username = form.text("username");
    let next = safe_next(form.get("next"));
    match anbao_app::auth::login(&s.db, &s.policy, s.now(), &username, &form.text("password"), "web").await {
        Ok(issued) => {
            let max_age = (issued.expires_at - s.now()) / 1000;
            let mut res = Redirect::to(&next).into_response();
            if let Ok(v) = header::HeaderValue::from_str(&session_cookie(&issued.token, max_age, s.secure_cookies)) {
                res.headers_mut().insert(header::SET_COOKIE, v);
            }
            Ok(res)
        }
        Err(e @ (AppError::Invalid(_) | AppError::TooManyAttempts { .. })) => {
            let status = crate::error::status_of(&e);
            let message = if lang.is_en() { e.message_en() } else { e.message_zh() };
            let page = LoginPage { lang, next, username, error: Some(message) };
            Ok((status, render(&page)?).into_response())
        }
        Err(e) => Err(PageError::App(e, lang)),
    }
}

pub async fn logout(State(s): State<AppState>, p: Page, body: Bytes) -> Result<Response, PageError> {
    let form = FormData::parse(&body).map_err(|e| p.err(e))?;
    p.check_csrf(&form)?;
    anbao_app::auth::logout(&s.db, &p.ctx, &p.token).await.map_err(|e| p.err(e))?;
    let mut res = Redirect::to("/login").into_response();
    if let Ok(v) = header::HeaderValue::from_str(&clear_session_cookie()) {
        res.headers_mut().insert(header::SET_COOKIE, v);
    }
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
}

pub async fn password_form(p: Page, Query(f): Query<Flash>) -> Result<Response, PageError> {
    let l = Layout::new(&p, "", "修改密码", "Change password").crumb(p.lang.tr("修改密码", "Change password"), None);
    Ok(render(&PasswordPage { l: l.flash_from(f.ok.as_deref()), error: None })?.into_response())
}

pub async fn change_password(State(s): State<AppState>, p: Page, body: Bytes) -> Result<Response, PageError> {
    let form = FormData::parse(&body).map_err(|e| p.err(e))?;
    p.check_csrf(&form)?;
    let (new, again) = (form.text("new_password"), form.text("new_password2"));
    let result = if new != again {
        Err(AppError::Invalid(anbao_domain::DomainError::new(
            "new_password2",
            "两次输入的新密码不一致",
            "the two new passwords differ",
        )))
    } else {
        anbao_app::auth::change_password(&s.db, &p.ctx, &p.token, &form.text("current_password"), &new).await
    };
    match result {
        Ok(()) => Ok(Redirect::to("/account/password?ok=password").into_response()),
        Err(e @ AppError::Invalid(_)) => {
            let msg = if p.lang.is_en() { e.message_en() } else { e.message_zh() };
            let l = Layout::new(&p, "", "修改密码", "Change password");
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&PasswordPage { l, error: Some(msg) })?).into_response())
        }
        Err(e) => Err(p.err(e)),
    }
}

/// Set the confirmation PIN a person types, as the second of two people, on a colleague's device (SYS-2).
pub async fn set_pin(State(s): State<AppState>, p: Page, body: Bytes) -> Result<Response, PageError> {
    let form = FormData::parse(&body).map_err(|e| p.err(e))?;
    p.check_csrf(&form)?;
    let (pin, again) = (form.text("pin"), form.text("pin2"));
    let result = if pin != again {
        Err(AppError::Invalid(anbao_domain::DomainError::new("pin2", "两次输入的PIN不一致", "the two PINs differ")))
    } else {
        anbao_app::confirm::set_pin(&s.db, &p.ctx, &form.text("pin_password"), &pin).await
    };
    match result {
        Ok(()) => Ok(Redirect::to("/account/password?ok=saved").into_response()),
        Err(e @ AppError::Invalid(_)) => {
            let msg = if p.lang.is_en() { e.message_en() } else { e.message_zh() };
            let l = Layout::new(&p, "", "修改密码", "Change password");
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&PasswordPage { l, error: Some(msg) })?).into_response())
        }
        Err(e) => Err(p.err(e)),
    }
}

/// Is there a session cookie at all (used by `/login` to skip the form when already signed in)?
pub fn has_session(h: &HeaderMap) -> bool {
    cookie(h, SESSION_COOKIE).is_some()
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
    }
}
