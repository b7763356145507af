//! Leadership groups: set up per unit, a chair and members drawn from the unit's subtree.
use crate::audit::{self, Entity};
use crate::{AppError, AppResult, Ctx};
use anbao_domain::DomainError;
use anbao_domain::access::Permission;
use anbao_domain::groups::{GroupKind, GroupRole, check_single_chair};
use anbao_domain::ids::{GroupId, StaffId, UnitId};
use anbao_store::Db;
use anbao_store::groups::{self as store, GroupRow, MemberRow};

pub async fn list_groups(db: &Db, ctx: &Ctx) -> AppResult<Vec<GroupRow>> {
    let mut c = db.read().await?;
    Ok(store::list_in_scope(&mut c, &ctx.actor.scope, Permission::OrgRead).await?)
}

pub async fn get_group(db: &Db, ctx: &Ctx, id: GroupId) -> AppResult<(GroupRow, Vec<MemberRow>, bool)> {
    let mut c = db.read().await?;
    let g = store::get(&mut c, id).await?.ok_or(AppError::NotFound)?;
    ctx.must_see(&g.unit_path)?;
    let members = store::members(&mut c, id).await?;
    let can_write = ctx.actor.scope.allows(Permission::OrgWrite, &g.unit_path);
    Ok((g, members, can_write))
}

pub async fn create_group(db: &Db, ctx: &Ctx, unit: UnitId, kind: &str) -> AppResult<GroupId> {
    let kind = GroupKind::parse(kind)?;
    let mut tx = db.begin().await?;
    let u = anbao_store::org::get(&mut tx, unit).await?.ok_or(AppError::NotFound)?;
    ctx.must(Permission::OrgWrite, &u.path)?;
    let id = store::insert(&mut tx, unit, kind, ctx.now).await.map_err(|e| {
        if anbao_store::is_unique_violation(&e) {
            AppError::Conflict(DomainError::new("kind", "本单位已设立该领导组", "this unit already has that group"))
        } else {
            e.into()
        }
    })?;
    audit::record(&mut tx, ctx.into(), "group.create", Entity::Group(id), Some(unit), None).await?;
    tx.commit().await?;
    Ok(id)
}

/// Add a member or change their role. Members come from the group's unit and the units below it.
pub async fn put_member(db: &Db, ctx: &Ctx, id: GroupId, staff: StaffId, role: &str) -> AppResult<()> {
    let role = GroupRole::parse(role)?;
    let mut tx = db.begin().await?;
    let g = store::get(&mut tx, id).await?.ok_or(AppError::NotFound)?;
    ctx.must(Permission::OrgWrite, &g.unit_path)?;
    let s = anbao_store::staff::get(&mut tx, staff).await?;
    if !s.is_some_and(|s| s.active && s.unit_path.starts_with(&g.unit_path)) {
        return Err(AppError::Invalid(DomainError::new(
            "staff_id",
            "成员必须是本单位或下属单位的在岗员工",
            "members must be active staff of the unit or below",
        )));
    }
    check_single_chair(store::count_chairs(&mut tx, id, staff).await? as usize, role)?;
    let before = Entity::Group(id).snapshot(&mut tx).await?;
    store::put_member(&mut tx, id, staff, role).await?;
    audit::record(&mut tx, ctx.into(), "group.put_member", Entity::Group(id), Some(g.unit_id), before.as_ref()).await?;
    tx.commit().await?;
    Ok(())
}

pub async fn remove_member(db: &Db, ctx: &Ctx, id: GroupId, staff: StaffId) -> AppResult<()> {
    let mut tx = db.begin().await?;
    let g = store::get(&mut tx, id).await?.ok_or(AppError::NotFound)?;
    ctx.must(Permission::OrgWrite, &g.unit_path)?;
    let before = Entity::Group(id).snapshot(&mut tx).await?;
    if !store::remove_member(&mut tx, id, staff).await? {
        return Err(AppError::NotFound);
    }
    audit::record(&mut tx, ctx.into(), "group.remove_member", Entity::Group(id), Some(g.unit_id), before.as_ref())
        .await?;
    tx.commit().await?;
    Ok(())
}
