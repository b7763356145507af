//! Judging one rule over its periods and subjects: the counts, coverage, validity and pairing rules of the
//! rulebook applied to the evidence read for them.
use super::*;

#[allow(clippy::too_many_arguments)]
pub(super) async fn judge(
    r: &Reader<'_>,
    e: &mut Evaluation,
    idx: usize,
    rule: &Rule,
    periods: &[(Day, Day)],
    lo: Day,
    hi: Day,
    today: Day,
    unit_idx: &HashMap<i64, usize>,
    asset_idx: &HashMap<i64, usize>,
) -> AppResult<()> {
    // The period a day falls in; none for a day between periods (a rest day of a business-day rule, a day between
    // two holidays).
    let period_of = |day: Day| {
        let i = periods.partition_point(|p| p.1 <= day);
        periods.get(i).is_some_and(|p| p.0 <= day).then_some(i)
    };
    let applies: Vec<usize> = (0..e.units.len()).filter(|i| unit_applies(rule, &e.units[*i])).collect();
    // A rule for kinds of unit the subtree does not have (a county's meetings, seen from an outlet) owes nothing
    // here: no need to read its evidence. Validity rules without unit kinds follow people into any unit.
    // A department's people are its parent unit's staff for the validity rules (people_unit).
    let people_bound = rule.kind == RuleKind::Validity
        && (rule.unit_kinds.is_empty() || (0..e.units.len()).any(|i| unit_applies(rule, people_unit(e, unit_idx, i))));
    if applies.is_empty() && !people_bound {
        return Ok(());
    }
    let mut c = r.db.read().await?;
    match rule.kind {
        // Enforced when a record is entered; nothing to judge.
        RuleKind::Limit => {}
        RuleKind::Count | RuleKind::Retention | RuleKind::Deadline => {
            let buckets: Vec<Bucket> = match r.prefetched.and_then(|p| p.covering(&rule.evidence, lo, hi)) {
                Some(rows) => rows
                    .iter()
                    .filter(|k| k.bucket.day >= lo && k.bucket.day < hi)
                    .filter(|k| rule.subkind.is_empty() || k.subkind == rule.subkind)
                    .filter(|k| rule.spacing_minutes == 0 || k.subkind != anbao_domain::records::REPEAT)
                    .filter(|k| rule.positions.is_empty() || rule.positions.contains(&k.position))
                    .map(|k| k.bucket)
                    .collect(),
                None => anbao_store::records::buckets(&mut c, &r.units, &evidence_of(rule), lo, hi).await?,
            };
            match (rule.kind, rule.subject) {
                (RuleKind::Count, Subject::Asset) => {
                    let mut have: HashMap<(usize, usize), i64> = HashMap::new();
                    for b in &buckets {
                        if let (Some(a), Some(pi)) = (asset_idx.get(&b.asset_id), period_of(b.day)) {
                            *have.entry((*a, pi)).or_default() +=
                                if rule.require_attachment { b.with_att } else { b.n };
                        }
                    }
                    for (ui, ai) in count_subjects(rule, e, unit_idx) {
                        let Some(ai) = ai else { continue };
                        for (pi, p) in periods.iter().enumerate() {
                            let n = have.get(&(ai, pi)).copied().unwrap_or(0);
                            e.cores.push(Core {
                                rule: idx,
                                unit: ui,
                                asset: Some(ai),
                                person: None,
                                period: *p,
                                status: judge_count(n, rule.min_count, p.1 <= today),
                                have: n,
                                need: rule.min_count,
                                note: None,
                            });
                        }
                    }
                }
                (RuleKind::Count, _) => {
                    let mut have: HashMap<(usize, usize), i64> = HashMap::new();
                    for b in &buckets {
                        if let (Some(u), Some(pi)) = (unit_idx.get(&b.unit_id), period_of(b.day)) {
                            *have.entry((*u, pi)).or_default() +=
                                if rule.require_attachment { b.with_att } else { b.n };
                        }
                    }
                    for (ui, _) in count_subjects(rule, e, unit_idx) {
                        for (pi, p) in periods.iter().enumerate() {
                            let n = have.get(&(ui, pi)).copied().unwrap_or(0);
                            e.cores.push(Core {
                                rule: idx,
                                unit: ui,
                                asset: None,
                                person: None,
                                period: *p,
                                status: judge_count(n, rule.min_count, p.1 <= today),
                                have: n,
                                need: rule.min_count,
                                note: None,
                            });
                        }
                    }
                }
                (RuleKind::Retention, _) => {
                    let mut min: HashMap<(usize, usize), i64> = HashMap::new();
                    for b in &buckets {
                        if let (Some(u), Some(v), Some(pi)) = (unit_idx.get(&b.unit_id), b.min_value, period_of(b.day))
                        {
                            let m = min.entry((*u, pi)).or_insert(v);
                            *m = (*m).min(v);
                        }
                    }
                    // Judged only where a check reported the retention; a missing check is the daily-check rule's item.
                    for ((ui, pi), days) in min {
                        if !unit_applies(rule, &e.units[ui]) {
                            continue;
                        }
                        let status = if days >= rule.retention_days { Status::Met } else { Status::Overdue };
                        e.cores.push(Core {
                            rule: idx,
                            unit: ui,
                            asset: None,
                            person: None,
                            period: periods[pi],
                            status,
                            have: days,
                            need: rule.retention_days,
                            note: None,
                        });
                    }
                }
                _ => {
                    // Deadline: the first evidence in the period against the end of the deadline month.
                    let mut first: HashMap<(usize, usize), Day> = HashMap::new();
                    for b in &buckets {
                        if let (Some(u), Some(pi)) = (unit_idx.get(&b.unit_id), period_of(b.day)) {
                            let d = first.entry((*u, pi)).or_insert(b.day);
                            *d = (*d).min(b.day);
                        }
                    }
                    for &ui in &applies {
                        for (pi, p) in periods.iter().enumerate() {
                            let (y, _, _) = period::ymd(p.0);
                            let end = if rule.deadline_month >= 12 {
                                period::first_of_month(y + 1, 1)
                            } else {
                                period::first_of_month(y, rule.deadline_month as i8 + 1)
                            };
                            let (status, have) = match first.get(&(ui, pi)) {
                                Some(d) if *d < end => (Status::Met, *d),
                                Some(d) => (Status::PartlyMet, *d),
                                None if today < end => (Status::NotYetDue, 0),
                                None => (Status::Overdue, 0),
                            };
                            e.cores.push(Core {
                                rule: idx,
                                unit: ui,
                                asset: None,
                                person: None,
                                period: *p,
                                status,
                                have,
                                need: end,
                                note: None,
                            });
                        }
                    }
                }
            }
        }
        RuleKind::TwoPerson => {
            let tallies: Vec<PairTally> = anbao_store::records::pair_tallies(
                &mut c,
                &r.units,
                &rule.evidence,
                &rule.forbid_same_position,
                rule.forbid_both_non_formal,
                lo,
                hi,
            )
            .await?;
            let mut agg: HashMap<(usize, i64, usize), PairTally> = HashMap::new();
            for t in tallies {
                let Some(ui) = unit_idx.get(&t.unit_id).copied() else { continue };
                let Some(pi) = period_of(t.day) else {
                    // A rest day owes no record, but one kept that day still shows whether two were there.
                    let bad = t.not_two + t.same_post + t.non_formal;
                    if bad > 0 && unit_applies(rule, &e.units[ui]) {
                        e.cores.push(Core {
                            rule: idx,
                            unit: ui,
                            asset: asset_idx.get(&t.asset_id).copied(),
                            person: None,
                            period: (t.day, t.day + 1),
                            status: Status::Overdue,
                            have: t.n - bad,
                            need: t.n,
                            note: Some((
                                format!("{bad} 条休息日的记录不是两名合格人员"),
                                format!("{bad} records of a rest day without two eligible people"),
                            )),
                        });
                    }
                    continue;
                };
                let a = agg.entry((ui, t.asset_id, pi)).or_insert(PairTally {
                    n: 0,
                    not_two: 0,
                    same_post: 0,
                    non_formal: 0,
                    ..t
                });
                a.n += t.n;
                a.not_two += t.not_two;
                a.same_post += t.same_post;
                a.non_formal += t.non_formal;
            }
            // With `min_count`, a two-person rule also wants that many records per subject and period: subjects
            // with none are due items too (a vault whose key-and-code check was not done this month).
            if rule.min_count > 0 {
                let subjects: Vec<(usize, i64)> = match rule.subject {
                    Subject::Asset => e
                        .assets
                        .iter()
                        .filter(|a| a.kind == rule.asset_kind)
                        .filter_map(|a| unit_idx.get(&a.unit_id.get()).map(|ui| (*ui, a.id)))
                        .collect(),
                    _ => applies.iter().map(|ui| (*ui, 0)).collect(),
                };
                for (ui, aid) in subjects {
                    if !unit_applies(rule, &e.units[ui]) {
                        continue;
                    }
                    for (pi, p) in periods.iter().enumerate() {
                        if agg.contains_key(&(ui, aid, pi)) {
                            continue;
                        }
                        e.cores.push(Core {
                            rule: idx,
                            unit: ui,
                            asset: asset_idx.get(&aid).copied(),
                            person: None,
                            period: *p,
                            status: judge_count(0, rule.min_count, p.1 <= today),
                            have: 0,
                            need: rule.min_count,
                            note: None,
                        });
                    }
                }
            }
            for ((ui, aid, pi), t) in agg {
                if !unit_applies(rule, &e.units[ui]) {
                    continue;
                }
                let bad = t.not_two + t.same_post + t.non_formal;
                let note = (bad > 0).then(|| {
                    let post = rule
                        .forbid_same_position
                        .iter()
                        .filter_map(|p| anbao_domain::staff::Position::parse(p).ok())
                        .map(|p| p.label_zh())
                        .collect::<Vec<_>>()
                        .join("、");
                    let mut zh = Vec::new();
                    let mut en = Vec::new();
                    if t.same_post > 0 {
                        zh.push(format!("{} 条记录两人同为{post}", t.same_post));
                        en.push(format!("{} with two holders of the same post", t.same_post));
                    }
                    if t.non_formal > 0 {
                        zh.push(format!("{} 条记录两人均非正式员工", t.non_formal));
                        en.push(format!("{} with two non-formal staff", t.non_formal));
                    }
                    if t.not_two > 0 {
                        zh.push(format!("{} 条记录不是两名在岗人员", t.not_two));
                        en.push(format!("{} not naming two staff", t.not_two));
                    }
                    (zh.join("；"), en.join("; "))
                });
                let status = match (bad, rule.min_count) {
                    (0, 0) => Status::Met,
                    (0, min) => judge_count(t.n, min, periods[pi].1 <= today),
                    _ => Status::Overdue,
                };
                let asset = asset_idx.get(&aid).copied();
                e.cores.push(Core {
                    rule: idx,
                    unit: ui,
                    asset,
                    person: None,
                    period: periods[pi],
                    status,
                    have: t.n - bad,
                    need: t.n,
                    note,
                });
            }
        }
        RuleKind::Post => {
            // Who holds the post now: the staff records keep no history of posts, so every period is judged by them.
            for (ui, _) in count_subjects(rule, e, unit_idx) {
                let uid = e.units[ui].id.get();
                let holders: Vec<&str> = e
                    .people
                    .iter()
                    .filter(|s| {
                        s.unit_id == uid && rule.positions.iter().any(|p| s.positions.contains(&format!(",{p},")))
                    })
                    .map(|s| s.name.as_str())
                    .collect();
                let note = (!holders.is_empty()).then(|| (holders.join("、"), holders.join(", ")));
                for p in periods {
                    let status = match (holders.is_empty(), p.1 <= today) {
                        (false, _) => Status::Met,
                        (true, true) => Status::Overdue,
                        (true, false) => Status::NotYetDue,
                    };
                    e.cores.push(Core {
                        rule: idx,
                        unit: ui,
                        asset: None,
                        person: None,
                        period: *p,
                        status,
                        have: holders.len() as i64,
                        need: 1,
                        note: note.clone(),
                    });
                }
            }
        }
        RuleKind::Coverage => {
            let kinds = vec![rule.evidence.clone()];
            let visits: Vec<EvidenceRow> = anbao_store::records::evidence(&mut c, &r.units, &kinds, lo, hi).await?;
            for &ui in &applies {
                let u = &e.units[ui];
                let targets: Vec<usize> = (0..e.units.len())
                    .filter(|t| e.units[*t].id != u.id && e.units[*t].path.starts_with(&u.path))
                    .filter(|t| rule.target_unit_kinds.iter().any(|k| k == e.units[*t].kind.code()))
                    .collect();
                let target_ids: HashSet<i64> = targets.iter().map(|t| e.units[*t].id.get()).collect();
                for p in periods.iter() {
                    let mut seen: HashMap<i64, i64> = HashMap::new();
                    for v in visits.iter().filter(|v| v.day >= p.0 && v.day < p.1) {
                        let by_unit = unit_idx.get(&v.unit_id).is_some_and(|i| {
                            let by = &e.units[*i];
                            by.path.starts_with(&u.path)
                                && rule.visits_by.counts(
                                    by.id.get(),
                                    by.kind == UnitKind::Department,
                                    by.parent_id.map(|p| p.get()),
                                    u.id.get(),
                                )
                        });
                        let pos_ok = rule.positions.is_empty()
                            || v.position.as_deref().is_some_and(|x| rule.positions.iter().any(|y| y == x));
                        let sub_ok = rule.subkind.is_empty() || v.subkind.as_deref() == Some(rule.subkind.as_str());
                        if let Some(t) =
                            v.target_unit_id.filter(|t| by_unit && pos_ok && sub_ok && target_ids.contains(t))
                        {
                            *seen.entry(t).or_default() += 1;
                        }
                    }
                    let need_each = rule.min_count.max(1);
                    let covered = seen.values().filter(|n| **n >= need_each).count() as i64;
                    let missing: Vec<&str> = targets
                        .iter()
                        .map(|t| &e.units[*t])
                        .filter(|t| seen.get(&t.id.get()).copied().unwrap_or(0) < need_each)
                        .map(|t| t.name.as_str())
                        .take(5)
                        .collect();
                    let note = (!missing.is_empty()).then(|| {
                        (format!("；未覆盖：{}", missing.join("、")), format!("; not covered: {}", missing.join(", ")))
                    });
                    let total = targets.len() as i64;
                    e.cores.push(Core {
                        rule: idx,
                        unit: ui,
                        asset: None,
                        person: None,
                        period: *p,
                        status: judge_coverage(covered, total, rule.coverage_pct, p.1 <= today),
                        have: covered,
                        need: total,
                        note,
                    });
                }
            }
        }
        RuleKind::Validity => {
            let until = hi.min(today + 1);
            let last: HashMap<i64, Day> =
                anbao_store::records::last_per_subject(&mut c, r.root, &rule.evidence, &rule.subkind, until)
                    .await?
                    .into_iter()
                    .collect();
            // A person's own history decides each period: the latest evidence on or before the period's judging day.
            let history: HashMap<i64, Vec<Day>> = if periods.len() > 1 {
                let kinds = vec![rule.evidence.clone()];
                let rows = anbao_store::records::evidence(
                    &mut c,
                    &r.units,
                    &kinds,
                    lo - (rule.validity_months + 1) * 31,
                    until,
                )
                .await?;
                let mut m: HashMap<i64, Vec<Day>> = HashMap::new();
                for row in rows
                    .into_iter()
                    .filter(|x| rule.subkind.is_empty() || x.subkind.as_deref() == Some(rule.subkind.as_str()))
                {
                    if let Some(s) = row.subject_staff_id {
                        m.entry(s).or_default().push(row.day);
                    }
                }
                m
            } else {
                HashMap::new()
            };
            for (pi_person, s) in e.people.iter().enumerate() {
                if rule.key_position_only && !s.key_position {
                    continue;
                }
                if !rule.positions.is_empty() && !rule.positions.iter().any(|p| s.positions.contains(&format!(",{p},")))
                {
                    continue;
                }
                let Some(ui) = unit_idx.get(&s.unit_id).copied() else { continue };
                if !rule.unit_kinds.is_empty() && !unit_applies(rule, people_unit(e, unit_idx, ui)) {
                    continue;
                }
                for p in periods {
                    let as_of = (p.1 - 1).min(today);
                    let last_day = if periods.len() > 1 {
                        history.get(&s.id).and_then(|ds| ds.iter().filter(|d| **d <= as_of).max().copied())
                    } else {
                        last.get(&s.id).copied().filter(|d| *d <= as_of)
                    };
                    let (status, have) = match last_day {
                        Some(d) if still_valid(period::ymd(d), period::ymd(as_of), rule.validity_months) => {
                            (Status::Met, d)
                        }
                        Some(d) => (Status::Overdue, d),
                        None => (Status::Overdue, -1),
                    };
                    e.cores.push(Core {
                        rule: idx,
                        unit: ui,
                        asset: None,
                        person: Some(pi_person),
                        period: *p,
                        status,
                        have,
                        need: rule.validity_months,
                        note: None,
                    });
                }
            }
        }
    }
    Ok(())
}

/// The unit whose kind decides whether a rule on people binds someone at unit `ui`: a department (保卫部, 人事部)
/// belongs to the unit above it, so a county's armed guards in its security department are the county's key staff
/// (ORG-3).
fn people_unit<'e>(e: &'e Evaluation, unit_idx: &HashMap<i64, usize>, ui: usize) -> &'e UnitRow {
    let mut u = &e.units[ui];
    while u.kind == UnitKind::Department {
        match u.parent_id.and_then(|p| unit_idx.get(&p.get())) {
            Some(pi) => u = &e.units[*pi],
            // Above the subtree: the department is its root, and belongs to the unit read with it.
            None => return e.owner_of_root.as_ref().unwrap_or(u),
        }
    }
    u
}

/// What a counting rule reads of the day buckets.
pub(super) fn evidence_of(rule: &Rule) -> anbao_store::records::Evidence<'_> {
    anbao_store::records::Evidence {
        kind: &rule.evidence,
        subkind: &rule.subkind,
        positions: &rule.positions,
        skip_repeats: rule.spacing_minutes > 0,
    }
}
