//! From findings to a decision: the parties named from the org tree, the determination proposed by the rules
//! (`domain::incident::determine`), the decision of the union's security department (changes need a reason, kept),
//! the penalties it proposes, and closing under 三不放过 (INSP-6).
use super::*;
use anbao_domain::incident::{Determination, Facts, LateReport, Named, Who, determine};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// The proposal as stored: the determination and the facts it was made from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Proposal {
    pub determination: Determination,
    pub facts: Facts,
    /// 第十条's sections as they stood when proposed (absent from proposals stored before they were kept).
    #[serde(default)]
    pub investigation: Option<Investigation>,
}

/// One line of the decision: the weight the decider settled (None = not responsible) and why it differs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DecidedLine {
    pub key: String,
    pub label: String,
    pub staff_id: Option<i64>,
    pub proposed: Option<String>,
    pub weight: Option<String>,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Decision {
    pub lines: Vec<DecidedLine>,
}

fn named_unit(u: &UnitRow, parent: Option<&UnitRow>) -> Named {
    let head = u.first_responsible_name.as_deref().map(|h| format!("（负责人 {h}）")).unwrap_or_default();
    let name = match parent {
        Some(p) => format!("{}{}", p.name, u.name),
        None => u.name.clone(),
    };
    Named {
        key: format!("unit:{}", u.id.get()),
        staff_id: None,
        unit_id: Some(u.id.get()),
        label: format!("{name}{head}"),
    }
}

fn leaders(u: &UnitRow, deputy: bool) -> Vec<Named> {
    let mut out = Vec::new();
    if let (Some(id), Some(n)) = (u.first_responsible_id, &u.first_responsible_name) {
        out.push(Named::person(id.get(), format!("{} {}（主要领导）", u.name, n)));
    }
    if deputy && let (Some(id), Some(n)) = (u.deputy_in_charge_id, &u.deputy_in_charge_name) {
        out.push(Named::person(id.get(), format!("{} {}（分管领导）", u.name, n)));
    }
    out
}

/// Name every party of the rules from the org tree and the findings.
async fn name_parties(
    c: &mut Conn,
    rules: &Rules,
    case: &CaseRow,
    f: &Findings,
) -> AppResult<HashMap<String, Vec<Named>>> {
    let unit = anbao_store::org::get(c, UnitId::new(case.unit_id)).await?.ok_or(AppError::NotFound)?;
    let mut chain = vec![unit];
    chain.extend(ancestors(c, &case.unit_path).await?);
    let mut out = HashMap::new();
    for p in &rules.party {
        let named = match p.who {
            Who::Violators => {
                let mut v = Vec::new();
                for id in &f.violators {
                    if let Some(s) = anbao_store::staff::get(c, anbao_domain::ids::StaffId::new(*id)).await? {
                        v.push(Named::person(*id, format!("{} {}", s.unit_name, s.name)));
                    }
                }
                v
            }
            Who::Leaders => {
                chain.iter().filter(|u| p.levels.contains(&u.kind)).flat_map(|u| leaders(u, true)).collect()
            }
            Who::Escalation => chain
                .iter()
                .filter(|u| p.levels.contains(&u.kind))
                .flat_map(|u| leaders(u, u.kind == UnitKind::RegionalCentre))
                .collect(),
            Who::Departments => {
                // The nearest union up the chain that has such a department answers.
                let mut found = Vec::new();
                for u in &chain {
                    let depts = anbao_store::org::children(c, u.id).await?;
                    found = depts
                        .iter()
                        .filter(|d| {
                            d.kind == UnitKind::Department && p.names.iter().any(|n| d.name.contains(n.as_str()))
                        })
                        .map(|d| named_unit(d, Some(u)))
                        .collect();
                    if !found.is_empty() {
                        break;
                    }
                }
                found
            }
            Who::Issuer | Who::NonReporter => Vec::new(),
        };
        out.insert(p.code.clone(), named);
    }
    Ok(out)
}

