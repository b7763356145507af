//! Typed identifiers: a `UnitId` can never be passed where a `StaffId` is meant.
use serde::{Deserialize, Serialize};

macro_rules! typed_id {
    ($($(#[$m:meta])* $name:ident),* $(,)?) => {$(
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema)]
        #[serde(transparent)]
        pub struct $name(i64);

        impl $name {
            pub const fn new(raw: i64) -> Self { Self(raw) }
            pub const fn get(self) -> i64 { self.0 }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result { self.0.fmt(f) }
        }
    )*};
}

typed_id!(
    /// An org unit (省联社, 县联社, 营业网点, 部门…).
    UnitId,
    /// A member of staff.
    StaffId,
    /// A sign-in account.
    AccountId,
    /// A leadership group.
    GroupId,
    /// An audit event.
    EventId,
    /// A notice on the home page.
    NoticeId,
);
