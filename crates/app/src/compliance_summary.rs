//! Compliance summaries: a window's due items reduced to tallies per (rule, unit), which is all the dashboard, the
//! roll-up API and the unit export show, kept per database and reused for as long as nothing they were judged from
//! has changed.
//!
//! Judging a province month means hundreds of thousands of items (every ATM-day, every outlet-day of each daily
//! rule), and seconds of work; a leader's dashboard asks for twelve months. But a judged month only changes when
//! its evidence, the rule, the org tree, the staff or the assets change, or, for a period still running, when the
//! day changes. Each rule version's tallies are kept with a stamp of exactly those inputs:
//! - the number of times records of the rule's evidence kind changed on the days the rule read (`record_marks`,
//!   which a trigger moves with every record entered or superseded, in the same transaction);
//! - the rule as judged (an edit makes a new version, and the rule is compared whole);
//! - the versions of units and staff and of assets (`data_versions`, kept by triggers);
//! - today, when a judged period has not ended.
//!
//! The stamps are read before anything is judged, so a write racing a judgement can only file fresh tallies under
//! an older stamp, which the next request then finds stale: a miss, never a stale answer. Only the rules whose
//! stamp moved are judged again, one rule at a time, so memory holds one rule's items rather than a month's.
//! Several instances on one PostgreSQL database each keep their own summaries and check the same stamps.
use crate::AppResult;
use crate::compliance::{self, Core, Step, Tally};
use anbao_domain::period::Day;
use anbao_domain::rulebook::{Rule, RuleKind};
use anbao_store::Db;
use anbao_store::org::UnitRow;
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, PoisonError};

/// One tally of a summary: the items of one rule version at one unit (the unit's own, not its subtree's).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cell {
    /// Index into `Summary::rules`.
    pub rule: usize,
    /// Index into `Summary::units`.
    pub unit: usize,
    /// Items whose period is at most a month long and begins in the window: what the 12-month trend counts.
    pub trend: bool,
    pub t: Tally,
}

/// A window's items as tallies.
pub struct Summary {
    pub rules: Vec<(Rule, i64)>,
    /// The units the cells index (the subtree asked for, or a larger subtree it is part of), in path order.
    pub units: Arc<Vec<UnitRow>>,
    pub cells: Vec<Cell>,
    /// How many rule versions were judged for this answer; the others' tallies were still current.
    pub judged: usize,
}

impl Summary {
    /// Tallies per unit id, each unit counting its whole subtree.
    pub fn rollup(&self) -> HashMap<i64, Tally> {
        compliance::subtree_totals(&self.units, self.own())
    }

    /// Each unit's own items (not its subtree's), by index into `units`.
    pub fn own(&self) -> BTreeMap<usize, Tally> {
        let mut out: BTreeMap<usize, Tally> = BTreeMap::new();
        for c in &self.cells {
            out.entry(c.unit).or_default().merge(&c.t);
        }
        out
    }

    pub fn by_rule(&self) -> BTreeMap<String, Tally> {
        let mut out: BTreeMap<String, Tally> = BTreeMap::new();
        for c in &self.cells {
            out.entry(self.rules[c.rule].0.id.clone()).or_default().merge(&c.t);
        }
        out
    }

    pub fn by_area(&self) -> BTreeMap<String, Tally> {
        let mut out: BTreeMap<String, Tally> = BTreeMap::new();
        for c in &self.cells {
            out.entry(self.rules[c.rule].0.area.clone()).or_default().merge(&c.t);
        }
        out
    }

    /// All items of the window counted by the trend (see `Cell::trend`).
    pub fn trend(&self) -> Tally {
        let mut t = Tally::default();
        self.cells.iter().filter(|c| c.trend).for_each(|c| t.merge(&c.t));
        t
    }

    pub fn total(&self) -> Tally {
        let mut t = Tally::default();
        self.cells.iter().for_each(|c| t.merge(&c.t));
        t
    }
}

