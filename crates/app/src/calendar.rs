//! The union's business-day calendar (SYS-6): loaded from `rulebook/calendar.toml` into a first version, read by the
//! compliance engine (business-day rules, holiday periods) and the roster (holiday nights), and edited by the
//! security department over the whole tree — a day at a time on the page, or the whole document through the API —
//! each edit a new version with its audit event.
use crate::audit::{self, Entity, Writer};
use crate::error::invalid;
use crate::{AppError, AppResult, Ctx};
use anbao_domain::access::Permission;
use anbao_domain::calendar::{Calendar, CalendarBook, DayKind};
use anbao_domain::period::Day;
use anbao_store::Db;
use anbao_store::calendar as store;

pub const DEFAULT_CALENDAR: &str = include_str!("../../../rulebook/calendar.toml");

/// The largest calendar document an edit may send.
pub const MAX_BYTES: usize = 128 * 1024;

pub fn parse_file(text: &str) -> AppResult<CalendarBook> {
    let b: CalendarBook = toml::from_str(text)
        .map_err(|e| invalid("calendar", format!("营业日历文件格式错误：{e}"), "the calendar file is malformed"))?;
    b.check()?;
    Ok(b)
}

pub async fn load_default(db: &Db, now: i64) -> AppResult<()> {
    let book = parse_file(DEFAULT_CALENDAR)?;
    let mut tx = db.begin().await?;
    let w = Writer { now, actor: None };
    let Some((version, body)) = store::latest(&mut tx).await? else {
        let body = serde_json::to_string(&book).map_err(|e| AppError::Internal(e.to_string()))?;
        let id = store::insert(&mut tx, 1, &body, None, now).await?;
        audit::record(&mut tx, w, "calendar.load_default", Entity::Row("calendar_versions", id), None, None).await?;
        tx.commit().await?;
        return Ok(());
    };
    // An upgrade ships the holidays of a year the union's calendar does not list yet (next year's, published each
    // winter): they are added, from today on, to the calendar as the union keeps it; a year it lists is its own.
    let stored: CalendarBook = serde_json::from_str(&body).map_err(|e| AppError::Internal(format!("calendar: {e}")))?;
    let Some(merged) = with_shipped_years(&stored, &book, anbao_domain::period::day_of_ms(now)) else {
        return Ok(());
    };
    // A calendar the shipped days would overfill (more days than a calendar may list) stays as it is: the server
    // starts, and the union adds next year's days by hand.
    if let Err(e) = merged.check() {
        tracing::warn!("calendar: the shipped holidays were not added: {}", e.message_en);
        return Ok(());
    }
    let body = serde_json::to_string(&merged).map_err(|e| AppError::Internal(e.to_string()))?;
    let id = store::insert(&mut tx, version + 1, &body, None, now).await?;
    audit::record(&mut tx, w, "calendar.upgrade_default", Entity::Row("calendar_versions", id), None, None).await?;
    tx.commit().await?;
    Ok(())
}

/// The stored calendar with the shipped days of the years it has none of the shipped days of, from `today` on; None
/// when there are none to add. A year counts as taken up once any shipped day of it is in the calendar (as shipped
/// or changed): the union's own days of a year (a closing of its own) do not keep the national holidays out, and a
/// year the union has taken up is its own to edit.
fn with_shipped_years(stored: &CalendarBook, shipped: &CalendarBook, today: Day) -> Option<CalendarBook> {
    let year = |d: &anbao_domain::calendar::ListedDay| d.date.get(..4).map(str::to_owned);
    let shipped_dates: std::collections::HashSet<&str> = shipped.day.iter().map(|d| d.date.as_str()).collect();
    let listed: std::collections::HashSet<String> =
        stored.day.iter().filter(|d| shipped_dates.contains(d.date.as_str())).filter_map(year).collect();
    let new: Vec<_> = shipped
        .day
        .iter()
        .filter(|d| year(d).is_some_and(|y| !listed.contains(&y)))
        .filter(|d| anbao_domain::calendar::parse_date(&d.date).is_some_and(|x| x >= today))
        .cloned()
        .collect();
    if new.is_empty() {
        return None;
    }
    let mut book = stored.clone();
    book.day.extend(new);
    book.day.sort_by(|a, b| a.date.cmp(&b.date));
    Some(book)
}

