//! The vault duty roster page (守库排班): a month per vault, saved whole; leave; swaps the outlet head approves.
use super::custody::{date, day};
use super::{Layout, render, user_message};
use crate::auth::Page;
use crate::error::PageError;
use crate::form::Id;
use crate::form::{FormData, PageForm};
use crate::state::AppState;
use anbao_app::AppError;
use anbao_app::duty::NightInput;
use anbao_domain::access::Permission;
use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};

#[derive(serde::Deserialize, Default)]
pub struct DutyQuery {
    vault: Option<i64>,
    month: Option<String>,
    ok: Option<String>,
}

pub struct Row {
    pub day: i64,
    pub date: String,
    pub weekday: &'static str,
    pub a: i64,
    pub b: i64,
    pub holiday: bool,
    /// The calendar's name for a listed day (春节, 国庆节调休上班).
    pub holiday_name: Option<String>,
    pub saved: bool,
    pub shift_id: i64,
}

#[derive(Template)]
#[template(path = "duty/roster.html")]
struct RosterPage {
    l: Layout,
    vaults: Vec<(i64, String, bool)>,
    vault: i64,
    month: String,
    rows: Vec<Row>,
    people: Vec<(i64, String)>,
    leaves: Vec<(String, String, String, String)>,
    swaps: Vec<(i64, String, String, String, String, String)>,
    can_write: bool,
    /// May set the roster and record leave (the outlet head, the security department).
    can_manage: bool,
    error: Option<String>,
    plan: &'static [(&'static str, &'static str, &'static [&'static str])],
}

const WEEKDAYS: [&str; 7] = ["一", "二", "三", "四", "五", "六", "日"];

async fn page(
    s: &AppState,
    p: &Page,
    q: &DutyQuery,
    entered: Option<&FormData>,
    error: Option<String>,
) -> Result<RosterPage, PageError> {
    let vaults = anbao_app::assets::list(&s.db, &p.ctx, Some("vault")).await?;
    let vault = q.vault.or(vaults.first().map(|v| v.id)).unwrap_or(0);
    let month =
        q.month.clone().unwrap_or_else(|| anbao_domain::period::month_code(anbao_domain::period::day_of_ms(p.ctx.now)));
    let l = Layout::new(p, "/duty", "守库排班", "Duty roster")
        .crumb(p.lang.tr("守库排班", "Duty roster"), None)
        .flash_from(q.ok.as_deref());
    let mut out = RosterPage {
        l,
        vaults: vaults.iter().map(|v| (v.id, format!("{} · {}", v.unit_name, v.name), v.id == vault)).collect(),
        vault,
        month: month.clone(),
        rows: Vec::new(),
        people: Vec::new(),
        leaves: Vec::new(),
        swaps: Vec::new(),
        can_write: false,
        can_manage: false,
        error,
        plan: &anbao_domain::duty::DUTY_PLAN,
    };
    if vault == 0 {
        return Ok(out);
    }
    let m = anbao_app::duty::month(&s.db, &p.ctx, vault, &month).await?;
    out.can_write = p.ctx.actor.scope.allows(Permission::RecordWrite, &m.vault.unit_path);
    out.can_manage = p.ctx.actor.scope.allows(Permission::StaffWrite, &m.vault.unit_path);
    out.people = m
        .people
        .iter()
        .map(|x| (x.id.get(), format!("{}（{}）", x.name, super::org::positions_label(&x.positions, p.lang))))
        .collect();
    for d in m.from..m.to {
        let saved = m.shifts.iter().find(|x| x.day == d);
        let typed = |k: &str| entered.and_then(|f| f.id_lenient(&format!("{k}_{d}")));
        let wd = anbao_domain::period::date_of_day(d).weekday().to_monday_zero_offset() as usize;
        out.rows.push(Row {
            day: d,
            date: {
                let (_, m, dd) = anbao_domain::period::ymd(d);
                format!("{m:02}-{dd:02}")
            },
            weekday: WEEKDAYS[wd % 7],
            a: typed("a").or(saved.map(|x| x.guard_a)).unwrap_or(0),
            b: typed("b").or(saved.map(|x| x.guard_b)).unwrap_or(0),
            holiday: entered.map_or(saved.is_some_and(|x| x.holiday) || !m.calendar.is_business_day(d), |f| {
                f.flag(&format!("h_{d}"))
            }),
            holiday_name: m.calendar.listed(d).map(|(_, n)| n.to_owned()),
            saved: saved.is_some(),
            shift_id: saved.map_or(0, |x| x.id),
        });
    }
    out.leaves =
        m.leaves.iter().map(|x| (x.staff_name.clone(), date(x.from_day), date(x.to_day), x.reason.clone())).collect();
    out.swaps = m
        .swaps
        .iter()
        .map(|w| {
            let status = match w.status.as_str() {
                "pending" => p.lang.tr("待网点负责人审批", "awaiting the outlet head"),
                "approved" => p.lang.tr("已同意", "approved"),
                _ => p.lang.tr("未同意", "refused"),
            };
            (w.id, date(w.day), w.out_name.clone(), w.in_name.clone(), w.reason.clone(), status.to_owned())
        })
        .collect();
    Ok(out)
}

pub async fn roster(State(s): State<AppState>, p: Page, Query(q): Query<DutyQuery>) -> Result<Response, PageError> {
    Ok(render(&page(&s, &p, &q, None, None).await?)?.into_response())
}

fn back(vault: i64, month: &str, ok: &str) -> Response {
    Redirect::to(&format!("/duty?vault={vault}&month={month}&ok={ok}")).into_response()
}

pub async fn save(State(s): State<AppState>, p: Page, PageForm(form): PageForm) -> Result<Response, PageError> {
    let vault = form.id("vault")?.unwrap_or(0);
    let month = form.text("month");
    let (from, to) = anbao_domain::period::month_of(&month)?;
    let nights: Vec<NightInput> = (from..to)
        .map(|d| NightInput {
            day: d,
            a: form.id_lenient(&format!("a_{d}")),
            b: form.id_lenient(&format!("b_{d}")),
            holiday: form.flag(&format!("h_{d}")),
        })
        .collect();
    match anbao_app::duty::save_month(&s.db, &p.ctx, vault, &month, &nights).await {
        Ok(_) => Ok(back(vault, &month, "saved")),
        Err(e) => {
            let msg = user_message(&p, e)?;
            let q = DutyQuery { vault: Some(vault), month: Some(month), ok: None };
            let pg = page(&s, &p, &q, Some(&form), Some(msg)).await?;
            super::again(&pg)
        }
    }
}

async fn refuse(
    s: &AppState,
    p: &Page,
    vault: i64,
    month: String,
    e: anbao_app::AppError,
) -> Result<Response, PageError> {
    let msg = user_message(p, e)?;
    let q = DutyQuery { vault: Some(vault), month: Some(month), ok: None };
    let pg = page(s, p, &q, None, Some(msg)).await?;
    super::again(&pg)
}

pub async fn leave(State(s): State<AppState>, p: Page, PageForm(form): PageForm) -> Result<Response, PageError> {
    let (vault, month) = (form.id("vault")?.unwrap_or(0), form.text("month"));
    let r = async {
        let staff = form.id("staff_id")?.ok_or_else(|| {
            anbao_app::AppError::Invalid(anbao_domain::DomainError::new(
                "staff_id",
                "请选择请假人员",
                "choose the person",
            ))
        })?;
        let (f, t) = (day(&form.text("from_day"), "from_day")?, day(&form.text("to_day"), "to_day")?);
        anbao_app::duty::add_leave(&s.db, &p.ctx, staff, f, t, &form.text("reason")).await
    }
    .await;
    match r {
        Ok(_) => Ok(back(vault, &month, "saved")),
        Err(e) => refuse(&s, &p, vault, month, e).await,
    }
}

pub async fn request_swap(State(s): State<AppState>, p: Page, PageForm(form): PageForm) -> Result<Response, PageError> {
    let (vault, month) = (form.id("vault")?.unwrap_or(0), form.text("month"));
    let r = async {
        let shift = form.id("shift_id")?.unwrap_or(0);
        let out = form.id("out_staff")?.unwrap_or(0);
        let inn = form.id("in_staff")?.unwrap_or(0);
        anbao_app::duty::request_swap(&s.db, &p.ctx, shift, out, inn, &form.text("reason")).await
    }
    .await;
    match r {
        Ok(_) => Ok(back(vault, &month, "saved")),
        Err(e) => refuse(&s, &p, vault, month, e).await,
    }
}

pub async fn decide_swap(
    State(s): State<AppState>,
    p: Page,
    Id(id): Id,
    PageForm(form): PageForm,
) -> Result<Response, PageError> {
    let (vault, month) = (form.id("vault")?.unwrap_or(0), form.text("month"));
    match anbao_app::duty::decide_swap(&s.db, &p.ctx, id, form.flag("approve")).await {
        Ok(()) => Ok(back(vault, &month, "saved")),
        Err(e) => refuse(&s, &p, vault, month, e).await,
    }
}

/// The columns of the roster's export and its PDF.
const ROSTER_COLUMNS: [&str; 4] = ["日期", "值班人员一", "值班人员二", "节假日"];

/// The roster's saved nights as rows: date, the two guards, whether it is a holiday night.
fn roster_rows(pg: &RosterPage) -> Vec<Vec<String>> {
    let name = |id: i64| pg.people.iter().find(|x| x.0 == id).map_or(String::new(), |x| x.1.clone());
    pg.rows
        .iter()
        .filter(|r| r.saved)
        .map(|r| vec![date(r.day), name(r.a), name(r.b), if r.holiday { "是".into() } else { String::new() }])
        .collect()
}

/// The month's roster as a spreadsheet.
pub async fn export(State(s): State<AppState>, p: Page, Query(q): Query<DutyQuery>) -> Result<Response, PageError> {
    let pg = page(&s, &p, &q, None, None).await?;
    let bytes = anbao_app::export::xlsx("守库排班", &ROSTER_COLUMNS, &roster_rows(&pg))?;
    Ok(super::org::xlsx_response(bytes, "duty-roster.xlsx"))
}

/// The month's roster for the vault's wall as an A4 PDF: the export's rows under the vault's name and the month.
pub async fn roster_pdf(State(s): State<AppState>, p: Page, Query(q): Query<DutyQuery>) -> Result<Response, PageError> {
    let pg = page(&s, &p, &q, None, None).await?;
    let vault = pg.vaults.iter().find(|v| v.0 == pg.vault).map(|v| v.1.clone()).ok_or(AppError::NotFound)?;
    let period = crate::documents::chinese_month(&pg.month);
    let name = format!("守库值班排班表-{}", pg.month);
    let doc =
        crate::documents::Register::new(&p.ctx, "守库值班排班表", vault, period, &ROSTER_COLUMNS, roster_rows(&pg));
    Ok(crate::documents::pdf(&s, anbao_pdf::Document::Register, &doc, &name).await?)
}
