//! Each kind's checks against what other areas hold (`KindSpec::checks`), sent to the area that owns the data: the
//! roster to duty, key and code holders to custody, gun keys to arms; the two rulebook limits read at entry are the
//! records' own.
use crate::confirm::{self, Pair};
use crate::error::invalid;
use crate::{AppError, AppResult};
use anbao_domain::DomainError;
use anbao_domain::records::RecordDraft;
use anbao_domain::records::spec::{Check, KindSpec};
use anbao_domain::rulebook::{Rule, parse_hours};
use anbao_domain::staff::Position;
use anbao_store::{Conn, Db};

/// The rulebook's limits read at entry: the large-withdrawal amount (第七条) and the vault's business hours (第四十一条).
pub const LARGE_WITHDRAWAL_RULE: &str = "OPS-4";
pub const VAULT_HOURS_RULE: &str = "VAULT-5";

/// The rules a kind's checks test, read before the record's transaction.
#[derive(Default)]
pub struct Limits {
    large_withdrawal: Option<Rule>,
    vault_hours: Option<Rule>,
    plans: Option<anbao_domain::plans::PlanBook>,
}

impl Limits {
    /// The limits in force at `at`, when the record happened (a back-dated record is judged by that day's rule).
    pub async fn read(db: &Db, spec: &KindSpec, at: i64) -> AppResult<Limits> {
        let mut l = Limits::default();
        for c in spec.checks {
            match c {
                Check::LargeWithdrawal => {
                    l.large_withdrawal = crate::rulebook::current(db, LARGE_WITHDRAWAL_RULE, at).await?
                }
                Check::VaultHours => l.vault_hours = crate::rulebook::current(db, VAULT_HOURS_RULE, at).await?,
                Check::Plan => l.plans = Some(crate::plans::book(db).await?.1),
                Check::KeyAndCode | Check::GunCustody | Check::DutyRoster => {}
            }
        }
        Ok(l)
    }
}

/// The record being checked: its draft, when it happened, its asset and, for two-person kinds, the pair.
pub struct Subject<'a> {
    pub draft: &'a RecordDraft,
    pub at: i64,
    pub asset: Option<i64>,
    pub pair: Option<&'a Pair>,
}

/// Run the kind's checks in the record's transaction.
pub async fn run(c: &mut Conn, spec: &KindSpec, s: &Subject<'_>, limits: &Limits) -> AppResult<()> {
    for check in spec.checks {
        match (check, s.asset) {
            (Check::KeyAndCode, Some(a)) if s.pair.is_some() => {
                crate::custody::check_key_and_code(c, a, s.draft).await?
            }
            (Check::GunCustody, Some(a)) if s.pair.is_some() => crate::arms::check_custody_pair(c, a, s.draft).await?,
            (Check::DutyRoster, Some(a)) => crate::duty::check_roster(c, a, s.draft, s.at).await?,
            (Check::VaultHours, _) => vault_hours(s.draft, s.at, limits.vault_hours.as_ref(), s.pair)?,
            (Check::LargeWithdrawal, _) => large_withdrawal(s.draft, limits.large_withdrawal.as_ref())?,
            (Check::Plan, _) => plan_rehearsed(s.draft, limits.plans.as_ref())?,
            _ => {}
        }
    }
    Ok(())
}

/// 第七条: only withdrawals at or above the rulebook's amount are logged.
fn large_withdrawal(d: &RecordDraft, rule: Option<&Rule>) -> AppResult<()> {
    if let Some(r) = rule.filter(|r| r.amount > 0)
        && d.value.unwrap_or(0) < r.amount
    {
        return Err(AppError::Invalid(DomainError::new(
            "number",
            format!("金额未达到大额标准（{}元以上，{}），无须登记", r.amount, r.source),
            format!("below the large-withdrawal amount of ¥{}; nothing to log", r.amount),
        )));
    }
    Ok(())
}

/// 第四十一条: outsiders only with the outlet head; nobody outside business hours unless one of the two, an
/// authorised person, records an emergency.
fn vault_hours(d: &RecordDraft, at: i64, rule: Option<&Rule>, pair: Option<&Pair>) -> AppResult<()> {
    let Some(p) = pair else { return Ok(()) };
    let both = [&p.first, &p.second];
    let any_holds = |posts: &[Position]| both.iter().any(|s| confirm::holds(s, posts));
    if d.data.get("visitors").is_some() && !any_holds(&[Position::Director]) {
        return Err(invalid(
            "text2",
            "外来人员进入金库须由本网点负责人陪同（第四十一条）",
            "outsiders enter the vault only with the outlet head (art. 41)",
        ));
    }
    let hours = rule.and_then(|r| parse_hours(&r.hours));
    if let Some((open, close)) = hours {
        let minute = anbao_domain::time::minute_of_day(at);
        let outside = minute < open || minute >= close;
        let emergency = d.subkind.as_deref() == Some("emergency");
        if outside && !emergency {
            return Err(AppError::Invalid(DomainError::new(
                "subkind",
                format!(
                    "非营业时间（营业时间{}）任何人不得进入金库（第四十一条）；确有紧急情况，须由网点负责人或保卫人员登记紧急事由",
                    rule.map(|r| r.hours.as_str()).unwrap_or_default()
                ),
                "nobody enters the vault outside business hours (art. 41) unless an authorised person records an emergency",
            )));
        }
        if emergency && !any_holds(&[Position::Director, Position::SecurityOfficer, Position::Chairman]) {
            return Err(invalid(
                "subkind",
                "紧急出入金库须由网点负责人、理事长或保卫人员之一在场确认",
                "an emergency entry needs the outlet head, the chairman or a security officer as one of the two",
            ));
        }
    }
    Ok(())
}

/// A drill's plan is in the plan book in force, and the steps rehearsed are steps of it (TRN-1, EMG-1).
fn plan_rehearsed(d: &RecordDraft, book: Option<&anbao_domain::plans::PlanBook>) -> AppResult<()> {
    let Some(code) = d.data["plan_code"].as_str() else { return Ok(()) };
    let plan = book
        .and_then(|b| b.get(code))
        .ok_or_else(|| invalid("plan", format!("应急预案库中没有“{code}”"), "the plan book has no such plan"))?;
    let last = d.data["plan_steps"].as_array().and_then(|a| a.iter().filter_map(|v| v.as_u64()).max()).unwrap_or(0);
    if last as usize > plan.step.len() {
        return Err(invalid(
            "plan_steps",
            format!("《{}》只有{}个步骤", plan.title, plan.step.len()),
            "a step rehearsed is not in the plan",
        ));
    }
    Ok(())
}