/// The calendar in force and its version (version 0, every weekday open, when none was ever loaded).
pub async fn book(db: &Db) -> AppResult<(i64, CalendarBook)> {
    let mut c = db.read().await?;
    match store::latest(&mut c).await? {
        Some((v, body)) => {
            let b = serde_json::from_str(&body).map_err(|e| AppError::Internal(format!("calendar: {e}")))?;
            Ok((v, b))
        }
        None => Ok((0, CalendarBook::default())),
    }
}

pub async fn calendar(db: &Db) -> AppResult<(i64, Calendar)> {
    let (v, b) = book(db).await?;
    Ok((v, b.calendar()))
}

/// Whether the signed-in person may edit the union's calendar: the rulebook's keepers over the whole tree.
pub fn may_edit(ctx: &Ctx) -> bool {
    ctx.actor.scope.covers_whole_tree(Permission::RulebookWrite)
}

/// Replace the calendar with an edited one, as a new version. Returns the new version.
pub async fn replace(db: &Db, ctx: &Ctx, book: &CalendarBook) -> AppResult<i64> {
    edit(db, ctx, |_| book.clone()).await
}

/// List one day as a holiday or an adjusted working day, or unlist it (`None`): a new version of the calendar.
pub async fn set_day(db: &Db, ctx: &Ctx, day: Day, listed: Option<(DayKind, &str)>) -> AppResult<i64> {
    edit(db, ctx, |b| b.with_day(day, listed)).await
}

/// The edit is applied to the version read in the same transaction, so two edits at once cannot lose one another
/// (the second finds the version number taken and fails rather than overwrite).
async fn edit(db: &Db, ctx: &Ctx, change: impl FnOnce(&CalendarBook) -> CalendarBook) -> AppResult<i64> {
    if !may_edit(ctx) {
        return Err(AppError::Forbidden);
    }
    let mut tx = db.begin().await?;
    let (version, current) = match store::latest(&mut tx).await? {
        Some((v, body)) => (v, serde_json::from_str(&body).map_err(|e| AppError::Internal(format!("calendar: {e}")))?),
        None => (0, CalendarBook::default()),
    };
    let today = anbao_domain::period::day_of_ms(ctx.now);
    let book = current.edited_into(change(&current), today);
    book.check()?;
    // Judged periods stay as judged: a day before today keeps its listing (and its weekly pattern, `edited_into`).
    let (was, will) = (current.calendar(), book.calendar());
    let changed_past = current
        .day
        .iter()
        .chain(&book.day)
        .filter_map(|d| anbao_domain::calendar::parse_date(&d.date))
        .filter(|d| *d < today)
        .find(|d| was.listed(*d) != will.listed(*d));
    if let Some(d) = changed_past {
        return Err(invalid(
            "calendar",
            format!("不能修改今天以前的日期（{}）：已判定的期间保持不变", anbao_domain::period::date_of_day(d)),
            "days before today cannot change: judged periods stay as judged",
        ));
    }
    let body = serde_json::to_string(&book).map_err(|e| AppError::Internal(e.to_string()))?;
    if body.len() > MAX_BYTES {
        return Err(invalid("calendar", "营业日历内容过大", "the calendar is too large"));
    }
    let id = store::insert(&mut tx, version + 1, &body, Some(ctx.actor.account.get()), ctx.now).await?;
    audit::record(&mut tx, ctx.into(), "calendar.edit", Entity::Row("calendar_versions", id), None, None).await?;
    tx.commit().await?;
    Ok(version + 1)
}
