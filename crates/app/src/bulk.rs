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
use std::collections::HashMap;

type BucketKey = (String, String, String, i64, i64, i64);

pub struct BulkRecord {
    pub draft: RecordDraft,
    pub unit: UnitId,
    pub asset: Option<i64>,
    pub occurred_at: i64,
    /// Attach this photo (PNG or JPEG bytes).
    pub photo: Option<&'static [u8]>,
}

pub const CHUNK: usize = 2_000;

/// Import records in chunks of `CHUNK`, each chunk one transaction with one audit event covering its rows (a hash
/// over every row's hash, in id order), and keep the day counts in step. Returns the number imported.
pub async fn import(
    db: &Db,
    blobs: &BlobStore,
    by: Option<AccountId>,
    now: i64,
    recs: Vec<BulkRecord>,
) -> AppResult<usize> {
    let mut done = 0;
    let mut buckets: HashMap<BucketKey, (i64, i64, Option<i64>)> = HashMap::new();
    let (mut lo, mut hi) = (i64::MAX, i64::MIN);
    let existing = {
        let days: Vec<i64> = recs.iter().map(|r| anbao_domain::period::day_of_ms(r.occurred_at)).collect();
        let (a, b) = (days.iter().min().copied().unwrap_or(0), days.iter().max().copied().unwrap_or(0) + 1);
        let mut c = db.read().await?;
        anbao_store::records::has_day_counts(&mut c, a, b).await?
    };
    for chunk in recs.chunks(CHUNK) {
        let mut tx = db.begin().await?;
        let mut events = Vec::with_capacity(16);
        let mut row_hashes: Vec<(i64, String)> = Vec::with_capacity(chunk.len());
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
            row_hashes.push((id, anbao_domain::audit::row_hash(&snap)));
            lo = lo.min(local_day);
            hi = hi.max(local_day + 1);
            let b = buckets
                .entry((
                    r.draft.kind.code().to_owned(),
                    r.draft.subkind.clone().unwrap_or_default(),
                    r.draft.performer_position.clone().unwrap_or_default(),
                    r.unit.get(),
                    r.asset.unwrap_or(0),
                    local_day,
                ))
                .or_insert((0, 0, None));
            b.0 += 1;
            b.1 += i64::from(r.photo.is_some());
            if let Some(v) = r.draft.value {
                b.2 = Some(b.2.map_or(v, |m: i64| m.min(v)));
            }
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
        events.splice(0..0, batch_events(&row_hashes, now, by));
        anbao_store::audit::append_many(&mut tx, &events).await?;
        tx.commit().await?;
        done += chunk.len();
    }
    if lo < hi {
        let mut tx = db.begin().await?;
        if existing {
            anbao_store::records::rebuild_day_counts(&mut tx, lo, hi).await?;
        } else {
            let rows: Vec<anbao_store::records::DayCount> = buckets
                .into_iter()
                .map(|((kind, sk, pos, unit, asset, day), (n, att, min))| anbao_store::records::DayCount {
                    kind,
                    subkind: (!sk.is_empty()).then_some(sk),
                    position: (!pos.is_empty()).then_some(pos),
                    unit_id: unit,
                    asset_id: (asset != 0).then_some(asset),
                    day,
                    n,
                    with_attachment: att,
                    min_value: min,
                })
                .collect();
            anbao_store::records::insert_day_counts(&mut tx, &rows).await?;
        }
        tx.commit().await?;
    }
    Ok(done)
}

/// The audit events for a chunk's records: one `record_batch` event when the ids are contiguous (its hash covers
/// every row's hash in order), else one event per row.
fn batch_events(rows: &[(i64, String)], now: i64, by: Option<AccountId>) -> Vec<OwnedEvent> {
    let (Some(first), Some(last)) = (rows.first(), rows.last()) else { return Vec::new() };
    if last.0 - first.0 + 1 == rows.len() as i64 {
        let mut h = Sha256::new();
        for (_, rh) in rows {
            h.update(rh.as_bytes());
        }
        return vec![OwnedEvent {
            at_ms: now,
            actor: by.map(AccountId::get),
            unit: None,
            action: "record.import".into(),
            entity: "record_batch".into(),
            entity_id: format!("{}-{}", first.0, last.0),
            after: Some(serde_json::json!({ "first": first.0, "last": last.0, "count": rows.len() }).to_string()),
            row_hash: Some(hex::encode(h.finalize())),
        }];
    }
    rows.iter()
        .map(|(id, rh)| OwnedEvent {
            at_ms: now,
            actor: by.map(AccountId::get),
            unit: None,
            action: "record.import".into(),
            entity: "record".into(),
            entity_id: id.to_string(),
            after: None,
            row_hash: Some(rh.clone()),
        })
        .collect()
}
