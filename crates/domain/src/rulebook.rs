//! The rulebook: obligations from the regulations as data. A rule says what must be done (its kind and numbers),
//! for what (units, assets or persons), how often (its period), with what evidence, and which article requires it.
//! Nothing here hard-codes a number from the regulations: they all arrive in `Rule`.
use crate::DomainError;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RuleKind {
    /// At least `min_count` records per subject per period.
    Count,
    /// At least `coverage_pct` % of the target units below the subject visited per period.
    Coverage,
    /// The latest evidence is younger than `validity_months`.
    Validity,
    /// Recordings kept at least `retention_days`, as reported by the evidence.
    Retention,
    /// Evidence exists by the end of `deadline_month` of the period.
    Deadline,
    /// Each record names two distinct people meeting the position constraints.
    TwoPerson,
    /// Someone at the unit holds one of `positions` (第四十二条: an outlet with CCTV has its named administrator),
    /// judged from the staff records as they stand.
    Post,
    /// A bound the software enforces when a record is entered (`amount` in yuan, business `hours`), never a due
    /// item: the large-withdrawal threshold, the hours outside which nobody enters a vault.
    Limit,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Subject {
    Unit,
    Asset,
    Person,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PeriodKind {
    Day,
    Week,
    Month,
    Quarter,
    HalfYear,
    Year,
    /// Each run of listed holidays in the union's calendar (春节, 国庆节…): the periods of holiday-duty checks.
    Holiday,
}

impl PeriodKind {
    pub fn label_zh(self) -> &'static str {
        match self {
            PeriodKind::Day => "每日",
            PeriodKind::Week => "每周",
            PeriodKind::Month => "每月",
            PeriodKind::Quarter => "每季度",
            PeriodKind::HalfYear => "每半年",
            PeriodKind::Year => "每年",
            PeriodKind::Holiday => "每个节假日",
        }
    }
    pub fn label_en(self) -> &'static str {
        match self {
            PeriodKind::Day => "daily",
            PeriodKind::Week => "weekly",
            PeriodKind::Month => "monthly",
            PeriodKind::Quarter => "quarterly",
            PeriodKind::HalfYear => "half-yearly",
            PeriodKind::Year => "yearly",
            PeriodKind::Holiday => "each holiday",
        }
    }
}

/// Whose visits fill a coverage rule's quota.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum VisitsBy {
    /// Anyone recording at a unit in the bound unit's subtree.
    #[default]
    Subtree,
    /// Only records made at the bound unit itself: its leaders, not a department head or a cooperative director.
    Unit,
    /// Records made at the bound unit or one of its departments (the county's security department, 保卫部).
    UnitOrDepartments,
}

impl VisitsBy {
    pub fn label(self, en: bool) -> &'static str {
        match (self, en) {
            (VisitsBy::Subtree, false) => "辖内任何人员的检查",
            (VisitsBy::Subtree, true) => "visits by anyone in the subtree",
            (VisitsBy::Unit, false) => "仅本级单位人员的检查（不含部门、下级单位）",
            (VisitsBy::Unit, true) => "only visits by the unit's own staff (not its departments or the units below)",
            (VisitsBy::UnitOrDepartments, false) => "本级单位及其部门（如保卫部）人员的检查",
            (VisitsBy::UnitOrDepartments, true) => "visits by the unit's own staff or its departments (e.g. 保卫部)",
        }
    }

    /// Whether a record made at unit `by` (of `by_kind`, under `by_parent`) counts for the bound unit `bound`, given
    /// that `by` is already known to lie in `bound`'s subtree.
    pub fn counts(self, by: i64, by_is_department: bool, by_parent: Option<i64>, bound: i64) -> bool {
        match self {
            VisitsBy::Subtree => true,
            VisitsBy::Unit => by == bound,
            VisitsBy::UnitOrDepartments => by == bound || (by_is_department && by_parent == Some(bound)),
        }
    }
}

