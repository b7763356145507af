//! A case's notes and files (INC-1): the scene's photos taken at the counter when the case is entered, and what the
//! investigation gathers later (a police receipt, a statement, a scan), each kept with the timeline entry it came
//! with. A closed case takes nothing more: a correction after closing is a new case.
use super::{INVESTIGATORS, NOTE_MAX, case_in_scope, event};
use crate::audit::{self, Entity};
use crate::error::{conflict, invalid};
use crate::evidence::{MAX_UPLOADS, Photo, Upload, check_photo_or_scan, check_uploads};
use crate::{AppError, AppResult, Ctx};
use anbao_domain::access::Permission;
use anbao_domain::ids::UnitId;
use anbao_domain::incident::CaseStatus;
use anbao_store::blobs::BlobStore;
use anbao_store::incident::{self as store, CaseFileRow, CaseRow, NewCaseFile};
use anbao_store::{Conn, Db};

/// Check a case's files (empty file inputs dropped): how many, each one's size before its content, its type (a photo
/// or a PDF), and when it was taken.
pub fn check_files(uploads: Vec<Upload>, now: i64) -> AppResult<Vec<Photo>> {
    let too_many = (format!("一次最多上传{MAX_UPLOADS}个附件"), format!("at most {MAX_UPLOADS} files at a time"));
    check_uploads(uploads, now, now, check_photo_or_scan, too_many)
}

/// Store checked files against a timeline entry, in the caller's transaction.
pub(super) async fn store_files(
    c: &mut Conn,
    blobs: &BlobStore,
    ctx: &Ctx,
    case: &CaseRow,
    event_id: i64,
    files: Vec<Photo>,
) -> AppResult<()> {
    for f in files {
        let name = f.put(blobs).await?;
        let id = store::insert_file(
            c,
            NewCaseFile {
                case: case.id,
                event: event_id,
                file_name: &name,
                content_type: f.content_type,
                size: f.upload.bytes.len() as i64,
                sha256: &f.sha256,
                taken_at: f.taken_at,
                now: ctx.now,
                by: ctx.actor.account.get(),
            },
        )
        .await?;
        let unit = Some(UnitId::new(case.unit_id));
        audit::record(c, ctx.into(), "case.attach", Entity::Row("case_attachments", id), unit, None).await?;
    }
    Ok(())
}

/// Who may add to a case: the unit that entered it (who may write its records) and the security department over it,
/// while it is open.
fn must_add(ctx: &Ctx, case: &CaseRow) -> AppResult<()> {
    let unit_writes = ctx.actor.scope.allows(Permission::RecordWrite, &case.unit_path);
    if !unit_writes && !ctx.actor.scope.holds(&INVESTIGATORS, &case.unit_path) {
        return Err(AppError::Forbidden);
    }
    if CaseStatus::parse(&case.status)? == CaseStatus::Closed {
        return Err(conflict("status", "案件已结案，不能再补充", "the case is closed"));
    }
    Ok(())
}

/// Whether the actor may add notes and files to a case (for the page's form).
pub fn may_add(ctx: &Ctx, case: &CaseRow) -> bool {
    must_add(ctx, case).is_ok()
}

/// Settle who may add to a case before a byte of an upload is read (the API's raw body).
pub async fn must_add_to(db: &Db, ctx: &Ctx, id: i64) -> AppResult<()> {
    let mut c = db.read().await?;
    let case = case_in_scope(&mut c, ctx, id).await?;
    must_add(ctx, &case)
}

/// Add a note, files, or both to a case's timeline, in one transaction.
pub async fn add_note(
    db: &Db,
    blobs: &BlobStore,
    ctx: &Ctx,
    id: i64,
    note: &str,
    uploads: Vec<Upload>,
) -> AppResult<()> {
    let note = anbao_domain::text::optional_paragraphs("note", "补充情况", "Note", note, NOTE_MAX)?;
    let files = check_files(uploads, ctx.now)?;
    if note.is_none() && files.is_empty() {
        return Err(invalid("note", "请填写补充情况或选择附件", "write a note or choose a file"));
    }
    let mut tx = db.begin().await?;
    let case = case_in_scope(&mut tx, ctx, id).await?;
    must_add(ctx, &case)?;
    let text = match (&note, files.len()) {
        (Some(n), 0) => n.clone(),
        (Some(n), k) => format!("{n}（附件{k}个）"),
        (None, k) => format!("补充附件{k}个"),
    };
    let event_id = event(&mut tx, ctx, &case, "note", &text).await?;
    store_files(&mut tx, blobs, ctx, &case, event_id, files).await?;
    tx.commit().await?;
    Ok(())
}

/// A case's file, for those who may see the case.
pub async fn file(db: &Db, blobs: &BlobStore, ctx: &Ctx, case: i64, id: i64) -> AppResult<(CaseFileRow, Vec<u8>)> {
    let mut c = db.read().await?;
    case_in_scope(&mut c, ctx, case).await?;
    let f = store::file(&mut c, case, id).await?.ok_or(AppError::NotFound)?;
    let bytes = blobs.get(&f.sha256).await.map_err(|e| AppError::Internal(format!("attachment store: {e}")))?;
    Ok((f, bytes))
}
