//! The compliance engine: from the rulebook, the org tree, assets, staff and evidence records, derive every due
//! item (应办事项) under a unit for a window of days, judge each one, and roll the results up the tree.
//! Nothing here is typed in by a person, and no number comes from anywhere but the rule that judges the period.
//!
//! Judging produces compact `Core` items (indices and numbers); names and the reason in words are made only for
//! the items a page or the API shows (`Evaluation::item`), so a province-wide roll-up stays cheap.
use crate::rulebook::{self, RuleHistory};
use crate::{AppError, AppResult};
use anbao_domain::calendar::Calendar;
use anbao_domain::org::UnitKind;
use anbao_domain::period::{self, Day};
use anbao_domain::records::RecordKind;
use anbao_domain::rulebook::{PeriodKind, Rule, RuleKind, Status, Subject, judge_count, judge_coverage, still_valid};
use anbao_store::Db;
use anbao_store::assets::AssetRow;
use anbao_store::org::UnitRow;
use anbao_store::records::{Bucket, EvidenceRow, PairTally};
use anbao_store::staff::PersonLite;
use std::collections::{HashMap, HashSet};

mod judge;
mod tally;
use judge::judge;
pub use tally::*;

/// One thing a unit, asset or person owed in one period, and how it stands (with names and reason, for showing).
#[derive(Debug, Clone, PartialEq)]
pub struct DueItem {
    pub rule_id: String,
    pub version: i64,
    pub area: String,
    pub title: String,
    pub title_en: String,
    pub source: String,
    pub evidence: String,
    pub unit_id: i64,
    pub unit_name: String,
    pub unit_path: String,
    pub asset: Option<(i64, String)>,
    pub person: Option<(i64, String)>,
    pub period: (Day, Day),
    pub period_label: String,
    pub status: Status,
    pub have: i64,
    pub need: i64,
    pub reason: String,
    pub reason_en: String,
}

/// A judged item in compact form.
#[derive(Debug, Clone, PartialEq)]
pub struct Core {
    /// Index into `Evaluation::rules`.
    pub rule: usize,
    pub unit: usize,
    pub asset: Option<usize>,
    pub person: Option<usize>,
    pub period: (Day, Day),
    pub status: Status,
    pub have: i64,
    pub need: i64,
    /// Words only some kinds need (who was not visited, why a pair broke the rule, the last review's date).
    pub note: Option<(String, String)>,
}

/// Everything one evaluation read and judged.
pub struct Evaluation {
    /// The rule version that judged each item, with its version number.
    pub rules: Vec<(Rule, i64)>,
    pub units: Vec<UnitRow>,
    pub assets: Vec<AssetRow>,
    pub people: Vec<PersonLite>,
    pub cores: Vec<Core>,
    /// When the subtree is a department (保卫部 of a county), the unit it belongs to: its people are that unit's
    /// staff for the rules on people (ORG-3), as they are when seen from the unit itself.
    pub owner_of_root: Option<UnitRow>,
}

struct Reader<'a> {
    db: &'a Db,
    root: &'a str,
    /// The subtree's units as a filter (or no filter when it is every unit).
    units: anbao_store::records::Units,
    /// For a few units, their day buckets of every kind the plan counts, read at once (see `Prefetched`).
    prefetched: Option<&'a Prefetched>,
}

fn unit_applies(rule: &Rule, u: &UnitRow) -> bool {
    if rule.unit_kinds.is_empty() {
        u.kind != UnitKind::Department
    } else {
        rule.unit_kinds.iter().any(|k| k == u.kind.code())
    }
}

