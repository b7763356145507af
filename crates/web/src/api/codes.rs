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
