//! The responsibility determination (INC-3, INC-5): which causes of 第十一条 the investigator found, which exemptions
//! of 第十二条 the records decide, who failed to report (㈥), and for a 四类 case the escalation — into one line per
//! person or department with the heaviest weight, every clause that produced it and the facts behind it. Pure: the app
//! gathers the facts and names the parties from the org tree.
use super::{Rules, Who};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// A person or department a party resolves to. `key` is stable (`staff:12`, `unit:5`) so one person named by two
/// causes gets one line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Named {
    pub key: String,
    pub staff_id: Option<i64>,
    pub unit_id: Option<i64>,
    pub label: String,
}

impl Named {
    pub fn person(id: i64, label: impl Into<String>) -> Self {
        Named { key: format!("staff:{id}"), staff_id: Some(id), unit_id: None, label: label.into() }
    }
}

/// The rectification notice a case falls under (第十二条㈡), read from the hazard register at the case time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoticeFact {
    pub hazard_id: i64,
    pub notice_no: String,
    pub deadline_day: i64,
    /// The case happened after the deadline with the hazard still open.
    pub past_deadline: bool,
    /// The notice repeats an earlier one for the same item (再次发出整改通知书).
    pub repeat: bool,
}

/// A report that arrived late or not at all (第十一条㈥).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LateReport {
    /// The unit that owed the report.
    pub unit: String,
    /// Its head (and deputy), who answer for it.
    pub who: Vec<Named>,
    /// Minutes past the deadline, or None when it has not been made.
    pub late_minutes: Option<i64>,
}

/// Everything the determination reads.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Facts {
    pub kind: String,
    /// The causes of 第十一条 the investigator marked (codes of `Rules::cause`).
    pub causes: Vec<String>,
    /// The ledger showed no gap and nothing expired at the case time (第十二条㈠, from the records).
    pub facilities_ok: bool,
    /// The unit's responsibility systems and rules were in place at the case time (from the records).
    pub rules_in_place: bool,
    /// The investigator's finding: the attack exceeded the protection limits.
    pub beyond_limits: bool,
    /// The investigator's finding: a defect of a product that could not be tested on site (第十二条㈢).
    pub quality_defect: bool,
    /// The investigator's finding: the case has no direct link with the facilities' hazard (第十二条㈢).
    pub no_direct_link: bool,
    pub notice: Option<NoticeFact>,
    pub late: Vec<LateReport>,
    /// What each party code resolves to (all but `non_reporter`, which comes from `late`).
    pub parties: HashMap<String, Vec<Named>>,
}

/// A clause that produced (or lifted) a responsibility, with the fact behind it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ground {
    pub article: String,
    pub text: String,
}

/// One person's or department's responsibility.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Line {
    pub who: Named,
    /// The party labels it was named as (单位领导, 保卫职能部门…).
    pub as_party: Vec<String>,
    /// The weight code, or None when exempt.
    pub weight: Option<String>,
    pub grounds: Vec<Ground>,
    /// Why the responsibility is lifted.
    pub exempt: Vec<Ground>,
    /// Made heavier for not reporting (第十一条㈥).
    pub aggravated: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Determination {
    pub lines: Vec<Line>,
    /// The case as a whole falls under this exemption (第十二条㈠).
    pub exempt_all: Option<Ground>,
}

/// A responsibility before it is named: a party, a weight (None = exempt), why, and what lifted it.
struct Raw {
    party: String,
    weight: Option<String>,
    ground: Ground,
    facility: bool,
    reporting: bool,
    exempt: Option<Ground>,
}

fn ground(article: &str, text: &str) -> Ground {
    Ground { article: article.to_owned(), text: text.to_owned() }
}

