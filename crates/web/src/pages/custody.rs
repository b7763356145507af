//! What the custody pages (duty roster, keys and codes, guns, escort) share: choosing the unit, staff options,
//! dates typed as `YYYY-MM-DD`.
use crate::auth::Page;
use crate::error::PageError;
use crate::state::AppState;
use anbao_app::AppError;
use anbao_domain::DomainError;
use anbao_domain::ids::UnitId;
use anbao_store::org::UnitRow;

/// The unit a custody page shows: the one asked for, or the person's own.
pub async fn unit(s: &AppState, p: &Page, asked: Option<i64>) -> Result<UnitRow, PageError> {
    let home = anbao_app::org::home_unit(&s.db, &p.ctx).await.map_err(|e| p.err(e))?;
    let Some(id) = asked else { return Ok(home) };
    let mut c = s.db.read().await.map_err(|e| p.err(e.into()))?;
    let u = anbao_store::org::get(&mut c, UnitId::new(id)).await.map_err(|e| p.err(e.into()))?;
    let u = u.ok_or_else(|| p.err(AppError::NotFound))?;
    p.ctx.must_see(&u.path).map_err(|e| p.err(e))?;
    Ok(u)
}

/// Active staff of the units under `path`, as (id, "name（unit · posts）").
pub async fn staff_options(s: &AppState, p: &Page, path: &str) -> Result<Vec<(i64, String)>, PageError> {
    let mut c = s.db.read().await.map_err(|e| p.err(e.into()))?;
    let rows = anbao_store::staff::under(&mut c, path).await.map_err(|e| p.err(e.into()))?;
    Ok(rows
        .into_iter()
        .filter(|r| r.active)
        .take(500)
        .map(|r| {
            let pos = super::org::positions_label(&r.positions, p.lang);
            (r.id.get(), format!("{}（{} · {}）", r.name, r.unit_name, pos))
        })
        .collect())
}

/// Units at and below `path` that are not departments, as options.
pub async fn unit_options(s: &AppState, p: &Page, path: &str) -> Result<Vec<(i64, String)>, PageError> {
    let units = anbao_app::org::list_units(&s.db, &p.ctx).await.map_err(|e| p.err(e))?;
    Ok(units
        .into_iter()
        .filter(|u| u.path.starts_with(path) && u.kind != anbao_domain::org::UnitKind::Department)
        .map(|u| (u.id.get(), u.name))
        .collect())
}

/// A date typed as `YYYY-MM-DD`, as a local day number.
pub fn day(raw: &str, field: &'static str) -> Result<i64, AppError> {
    raw.trim()
        .parse::<jiff::civil::Date>()
        .map(anbao_domain::period::day_of_date)
        .map_err(|_| AppError::Invalid(DomainError::new(field, "日期格式应为 2026-03-02", "dates: YYYY-MM-DD")))
}

/// A local day as `YYYY-MM-DD`.
pub fn date(d: i64) -> String {
    anbao_domain::period::date_of_day(d).to_string()
}

/// The units a custody page can switch to: every unit in the person's scope but departments, the shown one marked.
pub async fn picker(s: &AppState, p: &Page, current: i64) -> Result<Vec<(i64, String, bool)>, PageError> {
    let units = anbao_app::org::list_units(&s.db, &p.ctx).await.map_err(|e| p.err(e))?;
    Ok(units
        .into_iter()
        .filter(|u| u.kind != anbao_domain::org::UnitKind::Department)
        .map(|u| {
            (u.id.get(), format!("{}{}", "　".repeat((u.depth.max(1) - 1) as usize), u.name), u.id.get() == current)
        })
        .collect())
}
