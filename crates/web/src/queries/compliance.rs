//! The compliance dashboard's query (unit, month, rule, status, area) and what it selects, shared by the page and
//! the API.
use crate::state::AppState;
use anbao_app::compliance::{DueItem, evaluate_core};
use anbao_app::{AppError, Ctx};
use anbao_domain::ids::UnitId;
use anbao_domain::period::{self, Day};
use anbao_domain::rulebook::Status;
use anbao_store::org::UnitRow;
use serde::Deserialize;

#[derive(Deserialize, Default, Clone)]
pub struct DashQuery {
    pub unit: Option<String>,
    /// `YYYY-MM`; defaults to the current month.
    pub month: Option<String>,
    pub rule: Option<String>,
    pub status: Option<String>,
    pub area: Option<String>,
}

/// The unit asked for (visible to the person) or the top of their scope.
pub async fn root_unit(s: &AppState, ctx: &Ctx, q: &DashQuery) -> Result<UnitRow, AppError> {
    match q.unit.as_deref().map(str::trim).filter(|u| !u.is_empty()) {
        Some(u) => {
            let id = u.parse::<i64>().map_err(|_| AppError::NotFound)?;
            anbao_app::org::get_unit(&s.db, ctx, UnitId::new(id)).await
        }
        None => anbao_app::org::home_unit(&s.db, ctx).await,
    }
}

/// The month window [from, to) and its label; a month still running ends today.
pub fn month_window(q: &DashQuery, today: Day) -> Result<(Day, Day, String), AppError> {
    let (from, to) = match q.month.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(raw) => period::month_of(raw)?,
        None => period::containing(anbao_domain::rulebook::PeriodKind::Month, today),
    };
    Ok((from, to, period::month_code(from)))
}

/// Due items matching the query, worst first. Filters apply to the compact items before any is materialised.
pub async fn items_for(s: &AppState, ctx: &Ctx, q: &DashQuery) -> Result<(UnitRow, String, Vec<DueItem>), AppError> {
    let today = period::day_of_ms(ctx.now);
    let root = root_unit(s, ctx, q).await?;
    let (from, to, month) = month_window(q, today)?;
    let e = evaluate_core(&s.db, &root.path, from, to, today).await?;
    let rule = q.rule.as_deref().map(str::trim).filter(|r| !r.is_empty());
    let status = q.status.as_deref().map(str::trim).filter(|r| !r.is_empty());
    let area = q.area.as_deref().map(str::trim).filter(|r| !r.is_empty());
    let mut items: Vec<DueItem> = e
        .cores
        .iter()
        .filter(|c| {
            let r = e.rule_of(c);
            rule.is_none_or(|x| r.id == x)
                && status.is_none_or(|st| c.status.code() == st)
                && area.is_none_or(|a| r.area == a)
        })
        .map(|c| e.item(c))
        .collect();
    items.sort_by(|a, b| {
        let rank = |s: Status| match s {
            Status::Overdue => 0,
            Status::PartlyMet => 1,
            Status::NotYetDue => 2,
            Status::Met => 3,
        };
        (rank(a.status), &a.unit_path, a.period.0).cmp(&(rank(b.status), &b.unit_path, b.period.0))
    });
    Ok((root, month, items))
}
