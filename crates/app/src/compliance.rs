//! The compliance engine: from the rulebook, the org tree, assets, staff and evidence records, derive every due
//! item (应办事项) under a unit for a window of days, judge each one, and roll the results up the tree.
//! Nothing here is typed in by a person, and no number comes from anywhere but the rule that judges the period.
use crate::rulebook::{self, RuleHistory};
use crate::{AppError, AppResult, Ctx};
use anbao_domain::period::{self, Day};
use anbao_domain::records::RecordKind;
use anbao_domain::rulebook::{Rule, RuleKind, Status, Subject, judge_count, judge_coverage, still_valid};
use anbao_domain::staff::{Employment, Position};
use anbao_store::Db;
use anbao_store::assets::AssetRow;
use anbao_store::org::UnitRow;
use anbao_store::records::{DayCount, EvidenceRow};
use anbao_store::staff::StaffRow;
use std::collections::{BTreeMap, HashMap, HashSet};

/// One thing a unit, asset or person owed in one period, and how it stands.
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

/// What the engine reads once per evaluation.
struct World {
    units: Vec<UnitRow>,
    by_id: HashMap<i64, usize>,
    assets: Vec<AssetRow>,
    staff: Vec<StaffRow>,
    counts: Vec<DayCount>,
    evidence: Vec<EvidenceRow>,
}

fn kinds_of(rule: &Rule) -> Vec<String> {
    rule.unit_kinds.clone()
}

fn unit_applies(rule: &Rule, u: &UnitRow) -> bool {
    let kinds = kinds_of(rule);
    if kinds.is_empty() {
        u.kind != anbao_domain::org::UnitKind::Department
    } else {
        kinds.iter().any(|k| k == u.kind.code())
    }
}

fn subject_name(u: &UnitRow) -> String {
    u.name.clone()
}

/// Derive and judge every due item under the unit at `root_path` whose period overlaps [from, to), as of `today`.
pub async fn evaluate(db: &Db, root_path: &str, from: Day, to: Day, today: Day) -> AppResult<Vec<DueItem>> {
    let rules: Vec<RuleHistory> = rulebook::all(db)
        .await?
        .into_iter()
        .filter(|h| h.current().is_some_and(|v| rulebook::tracked(&v.rule)))
        .collect();
    // The full extent of every period touched, so a yearly rule sees the whole year's records.
    let mut lo = from;
    let mut hi = to;
    let mut count_kinds: HashSet<String> = HashSet::new();
    let mut row_kinds: HashSet<String> = HashSet::new();
    for h in &rules {
        for v in &h.versions {
            let r = &v.rule;
            for (s, e) in period::overlapping(r.period, from, to) {
                lo = lo.min(s);
                hi = hi.max(e);
            }
            if r.kind == RuleKind::Validity {
                lo = lo.min(from - (r.validity_months + 1) * 31);
            }
            match r.kind {
                RuleKind::Count | RuleKind::Deadline | RuleKind::Retention => count_kinds.insert(r.evidence.clone()),
                RuleKind::Coverage | RuleKind::Validity | RuleKind::TwoPerson => row_kinds.insert(r.evidence.clone()),
            };
        }
    }
    let mut c = db.read().await?;
    let units = anbao_store::org::under(&mut c, root_path).await?;
    let by_id = units.iter().enumerate().map(|(i, u)| (u.id.get(), i)).collect();
    let assets = anbao_store::assets::under(&mut c, root_path).await?;
    let staff = anbao_store::staff::under(&mut c, root_path).await?;
    let counts =
        anbao_store::records::day_counts(&mut c, root_path, &count_kinds.into_iter().collect::<Vec<_>>(), lo, hi)
            .await?;
    let evidence =
        anbao_store::records::evidence(&mut c, root_path, &row_kinds.into_iter().collect::<Vec<_>>(), lo, hi).await?;
    drop(c);
    let w = World { units, by_id, assets, staff, counts, evidence };
    let mut items = Vec::new();
    for h in &rules {
        for p in period::overlapping(
            h.current().map_or(anbao_domain::rulebook::PeriodKind::Day, |v| v.rule.period),
            from,
            to,
        ) {
            if p.0 > today {
                continue; // a period that has not begun owes nothing yet
            }
            let Some(v) = h.for_period(p.0) else { continue };
            if !v.active {
                continue;
            }
            judge_rule(&w, &v.rule, v.version, p, today, &mut items);
        }
    }
    Ok(items)
}

