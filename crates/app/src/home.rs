//! 我的待办: what the signed-in person owes now, derived from the records (nothing here is typed in).
//! This foundation derives gaps in the org records themselves; the rulebook adds its due items as it lands.
use crate::{AppResult, Ctx};
use anbao_domain::access::Permission;
use anbao_domain::groups::GroupKind;
use anbao_domain::org::UnitKind;
use anbao_domain::records::RecordKind;
use anbao_store::Db;
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
        });
    }
    if ctx.actor.scope.has_anywhere(Permission::OrgWrite) {
        let mut c = db.read().await?;
        let units = anbao_store::org::list_in_scope(&mut c, &ctx.actor.scope, Permission::OrgWrite).await?;
        let groups = anbao_store::groups::list_in_scope(&mut c, &ctx.actor.scope, Permission::OrgWrite).await?;
        let have: HashSet<(i64, GroupKind)> = groups.iter().map(|g| (g.unit_id.get(), g.kind)).collect();
        for u in units.iter().filter(|u| u.kind != UnitKind::Department) {
            if u.first_responsible_id.is_none() {
                items.push(TodoItem {
                    urgency: Urgency::Open,
                    title_zh: format!("{}：未指定第一责任人", u.name),
                    title_en: format!("{}: no first responsible person named", u.name),
                    link: format!("/org/units/{}/edit", u.id),
                    basis: "篇五 一：一把手为第一责任人".into(),
                });
            }
            if u.deputy_in_charge_id.is_none() && u.kind != UnitKind::Outlet {
                items.push(TodoItem {
                    urgency: Urgency::Open,
                    title_zh: format!("{}：未指定分管领导", u.name),
                    title_en: format!("{}: no deputy in charge named", u.name),
                    link: format!("/org/units/{}/edit", u.id),
                    basis: "篇五 一：分管领导具体负责".into(),
                });
            }
            // Unions (province and county level) set up the leadership groups (篇二 一.3; 预案 第四条).
            if matches!(u.kind, UnitKind::Province | UnitKind::County) {
                for k in GroupKind::ALL {
                    if !have.contains(&(u.id.get(), k)) {
                        items.push(TodoItem {
                            urgency: Urgency::Open,
                            title_zh: format!("{}：未设立{}", u.name, k.label_zh()),
                            title_en: format!("{}: no {} set up", u.name, k.label_en()),
                            link: format!("/org/units/{}", u.id),
                            basis: "篇二 一.3；预案 第四条".into(),
                        });
                    }
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
        });
    }
    items.extend(due_items(db, ctx).await?);
    items.sort_by_key(|i| i.urgency);
    Ok(items)
}

/// What the rulebook says is owed: at one's own unit, today's and this period's open items and last week's misses;
/// over a subtree, one line counting last week's misses.
async fn due_items(db: &Db, ctx: &Ctx) -> AppResult<Vec<TodoItem>> {
    use anbao_domain::access::Role;
    use anbao_domain::rulebook::Status;
    let today = anbao_domain::period::day_of_ms(ctx.now);
    let lookback = crate::reminders::LOOKBACK_DAYS;
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
        match g.role {
            Role::UnitHead | Role::Staff => {
                let own: Vec<_> = e.cores.iter().filter(|c| e.units[c.unit].path == path).map(|c| e.item(c)).collect();
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
                        }),
                        Status::Overdue | Status::PartlyMet => out.push(TodoItem {
                            urgency: Urgency::Now,
                            title_zh: format!("逾期：{}（{}）", it.reason, it.title),
                            title_en: format!("Overdue: {} ({})", it.reason_en, it.title_en),
                            link: format!("/compliance/items?unit={}&rule={}", it.unit_id, it.rule_id),
                            basis: it.source.clone(),
                        }),
                        _ => {}
                    }
                }
            }
            _ => {
                let missed: Vec<_> = e
                    .cores
                    .iter()
                    .filter(|c| c.period.1 <= today && matches!(c.status, Status::Overdue | Status::PartlyMet))
                    .collect();
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
                    });
                }
            }
        }
    }
    Ok(out)
}
