//! Inspections and hazards (INSP-1..6): the versioned checklist, inspections made item by item on a phone and
//! signed by both sides, hazards raised from failed items with a notice and a deadline, rectified, verified or sent
//! back, escalated when overdue, repeat offenders flagged, bulletins published and read.
use crate::audit::{self, Entity, Writer};
use crate::auth::AuthPolicy;
use crate::confirm::{self, SecondSignIn};
use crate::error::{conflict, invalid};
use crate::evidence::Upload;
use crate::{AppError, AppResult, Ctx};
use anbao_domain::access::{Permission, Role};
use anbao_domain::ids::{StaffId, UnitId};
use anbao_domain::inspect::{
    HazardStatus, InspectionStatus, ItemResult, Outcome, Template, check_results, check_three_nots, escalation,
    score_tenths,
};
use anbao_domain::period::{self, Day};
use anbao_domain::records::{RecordDraft, RecordKind};
use anbao_domain::staff::Position;
use anbao_store::blobs::BlobStore;
use anbao_store::inspect::{self as store, HazardRow, InspectionRow, NewHazard, NewInspection};
use anbao_store::{Conn, Db};
use std::collections::{BTreeMap, HashMap};

mod bulletins;
mod hazards;
mod summary;
pub use bulletins::*;
pub use hazards::*;
pub use summary::*;

/// The default checklist, built from the regulations.
pub const DEFAULT_CHECKLIST: &str = include_str!("../../../rulebook/inspection.toml");
/// The rule whose `days` is the window for repeat offenders.
pub const REPEAT_RULE: &str = "INSP-5";
/// The rule whose `days` is how long overdue before the leadership is told.
pub const ESCALATION_RULE: &str = "INSP-4";
/// Posts an inspector acts in (INSP-2's quotas are per post).
pub const INSPECTOR_POSTS: [Position; 4] =
    [Position::Chairman, Position::Director, Position::DeputyInCharge, Position::SecurityOfficer];

pub fn parse_template(text: &str) -> AppResult<Template> {
    let t: Template = toml::from_str(text).map_err(|e| {
        invalid(
            "body",
            format!("检查表格式不正确：{}", e.message()),
            format!("the checklist is malformed: {}", e.message()),
        )
    })?;
    t.validate()?;
    Ok(t)
}

/// Load the default checklist as version 1 when the database has none.
pub async fn load_default(db: &Db, now: i64) -> AppResult<()> {
    let t = parse_template(DEFAULT_CHECKLIST)?;
    let mut tx = db.begin().await?;
    let body = serde_json::to_string(&t).map_err(|e| AppError::Internal(e.to_string()))?;
    // A checklist the union has saved is theirs; one only ever loaded from an earlier release's defaults follows
    // this release's (new articles' items), from today: an inspection keeps the version it was made under.
    let versions = store::versions(&mut tx).await?;
    let (version, from_day, action) = match versions.last() {
        None => (1, 0, "checklist.load_default"),
        Some(_) if anbao_store::edited_by_anyone(&mut tx, anbao_store::VersionTable::Checklist).await? => return Ok(()),
        Some(old) if crate::setup::shipped_differently(&old.body, &t) => (
            old.version + 1,
            anbao_domain::period::day_of_ms(now).max(old.effective_from_day),
            "checklist.upgrade_default",
        ),
        Some(_) => return Ok(()),
    };
    let id = store::insert_version(&mut tx, version, &body, from_day, None, now).await?;
    audit::record(&mut tx, Writer { now, actor: None }, action, Entity::Row("checklist_versions", id), None, None)
        .await?;
    tx.commit().await?;
    Ok(())
}

/// One version of the checklist.
#[derive(Debug, Clone)]
pub struct Checklist {
    pub id: i64,
    pub version: i64,
    pub effective_from_day: Day,
    pub template: Template,
}

fn checklist_of(v: store::VersionRow) -> AppResult<Checklist> {
    Ok(Checklist {
        id: v.id,
        version: v.version,
        effective_from_day: v.effective_from_day,
        template: serde_json::from_str(&v.body)
            .map_err(|e| AppError::Internal(format!("checklist {}: {e}", v.version)))?,
    })
}

pub async fn checklists(c: &mut Conn) -> AppResult<Vec<Checklist>> {
    store::versions(c).await?.into_iter().map(checklist_of).collect()
}

