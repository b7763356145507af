//! What the custody pages (duty roster, keys and codes, guns, escort) share: choosing the unit, staff options,
//! dates typed as `YYYY-MM-DD`.
use crate::auth::Page;
use crate::error::PageError;
use crate::state::AppState;
use anbao_domain::ids::UnitId;
use anbao_store::org::UnitRow;

/// The unit a custody page shows: the one asked for, or the person's own.
pub async fn unit(s: &AppState, p: &Page, asked: Option<i64>) -> Result<UnitRow, PageError> {
    let home = anbao_app::org::home_unit(&s.db, &p.ctx).await?;
    let Some(id) = asked else { return Ok(home) };
    anbao_app::org::get_unit(&s.db, &p.ctx, UnitId::new(id)).await.map_err(PageError::from)
}

/// Active staff of the units under `path`, as (id, "name（unit · posts）").
pub async fn staff_options(s: &AppState, p: &Page, path: &str) -> Result<Vec<(i64, String)>, PageError> {
    let rows = anbao_app::staff::active_under(&s.db, &p.ctx, path, 500).await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let pos = super::org::positions_label(&r.positions, p.lang);
            (r.id.get(), format!("{}（{} · {}）", r.name, r.unit_name, pos))
        })
        .collect())
}

/// Units at and below `path` that are not departments, as options.
pub async fn unit_options(s: &AppState, p: &Page, path: &str) -> Result<Vec<(i64, String)>, PageError> {
    let units = anbao_app::org::list_units(&s.db, &p.ctx).await?;
    Ok(units
        .into_iter()
        .filter(|u| u.path.starts_with(path) && u.kind != anbao_domain::org::UnitKind::Department)
        .map(|u| (u.id.get(), u.name))
        .collect())
}

pub use crate::form::day;

/// A local day as `YYYY-MM-DD`.
pub fn date(d: i64) -> String {
    anbao_domain::period::date_of_day(d).to_string()
}

/// The units a custody page can switch to: every unit in the person's scope but departments, the shown one marked.
pub async fn picker(s: &AppState, p: &Page, current: i64) -> Result<Vec<(i64, String, bool)>, PageError> {
    let units = anbao_app::org::list_units(&s.db, &p.ctx).await?;
    Ok(units
        .into_iter()
        .filter(|u| u.kind != anbao_domain::org::UnitKind::Department)
        .map(|u| {
            (u.id.get(), format!("{}{}", "　".repeat((u.depth.max(1) - 1) as usize), u.name), u.id.get() == current)
        })
        .collect())
}
