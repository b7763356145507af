//! Cases and accountability (案件责任追究): the rules as data (`rulebook/accountability.toml` in this shape), a case's
//! lifecycle, reports climbing the tree with their deadlines, and the input limits of a case. Who is responsible is
//! decided in `incident/determine.rs`, from facts the app gathers from the records.
use crate::DomainError;
use crate::org::UnitKind;
use serde::{Deserialize, Serialize};

mod determine;
pub use determine::*;

/// The accountability rules: one version of `rulebook/accountability.toml`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Rules {
    pub title: String,
    pub title_en: String,
    pub reporting: Reporting,
    pub investigation: Investigation,
    pub kind: Vec<CaseKind>,
    pub weight: Vec<WeightDef>,
    pub party: Vec<PartyDef>,
    pub cause: Vec<CauseDef>,
    pub escalation: Escalation,
    pub exemption: Vec<ExemptionDef>,
    pub sanction: Vec<Labelled>,
    pub violation: Vec<ViolationType>,
}

/// Reports climb these levels, each within `hours_per_level` of receiving the report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reporting {
    pub hours_per_level: i64,
    /// The figure is Anbao's default, not the regulations' (they say 及时 / 立即).
    #[serde(default)]
    pub ours: bool,
    pub article: String,
    pub levels: Vec<UnitKind>,
    /// The violation type a late or missing report records.
    pub violation: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Investigation {
    pub lookback_days: i64,
    #[serde(default)]
    pub ours: bool,
    /// 第十条㈢: the record kinds that show an insider's education and supervision.
    #[serde(default)]
    pub insider_records: Vec<String>,
    /// 第十条㈣: the record kinds of a gun's custody, checks and cleaning.
    #[serde(default)]
    pub gun_records: Vec<String>,
    /// 第十二条㈠ "规章制度健全": the compliance rules of the responsibility systems, by id prefix.
    #[serde(default)]
    pub responsibility_rules: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CaseKind {
    pub code: String,
    pub label: String,
    pub label_en: String,
    /// One of the 四类 cases (theft, fraud, robbery, gun).
    #[serde(default)]
    pub four: bool,
    /// Also holds the county's main leader and the regional centre's head and deputy to account (INC-5).
    #[serde(default)]
    pub escalate: bool,
    /// The investigation covers the gun's custody (第十条㈣).
    #[serde(default)]
    pub gun: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WeightDef {
    pub code: String,
    pub label: String,
    pub label_en: String,
    /// The sanction proposed for this weight once decided.
    pub sanction: String,
}

/// How a party is named from the org tree and the records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Who {
    /// The people the investigator finds broke the rules.
    Violators,
    /// The first responsible person and deputy in charge of the case unit and its ancestors of `levels`.
    Leaders,
    /// The nearest department (walking up from the case unit) whose name is one of `names`, with its head.
    Departments,
    /// The department that issued the rectification notice the case falls under.
    Issuer,
    /// The heads of the units that reported late or not at all.
    NonReporter,
    /// The main leaders of the ancestors of `levels` (and a regional centre's deputy too).
    Escalation,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PartyDef {
    pub code: String,
    pub label: String,
    pub who: Who,
    #[serde(default)]
    pub levels: Vec<UnitKind>,
    #[serde(default)]
    pub names: Vec<String>,
}

/// A cause of 第十一条: which parties it makes responsible, and how.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CauseDef {
    pub code: String,
    pub article: String,
    pub text: String,
    /// (party code, weight code)
    pub parties: Vec<(String, String)>,
    /// The cause concerns the protective facilities (第十二条㈡㈢ can exempt it).
    #[serde(default)]
    pub facility: bool,
    /// Decided from the report chain, not marked by the investigator (第十一条㈥).
    #[serde(default)]
    pub reporting: bool,
    /// Steps a non-reporter's other responsibility is made heavier.
    #[serde(default)]
    pub aggravate: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Escalation {
    pub article: String,
    pub text: String,
    pub party: String,
    pub weight: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExemptionDef {
    pub code: String,
    pub article: String,
    pub text: String,
    #[serde(default)]
    pub within_exempts: Vec<String>,
    #[serde(default)]
    pub after: Vec<(String, String)>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Labelled {
    pub code: String,
    pub label: String,
}

/// How a fine is counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Per {
    /// 对责任人各处: each person responsible.
    Person,
    /// 发现一次: each time it is found.
    Instance,
    /// 每项: each item (a camera, an alarm).
    Item,
}

/// Who else answers for a violation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Joint {
    /// 单位负责人承担连带责任.
    UnitHead,
    /// 对单位领导及责任人各处.
    UnitLeader,
}

/// A violation type of the catalogue, with the regulations' minimum fine and the sanctions it may carry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ViolationType {
    pub code: String,
    pub title: String,
    pub article: String,
    /// The minimum fine in yuan; none when the regulations name no figure (the decider sets it).
    #[serde(default)]
    pub fine: Option<i64>,
    pub per: Per,
    #[serde(default)]
    pub sanctions: Vec<String>,
    /// The sanction at least, when the violation caused a loss (第4题: 记过以上).
    #[serde(default)]
    pub loss_sanction: Option<String>,
    #[serde(default)]
    pub joint: Option<Joint>,
    /// Record kinds whose flagged breach is this violation.
    #[serde(default)]
    pub from_records: Vec<String>,
    /// Inspection checklist items whose failure is this violation.
    #[serde(default)]
    pub from_items: Vec<String>,
}

fn bad(msg: String) -> DomainError {
    DomainError::new("rules", format!("责任追究规则有误：{msg}"), format!("accountability rules: {msg}"))
}

impl Rules {
    /// Every reference inside the rules must resolve, so a determination never meets an unknown code.
    pub fn check(&self) -> Result<(), DomainError> {
        if self.reporting.hours_per_level <= 0 || self.reporting.hours_per_level > 24 * 30 {
            return Err(bad("每级上报时限须在1小时至30天之间".into()));
        }
        if self.reporting.levels.is_empty() {
            return Err(bad("至少须有一个上报层级".into()));
        }
        if self.investigation.lookback_days <= 0 || self.investigation.lookback_days > 3650 {
            return Err(bad("调查回看天数须在1至3650之间".into()));
        }
        let inv = &self.investigation;
        if let Some(k) =
            inv.insider_records.iter().chain(&inv.gun_records).find(|k| crate::records::RecordKind::parse(k).is_err())
        {
            return Err(bad(format!("调查调阅的记录类别“{k}”不存在")));
        }
        if inv.responsibility_rules.trim().is_empty() {
            return Err(bad("须指明责任制度事项的规则编号前缀".into()));
        }
        if self.kind.is_empty() || self.weight.is_empty() {
            return Err(bad("须有案件类别和责任轻重".into()));
        }
        let party = |c: &str| self.party.iter().any(|p| p.code == c);
        let weight = |c: &str| self.weight.iter().any(|w| w.code == c);
        let sanction = |c: &str| self.sanction.iter().any(|s| s.code == c);
        let pairs =
            self.cause.iter().flat_map(|c| c.parties.iter()).chain(self.exemption.iter().flat_map(|e| &e.after));
        for (p, w) in pairs.chain(std::iter::once(&(self.escalation.party.clone(), self.escalation.weight.clone()))) {
            if !party(p) {
                return Err(bad(format!("未知的责任主体 {p}")));
            }
            if !weight(w) {
                return Err(bad(format!("未知的责任轻重 {w}")));
            }
        }
        for p in self.exemption.iter().flat_map(|e| &e.within_exempts) {
            if !party(p) {
                return Err(bad(format!("未知的责任主体 {p}")));
            }
        }
        for w in &self.weight {
            if !sanction(&w.sanction) {
                return Err(bad(format!("未知的纪律处分 {}", w.sanction)));
            }
        }
        for v in &self.violation {
            if let Some(s) = v.sanctions.iter().chain(v.loss_sanction.iter()).find(|s| !sanction(s)) {
                return Err(bad(format!("违规类型 {} 的处分 {s} 未定义", v.code)));
            }
            if v.fine.is_some_and(|f| f < 0) {
                return Err(bad(format!("违规类型 {} 的罚款不能为负", v.code)));
            }
        }
        if !self.violation.iter().any(|v| v.code == self.reporting.violation) {
            return Err(bad(format!("未定义迟报违规类型 {}", self.reporting.violation)));
        }
        if self.cause.iter().filter(|c| c.reporting).count() > 1 {
            return Err(bad("只能有一项由上报记录认定的原因".into()));
        }
        Ok(())
    }

    pub fn kind(&self, code: &str) -> Result<&CaseKind, DomainError> {
        self.kind.iter().find(|k| k.code == code.trim()).ok_or_else(|| {
            DomainError::new("kind", format!("未知的案件类别：{code}"), format!("unknown case kind: {code}"))
        })
    }

    pub fn violation_type(&self, code: &str) -> Option<&ViolationType> {
        self.violation.iter().find(|v| v.code == code)
    }

    pub fn weight_label(&self, code: &str) -> String {
        self.weight.iter().find(|w| w.code == code).map_or_else(|| code.to_owned(), |w| w.label.clone())
    }

    pub fn sanction_label(&self, code: &str) -> String {
        self.sanction.iter().find(|s| s.code == code).map_or_else(|| code.to_owned(), |s| s.label.clone())
    }

    /// The sanction a weight proposes.
    pub fn sanction_for(&self, weight: &str) -> Option<&str> {
        self.weight.iter().find(|w| w.code == weight).map(|w| w.sanction.as_str())
    }

    /// Where a weight stands, heaviest first; unknown weights sort last.
    pub fn rank(&self, weight: &str) -> usize {
        self.weight.iter().position(|w| w.code == weight).unwrap_or(usize::MAX)
    }

    /// The violation type an inspection item's failure is.
    pub fn violation_for_item(&self, item: &str) -> Option<&ViolationType> {
        self.violation.iter().find(|v| v.from_items.iter().any(|i| i == item))
    }

    /// The violation type a flagged record of this kind is.
    pub fn violation_for_record(&self, kind: &str) -> Option<&ViolationType> {
        self.violation.iter().find(|v| v.from_records.iter().any(|k| k == kind))
    }

    pub fn cause_def(&self, code: &str) -> Option<&CauseDef> {
        self.cause.iter().find(|c| c.code == code)
    }
}

labelled_enum!(
    /// Where a case stands (INC-1, INSP-6). It is reported on entry, investigated, a determination proposed and then
    /// decided by a person the union authorises, and it closes only under 三不放过.
    CaseStatus, "status", "案件状态", "case status" {
        Reported => ("reported", "已登记上报", "Reported"),
        Investigating => ("investigating", "调查中", "Under investigation"),
        Proposed => ("proposed", "已提出认定意见", "Determination proposed"),
        Decided => ("decided", "已认定", "Determination decided"),
        Closed => ("closed", "已结案", "Closed"),
    }
);

impl CaseStatus {
    /// The moves a case may make. A proposal may go back to the investigation; a decision is final.
    pub fn moves(self) -> &'static [CaseStatus] {
        use CaseStatus::*;
        match self {
            Reported => &[Investigating],
            Investigating => &[Proposed],
            Proposed => &[Investigating, Decided],
            Decided => &[Closed],
            Closed => &[],
        }
    }

    pub fn to(self, next: CaseStatus) -> Result<CaseStatus, DomainError> {
        if self.moves().contains(&next) {
            Ok(next)
        } else {
            Err(DomainError::new(
                "status",
                format!("案件当前为“{}”，不能改为“{}”", self.label_zh(), next.label_zh()),
                format!("a case that is {} cannot become {}", self.label_en(), next.label_en()),
            ))
        }
    }
}

