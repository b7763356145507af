//! The quarterly assessment (ASSESS-1) and the one-vote veto (RESP-3). An assessor (the province over the regional
//! centres and county unions, a county over its cooperatives and outlets — the scheme says who) sees each unit's score
//! of a quarter, computed from the records by `domain::assess::score`: the quarter's due items by area, its
//! inspections, the hazards not closed by their deadline, its cases and the penalties decided. A unit with a case of
//! a veto kind in the year cannot be rated excellent or rewarded. Once a quarter has ended the assessor makes its
//! results final; the final results are kept with every line lost, and the year's result is their mean.
use crate::audit::{self, Entity, Writer};
use crate::error::{conflict, invalid};
use crate::{AppError, AppResult, Ctx};
use anbao_domain::access::{Permission, Role};
use anbao_domain::assess::{Deduction, Fact, Facts, KindFlags, RuleTally, Scheme, Score, annual, parse_quarter, score};
use anbao_domain::ids::UnitId;
use anbao_domain::period::{self, Day};
use anbao_domain::rulebook::Status;
use anbao_store::Db;
use anbao_store::assess as store;
use anbao_store::org::UnitRow;
use std::collections::HashMap;

/// The default scheme, from the regulations' 百分制 and 四查.
pub const DEFAULT_SCHEME: &str = include_str!("../../../rulebook/assessment.toml");

pub fn parse_scheme(text: &str) -> AppResult<Scheme> {
    let s: Scheme = toml::from_str(text).map_err(|e| {
        invalid("body", format!("考核办法格式不正确：{}", e.message()), format!("malformed scheme: {}", e.message()))
    })?;
    s.validate()?;
    Ok(s)
}

/// Load the default scheme as version 1 if the database has none.
pub async fn load_default(db: &Db, now: i64) -> AppResult<()> {
    let s = parse_scheme(DEFAULT_SCHEME)?;
    let mut tx = db.begin().await?;
    if store::latest_scheme(&mut tx).await?.is_some() {
        return Ok(());
    }
    let body = serde_json::to_string(&s).map_err(|e| AppError::Internal(e.to_string()))?;
    let id = store::insert_scheme(&mut tx, 1, &body, None, now).await?;
    let w = Writer { now, actor: None };
    audit::record(&mut tx, w, "assessment.load_default", Entity::Row("assessment_schemes", id), None, None).await?;
    tx.commit().await?;
    Ok(())
}

fn scheme_of_body(body: &str) -> AppResult<Scheme> {
    serde_json::from_str(body).map_err(|e| AppError::Internal(format!("assessment scheme: {e}")))
}

/// The scheme in force, with its version's id.
pub async fn scheme(db: &Db) -> AppResult<(i64, Scheme)> {
    let mut c = db.read().await?;
    let (id, _, body) =
        store::latest_scheme(&mut c).await?.ok_or_else(|| AppError::Internal("no assessment scheme".into()))?;
    Ok((id, scheme_of_body(&body)?))
}

/// Only the rulebook's editors over the whole union change the scheme; settled before the body is parsed.
pub fn must_edit_scheme(ctx: &Ctx) -> AppResult<()> {
    if ctx.actor.scope.covers_whole_tree(Permission::RulebookWrite) { Ok(()) } else { Err(AppError::Forbidden) }
}

/// A new version of the scheme, for the whole union (the rulebook's editors): checked whole, or nothing is stored.
pub async fn replace_scheme(db: &Db, ctx: &Ctx, s: Scheme) -> AppResult<i64> {
    must_edit_scheme(ctx)?;
    s.validate()?;
    let body = serde_json::to_string(&s).map_err(|e| AppError::Internal(e.to_string()))?;
    let mut tx = db.begin().await?;
    let version = store::latest_scheme(&mut tx).await?.map_or(1, |(_, v, _)| v + 1);
    let id = store::insert_scheme(&mut tx, version, &body, Some(ctx.actor.account.get()), ctx.now).await?;
    audit::record(&mut tx, ctx.into(), "assessment.scheme", Entity::Row("assessment_schemes", id), None, None).await?;
    tx.commit().await?;
    Ok(version)
}

/// The case behind a veto: its id, its number and what it was.
pub type VetoCase = (i64, String, String);

/// What the records say of each assessed unit in a quarter, and the case that vetoes it.
type Gathered = HashMap<i64, (Facts, Option<VetoCase>)>;

