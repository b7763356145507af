//! Cash-in-transit escort (ESC-1..3): vans registered as dedicated armoured vans; trips with crew, kit, stops and
//! the cash boxes to deliver or collect at each; every box handed over with both sides signed in (双向交接); events
//! on the way against the emergency plan; a trip closes only when every box is accounted for.
use crate::audit::{self, Entity};
use crate::auth::AuthPolicy;
use crate::confirm::{self, SecondSignIn};
use crate::error::invalid;
use crate::{AppError, AppResult, Ctx};
use anbao_domain::DomainError;
use anbao_domain::access::Permission;
use anbao_domain::escort::{CrewMember, TripStatus, crew_problems, event_kind};
use anbao_domain::ids::{StaffId, UnitId};
use anbao_domain::period::Day;
use anbao_domain::staff::Position;
use anbao_store::Db;
use anbao_store::escort::{self as store, BoxRow, EventRow, NewTrip, TripRow, VanRow};

const VAN_RULE: &str =
    "运钞现金，必须使用专用运钞车，严禁公务车代用（篇五《全省农村信用社2012年安全保卫工作安排意见》五）";
/// The violation of `rulebook/accountability.toml` a traffic check without verified officers is proposed as.
const POLICE_UNVERIFIED: &str = "escort_police_unverified";
const KIT_RULE: &str = "押运人员必须持公安部门统一配发的防暴枪支，必须着防弹衣、戴防弹头盔（篇五 五）";

pub async fn register_van(db: &Db, ctx: &Ctx, unit: i64, plate: &str, model: &str, armoured: bool) -> AppResult<i64> {
    let plate = anbao_domain::text::bounded("plate", "车牌号", "Plate", plate, 16)?;
    let model = anbao_domain::text::bounded("model", "车型", "Model", model, 40)?;
    let mut tx = db.begin().await?;
    let u = anbao_store::org::get(&mut tx, UnitId::new(unit)).await?.ok_or(AppError::NotFound)?;
    ctx.must(Permission::OrgWrite, &u.path)?;
    let id = store::insert_van(&mut tx, unit, &plate, &model, armoured, ctx.now).await.map_err(|e| {
        if anbao_store::is_unique_violation(&e) {
            AppError::Conflict(DomainError::new("plate", "该车牌已登记", "that plate is already registered"))
        } else {
            e.into()
        }
    })?;
    audit::record(&mut tx, ctx.into(), "escort.van", Entity::Row("vans", id), Some(u.id), None).await?;
    tx.commit().await?;
    Ok(id)
}

/// One stop: the outlet and the box numbers to deliver there and to collect there.
#[derive(Debug, Clone, Default, serde::Deserialize, serde::Serialize)]
pub struct StopInput {
    pub unit_id: i64,
    #[serde(default)]
    pub deliver: Vec<String>,
    #[serde(default)]
    pub collect: Vec<String>,
}

#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct TripInput {
    pub unit_id: Option<i64>,
    /// The van, by plate: a plate not registered as a dedicated armoured van is refused.
    pub plate: Option<String>,
    pub day: Option<Day>,
    pub route: Option<String>,
    #[serde(default)]
    pub crew: Vec<CrewInput>,
    #[serde(default)]
    pub stops: Vec<StopInput>,
}

#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct CrewInput {
    pub staff_id: i64,
    pub role: String,
    #[serde(default)]
    pub gun: bool,
    #[serde(default)]
    pub armour: bool,
    #[serde(default)]
    pub helmet: bool,
}

