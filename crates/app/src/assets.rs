//! Assets that rules are about (ATMs, vaults, CCTV systems, vans, gun cabinets), registered per unit.
use crate::audit::{self, Entity};
use crate::{AppError, AppResult, Ctx};
use anbao_domain::access::Permission;
use anbao_domain::ids::UnitId;
use anbao_domain::{DomainError, text};
use anbao_store::Db;
use anbao_store::assets::AssetRow;

pub const KINDS: [(&str, &str, &str); 5] = [
    ("atm", "ATM自助设备", "ATM"),
    ("vault", "金库/库房", "Vault"),
    ("cctv", "视频监控系统", "CCTV system"),
    ("van", "运钞车", "Cash van"),
    ("gun_cabinet", "枪弹柜", "Gun cabinet"),
];

pub fn kind_label(code: &str, en: bool) -> &str {
    KINDS.iter().find(|k| k.0 == code).map_or(code, |k| if en { k.2 } else { k.1 })
}

pub async fn list(db: &Db, ctx: &Ctx, kind: Option<&str>) -> AppResult<Vec<AssetRow>> {
    let mut c = db.read().await?;
    Ok(anbao_store::assets::list_in_scope(&mut c, &ctx.actor.scope, kind).await?)
}

pub async fn create(db: &Db, ctx: &Ctx, unit: UnitId, kind: &str, code: &str, name: &str) -> AppResult<i64> {
    if !KINDS.iter().any(|k| k.0 == kind) {
        return Err(AppError::Invalid(DomainError::new(
            "kind",
            format!("未知的设备类型：{kind}"),
            format!("unknown asset kind: {kind}"),
        )));
    }
    let code = text::bounded("code", "设备编号", "Asset code", code, 32)?;
    if !code.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
        return Err(AppError::Invalid(DomainError::new(
            "code",
            "设备编号只能包含字母、数字和连字符",
            "asset code: letters, digits, hyphens",
        )));
    }
    let name = text::bounded("name", "设备名称", "Asset name", name, 64)?;
    let mut tx = db.begin().await?;
    let u = anbao_store::org::get(&mut tx, unit).await?.ok_or(AppError::NotFound)?;
    ctx.must(Permission::OrgWrite, &u.path)?;
    let id = anbao_store::assets::insert(&mut tx, unit, kind, &code, &name, ctx.now).await?;
    audit::record(&mut tx, ctx.into(), "asset.create", Entity::Asset(id), Some(unit), None).await?;
    tx.commit().await?;
    Ok(id)
}

/// The label of an asset kind, for codes from the register (unknown codes show as "其他").
pub fn kind_label_static(code: &str, en: bool) -> &'static str {
    KINDS.iter().find(|k| k.0 == code).map_or(if en { "other" } else { "其他" }, |k| if en { k.2 } else { k.1 })
}
