//! Appending audit events inside a use case's transaction, reading the trail, and verifying it.
use crate::{AppResult, Ctx};
use anbao_domain::access::Permission;
use anbao_domain::audit::{EventContent, GENESIS, event_hash, row_hash};
use anbao_domain::ids::{AccountId, GroupId, NoticeId, StaffId, UnitId};
use anbao_store::audit::{NewEvent, StoredEvent};
use anbao_store::{Conn, Db};
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::collections::HashMap;

/// The keyed digests that stand for credentials in the trail: the trail's own concern, so they live under it.
pub mod credentials;

/// A row that the audit trail watches. Its canonical content is hashed after every write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Entity {
    Unit(UnitId),
    Staff(StaffId),
    Group(GroupId),
    Account(AccountId),
    Notice(NoticeId),
    Asset(i64),
    RuleVersion(i64),
    Record(i64),
    Attachment(i64),
    /// A row of one of the custody areas' tables (`WHOLE_ROW_TABLES`), snapshotted whole.
    Row(&'static str, i64),
}

/// Tables audited whole row by row (the custody and inspection areas); the entity kind of their rows is the
/// table's name.
pub const WHOLE_ROW_TABLES: [&str; 48] = [
    "staff_leaves",
    "duty_shifts",
    "duty_swaps",
    "custody_items",
    "custody_handovers",
    "lock_changes",
    "arms",
    "arms_checkouts",
    "vans",
    "escort_trips",
    "escort_boxes",
    "escort_events",
    "checklist_versions",
    "inspections",
    "inspection_photos",
    "hazards",
    "hazard_events",
    "bulletins",
    "bulletin_reads",
    "facility_catalogs",
    "places",
    "facility_items",
    "facility_events",
    "facility_reports",
    "facility_projects",
    "facility_faults",
    "accountability_versions",
    "cases",
    "case_reports",
    "case_events",
    "case_attachments",
    "violations",
    "letter_plans",
    "letters",
    "assessment_schemes",
    "assessment_results",
    "assessment_rewards",
    "work_plans",
    "work_plan_items",
    "exam_questions",
    "exam_papers",
    "exam_sittings",
    "warnings",
    "warning_reads",
    "plan_versions",
    "calendar_versions",
    "plan_runs",
    "guard_credentials",
];

/// The entity kinds with their own snapshots; with `WHOLE_ROW_TABLES`, every kind verification compares.
const OWN_KINDS: [&str; 9] =
    ["unit", "staff", "group", "account", "notice", "asset", "rule_version", "record", "attachment"];

/// The entity kinds whose rows verification compares against their last event.
pub fn watched() -> impl Iterator<Item = &'static str> {
    OWN_KINDS.iter().chain(WHOLE_ROW_TABLES.iter()).copied()
}

impl Entity {
    pub fn kind(self) -> &'static str {
        match self {
            Entity::Unit(_) => "unit",
            Entity::Staff(_) => "staff",
            Entity::Group(_) => "group",
            Entity::Account(_) => "account",
            Entity::Notice(_) => "notice",
            Entity::Asset(_) => "asset",
            Entity::RuleVersion(_) => "rule_version",
            Entity::Record(_) => "record",
            Entity::Attachment(_) => "attachment",
            Entity::Row(t, _) => t,
        }
    }

    pub fn id(self) -> String {
        match self {
            Entity::Unit(i) => i.to_string(),
            Entity::Staff(i) => i.to_string(),
            Entity::Group(i) => i.to_string(),
            Entity::Account(i) => i.to_string(),
            Entity::Notice(i) => i.to_string(),
            Entity::Asset(i)
            | Entity::RuleVersion(i)
            | Entity::Record(i)
            | Entity::Attachment(i)
            | Entity::Row(_, i) => i.to_string(),
        }
    }

    /// The row's canonical content as it stands now, or None when it does not exist.
    pub async fn snapshot(self, c: &mut Conn) -> AppResult<Option<Value>> {
        let rows = match self {
            Entity::Unit(i) => anbao_store::org::snapshot_rows(c, Some(i)).await?,
            Entity::Staff(i) => anbao_store::staff::snapshot_rows(c, Some(i)).await?,
            Entity::Group(i) => anbao_store::groups::snapshot_rows(c, Some(i)).await?,
            Entity::Account(i) => account_snapshots(c, Some(i)).await?,
            Entity::Notice(i) => anbao_store::notices::snapshot_rows(c, Some(i)).await?,
            Entity::Asset(i) => anbao_store::assets::snapshot_rows(c, Some(i)).await?,
            Entity::RuleVersion(i) => anbao_store::rules::snapshot_rows(c, Some(i)).await?,
            Entity::Record(i) => anbao_store::records::snapshot_rows(c, Some(i)).await?,
            Entity::Attachment(i) => anbao_store::records::attachment_snapshot_rows(c, Some(i)).await?,
            Entity::Row(t, i) => anbao_store::table_snapshots(c, t, Some(i)).await?,
        };
        Ok(rows.into_iter().next().map(|(_, v)| v))
    }
}