pub async fn plan_trip(db: &Db, ctx: &Ctx, input: &TripInput) -> AppResult<i64> {
    let unit = input.unit_id.ok_or_else(|| invalid("unit_id", "请选择押运单位", "choose the unit"))?;
    let plate = input.plate.as_deref().map(str::trim).unwrap_or_default();
    let route = anbao_domain::text::bounded("route", "线路", "Route", input.route.as_deref().unwrap_or_default(), 200)?;
    let day = input.day.unwrap_or_else(|| anbao_domain::period::day_of_ms(ctx.now));
    let guard_rule = crate::guards::rule(db, ctx.now).await?;
    let mut tx = db.begin().await?;
    let u = anbao_store::org::get(&mut tx, UnitId::new(unit)).await?.ok_or(AppError::NotFound)?;
    ctx.must(Permission::RecordWrite, &u.path)?;
    let van = store::van_by_plate(&mut tx, plate).await?;
    // The van is registered at the trip's unit or above it, as a dedicated armoured van, and in service.
    let van: VanRow = match van {
        Some(v) if v.active && v.dedicated_armoured && u.path.starts_with(&v.unit_path) => v,
        _ => {
            return Err(invalid(
                "plate",
                format!("车辆“{plate}”不是本单位已登记的专用运钞车：{VAN_RULE}"),
                "only a registered dedicated armoured van may carry cash",
            ));
        }
    };
    if input.crew.is_empty() {
        return Err(invalid("crew", "请填写押运人员", "name the crew"));
    }
    let mut crew = Vec::new();
    for c in &input.crew {
        let s = anbao_store::staff::get(&mut tx, StaffId::new(c.staff_id)).await?.filter(|s| s.active);
        let s = s
            .filter(|s| s.unit_path.starts_with(&u.path))
            .ok_or_else(|| invalid("crew", "押运人员须是本单位在岗员工", "crew must be active staff of this unit"))?;
        let role = if c.role == "driver" { "driver" } else { "escort" };
        let post = if role == "driver" { Position::Driver } else { Position::Guard };
        if !s.positions.contains(&post) {
            return Err(invalid(
                "crew",
                format!(
                    "{}不是{}，不能担任此职",
                    s.name,
                    if role == "driver" { "运钞车驾驶员" } else { "守押人员（经警）" }
                ),
                "a crew member does not hold the post",
            ));
        }
        if crew.iter().any(|m: &CrewMember| m.staff_id == c.staff_id) {
            return Err(invalid("crew", format!("{}重复列入", s.name), "a person is listed twice"));
        }
        // ORG-5: an escort rides armed only when vetted, trained, licensed and recently through live fire, on the
        // trip's day.
        if post == Position::Guard {
            crate::guards::must_be_eligible(&mut tx, guard_rule, s.id, &s.name, day).await?;
        }
        crew.push(CrewMember {
            staff_id: c.staff_id,
            name: s.name,
            role: role.into(),
            gun: c.gun,
            armour: c.armour,
            helmet: c.helmet,
        });
    }
    let problems = crew_problems(&crew);
    if !problems.is_empty() {
        return Err(invalid("crew", format!("{}：{KIT_RULE}", problems.join("；")), "the crew is not fully equipped"));
    }
    if input.stops.is_empty() {
        return Err(invalid("stops", "请填写途经网点及款箱", "add the stops and their boxes"));
    }
    let mut seen = std::collections::HashSet::new();
    for s in &input.stops {
        let su = anbao_store::org::get(&mut tx, UnitId::new(s.unit_id)).await?;
        if !su.is_some_and(|x| x.path.starts_with(&u.path)) {
            return Err(invalid("stops", "途经网点须在本单位辖内", "stops must be units below this one"));
        }
        for b in s.deliver.iter().chain(&s.collect) {
            let b = b.trim();
            if b.is_empty() || b.chars().count() > 20 || !seen.insert(b.to_owned()) {
                return Err(invalid(
                    "stops",
                    format!("款箱编号“{b}”为空、过长或重复"),
                    "box numbers: non-empty, unique, ≤20 chars",
                ));
            }
        }
    }
    let crew_json = serde_json::to_string(&crew).map_err(|e| AppError::Internal(e.to_string()))?;
    let stops_json = serde_json::to_string(&input.stops.iter().map(|s| s.unit_id).collect::<Vec<_>>())
        .map_err(|e| AppError::Internal(e.to_string()))?;
    let id = store::insert_trip(
        &mut tx,
        NewTrip {
            unit,
            van: van.id,
            day,
            route: &route,
            crew: &crew_json,
            stops: &stops_json,
            by: ctx.actor.account.get(),
            now: ctx.now,
        },
    )
    .await?;
    audit::record(&mut tx, ctx.into(), "escort.plan", Entity::Row("escort_trips", id), Some(u.id), None).await?;
    for s in &input.stops {
        for (dir, list) in [("deliver", &s.deliver), ("collect", &s.collect)] {
            for b in list {
                let bid = store::insert_box(&mut tx, id, s.unit_id, b.trim(), dir).await?;
                audit::record(&mut tx, ctx.into(), "escort.box", Entity::Row("escort_boxes", bid), Some(u.id), None)
                    .await?;
            }
        }
    }
    tx.commit().await?;
    Ok(id)
}

/// A trip with its boxes and events.
pub struct Trip {
    pub trip: TripRow,
    pub crew: Vec<CrewMember>,
    pub boxes: Vec<BoxRow>,
    pub events: Vec<EventRow>,
}

