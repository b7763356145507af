//! Hazards (INSP-3, INSP-4): raised from failed items or by hand, rectified by the unit, verified or sent back by
//! the inspecting side, listed in the register with their age, and escalated when overdue.
use super::*;

/// A hazard raised by hand (not from a checklist item).
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct HazardInput {
    pub unit_id: Option<i64>,
    pub title: Option<String>,
    pub article: Option<String>,
    pub severity: Option<String>,
    pub deadline: Option<Day>,
    pub owner_id: Option<i64>,
    /// The case or incident it is tied to (then 三不放过 applies at closing).
    pub case_ref: Option<String>,
}

pub async fn raise(db: &Db, ctx: &Ctx, input: &HazardInput) -> AppResult<i64> {
    let title =
        anbao_domain::text::bounded("title", "隐患内容", "Hazard", input.title.as_deref().unwrap_or_default(), 300)?;
    let article = anbao_domain::text::bounded(
        "article",
        "依据条文",
        "Article",
        input.article.as_deref().unwrap_or_default(),
        200,
    )?;
    let severity = input.severity.as_deref().unwrap_or("general");
    if severity != "general" && severity != "major" {
        return Err(invalid("severity", "隐患等级须为一般或重大", "severity: general or major"));
    }
    let deadline = input.deadline.ok_or_else(|| invalid("deadline", "请填写整改期限", "set the deadline"))?;
    let today = period::day_of_ms(ctx.now);
    if deadline < today {
        return Err(invalid("deadline", "整改期限不能早于今天", "the deadline cannot be in the past"));
    }
    let case_ref = anbao_domain::text::optional("case_ref", "关联案件", "Case", input.case_ref.as_deref(), 60)?;
    let home = crate::org::home_unit(db, ctx).await?;
    let mut tx = db.begin().await?;
    let unit = input.unit_id.ok_or_else(|| invalid("unit_id", "请选择单位", "choose the unit"))?;
    let u = anbao_store::org::get(&mut tx, UnitId::new(unit)).await?;
    let u = u
        .filter(|u| ctx.must_see(&u.path).is_ok())
        .ok_or_else(|| invalid("unit_id", "所选单位不存在", "no such unit"))?;
    ctx.must(Permission::RecordWrite, &u.path)?;
    // Hazards are raised by the unit above (the inspecting side), so that someone else verifies them.
    if !(u.path.starts_with(&home.path) && u.path != home.path) {
        return Err(invalid(
            "unit_id",
            "只能对下级单位登记隐患（整改由被检查单位负责，验证由检查单位负责）",
            "hazards are raised against units below your own",
        ));
    }
    let owner = match input.owner_id {
        Some(o) => {
            let s = anbao_store::staff::get(&mut tx, StaffId::new(o)).await?;
            if !s.is_some_and(|s| s.active && s.unit_path.starts_with(&u.path)) {
                return Err(invalid(
                    "owner_id",
                    "责任人须是该单位在岗员工",
                    "the owner must be active staff of that unit",
                ));
            }
            Some(o)
        }
        None => owner_of(&mut tx, u.id).await?,
    };
    let id = raise_in(
        &mut tx,
        ctx,
        0,
        u.id,
        home.id,
        None,
        None,
        &title,
        &article,
        severity,
        deadline,
        owner,
        case_ref.as_deref(),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

async fn hazard_in_scope(c: &mut Conn, ctx: &Ctx, id: i64) -> AppResult<HazardRow> {
    let h = store::hazard_by_id(c, id).await?.ok_or(AppError::NotFound)?;
    if ctx.must_see(&h.unit_path).is_err() {
        ctx.must_see(&h.raised_by_path)?;
    }
    Ok(h)
}

pub struct Hazard {
    pub row: HazardRow,
    pub events: Vec<store::EventRow>,
    pub escalation: u8,
}

pub async fn hazard(db: &Db, ctx: &Ctx, id: i64) -> AppResult<Hazard> {
    let days = limit_days(db, ESCALATION_RULE, ctx.now).await?;
    let mut c = db.read().await?;
    let row = hazard_in_scope(&mut c, ctx, id).await?;
    let today = period::day_of_ms(ctx.now);
    Ok(Hazard {
        escalation: escalation(row.deadline_day, today, row.status != "open", days),
        events: store::events_of(&mut c, id).await?,
        row,
    })
}

/// The name the notice is issued in: the raising unit's, and a department signs in its union's name
/// ("清河县农村信用合作联社保卫部", not just "保卫部"). Read without a scope check: the outlet addressed may not see the
/// union's department, but the notice it holds names it.
pub async fn issuer_of(db: &Db, row: &HazardRow) -> AppResult<String> {
    let mut c = db.read().await?;
    let Some(u) = anbao_store::org::get(&mut c, UnitId::new(row.raised_by_unit_id)).await? else {
        return Ok(row.raised_by_name.clone());
    };
    if u.kind != anbao_domain::org::UnitKind::Department {
        return Ok(u.name);
    }
    Ok(match u.parent_id {
        Some(parent) => {
            anbao_store::org::get(&mut c, parent).await?.map_or(u.name.clone(), |pu| format!("{}{}", pu.name, u.name))
        }
        None => u.name,
    })
}

/// Who reports a hazard rectified: the head of the unit that has it, to whom the notice is addressed and who answers
/// for a rectification left undone (篇二 (四): 下发隐患通知书告知网点负责人…督促限期整改; 责任追究办法 第十二条㈡),
/// or the security department over it. An employee, or an escort granted at the county, may not.
pub const RECTIFIERS: [Role; 2] = [Role::UnitHead, Role::Security];

/// The outlet records what it did (INSP-4); the hazard then waits for the inspector's verification.
pub async fn rectify(db: &Db, ctx: &Ctx, id: i64, note: &str) -> AppResult<()> {
    let note = anbao_domain::text::paragraphs("note", "整改情况", "What was done", note, 1000)?;
    let mut tx = db.begin().await?;
    let h = hazard_in_scope(&mut tx, ctx, id).await?;
    ctx.must_hold(&RECTIFIERS, &h.unit_path)?;
    if h.status != HazardStatus::Open.code() {
        return Err(conflict("status", "该隐患不在待整改状态", "the hazard is not open"));
    }
    change(&mut tx, ctx, &h, HazardStatus::Rectified, "rectified", &note, None).await?;
    tx.commit().await?;
    Ok(())
}

/// The inspecting side verifies: passed closes the hazard (with 三不放过 for a case), failed sends it back with
/// the reasons. Someone outside the raising side's scope cannot see it, let alone verify it.
pub async fn verify(
    db: &Db,
    ctx: &Ctx,
    id: i64,
    pass: bool,
    note: &str,
    cause: Option<&str>,
    accountability: Option<&str>,
) -> AppResult<()> {
    let home = crate::org::home_unit(db, ctx).await?;
    let mut tx = db.begin().await?;
    let h = store::hazard_by_id(&mut tx, id).await?.ok_or(AppError::NotFound)?;
    ctx.must_see(&h.raised_by_path)?;
    ctx.must(Permission::RecordWrite, &h.raised_by_path)?;
    if h.status != HazardStatus::Rectified.code() {
        return Err(conflict("status", "整改完成后方可验证", "verify after the rectification"));
    }
    // Whoever reported the rectification, or anyone of the unit that had the hazard, cannot verify it.
    if store::last_rectifier(&mut tx, id).await? == Some(ctx.actor.account.get()) || home.id.get() == h.unit_id {
        return Err(invalid(
            "verify",
            "整改情况须由检查单位验证，整改单位不能自行验证销号",
            "the inspecting side verifies; the unit that rectified cannot",
        ));
    }
    let note = note.trim();
    if pass {
        let cause =
            cause.map(str::trim).filter(|s| !s.is_empty()).or(h.cause.as_deref()).unwrap_or_default().to_owned();
        let acc = accountability
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .or(h.accountability.as_deref())
            .unwrap_or_default()
            .to_owned();
        check_three_nots(h.case_ref.as_deref().unwrap_or_default(), &cause, &acc)?;
        let fields = (!cause.is_empty() || !acc.is_empty()).then_some((cause, acc));
        let text = if note.is_empty() { "验证合格，予以销号" } else { note };
        change(&mut tx, ctx, &h, HazardStatus::Closed, "verified", text, fields).await?;
    } else {
        if note.is_empty() {
            return Err(invalid("note", "退回整改须写明理由", "say why it goes back"));
        }
        change(&mut tx, ctx, &h, HazardStatus::Open, "rejected", note, None).await?;
    }
    tx.commit().await?;
    Ok(())
}

async fn change(
    c: &mut Conn,
    ctx: &Ctx,
    h: &HazardRow,
    to: HazardStatus,
    action: &str,
    note: &str,
    three_nots: Option<(String, String)>,
) -> AppResult<()> {
    let before = Entity::Row("hazards", h.id).snapshot(c).await?;
    let closed = (to == HazardStatus::Closed).then_some(ctx.now);
    let (cause, acc) = match &three_nots {
        Some((a, b)) => (Some(a.as_str()), Some(b.as_str())),
        None => (None, None),
    };
    if !store::set_hazard_status(c, h.id, &h.status, to.code(), cause, acc, closed).await? {
        return Err(conflict("status", "该隐患状态已变化，请刷新后重试", "the hazard changed meanwhile"));
    }
    let unit = Some(UnitId::new(h.unit_id));
    audit::record(c, ctx.into(), &format!("hazard.{action}"), Entity::Row("hazards", h.id), unit, before.as_ref())
        .await?;
    let e = store::insert_event(c, h.id, action, note, ctx.actor.account.get(), ctx.now).await?;
    audit::record(c, ctx.into(), &format!("hazard.{action}"), Entity::Row("hazard_events", e), unit, None).await?;
    Ok(())
}

/// A row of the hazard register with its age and escalation.
pub struct RegisterRow {
    pub row: HazardRow,
    pub escalation: u8,
    pub overdue_days: i64,
    pub age_days: i64,
}

pub async fn register(db: &Db, ctx: &Ctx, unit: UnitId, status: Option<&str>) -> AppResult<Vec<RegisterRow>> {
    let days = limit_days(db, ESCALATION_RULE, ctx.now).await?;
    let today = period::day_of_ms(ctx.now);
    let mut c = db.read().await?;
    let u = anbao_store::org::get(&mut c, unit).await?.ok_or(AppError::NotFound)?;
    ctx.must_see(&u.path)?;
    let status = status.filter(|s| HazardStatus::parse(s).is_some());
    Ok(store::hazards_under(&mut c, &u.path, status, 2000)
        .await?
        .into_iter()
        .map(|h| {
            // Only a hazard still waiting for the outlet is overdue; one awaiting verification is not.
            let closed = h.status != "open";
            RegisterRow {
                escalation: escalation(h.deadline_day, today, closed, days),
                overdue_days: if closed { 0 } else { (today - h.deadline_day).max(0) },
                age_days: today - period::day_of_ms(h.raised_at),
                row: h,
            }
        })
        .collect())
}

/// Tell the deputy in charge of each overdue hazard's unit (and the security department over it), then the
/// leadership once it is overdue by more than INSP-4's days. Messages are keyed, so each is sent once.
/// Whom an overdue hazard of one unit goes to: its deputies in charge, its leaders, its security department.
type Recipients = (Vec<i64>, Vec<i64>, Vec<i64>);

pub async fn escalate(db: &Db, now: i64) -> AppResult<usize> {
    let days = limit_days(db, ESCALATION_RULE, now).await?;
    let today = period::day_of_ms(now);
    let mut tx = db.begin().await?;
    // Who signs in as each person, read once for the run rather than once per hazard.
    let mut accounts: HashMap<StaffId, Vec<i64>> = HashMap::new();
    for a in anbao_store::accounts::list(&mut tx).await?.into_iter().filter(|a| !a.disabled) {
        if let Some(s) = a.staff_id {
            accounts.entry(s).or_default().push(a.id.get());
        }
    }
    let of = |s: Option<StaffId>| s.and_then(|s| accounts.get(&s)).cloned().unwrap_or_default();
    // Hazards of one unit share its leaders and its security department.
    let mut by_unit: HashMap<String, Recipients> = HashMap::new();
    let mut sent = 0;
    for h in store::overdue(&mut tx, today).await? {
        let level = escalation(h.deadline_day, today, false, days);
        if !by_unit.contains_key(&h.unit_path) {
            let (deputy, leader) = leaders_over(&mut tx, &h.unit_path).await?;
            let security = anbao_store::messages::security_over(&mut tx, &h.unit_path).await?;
            by_unit.insert(h.unit_path.clone(), (of(deputy), of(leader), security.iter().map(|a| a.get()).collect()));
        }
        let (deputies, leaders, security) = by_unit.get(&h.unit_path).cloned().unwrap_or_default();
        let body = format!("{}：{}（整改期限{}）", h.unit_name, h.title, period::date_of_day(h.deadline_day));
        let link = format!("/hazards/{}", h.id);
        let first = format!("hazard-esc1-{}", h.id);
        let mut targets: Vec<(i64, String, String)> = Vec::new();
        targets.extend(
            deputies.iter().map(|a| (*a, first.clone(), format!("隐患逾期未整改（报分管领导）：{}", h.notice_no))),
        );
        targets.extend(security.iter().map(|a| (*a, first.clone(), format!("隐患逾期未整改：{}", h.notice_no))));
        if level >= 2 {
            let second = format!("hazard-esc2-{}", h.id);
            targets.extend(
                leaders.iter().map(|a| (*a, second.clone(), format!("隐患逾期未整改（报理事会）：{}", h.notice_no))),
            );
        }
        for (a, key, title) in targets {
            let account = anbao_domain::ids::AccountId::new(a);
            if anbao_store::messages::put(&mut tx, account, &key, &title, &body, &link, now).await? {
                sent += 1;
            }
        }
    }
    tx.commit().await?;
    Ok(sent)
}

/// The nearest deputy in charge (分管领导) and first responsible person (第一责任人) at or above a unit.
async fn leaders_over(c: &mut Conn, path: &str) -> AppResult<(Option<StaffId>, Option<StaffId>)> {
    let ids: Vec<i64> = path.split('/').filter_map(|s| s.parse().ok()).collect();
    let (mut deputy, mut leader) = (None, None);
    for id in ids.iter().rev() {
        if let Some(u) = anbao_store::org::get(c, UnitId::new(*id)).await? {
            deputy = deputy.or(u.deputy_in_charge_id);
            // The leadership is above the unit that owns the hazard: its own head is the one who failed to act.
            if u.path != path {
                leader = leader.or(u.first_responsible_id);
            }
        }
    }
    Ok((deputy, leader))
}
