//! Faults (FAC-4, CCTV-5): reported by the outlet, dispatched by the security department, repaired, verified.
use super::*;

/// Faults (FAC-4, CCTV-5): reported by the outlet, dispatched by the security department to the installer or an
/// appointed person, repaired (a vault repair names who accompanied it), verified. No step skips another.
pub async fn report_fault(db: &Db, ctx: &Ctx, item: i64, description: &str) -> AppResult<i64> {
    let description = anbao_domain::text::bounded("description", "故障情况", "Fault", description, 500)?;
    let mut tx = db.begin().await?;
    let it = store::item_by_id(&mut tx, item).await?.ok_or(AppError::NotFound)?;
    let p = place_for_write(&mut tx, ctx, it.place_id).await?;
    if it.status != "working" {
        return Err(conflict("status", "该设施已报修或已报废", "the item is already faulty or retired"));
    }
    let unit = Some(UnitId::new(p.unit_id));
    let id = store::insert_fault(&mut tx, item, &description, ctx.actor.account.get(), ctx.now).await?;
    audit::record(&mut tx, ctx.into(), "facility.fault", Entity::Row("facility_faults", id), unit, None).await?;
    let before = Entity::Row("facility_items", item).snapshot(&mut tx).await?;
    store::set_item_status(&mut tx, item, "faulty", None).await?;
    audit::record(&mut tx, ctx.into(), "facility.faulty", Entity::Row("facility_items", item), unit, before.as_ref())
        .await?;
    let e = store::insert_event(&mut tx, item, "fault", &description, Some(ctx.actor.account.get()), ctx.now).await?;
    audit::record(&mut tx, ctx.into(), "facility.event", Entity::Row("facility_events", e), unit, None).await?;
    crate::confirm::report_to_security(
        &mut tx,
        &p.unit_path,
        &format!("fault-{id}"),
        &format!("安防设施故障：{}", p.name),
        &description,
        "/facilities/faults",
        ctx.now,
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// Move a fault one step along its lifecycle (`FaultStep::moves`), as a conditional update.
pub async fn fault_step(
    db: &Db,
    ctx: &Ctx,
    id: i64,
    step: FaultStep,
    assignee: Option<&str>,
    deadline: Option<Day>,
    accompanied_by: Option<&str>,
) -> AppResult<()> {
    let mut tx = db.begin().await?;
    let f: FaultRow = store::fault_by_id(&mut tx, id).await?.ok_or(AppError::NotFound)?;
    ctx.must_see(&f.unit_path)?;
    ctx.must(Permission::RecordWrite, &f.unit_path)?;
    let (from, to) = step.moves();
    let assignee = assignee.map(str::trim).filter(|s| !s.is_empty());
    let accompanied = accompanied_by.map(str::trim).filter(|s| !s.is_empty());
    if step == FaultStep::Dispatch {
        // 第四十七条: repairs go through the union's security department, never privately.
        if !from_above(ctx, &f.unit_path) {
            return Err(invalid(
                "step",
                "维修须由联社保卫部门联系维修单位，严禁私自维修（第四十七条）",
                "repairs are dispatched by the security department (art. 47)",
            ));
        }
        if assignee.is_none() || deadline.is_none() {
            return Err(invalid(
                "assignee",
                "派修须写明维修单位或专人及修复期限",
                "name the repairer and the deadline",
            ));
        }
    }
    // 第三十七条: a vault repair is accompanied by the outlet head and a vault keeper, named by their staff numbers
    // and checked against the staff records; what is kept is who they were.
    let named;
    let accompanied = if step == FaultStep::Repaired && f.place_kind == "vault" {
        named = vault_companions(&mut tx, &f.unit_path, accompanied.unwrap_or_default()).await?;
        Some(named.as_str())
    } else {
        accompanied
    };
    if step == FaultStep::Verify && !from_above(ctx, &f.unit_path) {
        return Err(AppError::Forbidden);
    }
    let before = Entity::Row("facility_faults", id).snapshot(&mut tx).await?;
    let moved = store::move_fault(
        &mut tx,
        id,
        FaultMove { from, to, assignee, deadline_day: deadline, accompanied_by: accompanied, now: ctx.now },
    )
    .await?;
    if !moved {
        return Err(conflict("status", "该故障当前状态不能办理此操作", "the fault is not in a state for this"));
    }
    let p = store::place_by_id(&mut tx, f.place_id).await?.ok_or(AppError::NotFound)?;
    let unit = Some(UnitId::new(p.unit_id));
    audit::record(
        &mut tx,
        ctx.into(),
        &format!("facility.fault_{}", step.code()),
        Entity::Row("facility_faults", id),
        unit,
        before.as_ref(),
    )
    .await?;
    let item_now = store::item_by_id(&mut tx, f.item_id).await?;
    if step == FaultStep::Verify && item_now.is_some_and(|i| i.status == "faulty") {
        let b = Entity::Row("facility_items", f.item_id).snapshot(&mut tx).await?;
        store::set_item_status(&mut tx, f.item_id, "working", Some(period::day_of_ms(ctx.now))).await?;
        audit::record(
            &mut tx,
            ctx.into(),
            "facility.repaired",
            Entity::Row("facility_items", f.item_id),
            unit,
            b.as_ref(),
        )
        .await?;
        let e = store::insert_event(
            &mut tx,
            f.item_id,
            "repaired",
            "维修完毕，验证正常",
            Some(ctx.actor.account.get()),
            ctx.now,
        )
        .await?;
        audit::record(&mut tx, ctx.into(), "facility.event", Entity::Row("facility_events", e), unit, None).await?;
    }
    tx.commit().await?;
    Ok(())
}

pub async fn faults(db: &Db, ctx: &Ctx, unit: UnitId) -> AppResult<Vec<FaultRow>> {
    let mut c = db.read().await?;
    let u = anbao_store::org::get(&mut c, unit).await?.ok_or(AppError::NotFound)?;
    ctx.must_see(&u.path)?;
    Ok(store::faults_under(&mut c, &u.path).await?)
}

const VAULT_REPAIR: (&str, &str) = (
    "金库设施维修须由网点负责人和管库员陪同并登记（第三十七条）：请填写两人的工号，如 QH0001、QH0003",
    "a vault repair is accompanied by the outlet head and a vault keeper (art. 37): give their staff numbers",
);

/// The outlet head and a vault keeper of the vault's unit, from their staff numbers ("QH0001、QH0003"): their names
/// and posts as the repair keeps them, or the article when they are not both there.
async fn vault_companions(c: &mut anbao_store::Conn, unit_path: &str, raw: &str) -> AppResult<String> {
    use anbao_domain::staff::Position;
    let mut people = Vec::new();
    for no in raw.split(['、', ',', '，', ' ', ';', '；']).map(str::trim).filter(|s| !s.is_empty()).take(4) {
        let s = anbao_store::staff::by_no(c, no).await?.filter(|s| s.active && s.unit_path == unit_path);
        people.push(s.ok_or_else(|| {
            invalid("accompanied_by", format!("工号 {no} 不是本网点的在岗员工"), "not active staff of this outlet")
        })?);
    }
    let head = people.iter().find(|s| s.positions.contains(&Position::Director));
    let keeper =
        people.iter().find(|s| s.positions.contains(&Position::VaultKeeper) && Some(s.id) != head.map(|h| h.id));
    match (head, keeper) {
        (Some(h), Some(k)) => Ok(format!("{}（网点负责人）、{}（管库员）", h.name, k.name)),
        _ => Err(invalid("accompanied_by", VAULT_REPAIR.0, VAULT_REPAIR.1)),
    }
}