/// One rule as the rulebook file and the editor hold it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    pub id: String,
    pub title: String,
    pub title_en: String,
    pub area: String,
    pub kind: RuleKind,
    pub subject: Subject,
    #[serde(default)]
    pub unit_kinds: Vec<String>,
    #[serde(default)]
    pub asset_kind: String,
    #[serde(default)]
    pub positions: Vec<String>,
    /// The posts that owe this duty ("联人、联岗", RESP-2): their holders at the unit see it on 我的待办 and are named
    /// as accountable for it. Empty: the unit's first responsible person owes it.
    #[serde(default)]
    pub owners: Vec<String>,
    #[serde(default)]
    pub key_position_only: bool,
    pub period: PeriodKind,
    pub evidence: String,
    #[serde(default)]
    pub subkind: String,
    #[serde(default)]
    pub min_count: i64,
    #[serde(default)]
    pub coverage_pct: i64,
    #[serde(default)]
    pub target_unit_kinds: Vec<String>,
    #[serde(default)]
    pub validity_months: i64,
    #[serde(default)]
    pub retention_days: i64,
    #[serde(default)]
    pub deadline_month: i64,
    #[serde(default)]
    pub forbid_same_position: Vec<String>,
    #[serde(default)]
    pub forbid_both_non_formal: bool,
    /// Only records with at least one photo or scan attached count (e.g. drills need image evidence).
    #[serde(default)]
    pub require_attachment: bool,
    /// For coverage: whose visits count — anyone's in the bound unit's subtree, or only the bound unit's own staff
    /// (with or without its departments). Each quota of 篇五 四 names that level's leaders, so visits by the leaders
    /// of the units below do not fill it.
    #[serde(default)]
    pub visits_by: VisitsBy,
    /// For daily rules: owed only on the union calendar's business days (duties of business hours: the opening and
    /// closing checks, two at the counter).
    #[serde(default)]
    pub business_days_only: bool,
    /// For daily counts of an asset's records: a record closer than this many minutes to another of the same asset
    /// that counts is kept as a repeat and counts once with it (two ATM patrols ten minutes apart are one patrol).
    /// 0: every record counts.
    #[serde(default)]
    pub spacing_minutes: i64,
    /// For limits: an amount of money in yuan.
    #[serde(default)]
    pub amount: i64,
    /// For limits: business hours as `HH:MM-HH:MM` (local time).
    #[serde(default)]
    pub hours: String,
    /// For limits: a number of days (the window for repeat offenders, the days before escalating to leadership).
    #[serde(default)]
    pub days: i64,
    /// For limits: hours of study a year each person should reach (TRN-3), read by the training-hours report.
    #[serde(default)]
    pub per_person_hours: i64,
    /// For limits: the youngest age a post may be held at (ORG-5: armed guards).
    #[serde(default)]
    pub min_age: i64,
    /// For limits: a special case (特殊情况, 第十七条) stated and approved by one of the rule's `positions` is an
    /// exception, not a violation (VAULT-5: an emergency entry after hours).
    #[serde(default)]
    pub special_case: bool,
    pub source: String,
    pub article: String,
}

fn bad(field: &'static str, zh: String, en: String) -> DomainError {
    DomainError::new(field, zh, en)
}

/// Business hours `HH:MM-HH:MM` as minutes after midnight, opening before closing.
pub fn parse_hours(raw: &str) -> Option<(i64, i64)> {
    let (a, b) = raw.trim().split_once('-')?;
    let m = |s: &str| -> Option<i64> {
        let (h, m) = s.trim().split_once(':')?;
        let (h, m): (i64, i64) = (h.parse().ok()?, m.parse().ok()?);
        ((0..24).contains(&h) && (0..60).contains(&m)).then_some(h * 60 + m)
    };
    let (a, b) = (m(a)?, m(b)?);
    (a < b).then_some((a, b))
}

