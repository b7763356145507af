//! The home page: 我的待办 (what the person owes, derived from records) and 通知公告; publishing a notice.
use super::{Flash, Layout, render, when};
use crate::auth::Page;
use crate::error::PageError;
use crate::form::PageForm;
use crate::state::AppState;
use anbao_app::home::Urgency;
use anbao_domain::access::Permission;
use anbao_domain::ids::UnitId;
use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};

pub struct TodoView {
    pub now: bool,
    pub title: String,
    pub link: String,
    pub basis: String,
    pub supervised: bool,
}

pub struct NoticeView {
    pub title: String,
    pub body: String,
    pub unit: String,
    pub at: String,
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    l: Layout,
    todo: Vec<TodoView>,
    /// How many of `todo` the reader owes themself (the rest they supervise).
    mine: usize,
    notices: Vec<NoticeView>,
    unit_count: usize,
    staff_total: i64,
    can_publish: bool,
    publish_units: Vec<(i64, String)>,
}

pub async fn home(State(s): State<AppState>, p: Page, Query(f): Query<Flash>) -> Result<Response, PageError> {
    let en = p.lang.is_en();
    let todo = anbao_app::home::todo(&s.db, &p.ctx)
        .await?
        .into_iter()
        .map(|t| TodoView {
            now: t.urgency == Urgency::Now,
            title: if en { t.title_en } else { t.title_zh },
            link: t.link,
            basis: t.basis,
            supervised: t.supervised,
        })
        .collect::<Vec<TodoView>>();
    let mine = todo.iter().filter(|t| !t.supervised).count();
    let notices = anbao_app::notices::visible(&s.db, &p.ctx, 10)
        .await?
        .into_iter()
        .map(|n| NoticeView {
            title: n.title,
            body: n.body,
            unit: n.unit_name.unwrap_or_default(),
            at: when(&n.published_at),
        })
        .collect();
    let units = anbao_app::org::list_units(&s.db, &p.ctx).await?;
    let (_, staff_total) = anbao_app::staff::list_staff(&s.db, &p.ctx, &Default::default(), 1).await?;
    let publish_units: Vec<(i64, String)> = units
        .iter()
        .filter(|u| p.ctx.actor.scope.allows(Permission::NoticeWrite, &u.path))
        .map(|u| (u.id.get(), u.name.clone()))
        .collect();
    let l = Layout::new(&p, "/", "首页", "Home").flash_from(f.ok.as_deref());
    let page = HomePage {
        l,
        todo,
        mine,
        notices,
        unit_count: units.len(),
        staff_total,
        can_publish: !publish_units.is_empty(),
        publish_units,
    };
    Ok(render(&page)?.into_response())
}

pub async fn publish_notice(
    State(s): State<AppState>,
    p: Page,
    PageForm(form): PageForm,
) -> Result<Response, PageError> {
    let unit = form.id("unit_id")?.ok_or_else(|| PageError::from(anbao_app::AppError::NotFound))?;
    anbao_app::notices::publish(&s.db, &p.ctx, UnitId::new(unit), &form.text("title"), &form.text("body")).await?;
    Ok(Redirect::to("/?ok=created").into_response())
}
