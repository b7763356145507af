//! The compliance engine: from the rulebook, the org tree, assets, staff and evidence records, derive every due
//! item (应办事项) under a unit for a window of days, judge each one, and roll the results up the tree.
//! Nothing here is typed in by a person, and no number comes from anywhere but the rule that judges the period.
//!
//! Judging produces compact `Core` items (indices and numbers); names and the reason in words are made only for
//! the items a page or the API shows (`Evaluation::item`), so a province-wide roll-up stays cheap.
use crate::rulebook::{self, RuleHistory};
use crate::{AppError, AppResult, Ctx};
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
}

/// What a window asks of the rulebook: which rule versions judge which periods.
pub(crate) struct Plan {
    pub rules: Vec<(Rule, i64)>,
    pub steps: Vec<Step>,
    pub needs_people: bool,
}

/// The rule versions that judge the periods overlapping [from, to) that have begun by `today`.
pub(crate) async fn plan(db: &Db, from: Day, to: Day, today: Day) -> AppResult<Plan> {
    let histories: Vec<RuleHistory> = rulebook::all(db)
        .await?
        .into_iter()
        .filter(|h| h.current().is_some_and(|v| rulebook::tracked(&v.rule)))
        .collect();
    let needs_people = histories.iter().any(|h| h.versions.iter().any(|v| v.rule.kind == RuleKind::Validity));
    let mut rules: Vec<(Rule, i64)> = Vec::new();
    let mut steps = Vec::new();
    let mut rule_index: HashMap<(String, i64), usize> = HashMap::new();
    for h in &histories {
        let kind = h.current().map_or(PeriodKind::Day, |v| v.rule.period);
        // Group this rule's periods by the version that judges them, so each version reads its evidence once.
        let mut by_version: Vec<(usize, Vec<(Day, Day)>)> = Vec::new();
        for p in period::overlapping(kind, from, to) {
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
            steps.push(Step { rule: idx, periods, lo, hi });
        }
    }
    Ok(Plan { rules, steps, needs_people })
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
    Ok((inputs, Evaluation { rules: plan.rules.clone(), units, assets, people, cores: Vec::new() }))
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
        if rule.kind != RuleKind::Count || rule.period != PeriodKind::Day {
            return Ok(None);
        }
        let ended_days = step.periods.iter().filter(|p| p.1 <= today).count() as i64;
        let running_days = step.periods.len() as i64 - ended_days;
        let by_asset = rule.subject == Subject::Asset;
        let mut c = self.db.read().await?;
        let rows = anbao_store::records::day_tallies(
            &mut c,
            &self.filter,
            &rule.evidence,
            &rule.subkind,
            &rule.positions,
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

#[allow(clippy::too_many_arguments)]
async fn judge(
    r: &Reader<'_>,
    e: &mut Evaluation,
    idx: usize,
    rule: &Rule,
    periods: &[(Day, Day)],
    lo: Day,
    hi: Day,
    today: Day,
    unit_idx: &HashMap<i64, usize>,
    asset_idx: &HashMap<i64, usize>,
) -> AppResult<()> {
    let period_of = |day: Day| periods.partition_point(|p| p.1 <= day);
    let applies: Vec<usize> = (0..e.units.len()).filter(|i| unit_applies(rule, &e.units[*i])).collect();
    // A rule for kinds of unit the subtree does not have (a county's meetings, seen from an outlet) owes nothing
    // here: no need to read its evidence. Validity rules without unit kinds follow people into any unit.
    if applies.is_empty() && (rule.kind != RuleKind::Validity || !rule.unit_kinds.is_empty()) {
        return Ok(());
    }
    let mut c = r.db.read().await?;
    match rule.kind {
        // Enforced when a record is entered; nothing to judge.
        RuleKind::Limit => {}
        RuleKind::Count | RuleKind::Retention | RuleKind::Deadline => {
            let buckets: Vec<Bucket> = match r.prefetched.and_then(|p| p.covering(&rule.evidence, lo, hi)) {
                Some(rows) => rows
                    .iter()
                    .filter(|k| k.bucket.day >= lo && k.bucket.day < hi)
                    .filter(|k| rule.subkind.is_empty() || k.subkind == rule.subkind)
                    .filter(|k| rule.positions.is_empty() || rule.positions.contains(&k.position))
                    .map(|k| k.bucket)
                    .collect(),
                None => {
                    anbao_store::records::buckets(
                        &mut c,
                        &r.units,
                        &rule.evidence,
                        &rule.subkind,
                        &rule.positions,
                        lo,
                        hi,
                    )
                    .await?
                }
            };
            match (rule.kind, rule.subject) {
                (RuleKind::Count, Subject::Asset) => {
                    let mut have: HashMap<(usize, usize), i64> = HashMap::new();
                    for b in &buckets {
                        if let Some(a) = asset_idx.get(&b.asset_id) {
                            *have.entry((*a, period_of(b.day))).or_default() +=
                                if rule.require_attachment { b.with_att } else { b.n };
                        }
                    }
                    for (ui, ai) in count_subjects(rule, e, unit_idx) {
                        let Some(ai) = ai else { continue };
                        for (pi, p) in periods.iter().enumerate() {
                            let n = have.get(&(ai, pi)).copied().unwrap_or(0);
                            e.cores.push(Core {
                                rule: idx,
                                unit: ui,
                                asset: Some(ai),
                                person: None,
                                period: *p,
                                status: judge_count(n, rule.min_count, p.1 <= today),
                                have: n,
                                need: rule.min_count,
                                note: None,
                            });
                        }
                    }
                }
                (RuleKind::Count, _) => {
                    let mut have: HashMap<(usize, usize), i64> = HashMap::new();
                    for b in &buckets {
                        if let Some(u) = unit_idx.get(&b.unit_id) {
                            *have.entry((*u, period_of(b.day))).or_default() +=
                                if rule.require_attachment { b.with_att } else { b.n };
                        }
                    }
                    for (ui, _) in count_subjects(rule, e, unit_idx) {
                        for (pi, p) in periods.iter().enumerate() {
                            let n = have.get(&(ui, pi)).copied().unwrap_or(0);
                            e.cores.push(Core {
                                rule: idx,
                                unit: ui,
                                asset: None,
                                person: None,
                                period: *p,
                                status: judge_count(n, rule.min_count, p.1 <= today),
                                have: n,
                                need: rule.min_count,
                                note: None,
                            });
                        }
                    }
                }
                (RuleKind::Retention, _) => {
                    let mut min: HashMap<(usize, usize), i64> = HashMap::new();
                    for b in &buckets {
                        if let (Some(u), Some(v)) = (unit_idx.get(&b.unit_id), b.min_value) {
                            let m = min.entry((*u, period_of(b.day))).or_insert(v);
                            *m = (*m).min(v);
                        }
                    }
                    // Judged only where a check reported the retention; a missing check is the daily-check rule's item.
                    for ((ui, pi), days) in min {
                        if !unit_applies(rule, &e.units[ui]) {
                            continue;
                        }
                        let status = if days >= rule.retention_days { Status::Met } else { Status::Overdue };
                        e.cores.push(Core {
                            rule: idx,
                            unit: ui,
                            asset: None,
                            person: None,
                            period: periods[pi],
                            status,
                            have: days,
                            need: rule.retention_days,
                            note: None,
                        });
                    }
                }
                _ => {
                    // Deadline: the first evidence in the period against the end of the deadline month.
                    let mut first: HashMap<(usize, usize), Day> = HashMap::new();
                    for b in &buckets {
                        if let Some(u) = unit_idx.get(&b.unit_id) {
                            let d = first.entry((*u, period_of(b.day))).or_insert(b.day);
                            *d = (*d).min(b.day);
                        }
                    }
                    for &ui in &applies {
                        for (pi, p) in periods.iter().enumerate() {
                            let (y, _, _) = period::ymd(p.0);
                            let end = if rule.deadline_month >= 12 {
                                period::first_of_month(y + 1, 1)
                            } else {
                                period::first_of_month(y, rule.deadline_month as i8 + 1)
                            };
                            let (status, have) = match first.get(&(ui, pi)) {
                                Some(d) if *d < end => (Status::Met, *d),
                                Some(d) => (Status::PartlyMet, *d),
                                None if today < end => (Status::NotYetDue, 0),
                                None => (Status::Overdue, 0),
                            };
                            e.cores.push(Core {
                                rule: idx,
                                unit: ui,
                                asset: None,
                                person: None,
                                period: *p,
                                status,
                                have,
                                need: end,
                                note: None,
                            });
                        }
                    }
                }
            }
        }
        RuleKind::TwoPerson => {
            let tallies: Vec<PairTally> = anbao_store::records::pair_tallies(
                &mut c,
                &r.units,
                &rule.evidence,
                &rule.forbid_same_position,
                rule.forbid_both_non_formal,
                lo,
                hi,
            )
            .await?;
            let mut agg: HashMap<(usize, i64, usize), PairTally> = HashMap::new();
            for t in tallies {
                let Some(ui) = unit_idx.get(&t.unit_id).copied() else { continue };
                let a = agg.entry((ui, t.asset_id, period_of(t.day))).or_insert(PairTally {
                    n: 0,
                    not_two: 0,
                    same_post: 0,
                    non_formal: 0,
                    ..t
                });
                a.n += t.n;
                a.not_two += t.not_two;
                a.same_post += t.same_post;
                a.non_formal += t.non_formal;
            }
            // With `min_count`, a two-person rule also wants that many records per subject and period: subjects
            // with none are due items too (a vault whose key-and-code check was not done this month).
            if rule.min_count > 0 {
                let subjects: Vec<(usize, i64)> = match rule.subject {
                    Subject::Asset => e
                        .assets
                        .iter()
                        .filter(|a| a.kind == rule.asset_kind)
                        .filter_map(|a| unit_idx.get(&a.unit_id.get()).map(|ui| (*ui, a.id)))
                        .collect(),
                    _ => applies.iter().map(|ui| (*ui, 0)).collect(),
                };
                for (ui, aid) in subjects {
                    if !unit_applies(rule, &e.units[ui]) {
                        continue;
                    }
                    for (pi, p) in periods.iter().enumerate() {
                        if agg.contains_key(&(ui, aid, pi)) {
                            continue;
                        }
                        e.cores.push(Core {
                            rule: idx,
                            unit: ui,
                            asset: asset_idx.get(&aid).copied(),
                            person: None,
                            period: *p,
                            status: judge_count(0, rule.min_count, p.1 <= today),
                            have: 0,
                            need: rule.min_count,
                            note: None,
                        });
                    }
                }
            }
            for ((ui, aid, pi), t) in agg {
                if !unit_applies(rule, &e.units[ui]) {
                    continue;
                }
                let bad = t.not_two + t.same_post + t.non_formal;
                let note = (bad > 0).then(|| {
                    let post = rule
                        .forbid_same_position
                        .iter()
                        .filter_map(|p| anbao_domain::staff::Position::parse(p).ok())
                        .map(|p| p.label_zh())
                        .collect::<Vec<_>>()
                        .join("、");
                    let mut zh = Vec::new();
                    let mut en = Vec::new();
                    if t.same_post > 0 {
                        zh.push(format!("{} 条记录两人同为{post}", t.same_post));
                        en.push(format!("{} with two holders of the same post", t.same_post));
                    }
                    if t.non_formal > 0 {
                        zh.push(format!("{} 条记录两人均非正式员工", t.non_formal));
                        en.push(format!("{} with two non-formal staff", t.non_formal));
                    }
                    if t.not_two > 0 {
                        zh.push(format!("{} 条记录不是两名在岗人员", t.not_two));
                        en.push(format!("{} not naming two staff", t.not_two));
                    }
                    (zh.join("；"), en.join("; "))
                });
                let status = match (bad, rule.min_count) {
                    (0, 0) => Status::Met,
                    (0, min) => judge_count(t.n, min, periods[pi].1 <= today),
                    _ => Status::Overdue,
                };
                let asset = asset_idx.get(&aid).copied();
                e.cores.push(Core {
                    rule: idx,
                    unit: ui,
                    asset,
                    person: None,
                    period: periods[pi],
                    status,
                    have: t.n - bad,
                    need: t.n,
                    note,
                });
            }
        }
        RuleKind::Coverage => {
            let kinds = vec![rule.evidence.clone()];
            let visits: Vec<EvidenceRow> = anbao_store::records::evidence(&mut c, &r.units, &kinds, lo, hi).await?;
            for &ui in &applies {
                let u = &e.units[ui];
                let targets: Vec<usize> = (0..e.units.len())
                    .filter(|t| e.units[*t].id != u.id && e.units[*t].path.starts_with(&u.path))
                    .filter(|t| rule.target_unit_kinds.iter().any(|k| k == e.units[*t].kind.code()))
                    .collect();
                let target_ids: HashSet<i64> = targets.iter().map(|t| e.units[*t].id.get()).collect();
                for p in periods.iter() {
                    let mut seen: HashMap<i64, i64> = HashMap::new();
                    for v in visits.iter().filter(|v| v.day >= p.0 && v.day < p.1) {
                        let by_unit = unit_idx.get(&v.unit_id).is_some_and(|i| e.units[*i].path.starts_with(&u.path));
                        let pos_ok = rule.positions.is_empty()
                            || v.position.as_deref().is_some_and(|x| rule.positions.iter().any(|y| y == x));
                        let sub_ok = rule.subkind.is_empty() || v.subkind.as_deref() == Some(rule.subkind.as_str());
                        if let Some(t) =
                            v.target_unit_id.filter(|t| by_unit && pos_ok && sub_ok && target_ids.contains(t))
                        {
                            *seen.entry(t).or_default() += 1;
                        }
                    }
                    let need_each = rule.min_count.max(1);
                    let covered = seen.values().filter(|n| **n >= need_each).count() as i64;
                    let missing: Vec<&str> = targets
                        .iter()
                        .map(|t| &e.units[*t])
                        .filter(|t| seen.get(&t.id.get()).copied().unwrap_or(0) < need_each)
                        .map(|t| t.name.as_str())
                        .take(5)
                        .collect();
                    let note = (!missing.is_empty()).then(|| {
                        (format!("；未覆盖：{}", missing.join("、")), format!("; not covered: {}", missing.join(", ")))
                    });
                    let total = targets.len() as i64;
                    e.cores.push(Core {
                        rule: idx,
                        unit: ui,
                        asset: None,
                        person: None,
                        period: *p,
                        status: judge_coverage(covered, total, rule.coverage_pct, p.1 <= today),
                        have: covered,
                        need: total,
                        note,
                    });
                }
            }
        }
        RuleKind::Validity => {
            let until = hi.min(today + 1);
            let last: HashMap<i64, Day> =
                anbao_store::records::last_per_subject(&mut c, r.root, &rule.evidence, &rule.subkind, until)
                    .await?
                    .into_iter()
                    .collect();
            // A person's own history decides each period: the latest evidence on or before the period's judging day.
            let history: HashMap<i64, Vec<Day>> = if periods.len() > 1 {
                let kinds = vec![rule.evidence.clone()];
                let rows = anbao_store::records::evidence(
                    &mut c,
                    &r.units,
                    &kinds,
                    lo - (rule.validity_months + 1) * 31,
                    until,
                )
                .await?;
                let mut m: HashMap<i64, Vec<Day>> = HashMap::new();
                for row in rows
                    .into_iter()
                    .filter(|x| rule.subkind.is_empty() || x.subkind.as_deref() == Some(rule.subkind.as_str()))
                {
                    if let Some(s) = row.subject_staff_id {
                        m.entry(s).or_default().push(row.day);
                    }
                }
                m
            } else {
                HashMap::new()
            };
            for (pi_person, s) in e.people.iter().enumerate() {
                if rule.key_position_only && !s.key_position {
                    continue;
                }
                if !rule.positions.is_empty() && !rule.positions.iter().any(|p| s.positions.contains(&format!(",{p},")))
                {
                    continue;
                }
                let Some(ui) = unit_idx.get(&s.unit_id).copied() else { continue };
                if !rule.unit_kinds.is_empty() && !unit_applies(rule, &e.units[ui]) {
                    continue;
                }
                for p in periods {
                    let as_of = (p.1 - 1).min(today);
                    let last_day = if periods.len() > 1 {
                        history.get(&s.id).and_then(|ds| ds.iter().filter(|d| **d <= as_of).max().copied())
                    } else {
                        last.get(&s.id).copied().filter(|d| *d <= as_of)
                    };
                    let (status, have) = match last_day {
                        Some(d) if still_valid(period::ymd(d), period::ymd(as_of), rule.validity_months) => {
                            (Status::Met, d)
                        }
                        Some(d) => (Status::Overdue, d),
                        None => (Status::Overdue, -1),
                    };
                    e.cores.push(Core {
                        rule: idx,
                        unit: ui,
                        asset: None,
                        person: Some(pi_person),
                        period: *p,
                        status,
                        have,
                        need: rule.validity_months,
                        note: None,
                    });
                }
            }
        }
    }
    Ok(())
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

/// Counts of items by status.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    pub met: i64,
    pub partly: i64,
    pub overdue: i64,
    pub open: i64,
}

impl Tally {
    pub fn add(&mut self, s: Status) {
        match s {
            Status::Met => self.met += 1,
            Status::PartlyMet => self.partly += 1,
            Status::Overdue => self.overdue += 1,
            Status::NotYetDue => self.open += 1,
        }
    }
    pub fn merge(&mut self, o: &Tally) {
        self.met += o.met;
        self.partly += o.partly;
        self.overdue += o.overdue;
        self.open += o.open;
    }
    pub fn total(&self) -> i64 {
        self.met + self.partly + self.overdue + self.open
    }
    pub fn judged(&self) -> i64 {
        self.met + self.partly + self.overdue
    }
    /// Met share of the judged items, in tenths of a percent (None when nothing was judged).
    pub fn permille(&self) -> Option<i64> {
        let j = self.judged();
        (j > 0).then(|| self.met * 1000 / j)
    }
    pub fn pct_text(&self) -> String {
        self.permille().map_or("—".into(), |p| format!("{}.{}%", p / 10, p % 10))
    }
}

/// Each unit's own tally (by index into `units`) added to every unit on its path, so a unit's tally counts its whole
/// subtree. Evaluations and summaries roll up through here.
pub fn subtree_totals(units: &[UnitRow], own: impl IntoIterator<Item = (usize, Tally)>) -> HashMap<i64, Tally> {
    let mut out: HashMap<i64, Tally> = HashMap::new();
    for (i, t) in own.into_iter().filter(|(_, t)| t.total() > 0) {
        for a in units[i].path.split('/').filter_map(|s| s.parse::<i64>().ok()) {
            out.entry(a).or_default().merge(&t);
        }
    }
    out
}

/// The unit the dashboard opens on for this person: the top of their scope.
pub async fn home_unit(db: &Db, ctx: &Ctx) -> AppResult<UnitRow> {
    let units = crate::org::list_units(db, ctx).await?;
    units.into_iter().min_by_key(|u| (u.depth, u.id.get())).ok_or(AppError::NotFound)
}
