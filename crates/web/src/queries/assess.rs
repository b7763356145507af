//! The assessment views' query (`?unit=&year=&quarter=`), shared by the pages and the API.
use anbao_app::AppError;
use anbao_domain::ids::UnitId;
use serde::Deserialize;

#[derive(Debug, Deserialize, Default, Clone)]
pub struct AssessQuery {
    pub unit: Option<String>,
    pub year: Option<String>,
    pub quarter: Option<String>,
    pub ok: Option<String>,
}

impl AssessQuery {
    /// The unit asked for; a unit that is not a number is as absent as one outside scope (404).
    pub fn unit(&self) -> Result<Option<UnitId>, AppError> {
        match self.unit.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => Ok(None),
            Some(u) => u.parse::<i64>().map(|id| Some(UnitId::new(id))).map_err(|_| AppError::NotFound),
        }
    }
    pub fn year(&self) -> Option<&str> {
        self.year.as_deref()
    }
    pub fn quarter(&self) -> Option<&str> {
        self.quarter.as_deref()
    }
}
