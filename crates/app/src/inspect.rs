//! Inspections and hazards (INSP-1..6): the versioned checklist, inspections made item by item on a phone and
//! signed by both sides, hazards raised from failed items with a notice and a deadline, rectified, verified or sent
//! back, escalated when overdue, repeat offenders flagged, bulletins published and read.
use crate::audit::{self, Entity, Writer};
use crate::auth::AuthPolicy;
use crate::confirm::{self, SecondSignIn};
use crate::error::{conflict, invalid};
use crate::records::Upload;
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
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashMap};

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
    if !store::versions(&mut tx).await?.is_empty() {
        return Ok(());
    }
    let body = serde_json::to_string(&t).map_err(|e| AppError::Internal(e.to_string()))?;
    let id = store::insert_version(&mut tx, 1, &body, 0, None, now).await?;
    audit::record(
        &mut tx,
        Writer { now, actor: None },
        "checklist.load_default",
        Entity::Row("checklist_versions", id),
        None,
        None,
    )
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
    let suggestions = anbao_domain::text::optional("suggestions", "整改建议", "Suggestions", suggestions, 2000)?;
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
        if u.bytes.len() > crate::records::MAX_UPLOAD_BYTES {
            return Err(invalid("photos", "单张照片不能超过10MB", "a photo may be at most 10 MB"));
        }
        let ct = anbao_domain::records::image_type(&u.bytes)
            .ok_or_else(|| invalid("photos", format!("“{}”不是图片", u.file_name), "not an image"))?;
        let sha = hex::encode(Sha256::digest(&u.bytes));
        blobs.put(&sha, &u.bytes).await.map_err(|e| AppError::Internal(format!("photo store: {e}")))?;
        let taken = u.taken_at.unwrap_or(ctx.now);
        let by = ctx.actor.account.get();
        let pid = store::insert_photo(&mut tx, id, &code, ct, u.bytes.len() as i64, &sha, taken, by, ctx.now).await?;
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

async fn limit_days(db: &Db, rule: &str) -> AppResult<i64> {
    Ok(crate::rulebook::current(db, rule).await?.map_or(0, |r| r.days))
}

/// The inspector signs: every item must be answered; each failed item raises a hazard with its notice.
pub async fn sign(db: &Db, ctx: &Ctx, id: i64) -> AppResult<Vec<i64>> {
    let repeat_days = limit_days(db, REPEAT_RULE).await?;
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
    };
    // A correction corrects the findings of the same visit: the visit counts once, from the original.
    if row.supersedes_id.is_none() {
        crate::records::insert_evidence_at(&mut tx, ctx, &draft, UnitId::new(row.unit_id), None, row.inspected_at)
            .await?;
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
    let home = crate::compliance::home_unit(db, ctx).await?;
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
    let days = limit_days(db, ESCALATION_RULE).await?;
    let mut c = db.read().await?;
    let row = hazard_in_scope(&mut c, ctx, id).await?;
    let today = period::day_of_ms(ctx.now);
    Ok(Hazard {
        escalation: escalation(row.deadline_day, today, row.status != "open", days),
        events: store::events_of(&mut c, id).await?,
        row,
    })
}

/// Who reports a hazard rectified: the head of the unit that has it, to whom the notice is addressed and who answers
/// for a rectification left undone (篇二 (四): 下发隐患通知书告知网点负责人…督促限期整改; 责任追究办法 第十二条㈡),
/// or the security department over it. An employee, or an escort granted at the county, may not.
pub const RECTIFIERS: [Role; 2] = [Role::UnitHead, Role::Security];