/// Decide who is responsible, and how, from the facts.
pub fn determine(rules: &Rules, f: &Facts) -> Determination {
    let mut raw: Vec<Raw> = Vec::new();
    for cause in &rules.cause {
        let applies = if cause.reporting { !f.late.is_empty() } else { f.causes.contains(&cause.code) };
        if !applies {
            continue;
        }
        for (party, weight) in &cause.parties {
            raw.push(Raw {
                party: party.clone(),
                weight: Some(weight.clone()),
                ground: ground(&cause.article, &cause.text),
                facility: cause.facility,
                reporting: cause.reporting,
                exempt: None,
            });
        }
    }
    if rules.kind.iter().any(|k| k.code == f.kind && k.escalate) {
        let e = &rules.escalation;
        raw.push(Raw {
            party: e.party.clone(),
            weight: Some(e.weight.clone()),
            ground: ground(&e.article, &e.text),
            facility: false,
            reporting: false,
            exempt: None,
        });
    }
    let facility_marked = raw.iter().any(|r| r.facility);
    let ex = |code: &str| rules.exemption.iter().find(|e| e.code == code);
    // ㈡: a notice was issued for the hazard. Within its period the issuing side is not responsible; past it
    // unrectified, or on a second notice, the unit's leaders answer first and the issuer second.
    if let (Some(n), Some(e2), true) = (&f.notice, ex("e2"), facility_marked) {
        let fact = format!(
            "{}：整改通知书 {}（整改期限至{}）{}",
            e2.text,
            n.notice_no,
            crate::period::date_of_day(n.deadline_day),
            if n.past_deadline {
                "，案发时已过整改期未整改"
            } else if n.repeat {
                "，为再次下发的整改通知书"
            } else {
                "，案发时在整改期内"
            }
        );
        if n.past_deadline || n.repeat {
            let replaced: Vec<&str> =
                e2.after.iter().map(|(p, _)| p.as_str()).chain(e2.within_exempts.iter().map(String::as_str)).collect();
            raw.retain(|r| !(r.facility && replaced.contains(&r.party.as_str())));
            for (party, weight) in &e2.after {
                raw.push(Raw {
                    party: party.clone(),
                    weight: Some(weight.clone()),
                    ground: ground(&e2.article, &fact),
                    facility: true,
                    reporting: false,
                    exempt: None,
                });
            }
        } else {
            for r in raw.iter_mut().filter(|r| r.facility && e2.within_exempts.contains(&r.party)) {
                r.weight = None;
                r.exempt = Some(ground(&e2.article, &fact));
            }
        }
    }
    // ㈢: a product defect that could not be tested on site, or no direct link with the facility's hazard.
    if let (Some(e3), true) = (ex("e3"), f.quality_defect || f.no_direct_link) {
        for r in raw.iter_mut().filter(|r| r.facility && r.weight.is_some()) {
            r.weight = None;
            r.exempt = Some(ground(&e3.article, &e3.text));
        }
    }
    // ㈠: facilities met the standard and the rules were in place, and the attack exceeded the protection limits.
    // Not reporting stays a responsibility of its own.
    let mut exempt_all = None;
    if let (Some(e1), true) = (ex("e1"), f.facilities_ok && f.rules_in_place && f.beyond_limits) {
        let g = ground(&e1.article, &e1.text);
        for r in raw.iter_mut().filter(|r| !r.reporting && r.weight.is_some()) {
            r.weight = None;
            r.exempt = Some(g.clone());
        }
        exempt_all = Some(g);
    }
    name_and_merge(rules, f, raw, exempt_all)
}

fn name_and_merge(rules: &Rules, f: &Facts, raw: Vec<Raw>, exempt_all: Option<Ground>) -> Determination {
    let mut lines: Vec<Line> = Vec::new();
    let non_reporters: Vec<Named> = f.late.iter().flat_map(|l| l.who.iter().cloned()).collect();
    for r in raw {
        let Some(def) = rules.party.iter().find(|p| p.code == r.party) else { continue };
        let mut names = match def.who {
            Who::NonReporter => non_reporters.clone(),
            _ => f.parties.get(&r.party).cloned().unwrap_or_default(),
        };
        let mut ground = r.ground.clone();
        if def.who == Who::NonReporter {
            let facts: Vec<String> = f
                .late
                .iter()
                .map(|l| match l.late_minutes {
                    Some(m) => format!("{}迟报{}分钟", l.unit, m),
                    None => format!("{}未上报", l.unit),
                })
                .collect();
            ground.text = format!("{}（{}）", ground.text, facts.join("；"));
        }
        if names.is_empty() {
            // The org tree names nobody for this party: the line stays, so the decider sees the gap and names them.
            names.push(Named {
                key: format!("party:{}", def.code),
                staff_id: None,
                unit_id: None,
                label: format!("{}（组织架构中未找到，须指定）", def.label),
            });
        }
        for who in names {
            let at = match lines.iter().position(|l| l.who.key == who.key) {
                Some(i) => i,
                None => {
                    lines.push(Line {
                        who,
                        as_party: Vec::new(),
                        weight: None,
                        grounds: Vec::new(),
                        exempt: Vec::new(),
                        aggravated: false,
                    });
                    lines.len() - 1
                }
            };
            let l = &mut lines[at];
            if !l.as_party.contains(&def.label) {
                l.as_party.push(def.label.clone());
            }
            match &r.weight {
                Some(w) => {
                    if l.weight.as_ref().is_none_or(|cur| rules.rank(w) < rules.rank(cur)) {
                        l.weight = Some(w.clone());
                    }
                    if !l.grounds.contains(&ground) {
                        l.grounds.push(ground.clone());
                    }
                }
                None => {
                    if let Some(e) = &r.exempt
                        && !l.exempt.contains(e)
                    {
                        l.exempt.push(e.clone());
                    }
                    if !l.grounds.contains(&ground) {
                        l.grounds.push(ground.clone());
                    }
                }
            }
        }
    }
    // ㈥ 不及时报告…加重责任: whoever failed to report has their heaviest responsibility raised.
    let steps = rules.cause.iter().find(|c| c.reporting).map_or(0, |c| c.aggravate);
    if steps > 0 {
        for l in lines.iter_mut().filter(|l| non_reporters.iter().any(|n| n.key == l.who.key)) {
            if let Some(w) = &l.weight {
                let rank = rules.rank(w).min(rules.weight.len().saturating_sub(1));
                let heavier = rank.saturating_sub(steps);
                l.weight = Some(rules.weight[heavier].code.clone());
                l.aggravated = true;
            }
        }
    }
    lines.sort_by_key(|l| (l.weight.as_ref().map_or(usize::MAX, |w| rules.rank(w)), l.who.label.clone()));
    Determination { lines, exempt_all }
}

#[cfg(test)]
mod tests;