/// Who owes a counting rule: each asset of the rule's kind at a unit the rule applies to (a rule on assets), or each
/// unit it applies to — that has such an asset, when the rule names a kind (a rule on units). As (unit index, asset
/// index). `judge` and `Inputs::daily_count_tallies` both enumerate through here, so they count the same subjects.
fn count_subjects(rule: &Rule, e: &Evaluation, unit_idx: &HashMap<i64, usize>) -> Vec<(usize, Option<usize>)> {
    if rule.subject == Subject::Asset {
        e.assets
            .iter()
            .enumerate()
            .filter(|(_, a)| a.kind == rule.asset_kind)
            .filter_map(|(ai, a)| unit_idx.get(&a.unit_id.get()).map(|ui| (*ui, Some(ai))))
            .filter(|(ui, _)| unit_applies(rule, &e.units[*ui]))
            .collect()
    } else {
        let with_asset: HashSet<i64> =
            e.assets.iter().filter(|a| a.kind == rule.asset_kind).map(|a| a.unit_id.get()).collect();
        (0..e.units.len())
            .filter(|ui| unit_applies(rule, &e.units[*ui]))
            .filter(|ui| rule.asset_kind.is_empty() || with_asset.contains(&e.units[*ui].id.get()))
            .map(|ui| (ui, None))
            .collect()
    }
}

/// An evaluation over at least this many units (a region or more) waits for its turn (see `evaluate_core`).
const LARGE_EVALUATION_UNITS: usize = 500;
static LARGE_EVALUATIONS: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(1);

/// Derive and judge every due item under the unit at `root_path` whose period overlaps [from, to), as of `today`.
pub async fn evaluate(db: &Db, root_path: &str, from: Day, to: Day, today: Day) -> AppResult<Vec<DueItem>> {
    let e = evaluate_core(db, root_path, from, to, today).await?;
    Ok(e.cores.iter().map(|c| e.item(c)).collect())
}

/// The same judgement, compact: for roll-ups and counts.
pub async fn evaluate_core(db: &Db, root_path: &str, from: Day, to: Day, today: Day) -> AppResult<Evaluation> {
    let plan = plan(db, from, to, today).await?;
    let (inputs, mut e) = read_inputs(db, root_path, &plan).await?;
    for step in &plan.steps {
        inputs.judge_step(&mut e, step, today).await?;
    }
    Ok(e)
}

/// One rule version's share of a window: the periods it judges, in order, and the days they span.
#[derive(Debug, Clone)]
pub(crate) struct Step {
    /// Index into `Plan::rules`.
    pub rule: usize,
    pub periods: Vec<(Day, Day)>,
    pub lo: Day,
    pub hi: Day,
    /// The periods came from the calendar (business days, holidays): its version stamps the summary.
    pub by_calendar: bool,
}

/// What a window asks of the rulebook: which rule versions judge which periods.
pub(crate) struct Plan {
    pub rules: Vec<(Rule, i64)>,
    pub steps: Vec<Step>,
    pub needs_people: bool,
    /// The calendar version the business days and holidays came from (it stamps the summaries of those rules).
    pub calendar_version: i64,
}

/// The periods of `kind` a rule owes in [from, to): the calendar's holiday runs for holiday rules, and for a
/// daily rule, each day — but a rest day only where the version judging that day owes every day (an edit that
/// turns `business_days_only` on or off changes the days from its own start, not before).
fn periods_of(h: &RuleHistory, kind: PeriodKind, cal: &Calendar, from: Day, to: Day) -> Vec<(Day, Day)> {
    let business_only = |d: Day| h.for_period(d).is_some_and(|v| v.rule.business_days_only);
    match kind {
        PeriodKind::Holiday => cal.holiday_runs(from, to),
        PeriodKind::Day if h.versions.iter().any(|v| v.rule.business_days_only) => {
            (from..to).filter(|d| !business_only(*d) || cal.is_business_day(*d)).map(|d| (d, d + 1)).collect()
        }
        _ => period::overlapping(kind, from, to),
    }
}