/// Accounts as the trail records them: credential hashes replaced by keyed digests (`credentials`).
async fn account_snapshots(c: &mut Conn, only: Option<AccountId>) -> AppResult<Vec<(String, Value)>> {
    let mut rows = anbao_store::accounts::snapshot_rows(c, only).await?;
    let key = credentials::key(c).await?;
    for (_, v) in &mut rows {
        credentials::redact(&key, v);
    }
    Ok(rows)
}

async fn all_snapshots(c: &mut Conn, kind: &str) -> AppResult<Vec<(String, Value)>> {
    Ok(match kind {
        "unit" => anbao_store::org::snapshot_rows(c, None).await?,
        "staff" => anbao_store::staff::snapshot_rows(c, None).await?,
        "group" => anbao_store::groups::snapshot_rows(c, None).await?,
        "account" => account_snapshots(c, None).await?,
        "notice" => anbao_store::notices::snapshot_rows(c, None).await?,
        "asset" => anbao_store::assets::snapshot_rows(c, None).await?,
        "rule_version" => anbao_store::rules::snapshot_rows(c, None).await?,
        "record" => anbao_store::records::snapshot_rows(c, None).await?,
        "attachment" => anbao_store::records::attachment_snapshot_rows(c, None).await?,
        t => match WHOLE_ROW_TABLES.iter().find(|w| **w == t) {
            Some(t) => anbao_store::table_snapshots(c, t, None).await?,
            _ => Vec::new(),
        },
    })
}

/// Who wrote: an account, or the system itself (migrations, `anbao user add` from the console).
#[derive(Debug, Clone, Copy)]
pub struct Writer {
    pub now: i64,
    pub actor: Option<AccountId>,
}

impl From<&Ctx> for Writer {
    fn from(c: &Ctx) -> Self {
        Writer { now: c.now, actor: Some(c.actor.account) }
    }
}

/// Append the event for a write to `entity`, after the write, in the same transaction. `before` is the row's
/// snapshot taken before the write (None for a creation).
pub async fn record(
    c: &mut Conn,
    w: Writer,
    action: &str,
    entity: Entity,
    unit: Option<UnitId>,
    before: Option<&Value>,
) -> AppResult<()> {
    let after = entity.snapshot(c).await?;
    let after_s = after.as_ref().map(Value::to_string);
    let before_s = before.map(Value::to_string);
    let hash = after_s.as_deref().map(row_hash);
    let id = entity.id();
    anbao_store::audit::append(
        c,
        NewEvent {
            at_ms: w.now,
            actor: w.actor.map(AccountId::get),
            unit: unit.map(UnitId::get),
            action,
            entity: entity.kind(),
            entity_id: &id,
            before: before_s.as_deref(),
            after: after_s.as_deref(),
            // A deleted row records the hash "deleted", so a row reappearing behind our back is caught.
            row_hash: Some(hash.as_deref().unwrap_or("deleted")),
        },
    )
    .await?;
    Ok(())
}

/// Append an event that is not about a watched row (a sign-in, a failed sign-in, a sign-out).
pub async fn record_event(
    c: &mut Conn,
    w: Writer,
    action: &str,
    entity: &str,
    entity_id: &str,
    detail: Option<&Value>,
) -> AppResult<()> {
    let detail = detail.map(Value::to_string);
    anbao_store::audit::append(
        c,
        NewEvent {
            at_ms: w.now,
            actor: w.actor.map(AccountId::get),
            unit: None,
            action,
            entity,
            entity_id,
            before: None,
            after: detail.as_deref(),
            row_hash: None,
        },
    )
    .await?;
    Ok(())
}

