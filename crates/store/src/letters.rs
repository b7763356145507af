//! Responsibility letters: the plans (per issuing unit, kind and year) and one letter per person, kind and year.
//! Signing is a conditional update (`WHERE status = 'pending'`), so a letter signed twice at once is signed once.
use crate::{Conn, Result, opt_i64, scope};
use anbao_domain::access::{Permission, Scope};
use anbao_domain::letters::{LetterKind, LetterStatus, PlanPerson, PlanUnit, PlannedLetter, SignMethod};
use sqlx::Row;

fn decode<T>(r: std::result::Result<T, anbao_domain::DomainError>) -> Result<T> {
    r.map_err(|e| sqlx::Error::Decode(e.message.into()))
}

/// The units a plan rooted at `root_path` needs: its subtree and the ancestors of its root.
pub async fn plan_units(c: &mut Conn, root_path: &str) -> Result<Vec<PlanUnit>> {
    let ancestors: Vec<String> = root_path
        .split('/')
        .filter(|s| !s.is_empty() && s.chars().all(|c| c.is_ascii_digit()))
        .map(String::from)
        .collect();
    // The ancestors' ids are digits from a materialised path, checked above, so they are inlined.
    let sql = format!(
        "SELECT id, parent_id, first_responsible_id FROM units WHERE path LIKE $1 OR id IN ({})",
        if ancestors.is_empty() { "0".to_owned() } else { ancestors.join(",") }
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(format!("{root_path}%")).fetch_all(&mut *c).await?;
    rows.iter()
        .map(|r| {
            Ok(PlanUnit {
                id: r.try_get("id")?,
                parent_id: opt_i64(r, "parent_id")?,
                head: opt_i64(r, "first_responsible_id")?,
            })
        })
        .collect()
}

/// The active staff of a subtree.
pub async fn plan_people(c: &mut Conn, root_path: &str) -> Result<Vec<PlanPerson>> {
    let rows = sqlx::query(
        "SELECT s.id, s.unit_id FROM staff s JOIN units u ON u.id = s.unit_id \
         WHERE s.active = 1 AND u.path LIKE $1 ORDER BY u.path, s.id",
    )
    .bind(format!("{root_path}%"))
    .fetch_all(&mut *c)
    .await?;
    rows.iter().map(|r| Ok(PlanPerson { id: r.try_get("id")?, unit_id: r.try_get("unit_id")? })).collect()
}

#[derive(Debug, Clone, PartialEq)]
pub struct PlanRow {
    pub id: i64,
    pub unit_id: i64,
    pub unit_name: String,
    pub unit_path: String,
    pub kind: LetterKind,
    pub year: i32,
    pub targets: String,
    pub deadline_day: i64,
    pub rule_id: String,
    pub created_at: i64,
    pub letters: i64,
    pub signed: i64,
}

const PLAN_SELECT: &str = "SELECT p.id, p.unit_id, u.name AS unit_name, u.path AS unit_path, p.kind, p.year, \
    p.targets, p.deadline_day, p.rule_id, p.created_at, \
    (SELECT COUNT(*) FROM letters l WHERE l.plan_id = p.id) AS letters, \
    (SELECT COUNT(*) FROM letters l WHERE l.plan_id = p.id AND l.status = 'signed') AS signed \
    FROM letter_plans p JOIN units u ON u.id = p.unit_id";

fn plan_from(r: &sqlx::any::AnyRow) -> Result<PlanRow> {
    Ok(PlanRow {
        id: r.try_get("id")?,
        unit_id: r.try_get("unit_id")?,
        unit_name: r.try_get("unit_name")?,
        unit_path: r.try_get("unit_path")?,
        kind: decode(LetterKind::parse(&r.try_get::<String, _>("kind")?))?,
        year: r.try_get::<i64, _>("year")? as i32,
        targets: r.try_get("targets")?,
        deadline_day: r.try_get("deadline_day")?,
        rule_id: r.try_get("rule_id")?,
        created_at: r.try_get("created_at")?,
        letters: r.try_get("letters")?,
        signed: r.try_get("signed")?,
    })
}

pub struct NewPlan<'a> {
    pub unit: i64,
    pub kind: LetterKind,
    pub year: i32,
    pub targets: &'a str,
    pub deadline_day: i64,
    pub rule_id: &'a str,
    pub now: i64,
    pub by: i64,
}