/// The items under `root_path` whose period overlaps [from, to), as of `today`, as tallies: the same figures as
/// `compliance::evaluate_core(…).rollup()`, judged again only where something they depend on has changed.
pub async fn summary(db: &Db, root_path: &str, from: Day, to: Day, today: Day) -> AppResult<Summary> {
    let plan = compliance::plan(db, from, to, today).await?;
    let mut c = db.read().await?;
    let versions = anbao_store::counts::org_and_assets_version(&mut c).await?;
    let stamps = stamps(&mut c, &plan, today).await?;
    drop(c);
    let wanted: Vec<Want<'_>> = plan
        .steps
        .iter()
        .zip(&stamps)
        .map(|(step, stamp)| Want { idx: step.rule, rule: &plan.rules[step.rule], stamp: *stamp })
        .collect();
    let cache = db.extension::<SummaryCache>();
    if let Some(s) = cache.whole(root_path, from, to, versions, &wanted, &plan.rules) {
        return Ok(s);
    }
    // Only what the stale rules need is read: the people of the province, for one, only for a validity rule.
    let (mut kept, kept_units) = cache.kept(root_path, from, to, versions);
    let current = |kept: &HashMap<(String, i64), Kept>, w: &Want<'_>| {
        kept.get(&(w.rule.0.id.clone(), w.rule.1)).is_some_and(|k| k.rule == w.rule.0 && k.stamp == w.stamp)
    };
    let stale: Vec<Step> =
        plan.steps.iter().zip(&wanted).filter(|(_, w)| !current(&kept, w)).map(|(s, _)| s.clone()).collect();
    let partial = compliance::Plan {
        rules: plan.rules.clone(),
        needs_people: stale.iter().any(|s| matches!(plan.rules[s.rule].0.kind, RuleKind::Validity | RuleKind::Post)),
        steps: stale,
        calendar_version: plan.calendar_version,
    };
    let (mut inputs, mut e) = compliance::read_inputs(db, root_path, &partial).await?;
    // A province-sized judgement may have waited its turn behind one that has just filed these very tallies.
    if let Some(s) = cache.whole(root_path, from, to, versions, &wanted, &plan.rules) {
        return Ok(s);
    }
    // Kept cells index the units they were judged over; should the units read now differ, judge everything.
    if !kept.is_empty() && !kept_units.iter().copied().eq(e.units.iter().map(|u| u.id.get())) {
        kept.clear();
        drop(inputs);
        (inputs, e) = compliance::read_inputs(db, root_path, &plan).await?;
    }
    let mut fresh: HashMap<(String, i64), Kept> = HashMap::new();
    let mut cells = Vec::new();
    let mut judged = 0;
    for (step, want) in plan.steps.iter().zip(&wanted) {
        let key = (want.rule.0.id.clone(), want.rule.1);
        let k = match kept.remove(&key).filter(|k| k.rule == want.rule.0 && k.stamp == want.stamp) {
            Some(k) => k,
            None => {
                judged += 1;
                // Daily counting rules (most of a month's items) are counted by the database; the rest item by item.
                let cells = match inputs.daily_count_tallies(&e, step, today).await? {
                    Some(tallies) => tallies
                        .into_iter()
                        .map(|(u, t)| (u32::try_from(u).unwrap_or(u32::MAX), true, Small::of(t)))
                        .collect(),
                    None => {
                        inputs.judge_step(&mut e, step, today).await?;
                        let cells = fold(&e.cores, from);
                        e.cores.clear();
                        cells
                    }
                };
                Kept { rule: want.rule.0.clone(), stamp: want.stamp, cells: Arc::new(cells) }
            }
        };
        cells.extend(k.cells.iter().map(|(u, trend, t)| Cell {
            rule: step.rule,
            unit: *u as usize,
            trend: *trend,
            t: t.tally(),
        }));
        fresh.insert(key, k);
    }
    drop(inputs);
    let units = Arc::new(std::mem::take(&mut e.units));
    cache.put(root_path, from, to, versions, Arc::clone(&units), fresh);
    Ok(Summary { rules: plan.rules, units, cells, judged })
}

