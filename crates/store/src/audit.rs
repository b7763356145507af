//! The append-only audit trail: appending a chained event, listing events in scope, and reading the whole chain
//! for verification.
use crate::{Conn, Result, scope};
use anbao_domain::access::{Permission, Scope};
use anbao_domain::audit::{EventContent, event_hash};
use sqlx::Row;

/// An event to append; the store assigns its sequence number and chain hash.
pub struct NewEvent<'a> {
    pub at_ms: i64,
    pub actor: Option<i64>,
    pub unit: Option<i64>,
    pub action: &'a str,
    pub entity: &'a str,
    pub entity_id: &'a str,
    pub before: Option<&'a str>,
    pub after: Option<&'a str>,
    pub row_hash: Option<&'a str>,
}

/// Append an event in the caller's transaction. Bumping the head row first serialises appenders (a row lock on
/// PostgreSQL, the single writer on SQLite), so two instances can never fork the chain.
pub async fn append(c: &mut Conn, e: NewEvent<'_>) -> Result<i64> {
    let head =
        sqlx::query("UPDATE audit_head SET seq = seq + 1 WHERE id = 1 RETURNING seq, hash").fetch_one(&mut *c).await?;
    let seq: i64 = head.try_get("seq")?;
    let prev: String = head.try_get("hash")?;
    let content = EventContent {
        seq,
        at_ms: e.at_ms,
        actor: e.actor,
        unit: e.unit,
        action: e.action,
        entity: e.entity,
        entity_id: e.entity_id,
        before: e.before,
        after: e.after,
        row_hash: e.row_hash,
    };
    let hash = event_hash(&prev, &content);
    sqlx::query(
        "INSERT INTO audit_events (seq, at, actor_id, unit_id, action, entity, entity_id, before_json, after_json, \
         row_hash, prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
    )
    .bind(seq)
    .bind(e.at_ms)
    .bind(e.actor)
    .bind(e.unit)
    .bind(e.action)
    .bind(e.entity)
    .bind(e.entity_id)
    .bind(e.before)
    .bind(e.after)
    .bind(e.row_hash)
    .bind(&prev)
    .bind(&hash)
    .execute(&mut *c)
    .await?;
    // The head's hash moves with the insert (trigger `audit_events_head`, migration 0011).
    Ok(seq)
}

/// An event owned by the caller, for appending many at once.
#[derive(Debug, Clone)]
pub struct OwnedEvent {
    pub at_ms: i64,
    pub actor: Option<i64>,
    pub unit: Option<i64>,
    pub action: String,
    pub entity: String,
    pub entity_id: String,
    pub after: Option<String>,
    pub row_hash: Option<String>,
}

/// Append many events in the caller's transaction: the head moves once, the chain is computed in memory, and
/// rows go in as multi-row inserts. Used by bulk imports; each event is the same as `append` would write.
pub async fn append_many(c: &mut Conn, events: &[OwnedEvent]) -> Result<()> {
    if events.is_empty() {
        return Ok(());
    }
    let n = events.len() as i64;
    let head = sqlx::query("UPDATE audit_head SET seq = seq + $1 WHERE id = 1 RETURNING seq, hash")
        .bind(n)
        .fetch_one(&mut *c)
        .await?;
    let last: i64 = head.try_get("seq")?;
    let mut prev: String = head.try_get("hash")?;
    let mut rows = Vec::with_capacity(events.len());
    for (i, e) in events.iter().enumerate() {
        let seq = last - n + 1 + i as i64;
        let content = EventContent {
            seq,
            at_ms: e.at_ms,
            actor: e.actor,
            unit: e.unit,
            action: &e.action,
            entity: &e.entity,
            entity_id: &e.entity_id,
            before: None,
            after: e.after.as_deref(),
            row_hash: e.row_hash.as_deref(),
        };
        let hash = event_hash(&prev, &content);
        rows.push((seq, prev.clone(), hash.clone()));
        prev = hash;
    }
    // Small statements: sqlx resolves `$n` parameters by name, which is quadratic in their number.
    for (chunk_events, chunk_rows) in events.chunks(40).zip(rows.chunks(40)) {
        let mut sql = String::from(
            "INSERT INTO audit_events (seq, at, actor_id, unit_id, action, entity, entity_id, before_json, after_json, \
             row_hash, prev_hash, hash) VALUES ",
        );
        for i in 0..chunk_events.len() {
            let b = i * 11;
            if i > 0 {
                sql.push(',');
            }
            sql.push_str(&format!(
                "(${}, ${}, ${}, ${}, ${}, ${}, ${}, NULL, ${}, ${}, ${}, ${})",
                b + 1,
                b + 2,
                b + 3,
                b + 4,
                b + 5,
                b + 6,
                b + 7,
                b + 8,
                b + 9,
                b + 10,
                b + 11
            ));
        }
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for (e, (seq, prev, hash)) in chunk_events.iter().zip(chunk_rows) {
            q = q
                .bind(*seq)
                .bind(e.at_ms)
                .bind(e.actor)
                .bind(e.unit)
                .bind(e.action.as_str())
                .bind(e.entity.as_str())
                .bind(e.entity_id.as_str())
                .bind(e.after.as_deref())
                .bind(e.row_hash.as_deref())
                .bind(prev.as_str())
                .bind(hash.as_str());
        }
        q.execute(&mut *c).await?;
    }
    sqlx::query("UPDATE audit_head SET hash = $1 WHERE id = 1").bind(&prev).execute(&mut *c).await?;
    Ok(())
}

