//! 我的待办: what the signed-in person owes now, derived from the records (nothing here is typed in).
//! Each person sees what they owe through their own posts (the rule's `owners`); a head sees, as a separate list,
//! what the posts and units they supervise have missed, each naming who answers for it (RESP-2).
use crate::{AppResult, Ctx};
use anbao_domain::access::Permission;
use anbao_domain::groups::GroupKind;
use anbao_domain::org::UnitKind;
use anbao_domain::records::RecordKind;
use anbao_domain::staff::Position;
use anbao_store::Db;
use anbao_store::org::UnitRow;
use anbao_store::staff::StaffRow;
use std::collections::HashSet;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Urgency {
    /// Must be done before anything else.
    Now,
    /// Outstanding.
    Open,
}

#[derive(Debug, Clone)]
pub struct TodoItem {
    pub urgency: Urgency,
    pub title_zh: String,
    pub title_en: String,
    pub link: String,
    /// The article of the regulations that asks for it.
    pub basis: String,
    /// Owed by others the reader supervises (their unit's other posts, the units below), not by the reader.
    pub supervised: bool,
}

/// The to-do list of the actor, most urgent first.
pub async fn todo(db: &Db, ctx: &Ctx) -> AppResult<Vec<TodoItem>> {
    let mut items = Vec::new();
    if ctx.actor.must_change_password {
        items.push(TodoItem {
            urgency: Urgency::Now,
            title_zh: "请修改初始密码".into(),
            title_en: "Change your initial password".into(),
            link: "/account/password".into(),
            basis: String::new(),
            supervised: false,
        });
    }
    if ctx.actor.scope.has_anywhere(Permission::OrgWrite) {
        let mut c = db.read().await?;
        let units = anbao_store::org::list_in_scope(&mut c, &ctx.actor.scope, Permission::OrgWrite).await?;
        let groups = anbao_store::groups::list_in_scope(&mut c, &ctx.actor.scope, Permission::OrgWrite).await?;
        let have: HashSet<(i64, GroupKind)> = groups.iter().map(|g| (g.unit_id.get(), g.kind)).collect();
        let required = crate::groups::required_kinds(db, ctx.now).await?;
        for u in units.iter().filter(|u| u.kind != UnitKind::Department) {
            if u.first_responsible_id.is_none() {
                items.push(TodoItem {
                    urgency: Urgency::Open,
                    title_zh: format!("{}：未指定第一责任人", u.name),
                    title_en: format!("{}: no first responsible person named", u.name),
                    link: format!("/org/units/{}/edit", u.id),
                    basis: "篇五 一：一把手为第一责任人".into(),
                    supervised: false,
                });
            }
            if u.deputy_in_charge_id.is_none() && u.kind != UnitKind::Outlet {
                items.push(TodoItem {
                    urgency: Urgency::Open,
                    title_zh: format!("{}：未指定分管领导", u.name),
                    title_en: format!("{}: no deputy in charge named", u.name),
                    link: format!("/org/units/{}/edit", u.id),
                    basis: "篇五 一：分管领导具体负责".into(),
                    supervised: false,
                });
            }
            // The groups the rulebook's ORG-4 rules ask this kind of unit to set up (篇二 一.3; 预案 第四条).
            for (k, source) in required.get(&u.kind).map(Vec::as_slice).unwrap_or_default() {
                if !have.contains(&(u.id.get(), *k)) {
                    items.push(TodoItem {
                        urgency: Urgency::Open,
                        title_zh: format!("{}：未设立{}", u.name, k.label_zh()),
                        title_en: format!("{}: no {} set up", u.name, k.label_en()),
                        link: format!("/org/units/{}", u.id),
                        basis: source.clone(),
                        supervised: false,
                    });
                }
            }
        }
    }
    // One's own responsibility letters waiting for one's signature (篇二 一、5: 一月份完成).
    let today = anbao_domain::period::day_of_ms(ctx.now);
    for l in crate::letters::my_letters(db, ctx).await? {
        if l.status != anbao_domain::letters::LetterStatus::Pending {
            continue;
        }
        let late = today > l.deadline_day;
        items.push(TodoItem {
            urgency: if late { Urgency::Now } else { Urgency::Open },
            title_zh: format!("{}签订{}年度{}", if late { "逾期未签：请" } else { "请" }, l.year, l.kind.label_zh()),
            title_en: format!("{}Sign your {} {}", if late { "Overdue: " } else { "" }, l.year, l.kind.label_en()),
            link: format!("/letters/{}", l.id),
            basis: "篇二 一、5；篇五 一".into(),
            supervised: false,
        });
    }
    // Warning-education bulletins one has received and not yet acknowledged (第四篇 二(4)).
    for w in crate::warnings::mine(db, ctx).await?.into_iter().filter(|w| w.read_at.is_none()) {
        items.push(TodoItem {
            urgency: Urgency::Open,
            title_zh: format!("请阅读警示教育通报：{}", w.title),
            title_en: format!("Read the warning bulletin: {}", w.title),
            link: format!("/warnings/{}", w.id),
            basis: "第四篇 二(4) 警示教育".into(),
            supervised: false,
        });
    }
    items.extend(due_items(db, ctx).await?);
    items.sort_by_key(|i| i.urgency);
    Ok(items)
}