impl Trip {
    pub fn status(&self) -> TripStatus {
        TripStatus::parse(&self.trip.status).unwrap_or(TripStatus::Closed)
    }

    pub fn open_boxes(&self) -> usize {
        self.boxes.iter().filter(|b| b.handed_at.is_none()).count()
    }
}

pub async fn trips(db: &Db, ctx: &Ctx, unit: UnitId) -> AppResult<(Vec<TripRow>, Vec<VanRow>)> {
    let mut c = db.read().await?;
    let u = anbao_store::org::get(&mut c, unit).await?.ok_or(AppError::NotFound)?;
    ctx.must_see(&u.path)?;
    Ok((store::trips_under(&mut c, &u.path, 100).await?, store::vans_under(&mut c, &u.path).await?))
}

pub async fn trip(db: &Db, ctx: &Ctx, id: i64) -> AppResult<Trip> {
    let mut c = db.read().await?;
    let t = store::trip_by_id(&mut c, id).await?.ok_or(AppError::NotFound)?;
    ctx.must_see(&t.unit_path)?;
    Ok(Trip {
        crew: serde_json::from_str(&t.crew).map_err(|e| AppError::Internal(format!("trip crew: {e}")))?,
        boxes: store::boxes(&mut c, id).await?,
        events: store::events(&mut c, id).await?,
        trip: t,
    })
}

async fn trip_for_write(db: &Db, ctx: &Ctx, id: i64) -> AppResult<Trip> {
    let t = trip(db, ctx, id).await?;
    ctx.must(Permission::RecordWrite, &t.trip.unit_path)?;
    Ok(t)
}

pub async fn depart(db: &Db, ctx: &Ctx, id: i64) -> AppResult<()> {
    let t = trip_for_write(db, ctx, id).await?;
    if t.status() != TripStatus::Planned {
        return Err(AppError::Conflict(DomainError::new("status", "该趟押运已出车", "already departed")));
    }
    let mut tx = db.begin().await?;
    let before = Entity::Row("escort_trips", id).snapshot(&mut tx).await?;
    if !store::set_trip_status(&mut tx, id, "planned", "under_way", ctx.now).await? {
        return Err(AppError::Conflict(DomainError::new("status", "该趟押运已出车", "already departed")));
    }
    let unit = Some(UnitId::new(t.trip.unit_id));
    audit::record(&mut tx, ctx.into(), "escort.depart", Entity::Row("escort_trips", id), unit, before.as_ref()).await?;
    tx.commit().await?;
    Ok(())
}

/// Hand one box over at its stop: a crew member is signed in, a person of the stop's outlet confirms (双向交接).
pub async fn hand_box(
    db: &Db,
    policy: &AuthPolicy,
    ctx: &Ctx,
    trip_id: i64,
    box_id: i64,
    second: &SecondSignIn,
) -> AppResult<()> {
    let t = trip_for_write(db, ctx, trip_id).await?;
    if t.status() != TripStatus::UnderWay {
        return Err(AppError::Conflict(DomainError::new(
            "status",
            "押运未在途中，不能交接款箱",
            "the trip is not under way",
        )));
    }
    let b = t.boxes.iter().find(|b| b.id == box_id).ok_or(AppError::NotFound)?;
    if b.handed_at.is_some() {
        return Err(AppError::Conflict(DomainError::new("box", "该款箱已交接", "this box was already handed over")));
    }
    let pair =
        confirm::second_person(db, policy, ctx, second, "款箱交接须押运人员与网点人员双向交接、当面确认").await?;
    if !t.crew.iter().any(|m| m.staff_id == pair.first.id.get()) {
        return Err(invalid("confirm_username", "交接款箱的一方须是本趟押运人员", "one side must be this trip's crew"));
    }
    // The outlet's side is never the crew's own: one crew member cannot stand for the outlet.
    if t.crew.iter().any(|m| m.staff_id == pair.second.id.get()) {
        return Err(invalid(
            "confirm_username",
            "另一方须是网点人员，不能是本趟押运人员（双向交接）",
            "the other side must be the outlet's, not the crew's",
        ));
    }
    if pair.second.unit_id.get() != b.stop_unit_id {
        return Err(invalid(
            "confirm_username",
            format!("另一方须是{}的员工", b.stop_name),
            "the other side must be staff of the stop's outlet",
        ));
    }
    let mut tx = db.begin().await?;
    let before = Entity::Row("escort_boxes", box_id).snapshot(&mut tx).await?;
    if !store::hand_box(&mut tx, box_id, pair.first.id.get(), pair.second.id.get(), ctx.now).await? {
        return Err(AppError::Conflict(DomainError::new("box", "该款箱已交接", "this box was already handed over")));
    }
    let unit = Some(UnitId::new(b.stop_unit_id));
    audit::record(&mut tx, ctx.into(), "escort.handover", Entity::Row("escort_boxes", box_id), unit, before.as_ref())
        .await?;
    tx.commit().await?;
    Ok(())
}

