//! Security facilities (FAC-1..5): the catalogue of facility kinds, the standards per place kind and risk level,
//! and what a place lacks. Pure: the ledger's rows come in, the gaps go out.
use crate::DomainError;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Kind {
    pub code: String,
    pub name: String,
    /// Service life in months before replacement (0: none).
    pub life_months: i64,
    /// Regular check interval in months (0: none).
    pub check_months: i64,
    pub source: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Standard {
    /// outlet, vault, atm, van or monitoring_room.
    pub place: String,
    /// 1–3, or 0 for every level.
    pub risk: i64,
    pub kind: String,
    pub min: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Product {
    pub kind: String,
    pub model: String,
    pub maker: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Catalogue {
    pub kind: Vec<Kind>,
    pub standard: Vec<Standard>,
    #[serde(default)]
    pub product: Vec<Product>,
}

/// The kinds of place a facility belongs to.
pub const PLACE_KINDS: [(&str, &str); 5] = [
    ("outlet", "营业网点"),
    ("vault", "业务库"),
    ("atm", "自助银行/ATM"),
    ("van", "运钞车"),
    ("monitoring_room", "监控室"),
];

pub fn place_label(code: &str) -> &'static str {
    PLACE_KINDS.iter().find(|p| p.0 == code).map_or("—", |p| p.1)
}

impl Catalogue {
    pub fn validate(&self) -> Result<(), DomainError> {
        let bad = |zh: String, en: &str| DomainError::new("body", zh, en);
        for s in &self.standard {
            if !self.kind.iter().any(|k| k.code == s.kind) {
                return Err(bad(
                    format!("配置标准引用了未定义的设施类别：{}", s.kind),
                    "a standard names an unknown kind",
                ));
            }
            if !PLACE_KINDS.iter().any(|p| p.0 == s.place) || !(0..=3).contains(&s.risk) || s.min < 1 {
                return Err(bad(
                    format!("配置标准不正确：{} {} {}", s.place, s.kind, s.min),
                    "a standard is malformed",
                ));
            }
        }
        for k in &self.kind {
            if k.source.trim().is_empty() || k.life_months < 0 || k.check_months < 0 {
                return Err(bad(format!("设施类别{}须注明出处，年限不能为负", k.code), "each kind needs its source"));
            }
        }
        for p in &self.product {
            if !self.kind.iter().any(|k| k.code == p.kind) {
                return Err(bad(
                    format!("定点产品引用了未定义的设施类别：{}", p.kind),
                    "a product names an unknown kind",
                ));
            }
        }
        Ok(())
    }

    pub fn kind(&self, code: &str) -> Option<&Kind> {
        self.kind.iter().find(|k| k.code == code)
    }

    /// What a place of this kind and risk level must have: (facility kind, minimum count).
    pub fn required(&self, place: &str, risk: i64) -> Vec<(&str, i64)> {
        let mut out: Vec<(&str, i64)> = Vec::new();
        for s in self.standard.iter().filter(|s| s.place == place && (s.risk == 0 || s.risk <= risk)) {
            match out.iter_mut().find(|o| o.0 == s.kind) {
                Some(o) => o.1 = o.1.max(s.min),
                None => out.push((s.kind.as_str(), s.min)),
            }
        }
        out
    }
}

/// One facility item as the gap check sees it.
#[derive(Debug, Clone)]
pub struct Present {
    pub kind: String,
    pub count: i64,
    /// Working (not faulty, not retired).
    pub working: bool,
    /// The local day it expires, if it does.
    pub expires_day: Option<i64>,
}

/// A shortfall at a place: the kind, how many are required, how many count.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Gap {
    pub kind: String,
    pub need: i64,
    pub have: i64,
}

/// What a place lacks on `today`: items that are faulty or expired do not count.
pub fn gaps(cat: &Catalogue, place: &str, risk: i64, items: &[Present], today: i64) -> Vec<Gap> {
    cat.required(place, risk)
        .into_iter()
        .filter_map(|(kind, need)| {
            let have: i64 = items
                .iter()
                .filter(|i| i.kind == kind && i.working && i.expires_day.is_none_or(|e| e >= today))
                .map(|i| i.count)
                .sum();
            (have < need).then(|| Gap { kind: kind.to_owned(), need, have })
        })
        .collect()
}

labelled_enum!(
    /// Where an installation project stands (FAC-3, 篇五 三: the union approves, its security department or the
    /// regional centre accepts, and nothing is paid before the acceptance passes).
    ProjectStatus, "status", "项目状态", "project status" {
        Proposed => ("proposed", "待联社审批", "Awaiting the union's approval"),
        Approved => ("approved", "已批准待安装", "Approved, to be installed"),
        Rejected => ("rejected", "未批准", "Not approved"),
        Installed => ("installed", "已安装待验收", "Installed, awaiting acceptance"),
        Accepted => ("accepted", "验收合格，可付款", "Accepted, payable"),
        Failed => ("failed", "验收不合格", "Failed its acceptance"),
        Paid => ("paid", "已付款", "Paid"),
    }
);

labelled_enum!(
    /// A step of an installation project.
    ProjectStep, "step", "操作", "step" {
        Approve => ("approve", "批准", "Approve"),
        Reject => ("reject", "不批准", "Reject"),
        Install => ("install", "安装完成", "Installed"),
        Accept => ("accept", "验收合格", "Accept"),
        Fail => ("fail", "验收不合格", "Fail"),
        Pay => ("pay", "付款", "Pay"),
    }
);

impl ProjectStep {
    /// The status a project must be in for this step, and the one it moves to. Paying follows only a passed
    /// acceptance: there is no step from any other status to `Paid`.
    pub fn moves(self) -> (ProjectStatus, ProjectStatus) {
        use ProjectStatus as S;
        match self {
            Self::Approve => (S::Proposed, S::Approved),
            Self::Reject => (S::Proposed, S::Rejected),
            Self::Install => (S::Approved, S::Installed),
            Self::Accept => (S::Installed, S::Accepted),
            Self::Fail => (S::Installed, S::Failed),
            Self::Pay => (S::Accepted, S::Paid),
        }
    }

    /// Taken by the union above the place (approval, acceptance, payment); only the installation is reported by
    /// the place itself.
    pub fn by_the_union(self) -> bool {
        !matches!(self, Self::Install)
    }
}

labelled_enum!(
    /// Where a fault stands (FAC-4, CCTV-5; 第四十七条: repairs go through the union's security department).
    FaultStatus, "status", "故障状态", "fault status" {
        Reported => ("reported", "已报修，待保卫部派修", "Reported, awaiting dispatch"),
        Dispatched => ("dispatched", "已派修", "Dispatched"),
        Repaired => ("repaired", "已修复待验证", "Repaired, awaiting verification"),
        Verified => ("verified", "已验证", "Verified"),
    }
);

labelled_enum!(
    /// A step of a fault.
    FaultStep, "step", "操作", "step" {
        Dispatch => ("dispatch", "派修", "Dispatch"),
        Repaired => ("repaired", "已修复", "Repaired"),
        Verify => ("verify", "验证", "Verify"),
    }
);

impl FaultStep {
    /// The status a fault must be in for this step, and the one it moves to: no step skips another.
    pub fn moves(self) -> (FaultStatus, FaultStatus) {
        use FaultStatus as S;
        match self {
            Self::Dispatch => (S::Reported, S::Dispatched),
            Self::Repaired => (S::Dispatched, S::Repaired),
            Self::Verify => (S::Repaired, S::Verified),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cat() -> Catalogue {
        toml::from_str(include_str!("../../../rulebook/facilities.toml")).unwrap()
    }

    fn item(kind: &str, count: i64, working: bool, expires: Option<i64>) -> Present {
        Present { kind: kind.into(), count, working, expires_day: expires }
    }

    #[test]
    fn the_default_catalogue_is_valid() {
        cat().validate().unwrap();
        // A high-risk outlet also needs guard rails.
        assert!(cat().required("outlet", 3).iter().any(|r| r.0 == "guard_rail"));
        assert!(!cat().required("outlet", 1).iter().any(|r| r.0 == "guard_rail"));
    }

    #[test]
    fn faulty_and_expired_items_do_not_count() {
        let c = cat();
        let items = [
            item("vault_door", 1, true, None),
            item("vibration_alarm", 1, false, None),
            item("cctv", 1, true, Some(99)),
            item("alarm_110", 1, true, None),
            item("dehumidifier", 1, true, None),
            item("extinguisher", 1, true, Some(200)),
        ];
        let g = gaps(&c, "vault", 1, &items, 100);
        let kinds: Vec<&str> = g.iter().map(|g| g.kind.as_str()).collect();
        assert_eq!(kinds, vec!["vibration_alarm", "cctv"]);
    }

    #[test]
    fn project_steps_follow_the_lifecycle_and_pay_only_after_acceptance() {
        use ProjectStatus as S;
        assert_eq!(ProjectStep::Approve.moves(), (S::Proposed, S::Approved));
        assert_eq!(ProjectStep::Reject.moves(), (S::Proposed, S::Rejected));
        assert_eq!(ProjectStep::Install.moves(), (S::Approved, S::Installed));
        assert_eq!(ProjectStep::Accept.moves(), (S::Installed, S::Accepted));
        assert_eq!(ProjectStep::Fail.moves(), (S::Installed, S::Failed));
        assert_eq!(ProjectStep::Pay.moves(), (S::Accepted, S::Paid));
        let into_paid: Vec<_> = ProjectStep::ALL.iter().filter(|s| s.moves().1 == S::Paid).collect();
        assert_eq!(into_paid, [&ProjectStep::Pay]);
        assert!(!ProjectStep::Install.by_the_union());
        assert!(ProjectStep::ALL.iter().filter(|s| **s != ProjectStep::Install).all(|s| s.by_the_union()));
        assert_eq!(ProjectStep::parse("pay"), Ok(ProjectStep::Pay));
        assert!(ProjectStep::parse("steal").is_err());
        assert!(ProjectStatus::parse("lost").is_err(), "a stored status that does not parse is an error");
    }

    #[test]
    fn fault_steps_never_skip_one() {
        use FaultStatus as S;
        assert_eq!(FaultStep::Dispatch.moves(), (S::Reported, S::Dispatched));
        assert_eq!(FaultStep::Repaired.moves(), (S::Dispatched, S::Repaired));
        assert_eq!(FaultStep::Verify.moves(), (S::Repaired, S::Verified));
        for w in FaultStatus::ALL.windows(2) {
            assert!(FaultStep::ALL.iter().any(|s| s.moves() == (w[0], w[1])), "{w:?}");
        }
        assert!(FaultStep::parse("verify").is_ok() && FaultStep::parse("skip").is_err());
    }
}
