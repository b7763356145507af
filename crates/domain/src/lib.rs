//! Anbao's domain: the pure types and rules every other layer speaks in. No I/O, no clock.
/// Declares a closed list of codes with Chinese and English labels, parsed at the edge. Defined before the modules
/// so each of them can use it.
macro_rules! labelled_enum {
    ($(#[$m:meta])* $name:ident, $field:literal, $what_zh:literal, $what_en:literal {
        $($variant:ident => ($code:literal, $zh:literal, $en:literal)),* $(,)?
    }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),* }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),*];

            pub fn code(self) -> &'static str { match self { $($name::$variant => $code),* } }
            pub fn label_zh(self) -> &'static str { match self { $($name::$variant => $zh),* } }
            pub fn label_en(self) -> &'static str { match self { $($name::$variant => $en),* } }

            pub fn parse(raw: &str) -> Result<Self, DomainError> {
                let raw = raw.trim();
                Self::ALL.iter().copied().find(|v| v.code() == raw || v.label_zh() == raw).ok_or_else(|| {
                    DomainError::new($field, format!("未知的{}：{}", $what_zh, raw), format!("unknown {}: {}", $what_en, raw))
                })
            }
        }
    };
}

pub mod access;
pub mod arms;
pub mod assess;
pub mod audit;
pub mod calendar;
pub mod duty;
pub mod error;
pub mod escort;
pub mod exam;
pub mod facility;
pub mod groups;
pub mod guards;
pub mod ids;
pub mod incident;
pub mod inspect;
pub mod letters;
pub mod org;
pub mod period;
pub mod plans;
pub mod provision;
pub mod records;
pub mod rulebook;
pub mod staff;
pub mod text;
pub mod time;
pub mod warnings;
pub mod workplan;

pub use error::DomainError;
