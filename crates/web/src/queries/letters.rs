//! The letters views' query (`?unit=&kind=&year=`), shared by the page and the API.
use anbao_app::AppError;
use anbao_domain::ids::UnitId;
use serde::Deserialize;

#[derive(Debug, Deserialize, Default, Clone)]
pub struct LetterQuery {
    pub unit: Option<String>,
    pub kind: Option<String>,
    pub year: Option<String>,
    pub ok: Option<String>,
}

impl LetterQuery {
    /// The unit asked for (`super::unit_param`).
    pub fn unit(&self) -> Result<Option<UnitId>, AppError> {
        super::unit_param(&self.unit)
    }
    pub fn kind(&self) -> &str {
        self.kind.as_deref().unwrap_or_default()
    }
    pub fn year(&self) -> Option<&str> {
        self.year.as_deref()
    }
}
