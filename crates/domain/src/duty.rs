//! The vault duty roster's rules (VAULT-1): every night two different guards, never two holding the posts the rule
//! forbids together (two 管库员), never two non-formal staff, never a person on leave. The posts and the non-formal
//! condition come from the rulebook's rule, so a union that edits the rule changes what the roster refuses.
use crate::DomainError;
use crate::staff::{Employment, Position};

/// The emergency plan's steps for the guards on vault duty, shown with the roster (处置突发事件应急预案 第四章).
/// The regulations as supplied keep only the end of 第十七条 and the whole of 第十八条 of that chapter.
pub const DUTY_PLAN: [(&str, &str, &[&str]); 2] = [
    (
        "预案 第十七条（节选）",
        "值班期间遭遇侵害",
        &[
            "联系请求支援，同时拿起自卫武器守住值班室门",
            "单位领导和公安部门赶到、经确认无误后，才能打开值班室门",
            "汇报有关情况，做好事后工作并作详细值班记录",
        ],
    ),
    (
        "预案 第十八条",
        "电线、电话线、报警线路遭到破坏",
        &["原因、情况不明时坚守岗位，不得开门外出", "用其它方式立即报警或大声呼救", "争取联防单位的支持"],
    ),
];

/// A person who may appear on the roster, with what the rules look at.
#[derive(Debug, Clone)]
pub struct Guard {
    pub id: i64,
    pub name: String,
    pub positions: Vec<Position>,
    pub employment: Employment,
    /// Leave as half-open day ranges `[from, to]` (inclusive of both days).
    pub leave: Vec<(i64, i64)>,
}

/// One night of the roster as entered.
#[derive(Debug, Clone, PartialEq)]
pub struct Night {
    pub day: i64,
    pub label: String,
    pub a: Option<i64>,
    pub b: Option<i64>,
}

/// What the rule demands, read from the rulebook's VAULT-1.
#[derive(Debug, Clone)]
pub struct RosterRule {
    pub forbid_same_position: Vec<String>,
    pub forbid_both_non_formal: bool,
    /// Where the rule comes from, quoted in every refusal.
    pub source: String,
}

/// Check a roster; every problem is listed, each with its day and its article.
pub fn check(nights: &[Night], people: &[Guard], rule: &RosterRule) -> Result<(), DomainError> {
    let mut zh = Vec::new();
    let mut en = Vec::new();
    let find = |id: i64| people.iter().find(|g| g.id == id);
    for n in nights {
        let (Some(a), Some(b)) = (n.a, n.b) else {
            zh.push(format!("{}：守库值班须有两人", n.label));
            en.push(format!("{}: two guards are needed", n.label));
            continue;
        };
        if a == b {
            zh.push(format!("{}：两名值班人员不能是同一人", n.label));
            en.push(format!("{}: the two guards must be different people", n.label));
            continue;
        }
        let (Some(ga), Some(gb)) = (find(a), find(b)) else {
            zh.push(format!("{}：所选人员不是本单位在岗员工", n.label));
            en.push(format!("{}: a guard is not active staff of this unit", n.label));
            continue;
        };
        for p in &rule.forbid_same_position {
            let both = [ga, gb].iter().all(|g| g.positions.iter().any(|x| x.code() == p));
            if both {
                let label = Position::ALL.iter().find(|x| x.code() == p).map_or(p.as_str(), |x| x.label_zh());
                zh.push(format!("{}：{}和{}都是{}，不得同时守库值班", n.label, ga.name, gb.name, label));
                en.push(format!(
                    "{}: {} and {} both hold post {p} and may not guard together",
                    n.label, ga.name, gb.name
                ));
            }
        }
        if rule.forbid_both_non_formal && ga.employment != Employment::Formal && gb.employment != Employment::Formal {
            zh.push(format!("{}：{}和{}都是非正式职工，不得同时守库值班", n.label, ga.name, gb.name));
            en.push(format!("{}: {} and {} are both non-formal staff", n.label, ga.name, gb.name));
        }
        for g in [ga, gb] {
            if g.leave.iter().any(|(f, t)| *f <= n.day && n.day <= *t) {
                zh.push(format!("{}：{}当天请假，不能排班", n.label, g.name));
                en.push(format!("{}: {} is on leave that day", n.label, g.name));
            }
        }
    }
    if zh.is_empty() {
        return Ok(());
    }
    Err(DomainError::new(
        "roster",
        format!("排班不符合《安全保卫制度》（{}）：{}", rule.source, zh.join("；")),
        format!("the roster breaks the regulations ({}): {}", rule.source, en.join("; ")),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn g(id: i64, name: &str, pos: &[Position], emp: Employment) -> Guard {
        Guard { id, name: name.into(), positions: pos.to_vec(), employment: emp, leave: vec![] }
    }

    fn rule() -> RosterRule {
        RosterRule {
            forbid_same_position: vec!["vault_keeper".into()],
            forbid_both_non_formal: true,
            source: "第三篇 第十二条、第十八条".into(),
        }
    }

    fn night(day: i64, a: i64, b: i64) -> Night {
        Night { day, label: format!("D{day}"), a: Some(a), b: Some(b) }
    }

    #[test]
    fn two_vault_keepers_on_one_night_are_refused_with_the_article() {
        let people = [
            g(1, "甲", &[Position::VaultKeeper], Employment::Formal),
            g(2, "乙", &[Position::VaultKeeper, Position::Teller], Employment::Formal),
            g(3, "丙", &[Position::Guard], Employment::Formal),
        ];
        let e = check(&[night(10, 1, 3), night(11, 1, 2)], &people, &rule()).unwrap_err();
        assert!(
            e.message.contains("D11") && e.message.contains("管库员") && e.message.contains("第十八条"),
            "{}",
            e.message
        );
        assert!(!e.message.contains("D10"));
        assert!(check(&[night(10, 1, 3)], &people, &rule()).is_ok());
    }

    #[test]
    fn two_non_formal_staff_a_missing_guard_and_leave_are_refused() {
        let mut people = vec![
            g(1, "甲", &[Position::Guard], Employment::ApprovedContract),
            g(2, "乙", &[Position::Teller], Employment::Trainee),
            g(3, "丙", &[Position::Guard], Employment::Formal),
        ];
        people[2].leave.push((20, 22));
        let nights = [night(1, 1, 2), Night { day: 2, label: "D2".into(), a: Some(1), b: None }, night(21, 1, 3)];
        let e = check(&nights, &people, &rule()).unwrap_err();
        assert!(e.message.contains("D1：甲和乙都是非正式职工"), "{}", e.message);
        assert!(e.message.contains("D2：守库值班须有两人"));
        assert!(e.message.contains("D21：丙当天请假"));
        // Once the rule stops forbidding it, two non-formal staff may guard together.
        let relaxed = RosterRule { forbid_both_non_formal: false, ..rule() };
        assert!(check(&[night(1, 1, 2)], &people, &relaxed).is_ok());
    }
}