/// The outlet records what it did (INSP-4); the hazard then waits for the inspector's verification.
pub async fn rectify(db: &Db, ctx: &Ctx, id: i64, note: &str) -> AppResult<()> {
    let note = anbao_domain::text::bounded("note", "整改情况", "What was done", note, 1000)?;
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
    let home = crate::compliance::home_unit(db, ctx).await?;
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
    let days = limit_days(db, ESCALATION_RULE).await?;
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
    let days = limit_days(db, ESCALATION_RULE).await?;
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

/// Publish a safety bulletin (安全通报) from chosen inspections and hazards to the units under `unit`.
pub async fn publish(
    db: &Db,
    ctx: &Ctx,
    unit: UnitId,
    title: &str,
    body: &str,
    hazard_ids: &[i64],
    inspection_ids: &[i64],
) -> AppResult<i64> {
    let title = anbao_domain::text::bounded("title", "通报标题", "Title", title, 100)?;
    let body = anbao_domain::text::bounded("body", "通报内容", "Text", body, 5000)?;
    let mut tx = db.begin().await?;
    let u = anbao_store::org::get(&mut tx, unit).await?.ok_or(AppError::NotFound)?;
    ctx.must_see(&u.path)?;
    ctx.must(Permission::NoticeWrite, &u.path)?;
    for h in hazard_ids {
        let ok = store::hazard_by_id(&mut tx, *h).await?.is_some_and(|h| h.unit_path.starts_with(&u.path));
        if !ok {
            return Err(invalid(
                "hazard_ids",
                "所选隐患不在通报范围内",
                "a hazard chosen is outside the bulletin's units",
            ));
        }
    }
    for i in inspection_ids {
        let ok = store::inspection_by_id(&mut tx, *i).await?.is_some_and(|i| i.target_path.starts_with(&u.path));
        if !ok {
            return Err(invalid(
                "inspection_ids",
                "所选检查不在通报范围内",
                "an inspection chosen is outside the bulletin's units",
            ));
        }
    }
    let json = |v: &[i64]| serde_json::to_string(v).unwrap_or_else(|_| "[]".into());
    let (hz, ins) = (json(hazard_ids), json(inspection_ids));
    let id = store::insert_bulletin(
        &mut tx,
        store::NewBulletin {
            unit: unit.get(),
            title: &title,
            body: &body,
            hazards: &hz,
            inspections: &ins,
            by: ctx.actor.account.get(),
            now: ctx.now,
        },
    )
    .await?;
    audit::record(&mut tx, ctx.into(), "bulletin.publish", Entity::Row("bulletins", id), Some(unit), None).await?;
    tx.commit().await?;
    Ok(id)
}

/// May this person see a bulletin published at `path`? Those below it receive it; those above it see what their
/// units published.
fn sees_bulletin(ctx: &Ctx, path: &str) -> bool {
    ctx.actor.scope.grants.iter().any(|g| match g.unit_path.as_deref() {
        None => true,
        Some(p) => p.starts_with(path) || path.starts_with(p),
    })
}

pub async fn bulletins(db: &Db, ctx: &Ctx) -> AppResult<Vec<store::BulletinRow>> {
    let mut c = db.read().await?;
    let whole = ctx.actor.scope.grants.iter().any(|g| g.unit_path.is_none());
    let paths: Vec<String> = ctx.actor.scope.grants.iter().filter_map(|g| g.unit_path.clone()).collect();
    let rows = store::bulletins(&mut c, if whole { None } else { Some(&paths) }, 200).await?;
    Ok(rows.into_iter().filter(|b| sees_bulletin(ctx, &b.unit_path)).collect())
}

pub struct Bulletin {
    pub row: store::BulletinRow,
    pub hazards: Vec<HazardRow>,
    /// Who it went to and when each read it (shown to those who may publish there).
    pub readers: Vec<(String, Option<i64>)>,
}

/// Open a bulletin, which records that this person has read it — unless `receipt` is false: a page reached from
/// another site (a link in a mail, a forged image) shows the bulletin but proves nothing about reading it.
pub async fn read_bulletin(db: &Db, ctx: &Ctx, id: i64, receipt: bool) -> AppResult<Bulletin> {
    let mut tx = db.begin().await?;
    let row = store::bulletin_by_id(&mut tx, id)
        .await?
        .filter(|b| sees_bulletin(ctx, &b.unit_path))
        .ok_or(AppError::NotFound)?;
    if !receipt {
        // Nothing to write: shown as it stands.
    } else if let Some(r) = store::mark_read(&mut tx, id, ctx.actor.account.get(), ctx.now).await? {
        audit::record(
            &mut tx,
            ctx.into(),
            "bulletin.read",
            Entity::Row("bulletin_reads", r),
            Some(UnitId::new(row.unit_id)),
            None,
        )
        .await?;
    }
    let ids: Vec<i64> = serde_json::from_str(&row.hazard_ids).unwrap_or_default();
    let mut hazards = Vec::new();
    for h in ids {
        if let Some(h) = store::hazard_by_id(&mut tx, h).await? {
            hazards.push(h);
        }
    }
    let readers = if ctx.actor.scope.allows(Permission::NoticeWrite, &row.unit_path) {
        store::readers(&mut tx, id, &row.unit_path).await?
    } else {
        Vec::new()
    };
    tx.commit().await?;
    // Re-read so the count includes this reading.
    let mut c = db.read().await?;
    let row = store::bulletin_by_id(&mut c, id).await?.ok_or(AppError::NotFound)?;
    Ok(Bulletin { row, hazards, readers })
}

/// The leadership summary of a period (INSP-4's written report): inspections and scores, the items failed most,
/// hazards raised, closed, open and overdue, and the inspectors' suggestions.
pub struct Summary {
    pub inspections: i64,
    pub average_tenths: Option<i64>,
    pub lowest: Vec<(String, i64)>,
    pub failed_items: Vec<(String, String, i64)>,
    pub raised: i64,
    pub closed: i64,
    pub open: i64,
    pub overdue: i64,
    pub repeats: Vec<(String, String, i64)>,
    pub suggestions: Vec<(String, String)>,
}

pub async fn summary(db: &Db, ctx: &Ctx, unit: UnitId, from: Day, to: Day) -> AppResult<Summary> {
    let today = period::day_of_ms(ctx.now);
    let mut c = db.read().await?;
    let u = anbao_store::org::get(&mut c, unit).await?.ok_or(AppError::NotFound)?;
    ctx.must_see(&u.path)?;
    let rows = store::inspections_under(&mut c, &u.path, from, to, 5000).await?;
    // A corrected inspection counts once, as its correction.
    let superseded: std::collections::HashSet<i64> = rows.iter().filter_map(|r| r.supersedes_id).collect();
    let done: Vec<&InspectionRow> =
        rows.iter().filter(|r| r.status != "draft" && !superseded.contains(&r.id)).collect();
    let n = done.len() as i64;
    let average_tenths = (n > 0).then(|| done.iter().map(|r| r.score_tenths).sum::<i64>() / n);
    let mut lowest: Vec<(String, i64)> = done.iter().map(|r| (r.target_name.clone(), r.score_tenths)).collect();
    lowest.sort_by_key(|x| x.1);
    lowest.truncate(10);
    let versions = checklists(&mut c).await?;
    let mut failed: BTreeMap<String, (String, i64)> = BTreeMap::new();
    for r in &done {
        let Some(v) = versions.iter().find(|v| v.id == r.checklist_version_id) else { continue };
        for (code, res) in results_of(&r.results)? {
            if res.outcome == Outcome::Fail {
                let text = v.template.item(&code).map(|i| i.text.clone()).unwrap_or_default();
                failed.entry(code).or_insert((text, 0)).1 += 1;
            }
        }
    }
    let mut failed_items: Vec<(String, String, i64)> = failed.into_iter().map(|(k, (t, n))| (k, t, n)).collect();
    failed_items.sort_by(|a, b| b.2.cmp(&a.2).then(a.0.cmp(&b.0)));
    let hazards = store::hazards_under(&mut c, &u.path, None, 100_000).await?;
    let in_period = |ms: i64| (from..to).contains(&period::day_of_ms(ms));
    let raised = hazards.iter().filter(|h| in_period(h.raised_at)).count() as i64;
    let closed = hazards.iter().filter(|h| h.closed_at.is_some_and(in_period)).count() as i64;
    let open = hazards.iter().filter(|h| h.status != "closed").count() as i64;
    let overdue = hazards.iter().filter(|h| h.status != "closed" && h.deadline_day < today).count() as i64;
    let repeats = hazards
        .iter()
        .filter(|h| h.repeat_count > 0 && in_period(h.raised_at))
        .map(|h| (h.unit_name.clone(), h.title.clone(), h.repeat_count))
        .collect();
    let suggestions = done
        .iter()
        .filter_map(|r| r.suggestions.clone().filter(|s| !s.trim().is_empty()).map(|s| (r.target_name.clone(), s)))
        .collect();
    Ok(Summary {
        inspections: n,
        average_tenths,
        lowest,
        failed_items,
        raised,
        closed,
        open,
        overdue,
        repeats,
        suggestions,
    })
}

/// A photo taken during an inspection, for those who may see the inspection.
pub async fn photo(db: &Db, blobs: &BlobStore, ctx: &Ctx, id: i64) -> AppResult<(String, Vec<u8>)> {
    let mut c = db.read().await?;
    let ph = store::photo(&mut c, id).await?.ok_or(AppError::NotFound)?;
    inspection_in_scope(&mut c, ctx, ph.inspection_id).await?;
    let bytes = blobs.get(&ph.sha256).await.map_err(|e| AppError::Internal(format!("photo store: {e}")))?;
    Ok((ph.content_type, bytes))
}
