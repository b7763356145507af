//! Vans, escort trips, the cash boxes handed over at each stop, and events on the way.
use crate::{Conn, Result, opt_i64};
use sqlx::Row;

#[derive(Debug, Clone, PartialEq)]
pub struct VanRow {
    pub id: i64,
    pub unit_id: i64,
    pub unit_path: String,
    pub plate: String,
    pub model: String,
    pub dedicated_armoured: bool,
    pub active: bool,
}

fn van(r: &sqlx::any::AnyRow) -> Result<VanRow> {
    Ok(VanRow {
        id: r.try_get("id")?,
        unit_id: r.try_get("unit_id")?,
        unit_path: r.try_get("unit_path")?,
        plate: r.try_get("plate")?,
        model: r.try_get("model")?,
        dedicated_armoured: r.try_get::<i64, _>("dedicated_armoured")? != 0,
        active: r.try_get::<i64, _>("active")? != 0,
    })
}

const VAN: &str = "SELECT v.*, u.path AS unit_path FROM vans v JOIN units u ON u.id = v.unit_id";

pub async fn vans_under(c: &mut Conn, path: &str) -> Result<Vec<VanRow>> {
    let sql = format!("{VAN} WHERE u.path LIKE $1 || '%' ORDER BY v.plate");
    sqlx::query(sqlx::AssertSqlSafe(sql)).bind(path).fetch_all(&mut *c).await?.iter().map(van).collect()
}

pub async fn van_by_plate(c: &mut Conn, plate: &str) -> Result<Option<VanRow>> {
    let sql = format!("{VAN} WHERE v.plate = $1");
    sqlx::query(sqlx::AssertSqlSafe(sql)).bind(plate).fetch_optional(&mut *c).await?.as_ref().map(van).transpose()
}

pub async fn insert_van(c: &mut Conn, unit: i64, plate: &str, model: &str, armoured: bool, now: i64) -> Result<i64> {
    sqlx::query(
        "INSERT INTO vans (unit_id, plate, model, dedicated_armoured, active, created_at) VALUES ($1, $2, $3, $4, 1, $5) RETURNING id",
    )
    .bind(unit)
    .bind(plate)
    .bind(model)
    .bind(crate::b(armoured))
    .bind(now)
    .fetch_one(&mut *c)
    .await?
    .try_get("id")
}

#[derive(Debug, Clone, PartialEq)]
pub struct TripRow {
    pub id: i64,
    pub unit_id: i64,
    pub unit_name: String,
    pub unit_path: String,
    pub van_id: i64,
    pub plate: String,
    pub day: i64,
    pub route: String,
    pub crew: String,
    pub stops: String,
    pub status: String,
    pub departed_at: Option<i64>,
    pub closed_at: Option<i64>,
}

const TRIP: &str = "SELECT t.id, t.unit_id, u.name AS unit_name, u.path AS unit_path, t.van_id, v.plate, t.day, t.route, \
    t.crew, t.stops, t.status, t.departed_at, t.closed_at FROM escort_trips t JOIN units u ON u.id = t.unit_id \
    JOIN vans v ON v.id = t.van_id";

fn trip(r: &sqlx::any::AnyRow) -> Result<TripRow> {
    Ok(TripRow {
        id: r.try_get("id")?,
        unit_id: r.try_get("unit_id")?,
        unit_name: r.try_get("unit_name")?,
        unit_path: r.try_get("unit_path")?,
        van_id: r.try_get("van_id")?,
        plate: r.try_get("plate")?,
        day: r.try_get("day")?,
        route: r.try_get("route")?,
        crew: r.try_get("crew")?,
        stops: r.try_get("stops")?,
        status: r.try_get("status")?,
        departed_at: opt_i64(r, "departed_at")?,
        closed_at: opt_i64(r, "closed_at")?,
    })
}

pub async fn trips_under(c: &mut Conn, path: &str, limit: i64) -> Result<Vec<TripRow>> {
    let sql = format!("{TRIP} WHERE u.path LIKE $1 || '%' ORDER BY t.day DESC, t.id DESC LIMIT $2");
    sqlx::query(sqlx::AssertSqlSafe(sql)).bind(path).bind(limit).fetch_all(&mut *c).await?.iter().map(trip).collect()
}

pub async fn trip_by_id(c: &mut Conn, id: i64) -> Result<Option<TripRow>> {
    let sql = format!("{TRIP} WHERE t.id = $1");
    sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(&mut *c).await?.as_ref().map(trip).transpose()
}

pub struct NewTrip<'a> {
    pub unit: i64,
    pub van: i64,
    pub day: i64,
    pub route: &'a str,
    pub crew: &'a str,
    pub stops: &'a str,
    pub by: i64,
    pub now: i64,
}

pub async fn insert_trip(c: &mut Conn, n: NewTrip<'_>) -> Result<i64> {
    sqlx::query(
        "INSERT INTO escort_trips (unit_id, van_id, day, route, crew, stops, status, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, 'planned', $7, $8) RETURNING id",
    )
    .bind(n.unit)
    .bind(n.van)
    .bind(n.day)
    .bind(n.route)
    .bind(n.crew)
    .bind(n.stops)
    .bind(n.by)
    .bind(n.now)
    .fetch_one(&mut *c)
    .await?
    .try_get("id")
}