/// Who answers for a duty at a unit (RESP-2, "联人、联岗"): the holders of the rule's posts among `staff` (the unit's
/// own people and its departments'), or the unit's first responsible person when the rule names no post; when nobody
/// holds the post, the post named vacant.
pub fn accountable(owners: &[String], unit: &UnitRow, staff: &[StaffRow]) -> (String, String) {
    if owners.is_empty() {
        return match &unit.first_responsible_name {
            Some(n) => (format!("第一责任人：{n}"), format!("first responsible: {n}")),
            None => ("第一责任人空缺".into(), "first responsible person vacant".into()),
        };
    }
    let posts: Vec<Position> = owners.iter().filter_map(|o| Position::parse(o).ok()).collect();
    let names: Vec<&str> = staff
        .iter()
        .filter(|s| s.active && s.positions.iter().any(|p| posts.contains(p)))
        .map(|s| s.name.as_str())
        .collect();
    let zh: Vec<&str> = posts.iter().map(|p| p.label_zh()).collect();
    let en: Vec<&str> = posts.iter().map(|p| p.label_en()).collect();
    if names.is_empty() {
        (format!("{}空缺", zh.join("/")), format!("{} vacant", en.join("/")))
    } else {
        (format!("{}：{}", zh.join("/"), names.join("、")), format!("{}: {}", en.join("/"), names.join(", ")))
    }
}

/// Who answers for each due item of a subtree (RESP-2): the holders of its rule's posts at its unit, or the unit's
/// first responsible person, or the post named vacant. Two reads for the whole list (its units and their staff).
pub async fn accountable_for(
    db: &Db,
    root_path: &str,
    items: &[crate::compliance::DueItem],
) -> AppResult<Vec<(String, String)>> {
    // Who owes an item is the judging version's `owners` (an edit that starts tomorrow does not move today's items).
    let owners: std::collections::HashMap<(String, i64), Vec<String>> = crate::rulebook::all(db)
        .await?
        .into_iter()
        .flat_map(|h| {
            let id = h.id;
            h.versions.into_iter().map(move |v| ((id.clone(), v.version), v.rule.owners))
        })
        .collect();
    let mut c = db.read().await?;
    let units: std::collections::HashMap<i64, UnitRow> =
        anbao_store::org::under(&mut c, root_path).await?.into_iter().map(|u| (u.id.get(), u)).collect();
    // A union's posts are often held in its departments (the county's security officers sit in its 保卫部).
    let mut staff: std::collections::HashMap<i64, Vec<StaffRow>> = std::collections::HashMap::new();
    for s in anbao_store::staff::under(&mut c, root_path).await? {
        let dept_of = units.get(&s.unit_id.get()).filter(|u| u.kind == UnitKind::Department).and_then(|u| u.parent_id);
        if let Some(parent) = dept_of {
            staff.entry(parent.get()).or_default().push(s.clone());
        }
        staff.entry(s.unit_id.get()).or_default().push(s);
    }
    Ok(items
        .iter()
        .map(|it| match units.get(&it.unit_id) {
            Some(u) => accountable(
                owners.get(&(it.rule_id.clone(), it.version)).map(Vec::as_slice).unwrap_or_default(),
                u,
                staff.get(&it.unit_id).map(Vec::as_slice).unwrap_or_default(),
            ),
            None => (String::new(), String::new()),
        })
        .collect())
}

/// Does this person owe the rule at this unit: do they hold one of its posts there, or, when it names none, are they
/// the unit's first responsible person? An account with no staff record (an administrator) owes everything it sees.
pub(crate) fn owes(owners: &[String], unit: &UnitRow, me: Option<&StaffRow>) -> bool {
    let Some(me) = me else { return true };
    if owners.is_empty() {
        return unit.first_responsible_id == Some(me.id);
    }
    me.unit_id == unit.id && me.positions.iter().any(|p| owners.iter().any(|o| o == p.code()))
}

/// The most supervised items listed one by one; the rest are counted in one line.
pub const SUPERVISED_LINES: usize = 20;