/// Forget every kept summary of this database (the benchmark uses it to measure a judgement from scratch).
pub fn forget(db: &Db) {
    db.extension::<SummaryCache>().clear();
}

/// What a rule version's tallies were judged from, besides the rule itself and the org and asset versions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Stamp {
    marks: i64,
    /// The calendar version, for rules whose periods it decides (business days, holidays).
    calendar: Option<i64>,
    /// The day judged, when some period had not ended by it (it then counts as still running).
    today: Option<Day>,
}

/// Read the stamp of every step: the marks of the days its rule reads evidence from.
async fn stamps(c: &mut anbao_store::Conn, plan: &compliance::Plan, today: Day) -> AppResult<Vec<Stamp>> {
    let spans: Vec<(&str, Day, Day)> = plan
        .steps
        .iter()
        .map(|step| {
            let rule = &plan.rules[step.rule].0;
            let (lo, hi) = match rule.kind {
                // A validity rule looks back to each person's last evidence, however old, up to its judging day.
                RuleKind::Validity => (Day::MIN, step.hi.min(today + 1) + 1),
                _ => (step.lo, step.hi),
            };
            (rule.evidence.as_str(), lo, hi)
        })
        .collect();
    let marks = anbao_store::counts::record_marks(c, &spans).await?;
    Ok(plan
        .steps
        .iter()
        .zip(marks)
        .map(|(step, marks)| {
            let rule = &plan.rules[step.rule].0;
            let by_calendar = step.by_calendar
                || rule.business_days_only
                || rule.period == anbao_domain::rulebook::PeriodKind::Holiday;
            Stamp {
                marks,
                calendar: by_calendar.then_some(plan.calendar_version),
                today: (step.hi > today).then_some(today),
            }
        })
        .collect())
}

/// A unit's tally in a kept cell: counts of one unit and one rule fit in 32 bits, and keep 12 months of a province
/// in tens of megabytes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Small([u32; 4]);

impl Small {
    fn of(t: Tally) -> Small {
        let c = |n: i64| u32::try_from(n.max(0)).unwrap_or(u32::MAX);
        Small([c(t.met), c(t.partly), c(t.overdue), c(t.open)])
    }
    fn tally(self) -> Tally {
        Tally {
            met: i64::from(self.0[0]),
            partly: i64::from(self.0[1]),
            overdue: i64::from(self.0[2]),
            open: i64::from(self.0[3]),
        }
    }
}

/// One rule's items, as kept: (unit index, trend, tally), in unit order.
fn fold(cores: &[Core], from: Day) -> Vec<(u32, bool, Small)> {
    let mut m: BTreeMap<(u32, bool), Tally> = BTreeMap::new();
    for c in cores {
        let trend = c.period.1 - c.period.0 <= 31 && c.period.0 >= from;
        m.entry((u32::try_from(c.unit).unwrap_or(u32::MAX), trend)).or_default().add(c.status);
    }
    m.into_iter().map(|((u, tr), t)| (u, tr, Small::of(t))).collect()
}

struct Want<'a> {
    /// Index into the plan's rules.
    idx: usize,
    rule: &'a (Rule, i64),
    stamp: Stamp,
}

#[derive(Clone)]
struct Kept {
    rule: Rule,
    stamp: Stamp,
    cells: Arc<Vec<(u32, bool, Small)>>,
}

struct Entry {
    versions: (i64, i64),
    units: Arc<Vec<UnitRow>>,
    rules: HashMap<(String, i64), Kept>,
    used: u64,
    size: usize,
}

/// Past this many kept cells (~24 bytes each) the least recently used summaries are dropped: twelve province months
/// are about a million.
const MAX_CELLS: usize = 2_000_000;

