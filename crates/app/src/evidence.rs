//! The shared evidence write, just above audit: a record row with its audit event and day counts, in the caller's
//! transaction, and the photos that come with it. Every procedure that leaves evidence (a form's record, a gun
//! issued, an inspection countersigned, a monthly report) writes through here, so none of them imports another.
use crate::audit::{self, Entity};
use crate::error::invalid;
use crate::{AppError, AppResult, Ctx};
use anbao_domain::DomainError;
use anbao_domain::ids::UnitId;
use anbao_domain::records::{RecordDraft, image_type, photo_or_scan_type};
use anbao_store::Conn;
use anbao_store::blobs::BlobStore;
use anbao_store::records::{NewAttachment, NewRecord};
use sha2::{Digest, Sha256};

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

/// Parse a time from a form (`YYYY-MM-DDTHH:MM`, local) or JSON (RFC 3339); empty means now.
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

/// A record's time must be plausible: not in the future beyond the clocks' drift, not older than may be entered late.
pub fn check_time(at: i64, now: i64) -> AppResult<()> {
    if at > now + FUTURE_TOLERANCE_MS {
        return Err(invalid("occurred_at", "记录时间不能晚于当前时间", "the record cannot be dated in the future"));
    }
    if at < now - MAX_AGE_DAYS * 86_400_000 {
        return Err(invalid("occurred_at", "记录时间过早，超过补录期限", "the record is dated too far in the past"));
    }
    Ok(())
}

/// A photo that passed the checks, ready to store.
pub struct Photo {
    pub upload: Upload,
    pub content_type: &'static str,
    pub sha256: String,
    pub taken_at: i64,
}

impl Photo {
    /// Put the checked bytes in the blob store (keyed by their hash, so a second copy costs nothing) and return the
    /// file name to keep: control characters dropped, at most 120 characters.
    pub async fn put(&self, blobs: &BlobStore) -> AppResult<String> {
        blobs
            .put(&self.sha256, &self.upload.bytes)
            .await
            .map_err(|e| AppError::Internal(format!("attachment store: {e}")))?;
        Ok(self.upload.file_name.chars().filter(|c| !c.is_control()).take(120).collect())
    }
}

/// Check one photo: its size before anything else, then that its bytes are an image.
pub fn check_photo(u: Upload, default_taken: i64) -> AppResult<Photo> {
    check_upload(u, default_taken, image_type, ("不是图片（支持JPEG、PNG、GIF、WebP、HEIC）", "is not an image"))
}

/// A video may be larger than a photo: a phone's minute of drill footage.
pub const MAX_VIDEO_BYTES: usize = 50 * 1024 * 1024;

/// Check a drill's image evidence (影像资料): photos, PDF scans and MP4 videos, each by its content; a video up to
/// `MAX_VIDEO_BYTES`, anything else up to `MAX_UPLOAD_BYTES`.
pub fn check_media(uploads: Vec<Upload>, at: i64, now: i64) -> AppResult<Vec<Photo>> {
    let too_many =
        (format!("一条记录最多附{MAX_UPLOADS}个附件"), format!("a record carries at most {MAX_UPLOADS} files"));
    check_uploads(uploads, at, now, check_media_file, too_many)
}

fn check_media_file(u: Upload, default_taken: i64) -> AppResult<Photo> {
    let video = anbao_domain::records::media_type(&u.bytes) == Some("video/mp4");
    if video {
        if u.bytes.len() > MAX_VIDEO_BYTES {
            let mb = MAX_VIDEO_BYTES / (1024 * 1024);
            return Err(invalid(
                "photos",
                format!("单个视频不能超过{mb}MB"),
                format!("a video may be at most {mb} MB"),
            ));
        }
        let sha256 = hex::encode(Sha256::digest(&u.bytes));
        let taken_at = u.taken_at.unwrap_or(default_taken);
        return Ok(Photo { upload: u, content_type: "video/mp4", sha256, taken_at });
    }
    check_upload(
        u,
        default_taken,
        photo_or_scan_type,
        ("不是图片、PDF或MP4视频", "is not a photo, a PDF or an MP4 video"),
    )
}

/// Check one file of a case: a photo, or a scanned document as PDF.
pub fn check_photo_or_scan(u: Upload, default_taken: i64) -> AppResult<Photo> {
    check_upload(u, default_taken, photo_or_scan_type, ("不是图片或PDF文件", "is neither an image nor a PDF"))
}

fn check_upload(
    u: Upload,
    default_taken: i64,
    sniff: fn(&[u8]) -> Option<&'static str>,
    (not_zh, not_en): (&str, &str),
) -> AppResult<Photo> {
    if u.bytes.len() > MAX_UPLOAD_BYTES {
        let mb = MAX_UPLOAD_BYTES / (1024 * 1024);
        return Err(invalid(
            "photos",
            format!("单个附件不能超过{mb}MB"),
            format!("an attachment may be at most {mb} MB"),
        ));
    }
    let content_type = sniff(&u.bytes).ok_or_else(|| {
        // The name as the user sent it, cut to what is kept, so a hostile name does not fill the message.
        let name = anbao_domain::text::clip(&u.file_name, 120);
        AppError::Invalid(DomainError::new(
            "photos",
            format!("附件“{name}”{not_zh}"),
            format!("attachment “{name}” {not_en}"),
        ))
    })?;
    let sha256 = hex::encode(Sha256::digest(&u.bytes));
    let taken_at = u.taken_at.unwrap_or(default_taken);
    Ok(Photo { upload: u, content_type, sha256, taken_at })
}