/// The rule versions that judge the periods overlapping [from, to) that have begun by `today`.
pub(crate) async fn plan(db: &Db, from: Day, to: Day, today: Day) -> AppResult<Plan> {
    let histories: Vec<RuleHistory> = rulebook::all(db)
        .await?
        .into_iter()
        .filter(|h| h.latest().is_some_and(|v| rulebook::tracked(&v.rule)))
        .collect();
    let needs_people =
        histories.iter().any(|h| h.versions.iter().any(|v| matches!(v.rule.kind, RuleKind::Validity | RuleKind::Post)));
    let (calendar_version, cal) = crate::calendar::calendar(db).await?;
    let mut rules: Vec<(Rule, i64)> = Vec::new();
    let mut steps = Vec::new();
    let mut rule_index: HashMap<(String, i64), usize> = HashMap::new();
    for h in &histories {
        let kind = h.on(today).map_or(PeriodKind::Day, |v| v.rule.period);
        let by_calendar = kind == PeriodKind::Holiday
            || (kind == PeriodKind::Day && h.versions.iter().any(|v| v.rule.business_days_only));
        // Group this rule's periods by the version that judges them, so each version reads its evidence once.
        let mut by_version: Vec<(usize, Vec<(Day, Day)>)> = Vec::new();
        for p in periods_of(h, kind, &cal, from, to) {
            if p.0 > today {
                continue; // a period that has not begun owes nothing yet
            }
            let Some(v) = h.for_period(p.0) else { continue };
            if !v.active {
                continue;
            }
            let idx = *rule_index.entry((h.id.clone(), v.version)).or_insert_with(|| {
                rules.push((v.rule.clone(), v.version));
                rules.len() - 1
            });
            match by_version.iter_mut().find(|(i, _)| *i == idx) {
                Some((_, ps)) => ps.push(p),
                None => by_version.push((idx, vec![p])),
            }
        }
        for (idx, periods) in by_version {
            let lo = periods.first().map_or(from, |p| p.0);
            let hi = periods.last().map_or(to, |p| p.1);
            steps.push(Step { rule: idx, periods, lo, hi, by_calendar });
        }
    }
    Ok(Plan { rules, steps, needs_people, calendar_version })
}

/// A small subtree's day buckets read in one query: per evidence kind, the days read and the rows.
pub(crate) struct Prefetched(HashMap<String, (Day, Day, Vec<anbao_store::records::KindBucket>)>);

impl Prefetched {
    /// The rows of `kind`, if the days [lo, hi) were among those read; otherwise the rule reads its own.
    fn covering(&self, kind: &str, lo: Day, hi: Day) -> Option<&[anbao_store::records::KindBucket]> {
        self.0.get(kind).filter(|(from, to, _)| *from <= lo && hi <= *to).map(|(_, _, rows)| rows.as_slice())
    }
}

/// How to read a subtree's evidence; the subtree's units, assets and people are in the `Evaluation` beside it.
pub(crate) struct Inputs<'a> {
    db: &'a Db,
    root: String,
    filter: anbao_store::records::Units,
    unit_idx: HashMap<i64, usize>,
    asset_idx: HashMap<i64, usize>,
    prefetched: Option<Prefetched>,
    /// Held while a province-sized evaluation runs (see `read_inputs`).
    _turn: Option<tokio::sync::SemaphorePermit<'static>>,
}