labelled_enum!(
    /// Where a case is kept (the outlet, the vault, the van, an ATM).
    CasePlace, "place", "案发部位", "place" {
        Outlet => ("outlet", "营业场所", "Business premises"),
        Vault => ("vault", "金库", "Vault"),
        Van => ("van", "运钞车/押运途中", "Cash van / on escort"),
        Atm => ("atm", "自助设备", "ATM"),
        Other => ("other", "其他", "Other"),
    }
);

labelled_enum!(
    /// Where a violation's penalty stands (INC-4): proposed from the records, then decided or waived by an
    /// authorised person with a reason.
    PenaltyStatus, "status", "处罚状态", "penalty status" {
        Proposed => ("proposed", "待决定", "Proposed"),
        Decided => ("decided", "已决定", "Decided"),
        Waived => ("waived", "不予处罚", "Waived"),
    }
);

/// A loss in yuan as typed (`1234.50`), kept in fen; negative, non-numeric or absurd figures are refused.
pub fn parse_loss(raw: &str) -> Result<i64, DomainError> {
    let raw = raw.trim().replace([',', '，'], "");
    if raw.is_empty() {
        return Ok(0);
    }
    let refuse = || {
        DomainError::new(
            "loss",
            "损失金额须为不小于0的数字（元，至多两位小数）",
            "the loss must be a number of yuan, 0 or more",
        )
    };
    let (whole, frac) = raw.split_once('.').unwrap_or((&raw, ""));
    if whole.is_empty()
        || frac.len() > 2
        || !whole.bytes().all(|b| b.is_ascii_digit())
        || !frac.bytes().all(|b| b.is_ascii_digit())
    {
        return Err(refuse());
    }
    let yuan: i64 = whole.parse().map_err(|_| refuse())?;
    // A hundred billion yuan is beyond any one case; a larger figure is a typing slip.
    if yuan > 100_000_000_000 {
        return Err(refuse());
    }
    let fen: i64 = format!("{frac:0<2}").parse().map_err(|_| refuse())?;
    Ok(yuan * 100 + fen)
}

