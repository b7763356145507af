//! A readable page of the API, rendered on the server from the same OpenAPI document (no external script).
use super::{Layout, render};
use crate::api::openapi::ApiDoc;
use crate::auth::Page;
use crate::error::PageError;
use askama::Template;
use axum::response::{IntoResponse, Response};
use utoipa::OpenApi;

pub struct Endpoint {
    pub method: String,
    pub path: String,
    pub summary: String,
    pub tag: String,
    pub body: String,
    pub responses: String,
}

#[derive(Template)]
#[template(path = "api/docs.html")]
struct DocsPage {
    l: Layout,
    endpoints: Vec<Endpoint>,
}

pub async fn docs(p: Page) -> Result<Response, PageError> {
    let doc = ApiDoc::openapi();
    let json = serde_json::to_value(&doc).unwrap_or_default();
    let mut endpoints = Vec::new();
    if let Some(paths) = json.get("paths").and_then(|p| p.as_object()) {
        for (path, ops) in paths {
            let Some(ops) = ops.as_object() else { continue };
            for (method, op) in ops {
                let text = |k: &str| op.get(k).and_then(|v| v.as_str()).unwrap_or_default().to_owned();
                let body = op
                    .pointer("/requestBody/content/application~1json/schema/$ref")
                    .and_then(|v| v.as_str())
                    .map(|r| r.rsplit('/').next().unwrap_or_default().to_owned())
                    .unwrap_or_default();
                let responses = op
                    .get("responses")
                    .and_then(|r| r.as_object())
                    .map(|r| r.keys().cloned().collect::<Vec<_>>().join(" "))
                    .unwrap_or_default();
                let tag = op.pointer("/tags/0").and_then(|v| v.as_str()).unwrap_or_default().to_owned();
                let summary = {
                    let s = text("summary");
                    if s.is_empty() { text("description") } else { s }
                };
                endpoints.push(Endpoint {
                    method: method.to_uppercase(),
                    path: path.clone(),
                    summary,
                    tag,
                    body,
                    responses,
                });
            }
        }
    }
    endpoints.sort_by(|a, b| (a.tag.as_str(), a.path.as_str()).cmp(&(b.tag.as_str(), b.path.as_str())));
    let l = Layout::new(&p, "/api/docs", "接口文档", "API").crumb(p.lang.tr("接口文档", "API"), None);
    Ok(render(&DocsPage { l, endpoints })?.into_response())
}