/// Check a record's photos (empty file inputs are dropped): how many, each one's size and type, and when it was
/// taken.
pub fn check_photos(uploads: Vec<Upload>, at: i64, now: i64) -> AppResult<Vec<Photo>> {
    let too_many =
        (format!("一条记录最多附{MAX_UPLOADS}张照片"), format!("a record carries at most {MAX_UPLOADS} photos"));
    check_uploads(uploads, at, now, check_photo, too_many)
}

/// Check the files of one form (empty file inputs are dropped): how many, then each with `check_one`, and when it
/// was taken.
pub fn check_uploads(
    uploads: Vec<Upload>,
    at: i64,
    now: i64,
    check_one: fn(Upload, i64) -> AppResult<Photo>,
    (too_many_zh, too_many_en): (String, String),
) -> AppResult<Vec<Photo>> {
    let uploads: Vec<Upload> = uploads.into_iter().filter(|u| !u.bytes.is_empty()).collect();
    if uploads.len() > MAX_UPLOADS {
        return Err(invalid("photos", too_many_zh, too_many_en));
    }
    let mut photos = Vec::new();
    for u in uploads {
        let p = check_one(u, at)?;
        check_time(p.taken_at, now)
            .map_err(|_| invalid("taken_at", "拍摄时间不正确", "the photo's time is not plausible"))?;
        photos.push(p);
    }
    Ok(photos)
}

/// Where and when a record is written, and what it corrects.
pub struct Placed {
    pub unit: UnitId,
    pub asset: Option<i64>,
    pub at: i64,
    pub supersedes: Option<i64>,
}

/// Write a record, its audit event and its photos, and keep the compliance engine's day counts in step, all in the
/// caller's transaction. A correction moves a record out of its bucket, so both buckets are recounted.
pub async fn write(
    c: &mut Conn,
    blobs: &BlobStore,
    ctx: &Ctx,
    draft: &RecordDraft,
    place: Placed,
    photos: Vec<Photo>,
) -> AppResult<i64> {
    let (unit, supersedes) = (place.unit, place.supersedes);
    let id = row(c, ctx, draft, place).await?;
    for p in photos {
        let name = p.put(blobs).await?;
        let aid = anbao_store::records::insert_attachment(
            c,
            NewAttachment {
                record: id,
                file_name: &name,
                content_type: p.content_type,
                size: p.upload.bytes.len() as i64,
                sha256: &p.sha256,
                taken_at: p.taken_at,
                now: ctx.now,
                by: Some(ctx.actor.account),
            },
        )
        .await?;
        audit::record(c, ctx.into(), "attachment.add", Entity::Attachment(aid), Some(unit), None).await?;
    }
    if let Some(old) = supersedes {
        anbao_store::records::recount_bucket_of(c, id).await?;
        anbao_store::records::recount_bucket_of(c, old).await?;
    } else {
        anbao_store::records::count_new_record(c, id).await?;
    }
    Ok(id)
}

/// Write the evidence a procedure produces (a gun issued, a monthly report made), dated now, without photos.
pub(crate) async fn insert(
    c: &mut Conn,
    ctx: &Ctx,
    draft: &RecordDraft,
    unit: UnitId,
    asset: Option<i64>,
) -> AppResult<i64> {
    insert_at(c, ctx, draft, unit, asset, ctx.now).await
}

/// The same, dated when the procedure happened (an inspection countersigned later is dated by its visit).
pub(crate) async fn insert_at(
    c: &mut Conn,
    ctx: &Ctx,
    draft: &RecordDraft,
    unit: UnitId,
    asset: Option<i64>,
    at: i64,
) -> AppResult<i64> {
    let id = row(c, ctx, draft, Placed { unit, asset, at, supersedes: None }).await?;
    anbao_store::records::count_new_record(c, id).await?;
    Ok(id)
}

/// The record row and its audit event.
async fn row(c: &mut Conn, ctx: &Ctx, draft: &RecordDraft, place: Placed) -> AppResult<i64> {
    let id = anbao_store::records::insert(
        c,
        NewRecord {
            draft,
            unit: place.unit,
            asset: place.asset,
            occurred_at: place.at,
            local_day: anbao_domain::period::day_of_ms(place.at),
            supersedes: place.supersedes,
            by: Some(ctx.actor.account),
            now: ctx.now,
        },
    )
    .await?;
    let action = if place.supersedes.is_some() { "record.correct" } else { "record.create" };
    let action = format!("{action}.{}", draft.kind.code());
    audit::record(c, ctx.into(), &action, Entity::Record(id), Some(place.unit), None).await?;
    Ok(id)
}