/// What the rulebook says is owed: at one's own unit, what one owes through one's own posts (today's and this
/// period's open items, last week's misses); for a head, the misses of their unit's other posts and of the units
/// below, each naming who answers for it, as a separate list; over a security department's subtree, one line
/// counting the misses.
async fn due_items(db: &Db, ctx: &Ctx) -> AppResult<Vec<TodoItem>> {
    use anbao_domain::access::Role;
    use anbao_domain::rulebook::Status;
    let today = anbao_domain::period::day_of_ms(ctx.now);
    let lookback = crate::reminders::LOOKBACK_DAYS;
    let me = match ctx.actor.staff_id {
        Some(id) => {
            let mut c = db.read().await?;
            anbao_store::staff::get(&mut c, id).await?.filter(|s| s.active)
        }
        None => None,
    };
    let mut out = Vec::new();
    let mut seen = HashSet::new();
    for g in &ctx.actor.scope.grants {
        let path = match &g.unit_path {
            Some(p) => p.clone(),
            None => match crate::org::home_unit(db, ctx).await {
                Ok(u) => u.path,
                Err(_) => continue,
            },
        };
        if !seen.insert((path.clone(), g.role)) {
            continue;
        }
        let e = crate::compliance::evaluate_core(db, &path, today - lookback, today + 1, today).await?;
        // A period's misses count once it has ended; a deadline's as soon as it has passed.
        let missed = |c: &&crate::compliance::Core| {
            let deadline = e.rules[c.rule].0.kind == anbao_domain::rulebook::RuleKind::Deadline;
            (c.period.1 <= today || deadline) && matches!(c.status, Status::Overdue | Status::PartlyMet)
        };
        match g.role {
            Role::UnitHead | Role::Staff => {
                let mine = |c: &&crate::compliance::Core| {
                    let u = &e.units[c.unit];
                    u.path == path && owes(&e.rules[c.rule].0.owners, u, me.as_ref())
                };
                let own: Vec<_> = e.cores.iter().filter(mine).map(|c| e.item(c)).collect();
                for it in &own {
                    // Evidence a procedure writes is done there, not on the records form.
                    let link = match RecordKind::parse(&it.evidence) {
                        Ok(RecordKind::InspectionVisit) => "/inspections".to_owned(),
                        Ok(RecordKind::MonthlyFacilityReport) => "/facilities/report".to_owned(),
                        Ok(RecordKind::GunCheckout) => "/arms".to_owned(),
                        _ => format!(
                            "/records/new?kind={}&unit={}{}",
                            it.evidence,
                            it.unit_id,
                            it.asset.as_ref().map(|a| format!("&asset={}", a.0)).unwrap_or_default()
                        ),
                    };
                    match it.status {
                        Status::NotYetDue if it.period.0 <= today && it.period.1 > today => out.push(TodoItem {
                            urgency: Urgency::Open,
                            title_zh: format!("{}（{}）", it.reason, it.title),
                            title_en: format!("{} ({})", it.reason_en, it.title_en),
                            link,
                            basis: it.source.clone(),
                            supervised: false,
                        }),
                        Status::Overdue | Status::PartlyMet => out.push(TodoItem {
                            urgency: Urgency::Now,
                            title_zh: format!("逾期：{}（{}）", it.reason, it.title),
                            title_en: format!("Overdue: {} ({})", it.reason_en, it.title_en),
                            link: format!("/compliance/items?unit={}&rule={}", it.unit_id, it.rule_id),
                            basis: it.source.clone(),
                            supervised: false,
                        }),
                        _ => {}
                    }
                }
                // A head supervises the other posts of their unit and the units below (谁主管、谁负责).
                if g.role == Role::UnitHead {
                    let others: Vec<_> = e.cores.iter().filter(missed).filter(|c| !mine(c)).collect();
                    let mut staff_of: std::collections::HashMap<i64, Vec<StaffRow>> = Default::default();
                    for c in others.iter().take(SUPERVISED_LINES) {
                        let u = &e.units[c.unit];
                        if let std::collections::hash_map::Entry::Vacant(slot) = staff_of.entry(u.id.get()) {
                            let mut conn = db.read().await?;
                            slot.insert(anbao_store::staff::of_unit(&mut conn, u.id).await?);
                        }
                        let it = e.item(c);
                        let staff = staff_of.get(&u.id.get()).map(Vec::as_slice).unwrap_or_default();
                        let (who, who_en) = accountable(&e.rules[c.rule].0.owners, u, staff);
                        out.push(TodoItem {
                            urgency: Urgency::Now,
                            title_zh: format!("{}：{}（{}；{}）", it.unit_name, it.reason, it.title, who),
                            title_en: format!("{}: {} ({}; {})", it.unit_name, it.reason_en, it.title_en, who_en),
                            link: format!("/compliance/items?unit={}&rule={}", it.unit_id, it.rule_id),
                            basis: it.source.clone(),
                            supervised: true,
                        });
                    }
                    if others.len() > SUPERVISED_LINES {
                        let more = others.len() - SUPERVISED_LINES;
                        out.push(TodoItem {
                            urgency: Urgency::Now,
                            title_zh: format!("另有{more}项未完成"),
                            title_en: format!("{more} more items missed"),
                            link: "/compliance/items?status=overdue".into(),
                            basis: String::new(),
                            supervised: true,
                        });
                    }
                }
            }
            _ => {
                let missed: Vec<_> = e.cores.iter().filter(missed).collect();
                if !missed.is_empty() {
                    let units: HashSet<usize> = missed.iter().map(|c| c.unit).collect();
                    out.push(TodoItem {
                        urgency: Urgency::Now,
                        title_zh: format!(
                            "辖内近{lookback}天有{}项未完成，涉及{}个单位，请督促整改",
                            missed.len(),
                            units.len()
                        ),
                        title_en: format!(
                            "{} items missed in the last {lookback} days across {} units",
                            missed.len(),
                            units.len()
                        ),
                        link: "/compliance/items?status=overdue".into(),
                        basis: String::new(),
                        supervised: true,
                    });
                }
            }
        }
    }
    Ok(out)
}
