//! `/api/v1/groups`: leadership groups and their members.
use super::auth::Created;
use crate::auth::{Api, ApiJson};
use crate::error::{ApiError, ErrorBody};
use crate::form::Id;
use crate::form::IdAnd;
use crate::state::AppState;
use anbao_domain::groups::{GroupKind, GroupRole};
use anbao_domain::ids::{GroupId, StaffId, UnitId};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
pub struct GroupBody {
    pub id: GroupId,
    pub unit_id: UnitId,
    pub unit_name: String,
    pub kind: GroupKind,
    pub kind_label: String,
    pub chair_name: Option<String>,
    pub member_count: i64,
}

#[derive(Serialize, ToSchema)]
pub struct MemberBody {
    pub staff_id: StaffId,
    pub name: String,
    pub staff_no: String,
    pub unit_name: String,
    pub role: GroupRole,
}

#[derive(Serialize, ToSchema)]
pub struct GroupDetail {
    #[serde(flatten)]
    pub group: GroupBody,
    pub members: Vec<MemberBody>,
}

fn body(g: anbao_store::groups::GroupRow) -> GroupBody {
    GroupBody {
        id: g.id,
        unit_id: g.unit_id,
        unit_name: g.unit_name,
        kind: g.kind,
        kind_label: g.kind.label_zh().into(),
        chair_name: g.chair_name,
        member_count: g.member_count,
    }
}

#[utoipa::path(get, path = "/api/v1/groups", tag = "groups", responses((status = 200, body = Vec<GroupBody>)))]
pub async fn list(State(s): State<AppState>, a: Api) -> Result<Json<Vec<GroupBody>>, ApiError> {
    Ok(Json(anbao_app::groups::list_groups(&s.db, &a.ctx).await?.into_iter().map(body).collect()))
}

#[utoipa::path(get, path = "/api/v1/groups/{id}", tag = "groups", params(("id" = i64, Path)),
    responses((status = 200, body = GroupDetail), (status = 404, body = ErrorBody)))]
pub async fn get(State(s): State<AppState>, a: Api, Id(id): Id) -> Result<Json<GroupDetail>, ApiError> {
    let (g, members, _) = anbao_app::groups::get_group(&s.db, &a.ctx, GroupId::new(id)).await?;
    Ok(Json(GroupDetail {
        group: body(g),
        members: members
            .into_iter()
            .map(|m| MemberBody {
                staff_id: m.staff_id,
                name: m.name,
                staff_no: m.staff_no,
                unit_name: m.unit_name,
                role: m.role,
            })
            .collect(),
    }))
}

#[derive(Deserialize, ToSchema)]
pub struct NewGroup {
    pub unit_id: i64,
    #[schema(value_type = anbao_domain::groups::GroupKind)]
    pub kind: String,
}

#[utoipa::path(post, path = "/api/v1/groups", tag = "groups", request_body = NewGroup,
    responses((status = 201, body = Created), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create(
    State(s): State<AppState>,
    a: Api,
    ApiJson(b): ApiJson<NewGroup>,
) -> Result<(StatusCode, Json<Created>), ApiError> {
    let id = anbao_app::groups::create_group(&s.db, &a.ctx, UnitId::new(b.unit_id), &b.kind).await?;
    Ok((StatusCode::CREATED, Json(Created { id: id.get() })))
}

#[derive(Deserialize, ToSchema)]
pub struct MemberRole {
    #[schema(value_type = anbao_domain::groups::GroupRole)]
    pub role: String,
}

#[utoipa::path(put, path = "/api/v1/groups/{id}/members/{staff_id}", tag = "groups",
    params(("id" = i64, Path), ("staff_id" = i64, Path)), request_body = MemberRole,
    responses((status = 204), (status = 422, body = ErrorBody)))]
pub async fn put_member(
    State(s): State<AppState>,
    a: Api,
    IdAnd(id, staff): IdAnd,
    ApiJson(b): ApiJson<MemberRole>,
) -> Result<StatusCode, ApiError> {
    let (id, staff) = (GroupId::new(id), StaffId::new(super::id(&staff)?));
    anbao_app::groups::put_member(&s.db, &a.ctx, id, staff, &b.role).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(delete, path = "/api/v1/groups/{id}/members/{staff_id}", tag = "groups",
    params(("id" = i64, Path), ("staff_id" = i64, Path)), responses((status = 204), (status = 404, body = ErrorBody)))]
pub async fn remove_member(State(s): State<AppState>, a: Api, IdAnd(id, staff): IdAnd) -> Result<StatusCode, ApiError> {
    let (id, staff) = (GroupId::new(id), StaffId::new(super::id(&staff)?));
    anbao_app::groups::remove_member(&s.db, &a.ctx, id, staff).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Confirm the group in place for the year (篇二 一、3): it needs a chair, of the post the rulebook names; writes the
/// record the ORG-4 rules count.
#[utoipa::path(post, path = "/api/v1/groups/{id}/confirm", tag = "groups", params(("id" = i64, Path)),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn confirm(State(s): State<AppState>, a: Api, Id(id): Id) -> Result<StatusCode, ApiError> {
    anbao_app::groups::confirm_year(&s.db, &a.ctx, GroupId::new(id)).await?;
    Ok(StatusCode::NO_CONTENT)
}