/// Read the subtree under `root_path` into an evaluation of the plan's rules with no items yet. A province-sized
/// evaluation waits for its turn first, and holds it while the returned inputs live.
pub(crate) async fn read_inputs<'a>(db: &'a Db, root_path: &str, plan: &Plan) -> AppResult<(Inputs<'a>, Evaluation)> {
    let mut c = db.read().await?;
    let units = anbao_store::org::under(&mut c, root_path).await?;
    // A province-sized evaluation holds hundreds of thousands of items and the rows behind them. One at a time keeps
    // the server's memory bounded when several leaders open the dashboard together; on a small machine running them
    // side by side would not finish any sooner. The connection goes back to the pool while waiting.
    let turn = if units.len() >= LARGE_EVALUATION_UNITS {
        drop(c);
        let permit = LARGE_EVALUATIONS.acquire().await.map_err(|e| AppError::Internal(e.to_string()))?;
        c = db.read().await?;
        Some(permit)
    } else {
        None
    };
    let mut owner_of_root = None;
    if let Some(root) = units.first().filter(|u| u.kind == UnitKind::Department) {
        let mut up = root.parent_id;
        while let Some(id) = up {
            let Some(u) = anbao_store::org::get(&mut c, id).await? else { break };
            if u.kind != UnitKind::Department {
                owner_of_root = Some(u);
                break;
            }
            up = u.parent_id;
        }
    }
    let all = anbao_store::org::count(&mut c).await? == units.len() as i64;
    let filter = if all {
        anbao_store::records::Units::All
    } else {
        anbao_store::records::Units::Ids(units.iter().map(|u| u.id.get()).collect())
    };
    let assets = anbao_store::assets::under(&mut c, root_path).await?;
    let people =
        if plan.needs_people { anbao_store::staff::people_under(&mut c, root_path, false).await? } else { Vec::new() };
    // The kinds and days the counting rules read, for one read of a small subtree's buckets.
    let counted: Vec<&Step> = plan
        .steps
        .iter()
        .filter(|s| matches!(plan.rules[s.rule].0.kind, RuleKind::Count | RuleKind::Retention | RuleKind::Deadline))
        .filter(|s| units.iter().any(|u| unit_applies(&plan.rules[s.rule].0, u)))
        .collect();
    let mut spans: Vec<(String, Day, Day)> = Vec::new();
    for st in counted {
        let kind = &plan.rules[st.rule].0.evidence;
        match spans.iter_mut().find(|(k, _, _)| k == kind) {
            Some(sp) => {
                sp.1 = sp.1.min(st.lo);
                sp.2 = sp.2.max(st.hi);
            }
            None => spans.push((kind.clone(), st.lo, st.hi)),
        }
    }
    let prefetched = anbao_store::records::few_units_buckets(&mut c, &filter, &spans).await?.map(|rows| {
        let mut m: HashMap<String, (Day, Day, Vec<anbao_store::records::KindBucket>)> =
            spans.iter().map(|(k, lo, hi)| (k.clone(), (*lo, *hi, Vec::new()))).collect();
        for r in rows {
            if let Some(e) = m.get_mut(&r.kind) {
                e.2.push(r);
            }
        }
        Prefetched(m)
    });
    drop(c);
    let unit_idx = units.iter().enumerate().map(|(i, u)| (u.id.get(), i)).collect();
    let asset_idx = assets.iter().enumerate().map(|(i, a)| (a.id, i)).collect();
    let inputs = Inputs { db, root: root_path.to_owned(), filter, unit_idx, asset_idx, prefetched, _turn: turn };
    Ok((inputs, Evaluation { rules: plan.rules.clone(), units, assets, people, cores: Vec::new(), owner_of_root }))
}

impl Inputs<'_> {
    /// A daily counting rule's items as tallies per unit index, counted by the database (`records::day_tallies`)
    /// rather than item by item: the same statuses `judge` gives, for the summaries. None for any other rule.
    pub async fn daily_count_tallies(
        &self,
        e: &Evaluation,
        step: &Step,
        today: Day,
    ) -> AppResult<Option<Vec<(usize, Tally)>>> {
        let rule = &e.rules[step.rule].0;
        // The SQL tallies every day of the span; a rule kept on business days only is judged day by day instead.
        if rule.kind != RuleKind::Count || rule.period != PeriodKind::Day || rule.business_days_only {
            return Ok(None);
        }
        let ended_days = step.periods.iter().filter(|p| p.1 <= today).count() as i64;
        let running_days = step.periods.len() as i64 - ended_days;
        let by_asset = rule.subject == Subject::Asset;
        let mut c = self.db.read().await?;
        let rows = anbao_store::records::day_tallies(
            &mut c,
            &self.filter,
            &judge::evidence_of(rule),
            rule.require_attachment,
            by_asset,
            rule.min_count,
            today,
            step.lo,
            step.hi,
        )
        .await?;
        drop(c);
        let by: HashMap<i64, anbao_store::records::DayTally> = rows.into_iter().map(|t| (t.subject, t)).collect();
        let add = |t: &mut Tally, d: Option<&anbao_store::records::DayTally>| {
            let (ended, running) = d.map_or((0, 0), |d| {
                t.met += d.met;
                t.partly += d.partly;
                t.overdue += d.overdue;
                t.open += d.open;
                (d.ended, d.running)
            });
            // Days without a single bucket: nothing recorded.
            for _ in 0..(ended_days - ended).max(0) {
                t.add(judge_count(0, rule.min_count, true));
            }
            for _ in 0..(running_days - running).max(0) {
                t.add(judge_count(0, rule.min_count, false));
            }
        };
        let mut out: HashMap<usize, Tally> = HashMap::new();
        for (ui, ai) in count_subjects(rule, e, &self.unit_idx) {
            let subject = ai.map_or(e.units[ui].id.get(), |ai| e.assets[ai].id);
            add(out.entry(ui).or_default(), by.get(&subject));
        }
        let mut v: Vec<(usize, Tally)> = out.into_iter().filter(|(_, t)| t.total() > 0).collect();
        v.sort_by_key(|(u, _)| *u);
        Ok(Some(v))
    }

    /// Judge one step, adding its items to `e` (whose rules are the plan's).
    pub async fn judge_step(&self, e: &mut Evaluation, step: &Step, today: Day) -> AppResult<()> {
        let r =
            Reader { db: self.db, root: &self.root, units: self.filter.clone(), prefetched: self.prefetched.as_ref() };
        let rule = e.rules[step.rule].0.clone();
        judge(&r, e, step.rule, &rule, &step.periods, step.lo, step.hi, today, &self.unit_idx, &self.asset_idx).await
    }
}

