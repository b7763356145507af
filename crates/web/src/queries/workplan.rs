//! The work plan's query (`?unit=&year=`), shared by the page and the API.
use anbao_app::AppError;
use anbao_domain::ids::UnitId;
use serde::Deserialize;

#[derive(Debug, Deserialize, Default, Clone)]
pub struct PlanQuery {
    pub unit: Option<String>,
    pub year: Option<String>,
    pub ok: Option<String>,
}

impl PlanQuery {
    /// The unit asked for; a unit that is not a number is as absent as one outside scope (404).
    pub fn unit(&self) -> Result<Option<UnitId>, AppError> {
        match self.unit.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => Ok(None),
            Some(u) => u.parse::<i64>().map(|id| Some(UnitId::new(id))).map_err(|_| AppError::NotFound),
        }
    }
}
