//! Evidence records: what people did (an ATM patrol, a CCTV check, a drill…). Each kind is declared once
//! (`kinds.rs`, in the shape of `spec.rs`); input is parsed here into a `RecordDraft` that the store writes as one
//! append-only row.
use crate::DomainError;
use crate::ids::{StaffId, UnitId};
use serde::{Deserialize, Serialize};
use spec::Need;

impl RecordKind {
    pub fn code(self) -> &'static str {
        self.spec().code
    }

    pub fn label_zh(self) -> &'static str {
        self.spec().label.0
    }

    pub fn label_en(self) -> &'static str {
        self.spec().label.1
    }

    pub fn about(self) -> About {
        self.spec().about
    }

    /// Sub-kinds a record of this kind may carry (drill kind, meeting kind…); empty when it has none.
    pub fn subkinds(self) -> &'static [(&'static str, &'static str)] {
        self.spec().subkinds.list
    }

    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        Self::ALL.iter().copied().find(|k| k.code() == raw.trim()).ok_or_else(|| {
            DomainError::new("kind", format!("未知的记录类型：{raw}"), format!("unknown record kind: {raw}"))
        })
    }

    /// Does this kind name a performer (whose posts decide which rule a record counts for)?
    pub fn needs_performer(self) -> bool {
        matches!(self.spec().performer, Need::Required(_))
    }

    /// Kinds written only by another area's procedure, never by a form or the records API: why, in Chinese and
    /// English, as the refusal says it.
    pub fn procedure(self) -> Option<(&'static str, &'static str)> {
        self.spec().procedure.map(|p| p.why)
    }

    pub fn produced_by_procedure(self) -> bool {
        self.procedure().is_some()
    }

    /// Kinds whose two people both sign in on the device (SYS-2): the one entering the record is the first person and
    /// a second account confirms with its password or PIN. Neither person is chosen from a list.
    pub fn confirmed_by_two(self) -> bool {
        self.spec().two_person.is_some()
    }
}

/// Raw input of any record kind, from a form or JSON. Fields a kind does not use are ignored; which it needs, and
/// the checks it ticks, are its kind's (`GET /api/v1/record-kinds`).
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct RecordInput {
    #[schema(value_type = RecordKind)]
    pub kind: String,
    /// The unit the record belongs to (for asset records, taken from the asset).
    #[schema(minimum = 1)]
    pub unit_id: Option<i64>,
    #[schema(minimum = 1)]
    pub asset_id: Option<i64>,
    /// When it happened, as RFC 3339 or `YYYY-MM-DDTHH:MM` local time; defaults to now.
    pub occurred_at: Option<String>,
    pub subkind: Option<String>,
    #[schema(minimum = 1)]
    pub performer_id: Option<i64>,
    /// The post in which the performer acted (e.g. `cctv_admin` or `director`).
    pub performer_position: Option<String>,
    #[schema(minimum = 1)]
    pub second_person_id: Option<i64>,
    #[schema(minimum = 1)]
    pub subject_staff_id: Option<i64>,
    #[schema(minimum = 1)]
    pub target_unit_id: Option<i64>,
    #[serde(default)]
    pub checks: Vec<String>,
    pub number: Option<f64>,
    /// Each person once.
    #[serde(default)]
    #[schema(schema_with = distinct_people)]
    pub people: Vec<i64>,
    pub result: Option<String>,
    #[schema(max_length = 2000, pattern = r"^[^\x00-\x08\x0b-\x1f\x7f-\x9f]*$")]
    pub text: Option<String>,
    #[schema(max_length = 2000, pattern = r"^[^\x00-\x1f\x7f-\x9f]*$")]
    pub text2: Option<String>,
    #[schema(minimum = 1)]
    pub supersedes_id: Option<i64>,
    /// For kinds confirmed by two: the second person's username and password or confirmation PIN.
    pub confirm_username: Option<String>,
    pub confirm_secret: Option<String>,
    /// For drills: the emergency plan rehearsed (its code in the plan book) and the steps rehearsed (from 1).
    #[serde(default)]
    pub plan: Option<String>,
    #[serde(default)]
    pub plan_steps: Vec<usize>,
}

