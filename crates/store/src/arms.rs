//! Guns, ammunition lots and their checkouts.
use crate::{Conn, Result, opt_i64};
use sqlx::Row;

#[derive(Debug, Clone, PartialEq)]
pub struct ArmRow {
    pub id: i64,
    pub unit_id: i64,
    pub unit_name: String,
    pub unit_path: String,
    pub kind: String,
    pub label: String,
    pub serial: String,
    pub rounds: i64,
    pub cabinet_id: i64,
    pub cabinet_name: String,
    pub keeper_id: i64,
    pub keeper_name: String,
    pub gun_id: Option<i64>,
    pub status: String,
}

const ARM: &str = "SELECT r.id, r.unit_id, u.name AS unit_name, u.path AS unit_path, r.kind, r.label, r.serial, r.rounds, \
    r.cabinet_id, a.name AS cabinet_name, r.keeper_id, s.name AS keeper_name, r.gun_id, r.status FROM arms r \
    JOIN units u ON u.id = r.unit_id JOIN assets a ON a.id = r.cabinet_id JOIN staff s ON s.id = r.keeper_id";

fn arm(r: &sqlx::any::AnyRow) -> Result<ArmRow> {
    Ok(ArmRow {
        id: r.try_get("id")?,
        unit_id: r.try_get("unit_id")?,
        unit_name: r.try_get("unit_name")?,
        unit_path: r.try_get("unit_path")?,
        kind: r.try_get("kind")?,
        label: r.try_get("label")?,
        serial: r.try_get("serial")?,
        rounds: r.try_get("rounds")?,
        cabinet_id: r.try_get("cabinet_id")?,
        cabinet_name: r.try_get("cabinet_name")?,
        keeper_id: r.try_get("keeper_id")?,
        keeper_name: r.try_get("keeper_name")?,
        gun_id: opt_i64(r, "gun_id")?,
        status: r.try_get("status")?,
    })
}

pub async fn under(c: &mut Conn, path: &str) -> Result<Vec<ArmRow>> {
    let sql = format!("{ARM} WHERE u.path LIKE $1 || '%' ORDER BY u.path, r.kind DESC, r.serial");
    sqlx::query(sqlx::AssertSqlSafe(sql)).bind(path).fetch_all(&mut *c).await?.iter().map(arm).collect()
}

pub async fn get(c: &mut Conn, id: i64) -> Result<Option<ArmRow>> {
    let sql = format!("{ARM} WHERE r.id = $1");
    sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(&mut *c).await?.as_ref().map(arm).transpose()
}

/// The ammunition lots that serve a gun.
pub async fn ammo_of(c: &mut Conn, gun: i64) -> Result<Vec<ArmRow>> {
    let sql = format!("{ARM} WHERE r.gun_id = $1 ORDER BY r.id");
    sqlx::query(sqlx::AssertSqlSafe(sql)).bind(gun).fetch_all(&mut *c).await?.iter().map(arm).collect()
}

pub struct NewArm<'a> {
    pub unit: i64,
    pub kind: &'a str,
    pub label: &'a str,
    pub serial: &'a str,
    pub rounds: i64,
    pub cabinet: i64,
    pub keeper: i64,
    pub gun: Option<i64>,
    pub now: i64,
}

pub async fn insert(c: &mut Conn, n: NewArm<'_>) -> Result<i64> {
    sqlx::query(
        "INSERT INTO arms (unit_id, kind, label, serial, rounds, cabinet_id, keeper_id, gun_id, status, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'in_store', $9, $9) RETURNING id",
    )
    .bind(n.unit)
    .bind(n.kind)
    .bind(n.label)
    .bind(n.serial)
    .bind(n.rounds)
    .bind(n.cabinet)
    .bind(n.keeper)
    .bind(n.gun)
    .bind(n.now)
    .fetch_one(&mut *c)
    .await?
    .try_get("id")
}

pub async fn set_state(c: &mut Conn, id: i64, status: &str, rounds: i64, now: i64) -> Result<()> {
    sqlx::query("UPDATE arms SET status = $2, rounds = $3, updated_at = $4 WHERE id = $1")
        .bind(id)
        .bind(status)
        .bind(rounds)
        .bind(now)
        .execute(&mut *c)
        .await?;
    Ok(())
}

#[derive(Debug, Clone, PartialEq)]
pub struct CheckoutRow {
    pub id: i64,
    pub unit_id: i64,
    pub unit_path: String,
    pub gun_id: i64,
    pub gun_label: String,
    pub ammo_id: Option<i64>,
    pub rounds_out: i64,
    pub purpose: String,
    pub requester_id: i64,
    pub requester_name: String,
    pub requested_by: i64,
    pub requested_at: i64,
    pub status: String,
    pub approver_id: Option<i64>,
    pub approver_name: Option<String>,
    pub decision_note: Option<String>,
    pub issuer_id: Option<i64>,
    pub issued_at: Option<i64>,
    pub returned_at: Option<i64>,
    pub rounds_back: Option<i64>,
    pub return_note: Option<String>,
    pub discrepancy: bool,
}

const CHECKOUT: &str = "SELECT k.*, u.path AS unit_path, g.label AS gun_label, q.name AS requester_name, \
    p.name AS approver_name FROM arms_checkouts k JOIN units u ON u.id = k.unit_id JOIN arms g ON g.id = k.gun_id \
    JOIN staff q ON q.id = k.requester_id LEFT JOIN staff p ON p.id = k.approver_id";