#[derive(Debug, Clone, PartialEq)]
pub struct StoredEvent {
    pub seq: i64,
    pub at_ms: i64,
    pub actor: Option<i64>,
    pub actor_name: Option<String>,
    pub unit: Option<i64>,
    pub unit_name: Option<String>,
    pub action: String,
    pub entity: String,
    pub entity_id: String,
    pub before: Option<String>,
    pub after: Option<String>,
    pub row_hash: Option<String>,
    pub prev_hash: String,
    pub hash: String,
}

fn event(r: &sqlx::any::AnyRow) -> Result<StoredEvent> {
    Ok(StoredEvent {
        seq: r.try_get("seq")?,
        at_ms: r.try_get("at")?,
        actor: r.try_get("actor_id")?,
        actor_name: r.try_get("actor_name")?,
        unit: r.try_get("unit_id")?,
        unit_name: r.try_get("unit_name")?,
        action: r.try_get("action")?,
        entity: r.try_get("entity")?,
        entity_id: r.try_get("entity_id")?,
        before: r.try_get("before_json")?,
        after: r.try_get("after_json")?,
        row_hash: r.try_get("row_hash")?,
        prev_hash: r.try_get("prev_hash")?,
        hash: r.try_get("hash")?,
    })
}

const SELECT: &str = "SELECT e.seq, e.at, e.actor_id, a.display_name AS actor_name, e.unit_id, u.name AS unit_name, \
    e.action, e.entity, e.entity_id, e.before_json, e.after_json, e.row_hash, e.prev_hash, e.hash \
    FROM audit_events e LEFT JOIN accounts a ON a.id = e.actor_id LEFT JOIN units u ON u.id = e.unit_id";

/// Newest events first, limited to the account's audit scope; events without a unit need a whole-tree grant.
pub async fn list_in_scope(
    c: &mut Conn,
    sc: &Scope,
    entity: Option<(&str, &str)>,
    limit: i64,
    before_seq: Option<i64>,
) -> Result<Vec<StoredEvent>> {
    let mut sql = format!("{SELECT} WHERE {}", scope::clause("COALESCE(u.path, '')", sc, Permission::AuditRead));
    let mut n = 0;
    if entity.is_some() {
        sql.push_str(" AND e.entity = $1 AND e.entity_id = $2");
        n = 2;
    }
    if before_seq.is_some() {
        n += 1;
        sql.push_str(&format!(" AND e.seq < ${n}"));
    }
    sql.push_str(&format!(" ORDER BY e.seq DESC LIMIT ${}", n + 1));
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
    if let Some((kind, id)) = entity {
        q = q.bind(kind).bind(id);
    }
    if let Some(s) = before_seq {
        q = q.bind(s);
    }
    let rows = q.bind(limit).fetch_all(&mut *c).await?;
    rows.iter().map(event).collect()
}

/// Up to `limit` events after `after_seq`, in chain order (verification streams the chain with these).
pub async fn page(c: &mut Conn, after_seq: i64, limit: i64) -> Result<Vec<StoredEvent>> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!("{SELECT} WHERE e.seq > $1 ORDER BY e.seq LIMIT $2")))
        .bind(after_seq)
        .bind(limit)
        .fetch_all(&mut *c)
        .await?;
    rows.iter().map(event).collect()
}

/// The chain head as stored: (seq, hash).
pub async fn head(c: &mut Conn) -> Result<(i64, String)> {
    let r = sqlx::query("SELECT seq, hash FROM audit_head WHERE id = 1").fetch_one(&mut *c).await?;
    Ok((r.try_get("seq")?, r.try_get("hash")?))
}

/// Every event about one row, newest first (for the row's history on its page).
pub async fn list_for_entity(c: &mut Conn, entity: &str, entity_id: &str) -> Result<Vec<StoredEvent>> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "{SELECT} WHERE e.entity = $1 AND e.entity_id = $2 ORDER BY e.seq DESC LIMIT 200"
    )))
    .bind(entity)
    .bind(entity_id)
    .fetch_all(&mut *c)
    .await?;
    rows.iter().map(event).collect()
}
