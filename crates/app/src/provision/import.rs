//! Accounts from an Excel list (SYS-1): one row per person — staff number, and optionally a username and a role —
//! for the people a union wants to open accounts for by hand-made list rather than by a whole subtree. Every row is
//! checked against the staff register first; with any bad row nothing is made (all or nothing), and the rows that
//! were good make their accounts exactly as a bulk run does (a one-time password each, changed at first sign-in).
use super::{Initial, Made, Proposal, make, role_at};
use crate::error::invalid;
use crate::workbook::Limits;
use crate::{AppResult, Ctx};
use anbao_domain::access::{Permission, Role};
use anbao_domain::ids::{StaffId, UnitId};
use anbao_domain::provision::{is_security_department, username_for};
use anbao_store::Db;
use std::collections::{HashMap, HashSet};

/// The columns of the list, in order; the username and the role may be left empty.
pub const IMPORT_COLUMNS: [&str; 3] = ["工号", "用户名", "角色"];

/// A list of accounts is small: a few thousand rows of three columns.
pub const IMPORT_LIMITS: Limits =
    Limits { max_file_bytes: 2 * 1024 * 1024, max_unzipped_bytes: 16 * 1024 * 1024, max_rows: 5_001, max_cols: 8 };

/// What an import found and made.
pub struct ImportOutcome {
    /// Rows with content (the header and empty rows not counted).
    pub rows: usize,
    /// (row number in the sheet, what is wrong); when any, nothing was made.
    pub errors: Vec<(usize, String)>,
    pub made: Vec<Made>,
}

/// Checked before the upload is read: only an account administrator imports accounts.
pub fn may_import(ctx: &Ctx) -> AppResult<()> {
    ctx.must_anywhere(Permission::AccountAdmin)
}

/// A unit's row, read from the database once per import.
async fn unit_of(
    c: &mut anbao_store::Conn,
    cache: &mut HashMap<UnitId, anbao_store::org::UnitRow>,
    id: UnitId,
) -> AppResult<Option<anbao_store::org::UnitRow>> {
    if !cache.contains_key(&id)
        && let Some(u) = anbao_store::org::get(c, id).await?
    {
        cache.insert(id, u);
    }
    Ok(cache.get(&id).cloned())
}

/// Read, check and (when every row is good) carry out a list of accounts.
pub async fn import(db: &Db, ctx: &Ctx, bytes: Vec<u8>) -> AppResult<ImportOutcome> {
    may_import(ctx)?;
    let sheet = crate::workbook::read_first_sheet_blocking(bytes, IMPORT_LIMITS).await?;
    let mut rows = sheet.iter().map(|(n, cells)| (*n as usize, cells));
    let header: Vec<String> =
        rows.next().map(|(_, r)| r.iter().map(|c| c.to_string().trim().to_owned()).collect()).unwrap_or_default();
    if header.iter().take(IMPORT_COLUMNS.len()).map(String::as_str).ne(IMPORT_COLUMNS.iter().copied()) {
        return Err(invalid(
            "file",
            format!("表头须为：{}（用户名、角色可留空）", IMPORT_COLUMNS.join("、")),
            format!("the header row must be: {} (username and role may be empty)", IMPORT_COLUMNS.join(", ")),
        ));
    }
    // Checking reads without holding the write turn; only a clean list takes it, in `make`.
    let mut c = db.read().await?;
    let all = anbao_store::accounts::list(&mut c).await?;
    let linked: HashSet<StaffId> = all.iter().filter(|a| !a.disabled).filter_map(|a| a.staff_id).collect();
    let mut taken: HashSet<String> = all.into_iter().map(|a| a.username).collect();
    let mut units: HashMap<UnitId, anbao_store::org::UnitRow> = HashMap::new();
    let mut seen: HashMap<StaffId, usize> = HashMap::new();
    let mut out = ImportOutcome { rows: 0, errors: Vec::new(), made: Vec::new() };
    let mut proposals = Vec::new();
    for (row_no, r) in rows {
        let text = |n: usize| r.get(n).map(|c| c.to_string().trim().to_owned()).unwrap_or_default();
        if (0..IMPORT_COLUMNS.len()).all(|n| text(n).is_empty()) {
            continue;
        }
        out.rows += 1;
        let absent = || format!("没有工号为“{}”的员工档案", text(0));
        let staff = match anbao_domain::staff::StaffNo::parse(&text(0)) {
            Ok(no) => anbao_store::staff::by_no(&mut c, no.as_str()).await?,
            Err(e) => {
                out.errors.push((row_no, e.message));
                continue;
            }
        };
        // Outside the administrator's subtree a record is treated as absent, as everywhere.
        let Some(s) = staff.filter(|s| ctx.actor.scope.allows(Permission::AccountAdmin, &s.unit_path)) else {
            out.errors.push((row_no, absent()));
            continue;
        };
        let mut why: Vec<String> = Vec::new();
        if !s.active {
            why.push("该员工档案已停用".into());
        }
        if linked.contains(&s.id) {
            why.push("该员工已有在用账号".into());
        }
        if let Some(first) = seen.insert(s.id, row_no) {
            why.push(format!("与第{first}行是同一员工"));
        }
        let Some(unit) = unit_of(&mut c, &mut units, s.unit_id).await? else {
            out.errors.push((row_no, absent()));
            continue;
        };
        let (derived, derived_unit) = role_at(&unit, &s);
        let role = if text(2).is_empty() {
            Some(derived)
        } else {
            match Role::parse(&text(2)) {
                Ok(Role::Admin) => {
                    why.push("不能通过导入授予系统管理员".into());
                    None
                }
                Ok(r) => Some(r),
                Err(e) => {
                    why.push(e.message);
                    None
                }
            }
        };
        // The role the posts give covers the unit they give; a role named by hand covers the person's own unit, or
        // for a security department's officer named 保卫部, the union the department belongs to.
        let grant_unit = match role {
            Some(r) if r == derived => derived_unit,
            Some(Role::Security) if is_security_department(unit.kind, &unit.name) => unit.parent_id.unwrap_or(unit.id),
            _ => unit.id,
        };
        let grant = unit_of(&mut c, &mut units, grant_unit).await?;
        if let (Some(r), Some(g)) = (role, &grant)
            && !ctx.actor.scope.allows(Permission::AccountAdmin, &g.path)
        {
            why.push(format!("无权在“{}”授予“{}”", g.name, r.label_zh()));
        }
        let username = if text(1).is_empty() {
            Some(username_for(&s.staff_no, |u| taken.contains(u)))
        } else {
            match anbao_domain::access::parse_username(&text(1)) {
                Ok(u) if taken.contains(&u) => {
                    why.push(format!("用户名“{u}”已被使用"));
                    None
                }
                Ok(u) => Some(u),
                Err(e) => {
                    why.push(e.message);
                    None
                }
            }
        };
        if let Some(u) = &username {
            taken.insert(u.clone());
        }
        match (why.is_empty(), role, grant, username) {
            (true, Some(role), Some(g), Some(username)) => {
                proposals.push(Proposal::of(s, username, role, g.id, g.name))
            }
            _ if why.is_empty() => out.errors.push((row_no, absent())),
            _ => out.errors.push((row_no, why.join("；"))),
        }
    }
    drop(c);
    if out.errors.is_empty() && !proposals.is_empty() {
        out.made = make(db, ctx, proposals, Initial::OneTime).await?;
    }
    Ok(out)
}
