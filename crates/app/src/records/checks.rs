//! Each kind's checks against what other areas hold (`KindSpec::checks`), sent to the area that owns the data: the
//! roster to duty, key and code holders to custody, gun keys to arms; the two rulebook limits read at entry are the
//! records' own.
use crate::confirm::{self, Pair};
use crate::error::invalid;
use crate::{AppError, AppResult};
use anbao_domain::DomainError;
use anbao_domain::records::RecordDraft;
use anbao_domain::records::spec::{Breach, Check, KindSpec};
use anbao_domain::rulebook::{Rule, parse_hours};
use anbao_domain::staff::Position;
use anbao_store::{Conn, Db};

/// The rulebook's limits read at entry: the large-withdrawal amount (第七条) and the vault's business hours (第四十一条).
pub const LARGE_WITHDRAWAL_RULE: &str = "OPS-4";
pub const VAULT_HOURS_RULE: &str = "VAULT-5";
/// The counting rule whose spacing makes close ATM patrols one (`Check::Spacing`).
pub const ATM_PATROL_RULE: &str = "ATM-1";

/// The rules a kind's checks test, read before the record's transaction.
#[derive(Default)]
pub struct Limits {
    large_withdrawal: Option<Rule>,
    vault_hours: Option<Rule>,
    spacing: Option<Rule>,
    /// The union's calendar, for the vault's business hours (a rest day has none).
    calendar: Option<anbao_domain::calendar::Calendar>,
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
                Check::VaultHours => {
                    l.vault_hours = crate::rulebook::current(db, VAULT_HOURS_RULE, at).await?;
                    l.calendar = Some(crate::calendar::calendar(db).await?.1);
                }
                Check::Plan => l.plans = Some(crate::plans::book(db).await?.1),
                Check::Spacing => l.spacing = crate::rulebook::current(db, ATM_PATROL_RULE, at).await?,
                Check::KeyAndCode | Check::GunCustody | Check::DutyRoster | Check::DutyWithoutKey => {}
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

/// Run the kind's checks in the record's transaction: a refusal is an error; a breach that happened is returned, to
/// be stored with the record and flagged with its article (registers record reality).
pub async fn run(c: &mut Conn, spec: &KindSpec, s: &Subject<'_>, limits: &Limits) -> AppResult<Vec<Breach>> {
    let mut found = Vec::new();
    for check in spec.checks {
        match (check, s.asset) {
            (Check::KeyAndCode, Some(a)) if s.pair.is_some() => {
                crate::custody::check_key_and_code(c, a, s.draft).await?
            }
            (Check::GunCustody, Some(a)) if s.pair.is_some() => crate::arms::check_custody_pair(c, a, s.draft).await?,
            (Check::DutyRoster, Some(a)) => crate::duty::check_roster(c, a, s.draft, s.at).await?,
            (Check::DutyWithoutKey, Some(a)) => found.extend(crate::custody::duty_with_key(c, a, s.draft).await?),
            (Check::VaultHours, _) => {
                found.extend(vault_hours(s.draft, s.at, limits.vault_hours.as_ref(), limits.calendar.as_ref(), s.pair))
            }
            (Check::LargeWithdrawal, _) => large_withdrawal(s.draft, limits.large_withdrawal.as_ref())?,
            (Check::Plan, _) => plan_rehearsed(s.draft, limits.plans.as_ref())?,
            // Not a check that refuses or flags: `repeat_of` marks the record after the checks.
            (Check::Spacing, _) => {}
            _ => {}
        }
    }
    Ok(found)
}

/// The counted record of the same asset within the rule's spacing of this one, if any: this one is then a repeat
/// that counts once with it. The record a correction replaces is not its neighbour.
pub async fn repeat_of(
    c: &mut Conn,
    spec: &KindSpec,
    s: &Subject<'_>,
    limits: &Limits,
    replacing: Option<i64>,
) -> AppResult<Option<i64>> {
    let (Some(asset), Some(rule)) = (s.asset, limits.spacing.as_ref()) else { return Ok(None) };
    if !spec.checks.contains(&Check::Spacing) || rule.spacing_minutes <= 0 || rule.evidence != spec.code {
        return Ok(None);
    }
    let near = anbao_store::records::counted_near(
        c,
        spec.code,
        asset,
        s.at,
        rule.spacing_minutes * 60_000,
        replacing.unwrap_or(0),
    )
    .await?;
    Ok(near)
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

/// 第四十一条: outsiders only with the outlet head; nobody outside business hours (none on a rest day of the union's
/// calendar). Both happen and are recorded as breaches with the article. The one exception is the special case of
/// 第十七条 ("非特殊情况夜间一律不查库"), where the rule allows it (`special_case`): an emergency entry stated and
/// approved by one of the two holding a post the rule names (`positions`).
fn vault_hours(
    d: &RecordDraft,
    at: i64,
    rule: Option<&Rule>,
    cal: Option<&anbao_domain::calendar::Calendar>,
    pair: Option<&Pair>,
) -> Vec<Breach> {
    let Some(p) = pair else { return Vec::new() };
    let both = [&p.first, &p.second];
    let any_holds = |posts: &[Position]| both.iter().any(|s| confirm::holds(s, posts));
    let mut out = Vec::new();
    if d.data.get("visitors").is_some() && !any_holds(&[Position::Director]) {
        out.push(OUTSIDER_UNACCOMPANIED);
    }
    let Some(rule) = rule else { return out };
    let Some((open, close)) = parse_hours(&rule.hours) else { return out };
    let minute = anbao_domain::time::minute_of_day(at);
    let rest_day = cal.is_some_and(|c| !c.is_business_day(anbao_domain::period::day_of_ms(at)));
    let outside = rest_day || minute < open || minute >= close;
    if !outside {
        return out;
    }
    let approvers: Vec<Position> = rule.positions.iter().filter_map(|x| Position::parse(x).ok()).collect();
    let emergency = d.subkind.as_deref() == Some("emergency");
    let approved = rule.special_case && emergency && !approvers.is_empty() && any_holds(&approvers);
    if !approved {
        out.push(AFTER_HOURS);
    }
    out
}

const AFTER_HOURS: Breach = Breach {
    violation: "vault_after_hours_entry",
    hazard: false,
    words: (
        "非营业时间任何人不得进入金库（第四十一条）；特殊情况须登记紧急事由并由规则指定的岗位人员之一在场确认（第十七条）",
        "nobody enters the vault outside business hours (art. 41); a special case is stated and approved by one of the posts the rule names (art. 17)",
    ),
};

const OUTSIDER_UNACCOMPANIED: Breach = Breach {
    violation: "vault_outsider_unaccompanied",
    hazard: false,
    words: (
        "外来人员进入金库须由本网点负责人陪同（第四十一条）",
        "outsiders enter the vault only with the outlet head (art. 41)",
    ),
};

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
