//! Cases and accountability (INC-1..5, EMG-2, INSP-6): a case entered at the unit is reported up the tree level by
//! level against the rules' deadlines, investigated from the records as of the case time (`incident/investigate.rs`),
//! a determination proposed by the rules and decided by the union's security department (`incident/decide.rs`), and
//! closed under 三不放过. Violations and their penalties, from every source, live in `incident/violations.rs`.
use crate::audit::{self, Entity, Writer};
use crate::error::{conflict, invalid};
use crate::evidence::Upload;
use crate::{AppError, AppResult, Ctx};
use anbao_domain::access::{Permission, Role};
use anbao_domain::ids::UnitId;
use anbao_domain::incident::{self as domain, CasePlace, CaseStatus, Rules};
use anbao_domain::org::{UnitKind, UnitPath};
use anbao_domain::period::{self, Day};
use anbao_store::blobs::BlobStore;
use anbao_store::incident::{self as store, CaseFileRow, CaseRow, EventRow, ReportRow, ViolationRow};
use anbao_store::org::UnitRow;
use anbao_store::{Conn, Db};

mod attachments;
mod decide;
mod investigate;
mod violations;
pub use attachments::*;
pub use decide::*;
pub use investigate::*;
pub use violations::*;

/// The default accountability rules, from the regulations.
pub const DEFAULT_RULES: &str = include_str!("../../../rulebook/accountability.toml");

pub fn parse_rules(text: &str) -> AppResult<Rules> {
    let r: Rules = toml::from_str(text).map_err(|e| {
        invalid("body", format!("责任追究规则格式不正确：{}", e.message()), format!("malformed rules: {}", e.message()))
    })?;
    r.check()?;
    Ok(r)
}

/// Load the default rules as version 1 if the database has none.
pub async fn load_default(db: &Db, now: i64) -> AppResult<()> {
    let r = parse_rules(DEFAULT_RULES)?;
    let mut tx = db.begin().await?;
    let body = serde_json::to_string(&r).map_err(|e| AppError::Internal(e.to_string()))?;
    let w = Writer { now, actor: None };
    // Rules the union has saved are theirs. Rules only ever loaded from an earlier release's defaults follow this
    // release's (new violation codes its registers propose), from today: a case keeps the version it was entered
    // under.
    let (version, from_day, action, body) = match store::latest_version(&mut tx).await? {
        None => (1, 0, "accountability.load_default", body),
        // The union's own rules stay theirs, but gain the violation codes this release's registers propose (a
        // breach with no type to propose would be flagged and never fined).
        Some((_, v, old))
            if anbao_store::edited_by_anyone(&mut tx, anbao_store::VersionTable::Accountability).await? =>
        {
            let Ok(mut theirs) = serde_json::from_str::<Rules>(&old) else { return Ok(()) };
            let missing: Vec<_> =
                r.violation.iter().filter(|s| theirs.violation_type(&s.code).is_none()).cloned().collect();
            if missing.is_empty() {
                return Ok(());
            }
            theirs.violation.extend(missing);
            // A shipped type naming a sanction the union removed is left for the union to add by hand.
            if theirs.check().is_err() {
                tracing::warn!("accountability rules: this release's new violation types do not fit the union's own");
                return Ok(());
            }
            let body = serde_json::to_string(&theirs).map_err(|e| AppError::Internal(e.to_string()))?;
            (v + 1, anbao_domain::period::day_of_ms(now), "accountability.upgrade_violations", body)
        }
        Some((_, v, old)) if crate::setup::shipped_differently(&old, &r) => {
            (v + 1, anbao_domain::period::day_of_ms(now), "accountability.upgrade_default", body)
        }
        Some(_) => return Ok(()),
    };
    let id = store::insert_version(&mut tx, version, &body, from_day, None, now).await?;
    audit::record(&mut tx, w, action, Entity::Row("accountability_versions", id), None, None).await?;
    tx.commit().await?;
    Ok(())
}

