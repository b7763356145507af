//! The vault duty roster (VAULT-1): a month per vault, saved whole and refused — with the article and a plain reason
//! per night — when it breaks the rulebook's VAULT-1; leave that keeps a person off it; swaps the outlet head approves.
use crate::audit::{self, Entity};
use crate::error::invalid;
use crate::{AppError, AppResult, Ctx};
use anbao_domain::DomainError;
use anbao_domain::access::Permission;
use anbao_domain::duty::{Guard, Night, RosterRule, check};
use anbao_domain::ids::{StaffId, UnitId};
use anbao_domain::period::{self, Day};
use anbao_domain::staff::Position;
use anbao_store::Db;
use anbao_store::assets::AssetRow;
use anbao_store::duty::{self as store, LeaveRow, ShiftRow, SwapRow};

/// The rule the roster is checked against.
pub const ROSTER_RULE: &str = "VAULT-1";

/// A month of one vault: its days, the shifts saved, the people who may guard, leave and swaps.
pub struct Month {
    pub vault: AssetRow,
    pub from: Day,
    pub to: Day,
    pub shifts: Vec<ShiftRow>,
    pub people: Vec<anbao_store::staff::StaffRow>,
    pub leaves: Vec<LeaveRow>,
    pub swaps: Vec<SwapRow>,
    /// The union's calendar: the month's rest days are holiday-duty nights unless the roster says otherwise.
    pub calendar: anbao_domain::calendar::Calendar,
}

async fn vault_in_scope(c: &mut anbao_store::Conn, ctx: &Ctx, vault: i64) -> AppResult<AssetRow> {
    let v = anbao_store::assets::get(c, vault)
        .await?
        .filter(|a| a.active && a.kind == "vault")
        .ok_or(AppError::NotFound)?;
    ctx.must_see(&v.unit_path)?;
    Ok(v)
}

pub async fn month(db: &Db, ctx: &Ctx, vault: i64, ym: &str) -> AppResult<Month> {
    let (from, to) = period::month_of(ym)?;
    let mut c = db.read().await?;
    let v = vault_in_scope(&mut c, ctx, vault).await?;
    let people = anbao_store::staff::of_unit(&mut c, v.unit_id).await?.into_iter().filter(|s| s.active).collect();
    drop(c);
    let (_, calendar) = crate::calendar::calendar(db).await?;
    let mut c = db.read().await?;
    Ok(Month {
        calendar,
        shifts: store::shifts(&mut c, v.id, from, to).await?,
        leaves: store::leaves_under(&mut c, &v.unit_path, from, to).await?,
        swaps: store::swaps_of_asset(&mut c, v.id, from, to).await?,
        people,
        from,
        to,
        vault: v,
    })
}

/// One night as entered: day, the two guards, whether it is a holiday.
#[derive(Debug, Clone)]
pub struct NightInput {
    pub day: Day,
    pub a: Option<i64>,
    pub b: Option<i64>,
    pub holiday: bool,
}

fn day_label(d: Day) -> String {
    let (y, m, dd) = period::ymd(d);
    let _ = y;
    format!("{m}月{dd}日")
}

async fn roster_rule(db: &Db, day: Day) -> AppResult<RosterRule> {
    let r = crate::rulebook::in_force(db, ROSTER_RULE, day).await?;
    Ok(match r {
        Some(r) => RosterRule {
            forbid_same_position: r.forbid_same_position,
            forbid_both_non_formal: r.forbid_both_non_formal,
            source: r.source,
        },
        // Without VAULT-1 in force only the two-person minimum of 第十二条 applies.
        None => {
            RosterRule {
                forbid_same_position: vec![], forbid_both_non_formal: false, source: "第三篇 第十二条".into()
            }
        }
    })
}

async fn guards(c: &mut anbao_store::Conn, v: &AssetRow, from: Day, to: Day) -> AppResult<Vec<Guard>> {
    let leaves = store::leaves_under(c, &v.unit_path, from, to).await?;
    Ok(anbao_store::staff::of_unit(c, v.unit_id)
        .await?
        .into_iter()
        .filter(|s| s.active)
        .map(|s| Guard {
            id: s.id.get(),
            leave: leaves.iter().filter(|l| l.staff_id == s.id.get()).map(|l| (l.from_day, l.to_day)).collect(),
            name: s.name,
            positions: s.positions,
            employment: s.employment,
        })
        .collect())
}

