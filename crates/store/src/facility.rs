//! The facilities ledger: catalogue versions, places, items and their history, monthly reports, projects, faults.
use crate::{Conn, Result, opt_i64};
use anbao_domain::facility::{FaultStatus, ProjectStatus};
use sqlx::Row;

pub async fn catalogs(c: &mut Conn) -> Result<Vec<(i64, i64, String)>> {
    sqlx::query("SELECT id, version, body FROM facility_catalogs ORDER BY version")
        .fetch_all(&mut *c)
        .await?
        .iter()
        .map(|r| Ok((r.try_get("id")?, r.try_get("version")?, r.try_get("body")?)))
        .collect()
}

pub async fn insert_catalog(c: &mut Conn, version: i64, body: &str, by: Option<i64>, now: i64) -> Result<i64> {
    sqlx::query(
        "INSERT INTO facility_catalogs (version, body, created_at, created_by) VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(version)
    .bind(body)
    .bind(now)
    .bind(by)
    .fetch_one(&mut *c)
    .await?
    .try_get("id")
}

#[derive(Debug, Clone)]
pub struct PlaceRow {
    pub id: i64,
    pub unit_id: i64,
    pub unit_name: String,
    pub unit_path: String,
    pub kind: String,
    pub name: String,
    pub risk_level: i64,
    pub opened: bool,
}

const PLACE: &str = "SELECT p.id, p.unit_id, u.name AS unit_name, u.path AS unit_path, p.kind, p.name, p.risk_level, p.opened \
    FROM places p JOIN units u ON u.id = p.unit_id";

fn place(r: &sqlx::any::AnyRow) -> Result<PlaceRow> {
    Ok(PlaceRow {
        id: r.try_get("id")?,
        unit_id: r.try_get("unit_id")?,
        unit_name: r.try_get("unit_name")?,
        unit_path: r.try_get("unit_path")?,
        kind: r.try_get("kind")?,
        name: r.try_get("name")?,
        risk_level: r.try_get("risk_level")?,
        opened: r.try_get::<i64, _>("opened")? != 0,
    })
}

pub async fn places_under(c: &mut Conn, path: &str) -> Result<Vec<PlaceRow>> {
    let sql = format!("{PLACE} WHERE u.path LIKE $1 || '%' ORDER BY u.path, p.kind, p.id");
    sqlx::query(sqlx::AssertSqlSafe(sql)).bind(path).fetch_all(&mut *c).await?.iter().map(place).collect()
}

pub async fn place_by_id(c: &mut Conn, id: i64) -> Result<Option<PlaceRow>> {
    let sql = format!("{PLACE} WHERE p.id = $1");
    sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(&mut *c).await?.as_ref().map(place).transpose()
}

#[allow(clippy::too_many_arguments)]
pub async fn insert_place(
    c: &mut Conn,
    unit: i64,
    kind: &str,
    name: &str,
    risk: i64,
    asset: Option<i64>,
    opened: bool,
    now: i64,
) -> Result<i64> {
    sqlx::query(
        "INSERT INTO places (unit_id, kind, name, risk_level, asset_id, opened, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(unit)
    .bind(kind)
    .bind(name)
    .bind(risk)
    .bind(asset)
    .bind(crate::b(opened))
    .bind(now)
    .fetch_one(&mut *c)
    .await?
    .try_get("id")
}

pub async fn set_opened(c: &mut Conn, id: i64) -> Result<()> {
    sqlx::query("UPDATE places SET opened = 1 WHERE id = $1").bind(id).execute(&mut *c).await?;
    Ok(())
}

#[derive(Debug, Clone)]
pub struct ItemRow {
    pub id: i64,
    pub place_id: i64,
    pub kind: String,
    pub model: String,
    pub count: i64,
    pub supplier: String,
    pub installed_day: i64,
    pub expires_day: Option<i64>,
    pub status: String,
    pub last_check_day: Option<i64>,
}

fn item(r: &sqlx::any::AnyRow) -> Result<ItemRow> {
    Ok(ItemRow {
        id: r.try_get("id")?,
        place_id: r.try_get("place_id")?,
        kind: r.try_get("kind")?,
        model: r.try_get("model")?,
        count: r.try_get("count")?,
        supplier: r.try_get("supplier")?,
        installed_day: r.try_get("installed_day")?,
        expires_day: opt_i64(r, "expires_day")?,
        status: r.try_get("status")?,
        last_check_day: opt_i64(r, "last_check_day")?,
    })
}

/// Items (not retired) of the places under `path`.
pub async fn items_under(c: &mut Conn, path: &str) -> Result<Vec<ItemRow>> {
    sqlx::query(
        "SELECT i.* FROM facility_items i JOIN places p ON p.id = i.place_id JOIN units u ON u.id = p.unit_id \
         WHERE u.path LIKE $1 || '%' AND i.status <> 'retired' ORDER BY i.place_id, i.kind, i.id",
    )
    .bind(path)
    .fetch_all(&mut *c)
    .await?
    .iter()
    .map(item)
    .collect()
}

pub async fn item_by_id(c: &mut Conn, id: i64) -> Result<Option<ItemRow>> {
    sqlx::query("SELECT * FROM facility_items WHERE id = $1")
        .bind(id)
        .fetch_optional(&mut *c)
        .await?
        .as_ref()
        .map(item)
        .transpose()
}

pub struct NewItem<'a> {
    pub place: i64,
    pub kind: &'a str,
    pub model: &'a str,
    pub count: i64,
    pub supplier: &'a str,
    pub installed_day: i64,
    pub expires_day: Option<i64>,
    pub now: i64,
}

pub async fn insert_item(c: &mut Conn, n: NewItem<'_>) -> Result<i64> {
    let insert = "INSERT INTO facility_items (place_id, kind, model, count, supplier, installed_day, expires_day, status, created_at) \
         VALUES (?, ?, ?, ?, ?, ?, ?, 'working', ?) RETURNING id";
    // Many rows come at once from an import: `?` keeps SQLite's parameter lookup cheap (see records).
    let sql = if c.backend_name() == "SQLite" {
        insert.to_owned()
    } else {
        let mut n = 0;
        insert
            .chars()
            .map(|ch| {
                if ch == '?' {
                    n += 1;
                    format!("${n}")
                } else {
                    ch.to_string()
                }
            })
            .collect()
    };
    sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(n.place)
        .bind(n.kind)
        .bind(n.model)
        .bind(n.count)
        .bind(n.supplier)
        .bind(n.installed_day)
        .bind(n.expires_day)
        .bind(n.now)
        .fetch_one(&mut *c)
        .await?
        .try_get("id")
}

pub async fn set_item_status(c: &mut Conn, id: i64, status: &str, checked_day: Option<i64>) -> Result<()> {
    sqlx::query("UPDATE facility_items SET status = $2, last_check_day = COALESCE($3, last_check_day) WHERE id = $1")
        .bind(id)
        .bind(status)
        .bind(checked_day)
        .execute(&mut *c)
        .await?;
    Ok(())
}

pub async fn insert_event(c: &mut Conn, item: i64, action: &str, note: &str, by: Option<i64>, now: i64) -> Result<i64> {
    sqlx::query(
        "INSERT INTO facility_events (item_id, action, note, at, by_account) VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(item)
    .bind(action)
    .bind(note)
    .bind(now)
    .bind(by)
    .fetch_one(&mut *c)
    .await?
    .try_get("id")
}

pub async fn events_of_place(c: &mut Conn, place: i64) -> Result<Vec<(i64, String, String, String, i64)>> {
    sqlx::query(
        "SELECT e.item_id, i.kind, e.action, e.note, e.at FROM facility_events e JOIN facility_items i ON i.id = e.item_id \
         WHERE i.place_id = $1 ORDER BY e.at DESC, e.id DESC LIMIT 100",
    )
    .bind(place)
    .fetch_all(&mut *c)
    .await?
    .iter()
    .map(|r| Ok((r.try_get("item_id")?, r.try_get("kind")?, r.try_get("action")?, r.try_get("note")?, r.try_get("at")?)))
    .collect()
}

pub async fn report(c: &mut Conn, unit: i64, month: &str) -> Result<Option<(i64, String, i64)>> {
    let r = sqlx::query("SELECT id, body, created_at FROM facility_reports WHERE unit_id = $1 AND month = $2")
        .bind(unit)
        .bind(month)
        .fetch_optional(&mut *c)
        .await?;
    r.map(|r| Ok((r.try_get("id")?, r.try_get("body")?, r.try_get("created_at")?))).transpose()
}

pub async fn insert_report(c: &mut Conn, unit: i64, month: &str, body: &str, by: i64, now: i64) -> Result<i64> {
    sqlx::query("INSERT INTO facility_reports (unit_id, month, body, created_at, created_by) VALUES ($1, $2, $3, $4, $5) RETURNING id")
        .bind(unit)
        .bind(month)
        .bind(body)
        .bind(now)
        .bind(by)
        .fetch_one(&mut *c)
        .await?
        .try_get("id")
}

#[derive(Debug, Clone)]
pub struct ProjectRow {
    pub id: i64,
    pub place_id: i64,
    pub place_name: String,
    pub unit_name: String,
    pub unit_path: String,
    pub kind: String,
    pub product: String,
    pub supplier: String,
    pub budget: i64,
    pub status: String,
    pub findings: Option<String>,
}

const PROJECT: &str = "SELECT j.*, p.name AS place_name, u.name AS unit_name, u.path AS unit_path FROM facility_projects j \
    JOIN places p ON p.id = j.place_id JOIN units u ON u.id = p.unit_id";

fn project(r: &sqlx::any::AnyRow) -> Result<ProjectRow> {
    Ok(ProjectRow {
        id: r.try_get("id")?,
        place_id: r.try_get("place_id")?,
        place_name: r.try_get("place_name")?,
        unit_name: r.try_get("unit_name")?,
        unit_path: r.try_get("unit_path")?,
        kind: r.try_get("kind")?,
        product: r.try_get("product")?,
        supplier: r.try_get("supplier")?,
        budget: r.try_get("budget")?,
        status: r.try_get("status")?,
        findings: r.try_get("findings")?,
    })
}

pub async fn projects_under(c: &mut Conn, path: &str) -> Result<Vec<ProjectRow>> {
    let sql = format!("{PROJECT} WHERE u.path LIKE $1 || '%' ORDER BY j.id DESC");
    sqlx::query(sqlx::AssertSqlSafe(sql)).bind(path).fetch_all(&mut *c).await?.iter().map(project).collect()
}

pub async fn project_by_id(c: &mut Conn, id: i64) -> Result<Option<ProjectRow>> {
    let sql = format!("{PROJECT} WHERE j.id = $1");
    sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(&mut *c).await?.as_ref().map(project).transpose()
}

#[allow(clippy::too_many_arguments)]
pub async fn insert_project(
    c: &mut Conn,
    place: i64,
    kind: &str,
    product: &str,
    supplier: &str,
    budget: i64,
    by: i64,
    now: i64,
) -> Result<i64> {
    sqlx::query(
        "INSERT INTO facility_projects (place_id, kind, product, supplier, budget, status, proposed_by, proposed_at) \
         VALUES ($1, $2, $3, $4, $5, 'proposed', $6, $7) RETURNING id",
    )
    .bind(place)
    .bind(kind)
    .bind(product)
    .bind(supplier)
    .bind(budget)
    .bind(by)
    .bind(now)
    .fetch_one(&mut *c)
    .await?
    .try_get("id")
}

/// Move a project from `from` to `to`; false when it was not in `from`.
pub async fn move_project(
    c: &mut Conn,
    id: i64,
    from: ProjectStatus,
    to: ProjectStatus,
    findings: Option<&str>,
    by: i64,
    now: i64,
) -> Result<bool> {
    use ProjectStatus as S;
    let col = match to {
        S::Installed => "installed_at = $5",
        S::Accepted | S::Failed => "accepted_at = $5, accepted_by = $6",
        S::Approved | S::Rejected => "decided_by = $6",
        // Payment keeps who decided; who paid is in the audit event. Nothing moves back to `Proposed`.
        S::Paid | S::Proposed => "proposed_at = proposed_at",
    };
    let sql = format!(
        "UPDATE facility_projects SET status = $2, findings = COALESCE($4, findings), {col} WHERE id = $1 AND status = $3"
    );
    let r = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .bind(to.code())
        .bind(from.code())
        .bind(findings)
        .bind(now)
        .bind(by)
        .execute(&mut *c)
        .await?;
    Ok(r.rows_affected() == 1)
}

#[derive(Debug, Clone)]
pub struct FaultRow {
    pub id: i64,
    pub item_id: i64,
    pub kind: String,
    pub place_id: i64,
    pub place_name: String,
    pub place_kind: String,
    pub unit_name: String,
    pub unit_path: String,
    pub description: String,
    pub status: String,
    pub assignee: Option<String>,
    pub accompanied_by: Option<String>,
    pub deadline_day: Option<i64>,
    pub reported_at: i64,
}

const FAULT: &str = "SELECT f.*, i.kind, i.place_id, p.name AS place_name, p.kind AS place_kind, u.name AS unit_name, \
    u.path AS unit_path FROM facility_faults f JOIN facility_items i ON i.id = f.item_id JOIN places p ON p.id = i.place_id \
    JOIN units u ON u.id = p.unit_id";

fn fault(r: &sqlx::any::AnyRow) -> Result<FaultRow> {
    Ok(FaultRow {
        id: r.try_get("id")?,
        item_id: r.try_get("item_id")?,
        kind: r.try_get("kind")?,
        place_id: r.try_get("place_id")?,
        place_name: r.try_get("place_name")?,
        place_kind: r.try_get("place_kind")?,
        unit_name: r.try_get("unit_name")?,
        unit_path: r.try_get("unit_path")?,
        description: r.try_get("description")?,
        status: r.try_get("status")?,
        assignee: r.try_get("assignee")?,
        accompanied_by: r.try_get("accompanied_by")?,
        deadline_day: opt_i64(r, "deadline_day")?,
        reported_at: r.try_get("reported_at")?,
    })
}

pub async fn faults_under(c: &mut Conn, path: &str) -> Result<Vec<FaultRow>> {
    let sql = format!("{FAULT} WHERE u.path LIKE $1 || '%' ORDER BY f.status = 'verified', f.id DESC LIMIT 500");
    sqlx::query(sqlx::AssertSqlSafe(sql)).bind(path).fetch_all(&mut *c).await?.iter().map(fault).collect()
}

pub async fn fault_by_id(c: &mut Conn, id: i64) -> Result<Option<FaultRow>> {
    let sql = format!("{FAULT} WHERE f.id = $1");
    sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(&mut *c).await?.as_ref().map(fault).transpose()
}

pub async fn insert_fault(c: &mut Conn, item: i64, description: &str, by: i64, now: i64) -> Result<i64> {
    sqlx::query(
        "INSERT INTO facility_faults (item_id, description, status, reported_by, reported_at) VALUES ($1, $2, 'reported', $3, $4) RETURNING id",
    )
    .bind(item)
    .bind(description)
    .bind(by)
    .bind(now)
    .fetch_one(&mut *c)
    .await?
    .try_get("id")
}

pub struct FaultMove<'a> {
    pub from: FaultStatus,
    pub to: FaultStatus,
    pub assignee: Option<&'a str>,
    pub deadline_day: Option<i64>,
    pub accompanied_by: Option<&'a str>,
    pub now: i64,
}

/// Move a fault along; false when it was not in `from`.
pub async fn move_fault(c: &mut Conn, id: i64, m: FaultMove<'_>) -> Result<bool> {
    let col = match m.to {
        FaultStatus::Dispatched => "dispatched_at",
        FaultStatus::Repaired => "repaired_at",
        FaultStatus::Verified => "verified_at",
        // Never a target: no step moves a fault back to `Reported`.
        FaultStatus::Reported => "reported_at",
    };
    let sql = format!(
        "UPDATE facility_faults SET status = $2, assignee = COALESCE($4, assignee), deadline_day = COALESCE($5, deadline_day), \
         accompanied_by = COALESCE($6, accompanied_by), {col} = $7 WHERE id = $1 AND status = $3"
    );
    let r = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .bind(m.to.code())
        .bind(m.from.code())
        .bind(m.assignee)
        .bind(m.deadline_day)
        .bind(m.accompanied_by)
        .bind(m.now)
        .execute(&mut *c)
        .await?;
    Ok(r.rows_affected() == 1)
}
