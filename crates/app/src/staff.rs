//! Staff records: list with search and filters, view, create, edit (including transfer and leaving).
use crate::audit::{self, Entity};
use crate::{AppError, AppResult, Ctx};
use anbao_domain::DomainError;
use anbao_domain::access::Permission;
use anbao_domain::ids::{StaffId, UnitId};
use anbao_domain::staff::{CardGrade, Employment, StaffDraft, StaffName, StaffNo, parse_phone, parse_positions};
use anbao_store::Db;
use anbao_store::staff::{self as store, StaffFilter, StaffRow};

/// Raw staff input from a form or JSON; parsed here into a `StaffDraft`.
#[derive(Debug, Clone, Default)]
pub struct StaffInput {
    pub unit_id: Option<i64>,
    pub name: String,
    pub staff_no: String,
    pub positions: Vec<String>,
    pub employment: String,
    pub key_position: bool,
    pub card_grade: Option<String>,
    pub phone: Option<String>,
    pub active: Option<bool>,
}

fn parse(input: &StaffInput) -> Result<(UnitId, StaffDraft), DomainError> {
    let unit = input
        .unit_id
        .map(UnitId::new)
        .ok_or_else(|| DomainError::new("unit_id", "请选择所属单位", "choose the unit"))?;
    let draft = StaffDraft {
        name: StaffName::parse(&input.name)?,
        staff_no: StaffNo::parse(&input.staff_no)?,
        positions: parse_positions(input.positions.iter().map(String::as_str))?,
        employment: Employment::parse(&input.employment)?,
        key_position: input.key_position,
        card_grade: match input.card_grade.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(g) => Some(CardGrade::parse(g)?),
        },
        phone: parse_phone(input.phone.as_deref())?,
    };
    draft.check()?;
    Ok((unit, draft))
}

pub const PAGE_SIZE: i64 = 50;

pub async fn list_staff(db: &Db, ctx: &Ctx, f: &StaffFilter, page: i64) -> AppResult<(Vec<StaffRow>, i64)> {
    let mut c = db.read().await?;
    let offset = (page.max(1) - 1).saturating_mul(PAGE_SIZE);
    Ok(store::list(&mut c, db.counts(), &ctx.actor.scope, Permission::OrgRead, f, (PAGE_SIZE, offset)).await?)
}

/// Up to `limit` active people of the units under `path` (a unit the caller sees), for choosing a person.
pub async fn active_under(db: &Db, ctx: &Ctx, path: &str, limit: usize) -> AppResult<Vec<StaffRow>> {
    ctx.must_see(path)?;
    let mut c = db.read().await?;
    Ok(store::under(&mut c, path).await?.into_iter().filter(|r| r.active).take(limit).collect())
}

/// Every matching row (for Excel export), bounded to keep one request from exhausting memory.
pub async fn export_staff(db: &Db, ctx: &Ctx, f: &StaffFilter) -> AppResult<Vec<StaffRow>> {
    let mut c = db.read().await?;
    Ok(store::list(&mut c, db.counts(), &ctx.actor.scope, Permission::OrgRead, f, (100_000, 0)).await?.0)
}

pub async fn get_staff(db: &Db, ctx: &Ctx, id: StaffId) -> AppResult<StaffRow> {
    let mut c = db.read().await?;
    let s = store::get(&mut c, id).await?.ok_or(AppError::NotFound)?;
    ctx.must_see(&s.unit_path)?;
    Ok(s)
}

/// Check the target unit: it exists, the actor may keep staff there, and people belong to units that have them.
async fn target_unit(c: &mut anbao_store::Conn, ctx: &Ctx, unit: UnitId) -> AppResult<()> {
    let u = anbao_store::org::get(c, unit)
        .await?
        .ok_or_else(|| AppError::Invalid(DomainError::new("unit_id", "所属单位不存在", "the unit does not exist")))?;
    ctx.must(Permission::StaffWrite, &u.path).map_err(|e| match e {
        AppError::NotFound => {
            AppError::Invalid(DomainError::new("unit_id", "所属单位不存在", "the unit does not exist"))
        }
        other => other,
    })?;
    Ok(())
}

pub async fn create_staff(db: &Db, ctx: &Ctx, input: StaffInput) -> AppResult<StaffId> {
    let (unit, draft) = parse(&input)?;
    let mut tx = db.begin().await?;
    target_unit(&mut tx, ctx, unit).await?;
    let id = store::insert(&mut tx, unit, &draft, ctx.now).await?;
    audit::record(&mut tx, ctx.into(), "staff.create", Entity::Staff(id), Some(unit), None).await?;
    tx.commit().await?;
    Ok(id)
}

/// Edit a record: a transfer is an edit of the unit (both units in scope); leaving is `active = false`.
pub async fn update_staff(db: &Db, ctx: &Ctx, id: StaffId, input: StaffInput) -> AppResult<()> {
    let (unit, draft) = parse(&input)?;
    let guard_rule = crate::guards::rule(db, ctx.now).await?;
    let mut tx = db.begin().await?;
    let current = store::get(&mut tx, id).await?.ok_or(AppError::NotFound)?;
    ctx.must(Permission::StaffWrite, &current.unit_path)?;
    // ORG-5: an existing person is given the guard post only when eligible. (A new hire is entered first, and the
    // security department records their credential before they are given the post or any armed duty.)
    let guard = anbao_domain::staff::Position::Guard;
    if draft.positions.contains(&guard) && !current.positions.contains(&guard) {
        let today = anbao_domain::period::day_of_ms(ctx.now);
        crate::guards::must_be_eligible(&mut tx, guard_rule, id, &current.name, today).await.map_err(|e| match e {
            AppError::Invalid(d) => {
                AppError::Invalid(anbao_domain::DomainError::new("positions", d.message, d.message_en))
            }
            other => other,
        })?;
    }
    if unit != current.unit_id {
        target_unit(&mut tx, ctx, unit).await?;
    }
    let before = Entity::Staff(id).snapshot(&mut tx).await?;
    let active = input.active.unwrap_or(current.active);
    store::update(&mut tx, id, unit, &draft, active, ctx.now).await?;
    audit::record(&mut tx, ctx.into(), "staff.update", Entity::Staff(id), Some(unit), before.as_ref()).await?;
    // A person who leaves takes their account with them, in the same transaction: its sessions end now.
    let disabled = if current.active && !active {
        crate::accounts::disable_for_staff(&mut tx, ctx.into(), id).await?
    } else {
        Vec::new()
    };
    // A transfer or a new post moves the grant that came from the old posts, and the security department is told.
    let moved = if active {
        let after = store::get(&mut tx, id).await?.ok_or(AppError::NotFound)?;
        crate::provision::follow_person(&mut tx, ctx, &current, &after).await?
    } else {
        false
    };
    tx.commit().await?;
    if !disabled.is_empty() || moved {
        crate::auth::forget_sessions();
    }
    Ok(())
}
