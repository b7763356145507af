//! The guns-and-ammunition page (枪弹管理): the registry, and checkouts from request to return.
use super::custody::{staff_options, unit};
use super::{Layout, render, user_message, when};
use crate::auth::Page;
use crate::error::PageError;
use crate::form::{FormData, IdVerb, PageForm};
use crate::state::AppState;
use anbao_app::arms::ArmInput;
use anbao_app::confirm::SecondSignIn;
use anbao_domain::access::Permission;
use anbao_domain::arms::CheckoutStatus;
use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};

#[derive(serde::Deserialize, Default)]
pub struct ArmsQuery {
    unit: Option<i64>,
    ok: Option<String>,
}

pub struct CheckoutView {
    pub id: i64,
    pub gun: String,
    pub rounds: String,
    pub purpose: String,
    pub requester: String,
    pub approver: String,
    pub requested: String,
    pub status: &'static str,
    pub code: &'static str,
    pub discrepancy: bool,
    pub note: String,
}

/// A registry row: id, kind, model, serial, rounds, cabinet, keeper, status.
type ArmLine = (i64, &'static str, String, String, i64, String, String, String);

#[derive(Template)]
#[template(path = "arms/register.html")]
struct ArmsPage {
    l: Layout,
    unit_id: i64,
    unit_name: String,
    arms: Vec<ArmLine>,
    guns: Vec<(i64, String)>,
    ammo: Vec<(i64, String)>,
    cabinets: Vec<(i64, String)>,
    staff: Vec<(i64, String)>,
    checkouts: Vec<CheckoutView>,
    can_write: bool,
    /// May register guns and ammunition (the security department, the unit head).
    can_manage: bool,
    error: Option<String>,
    pick: Vec<(i64, String, bool)>,
    pick_action: &'static str,
}

async fn page(s: &AppState, p: &Page, q: &ArmsQuery, error: Option<String>) -> Result<ArmsPage, PageError> {
    let u = unit(s, p, q.unit).await?;
    let r = anbao_app::arms::register_of(&s.db, &p.ctx, u.id).await?;
    let cabinets = anbao_app::assets::list(&s.db, &p.ctx, Some("gun_cabinet")).await?;
    let l = Layout::new(p, "/arms", "枪弹管理", "Guns and ammunition")
        .crumb(p.lang.tr("枪弹管理", "Guns and ammunition"), None)
        .flash_from(q.ok.as_deref());
    let status_label = |s: &str| match s {
        "in_store" => "在库",
        "issued" => "已领出",
        _ => "停用",
    };
    Ok(ArmsPage {
        l,
        unit_id: u.id.get(),
        unit_name: u.name.clone(),
        arms: r
            .arms
            .iter()
            .map(|a| {
                (
                    a.id,
                    if a.kind == "gun" { "枪支" } else { "弹药" },
                    a.label.clone(),
                    a.serial.clone(),
                    a.rounds,
                    a.cabinet_name.clone(),
                    a.keeper_name.clone(),
                    status_label(&a.status).to_owned(),
                )
            })
            .collect(),
        guns: r.arms.iter().filter(|a| a.kind == "gun").map(|a| (a.id, format!("{} {}", a.label, a.serial))).collect(),
        ammo: r
            .arms
            .iter()
            .filter(|a| a.kind == "ammo")
            .map(|a| (a.id, format!("{} {}（{}发）", a.label, a.serial, a.rounds)))
            .collect(),
        cabinets: cabinets
            .into_iter()
            .filter(|c| c.unit_path.starts_with(&u.path))
            .map(|c| (c.id, format!("{} · {}", c.unit_name, c.name)))
            .collect(),
        staff: staff_options(s, p, &u.path).await?,
        checkouts: r
            .checkouts
            .iter()
            .map(|k| {
                let st = CheckoutStatus::parse(&k.status).unwrap_or(CheckoutStatus::Returned);
                CheckoutView {
                    id: k.id,
                    gun: k.gun_label.clone(),
                    rounds: match k.rounds_back {
                        Some(b) => format!("{} / {}", k.rounds_out, b),
                        None => k.rounds_out.to_string(),
                    },
                    purpose: k.purpose.clone(),
                    requester: k.requester_name.clone(),
                    approver: k.approver_name.clone().unwrap_or_default(),
                    requested: when(&k.requested_at),
                    status: st.label_zh(),
                    code: st.code(),
                    discrepancy: k.discrepancy,
                    note: k.return_note.clone().or(k.decision_note.clone()).unwrap_or_default(),
                }
            })
            .collect(),
        can_write: p.ctx.actor.scope.allows(Permission::RecordWrite, &u.path),
        can_manage: p.ctx.actor.scope.allows(Permission::StaffWrite, &u.path),
        error,
        pick: super::custody::picker(s, p, u.id.get()).await?,
        pick_action: "/arms",
    })
}

pub async fn register_page(
    State(s): State<AppState>,
    p: Page,
    Query(q): Query<ArmsQuery>,
) -> Result<Response, PageError> {
    Ok(render(&page(&s, &p, &q, None).await?)?.into_response())
}

async fn done<T>(
    s: &AppState,
    p: &Page,
    unit: Option<i64>,
    r: Result<T, anbao_app::AppError>,
) -> Result<Response, PageError> {
    match r {
        Ok(_) => Ok(Redirect::to(&format!("/arms?unit={}&ok=saved", unit.unwrap_or(0))).into_response()),
        Err(e) => {
            let msg = user_message(p, e)?;
            let pg = page(s, p, &ArmsQuery { unit, ok: None }, Some(msg)).await?;
            super::again(&pg)
        }
    }
}

fn second(form: &FormData) -> SecondSignIn {
    SecondSignIn {
        confirm_username: Some(form.text("confirm_username")),
        confirm_secret: Some(form.text("confirm_secret")),
    }
}

pub async fn register(State(s): State<AppState>, p: Page, PageForm(form): PageForm) -> Result<Response, PageError> {
    let back = form.id("back_unit")?;
    let input = ArmInput {
        kind: Some(form.text("kind")),
        label: Some(form.text("label")),
        serial: Some(form.text("serial")),
        rounds: form.id_lenient("rounds").or(Some(0)),
        cabinet_id: form.id("cabinet_id")?,
        keeper_id: form.id("keeper_id")?,
        gun_id: form.id("gun_id")?,
    };
    let r = anbao_app::arms::register(&s.db, &p.ctx, &input).await;
    done(&s, &p, back, r).await
}

pub async fn request(State(s): State<AppState>, p: Page, PageForm(form): PageForm) -> Result<Response, PageError> {
    let back = form.id("back_unit")?;
    let gun = form.id("gun_id")?.unwrap_or(0);
    let ammo = form.id("ammo_id")?;
    let rounds = form.id_lenient("rounds").unwrap_or(0);
    let r = anbao_app::arms::request(&s.db, &p.ctx, gun, ammo, rounds, &form.text("purpose")).await;
    done(&s, &p, back, r).await
}

crate::verbs!(
    /// What can be done to a gun checkout from its page.
    CheckoutVerb {
        Approve => "approve",
        Refuse => "refuse",
        Issue => "issue",
        Return => "return",
    }
);

pub async fn act(
    State(s): State<AppState>,
    p: Page,
    IdVerb(id, verb): IdVerb<CheckoutVerb>,
    PageForm(form): PageForm,
) -> Result<Response, PageError> {
    let back = form.id("back_unit")?;
    let note = form.text("note");
    let r = match verb {
        CheckoutVerb::Approve => anbao_app::arms::decide(&s.db, &p.ctx, id, true, Some(&note)).await.map(|_| false),
        CheckoutVerb::Refuse => anbao_app::arms::decide(&s.db, &p.ctx, id, false, Some(&note)).await.map(|_| false),
        CheckoutVerb::Issue => {
            anbao_app::arms::issue(&s.db, &s.policy, &p.ctx, id, &second(&form)).await.map(|_| false)
        }
        CheckoutVerb::Return => {
            let rounds = form.id_lenient("rounds_back").unwrap_or(0);
            anbao_app::arms::give_back(&s.db, &s.policy, &p.ctx, id, rounds, Some(&note), &second(&form)).await
        }
    };
    done(&s, &p, back, r).await
}

/// The guns-and-ammunition register and its checkouts as a spreadsheet (one row per checkout after the registry).
pub async fn export(State(s): State<AppState>, p: Page, Query(q): Query<ArmsQuery>) -> Result<Response, PageError> {
    let pg = page(&s, &p, &q, None).await?;
    let mut rows: Vec<Vec<String>> = pg
        .arms
        .iter()
        .map(|a| {
            vec![
                "登记".into(),
                a.1.to_owned(),
                a.2.clone(),
                a.3.clone(),
                a.4.to_string(),
                a.5.clone(),
                a.6.clone(),
                a.7.clone(),
            ]
        })
        .collect();
    for k in &pg.checkouts {
        rows.push(vec![
            "领用".into(),
            k.requested.clone(),
            k.gun.clone(),
            k.purpose.clone(),
            k.rounds.clone(),
            k.requester.clone(),
            k.approver.clone(),
            format!("{}{}", k.status, if k.discrepancy { "（弹药不符）" } else { "" }),
        ]);
    }
    let bytes = anbao_app::export::xlsx(
        "枪弹登记",
        &["类型", "类别/时间", "型号/枪支", "编号/事由", "弹药数", "枪弹柜/领用人", "保管人/审批人", "状态"],
        &rows,
    )?;
    Ok(super::org::xlsx_response(bytes, "arms.xlsx"))
}
