//! The HTTP layer: one route table (`routes.rs`), HTML pages (`pages/`, askama templates checked at compile time)
//! and the JSON API (`api/`, described by OpenAPI). Handlers parse input, build a `Ctx` and call `anbao_app`.
pub mod api;
pub mod auth;
pub mod cookies;
pub mod documents;
pub mod error;
pub mod form;
pub mod i18n;
pub mod pages;
pub mod queries;
pub mod routes;
pub mod security;
pub mod sign_in_limits;
pub mod state;

pub use routes::{ServerLimits, router, router_with};
pub use state::{AppState, Clock};
