//! Cases, their reports up the tree and timeline, the accountability rules' versions, and violations with their
//! penalties. Lifecycle moves are conditional updates (`WHERE status = $old`), so two people acting at once cannot both
//! succeed.
use crate::{Conn, Result, opt_i64, scope};
use anbao_domain::access::{Permission, Scope};
use sqlx::Row;

mod attachments;
pub use attachments::*;

pub async fn latest_version(c: &mut Conn) -> Result<Option<(i64, i64, String)>> {
    let r = sqlx::query("SELECT id, version, body FROM accountability_versions ORDER BY version DESC LIMIT 1")
        .fetch_optional(&mut *c)
        .await?;
    r.map(|r| Ok((r.try_get("id")?, r.try_get("version")?, r.try_get("body")?))).transpose()
}

pub async fn version_body(c: &mut Conn, id: i64) -> Result<Option<String>> {
    let r =
        sqlx::query("SELECT body FROM accountability_versions WHERE id = $1").bind(id).fetch_optional(&mut *c).await?;
    r.map(|r| r.try_get("body")).transpose()
}

pub async fn insert_version(
    c: &mut Conn,
    version: i64,
    body: &str,
    day: i64,
    by: Option<i64>,
    now: i64,
) -> Result<i64> {
    sqlx::query(
        "INSERT INTO accountability_versions (version, body, effective_from_day, created_at, created_by) \
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(version)
    .bind(body)
    .bind(day)
    .bind(now)
    .bind(by)
    .fetch_one(&mut *c)
    .await?
    .try_get("id")
}

#[derive(Debug, Clone, PartialEq)]
pub struct CaseRow {
    pub id: i64,
    pub case_no: String,
    pub kind: String,
    pub unit_id: i64,
    pub unit_name: String,
    pub unit_path: String,
    pub place: String,
    pub occurred_at: i64,
    pub local_day: i64,
    pub loss_fen: i64,
    pub description: String,
    pub people: String,
    pub insider: bool,
    pub status: String,
    pub rules_version_id: i64,
    pub findings: String,
    pub cause: Option<String>,
    pub proposal: Option<String>,
    pub decision: Option<String>,
    pub decided_at: Option<i64>,
    pub closed_at: Option<i64>,
    pub created_at: i64,
}

const CASE: &str = "SELECT k.*, u.name AS unit_name, u.path AS unit_path FROM cases k JOIN units u ON u.id = k.unit_id";

fn case(r: &sqlx::any::AnyRow) -> Result<CaseRow> {
    Ok(CaseRow {
        id: r.try_get("id")?,
        case_no: r.try_get("case_no")?,
        kind: r.try_get("kind")?,
        unit_id: r.try_get("unit_id")?,
        unit_name: r.try_get("unit_name")?,
        unit_path: r.try_get("unit_path")?,
        place: r.try_get("place")?,
        occurred_at: r.try_get("occurred_at")?,
        local_day: r.try_get("local_day")?,
        loss_fen: r.try_get("loss_fen")?,
        description: r.try_get("description")?,
        people: r.try_get("people")?,
        insider: r.try_get::<i64, _>("insider")? != 0,
        status: r.try_get("status")?,
        rules_version_id: r.try_get("rules_version_id")?,
        findings: r.try_get("findings")?,
        cause: r.try_get("cause")?,
        proposal: r.try_get("proposal")?,
        decision: r.try_get("decision")?,
        decided_at: opt_i64(r, "decided_at")?,
        closed_at: opt_i64(r, "closed_at")?,
        created_at: r.try_get("created_at")?,
    })
}

pub async fn get(c: &mut Conn, id: i64) -> Result<Option<CaseRow>> {
    let sql = format!("{CASE} WHERE k.id = $1");
    sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(&mut *c).await?.as_ref().map(case).transpose()
}

/// What the case register is filtered by; the unit's subtree is always given.
#[derive(Debug, Clone, Default)]
pub struct CaseFilter {
    pub under_path: String,
    pub kind: Option<String>,
    pub status: Option<String>,
    pub from_day: Option<i64>,
    pub to_day: Option<i64>,
}

/// Cases in the reader's scope under a unit, newest first.
pub async fn list(c: &mut Conn, sc: &Scope, f: &CaseFilter, limit: i64) -> Result<Vec<CaseRow>> {
    let mut sql =
        format!("{CASE} WHERE {} AND u.path LIKE $1 || '%'", scope::clause("u.path", sc, Permission::OrgRead));
    let mut n = 1;
    for (col, v) in [("k.kind", &f.kind), ("k.status", &f.status)] {
        if v.is_some() {
            n += 1;
            sql.push_str(&format!(" AND {col} = ${n}"));
        }
    }
    for (op, v) in [(">=", f.from_day), ("<", f.to_day)] {
        if v.is_some() {
            n += 1;
            sql.push_str(&format!(" AND k.local_day {op} ${n}"));
        }
    }
    n += 1;
    sql.push_str(&format!(" ORDER BY k.occurred_at DESC, k.id DESC LIMIT ${n}"));
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(f.under_path.as_str());
    for v in [&f.kind, &f.status].into_iter().flatten() {
        q = q.bind(v.as_str());
    }
    for v in [f.from_day, f.to_day].into_iter().flatten() {
        q = q.bind(v);
    }
    q.bind(limit).fetch_all(&mut *c).await?.iter().map(case).collect()
}

pub async fn count_in_year(c: &mut Conn, prefix: &str) -> Result<i64> {
    sqlx::query("SELECT COUNT(*) AS n FROM cases WHERE case_no LIKE $1 || '%'")
        .bind(prefix)
        .fetch_one(&mut *c)
        .await?
        .try_get("n")
}

pub struct NewCase<'a> {
    pub case_no: &'a str,
    pub kind: &'a str,
    pub unit: i64,
    pub place: &'a str,
    pub occurred_at: i64,
    pub local_day: i64,
    pub loss_fen: i64,
    pub description: &'a str,
    pub people: &'a str,
    pub insider: bool,
    pub rules_version: i64,
    pub by: i64,
    pub now: i64,
}

