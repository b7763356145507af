//! The scope filter that every list query carries: rows whose unit lies under a unit where the account holds a
//! role carrying the permission. Evaluated by the database in the same query, so a list can never leak a row.
use anbao_domain::access::Permission;

/// SQL condition: the unit path in `path_col` lies in the scope of account `$account_param` for `perm`.
/// Role codes come from the domain's fixed enum, never from input, so inlining them is safe.
pub fn clause(path_col: &str, account_param: usize, perm: Permission) -> String {
    let roles: Vec<String> = perm.role_codes().into_iter().map(|r| format!("'{r}'")).collect();
    format!(
        "EXISTS (SELECT 1 FROM grants g LEFT JOIN units gu ON gu.id = g.unit_id \
         WHERE g.account_id = ${account_param} AND g.role IN ({}) \
         AND (g.unit_id IS NULL OR {path_col} LIKE gu.path || '%'))",
        roles.join(",")
    )
}
