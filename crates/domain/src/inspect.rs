//! Inspections and hazards (INSP-1..6): the checklist template with points per item, scoring out of 100, the
//! inspection's lifecycle, and the hazard's lifecycle from notice to closure. Pure: the store keeps versions and rows.
use crate::DomainError;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[schema(as = ChecklistSection)]
#[serde(deny_unknown_fields)]
pub struct Section {
    pub code: String,
    pub title: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[schema(as = ChecklistItem)]
#[serde(deny_unknown_fields)]
pub struct Item {
    /// Unique in the checklist.
    pub code: String,
    /// The code of one of the checklist's sections.
    pub section: String,
    #[schema(pattern = r"^[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*$")]
    pub text: String,
    /// The most a failure of this item deducts; the items' points sum to 100.
    #[schema(minimum = 1, maximum = 100)]
    pub points: i64,
    /// `general` (一般隐患) or `major` (重大隐患).
    #[schema(schema_with = severities)]
    pub severity: String,
    /// The article the item checks.
    #[schema(pattern = r"^[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*$")]
    pub article: String,
}

/// The schema of a hazard's severity, as `Template::validate` accepts it.
fn severities() -> utoipa::openapi::Object {
    use utoipa::openapi::{ObjectBuilder, Type};
    ObjectBuilder::new().schema_type(Type::String).enum_values(Some(["general", "major"])).build()
}

/// A checklist template; every edit is a new version, and an inspection keeps the version it was made with.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[schema(as = Checklist)]
#[serde(deny_unknown_fields)]
pub struct Template {
    #[schema(pattern = r"^[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*$")]
    pub title: String,
    pub title_en: String,
    /// Days allowed to rectify a hazard, by default.
    #[schema(minimum = 1, maximum = 365)]
    pub rectify_days: i64,
    pub section: Vec<Section>,
    pub item: Vec<Item>,
}

fn bad(field: &'static str, zh: impl Into<String>, en: impl Into<String>) -> DomainError {
    DomainError::new(field, zh, en)
}

impl Template {
    pub fn validate(&self) -> Result<(), DomainError> {
        if self.title.trim().is_empty() {
            return Err(bad("title", "检查表须有名称", "the checklist needs a title"));
        }
        if !(1..=365).contains(&self.rectify_days) {
            return Err(bad("rectify_days", "整改期限须为1–365天", "rectify_days must be 1–365"));
        }
        let mut codes = std::collections::HashSet::new();
        for i in &self.item {
            if !codes.insert(i.code.as_str()) {
                return Err(bad("item", format!("检查项编号重复：{}", i.code), format!("duplicate item {}", i.code)));
            }
            if !self.section.iter().any(|s| s.code == i.section) {
                return Err(bad("item", format!("检查项{}的部分不存在：{}", i.code, i.section), "unknown section"));
            }
            if i.points < 1 {
                return Err(bad("item", format!("检查项{}的分值须≥1", i.code), "points must be ≥ 1"));
            }
            if i.article.trim().is_empty() || i.text.trim().is_empty() {
                return Err(bad(
                    "item",
                    format!("检查项{}须写明内容和依据条文", i.code),
                    "each item needs its text and article",
                ));
            }
            if i.severity != "general" && i.severity != "major" {
                return Err(bad(
                    "item",
                    format!("检查项{}的隐患等级须为 general 或 major", i.code),
                    "severity: general or major",
                ));
            }
        }
        let total: i64 = self.item.iter().map(|i| i.points).sum();
        if total != 100 {
            return Err(bad(
                "item",
                format!("各检查项分值合计须为100分（现为{total}分）"),
                format!("points must sum to 100, not {total}"),
            ));
        }
        Ok(())
    }

