//! Reasons a request is refused, in words a user can read (Chinese first, English beside it).
use thiserror::Error;

/// A domain rule was broken. `field` names the input that broke it, so forms can show it next to the field.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{message}")]
pub struct DomainError {
    pub field: &'static str,
    /// Chinese message shown in the UI and in JSON errors.
    pub message: String,
    /// English message for the English UI.
    pub message_en: String,
}

impl DomainError {
    pub fn new(field: &'static str, message: impl Into<String>, message_en: impl Into<String>) -> Self {
        Self { field, message: message.into(), message_en: message_en.into() }
    }
}
