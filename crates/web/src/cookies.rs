//! The cookies Anbao sets and reads: the session (with its `__Host-` name behind TLS) and the reader's language.
use axum::http::{HeaderMap, header};

pub const SESSION_COOKIE: &str = "anbao_session";
/// Behind TLS the cookie takes the `__Host-` prefix: browsers then accept it only with `Secure`, `Path=/` and no
/// `Domain`, so neither a plain-HTTP page nor a sibling subdomain can plant or overwrite it.
pub const SECURE_SESSION_COOKIE: &str = "__Host-anbao_session";

pub fn session_cookie_name(secure: bool) -> &'static str {
    if secure { SECURE_SESSION_COOKIE } else { SESSION_COOKIE }
}

/// The value of cookie `name`, if sent.
pub fn cookie(h: &HeaderMap, name: &str) -> Option<String> {
    h.get_all(header::COOKIE).iter().filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(';')).find_map(|kv| {
        let (k, v) = kv.trim().split_once('=')?;
        (k == name).then(|| v.to_owned())
    })
}

pub fn session_cookie(token: &str, max_age_secs: i64, secure: bool) -> String {
    let name = session_cookie_name(secure);
    let flag = if secure { "; Secure" } else { "" };
    format!("{name}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age_secs}{flag}")
}

pub fn clear_session_cookie(secure: bool) -> String {
    let name = session_cookie_name(secure);
    let flag = if secure { "; Secure" } else { "" };
    format!("{name}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{flag}")
}
