//! The investigation (办法 第十条), one section per item, prefilled from the records as of the case time — each fact
//! linking to the records behind it — and the investigator's findings: which causes of 第十一条 apply, who broke the
//! rules, and the findings only a person can make (the attack beyond the protection limits, a product defect).
use super::*;
use anbao_domain::incident::NoticeFact;
use serde::{Deserialize, Serialize};

/// A prefilled fact: what the records say, where to read it, and whether it counts against the unit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fact {
    pub text: String,
    pub link: Option<String>,
    pub bad: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Section {
    pub code: String,
    pub title: String,
    pub article: String,
    pub facts: Vec<Fact>,
}

/// What the records say about the case, as of the case time. Frozen into the proposal when the case is proposed, so
/// that the determination and the facts it was made from are read together, whatever the ledger says later.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Investigation {
    pub sections: Vec<Section>,
    /// No gap and nothing expired in the ledger at the case time (第十二条㈠).
    pub facilities_ok: bool,
    /// Each responsibility-system rule wholly met in its latest decided period before the case (第十二条㈠).
    pub rules_in_place: bool,
    /// The rectification notice the case falls under, if any (第十二条㈡).
    pub notice: Option<NoticeFact>,
}

/// The investigator's findings, kept with the case.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Findings {
    /// Causes of 第十一条 that apply (`c1`…`c5`; ㈥ is decided from the report chain).
    #[serde(default)]
    pub causes: Vec<String>,
    /// Staff the investigator finds broke the rules (第十一条㈠'s 违规人员).
    #[serde(default)]
    pub violators: Vec<i64>,
    #[serde(default)]
    pub beyond_limits: bool,
    #[serde(default)]
    pub quality_defect: bool,
    #[serde(default)]
    pub no_direct_link: bool,
    #[serde(default)]
    pub notes: String,
}

/// Whether a person is among a record's participants or attendees (a training session, a study meeting).
fn took_part(data: &str, staff: i64) -> bool {
    let data: serde_json::Value = serde_json::from_str(data).unwrap_or_default();
    ["participants", "attendees"]
        .iter()
        .filter_map(|k| data.get(k).and_then(|v| v.as_array()))
        .any(|people| people.iter().any(|v| v.as_i64() == Some(staff)))
}

/// 第十二条㈠ "规章制度健全" as the case found them: for each responsibility rule (by id prefix) at each unit, asset and
/// person, the latest period already decided counts, and it must be wholly met. A letter missed two years ago and signed since does not leave
/// the rules unsound today, and a period still running does not hide the one before it.
fn systems_in_place(items: &[crate::compliance::DueItem], prefix: &str) -> bool {
    use anbao_domain::rulebook::Status;
    let mut latest: std::collections::HashMap<_, &crate::compliance::DueItem> = std::collections::HashMap::new();
    for i in items.iter().filter(|i| i.rule_id.starts_with(prefix) && i.status != Status::NotYetDue) {
        let key = (i.rule_id.as_str(), i.unit_id, i.asset.as_ref().map(|a| a.0), i.person.as_ref().map(|p| p.0));
        let e = latest.entry(key).or_insert(i);
        if i.period.0 > e.period.0 {
            *e = i;
        }
    }
    // "健全" is whole: a period only partly met (some letters unsigned) leaves the rules unsound too.
    !latest.values().any(|i| matches!(i.status, Status::Overdue | Status::PartlyMet))
}

fn fact(text: impl Into<String>, link: Option<String>, bad: bool) -> Fact {
    Fact { text: text.into(), link, bad }
}

/// The investigation to show: once proposed, the one the determination was made from; before, gathered afresh.
pub async fn investigation_of(db: &Db, ctx: &Ctx, row: &CaseRow) -> AppResult<Investigation> {
    match frozen_investigation(row) {
        Some(frozen) => Ok(frozen),
        None => investigation(db, ctx, row.id).await,
    }
}

