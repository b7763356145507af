//! 我的待办: what the signed-in person owes now, derived from the records (nothing here is typed in).
//! This foundation derives gaps in the org records themselves; the rulebook adds its due items as it lands.
use crate::{AppResult, Ctx};
use anbao_domain::access::Permission;
use anbao_domain::groups::GroupKind;
use anbao_domain::org::UnitKind;
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
    pub basis: &'static str,
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
            basis: "",
        });
    }
    if ctx.actor.scope.has_anywhere(Permission::OrgWrite) {
        let mut c = db.read().await?;
        let units = anbao_store::org::list_in_scope(&mut c, ctx.actor.account, Permission::OrgWrite).await?;
        let groups = anbao_store::groups::list_in_scope(&mut c, ctx.actor.account, Permission::OrgWrite).await?;
        let have: HashSet<(i64, GroupKind)> = groups.iter().map(|g| (g.unit_id.get(), g.kind)).collect();
        for u in units.iter().filter(|u| u.kind != UnitKind::Department) {
            if u.first_responsible_id.is_none() {
                items.push(TodoItem {
                    urgency: Urgency::Open,
                    title_zh: format!("{}：未指定第一责任人", u.name),
                    title_en: format!("{}: no first responsible person named", u.name),
                    link: format!("/org/units/{}/edit", u.id),
                    basis: "篇五 一：一把手为第一责任人",
                });
            }
            if u.deputy_in_charge_id.is_none() && u.kind != UnitKind::Outlet {
                items.push(TodoItem {
                    urgency: Urgency::Open,
                    title_zh: format!("{}：未指定分管领导", u.name),
                    title_en: format!("{}: no deputy in charge named", u.name),
                    link: format!("/org/units/{}/edit", u.id),
                    basis: "篇五 一：分管领导具体负责",
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
                            basis: "篇二 一.3；预案 第四条",
                        });
                    }
                }
            }
        }
    }
    items.sort_by_key(|i| i.urgency);
    Ok(items)
}
