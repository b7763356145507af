//! The closed lists of codes a request field takes, as schemas: read from the lists the app and the domain check
//! against, so the OpenAPI document allows exactly the codes the handler accepts.
use utoipa::openapi::{Object, ObjectBuilder, Type};

fn one_of<I: IntoIterator<Item = &'static str>>(codes: I) -> Object {
    ObjectBuilder::new().schema_type(Type::String).enum_values(Some(codes.into_iter().collect::<Vec<_>>())).build()
}

pub fn asset_kinds() -> Object {
    one_of(anbao_app::assets::KINDS.iter().map(|k| k.0))
}

pub fn custody_kinds() -> Object {
    one_of(anbao_app::custody::ITEM_KINDS.iter().map(|k| k.0))
}

pub fn place_kinds() -> Object {
    one_of(anbao_domain::facility::PLACE_KINDS.iter().map(|k| k.0))
}

pub fn inspection_kinds() -> Object {
    one_of(anbao_domain::records::RecordKind::InspectionVisit.subkinds().iter().map(|k| k.0))
}

pub fn escort_events() -> Object {
    one_of(anbao_domain::escort::EVENT_KINDS.iter().map(|k| k.code))
}

/// `gun` or `ammo` (`app::arms::register`).
pub fn arm_kinds() -> Object {
    one_of(["gun", "ammo"])
}

/// What a penalty's decision may be: `decided` or `waived`.
pub fn decisions() -> Object {
    one_of(["decided", "waived"])
}

/// A hazard's severity: `general` or `major` (`app::inspect::hazards::raise`).
pub fn hazard_severities() -> Object {
    one_of(["general", "major"])
}

/// A date that may be left out: `YYYY-MM-DD` (its year matching `year`), an empty string or null, each meaning what
/// the handler reads (`form::parse_day`; empty and null are "none").
fn optional_date_of(year: &'static str) -> utoipa::openapi::Schema {
    use utoipa::openapi::KnownFormat;
    use utoipa::openapi::schema::{OneOfBuilder, SchemaFormat};
    let date = ObjectBuilder::new()
        .schema_type(Type::String)
        .format(Some(SchemaFormat::KnownFormat(KnownFormat::Date)))
        .pattern(Some(year));
    let empty = ObjectBuilder::new().schema_type(Type::String).max_length(Some(0));
    let none = ObjectBuilder::new().schema_type(Type::Null);
    utoipa::openapi::Schema::OneOf(OneOfBuilder::new().item(date).item(empty).item(none).build())
}

/// A date of 2000–2100, or none.
pub fn optional_date() -> utoipa::openapi::Schema {
    optional_date_of(r"^(20[0-9]{2}|2100)-")
}

/// A date in a person's record (from 1940), or none.
pub fn optional_person_date() -> utoipa::openapi::Schema {
    optional_date_of(r"^(19[4-9][0-9]|[2-9][0-9]{3})-")
}

/// Every pattern a request field may carry, with what it states. utoipa takes a pattern only as a literal, so each is
/// written out on its field; a test of the document (`api::openapi`) fails on a pattern not in this list, so a typo in
/// one copy cannot pass unseen.
pub const PATTERNS: &[(&str, &str)] = &[
    (
        r"^[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*$",
        "required line: not blank, no control characters (text::bounded)",
    ),
    (r"^[^\x00-\x1f\x7f-\x9f]*$", "optional line: no control characters (text::optional)"),
    (
        r"^[^\x00-\x08\x0b-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x08\x0b-\x1f\x7f-\x9f]*$",
        "required text area: line breaks and tabs allowed (text::paragraphs)",
    ),
    (r"^[^\x00-\x08\x0b-\x1f\x7f-\x9f]*$", "optional text area (text::optional_paragraphs)"),
    (r"^(20[0-9]{2}|2100)-(0[1-9]|1[0-2])$", "a month, 2000–2100 (period::month_of)"),
    (r"^(20[0-9]{2}|2100)$", "a year, 2000–2100"),
    (r"^$|^(20[0-9]{2}|2100)-(0[1-9]|1[0-2])$", "a month of a query, or empty for this month"),
    (r"^(20[0-9]{2}|2100)-", "a date of 2000–2100 (with format date)"),
    (r"^$|^(20[0-9]{2}|2100)-", "a date of 2000–2100, or empty for none"),
    (r"^$|^(19[4-9][0-9]|[2-9][0-9]{3})-", "a date of a person's record from 1940, or empty for none"),
    (r"^(19[4-9][0-9]|[2-9][0-9]{3})-", "a date of a person's record from 1940 (with format date)"),
    (r"^[0-9+ -]*$", "a phone number"),
    (r"^[A-Za-z0-9-]+$", "a code of letters, digits and hyphens"),
    (r"^[A-Za-z0-9_]+$", "a tag of letters, digits and underscores (exam::QuestionDraft)"),
    (r"^[a-z0-9_]+$", "a plan code: lowercase letters, digits and underscores (plans::PlanBook)"),
    (r"\S", "not blank"),
    (r"^[Qq]?[1-4]$", "a quarter, 1–4 or Q1–Q4"),
    (r"^([0-9]{1,11}(\.[0-9]{1,2})?)?$", "an amount in yuan, up to two decimals"),
    (r"^(100|[1-9]?[0-9])%?$", "a percentage 0–100"),
];