pub async fn insert_plan(c: &mut Conn, p: NewPlan<'_>) -> Result<i64> {
    sqlx::query(
        "INSERT INTO letter_plans (unit_id, kind, year, targets, deadline_day, rule_id, created_at, created_by) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(p.unit)
    .bind(p.kind.code())
    .bind(p.year as i64)
    .bind(p.targets)
    .bind(p.deadline_day)
    .bind(p.rule_id)
    .bind(p.now)
    .bind(p.by)
    .fetch_one(&mut *c)
    .await?
    .try_get("id")
}

pub async fn plan(c: &mut Conn, id: i64) -> Result<Option<PlanRow>> {
    let sql = format!("{PLAN_SELECT} WHERE p.id = $1");
    let r = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(&mut *c).await?;
    r.as_ref().map(plan_from).transpose()
}

/// The plans of a year whose issuing unit is in scope.
pub async fn plans(c: &mut Conn, sc: &Scope, year: i32) -> Result<Vec<PlanRow>> {
    let sql = format!(
        "{PLAN_SELECT} WHERE p.year = $1 AND {} ORDER BY u.path, p.kind",
        scope::clause("u.path", sc, Permission::OrgRead)
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(year as i64).fetch_all(&mut *c).await?;
    rows.iter().map(plan_from).collect()
}

/// Add a planned letter unless the person already has one of this kind and year (from this plan or another).
/// Returns whether it was added. `unit_path` is the signer's unit's path when the plan is made.
pub async fn insert_letter(
    c: &mut Conn,
    plan: &PlanRow,
    l: &PlannedLetter,
    unit_path: &str,
    now: i64,
) -> Result<Option<i64>> {
    let r = sqlx::query(
        "INSERT INTO letters (plan_id, kind, year, signer_id, unit_id, unit_path, issuer_id, issuer_unit_id, \
         status, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'pending', $9) \
         ON CONFLICT (kind, year, signer_id) DO NOTHING RETURNING id",
    )
    .bind(plan.id)
    .bind(plan.kind.code())
    .bind(plan.year as i64)
    .bind(l.signer)
    .bind(l.signer_unit)
    .bind(unit_path)
    .bind(l.issuer)
    .bind(l.issuer_unit)
    .bind(now)
    .fetch_optional(&mut *c)
    .await?;
    r.map(|r| r.try_get("id")).transpose()
}

/// The paths of the units named, for the letters' `unit_path`.
pub async fn unit_paths(c: &mut Conn, root_path: &str) -> Result<std::collections::HashMap<i64, String>> {
    let rows = sqlx::query("SELECT id, path FROM units WHERE path LIKE $1")
        .bind(format!("{root_path}%"))
        .fetch_all(&mut *c)
        .await?;
    rows.iter().map(|r| Ok((r.try_get("id")?, r.try_get("path")?))).collect()
}

#[derive(Debug, Clone, PartialEq)]
pub struct LetterRow {
    pub id: i64,
    pub plan_id: i64,
    pub kind: LetterKind,
    pub year: i32,
    pub signer_id: i64,
    pub signer_name: String,
    pub signer_no: String,
    pub signer_positions: String,
    pub unit_id: i64,
    pub unit_name: String,
    pub unit_path: String,
    pub issuer_id: Option<i64>,
    pub issuer_name: Option<String>,
    pub issuer_unit_id: i64,
    pub issuer_unit_name: String,
    pub status: LetterStatus,
    pub method: Option<SignMethod>,
    pub signed_at: Option<i64>,
    pub scan_sha256: Option<String>,
    pub scan_type: Option<String>,
    pub deadline_day: i64,
    pub targets: String,
}

const LETTER_SELECT: &str = "SELECT l.id, l.plan_id, l.kind, l.year, l.signer_id, s.name AS signer_name, \
    s.staff_no AS signer_no, s.positions AS signer_positions, l.unit_id, u.name AS unit_name, l.unit_path, \
    l.issuer_id, i.name AS issuer_name, l.issuer_unit_id, iu.name AS issuer_unit_name, l.status, l.method, \
    l.signed_at, l.scan_sha256, l.scan_type, p.deadline_day, p.targets \
    FROM letters l JOIN staff s ON s.id = l.signer_id JOIN units u ON u.id = l.unit_id \
    JOIN units iu ON iu.id = l.issuer_unit_id LEFT JOIN staff i ON i.id = l.issuer_id \
    JOIN letter_plans p ON p.id = l.plan_id";

fn letter_from(r: &sqlx::any::AnyRow) -> Result<LetterRow> {
    let method: Option<String> = r.try_get("method")?;
    Ok(LetterRow {
        id: r.try_get("id")?,
        plan_id: r.try_get("plan_id")?,
        kind: decode(LetterKind::parse(&r.try_get::<String, _>("kind")?))?,
        year: r.try_get::<i64, _>("year")? as i32,
        signer_id: r.try_get("signer_id")?,
        signer_name: r.try_get("signer_name")?,
        signer_no: r.try_get("signer_no")?,
        signer_positions: r.try_get("signer_positions")?,
        unit_id: r.try_get("unit_id")?,
        unit_name: r.try_get("unit_name")?,
        unit_path: r.try_get("unit_path")?,
        issuer_id: opt_i64(r, "issuer_id")?,
        issuer_name: r.try_get("issuer_name")?,
        issuer_unit_id: r.try_get("issuer_unit_id")?,
        issuer_unit_name: r.try_get("issuer_unit_name")?,
        status: decode(LetterStatus::parse(&r.try_get::<String, _>("status")?))?,
        method: method
            .as_deref()
            .map(SignMethod::parse)
            .transpose()
            .map_err(|e| sqlx::Error::Decode(e.message.into()))?,
        signed_at: opt_i64(r, "signed_at")?,
        scan_sha256: r.try_get("scan_sha256")?,
        scan_type: r.try_get("scan_type")?,
        deadline_day: r.try_get("deadline_day")?,
        targets: r.try_get("targets")?,
    })
}

pub async fn get(c: &mut Conn, id: i64) -> Result<Option<LetterRow>> {
    let sql = format!("{LETTER_SELECT} WHERE l.id = $1");
    let r = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(&mut *c).await?;
    r.as_ref().map(letter_from).transpose()
}

/// A person's letters, newest year first.
pub async fn of_signer(c: &mut Conn, staff: i64) -> Result<Vec<LetterRow>> {
    let sql = format!("{LETTER_SELECT} WHERE l.signer_id = $1 ORDER BY l.year DESC, l.kind");
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(staff).fetch_all(&mut *c).await?;
    rows.iter().map(letter_from).collect()
}

/// What a list of letters is narrowed to.
#[derive(Debug, Clone)]
pub struct LetterFilter<'a> {
    pub year: i32,
    pub kind: LetterKind,
    /// The subtree (a unit's path).
    pub under: &'a str,
    pub only_unsigned: bool,
    pub limit: i64,
}

/// Letters of a subtree in scope, by unit and staff number.
pub async fn list(c: &mut Conn, sc: &Scope, f: &LetterFilter<'_>) -> Result<Vec<LetterRow>> {
    let sql = format!(
        "{LETTER_SELECT} WHERE l.year = $1 AND l.kind = $2 AND l.unit_path LIKE $3 {} AND {} \
         ORDER BY l.unit_path, s.staff_no LIMIT $4",
        if f.only_unsigned { "AND l.status = 'pending'" } else { "" },
        scope::clause("l.unit_path", sc, Permission::OrgRead)
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(f.year as i64)
        .bind(f.kind.code())
        .bind(format!("{}%", f.under))
        .bind(f.limit)
        .fetch_all(&mut *c)
        .await?;
    rows.iter().map(letter_from).collect()
}

/// The count of one unit (or the unit itself, for the people directly in it) in the signing view.
#[derive(Debug, Clone, PartialEq)]
pub struct UnitTally {
    pub unit_id: i64,
    pub unit_name: String,
    pub unit_path: String,
    pub letters: i64,
    pub signed: i64,
    /// Signed after the plan's deadline.
    pub late: i64,
}

/// For a unit: its own people's letters (`own`), and each child's subtree. Late = signed after the day the plan
/// set, in the deadline's local day (`signed_day`, the day in Shanghai of the signature).
pub async fn tallies(c: &mut Conn, unit_id: i64, year: i32, kind: LetterKind) -> Result<Vec<UnitTally>> {
    let rows = sqlx::query(
        "SELECT u.id, u.name, u.path, COUNT(l.id) AS letters, \
         COALESCE(SUM(CASE WHEN l.status = 'signed' THEN 1 ELSE 0 END), 0) AS signed, \
         COALESCE(SUM(CASE WHEN l.status = 'signed' AND l.signed_day > p.deadline_day THEN 1 ELSE 0 END), 0) AS late \
         FROM units u LEFT JOIN letters l ON l.year = $1 AND l.kind = $2 AND \
           ((u.id = $3 AND l.unit_id = u.id) OR (u.id <> $3 AND l.unit_path LIKE u.path || '%')) \
         LEFT JOIN letter_plans p ON p.id = l.plan_id \
         WHERE u.id = $3 OR u.parent_id = $3 GROUP BY u.id, u.name, u.path ORDER BY u.path",
    )
    .bind(year as i64)
    .bind(kind.code())
    .bind(unit_id)
    .fetch_all(&mut *c)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(UnitTally {
                unit_id: r.try_get("id")?,
                unit_name: r.try_get("name")?,
                unit_path: r.try_get("path")?,
                letters: r.try_get("letters")?,
                signed: r.try_get("signed")?,
                late: r.try_get("late")?,
            })
        })
        .collect()
}