/// A fine in whole yuan, as an authorised person decides it: not negative, not absurd.
pub fn parse_fine(raw: &str) -> Result<Option<i64>, DomainError> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    match raw.parse::<i64>() {
        Ok(v) if (0..=10_000_000).contains(&v) => Ok(Some(v)),
        _ => Err(DomainError::new(
            "fine",
            "罚款须为0至一千万之间的整数（元）",
            "the fine must be whole yuan, 0 to 10,000,000",
        )),
    }
}

/// The report to `level` (counting from 1) was due this many ms after the case time: each level has its hours.
pub fn report_due(occurred_at: i64, level: usize, hours_per_level: i64) -> i64 {
    occurred_at + (level as i64) * hours_per_level * 3_600_000
}

/// The case number: the year and a running number (`AJ2026-0007`).
pub fn case_no(year: i32, n: i64) -> String {
    format!("AJ{year}-{n:04}")
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn default_rules() -> Rules {
        let text = include_str!("../../../rulebook/accountability.toml");
        toml::from_str(text).expect("the default accountability rules parse")
    }

    #[test]
    fn the_default_rules_parse_and_every_reference_resolves() {
        let r = default_rules();
        r.check().unwrap();
        assert_eq!(r.cause.len(), 6);
        assert!(r.kind("robbery").unwrap().four);
        assert!(r.kind("fire").is_ok_and(|k| !k.four && !k.escalate));
        assert!(r.kind("unknown").is_err());
    }

    #[test]
    fn the_seeds_fines_and_sanctions_are_the_defaults() {
        let r = default_rules();
        let fine = |c: &str| r.violation_type(c).and_then(|v| v.fine);
        assert_eq!(fine("vouchers_seals_left"), Some(1000));
        assert_eq!(fine("safety_officer_missed"), Some(300));
        assert_eq!(fine("register_not_kept"), Some(100));
        assert_eq!(fine("vault_single_person"), Some(500));
        assert_eq!(fine("vault_keys_not_vertical"), Some(200));
        assert_eq!(fine("vault_keys_taken_out"), Some(500));
        assert_eq!(fine("vault_unlocked_business_hours"), Some(500));
        assert_eq!(fine("vault_unlocked_after_hours"), Some(1000));
        assert_eq!(fine("vault_sundries"), Some(100));
        assert_eq!(fine("vault_flammables"), Some(1000));
        assert_eq!(fine("cctv_alarm_off"), Some(200));
        assert_eq!(fine("interlock_misuse"), Some(200));
        assert_eq!(r.violation_type("safety_officer_missed").and_then(|v| v.joint), Some(Joint::UnitHead));
        assert_eq!(
            r.violation_type("vouchers_seals_left").and_then(|v| v.loss_sanction.clone()).as_deref(),
            Some("demerit")
        );
        let sanctions: Vec<&str> = r.sanction.iter().map(|s| s.label.as_str()).collect();
        assert_eq!(sanctions, ["警告", "记过", "记大过", "降级", "撤职", "留用察看", "开除"]);
        assert_eq!(r.violation_for_item("M5").map(|v| v.code.as_str()), Some("interlock_misuse"));
        assert_eq!(r.violation_for_record("night_check").map(|v| v.code.as_str()), Some("night_check_unverified"));
    }

    #[test]
    fn rules_with_a_dangling_reference_are_refused() {
        let mut r = default_rules();
        r.cause[0].parties.push(("nobody".into(), "direct".into()));
        assert!(r.check().is_err());
        let mut r = default_rules();
        r.cause[1].parties[0].1 = "heavy".into();
        assert!(r.check().is_err());
        let mut r = default_rules();
        r.reporting.hours_per_level = 0;
        assert!(r.check().is_err());
        let mut r = default_rules();
        r.weight[0].sanction = "flogging".into();
        assert!(r.check().is_err());
        let mut r = default_rules();
        r.violation[0].fine = Some(-1);
        assert!(r.check().is_err());
        let mut r = default_rules();
        r.reporting.violation = "missing".into();
        assert!(r.check().is_err());
    }

    #[test]
    fn each_bound_of_the_rules_is_checked_at_its_edge() {
        let ok = |f: &dyn Fn(&mut Rules)| {
            let mut r = default_rules();
            f(&mut r);
            r.check().is_ok()
        };
        assert!(ok(&|r| r.reporting.hours_per_level = 24 * 30));
        assert!(!ok(&|r| r.reporting.hours_per_level = 24 * 30 + 1));
        assert!(!ok(&|r| r.reporting.hours_per_level = -2));
        assert!(ok(&|r| r.reporting.hours_per_level = 1));
        assert!(!ok(&|r| r.reporting.levels.clear()));
        assert!(ok(&|r| r.investigation.lookback_days = 3650));
        assert!(!ok(&|r| r.investigation.lookback_days = 3651));
        assert!(!ok(&|r| r.investigation.lookback_days = 0));
        assert!(!ok(&|r| r.investigation.insider_records.push("exam".into())));
        assert!(!ok(&|r| r.investigation.gun_records.push("gun_polish".into())));
        assert!(ok(&|r| r.investigation.gun_records.push("weapon_use".into())));
        assert!(!ok(&|r| r.investigation.responsibility_rules = " ".into()));
        assert!(ok(&|r| r.investigation.lookback_days = 1));
        assert!(!ok(&|r| r.kind.clear()));
        assert!(!ok(&|r| r.weight.truncate(0)));
        assert!(!ok(&|r| r.exemption[1].within_exempts.push("ghost".into())));
        assert!(!ok(&|r| r.violation[0].loss_sanction = Some("flogging".into())));
        assert!(ok(&|r| r.violation[0].fine = Some(0)));
        assert!(!ok(&|r| r.cause[0].reporting = true));
        assert!(!ok(&|r| r.escalation.weight = "heavy".into()));
    }

    #[test]
    fn labels_and_lookups_answer_from_the_rules() {
        let r = default_rules();
        assert_eq!(r.weight_label("primary"), "主要责任");
        assert_eq!(r.weight_label("nope"), "nope");
        assert_eq!(r.sanction_label("major_demerit"), "记大过");
        assert_eq!(r.sanction_label("nope"), "nope");
        assert_eq!(r.sanction_for("direct"), Some("demerit"));
        assert_eq!(r.sanction_for("nope"), None);
        assert_eq!(r.cause_def("c3").map(|c| c.article.as_str()), Some("第三篇 办法 第十一条㈢"));
        assert!(r.cause_def("c9").is_none());
        assert!(r.rank("direct") < r.rank("secondary"));
        assert_eq!(r.rank("nope"), usize::MAX);
        assert_eq!(parse_loss("100000000000"), Ok(10_000_000_000_000));
    }

    #[test]
    fn a_case_moves_only_along_its_lifecycle() {
        use CaseStatus::*;
        assert_eq!(Reported.to(Investigating), Ok(Investigating));
        assert!(Reported.to(Decided).is_err());
        assert!(Investigating.to(Closed).is_err());
        assert_eq!(Proposed.to(Investigating), Ok(Investigating));
        assert_eq!(Proposed.to(Decided), Ok(Decided));
        assert_eq!(Decided.to(Closed), Ok(Closed));
        assert!(Decided.to(Investigating).is_err());
        assert!(Closed.moves().is_empty());
    }

    #[test]
    fn a_loss_is_yuan_with_at_most_two_decimals_and_never_negative() {
        assert_eq!(parse_loss(""), Ok(0));
        assert_eq!(parse_loss("1,234.5"), Ok(123_450));
        assert_eq!(parse_loss("80000"), Ok(8_000_000));
        assert_eq!(parse_loss("0.07"), Ok(7));
        for bad in ["-5", "abc", "1.234", ".5", "1e5", "200000000000"] {
            assert!(parse_loss(bad).is_err(), "{bad}");
        }
        assert_eq!(parse_fine(" 500 "), Ok(Some(500)));
        assert_eq!(parse_fine(""), Ok(None));
        assert!(parse_fine("-1").is_err());
        assert!(parse_fine("10000001").is_err());
    }

    #[test]
    fn each_level_has_its_hours_from_the_case_time() {
        assert_eq!(report_due(1_000, 1, 2), 1_000 + 7_200_000);
        assert_eq!(report_due(0, 3, 2), 3 * 7_200_000);
        assert_eq!(case_no(2026, 7), "AJ2026-0007");
    }
}