fn item(rule: &Rule, version: i64, u: &UnitRow, p: (Day, Day)) -> DueItem {
    DueItem {
        rule_id: rule.id.clone(),
        version,
        area: rule.area.clone(),
        title: rule.title.clone(),
        title_en: rule.title_en.clone(),
        source: rule.source.clone(),
        evidence: rule.evidence.clone(),
        unit_id: u.id.get(),
        unit_name: u.name.clone(),
        unit_path: u.path.clone(),
        asset: None,
        person: None,
        period: p,
        period_label: period::label(rule.period, p),
        status: Status::NotYetDue,
        have: 0,
        need: 0,
        reason: String::new(),
        reason_en: String::new(),
    }
}

fn evidence_label(code: &str) -> (&'static str, &'static str) {
    RecordKind::parse(code).map_or(("记录", "records"), |k| (k.label_zh(), k.label_en()))
}

/// Does a counted group of records match the rule's evidence filters?
fn count_matches(rule: &Rule, c: &DayCount) -> bool {
    c.kind == rule.evidence
        && (rule.subkind.is_empty() || c.subkind.as_deref() == Some(rule.subkind.as_str()))
        && (rule.positions.is_empty() || c.position.as_deref().is_some_and(|p| rule.positions.iter().any(|x| x == p)))
}