/// [first day, first day after) of a quarter.
pub fn quarter_days(year: i32, quarter: i8) -> (Day, Day) {
    let from = period::first_of_month(year, (quarter - 1) * 3 + 1);
    let to =
        if quarter == 4 { period::first_of_month(year + 1, 1) } else { period::first_of_month(year, quarter * 3 + 1) };
    (from, to)
}

/// The quarter a day falls in.
pub fn quarter_of(day: Day) -> (i32, i8) {
    let (y, m, _) = period::ymd(day);
    (y, (m - 1) / 3 + 1)
}

/// A unit's assessment of a quarter: the score with every line lost, the rating, the veto and its case.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct UnitResult {
    pub unit_id: i64,
    pub unit_name: String,
    pub unit_kind: String,
    pub score: Score,
    pub rating: String,
    pub rating_label: String,
    /// The case behind a veto: (id, number, what).
    pub veto: Option<VetoCase>,
    /// Made final by the assessor (else computed now, and it may still change).
    pub frozen: bool,
}

/// The ranking of the units an assessor assesses in a quarter, best first.
pub struct Ranking {
    pub assessor: UnitRow,
    pub year: i32,
    pub quarter: i8,
    pub results: Vec<UnitResult>,
    /// The quarter has ended and some results are not final yet; the reader may make them final.
    pub may_freeze: bool,
    pub ended: bool,
}

/// The unit a reader assesses from: the one asked for, or their top unit.
async fn assessor_unit(db: &Db, ctx: &Ctx, unit: Option<UnitId>) -> AppResult<UnitRow> {
    let u = match unit {
        Some(id) => {
            let mut c = db.read().await?;
            anbao_store::org::get(&mut c, id).await?.ok_or(AppError::NotFound)?
        }
        None => crate::org::home_unit(db, ctx).await?,
    };
    ctx.must_see(&u.path)?;
    Ok(u)
}

/// The units a unit assesses, by the scheme.
async fn assessed(db: &Db, s: &Scheme, assessor: &UnitRow) -> AppResult<Vec<UnitRow>> {
    let kinds = s.assessed_by(assessor.kind.code());
    if kinds.is_empty() {
        return Ok(Vec::new());
    }
    let mut c = db.read().await?;
    Ok(anbao_store::org::under(&mut c, &assessor.path)
        .await?
        .into_iter()
        .filter(|u| u.id != assessor.id && kinds.iter().any(|k| k == u.kind.code()))
        .collect())
}

