//! The org tree: browse, create, rename and re-lead, move. Moves and renames keep history.
use crate::audit::{self, Entity};
use crate::{AppError, AppResult, Ctx};
use anbao_domain::access::Permission;
use anbao_domain::ids::{StaffId, UnitId};
use anbao_domain::org::{UnitKind, UnitName, UnitPath, check_move};
use anbao_domain::staff::parse_phone;
use anbao_domain::{DomainError, text};
use anbao_store::Db;
use anbao_store::groups::GroupRow;
use anbao_store::org::{self as store, HistoryRow, NewUnit, UnitRow, UnitUpdate};
use anbao_store::staff::StaffRow;
use rand::RngCore;

/// Every unit the actor may see, in tree order.
pub async fn list_units(db: &Db, ctx: &Ctx) -> AppResult<Vec<UnitRow>> {
    let mut c = db.read().await?;
    Ok(store::list_in_scope(&mut c, &ctx.actor.scope, Permission::OrgRead).await?)
}

/// A unit with what its page shows.
#[derive(Debug, Clone)]
pub struct UnitDetail {
    pub unit: UnitRow,
    pub breadcrumbs: Vec<(UnitId, String, bool)>,
    pub children: Vec<UnitRow>,
    pub staff: Vec<StaffRow>,
    pub groups: Vec<GroupRow>,
    pub history: Vec<HistoryRow>,
    pub can_write: bool,
    pub can_write_staff: bool,
}

pub async fn get_unit(db: &Db, ctx: &Ctx, id: UnitId) -> AppResult<UnitRow> {
    let mut c = db.read().await?;
    let unit = store::get(&mut c, id).await?.ok_or(AppError::NotFound)?;
    ctx.must_see(&unit.path)?;
    Ok(unit)
}

pub async fn unit_detail(db: &Db, ctx: &Ctx, id: UnitId) -> AppResult<UnitDetail> {
    let mut c = db.read().await?;
    let unit = store::get(&mut c, id).await?.ok_or(AppError::NotFound)?;
    ctx.must_see(&unit.path)?;
    let path = UnitPath::from_stored(unit.path.clone());
    let crumbs = store::ancestors(&mut c, &path.ids()).await?;
    let breadcrumbs = crumbs
        .into_iter()
        .map(|(id, name)| {
            // Units above the actor's scope are shown by name only, not linked.
            let linked = path_of_prefix(&path, id).is_some_and(|p| ctx.actor.scope.allows(Permission::OrgRead, &p));
            (id, name, linked)
        })
        .collect();
    let children = store::children(&mut c, id).await?;
    let staff = anbao_store::staff::of_unit(&mut c, id).await?;
    let groups = anbao_store::groups::of_unit(&mut c, id).await?;
    let history = store::history(&mut c, id).await?;
    Ok(UnitDetail {
        can_write: ctx.actor.scope.allows(Permission::OrgWrite, &unit.path),
        can_write_staff: ctx.actor.scope.allows(Permission::StaffWrite, &unit.path),
        unit,
        breadcrumbs,
        children,
        staff,
        groups,
        history,
    })
}

/// The path of the ancestor `id` of `path`.
fn path_of_prefix(path: &UnitPath, id: UnitId) -> Option<String> {
    let ids = path.ids();
    let pos = ids.iter().position(|i| *i == id)?;
    let mut p = String::from("/");
    for i in &ids[..=pos] {
        p.push_str(&format!("{i}/"));
    }
    Some(p)
}

pub struct UnitInput {
    pub parent: Option<UnitId>,
    pub kind: String,
    pub name: String,
    pub address: Option<String>,
    pub phone: Option<String>,
}