fn judge_rule(w: &World, rule: &Rule, version: i64, p: (Day, Day), today: Day, out: &mut Vec<DueItem>) {
    let ended = p.1 <= today;
    let (ev_zh, ev_en) = evidence_label(&rule.evidence);
    match (rule.kind, rule.subject) {
        (RuleKind::Count, Subject::Asset) => {
            // Sum per asset over the period.
            let mut have: HashMap<i64, i64> = HashMap::new();
            for c in w.counts.iter().filter(|c| c.day >= p.0 && c.day < p.1 && count_matches(rule, c)) {
                if let Some(a) = c.asset_id {
                    *have.entry(a).or_default() += if rule.require_attachment { c.with_attachment } else { c.n };
                }
            }
            for a in w.assets.iter().filter(|a| a.kind == rule.asset_kind) {
                let Some(u) = w.by_id.get(&a.unit_id.get()).map(|i| &w.units[*i]) else { continue };
                if !unit_applies(rule, u) {
                    continue;
                }
                let n = have.get(&a.id).copied().unwrap_or(0);
                let mut it = item(rule, version, u, p);
                it.asset = Some((a.id, a.code.clone()));
                it.have = n;
                it.need = rule.min_count;
                it.status = judge_count(n, rule.min_count, ended);
                it.reason = format!("{} {}：{}{} {}/{} 次", u.name, a.code, it.period_label, ev_zh, n, rule.min_count);
                it.reason_en =
                    format!("{} {}: {} of {} {} in {}", u.name, a.code, n, rule.min_count, ev_en, it.period_label);
                out.push(it);
            }
        }
        (RuleKind::Count, _) => {
            let mut have: HashMap<i64, i64> = HashMap::new();
            for c in w.counts.iter().filter(|c| c.day >= p.0 && c.day < p.1 && count_matches(rule, c)) {
                *have.entry(c.unit_id).or_default() += if rule.require_attachment { c.with_attachment } else { c.n };
            }
            let with_asset: HashSet<i64> = if rule.asset_kind.is_empty() {
                HashSet::new()
            } else {
                w.assets.iter().filter(|a| a.kind == rule.asset_kind).map(|a| a.unit_id.get()).collect()
            };
            for u in w.units.iter().filter(|u| unit_applies(rule, u)) {
                if !rule.asset_kind.is_empty() && !with_asset.contains(&u.id.get()) {
                    continue;
                }
                let n = have.get(&u.id.get()).copied().unwrap_or(0);
                let mut it = item(rule, version, u, p);
                it.have = n;
                it.need = rule.min_count;
                it.status = judge_count(n, rule.min_count, ended);
                let photo = if rule.require_attachment { "（附影像资料）" } else { "" };
                it.reason =
                    format!("{}：{}{}{} {}/{} 次", subject_name(u), it.period_label, ev_zh, photo, n, rule.min_count);
                it.reason_en = format!("{}: {} of {} {} in {}", u.name, n, rule.min_count, ev_en, it.period_label);
                out.push(it);
            }
        }
        (RuleKind::Coverage, _) => {
            for u in w.units.iter().filter(|u| unit_applies(rule, u)) {
                let targets: Vec<&UnitRow> = w
                    .units
                    .iter()
                    .filter(|t| t.id != u.id && t.path.starts_with(&u.path))
                    .filter(|t| rule.target_unit_kinds.iter().any(|k| k == t.kind.code()))
                    .collect();
                let target_ids: HashSet<i64> = targets.iter().map(|t| t.id.get()).collect();
                let mut visits: HashMap<i64, i64> = HashMap::new();
                for e in w.evidence.iter().filter(|e| e.kind == rule.evidence && e.day >= p.0 && e.day < p.1) {
                    let by_unit = w.by_id.get(&e.unit_id).is_some_and(|i| w.units[*i].path.starts_with(&u.path));
                    let pos_ok = rule.positions.is_empty()
                        || e.position.as_deref().is_some_and(|x| rule.positions.iter().any(|y| y == x));
                    let sub_ok = rule.subkind.is_empty() || e.subkind.as_deref() == Some(rule.subkind.as_str());
                    if let Some(t) = e.target_unit_id.filter(|t| by_unit && pos_ok && sub_ok && target_ids.contains(t))
                    {
                        *visits.entry(t).or_default() += 1;
                    }
                }
                let need_each = rule.min_count.max(1);
                let covered = visits.values().filter(|n| **n >= need_each).count() as i64;
                let total = targets.len() as i64;
                let mut it = item(rule, version, u, p);
                it.have = covered;
                it.need = total;
                it.status = judge_coverage(covered, total, rule.coverage_pct, ended);
                let missing: Vec<&str> = targets
                    .iter()
                    .filter(|t| visits.get(&t.id.get()).copied().unwrap_or(0) < need_each)
                    .map(|t| t.name.as_str())
                    .take(5)
                    .collect();
                it.reason = format!(
                    "{}：{}检查覆盖 {}/{} 个单位，要求≥{}%{}",
                    u.name,
                    it.period_label,
                    covered,
                    total,
                    rule.coverage_pct,
                    if missing.is_empty() { String::new() } else { format!("；未覆盖：{}", missing.join("、")) }
                );
                it.reason_en = format!(
                    "{}: covered {} of {} units in {}, {}% required",
                    u.name, covered, total, it.period_label, rule.coverage_pct
                );
                out.push(it);
            }
        }
        (RuleKind::Validity, _) => {
            let as_of = (p.1 - 1).min(today);
            let mut last: HashMap<i64, Day> = HashMap::new();
            for e in w.evidence.iter().filter(|e| e.kind == rule.evidence && e.day <= as_of) {
                let sub_ok = rule.subkind.is_empty() || e.subkind.as_deref() == Some(rule.subkind.as_str());
                if let (Some(s), true) = (e.subject_staff_id, sub_ok) {
                    let d = last.entry(s).or_insert(e.day);
                    *d = (*d).max(e.day);
                }
            }
            for s in w.staff.iter().filter(|s| !rule.key_position_only || s.key_position) {
                if !rule.positions.is_empty()
                    && !s.positions.iter().any(|p| rule.positions.iter().any(|x| x == p.code()))
                {
                    continue;
                }
                let Some(u) = w.by_id.get(&s.unit_id.get()).map(|i| &w.units[*i]) else { continue };
                if !rule.unit_kinds.is_empty() && !unit_applies(rule, u) {
                    continue;
                }
                let mut it = item(rule, version, u, p);
                it.person = Some((s.id.get(), s.name.clone()));
                it.need = rule.validity_months;
                match last.get(&s.id.get()) {
                    Some(d) if still_valid(period::ymd(*d), period::ymd(as_of), rule.validity_months) => {
                        it.status = Status::Met;
                        it.have = 1;
                        it.reason = format!(
                            "{}（{}）：上次{}为{}，仍在{}个月有效期内",
                            s.name,
                            u.name,
                            ev_zh,
                            fmt_day(*d),
                            rule.validity_months
                        );
                        it.reason_en = format!(
                            "{} ({}): last {} on {}, within {} months",
                            s.name,
                            u.name,
                            ev_en,
                            fmt_day(*d),
                            rule.validity_months
                        );
                    }
                    Some(d) => {
                        it.status = Status::Overdue;
                        it.reason = format!(
                            "{}（{}）：上次{}为{}，已超过{}个月",
                            s.name,
                            u.name,
                            ev_zh,
                            fmt_day(*d),
                            rule.validity_months
                        );
                        it.reason_en = format!(
                            "{} ({}): last {} on {}, older than {} months",
                            s.name,
                            u.name,
                            ev_en,
                            fmt_day(*d),
                            rule.validity_months
                        );
                    }
                    None => {
                        it.status = Status::Overdue;
                        it.reason = format!("{}（{}）：没有{}记录", s.name, u.name, ev_zh);
                        it.reason_en = format!("{} ({}): no {} on record", s.name, u.name, ev_en);
                    }
                }
                out.push(it);
            }
        }
        (RuleKind::Retention, _) => {
            let mut min: HashMap<i64, i64> = HashMap::new();
            for c in w.counts.iter().filter(|c| c.day >= p.0 && c.day < p.1 && c.kind == rule.evidence) {
                if let Some(v) = c.min_value {
                    let m = min.entry(c.unit_id).or_insert(v);
                    *m = (*m).min(v);
                }
            }
            for u in w.units.iter().filter(|u| unit_applies(rule, u)) {
                // Judged only where a check reported the retention; a missing check is the daily-check rule's item.
                let Some(days) = min.get(&u.id.get()).copied() else { continue };
                let mut it = item(rule, version, u, p);
                it.have = days;
                it.need = rule.retention_days;
                it.status = if days >= rule.retention_days { Status::Met } else { Status::Overdue };
                it.reason = format!(
                    "{}：{}检查报告录像保存 {} 天，要求≥{} 天",
                    u.name, it.period_label, days, rule.retention_days
                );
                it.reason_en = format!(
                    "{}: recordings kept {} days on {}, {} required",
                    u.name, days, it.period_label, rule.retention_days
                );
                out.push(it);
            }
        }
        (RuleKind::Deadline, _) => {
            let (y, _, _) = period::ymd(p.0);
            let deadline_end = if rule.deadline_month >= 12 {
                period::first_of_month(y + 1, 1)
            } else {
                period::first_of_month(y, rule.deadline_month as i8 + 1)
            };
            let mut first: HashMap<i64, Day> = HashMap::new();
            for c in w.counts.iter().filter(|c| c.day >= p.0 && c.day < p.1 && count_matches(rule, c)) {
                let d = first.entry(c.unit_id).or_insert(c.day);
                *d = (*d).min(c.day);
            }
            for u in w.units.iter().filter(|u| unit_applies(rule, u)) {
                let mut it = item(rule, version, u, p);
                it.need = 1;
                match first.get(&u.id.get()) {
                    Some(d) if *d < deadline_end => {
                        it.have = 1;
                        it.status = Status::Met;
                        it.reason =
                            format!("{}：已于{}完成{}（期限{}月底）", u.name, fmt_day(*d), ev_zh, rule.deadline_month);
                        it.reason_en = format!(
                            "{}: {} done on {} (due by end of month {})",
                            u.name,
                            ev_en,
                            fmt_day(*d),
                            rule.deadline_month
                        );
                    }
                    Some(d) => {
                        it.have = 1;
                        it.status = Status::PartlyMet;
                        it.reason = format!(
                            "{}：{}于{}完成，晚于{}月底的期限",
                            u.name,
                            ev_zh,
                            fmt_day(*d),
                            rule.deadline_month
                        );
                        it.reason_en = format!(
                            "{}: {} done late on {} (due by end of month {})",
                            u.name,
                            ev_en,
                            fmt_day(*d),
                            rule.deadline_month
                        );
                    }
                    None if today < deadline_end => {
                        it.status = Status::NotYetDue;
                        it.reason = format!("{}：须在{}月底前完成{}", u.name, rule.deadline_month, ev_zh);
                        it.reason_en = format!("{}: {} due by the end of month {}", u.name, ev_en, rule.deadline_month);
                    }
                    None => {
                        it.status = Status::Overdue;
                        it.reason = format!("{}：{}月底前未完成{}", u.name, rule.deadline_month, ev_zh);
                        it.reason_en = format!("{}: no {} by the end of month {}", u.name, ev_en, rule.deadline_month);
                    }
                }
                out.push(it);
            }
        }
        (RuleKind::TwoPerson, _) => {
            let staff: HashMap<i64, &StaffRow> = w.staff.iter().map(|s| (s.id.get(), s)).collect();
            let mut by_subject: BTreeMap<(i64, Option<i64>), Vec<&EvidenceRow>> = BTreeMap::new();
            for e in w.evidence.iter().filter(|e| e.kind == rule.evidence && e.day >= p.0 && e.day < p.1) {
                by_subject.entry((e.unit_id, e.asset_id)).or_default().push(e);
            }
            for ((unit_id, asset_id), recs) in by_subject {
                let Some(u) = w.by_id.get(&unit_id).map(|i| &w.units[*i]) else { continue };
                if !unit_applies(rule, u) {
                    continue;
                }
                let mut it = item(rule, version, u, p);
                if let Some(a) = asset_id.and_then(|a| w.assets.iter().find(|x| x.id == a)) {
                    it.asset = Some((a.id, a.code.clone()));
                }
                let mut breaches = Vec::new();
                for e in &recs {
                    if let Some(why) = pair_breach(rule, e, &staff) {
                        breaches.push(why);
                    }
                }
                it.need = recs.len() as i64;
                it.have = recs.len() as i64 - breaches.len() as i64;
                if breaches.is_empty() {
                    it.status = Status::Met;
                    it.reason = format!("{}：{}{}均为两名符合要求的人员", u.name, it.period_label, ev_zh);
                    it.reason_en =
                        format!("{}: every {} in {} names two eligible people", u.name, ev_en, it.period_label);
                } else {
                    it.status = Status::Overdue;
                    it.reason = format!("{}：{}{}", u.name, it.period_label, breaches.join("；"));
                    it.reason_en = format!("{}: {} {} broke the two-person rule", u.name, breaches.len(), ev_en);
                }
                out.push(it);
            }
        }
    }
}

