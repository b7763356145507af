//! Armed guards' eligibility (ORG-5; 第四篇 三(2)(3)): the credential register (birth date, vetting by personnel and
//! by security, training, the licence and its expiry) kept by the security department, and the check an escort crew
//! and a gun checkout run before anyone rides armed or takes a gun (`domain::guards::check`, with the rulebook's
//! ORG-5 limits: the youngest age and how recent the live-fire training must be).
use crate::audit::{self, Entity};
use crate::error::invalid;
use crate::{AppError, AppResult, Ctx};
use anbao_domain::access::Role;
use anbao_domain::guards::{Credential, GuardRule, check, problems};
use anbao_domain::ids::StaffId;
use anbao_domain::period;
use anbao_store::{Conn, Db};

/// The rule holding the youngest age and the live-fire window.
pub const GUARD_RULE: &str = "ORG-5";

/// Who keeps the register: the security department over the person (经警 "经过人事和保卫部门的严格审核").
pub const KEEPERS: [Role; 1] = [Role::Security];

/// The rulebook's limits in force, if the union keeps the rule.
pub async fn rule(db: &Db, now: i64) -> AppResult<Option<GuardRule>> {
    Ok(crate::rulebook::current(db, GUARD_RULE, now)
        .await?
        .map(|r| GuardRule { min_age: r.min_age, live_fire_days: r.days.max(1) }))
}

/// Refuse an armed duty to someone not eligible (escort crews, gun checkouts), in the caller's transaction. The rule
/// is read before the transaction by the caller; without it nothing is checked.
pub async fn must_be_eligible(
    c: &mut Conn,
    rule: Option<GuardRule>,
    staff: StaffId,
    name: &str,
    today: i64,
) -> AppResult<()> {
    let Some(rule) = rule else { return Ok(()) };
    let cred = anbao_store::guards::get(c, staff.get()).await?.map(|(_, k)| k);
    let fire = anbao_store::guards::last_live_fire(c, staff.get(), today - rule.live_fire_days).await?;
    Ok(check(name, cred.as_ref(), fire, today, rule)?)
}

/// One person's credential and what keeps them from serving, for their page.
pub struct GuardView {
    pub staff: anbao_store::staff::StaffRow,
    pub credential: Option<Credential>,
    pub last_live_fire: Option<i64>,
    pub problems: Vec<String>,
    pub may_edit: bool,
    pub rule: Option<GuardRule>,
}

pub async fn view(db: &Db, ctx: &Ctx, staff: StaffId) -> AppResult<GuardView> {
    let rule = rule(db, ctx.now).await?;
    let mut c = db.read().await?;
    let s = anbao_store::staff::get(&mut c, staff).await?.ok_or(AppError::NotFound)?;
    ctx.must_see(&s.unit_path)?;
    let today = period::day_of_ms(ctx.now);
    let credential = anbao_store::guards::get(&mut c, staff.get()).await?.map(|(_, k)| k);
    let window = rule.map(|r| r.live_fire_days).unwrap_or(365);
    let last_live_fire = anbao_store::guards::last_live_fire(&mut c, staff.get(), today - window).await?;
    let problems = rule.map(|r| problems(credential.as_ref(), last_live_fire, today, r)).unwrap_or_default();
    let may_edit = ctx.actor.scope.holds(&KEEPERS, &s.unit_path);
    Ok(GuardView { staff: s, credential, last_live_fire, problems, may_edit, rule })
}

/// The credential as the form or the API sends it: days as `YYYY-MM-DD`, empty for unknown.
#[derive(Debug, Clone, Default)]
pub struct CredentialForm {
    pub birth: String,
    pub vetted_personnel: String,
    pub vetted_security: String,
    pub trained: String,
    pub licence_no: String,
    pub licence_expires: String,
}

fn day(raw: &str, field: &'static str, today: i64, future_ok: bool) -> AppResult<Option<i64>> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    let d: jiff::civil::Date =
        raw.parse().map_err(|_| invalid(field, "日期格式应为 YYYY-MM-DD", "a date is YYYY-MM-DD"))?;
    let n = period::first_of_month(i32::from(d.year()), d.month()) + i64::from(d.day()) - 1;
    if !future_ok && n > today {
        return Err(invalid(field, "该日期不能晚于今天", "this date cannot be in the future"));
    }
    if n < period::first_of_month(1940, 1) {
        return Err(invalid(field, "日期过早", "the date is too early"));
    }
    Ok(Some(n))
}

/// Record or correct a guard's credential (the security department over them). Corrections replace the row; the
/// audit trail keeps each version.
pub async fn put(db: &Db, ctx: &Ctx, staff: StaffId, f: &CredentialForm) -> AppResult<()> {
    let today = period::day_of_ms(ctx.now);
    let licence_no = anbao_domain::text::optional("licence_no", "持枪证号", "Licence number", Some(&f.licence_no), 40)?
        .unwrap_or_default();
    let k = Credential {
        birth_day: day(&f.birth, "birth", today, false)?,
        vetted_personnel_day: day(&f.vetted_personnel, "vetted_personnel", today, false)?,
        vetted_security_day: day(&f.vetted_security, "vetted_security", today, false)?,
        trained_day: day(&f.trained, "trained", today, false)?,
        licence_no,
        licence_expires_day: day(&f.licence_expires, "licence_expires", today, true)?,
    };
    let mut tx = db.begin().await?;
    let s = anbao_store::staff::get(&mut tx, staff).await?.ok_or(AppError::NotFound)?;
    ctx.must_hold(&KEEPERS, &s.unit_path)?;
    let before = match anbao_store::guards::get(&mut tx, staff.get()).await? {
        Some((id, _)) => Entity::Row("guard_credentials", id).snapshot(&mut tx).await?,
        None => None,
    };
    let id = anbao_store::guards::put(&mut tx, staff.get(), &k, ctx.now, ctx.actor.account.get()).await?;
    audit::record(
        &mut tx,
        ctx.into(),
        "guard.credential",
        Entity::Row("guard_credentials", id),
        Some(s.unit_id),
        before.as_ref(),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
