//! The vault duty roster: shifts per vault and day, leave that keeps a person off it, and swaps awaiting approval.
use crate::{Conn, Result, opt_i64};
use sqlx::Row;

#[derive(Debug, Clone, PartialEq)]
pub struct ShiftRow {
    pub id: i64,
    pub asset_id: i64,
    pub unit_id: i64,
    pub day: i64,
    pub guard_a: i64,
    pub guard_b: i64,
    pub holiday: bool,
}

fn shift(r: &sqlx::any::AnyRow) -> Result<ShiftRow> {
    Ok(ShiftRow {
        id: r.try_get("id")?,
        asset_id: r.try_get("asset_id")?,
        unit_id: r.try_get("unit_id")?,
        day: r.try_get("day")?,
        guard_a: r.try_get("guard_a")?,
        guard_b: r.try_get("guard_b")?,
        holiday: r.try_get::<i64, _>("holiday")? != 0,
    })
}

const SHIFT: &str = "SELECT id, asset_id, unit_id, day, guard_a, guard_b, holiday FROM duty_shifts";

/// The shifts of one vault in `[from, to)`.
pub async fn shifts(c: &mut Conn, asset: i64, from: i64, to: i64) -> Result<Vec<ShiftRow>> {
    let sql = format!("{SHIFT} WHERE asset_id = $1 AND day >= $2 AND day < $3 ORDER BY day");
    sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(asset)
        .bind(from)
        .bind(to)
        .fetch_all(&mut *c)
        .await?
        .iter()
        .map(shift)
        .collect()
}

pub async fn shift_by_id(c: &mut Conn, id: i64) -> Result<Option<ShiftRow>> {
    let sql = format!("{SHIFT} WHERE id = $1");
    sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(&mut *c).await?.as_ref().map(shift).transpose()
}