/// Why a two-person record breaks the rule, or None when it is fine.
fn pair_breach(rule: &Rule, e: &EvidenceRow, staff: &HashMap<i64, &StaffRow>) -> Option<String> {
    let (Some(a), Some(b)) = (e.performer_id, e.second_person_id) else {
        return Some("只记录了一名人员".into());
    };
    if a == b {
        return Some("两名人员为同一人".into());
    }
    let (Some(sa), Some(sb)) = (staff.get(&a), staff.get(&b)) else {
        return Some("人员不在本单位在岗名单中".into());
    };
    for pos in &rule.forbid_same_position {
        let holds = |s: &StaffRow| s.positions.iter().any(|p| p.code() == pos);
        if holds(sa) && holds(sb) {
            let label = Position::parse(pos).map_or(pos.as_str(), |p| p.label_zh());
            return Some(format!("{}与{}同为{}", sa.name, sb.name, label));
        }
    }
    if rule.forbid_both_non_formal && sa.employment != Employment::Formal && sb.employment != Employment::Formal {
        return Some(format!("{}与{}均非正式员工", sa.name, sb.name));
    }
    None
}

fn fmt_day(d: Day) -> String {
    let (y, m, dd) = period::ymd(d);
    format!("{y}-{m:02}-{dd:02}")
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

/// Sum items over each unit's subtree: a unit's tally includes every unit below it.
pub fn rollup(items: &[DueItem]) -> HashMap<i64, Tally> {
    let mut out: HashMap<i64, Tally> = HashMap::new();
    for it in items {
        for id in it.unit_path.split('/').filter_map(|s| s.parse::<i64>().ok()) {
            out.entry(id).or_default().add(it.status);
        }
    }
    out
}

/// The unit the dashboard opens on for this person: the top of their scope.
pub async fn home_unit(db: &Db, ctx: &Ctx) -> AppResult<UnitRow> {
    let units = crate::org::list_units(db, ctx).await?;
    units.into_iter().min_by_key(|u| (u.depth, u.id.get())).ok_or(AppError::NotFound)
}
