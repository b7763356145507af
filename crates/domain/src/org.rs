//! The org tree: unit kinds, which kind may sit under which, unit names and materialised paths.
use crate::{DomainError, ids::UnitId, text};
use serde::{Deserialize, Serialize};

/// Kinds of unit, from the province union down to an outlet; departments hang under any unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum UnitKind {
    /// 省联社
    Province,
    /// 区域稽核审计中心
    RegionalCentre,
    /// 县联社 / 行社
    County,
    /// 信用社 / 分社
    Cooperative,
    /// 营业网点
    Outlet,
    /// 部门 (保卫部, 人事部…)
    Department,
}

impl UnitKind {
    pub const ALL: [UnitKind; 6] = [
        UnitKind::Province,
        UnitKind::RegionalCentre,
        UnitKind::County,
        UnitKind::Cooperative,
        UnitKind::Outlet,
        UnitKind::Department,
    ];

    pub fn code(self) -> &'static str {
        match self {
            UnitKind::Province => "province",
            UnitKind::RegionalCentre => "regional_centre",
            UnitKind::County => "county",
            UnitKind::Cooperative => "cooperative",
            UnitKind::Outlet => "outlet",
            UnitKind::Department => "department",
        }
    }

    pub fn parse(code: &str) -> Result<Self, DomainError> {
        Self::ALL.into_iter().find(|k| k.code() == code.trim()).ok_or_else(|| {
            DomainError::new("kind", format!("未知的单位类型：{code}"), format!("unknown unit kind: {code}"))
        })
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            UnitKind::Province => "省联社",
            UnitKind::RegionalCentre => "区域稽核审计中心",
            UnitKind::County => "县联社/行社",
            UnitKind::Cooperative => "信用社/分社",
            UnitKind::Outlet => "营业网点",
            UnitKind::Department => "部门",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            UnitKind::Province => "Province union",
            UnitKind::RegionalCentre => "Regional audit centre",
            UnitKind::County => "County union",
            UnitKind::Cooperative => "Cooperative",
            UnitKind::Outlet => "Outlet",
            UnitKind::Department => "Department",
        }
    }

    /// May a unit of this kind be placed under `parent` (None = the root of the tree)?
    /// The levels follow the union's hierarchy: a county union may report to a regional centre or straight to
    /// the province union; an outlet belongs to a cooperative or directly to a county union.
    pub fn may_sit_under(self, parent: Option<UnitKind>) -> bool {
        use UnitKind::*;
        match (self, parent) {
            (Province, None) => true,
            (_, None) => false,
            (_, Some(Department)) => false,
            (Department, Some(_)) => true,
            (RegionalCentre, Some(p)) => p == Province,
            (County, Some(p)) => matches!(p, Province | RegionalCentre),
            (Cooperative, Some(p)) => p == County,
            (Outlet, Some(p)) => matches!(p, County | Cooperative),
            (Province, Some(_)) => false,
        }
    }

    pub fn check_parent(self, parent: Option<UnitKind>) -> Result<(), DomainError> {
        if self.may_sit_under(parent) {
            return Ok(());
        }
        let (pz, pe) = parent.map_or(("根节点", "the root"), |p| (p.label_zh(), p.label_en()));
        Err(DomainError::new(
            "parent",
            format!("{}不能设在{}之下", self.label_zh(), pz),
            format!("a {} cannot sit under {}", self.label_en(), pe),
        ))
    }
}

/// A unit's name, e.g. "城关信用社营业部".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnitName(String);

impl UnitName {
    pub const MAX_CHARS: usize = 64;

    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        text::bounded("name", "单位名称", "Unit name", raw, Self::MAX_CHARS).map(Self)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Materialised path of a unit: the ids from the root down to it, as `/1/4/17/`.
/// A subtree is every unit whose path starts with the path of its top, which SQL answers with `LIKE 'p%'`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnitPath(String);

impl UnitPath {
    pub fn root(id: UnitId) -> Self {
        Self(format!("/{id}/"))
    }