fn evidence_label(code: &str) -> (&'static str, &'static str) {
    RecordKind::parse(code).map_or(("记录", "records"), |k| (k.label_zh(), k.label_en()))
}

fn fmt_day(d: Day) -> String {
    let (y, m, dd) = period::ymd(d);
    format!("{y}-{m:02}-{dd:02}")
}

impl Evaluation {
    /// The item with names and the reason in words.
    pub fn item(&self, c: &Core) -> DueItem {
        let (rule, version) = &self.rules[c.rule];
        let u = &self.units[c.unit];
        let asset = c.asset.map(|a| (self.assets[a].id, self.assets[a].code.clone()));
        let person = c.person.map(|p| (self.people[p].id, self.people[p].name.clone()));
        let label = period::label(rule.period, c.period);
        let (ev_zh, ev_en) = evidence_label(&rule.evidence);
        let note = c.note.clone().unwrap_or_default();
        let (reason, reason_en) = match rule.kind {
            RuleKind::Count => {
                let who = match &asset {
                    Some((_, code)) => format!("{} {}", u.name, code),
                    None => u.name.clone(),
                };
                let photo = if rule.require_attachment { "（附影像资料）" } else { "" };
                (
                    format!("{who}：{label}{ev_zh}{photo} {}/{} 次", c.have, c.need),
                    format!("{who}: {} of {} {ev_en} in {label}", c.have, c.need),
                )
            }
            RuleKind::Coverage => (
                format!(
                    "{}：{label}检查覆盖 {}/{} 个单位，要求≥{}%{}",
                    u.name, c.have, c.need, rule.coverage_pct, note.0
                ),
                format!(
                    "{}: covered {} of {} units in {label}, {}% required{}",
                    u.name, c.have, c.need, rule.coverage_pct, note.1
                ),
            ),
            RuleKind::Validity => {
                let name = person.as_ref().map_or("", |p| p.1.as_str());
                match (c.status, c.have) {
                    (_, -1) => (
                        format!("{name}（{}）：没有{ev_zh}记录", u.name),
                        format!("{name} ({}): no {ev_en} on record", u.name),
                    ),
                    (Status::Met, d) => (
                        format!(
                            "{name}（{}）：上次{ev_zh}为{}，仍在{}个月有效期内",
                            u.name,
                            fmt_day(d),
                            rule.validity_months
                        ),
                        format!(
                            "{name} ({}): last {ev_en} on {}, within {} months",
                            u.name,
                            fmt_day(d),
                            rule.validity_months
                        ),
                    ),
                    (_, d) => (
                        format!(
                            "{name}（{}）：上次{ev_zh}为{}，已超过{}个月",
                            u.name,
                            fmt_day(d),
                            rule.validity_months
                        ),
                        format!(
                            "{name} ({}): last {ev_en} on {}, older than {} months",
                            u.name,
                            fmt_day(d),
                            rule.validity_months
                        ),
                    ),
                }
            }
            RuleKind::Retention => (
                format!("{}：{label}检查报告录像保存 {} 天，要求≥{} 天", u.name, c.have, c.need),
                format!("{}: recordings kept {} days on {label}, {} required", u.name, c.have, c.need),
            ),
            RuleKind::Deadline => match c.status {
                Status::Met => (
                    format!("{}：已于{}完成{ev_zh}（期限{}月底）", u.name, fmt_day(c.have), rule.deadline_month),
                    format!(
                        "{}: {ev_en} done on {} (due by end of month {})",
                        u.name,
                        fmt_day(c.have),
                        rule.deadline_month
                    ),
                ),
                Status::PartlyMet => (
                    format!("{}：{ev_zh}于{}完成，晚于{}月底的期限", u.name, fmt_day(c.have), rule.deadline_month),
                    format!(
                        "{}: {ev_en} done late on {} (due by end of month {})",
                        u.name,
                        fmt_day(c.have),
                        rule.deadline_month
                    ),
                ),
                Status::NotYetDue => (
                    format!("{}：须在{}月底前完成{ev_zh}", u.name, rule.deadline_month),
                    format!("{}: {ev_en} due by the end of month {}", u.name, rule.deadline_month),
                ),
                Status::Overdue => (
                    format!("{}：{}月底前未完成{ev_zh}", u.name, rule.deadline_month),
                    format!("{}: no {ev_en} by the end of month {}", u.name, rule.deadline_month),
                ),
            },
            RuleKind::TwoPerson => {
                if c.status == Status::Met {
                    (
                        format!("{}：{label}{ev_zh}均为两名符合要求的人员", u.name),
                        format!("{}: every {ev_en} in {label} names two eligible people", u.name),
                    )
                } else if c.note.is_none() {
                    (
                        format!("{}：{label}应有{}次{ev_zh}，实有{}次", u.name, c.need, c.have.max(0)),
                        format!("{}: {label}: {} of {} {ev_en}", u.name, c.have.max(0), c.need),
                    )
                } else {
                    (format!("{}：{label}{}", u.name, note.0), format!("{}: {label}: {}", u.name, note.1))
                }
            }
            RuleKind::Post => {
                let posts = posts_label(&rule.positions);
                if c.status == Status::Met {
                    (format!("{}：{posts}为{}", u.name, note.0), format!("{}: {posts}: {}", u.name, note.1))
                } else {
                    (format!("{}：尚未指定{posts}", u.name), format!("{}: no {posts} named", u.name))
                }
            }
            // Limits are enforced at entry and never judged (`rulebook::tracked` leaves them out).
            RuleKind::Limit => (String::new(), String::new()),
        };
        DueItem {
            rule_id: rule.id.clone(),
            version: *version,
            area: rule.area.clone(),
            title: rule.title.clone(),
            title_en: rule.title_en.clone(),
            source: rule.source.clone(),
            evidence: rule.evidence.clone(),
            unit_id: u.id.get(),
            unit_name: u.name.clone(),
            unit_path: u.path.clone(),
            asset,
            person,
            period: c.period,
            period_label: label,
            status: c.status,
            have: if rule.kind == RuleKind::Deadline { i64::from(c.have > 0) } else { c.have.max(0) },
            need: if rule.kind == RuleKind::Deadline { 1 } else { c.need },
            reason,
            reason_en,
        }
    }

    /// Tallies per unit id, each unit counting its whole subtree.
    pub fn rollup(&self) -> HashMap<i64, Tally> {
        let mut own: Vec<Tally> = vec![Tally::default(); self.units.len()];
        for c in &self.cores {
            own[c.unit].add(c.status);
        }
        subtree_totals(&self.units, own.iter().enumerate().map(|(i, t)| (i, *t)))
    }

    /// Tallies per rule id.
    pub fn by_rule(&self) -> std::collections::BTreeMap<String, Tally> {
        let mut out: std::collections::BTreeMap<String, Tally> = Default::default();
        for c in &self.cores {
            out.entry(self.rules[c.rule].0.id.clone()).or_default().add(c.status);
        }
        out
    }

    pub fn rule_of(&self, c: &Core) -> &Rule {
        &self.rules[c.rule].0
    }
}

/// The posts a rule names, in Chinese (监控管理员).
fn posts_label(posts: &[String]) -> String {
    posts
        .iter()
        .filter_map(|p| anbao_domain::staff::Position::parse(p).ok())
        .map(|p| p.label_zh())
        .collect::<Vec<_>>()
        .join("或")
}
