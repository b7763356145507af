//! Inspections, their photos, hazards with their history, checklist versions and bulletins.
use crate::{Conn, Result, opt_i64};
use sqlx::Row;

pub struct VersionRow {
    pub id: i64,
    pub version: i64,
    pub body: String,
    pub effective_from_day: i64,
}

pub async fn versions(c: &mut Conn) -> Result<Vec<VersionRow>> {
    sqlx::query("SELECT id, version, body, effective_from_day FROM checklist_versions ORDER BY version")
        .fetch_all(&mut *c)
        .await?
        .iter()
        .map(|r| {
            Ok(VersionRow {
                id: r.try_get("id")?,
                version: r.try_get("version")?,
                body: r.try_get("body")?,
                effective_from_day: r.try_get("effective_from_day")?,
            })
        })
        .collect()
}

pub async fn insert_version(
    c: &mut Conn,
    version: i64,
    body: &str,
    from_day: i64,
    by: Option<i64>,
    now: i64,
) -> Result<i64> {
    sqlx::query(
        "INSERT INTO checklist_versions (version, body, effective_from_day, created_at, created_by) \
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(version)
    .bind(body)
    .bind(from_day)
    .bind(now)
    .bind(by)
    .fetch_one(&mut *c)
    .await?
    .try_get("id")
}

#[derive(Debug, Clone)]
pub struct InspectionRow {
    pub id: i64,
    pub unit_id: i64,
    pub unit_path: String,
    pub target_unit_id: i64,
    pub target_name: String,
    pub target_path: String,
    pub kind: String,
    pub checklist_version_id: i64,
    pub inspector_id: i64,
    pub inspector_name: String,
    pub inspector_position: String,
    pub inspected_at: i64,
    pub local_day: i64,
    pub results: String,
    pub score_tenths: i64,
    pub suggestions: Option<String>,
    pub status: String,
    pub countersigned_by: Option<i64>,
    pub countersigner_name: Option<String>,
    pub supersedes_id: Option<i64>,
    pub created_by: Option<i64>,
}

const INSPECTION: &str = "SELECT i.*, u.path AS unit_path, t.name AS target_name, t.path AS target_path, \
    s.name AS inspector_name, cs.name AS countersigner_name FROM inspections i JOIN units u ON u.id = i.unit_id \
    JOIN units t ON t.id = i.target_unit_id JOIN staff s ON s.id = i.inspector_id LEFT JOIN staff cs ON cs.id = i.countersigned_by";

fn inspection(r: &sqlx::any::AnyRow) -> Result<InspectionRow> {
    Ok(InspectionRow {
        id: r.try_get("id")?,
        unit_id: r.try_get("unit_id")?,
        unit_path: r.try_get("unit_path")?,
        target_unit_id: r.try_get("target_unit_id")?,
        target_name: r.try_get("target_name")?,
        target_path: r.try_get("target_path")?,
        kind: r.try_get("kind")?,
        checklist_version_id: r.try_get("checklist_version_id")?,
        inspector_id: r.try_get("inspector_id")?,
        inspector_name: r.try_get("inspector_name")?,
        inspector_position: r.try_get("inspector_position")?,
        inspected_at: r.try_get("inspected_at")?,
        local_day: r.try_get("local_day")?,
        results: r.try_get("results")?,
        score_tenths: r.try_get("score_tenths")?,
        suggestions: r.try_get("suggestions")?,
        status: r.try_get("status")?,
        countersigned_by: opt_i64(r, "countersigned_by")?,
        countersigner_name: r.try_get("countersigner_name")?,
        supersedes_id: opt_i64(r, "supersedes_id")?,
        created_by: opt_i64(r, "created_by")?,
    })
}

pub async fn inspection_by_id(c: &mut Conn, id: i64) -> Result<Option<InspectionRow>> {
    let sql = format!("{INSPECTION} WHERE i.id = $1");
    sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(&mut *c).await?.as_ref().map(inspection).transpose()
}

/// Inspections of targets under `path` (or made by units under it) in `[from, to)`, newest first.
pub async fn inspections_under(c: &mut Conn, path: &str, from: i64, to: i64, limit: i64) -> Result<Vec<InspectionRow>> {
    let sql = format!(
        "{INSPECTION} WHERE (t.path LIKE $1 || '%' OR u.path LIKE $1 || '%') AND i.local_day >= $2 AND i.local_day < $3 \
         ORDER BY i.inspected_at DESC, i.id DESC LIMIT $4"
    );
    sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(path)
        .bind(from)
        .bind(to)
        .bind(limit)
        .fetch_all(&mut *c)
        .await?
        .iter()
        .map(inspection)
        .collect()
}

pub struct NewInspection<'a> {
    pub unit: i64,
    pub target: i64,
    pub kind: &'a str,
    pub version: i64,
    pub inspector: i64,
    pub position: &'a str,
    pub at: i64,
    pub day: i64,
    pub results: &'a str,
    pub supersedes: Option<i64>,
    pub by: i64,
    pub now: i64,
}

