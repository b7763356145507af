//! Violations and penalties (INC-4): proposed from a register's flagged breach, an inspection's failed item, a late
//! report or a case determination, each with the catalogue's article, minimum fine, sanction and joint liability; then
//! decided (or waived, with a reason) by the union's security department. The penalty register lists them.
use super::*;
use anbao_domain::incident::{Joint, PenaltyStatus, ViolationType};

/// What produced a violation.
pub struct Source<'a> {
    pub kind: &'a str,
    pub id: Option<i64>,
    pub case_id: Option<i64>,
    pub occurred_at: i64,
    pub facts: String,
}

/// Propose the penalty the catalogue gives: the person, the minimum fine, the first sanction listed (or the loss
/// sanction), and the unit's head or leader jointly liable where the type says so.
pub async fn propose_in(
    c: &mut Conn,
    w: Writer,
    t: &ViolationType,
    unit: &UnitRow,
    staff: Option<i64>,
    src: Source<'_>,
    sanction: Option<&str>,
) -> AppResult<i64> {
    let joint = match t.joint {
        Some(Joint::UnitHead) => unit.first_responsible_id.map(|s| s.get()),
        Some(Joint::UnitLeader) => unit.deputy_in_charge_id.or(unit.first_responsible_id).map(|s| s.get()),
        None => None,
    }
    .filter(|j| Some(*j) != staff);
    let sanction = sanction.or(t.sanctions.first().map(String::as_str));
    let id = store::insert_violation(
        c,
        store::NewViolation {
            unit: unit.id.get(),
            staff,
            code: &t.code,
            title: &t.title,
            article: &t.article,
            source: src.kind,
            source_id: src.id,
            case_id: src.case_id,
            occurred_at: src.occurred_at,
            local_day: period::day_of_ms(src.occurred_at),
            facts: &src.facts,
            fine_yuan: t.fine,
            sanction,
            joint_staff: joint,
            by: w.actor.map(|a| a.get()),
            now: w.now,
        },
    )
    .await?;
    audit::record(c, w, "violation.propose", write_row("violations", id), Some(unit.id), None).await?;
    Ok(id)
}

/// A record that shows a breach: which record, the violation its kind declares, and who and where.
pub struct Breached<'a> {
    pub record: i64,
    pub code: &'a str,
    pub kind: &'a str,
    pub unit: UnitId,
    pub performer: Option<i64>,
    pub occurred_at: i64,
    pub reason: &'a str,
}

/// A register recorded a breach (registers record reality): the violation its kind maps to, against the performer
/// or, when the kind names nobody, the unit's head.
pub async fn from_record(c: &mut Conn, ctx: &Ctx, b: Breached<'_>) -> AppResult<Option<i64>> {
    let Breached { record, code, kind, unit, performer, occurred_at, reason } = b;
    let (_, rules) = current_rules(c).await?;
    let Some(t) = rules.violation_type(code).or_else(|| rules.violation_for_record(kind)) else { return Ok(None) };
    let u = anbao_store::org::get(c, unit).await?.ok_or(AppError::NotFound)?;
    let who = performer.or(u.first_responsible_id.map(|s| s.get()));
    let src = Source { kind: "record", id: Some(record), case_id: None, occurred_at, facts: reason.to_owned() };
    Ok(Some(propose_in(c, ctx.into(), t, &u, who, src, None).await?))
}

/// An escort event that shows a breach (a traffic check whose officers' identity was not verified, 预案 第二十三条):
/// against the crew member the trip names (`crew`: the escort who recorded it, else the first escort), or the trip
/// unit's head when the crew names nobody.
pub async fn from_escort_event(
    c: &mut Conn,
    ctx: &Ctx,
    event: i64,
    code: &str,
    unit: UnitId,
    crew: Option<i64>,
    facts: &str,
) -> AppResult<Option<i64>> {
    let (_, rules) = current_rules(c).await?;
    let Some(t) = rules.violation_type(code) else { return Ok(None) };
    let u = anbao_store::org::get(c, unit).await?.ok_or(AppError::NotFound)?;
    let who = crew.or(u.first_responsible_id.map(|s| s.get()));
    let src = Source { kind: "escort", id: Some(event), case_id: None, occurred_at: ctx.now, facts: facts.to_owned() };
    Ok(Some(propose_in(c, ctx.into(), t, &u, who, src, None).await?))
}

/// An inspection item failed whose check the catalogue maps to a violation: against the unit's head, who answers for
/// the outlet (the inspection names no one else).
pub async fn from_item(
    c: &mut Conn,
    ctx: &Ctx,
    inspection: i64,
    item: &str,
    unit: UnitId,
    occurred_at: i64,
    facts: &str,
) -> AppResult<Option<i64>> {
    let (_, rules) = current_rules(c).await?;
    let Some(t) = rules.violation_for_item(item) else { return Ok(None) };
    let u = anbao_store::org::get(c, unit).await?.ok_or(AppError::NotFound)?;
    let who = u.first_responsible_id.map(|s| s.get());
    let src = Source { kind: "inspection", id: Some(inspection), case_id: None, occurred_at, facts: facts.to_owned() };
    Ok(Some(propose_in(c, ctx.into(), t, &u, who, src, None).await?))
}

