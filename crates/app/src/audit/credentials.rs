//! Credentials never enter the audit trail. An account's snapshot carries, instead of its password and PIN hashes,
//! a keyed digest of each (HMAC-SHA256 under a key the server keeps in `server_keys`, which no page or API shows):
//! a hash replaced behind the system's back still changes the snapshot, so `audit verify` catches it, but an auditor
//! reading events learns nothing to crack offline. `redact_stored_events` rewrites the events written before this
//! existed and re-links the chain from the first one it changed, once, recording the old head in a new event.
use super::{Writer, record_event};
use crate::{AppError, AppResult};
use anbao_domain::audit::{EventContent, event_hash, row_hash};
use anbao_store::{Conn, Db};
use hmac::{Hmac, Mac};
use serde_json::Value;
use sha2::Sha256;
use sqlx::Row;

/// Fields of an account snapshot that hold secrets, and the digest field each becomes.
pub const SECRET_FIELDS: [(&str, &str); 2] =
    [("password_hash", "password_digest"), ("confirm_pin_hash", "confirm_pin_digest")];

const KEY_NAME: &str = "audit_credential_digest";

/// The digest key. Migration 0012 makes it with the database's own random source, so it exists before any account
/// is written and a read-only verification never has to make one.
pub async fn key(c: &mut Conn) -> AppResult<Vec<u8>> {
    let stored: String = sqlx::query("SELECT value FROM server_keys WHERE name = $1")
        .bind(KEY_NAME)
        .fetch_optional(&mut *c)
        .await?
        .ok_or_else(|| AppError::Internal("the audit digest key is missing (migration 0012)".into()))?
        .try_get("value")?;
    hex::decode(stored).map_err(|e| AppError::Internal(format!("server key: {e}")))
}