pub async fn insert_inspection(c: &mut Conn, n: NewInspection<'_>) -> Result<i64> {
    sqlx::query(
        "INSERT INTO inspections (unit_id, target_unit_id, kind, checklist_version_id, inspector_id, inspector_position, \
         inspected_at, local_day, results, score_tenths, status, supersedes_id, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 0, 'draft', $10, $11, $12) RETURNING id",
    )
    .bind(n.unit)
    .bind(n.target)
    .bind(n.kind)
    .bind(n.version)
    .bind(n.inspector)
    .bind(n.position)
    .bind(n.at)
    .bind(n.day)
    .bind(n.results)
    .bind(n.supersedes)
    .bind(n.by)
    .bind(n.now)
    .fetch_one(&mut *c)
    .await?
    .try_get("id")
}

/// Save a draft's results; false when it is no longer a draft (signed meanwhile).
pub async fn save_results(c: &mut Conn, id: i64, results: &str, score: i64, suggestions: Option<&str>) -> Result<bool> {
    let r = sqlx::query(
        "UPDATE inspections SET results = $2, score_tenths = $3, suggestions = $4 WHERE id = $1 AND status = 'draft'",
    )
    .bind(id)
    .bind(results)
    .bind(score)
    .bind(suggestions)
    .execute(&mut *c)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// Sign a draft; false when it was already signed (a double tap).
pub async fn set_signed(c: &mut Conn, id: i64, now: i64) -> Result<bool> {
    let r = sqlx::query("UPDATE inspections SET status = 'signed', signed_at = $2 WHERE id = $1 AND status = 'draft'")
        .bind(id)
        .bind(now)
        .execute(&mut *c)
        .await?;
    Ok(r.rows_affected() == 1)
}

/// Countersign a signed inspection; false when it was already countersigned.
pub async fn set_countersigned(c: &mut Conn, id: i64, by_staff: i64, now: i64) -> Result<bool> {
    let r = sqlx::query(
        "UPDATE inspections SET status = 'countersigned', countersigned_by = $2, countersigned_at = $3 \
         WHERE id = $1 AND status = 'signed'",
    )
    .bind(id)
    .bind(by_staff)
    .bind(now)
    .execute(&mut *c)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// The inspection that corrects this one, if any.
pub async fn correction_of(c: &mut Conn, id: i64) -> Result<Option<i64>> {
    let r = sqlx::query("SELECT id FROM inspections WHERE supersedes_id = $1").bind(id).fetch_optional(&mut *c).await?;
    r.map(|r| r.try_get("id")).transpose()
}

pub struct PhotoRow {
    pub id: i64,
    pub inspection_id: i64,
    pub item_code: String,
    pub content_type: String,
    pub sha256: String,
    pub taken_at: i64,
}

pub async fn photos_of(c: &mut Conn, inspection: i64) -> Result<Vec<PhotoRow>> {
    sqlx::query("SELECT id, inspection_id, item_code, content_type, sha256, taken_at FROM inspection_photos WHERE inspection_id = $1 ORDER BY id")
        .bind(inspection)
        .fetch_all(&mut *c)
        .await?
        .iter()
        .map(|r| {
            Ok(PhotoRow {
                id: r.try_get("id")?,
                inspection_id: r.try_get("inspection_id")?,
                item_code: r.try_get("item_code")?,
                content_type: r.try_get("content_type")?,
                sha256: r.try_get("sha256")?,
                taken_at: r.try_get("taken_at")?,
            })
        })
        .collect()
}

pub async fn photo(c: &mut Conn, id: i64) -> Result<Option<PhotoRow>> {
    let r = sqlx::query(
        "SELECT id, inspection_id, item_code, content_type, sha256, taken_at FROM inspection_photos WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(&mut *c)
    .await?;
    r.map(|r| {
        Ok(PhotoRow {
            id: r.try_get("id")?,
            inspection_id: r.try_get("inspection_id")?,
            item_code: r.try_get("item_code")?,
            content_type: r.try_get("content_type")?,
            sha256: r.try_get("sha256")?,
            taken_at: r.try_get("taken_at")?,
        })
    })
    .transpose()
}

#[allow(clippy::too_many_arguments)]
pub async fn insert_photo(
    c: &mut Conn,
    inspection: i64,
    item: &str,
    content_type: &str,
    size: i64,
    sha: &str,
    taken_at: i64,
    by: i64,
    now: i64,
) -> Result<i64> {
    sqlx::query(
        "INSERT INTO inspection_photos (inspection_id, item_code, content_type, size, sha256, taken_at, uploaded_at, uploaded_by) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(inspection)
    .bind(item)
    .bind(content_type)
    .bind(size)
    .bind(sha)
    .bind(taken_at)
    .bind(now)
    .bind(by)
    .fetch_one(&mut *c)
    .await?
    .try_get("id")
}

#[derive(Debug, Clone)]
pub struct HazardRow {
    pub id: i64,
    pub notice_no: String,
    pub inspection_id: Option<i64>,
    pub item_code: Option<String>,
    pub unit_id: i64,
    pub unit_name: String,
    pub unit_path: String,
    pub raised_by_unit_id: i64,
    pub raised_by_name: String,
    pub raised_by_path: String,
    pub title: String,
    pub article: String,
    pub severity: String,
    pub owner_id: Option<i64>,
    pub owner_name: Option<String>,
    pub deadline_day: i64,
    pub status: String,
    pub repeat_count: i64,
    pub case_ref: Option<String>,
    pub cause: Option<String>,
    pub accountability: Option<String>,
    pub raised_at: i64,
    pub closed_at: Option<i64>,
}

const HAZARD: &str = "SELECT h.*, u.name AS unit_name, u.path AS unit_path, r.name AS raised_by_name, r.path AS raised_by_path, \
    s.name AS owner_name FROM hazards h JOIN units u ON u.id = h.unit_id JOIN units r ON r.id = h.raised_by_unit_id \
    LEFT JOIN staff s ON s.id = h.owner_id";

fn hazard(r: &sqlx::any::AnyRow) -> Result<HazardRow> {
    Ok(HazardRow {
        id: r.try_get("id")?,
        notice_no: r.try_get("notice_no")?,
        inspection_id: opt_i64(r, "inspection_id")?,
        item_code: r.try_get("item_code")?,
        unit_id: r.try_get("unit_id")?,
        unit_name: r.try_get("unit_name")?,
        unit_path: r.try_get("unit_path")?,
        raised_by_unit_id: r.try_get("raised_by_unit_id")?,
        raised_by_name: r.try_get("raised_by_name")?,
        raised_by_path: r.try_get("raised_by_path")?,
        title: r.try_get("title")?,
        article: r.try_get("article")?,
        severity: r.try_get("severity")?,
        owner_id: opt_i64(r, "owner_id")?,
        owner_name: r.try_get("owner_name")?,
        deadline_day: r.try_get("deadline_day")?,
        status: r.try_get("status")?,
        repeat_count: r.try_get("repeat_count")?,
        case_ref: r.try_get("case_ref")?,
        cause: r.try_get("cause")?,
        accountability: r.try_get("accountability")?,
        raised_at: r.try_get("raised_at")?,
        closed_at: opt_i64(r, "closed_at")?,
    })
}

pub async fn hazard_by_id(c: &mut Conn, id: i64) -> Result<Option<HazardRow>> {
    let sql = format!("{HAZARD} WHERE h.id = $1");
    sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(&mut *c).await?.as_ref().map(hazard).transpose()
}

/// Hazards of units under `path` (optionally of one status), oldest deadline first.
pub async fn hazards_under(c: &mut Conn, path: &str, status: Option<&str>, limit: i64) -> Result<Vec<HazardRow>> {
    let mut sql = format!("{HAZARD} WHERE u.path LIKE $1 || '%'");
    if status.is_some() {
        sql.push_str(" AND h.status = $3");
    }
    sql.push_str(" ORDER BY h.status = 'closed', h.deadline_day, h.id LIMIT $2");
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(path).bind(limit);
    if let Some(s) = status {
        q = q.bind(s);
    }
    q.fetch_all(&mut *c).await?.iter().map(hazard).collect()
}

pub async fn hazards_of_inspection(c: &mut Conn, inspection: i64) -> Result<Vec<HazardRow>> {
    let sql = format!("{HAZARD} WHERE h.inspection_id = $1 ORDER BY h.id");
    sqlx::query(sqlx::AssertSqlSafe(sql)).bind(inspection).fetch_all(&mut *c).await?.iter().map(hazard).collect()
}

/// Open hazards past their deadline anywhere (for escalation).
pub async fn overdue(c: &mut Conn, today: i64) -> Result<Vec<HazardRow>> {
    // Only hazards still waiting for the outlet: one rectified and awaiting verification is not the outlet's delay.
    let sql = format!("{HAZARD} WHERE h.status = 'open' AND h.deadline_day < $1 ORDER BY h.id");
    sqlx::query(sqlx::AssertSqlSafe(sql)).bind(today).fetch_all(&mut *c).await?.iter().map(hazard).collect()
}

/// Earlier hazards of the same item at the same unit raised since `since_ms` (repeat offenders, INSP-5).
pub async fn earlier_same_item(c: &mut Conn, unit: i64, item: &str, since_ms: i64) -> Result<i64> {
    sqlx::query("SELECT COUNT(*) AS n FROM hazards WHERE unit_id = $1 AND item_code = $2 AND raised_at >= $3")
        .bind(unit)
        .bind(item)
        .bind(since_ms)
        .fetch_one(&mut *c)
        .await?
        .try_get("n")
}

/// Number a hazard's notice from its own id, so two hazards raised at the same moment never share a number.
pub async fn set_notice_no(c: &mut Conn, id: i64, notice_no: &str) -> Result<()> {
    sqlx::query("UPDATE hazards SET notice_no = $2 WHERE id = $1").bind(id).bind(notice_no).execute(&mut *c).await?;
    Ok(())
}

pub struct NewHazard<'a> {
    pub notice_no: &'a str,
    pub inspection: Option<i64>,
    pub item: Option<&'a str>,
    pub unit: i64,
    pub raised_by_unit: i64,
    pub title: &'a str,
    pub article: &'a str,
    pub severity: &'a str,
    pub owner: Option<i64>,
    pub deadline_day: i64,
    pub repeat_count: i64,
    pub case_ref: Option<&'a str>,
    pub by: i64,
    pub now: i64,
}

pub async fn insert_hazard(c: &mut Conn, n: NewHazard<'_>) -> Result<i64> {
    sqlx::query(
        "INSERT INTO hazards (notice_no, inspection_id, item_code, unit_id, raised_by_unit_id, title, article, severity, owner_id, \
         deadline_day, status, repeat_count, case_ref, raised_at, raised_by) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'open', $11, $12, $13, $14) RETURNING id",
    )
    .bind(n.notice_no)
    .bind(n.inspection)
    .bind(n.item)
    .bind(n.unit)
    .bind(n.raised_by_unit)
    .bind(n.title)
    .bind(n.article)
    .bind(n.severity)
    .bind(n.owner)
    .bind(n.deadline_day)
    .bind(n.repeat_count)
    .bind(n.case_ref)
    .bind(n.now)
    .bind(n.by)
    .fetch_one(&mut *c)
    .await?
    .try_get("id")
}

/// Move a hazard from `from` to `status`; false when it was no longer in `from`.
#[allow(clippy::too_many_arguments)]
pub async fn set_hazard_status(
    c: &mut Conn,
    id: i64,
    from: &str,
    status: &str,
    cause: Option<&str>,
    accountability: Option<&str>,
    closed_at: Option<i64>,
) -> Result<bool> {
    let r = sqlx::query(
        "UPDATE hazards SET status = $2, cause = COALESCE($3, cause), accountability = COALESCE($4, accountability), \
         closed_at = $5 WHERE id = $1 AND status = $6",
    )
    .bind(id)
    .bind(status)
    .bind(cause)
    .bind(accountability)
    .bind(closed_at)
    .bind(from)
    .execute(&mut *c)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// The account that last reported a hazard rectified.
pub async fn last_rectifier(c: &mut Conn, hazard: i64) -> Result<Option<i64>> {
    let r = sqlx::query(
        "SELECT by_account FROM hazard_events WHERE hazard_id = $1 AND action = 'rectified' ORDER BY at DESC, id DESC LIMIT 1",
    )
    .bind(hazard)
    .fetch_optional(&mut *c)
    .await?;
    Ok(match r {
        Some(r) => opt_i64(&r, "by_account")?,
        None => None,
    })
}

pub struct EventRow {
    pub action: String,
    pub note: String,
    pub at: i64,
    pub by_name: Option<String>,
}

pub async fn insert_event(c: &mut Conn, hazard: i64, action: &str, note: &str, by: i64, now: i64) -> Result<i64> {
    sqlx::query(
        "INSERT INTO hazard_events (hazard_id, action, note, at, by_account) VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(hazard)
    .bind(action)
    .bind(note)
    .bind(now)
    .bind(by)
    .fetch_one(&mut *c)
    .await?
    .try_get("id")
}

pub async fn events_of(c: &mut Conn, hazard: i64) -> Result<Vec<EventRow>> {
    sqlx::query(
        "SELECT e.action, e.note, e.at, a.display_name FROM hazard_events e LEFT JOIN accounts a ON a.id = e.by_account \
         WHERE e.hazard_id = $1 ORDER BY e.at, e.id",
    )
    .bind(hazard)
    .fetch_all(&mut *c)
    .await?
    .iter()
    .map(|r| Ok(EventRow { action: r.try_get("action")?, note: r.try_get("note")?, at: r.try_get("at")?, by_name: r.try_get("display_name")? }))
    .collect()
}

pub struct BulletinRow {
    pub id: i64,
    pub unit_id: i64,
    pub unit_name: String,
    pub unit_path: String,
    pub title: String,
    pub body: String,
    pub hazard_ids: String,
    pub inspection_ids: String,
    pub published_at: i64,
    pub reads: i64,
}

const BULLETIN: &str = "SELECT b.*, u.name AS unit_name, u.path AS unit_path, \
    (SELECT COUNT(*) FROM bulletin_reads r WHERE r.bulletin_id = b.id) AS reads FROM bulletins b JOIN units u ON u.id = b.unit_id";

fn bulletin(r: &sqlx::any::AnyRow) -> Result<BulletinRow> {
    Ok(BulletinRow {
        id: r.try_get("id")?,
        unit_id: r.try_get("unit_id")?,
        unit_name: r.try_get("unit_name")?,
        unit_path: r.try_get("unit_path")?,
        title: r.try_get("title")?,
        body: r.try_get("body")?,
        hazard_ids: r.try_get("hazard_ids")?,
        inspection_ids: r.try_get("inspection_ids")?,
        published_at: r.try_get("published_at")?,
        reads: r.try_get("reads")?,
    })
}

/// Bulletins published at or above or below any of `paths` (None: every bulletin), newest first.
pub async fn bulletins(c: &mut Conn, paths: Option<&[String]>, limit: i64) -> Result<Vec<BulletinRow>> {
    let mut sql = BULLETIN.to_owned();
    if let Some(ps) = paths {
        let conds: Vec<String> =
            (0..ps.len()).map(|i| format!("(u.path LIKE ${n} || '%' OR ${n} LIKE u.path || '%')", n = i + 2)).collect();
        sql.push_str(&format!(" WHERE ({})", if conds.is_empty() { "0 = 1".into() } else { conds.join(" OR ") }));
    }
    sql.push_str(" ORDER BY b.published_at DESC, b.id DESC LIMIT $1");
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(limit);
    for p in paths.unwrap_or_default() {
        q = q.bind(p.clone());
    }
    q.fetch_all(&mut *c).await?.iter().map(bulletin).collect()
}

pub async fn bulletin_by_id(c: &mut Conn, id: i64) -> Result<Option<BulletinRow>> {
    let sql = format!("{BULLETIN} WHERE b.id = $1");
    sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(&mut *c).await?.as_ref().map(bulletin).transpose()
}

pub struct NewBulletin<'a> {
    pub unit: i64,
    pub title: &'a str,
    pub body: &'a str,
    pub hazards: &'a str,
    pub inspections: &'a str,
    pub by: i64,
    pub now: i64,
}

pub async fn insert_bulletin(c: &mut Conn, n: NewBulletin<'_>) -> Result<i64> {
    sqlx::query(
        "INSERT INTO bulletins (unit_id, title, body, hazard_ids, inspection_ids, published_at, author) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(n.unit)
    .bind(n.title)
    .bind(n.body)
    .bind(n.hazards)
    .bind(n.inspections)
    .bind(n.now)
    .bind(n.by)
    .fetch_one(&mut *c)
    .await?
    .try_get("id")
}

/// Record that an account read a bulletin (once); returns the row's id when it was the first reading.
pub async fn mark_read(c: &mut Conn, bulletin: i64, account: i64, now: i64) -> Result<Option<i64>> {
    let r = sqlx::query(
        "INSERT INTO bulletin_reads (bulletin_id, account_id, read_at) VALUES ($1, $2, $3) \
         ON CONFLICT (bulletin_id, account_id) DO NOTHING RETURNING id",
    )
    .bind(bulletin)
    .bind(account)
    .bind(now)
    .fetch_optional(&mut *c)
    .await?;
    r.map(|r| r.try_get("id")).transpose()
}

/// Accounts granted at or below the bulletin's unit, with when each read it (None: not yet).
pub async fn readers(c: &mut Conn, bulletin: i64, unit_path: &str) -> Result<Vec<(String, Option<i64>)>> {
    sqlx::query(
        "SELECT DISTINCT a.id, a.display_name, r.read_at FROM accounts a JOIN grants g ON g.account_id = a.id \
         JOIN units u ON u.id = g.unit_id LEFT JOIN bulletin_reads r ON r.account_id = a.id AND r.bulletin_id = $1 \
         WHERE a.disabled = 0 AND u.path LIKE $2 || '%' ORDER BY a.id",
    )
    .bind(bulletin)
    .bind(unit_path)
    .fetch_all(&mut *c)
    .await?
    .iter()
    .map(|r| Ok((r.try_get("display_name")?, opt_i64(r, "read_at")?)))
    .collect()
}