pub async fn insert(c: &mut Conn, n: NewCase<'_>) -> Result<i64> {
    sqlx::query(
        "INSERT INTO cases (case_no, kind, unit_id, place, occurred_at, local_day, loss_fen, description, people, \
         insider, status, rules_version_id, findings, reported_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'reported', $11, '{}', $12, $13) RETURNING id",
    )
    .bind(n.case_no)
    .bind(n.kind)
    .bind(n.unit)
    .bind(n.place)
    .bind(n.occurred_at)
    .bind(n.local_day)
    .bind(n.loss_fen)
    .bind(n.description)
    .bind(n.people)
    .bind(i64::from(n.insider))
    .bind(n.rules_version)
    .bind(n.by)
    .bind(n.now)
    .fetch_one(&mut *c)
    .await?
    .try_get("id")
}

/// Move a case from `from` to `to`; false when someone else moved it first.
pub async fn move_status(c: &mut Conn, id: i64, from: &str, to: &str) -> Result<bool> {
    let r = sqlx::query("UPDATE cases SET status = $1 WHERE id = $2 AND status = $3")
        .bind(to)
        .bind(id)
        .bind(from)
        .execute(&mut *c)
        .await?;
    Ok(r.rows_affected() == 1)
}

pub async fn set_findings(c: &mut Conn, id: i64, findings: &str, cause: Option<&str>) -> Result<()> {
    sqlx::query("UPDATE cases SET findings = $1, cause = $2 WHERE id = $3")
        .bind(findings)
        .bind(cause)
        .bind(id)
        .execute(&mut *c)
        .await?;
    Ok(())
}

pub async fn set_proposal(c: &mut Conn, id: i64, proposal: &str) -> Result<()> {
    sqlx::query("UPDATE cases SET proposal = $1 WHERE id = $2").bind(proposal).bind(id).execute(&mut *c).await?;
    Ok(())
}