pub async fn create_unit(db: &Db, ctx: &Ctx, input: UnitInput) -> AppResult<UnitId> {
    let kind = UnitKind::parse(&input.kind)?;
    let name = UnitName::parse(&input.name)?;
    let address = text::optional("address", "地址", "Address", input.address.as_deref(), 128)?;
    let phone = parse_phone(input.phone.as_deref())?;
    let mut tx = db.begin().await?;
    let parent = match input.parent {
        Some(pid) => {
            let p = store::get(&mut tx, pid).await?.ok_or_else(|| {
                AppError::Invalid(DomainError::new("parent", "上级单位不存在", "the parent unit does not exist"))
            })?;
            ctx.must(Permission::OrgWrite, &p.path)?;
            Some(p)
        }
        None => {
            if !ctx.actor.scope.has_global(Permission::OrgWrite) {
                return Err(AppError::Forbidden);
            }
            None
        }
    };
    kind.check_parent(parent.as_ref().map(|p| p.kind))?;
    let mut nonce = [0u8; 12];
    rand::rng().fill_bytes(&mut nonce);
    let placeholder = format!("#{}", hex::encode(nonce));
    let (id, _path) = store::insert(
        &mut tx,
        NewUnit {
            parent: parent.as_ref().map(|p| (p.id, p.path.as_str())),
            kind,
            name: name.as_str(),
            address: address.as_deref(),
            phone: phone.as_deref(),
            now: ctx.now,
            placeholder: &placeholder,
        },
    )
    .await?;
    store::record_history(&mut tx, id, ctx.now, Some(ctx.actor.account), "create").await?;
    audit::record(&mut tx, ctx.into(), "unit.create", Entity::Unit(id), Some(id), None).await?;
    tx.commit().await?;
    Ok(id)
}

pub struct UnitEdit {
    pub name: String,
    pub first_responsible: Option<StaffId>,
    pub deputy_in_charge: Option<StaffId>,
    pub address: Option<String>,
    pub phone: Option<String>,
}

/// Rename a unit, name its 第一责任人 and 分管领导, change its address. The leaders must be staff of the unit's
/// subtree: a unit cannot be led by a stranger.
pub async fn update_unit(db: &Db, ctx: &Ctx, id: UnitId, e: UnitEdit) -> AppResult<()> {
    let name = UnitName::parse(&e.name)?;
    let address = text::optional("address", "地址", "Address", e.address.as_deref(), 128)?;
    let phone = parse_phone(e.phone.as_deref())?;
    let mut tx = db.begin().await?;
    let unit = store::get(&mut tx, id).await?.ok_or(AppError::NotFound)?;
    ctx.must(Permission::OrgWrite, &unit.path)?;
    for (field, zh, en, who) in [
        ("first_responsible", "第一责任人", "first responsible person", e.first_responsible),
        ("deputy_in_charge", "分管领导", "deputy in charge", e.deputy_in_charge),
    ] {
        if let Some(sid) = who {
            let s = anbao_store::staff::get(&mut tx, sid).await?;
            if !s.is_some_and(|s| s.active && s.unit_path.starts_with(&unit.path)) {
                return Err(AppError::Invalid(DomainError::new(
                    field,
                    format!("{zh}必须是本单位或下属单位的在岗员工"),
                    format!("the {en} must be active staff of this unit or below"),
                )));
            }
        }
    }
    let before = Entity::Unit(id).snapshot(&mut tx).await?;
    store::update(
        &mut tx,
        id,
        UnitUpdate {
            name: name.as_str(),
            first_responsible_id: e.first_responsible,
            deputy_in_charge_id: e.deputy_in_charge,
            address: address.as_deref(),
            phone: phone.as_deref(),
            now: ctx.now,
        },
    )
    .await?;
    let change = if unit.name != name.as_str() { "rename" } else { "update" };
    store::record_history(&mut tx, id, ctx.now, Some(ctx.actor.account), change).await?;
    audit::record(&mut tx, ctx.into(), &format!("unit.{change}"), Entity::Unit(id), Some(id), before.as_ref()).await?;
    tx.commit().await?;
    Ok(())
}