/// Move a trip from `from` to `status`; false when it was no longer in `from` (someone else moved it first).
pub async fn set_trip_status(c: &mut Conn, id: i64, from: &str, status: &str, now: i64) -> Result<bool> {
    let col = if status == "closed" { "closed_at" } else { "departed_at" };
    let r = sqlx::query(sqlx::AssertSqlSafe(format!(
        "UPDATE escort_trips SET status = $2, {col} = $3 WHERE id = $1 AND status = $4"
    )))
    .bind(id)
    .bind(status)
    .bind(now)
    .bind(from)
    .execute(&mut *c)
    .await?;
    Ok(r.rows_affected() == 1)
}

#[derive(Debug, Clone, PartialEq)]
pub struct BoxRow {
    pub id: i64,
    pub trip_id: i64,
    pub stop_unit_id: i64,
    pub stop_name: String,
    pub box_no: String,
    pub direction: String,
    pub crew_name: Option<String>,
    pub outlet_name: Option<String>,
    pub handed_at: Option<i64>,
}

pub async fn boxes(c: &mut Conn, trip: i64) -> Result<Vec<BoxRow>> {
    sqlx::query(
        "SELECT b.id, b.trip_id, b.stop_unit_id, u.name AS stop_name, b.box_no, b.direction, cs.name AS crew_name, \
         os.name AS outlet_name, b.handed_at FROM escort_boxes b JOIN units u ON u.id = b.stop_unit_id \
         LEFT JOIN staff cs ON cs.id = b.crew_staff LEFT JOIN staff os ON os.id = b.outlet_staff \
         WHERE b.trip_id = $1 ORDER BY b.id",
    )
    .bind(trip)
    .fetch_all(&mut *c)
    .await?
    .iter()
    .map(|r| {
        Ok(BoxRow {
            id: r.try_get("id")?,
            trip_id: r.try_get("trip_id")?,
            stop_unit_id: r.try_get("stop_unit_id")?,
            stop_name: r.try_get("stop_name")?,
            box_no: r.try_get("box_no")?,
            direction: r.try_get("direction")?,
            crew_name: r.try_get("crew_name")?,
            outlet_name: r.try_get("outlet_name")?,
            handed_at: opt_i64(r, "handed_at")?,
        })
    })
    .collect()
}

pub async fn insert_box(c: &mut Conn, trip: i64, stop: i64, box_no: &str, direction: &str) -> Result<i64> {
    sqlx::query(
        "INSERT INTO escort_boxes (trip_id, stop_unit_id, box_no, direction) VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(trip)
    .bind(stop)
    .bind(box_no)
    .bind(direction)
    .fetch_one(&mut *c)
    .await?
    .try_get("id")
}

/// Mark a box handed over; false when it already was (two phones at once).
pub async fn hand_box(c: &mut Conn, id: i64, crew: i64, outlet: i64, now: i64) -> Result<bool> {
    let r = sqlx::query(
        "UPDATE escort_boxes SET crew_staff = $2, outlet_staff = $3, handed_at = $4 WHERE id = $1 AND handed_at IS NULL",
    )
    .bind(id)
    .bind(crew)
    .bind(outlet)
    .bind(now)
    .execute(&mut *c)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// Boxes of a trip not yet handed over, read inside the caller's transaction.
pub async fn open_boxes(c: &mut Conn, trip: i64) -> Result<i64> {
    sqlx::query("SELECT COUNT(*) AS n FROM escort_boxes WHERE trip_id = $1 AND handed_at IS NULL")
        .bind(trip)
        .fetch_one(&mut *c)
        .await?
        .try_get("n")
}

#[derive(Debug, Clone, PartialEq)]
pub struct EventRow {
    pub id: i64,
    pub kind: String,
    pub at: i64,
    pub note: String,
    pub police_verified: bool,
}

pub async fn events(c: &mut Conn, trip: i64) -> Result<Vec<EventRow>> {
    sqlx::query("SELECT id, kind, at, note, police_verified FROM escort_events WHERE trip_id = $1 ORDER BY at, id")
        .bind(trip)
        .fetch_all(&mut *c)
        .await?
        .iter()
        .map(|r| {
            Ok(EventRow {
                id: r.try_get("id")?,
                kind: r.try_get("kind")?,
                at: r.try_get("at")?,
                note: r.try_get("note")?,
                police_verified: r.try_get::<i64, _>("police_verified")? != 0,
            })
        })
        .collect()
}

pub async fn insert_event(
    c: &mut Conn,
    trip: i64,
    kind: &str,
    note: &str,
    police: bool,
    by: i64,
    now: i64,
) -> Result<i64> {
    sqlx::query(
        "INSERT INTO escort_events (trip_id, kind, at, note, police_verified, recorded_by) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(trip)
    .bind(kind)
    .bind(now)
    .bind(note)
    .bind(crate::b(police))
    .bind(by)
    .fetch_one(&mut *c)
    .await?
    .try_get("id")
}
