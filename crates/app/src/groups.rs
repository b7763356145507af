//! Leadership groups: set up per unit, a chair and members drawn from the unit's subtree.
use crate::audit::{self, Entity};
use crate::{AppError, AppResult, Ctx};
use anbao_domain::DomainError;
use anbao_domain::access::Permission;
use anbao_domain::groups::{GroupKind, GroupRole, check_single_chair};
use anbao_domain::ids::{GroupId, StaffId, UnitId};
use anbao_domain::org::UnitKind;
use anbao_domain::records::{RecordDraft, RecordKind};
use anbao_domain::rulebook::Rule;
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

/// The ORG-4 rule (by the rulebook) that a group of this kind answers at a unit of this kind, if any: it names the
/// post the chair must hold.
fn rule_for<'a>(
    rules: &'a [crate::rulebook::RuleHistory],
    today: i64,
    unit_kind: &str,
    kind: GroupKind,
) -> Option<&'a Rule> {
    rules.iter().filter_map(|h| h.on(today).filter(|v| v.active).map(|v| &v.rule)).find(|r| {
        r.evidence == RecordKind::LeadershipGroup.spec().code
            && r.subkind == kind.code()
            && r.unit_kinds.iter().any(|k| k == unit_kind)
    })
}

/// The groups the rulebook's ORG-4 rules ask each kind of unit to set up, with the rule's source.
pub async fn required_kinds(
    db: &Db,
    now: i64,
) -> AppResult<std::collections::HashMap<UnitKind, Vec<(GroupKind, String)>>> {
    let rules = crate::rulebook::all(db).await?;
    let today = anbao_domain::period::day_of_ms(now);
    Ok(UnitKind::ALL
        .iter()
        .map(|u| {
            let kinds = GroupKind::ALL
                .into_iter()
                .filter_map(|k| rule_for(&rules, today, u.code(), k).map(|r| (k, r.source.clone())))
                .collect();
            (*u, kinds)
        })
        .collect())
}

/// Confirm a group in place for the year (篇二 一、3: 健全各种安全领导机构, 一月份完成): it needs a chair, and where the
/// rulebook names the chair's post (预案 第四条: the union chairman, the cooperative's director) the chair must hold
/// it. Writes the `leadership_group` record the ORG-4 rules count.
pub async fn confirm_year(db: &Db, ctx: &Ctx, id: GroupId) -> AppResult<()> {
    let rules = crate::rulebook::all(db).await?;
    let mut tx = db.begin().await?;
    let g = store::get(&mut tx, id).await?.ok_or(AppError::NotFound)?;
    ctx.must(Permission::OrgWrite, &g.unit_path)?;
    let unit = anbao_store::org::get(&mut tx, g.unit_id).await?.ok_or(AppError::NotFound)?;
    let members = store::members(&mut tx, id).await?;
    let chair = members.iter().find(|m| m.role == GroupRole::Chair).ok_or_else(|| {
        AppError::Invalid(DomainError::new("chair", "请先指定组长，再确认本组健全", "name the chair first"))
    })?;
    // The post the chair confirms in: the rule's, which the engine matches against the record (as `positions`).
    let mut chair_post = None;
    if let Some(rule) = rule_for(&rules, anbao_domain::period::day_of_ms(ctx.now), unit.kind.code(), g.kind)
        .filter(|r| !r.positions.is_empty())
    {
        let staff = anbao_store::staff::get(&mut tx, chair.staff_id).await?;
        chair_post = staff.and_then(|s| {
            s.positions.iter().find(|p| rule.positions.iter().any(|x| x == p.code())).map(|p| p.code().to_owned())
        });
        if chair_post.is_none() {
            let posts: Vec<&str> = rule
                .positions
                .iter()
                .filter_map(|p| anbao_domain::staff::Position::parse(p).ok())
                .map(|p| p.label_zh())
                .collect();
            return Err(AppError::Invalid(DomainError::new(
                "chair",
                format!("{}的组长须由{}担任（{}：{}）", g.kind.label_zh(), posts.join("或"), rule.source, rule.article),
                "the chair must hold the post the rulebook names",
            )));
        }
    }
    let draft = RecordDraft {
        kind: RecordKind::LeadershipGroup,
        subkind: Some(g.kind.code().into()),
        performer: Some(chair.staff_id),
        performer_position: chair_post,
        second_person: None,
        subject_staff: None,
        target_unit: None,
        value: Some(members.len() as i64),
        data: serde_json::json!({ "checks": {}, "group": id.get(), "chair": chair.name, "members": members.len() }),
        breach: None,
    };
    crate::evidence::insert(&mut tx, ctx, &draft, g.unit_id, None).await?;
    tx.commit().await?;
    Ok(())
}
