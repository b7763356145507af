//! Accounts for the people in the staff register (ORG-2, SYS-1): an account linked to a staff record, and accounts
//! made in bulk for a unit's subtree — one per active person without one, the role from their posts
//! (`domain::provision::role_for`), the username from their staff number, a one-time initial password that must be
//! changed at the first sign-in. Running it again makes nothing twice.
use crate::audit::{self, Entity};
use crate::error::invalid;
use crate::{AppError, AppResult, Ctx};
use anbao_domain::access::{Permission, Role};
use anbao_domain::ids::{AccountId, StaffId, UnitId};
use anbao_domain::provision::{Placement, role_for, username_for};
use anbao_store::Db;
use anbao_store::accounts::{self, NewAccount};
use rand::Rng;
use std::collections::{HashMap, HashSet};

pub mod import;

/// One account the register calls for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Proposal {
    pub staff_id: StaffId,
    pub staff_no: String,
    pub name: String,
    pub unit_name: String,
    pub username: String,
    pub role: Role,
    pub grant_unit: UnitId,
    pub grant_unit_name: String,
}

impl Proposal {
    /// The account a person would get: this username, this role over this unit.
    pub fn of(
        s: anbao_store::staff::StaffRow,
        username: String,
        role: Role,
        grant_unit: UnitId,
        grant_unit_name: String,
    ) -> Self {
        Proposal {
            staff_id: s.id,
            staff_no: s.staff_no,
            name: s.name,
            unit_name: s.unit_name,
            username,
            role,
            grant_unit,
            grant_unit_name,
        }
    }
}

/// A proposal carried out, with the initial password to hand over (shown once, never stored in clear).
#[derive(Debug, Clone)]
pub struct Made {
    pub proposal: Proposal,
    pub password: String,
}

/// Letters and digits that cannot be misread on paper (no 0/o, 1/l/i).
const PASSWORD_ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
const PASSWORD_LEN: usize = 10;

fn initial_password() -> String {
    let mut rng = rand::rng();
    (0..PASSWORD_LEN).map(|_| PASSWORD_ALPHABET[rng.random_range(0..PASSWORD_ALPHABET.len())] as char).collect()
}

/// What a bulk run under `unit` would make: the active staff of the subtree without any account (a disabled one
/// counts: enabling it again is the administrator's choice), each with the role their posts give, where the
/// administrator may grant it.
pub async fn propose(db: &Db, ctx: &Ctx, unit: UnitId) -> AppResult<Vec<Proposal>> {
    let mut c = db.read().await?;
    let root = anbao_store::org::get(&mut c, unit).await?.ok_or(AppError::NotFound)?;
    ctx.must(Permission::AccountAdmin, &root.path)?;
    let units = anbao_store::org::under(&mut c, &root.path).await?;
    let mut by_id: HashMap<UnitId, (String, String)> =
        units.iter().map(|u| (u.id, (u.name.clone(), u.path.clone()))).collect();
    let all = accounts::list(&mut c).await?;
    let linked: HashSet<StaffId> = all.iter().filter_map(|a| a.staff_id).collect();
    let mut taken: HashSet<String> = all.into_iter().map(|a| a.username).collect();
    let staff = anbao_store::staff::under(&mut c, &root.path).await?;
    let mut out = Vec::new();
    for s in staff.into_iter().filter(|s| s.active && !linked.contains(&s.id)) {
        let Some(u) = units.iter().find(|u| u.id == s.unit_id) else { continue };
        let (role, grant_unit) = role_at(u, &s);
        // A security department's union may lie above the chosen subtree: it must still be the administrator's.
        if !by_id.contains_key(&grant_unit)
            && let Some(g) = anbao_store::org::get(&mut c, grant_unit).await?
        {
            by_id.insert(g.id, (g.name, g.path));
        }
        let Some((grant_name, grant_path)) = by_id.get(&grant_unit) else { continue };
        if !ctx.actor.scope.allows(Permission::AccountAdmin, grant_path) {
            continue;
        }
        let username = username_for(&s.staff_no, |u| taken.contains(u));
        taken.insert(username.clone());
        out.push(Proposal::of(s, username, role, grant_unit, grant_name.clone()));
    }
    Ok(out)
}

/// Make the proposed accounts, all in one transaction (all or none), each with its audit event.
pub async fn create_all(db: &Db, ctx: &Ctx, unit: UnitId) -> AppResult<Vec<Made>> {
    let proposals = propose(db, ctx, unit).await?;
    make(db, ctx, proposals, Initial::OneTime).await
}