impl Rule {
    /// Check a rule before it is stored: its numbers must make sense for its kind, and it must cite its article.
    pub fn validate(&self) -> Result<(), DomainError> {
        let id_ok = !self.id.is_empty()
            && self.id.len() <= 32
            && self.id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        if !id_ok {
            return Err(bad(
                "id",
                "规则编号只能包含字母、数字和连字符".into(),
                "rule id: letters, digits, hyphens".into(),
            ));
        }
        if self.title.trim().is_empty() || self.title.chars().count() > 80 {
            return Err(bad("title", "规则名称不能为空且不超过80个字".into(), "title: 1–80 characters".into()));
        }
        if self.source.trim().is_empty() || self.article.trim().is_empty() {
            return Err(bad(
                "article",
                "每条规则都必须注明出处（篇/条）并引用条文原文".into(),
                "every rule must cite its part/article and quote it".into(),
            ));
        }
        for (field, v, zh) in [
            ("min_count", self.min_count, "最少次数"),
            ("coverage_pct", self.coverage_pct, "覆盖率"),
            ("validity_months", self.validity_months, "有效期"),
            ("retention_days", self.retention_days, "保存天数"),
            ("deadline_month", self.deadline_month, "截止月份"),
        ] {
            if v < 0 {
                return Err(bad(field, format!("{zh}不能为负数"), format!("{field} cannot be negative")));
            }
        }
        let need = |ok: bool, field: &'static str, zh: &str, en: &str| {
            if ok { Ok(()) } else { Err(bad(field, zh.into(), en.into())) }
        };
        match self.kind {
            RuleKind::Count => {
                need(self.min_count >= 1, "min_count", "次数规则的最少次数须≥1", "a count rule needs min_count ≥ 1")?
            }
            RuleKind::Coverage => {
                need(
                    (1..=100).contains(&self.coverage_pct),
                    "coverage_pct",
                    "覆盖率须在1–100之间",
                    "coverage_pct must be 1–100",
                )?;
                need(
                    !self.target_unit_kinds.is_empty(),
                    "target_unit_kinds",
                    "覆盖规则须指明被覆盖的单位类型",
                    "name the target unit kinds",
                )?;
            }
            RuleKind::Validity => {
                need(self.validity_months >= 1, "validity_months", "有效期须≥1个月", "validity_months must be ≥ 1")?
            }
            RuleKind::Retention => {
                need(self.retention_days >= 1, "retention_days", "保存天数须≥1", "retention_days must be ≥ 1")?
            }
            RuleKind::Deadline => need(
                (1..=12).contains(&self.deadline_month),
                "deadline_month",
                "截止月份须在1–12之间",
                "deadline_month must be 1–12",
            )?,
            RuleKind::TwoPerson => {}
            RuleKind::Post => need(
                !self.positions.is_empty() && self.subject == Subject::Unit,
                "positions",
                "岗位配备规则须指明岗位，对象为单位",
                "a post rule names the posts, about units",
            )?,
            RuleKind::Limit => need(
                self.amount >= 1
                    || parse_hours(&self.hours).is_some()
                    || self.days >= 1
                    || self.per_person_hours >= 1
                    || self.min_age >= 1,
                "amount",
                "限额规则须给出金额（元）、营业时间（如 08:00-17:30）、天数或人均学时",
                "a limit needs an amount, business hours (08:00-17:30), a number of days or hours per person",
            )?,
        }
        if !self.hours.is_empty() && parse_hours(&self.hours).is_none() {
            return Err(bad("hours", "营业时间格式应为 08:00-17:30".into(), "hours: HH:MM-HH:MM".into()));
        }
        for p in self.positions.iter().chain(&self.owners) {
            crate::staff::Position::parse(p)?;
        }
        if self.subject == Subject::Asset && self.asset_kind.is_empty() {
            return Err(bad(
                "asset_kind",
                "以设备为对象的规则须指明设备类型".into(),
                "an asset rule needs asset_kind".into(),
            ));
        }
        if self.kind == RuleKind::Coverage && self.subject != Subject::Unit {
            return Err(bad("subject", "覆盖规则的对象必须是单位".into(), "a coverage rule is about units".into()));
        }
        if self.special_case && self.positions.is_empty() {
            return Err(bad(
                "positions",
                "允许特殊情况的规则须指明可在场确认的岗位".into(),
                "a rule allowing a special case names the posts that approve it".into(),
            ));
        }
        if self.business_days_only && self.period != PeriodKind::Day {
            return Err(bad(
                "business_days_only",
                "只有每日规则可以限定为营业日".into(),
                "only a daily rule can be owed on business days only".into(),
            ));
        }
        if self.spacing_minutes != 0
            && (self.kind != RuleKind::Count
                || self.subject != Subject::Asset
                || !(1..=1440).contains(&self.spacing_minutes))
        {
            return Err(bad(
                "spacing_minutes",
                "巡查间隔只适用于以设备为对象的次数规则，且须为1–1440分钟".into(),
                "a spacing applies to a count rule about assets, 1–1440 minutes".into(),
            ));
        }
        if self.period == PeriodKind::Holiday && !matches!(self.kind, RuleKind::Count | RuleKind::Coverage) {
            return Err(bad(
                "period",
                "按节假日计的规则须为次数或覆盖规则".into(),
                "a holiday-period rule counts or covers".into(),
            ));
        }
        Ok(())
    }

    pub fn label(&self, en: bool) -> &str {
        if en { &self.title_en } else { &self.title }
    }
}

