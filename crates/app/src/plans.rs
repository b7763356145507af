//! Emergency plans (EMG-1): the plan book (`rulebook/plans.toml`, stored as versions; an edit is a new version), the
//! contacts a plan names resolved from the org data for the reader's unit (its leaders, the county union's leaders
//! and security department, each with their phone), and each use of a plan on a phone: the steps ticked with their
//! times, kept as a record of what was done.
use crate::audit::{self, Entity, Writer};
use crate::error::invalid;
use crate::{AppError, AppResult, Ctx};
use anbao_domain::access::Permission;
use anbao_domain::ids::UnitId;
use anbao_domain::org::UnitKind;
use anbao_domain::plans::{Contact, Plan, PlanBook, Tick, check_ticks};
use anbao_domain::staff::Position;
use anbao_store::Db;
use anbao_store::org::UnitRow;
use anbao_store::plans::{self as store, NewRun, RunRow};

pub const DEFAULT_PLANS: &str = include_str!("../../../rulebook/plans.toml");

/// The largest plan book an edit may send.
pub const BOOK_MAX_BYTES: usize = 256 * 1024;

pub fn parse_book(text: &str) -> AppResult<PlanBook> {
    let b: PlanBook = toml::from_str(text)
        .map_err(|e| invalid("plans", format!("预案文件格式错误：{e}"), "the plan file is malformed"))?;
    b.check()?;
    Ok(b)
}

pub async fn load_default(db: &Db, now: i64) -> AppResult<()> {
    let book = parse_book(DEFAULT_PLANS)?;
    let mut tx = db.begin().await?;
    if store::latest_version(&mut tx).await?.is_some() {
        return Ok(());
    }
    let body = serde_json::to_string(&book).map_err(|e| AppError::Internal(e.to_string()))?;
    let id = store::insert_version(&mut tx, 1, &body, 0, None, now).await?;
    audit::record(
        &mut tx,
        Writer { now, actor: None },
        "plans.load_default",
        Entity::Row("plan_versions", id),
        None,
        None,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The plan book in force and its version.
pub async fn book(db: &Db) -> AppResult<(i64, PlanBook)> {
    let mut c = db.read().await?;
    let (_, version, body) = store::latest_version(&mut c).await?.ok_or(AppError::NotFound)?;
    let b = serde_json::from_str(&body).map_err(|e| AppError::Internal(format!("plan book: {e}")))?;
    Ok((version, b))
}

/// Replace the plan book with an edited one (JSON of the same shape as the file), as a new version; the union's
/// rulebook permission over the whole tree.
pub async fn replace(db: &Db, ctx: &Ctx, book: &PlanBook) -> AppResult<i64> {
    if !ctx.actor.scope.covers_whole_tree(Permission::RulebookWrite) {
        return Err(AppError::Forbidden);
    }
    book.check()?;
    let body = serde_json::to_string(book).map_err(|e| AppError::Internal(e.to_string()))?;
    if body.len() > BOOK_MAX_BYTES {
        return Err(invalid("plans", "预案内容过大", "the plan book is too large"));
    }
    let mut tx = db.begin().await?;
    let next = store::latest_version(&mut tx).await?.map(|(_, v, _)| v + 1).unwrap_or(1);
    let day = anbao_domain::period::day_of_ms(ctx.now);
    let id = store::insert_version(&mut tx, next, &body, day, Some(ctx.actor.account.get()), ctx.now).await?;
    audit::record(&mut tx, ctx.into(), "plans.replace", Entity::Row("plan_versions", id), None, None).await?;
    tx.commit().await?;
    Ok(next)
}

/// A person to call, with their phone (or none on file).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    pub name: String,
    pub post: String,
    pub unit: String,
    pub phone: Option<String>,
}

/// A contact as the reader's page shows it: the public number, or the people the org data names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolved {
    pub contact: Contact,
    pub number: Option<&'static str>,
    pub people: Vec<Person>,
}

/// The reader's own unit: their staff record's, or the top of their scope.
async fn reader_unit(db: &Db, ctx: &Ctx) -> AppResult<UnitRow> {
    let mut c = db.read().await?;
    if let Some(s) = ctx.actor.staff_id
        && let Some(row) = anbao_store::staff::get(&mut c, s).await?
        && let Some(u) = anbao_store::org::get(&mut c, row.unit_id).await?
    {
        return Ok(u);
    }
    drop(c);
    crate::org::home_unit(db, ctx).await
}