/// The first password of accounts being made.
pub(crate) enum Initial<'a> {
    /// A one-time password each, shown once and changed at the first sign-in: what people are given.
    OneTime,
    /// One known password, already hashed, kept after the first sign-in: the demo's accounts only.
    Demo { password: &'a str, hash: &'a str },
}

/// Make these accounts, each with a one-time password, in one transaction. The passwords are hashed first, outside
/// the transaction; the one-per-person index refuses the whole run if a proposal went stale meanwhile.
pub(crate) async fn make(db: &Db, ctx: &Ctx, proposals: Vec<Proposal>, initial: Initial<'_>) -> AppResult<Vec<Made>> {
    let mut made = Vec::with_capacity(proposals.len());
    let mut hashes = Vec::with_capacity(proposals.len());
    for p in proposals {
        let (password, hash) = match initial {
            Initial::OneTime => {
                let password = initial_password();
                let hash = crate::auth::hash_password_blocking(&password).await?;
                (password, hash)
            }
            Initial::Demo { password, hash } => (password.to_owned(), hash.to_owned()),
        };
        hashes.push(hash);
        made.push(Made { proposal: p, password });
    }
    let must_change = matches!(initial, Initial::OneTime);
    let mut tx = db.begin().await?;
    for (m, hash) in made.iter().zip(&hashes) {
        let p = &m.proposal;
        let id = accounts::insert(
            &mut tx,
            NewAccount {
                username: &p.username,
                display_name: &p.name,
                password_hash: hash,
                staff_id: Some(p.staff_id),
                must_change_password: must_change,
                now: ctx.now,
            },
        )
        .await?;
        accounts::add_grant(&mut tx, id, p.role, Some(p.grant_unit)).await?;
        audit::record(&mut tx, ctx.into(), "account.create_from_staff", Entity::Account(id), Some(p.grant_unit), None)
            .await?;
    }
    tx.commit().await?;
    Ok(made)
}

/// The active staff record with this number, if the administrator may reach it; else not found.
async fn staff_in_scope(
    c: &mut anbao_store::Conn,
    ctx: &Ctx,
    staff_no: &str,
) -> AppResult<anbao_store::staff::StaffRow> {
    let no = anbao_domain::staff::StaffNo::parse(staff_no)?;
    let s = anbao_store::staff::by_no(c, no.as_str()).await?.ok_or_else(|| {
        invalid("staff_no", format!("没有工号为“{}”的员工档案", no.as_str()), "no staff record has that number")
    })?;
    if !ctx.actor.scope.allows(Permission::AccountAdmin, &s.unit_path) {
        // Outside the administrator's subtree the record is treated as absent.
        return Err(invalid(
            "staff_no",
            format!("没有工号为“{}”的员工档案", no.as_str()),
            "no staff record has that number",
        ));
    }
    if !s.active {
        return Err(invalid("staff_no", "该员工档案已停用，不能关联账号", "that staff record is not active"));
    }
    Ok(s)
}

/// Resolve a staff number for an account being created by `by` (None from the console): in scope, active, unlinked.
pub async fn staff_for_new_account(db: &Db, by: Option<&Ctx>, staff_no: &str) -> AppResult<StaffId> {
    let mut c = db.read().await?;
    let s = match by {
        Some(ctx) => staff_in_scope(&mut c, ctx, staff_no).await?,
        None => {
            let no = anbao_domain::staff::StaffNo::parse(staff_no)?;
            anbao_store::staff::by_no(&mut c, no.as_str()).await?.filter(|s| s.active).ok_or_else(|| {
                invalid("staff_no", "没有该工号的在岗员工档案", "no active staff record has that number")
            })?
        }
    };
    crate::accounts::ensure_unlinked(&mut c, s.id, None).await?;
    Ok(s.id)
}