    pub fn item(&self, code: &str) -> Option<&Item> {
        self.item.iter().find(|i| i.code == code)
    }
}

/// What the inspector found for one item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Pass,
    Fail,
    NotApplicable,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ItemResult {
    pub outcome: Outcome,
    /// For a failure: points deducted (1 to the item's points; 0 when saved means the item's full points); 0
    /// otherwise.
    #[schema(minimum = 0, maximum = 100)]
    pub deduct: i64,
    /// What was found (required for a failure), one line of at most [`NOTE_MAX`] characters.
    #[serde(default)]
    #[schema(max_length = 200, pattern = r"^[^\x00-\x1f\x7f-\x9f]*$")]
    pub note: String,
}

/// The longest note of one item's result (the form's one-line field).
pub const NOTE_MAX: usize = 200;

/// Check the results against the template: every item answered, deductions within the item's points.
pub fn check_results(t: &Template, results: &BTreeMap<String, ItemResult>) -> Result<(), DomainError> {
    for code in results.keys() {
        if t.item(code).is_none() {
            return Err(bad(
                "results",
                format!("检查表中没有检查项{code}"),
                format!("no item {code} in the checklist"),
            ));
        }
    }
    for i in &t.item {
        let r = results.get(&i.code).ok_or_else(|| {
            bad(
                "results",
                format!("检查项{}（{}）尚未填写结果", i.code, i.text),
                format!("item {} has no result", i.code),
            )
        })?;
        if r.outcome == Outcome::Fail && !(1..=i.points).contains(&r.deduct) {
            return Err(bad(
                "results",
                format!("检查项{}的扣分须在1–{}分之间", i.code, i.points),
                format!("item {}: deduct 1–{} points", i.code, i.points),
            ));
        }
        if r.outcome != Outcome::Fail && r.deduct != 0 {
            return Err(bad("results", format!("检查项{}未判不合格，不能扣分", i.code), "only a failed item deducts"));
        }
        if r.outcome == Outcome::Fail && r.note.trim().is_empty() {
            return Err(bad("results", format!("检查项{}不合格，须写明存在的问题", i.code), "describe what failed"));
        }
    }
    Ok(())
}

/// The score out of 100 in tenths: 1000 × (applicable points − deductions) / applicable points, rounded. Items
/// not applicable are left out, so an outlet without an ATM is not marked down for it.
pub fn score_tenths(t: &Template, results: &BTreeMap<String, ItemResult>) -> i64 {
    let mut applicable = 0;
    let mut lost = 0;
    for i in &t.item {
        match results.get(&i.code).map(|r| (r.outcome, r.deduct)) {
            Some((Outcome::NotApplicable, _)) => {}
            Some((Outcome::Fail, d)) => {
                applicable += i.points;
                lost += d.min(i.points);
            }
            _ => applicable += i.points,
        }
    }
    if applicable == 0 {
        return 1000;
    }
    ((applicable - lost) * 2000 + applicable) / (2 * applicable)
}

/// An inspection: drafted (editable), signed by the inspector, countersigned by the outlet head (then final; a
/// correction is a new inspection).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum InspectionStatus {
    Draft,
    Signed,
    Countersigned,
}

impl InspectionStatus {
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "draft" => Self::Draft,
            "signed" => Self::Signed,
            "countersigned" => Self::Countersigned,
            _ => return None,
        })
    }
    pub fn code(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Signed => "signed",
            Self::Countersigned => "countersigned",
        }
    }
    pub fn label_zh(self) -> &'static str {
        match self {
            Self::Draft => "草稿",
            Self::Signed => "检查人已签字，待被检查单位负责人签字",
            Self::Countersigned => "双方已签字",
        }
    }
}

/// A hazard: open (notice issued) → rectified (by the outlet, with evidence) → closed when the inspector verifies,
/// or back to open with reasons.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum HazardStatus {
    Open,
    Rectified,
    Closed,
}

impl HazardStatus {
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "open" => Self::Open,
            "rectified" => Self::Rectified,
            "closed" => Self::Closed,
            _ => return None,
        })
    }
    pub fn code(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Rectified => "rectified",
            Self::Closed => "closed",
        }
    }
    pub fn label_zh(self) -> &'static str {
        match self {
            Self::Open => "待整改",
            Self::Rectified => "已整改待验证",
            Self::Closed => "已销号",
        }
    }
}

/// How far an unclosed hazard has been escalated: 0 none, 1 to the deputy in charge once the deadline has passed,
/// 2 to the leadership once it is `leadership_after_days` overdue (a rulebook number).
pub fn escalation(deadline_day: i64, today: i64, closed: bool, leadership_after_days: i64) -> u8 {
    if closed || today <= deadline_day {
        0
    } else if today - deadline_day > leadership_after_days {
        2
    } else {
        1
    }
}

