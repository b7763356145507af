//! Who may do what: roles, the permissions they carry, and grants of a role at a unit covering its subtree.
use crate::{DomainError, ids::UnitId};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// 系统管理员: accounts, the whole tree.
    Admin,
    /// 保卫部: the security department; keeps org and staff records of its subtree.
    Security,
    /// 单位负责人: a unit's head; reads the subtree, keeps its staff records.
    UnitHead,
    /// 员工: reads own unit.
    Staff,
    /// 只读审计: reads everything in scope including the audit trail, changes nothing.
    Auditor,
}

/// What a request needs. Each maps to the roles that carry it; scope then narrows it to a subtree.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Permission {
    /// See units, staff, groups.
    OrgRead,
    /// Create, rename and move units; keep leadership groups.
    OrgWrite,
    /// Create and edit staff records.
    StaffWrite,
    /// Read the audit trail and run its verification.
    AuditRead,
    /// Create accounts and grant roles.
    AccountAdmin,
    /// Publish notices.
    NoticeWrite,
    /// Enter evidence records (patrols, checks, drills…) for units in scope.
    RecordWrite,
    /// Edit the union's rulebook (needs the whole tree as well).
    RulebookWrite,
}

impl Role {
    pub const ALL: [Role; 5] = [Role::Admin, Role::Security, Role::UnitHead, Role::Staff, Role::Auditor];

    pub fn code(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Security => "security",
            Role::UnitHead => "unit_head",
            Role::Staff => "staff",
            Role::Auditor => "auditor",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Role::Admin => "系统管理员",
            Role::Security => "保卫部",
            Role::UnitHead => "单位负责人",
            Role::Staff => "员工",
            Role::Auditor => "只读审计",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            Role::Admin => "System administrator",
            Role::Security => "Security department",
            Role::UnitHead => "Unit head",
            Role::Staff => "Employee",
            Role::Auditor => "Read-only auditor",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        let raw = raw.trim();
        Self::ALL
            .into_iter()
            .find(|r| r.code() == raw || r.label_zh() == raw)
            .ok_or_else(|| DomainError::new("role", format!("未知的角色：{raw}"), format!("unknown role: {raw}")))
    }

    pub fn grants(self, p: Permission) -> bool {
        use Permission::*;
        match self {
            Role::Admin => true,
            Role::Security => {
                matches!(p, OrgRead | OrgWrite | StaffWrite | AuditRead | NoticeWrite | RecordWrite | RulebookWrite)
            }
            Role::UnitHead => matches!(p, OrgRead | StaffWrite | RecordWrite),
            Role::Staff => matches!(p, OrgRead | RecordWrite),
            Role::Auditor => matches!(p, OrgRead | AuditRead),
        }
    }
}

impl Permission {
    /// The role codes that carry this permission, for the SQL scope filter.
    pub fn role_codes(self) -> Vec<&'static str> {
        Role::ALL.into_iter().filter(|r| r.grants(self)).map(Role::code).collect()
    }
}

/// A role granted to an account at a unit (None = the whole tree, only for the first administrator).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Grant {
    pub role: Role,
    pub unit_id: Option<UnitId>,
    /// The unit's materialised path, or None for the whole tree.
    pub unit_path: Option<String>,
}

/// The grants an account holds, checked in memory for single objects; lists filter the same way in SQL.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Scope {
    pub grants: Vec<Grant>,
}

impl Scope {
    /// Does any grant carrying `p` cover the unit at `path`?
    pub fn allows(&self, p: Permission, path: &str) -> bool {
        self.grants.iter().any(|g| g.role.grants(p) && g.unit_path.as_deref().is_none_or(|top| path.starts_with(top)))
    }

    /// Does a grant of one of `roles`, or of an administrator, cover the unit at `path`? For acts the regulations
    /// give to a post (the unit's head, the security department) rather than to everyone who enters records there.
    pub fn holds(&self, roles: &[Role], path: &str) -> bool {
        self.grants.iter().any(|g| {
            (g.role == Role::Admin || roles.contains(&g.role))
                && g.unit_path.as_deref().is_none_or(|top| path.starts_with(top))
        })
    }

    /// Does the account hold `p` anywhere at all (for showing a menu entry)?
    pub fn has_anywhere(&self, p: Permission) -> bool {
        self.grants.iter().any(|g| g.role.grants(p))
    }

    /// Is `p` held over the whole tree: a grant without a unit, or at the root unit (the province union)?
    /// Verifying the audit chain reads every row, so it needs this.
    pub fn covers_whole_tree(&self, p: Permission) -> bool {
        self.grants
            .iter()
            .any(|g| g.role.grants(p) && g.unit_path.as_deref().is_none_or(|t| t.matches('/').count() == 2))
    }

    /// Is `p` held over the whole tree (needed to create a new root)?
    pub fn has_global(&self, p: Permission) -> bool {
        self.grants.iter().any(|g| g.role.grants(p) && g.unit_path.is_none())
    }
}

/// A password chosen by a person; long enough to resist guessing at the throttled sign-in.
pub fn check_new_password(pw: &str) -> Result<(), DomainError> {
    let n = pw.chars().count();
    if n < 8 {
        return Err(DomainError::new("password", "密码至少需要8个字符", "password must be at least 8 characters"));
    }
    if n > 128 {
        return Err(DomainError::new("password", "密码不能超过128个字符", "password must be at most 128 characters"));
    }
    Ok(())
}