/// The default rulebook file: `[[rule]]` tables.
#[derive(Debug, Clone, Deserialize)]
pub struct RulebookFile {
    pub rule: Vec<Rule>,
}

/// How a due item stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// The period has ended (or the requirement is already satisfied) and it was met.
    Met,
    /// The period has ended with some but not all of what was required.
    PartlyMet,
    /// The period has ended with nothing, or a breach was recorded.
    Overdue,
    /// The period is still running and not yet met.
    NotYetDue,
}

impl Status {
    pub fn label_zh(self) -> &'static str {
        match self {
            Status::Met => "已完成",
            Status::PartlyMet => "部分完成",
            Status::Overdue => "逾期未完成",
            Status::NotYetDue => "进行中",
        }
    }
    pub fn label_en(self) -> &'static str {
        match self {
            Status::Met => "met",
            Status::PartlyMet => "partly met",
            Status::Overdue => "overdue",
            Status::NotYetDue => "not yet due",
        }
    }
    pub fn code(self) -> &'static str {
        match self {
            Status::Met => "met",
            Status::PartlyMet => "partly_met",
            Status::Overdue => "overdue",
            Status::NotYetDue => "not_yet_due",
        }
    }
    /// Does this item count in a compliance percentage (only judged items do)?
    pub fn judged(self) -> bool {
        self != Status::NotYetDue
    }
}

/// Judge a count: `have` qualifying records against `need`, in a period that has or has not ended.
pub fn judge_count(have: i64, need: i64, ended: bool) -> Status {
    match (have >= need, ended, have > 0) {
        (true, _, _) => Status::Met,
        (false, false, _) => Status::NotYetDue,
        (false, true, true) => Status::PartlyMet,
        (false, true, false) => Status::Overdue,
    }
}

/// Judge coverage: `covered` of `targets` units visited, against `pct` percent.
pub fn judge_coverage(covered: i64, targets: i64, pct: i64, ended: bool) -> Status {
    if targets == 0 {
        return Status::Met;
    }
    // covered/targets ≥ pct/100, in integers.
    let met = covered * 100 >= pct * targets;
    match (met, ended, covered > 0) {
        (true, _, _) => Status::Met,
        (false, false, _) => Status::NotYetDue,
        (false, true, true) => Status::PartlyMet,
        (false, true, false) => Status::Overdue,
    }
}

/// Months between two local dates given as (year, month, day), counting a month as reached on the same day.
pub fn whole_months_between(from: (i32, i8, i8), to: (i32, i8, i8)) -> i64 {
    let mut m = (to.0 as i64 - from.0 as i64) * 12 + (to.1 as i64 - from.1 as i64);
    if to.2 < from.2 {
        m -= 1;
    }
    m
}

