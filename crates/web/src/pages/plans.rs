//! Emergency plan pages for a phone at the moment of need: the situations (two taps to a plan), one plan's steps
//! with its contacts and one-tap calls, ticked with their times (kept on the phone while offline, saved when the
//! network is back), a case report started from it, and the service worker that keeps the plans for offline use.
use super::{Layout, again, render, user_message, when};
use crate::auth::Page;
use crate::error::PageError;
use crate::form::PageForm;
use crate::state::AppState;
use anbao_app::plans::{self as app, Resolved};
use anbao_domain::plans::{Contact, PlanGroup, Tick};
use askama::Template;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};

pub struct PlanLink {
    pub code: String,
    pub title: String,
    pub article: String,
}

pub struct GroupLine {
    pub label: &'static str,
    pub plans: Vec<PlanLink>,
}

pub struct RunLine {
    pub plan: String,
    pub unit: String,
    pub started: String,
    pub ticked: usize,
    pub notes: String,
}

#[derive(Template)]
#[template(path = "plans/index.html")]
struct IndexPage {
    l: Layout,
    groups: Vec<GroupLine>,
    runs: Vec<RunLine>,
    version: i64,
}

pub async fn index(State(s): State<AppState>, p: Page) -> Result<Response, PageError> {
    let en = p.lang.is_en();
    let (version, book) = app::book(&s.db).await?;
    let title = |code: &str| book.get(code).map(|x| x.title.clone()).unwrap_or_else(|| code.to_owned());
    let groups = PlanGroup::ALL
        .iter()
        .map(|g| GroupLine {
            label: if en { g.label_en() } else { g.label_zh() },
            plans: book
                .plan
                .iter()
                .filter(|x| x.group == *g)
                .map(|x| PlanLink {
                    code: x.code.clone(),
                    title: if en && !x.title_en.is_empty() { x.title_en.clone() } else { x.title.clone() },
                    article: x.article.clone(),
                })
                .collect(),
        })
        .collect();
    let runs = app::runs(&s.db, &p.ctx)
        .await?
        .iter()
        .map(|r| RunLine {
            plan: title(&r.plan_code),
            unit: r.unit_name.clone(),
            started: when(&r.started_at),
            ticked: serde_json::from_str::<Vec<Tick>>(&r.ticks).map(|t| t.len()).unwrap_or(0),
            notes: r.notes.clone(),
        })
        .collect();
    let l =
        Layout::new(&p, "/plans", "应急预案", "Emergency plans").crumb(p.lang.tr("应急预案", "Emergency plans"), None);
    Ok(render(&IndexPage { l, groups, runs, version })?.into_response())
}

pub struct StepLine {
    pub n: usize,
    pub who: String,
    pub act: String,
    pub call: Option<String>,
}

pub struct ContactLine {
    pub label: &'static str,
    /// (name and post, phone) of each person; a public number is one line with no name.
    pub lines: Vec<(String, Option<String>)>,
    pub none_on_file: bool,
}

fn contact_line(r: &Resolved, en: bool) -> ContactLine {
    let label = if en { r.contact.label_en() } else { r.contact.label_zh() };
    let lines: Vec<(String, Option<String>)> = match r.number {
        Some(n) => vec![(String::new(), Some(n.to_owned()))],
        None => r.people.iter().map(|x| (format!("{} {}（{}）", x.name, x.post, x.unit), x.phone.clone())).collect(),
    };
    ContactLine { none_on_file: lines.is_empty(), label, lines }
}

#[derive(Template)]
#[template(path = "plans/show.html")]
struct ShowPage {
    l: Layout,
    code: String,
    title: String,
    article: String,
    text: String,
    unit: String,
    steps: Vec<StepLine>,
    contacts: Vec<ContactLine>,
    neighbours: bool,
    error: Option<String>,
}

async fn show_page(s: &AppState, p: &Page, code: &str, error: Option<String>) -> Result<ShowPage, PageError> {
    let en = p.lang.is_en();
    let v = app::plan_view(&s.db, &p.ctx, code).await?;
    let pick = |zh: &str, e: &str| if en && !e.is_empty() { e.to_owned() } else { zh.to_owned() };
    let steps = v
        .plan
        .step
        .iter()
        .enumerate()
        .map(|(i, st)| StepLine {
            n: i + 1,
            who: pick(&st.who, &st.who_en),
            act: pick(&st.act, &st.act_en),
            call: st.call.as_deref().and_then(|c| Contact::parse(c).ok()).and_then(|c| c.number()).map(str::to_owned),
        })
        .collect();
    let title = pick(&v.plan.title, &v.plan.title_en);
    let mut l = Layout::new(p, "/plans", "应急预案", "Emergency plan")
        .crumb(p.lang.tr("应急预案", "Emergency plans"), Some("/plans".into()))
        .crumb(title.clone(), None);
    l.title = title.clone();
    Ok(ShowPage {
        code: v.plan.code.clone(),
        article: v.plan.article.clone(),
        text: v.plan.text.clone(),
        unit: v.unit.name.clone(),
        steps,
        neighbours: v.contacts.iter().any(|c| c.contact == Contact::Neighbours),
        contacts: v.contacts.iter().filter(|c| c.contact != Contact::Neighbours).map(|c| contact_line(c, en)).collect(),
        title,
        error,
        l,
    })
}

pub async fn show(State(s): State<AppState>, p: Page, Path(code): Path<String>) -> Result<Response, PageError> {
    Ok(render(&show_page(&s, &p, &code, None).await?)?.into_response())
}

/// Save a use of the plan: `started_at` (epoch ms), `ticks` (JSON `[{"step":1,"at":…}]`) and notes.
pub async fn record(
    State(s): State<AppState>,
    p: Page,
    Path(code): Path<String>,
    PageForm(form): PageForm,
) -> Result<Response, PageError> {
    let started_at = form.text("started_at").trim().parse::<i64>().unwrap_or(0);
    let raw = form.text("ticks");
    let outcome = match serde_json::from_str::<Vec<Tick>>(if raw.trim().is_empty() { "[]" } else { &raw }) {
        Ok(ticks) => app::record_run(&s.db, &p.ctx, &code, started_at, &ticks, &form.text("notes")).await,
        Err(_) => Err(anbao_app::error::invalid("ticks", "处置步骤记录格式不正确", "the steps ticked are malformed")),
    };
    match outcome {
        Ok(_) => Ok(Redirect::to("/plans?ok=saved").into_response()),
        Err(e) => {
            let msg = user_message(&p, e)?;
            again(&show_page(&s, &p, &code, Some(msg)).await?)
        }
    }
}

/// The service worker, at the root so its scope covers the plan pages. It precaches the plans and the assets they
/// need, and answers them from the cache when the network is gone.
pub async fn service_worker(State(s): State<AppState>) -> Result<Response, PageError> {
    let (version, book) = app::book(&s.db).await?;
    let mut urls: Vec<String> = vec!["/plans".into(), "/static/app.css".into(), "/static/plans.js".into()];
    urls.extend(book.plan.iter().map(|x| format!("/plans/{}", x.code)));
    let list =
        serde_json::to_string(&urls).map_err(|e| PageError::from(anbao_app::AppError::Internal(e.to_string())))?;
    let body =
        include_str!("../../static/sw.js").replace("__VERSION__", &version.to_string()).replace("__URLS__", &list);
    Ok(([(header::CONTENT_TYPE, "text/javascript; charset=utf-8"), (header::CACHE_CONTROL, "no-cache")], body)
        .into_response())
}
