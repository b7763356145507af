//! The business-day calendar page (营业日历, SYS-6): a year's holidays and adjusted working days, the weekly rest
//! days, and for the security department over the whole tree a form to list or unlist a day (a new version each).
use super::{Layout, again, render, user_message};
use crate::auth::Page;
use crate::error::PageError;
use crate::form::PageForm;
use crate::state::AppState;
use anbao_app::calendar as app;
use anbao_domain::calendar::{DayKind, parse_date};
use anbao_domain::period;
use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

pub struct DayLine {
    pub date: String,
    pub weekday: &'static str,
    pub kind: DayKind,
    pub kind_label: &'static str,
    pub name: String,
}

#[derive(Template)]
#[template(path = "calendar/index.html")]
struct CalendarPage {
    l: Layout,
    year: i32,
    version: i64,
    rest: String,
    /// The earlier weekly rest days, each with the day it stopped deciding.
    earlier: Vec<String>,
    days: Vec<DayLine>,
    /// Business days in the year by the calendar.
    business_days: usize,
    can_edit: bool,
    error: Option<String>,
}

#[derive(Deserialize)]
pub struct YearQuery {
    pub year: Option<i32>,
    pub ok: Option<String>,
}

const WEEKDAYS_ZH: [&str; 7] = ["一", "二", "三", "四", "五", "六", "日"];
const WEEKDAYS_EN: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

async fn page(
    s: &AppState,
    p: &Page,
    year: Option<i32>,
    ok: Option<&str>,
    error: Option<String>,
) -> Result<CalendarPage, PageError> {
    let en = p.lang.is_en();
    let (this_year, _, _) = period::ymd(period::day_of_ms(p.ctx.now));
    let year = year.filter(|y| (2000..=2100).contains(y)).unwrap_or(this_year);
    let (version, book) = app::book(&s.db).await?;
    let cal = book.calendar();
    let (from, to) = (period::first_of_month(year, 1), period::first_of_month(year + 1, 1));
    let wd = |d: i64| period::date_of_day(d).weekday().to_monday_zero_offset() as usize % 7;
    let days = (from..to)
        .filter_map(|d| {
            cal.listed(d).map(|(kind, name)| DayLine {
                date: period::date_of_day(d).to_string(),
                weekday: if en { WEEKDAYS_EN[wd(d)] } else { WEEKDAYS_ZH[wd(d)] },
                kind,
                kind_label: if en { kind.label_en() } else { kind.label_zh() },
                name: name.to_owned(),
            })
        })
        .collect();
    let weekdays = |list: &[u8]| {
        if list.is_empty() {
            return p.lang.tr("无（网点每天营业）", "none (outlets open every day)").to_owned();
        }
        list.iter()
            .filter_map(|w| usize::from(*w).checked_sub(1))
            .filter_map(|i| if en { WEEKDAYS_EN.get(i) } else { WEEKDAYS_ZH.get(i) })
            .map(|w| if en { (*w).to_owned() } else { format!("周{w}") })
            .collect::<Vec<_>>()
            .join("、")
    };
    let rest = weekdays(&book.rest_weekdays);
    // The patterns before each change, which still decide the days before it.
    let earlier = book
        .earlier
        .iter()
        .map(|e| {
            if en {
                format!("before {}: {}", e.until, weekdays(&e.rest_weekdays))
            } else {
                format!("{}以前：{}", e.until, weekdays(&e.rest_weekdays))
            }
        })
        .collect();
    let l = Layout::new(p, "/calendar", "营业日历", "Business-day calendar")
        .crumb(p.lang.tr("营业日历", "Business-day calendar"), None)
        .flash_from(ok);
    Ok(CalendarPage {
        l,
        year,
        version,
        rest,
        earlier,
        days,
        business_days: (from..to).filter(|d| cal.is_business_day(*d)).count(),
        can_edit: app::may_edit(&p.ctx),
        error,
    })
}

pub async fn index(State(s): State<AppState>, p: Page, Query(q): Query<YearQuery>) -> Result<Response, PageError> {
    Ok(render(&page(&s, &p, q.year, q.ok.as_deref(), None).await?)?.into_response())
}

/// List a day (`kind` = holiday | workday, with a name) or unlist it (`kind` = none).
pub async fn set_day(State(s): State<AppState>, p: Page, PageForm(form): PageForm) -> Result<Response, PageError> {
    let raw = form.text("date");
    let kind = form.text("kind");
    let name = form.text("name");
    let outcome = match parse_date(&raw) {
        None => Err(anbao_app::error::invalid("date", "请填写日期（如 2026-10-01）", "give a date (2026-10-01)")),
        Some(day) => match kind.as_str() {
            "none" => app::set_day(&s.db, &p.ctx, day, None).await,
            k => match DayKind::parse(k) {
                Ok(k) => app::set_day(&s.db, &p.ctx, day, Some((k, &name))).await,
                Err(e) => Err(e.into()),
            },
        },
    };
    let year = parse_date(&raw).map(|d| period::ymd(d).0);
    match outcome {
        Ok(_) => Ok(Redirect::to(&format!("/calendar?year={}&ok=saved", year.unwrap_or(0))).into_response()),
        Err(e) => {
            let msg = user_message(&p, e)?;
            again(&page(&s, &p, year, None, Some(msg)).await?)
        }
    }
}