/// Gather the facts and propose the determination; the case waits for the decision.
pub async fn propose(db: &Db, ctx: &Ctx, id: i64) -> AppResult<()> {
    let inv = investigation(db, ctx, id).await?;
    let mut tx = db.begin().await?;
    let case = case_in_scope(&mut tx, ctx, id).await?;
    ctx.must_hold(&INVESTIGATORS, &case.unit_path)?;
    if CaseStatus::parse(&case.status)? != CaseStatus::Investigating {
        return Err(conflict("status", "请先保存调查情况", "save the findings first"));
    }
    let rules = rules_of_case(&mut tx, &case).await?;
    let f = findings_of(&case);
    if case.cause.as_deref().is_none_or(str::is_empty) {
        return Err(invalid(
            "cause",
            "提出认定意见前须查明并填写案发原因（三不放过）",
            "record the cause before proposing",
        ));
    }
    let mut parties = name_parties(&mut tx, &rules, &case, &f).await?;
    if let Some(n) = &inv.notice
        && let Some(h) = anbao_store::inspect::hazard_by_id(&mut tx, n.hazard_id).await?
        && let Some(u) = anbao_store::org::get(&mut tx, UnitId::new(h.raised_by_unit_id)).await?
    {
        // A notice raised in a union's name was issued by its security department (who keeps the hazard register).
        let (dept, union) = if u.kind == UnitKind::Department {
            let parent = match u.parent_id {
                Some(p) => anbao_store::org::get(&mut tx, p).await?,
                None => None,
            };
            (Some(u), parent)
        } else {
            let children = anbao_store::org::children(&mut tx, u.id).await?;
            let sec = children.into_iter().find(|d| anbao_domain::provision::is_security_department(d.kind, &d.name));
            (sec, Some(u))
        };
        let named = match (dept, union) {
            (Some(d), parent) => named_unit(&d, parent.as_ref()),
            (None, Some(u)) => named_unit(&u, None),
            (None, None) => return Err(AppError::NotFound),
        };
        for p in rules.party.iter().filter(|p| p.who == Who::Issuer) {
            parties.insert(p.code.clone(), vec![named.clone()]);
        }
    }
    let reports = store::reports_of(&mut tx, id).await?;
    let mut late = Vec::new();
    for (i, r) in reports.iter().enumerate() {
        let Some(minutes) = late_minutes(r, ctx.now) else { continue };
        // The unit below this level owed the report: the case's own unit for the first level.
        let owed_id = if i == 0 { case.unit_id } else { reports[i - 1].unit_id };
        let Some(owed) = anbao_store::org::get(&mut tx, UnitId::new(owed_id)).await? else { continue };
        late.push(LateReport {
            unit: owed.name.clone(),
            who: leaders(&owed, false),
            late_minutes: r.reported_at.map(|_| minutes),
        });
    }
    let facts = Facts {
        kind: case.kind.clone(),
        causes: f.causes.clone(),
        facilities_ok: inv.facilities_ok,
        rules_in_place: inv.rules_in_place,
        beyond_limits: f.beyond_limits,
        quality_defect: f.quality_defect,
        no_direct_link: f.no_direct_link,
        notice: inv.notice.clone(),
        late,
        parties,
    };
    let determination = determine(&rules, &facts);
    let body = serde_json::to_string(&Proposal { determination, facts, investigation: Some(inv) })
        .map_err(|e| AppError::Internal(e.to_string()))?;
    let before = write_row("cases", id).snapshot(&mut tx).await?;
    move_case(&mut tx, &case, CaseStatus::Proposed).await?;
    store::set_proposal(&mut tx, id, &body).await?;
    audit::record(
        &mut tx,
        ctx.into(),
        "case.propose",
        write_row("cases", id),
        Some(UnitId::new(case.unit_id)),
        before.as_ref(),
    )
    .await?;
    event(&mut tx, ctx, &case, "proposed", "依据第十一条、第十二条提出责任认定意见").await?;
    tx.commit().await?;
    Ok(())
}

