//! Accounts proposed from the staff register: the role a person's posts give them at their unit ("谁主管、谁负责":
//! the head of a unit answers for it; the security department's officers act for the union it belongs to), and the
//! username rule. Pure: the app layer reads the register and writes the accounts.
use crate::access::Role;
use crate::ids::UnitId;
use crate::org::UnitKind;
use crate::staff::Position;

/// Where a person stands: their posts and their unit, with the unit's parent (a department's union).
#[derive(Debug, Clone, Copy)]
pub struct Placement<'a> {
    pub positions: &'a [Position],
    pub unit: UnitId,
    pub unit_kind: UnitKind,
    pub unit_name: &'a str,
    pub parent: Option<UnitId>,
    /// The unit names this person its 第一责任人.
    pub first_responsible: bool,
}

/// Is this unit a security department (保卫部, 安全保卫部…)? Departments are named, not typed, in the org tree.
pub fn is_security_department(kind: UnitKind, name: &str) -> bool {
    kind == UnitKind::Department && name.contains("保卫")
}

/// The role a person's posts give, and the unit it covers:
/// - a 保卫人员 (or the head) of a security department → 保卫部 over the union the department belongs to;
/// - a 主任 or 理事长 of a unit, or the person it names its 第一责任人 → 单位负责人 of that unit;
/// - everyone else → 员工 of their unit.
pub fn role_for(p: Placement<'_>) -> (Role, UnitId) {
    let holds = |x: Position| p.positions.contains(&x);
    if is_security_department(p.unit_kind, p.unit_name)
        && (holds(Position::SecurityOfficer) || holds(Position::Director))
        && let Some(union) = p.parent
    {
        return (Role::Security, union);
    }
    if holds(Position::Director) || holds(Position::Chairman) || p.first_responsible {
        return (Role::UnitHead, p.unit);
    }
    (Role::Staff, p.unit)
}

/// The username of a person's account: their staff number in lower case (staff numbers are unique and hold only
/// letters, digits and hyphens, which usernames allow), or with `.2`, `.3`… when an account already has that name.
pub fn username_for(staff_no: &str, taken: impl Fn(&str) -> bool) -> String {
    let base: String = staff_no.trim().to_ascii_lowercase().chars().take(28).collect();
    if !taken(&base) {
        return base;
    }
    (2..).map(|n| format!("{base}.{n}")).find(|u| !taken(u)).unwrap_or(base)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at<'a>(positions: &'a [Position], kind: UnitKind, name: &'a str) -> Placement<'a> {
        Placement {
            positions,
            unit: UnitId::new(9),
            unit_kind: kind,
            unit_name: name,
            parent: Some(UnitId::new(3)),
            first_responsible: false,
        }
    }

    #[test]
    fn a_head_answers_for_their_unit_and_a_security_officer_for_the_union_of_their_department() {
        assert_eq!(role_for(at(&[Position::Director], UnitKind::Outlet, "东街分社")), (Role::UnitHead, UnitId::new(9)));
        assert_eq!(
            role_for(at(&[Position::Chairman], UnitKind::County, "清河县联社")),
            (Role::UnitHead, UnitId::new(9))
        );
        assert_eq!(
            role_for(at(&[Position::SecurityOfficer], UnitKind::Department, "保卫部")),
            (Role::Security, UnitId::new(3))
        );
        assert_eq!(
            role_for(at(&[Position::Director], UnitKind::Department, "保卫部")),
            (Role::Security, UnitId::new(3))
        );
        // A security officer outside a security department, or a teller in one, is an employee.
        assert_eq!(
            role_for(at(&[Position::SecurityOfficer], UnitKind::Outlet, "东街分社")),
            (Role::Staff, UnitId::new(9))
        );
        assert_eq!(role_for(at(&[Position::Guard], UnitKind::Department, "保卫部")), (Role::Staff, UnitId::new(9)));
        assert_eq!(
            role_for(at(&[Position::Director], UnitKind::Department, "财务部")),
            (Role::UnitHead, UnitId::new(9))
        );
        assert_eq!(role_for(at(&[Position::Teller], UnitKind::Outlet, "东街分社")), (Role::Staff, UnitId::new(9)));
        let named = Placement { first_responsible: true, ..at(&[Position::Clerk], UnitKind::Outlet, "东街分社") };
        assert_eq!(role_for(named), (Role::UnitHead, UnitId::new(9)), "the unit's 第一责任人 heads it");
    }

    #[test]
    fn a_username_is_the_staff_number_with_a_suffix_only_on_a_clash() {
        assert_eq!(username_for("QH-0012", |_| false), "qh-0012");
        assert_eq!(username_for("QH-0012", |u| u == "qh-0012"), "qh-0012.2");
        assert_eq!(username_for("QH-0012", |u| u == "qh-0012" || u == "qh-0012.2"), "qh-0012.3");
    }
}