/// The digest that stands for `secret` (a stored hash) in the trail.
pub fn digest(key: &[u8], field: &str, secret: &str) -> String {
    // `new_from_slice` accepts a key of any length for HMAC; the error arm cannot happen.
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(key) else { return String::new() };
    mac.update(field.as_bytes());
    mac.update(b":");
    mac.update(secret.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

/// Replace every secret field of an account snapshot with its digest. True when something was replaced.
pub fn redact(key: &[u8], v: &mut Value) -> bool {
    let Some(m) = v.as_object_mut() else { return false };
    let mut changed = false;
    for (secret, digest_field) in SECRET_FIELDS {
        if let Some(Value::String(h)) = m.remove(secret) {
            m.insert(digest_field.into(), digest(key, secret, &h).into());
            changed = true;
        }
    }
    changed
}

/// Redact a stored JSON text; None when it holds no secret (or is not JSON), so the text stays byte for byte.
fn redact_text(key: &[u8], text: &str) -> Option<String> {
    let mut v: Value = serde_json::from_str(text).ok()?;
    redact(key, &mut v).then(|| v.to_string())
}

const CHUNK: i64 = 5_000;

/// Rewrite the account events that still hold a hash, and re-link the chain from the first of them. Idempotent:
/// with nothing left to redact it writes nothing. Holds the chain head for the whole rewrite, so no event is
/// appended meanwhile, on either database. Returns how many events were rewritten.
pub async fn redact_stored_events(db: &Db, now: i64) -> AppResult<i64> {
    let first: Option<i64> = {
        let mut c = db.read().await?;
        sqlx::query(
            "SELECT MIN(seq) AS s FROM audit_events WHERE entity = 'account' \
             AND (before_json LIKE '%\"password_hash\"%' OR after_json LIKE '%\"password_hash\"%' \
             OR before_json LIKE '%\"confirm_pin_hash\"%' OR after_json LIKE '%\"confirm_pin_hash\"%')",
        )
        .fetch_one(&mut *c)
        .await?
        .try_get("s")?
    };
    let Some(first) = first else { return Ok(0) };
    let mut tx = db.begin().await?;
    let key = key(&mut tx).await?;
    // Taking the head row first serialises this with every appender.
    let head =
        sqlx::query("UPDATE audit_head SET seq = seq WHERE id = 1 RETURNING seq, hash").fetch_one(&mut *tx).await?;
    let (head_seq, old_head): (i64, String) = (head.try_get("seq")?, head.try_get("hash")?);
    let mut prev: String = if first == 1 {
        anbao_domain::audit::GENESIS.to_owned()
    } else {
        sqlx::query("SELECT hash FROM audit_events WHERE seq = $1")
            .bind(first - 1)
            .fetch_one(&mut *tx)
            .await?
            .try_get("hash")?
    };
    let mut rewritten = 0;
    let mut from = first;
    while from <= head_seq {
        let rows = sqlx::query(
            "SELECT seq, at, actor_id, unit_id, action, entity, entity_id, before_json, after_json, row_hash \
             FROM audit_events WHERE seq >= $1 AND seq < $2 ORDER BY seq",
        )
        .bind(from)
        .bind(from + CHUNK)
        .fetch_all(&mut *tx)
        .await?;
        for r in &rows {
            let seq: i64 = r.try_get("seq")?;
            let entity: String = r.try_get("entity")?;
            let mut before: Option<String> = r.try_get("before_json")?;
            let mut after: Option<String> = r.try_get("after_json")?;
            let mut rh: Option<String> = r.try_get("row_hash")?;
            if entity == "account" {
                if let Some(b) = before.as_deref().and_then(|t| redact_text(&key, t)) {
                    before = Some(b);
                    rewritten += 1;
                }
                if let Some(old) = after.clone()
                    && let Some(a) = redact_text(&key, &old)
                {
                    // The row hash was taken over the snapshot as stored; it follows the redacted one.
                    if rh.as_deref() == Some(row_hash(&old).as_str()) {
                        rh = Some(row_hash(&a));
                    }
                    after = Some(a);
                    rewritten += 1;
                }
            }
            let (action, entity_id): (String, String) = (r.try_get("action")?, r.try_get("entity_id")?);
            let content = EventContent {
                seq,
                at_ms: r.try_get("at")?,
                actor: r.try_get("actor_id")?,
                unit: r.try_get("unit_id")?,
                action: &action,
                entity: &entity,
                entity_id: &entity_id,
                before: before.as_deref(),
                after: after.as_deref(),
                row_hash: rh.as_deref(),
            };
            let hash = event_hash(&prev, &content);
            sqlx::query(
                "UPDATE audit_events SET before_json = $1, after_json = $2, row_hash = $3, prev_hash = $4, hash = $5 \
                 WHERE seq = $6",
            )
            .bind(before.as_deref())
            .bind(after.as_deref())
            .bind(rh.as_deref())
            .bind(&prev)
            .bind(&hash)
            .bind(seq)
            .execute(&mut *tx)
            .await?;
            prev = hash;
        }
        from += CHUNK;
    }
    sqlx::query("UPDATE audit_head SET hash = $1 WHERE id = 1").bind(&prev).execute(&mut *tx).await?;
    let detail = serde_json::json!({
        "from_seq": first,
        "to_seq": head_seq,
        "fields_redacted": rewritten,
        "previous_head_hash": old_head,
    });
    record_event(&mut tx, Writer { now, actor: None }, "audit.redact_credentials", "audit", "chain", Some(&detail))
        .await?;
    tx.commit().await?;
    Ok(rewritten)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_snapshot_keeps_a_digest_that_changes_with_the_hash_and_the_key() {
        let mut a = serde_json::json!({"id": 1, "password_hash": "$argon2id$x", "confirm_pin_hash": "$argon2id$p"});
        assert!(redact(b"k1", &mut a));
        let text = a.to_string();
        assert!(!text.contains("argon2"), "{text}");
        assert!(a.get("password_digest").is_some() && a.get("confirm_pin_digest").is_some());
        let mut b = serde_json::json!({"id": 1, "password_hash": "$argon2id$y"});
        redact(b"k1", &mut b);
        assert_ne!(a["password_digest"], b["password_digest"]);
        assert_ne!(digest(b"k1", "password_hash", "h"), digest(b"k2", "password_hash", "h"));
        assert_ne!(digest(b"k1", "password_hash", "h"), digest(b"k1", "confirm_pin_hash", "h"));
    }

    #[test]
    fn text_without_secrets_is_left_as_it_is() {
        assert_eq!(redact_text(b"k", r#"{"id":1}"#), None);
        assert_eq!(redact_text(b"k", "not json"), None);
        assert!(redact_text(b"k", r#"{"password_hash":"h"}"#).is_some_and(|t| t.contains("password_digest")));
    }
}