pub fn proposal_of(row: &CaseRow) -> Option<Proposal> {
    row.proposal.as_deref().and_then(|p| serde_json::from_str(p).ok())
}

pub fn decision_of(row: &CaseRow) -> Option<Decision> {
    row.decision.as_deref().and_then(|p| serde_json::from_str(p).ok())
}

/// The proposal goes back to the investigation, with the reason.
pub async fn send_back(db: &Db, ctx: &Ctx, id: i64, reason: &str) -> AppResult<()> {
    let reason = anbao_domain::text::bounded("reason", "退回理由", "Reason", reason, NOTE_MAX)?;
    let mut tx = db.begin().await?;
    let case = case_in_scope(&mut tx, ctx, id).await?;
    must_decide(&mut tx, ctx, &case.unit_path).await?;
    move_case(&mut tx, &case, CaseStatus::Investigating).await?;
    audit::record(&mut tx, ctx.into(), "case.send_back", write_row("cases", id), Some(UnitId::new(case.unit_id)), None)
        .await?;
    event(&mut tx, ctx, &case, "sent_back", &format!("退回补充调查：{reason}")).await?;
    tx.commit().await?;
    Ok(())
}

/// A decider's change to one line: the weight (empty = not responsible) and the reason.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct LineChange {
    pub key: String,
    pub weight: Option<String>,
    pub reason: Option<String>,
}

/// Decide the determination. Every line keeps the proposed weight unless changed, and a change needs its reason;
/// each person held responsible gets a proposed penalty with the weight's sanction.
pub async fn decide(db: &Db, ctx: &Ctx, id: i64, changes: &[LineChange]) -> AppResult<()> {
    let mut tx = db.begin().await?;
    let case = case_in_scope(&mut tx, ctx, id).await?;
    must_decide(&mut tx, ctx, &case.unit_path).await?;
    if CaseStatus::parse(&case.status)? != CaseStatus::Proposed {
        return Err(conflict("status", "案件尚未提出认定意见", "no proposal to decide"));
    }
    let rules = rules_of_case(&mut tx, &case).await?;
    let proposal = proposal_of(&case).ok_or_else(|| AppError::Internal("proposal missing".into()))?;
    let mut lines = Vec::new();
    for l in &proposal.determination.lines {
        let ch = changes.iter().find(|c| c.key == l.who.key);
        let weight = match ch {
            Some(c) => c.weight.as_deref().map(str::trim).filter(|w| !w.is_empty()).map(str::to_owned),
            None => l.weight.clone(),
        };
        if let Some(w) = &weight
            && !rules.weight.iter().any(|d| d.code == *w)
        {
            return Err(invalid("weight", "未知的责任轻重", "unknown weight"));
        }
        let reason = anbao_domain::text::optional(
            "reason",
            "改变理由",
            "Reason",
            ch.and_then(|c| c.reason.as_deref()),
            NOTE_MAX,
        )?
        .unwrap_or_default();
        if weight != l.weight && reason.is_empty() {
            return Err(invalid(
                "reason",
                format!("改变“{}”的认定须写明理由", l.who.label),
                format!("changing {} needs a reason", l.who.label),
            ));
        }
        lines.push(DecidedLine {
            key: l.who.key.clone(),
            label: l.who.label.clone(),
            staff_id: l.who.staff_id,
            proposed: l.weight.clone(),
            weight,
            reason,
        });
    }
    if let Some(bad) = changes.iter().find(|c| !lines.iter().any(|l| l.key == c.key)) {
        return Err(invalid("key", format!("认定意见中没有 {}", bad.key), format!("no line {}", bad.key)));
    }
    let body =
        serde_json::to_string(&Decision { lines: lines.clone() }).map_err(|e| AppError::Internal(e.to_string()))?;
    let before = write_row("cases", id).snapshot(&mut tx).await?;
    move_case(&mut tx, &case, CaseStatus::Decided).await?;
    store::set_decision(&mut tx, id, &body, ctx.actor.account.get(), ctx.now).await?;
    audit::record(
        &mut tx,
        ctx.into(),
        "case.decide",
        write_row("cases", id),
        Some(UnitId::new(case.unit_id)),
        before.as_ref(),
    )
    .await?;
    if let Some(t) = rules.violation_type("case_responsibility") {
        for l in lines.iter().filter(|l| l.weight.is_some()) {
            let Some(staff) = l.staff_id else { continue };
            let s = anbao_store::staff::get(&mut tx, anbao_domain::ids::StaffId::new(staff))
                .await?
                .ok_or(AppError::NotFound)?;
            let u = anbao_store::org::get(&mut tx, s.unit_id).await?.ok_or(AppError::NotFound)?;
            let w = l.weight.as_deref().unwrap_or_default();
            let facts = format!("{} {}：{}", case.case_no, l.label, rules.weight_label(w));
            let src = Source {
                kind: "case",
                id: Some(case.id),
                case_id: Some(case.id),
                occurred_at: case.occurred_at,
                facts,
            };
            propose_in(&mut tx, ctx.into(), t, &u, Some(staff), src, rules.sanction_for(w)).await?;
        }
    }
    let changed = lines.iter().filter(|l| l.weight != l.proposed).count();
    let note = if changed == 0 {
        "按认定意见作出责任认定".to_owned()
    } else {
        format!("作出责任认定，改变{changed}项（理由已记录）")
    };
    event(&mut tx, ctx, &case, "decided", &note).await?;
    tx.commit().await?;
    Ok(())
}