pub async fn set_decision(c: &mut Conn, id: i64, decision: &str, by: i64, now: i64) -> Result<()> {
    sqlx::query("UPDATE cases SET decision = $1, decided_by = $2, decided_at = $3 WHERE id = $4")
        .bind(decision)
        .bind(by)
        .bind(now)
        .bind(id)
        .execute(&mut *c)
        .await?;
    Ok(())
}

pub async fn set_closed(c: &mut Conn, id: i64, now: i64) -> Result<()> {
    sqlx::query("UPDATE cases SET closed_at = $1 WHERE id = $2").bind(now).bind(id).execute(&mut *c).await?;
    Ok(())
}

#[derive(Debug, Clone, PartialEq)]
pub struct ReportRow {
    pub id: i64,
    pub level: i64,
    pub unit_id: i64,
    pub unit_name: String,
    pub unit_path: String,
    pub due_at: i64,
    pub reported_at: Option<i64>,
    pub acknowledged_at: Option<i64>,
    pub acknowledged_by: Option<String>,
}

pub async fn insert_report(
    c: &mut Conn,
    case: i64,
    level: i64,
    unit: i64,
    due_at: i64,
    reported_at: Option<i64>,
) -> Result<i64> {
    sqlx::query(
        "INSERT INTO case_reports (case_id, level, unit_id, due_at, reported_at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(case)
    .bind(level)
    .bind(unit)
    .bind(due_at)
    .bind(reported_at)
    .fetch_one(&mut *c)
    .await?
    .try_get("id")
}

pub async fn reports_of(c: &mut Conn, case: i64) -> Result<Vec<ReportRow>> {
    let rows = sqlx::query(
        "SELECT r.id, r.level, r.unit_id, u.name AS unit_name, u.path AS unit_path, r.due_at, r.reported_at, \
         r.acknowledged_at, a.display_name AS ack_name FROM case_reports r JOIN units u ON u.id = r.unit_id \
         LEFT JOIN accounts a ON a.id = r.acknowledged_by WHERE r.case_id = $1 ORDER BY r.level",
    )
    .bind(case)
    .fetch_all(&mut *c)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(ReportRow {
                id: r.try_get("id")?,
                level: r.try_get("level")?,
                unit_id: r.try_get("unit_id")?,
                unit_name: r.try_get("unit_name")?,
                unit_path: r.try_get("unit_path")?,
                due_at: r.try_get("due_at")?,
                reported_at: opt_i64(r, "reported_at")?,
                acknowledged_at: opt_i64(r, "acknowledged_at")?,
                acknowledged_by: r.try_get("ack_name")?,
            })
        })
        .collect()
}

/// The level acknowledges the report it received; false when it already had.
pub async fn acknowledge(c: &mut Conn, report: i64, by: i64, now: i64) -> Result<bool> {
    let r = sqlx::query(
        "UPDATE case_reports SET acknowledged_at = $1, acknowledged_by = $2 \
         WHERE id = $3 AND acknowledged_at IS NULL AND reported_at IS NOT NULL",
    )
    .bind(now)
    .bind(by)
    .bind(report)
    .execute(&mut *c)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// The report reaches this level; false when it already had.
pub async fn mark_reported(c: &mut Conn, report: i64, now: i64) -> Result<bool> {
    let r = sqlx::query("UPDATE case_reports SET reported_at = $1 WHERE id = $2 AND reported_at IS NULL")
        .bind(now)
        .bind(report)
        .execute(&mut *c)
        .await?;
    Ok(r.rows_affected() == 1)
}

#[derive(Debug, Clone, PartialEq)]
pub struct EventRow {
    pub id: i64,
    pub action: String,
    pub note: String,
    pub at: i64,
    pub by_name: Option<String>,
}

pub async fn insert_event(c: &mut Conn, case: i64, action: &str, note: &str, by: Option<i64>, now: i64) -> Result<i64> {
    sqlx::query(
        "INSERT INTO case_events (case_id, action, note, at, by_account) VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(case)
    .bind(action)
    .bind(note)
    .bind(now)
    .bind(by)
    .fetch_one(&mut *c)
    .await?
    .try_get("id")
}

pub async fn events_of(c: &mut Conn, case: i64) -> Result<Vec<EventRow>> {
    let rows = sqlx::query(
        "SELECT e.id, e.action, e.note, e.at, a.display_name AS by_name FROM case_events e \
         LEFT JOIN accounts a ON a.id = e.by_account WHERE e.case_id = $1 ORDER BY e.at, e.id",
    )
    .bind(case)
    .fetch_all(&mut *c)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(EventRow {
                id: r.try_get("id")?,
                action: r.try_get("action")?,
                note: r.try_get("note")?,
                at: r.try_get("at")?,
                by_name: r.try_get("by_name")?,
            })
        })
        .collect()
}

