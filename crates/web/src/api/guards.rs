//! `/api/v1/staff/{id}/guard`: an armed guard's credential and eligibility (ORG-5), read and recorded. The same
//! `anbao_app::guards` calls as the page.
use crate::auth::{Api, ApiJson};
use crate::error::{ApiError, ErrorBody};
use crate::form::Id;
use crate::state::AppState;
use anbao_app::guards::{self as app, CredentialForm};
use anbao_domain::ids::StaffId;
use axum::Json;
use axum::extract::State;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

fn ymd(d: Option<i64>) -> Option<String> {
    d.map(|d| {
        let (y, m, dd) = anbao_domain::period::ymd(d);
        format!("{y:04}-{m:02}-{dd:02}")
    })
}

/// Days as `YYYY-MM-DD`; null or empty when unknown.
#[derive(Serialize, Deserialize, ToSchema, Default)]
pub struct CredentialBody {
    /// Not after today.
    #[schema(schema_with = super::codes::optional_person_date)]
    pub birth: Option<String>,
    /// Not after today.
    #[schema(schema_with = super::codes::optional_person_date)]
    pub vetted_personnel: Option<String>,
    /// Not after today.
    #[schema(schema_with = super::codes::optional_person_date)]
    pub vetted_security: Option<String>,
    /// Not after today.
    #[schema(schema_with = super::codes::optional_person_date)]
    pub trained: Option<String>,
    #[serde(default)]
    #[schema(max_length = 40, pattern = r"^[^\x00-\x1f\x7f-\x9f]*$")]
    pub licence_no: String,
    #[schema(schema_with = super::codes::optional_person_date)]
    pub licence_expires: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct GuardBody {
    pub staff_id: i64,
    pub credential: Option<CredentialBody>,
    pub last_live_fire: Option<String>,
    /// What keeps the person from riding armed or taking a gun; empty when eligible.
    pub problems: Vec<String>,
    pub eligible: bool,
}

async fn body(s: &AppState, a: &Api, id: i64) -> Result<GuardBody, ApiError> {
    let v = app::view(&s.db, &a.ctx, StaffId::new(id)).await?;
    Ok(GuardBody {
        staff_id: id,
        credential: v.credential.as_ref().map(|k| CredentialBody {
            birth: ymd(k.birth_day),
            vetted_personnel: ymd(k.vetted_personnel_day),
            vetted_security: ymd(k.vetted_security_day),
            trained: ymd(k.trained_day),
            licence_no: k.licence_no.clone(),
            licence_expires: ymd(k.licence_expires_day),
        }),
        last_live_fire: ymd(v.last_live_fire),
        eligible: v.problems.is_empty(),
        problems: v.problems,
    })
}

#[utoipa::path(get, path = "/api/v1/staff/{id}/guard", tag = "staff", params(("id" = i64, Path)),
    responses((status = 200, body = GuardBody), (status = 404, body = ErrorBody)))]
pub async fn get(State(s): State<AppState>, a: Api, Id(id): Id) -> Result<Json<GuardBody>, ApiError> {
    Ok(Json(body(&s, &a, id).await?))
}

/// Record or correct the credential (the security department over the person).
#[utoipa::path(put, path = "/api/v1/staff/{id}/guard", tag = "staff", params(("id" = i64, Path)), request_body = CredentialBody,
    responses((status = 200, body = GuardBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn put(
    State(s): State<AppState>,
    a: Api,
    Id(id): Id,
    ApiJson(b): ApiJson<CredentialBody>,
) -> Result<Json<GuardBody>, ApiError> {
    let f = CredentialForm {
        birth: b.birth.unwrap_or_default(),
        vetted_personnel: b.vetted_personnel.unwrap_or_default(),
        vetted_security: b.vetted_security.unwrap_or_default(),
        trained: b.trained.unwrap_or_default(),
        licence_no: b.licence_no,
        licence_expires: b.licence_expires.unwrap_or_default(),
    };
    app::put(&s.db, &a.ctx, StaffId::new(id), &f).await?;
    Ok(Json(body(&s, &a, id).await?))
}