    pub fn child(&self, id: UnitId) -> Self {
        Self(format!("{}{id}/", self.0))
    }

    pub fn from_stored(raw: String) -> Self {
        Self(raw)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn contains(&self, other: &UnitPath) -> bool {
        other.0.starts_with(&self.0)
    }

    pub fn depth(&self) -> usize {
        self.0.matches('/').count().saturating_sub(1)
    }

    /// Ids from the root down to this unit.
    pub fn ids(&self) -> Vec<UnitId> {
        self.0.split('/').filter_map(|s| s.parse::<i64>().ok()).map(UnitId::new).collect()
    }

    /// The path this unit would have if its subtree moved from `old_top` to `new_top`.
    pub fn rebased(&self, old_top: &UnitPath, new_top: &UnitPath) -> Option<UnitPath> {
        self.0.strip_prefix(&old_top.0).map(|rest| UnitPath(format!("{}{rest}", new_top.0)))
    }
}

/// Refuse a move that would put a unit under itself or one of its descendants.
pub fn check_move(moving: &UnitPath, new_parent: &UnitPath) -> Result<(), DomainError> {
    if moving.contains(new_parent) {
        return Err(DomainError::new(
            "parent",
            "不能把单位移动到它自己或它的下级单位之下",
            "a unit cannot move under itself or one of its descendants",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_province_union_may_be_the_root() {
        assert!(UnitKind::Province.may_sit_under(None));
        assert!(!UnitKind::Outlet.may_sit_under(None));
    }

    #[test]
    fn outlets_sit_under_cooperatives_or_county_unions_only() {
        assert!(UnitKind::Outlet.may_sit_under(Some(UnitKind::Cooperative)));
        assert!(UnitKind::Outlet.may_sit_under(Some(UnitKind::County)));
        assert!(!UnitKind::Outlet.may_sit_under(Some(UnitKind::Province)));
        assert!(!UnitKind::Outlet.may_sit_under(Some(UnitKind::Outlet)));
    }

    #[test]
    fn departments_hang_under_any_unit_but_nothing_under_a_department() {
        for k in UnitKind::ALL {
            assert!(UnitKind::Department.may_sit_under(Some(k)) || k == UnitKind::Department);
            assert!(!k.may_sit_under(Some(UnitKind::Department)));
        }
    }

    #[test]
    fn kind_codes_round_trip() {
        for k in UnitKind::ALL {
            assert_eq!(UnitKind::parse(k.code()), Ok(k));
        }
        assert!(UnitKind::parse("bank").is_err());
    }

    #[test]
    fn a_subtree_is_a_path_prefix() {
        let root = UnitPath::root(UnitId::new(1));
        let county = root.child(UnitId::new(4));
        let outlet = county.child(UnitId::new(17));
        assert_eq!(outlet.as_str(), "/1/4/17/");
        assert!(county.contains(&outlet));
        assert!(!outlet.contains(&county));
        assert_eq!(outlet.depth(), 3);
        assert_eq!(outlet.ids(), vec![UnitId::new(1), UnitId::new(4), UnitId::new(17)]);
        // "/1/4/" must not be taken to contain "/1/41/".
        assert!(!county.contains(&root.child(UnitId::new(41))));
    }

    #[test]
    fn a_unit_cannot_move_under_its_own_descendant() {
        let a = UnitPath::root(UnitId::new(1)).child(UnitId::new(2));
        let below = a.child(UnitId::new(3));
        assert!(check_move(&a, &below).is_err());
        assert!(check_move(&a, &a).is_err());
        assert!(check_move(&below, &UnitPath::root(UnitId::new(1))).is_ok());
    }

    #[test]
    fn rebasing_moves_the_whole_subtree() {
        let old = UnitPath::from_stored("/1/2/".into());
        let new = UnitPath::from_stored("/1/5/2/".into());
        let leaf = UnitPath::from_stored("/1/2/9/".into());
        assert_eq!(leaf.rebased(&old, &new).map(|p| p.0), Some("/1/5/2/9/".into()));
    }
}
