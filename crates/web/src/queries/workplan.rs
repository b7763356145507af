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
    /// The unit asked for (`super::unit_param`).
    pub fn unit(&self) -> Result<Option<UnitId>, AppError> {
        super::unit_param(&self.unit)
    }
}