#[derive(Debug, Clone, PartialEq)]
pub struct ViolationRow {
    pub id: i64,
    pub unit_id: i64,
    pub unit_name: String,
    pub unit_path: String,
    pub staff_id: Option<i64>,
    pub staff_name: Option<String>,
    pub code: String,
    pub title: String,
    pub article: String,
    pub source: String,
    pub source_id: Option<i64>,
    pub case_id: Option<i64>,
    pub occurred_at: i64,
    pub facts: String,
    pub fine_yuan: Option<i64>,
    pub sanction: Option<String>,
    pub joint_staff_id: Option<i64>,
    pub joint_name: Option<String>,
    pub status: String,
    pub decided_fine_yuan: Option<i64>,
    pub decided_sanction: Option<String>,
    pub decision_reason: Option<String>,
    pub decided_at: Option<i64>,
}

const VIOLATION: &str = "SELECT v.*, u.name AS unit_name, u.path AS unit_path, s.name AS staff_name, j.name AS joint_name \
    FROM violations v JOIN units u ON u.id = v.unit_id LEFT JOIN staff s ON s.id = v.staff_id \
    LEFT JOIN staff j ON j.id = v.joint_staff_id";

fn violation(r: &sqlx::any::AnyRow) -> Result<ViolationRow> {
    Ok(ViolationRow {
        id: r.try_get("id")?,
        unit_id: r.try_get("unit_id")?,
        unit_name: r.try_get("unit_name")?,
        unit_path: r.try_get("unit_path")?,
        staff_id: opt_i64(r, "staff_id")?,
        staff_name: r.try_get("staff_name")?,
        code: r.try_get("code")?,
        title: r.try_get("title")?,
        article: r.try_get("article")?,
        source: r.try_get("source")?,
        source_id: opt_i64(r, "source_id")?,
        case_id: opt_i64(r, "case_id")?,
        occurred_at: r.try_get("occurred_at")?,
        facts: r.try_get("facts")?,
        fine_yuan: opt_i64(r, "fine_yuan")?,
        sanction: r.try_get("sanction")?,
        joint_staff_id: opt_i64(r, "joint_staff_id")?,
        joint_name: r.try_get("joint_name")?,
        status: r.try_get("status")?,
        decided_fine_yuan: opt_i64(r, "decided_fine_yuan")?,
        decided_sanction: r.try_get("decided_sanction")?,
        decision_reason: r.try_get("decision_reason")?,
        decided_at: opt_i64(r, "decided_at")?,
    })
}

pub struct NewViolation<'a> {
    pub unit: i64,
    pub staff: Option<i64>,
    pub code: &'a str,
    pub title: &'a str,
    pub article: &'a str,
    pub source: &'a str,
    pub source_id: Option<i64>,
    pub case_id: Option<i64>,
    pub occurred_at: i64,
    pub local_day: i64,
    pub facts: &'a str,
    pub fine_yuan: Option<i64>,
    pub sanction: Option<&'a str>,
    pub joint_staff: Option<i64>,
    pub by: Option<i64>,
    pub now: i64,
}

