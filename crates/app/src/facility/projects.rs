//! Installation projects (FAC-3): proposed from the designated products only, approved by the union, installed,
//! accepted by the union's security department or the regional centre, and payable only once accepted.
use super::*;

/// Installation projects (FAC-3): only designated, police-tested products may be proposed; the union approves;
/// acceptance by the union's security department or the regional centre; payable only once accepted.
pub async fn propose(
    db: &Db,
    ctx: &Ctx,
    place: i64,
    kind: &str,
    product: &str,
    supplier: &str,
    budget: i64,
) -> AppResult<i64> {
    let supplier = anbao_domain::text::bounded("supplier", "安装单位", "Installer", supplier, 60)?;
    if !(1..=100_000_000).contains(&budget) {
        return Err(invalid("budget", "预算须为正的整数（元）", "the budget must be a positive whole number of yuan"));
    }
    let mut tx = db.begin().await?;
    let (_, cat) = catalogue(&mut tx).await?;
    let p = place_for_write(&mut tx, ctx, place).await?;
    if !cat.product.iter().any(|x| x.kind == kind && x.model == product) {
        return Err(invalid(
            "product",
            "只能选用联社定点、经公安部门检测的安防产品（篇五 三：严禁私自安装未经公安部门检测和联社定点的有关安防产品）",
            "only the union's designated, police-tested products may be proposed",
        ));
    }
    let id = store::insert_project(&mut tx, p.id, kind, product, &supplier, budget, ctx.actor.account.get(), ctx.now)
        .await?;
    audit::record(
        &mut tx,
        ctx.into(),
        "facility.propose",
        Entity::Row("facility_projects", id),
        Some(UnitId::new(p.unit_id)),
        None,
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// Move a project one step along its lifecycle (`ProjectStep::moves`); the move is a conditional update, so two
/// people taking the same step at once move it once.
pub async fn project_step(db: &Db, ctx: &Ctx, id: i64, step: ProjectStep, findings: Option<&str>) -> AppResult<()> {
    let mut tx = db.begin().await?;
    let j = store::project_by_id(&mut tx, id).await?.ok_or(AppError::NotFound)?;
    ctx.must_see(&j.unit_path)?;
    let status = ProjectStatus::parse(&j.status)
        .map_err(|e| AppError::Internal(format!("project {id}: stored {}", e.message_en)))?;
    let (from, to) = step.moves();
    if step.by_the_union() && !from_above(ctx, &j.unit_path) {
        return Err(AppError::Forbidden);
    }
    ctx.must(Permission::RecordWrite, &j.unit_path)?;
    if step == ProjectStep::Pay && status != ProjectStatus::Accepted {
        return Err(conflict(
            "status",
            "未经验收或验收不合格，不得支付工程款（篇五 三）",
            "not payable before the acceptance has passed",
        ));
    }
    let findings = findings.map(str::trim).filter(|s| !s.is_empty());
    if step == ProjectStep::Fail && findings.is_none() {
        return Err(invalid("findings", "验收不合格须写明问题", "a failed acceptance needs its findings"));
    }
    let before = Entity::Row("facility_projects", id).snapshot(&mut tx).await?;
    if !store::move_project(&mut tx, id, from, to, findings, ctx.actor.account.get(), ctx.now).await? {
        return Err(conflict(
            "status",
            format!("该项目当前状态不能办理此操作（{}）", status.label_zh()),
            "the project is not in a state for this",
        ));
    }
    let p = store::place_by_id(&mut tx, j.place_id).await?.ok_or(AppError::NotFound)?;
    let unit = UnitId::new(p.unit_id);
    audit::record(
        &mut tx,
        ctx.into(),
        &format!("facility.project_{}", step.code()),
        Entity::Row("facility_projects", id),
        Some(unit),
        before.as_ref(),
    )
    .await?;
    if step == ProjectStep::Accept {
        // Accepted work enters the ledger (with its service life from the catalogue); a place waiting for its
        // acceptance opens only once nothing the standard requires is missing.
        let today = period::day_of_ms(ctx.now);
        let (_, cat) = catalogue(&mut tx).await?;
        let input = ItemInput {
            place_id: Some(p.id),
            kind: Some(j.kind.clone()),
            model: Some(j.product.clone()),
            count: Some(1),
            supplier: Some(j.supplier.clone()),
            installed: Some(today),
            expires: None,
        };
        let item = check_item(&cat, &input, today)?;
        insert_checked(&mut tx, ctx, &item, "installed", &format!("安装项目#{id}验收合格入账"), unit).await?;
        let items: Vec<ItemRow> =
            store::items_under(&mut tx, &p.unit_path).await?.into_iter().filter(|i| i.place_id == p.id).collect();
        let refs: Vec<&ItemRow> = items.iter().collect();
        if !p.opened && gaps(&cat, &p.kind, p.risk_level, &present(&refs), today).is_empty() {
            let before = Entity::Row("places", p.id).snapshot(&mut tx).await?;
            store::set_opened(&mut tx, p.id).await?;
            audit::record(
                &mut tx,
                ctx.into(),
                "facility.place_opened",
                Entity::Row("places", p.id),
                Some(unit),
                before.as_ref(),
            )
            .await?;
        }
    }
    tx.commit().await?;
    Ok(())
}

pub async fn projects(db: &Db, ctx: &Ctx, unit: UnitId) -> AppResult<Vec<ProjectRow>> {
    let mut c = db.read().await?;
    let u = anbao_store::org::get(&mut c, unit).await?.ok_or(AppError::NotFound)?;
    ctx.must_see(&u.path)?;
    Ok(store::projects_under(&mut c, &u.path).await?)
}