/// Record an event on the way against a case of the emergency plan; a traffic stop records whether the police
/// officers' identity was verified (预案 第二十三条).
pub async fn record_event(
    db: &Db,
    ctx: &Ctx,
    trip_id: i64,
    kind: &str,
    note: &str,
    police_verified: bool,
) -> AppResult<i64> {
    let t = trip_for_write(db, ctx, trip_id).await?;
    let k = event_kind(kind).ok_or_else(|| invalid("kind", "请选择事件类别", "choose what happened"))?;
    let note = anbao_domain::text::paragraphs("note", "情况说明", "What happened", note, 500)?;
    if t.status() != TripStatus::UnderWay {
        return Err(AppError::Conflict(DomainError::new("status", "押运未在途中", "the trip is not under way")));
    }
    let mut tx = db.begin().await?;
    let id =
        store::insert_event(&mut tx, trip_id, k.code, &note, police_verified, ctx.actor.account.get(), ctx.now).await?;
    let unit = Some(UnitId::new(t.trip.unit_id));
    audit::record(
        &mut tx,
        ctx.into(),
        &format!("escort.event.{}", k.code),
        Entity::Row("escort_events", id),
        unit,
        None,
    )
    .await?;
    // 预案 第二十三条 "注意检查人员身份真假": a traffic check let through without verifying the officers is recorded as
    // it happened and proposed as a violation.
    if k.code == "police_check" && !police_verified {
        let facts = format!("押运车{}途中接受交警检查，未核实检查人员身份：{note}", t.trip.plate);
        let facts: String = facts.chars().take(500).collect();
        // The crew answer for verifying the officers: the escort who recorded it, else the trip's first escort.
        let me = ctx.actor.staff_id.map(|s| s.get());
        let escorts = || t.crew.iter().filter(|m| m.role == "escort").map(|m| m.staff_id);
        let crew = escorts().find(|s| Some(*s) == me).or_else(|| escorts().next());
        let unit = UnitId::new(t.trip.unit_id);
        crate::incident::from_escort_event(&mut tx, ctx, id, POLICE_UNVERIFIED, unit, crew, &facts).await?;
    }
    // Every event on the way is reported (ESC-3): the security department over the trip's unit is told at once.
    confirm::report_to_security(
        &mut tx,
        &t.trip.unit_path,
        &format!("escort-event-{id}"),
        &format!("押运途中情况：{}（{}）", k.label, t.trip.plate),
        &note,
        &format!("/escort/trips/{trip_id}"),
        ctx.now,
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// Close a trip; refused while any box is not accounted for.
pub async fn close(db: &Db, ctx: &Ctx, id: i64) -> AppResult<()> {
    let t = trip_for_write(db, ctx, id).await?;
    if t.status() != TripStatus::UnderWay {
        return Err(AppError::Conflict(DomainError::new(
            "status",
            "只有途中的押运可以结束",
            "only a trip under way can close",
        )));
    }
    let open: Vec<String> =
        t.boxes.iter().filter(|b| b.handed_at.is_none()).map(|b| format!("{}（{}）", b.box_no, b.stop_name)).collect();
    if !open.is_empty() {
        return Err(AppError::Conflict(DomainError::new(
            "boxes",
            format!("尚有款箱未交接，不能结束押运：{}", open.join("、")),
            format!("boxes not yet handed over: {}", open.join(", ")),
        )));
    }
    let mut tx = db.begin().await?;
    let before = Entity::Row("escort_trips", id).snapshot(&mut tx).await?;
    // Counted again inside the transaction, so a box handed over or added meanwhile is seen.
    if store::open_boxes(&mut tx, id).await? > 0
        || !store::set_trip_status(&mut tx, id, "under_way", "closed", ctx.now).await?
    {
        return Err(AppError::Conflict(DomainError::new(
            "boxes",
            "尚有款箱未交接或押运状态已变化，不能结束押运",
            "boxes are outstanding or the trip changed",
        )));
    }
    let unit = Some(UnitId::new(t.trip.unit_id));
    audit::record(&mut tx, ctx.into(), "escort.close", Entity::Row("escort_trips", id), unit, before.as_ref()).await?;
    tx.commit().await?;
    Ok(())
}