/// Link an account to the staff record with this number (`by` None from the console).
pub async fn link(db: &Db, by: Option<&Ctx>, now: i64, account: AccountId, staff_no: &str) -> AppResult<()> {
    let mut tx = db.begin().await?;
    let s = match by {
        Some(ctx) => {
            ctx.must_anywhere(Permission::AccountAdmin)?;
            let grants = accounts::grants(&mut tx, account).await?;
            if !crate::accounts::may_administer(ctx, &grants) {
                return Err(AppError::NotFound);
            }
            staff_in_scope(&mut tx, ctx, staff_no).await?
        }
        None => {
            let no = anbao_domain::staff::StaffNo::parse(staff_no)?;
            anbao_store::staff::by_no(&mut tx, no.as_str()).await?.filter(|s| s.active).ok_or_else(|| {
                invalid("staff_no", "没有该工号的在岗员工档案", "no active staff record has that number")
            })?
        }
    };
    let a = accounts::by_id(&mut tx, account).await?.ok_or(AppError::NotFound)?;
    crate::accounts::ensure_unlinked(&mut tx, s.id, Some(a.id)).await?;
    let before = Entity::Account(a.id).snapshot(&mut tx).await?;
    accounts::set_staff(&mut tx, a.id, Some(s.id)).await?;
    let w = crate::audit::Writer { now, actor: by.map(|c| c.actor.account) };
    audit::record(&mut tx, w, "account.link_staff", Entity::Account(a.id), Some(s.unit_id), before.as_ref()).await?;
    tx.commit().await?;
    crate::auth::forget_sessions();
    Ok(())
}

/// The role a person's posts give at their unit (`domain::provision::role_for` on the stored rows).
pub(crate) fn role_at(u: &anbao_store::org::UnitRow, s: &anbao_store::staff::StaffRow) -> (Role, UnitId) {
    role_for(Placement {
        positions: &s.positions,
        unit: u.id,
        unit_kind: u.kind,
        unit_name: &u.name,
        parent: u.parent_id,
        first_responsible: u.first_responsible_id == Some(s.id),
    })
}

async fn placement_role(
    c: &mut anbao_store::Conn,
    s: &anbao_store::staff::StaffRow,
) -> AppResult<Option<(Role, UnitId)>> {
    Ok(anbao_store::org::get(c, s.unit_id).await?.map(|u| role_at(&u, s)))
}

/// After a staff record changed (a transfer, new posts), in the same transaction: the grant its account had from
/// the old posts is replaced by the one the new posts give, and the security department over the new unit is told
/// to confirm. Grants given by hand (anything but the derived one) are left alone. True when a grant moved.
pub async fn follow_person(
    c: &mut anbao_store::Conn,
    ctx: &Ctx,
    before: &anbao_store::staff::StaffRow,
    after: &anbao_store::staff::StaffRow,
) -> AppResult<bool> {
    let (Some(old), Some(new)) = (placement_role(c, before).await?, placement_role(c, after).await?) else {
        return Ok(false);
    };
    if old == new {
        return Ok(false);
    }
    let mut moved = false;
    for a in accounts::by_staff(c, after.id).await?.into_iter().filter(|a| !a.disabled) {
        let grants = accounts::grant_rows(c, a.id).await?;
        let Some(g) = grants.iter().find(|g| g.grant.role == old.0 && g.grant.unit_id == Some(old.1)) else { continue };
        let snap = Entity::Account(a.id).snapshot(c).await?;
        accounts::remove_grant(c, a.id, g.id).await?;
        accounts::add_grant(c, a.id, new.0, Some(new.1)).await?;
        audit::record(c, ctx.into(), "account.grant_follows_post", Entity::Account(a.id), Some(new.1), snap.as_ref())
            .await?;
        let unit = anbao_store::org::get(c, new.1).await?.ok_or(AppError::NotFound)?;
        let body = format!(
            "{}（{}）调动或岗位变更，其账号 {} 的授权已由“{}”调整为“{} @ {}”，请核实确认。",
            after.name,
            after.staff_no,
            a.username,
            old.0.label_zh(),
            new.0.label_zh(),
            unit.name
        );
        crate::confirm::report_to_security(
            c,
            &unit.path,
            &format!("grant-follows:{}:{}", a.id, ctx.now),
            "人员调动后的账号授权待确认",
            &body,
            "/admin/accounts",
            ctx.now,
        )
        .await?;
        moved = true;
    }
    Ok(moved)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn initial_passwords_are_long_enough_unambiguous_and_different() {
        let a = initial_password();
        let b = initial_password();
        assert_eq!(a.chars().count(), PASSWORD_LEN);
        assert!(anbao_domain::access::check_new_password(&a).is_ok());
        assert!(a.bytes().all(|c| PASSWORD_ALPHABET.contains(&c)));
        assert!(!a.contains(['0', 'o', '1', 'l', 'i']));
        assert_ne!(a, b);
    }
}
