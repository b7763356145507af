//! The JSON API under `/api/v1/`: the same use cases as the pages, with JSON in and out and JSON errors.
pub mod accounts;
pub mod arms;
pub mod assess;
pub mod audit;
pub mod auth;
pub mod calendar;
pub mod codes;
pub mod compliance;
pub mod duty;
pub mod escort;
pub mod exam;
pub mod exports;
pub mod facility;
pub mod facility_ledger;
pub mod groups;
pub mod guards;
pub mod incident;
pub mod inspect;
pub mod keys;
pub mod letters;
pub mod openapi;
pub mod org;
pub mod plans;
pub mod record_kinds;
pub mod records;
pub mod staff;
pub mod training;
pub mod warnings;
pub mod workplan;

use crate::error::ApiError;
use anbao_app::AppError;
use serde::Serialize;
use utoipa::ToSchema;

/// An internal error from a cause that is not the caller's (a stored document that no longer parses, say).
pub fn internal(e: impl std::fmt::Display) -> ApiError {
    ApiError(AppError::Internal(e.to_string()))
}

/// One row of an uploaded workbook that cannot be taken, and why.
#[derive(Serialize, ToSchema)]
pub struct RowError {
    /// The row's number in the sheet, as Excel shows it.
    pub row: usize,
    pub message: String,
}

/// An import's row errors as the API answers them.
pub fn row_errors(errors: Vec<(usize, String)>) -> Vec<RowError> {
    errors.into_iter().map(|(row, message)| RowError { row, message }).collect()
}

/// Parse a path id; anything that is not a whole number is simply not found.
pub fn id(raw: &str) -> Result<i64, AppError> {
    crate::form::path_id(raw)
}