fn rules_of_body(body: &str) -> AppResult<Rules> {
    let mut r: Rules =
        serde_json::from_str(body).map_err(|e| AppError::Internal(format!("accountability rules: {e}")))?;
    // A version stored before `[investigation]` named its record lists has none (`Rules::check` refuses an empty
    // prefix in any newer one): it reads the lists of the shipped rulebook, so its cases still find an insider's and
    // a gun's records and judge 第十二条㈠ on the responsibility rules only.
    if r.investigation.responsibility_rules.is_empty() {
        let shipped = parse_rules(DEFAULT_RULES)?.investigation;
        r.investigation.insider_records = shipped.insider_records;
        r.investigation.gun_records = shipped.gun_records;
        r.investigation.responsibility_rules = shipped.responsibility_rules;
    }
    Ok(r)
}

/// The rules in force now, with their version's id.
pub async fn current_rules(c: &mut Conn) -> AppResult<(i64, Rules)> {
    let (id, _, body) =
        store::latest_version(c).await?.ok_or_else(|| AppError::Internal("no accountability rules".into()))?;
    Ok((id, rules_of_body(&body)?))
}

/// The rules a case was entered under.
pub async fn rules_of_case(c: &mut Conn, case: &CaseRow) -> AppResult<Rules> {
    let body = store::version_body(c, case.rules_version_id).await?.ok_or(AppError::NotFound)?;
    rules_of_body(&body)
}

/// The rules now (for the forms: kinds, sanctions).
pub async fn rules(db: &Db) -> AppResult<Rules> {
    let mut c = db.read().await?;
    Ok(current_rules(&mut c).await?.1)
}

/// A case as entered at the counter.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct CaseInput {
    pub kind: String,
    pub unit_id: Option<i64>,
    /// outlet, vault, van, atm or other.
    pub place: String,
    /// When it happened (RFC 3339 or local `YYYY-MM-DDTHH:MM`); defaults to now.
    pub occurred_at: Option<String>,
    /// The loss in yuan (`1234.50`).
    pub loss: Option<String>,
    pub description: String,
    /// Staff involved (for an insider case, the suspect).
    #[serde(default)]
    pub people: Vec<i64>,
    /// Committed by one of the union's own people (第十条㈢).
    #[serde(default)]
    pub insider: bool,
}

pub const DESCRIPTION_MAX: usize = 2000;
pub const NOTE_MAX: usize = 1000;

fn write_row(table: &'static str, id: i64) -> Entity {
    Entity::Row(table, id)
}

/// Append to the case's timeline, audited like every other row.
async fn event(c: &mut Conn, ctx: &Ctx, case: &CaseRow, action: &str, note: &str) -> AppResult<i64> {
    let id = store::insert_event(c, case.id, action, note, Some(ctx.actor.account.get()), ctx.now).await?;
    let unit = Some(UnitId::new(case.unit_id));
    audit::record(c, ctx.into(), &format!("case.{action}"), write_row("case_events", id), unit, None).await?;
    Ok(id)
}

/// Move the case along its lifecycle; a racing move loses with a conflict.
async fn move_case(c: &mut Conn, case: &CaseRow, to: CaseStatus) -> AppResult<()> {
    let from = CaseStatus::parse(&case.status)?;
    from.to(to)?;
    if !store::move_status(c, case.id, from.code(), to.code()).await? {
        return Err(conflict("status", "案件状态已被他人更改，请刷新", "the case was changed meanwhile; reload"));
    }
    Ok(())
}

async fn case_in_scope(c: &mut Conn, ctx: &Ctx, id: i64) -> AppResult<CaseRow> {
    let k = store::get(c, id).await?.ok_or(AppError::NotFound)?;
    ctx.must_see(&k.unit_path)?;
    Ok(k)
}

/// The ancestors of a unit, nearest first (the unit itself excluded).
async fn ancestors(c: &mut Conn, path: &str) -> AppResult<Vec<UnitRow>> {
    let ids = UnitPath::from_stored(path.to_owned()).ids();
    let mut out = Vec::new();
    for id in ids.iter().rev().skip(1) {
        if let Some(u) = anbao_store::org::get(c, *id).await? {
            out.push(u);
        }
    }
    Ok(out)
}

/// Who may investigate and propose: the security department over the case (第七条㈥: 各类案件的预防、管理、报告).
pub const INVESTIGATORS: [Role; 1] = [Role::Security];

