//! Bulk import of evidence records (the demo year, the scale generator): the same rows and the same audit events
//! as one-by-one entry, written in large transactions with the audit chain extended in one step per chunk.
use crate::AppResult;
use anbao_domain::ids::{AccountId, UnitId};
use anbao_domain::records::RecordDraft;
use anbao_store::Db;
use anbao_store::audit::OwnedEvent;
use anbao_store::blobs::BlobStore;
use anbao_store::records::{NewAttachment, NewRecord, RecordFields, snapshot_value};
use sha2::{Digest, Sha256};

pub struct BulkRecord {
    pub draft: RecordDraft,
    pub unit: UnitId,
    pub asset: Option<i64>,
    pub occurred_at: i64,
    /// Attach this photo (PNG or JPEG bytes).
    pub photo: Option<&'static [u8]>,
}

pub const CHUNK: usize = 2_000;

/// Import records in chunks of `CHUNK`, each chunk one transaction. Returns the number imported.
pub async fn import(
    db: &Db,
    blobs: &BlobStore,
    by: Option<AccountId>,
    now: i64,
    recs: Vec<BulkRecord>,
) -> AppResult<usize> {
    let mut done = 0;
    for chunk in recs.chunks(CHUNK) {
        let mut tx = db.begin().await?;
        let mut events = Vec::with_capacity(chunk.len());
        for r in chunk {
            let local_day = anbao_domain::period::day_of_ms(r.occurred_at);
            let id = anbao_store::records::insert(
                &mut tx,
                NewRecord {
                    draft: &r.draft,
                    unit: r.unit,
                    asset: r.asset,
                    occurred_at: r.occurred_at,
                    local_day,
                    supersedes: None,
                    by,
                    now,
                },
            )
            .await?;
            let data = r.draft.data.to_string();
            let snap = snapshot_value(&RecordFields {
                id,
                kind: r.draft.kind.code(),
                subkind: r.draft.subkind.as_deref(),
                unit_id: r.unit.get(),
                asset_id: r.asset,
                performer_id: r.draft.performer.map(|s| s.get()),
                performer_position: r.draft.performer_position.as_deref(),
                second_person_id: r.draft.second_person.map(|s| s.get()),
                subject_staff_id: r.draft.subject_staff.map(|s| s.get()),
                target_unit_id: r.draft.target_unit.map(|u| u.get()),
                occurred_at: r.occurred_at,
                local_day,
                value: r.draft.value,
                data: &data,
                supersedes_id: None,
            })
            .to_string();
            events.push(OwnedEvent {
                at_ms: now,
                actor: by.map(AccountId::get),
                unit: Some(r.unit.get()),
                action: format!("record.import.{}", r.draft.kind.code()),
                entity: "record".into(),
                entity_id: id.to_string(),
                row_hash: Some(anbao_domain::audit::row_hash(&snap)),
                after: Some(snap),
            });
            if let Some(bytes) = r.photo {
                let sha = hex::encode(Sha256::digest(bytes));
                blobs
                    .put(&sha, bytes)
                    .await
                    .map_err(|e| crate::AppError::Internal(format!("attachment store: {e}")))?;
                let ct = anbao_domain::records::image_type(bytes).unwrap_or("image/png");
                let aid = anbao_store::records::insert_attachment(
                    &mut tx,
                    NewAttachment {
                        record: id,
                        file_name: "现场照片.png",
                        content_type: ct,
                        size: bytes.len() as i64,
                        sha256: &sha,
                        taken_at: r.occurred_at,
                        now,
                        by,
                    },
                )
                .await?;
                let snap = anbao_store::records::attachment_snapshot_rows(&mut tx, Some(aid)).await?;
                if let Some((_, v)) = snap.into_iter().next() {
                    let s = v.to_string();
                    events.push(OwnedEvent {
                        at_ms: now,
                        actor: by.map(AccountId::get),
                        unit: Some(r.unit.get()),
                        action: "attachment.import".into(),
                        entity: "attachment".into(),
                        entity_id: aid.to_string(),
                        row_hash: Some(anbao_domain::audit::row_hash(&s)),
                        after: Some(s),
                    });
                }
            }
        }
        anbao_store::audit::append_many(&mut tx, &events).await?;
        tx.commit().await?;
        done += chunk.len();
    }
    Ok(done)
}
