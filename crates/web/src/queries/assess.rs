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
    /// The unit asked for (`super::unit_param`).
    pub fn unit(&self) -> Result<Option<UnitId>, AppError> {
        super::unit_param(&self.unit)
    }
    pub fn year(&self) -> Option<&str> {
        self.year.as_deref()
    }
    pub fn quarter(&self) -> Option<&str> {
        self.quarter.as_deref()
    }
}