/// The schema of a list of people: staff ids, each once (`records::parse`).
fn distinct_people() -> utoipa::openapi::Array {
    use utoipa::openapi::{ArrayBuilder, ObjectBuilder, Type};
    let id = ObjectBuilder::new()
        .schema_type(Type::Integer)
        .format(Some(utoipa::openapi::SchemaFormat::KnownFormat(utoipa::openapi::KnownFormat::Int64)));
    ArrayBuilder::new().items(id.minimum(Some(1))).unique_items(true).build()
}

/// A parsed record, ready to store.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RecordDraft {
    pub kind: RecordKind,
    pub subkind: Option<String>,
    pub performer: Option<StaffId>,
    pub performer_position: Option<String>,
    pub second_person: Option<StaffId>,
    pub subject_staff: Option<StaffId>,
    pub target_unit: Option<UnitId>,
    /// The measured number a rule may test (retention days, training hours × 10).
    pub value: Option<i64>,
    /// Kind-specific details, stored as JSON.
    pub data: serde_json::Value,
    /// The regulation this record shows was broken (kept in `data` as `violation` too).
    pub breach: Option<spec::Breach>,
}

impl RecordDraft {
    /// Flag a breach found by a check against other areas' data: kept with the record like the breaches its own
    /// fields show (the first is proposed for a penalty; every reason is kept in words).
    pub fn flag(&mut self, b: spec::Breach) {
        if self.breach.is_none() {
            self.breach = Some(b);
        }
        if let Some(m) = self.data.as_object_mut() {
            m.entry("violation").or_insert_with(|| b.violation.into());
            let reason = match m.get("violation_reason").and_then(|v| v.as_str()) {
                Some(r) if !r.is_empty() => format!("{r}；{}", b.words.0),
                _ => b.words.0.to_owned(),
            };
            m.insert("violation_reason".into(), reason.into());
        }
    }
}

fn err(field: &'static str, zh: &str, en: &str) -> DomainError {
    DomainError::new(field, zh, en)
}

/// The check boxes each kind offers, with their labels; unchecked means "no".
pub fn checklist(kind: RecordKind) -> &'static [(&'static str, &'static str)] {
    kind.spec().checklist
}

/// Is this a photo we accept (JPEG, PNG, GIF, WebP or HEIC), judged by its first bytes, not its name?
pub fn image_type(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else if bytes.starts_with(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A]) {
        Some("image/png")
    } else if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
        Some("image/gif")
    } else if bytes.len() > 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        Some("image/webp")
    } else if bytes.len() > 12
        && &bytes[4..8] == b"ftyp"
        && matches!(&bytes[8..12], b"heic" | b"heix" | b"mif1" | b"heif")
    {
        Some("image/heic")
    } else {
        None
    }
}

/// Is this a photo or a scanned document (PDF) — what a case file holds (a police receipt, a statement)?
pub fn photo_or_scan_type(bytes: &[u8]) -> Option<&'static str> {
    image_type(bytes).or_else(|| bytes.starts_with(b"%PDF-").then_some("application/pdf"))
}

/// A photo, a PDF scan or an MP4 video (an ISO base-media file whose `ftyp` brand is an MP4 one), by content.
pub fn media_type(bytes: &[u8]) -> Option<&'static str> {
    photo_or_scan_type(bytes).or_else(|| {
        (bytes.len() > 12
            && &bytes[4..8] == b"ftyp"
            && matches!(&bytes[8..12], b"isom" | b"iso2" | b"mp41" | b"mp42" | b"avc1" | b"M4V " | b"dash"))
        .then_some("video/mp4")
    })
}

/// The sub-kind a register gives a record that repeats a counted one of the same asset within its rule's spacing
/// (`Rule::spacing_minutes`): it is kept, and a rule with a spacing does not count it.
pub const REPEAT: &str = "repeat";

mod kinds;
mod parse;
pub mod spec;
pub use kinds::RecordKind;
pub use parse::*;
pub use spec::{About, KindSpec};
