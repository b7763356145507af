//! The record list's query and its store filter, shared by the page, the Excel export and the API.
use crate::state::AppState;
use anbao_app::AppError;
use anbao_domain::records::RecordKind;
use anbao_store::records::RecordFilter;
use serde::Deserialize;

#[derive(Deserialize, Default, Clone)]
pub struct ListQuery {
    pub kind: Option<String>,
    pub unit: Option<String>,
    pub asset: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    pub subkind: Option<String>,
    pub position: Option<String>,
    pub page: Option<String>,
    pub ok: Option<String>,
}

pub fn ne(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// A date (YYYY-MM-DD) as a local day number.
use crate::form::parse_day;

pub async fn filter_of(s: &AppState, ctx: &anbao_app::Ctx, q: &ListQuery) -> Result<RecordFilter, AppError> {
    let mut f = RecordFilter {
        kind: ne(&q.kind).map(|k| RecordKind::parse(k).map(|k| k.code().to_owned())).transpose()?,
        subkind: ne(&q.subkind).map(str::to_owned),
        position: ne(&q.position).map(str::to_owned),
        ..Default::default()
    };
    if let Some(u) = ne(&q.unit) {
        let id = u.parse::<i64>().map_err(|_| AppError::NotFound)?;
        f.under_path = Some(anbao_app::org::get_unit(&s.db, ctx, anbao_domain::ids::UnitId::new(id)).await?.path);
    }
    // An asset that is not a number is no asset anyone holds: not found, as an unknown unit is.
    f.asset_id = ne(&q.asset).map(|a| a.parse::<i64>().map_err(|_| AppError::NotFound)).transpose()?;
    f.from_day = ne(&q.from).map(parse_day).transpose()?;
    // `to` is inclusive in the page; the store takes the day after.
    f.to_day = ne(&q.to).map(parse_day).transpose()?.map(|d| d + 1);
    Ok(f)
}