/// Move a unit (and its whole subtree) under a new parent. Both the old and the new place must be in scope.
pub async fn move_unit(db: &Db, ctx: &Ctx, id: UnitId, new_parent: UnitId) -> AppResult<()> {
    let mut tx = db.begin().await?;
    let unit = store::get(&mut tx, id).await?.ok_or(AppError::NotFound)?;
    ctx.must(Permission::OrgWrite, &unit.path)?;
    let parent = store::get(&mut tx, new_parent).await?.ok_or_else(|| {
        AppError::Invalid(DomainError::new("parent", "目标上级单位不存在", "the new parent does not exist"))
    })?;
    ctx.must(Permission::OrgWrite, &parent.path)?;
    let old_path = UnitPath::from_stored(unit.path.clone());
    let parent_path = UnitPath::from_stored(parent.path.clone());
    check_move(&old_path, &parent_path)?;
    unit.kind.check_parent(Some(parent.kind))?;
    if unit.parent_id == Some(new_parent) {
        return Ok(());
    }
    let new_path = parent_path.child(id);
    let moved = store::subtree_ids(&mut tx, &unit.path).await?;
    let mut befores = Vec::with_capacity(moved.len());
    for u in &moved {
        befores.push(Entity::Unit(*u).snapshot(&mut tx).await?);
    }
    store::move_subtree(&mut tx, id, new_parent, old_path.as_str(), new_path.as_str(), ctx.now).await?;
    for (u, before) in moved.iter().zip(befores) {
        store::record_history(&mut tx, *u, ctx.now, Some(ctx.actor.account), "move").await?;
        audit::record(&mut tx, ctx.into(), "unit.move", Entity::Unit(*u), Some(*u), before.as_ref()).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// The unit a person's pages open on (dashboard, custody, hazards, imports): the top of their scope.
pub async fn home_unit(db: &Db, ctx: &Ctx) -> AppResult<UnitRow> {
    let units = list_units(db, ctx).await?;
    units.into_iter().min_by_key(|u| (u.depth, u.id.get())).ok_or(AppError::NotFound)
}

/// The people of a unit and of the units above it — with those units' departments (the county's 保卫部) — who hold
/// one of `posts`: whom a record may name as coming from above (the union leader or security officer accompanying a
/// night check, 第十七条). Their names and posts are shown to the unit's own staff, who must pick one; nothing else
/// of the units above is read.
pub async fn people_above(
    db: &Db,
    unit_path: &str,
    posts: &[anbao_domain::staff::Position],
) -> AppResult<Vec<StaffRow>> {
    let mut c = db.read().await?;
    let mut out = Vec::new();
    for id in unit_path.split('/').filter_map(|x| x.parse::<i64>().ok()).map(UnitId::new) {
        let mut units = vec![id];
        units.extend(
            store::children(&mut c, id).await?.into_iter().filter(|u| u.kind == UnitKind::Department).map(|u| u.id),
        );
        for u in units {
            out.extend(
                anbao_store::staff::of_unit(&mut c, u)
                    .await?
                    .into_iter()
                    .filter(|s| s.active && s.positions.iter().any(|p| posts.contains(p))),
            );
        }
    }
    Ok(out)
}

/// Whether a person's unit is `unit_path`'s own, one above it, or a department of one of those.
pub fn is_above_or_own(person_unit_path: &str, person_unit_is_department: bool, unit_path: &str) -> bool {
    if unit_path.starts_with(person_unit_path) {
        return true;
    }
    person_unit_is_department
        && person_unit_path
            .trim_end_matches('/')
            .rsplit_once('/')
            .is_some_and(|(parent, _)| unit_path.starts_with(&format!("{parent}/")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ancestor_paths_are_prefixes_of_the_unit_path() {
        let p = UnitPath::from_stored("/1/4/17/".into());
        assert_eq!(path_of_prefix(&p, UnitId::new(4)).as_deref(), Some("/1/4/"));
        assert_eq!(path_of_prefix(&p, UnitId::new(17)).as_deref(), Some("/1/4/17/"));
        assert_eq!(path_of_prefix(&p, UnitId::new(9)), None);
    }

    #[test]
    fn a_person_above_is_of_the_unit_an_ancestor_or_an_ancestors_department() {
        let outlet = "/1/4/17/30/";
        assert!(is_above_or_own("/1/4/17/30/", false, outlet), "the outlet itself");
        assert!(is_above_or_own("/1/4/", false, outlet), "the county above");
        assert!(is_above_or_own("/1/4/99/", true, outlet), "the county's security department");
        assert!(!is_above_or_own("/1/4/99/", false, outlet), "a unit beside it that is no department");
        assert!(!is_above_or_own("/1/5/99/", true, outlet), "another county's department");
        assert!(!is_above_or_own("/1/4/17/30/41/", false, outlet), "a unit below");
        assert!(!is_above_or_own("/1/4/17/31/", false, outlet), "the outlet next door");
    }
}
