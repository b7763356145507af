//! Evidence records entered by a form or the API: parse by the kind's declaration, date it, sign in the second
//! person, run the kind's checks against what other areas hold, and write it (with photos) through `evidence`.
//! Correcting is a new record that names the one it corrects. Listing and reading them.
use crate::auth::AuthPolicy;
use crate::confirm::{self, SecondSignIn};
use crate::error::invalid;
use crate::evidence::{self, Placed, Upload, check_time, parse_time};
use crate::{AppError, AppResult, Ctx};
use anbao_domain::DomainError;
use anbao_domain::access::Permission;
use anbao_domain::ids::{StaffId, UnitId};
use anbao_domain::records::{About, RecordDraft, RecordInput, RecordKind, parse};
use anbao_store::blobs::BlobStore;
use anbao_store::records::{AttachmentRow, RecordFilter, RecordRow};
use anbao_store::{Conn, Db};

mod checks;
pub use checks::{LARGE_WITHDRAWAL_RULE, VAULT_HOURS_RULE};

/// How far from now a two-person record may be dated (the two people sign in as it happens).
pub const TWO_PERSON_TOLERANCE_MS: i64 = 30 * 60_000;

async fn active_staff_under(
    c: &mut Conn,
    id: StaffId,
    path: &str,
    field: &'static str,
) -> AppResult<anbao_store::staff::StaffRow> {
    let s = anbao_store::staff::get(c, id).await?;
    s.filter(|s| s.active && s.unit_path.starts_with(path)).ok_or_else(|| {
        AppError::Invalid(DomainError::new(
            field,
            "所选人员不是本单位的在岗员工",
            "that person is not active staff of this unit",
        ))
    })
}

/// A person of the record's unit or of a unit above it (or of such a unit's department), active: who may accompany a
/// night check.
async fn active_staff_above(c: &mut Conn, id: StaffId, path: &str) -> AppResult<anbao_store::staff::StaffRow> {
    let s = anbao_store::staff::get(c, id).await?.filter(|s| s.active);
    let dept = match &s {
        Some(s) => anbao_store::org::get(c, s.unit_id)
            .await?
            .is_some_and(|u| u.kind == anbao_domain::org::UnitKind::Department),
        None => false,
    };
    s.filter(|s| crate::org::is_above_or_own(&s.unit_path, dept, path)).ok_or_else(|| {
        AppError::Invalid(DomainError::new(
            "second_person_id",
            "陪同人员须是本单位或上级单位的在岗人员",
            "the person accompanying must be active staff of this unit or a unit above",
        ))
    })
}

/// The unit a record is entered for: its id, and its path for the scope checks.
struct RecordUnit {
    id: UnitId,
    path: String,
}

