//! `/api/v1/audit`: the trail in the caller's scope, and verification of the chain.
use crate::auth::Api;
use crate::error::{ApiError, ErrorBody};
use crate::state::AppState;
use anbao_app::AppError;
use anbao_domain::access::Permission;
use axum::Json;
use axum::extract::{Query, State};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
#[schema(as = AuditEventBody)]
pub struct EventBody {
    pub seq: i64,
    pub at: String,
    pub actor_id: Option<i64>,
    pub actor_name: Option<String>,
    pub unit_id: Option<i64>,
    pub action: String,
    pub entity: String,
    pub entity_id: String,
    pub before: Option<String>,
    pub after: Option<String>,
    pub row_hash: Option<String>,
    pub prev_hash: String,
    pub hash: String,
}

#[derive(Deserialize, Default)]
pub struct EventsQuery {
    before: Option<i64>,
    limit: Option<i64>,
    entity: Option<String>,
    entity_id: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/audit/events", tag = "audit",
    params(("before" = Option<i64>, Query), ("limit" = Option<i64>, Query), ("entity" = Option<String>, Query), ("entity_id" = Option<String>, Query)),
    responses((status = 200, body = Vec<EventBody>), (status = 403, body = ErrorBody)))]
pub async fn events(
    State(s): State<AppState>,
    a: Api,
    Query(q): Query<EventsQuery>,
) -> Result<Json<Vec<EventBody>>, ApiError> {
    let entity = match (&q.entity, &q.entity_id) {
        (Some(e), Some(i)) => Some((e.as_str(), i.as_str())),
        _ => None,
    };
    let list = anbao_app::audit::list(&s.db, &a.ctx, entity, q.limit.unwrap_or(100), q.before).await?;
    Ok(Json(
        list.into_iter()
            .map(|e| EventBody {
                seq: e.seq,
                at: anbao_domain::time::rfc3339_ms(e.at_ms),
                actor_id: e.actor,
                actor_name: e.actor_name,
                unit_id: e.unit,
                action: e.action,
                entity: e.entity,
                entity_id: e.entity_id,
                before: e.before,
                after: e.after,
                row_hash: e.row_hash,
                prev_hash: e.prev_hash,
                hash: e.hash,
            })
            .collect(),
    ))
}

#[derive(Serialize, ToSchema)]
pub struct VerifyBody {
    pub ok: bool,
    pub events: i64,
    pub rows: i64,
    pub problems: Vec<String>,
}

#[utoipa::path(get, path = "/api/v1/audit/verify", tag = "audit", responses((status = 200, body = VerifyBody), (status = 403, body = ErrorBody)))]
pub async fn verify(State(s): State<AppState>, a: Api) -> Result<Json<VerifyBody>, ApiError> {
    if !a.ctx.actor.scope.covers_whole_tree(Permission::AuditRead) {
        return Err(AppError::Forbidden.into());
    }
    let r = anbao_app::audit::verify(&s.db).await?;
    Ok(Json(VerifyBody {
        ok: r.ok(),
        events: r.events,
        rows: r.rows,
        problems: r.problems.iter().map(ToString::to_string).collect(),
    }))
}
