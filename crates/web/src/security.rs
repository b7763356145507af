//! Defences applied to every response and every unsafe request: cross-site writes are refused before any
//! handler runs (CSRF), and responses carry headers that keep pages out of frames and sniffers.
use axum::extract::Request;
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// Refuse POST/PUT/PATCH/DELETE that a browser marks as cross-site, or whose Origin is not this host.
/// Bearer-token clients (scripts) send neither header and pass; they carry no ambient cookie to abuse.
pub async fn same_origin_writes(req: Request, next: Next) -> Response {
    if !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        let h = req.headers();
        if h.get("sec-fetch-site").and_then(|v| v.to_str().ok()) == Some("cross-site") {
            return (StatusCode::FORBIDDEN, "跨站请求被拒绝 (cross-site request refused)").into_response();
        }
        if let (Some(origin), Some(host)) =
            (h.get(header::ORIGIN).and_then(|v| v.to_str().ok()), h.get(header::HOST).and_then(|v| v.to_str().ok()))
        {
            let origin_host = origin.split("://").nth(1).unwrap_or(origin);
            if origin != "null" && origin_host != host {
                return (StatusCode::FORBIDDEN, "跨站请求被拒绝 (cross-origin request refused)").into_response();
            }
        }
    }
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'",
        ),
    );
    res
}