/// Every version of the checklist, and the one in force on `day` (for the checklist page; anyone may read it).
pub async fn checklist_versions(db: &Db, day: Day) -> AppResult<(Vec<Checklist>, Checklist)> {
    let mut c = db.read().await?;
    Ok((checklists(&mut c).await?, checklist_for_day(&mut c, day).await?))
}

/// The version in force on a day: the newest whose effective day has come.
pub async fn checklist_for_day(c: &mut Conn, day: Day) -> AppResult<Checklist> {
    checklists(c)
        .await?
        .into_iter()
        .rev()
        .find(|v| v.effective_from_day <= day)
        .ok_or_else(|| AppError::Internal("no checklist loaded".into()))
}

/// Save an edited checklist as a new version taking effect on a day not in the past. Inspections keep the version
/// they were made with, so their scores never change.
pub async fn edit_checklist(db: &Db, ctx: &Ctx, text: &str, effective_from_day: Day) -> AppResult<i64> {
    if !ctx.actor.scope.covers_whole_tree(Permission::RulebookWrite) {
        return Err(AppError::Forbidden);
    }
    let t = parse_template(text)?;
    if effective_from_day < period::day_of_ms(ctx.now) {
        return Err(invalid(
            "effective_from",
            "生效日期不能早于今天",
            "the new version cannot take effect in the past",
        ));
    }
    let mut tx = db.begin().await?;
    let next = checklists(&mut tx).await?.last().map_or(1, |v| v.version + 1);
    let body = serde_json::to_string(&t).map_err(|e| AppError::Internal(e.to_string()))?;
    let id =
        store::insert_version(&mut tx, next, &body, effective_from_day, Some(ctx.actor.account.get()), ctx.now).await?;
    audit::record(&mut tx, ctx.into(), "checklist.edit", Entity::Row("checklist_versions", id), None, None).await?;
    tx.commit().await?;
    Ok(id)
}

/// An inspection with its checklist version, photos and the hazards it raised.
pub struct Inspection {
    pub row: InspectionRow,
    pub checklist: Checklist,
    pub results: BTreeMap<String, ItemResult>,
    pub photos: Vec<store::PhotoRow>,
    pub hazards: Vec<HazardRow>,
}

impl Inspection {
    pub fn status(&self) -> InspectionStatus {
        InspectionStatus::parse(&self.row.status).unwrap_or(InspectionStatus::Countersigned)
    }
}

fn results_of(raw: &str) -> AppResult<BTreeMap<String, ItemResult>> {
    serde_json::from_str(raw).map_err(|e| AppError::Internal(format!("inspection results: {e}")))
}

async fn inspection_in_scope(c: &mut Conn, ctx: &Ctx, id: i64) -> AppResult<InspectionRow> {
    let r = store::inspection_by_id(c, id).await?.ok_or(AppError::NotFound)?;
    // Both sides see it: the inspecting unit and the unit inspected.
    if ctx.must_see(&r.target_path).is_err() {
        ctx.must_see(&r.unit_path)?;
    }
    Ok(r)
}

pub async fn get(db: &Db, ctx: &Ctx, id: i64) -> AppResult<Inspection> {
    let mut c = db.read().await?;
    let row = inspection_in_scope(&mut c, ctx, id).await?;
    let checklist = checklists(&mut c)
        .await?
        .into_iter()
        .find(|v| v.id == row.checklist_version_id)
        .ok_or_else(|| AppError::Internal("checklist version missing".into()))?;
    Ok(Inspection {
        results: results_of(&row.results)?,
        photos: store::photos_of(&mut c, id).await?,
        hazards: store::hazards_of_inspection(&mut c, id).await?,
        checklist,
        row,
    })
}

pub async fn list(db: &Db, ctx: &Ctx, unit: UnitId, from: Day, to: Day) -> AppResult<Vec<InspectionRow>> {
    let mut c = db.read().await?;
    let u = anbao_store::org::get(&mut c, unit).await?.ok_or(AppError::NotFound)?;
    ctx.must_see(&u.path)?;
    Ok(store::inspections_under(&mut c, &u.path, from, to, 500).await?)
}