/// Is evidence dated `last` still valid on `on`, for `months`? Valid through the day before the anniversary.
pub fn still_valid(last: (i32, i8, i8), on: (i32, i8, i8), months: i64) -> bool {
    whole_months_between(last, on) < months
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_quota_naming_a_levels_leaders_counts_only_records_made_at_that_level() {
        // Bound unit 10 (a county); 11 its security department; 12 a cooperative below it.
        assert!(VisitsBy::Unit.counts(10, false, Some(1), 10));
        assert!(!VisitsBy::Unit.counts(11, true, Some(10), 10));
        assert!(!VisitsBy::Unit.counts(12, false, Some(10), 10));
        assert!(VisitsBy::UnitOrDepartments.counts(10, false, Some(1), 10));
        assert!(VisitsBy::UnitOrDepartments.counts(11, true, Some(10), 10));
        assert!(!VisitsBy::UnitOrDepartments.counts(12, false, Some(10), 10));
        assert!(!VisitsBy::UnitOrDepartments.counts(13, true, Some(12), 10), "a cooperative's department");
        assert!(VisitsBy::Subtree.counts(12, false, Some(10), 10));
        // The rule page says whose visits count, in either language.
        assert!(VisitsBy::Unit.label(false).contains("仅本级") && VisitsBy::Unit.label(true).contains("own staff"));
        assert!(VisitsBy::UnitOrDepartments.label(false).contains("保卫部"));
        assert!(VisitsBy::Subtree.label(false).contains("辖内"));
    }

    fn rule() -> Rule {
        Rule {
            id: "ATM-1".into(),
            title: "ATM每日巡查".into(),
            title_en: "ATM patrols".into(),
            area: "atm".into(),
            kind: RuleKind::Count,
            subject: Subject::Asset,
            unit_kinds: vec!["outlet".into()],
            asset_kind: "atm".into(),
            positions: vec![],
            owners: vec![],
            key_position_only: false,
            period: PeriodKind::Day,
            evidence: "atm_patrol".into(),
            subkind: String::new(),
            min_count: 6,
            coverage_pct: 0,
            target_unit_kinds: vec![],
            validity_months: 0,
            retention_days: 0,
            deadline_month: 0,
            forbid_same_position: vec![],
            forbid_both_non_formal: false,
            require_attachment: false,
            visits_by: VisitsBy::Subtree,
            business_days_only: false,
            spacing_minutes: 0,
            special_case: false,
            amount: 0,
            hours: String::new(),
            days: 0,
            per_person_hours: 0,
            min_age: 0,
            source: "篇二 四".into(),
            article: "自助设备每天巡查不少于6次".into(),
        }
    }

    #[test]
    fn a_count_rule_with_a_negative_or_zero_count_is_refused() {
        assert!(rule().validate().is_ok());
        let r = Rule { min_count: -1, ..rule() };
        assert_eq!(r.validate().map_err(|e| e.field), Err("min_count"));
        let r = Rule { min_count: 0, ..rule() };
        assert!(r.validate().is_err());
    }

    #[test]
    fn a_rules_id_title_and_numbers_are_checked_for_its_kind() {
        let field = |r: Rule| r.validate().err().map(|e| e.field);
        for id in ["", "a b", "ATM_1!", &"A".repeat(33)] {
            assert_eq!(field(Rule { id: id.into(), ..rule() }), Some("id"), "{id:?}");
        }
        assert_eq!(field(Rule { id: "A_1-b".into(), ..rule() }), None);
        assert_eq!(field(Rule { title: " ".into(), ..rule() }), Some("title"));
        assert_eq!(field(Rule { title: "巡".repeat(81), ..rule() }), Some("title"));
        assert_eq!(field(Rule { title: "巡".repeat(80), ..rule() }), None);
        let validity = |m| Rule { kind: RuleKind::Validity, validity_months: m, ..rule() };
        assert_eq!((field(validity(0)), field(validity(1))), (Some("validity_months"), None));
        let retention = |d| Rule { kind: RuleKind::Retention, retention_days: d, ..rule() };
        assert_eq!((field(retention(0)), field(retention(1))), (Some("retention_days"), None));
        let limit =
            |amount, hours: &str, days| Rule { kind: RuleKind::Limit, amount, hours: hours.into(), days, ..rule() };
        assert_eq!(field(limit(0, "", 0)), Some("amount"));
        assert_eq!(field(Rule { kind: RuleKind::Limit, per_person_hours: 10, ..rule() }), None);
        assert_eq!(field(limit(1, "", 0)), None);
        assert_eq!(field(limit(0, "08:00-17:30", 0)), None);
        assert_eq!(field(limit(0, "", 1)), None);
        assert_eq!(field(Rule { asset_kind: String::new(), ..rule() }), Some("asset_kind"));
        assert_eq!(field(Rule { asset_kind: String::new(), subject: Subject::Unit, ..rule() }), None);
    }

    #[test]
    fn a_rule_owed_by_an_unknown_post_is_refused() {
        let r = Rule { owners: vec!["cctv_admin".into()], ..rule() };
        assert!(r.validate().is_ok());
        let r = Rule { owners: vec!["janitor".into()], ..rule() };
        assert_eq!(r.validate().map_err(|e| e.field), Err("positions"));
    }

    #[test]
    fn a_spacing_is_for_a_count_of_an_assets_records_within_a_day() {
        assert!(Rule { spacing_minutes: 60, ..rule() }.validate().is_ok());
        assert!(Rule { spacing_minutes: 1, ..rule() }.validate().is_ok());
        assert!(Rule { spacing_minutes: 1440, ..rule() }.validate().is_ok());
        for bad in [-1, 1441] {
            assert_eq!(Rule { spacing_minutes: bad, ..rule() }.validate().map_err(|e| e.field), Err("spacing_minutes"));
        }
        let unit = Rule { subject: Subject::Unit, asset_kind: String::new(), spacing_minutes: 60, ..rule() };
        assert_eq!(unit.validate().map_err(|e| e.field), Err("spacing_minutes"));
        let coverage = Rule { kind: RuleKind::Validity, validity_months: 12, spacing_minutes: 60, ..rule() };
        assert_eq!(coverage.validate().map_err(|e| e.field), Err("spacing_minutes"));
    }

    #[test]
    fn a_rule_without_its_article_is_refused() {
        let r = Rule { article: " ".into(), ..rule() };
        assert_eq!(r.validate().map_err(|e| e.field), Err("article"));
    }

    #[test]
    fn coverage_needs_a_percentage_within_bounds() {
        let r = Rule {
            kind: RuleKind::Coverage,
            subject: Subject::Unit,
            coverage_pct: 120,
            target_unit_kinds: vec!["outlet".into()],
            ..rule()
        };
        assert!(r.validate().is_err());
        let r = Rule { coverage_pct: 60, ..r };
        assert!(r.validate().is_ok());
    }

    #[test]
    fn only_a_daily_rule_keeps_business_days_and_a_holiday_rule_counts_or_covers() {
        let daily = Rule { business_days_only: true, ..rule() };
        assert!(daily.validate().is_ok());
        let monthly = Rule { period: PeriodKind::Month, ..daily.clone() };
        assert_eq!(monthly.validate().err().map(|e| e.field), Some("business_days_only"));
        let holiday = Rule { period: PeriodKind::Holiday, business_days_only: false, ..rule() };
        assert!(holiday.validate().is_ok());
        let pair = Rule { kind: RuleKind::TwoPerson, ..holiday };
        assert_eq!(pair.validate().err().map(|e| e.field), Some("period"));
    }

    #[test]
    fn a_post_rule_names_its_posts_and_is_about_units() {
        let post =
            Rule { kind: RuleKind::Post, subject: Subject::Unit, positions: vec!["cctv_admin".into()], ..rule() };
        assert!(post.validate().is_ok());
        let none = Rule { positions: vec![], ..post.clone() };
        assert_eq!(none.validate().err().map(|e| e.field), Some("positions"));
        let asset = Rule { subject: Subject::Asset, ..post };
        assert!(asset.validate().is_err());
    }

    #[test]
    fn counts_are_met_partly_met_overdue_or_not_yet_due() {
        assert_eq!(judge_count(6, 6, true), Status::Met);
        assert_eq!(judge_count(7, 6, false), Status::Met);
        assert_eq!(judge_count(4, 6, true), Status::PartlyMet);
        assert_eq!(judge_count(0, 6, true), Status::Overdue);
        assert_eq!(judge_count(4, 6, false), Status::NotYetDue);
    }

    #[test]
    fn coverage_compares_fractions_exactly() {
        assert_eq!(judge_coverage(3, 5, 60, true), Status::Met);
        assert_eq!(judge_coverage(2, 5, 60, true), Status::PartlyMet);
        assert_eq!(judge_coverage(0, 5, 60, true), Status::Overdue);
        assert_eq!(judge_coverage(2, 3, 100, false), Status::NotYetDue);
        assert_eq!(judge_coverage(0, 0, 100, true), Status::Met);
    }

    #[test]
    fn validity_expires_on_the_anniversary() {
        assert!(still_valid((2025, 3, 15), (2026, 3, 14), 12));
        assert!(!still_valid((2025, 3, 15), (2026, 3, 15), 12));
        assert!(!still_valid((2024, 1, 1), (2026, 1, 1), 12));
    }
}