/// Who decides: the security department of the union (the county union or above) the case belongs to — "a person
/// authorised by the union". A grant at an outlet, or at a cooperative, does not reach the county's path.
async fn must_decide(c: &mut Conn, ctx: &Ctx, unit_path: &str) -> AppResult<()> {
    ctx.must_see(unit_path)?;
    let up = ancestors(c, unit_path).await?;
    let union = up.iter().find(|u| matches!(u.kind, UnitKind::County | UnitKind::RegionalCentre | UnitKind::Province));
    match union {
        Some(u) if ctx.actor.scope.holds(&INVESTIGATORS, &u.path) => Ok(()),
        _ => Err(AppError::Forbidden),
    }
}

/// Whether the actor may decide for a unit (for the pages' buttons).
pub async fn may_decide(db: &Db, ctx: &Ctx, unit_path: &str) -> AppResult<bool> {
    let mut c = db.read().await?;
    Ok(must_decide(&mut c, ctx, unit_path).await.is_ok())
}

/// Enter a case with the photos taken at the scene: checked, numbered, reported to the first level at once, and the
/// chain above laid out with each level's deadline. Entering it late is itself a late report (第十一条㈥).
pub async fn report(db: &Db, blobs: &BlobStore, ctx: &Ctx, input: &CaseInput, uploads: Vec<Upload>) -> AppResult<i64> {
    let files = check_files(uploads, ctx.now)?;
    let occurred_at = crate::evidence::parse_time(input.occurred_at.as_deref(), ctx.now)?;
    crate::evidence::check_time(occurred_at, ctx.now)?;
    let place = CasePlace::parse(&input.place)?;
    let loss = domain::parse_loss(input.loss.as_deref().unwrap_or_default())?;
    let description =
        anbao_domain::text::paragraphs("description", "案情经过", "Description", &input.description, DESCRIPTION_MAX)?;
    let mut people = input.people.clone();
    people.sort_unstable();
    people.dedup();
    if people.len() > 50 {
        return Err(invalid("people", "涉案人员最多50人", "at most 50 people involved"));
    }
    let unit_id = input.unit_id.ok_or_else(|| invalid("unit_id", "请选择发案单位", "choose the unit"))?;
    let mut tx = db.begin().await?;
    let (version, rules) = current_rules(&mut tx).await?;
    let kind = rules.kind(&input.kind)?.code.clone();
    let u = anbao_store::org::get(&mut tx, UnitId::new(unit_id))
        .await?
        .filter(|u| ctx.must_see(&u.path).is_ok())
        .ok_or_else(|| invalid("unit_id", "所选单位不存在", "no such unit"))?;
    ctx.must(Permission::RecordWrite, &u.path)?;
    for p in &people {
        let s = anbao_store::staff::get(&mut tx, anbao_domain::ids::StaffId::new(*p)).await?;
        if s.is_none_or(|s| ctx.must_see(&s.unit_path).is_err()) {
            return Err(invalid("people", "涉案人员须是本辖员工", "people involved must be staff in your scope"));
        }
    }
    let day = period::day_of_ms(occurred_at);
    let (year, _, _) = period::ymd(day);
    let prefix = format!("AJ{year}-");
    let n = store::count_in_year(&mut tx, &prefix).await? + 1;
    let case_no = domain::case_no(year, n);
    let people_json = serde_json::to_string(&people).map_err(|e| AppError::Internal(e.to_string()))?;
    let id = store::insert(
        &mut tx,
        store::NewCase {
            case_no: &case_no,
            kind: &kind,
            unit: u.id.get(),
            place: place.code(),
            occurred_at,
            local_day: day,
            loss_fen: loss,
            description: &description,
            people: &people_json,
            insider: input.insider,
            rules_version: version,
            by: ctx.actor.account.get(),
            now: ctx.now,
        },
    )
    .await?;
    audit::record(&mut tx, ctx.into(), "case.report", write_row("cases", id), Some(u.id), None).await?;
    let case = store::get(&mut tx, id).await?.ok_or(AppError::NotFound)?;
    let levels: Vec<UnitRow> =
        ancestors(&mut tx, &u.path).await?.into_iter().filter(|a| rules.reporting.levels.contains(&a.kind)).collect();
    for (i, level) in levels.iter().enumerate() {
        let due = domain::report_due(occurred_at, i + 1, rules.reporting.hours_per_level);
        let reported = (i == 0).then_some(ctx.now);
        let rid = store::insert_report(&mut tx, id, (i + 1) as i64, level.id.get(), due, reported).await?;
        audit::record(&mut tx, ctx.into(), "case.report_level", write_row("case_reports", rid), Some(level.id), None)
            .await?;
    }
    let first = levels.first().map(|l| l.name.clone()).unwrap_or_default();
    let entered = event(&mut tx, ctx, &case, "reported", &format!("{}登记案件并报{}", u.name, first)).await?;
    store_files(&mut tx, blobs, ctx, &case, entered, files).await?;
    if let Some(level) = levels.first() {
        let due = domain::report_due(occurred_at, 1, rules.reporting.hours_per_level);
        if ctx.now > due {
            let late = (ctx.now - due) / 60_000;
            late_report(&mut tx, ctx, &rules, &case, &u, level, late).await?;
        }
    }
    tx.commit().await?;
    Ok(id)
}

