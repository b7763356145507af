//! Defences applied to every response and every unsafe request: cross-site writes are refused before any
//! handler runs (CSRF), and responses carry headers that keep pages out of frames and sniffers.
use crate::state::AppState;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::net::{IpAddr, SocketAddr};

/// Refuse POST/PUT/PATCH/DELETE that a browser marks as cross-site, or whose Origin is not this host — `null`
/// included (a sandboxed frame or a local file posting a sign-in form). Bearer-token clients (scripts) send
/// neither header and pass; they carry no ambient cookie to abuse.
pub async fn same_origin_writes(State(s): State<AppState>, req: Request, next: Next) -> Response {
    if !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        let h = req.headers();
        if h.get("sec-fetch-site").and_then(|v| v.to_str().ok()) == Some("cross-site") {
            return (StatusCode::FORBIDDEN, "跨站请求被拒绝 (cross-site request refused)").into_response();
        }
        if let (Some(origin), Some(host)) =
            (h.get(header::ORIGIN).and_then(|v| v.to_str().ok()), h.get(header::HOST).and_then(|v| v.to_str().ok()))
        {
            let origin_host = origin.split("://").nth(1).unwrap_or(origin);
            if origin == "null" || origin_host != host {
                return (StatusCode::FORBIDDEN, "跨站请求被拒绝 (cross-origin request refused)").into_response();
            }
        }
    }
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    // Pages and answers carry personal data: no cache, shared or private, keeps them (the stylesheet sets its own).
    if !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    if s.secure_cookies {
        h.insert(header::STRICT_TRANSPORT_SECURITY, HeaderValue::from_static("max-age=31536000"));
    }
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'",
        ),
    );
    res
}

/// Is this GET a navigation from this site, or typed by the person (so a read receipt may be recorded)? A page
/// opened from another site (`Sec-Fetch-Site: cross-site` or `same-site`) is shown but records nothing.
pub fn same_site_navigation(h: &HeaderMap) -> bool {
    matches!(h.get("sec-fetch-site").and_then(|v| v.to_str().ok()), None | Some("same-origin" | "none"))
}

/// The client's address: the TCP peer, or behind a trusted proxy the last address it appended to
/// `X-Forwarded-For` (the earlier ones are whatever the client claimed). "unknown" when neither is there.
pub fn client_ip(h: &HeaderMap, ext: &axum::http::Extensions, trust_proxy: bool) -> String {
    if trust_proxy
        && let Some(last) = h
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(str::trim)
            .rfind(|v| !v.is_empty())
        && let Ok(ip) = last.parse::<IpAddr>()
    {
        return ip.to_string();
    }
    ext.get::<ConnectInfo<SocketAddr>>().map_or_else(|| "unknown".into(), |c| c.0.ip().to_string())
}

pub use crate::sign_in_limits::{SignInLimits, SignInRates};