/// Start an inspection of `target` as the signed-in person, acting in `position`, by the checklist in force today.
pub async fn start(db: &Db, ctx: &Ctx, target: i64, kind: &str, position: &str) -> AppResult<i64> {
    let me = confirm::first_person(db, ctx).await?;
    if !RecordKind::InspectionVisit.subkinds().iter().any(|(c, _)| *c == kind) {
        return Err(invalid("kind", "请选择检查类别", "choose the kind of inspection"));
    }
    let post = Position::parse(position).ok().filter(|p| INSPECTOR_POSTS.contains(p) && me.positions.contains(p));
    let post =
        post.ok_or_else(|| invalid("position", "您不担任所选的检查人岗位", "you do not hold that inspector's post"))?;
    let today = period::day_of_ms(ctx.now);
    let mut tx = db.begin().await?;
    let t = anbao_store::org::get(&mut tx, UnitId::new(target)).await?;
    let t = t
        .filter(|t| ctx.must_see(&t.path).is_ok())
        .ok_or_else(|| invalid("target_unit_id", "被检查单位不存在", "no such unit"))?;
    ctx.must(Permission::RecordWrite, &t.path)?;
    if t.id == me.unit_id {
        return Err(invalid("target_unit_id", "不能检查本人所在单位", "you cannot inspect your own unit"));
    }
    let v = checklist_for_day(&mut tx, today).await?;
    let id = store::insert_inspection(
        &mut tx,
        NewInspection {
            unit: me.unit_id.get(),
            target: t.id.get(),
            kind,
            version: v.id,
            inspector: me.id.get(),
            position: post.code(),
            at: ctx.now,
            day: today,
            results: "{}",
            supersedes: None,
            by: ctx.actor.account.get(),
            now: ctx.now,
        },
    )
    .await?;
    audit::record(&mut tx, ctx.into(), "inspection.start", Entity::Row("inspections", id), Some(t.id), None).await?;
    tx.commit().await?;
    Ok(id)
}

/// Save the inspector's results so far (and photos, with the time each was taken). Only the inspector, only a
/// draft; a deduction out of range is refused and nothing is saved.
pub async fn save(
    db: &Db,
    blobs: &BlobStore,
    ctx: &Ctx,
    id: i64,
    results: BTreeMap<String, ItemResult>,
    suggestions: Option<&str>,
    photos: Vec<(String, Upload)>,
) -> AppResult<i64> {
    let suggestions = anbao_domain::text::optional_paragraphs(
        "suggestions",
        "整改建议",
        "Suggestions",
        suggestions.unwrap_or_default(),
        2000,
    )?;
    let mut tx = db.begin().await?;
    let row = inspection_in_scope(&mut tx, ctx, id).await?;
    if row.status != "draft" {
        return Err(conflict(
            "status",
            "已签字的检查不能修改；如需更正请新建更正检查",
            "a signed inspection cannot change",
        ));
    }
    if row.created_by != Some(ctx.actor.account.get()) {
        return Err(AppError::Forbidden);
    }
    let v = checklists(&mut tx).await?.into_iter().find(|v| v.id == row.checklist_version_id);
    let v = v.ok_or_else(|| AppError::Internal("checklist version missing".into()))?;
    let mut merged = results_of(&row.results)?;
    for (code, mut r) in results {
        let item = v
            .template
            .item(&code)
            .ok_or_else(|| invalid("results", format!("检查表中没有检查项{code}"), "no such item"))?;
        r.note = anbao_domain::text::optional(
            "results",
            &format!("检查项{code}的存在问题"),
            &format!("the note of item {code}"),
            Some(&r.note),
            anbao_domain::inspect::NOTE_MAX,
        )?
        .unwrap_or_default();
        // A failure with no deduction given loses the item's full points.
        if r.outcome == Outcome::Fail && r.deduct == 0 {
            r.deduct = item.points;
        }
        if r.outcome == Outcome::Fail && !(1..=item.points).contains(&r.deduct) {
            return Err(invalid(
                "results",
                format!("检查项{code}的扣分须在1–{}分之间", item.points),
                format!("item {code}: deduct 1–{} points", item.points),
            ));
        }
        if r.outcome != Outcome::Fail && r.deduct != 0 {
            return Err(invalid("results", format!("检查项{code}未判不合格，不能扣分"), "only a failed item deducts"));
        }
        merged.insert(code, r);
    }
    let body = serde_json::to_string(&merged).map_err(|e| AppError::Internal(e.to_string()))?;
    let before = Entity::Row("inspections", id).snapshot(&mut tx).await?;
    if !store::save_results(&mut tx, id, &body, score_tenths(&v.template, &merged), suggestions.as_deref()).await? {
        return Err(conflict("status", "已签字的检查不能修改", "a signed inspection cannot change"));
    }
    let unit = Some(UnitId::new(row.target_unit_id));
    audit::record(&mut tx, ctx.into(), "inspection.save", Entity::Row("inspections", id), unit, before.as_ref())
        .await?;
    for (code, u) in photos.into_iter().filter(|(_, u)| !u.bytes.is_empty()) {
        if v.template.item(&code).is_none() {
            return Err(invalid("photos", "照片对应的检查项不存在", "the photo's item does not exist"));
        }
        let p = crate::evidence::check_photo(u, ctx.now)?;
        let (ct, sha, taken) = (p.content_type, p.sha256, p.taken_at);
        blobs.put(&sha, &p.upload.bytes).await.map_err(|e| AppError::Internal(format!("photo store: {e}")))?;
        let by = ctx.actor.account.get();
        let size = p.upload.bytes.len() as i64;
        let pid = store::insert_photo(&mut tx, id, &code, ct, size, &sha, taken, by, ctx.now).await?;
        audit::record(&mut tx, ctx.into(), "inspection.photo", Entity::Row("inspection_photos", pid), unit, None)
            .await?;
    }
    tx.commit().await?;
    Ok(id)
}

