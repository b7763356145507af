//! Responsibility letters (责任书, RESP-1): each year every level signs with the one below, "横向到边、纵向到底" —
//! the province union with each regional centre, each centre with the chairmen of its county unions, each chairman
//! with the heads of the outlets and departments, each head with every post and employee of their unit
//! (篇五 一; 篇二 一、5; 第一篇 三、(二)). The cascade is a pure function of the org tree, so the signing plan of a
//! subtree can be computed, tested and regenerated without I/O.
use crate::DomainError;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

labelled_enum!(
    /// The two letters each person signs each year; the codes are the `resp_letter` evidence's sub-kinds, so the
    /// rulebook's RESP-1 rules (and their deadlines) name them.
    LetterKind, "kind", "责任书类型", "letter kind" {
        SecurityTarget => ("security_target", "安全目标责任书", "Security target responsibility letter"),
        FireSafety => ("fire_safety", "消防安全责任书", "Fire-safety responsibility letter"),
    }
);

labelled_enum!(
    /// A letter waits for its signer, then is signed once; a signed letter is never unsigned (a mistake is corrected
    /// by a note in the trail, not by erasing the signature).
    LetterStatus, "status", "签订状态", "letter status" {
        Pending => ("pending", "未签订", "Not signed"),
        Signed => ("signed", "已签订", "Signed"),
    }
);

labelled_enum!(
    /// How a letter was signed: by the signer in the system, or on paper with its scan uploaded.
    SignMethod, "method", "签订方式", "signing method" {
        InSystem => ("in_system", "系统内签订", "Signed in the system"),
        Scan => ("scan", "纸质签订（上传扫描件）", "Signed on paper (scan uploaded)"),
    }
);

impl LetterStatus {
    /// The only move: pending → signed.
    pub fn sign(self) -> Result<LetterStatus, DomainError> {
        match self {
            LetterStatus::Pending => Ok(LetterStatus::Signed),
            LetterStatus::Signed => {
                Err(DomainError::new("status", "该责任书已签订，不能重复签订", "this letter is already signed"))
            }
        }
    }
}

/// A year a letter plan may be made for.
pub fn parse_year(raw: &str) -> Result<i32, DomainError> {
    raw.trim().parse::<i32>().ok().filter(|y| (2000..=2100).contains(y)).ok_or_else(|| {
        DomainError::new("year", "年度须为2000–2100之间的年份", "the year must be between 2000 and 2100")
    })
}

/// A unit of the tree as the cascade needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanUnit {
    pub id: i64,
    pub parent_id: Option<i64>,
    /// The unit's first responsible person (第一责任人), if recorded.
    pub head: Option<i64>,
}

/// An active employee and their unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlanPerson {
    pub id: i64,
    pub unit_id: i64,
}

/// One letter of the plan: who signs, and with whom. `issuer` is None when the unit that issues has no first
/// responsible person recorded: the letter still stands, and its page says which post is vacant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlannedLetter {
    pub signer: i64,
    pub signer_unit: i64,
    pub issuer: Option<i64>,
    pub issuer_unit: i64,
}

/// The letters of a subtree. `units` holds the subtree and every ancestor of its root (the root's head signs with
/// the level above); `people` the active staff of the subtree. Each person signs exactly once:
/// - the head of a unit signs with the head of the unit above (a department's head with the head of the unit the
///   department belongs to), skipping a level whose head is the same person;
/// - everyone else signs with the head of their own unit (a department's staff with the department's head);
/// - the head of the top of the tree signs with nobody: they issue.
pub fn cascade(units: &[PlanUnit], people: &[PlanPerson]) -> Vec<PlannedLetter> {
    let by_id: HashMap<i64, &PlanUnit> = units.iter().map(|u| (u.id, u)).collect();
    let mut out = Vec::new();
    for p in people {
        let Some(unit) = by_id.get(&p.unit_id) else { continue };
        let planned = if unit.head == Some(p.id) {
            // Up the tree to the first unit whose head is someone else; a vacant head there is the vacancy named.
            let mut at = unit.parent_id.and_then(|id| by_id.get(&id));
            let mut found = None;
            while let Some(u) = at {
                if u.head != Some(p.id) {
                    found =
                        Some(PlannedLetter { signer: p.id, signer_unit: p.unit_id, issuer: u.head, issuer_unit: u.id });
                    break;
                }
                at = u.parent_id.and_then(|id| by_id.get(&id));
            }
            found
        } else {
            Some(PlannedLetter { signer: p.id, signer_unit: p.unit_id, issuer: unit.head, issuer_unit: unit.id })
        };
        out.extend(planned);
    }
    out
}

