//! Evidence records: entering them (with photos), correcting them by a new record, listing and reading them.
use crate::audit::{self, Entity};
use crate::error::invalid;
use crate::{AppError, AppResult, Ctx};
use anbao_domain::DomainError;
use anbao_domain::access::Permission;
use anbao_domain::ids::{StaffId, UnitId};
use anbao_domain::records::{About, RecordDraft, RecordInput, RecordKind, image_type, parse};
use anbao_store::blobs::BlobStore;
use anbao_store::records::{AttachmentRow, NewAttachment, NewRecord, RecordFilter, RecordRow};
use anbao_store::{Conn, Db};
use sha2::{Digest, Sha256};

use crate::auth::AuthPolicy;
use crate::confirm::{self, Pair, SecondSignIn};
use anbao_domain::rulebook::{Rule, parse_hours};
use anbao_domain::staff::Position;

/// The rulebook's limits read at entry: the large-withdrawal amount (第七条) and the vault's business hours (第四十一条).
pub const LARGE_WITHDRAWAL_RULE: &str = "OPS-4";
pub const VAULT_HOURS_RULE: &str = "VAULT-5";

/// Limits that depend on the rulebook and on who the two people are.
fn check_limits(d: &RecordDraft, at: i64, rule: Option<&Rule>, pair: Option<&Pair>) -> AppResult<()> {
    match d.kind {
        RecordKind::LargeWithdrawal => {
            if let Some(r) = rule.filter(|r| r.amount > 0)
                && d.value.unwrap_or(0) < r.amount
            {
                return Err(AppError::Invalid(DomainError::new(
                    "number",
                    format!("金额未达到大额标准（{}元以上，{}），无须登记", r.amount, r.source),
                    format!("below the large-withdrawal amount of ¥{}; nothing to log", r.amount),
                )));
            }
        }
        RecordKind::VaultEntry => {
            let Some(p) = pair else { return Ok(()) };
            let both = [&p.first, &p.second];
            let any_holds = |posts: &[Position]| both.iter().any(|s| confirm::holds(s, posts));
            if d.data.get("visitors").is_some() && !any_holds(&[Position::Director]) {
                return Err(invalid(
                    "text2",
                    "外来人员进入金库须由本网点负责人陪同（第四十一条）",
                    "outsiders enter the vault only with the outlet head (art. 41)",
                ));
            }
            let hours = rule.and_then(|r| parse_hours(&r.hours));
            if let Some((open, close)) = hours {
                let minute = anbao_domain::time::minute_of_day(at);
                let outside = minute < open || minute >= close;
                let emergency = d.subkind.as_deref() == Some("emergency");
                if outside && !emergency {
                    return Err(AppError::Invalid(DomainError::new(
                        "subkind",
                        format!(
                            "非营业时间（营业时间{}）任何人不得进入金库（第四十一条）；确有紧急情况，须由网点负责人或保卫人员登记紧急事由",
                            rule.map(|r| r.hours.as_str()).unwrap_or_default()
                        ),
                        "nobody enters the vault outside business hours (art. 41) unless an authorised person records an emergency",
                    )));
                }
                if emergency && !any_holds(&[Position::Director, Position::SecurityOfficer, Position::Chairman]) {
                    return Err(invalid(
                        "subkind",
                        "紧急出入金库须由网点负责人、理事长或保卫人员之一在场确认",
                        "an emergency entry needs the outlet head, the chairman or a security officer as one of the two",
                    ));
                }
            }
        }
        _ => {}
    }
    Ok(())
}

/// A photo or scan sent with a record.
#[derive(Debug, Clone)]
pub struct Upload {
    pub file_name: String,
    pub bytes: Vec<u8>,
    /// When the photo was taken (epoch ms); defaults to the record's time.
    pub taken_at: Option<i64>,
}

/// How far ahead of the server clock a record may be dated (phones' clocks drift), and how far back.
pub const FUTURE_TOLERANCE_MS: i64 = 10 * 60_000;
pub const MAX_AGE_DAYS: i64 = 400;
/// One photo or scan at most; a phone's full-size JPEG is 2–6 MB.
pub const MAX_UPLOAD_BYTES: usize = 10 * 1024 * 1024;
/// Photos one form may carry.
pub const MAX_UPLOADS: usize = 4;
/// How far from now a two-person record may be dated (the two people sign in as it happens).
pub const TWO_PERSON_TOLERANCE_MS: i64 = 30 * 60_000;

