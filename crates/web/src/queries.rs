//! Query strings a page and its API twin both take, parsed one way in one place (so `api/` never imports `pages/`).
pub mod assess;
pub mod compliance;
pub mod letters;
pub mod records;
pub mod staff;
pub mod workplan;

/// A `?unit=` a view takes: absent or empty means the reader's own top unit; a unit that is not a number is as absent
/// as one outside scope (404).
pub fn unit_param(raw: &Option<String>) -> Result<Option<anbao_domain::ids::UnitId>, anbao_app::AppError> {
    match raw.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(u) => u
            .parse::<i64>()
            .map(|id| Some(anbao_domain::ids::UnitId::new(id)))
            .map_err(|_| anbao_app::AppError::NotFound),
    }
}