/// What the records say of each unit in the quarter, read once for the assessor's whole subtree.
async fn gather(
    db: &Db,
    ctx: &Ctx,
    s: &Scheme,
    assessor: &UnitRow,
    units: &[UnitRow],
    (year, quarter): (i32, i8),
) -> AppResult<Gathered> {
    let (from, to) = quarter_days(year, quarter);
    let today = period::day_of_ms(ctx.now);
    let (ly, lm, _) = period::ymd(to - 1);
    let month = format!("{ly}-{lm:02}");
    let e = crate::compliance::evaluate_core(db, &assessor.path, from, to.min(today + 1), today).await?;
    let mut out: Gathered = units.iter().map(|u| (u.id.get(), (Facts::default(), None))).collect();
    let under = |path: &str| -> Vec<&UnitRow> { units.iter().filter(|u| path.starts_with(&u.path)).collect() };
    // Due items count in the quarter their period ends in (a year's deadline counts in the last quarter).
    let mut tallies: HashMap<(i64, usize), RuleTally> = HashMap::new();
    for c in e.cores.iter().filter(|c| c.period.1 > from && c.period.1 <= to) {
        let (met, partly, overdue) = match c.status {
            Status::Met => (1, 0, 0),
            Status::PartlyMet => (0, 1, 0),
            Status::Overdue => (0, 0, 1),
            _ => continue,
        };
        let (rule, _) = &e.rules[c.rule];
        // The assessment does not score itself (ASSESS-1 is met by making the quarter final).
        if rule.evidence == anbao_domain::records::RecordKind::Assessment.spec().code {
            continue;
        }
        for u in under(&e.units[c.unit].path) {
            let t = tallies.entry((u.id.get(), c.rule)).or_insert_with(|| RuleTally {
                area: rule.area.clone(),
                title: rule.title.clone(),
                link: format!("/compliance/items?unit={}&rule={}&month={month}&status=overdue", u.id, rule.id),
                met: 0,
                partly: 0,
                overdue: 0,
            });
            t.met += met;
            t.partly += partly;
            t.overdue += overdue;
        }
    }
    let mut keys: Vec<_> = tallies.keys().copied().collect();
    keys.sort();
    for k in keys {
        if let (Some(t), Some(f)) = (tallies.remove(&k), out.get_mut(&k.0)) {
            f.0.rules.push(t);
        }
    }
    let mut c = db.read().await?;
    let inspections = anbao_store::inspect::inspections_under(&mut c, &assessor.path, from, to, 100_000).await?;
    let corrected: std::collections::HashSet<i64> = inspections.iter().filter_map(|i| i.supersedes_id).collect();
    for i in inspections.iter().filter(|i| i.status == "countersigned" && !corrected.contains(&i.id)) {
        for u in under(&i.target_path) {
            let what = format!(
                "{} {}检查",
                period::label(anbao_domain::rulebook::PeriodKind::Day, (i.local_day, i.local_day + 1)),
                i.target_name
            );
            if let Some(f) = out.get_mut(&u.id.get()) {
                f.0.inspections.push((i.score_tenths, Fact { what, link: format!("/inspections/{}", i.id) }));
            }
        }
    }
    for h in anbao_store::inspect::hazards_under(&mut c, &assessor.path, None, 100_000).await? {
        let late = h.deadline_day >= from
            && h.deadline_day < to
            && h.closed_at.is_none_or(|at| period::day_of_ms(at) > h.deadline_day);
        if !late {
            continue;
        }
        for u in under(&h.unit_path) {
            let what = format!("{}：{}（整改期限{}）", h.unit_name, h.title, day_text(h.deadline_day));
            if let Some(f) = out.get_mut(&u.id.get()) {
                f.0.hazards_late.push(Fact { what, link: format!("/hazards/{}", h.id) });
            }
        }
    }
    let everyone = anbao_domain::access::Scope {
        grants: vec![anbao_domain::access::Grant { role: Role::Admin, unit_id: None, unit_path: None }],
    };
    let rules = crate::incident::current_rules(&mut c).await?.1;
    // The veto looks at the whole year up to the quarter's end; the score at the quarter.
    let year_start = period::first_of_month(year, 1);
    let filter = anbao_store::incident::CaseFilter {
        under_path: assessor.path.clone(),
        kind: None,
        status: None,
        from_day: Some(year_start),
        to_day: Some(to),
    };
    let mut cases = anbao_store::incident::list(&mut c, &everyone, &filter, 100_000).await?;
    cases.sort_by_key(|k| (k.local_day, k.id));
    for k in &cases {
        let kind = rules.kind.iter().find(|x| x.code == k.kind);
        let label = kind.map(|x| x.label.clone()).unwrap_or_else(|| k.kind.clone());
        let what = format!("{} {}：{}（{}）", k.case_no, k.unit_name, label, day_text(k.local_day));
        let vetoes = kind.is_some_and(|x| s.veto.vetoes(&KindFlags { code: &x.code, four: x.four }));
        for u in under(&k.unit_path) {
            let Some(f) = out.get_mut(&u.id.get()) else { continue };
            if k.local_day >= from {
                f.0.cases.push(Fact { what: what.clone(), link: format!("/cases/{}", k.id) });
            }
            if vetoes && f.1.is_none() && s.veto.levels.iter().any(|l| l == u.kind.code()) {
                f.1 = Some((k.id, k.case_no.clone(), what.clone()));
            }
        }
    }
    for v in anbao_store::incident::violations(
        &mut c,
        &everyone,
        &assessor.path,
        Some(anbao_domain::incident::PenaltyStatus::Decided.code()),
        (from, to),
        100_000,
    )
    .await?
    {
        for u in under(&v.unit_path) {
            let what = format!(
                "{}：{}{}",
                v.unit_name,
                v.title,
                v.staff_name.as_deref().map(|n| format!("（{n}）")).unwrap_or_default()
            );
            if let Some(f) = out.get_mut(&u.id.get()) {
                f.0.penalties.push(Fact { what, link: format!("/penalties/{}", v.id) });
            }
        }
    }
    Ok(out)
}

