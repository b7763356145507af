//! The annual security work plan (RESP-4; 篇二《信用社2012年安全保卫工作年度计划》): items with the post that owns
//! them, the month they are due and, where a rule can judge them, that rule. An item's state is a pure function of its
//! due month, today and its progress — the rule's judgement over the unit's subtree, or what its owner reported.
use crate::DomainError;
use serde::{Deserialize, Serialize};

/// One item of the template (`rulebook/workplan.toml`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TemplateItem {
    pub section: String,
    pub title: String,
    /// A post code (`crate::staff::Position`).
    pub owner: String,
    pub due_month: i64,
    /// A rulebook rule id, or empty when the owner reports progress.
    pub rule: String,
    pub source: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Template {
    #[serde(rename = "item")]
    pub items: Vec<TemplateItem>,
}

impl Template {
    pub fn validate(&self) -> Result<(), DomainError> {
        if self.items.is_empty() {
            return Err(DomainError::new("item", "工作计划模板至少要有一条", "the template needs an item"));
        }
        for i in &self.items {
            crate::staff::Position::parse(&i.owner)?;
            if !(1..=12).contains(&i.due_month) || i.title.trim().is_empty() || i.source.trim().is_empty() {
                return Err(DomainError::new(
                    "item",
                    format!("工作计划条目“{}”须有名称、出处和1–12的完成月份", i.title),
                    "each item needs a title, a source and a due month 1–12",
                ));
            }
        }
        Ok(())
    }
}

labelled_enum!(
    /// Where an item stands.
    ItemState, "state", "进度状态", "item state" {
        Done => ("done", "已完成", "Done"),
        InProgress => ("in_progress", "进行中", "In progress"),
        Overdue => ("overdue", "逾期未完成", "Overdue"),
    }
);

/// What an item's progress is read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Progress {
    /// Reported by its owner, 0–100 %.
    Reported(i64),
    /// Its rule's items over the unit's subtree in the year: how many judged, how many met, how many overdue.
    Judged { judged: i64, met: i64, overdue: i64 },
}

/// The item's state on `today` (a local day), its due month ending on `due_end` (the first day after it).
pub fn state(progress: Progress, due_end: i64, today: i64) -> ItemState {
    let done = match progress {
        Progress::Reported(p) => p >= 100,
        Progress::Judged { judged, met, overdue } => judged > 0 && met == judged && overdue == 0,
    };
    if done {
        ItemState::Done
    } else if today >= due_end {
        ItemState::Overdue
    } else {
        ItemState::InProgress
    }
}

/// A reported percentage: a whole number 0–100.
pub fn parse_percent(raw: &str) -> Result<i64, DomainError> {
    raw.trim()
        .trim_end_matches('%')
        .parse::<i64>()
        .ok()
        .filter(|p| (0..=100).contains(p))
        .ok_or_else(|| DomainError::new("percent", "进度须为0–100之间的整数", "progress must be a whole number 0–100"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_item_is_done_when_reported_whole_or_its_rule_is_met_and_overdue_once_its_month_is_past() {
        let (due_end, before, after) = (31, 20, 40);
        assert_eq!(state(Progress::Reported(100), due_end, after), ItemState::Done);
        assert_eq!(state(Progress::Reported(99), due_end, before), ItemState::InProgress);
        assert_eq!(state(Progress::Reported(99), due_end, after), ItemState::Overdue);
        assert_eq!(state(Progress::Reported(0), due_end, due_end), ItemState::Overdue);
        let met = Progress::Judged { judged: 3, met: 3, overdue: 0 };
        assert_eq!(state(met, due_end, before), ItemState::Done);
        let partly = Progress::Judged { judged: 3, met: 2, overdue: 0 };
        assert_eq!(state(partly, due_end, before), ItemState::InProgress);
        assert_eq!(state(partly, due_end, after), ItemState::Overdue);
        let nothing = Progress::Judged { judged: 0, met: 0, overdue: 0 };
        assert_eq!(state(nothing, due_end, before), ItemState::InProgress);
        let missed = Progress::Judged { judged: 3, met: 3, overdue: 1 };
        assert_eq!(state(missed, due_end, after), ItemState::Overdue);
    }

    #[test]
    fn a_percentage_is_a_whole_number_up_to_100() {
        assert_eq!(parse_percent(" 60% "), Ok(60));
        for bad in ["", "101", "-1", "半", "50.5"] {
            assert_eq!(parse_percent(bad).map_err(|e| e.field), Err("percent"), "{bad}");
        }
    }

    #[test]
    fn the_shipped_template_is_sound() {
        let t: Template = toml::from_str(include_str!("../../../rulebook/workplan.toml")).expect("template");
        assert_eq!(t.validate(), Ok(()));
        let mut bad = t.clone();
        bad.items[0].due_month = 13;
        assert_eq!(bad.validate().map_err(|e| e.field), Err("item"));
        for blank in ["title", "source"] {
            let mut bad = t.clone();
            if blank == "title" {
                bad.items[0].title = " ".into();
            } else {
                bad.items[0].source = String::new();
            }
            assert_eq!(bad.validate().map_err(|e| e.field), Err("item"), "{blank}");
        }
        let mut bad = t;
        bad.items[0].owner = "janitor".into();
        assert!(bad.validate().is_err());
    }
}