/// The investigation frozen with the standing proposal. A case sent back for more investigation keeps its old
/// proposal on record, but its facts are gathered afresh until it is proposed again.
pub fn frozen_investigation(row: &CaseRow) -> Option<Investigation> {
    let standing =
        matches!(CaseStatus::parse(&row.status), Ok(CaseStatus::Proposed | CaseStatus::Decided | CaseStatus::Closed));
    if standing { super::proposal_of(row).and_then(|p| p.investigation) } else { None }
}

/// Gather the four sections from the records as of the case time.
pub async fn investigation(db: &Db, ctx: &Ctx, id: i64) -> AppResult<Investigation> {
    let (case, rules) = {
        let mut c = db.read().await?;
        let case = case_in_scope(&mut c, ctx, id).await?;
        let rules = rules_of_case(&mut c, &case).await?;
        (case, rules)
    };
    let t = case.occurred_at;
    let day = case.local_day;
    let from = day - rules.investigation.lookback_days;
    let mut c = db.read().await?;

    // ㈠ the facilities of the premises, vault and van, from the ledger as it stood.
    let (_, cat) = crate::facility::catalogue(&mut c).await?;
    let places = anbao_store::facility::places_under(&mut c, &case.unit_path).await?;
    let items = anbao_store::facility::items_under(&mut c, &case.unit_path).await?;
    let faults = anbao_store::facility::faults_under(&mut c, &case.unit_path).await?;
    let mut facility = Vec::new();
    let mut facilities_ok = true;
    for p in &places {
        let present: Vec<anbao_domain::facility::Present> = items
            .iter()
            .filter(|i| i.place_id == p.id && i.installed_day <= day)
            .map(|i| anbao_domain::facility::Present {
                kind: i.kind.clone(),
                count: i.count,
                // A fault reported before the case and not yet put right: the item was not working then.
                working: !faults.iter().any(|f| {
                    f.item_id == i.id && f.reported_at <= t && f.status != "repaired" && f.status != "verified"
                }),
                expires_day: i.expires_day,
            })
            .collect();
        let gaps = anbao_domain::facility::gaps(&cat, &p.kind, p.risk_level, &present, day);
        let link = Some(format!("/facilities/places/{}", p.id));
        if gaps.is_empty() {
            facility.push(fact(format!("{}：案发时安防设施符合标准", p.name), link, false));
        } else {
            facilities_ok = false;
            let names: Vec<String> = gaps
                .iter()
                .map(|g| {
                    let name = cat.kind.iter().find(|k| k.code == g.kind).map_or(g.kind.as_str(), |k| k.name.as_str());
                    format!("{name}应有{}现有{}", g.need, g.have)
                })
                .collect();
            facility.push(fact(format!("{}：案发时不达标（{}）", p.name, names.join("，")), link, true));
        }
    }
    if places.is_empty() {
        facilities_ok = false;
        facility.push(fact("设施台账中没有该单位的场所，无法证明设施达标", None, true));
    }

    // ㈡ how the head and staff kept the rules: obligations overdue before the case, hazards open at the time, the
    // day's duty and custody records.
    let mut conduct = Vec::new();
    let items = crate::compliance::evaluate(db, &case.unit_path, from, day + 1, day + 1).await?;
    let overdue: Vec<_> = items
        .iter()
        .filter(|i| i.status == anbao_domain::rulebook::Status::Overdue && i.unit_id == case.unit_id)
        .collect();
    let resp = rules.investigation.responsibility_rules.as_str();
    let rules_in_place = systems_in_place(&items, resp);
    // One line per obligation: how many of its periods before the case were missed, and the latest of them.
    let mut by_rule: Vec<(&str, usize, &crate::compliance::DueItem)> = Vec::new();
    for i in &overdue {
        match by_rule.iter_mut().find(|(t, _, _)| *t == i.title.as_str()) {
            Some(e) => {
                e.1 += 1;
                if i.period.0 > e.2.period.0 {
                    e.2 = i;
                }
            }
            None => by_rule.push((i.title.as_str(), 1, i)),
        }
    }
    for (title, n, last) in by_rule.iter().take(20) {
        conduct.push(fact(
            format!(
                "{title}：案发前{}天内{n}个周期未履行（最近：{}，{}）",
                rules.investigation.lookback_days, last.period_label, last.reason
            ),
            Some(format!("/compliance/items?unit={}", last.unit_id)),
            true,
        ));
    }
    if overdue.is_empty() {
        conduct.push(fact(
            format!("案发前{}天内本单位无逾期未履行的制度事项", rules.investigation.lookback_days),
            None,
            false,
        ));
    }
    let hazards = anbao_store::inspect::hazards_under(&mut c, &case.unit_path, None, 500).await?;
    let mut notice: Option<NoticeFact> = None;
    for h in hazards.iter().filter(|h| h.raised_at <= t && h.closed_at.is_none_or(|at| at > t)) {
        let past = day > h.deadline_day;
        conduct.push(fact(
            format!(
                "隐患整改通知书 {}：{}（整改期限 {}{}）",
                h.notice_no,
                h.title,
                anbao_domain::time::format_ms(period::start_ms(h.deadline_day)).get(..10).unwrap_or_default(),
                if past { "，案发时已逾期未整改" } else { "，案发时在整改期内" }
            ),
            Some(format!("/hazards/{}", h.id)),
            past,
        ));
        let n = NoticeFact {
            hazard_id: h.id,
            notice_no: h.notice_no.clone(),
            deadline_day: h.deadline_day,
            past_deadline: past,
            repeat: h.repeat_count > 0,
        };
        // The worst notice decides: past its period first, then a repeat, then one within its period.
        let worse = |a: &NoticeFact| (a.past_deadline, a.repeat);
        if notice.as_ref().is_none_or(|cur| worse(&n) > worse(cur)) {
            notice = Some(n);
        }
    }
    let filter = anbao_store::records::RecordFilter {
        under_path: Some(case.unit_path.clone()),
        from_day: Some(day),
        to_day: Some(day + 1),
        ..Default::default()
    };
    let (day_records, _) = anbao_store::records::list(&mut c, &ctx.actor.scope, &filter, 30, 0).await?;
    for r in &day_records {
        let label = anbao_domain::records::RecordKind::parse(&r.kind).map_or(r.kind.as_str(), |k| k.label_zh());
        let flagged = r.data.contains("\"violation\"");
        conduct.push(fact(
            format!(
                "当日记录：{} {}{}",
                anbao_domain::time::format_ms(r.occurred_at),
                label,
                if flagged { "（已标记违规）" } else { "" }
            ),
            Some(format!("/records/{}", r.id)),
            flagged,
        ));
    }
    if day_records.is_empty() {
        conduct.push(fact("案发当日本单位没有值班、守库或交接记录", None, true));
    }

    // ㈢ an insider's education and supervision: their records in the window before the case.
    let mut insider = Vec::new();
    if case.insider {
        let ids: Vec<i64> = serde_json::from_str(&case.people).unwrap_or_default();
        for p in ids {
            let Some(s) = anbao_store::staff::get(&mut c, anbao_domain::ids::StaffId::new(p)).await? else { continue };
            let filter = anbao_store::records::RecordFilter {
                under_path: Some(s.unit_path.clone()),
                from_day: Some(from),
                to_day: Some(day + 1),
                ..Default::default()
            };
            let (rs, _) = anbao_store::records::list(&mut c, &ctx.actor.scope, &filter, 500, 0).await?;
            let theirs: Vec<_> = rs
                .iter()
                // Education before the case, not the warning session held after it the same day.
                .filter(|r| r.occurred_at <= t && rules.investigation.insider_records.contains(&r.kind))
                .filter(|r| {
                    r.subject_staff.as_deref() == Some(&s.name)
                        || r.performer.as_deref() == Some(&s.name)
                        || took_part(&r.data, p)
                })
                .collect();
            let link = Some(format!("/staff/{p}"));
            if theirs.is_empty() {
                insider.push(fact(
                    format!(
                        "{}：案发前{}天内无安全教育、培训或资格审查记录",
                        s.name, rules.investigation.lookback_days
                    ),
                    link,
                    true,
                ));
            }
            for r in theirs {
                let label = anbao_domain::records::RecordKind::parse(&r.kind).map_or(r.kind.as_str(), |k| k.label_zh());
                insider.push(fact(
                    format!("{}：{} {}", s.name, anbao_domain::time::format_ms(r.occurred_at), label),
                    Some(format!("/records/{}", r.id)),
                    false,
                ));
            }
        }
    }

    // ㈣ a gun case: the guns' custody, checks and cleaning in the window before.
    let mut guns = Vec::new();
    if rules.kind.iter().any(|k| k.code == case.kind && k.gun) {
        for a in anbao_store::arms::under(&mut c, &case.unit_path).await?.iter().filter(|a| a.gun_id.is_none()) {
            guns.push(fact(
                format!("枪支 {} {}：保管人 {}，现状 {}", a.label, a.serial, a.keeper_name, a.status),
                Some("/arms".to_owned()),
                false,
            ));
        }
        for kind in rules.investigation.gun_records.iter().map(String::as_str) {
            let filter = anbao_store::records::RecordFilter {
                kind: Some(kind.into()),
                under_path: Some(case.unit_path.clone()),
                from_day: Some(from),
                to_day: Some(day + 1),
                ..Default::default()
            };
            let (_, n) = anbao_store::records::list(&mut c, &ctx.actor.scope, &filter, 1, 0).await?;
            let label = anbao_domain::records::RecordKind::parse(kind).map_or(kind, |k| k.label_zh());
            guns.push(fact(
                format!("案发前{}天内{}：{}条", rules.investigation.lookback_days, label, n),
                Some(format!("/records?kind={kind}")),
                n == 0,
            ));
        }
    }

    let mut sections = vec![
        Section {
            code: "facilities".into(),
            title: "㈠ 营业场所、金库、运钞车安全防护设施达标情况".into(),
            article: "第三篇 办法 第十条㈠".into(),
            facts: facility,
        },
        Section {
            code: "conduct".into(),
            title: "㈡ 负责人及员工执行安防规章制度及履行岗位职责情况".into(),
            article: "第三篇 办法 第十条㈡".into(),
            facts: conduct,
        },
    ];
    if case.insider {
        sections.push(Section {
            code: "insider".into(),
            title: "㈢ 涉案人员的安全教育和日常监督管理落实情况".into(),
            article: "第三篇 办法 第十条㈢".into(),
            facts: insider,
        });
    }
    if !guns.is_empty() {
        sections.push(Section {
            code: "guns".into(),
            title: "㈣ 枪支管理、使用和保管情况".into(),
            article: "第三篇 办法 第十条㈣".into(),
            facts: guns,
        });
    }
    Ok(Investigation { sections, facilities_ok, rules_in_place, notice })
}