fn checkout(r: &sqlx::any::AnyRow) -> Result<CheckoutRow> {
    Ok(CheckoutRow {
        id: r.try_get("id")?,
        unit_id: r.try_get("unit_id")?,
        unit_path: r.try_get("unit_path")?,
        gun_id: r.try_get("gun_id")?,
        gun_label: r.try_get("gun_label")?,
        ammo_id: opt_i64(r, "ammo_id")?,
        rounds_out: r.try_get("rounds_out")?,
        purpose: r.try_get("purpose")?,
        requester_id: r.try_get("requester_id")?,
        requester_name: r.try_get("requester_name")?,
        requested_by: r.try_get("requested_by")?,
        requested_at: r.try_get("requested_at")?,
        status: r.try_get("status")?,
        approver_id: opt_i64(r, "approver_id")?,
        approver_name: r.try_get("approver_name")?,
        decision_note: r.try_get("decision_note")?,
        issuer_id: opt_i64(r, "issuer_id")?,
        issued_at: opt_i64(r, "issued_at")?,
        returned_at: opt_i64(r, "returned_at")?,
        rounds_back: opt_i64(r, "rounds_back")?,
        return_note: r.try_get("return_note")?,
        discrepancy: r.try_get::<i64, _>("discrepancy")? != 0,
    })
}

pub async fn checkouts_under(c: &mut Conn, path: &str, limit: i64) -> Result<Vec<CheckoutRow>> {
    let sql = format!("{CHECKOUT} WHERE u.path LIKE $1 || '%' ORDER BY k.requested_at DESC, k.id DESC LIMIT $2");
    sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(path)
        .bind(limit)
        .fetch_all(&mut *c)
        .await?
        .iter()
        .map(checkout)
        .collect()
}

pub async fn checkout_by_id(c: &mut Conn, id: i64) -> Result<Option<CheckoutRow>> {
    let sql = format!("{CHECKOUT} WHERE k.id = $1");
    sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(&mut *c).await?.as_ref().map(checkout).transpose()
}

pub struct NewCheckout<'a> {
    pub unit: i64,
    pub gun: i64,
    pub ammo: Option<i64>,
    pub rounds_out: i64,
    pub purpose: &'a str,
    pub requester: i64,
    pub by: i64,
    pub now: i64,
}

pub async fn insert_checkout(c: &mut Conn, n: NewCheckout<'_>) -> Result<i64> {
    sqlx::query(
        "INSERT INTO arms_checkouts (unit_id, gun_id, ammo_id, rounds_out, purpose, requester_id, requested_by, requested_at, \
         status, discrepancy) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'requested', 0) RETURNING id",
    )
    .bind(n.unit)
    .bind(n.gun)
    .bind(n.ammo)
    .bind(n.rounds_out)
    .bind(n.purpose)
    .bind(n.requester)
    .bind(n.by)
    .bind(n.now)
    .fetch_one(&mut *c)
    .await?
    .try_get("id")
}

pub async fn decide(
    c: &mut Conn,
    id: i64,
    status: &str,
    approver: i64,
    by: i64,
    note: Option<&str>,
    now: i64,
) -> Result<()> {
    sqlx::query(
        "UPDATE arms_checkouts SET status = $2, approver_id = $3, decided_by = $4, decision_note = $5, decided_at = $6 \
         WHERE id = $1 AND status = 'requested'",
    )
    .bind(id)
    .bind(status)
    .bind(approver)
    .bind(by)
    .bind(note)
    .bind(now)
    .execute(&mut *c)
    .await?;
    Ok(())
}

/// Issue an approved checkout; false when it was no longer approved (issued twice at once).
pub async fn issue(c: &mut Conn, id: i64, issuer: i64, now: i64) -> Result<bool> {
    let r = sqlx::query(
        "UPDATE arms_checkouts SET status = 'issued', issuer_id = $2, issued_at = $3 WHERE id = $1 AND status = 'approved'",
    )
    .bind(id)
    .bind(issuer)
    .bind(now)
    .execute(&mut *c)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// Take a gun out of store; false when it is not in store (issued on another checkout).
pub async fn take_out(c: &mut Conn, gun: i64, now: i64) -> Result<bool> {
    let r = sqlx::query("UPDATE arms SET status = 'issued', updated_at = $2 WHERE id = $1 AND status = 'in_store'")
        .bind(gun)
        .bind(now)
        .execute(&mut *c)
        .await?;
    Ok(r.rows_affected() == 1)
}

/// Record a return; false when the checkout was no longer out (returned twice at once).
pub async fn give_back(
    c: &mut Conn,
    id: i64,
    rounds_back: i64,
    note: Option<&str>,
    discrepancy: bool,
    now: i64,
) -> Result<bool> {
    let r = sqlx::query(
        "UPDATE arms_checkouts SET status = 'returned', returned_at = $2, rounds_back = $3, return_note = $4, discrepancy = $5 \
         WHERE id = $1 AND status = 'issued'",
    )
    .bind(id)
    .bind(now)
    .bind(rounds_back)
    .bind(note)
    .bind(crate::b(discrepancy))
    .execute(&mut *c)
    .await?;
    Ok(r.rows_affected() == 1)
}