/// Events in the caller's audit scope, newest first.
pub async fn list(
    db: &Db,
    ctx: &Ctx,
    entity: Option<(&str, &str)>,
    limit: i64,
    before_seq: Option<i64>,
) -> AppResult<Vec<StoredEvent>> {
    ctx.must_anywhere(Permission::AuditRead)?;
    let mut c = db.read().await?;
    Ok(anbao_store::audit::list_in_scope(&mut c, &ctx.actor.scope, entity, limit.clamp(1, 500), before_seq).await?)
}

/// The history of one watched row, for its page: visible to anyone who may see the row.
pub async fn history_of(db: &Db, entity: Entity) -> AppResult<Vec<StoredEvent>> {
    let mut c = db.read().await?;
    let all = anbao_store::audit::list_for_entity(&mut c, entity.kind(), &entity.id()).await?;
    Ok(all)
}

/// One thing verification found wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// The event's stored prev_hash is not the hash of the event before it (an event was removed or inserted).
    BrokenLink { seq: i64 },
    /// The event's content no longer hashes to its stored hash (the event was edited).
    AlteredEvent { seq: i64 },
    /// Sequence numbers skip or repeat.
    Gap { expected: i64, found: i64 },
    /// The chain head does not match the last event (the newest events were removed).
    HeadMismatch { head_seq: i64, last_seq: i64 },
    /// A row's content differs from what its last event recorded.
    RowChanged { entity: String, id: String },
    /// A row exists that no event created.
    RowUnrecorded { entity: String, id: String },
    /// A row that its last event recorded is gone.
    RowMissing { entity: String, id: String },
    /// The day counts the dashboards read no longer match the records (`n` buckets differ).
    CountsDiffer { n: usize },
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Problem::BrokenLink { seq } => write!(f, "事件 #{seq} 与前一事件的链接断开 (chain link broken)"),
            Problem::AlteredEvent { seq } => write!(f, "事件 #{seq} 的内容被改动 (event content altered)"),
            Problem::Gap { expected, found } => {
                write!(f, "事件序号不连续：应为 #{expected}，实为 #{found} (sequence gap)")
            }
            Problem::HeadMismatch { head_seq, last_seq } => {
                write!(f, "链头记录为 #{head_seq}，最后事件为 #{last_seq} (chain head mismatch: events removed)")
            }
            Problem::RowChanged { entity, id } => {
                write!(f, "{entity} #{id} 的数据与最后一次审计记录不符 (row changed outside the system)")
            }
            Problem::RowUnrecorded { entity, id } => {
                write!(f, "{entity} #{id} 没有任何审计记录 (row inserted outside the system)")
            }
            Problem::RowMissing { entity, id } => {
                write!(f, "{entity} #{id} 已不存在，但审计记录未记载删除 (row deleted outside the system)")
            }
            Problem::CountsDiffer { n } => {
                write!(f, "{n} 个按日统计与工作记录不一致 (derived day counts differ from the records)")
            }
        }
    }
}

#[derive(Debug, Clone)]
pub struct Report {
    pub events: i64,
    pub rows: i64,
    pub problems: Vec<Problem>,
}

impl Report {
    pub fn ok(&self) -> bool {
        self.problems.is_empty()
    }
}

/// Events read per round trip while verifying: the chain is streamed, never held whole.
const VERIFY_PAGE: i64 = 20_000;