/// Enter a record (and its photos) in one transaction; returns its id.
pub async fn create(
    db: &Db,
    blobs: &BlobStore,
    policy: &AuthPolicy,
    ctx: &Ctx,
    input: &RecordInput,
    uploads: Vec<Upload>,
) -> AppResult<i64> {
    // A person of the staff register records what they did: unless the record names someone else, they performed it.
    let defaulted;
    let input = match (input.performer_id, ctx.actor.staff_id, RecordKind::parse(&input.kind)) {
        (None, Some(me), Ok(kind)) if kind.spec().performer != anbao_domain::records::spec::Need::Absent => {
            defaulted = RecordInput { performer_id: Some(me.get()), ..input.clone() };
            &defaulted
        }
        _ => input,
    };
    let mut draft: RecordDraft = parse(input)?;
    let spec = draft.kind.spec();
    let at = parse_time(input.occurred_at.as_deref(), ctx.now)?;
    check_time(at, ctx.now)?;
    // Two-person kinds: the signed-in person is the first; the second signs in here (SYS-2).
    let pair = match spec.two_person {
        Some(why) => {
            let sign_in = SecondSignIn {
                confirm_username: input.confirm_username.clone(),
                confirm_secret: input.confirm_secret.clone(),
            };
            let p = confirm::second_person(db, policy, ctx, &sign_in, why).await?;
            draft.performer = Some(p.first.id);
            draft.second_person = Some(p.second.id);
            Some(p)
        }
        None => None,
    };
    // Both people sign in now, so the procedure happens now: a two-person record cannot be back-dated beyond a few
    // minutes (otherwise a night entry could be typed as an afternoon one and skip the business-hours rule).
    if pair.is_some() && (ctx.now - at).abs() > TWO_PERSON_TOLERANCE_MS {
        return Err(invalid(
            "occurred_at",
            "双人手续须当场办理，时间须为当前时间",
            "a two-person procedure is recorded as it happens: use the current time",
        ));
    }
    let limits = checks::Limits::read(db, spec, at).await?;
    let photos = if spec.photos == anbao_domain::records::spec::Photos::Media {
        evidence::check_media(uploads, at, ctx.now)?
    } else {
        evidence::check_photos(uploads, at, ctx.now)?
    };
    let mut tx = db.begin().await?;
    let (unit, asset) = place(&mut tx, ctx, &draft, input).await?;
    people(&mut tx, ctx, &draft, input, &unit).await?;
    let kind_checks = checks::Subject { draft: &draft, at, asset, pair: pair.as_ref() };
    let repeat = checks::repeat_of(&mut tx, spec, &kind_checks, &limits, input.supersedes_id).await?;
    for b in checks::run(&mut tx, spec, &kind_checks, &limits).await? {
        draft.flag(b);
    }
    // Kept as what happened, counted once with the patrol it repeats (the rule's spacing).
    if let Some(first) = repeat {
        draft.subkind = Some(anbao_domain::records::REPEAT.to_owned());
        draft.data["repeat_of"] = first.into();
    }
    if let Some(old) = input.supersedes_id {
        let o = anbao_store::records::get(&mut tx, old).await?;
        let o = o.filter(|o| o.kind == draft.kind.code() && o.unit_id == unit.id.get());
        let o =
            o.ok_or_else(|| invalid("supersedes_id", "被更正的记录不存在", "the record to correct does not exist"))?;
        if o.superseded_by.is_some() {
            return Err(AppError::Conflict(DomainError::new(
                "supersedes_id",
                "该记录已被更正过，请更正最新的记录",
                "already corrected: correct the newest record",
            )));
        }
    }
    let placed = Placed { unit: unit.id, asset, at, supersedes: input.supersedes_id };
    let id = evidence::write(&mut tx, blobs, ctx, &draft, placed, photos).await?;
    // A register records what happened: the breach is stored with the record above, and its violation is proposed
    // for a penalty in the same transaction (INC-4).
    if let Some(b) = draft.breach {
        let reason = draft.data.get("violation_reason").and_then(|v| v.as_str()).unwrap_or(b.words.0);
        let who = draft.performer.map(|p| p.get());
        let breached = crate::incident::Breached {
            record: id,
            code: b.violation,
            kind: draft.kind.code(),
            unit: unit.id,
            performer: who,
            occurred_at: at,
            reason,
        };
        crate::incident::from_record(&mut tx, ctx, breached).await?;
        // A step of a procedure left out (an ATM loading, 第五篇 第1题) is also a hazard the unit must rectify.
        if b.hazard {
            let title: String = format!("{}：{reason}", draft.kind.spec().label.0).chars().take(300).collect();
            let article: String =
                reason.rsplit('（').next().unwrap_or_default().trim_end_matches('）').chars().take(200).collect();
            crate::inspect::raise_from_record(&mut tx, ctx, unit.id, &title, &article).await?;
        }
    }
    tx.commit().await?;
    Ok(id)
}

/// Which unit the record belongs to (the asset's unit, or the unit named), within the caller's scope.
async fn place(
    c: &mut Conn,
    ctx: &Ctx,
    draft: &RecordDraft,
    input: &RecordInput,
) -> AppResult<(RecordUnit, Option<i64>)> {
    let (unit, asset) = match draft.kind.about() {
        About::Asset { kind, .. } => {
            let id = input.asset_id.ok_or_else(|| invalid("asset_id", "请选择设备", "choose the asset"))?;
            let a = anbao_store::assets::get(c, id).await?.filter(|a| a.active && a.kind == kind);
            let a = a.ok_or_else(|| invalid("asset_id", "所选设备不存在或类型不符", "no such asset of that kind"))?;
            // The asset row carries its unit's id and path, which is all a record needs of the unit.
            (RecordUnit { id: a.unit_id, path: a.unit_path }, Some(a.id))
        }
        _ => {
            let id = input.unit_id.ok_or_else(|| invalid("unit_id", "请选择单位", "choose the unit"))?;
            let u = anbao_store::org::get(c, UnitId::new(id))
                .await?
                .ok_or_else(|| invalid("unit_id", "所选单位不存在", "no such unit"))?;
            (RecordUnit { id: u.id, path: u.path }, None)
        }
    };
    // Outside the person's scope the unit or asset does not exist for them.
    ctx.must(Permission::RecordWrite, &unit.path).map_err(|e| match e {
        AppError::NotFound => invalid(
            if asset.is_some() { "asset_id" } else { "unit_id" },
            "所选设备或单位不存在",
            "no such asset or unit",
        ),
        other => other,
    })?;
    Ok((unit, asset))
}

