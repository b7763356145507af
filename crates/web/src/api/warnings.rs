//! `/api/v1/warnings`: warning education — one's own bulletins, those issued over one's units, issuing one, one
//! bulletin with who has not read it, and the acknowledgement. The same `anbao_app::warnings` calls as the pages.
use super::auth::Created;
use crate::auth::{Api, ApiJson};
use crate::error::{ApiError, ErrorBody};
use crate::form::Id;
use crate::state::AppState;
use anbao_app::warnings::{self as app, WarningForm};
use anbao_store::warnings::WarningRow;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
pub struct WarningBody {
    pub id: i64,
    pub unit_id: i64,
    pub unit_name: String,
    pub title: String,
    pub body: String,
    pub posts: Vec<String>,
    pub case_id: Option<i64>,
    pub issued_at: String,
    /// When the reader acknowledged it (lists of one's own).
    pub read_at: Option<String>,
}

fn body(w: &WarningRow) -> WarningBody {
    WarningBody {
        id: w.id,
        unit_id: w.unit_id,
        unit_name: w.unit_name.clone(),
        title: w.title.clone(),
        body: w.body.clone(),
        posts: w.posts.iter().map(|p| p.code().to_owned()).collect(),
        case_id: w.case_id,
        issued_at: anbao_domain::time::rfc3339_ms(w.issued_at),
        read_at: w.read_at.map(anbao_domain::time::rfc3339_ms),
    }
}

#[derive(Serialize, ToSchema)]
pub struct Lists {
    pub mine: Vec<WarningBody>,
    pub issued: Vec<WarningBody>,
}

#[utoipa::path(get, path = "/api/v1/warnings", tag = "warnings", responses((status = 200, body = Lists)))]
pub async fn list(State(s): State<AppState>, a: Api) -> Result<Json<Lists>, ApiError> {
    Ok(Json(Lists {
        mine: app::mine(&s.db, &a.ctx).await?.iter().map(body).collect(),
        issued: app::issued(&s.db, &a.ctx).await?.iter().map(body).collect(),
    }))
}

#[derive(Deserialize, ToSchema)]
pub struct NewWarning {
    pub unit_id: i64,
    #[schema(max_length = 100, pattern = r"^[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*$")]
    pub title: String,
    #[schema(
        max_length = 5000,
        pattern = r"^[^\x00-\x08\x0b-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x08\x0b-\x1f\x7f-\x9f]*$"
    )]
    pub body: String,
    #[serde(default)]
    #[schema(value_type = Vec<anbao_domain::staff::Position>)]
    pub posts: Vec<String>,
    /// A closed case of the subtree the bulletin is written from.
    pub case_id: Option<i64>,
}

#[utoipa::path(post, path = "/api/v1/warnings", tag = "warnings", request_body = NewWarning,
    responses((status = 201, body = Created), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn issue(
    State(s): State<AppState>,
    a: Api,
    ApiJson(b): ApiJson<NewWarning>,
) -> Result<(StatusCode, Json<Created>), ApiError> {
    let f = WarningForm { unit_id: b.unit_id, title: b.title, body: b.body, posts: b.posts, case_id: b.case_id };
    let id = app::issue(&s.db, &a.ctx, &f).await?;
    Ok((StatusCode::CREATED, Json(Created { id })))
}

#[derive(Serialize, ToSchema)]
#[schema(as = ReadTally)]
pub struct TallyBody {
    pub unit_id: i64,
    pub unit_name: String,
    pub recipients: i64,
    pub read: i64,
}

#[derive(Serialize, ToSchema)]
pub struct UnreadBody {
    pub staff_id: i64,
    pub name: String,
    pub unit_name: String,
}

#[derive(Serialize, ToSchema)]
pub struct ViewBody {
    pub warning: WarningBody,
    pub may_acknowledge: bool,
    pub read_at: Option<String>,
    /// Per unit, for heads and security departments (empty for a reader who only received it).
    pub tallies: Vec<TallyBody>,
    /// Those who have not read it, at most 500; `unread_total` is whole.
    pub unread: Vec<UnreadBody>,
    pub unread_total: usize,
}

#[utoipa::path(get, path = "/api/v1/warnings/{id}", tag = "warnings", params(("id" = i64, Path)),
    responses((status = 200, body = ViewBody), (status = 404, body = ErrorBody)))]
pub async fn get(State(s): State<AppState>, a: Api, Id(id): Id) -> Result<Json<ViewBody>, ApiError> {
    let v = app::view(&s.db, &a.ctx, id).await?;
    Ok(Json(ViewBody {
        warning: body(&v.warning),
        may_acknowledge: v.may_acknowledge,
        read_at: v.read_at.map(anbao_domain::time::rfc3339_ms),
        tallies: v
            .tallies
            .iter()
            .map(|t| TallyBody {
                unit_id: t.unit_id,
                unit_name: t.unit_name.clone(),
                recipients: t.recipients,
                read: t.read,
            })
            .collect(),
        unread: v
            .unread
            .iter()
            .map(|x| UnreadBody { staff_id: x.id.get(), name: x.name.clone(), unit_name: x.unit_name.clone() })
            .collect(),
        unread_total: v.unread_total,
    }))
}

/// The signed-in person acknowledges a bulletin they received (again: no change).
#[utoipa::path(post, path = "/api/v1/warnings/{id}/ack", tag = "warnings", params(("id" = i64, Path)),
    responses((status = 204), (status = 404, body = ErrorBody)))]
pub async fn acknowledge(State(s): State<AppState>, a: Api, Id(id): Id) -> Result<StatusCode, ApiError> {
    app::acknowledge(&s.db, &a.ctx, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