fn day_text(day: Day) -> String {
    period::label(anbao_domain::rulebook::PeriodKind::Day, (day, day + 1))
}

fn result_of(s: &Scheme, u: &UnitRow, facts: &Facts, veto: Option<VetoCase>) -> UnitResult {
    let sc = score(s, facts);
    let rating = s.rate(sc.total_tenths, veto.is_some());
    UnitResult {
        unit_id: u.id.get(),
        unit_name: u.name.clone(),
        unit_kind: u.kind.code().into(),
        rating: rating.map(|r| r.code.clone()).unwrap_or_default(),
        rating_label: rating.map(|r| r.label.clone()).unwrap_or_default(),
        score: sc,
        veto,
        frozen: false,
    }
}

/// The results of the units `assessor` assesses in a quarter: the final ones as made, the others computed now.
async fn results(
    db: &Db,
    ctx: &Ctx,
    assessor: &UnitRow,
    year: i32,
    quarter: i8,
) -> AppResult<(Scheme, i64, Vec<UnitResult>)> {
    let (scheme_id, s) = scheme(db).await?;
    let units = assessed(db, &s, assessor).await?;
    let mut finals = HashMap::new();
    {
        let mut c = db.read().await?;
        for u in &units {
            if let Some(r) = store::result(&mut c, u.id.get(), year, quarter).await? {
                let mut kept: UnitResult =
                    serde_json::from_str(&r.detail).map_err(|e| AppError::Internal(e.to_string()))?;
                kept.frozen = true;
                finals.insert(u.id.get(), kept);
            }
        }
    }
    let live = if finals.len() < units.len() {
        gather(db, ctx, &s, assessor, &units, (year, quarter)).await?
    } else {
        HashMap::new()
    };
    let mut out: Vec<UnitResult> = units
        .iter()
        .map(|u| match finals.remove(&u.id.get()) {
            Some(r) => r,
            None => {
                let (facts, veto) = live.get(&u.id.get()).cloned().unwrap_or_default();
                result_of(&s, u, &facts, veto)
            }
        })
        .collect();
    out.sort_by(|a, b| b.score.total_tenths.cmp(&a.score.total_tenths).then(a.unit_name.cmp(&b.unit_name)));
    Ok((s, scheme_id, out))
}

/// The ranking of a quarter (default: the current one) for the reader's assessing unit.
pub async fn ranking(
    db: &Db,
    ctx: &Ctx,
    unit: Option<UnitId>,
    year: Option<&str>,
    quarter: Option<&str>,
) -> AppResult<Ranking> {
    let assessor = assessor_unit(db, ctx, unit).await?;
    let today = period::day_of_ms(ctx.now);
    let (year, quarter) =
        match (year.map(str::trim).filter(|y| !y.is_empty()), quarter.map(str::trim).filter(|q| !q.is_empty())) {
            (None, None) => quarter_of(today),
            (y, q) => parse_quarter(y.unwrap_or(&quarter_of(today).0.to_string()), q.unwrap_or("1"))?,
        };
    let (_, _, results) = results(db, ctx, &assessor, year, quarter).await?;
    let ended = quarter_days(year, quarter).1 <= today;
    let may_freeze =
        ended && results.iter().any(|r| !r.frozen) && ctx.actor.scope.holds(&[Role::Security], &assessor.path);
    Ok(Ranking { assessor, year, quarter, results, may_freeze, ended })
}

/// One unit's quarter with every line lost. The unit must be in the reader's scope; it is scored as its assessor
/// (the nearest unit above whose kind assesses it) scores it.
pub async fn unit_result(
    db: &Db,
    ctx: &Ctx,
    unit: UnitId,
    year: &str,
    quarter: &str,
) -> AppResult<(UnitResult, Vec<Deduction>)> {
    let (year, quarter) = parse_quarter(year, quarter)?;
    let (u, assessor) = {
        let mut c = db.read().await?;
        let u = anbao_store::org::get(&mut c, unit).await?.ok_or(AppError::NotFound)?;
        ctx.must_see(&u.path)?;
        let (_, _, body) =
            store::latest_scheme(&mut c).await?.ok_or_else(|| AppError::Internal("no assessment scheme".into()))?;
        let s = scheme_of_body(&body)?;
        let found = assessor_of(&mut c, &s, &u).await?;
        (u, found.ok_or(AppError::NotFound)?)
    };
    let (_, _, all) = results(db, ctx, &assessor, year, quarter).await?;
    let r = all.into_iter().find(|r| r.unit_id == u.id.get()).ok_or(AppError::NotFound)?;
    let lines = r.score.sections.iter().flat_map(|s| s.lines.iter().filter(|l| l.tenths > 0).cloned()).collect();
    Ok((r, lines))
}