#[derive(Default)]
pub struct SummaryCache {
    inner: Mutex<Inner>,
}

#[derive(Default)]
struct Inner {
    entries: HashMap<(String, Day, Day), Entry>,
    clock: u64,
    cells: usize,
}

impl SummaryCache {
    fn clear(&self) {
        let mut g = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        g.entries.clear();
        g.cells = 0;
    }

    /// A summary for `root_path` made entirely of current tallies: its own, or those of a subtree containing it.
    fn whole(
        &self,
        root_path: &str,
        from: Day,
        to: Day,
        versions: (i64, i64),
        wanted: &[Want<'_>],
        rules: &[(Rule, i64)],
    ) -> Option<Summary> {
        let mut g = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        g.clock += 1;
        let clock = g.clock;
        // The path itself first, then each larger subtree above it ("/1/4/17/" → "/1/4/" → "/1/").
        let mut candidates = vec![root_path.to_owned()];
        let mut p = root_path.trim_end_matches('/');
        while let Some(i) = p.rfind('/') {
            p = &p[..i];
            if !p.is_empty() {
                candidates.push(format!("{p}/"));
            }
        }
        for path in candidates {
            let Some(entry) = g.entries.get_mut(&(path.clone(), from, to)) else { continue };
            if entry.versions != versions {
                continue;
            }
            let mut cells = Vec::new();
            let mut ok = true;
            for w in wanted {
                match entry.rules.get(&(w.rule.0.id.clone(), w.rule.1)) {
                    Some(k) if k.rule == w.rule.0 && k.stamp == w.stamp => {
                        cells.extend(
                            k.cells
                                .iter()
                                .filter(|(u, _, _)| {
                                    path == root_path
                                        || entry.units.get(*u as usize).is_some_and(|x| x.path.starts_with(root_path))
                                })
                                .map(|(u, trend, t)| Cell {
                                    rule: w.idx,
                                    unit: *u as usize,
                                    trend: *trend,
                                    t: t.tally(),
                                }),
                        );
                    }
                    _ => {
                        ok = false;
                        break;
                    }
                }
            }
            if ok {
                entry.used = clock;
                return Some(Summary { rules: rules.to_vec(), units: Arc::clone(&entry.units), cells, judged: 0 });
            }
        }
        None
    }

    /// The kept tallies of exactly `root_path` at these versions, with the ids of the units they index.
    fn kept(
        &self,
        root_path: &str,
        from: Day,
        to: Day,
        versions: (i64, i64),
    ) -> (HashMap<(String, i64), Kept>, Vec<i64>) {
        let g = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        match g.entries.get(&(root_path.to_owned(), from, to)) {
            Some(e) if e.versions == versions => (e.rules.clone(), e.units.iter().map(|u| u.id.get()).collect()),
            _ => (HashMap::new(), Vec::new()),
        }
    }

    fn put(
        &self,
        root_path: &str,
        from: Day,
        to: Day,
        versions: (i64, i64),
        units: Arc<Vec<UnitRow>>,
        rules: HashMap<(String, i64), Kept>,
    ) {
        let size = rules.values().map(|k| k.cells.len()).sum::<usize>() + units.len();
        let mut g = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        g.clock += 1;
        let used = g.clock;
        let key = (root_path.to_owned(), from, to);
        if let Some(old) = g.entries.insert(key.clone(), Entry { versions, units, rules, used, size }) {
            g.cells -= old.size;
        }
        g.cells += size;
        while g.cells > MAX_CELLS && g.entries.len() > 1 {
            let Some(oldest) =
                g.entries.iter().filter(|(k, _)| **k != key).min_by_key(|(_, e)| e.used).map(|(k, _)| k.clone())
            else {
                break;
            };
            if let Some(e) = g.entries.remove(&oldest) {
                g.cells -= e.size;
            }
        }
    }
}