/// The letter's targets (the year's 目标 written by the issuing level): required, paragraphs kept.
pub fn parse_targets(raw: &str) -> Result<String, DomainError> {
    crate::text::paragraphs("targets", "责任目标", "Targets", raw, TARGETS_MAX)
}

/// Long enough for a letter's whole body of targets and duties.
pub const TARGETS_MAX: usize = 4000;

#[cfg(test)]
mod tests {
    use super::*;

    fn unit(id: i64, parent: Option<i64>, head: Option<i64>) -> PlanUnit {
        PlanUnit { id, parent_id: parent, head }
    }

    fn person(id: i64, unit_id: i64) -> PlanPerson {
        PlanPerson { id, unit_id }
    }

    /// Province 1 (head 10) → centre 2 (head 20) → county 3 (head 30) with its security department 4 (head 40)
    /// and outlet 5 (head 50, teller 51); outlet 6 has no head recorded (teller 61).
    fn tree() -> Vec<PlanUnit> {
        vec![
            unit(1, None, Some(10)),
            unit(2, Some(1), Some(20)),
            unit(3, Some(2), Some(30)),
            unit(4, Some(3), Some(40)),
            unit(5, Some(3), Some(50)),
            unit(6, Some(3), None),
        ]
    }

    fn letter(signer: i64, signer_unit: i64, issuer: Option<i64>, issuer_unit: i64) -> PlannedLetter {
        PlannedLetter { signer, signer_unit, issuer, issuer_unit }
    }

    #[test]
    fn each_level_signs_with_the_one_above_and_staff_with_their_head() {
        let people = [
            person(10, 1),
            person(11, 1),
            person(20, 2),
            person(30, 3),
            person(40, 4),
            person(41, 4),
            person(50, 5),
            person(51, 5),
            person(61, 6),
        ];
        assert_eq!(
            cascade(&tree(), &people),
            vec![
                // The province's deputy signs with its chairman; the chairman issues and signs nothing.
                letter(11, 1, Some(10), 1),
                letter(20, 2, Some(10), 1),
                letter(30, 3, Some(20), 2),
                letter(40, 4, Some(30), 3),
                letter(41, 4, Some(40), 4),
                letter(50, 5, Some(30), 3),
                letter(51, 5, Some(50), 5),
                // No head recorded at outlet 6: the letter names the vacancy by its unit.
                letter(61, 6, None, 6),
            ]
        );
    }

    #[test]
    fn a_person_heading_two_levels_signs_with_the_level_above_both() {
        let mut units = tree();
        units[3].head = Some(30); // the chairman also heads the security department
        let people = [person(30, 4)];
        assert_eq!(cascade(&units, &people), vec![letter(30, 4, Some(20), 2)]);
    }

    #[test]
    fn the_head_of_a_subtree_signs_with_the_level_above_it() {
        // A county's own plan still has its chairman sign with the centre: the ancestors are in `units`.
        let people = [person(30, 3), person(50, 5)];
        assert_eq!(cascade(&tree(), &people), vec![letter(30, 3, Some(20), 2), letter(50, 5, Some(30), 3)]);
    }

    #[test]
    fn a_signed_letter_cannot_be_signed_again() {
        assert_eq!(LetterStatus::Pending.sign(), Ok(LetterStatus::Signed));
        assert_eq!(LetterStatus::Signed.sign().map_err(|e| e.field), Err("status"));
    }

    #[test]
    fn targets_are_required_bounded_and_keep_their_lines() {
        assert_eq!(parse_targets(" 一、无案件。\r\n二、无火灾。 "), Ok("一、无案件。\n二、无火灾。".to_owned()));
        assert_eq!(parse_targets("  ").map_err(|e| e.field), Err("targets"));
        assert_eq!(parse_targets(&"责".repeat(TARGETS_MAX + 1)).map_err(|e| e.field), Err("targets"));
        assert!(parse_targets(&"责".repeat(TARGETS_MAX)).is_ok());
    }

    #[test]
    fn a_year_is_a_plain_year() {
        assert_eq!(parse_year(" 2026 "), Ok(2026));
        for bad in ["", "26", "1999", "2101", "二〇二六"] {
            assert_eq!(parse_year(bad).map_err(|e| e.field), Err("year"), "{bad}");
        }
    }
}