/// Make an ended quarter's results final for the units an assessor assesses (the security department over it).
pub async fn freeze(db: &Db, ctx: &Ctx, unit: UnitId, year: &str, quarter: &str) -> AppResult<usize> {
    let (year, quarter) = parse_quarter(year, quarter)?;
    let assessor = assessor_unit(db, ctx, Some(unit)).await?;
    ctx.must_hold(&[Role::Security], &assessor.path)?;
    if quarter_days(year, quarter).1 > period::day_of_ms(ctx.now) {
        return Err(invalid("quarter", "该季度尚未结束，不能定稿", "the quarter has not ended yet"));
    }
    let (_, scheme_id, all) = results(db, ctx, &assessor, year, quarter).await?;
    let mut tx = db.begin().await?;
    let mut made = 0;
    for r in all.iter().filter(|r| !r.frozen) {
        let detail = serde_json::to_string(r).map_err(|e| AppError::Internal(e.to_string()))?;
        let row = store::NewResult {
            assessor: assessor.id.get(),
            unit: r.unit_id,
            year,
            quarter,
            scheme: scheme_id,
            total_tenths: r.score.total_tenths,
            rating: &r.rating,
            veto_case: r.veto.as_ref().map(|v| v.0),
            detail: &detail,
            now: ctx.now,
            by: ctx.actor.account.get(),
        };
        if let Some(id) = store::insert_result(&mut tx, row).await? {
            let unit = UnitId::new(r.unit_id);
            audit::record(
                &mut tx,
                ctx.into(),
                "assessment.freeze",
                Entity::Row("assessment_results", id),
                Some(unit),
                None,
            )
            .await?;
            // ASSESS-1's evidence, dated within the quarter it assesses (made final after it ended).
            let draft = anbao_domain::records::RecordDraft {
                kind: anbao_domain::records::RecordKind::Assessment,
                subkind: None,
                performer: None,
                performer_position: None,
                second_person: None,
                subject_staff: None,
                target_unit: None,
                value: Some(r.score.total_tenths),
                data: serde_json::json!({ "checks": {}, "year": year, "quarter": quarter, "result": id, "rating": r.rating }),
                breach: None,
            };
            let at = period::start_ms(quarter_days(year, quarter).1) - 1;
            crate::evidence::insert_at(&mut tx, ctx, &draft, unit, None, at).await?;
            made += 1;
        }
    }
    if made == 0 {
        return Err(conflict("quarter", "该季度的考核结果已定稿", "this quarter's results are already final"));
    }
    tx.commit().await?;
    Ok(made)
}

/// One unit's year: its four quarters (final or not yet), the mean, the rating, the veto and the reward.
#[derive(Debug, Clone)]
pub struct YearResult {
    pub unit_id: i64,
    pub unit_name: String,
    pub quarters: Vec<Option<i64>>,
    pub total_tenths: Option<i64>,
    pub rating_label: String,
    pub veto: Option<VetoCase>,
    pub reward: Option<String>,
}

pub struct Annual {
    pub assessor: UnitRow,
    pub year: i32,
    pub units: Vec<YearResult>,
    pub may_reward: bool,
}