/// What 三不放过 still needs before the case can close; empty when it may.
pub async fn open_points(c: &mut Conn, case: &CaseRow) -> AppResult<Vec<String>> {
    let mut out = Vec::new();
    if case.cause.as_deref().is_none_or(str::is_empty) {
        out.push("案发原因未查明".to_owned());
    }
    if case.decision.is_none() {
        out.push("责任认定尚未作出".to_owned());
    }
    let undecided = store::violations_of_case(c, case.id).await?.iter().filter(|v| v.status == "proposed").count();
    if undecided > 0 {
        out.push(format!("{undecided}项处罚尚未决定"));
    }
    let open = store::open_hazards_of_case(c, &case.case_no).await?;
    if open > 0 {
        out.push(format!("{open}项关联隐患尚未整改验证销号"));
    }
    Ok(out)
}

/// What 三不放过 still needs, for the case page.
pub async fn open_points_of(db: &Db, ctx: &Ctx, id: i64) -> AppResult<Vec<String>> {
    let mut c = db.read().await?;
    let case = case_in_scope(&mut c, ctx, id).await?;
    open_points(&mut c, &case).await
}

/// Close the case under 三不放过: the cause found, responsibility decided and its penalties decided, every hazard it
/// exposed rectified and verified.
pub async fn close(db: &Db, ctx: &Ctx, id: i64) -> AppResult<()> {
    let mut tx = db.begin().await?;
    let case = case_in_scope(&mut tx, ctx, id).await?;
    must_decide(&mut tx, ctx, &case.unit_path).await?;
    let missing = open_points(&mut tx, &case).await?;
    if !missing.is_empty() {
        return Err(invalid(
            "close",
            format!("“三不放过”尚未落实，不能结案：{}", missing.join("；")),
            "三不放过 is not met yet: the case cannot close",
        ));
    }
    let before = write_row("cases", id).snapshot(&mut tx).await?;
    move_case(&mut tx, &case, CaseStatus::Closed).await?;
    store::set_closed(&mut tx, id, ctx.now).await?;
    audit::record(
        &mut tx,
        ctx.into(),
        "case.close",
        write_row("cases", id),
        Some(UnitId::new(case.unit_id)),
        before.as_ref(),
    )
    .await?;
    event(&mut tx, ctx, &case, "closed", "原因查明、责任追究、隐患整改均已落实，结案").await?;
    tx.commit().await?;
    Ok(())
}