/// Write one day's shift (insert or replace); returns its id.
pub async fn put_shift(c: &mut Conn, s: &ShiftRow, by: i64, now: i64) -> Result<i64> {
    let existing = sqlx::query("SELECT id FROM duty_shifts WHERE asset_id = $1 AND day = $2")
        .bind(s.asset_id)
        .bind(s.day)
        .fetch_optional(&mut *c)
        .await?;
    match existing {
        Some(r) => {
            let id: i64 = r.try_get("id")?;
            sqlx::query(
                "UPDATE duty_shifts SET guard_a = $2, guard_b = $3, holiday = $4, saved_at = $5, saved_by = $6 WHERE id = $1",
            )
            .bind(id)
            .bind(s.guard_a)
            .bind(s.guard_b)
            .bind(crate::b(s.holiday))
            .bind(now)
            .bind(by)
            .execute(&mut *c)
            .await?;
            Ok(id)
        }
        None => sqlx::query(
            "INSERT INTO duty_shifts (asset_id, unit_id, day, guard_a, guard_b, holiday, saved_at, saved_by) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        )
        .bind(s.asset_id)
        .bind(s.unit_id)
        .bind(s.day)
        .bind(s.guard_a)
        .bind(s.guard_b)
        .bind(crate::b(s.holiday))
        .bind(now)
        .bind(by)
        .fetch_one(&mut *c)
        .await?
        .try_get("id"),
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct LeaveRow {
    pub id: i64,
    pub staff_id: i64,
    pub staff_name: String,
    pub from_day: i64,
    pub to_day: i64,
    pub reason: String,
}

/// Leave of the staff of the units under `path` overlapping `[from, to)`.
pub async fn leaves_under(c: &mut Conn, path: &str, from: i64, to: i64) -> Result<Vec<LeaveRow>> {
    sqlx::query(
        "SELECT l.id, l.staff_id, s.name, l.from_day, l.to_day, l.reason FROM staff_leaves l JOIN staff s ON s.id = l.staff_id \
         JOIN units u ON u.id = s.unit_id WHERE u.path LIKE $1 || '%' AND l.from_day < $3 AND l.to_day >= $2 \
         ORDER BY l.from_day, l.id",
    )
    .bind(path)
    .bind(from)
    .bind(to)
    .fetch_all(&mut *c)
    .await?
    .iter()
    .map(|r| {
        Ok(LeaveRow {
            id: r.try_get("id")?,
            staff_id: r.try_get("staff_id")?,
            staff_name: r.try_get("name")?,
            from_day: r.try_get("from_day")?,
            to_day: r.try_get("to_day")?,
            reason: r.try_get("reason")?,
        })
    })
    .collect()
}

pub async fn insert_leave(
    c: &mut Conn,
    staff: i64,
    from: i64,
    to: i64,
    reason: &str,
    by: i64,
    now: i64,
) -> Result<i64> {
    sqlx::query(
        "INSERT INTO staff_leaves (staff_id, from_day, to_day, reason, created_at, created_by) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(staff)
    .bind(from)
    .bind(to)
    .bind(reason)
    .bind(now)
    .bind(by)
    .fetch_one(&mut *c)
    .await?
    .try_get("id")
}

#[derive(Debug, Clone, PartialEq)]
pub struct SwapRow {
    pub id: i64,
    pub shift_id: i64,
    pub day: i64,
    pub asset_id: i64,
    pub unit_id: i64,
    pub out_staff: i64,
    pub out_name: String,
    pub in_staff: i64,
    pub in_name: String,
    pub reason: String,
    pub status: String,
    pub requested_by: i64,
    pub decided_by: Option<i64>,
}

const SWAP: &str = "SELECT w.id, w.shift_id, d.day, d.asset_id, d.unit_id, w.out_staff, o.name AS out_name, w.in_staff, \
    i.name AS in_name, w.reason, w.status, w.requested_by, w.decided_by FROM duty_swaps w \
    JOIN duty_shifts d ON d.id = w.shift_id JOIN staff o ON o.id = w.out_staff JOIN staff i ON i.id = w.in_staff";

fn swap(r: &sqlx::any::AnyRow) -> Result<SwapRow> {
    Ok(SwapRow {
        id: r.try_get("id")?,
        shift_id: r.try_get("shift_id")?,
        day: r.try_get("day")?,
        asset_id: r.try_get("asset_id")?,
        unit_id: r.try_get("unit_id")?,
        out_staff: r.try_get("out_staff")?,
        out_name: r.try_get("out_name")?,
        in_staff: r.try_get("in_staff")?,
        in_name: r.try_get("in_name")?,
        reason: r.try_get("reason")?,
        status: r.try_get("status")?,
        requested_by: r.try_get("requested_by")?,
        decided_by: opt_i64(r, "decided_by")?,
    })
}

pub async fn swaps_of_asset(c: &mut Conn, asset: i64, from: i64, to: i64) -> Result<Vec<SwapRow>> {
    let sql = format!("{SWAP} WHERE d.asset_id = $1 AND d.day >= $2 AND d.day < $3 ORDER BY w.id DESC");
    sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(asset)
        .bind(from)
        .bind(to)
        .fetch_all(&mut *c)
        .await?
        .iter()
        .map(swap)
        .collect()
}

pub async fn swap_by_id(c: &mut Conn, id: i64) -> Result<Option<SwapRow>> {
    let sql = format!("{SWAP} WHERE w.id = $1");
    sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(&mut *c).await?.as_ref().map(swap).transpose()
}

pub async fn insert_swap(c: &mut Conn, shift: i64, out: i64, inn: i64, reason: &str, by: i64, now: i64) -> Result<i64> {
    sqlx::query(
        "INSERT INTO duty_swaps (shift_id, out_staff, in_staff, reason, status, requested_by, requested_at) \
         VALUES ($1, $2, $3, $4, 'pending', $5, $6) RETURNING id",
    )
    .bind(shift)
    .bind(out)
    .bind(inn)
    .bind(reason)
    .bind(by)
    .bind(now)
    .fetch_one(&mut *c)
    .await?
    .try_get("id")
}

pub async fn decide_swap(c: &mut Conn, id: i64, status: &str, by: i64, now: i64) -> Result<()> {
    sqlx::query("UPDATE duty_swaps SET status = $2, decided_by = $3, decided_at = $4 WHERE id = $1")
        .bind(id)
        .bind(status)
        .bind(by)
        .bind(now)
        .execute(&mut *c)
        .await?;
    Ok(())
}
