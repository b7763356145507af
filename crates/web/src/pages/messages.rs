//! The message centre (消息中心) and the asset register pages.
use super::{Flash, Layout, render, when};
use crate::auth::Page;
use crate::error::PageError;
use crate::form::PageForm;
use crate::state::AppState;
use anbao_app::AppError;
use anbao_domain::access::Permission;
use anbao_domain::ids::UnitId;
use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};

#[derive(Template)]
#[template(path = "messages/list.html")]
struct MessagesPage {
    l: Layout,
    messages: Vec<(String, String, String, String, bool)>,
}

pub async fn list(State(s): State<AppState>, p: Page) -> Result<Response, PageError> {
    let rows = anbao_app::messages::own(&s.db, &p.ctx).await?;
    let l = Layout::new(&p, "/messages", "消息中心", "Messages").crumb(p.lang.tr("消息中心", "Messages"), None);
    let messages = rows.into_iter().map(|m| (m.title, m.body, m.link, when(&m.created_at), m.read)).collect();
    Ok(render(&MessagesPage { l, messages })?.into_response())
}

pub async fn mark_read(State(s): State<AppState>, p: Page, PageForm(_form): PageForm) -> Result<Response, PageError> {
    anbao_app::messages::mark_all_read(&s.db, &p.ctx).await?;
    Ok(Redirect::to("/messages").into_response())
}

#[derive(Template)]
#[template(path = "assets/list.html")]
struct AssetsPage {
    l: Layout,
    assets: Vec<(i64, String, String, &'static str, String, i64)>,
    kinds: Vec<(&'static str, &'static str)>,
    units: Vec<(i64, String)>,
    error: Option<String>,
}

async fn assets_page(s: &AppState, p: &Page, error: Option<String>, ok: Option<&str>) -> Result<AssetsPage, PageError> {
    let en = p.lang.is_en();
    let rows = anbao_app::assets::list(&s.db, &p.ctx, None).await?;
    let units = anbao_app::org::list_units(&s.db, &p.ctx).await?;
    let l = Layout::new(p, "/assets", "设备台账", "Assets").crumb(p.lang.tr("设备台账", "Assets"), None).flash_from(ok);
    Ok(AssetsPage {
        l,
        assets: rows
            .into_iter()
            .map(|a| {
                (a.id, a.code, a.name, anbao_app::assets::kind_label_static(&a.kind, en), a.unit_name, a.unit_id.get())
            })
            .collect(),
        kinds: anbao_app::assets::KINDS.iter().map(|k| (k.0, if en { k.2 } else { k.1 })).collect(),
        units: units
            .into_iter()
            .filter(|u| p.ctx.actor.scope.allows(Permission::OrgWrite, &u.path))
            .map(|u| (u.id.get(), u.name))
            .collect(),
        error,
    })
}

pub async fn assets(State(s): State<AppState>, p: Page, Query(f): Query<Flash>) -> Result<Response, PageError> {
    Ok(render(&assets_page(&s, &p, None, f.ok.as_deref()).await?)?.into_response())
}

pub async fn create_asset(State(s): State<AppState>, p: Page, PageForm(form): PageForm) -> Result<Response, PageError> {
    let unit = form.id("unit_id")?.unwrap_or(0);
    match anbao_app::assets::create(
        &s.db,
        &p.ctx,
        UnitId::new(unit),
        &form.text("kind"),
        &form.text("code"),
        &form.text("name"),
    )
    .await
    {
        Ok(_) => Ok(Redirect::to("/assets?ok=created").into_response()),
        Err(e @ (AppError::Invalid(_) | AppError::Conflict(_))) => {
            let msg = if p.lang.is_en() { e.message_en() } else { e.message_zh() };
            Ok((crate::error::status_of(&e), render(&assets_page(&s, &p, Some(msg), None).await?)?).into_response())
        }
        Err(e) => Err(PageError::from(e)),
    }
}