/// The findings as stored (an empty object before any are saved).
pub fn findings_of(row: &CaseRow) -> Findings {
    serde_json::from_str(&row.findings).unwrap_or_default()
}

/// Save the investigator's findings; the first save opens the investigation.
pub async fn save_findings(db: &Db, ctx: &Ctx, id: i64, f: &Findings, cause: &str) -> AppResult<()> {
    let notes = anbao_domain::text::optional_paragraphs("notes", "调查情况", "Findings", &f.notes, DESCRIPTION_MAX)?;
    let cause = anbao_domain::text::optional("cause", "案发原因", "Cause", Some(cause), NOTE_MAX)?;
    let mut tx = db.begin().await?;
    let case = case_in_scope(&mut tx, ctx, id).await?;
    ctx.must_hold(&INVESTIGATORS, &case.unit_path)?;
    let rules = rules_of_case(&mut tx, &case).await?;
    let mut causes = f.causes.clone();
    causes.sort();
    causes.dedup();
    if let Some(bad) = causes.iter().find(|c| !rules.cause.iter().any(|d| d.code == **c && !d.reporting)) {
        return Err(invalid("causes", format!("未知的责任认定原因：{bad}"), format!("unknown cause: {bad}")));
    }
    let mut violators = f.violators.clone();
    violators.sort_unstable();
    violators.dedup();
    for v in &violators {
        let s = anbao_store::staff::get(&mut tx, anbao_domain::ids::StaffId::new(*v)).await?;
        if s.is_none_or(|s| ctx.must_see(&s.unit_path).is_err()) {
            return Err(invalid("violators", "违规人员须是本辖员工", "violators must be staff in your scope"));
        }
    }
    let status = CaseStatus::parse(&case.status)?;
    match status {
        CaseStatus::Reported => move_case(&mut tx, &case, CaseStatus::Investigating).await?,
        CaseStatus::Investigating => {}
        _ => {
            return Err(conflict(
                "status",
                "已提出认定意见，须退回调查后方可修改",
                "send the proposal back to change the findings",
            ));
        }
    }
    let kept = Findings { causes, violators, notes: notes.unwrap_or_default(), ..f.clone() };
    let body = serde_json::to_string(&kept).map_err(|e| AppError::Internal(e.to_string()))?;
    let before = write_row("cases", id).snapshot(&mut tx).await?;
    store::set_findings(&mut tx, id, &body, cause.as_deref()).await?;
    audit::record(
        &mut tx,
        ctx.into(),
        "case.findings",
        write_row("cases", id),
        Some(UnitId::new(case.unit_id)),
        before.as_ref(),
    )
    .await?;
    let marked: Vec<String> =
        kept.causes.iter().filter_map(|c| rules.cause_def(c).map(|d| d.article.replace("第三篇 办法 ", ""))).collect();
    let note = if marked.is_empty() {
        "保存调查情况".to_owned()
    } else {
        format!("保存调查情况，认定原因：{}", marked.join("、"))
    };
    event(&mut tx, ctx, &case, "findings", &note).await?;
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::systems_in_place;
    use crate::compliance::DueItem;
    use anbao_domain::rulebook::Status;

    fn item(rule: &str, unit: i64, start: i64, status: Status) -> DueItem {
        DueItem {
            rule_id: rule.into(),
            version: 1,
            area: "resp".into(),
            title: String::new(),
            title_en: String::new(),
            source: String::new(),
            evidence: "resp_letter".into(),
            unit_id: unit,
            unit_name: String::new(),
            unit_path: String::new(),
            asset: None,
            person: None,
            period: (start, start + 365),
            period_label: String::new(),
            status,
            have: 0,
            need: 1,
            reason: String::new(),
            reason_en: String::new(),
        }
    }

    #[test]
    fn the_latest_decided_period_of_each_responsibility_rule_says_whether_the_rules_were_in_place() {
        use Status::*;
        // Missed last year, signed this year: in place.
        assert!(systems_in_place(&[item("RESP-1", 1, 0, Overdue), item("RESP-1", 1, 365, Met)], "RESP-"));
        // The same in the other order.
        assert!(systems_in_place(&[item("RESP-1", 1, 365, Met), item("RESP-1", 1, 0, Overdue)], "RESP-"));
        // Signed last year, missed this year: not.
        assert!(!systems_in_place(&[item("RESP-1", 1, 0, Met), item("RESP-1", 1, 365, Overdue)], "RESP-"));
        assert!(!systems_in_place(&[item("RESP-1", 1, 365, Overdue), item("RESP-1", 1, 0, Met)], "RESP-"));
        // This year's still running: last year's decides.
        assert!(!systems_in_place(&[item("RESP-1", 1, 0, Overdue), item("RESP-1", 1, 365, NotYetDue)], "RESP-"));
        assert!(systems_in_place(&[item("RESP-1", 1, 0, Met), item("RESP-1", 1, 365, NotYetDue)], "RESP-"));
        assert!(!systems_in_place(&[item("RESP-1", 1, 0, Overdue), item("RESP-1", 1, 365, PartlyMet)], "RESP-"));
        assert!(!systems_in_place(&[item("RESP-1", 1, 365, PartlyMet)], "RESP-"));
        // Another unit's or another rule's record does not stand in for this one.
        assert!(!systems_in_place(&[item("RESP-1", 1, 0, Overdue), item("RESP-1", 2, 365, Met)], "RESP-"));
        assert!(!systems_in_place(&[item("RESP-1", 1, 0, Overdue), item("RESP-2", 1, 365, Met)], "RESP-"));
        // Rules outside the prefix are not responsibility systems.
        assert!(systems_in_place(&[item("CCTV-1", 1, 365, Overdue)], "RESP-"));
        assert!(systems_in_place(&[], "RESP-"));
    }
}