/// The people a record names are active staff of its unit, in the posts the kind asks for; the person reviewed and
/// the unit checked are within reach.
async fn people(c: &mut Conn, ctx: &Ctx, draft: &RecordDraft, input: &RecordInput, unit: &RecordUnit) -> AppResult<()> {
    let spec = draft.kind.spec();
    if let Some(p) = draft.performer {
        let s = active_staff_under(c, p, &unit.path, "performer_id").await?;
        if let Some(pos) = &draft.performer_position
            && !s.positions.iter().any(|x| x.code() == pos)
        {
            return Err(invalid("performer_position", "执行人不担任所选岗位", "the performer does not hold that post"));
        }
    }
    if let Some(p) = draft.second_person {
        let s = if spec.second.is_some_and(|s| s.above) {
            active_staff_above(c, p, &unit.path).await?
        } else {
            active_staff_under(c, p, &unit.path, "second_person_id").await?
        };
        if let Some((posts, w)) = spec.second.and_then(|s| s.post)
            && !s.positions.iter().any(|x| posts.contains(x))
        {
            return Err(invalid("second_person_id", w.0, w.1));
        }
    }
    if let Some(s) = draft.subject_staff {
        let row = anbao_store::staff::get(c, s).await?.filter(|r| r.active);
        let row = row.ok_or_else(|| invalid("subject_staff_id", "被审查人员不存在", "no such person"))?;
        ctx.must_see(&row.unit_path).map_err(|_| invalid("subject_staff_id", "被审查人员不存在", "no such person"))?;
    }
    if let Some(t) = draft.target_unit {
        let row = anbao_store::org::get(c, t).await?;
        if !row.is_some_and(|r| r.path.starts_with(&unit.path) && r.id != unit.id) {
            return Err(invalid(
                "target_unit_id",
                "被检查单位须是本单位的下级单位",
                "the inspected unit must be below the inspecting unit",
            ));
        }
    }
    for p in &input.people {
        active_staff_under(c, StaffId::new(*p), &unit.path, "people").await?;
    }
    Ok(())
}

pub const PAGE_SIZE: i64 = 50;

/// At most this many rows go into one Excel export of the record list (newest first).
pub const EXPORT_ROWS: i64 = 20_000;

/// The filtered list for an Excel export: up to `EXPORT_ROWS`, newest first, in the caller's scope.
pub async fn export_rows(db: &Db, ctx: &Ctx, f: &RecordFilter) -> AppResult<Vec<RecordRow>> {
    let mut c = db.read().await?;
    Ok(anbao_store::records::list(&mut c, &ctx.actor.scope, f, EXPORT_ROWS, 0).await?.0)
}

pub async fn list(db: &Db, ctx: &Ctx, f: &RecordFilter, page: i64) -> AppResult<(Vec<RecordRow>, i64)> {
    let mut c = db.read().await?;
    Ok(anbao_store::records::list(&mut c, &ctx.actor.scope, f, PAGE_SIZE, (page.max(1) - 1).saturating_mul(PAGE_SIZE))
        .await?)
}

pub async fn get(db: &Db, ctx: &Ctx, id: i64) -> AppResult<(RecordRow, Vec<AttachmentRow>)> {
    let mut c = db.read().await?;
    let r = anbao_store::records::get(&mut c, id).await?.ok_or(AppError::NotFound)?;
    ctx.must_see(&r.unit_path)?;
    let a = anbao_store::records::attachments_of(&mut c, id).await?;
    Ok((r, a))
}

/// An attachment's bytes, for someone who may see its record.
pub async fn attachment(db: &Db, blobs: &BlobStore, ctx: &Ctx, id: i64) -> AppResult<(AttachmentRow, Vec<u8>)> {
    let mut c = db.read().await?;
    let a = anbao_store::records::attachment(&mut c, id).await?.ok_or(AppError::NotFound)?;
    ctx.must_see(&a.unit_path)?;
    let bytes = blobs.get(&a.sha256).await.map_err(|e| AppError::Internal(format!("attachment {id}: {e}")))?;
    Ok((a, bytes))
}