pub async fn insert_violation(c: &mut Conn, n: NewViolation<'_>) -> Result<i64> {
    sqlx::query(
        "INSERT INTO violations (unit_id, staff_id, code, title, article, source, source_id, case_id, occurred_at, \
         local_day, facts, fine_yuan, sanction, joint_staff_id, status, created_at, created_by) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, 'proposed', $15, $16) RETURNING id",
    )
    .bind(n.unit)
    .bind(n.staff)
    .bind(n.code)
    .bind(n.title)
    .bind(n.article)
    .bind(n.source)
    .bind(n.source_id)
    .bind(n.case_id)
    .bind(n.occurred_at)
    .bind(n.local_day)
    .bind(n.facts)
    .bind(n.fine_yuan)
    .bind(n.sanction)
    .bind(n.joint_staff)
    .bind(n.now)
    .bind(n.by)
    .fetch_one(&mut *c)
    .await?
    .try_get("id")
}

pub async fn violation_by_id(c: &mut Conn, id: i64) -> Result<Option<ViolationRow>> {
    let sql = format!("{VIOLATION} WHERE v.id = $1");
    sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(&mut *c).await?.as_ref().map(violation).transpose()
}

pub async fn violations_of_case(c: &mut Conn, case: i64) -> Result<Vec<ViolationRow>> {
    let sql = format!("{VIOLATION} WHERE v.case_id = $1 ORDER BY v.id");
    sqlx::query(sqlx::AssertSqlSafe(sql)).bind(case).fetch_all(&mut *c).await?.iter().map(violation).collect()
}

/// Has this source already produced this violation (a late report is counted once)?
pub async fn violation_exists(c: &mut Conn, source: &str, source_id: i64, code: &str) -> Result<bool> {
    let r = sqlx::query("SELECT COUNT(*) AS n FROM violations WHERE source = $1 AND source_id = $2 AND code = $3")
        .bind(source)
        .bind(source_id)
        .bind(code)
        .fetch_one(&mut *c)
        .await?;
    Ok(r.try_get::<i64, _>("n")? > 0)
}

/// The penalty register: violations in the reader's scope under a unit, newest first.
pub async fn violations(
    c: &mut Conn,
    sc: &Scope,
    under_path: &str,
    status: Option<&str>,
    (from_day, to_day): (i64, i64),
    limit: i64,
) -> Result<Vec<ViolationRow>> {
    let mut sql = format!(
        "{VIOLATION} WHERE {} AND u.path LIKE $1 || '%' AND v.local_day >= $2 AND v.local_day < $3",
        scope::clause("u.path", sc, Permission::OrgRead)
    );
    sql.push_str(" AND ($4 = '' OR v.status = $4) ORDER BY v.occurred_at DESC, v.id DESC LIMIT $5");
    let q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(under_path).bind(from_day).bind(to_day);
    q.bind(status.unwrap_or_default()).bind(limit).fetch_all(&mut *c).await?.iter().map(violation).collect()
}

/// A penalty as decided.
pub struct Decided<'a> {
    pub status: &'a str,
    pub fine: Option<i64>,
    pub sanction: Option<&'a str>,
    pub reason: &'a str,
    pub by: i64,
    pub now: i64,
}

/// Decide (or waive) a proposed penalty; false when it was decided already.
pub async fn decide_violation(c: &mut Conn, id: i64, d: Decided<'_>) -> Result<bool> {
    let r = sqlx::query(
        "UPDATE violations SET status = $1, decided_fine_yuan = $2, decided_sanction = $3, decision_reason = $4, \
         decided_by = $5, decided_at = $6 WHERE id = $7 AND status = 'proposed'",
    )
    .bind(d.status)
    .bind(d.fine)
    .bind(d.sanction)
    .bind(d.reason)
    .bind(d.by)
    .bind(d.now)
    .bind(id)
    .execute(&mut *c)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// How many hazards tied to a case (`case_ref` = its number) are not yet verified closed.
pub async fn open_hazards_of_case(c: &mut Conn, case_no: &str) -> Result<i64> {
    sqlx::query("SELECT COUNT(*) AS n FROM hazards WHERE case_ref = $1 AND status <> 'closed'")
        .bind(case_no)
        .fetch_one(&mut *c)
        .await?
        .try_get("n")
}