/// The level that holds the report acknowledges it and sends it on to the next; past the next level's deadline the
/// report is late, and a violation is recorded against this level's head (第十一条㈥: 谁不报告谁负责任).
pub async fn forward(db: &Db, ctx: &Ctx, id: i64) -> AppResult<()> {
    let mut tx = db.begin().await?;
    let case = case_in_scope(&mut tx, ctx, id).await?;
    let rules = rules_of_case(&mut tx, &case).await?;
    let reports = store::reports_of(&mut tx, id).await?;
    let Some(at) = reports.iter().position(|r| r.reported_at.is_some() && r.acknowledged_at.is_none()) else {
        return Err(conflict("report", "该案件已逐级报送至最高层级", "the report has reached the top level"));
    };
    let here = &reports[at];
    // 逐级上报: the level's head or the security department over it acknowledges.
    // The case is visible to the caller; a level they do not hold answers 403, not 404.
    if !ctx.actor.scope.holds(&[Role::UnitHead, Role::Security], &here.unit_path) {
        return Err(AppError::Forbidden);
    }
    if !store::acknowledge(&mut tx, here.id, ctx.actor.account.get(), ctx.now).await? {
        return Err(conflict("report", "该级已确认收到", "this level has acknowledged already"));
    }
    audit::record(&mut tx, ctx.into(), "case.acknowledge", write_row("case_reports", here.id), None, None).await?;
    let mut note = format!("{}已收到", here.unit_name);
    if let Some(next) = reports.get(at + 1) {
        store::mark_reported(&mut tx, next.id, ctx.now).await?;
        audit::record(&mut tx, ctx.into(), "case.report_level", write_row("case_reports", next.id), None, None).await?;
        note.push_str(&format!("，上报{}", next.unit_name));
        if ctx.now > next.due_at {
            let late = (ctx.now - next.due_at) / 60_000;
            note.push_str(&format!("（超过时限{late}分钟）"));
            let owed = anbao_store::org::get(&mut tx, UnitId::new(here.unit_id)).await?.ok_or(AppError::NotFound)?;
            let to = anbao_store::org::get(&mut tx, UnitId::new(next.unit_id)).await?.ok_or(AppError::NotFound)?;
            late_report(&mut tx, ctx, &rules, &case, &owed, &to, late).await?;
        }
    }
    event(&mut tx, ctx, &case, "forwarded", &note).await?;
    tx.commit().await?;
    Ok(())
}

/// A case with everything its page shows.
pub struct Case {
    pub row: CaseRow,
    pub rules: Rules,
    pub reports: Vec<ReportRow>,
    pub events: Vec<EventRow>,
    pub violations: Vec<ViolationRow>,
    pub people: Vec<(i64, String)>,
    pub files: Vec<CaseFileRow>,
    /// The level waiting to acknowledge, if the actor may do it.
    pub can_forward: bool,
    pub can_investigate: bool,
    pub can_decide: bool,
}