/// The unit head who answers for a unit's hazards: its first responsible person, else its head.
async fn owner_of(c: &mut Conn, unit: UnitId) -> AppResult<Option<i64>> {
    let u = anbao_store::org::get(c, unit).await?.ok_or(AppError::NotFound)?;
    if let Some(s) = u.first_responsible_id {
        return Ok(Some(s.get()));
    }
    let staff = anbao_store::staff::of_unit(c, unit).await?;
    Ok(staff.into_iter().find(|s| s.positions.contains(&Position::Director)).map(|s| s.id.get()))
}

fn notice_prefix(now: i64) -> String {
    let (y, _, _) = period::ymd(period::day_of_ms(now));
    format!("隐患整改〔{y}〕")
}

/// A register recorded a breach that leaves a hazard to rectify (an ATM loading with a step left out): raised in the
/// record's transaction against its unit, by the county union above it (whose security department verifies), with
/// the checklist's days to rectify.
pub(crate) async fn raise_from_record(
    c: &mut Conn,
    ctx: &Ctx,
    unit: UnitId,
    title: &str,
    article: &str,
) -> AppResult<i64> {
    let u = anbao_store::org::get(c, unit).await?.ok_or(AppError::NotFound)?;
    let mut raised_by = u.parent_id.unwrap_or(u.id);
    for id in u.path.split('/').filter_map(|x| x.parse::<i64>().ok()) {
        let a = anbao_store::org::get(c, UnitId::new(id)).await?;
        if a.is_some_and(|a| a.kind == anbao_domain::org::UnitKind::County) {
            raised_by = UnitId::new(id);
        }
    }
    let today = period::day_of_ms(ctx.now);
    let days = checklist_for_day(c, today).await?.template.rectify_days;
    let owner = owner_of(c, unit).await?;
    raise_in(c, ctx, 0, unit, raised_by, None, None, title, article, "major", today + days, owner, None).await
}

/// Raise one hazard in the caller's transaction: numbered notice, owner, deadline, repeat count.
#[allow(clippy::too_many_arguments)]
async fn raise_in(
    c: &mut Conn,
    ctx: &Ctx,
    repeat_days: i64,
    target: UnitId,
    raised_by: UnitId,
    inspection: Option<i64>,
    item: Option<&str>,
    title: &str,
    article: &str,
    severity: &str,
    deadline: Day,
    owner: Option<i64>,
    case_ref: Option<&str>,
) -> AppResult<i64> {
    // A placeholder first; the number is the row's own id, which no concurrent raise can share.
    let placeholder = format!("pending-{}-{}-{}", ctx.actor.account.get(), ctx.now, item.unwrap_or("hand"));
    let notice = placeholder.as_str();
    let repeats = match item {
        Some(code) if repeat_days > 0 => {
            store::earlier_same_item(c, target.get(), code, ctx.now - repeat_days * 86_400_000).await?
        }
        _ => 0,
    };
    let id = store::insert_hazard(
        c,
        NewHazard {
            notice_no: notice,
            inspection,
            item,
            unit: target.get(),
            raised_by_unit: raised_by.get(),
            title,
            article,
            severity,
            owner,
            deadline_day: deadline,
            repeat_count: repeats,
            case_ref,
            by: ctx.actor.account.get(),
            now: ctx.now,
        },
    )
    .await?;
    store::set_notice_no(c, id, &format!("{}第{id:04}号", notice_prefix(ctx.now))).await?;
    audit::record(c, ctx.into(), "hazard.raise", Entity::Row("hazards", id), Some(target), None).await?;
    Ok(id)
}