/// The year's results of the units an assessor assesses (按季考核、按年兑现): each quarter's final result, their mean;
/// the veto over the whole year.
pub async fn annual_results(db: &Db, ctx: &Ctx, unit: Option<UnitId>, year: Option<&str>) -> AppResult<Annual> {
    let assessor = assessor_unit(db, ctx, unit).await?;
    let today = period::day_of_ms(ctx.now);
    let year = match year.map(str::trim).filter(|y| !y.is_empty()) {
        Some(y) => anbao_domain::letters::parse_year(y)?,
        None => quarter_of(today).0,
    };
    let (_, s) = scheme(db).await?;
    let units = assessed(db, &s, &assessor).await?;
    // The veto of the year: the cases up to its end (or today).
    let last_q = if year < quarter_of(today).0 { 4 } else { quarter_of(today).1 };
    let vetoes = gather(db, ctx, &s, &assessor, &units, (year, last_q)).await?;
    let mut out = Vec::new();
    let mut c = db.read().await?;
    for u in &units {
        let finals = store::results_of_year(&mut c, u.id.get(), year).await?;
        let quarters: Vec<Option<i64>> =
            (1..=4).map(|q| finals.iter().find(|r| r.quarter == q).map(|r| r.total_tenths)).collect();
        let total = annual(&quarters);
        let veto = vetoes.get(&u.id.get()).and_then(|v| v.1.clone());
        let rating_label = total.and_then(|t| s.rate(t, veto.is_some())).map(|r| r.label.clone()).unwrap_or_default();
        let reward = store::reward(&mut c, u.id.get(), year).await?.map(|r| r.1);
        out.push(YearResult {
            unit_id: u.id.get(),
            unit_name: u.name.clone(),
            quarters,
            total_tenths: total,
            rating_label,
            veto,
            reward,
        });
    }
    out.sort_by(|a, b| b.total_tenths.cmp(&a.total_tenths).then(a.unit_name.cmp(&b.unit_name)));
    let may_reward = ctx.actor.scope.holds(&[Role::Security], &assessor.path);
    Ok(Annual { assessor, year, units: out, may_reward })
}

/// Record a unit's reward for a year (the assessor's security department): refused under the veto.
pub async fn reward(db: &Db, ctx: &Ctx, unit: UnitId, year: &str, title: &str) -> AppResult<()> {
    let title = anbao_domain::text::bounded("title", "奖励名称", "Reward", title, 100)?;
    let y = anbao_domain::letters::parse_year(year)?;
    let u = {
        let mut c = db.read().await?;
        anbao_store::org::get(&mut c, unit).await?.ok_or(AppError::NotFound)?
    };
    ctx.must_see(&u.path)?;
    // The assessor: the nearest unit above that assesses this kind.
    let Some((assessor, result)) = annual_for(db, ctx, &u, y).await? else { return Err(AppError::Forbidden) };
    ctx.must_hold(&[Role::Security], &assessor.path)?;
    if let Some((_, no, what)) = &result.veto {
        return Err(invalid(
            "unit",
            format!("{}本年度发生{}（{}），一票否决，不能评优评先和奖励", u.name, what, no),
            "vetoed: a unit with such a case in the year cannot be rewarded",
        ));
    }
    if result.total_tenths.is_none() {
        return Err(invalid("year", "该单位本年度尚无定稿的季度考核结果", "no final quarterly result this year"));
    }
    let mut tx = db.begin().await?;
    let id = store::insert_reward(&mut tx, unit.get(), y, &title, ctx.actor.account.get(), ctx.now)
        .await?
        .ok_or_else(|| conflict("year", "该单位本年度已记录奖励", "this unit already has this year's reward"))?;
    audit::record(&mut tx, ctx.into(), "assessment.reward", Entity::Row("assessment_rewards", id), Some(unit), None)
        .await?;
    tx.commit().await?;
    Ok(())
}

/// The year's result of one unit as its assessor sees it.
async fn annual_for(db: &Db, ctx: &Ctx, u: &UnitRow, year: i32) -> AppResult<Option<(UnitRow, YearResult)>> {
    let (_, s) = scheme(db).await?;
    let found = {
        let mut c = db.read().await?;
        assessor_of(&mut c, &s, u).await?
    };
    let Some(a) = found else { return Ok(None) };
    let all = annual_results(db, ctx, Some(a.id), Some(&year.to_string())).await?;
    let r = all.units.into_iter().find(|r| r.unit_id == u.id.get());
    Ok(r.map(|r| (a, r)))
}

/// The unit that assesses `u`: the nearest unit above it whose kind, by the scheme, assesses `u`'s kind.
async fn assessor_of(c: &mut anbao_store::Conn, s: &Scheme, u: &UnitRow) -> AppResult<Option<UnitRow>> {
    for id in u.path.split('/').filter_map(|p| p.parse::<i64>().ok()).rev().skip(1) {
        if let Some(a) = anbao_store::org::get(c, UnitId::new(id)).await?
            && s.assessed_by(a.kind.code()).iter().any(|k| k == u.kind.code())
        {
            return Ok(Some(a));
        }
    }
    Ok(None)
}