pub async fn case(db: &Db, ctx: &Ctx, id: i64) -> AppResult<Case> {
    let mut c = db.read().await?;
    let row = case_in_scope(&mut c, ctx, id).await?;
    let rules = rules_of_case(&mut c, &row).await?;
    let reports = store::reports_of(&mut c, id).await?;
    let waiting = reports.iter().find(|r| r.reported_at.is_some() && r.acknowledged_at.is_none());
    let can_forward = waiting.is_some_and(|r| ctx.actor.scope.holds(&[Role::UnitHead, Role::Security], &r.unit_path));
    let ids: Vec<i64> = serde_json::from_str(&row.people).unwrap_or_default();
    let mut people = Vec::new();
    for p in ids {
        if let Some(s) = anbao_store::staff::get(&mut c, anbao_domain::ids::StaffId::new(p)).await? {
            people.push((p, s.name));
        }
    }
    let can_decide = must_decide(&mut c, ctx, &row.unit_path).await.is_ok();
    Ok(Case {
        can_investigate: ctx.actor.scope.holds(&INVESTIGATORS, &row.unit_path),
        can_decide,
        can_forward,
        events: store::events_of(&mut c, id).await?,
        files: store::files_of(&mut c, id).await?,
        // A case seen from a unit below the top may name violations of units the reader does not hold.
        violations: store::violations_of_case(&mut c, id)
            .await?
            .into_iter()
            .filter(|v| ctx.must_see(&v.unit_path).is_ok())
            .collect(),
        people,
        reports,
        rules,
        row,
    })
}

/// The case register's filters.
#[derive(Debug, Clone)]
pub struct CaseQuery {
    pub unit: UnitId,
    pub kind: Option<String>,
    pub status: Option<String>,
    pub year: Option<i32>,
}

/// The case register: cases in scope under a unit, newest first.
pub async fn register(db: &Db, ctx: &Ctx, q: &CaseQuery) -> AppResult<Vec<CaseRow>> {
    let mut c = db.read().await?;
    let u = anbao_store::org::get(&mut c, q.unit).await?.ok_or(AppError::NotFound)?;
    ctx.must_see(&u.path)?;
    if let Some(s) = &q.status {
        CaseStatus::parse(s)?;
    }
    let (from_day, to_day) = match q.year {
        Some(y) if (2000..=2100).contains(&y) => {
            (Some(period::first_of_month(y, 1)), Some(period::first_of_month(y + 1, 1)))
        }
        Some(_) => return Err(invalid("year", "年份不正确", "bad year")),
        None => (None, None),
    };
    let f = store::CaseFilter { under_path: u.path, kind: q.kind.clone(), status: q.status.clone(), from_day, to_day };
    Ok(store::list(&mut c, &ctx.actor.scope, &f, 500).await?)
}

/// The report chain's state: each level with when it was due, when it arrived and whether it was late.
pub fn late_minutes(r: &ReportRow, now: i64) -> Option<i64> {
    match r.reported_at {
        Some(at) if at > r.due_at => Some((at - r.due_at) / 60_000),
        None if now > r.due_at => Some((now - r.due_at) / 60_000),
        _ => None,
    }
}

/// The day a case happened, for the investigation's windows.
pub fn case_day(row: &CaseRow) -> Day {
    row.local_day
}

#[cfg(test)]
mod tests {
    #[test]
    fn rules_stored_before_the_investigation_lists_read_the_shipped_ones() {
        let shipped = super::parse_rules(super::DEFAULT_RULES).unwrap();
        let mut old: serde_json::Value = serde_json::to_value(&shipped).unwrap();
        let inv = old["investigation"].as_object_mut().unwrap();
        for k in ["insider_records", "gun_records", "responsibility_rules"] {
            inv.remove(k);
        }
        let read = super::rules_of_body(&old.to_string()).unwrap();
        assert_eq!(read.investigation, shipped.investigation);
        assert!(!read.investigation.insider_records.is_empty() && read.investigation.responsibility_rules == "RESP-");
        // A version that names its own lists keeps them.
        let mut own = shipped.clone();
        own.investigation.gun_records = vec!["gun_check".into()];
        let read = super::rules_of_body(&serde_json::to_string(&own).unwrap()).unwrap();
        assert_eq!(read.investigation.gun_records, vec!["gun_check".to_owned()]);
    }
}