/// 三不放过 (INSP-6): a hazard tied to a case closes only with its cause found and responsibility pursued.
pub fn check_three_nots(case_ref: &str, cause: &str, accountability: &str) -> Result<(), DomainError> {
    if case_ref.trim().is_empty() {
        return Ok(());
    }
    if cause.trim().is_empty() || accountability.trim().is_empty() {
        return Err(bad(
            "cause",
            "与案件关联的隐患须做到“三不放过”：原因未查清、责任未追究的不能销号（第一篇 一、(四)）",
            "a hazard tied to a case closes only with the cause found and responsibility pursued",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn template() -> Template {
        toml::from_str(include_str!("../../../rulebook/inspection.toml")).unwrap()
    }

    fn all(t: &Template, outcome: Outcome) -> BTreeMap<String, ItemResult> {
        t.item.iter().map(|i| (i.code.clone(), ItemResult { outcome, deduct: 0, note: String::new() })).collect()
    }

    #[test]
    fn the_default_checklist_is_valid_and_sums_to_100() {
        let t = template();
        t.validate().unwrap();
        assert_eq!(score_tenths(&t, &all(&t, Outcome::Pass)), 1000);
    }

    #[test]
    fn the_default_checklist_checks_every_article_of_business_hours_duty_and_cctv() {
        let t = template();
        // 第四条 has two items: the counter and doors (R1), and leaving one's post.
        assert!(t.item.iter().filter(|i| i.article == "第三篇 第四条").count() >= 2);
        for article in [
            "第三篇 第三条",
            "第三篇 第四条",
            "第三篇 第六条",
            "第三篇 第八条",
            "第三篇 第十条",
            "第三篇 第十五条",
            "第三篇 第十九条",
            "第五篇 第3题",
            "第三篇 第四十八条",
            "第三篇 第五十条",
        ] {
            assert!(t.item.iter().any(|i| i.article.contains(article)), "no item checks {article}");
        }
    }

    #[test]
    fn scores_are_scaled_over_the_items_that_apply() {
        let t = template();
        let mut r = all(&t, Outcome::Pass);
        // Fail R5 (8 points) fully and R1 (6 points) by 3: 100 - 11 = 89.0.
        r.insert("R5".into(), ItemResult { outcome: Outcome::Fail, deduct: 8, note: "两名管库员同班".into() });
        r.insert("R1".into(), ItemResult { outcome: Outcome::Fail, deduct: 3, note: "后门未锁".into() });
        check_results(&t, &r).unwrap();
        assert_eq!(score_tenths(&t, &r), 890);
        // Without an ATM, K4 and M4 (10 points) do not apply: (90 - 11) / 90 = 87.8.
        r.insert("K4".into(), ItemResult { outcome: Outcome::NotApplicable, deduct: 0, note: String::new() });
        r.insert("M4".into(), ItemResult { outcome: Outcome::NotApplicable, deduct: 0, note: String::new() });
        assert_eq!(score_tenths(&t, &r), 878);
    }

    #[test]
    fn a_deduction_beyond_the_items_points_or_a_missing_answer_is_refused() {
        let t = template();
        let mut r = all(&t, Outcome::Pass);
        r.insert("R1".into(), ItemResult { outcome: Outcome::Fail, deduct: 7, note: "x".into() });
        assert!(check_results(&t, &r).unwrap_err().message.contains("1–6"));
        r.remove("R1");
        assert!(check_results(&t, &r).is_err());
    }

    #[test]
    fn hazards_escalate_after_the_deadline_and_then_to_the_leadership() {
        assert_eq!(escalation(100, 100, false, 7), 0);
        assert_eq!(escalation(100, 101, false, 7), 1);
        assert_eq!(escalation(100, 108, false, 7), 2);
        assert_eq!(escalation(100, 120, true, 7), 0);
        assert!(check_three_nots("2026-案-3", "", "警告").is_err());
        assert!(check_three_nots("", "", "").is_ok());
    }
}