/// The contacts of the reader's unit: its leaders (the unit's head and deputy in charge, or the nearest unit above
/// that has them), the county union's leaders, and the people of its security department (a department whose name
/// says 保卫). Mutual-defence neighbours are not in the org data; the page says where to find them.
pub async fn contacts(db: &Db, ctx: &Ctx) -> AppResult<(UnitRow, Vec<Resolved>)> {
    let unit = reader_unit(db, ctx).await?;
    let mut c = db.read().await?;
    let ids: Vec<i64> = unit.path.split('/').filter_map(|s| s.parse().ok()).collect();
    let mut chain: Vec<UnitRow> = Vec::new();
    for id in ids.iter().rev() {
        if let Some(u) = anbao_store::org::get(&mut c, UnitId::new(*id)).await? {
            chain.push(u);
        }
    }
    let county = chain.iter().find(|u| u.kind == UnitKind::County).cloned();
    let staff = match &county {
        Some(k) => anbao_store::staff::under(&mut c, &k.path).await?,
        None => anbao_store::staff::under(&mut c, &unit.path).await?,
    };
    let units: std::collections::HashMap<i64, UnitRow> = match &county {
        Some(k) => anbao_store::org::under(&mut c, &k.path).await?.into_iter().map(|u| (u.id.get(), u)).collect(),
        None => std::collections::HashMap::new(),
    };
    let person = |s: &anbao_store::staff::StaffRow, p: Position| Person {
        name: s.name.clone(),
        post: p.label_zh().to_owned(),
        unit: s.unit_name.clone(),
        phone: s.phone.clone(),
    };
    let leaders_at = |u: &UnitRow| -> Vec<Person> {
        staff
            .iter()
            .filter(|s| s.unit_id == u.id)
            .filter_map(|s| {
                [Position::Chairman, Position::Director, Position::DeputyInCharge]
                    .into_iter()
                    .find(|p| s.positions.contains(p))
                    .map(|p| person(s, p))
            })
            .collect()
    };
    let unit_leaders = chain
        .iter()
        .take_while(|u| u.kind != UnitKind::County)
        .map(leaders_at)
        .find(|l| !l.is_empty())
        .unwrap_or_default();
    let union_leaders = county.as_ref().map(leaders_at).unwrap_or_default();
    let security: Vec<Person> = staff
        .iter()
        .filter(|s| {
            units.get(&s.unit_id.get()).is_some_and(|u| u.kind == UnitKind::Department && u.name.contains("保卫"))
        })
        .filter(|s| s.positions.contains(&Position::SecurityOfficer))
        .map(|s| person(s, Position::SecurityOfficer))
        .collect();
    let all = Contact::ALL
        .iter()
        .map(|k| Resolved {
            contact: *k,
            number: k.number(),
            people: match k {
                Contact::UnitLeaders => unit_leaders.clone(),
                Contact::UnionLeaders => union_leaders.clone(),
                Contact::SecurityDept => security.clone(),
                _ => Vec::new(),
            },
        })
        .collect();
    Ok((unit, all))
}

/// One plan with its contacts resolved for the reader, in the plan's order.
pub struct PlanView {
    pub version: i64,
    pub plan: Plan,
    pub unit: UnitRow,
    pub contacts: Vec<Resolved>,
}

pub async fn plan_view(db: &Db, ctx: &Ctx, code: &str) -> AppResult<PlanView> {
    let (version, book) = book(db).await?;
    let plan = book.get(code).cloned().ok_or(AppError::NotFound)?;
    let (unit, all) = contacts(db, ctx).await?;
    let contacts = plan
        .contacts
        .iter()
        .filter_map(|c| Contact::parse(c).ok())
        .filter_map(|k| all.iter().find(|r| r.contact == k).cloned())
        .collect();
    Ok(PlanView { version, plan, unit, contacts })
}

/// Keep a use of a plan: the steps ticked on the phone with their times, at the reader's unit. The times come from
/// the phone (it may have been offline), so they are checked against the start and the server's clock.
pub async fn record_run(
    db: &Db,
    ctx: &Ctx,
    code: &str,
    started_at: i64,
    ticks: &[Tick],
    notes: &str,
) -> AppResult<i64> {
    let notes = anbao_domain::text::optional_paragraphs("notes", "处置情况", "Notes", notes, 2000)?;
    let (version, book) = book(db).await?;
    let plan = book.get(code).ok_or(AppError::NotFound)?;
    check_ticks(plan, started_at, ticks, ctx.now, crate::evidence::FUTURE_TOLERANCE_MS)?;
    let unit = reader_unit(db, ctx).await?;
    ctx.must(Permission::RecordWrite, &unit.path)?;
    let ticks_json = serde_json::to_string(ticks).map_err(|e| AppError::Internal(e.to_string()))?;
    let mut tx = db.begin().await?;
    let id = store::insert_run(
        &mut tx,
        NewRun {
            plan_code: code,
            plan_version: version,
            unit: unit.id.get(),
            unit_path: &unit.path,
            started_at,
            ticks: &ticks_json,
            notes: notes.as_deref().unwrap_or(""),
            now: ctx.now,
            by: ctx.actor.account.get(),
        },
    )
    .await?;
    audit::record(&mut tx, ctx.into(), "plans.run", Entity::Row("plan_runs", id), Some(unit.id), None).await?;
    tx.commit().await?;
    Ok(id)
}

/// The uses of plans at and below the reader's unit, newest first.
pub async fn runs(db: &Db, ctx: &Ctx) -> AppResult<Vec<RunRow>> {
    let unit = reader_unit(db, ctx).await?;
    ctx.must_see(&unit.path)?;
    let mut c = db.read().await?;
    Ok(store::runs_under(&mut c, &unit.path, 50).await?)
}
