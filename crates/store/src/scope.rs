//! The scope filter that every list query carries: rows whose unit lies under a unit where the account holds a
//! role carrying the permission. Evaluated by the database in the same query, so a list can never leak a row.
use anbao_domain::access::{Permission, Scope};

/// SQL condition: the unit path in `path_col` lies in `scope` for `perm`.
///
/// The grants' unit paths (resolved for this request) are inlined as prefixes, so the database tests each row with
/// a plain prefix match instead of a correlated subquery over the grants. They are materialised paths of digits and
/// slashes, checked here before they touch SQL; the condition binds nothing, so a caller's parameters start at `$1`.
pub fn clause(path_col: &str, scope: &Scope, perm: Permission) -> String {
    let grants: Vec<_> = scope.grants.iter().filter(|g| g.role.grants(perm)).collect();
    if grants.iter().any(|g| g.unit_path.is_none()) {
        return "(1 = 1)".to_owned();
    }
    let mut prefixes: Vec<&str> = grants
        .iter()
        .filter_map(|g| g.unit_path.as_deref())
        .filter(|p| p.starts_with('/') && p.chars().all(|c| c.is_ascii_digit() || c == '/'))
        .collect();
    prefixes.sort_unstable();
    prefixes.dedup();
    // A prefix under another adds nothing.
    let outer: Vec<&str> =
        prefixes.iter().copied().filter(|p| !prefixes.iter().any(|q| q != p && p.starts_with(q))).collect();
    if outer.is_empty() {
        return "(1 = 0)".to_owned();
    }
    let ors: Vec<String> = outer.iter().map(|p| format!("{path_col} LIKE '{p}%'")).collect();
    format!("({})", ors.join(" OR "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use anbao_domain::access::{Grant, Role};

    fn scope(grants: &[(Role, Option<&str>)]) -> Scope {
        Scope {
            grants: grants
                .iter()
                .map(|(r, p)| Grant { role: *r, unit_id: None, unit_path: p.map(str::to_owned) })
                .collect(),
        }
    }

    #[test]
    fn a_whole_tree_grant_filters_nothing_and_no_grant_matches_nothing() {
        assert_eq!(clause("u.path", &scope(&[(Role::Admin, None)]), Permission::OrgRead), "(1 = 1)");
        assert_eq!(clause("u.path", &scope(&[(Role::Staff, Some("/1/"))]), Permission::StaffWrite), "(1 = 0)");
    }

    #[test]
    fn nested_grants_collapse_to_the_outer_prefix() {
        let s =
            scope(&[(Role::Security, Some("/1/4/")), (Role::UnitHead, Some("/1/4/17/")), (Role::Staff, Some("/1/9/"))]);
        assert_eq!(clause("u.path", &s, Permission::OrgRead), "(u.path LIKE '/1/4/%' OR u.path LIKE '/1/9/%')");
    }

    #[test]
    fn anything_but_a_path_never_reaches_the_sql() {
        let s = scope(&[(Role::Staff, Some("/1/' OR 1=1 --"))]);
        assert_eq!(clause("u.path", &s, Permission::OrgRead), "(1 = 0)");
    }
}