/// A report reached `to` late: a violation against the head of `owed`, the unit that owed it, and a line in the
/// case's timeline.
pub(super) async fn late_report(
    c: &mut Conn,
    ctx: &Ctx,
    rules: &Rules,
    case: &CaseRow,
    owed: &UnitRow,
    to: &UnitRow,
    late_minutes: i64,
) -> AppResult<()> {
    let Some(t) = rules.violation_type(&rules.reporting.violation) else { return Ok(()) };
    let facts = format!("{}向{}报告案件{}超过时限{}分钟", owed.name, to.name, case.case_no, late_minutes);
    let src = Source { kind: "report", id: Some(case.id), case_id: Some(case.id), occurred_at: ctx.now, facts };
    let who = owed.first_responsible_id.map(|s| s.get());
    propose_in(c, ctx.into(), t, owed, who, src, None).await?;
    event(c, ctx, case, "late_report", &format!("{}迟报{}分钟，已记录违规（{}）", owed.name, late_minutes, t.article))
        .await?;
    Ok(())
}

/// An authorised person's decision on a proposed penalty.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct PenaltyDecision {
    /// `decided` or `waived`.
    pub status: String,
    /// Whole yuan; at least the catalogue's minimum unless a reason says why not.
    pub fine: Option<String>,
    pub sanction: Option<String>,
    pub reason: Option<String>,
}

pub async fn decide_penalty(db: &Db, ctx: &Ctx, id: i64, d: &PenaltyDecision) -> AppResult<()> {
    let status = PenaltyStatus::parse(&d.status)?;
    if status == PenaltyStatus::Proposed {
        return Err(invalid("status", "请选择决定处罚或不予处罚", "decide or waive"));
    }
    let fine = anbao_domain::incident::parse_fine(d.fine.as_deref().unwrap_or_default())?;
    let reason = anbao_domain::text::optional("reason", "理由", "Reason", d.reason.as_deref(), NOTE_MAX)?;
    let mut tx = db.begin().await?;
    let v = store::violation_by_id(&mut tx, id).await?.ok_or(AppError::NotFound)?;
    must_decide(&mut tx, ctx, &v.unit_path).await?;
    let (_, rules) = current_rules(&mut tx).await?;
    let sanction = d.sanction.as_deref().map(str::trim).filter(|s| !s.is_empty());
    if let Some(s) = sanction
        && !rules.sanction.iter().any(|x| x.code == s)
    {
        return Err(invalid("sanction", "未知的纪律处分", "unknown sanction"));
    }
    // Less than the regulations' minimum, or waived, needs a reason that is kept.
    let below = matches!((fine, v.fine_yuan), (Some(f), Some(min)) if f < min);
    if (status == PenaltyStatus::Waived || below) && reason.is_none() {
        return Err(invalid(
            "reason",
            "不予处罚或低于制度规定的最低罚款，须写明理由",
            "a waiver or a fine below the minimum needs a reason",
        ));
    }
    let (fine, sanction) = if status == PenaltyStatus::Waived { (None, None) } else { (fine, sanction) };
    let before = write_row("violations", id).snapshot(&mut tx).await?;
    let by = ctx.actor.account.get();
    let reason = reason.unwrap_or_default();
    let decided = store::Decided { status: status.code(), fine, sanction, reason: &reason, by, now: ctx.now };
    if !store::decide_violation(&mut tx, id, decided).await? {
        return Err(conflict("status", "该处罚已决定", "the penalty was decided already"));
    }
    let unit = Some(UnitId::new(v.unit_id));
    audit::record(&mut tx, ctx.into(), "violation.decide", write_row("violations", id), unit, before.as_ref()).await?;
    tx.commit().await?;
    Ok(())
}

pub async fn violation(db: &Db, ctx: &Ctx, id: i64) -> AppResult<(ViolationRow, Rules, bool)> {
    let mut c = db.read().await?;
    let v = store::violation_by_id(&mut c, id).await?.ok_or(AppError::NotFound)?;
    ctx.must_see(&v.unit_path)?;
    let can = v.status == PenaltyStatus::Proposed.code() && must_decide(&mut c, ctx, &v.unit_path).await.is_ok();
    Ok((v, current_rules(&mut c).await?.1, can))
}

/// The penalty register: violations under a unit in a year, with an optional status.
pub async fn penalties(
    db: &Db,
    ctx: &Ctx,
    unit: UnitId,
    year: i32,
    status: Option<&str>,
) -> AppResult<Vec<ViolationRow>> {
    if let Some(s) = status {
        PenaltyStatus::parse(s)?;
    }
    if !(2000..=2100).contains(&year) {
        return Err(invalid("year", "年份不正确", "bad year"));
    }
    let mut c = db.read().await?;
    let u = anbao_store::org::get(&mut c, unit).await?.ok_or(AppError::NotFound)?;
    ctx.must_see(&u.path)?;
    let days = (period::first_of_month(year, 1), period::first_of_month(year + 1, 1));
    Ok(store::violations(&mut c, &ctx.actor.scope, &u.path, status, days, 2000).await?)
}

/// Who issues a penalty notice: the county union over the unit that broke the rule (the accountability rules are the
/// county union's; a violation at a county union or above is the province's), by name. Names along one's own chain
/// are not secret, so no scope is asked.
pub async fn issuer_of(db: &Db, unit_path: &str) -> AppResult<String> {
    let mut c = db.read().await?;
    let ids: Vec<UnitId> = unit_path.split('/').filter_map(|s| s.parse::<i64>().ok()).map(UnitId::new).collect();
    let mut first = None;
    for id in ids.iter().rev() {
        if let Some(u) = anbao_store::org::get(&mut c, *id).await? {
            if u.kind == anbao_domain::org::UnitKind::County {
                return Ok(u.name);
            }
            first = Some(u.name);
        }
    }
    // No county over it: the top of the chain (the province union).
    Ok(first.unwrap_or_default())
}
