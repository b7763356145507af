//! Escort pages (押运管理): vans and trips; a trip's crew, boxes handed over stop by stop with both sides signed in,
//! events against the emergency plan with its steps, and closing once every box is accounted for.
use super::custody::{date, day, staff_options, unit, unit_options};
use super::{Layout, render, user_message, when};
use crate::auth::Page;
use crate::error::PageError;
use crate::form::Id;
use crate::form::IdVerb;
use crate::form::PageForm;
use crate::state::AppState;
use anbao_app::confirm::SecondSignIn;
use anbao_app::escort::{CrewInput, StopInput, TripInput};
use anbao_domain::access::Permission;
use anbao_domain::escort::{EVENT_KINDS, TripStatus, event_kind};
use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};

#[derive(serde::Deserialize, Default)]
pub struct EscortQuery {
    unit: Option<i64>,
    ok: Option<String>,
}

#[derive(Template)]
#[template(path = "escort/list.html")]
struct ListPage {
    l: Layout,
    unit_id: i64,
    unit_name: String,
    trips: Vec<(i64, String, String, String, &'static str)>,
    vans: Vec<(String, String, bool)>,
    staff: Vec<(i64, String)>,
    stops: Vec<(i64, String)>,
    today: String,
    can_write: bool,
    /// May register vans (like other assets: the security department).
    can_manage: bool,
    error: Option<String>,
    pick: Vec<(i64, String, bool)>,
    pick_action: &'static str,
}

async fn list_page(s: &AppState, p: &Page, q: &EscortQuery, error: Option<String>) -> Result<ListPage, PageError> {
    let u = unit(s, p, q.unit).await?;
    let (trips, vans) = anbao_app::escort::trips(&s.db, &p.ctx, u.id).await?;
    let l = Layout::new(p, "/escort", "押运管理", "Escort trips")
        .crumb(p.lang.tr("押运管理", "Escort trips"), None)
        .flash_from(q.ok.as_deref());
    Ok(ListPage {
        l,
        unit_id: u.id.get(),
        unit_name: u.name.clone(),
        trips: trips
            .iter()
            .map(|t| {
                let st = TripStatus::parse(&t.status).unwrap_or(TripStatus::Closed);
                (t.id, date(t.day), t.plate.clone(), t.route.clone(), st.label_zh())
            })
            .collect(),
        vans: vans.iter().map(|v| (v.plate.clone(), v.model.clone(), v.dedicated_armoured)).collect(),
        staff: staff_options(s, p, &u.path).await?,
        stops: unit_options(s, p, &u.path).await?,
        today: date(anbao_domain::period::day_of_ms(p.ctx.now)),
        can_write: p.ctx.actor.scope.allows(Permission::RecordWrite, &u.path),
        can_manage: p.ctx.actor.scope.allows(Permission::OrgWrite, &u.path),
        error,
        pick: super::custody::picker(s, p, u.id.get()).await?,
        pick_action: "/escort",
    })
}

pub async fn list(State(s): State<AppState>, p: Page, Query(q): Query<EscortQuery>) -> Result<Response, PageError> {
    Ok(render(&list_page(&s, &p, &q, None).await?)?.into_response())
}

async fn list_refused(
    s: &AppState,
    p: &Page,
    unit: Option<i64>,
    e: anbao_app::AppError,
) -> Result<Response, PageError> {
    let msg = user_message(p, e)?;
    let pg = list_page(s, p, &EscortQuery { unit, ok: None }, Some(msg)).await?;
    super::again(&pg)
}

pub async fn register_van(State(s): State<AppState>, p: Page, PageForm(form): PageForm) -> Result<Response, PageError> {
    let unit = form.id("unit_id")?;
    let r = anbao_app::escort::register_van(
        &s.db,
        &p.ctx,
        unit.unwrap_or(0),
        &form.text("plate"),
        &form.text("model"),
        form.flag("dedicated_armoured"),
    )
    .await;
    match r {
        Ok(_) => Ok(Redirect::to(&format!("/escort?unit={}&ok=created", unit.unwrap_or(0))).into_response()),
        Err(e) => list_refused(&s, &p, unit, e).await,
    }
}

/// Box numbers typed as a list separated by commas, spaces or the Chinese comma.
fn boxes(raw: &str) -> Vec<String> {
    raw.split([',', '，', '、', ' ', '\n']).map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned).collect()
}

