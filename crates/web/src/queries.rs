//! Query strings a page and its API twin both take, parsed one way in one place (so `api/` never imports `pages/`).
pub mod assess;
pub mod compliance;
pub mod letters;
pub mod records;
pub mod staff;
pub mod workplan;