/// The signature: pending → signed, once. False when it was already signed.
pub struct Signature<'a> {
    pub id: i64,
    pub method: SignMethod,
    pub at: i64,
    pub day: i64,
    pub by: i64,
    pub scan: Option<(&'a str, &'a str, i64)>,
}

pub async fn sign(c: &mut Conn, s: Signature<'_>) -> Result<bool> {
    let (sha, ty, size) = match s.scan {
        Some((sha, ty, size)) => (Some(sha), Some(ty), Some(size)),
        None => (None, None, None),
    };
    let r = sqlx::query(
        "UPDATE letters SET status = 'signed', method = $1, signed_at = $2, signed_day = $3, signed_by = $4, \
         scan_sha256 = $5, scan_type = $6, scan_size = $7 WHERE id = $8 AND status = 'pending'",
    )
    .bind(s.method.code())
    .bind(s.at)
    .bind(s.day)
    .bind(s.by)
    .bind(sha)
    .bind(ty)
    .bind(size)
    .bind(s.id)
    .execute(&mut *c)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// How many of a unit's own letters of a kind and year are still unsigned.
pub async fn pending_in_unit(c: &mut Conn, unit: i64, year: i32, kind: LetterKind) -> Result<i64> {
    sqlx::query(
        "SELECT COUNT(*) AS n FROM letters WHERE unit_id = $1 AND year = $2 AND kind = $3 AND status = 'pending'",
    )
    .bind(unit)
    .bind(year as i64)
    .bind(kind.code())
    .fetch_one(&mut *c)
    .await?
    .try_get("n")
}

/// The plan a unit made for a kind and year, if any.
pub async fn plans_of_unit(c: &mut Conn, unit: i64, kind: LetterKind, year: i32) -> Result<Option<PlanRow>> {
    let sql = format!("{PLAN_SELECT} WHERE p.unit_id = $1 AND p.kind = $2 AND p.year = $3");
    let r = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(unit)
        .bind(kind.code())
        .bind(year as i64)
        .fetch_optional(&mut *c)
        .await?;
    r.as_ref().map(plan_from).transpose()
}