/// Save a month's roster for a vault, whole: every night of the month must be filled and lawful, or nothing is saved.
pub async fn save_month(db: &Db, ctx: &Ctx, vault: i64, ym: &str, nights: &[NightInput]) -> AppResult<usize> {
    let (from, to) = period::month_of(ym)?;
    let rule = roster_rule(db, from).await?;
    let (_, calendar) = crate::calendar::calendar(db).await?;
    let mut tx = db.begin().await?;
    let v = vault_in_scope(&mut tx, ctx, vault).await?;
    // The roster is set by the outlet head or the security department.
    ctx.must(Permission::StaffWrite, &v.unit_path)?;
    let people = guards(&mut tx, &v, from, to).await?;
    let plan: Vec<Night> = (from..to)
        .map(|d| {
            let n = nights.iter().find(|n| n.day == d);
            Night { day: d, label: day_label(d), a: n.and_then(|n| n.a), b: n.and_then(|n| n.b) }
        })
        .collect();
    check(&plan, &people, &rule)?;
    for n in &plan {
        // Holiday duty: a rest day of the union's calendar, or a night the roster marks itself.
        let holiday = !calendar.is_business_day(n.day) || nights.iter().any(|x| x.day == n.day && x.holiday);
        let (Some(a), Some(b)) = (n.a, n.b) else { continue };
        let row =
            ShiftRow { id: 0, asset_id: v.id, unit_id: v.unit_id.get(), day: n.day, guard_a: a, guard_b: b, holiday };
        let existing = store::shifts(&mut tx, v.id, n.day, n.day + 1).await?.into_iter().next();
        if existing.as_ref().is_some_and(|e| e.guard_a == a && e.guard_b == b && e.holiday == holiday) {
            continue;
        }
        let before = match &existing {
            Some(e) => Entity::Row("duty_shifts", e.id).snapshot(&mut tx).await?,
            None => None,
        };
        let id = store::put_shift(&mut tx, &row, ctx.actor.account.get(), ctx.now).await?;
        audit::record(
            &mut tx,
            ctx.into(),
            "duty.roster",
            Entity::Row("duty_shifts", id),
            Some(v.unit_id),
            before.as_ref(),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(plan.len())
}

/// Record leave for a person.
pub async fn add_leave(db: &Db, ctx: &Ctx, staff: i64, from: Day, to: Day, reason: &str) -> AppResult<i64> {
    let reason = anbao_domain::text::bounded("reason", "请假事由", "Reason", reason, 100)?;
    if to < from {
        return Err(invalid("to_day", "结束日期不能早于开始日期", "the leave ends before it starts"));
    }
    let mut tx = db.begin().await?;
    let s =
        anbao_store::staff::get(&mut tx, StaffId::new(staff)).await?.filter(|s| s.active).ok_or(AppError::NotFound)?;
    ctx.must(Permission::StaffWrite, &s.unit_path)?;
    let id = store::insert_leave(&mut tx, staff, from, to, &reason, ctx.actor.account.get(), ctx.now).await?;
    audit::record(&mut tx, ctx.into(), "duty.leave", Entity::Row("staff_leaves", id), Some(s.unit_id), None).await?;
    tx.commit().await?;
    Ok(id)
}

/// Ask to swap one guard of a shift for another person (第十四条: not without the outlet head's consent).
pub async fn request_swap(db: &Db, ctx: &Ctx, shift: i64, out: i64, inn: i64, reason: &str) -> AppResult<i64> {
    let reason = anbao_domain::text::bounded("reason", "调班事由", "Reason", reason, 100)?;
    let mut tx = db.begin().await?;
    let sh = store::shift_by_id(&mut tx, shift).await?.ok_or(AppError::NotFound)?;
    let v = vault_in_scope(&mut tx, ctx, sh.asset_id).await?;
    ctx.must(Permission::RecordWrite, &v.unit_path)?;
    if out != sh.guard_a && out != sh.guard_b {
        return Err(invalid("out_staff", "被替换的人不在该班次", "that person is not on this shift"));
    }
    // The person coming in is active staff of the vault's unit and not already on the shift.
    let incoming = anbao_store::staff::get(&mut tx, StaffId::new(inn)).await?;
    if !incoming.is_some_and(|s| s.active && s.unit_id == v.unit_id) || inn == sh.guard_a || inn == sh.guard_b {
        return Err(invalid(
            "in_staff",
            "换上的人须是本网点在岗员工，且不在该班次",
            "the person coming in must be other active staff of this outlet",
        ));
    }
    let id = store::insert_swap(&mut tx, shift, out, inn, &reason, ctx.actor.account.get(), ctx.now).await?;
    audit::record(&mut tx, ctx.into(), "duty.swap_request", Entity::Row("duty_swaps", id), Some(v.unit_id), None)
        .await?;
    tx.commit().await?;
    Ok(id)
}

/// The outlet head approves or refuses a swap; an approved swap is checked against the roster rule like a saved month.
pub async fn decide_swap(db: &Db, ctx: &Ctx, swap: i64, approve: bool) -> AppResult<()> {
    let me = crate::confirm::first_person(db, ctx).await?;
    let day = {
        let mut c = db.read().await?;
        store::swap_by_id(&mut c, swap).await?.ok_or(AppError::NotFound)?.day
    };
    let rule = roster_rule(db, day).await?;
    let mut tx = db.begin().await?;
    let w = store::swap_by_id(&mut tx, swap).await?.ok_or(AppError::NotFound)?;
    let v = vault_in_scope(&mut tx, ctx, w.asset_id).await?;
    ctx.must(Permission::RecordWrite, &v.unit_path)?;
    if w.status != "pending" {
        return Err(AppError::Conflict(DomainError::new("status", "该调班申请已处理", "already decided")));
    }
    if !(me.positions.contains(&Position::Director) && me.unit_id == v.unit_id) {
        return Err(invalid(
            "approver",
            "调班须经本网点负责人同意（第十四条）",
            "a swap needs this outlet's head (art. 14)",
        ));
    }
    if w.requested_by == ctx.actor.account.get() {
        return Err(invalid("approver", "不能审批自己提交的调班申请", "you cannot approve your own request"));
    }
    let unit = Some(UnitId::new(w.unit_id));
    if approve {
        let sh = store::shift_by_id(&mut tx, w.shift_id).await?.ok_or(AppError::NotFound)?;
        // The shift may have changed since the request (another swap, a re-saved roster): the person going out
        // must still be on it.
        let (a, b) = if sh.guard_a == w.out_staff {
            (w.in_staff, sh.guard_b)
        } else if sh.guard_b == w.out_staff {
            (sh.guard_a, w.in_staff)
        } else {
            return Err(AppError::Conflict(DomainError::new(
                "swap",
                "该班次已变更，申请换下的人已不在班上，请重新申请",
                "the shift changed; the person going out is no longer on it",
            )));
        };
        let people = guards(&mut tx, &v, sh.day, sh.day + 1).await?;
        check(&[Night { day: sh.day, label: day_label(sh.day), a: Some(a), b: Some(b) }], &people, &rule)?;
        let before = Entity::Row("duty_shifts", sh.id).snapshot(&mut tx).await?;
        store::put_shift(&mut tx, &ShiftRow { guard_a: a, guard_b: b, ..sh.clone() }, ctx.actor.account.get(), ctx.now)
            .await?;
        audit::record(&mut tx, ctx.into(), "duty.swap", Entity::Row("duty_shifts", sh.id), unit, before.as_ref())
            .await?;
    }
    let before = Entity::Row("duty_swaps", w.id).snapshot(&mut tx).await?;
    store::decide_swap(&mut tx, w.id, if approve { "approved" } else { "refused" }, ctx.actor.account.get(), ctx.now)
        .await?;
    audit::record(&mut tx, ctx.into(), "duty.swap_decide", Entity::Row("duty_swaps", w.id), unit, before.as_ref())
        .await?;
    tx.commit().await?;
    Ok(())
}

/// A night's duty is kept by the two people the roster names for it: anyone else needs an approved swap first
/// (第十四条). Vaults without a roster for the day are not checked.
pub(crate) async fn check_roster(
    c: &mut anbao_store::Conn,
    vault: i64,
    d: &anbao_domain::records::RecordDraft,
    at: i64,
) -> AppResult<()> {
    let (Some(p1), Some(p2)) = (d.performer, d.second_person) else { return Ok(()) };
    let day = period::day_of_ms(at);
    if let Some(sh) = store::shifts(c, vault, day, day + 1).await?.into_iter().next() {
        let (x, y) = (p1.get(), p2.get());
        if !((x == sh.guard_a && y == sh.guard_b) || (x == sh.guard_b && y == sh.guard_a)) {
            return Err(invalid(
                "second_person_id",
                "值班人员与当日排班表不符；不得私自调换班次，调班须经本网点负责人同意（第十四条）",
                "the guards differ from the roster for that night; a swap needs the outlet head's approval (art. 14)",
            ));
        }
    }
    Ok(())
}