/// Parse a time from a form (`YYYY-MM-DDTHH:MM`, local) or JSON (RFC 3339).
pub fn parse_time(raw: Option<&str>, now: i64) -> AppResult<i64> {
    let Some(raw) = raw.map(str::trim).filter(|s| !s.is_empty()) else { return Ok(now) };
    if let Ok(ts) = raw.parse::<jiff::Timestamp>() {
        return Ok(ts.as_millisecond());
    }
    let local = raw
        .parse::<jiff::civil::DateTime>()
        .map_err(|_| invalid("occurred_at", "时间格式不正确", "the time is malformed"))?;
    local
        .to_zoned(anbao_domain::time::zone())
        .map(|z| z.timestamp().as_millisecond())
        .map_err(|_| invalid("occurred_at", "时间格式不正确", "the time is malformed"))
}

fn check_time(at: i64, now: i64) -> AppResult<()> {
    if at > now + FUTURE_TOLERANCE_MS {
        return Err(invalid("occurred_at", "记录时间不能晚于当前时间", "the record cannot be dated in the future"));
    }
    if at < now - MAX_AGE_DAYS * 86_400_000 {
        return Err(invalid("occurred_at", "记录时间过早，超过补录期限", "the record is dated too far in the past"));
    }
    Ok(())
}

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
    let mut draft: RecordDraft = parse(input)?;
    let at = parse_time(input.occurred_at.as_deref(), ctx.now)?;
    check_time(at, ctx.now)?;
    // Two-person kinds: the signed-in person is the first; the second signs in here (SYS-2).
    let pair = if draft.kind.confirmed_by_two() {
        let why = match draft.kind {
            RecordKind::AtmLoading => "自助机具装入或取出现钞时，必须双人（密码、钥匙掌管人员）会同（第五篇 第1题）",
            _ => "金库必须两名员工同时管理，同进、同出、同操作（第五篇 第8题）",
        };
        let sign_in = SecondSignIn {
            confirm_username: input.confirm_username.clone(),
            confirm_secret: input.confirm_secret.clone(),
        };
        let p = confirm::second_person(db, policy, ctx, &sign_in, why).await?;
        draft.performer = Some(p.first.id);
        draft.second_person = Some(p.second.id);
        Some(p)
    } else {
        None
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
    let limit = match draft.kind {
        RecordKind::LargeWithdrawal => crate::rulebook::current(db, LARGE_WITHDRAWAL_RULE).await?,
        RecordKind::VaultEntry => crate::rulebook::current(db, VAULT_HOURS_RULE).await?,
        _ => None,
    };
    check_limits(&draft, at, limit.as_ref(), pair.as_ref())?;
    let mut files = Vec::new();
    let uploads: Vec<Upload> = uploads.into_iter().filter(|u| !u.bytes.is_empty()).collect();
    if uploads.len() > MAX_UPLOADS {
        return Err(invalid(
            "photos",
            format!("一条记录最多附{MAX_UPLOADS}张照片"),
            format!("a record carries at most {MAX_UPLOADS} photos"),
        ));
    }
    for u in uploads {
        if u.bytes.len() > MAX_UPLOAD_BYTES {
            let mb = MAX_UPLOAD_BYTES / (1024 * 1024);
            return Err(invalid(
                "photos",
                format!("单个附件不能超过{mb}MB"),
                format!("an attachment may be at most {mb} MB"),
            ));
        }
        let ct = image_type(&u.bytes).ok_or_else(|| {
            AppError::Invalid(DomainError::new(
                "photos",
                format!("附件“{}”不是图片（支持JPEG、PNG、GIF、WebP、HEIC）", u.file_name),
                format!("attachment “{}” is not an image", u.file_name),
            ))
        })?;
        let sha = hex::encode(Sha256::digest(&u.bytes));
        let taken = u.taken_at.unwrap_or(at);
        check_time(taken, ctx.now)
            .map_err(|_| invalid("taken_at", "拍摄时间不正确", "the photo's time is not plausible"))?;
        files.push((u, ct, sha, taken));
    }
    let mut tx = db.begin().await?;
    // Which unit the record belongs to: the asset's unit, or the unit named.
    let (unit, asset) = match draft.kind.about() {
        About::Asset(kind) => {
            let id = input.asset_id.ok_or_else(|| invalid("asset_id", "请选择设备", "choose the asset"))?;
            let a = anbao_store::assets::get(&mut tx, id).await?.filter(|a| a.active && a.kind == kind);
            let a = a.ok_or_else(|| invalid("asset_id", "所选设备不存在或类型不符", "no such asset of that kind"))?;
            // The asset row carries its unit's id and path, which is all a record needs of the unit.
            (RecordUnit { id: a.unit_id, path: a.unit_path }, Some(a.id))
        }
        _ => {
            let id = input.unit_id.ok_or_else(|| invalid("unit_id", "请选择单位", "choose the unit"))?;
            let u = anbao_store::org::get(&mut tx, UnitId::new(id))
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
    if let Some(p) = draft.performer {
        let s = active_staff_under(&mut tx, p, &unit.path, "performer_id").await?;
        if let Some(pos) = &draft.performer_position
            && !s.positions.iter().any(|x| x.code() == pos)
        {
            return Err(invalid("performer_position", "执行人不担任所选岗位", "the performer does not hold that post"));
        }
    }
    // A night's duty is kept by the two people the roster names for it: anyone else needs an approved swap first
    // (第十四条). Vaults without a roster for the day are not checked.
    if let (RecordKind::DutyLog, Some(a), Some(p1), Some(p2)) =
        (draft.kind, asset, draft.performer, draft.second_person)
    {
        let day = anbao_domain::period::day_of_ms(at);
        if let Some(sh) = anbao_store::duty::shifts(&mut tx, a, day, day + 1).await?.into_iter().next() {
            let (x, y) = (p1.get(), p2.get());
            if !((x == sh.guard_a && y == sh.guard_b) || (x == sh.guard_b && y == sh.guard_a)) {
                return Err(invalid(
                    "second_person_id",
                    "值班人员与当日排班表不符；不得私自调换班次，调班须经本网点负责人同意（第十四条）",
                    "the guards differ from the roster for that night; a swap needs the outlet head's approval (art. 14)",
                ));
            }
        }
    }
    if let (Some(_), Some(a)) = (&pair, asset) {
        crate::custody::check_key_and_code(&mut tx, a, &draft).await?;
    }
    if draft.kind == RecordKind::Visitor
        && let Some(p) = draft.second_person
    {
        let s = active_staff_under(&mut tx, p, &unit.path, "second_person_id").await?;
        if !s.positions.contains(&Position::Director) {
            return Err(invalid(
                "second_person_id",
                "陪同来访人员的须为网点负责人（第九条）",
                "the visitor must be accompanied by the outlet head (art. 9)",
            ));
        }
    }
    if let Some(p) = draft.second_person {
        let s = active_staff_under(&mut tx, p, &unit.path, "second_person_id").await?;
        if draft.kind == RecordKind::CctvAccess && !s.positions.contains(&anbao_domain::staff::Position::Director) {
            return Err(invalid(
                "second_person_id",
                "同意调阅的须为网点负责人（第四十六条）",
                "consent must come from the outlet head (art. 46)",
            ));
        }
    }
    if let Some(s) = draft.subject_staff {
        let row = anbao_store::staff::get(&mut tx, s).await?.filter(|r| r.active);
        let row = row.ok_or_else(|| invalid("subject_staff_id", "被审查人员不存在", "no such person"))?;
        ctx.must_see(&row.unit_path).map_err(|_| invalid("subject_staff_id", "被审查人员不存在", "no such person"))?;
    }
    if let Some(t) = draft.target_unit {
        let row = anbao_store::org::get(&mut tx, t).await?;
        if !row.is_some_and(|r| r.path.starts_with(&unit.path) && r.id != unit.id) {
            return Err(invalid(
                "target_unit_id",
                "被检查单位须是本单位的下级单位",
                "the inspected unit must be below the inspecting unit",
            ));
        }
    }
    for p in &input.people {
        active_staff_under(&mut tx, StaffId::new(*p), &unit.path, "people").await?;
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
    let id = anbao_store::records::insert(
        &mut tx,
        NewRecord {
            draft: &draft,
            unit: unit.id,
            asset,
            occurred_at: at,
            local_day: anbao_domain::period::day_of_ms(at),
            supersedes: input.supersedes_id,
            by: Some(ctx.actor.account),
            now: ctx.now,
        },
    )
    .await?;
    let action = if input.supersedes_id.is_some() { "record.correct" } else { "record.create" };
    audit::record(
        &mut tx,
        ctx.into(),
        &format!("{action}.{}", draft.kind.code()),
        Entity::Record(id),
        Some(unit.id),
        None,
    )
    .await?;
    for (u, ct, sha, taken) in files {
        blobs.put(&sha, &u.bytes).await.map_err(|e| AppError::Internal(format!("attachment store: {e}")))?;
        let name: String = u.file_name.chars().filter(|c| !c.is_control()).take(120).collect();
        let aid = anbao_store::records::insert_attachment(
            &mut tx,
            NewAttachment {
                record: id,
                file_name: &name,
                content_type: ct,
                size: u.bytes.len() as i64,
                sha256: &sha,
                taken_at: taken,
                now: ctx.now,
                by: Some(ctx.actor.account),
            },
        )
        .await?;
        audit::record(&mut tx, ctx.into(), "attachment.add", Entity::Attachment(aid), Some(unit.id), None).await?;
    }
    // Keep the day counts the compliance engine reads in step, in the same transaction. A correction moves a
    // record out of its bucket, so both buckets are recounted; a new record just adds one.
    if let Some(old) = input.supersedes_id {
        anbao_store::records::recount_bucket_of(&mut tx, id).await?;
        anbao_store::records::recount_bucket_of(&mut tx, old).await?;
    } else {
        anbao_store::records::count_new_record(&mut tx, id).await?;
    }
    tx.commit().await?;
    Ok(id)
}

/// Write an evidence record produced by another area's procedure (a gun issued, a cash box handed over), in that
/// procedure's transaction, with its audit event and day counts.
pub(crate) async fn insert_evidence(
    c: &mut Conn,
    ctx: &Ctx,
    draft: &RecordDraft,
    unit: UnitId,
    asset: Option<i64>,
) -> AppResult<i64> {
    insert_evidence_at(c, ctx, draft, unit, asset, ctx.now).await
}

/// The same, dated when the procedure happened (an inspection countersigned later is dated by its visit).
pub(crate) async fn insert_evidence_at(
    c: &mut Conn,
    ctx: &Ctx,
    draft: &RecordDraft,
    unit: UnitId,
    asset: Option<i64>,
    at: i64,
) -> AppResult<i64> {
    let id = anbao_store::records::insert(
        c,
        NewRecord {
            draft,
            unit,
            asset,
            occurred_at: at,
            local_day: anbao_domain::period::day_of_ms(at),
            supersedes: None,
            by: Some(ctx.actor.account),
            now: ctx.now,
        },
    )
    .await?;
    audit::record(c, ctx.into(), &format!("record.create.{}", draft.kind.code()), Entity::Record(id), Some(unit), None)
        .await?;
    anbao_store::records::count_new_record(c, id).await?;
    Ok(id)
}

pub const PAGE_SIZE: i64 = 50;

/// At most this many rows go into one Excel export of the record list (newest first).
pub const EXPORT_ROWS: i64 = 20_000;

/// The filtered list for an Excel export: up to `EXPORT_ROWS`, newest first, in the caller's scope.
pub async fn export_rows(db: &Db, ctx: &Ctx, f: &RecordFilter) -> AppResult<Vec<RecordRow>> {
    let mut c = db.read().await?;
    Ok(anbao_store::records::list(&mut c, ctx.actor.account, &ctx.actor.scope, f, EXPORT_ROWS, 0).await?.0)
}

pub async fn list(db: &Db, ctx: &Ctx, f: &RecordFilter, page: i64) -> AppResult<(Vec<RecordRow>, i64)> {
    let mut c = db.read().await?;
    Ok(anbao_store::records::list(
        &mut c,
        ctx.actor.account,
        &ctx.actor.scope,
        f,
        PAGE_SIZE,
        (page.max(1) - 1) * PAGE_SIZE,
    )
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
