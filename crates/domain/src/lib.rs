//! Anbao's domain: the pure types and rules every other layer speaks in. No I/O, no clock.
pub mod access;
pub mod arms;
pub mod audit;
pub mod duty;
pub mod error;
pub mod escort;
pub mod facility;
pub mod groups;
pub mod ids;
pub mod inspect;
pub mod org;
pub mod period;
pub mod provision;
pub mod records;
pub mod rulebook;
pub mod staff;
pub mod text;
pub mod time;

pub use error::DomainError;