/// Recompute the whole chain and compare every watched row with its last event. Everything is read inside one
/// read-only snapshot (`Db::snapshot`), so writes going on meanwhile are simply not seen, never reported as
/// tampering; the chain is read page by page.
pub async fn verify(db: &Db) -> AppResult<Report> {
    let mut snap = db.snapshot().await?;
    let c: &mut Conn = &mut snap;
    let (head_seq, head_hash) = anbao_store::audit::head(c).await?;
    let mut problems = Vec::new();
    let mut prev = GENESIS.to_owned();
    let mut expected = 1;
    let mut last_row_hash: HashMap<(String, String), Option<String>> = HashMap::new();
    let mut batches: Vec<(i64, i64, String, Sha256, i64)> = Vec::new();
    let (mut events, mut last_seq, mut after) = (0i64, 0i64, 0i64);
    loop {
        let page = anbao_store::audit::page(c, after, VERIFY_PAGE).await?;
        let Some(last) = page.last().map(|e| e.seq) else { break };
        after = last;
        for e in &page {
            events += 1;
            if e.seq != expected {
                problems.push(Problem::Gap { expected, found: e.seq });
            }
            expected = e.seq + 1;
            if e.prev_hash != prev {
                problems.push(Problem::BrokenLink { seq: e.seq });
            }
            if recompute(e) != e.hash {
                problems.push(Problem::AlteredEvent { seq: e.seq });
            }
            prev = e.hash.clone();
            if watched().any(|w| w == e.entity.as_str()) && e.row_hash.is_some() {
                last_row_hash.insert((e.entity.clone(), e.entity_id.clone()), e.row_hash.clone());
            }
            if e.entity == "record_batch"
                && let Some((a, b)) = e.entity_id.split_once('-')
                && let (Ok(a), Ok(b)) = (a.parse(), b.parse())
            {
                batches.push((a, b, e.row_hash.clone().unwrap_or_default(), Sha256::new(), 0));
            }
        }
        last_seq = last;
    }
    if head_seq != last_seq || head_hash != prev {
        problems.push(Problem::HeadMismatch { head_seq, last_seq });
    }
    let mut rows = 0;
    // Records: streamed in id order; each is covered by its own event or by a batch event's combined hash.
    batches.sort_by_key(|b| b.0);
    let mut after = 0;
    loop {
        let page = anbao_store::records::snapshot_page(c, after, 20_000).await?;
        let Some(last) = page.last().map(|p| p.0) else { break };
        after = last;
        for (id, value) in page {
            rows += 1;
            let h = row_hash(&value.to_string());
            if let Some(recorded) = last_row_hash.remove(&("record".to_owned(), id.to_string())) {
                if recorded.as_deref() != Some(h.as_str()) {
                    problems.push(Problem::RowChanged { entity: "record".into(), id: id.to_string() });
                }
                continue;
            }
            let i = batches.partition_point(|b| b.0 <= id);
            match i.checked_sub(1).map(|i| &mut batches[i]).filter(|b| id <= b.1) {
                Some(b) => {
                    b.3.update(h.as_bytes());
                    b.4 += 1;
                }
                None => problems.push(Problem::RowUnrecorded { entity: "record".into(), id: id.to_string() }),
            }
        }
    }
    for (first, last, expected, hasher, seen) in batches {
        let id = format!("{first}-{last}");
        if seen != last - first + 1 {
            problems.push(Problem::RowMissing { entity: "record_batch".into(), id });
        } else if hex::encode(hasher.finalize()) != expected {
            problems.push(Problem::RowChanged { entity: "record_batch".into(), id });
        }
    }
    // The derived day counts must equal a recount of the records.
    let mut recount = anbao_store::records::recount_all(c).await?;
    let mut stored = anbao_store::records::stored_counts(c).await?;
    recount.sort();
    stored.sort();
    if recount != stored {
        let a: std::collections::HashSet<_> = recount.iter().collect();
        let b: std::collections::HashSet<_> = stored.iter().collect();
        problems.push(Problem::CountsDiffer { n: a.symmetric_difference(&b).count() });
    }
    for kind in watched().filter(|k| *k != "record") {
        for (id, value) in all_snapshots(c, kind).await? {
            rows += 1;
            let key = (kind.to_owned(), id.clone());
            match last_row_hash.remove(&key) {
                None => problems.push(Problem::RowUnrecorded { entity: kind.into(), id }),
                Some(recorded) => {
                    if recorded.as_deref() != Some(row_hash(&value.to_string()).as_str()) {
                        problems.push(Problem::RowChanged { entity: kind.into(), id });
                    }
                }
            }
        }
    }
    for ((entity, id), recorded) in last_row_hash {
        if recorded.as_deref() != Some("deleted") {
            problems.push(Problem::RowMissing { entity, id });
        }
    }
    drop(snap);
    Ok(Report { events, rows, problems })
}

fn recompute(e: &StoredEvent) -> String {
    event_hash(
        &e.prev_hash,
        &EventContent {
            seq: e.seq,
            at_ms: e.at_ms,
            actor: e.actor,
            unit: e.unit,
            action: &e.action,
            entity: &e.entity,
            entity_id: &e.entity_id,
            before: e.before.as_deref(),
            after: e.after.as_deref(),
            row_hash: e.row_hash.as_deref(),
        },
    )
}
