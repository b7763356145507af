//! Accounts and grants (系统管理员 only): who may sign in, with which role, over which part of the tree.
use super::{Flash, Layout, render};
use crate::auth::Page;
use crate::error::PageError;
use crate::form::{FormData, path_id};
use crate::state::AppState;
use anbao_app::AppError;
use anbao_app::accounts::AccountInput;
use anbao_domain::access::{Permission, Role};
use anbao_domain::ids::{AccountId, UnitId};
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};

pub struct AccountView {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    /// (grant id, "role @ unit")
    pub grants: Vec<(i64, String)>,
    pub disabled: bool,
    pub is_me: bool,
}

#[derive(Template)]
#[template(path = "accounts/list.html")]
struct ListPage {
    l: Layout,
    accounts: Vec<AccountView>,
    roles: Vec<(&'static str, &'static str)>,
    units: Vec<(i64, String)>,
    error: Option<String>,
    username: String,
    display_name: String,
}

async fn page(
    s: &AppState,
    p: &Page,
    f: Option<&FormData>,
    error: Option<String>,
    ok: Option<&str>,
) -> Result<ListPage, PageError> {
    let en = p.lang.is_en();
    let list = anbao_app::accounts::list(&s.db, &p.ctx).await.map_err(|e| p.err(e))?;
    let units = anbao_app::org::list_units(&s.db, &p.ctx).await.map_err(|e| p.err(e))?;
    let names: std::collections::HashMap<i64, String> = units.iter().map(|u| (u.id.get(), u.name.clone())).collect();
    let accounts = list
        .into_iter()
        .map(|(a, grants)| AccountView {
            id: a.id.get(),
            is_me: a.id == p.ctx.actor.account,
            username: a.username,
            display_name: a.display_name,
            grants: grants
                .iter()
                .map(|g| {
                    let unit = g
                        .grant
                        .unit_id
                        .and_then(|u| names.get(&u.get()).cloned())
                        .unwrap_or_else(|| p.lang.tr("全辖", "whole tree").into());
                    (g.id, format!("{} @ {}", if en { g.grant.role.label_en() } else { g.grant.role.label_zh() }, unit))
                })
                .collect(),
            disabled: a.disabled,
        })
        .collect();
    let l = Layout::new(p, "/admin/accounts", "账号与权限", "Accounts")
        .crumb(p.lang.tr("账号与权限", "Accounts"), None)
        .flash_from(ok);
    Ok(ListPage {
        l,
        accounts,
        roles: Role::ALL.iter().map(|r| (r.code(), if en { r.label_en() } else { r.label_zh() })).collect(),
        units: units
            .iter()
            .filter(|u| p.ctx.actor.scope.allows(Permission::AccountAdmin, &u.path))
            .map(|u| (u.id.get(), u.name.clone()))
            .collect(),
        error,
        username: f.map(|f| f.text("username")).unwrap_or_default(),
        display_name: f.map(|f| f.text("display_name")).unwrap_or_default(),
    })
}

pub async fn list(State(s): State<AppState>, p: Page, Query(f): Query<Flash>) -> Result<Response, PageError> {
    Ok(render(&page(&s, &p, None, None, f.ok.as_deref()).await?)?.into_response())
}

pub async fn create(State(s): State<AppState>, p: Page, body: Bytes) -> Result<Response, PageError> {
    let form = FormData::parse(&body).map_err(|e| p.err(e))?;
    p.check_csrf(&form)?;
    let role = Role::parse(&form.text("role")).map_err(|e| p.err(e.into()))?;
    let unit = form.id("unit_id").map_err(|e| p.err(e))?.map(UnitId::new);
    let input = AccountInput {
        username: form.text("username"),
        display_name: form.text("display_name"),
        password: form.text("password"),
        staff_id: None,
        grants: vec![(role, unit)],
        must_change_password: true,
    };
    match anbao_app::accounts::create(&s.db, Some(&p.ctx), p.ctx.now, input).await {
        Ok(_) => Ok(Redirect::to("/admin/accounts?ok=created").into_response()),
        Err(e @ (AppError::Invalid(_) | AppError::Conflict(_))) => {
            let msg = if p.lang.is_en() { e.message_en() } else { e.message_zh() };
            let pg = page(&s, &p, Some(&form), Some(msg), None).await?;
            Ok((crate::error::status_of(&e), render(&pg)?).into_response())
        }
        Err(e) => Err(p.err(e)),
    }
}

/// Disable an account: its sessions and tokens end at once.
pub async fn disable(
    State(s): State<AppState>,
    p: Page,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    set_disabled(&s, &p, &id, &body, true).await
}

pub async fn enable(
    State(s): State<AppState>,
    p: Page,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    set_disabled(&s, &p, &id, &body, false).await
}

async fn set_disabled(s: &AppState, p: &Page, id: &str, body: &[u8], disabled: bool) -> Result<Response, PageError> {
    let id = AccountId::new(path_id(id).map_err(|e| p.err(e))?);
    let form = FormData::parse(body).map_err(|e| p.err(e))?;
    p.check_csrf(&form)?;
    match anbao_app::accounts::set_disabled(&s.db, Some(&p.ctx), p.ctx.now, id, disabled).await {
        Ok(()) => Ok(Redirect::to("/admin/accounts?ok=saved").into_response()),
        Err(e @ AppError::Invalid(_)) => again(s, p, e).await,
        Err(e) => Err(p.err(e)),
    }
}

/// Remove one grant of an account.
pub async fn remove_grant(
    State(s): State<AppState>,
    p: Page,
    Path((id, grant)): Path<(String, String)>,
    body: Bytes,
) -> Result<Response, PageError> {
    let id = AccountId::new(path_id(&id).map_err(|e| p.err(e))?);
    let grant = path_id(&grant).map_err(|e| p.err(e))?;
    let form = FormData::parse(&body).map_err(|e| p.err(e))?;
    p.check_csrf(&form)?;
    match anbao_app::accounts::remove_grant(&s.db, &p.ctx, id, grant).await {
        Ok(()) => Ok(Redirect::to("/admin/accounts?ok=saved").into_response()),
        Err(e @ AppError::Invalid(_)) => again(&s, &p, e).await,
        Err(e) => Err(p.err(e)),
    }
}

async fn again(s: &AppState, p: &Page, e: AppError) -> Result<Response, PageError> {
    let msg = if p.lang.is_en() { e.message_en() } else { e.message_zh() };
    let pg = page(s, p, None, Some(msg), None).await?;
    Ok((crate::error::status_of(&e), render(&pg)?).into_response())
}