async fn limit_days(db: &Db, rule: &str, now: i64) -> AppResult<i64> {
    Ok(crate::rulebook::current(db, rule, now).await?.map_or(0, |r| r.days))
}

/// The inspector signs: every item must be answered; each failed item raises a hazard with its notice.
pub async fn sign(db: &Db, ctx: &Ctx, id: i64) -> AppResult<Vec<i64>> {
    let repeat_days = limit_days(db, REPEAT_RULE, ctx.now).await?;
    let mut tx = db.begin().await?;
    let row = inspection_in_scope(&mut tx, ctx, id).await?;
    if row.status != "draft" {
        return Err(conflict("status", "该检查已签字", "already signed"));
    }
    if row.created_by != Some(ctx.actor.account.get()) {
        return Err(AppError::Forbidden);
    }
    let v = checklists(&mut tx).await?.into_iter().find(|v| v.id == row.checklist_version_id);
    let v = v.ok_or_else(|| AppError::Internal("checklist version missing".into()))?;
    let results = results_of(&row.results)?;
    check_results(&v.template, &results)?;
    let before = Entity::Row("inspections", id).snapshot(&mut tx).await?;
    if !store::set_signed(&mut tx, id, ctx.now).await? {
        return Err(conflict("status", "该检查已签字", "already signed"));
    }
    let target = UnitId::new(row.target_unit_id);
    audit::record(
        &mut tx,
        ctx.into(),
        "inspection.sign",
        Entity::Row("inspections", id),
        Some(target),
        before.as_ref(),
    )
    .await?;
    let owner = owner_of(&mut tx, target).await?;
    // A correction's deadlines run from the day it is signed; items its original already raised are not raised again.
    let (deadline, already): (Day, Vec<String>) = match row.supersedes_id {
        Some(orig) => (
            period::day_of_ms(ctx.now) + v.template.rectify_days,
            store::hazards_of_inspection(&mut tx, orig).await?.into_iter().filter_map(|h| h.item_code).collect(),
        ),
        None => (row.local_day + v.template.rectify_days, Vec::new()),
    };
    let mut raised = Vec::new();
    for item in &v.template.item {
        if already.contains(&item.code) {
            continue;
        }
        let Some(r) = results.get(&item.code).filter(|r| r.outcome == Outcome::Fail) else { continue };
        let title = format!("{}：{}", item.text, r.note.trim());
        let h = raise_in(
            &mut tx,
            ctx,
            repeat_days,
            target,
            UnitId::new(row.unit_id),
            Some(id),
            Some(&item.code),
            &title,
            &item.article,
            &item.severity,
            deadline,
            owner,
            None,
        )
        .await?;
        raised.push(h);
        // A failed item the accountability rules map to a violation (第五篇 第4–10题) proposes its penalty.
        let facts = format!("检查发现：{title}（{}）", item.article);
        crate::incident::from_item(&mut tx, ctx, id, &item.code, target, row.inspected_at, &facts).await?;
    }
    tx.commit().await?;
    Ok(raised)
}