pub async fn plan(State(s): State<AppState>, p: Page, PageForm(form): PageForm) -> Result<Response, PageError> {
    let unit = form.id("unit_id")?;
    let r = async {
        let mut crew = Vec::new();
        for i in 0..4 {
            if let Some(id) = form.id_lenient(&format!("crew_{i}")) {
                crew.push(CrewInput {
                    staff_id: id,
                    role: form.text(&format!("role_{i}")),
                    gun: form.flag(&format!("gun_{i}")),
                    armour: form.flag(&format!("armour_{i}")),
                    helmet: form.flag(&format!("helmet_{i}")),
                });
            }
        }
        let mut stops = Vec::new();
        for i in 0..5 {
            if let Some(id) = form.id_lenient(&format!("stop_{i}")) {
                stops.push(StopInput {
                    unit_id: id,
                    deliver: boxes(&form.text(&format!("deliver_{i}"))),
                    collect: boxes(&form.text(&format!("collect_{i}"))),
                });
            }
        }
        let input = TripInput {
            unit_id: unit,
            plate: Some(form.text("plate")),
            day: Some(day(&form.text("day"), "day")?),
            route: Some(form.text("route")),
            crew,
            stops,
        };
        anbao_app::escort::plan_trip(&s.db, &p.ctx, &input).await
    }
    .await;
    match r {
        Ok(id) => Ok(Redirect::to(&format!("/escort/trips/{id}?ok=created")).into_response()),
        Err(e) => list_refused(&s, &p, unit, e).await,
    }
}

pub struct StepsView {
    pub code: &'static str,
    pub label: &'static str,
    pub article: &'static str,
    pub steps: Vec<&'static str>,
}

