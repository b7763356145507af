//! The annual security work plan (RESP-4): the security department makes a unit's plan for the year from the
//! template (篇二's items, `rulebook/workplan.toml`); each item names its owner by post and, where a rule judges it,
//! takes its progress from that rule's judgement over the unit's subtree for the year; the others are reported by their
//! owner or the unit's head. Every item names who answers for it, or that the post is vacant.
use crate::audit::{self, Entity};
use crate::error::{conflict, invalid};
use crate::{AppError, AppResult, Ctx};
use anbao_domain::access::Role;
use anbao_domain::ids::UnitId;
use anbao_domain::period;
use anbao_domain::rulebook::Status;
use anbao_domain::workplan::{ItemState, Progress, Template, parse_percent, state};
use anbao_store::Db;
use anbao_store::workplan::{self as store, ItemRow, NewItem};
use std::collections::HashMap;

/// The template the plans are made from.
pub const TEMPLATE: &str = include_str!("../../../rulebook/workplan.toml");

/// The longest progress note.
pub const NOTE_MAX: usize = 500;

pub fn template() -> AppResult<Template> {
    let t: Template = toml::from_str(TEMPLATE).map_err(|e| AppError::Internal(format!("work plan template: {e}")))?;
    t.validate()?;
    Ok(t)
}

/// Who keeps a unit's plan: its security department (篇二: the plan is the union's security work) and its head.
const KEEPERS: [Role; 2] = [Role::Security, Role::UnitHead];

/// Make a unit's plan for a year from the template.
pub async fn make_plan(db: &Db, ctx: &Ctx, unit: UnitId, year: &str) -> AppResult<i64> {
    let year = anbao_domain::letters::parse_year(year)?;
    let t = template()?;
    let mut tx = db.begin().await?;
    let u = anbao_store::org::get(&mut tx, unit).await?.ok_or(AppError::NotFound)?;
    ctx.must_hold(&[Role::Security], &u.path)?;
    let plan =
        store::insert_plan(&mut tx, unit.get(), year, ctx.actor.account.get(), ctx.now).await?.ok_or_else(|| {
            conflict(
                "year",
                format!("{}已有{year}年度安全保卫工作计划", u.name),
                "this unit already has that year's plan",
            )
        })?;
    audit::record(&mut tx, ctx.into(), "workplan.make", Entity::Row("work_plans", plan), Some(unit), None).await?;
    for (seq, i) in t.items.iter().enumerate() {
        let id = store::insert_item(
            &mut tx,
            NewItem {
                plan,
                seq: seq as i64 + 1,
                section: &i.section,
                title: &i.title,
                owner_post: &i.owner,
                due_month: i.due_month,
                rule_id: &i.rule,
                source: &i.source,
            },
        )
        .await?;
        audit::record(&mut tx, ctx.into(), "workplan.item", Entity::Row("work_plan_items", id), Some(unit), None)
            .await?;
    }
    tx.commit().await?;
    Ok(plan)
}

/// An item with where it stands and who answers for it.
#[derive(Debug, Clone)]
pub struct ItemView {
    pub row: ItemRow,
    pub state: ItemState,
    /// For a judged item: "met/judged" of its rule over the subtree this year; for a reported one, its percentage.
    pub progress: String,
    pub accountable: (String, String),
    pub may_report: bool,
}

pub struct PlanView {
    pub unit: anbao_store::org::UnitRow,
    pub year: i32,
    pub plan: Option<i64>,
    pub items: Vec<ItemView>,
    pub may_make: bool,
}

