//! The audit trail page: events in the reader's scope, newest first, and an on-demand verification of the chain.
use super::org::xlsx_response;
use super::{Layout, render, when};
use crate::auth::Page;
use crate::error::PageError;
use crate::state::AppState;
use anbao_app::AppError;
use anbao_domain::access::Permission;
use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

pub struct EventView {
    pub seq: i64,
    pub at: String,
    pub actor: String,
    pub unit: String,
    pub action: String,
    pub entity: String,
    pub after: String,
    pub hash: String,
}

#[derive(Template)]
#[template(path = "audit/list.html")]
struct ListPage {
    l: Layout,
    events: Vec<EventView>,
    next_before: Option<i64>,
    verified: Option<(bool, i64, i64, Vec<String>)>,
}

#[derive(Deserialize, Default)]
pub struct AuditQuery {
    before: Option<i64>,
    verify: Option<String>,
}

pub async fn list(State(s): State<AppState>, p: Page, Query(q): Query<AuditQuery>) -> Result<Response, PageError> {
    let events = anbao_app::audit::list(&s.db, &p.ctx, None, 100, q.before).await?;
    let verified = if q.verify.is_some() {
        // Verification reads every row of the union: only for those who audit the whole tree.
        if !p.ctx.actor.scope.covers_whole_tree(Permission::AuditRead) {
            return Err(PageError::from(AppError::Forbidden));
        }
        let r = anbao_app::audit::verify(&s.db).await?;
        Some((r.ok(), r.events, r.rows, r.problems.iter().map(ToString::to_string).collect()))
    } else {
        None
    };
    let next_before = (events.len() == 100).then(|| events.last().map(|e| e.seq)).flatten();
    let l = Layout::new(&p, "/audit", "审计日志", "Audit trail").crumb(p.lang.tr("审计日志", "Audit trail"), None);
    let page = ListPage {
        events: events
            .into_iter()
            .map(|e| EventView {
                seq: e.seq,
                at: when(&e.at_ms),
                actor: e.actor_name.unwrap_or_else(|| "系统".into()),
                unit: e.unit_name.unwrap_or_default(),
                action: e.action,
                entity: format!("{} #{}", e.entity, e.entity_id),
                after: e.after.unwrap_or_default(),
                hash: e.hash.chars().take(12).collect(),
            })
            .collect(),
        next_before,
        verified,
        l,
    };
    Ok(render(&page)?.into_response())
}

pub async fn export(State(s): State<AppState>, p: Page) -> Result<Response, PageError> {
    let events = anbao_app::audit::list(&s.db, &p.ctx, None, 500, None).await?;
    let rows: Vec<Vec<String>> = events
        .into_iter()
        .map(|e| {
            vec![
                e.seq.to_string(),
                when(&e.at_ms),
                e.actor_name.unwrap_or_default(),
                e.unit_name.unwrap_or_default(),
                e.action,
                format!("{} #{}", e.entity, e.entity_id),
                e.before.unwrap_or_default(),
                e.after.unwrap_or_default(),
                e.hash,
            ]
        })
        .collect();
    let headers = ["序号", "时间", "操作人", "单位", "操作", "对象", "修改前", "修改后", "哈希"];
    let bytes = anbao_app::export::xlsx("审计日志", &headers, &rows)?;
    Ok(xlsx_response(bytes, "audit.xlsx"))
}