/// The head of the unit inspected countersigns on the inspector's device (two-person confirmation). After this
/// the inspection is final, and it counts as the inspector's visit for the quotas (INSP-2).
pub async fn countersign(db: &Db, policy: &AuthPolicy, ctx: &Ctx, id: i64, second: &SecondSignIn) -> AppResult<()> {
    let pair = confirm::second_person(db, policy, ctx, second, "检查结果须由被检查单位负责人签字确认").await?;
    let mut tx = db.begin().await?;
    let row = inspection_in_scope(&mut tx, ctx, id).await?;
    if row.status != "signed" {
        return Err(conflict("status", "检查人签字后方可由被检查单位签字", "the inspector signs first"));
    }
    if pair.first.id.get() != row.inspector_id {
        return Err(invalid(
            "confirm_username",
            "须在检查人本人登录的设备上签字",
            "countersign on the inspector's device",
        ));
    }
    if pair.second.id.get() == row.inspector_id {
        return Err(invalid(
            "confirm_username",
            "不能为自己的检查签字确认",
            "you cannot countersign your own inspection",
        ));
    }
    let target = anbao_store::org::get(&mut tx, UnitId::new(row.target_unit_id)).await?.ok_or(AppError::NotFound)?;
    let head = target.first_responsible_id == Some(pair.second.id)
        || (pair.second.unit_id == target.id && pair.second.positions.contains(&Position::Director));
    if !head {
        return Err(invalid(
            "confirm_username",
            format!("须由被检查单位（{}）负责人签字", target.name),
            "the head of the unit inspected must countersign",
        ));
    }
    let before = Entity::Row("inspections", id).snapshot(&mut tx).await?;
    if !store::set_countersigned(&mut tx, id, pair.second.id.get(), ctx.now).await? {
        return Err(conflict("status", "该检查已由被检查单位签字", "already countersigned"));
    }
    audit::record(
        &mut tx,
        ctx.into(),
        "inspection.countersign",
        Entity::Row("inspections", id),
        Some(target.id),
        before.as_ref(),
    )
    .await?;
    let draft = RecordDraft {
        kind: RecordKind::InspectionVisit,
        subkind: Some(row.kind.clone()),
        performer: Some(StaffId::new(row.inspector_id)),
        performer_position: Some(row.inspector_position.clone()),
        second_person: Some(pair.second.id),
        subject_staff: None,
        target_unit: Some(target.id),
        value: Some(row.score_tenths),
        data: serde_json::json!({ "checks": {}, "inspection": id, "score": row.score_tenths as f64 / 10.0 }),
        breach: None,
    };
    // A correction corrects the findings of the same visit: the visit counts once, from the original.
    if row.supersedes_id.is_none() {
        crate::evidence::insert_at(&mut tx, ctx, &draft, UnitId::new(row.unit_id), None, row.inspected_at).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Start a correction of a countersigned inspection: a new draft that names the one it corrects, results copied.
pub async fn correct(db: &Db, ctx: &Ctx, id: i64) -> AppResult<i64> {
    let me = confirm::first_person(db, ctx).await?;
    let mut tx = db.begin().await?;
    let row = inspection_in_scope(&mut tx, ctx, id).await?;
    if row.status != "countersigned" || row.inspector_id != me.id.get() {
        return Err(conflict(
            "status",
            "只有检查人可以更正已双方签字的检查",
            "only the inspector corrects a final inspection",
        ));
    }
    if store::correction_of(&mut tx, id).await?.is_some() {
        return Err(conflict("status", "该检查已有更正，请更正最新的一次", "already corrected: correct the newest"));
    }
    let new = store::insert_inspection(
        &mut tx,
        NewInspection {
            unit: row.unit_id,
            target: row.target_unit_id,
            kind: &row.kind,
            version: row.checklist_version_id,
            inspector: row.inspector_id,
            position: &row.inspector_position,
            at: row.inspected_at,
            day: row.local_day,
            results: &row.results,
            supersedes: Some(id),
            by: ctx.actor.account.get(),
            now: ctx.now,
        },
    )
    .await?;
    let unit = Some(UnitId::new(row.target_unit_id));
    audit::record(&mut tx, ctx.into(), "inspection.correct", Entity::Row("inspections", new), unit, None).await?;
    tx.commit().await?;
    Ok(new)
}

/// A photo taken during an inspection, for those who may see the inspection.
pub async fn photo(db: &Db, blobs: &BlobStore, ctx: &Ctx, id: i64) -> AppResult<(String, Vec<u8>)> {
    let mut c = db.read().await?;
    let ph = store::photo(&mut c, id).await?.ok_or(AppError::NotFound)?;
    inspection_in_scope(&mut c, ctx, ph.inspection_id).await?;
    let bytes = blobs.get(&ph.sha256).await.map_err(|e| AppError::Internal(format!("photo store: {e}")))?;
    Ok((ph.content_type, bytes))
}
