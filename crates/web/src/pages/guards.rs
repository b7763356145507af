//! A guard's eligibility page (ORG-5): their credential as the register holds it, their last live-fire training,
//! what keeps them from riding armed or taking a gun, and the security department's form to record it.
use super::{Layout, again, render, user_message};
use crate::auth::Page;
use crate::error::PageError;
use crate::form::{Id, PageForm};
use crate::state::AppState;
use anbao_app::guards::{self as app, CredentialForm};
use anbao_domain::ids::StaffId;
use anbao_domain::period;
use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};

fn ymd(d: Option<i64>) -> String {
    d.map(|d| {
        let (y, m, dd) = period::ymd(d);
        format!("{y:04}-{m:02}-{dd:02}")
    })
    .unwrap_or_default()
}

#[derive(Template)]
#[template(path = "staff/guard.html")]
struct GuardPage {
    l: Layout,
    id: i64,
    name: String,
    unit: String,
    f: CredentialForm,
    live_fire: String,
    problems: Vec<String>,
    has_rule: bool,
    min_age: i64,
    live_fire_days: i64,
    may_edit: bool,
    error: Option<String>,
}

async fn page(
    s: &AppState,
    p: &Page,
    id: i64,
    form: Option<CredentialForm>,
    error: Option<String>,
) -> Result<GuardPage, PageError> {
    let v = app::view(&s.db, &p.ctx, StaffId::new(id)).await?;
    let k = v.credential.clone().unwrap_or_default();
    let f = form.unwrap_or(CredentialForm {
        birth: ymd(k.birth_day),
        vetted_personnel: ymd(k.vetted_personnel_day),
        vetted_security: ymd(k.vetted_security_day),
        trained: ymd(k.trained_day),
        licence_no: k.licence_no.clone(),
        licence_expires: ymd(k.licence_expires_day),
    });
    let mut l = Layout::new(p, "/staff", "经警资格", "Armed-guard eligibility")
        .crumb(p.lang.tr("员工档案", "Staff"), Some("/staff".into()))
        .crumb(v.staff.name.clone(), Some(format!("/staff/{id}")))
        .crumb(p.lang.tr("经警资格", "Armed-guard eligibility"), None);
    l.title = format!("{} · {}", v.staff.name, p.lang.tr("经警资格", "Armed-guard eligibility"));
    Ok(GuardPage {
        id,
        name: v.staff.name.clone(),
        unit: v.staff.unit_name.clone(),
        f,
        live_fire: ymd(v.last_live_fire),
        problems: v.problems,
        has_rule: v.rule.is_some(),
        min_age: v.rule.map(|r| r.min_age).unwrap_or(0),
        live_fire_days: v.rule.map(|r| r.live_fire_days).unwrap_or(0),
        may_edit: v.may_edit,
        error,
        l,
    })
}

pub async fn show(State(s): State<AppState>, p: Page, Id(id): Id) -> Result<Response, PageError> {
    Ok(render(&page(&s, &p, id, None, None).await?)?.into_response())
}

pub async fn save(
    State(s): State<AppState>,
    p: Page,
    Id(id): Id,
    PageForm(form): PageForm,
) -> Result<Response, PageError> {
    let f = CredentialForm {
        birth: form.text("birth"),
        vetted_personnel: form.text("vetted_personnel"),
        vetted_security: form.text("vetted_security"),
        trained: form.text("trained"),
        licence_no: form.text("licence_no"),
        licence_expires: form.text("licence_expires"),
    };
    match app::put(&s.db, &p.ctx, StaffId::new(id), &f).await {
        Ok(()) => Ok(Redirect::to(&format!("/staff/{id}/guard?ok=saved")).into_response()),
        Err(e) => {
            let msg = user_message(&p, e)?;
            again(&page(&s, &p, id, Some(f), Some(msg)).await?)
        }
    }
}
