//! Anbao's use cases. Each public function takes a `Ctx` (the time, the acting account and its scope), checks
//! permission and scope, runs in one transaction, appends its audit event in that same transaction, and returns
//! plain data for the page or the API to show. Pages and API handlers call the same functions.
pub mod accounts;
pub mod arms;
pub mod assess;
pub mod assets;
pub mod audit;
pub mod auth;
pub mod bulk;
pub mod compliance;
pub mod compliance_summary;
pub mod confirm;
pub mod ctx;
pub mod custody;
pub mod demo;
pub mod demo_assess;
pub mod demo_custody;
pub mod demo_facility;
pub mod demo_incident;
pub mod demo_inspect;
pub mod demo_letters;
pub mod demo_records;
pub mod directory;
pub mod duty;
pub mod error;
pub mod escort;
pub mod evidence;
pub mod export;
pub mod facility;
pub mod groups;
pub mod home;
pub mod incident;
pub mod inspect;
pub mod letters;
pub mod messages;
pub mod notices;
pub mod org;
pub mod provision;
pub mod records;
pub mod reminders;
pub mod rulebook;
pub mod setup;
pub mod staff;
pub mod workbook;

pub use audit::credentials;
pub use ctx::{Actor, Ctx};
pub use error::{AppError, AppResult};