/// A unit's plan for a year (default: the reader's top unit, this year), each item's state computed now.
pub async fn plan(db: &Db, ctx: &Ctx, unit: Option<UnitId>, year: Option<&str>) -> AppResult<PlanView> {
    let today = period::day_of_ms(ctx.now);
    let year = match year.map(str::trim).filter(|y| !y.is_empty()) {
        Some(y) => anbao_domain::letters::parse_year(y)?,
        None => period::ymd(today).0,
    };
    let u = match unit {
        Some(id) => {
            let mut c = db.read().await?;
            anbao_store::org::get(&mut c, id).await?.ok_or(AppError::NotFound)?
        }
        None => crate::org::home_unit(db, ctx).await?,
    };
    ctx.must_see(&u.path)?;
    let (plan, rows) = {
        let mut c = db.read().await?;
        match store::plan_of(&mut c, u.id.get(), year).await? {
            Some(p) => (Some(p), store::items(&mut c, p).await?),
            None => (None, Vec::new()),
        }
    };
    let may_make = plan.is_none() && ctx.actor.scope.holds(&[Role::Security], &u.path);
    if rows.is_empty() {
        return Ok(PlanView { unit: u, year, plan, items: Vec::new(), may_make });
    }
    // The rules' judgement over the subtree for the year so far.
    let (from, to) = (period::first_of_month(year, 1), period::first_of_month(year + 1, 1));
    let e = crate::compliance::evaluate_core(db, &u.path, from, to.min(today + 1), today).await?;
    let mut tallies: HashMap<&str, (i64, i64, i64)> = HashMap::new();
    for c in &e.cores {
        let t = tallies.entry(e.rules[c.rule].0.id.as_str()).or_default();
        match c.status {
            Status::Met => (t.0, t.1) = (t.0 + 1, t.1 + 1),
            Status::PartlyMet => t.0 += 1,
            Status::Overdue => (t.0, t.2) = (t.0 + 1, t.2 + 1),
            Status::NotYetDue => {}
        }
    }
    // The unit's own people and its departments' (a union's security officers sit in its 保卫部).
    let staff = {
        let mut c = db.read().await?;
        let mut all = anbao_store::staff::of_unit(&mut c, u.id).await?;
        for d in anbao_store::org::under(&mut c, &u.path)
            .await?
            .into_iter()
            .filter(|d| d.parent_id == Some(u.id) && d.kind == anbao_domain::org::UnitKind::Department)
        {
            all.extend(anbao_store::staff::of_unit(&mut c, d.id).await?);
        }
        all
    };
    let may_report = ctx.actor.scope.holds(&KEEPERS, &u.path);
    let items = rows
        .into_iter()
        .map(|row| {
            let due_end = if row.due_month >= 12 {
                period::first_of_month(year + 1, 1)
            } else {
                period::first_of_month(year, row.due_month as i8 + 1)
            };
            let (progress, text) = if row.rule_id.is_empty() {
                (Progress::Reported(row.percent), format!("{}%", row.percent))
            } else {
                let (judged, met, overdue) = tallies.get(row.rule_id.as_str()).copied().unwrap_or_default();
                (Progress::Judged { judged, met, overdue }, format!("{met}/{judged}"))
            };
            let accountable = crate::home::accountable(std::slice::from_ref(&row.owner_post), &u, &staff);
            ItemView {
                state: state(progress, due_end, today),
                progress: text,
                accountable,
                may_report: may_report && row.rule_id.is_empty(),
                row,
            }
        })
        .collect();
    Ok(PlanView { unit: u, year, plan, items, may_make })
}

/// The owner's (or head's, or department's) report on an item the rules do not judge.
pub async fn report(db: &Db, ctx: &Ctx, id: i64, percent: &str, note: &str) -> AppResult<()> {
    let percent = parse_percent(percent)?;
    let note = anbao_domain::text::optional_paragraphs("note", "进度说明", "Note", note, NOTE_MAX)?.unwrap_or_default();
    let mut tx = db.begin().await?;
    let item = store::item(&mut tx, id).await?.ok_or(AppError::NotFound)?;
    ctx.must_hold(&KEEPERS, &item.unit_path)?;
    if !item.rule_id.is_empty() {
        return Err(invalid(
            "percent",
            format!("该条目的进度由规则{}根据记录判定，不能填报", item.rule_id),
            "this item's progress is judged by its rule from the records",
        ));
    }
    let before = Entity::Row("work_plan_items", id).snapshot(&mut tx).await?;
    store::set_progress(&mut tx, id, percent, &note, ctx.actor.account.get(), ctx.now).await?;
    let unit = Some(UnitId::new(item.unit_id));
    audit::record(&mut tx, ctx.into(), "workplan.report", Entity::Row("work_plan_items", id), unit, before.as_ref())
        .await?;
    tx.commit().await?;
    Ok(())
}