/// An event: when, what, its article, the account, police identity verified, the plan's steps.
type EventLine = (String, &'static str, &'static str, String, bool, Vec<&'static str>);

#[derive(Template)]
#[template(path = "escort/trip.html")]
struct TripPage {
    l: Layout,
    id: i64,
    unit_name: String,
    date: String,
    plate: String,
    route: String,
    status: &'static str,
    code: &'static str,
    /// Departure and closing times, as far as they happened.
    times: String,
    crew: Vec<(String, &'static str, bool, bool, bool)>,
    boxes: Vec<(i64, String, String, &'static str, String, String, String)>,
    open_boxes: usize,
    events: Vec<EventLine>,
    plans: Vec<StepsView>,
    can_write: bool,
    error: Option<String>,
}

async fn trip_page(
    s: &AppState,
    p: &Page,
    id: i64,
    ok: Option<&str>,
    error: Option<String>,
) -> Result<TripPage, PageError> {
    let t = anbao_app::escort::trip(&s.db, &p.ctx, id).await?;
    let st = t.status();
    let l = Layout::new(p, "/escort", "押运单", "Escort trip")
        .crumb(p.lang.tr("押运管理", "Escort trips"), Some("/escort".into()))
        .crumb(format!("#{id}"), None)
        .flash_from(ok);
    Ok(TripPage {
        l,
        id,
        unit_name: t.trip.unit_name.clone(),
        date: date(t.trip.day),
        plate: t.trip.plate.clone(),
        route: t.trip.route.clone(),
        status: st.label_zh(),
        times: [("出车", t.trip.departed_at), ("结束", t.trip.closed_at)]
            .iter()
            .filter_map(|(k, v)| v.as_ref().map(|v| format!("{k} {}", when(v))))
            .collect::<Vec<_>>()
            .join("，"),
        code: match st {
            TripStatus::Planned => "planned",
            TripStatus::UnderWay => "under_way",
            TripStatus::Closed => "closed",
        },
        crew: t
            .crew
            .iter()
            .map(|c| (c.name.clone(), if c.role == "driver" { "驾驶员" } else { "押运员" }, c.gun, c.armour, c.helmet))
            .collect(),
        boxes: t
            .boxes
            .iter()
            .map(|b| {
                (
                    b.id,
                    b.stop_name.clone(),
                    b.box_no.clone(),
                    if b.direction == "deliver" { "送达" } else { "接收" },
                    b.crew_name.clone().unwrap_or_default(),
                    b.outlet_name.clone().unwrap_or_default(),
                    b.handed_at.as_ref().map(when).unwrap_or_default(),
                )
            })
            .collect(),
        open_boxes: t.open_boxes(),
        events: t
            .events
            .iter()
            .map(|e| {
                let k = event_kind(&e.kind);
                (
                    when(&e.at),
                    k.map_or("—", |k| k.label),
                    k.map_or("", |k| k.article),
                    e.note.clone(),
                    e.police_verified,
                    k.map_or(Vec::new(), |k| k.steps.to_vec()),
                )
            })
            .collect(),
        plans: EVENT_KINDS
            .iter()
            .map(|k| StepsView { code: k.code, label: k.label, article: k.article, steps: k.steps.to_vec() })
            .collect(),
        can_write: p.ctx.actor.scope.allows(Permission::RecordWrite, &t.trip.unit_path),
        error,
    })
}

pub async fn show(
    State(s): State<AppState>,
    p: Page,
    Id(id): Id,
    Query(q): Query<EscortQuery>,
) -> Result<Response, PageError> {
    Ok(render(&trip_page(&s, &p, id, q.ok.as_deref(), None).await?)?.into_response())
}

crate::verbs!(
    /// What can be done to an escort trip from its page.
    TripVerb {
        Depart => "depart",
        Close => "close",
        Handover => "handover",
        Event => "event",
    }
);

pub async fn act(
    State(s): State<AppState>,
    p: Page,
    IdVerb(id, verb): IdVerb<TripVerb>,
    PageForm(form): PageForm,
) -> Result<Response, PageError> {
    let r = match verb {
        TripVerb::Depart => anbao_app::escort::depart(&s.db, &p.ctx, id).await,
        TripVerb::Close => anbao_app::escort::close(&s.db, &p.ctx, id).await,
        TripVerb::Handover => {
            let second = SecondSignIn {
                confirm_username: Some(form.text("confirm_username")),
                confirm_secret: Some(form.text("confirm_secret")),
            };
            let b = form.id_lenient("box_id").unwrap_or(0);
            anbao_app::escort::hand_box(&s.db, &s.policy, &p.ctx, id, b, &second).await
        }
        TripVerb::Event => anbao_app::escort::record_event(
            &s.db,
            &p.ctx,
            id,
            &form.text("kind"),
            &form.text("note"),
            form.flag("police_verified"),
        )
        .await
        .map(|_| ()),
    };
    match r {
        Ok(()) => Ok(Redirect::to(&format!("/escort/trips/{id}?ok=saved")).into_response()),
        Err(e) => {
            let msg = user_message(&p, e)?;
            let pg = trip_page(&s, &p, id, None, Some(msg)).await?;
            super::again(&pg)
        }
    }
}

/// The trips as a spreadsheet.
pub async fn export(State(s): State<AppState>, p: Page, Query(q): Query<EscortQuery>) -> Result<Response, PageError> {
    let pg = list_page(&s, &p, &q, None).await?;
    let rows: Vec<Vec<String>> =
        pg.trips.iter().map(|t| vec![t.0.to_string(), t.1.clone(), t.2.clone(), t.3.clone(), t.4.to_owned()]).collect();
    let bytes = anbao_app::export::xlsx("押运记录", &["编号", "日期", "车辆", "线路", "状态"], &rows)?;
    Ok(super::org::xlsx_response(bytes, "escort-trips.xlsx"))
}
