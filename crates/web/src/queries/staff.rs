//! The staff list's query and its store filter, shared by the page and the API.
use crate::state::AppState;
use anbao_app::AppError;
use anbao_domain::ids::UnitId;
use anbao_domain::staff::{CardGrade, Employment, Position};
use anbao_store::staff::StaffFilter;
use serde::Deserialize;

/// The list's query string; every field optional. Unknown codes are refused with a clear message.
#[derive(Debug, Deserialize, Default, Clone)]
pub struct ListQuery {
    pub q: Option<String>,
    pub unit: Option<String>,
    pub position: Option<String>,
    pub employment: Option<String>,
    pub key: Option<String>,
    pub card: Option<String>,
    pub page: Option<String>,
    pub ok: Option<String>,
}

pub fn nonempty(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// Turn the query into a store filter; the unit filter must name a unit the person may see.
pub async fn filter_of(s: &AppState, p_ctx: &anbao_app::Ctx, q: &ListQuery) -> Result<StaffFilter, AppError> {
    let mut f = StaffFilter { q: nonempty(&q.q).map(str::to_owned), ..Default::default() };
    if let Some(u) = nonempty(&q.unit) {
        let id = u.parse::<i64>().map_err(|_| AppError::NotFound)?;
        let unit = anbao_app::org::get_unit(&s.db, p_ctx, UnitId::new(id)).await?;
        f.under_path = Some(unit.path);
    }
    f.position = nonempty(&q.position).map(Position::parse).transpose()?;
    f.employment = nonempty(&q.employment).map(Employment::parse).transpose()?;
    f.card_grade = nonempty(&q.card).map(CardGrade::parse).transpose()?;
    f.key_position = match nonempty(&q.key) {
        Some("1") => Some(true),
        Some("0") => Some(false),
        _ => None,
    };
    Ok(f)
}