/// A username as account creation accepts it; sign-in and confirmation parse what they are sent the same way, so
/// nothing longer or stranger ever reaches the database or the audit trail.
pub fn parse_username(raw: &str) -> Result<String, DomainError> {
    let v = crate::text::bounded("username", "用户名", "Username", raw, 32)?;
    if !v.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.' || c == '-') {
        return Err(DomainError::new(
            "username",
            "用户名只能包含字母、数字、下划线、点和连字符",
            "username may hold only letters, digits, _ . -",
        ));
    }
    Ok(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grant(role: Role, path: Option<&str>) -> Grant {
        Grant { role, unit_id: None, unit_path: path.map(str::to_owned) }
    }

    #[test]
    fn a_grant_covers_its_subtree_only() {
        let s = Scope { grants: vec![grant(Role::UnitHead, Some("/1/4/"))] };
        assert!(s.allows(Permission::OrgRead, "/1/4/"));
        assert!(s.allows(Permission::OrgRead, "/1/4/17/"));
        assert!(!s.allows(Permission::OrgRead, "/1/5/"));
        assert!(!s.allows(Permission::OrgRead, "/1/"));
    }

    #[test]
    fn auditors_read_but_never_write() {
        let s = Scope { grants: vec![grant(Role::Auditor, Some("/1/"))] };
        assert!(s.allows(Permission::AuditRead, "/1/2/"));
        assert!(!s.allows(Permission::StaffWrite, "/1/2/"));
        assert!(!s.allows(Permission::OrgWrite, "/1/2/"));
    }

    #[test]
    fn employees_only_read() {
        assert_eq!(Permission::StaffWrite.role_codes(), vec!["admin", "security", "unit_head"]);
        assert!(!Role::Staff.grants(Permission::StaffWrite));
    }

    #[test]
    fn a_global_grant_covers_everything() {
        let s = Scope { grants: vec![grant(Role::Admin, None)] };
        assert!(s.allows(Permission::AccountAdmin, "/9/9/"));
        assert!(s.has_global(Permission::OrgWrite));
    }

    #[test]
    fn a_role_held_above_covers_the_subtree_and_a_records_grant_is_not_a_post() {
        let escort = Scope { grants: vec![grant(Role::Staff, Some("/1/4/"))] };
        assert!(escort.allows(Permission::RecordWrite, "/1/4/17/"));
        assert!(!escort.holds(&[Role::UnitHead, Role::Security], "/1/4/17/"));
        let county = Scope { grants: vec![grant(Role::Security, Some("/1/4/"))] };
        assert!(county.holds(&[Role::Security], "/1/4/17/"));
        assert!(!county.holds(&[Role::Security], "/1/5/"));
        assert!(!county.holds(&[Role::UnitHead], "/1/4/17/"));
        let admin = Scope { grants: vec![grant(Role::Admin, None)] };
        assert!(admin.holds(&[Role::Security], "/9/"));
    }

    #[test]
    fn short_passwords_are_refused() {
        assert!(check_new_password("short").is_err());
        assert!(check_new_password("long-enough").is_ok());
    }

    #[test]
    fn a_password_of_exactly_8_or_128_characters_is_accepted_and_one_more_or_less_is_not() {
        assert!(check_new_password("1234567").is_err());
        assert!(check_new_password("12345678").is_ok());
        assert!(check_new_password(&"密".repeat(128)).is_ok(), "characters, not bytes");
        assert!(check_new_password(&"x".repeat(129)).is_err());
        assert!(check_new_password(&"x".repeat(200)).is_err());
    }

    #[test]
    fn roles_parse_from_their_code_or_chinese_label_and_nothing_else() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.code()).ok(), Some(r));
            assert_eq!(Role::parse(r.label_zh()).ok(), Some(r));
            assert!(!r.label_zh().is_empty() && !r.label_en().is_empty());
        }
        assert_eq!(Role::parse(" 保卫部 ").ok(), Some(Role::Security));
        assert_eq!(Role::Security.label_en(), "Security department");
        assert!(Role::parse("superuser").is_err());
        assert!(Role::parse("Security department").is_err(), "English labels are for display only");
    }

    #[test]
    fn anywhere_whole_tree_and_global_mean_different_things() {
        let outlet_head = Scope { grants: vec![grant(Role::UnitHead, Some("/1/4/17/"))] };
        assert!(outlet_head.has_anywhere(Permission::StaffWrite));
        assert!(!outlet_head.has_anywhere(Permission::AccountAdmin));
        assert!(!outlet_head.covers_whole_tree(Permission::StaffWrite));
        assert!(!outlet_head.has_global(Permission::StaffWrite));
        let province = Scope { grants: vec![grant(Role::Security, Some("/1/"))] };
        assert!(province.covers_whole_tree(Permission::RulebookWrite), "a grant at the root covers the tree");
        assert!(!province.covers_whole_tree(Permission::AccountAdmin), "but only for what the role carries");
        assert!(!province.has_global(Permission::RulebookWrite), "global means a grant without a unit");
        let admin = Scope { grants: vec![grant(Role::Admin, None)] };
        assert!(admin.covers_whole_tree(Permission::AuditRead));
        let auditor = Scope { grants: vec![grant(Role::Auditor, None)] };
        assert!(!auditor.has_global(Permission::OrgWrite), "a global grant still needs the permission");
        assert!(auditor.has_global(Permission::AuditRead));
        assert!(!Scope::default().has_anywhere(Permission::OrgRead));
    }
}
