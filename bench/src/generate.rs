//! `anbao bench generate`: a realistic province (1 union, 14 regional centres, 90 county unions, 450 cooperatives,
//! 2,500 outlets, 3,000 ATMs, 2,500 vaults, ~25,000 staff) and a year of records (~6.5 million ATM patrols,
//! 0.9 million CCTV checks and duty logs, weekly playback reviews, monthly inspections, drills, meetings, reviews),
//! scaled by a factor. Rows go in as multi-row inserts with ids assigned here, records are audited per batch
//! (a hash over every row's hash) and their day counts are inserted as computed, so the result is exactly what
//! the application would have written, only faster.
use anbao_app::{AppError, AppResult};
use anbao_domain::period::{self, Day};
use anbao_store::audit::OwnedEvent;
use anbao_store::records::{DayCount, RecordFields, snapshot_value};
use anbao_store::{Backend, Db};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use sha2::{Digest, Sha256};
use std::collections::HashMap;

/// How big a province to make: 1.0 is the province of the requirements.
#[derive(Debug, Clone, Copy)]
pub struct Shape {
    pub regions: usize,
    pub counties: usize,
    pub coops: usize,
    pub outlets: usize,
    /// Outlets with a second ATM.
    pub second_atms: usize,
}

impl Shape {
    pub fn scaled(f: f64) -> Shape {
        let n = |x: f64| ((x * f).round() as usize).max(1);
        Shape {
            regions: n(14.0),
            counties: n(90.0),
            coops: n(450.0),
            outlets: n(2500.0),
            second_atms: ((500.0 * f).round() as usize),
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct Report {
    pub units: usize,
    pub staff: usize,
    pub assets: usize,
    pub records: usize,
    pub seconds: f64,
}

struct Unit {
    id: i64,
    parent: Option<i64>,
    kind: &'static str,
    name: String,
    path: String,
}

struct Person {
    id: i64,
    unit: i64,
    positions: &'static str,
    employment: &'static str,
    key: bool,
}

const SURNAMES: &[char] = &[
    '王', '李', '张', '刘', '陈', '杨', '赵', '黄', '周', '吴', '徐', '孙', '胡', '朱', '高', '林', '何', '郭', '马',
    '罗',
];
const GIVEN: &[char] = &[
    '建', '国', '志', '强', '秀', '英', '丽', '华', '军', '伟', '芳', '敏', '静', '磊', '洋', '艳', '勇', '杰', '娟',
    '涛',
];

async fn insert_rows(db: &Db, table: &str, cols: &[&str], rows: Vec<Vec<Val>>) -> AppResult<()> {
    // sqlx looks up every `$n` parameter by name, which costs quadratically in the parameters of a statement:
    // a few hundred per statement is the sweet spot.
    let per = (960 / cols.len()).max(1);
    for chunk in rows.chunks(per) {
        let mut tx = db.begin().await?;
        let mut sql = format!("INSERT INTO {table} ({}) VALUES ", cols.join(", "));
        for i in 0..chunk.len() {
            if i > 0 {
                sql.push(',');
            }
            let ps: Vec<String> = (0..cols.len()).map(|j| placeholder(db, i * cols.len() + j + 1)).collect();
            sql.push_str(&format!("({})", ps.join(", ")));
        }
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for row in chunk {
            for v in row {
                q = match v {
                    Val::I(x) => q.bind(*x),
                    Val::N(x) => q.bind(*x),
                    Val::T(x) => q.bind(x.clone()),
                };
            }
        }
        q.execute(&mut *tx).await?;
        tx.commit().await?;
    }
    Ok(())
}

/// A bind placeholder. SQLite takes anonymous `?` in order, which sqlx binds without looking each one up by
/// name (a lookup that is quadratic in the parameters of a statement); PostgreSQL needs `$n`.
fn placeholder(db: &Db, n: usize) -> String {
    match db.backend() {
        Backend::Sqlite => "?".into(),
        Backend::Postgres => format!("${n}"),
    }
}

#[derive(Clone)]
enum Val {
    I(i64),
    N(Option<i64>),
    T(String),
}

/// Append per-row audit events for rows just inserted in bulk, from their canonical snapshots.
async fn audit_rows(db: &Db, entity: &str, rows: Vec<(String, serde_json::Value)>, now: i64) -> AppResult<()> {
    let events: Vec<OwnedEvent> = rows
        .into_iter()
        .map(|(id, v)| {
            let s = v.to_string();
            OwnedEvent {
                at_ms: now,
                actor: None,
                unit: None,
                action: format!("{entity}.generate"),
                entity: entity.into(),
                entity_id: id,
                row_hash: Some(anbao_domain::audit::row_hash(&s)),
                after: Some(s),
            }
        })
        .collect();
    for chunk in events.chunks(5000) {
        let mut tx = db.begin().await?;
        anbao_store::audit::append_many(&mut tx, chunk).await?;
        tx.commit().await?;
    }
    Ok(())
}

/// Fill an empty database with a province of the given shape and `days` days of records ending yesterday.
pub async fn generate(
    db: &Db,
    shape: Shape,
    days: i64,
    now: i64,
    password: &str,
    progress: &dyn Fn(&str),
) -> AppResult<Report> {
    let started = std::time::Instant::now();
    {
        let mut c = db.read().await?;
        if anbao_store::org::count(&mut c).await? > 0 {
            return Err(AppError::Invalid(anbao_domain::DomainError::new(
                "db",
                "数据库不是空的：请使用新数据库生成",
                "the database is not empty",
            )));
        }
    }
    anbao_app::rulebook::load_default(db, now).await?;
    let mut rng = StdRng::seed_from_u64(7);
    // The tree.
    let mut units: Vec<Unit> = Vec::new();
    let add = |parent: Option<usize>, kind: &'static str, name: String, units: &mut Vec<Unit>| -> usize {
        let id = units.len() as i64 + 1;
        let path = match parent {
            Some(p) => format!("{}{id}/", units[p].path),
            None => format!("/{id}/"),
        };
        units.push(Unit { id, parent: parent.map(|p| units[p].id), kind, name, path });
        units.len() - 1
    };
    let province = add(None, "province", "云岭省农村信用社联合社".into(), &mut units);
    add(Some(province), "department", "保卫部".into(), &mut units);
    let regions: Vec<usize> = (0..shape.regions)
        .map(|i| add(Some(province), "regional_centre", format!("第{}区域稽核审计中心", i + 1), &mut units))
        .collect();
    let counties: Vec<usize> = (0..shape.counties)
        .map(|i| add(Some(regions[i % regions.len()]), "county", format!("{}县农村信用合作联社", i + 1), &mut units))
        .collect();
    let mut county_dept = Vec::new();
    for c in &counties {
        county_dept.push(add(Some(*c), "department", "保卫部".into(), &mut units));
    }
    let coops: Vec<usize> = (0..shape.coops)
        .map(|i| add(Some(counties[i % counties.len()]), "cooperative", format!("第{}信用社", i + 1), &mut units))
        .collect();
    let outlets: Vec<usize> = (0..shape.outlets)
        .map(|i| add(Some(coops[i % coops.len()]), "outlet", format!("第{}营业网点", i + 1), &mut units))
        .collect();
    let rows: Vec<Vec<Val>> = units
        .iter()
        .map(|u| {
            let depth = u.path.matches('/').count() as i64 - 1;
            vec![
                Val::I(u.id),
                Val::N(u.parent),
                Val::T(u.kind.into()),
                Val::T(u.name.clone()),
                Val::T(u.path.clone()),
                Val::I(depth),
                Val::I(now),
                Val::I(now),
            ]
        })
        .collect();
    insert_rows(db, "units", &["id", "parent_id", "kind", "name", "path", "depth", "created_at", "updated_at"], rows)
        .await?;
    progress(&format!("units: {}", units.len()));
    // People: a full outlet team, leaders and security staff above.
    let mut people: Vec<Person> = Vec::new();
    let hire = |unit: usize, positions: &'static str, key: bool, people: &mut Vec<Person>, rng: &mut StdRng| {
        let employment = if key || rng.random_bool(0.85) { "formal" } else { "approved_contract" };
        people.push(Person { id: people.len() as i64 + 1, unit: units[unit].id, positions, employment, key });
    };
    for &o in &outlets {
        hire(o, ",director,", true, &mut people, &mut rng);
        hire(o, ",teller,cctv_admin,", true, &mut people, &mut rng);
        for _ in 0..4 {
            hire(o, ",teller,", false, &mut people, &mut rng);
        }
        hire(o, ",vault_keeper,", true, &mut people, &mut rng);
        hire(o, ",vault_keeper,atm_admin,", true, &mut people, &mut rng);
        hire(o, ",security_officer,", false, &mut people, &mut rng);
    }
    for (i, &c) in counties.iter().enumerate() {
        hire(c, ",chairman,", true, &mut people, &mut rng);
        hire(c, ",deputy_in_charge,", true, &mut people, &mut rng);
        for _ in 0..2 {
            hire(county_dept[i], ",security_officer,", true, &mut people, &mut rng);
        }
        for _ in 0..4 {
            hire(county_dept[i], ",guard,", true, &mut people, &mut rng);
        }
    }
    for &c in &coops {
        hire(c, ",director,", true, &mut people, &mut rng);
        hire(c, ",deputy_in_charge,security_officer,", true, &mut people, &mut rng);
    }
    for &r in &regions {
        hire(r, ",director,", true, &mut people, &mut rng);
        hire(r, ",deputy_in_charge,", true, &mut people, &mut rng);
    }
    let rows: Vec<Vec<Val>> = people
        .iter()
        .map(|p| {
            let name: String = [
                SURNAMES[rng.random_range(0..SURNAMES.len())],
                GIVEN[rng.random_range(0..GIVEN.len())],
                GIVEN[rng.random_range(0..GIVEN.len())],
            ]
            .iter()
            .collect();
            vec![
                Val::I(p.id),
                Val::I(p.unit),
                Val::T(format!("P{:06}", p.id)),
                Val::T(name),
                Val::T(p.positions.into()),
                Val::T(p.employment.into()),
                Val::I(i64::from(p.key)),
                Val::I(1),
                Val::I(now),
                Val::I(now),
            ]
        })
        .collect();
    insert_rows(
        db,
        "staff",
        &[
            "id",
            "unit_id",
            "staff_no",
            "name",
            "positions",
            "employment",
            "key_position",
            "active",
            "created_at",
            "updated_at",
        ],
        rows,
    )
    .await?;
    {
        let mut tx = db.begin().await?;
        sqlx::query(
            "UPDATE units SET first_responsible_id = (SELECT MIN(s.id) FROM staff s WHERE s.unit_id = units.id AND s.positions IN (',director,', ',chairman,')) \
             WHERE kind IN ('outlet', 'cooperative', 'county', 'regional_centre')",
        )
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
    }
    progress(&format!("staff: {}", people.len()));
    // Assets: a vault and a CCTV system per outlet, one ATM (two at busy outlets).
    let mut assets: Vec<(i64, i64, &'static str, String)> = Vec::new();
    for (i, &o) in outlets.iter().enumerate() {
        let uid = units[o].id;
        for (kind, code) in [("vault", "VLT"), ("cctv", "CCTV")] {
            assets.push((assets.len() as i64 + 1, uid, kind, format!("{code}-{:05}", i + 1)));
        }
        let n = if i < shape.second_atms { 2 } else { 1 };
        for k in 1..=n {
            assets.push((assets.len() as i64 + 1, uid, "atm", format!("ATM-{:05}-{k}", i + 1)));
        }
    }
    let rows: Vec<Vec<Val>> = assets
        .iter()
        .map(|(id, u, kind, code)| {
            vec![
                Val::I(*id),
                Val::I(*u),
                Val::T((*kind).into()),
                Val::T(code.clone()),
                Val::T(code.clone()),
                Val::I(1),
                Val::I(now),
                Val::I(now),
            ]
        })
        .collect();
    insert_rows(db, "assets", &["id", "unit_id", "kind", "code", "name", "active", "created_at", "updated_at"], rows)
        .await?;
    if db.backend() == Backend::Postgres {
        let mut tx = db.begin().await?;
        for t in ["units", "staff", "assets"] {
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "SELECT setval(pg_get_serial_sequence('{t}', 'id'), (SELECT MAX(id) FROM {t}))"
            )))
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
    }
    {
        let mut c = db.read().await?;
        let u = anbao_store::org::snapshot_rows(&mut c, None).await?;
        let s = anbao_store::staff::snapshot_rows(&mut c, None).await?;
        let a = anbao_store::assets::snapshot_rows(&mut c, None).await?;
        drop(c);
        audit_rows(db, "unit", u, now).await?;
        audit_rows(db, "staff", s, now).await?;
        audit_rows(db, "asset", a, now).await?;
    }
    progress(&format!("assets: {}", assets.len()));
    // Accounts for the benchmarks: the whole tree, a county, an outlet.
    let first_county = units[counties[0]].id;
    let first_outlet = units[outlets[0]].id;
    for (user, role, unit) in [
        ("bench.admin", anbao_domain::access::Role::Admin, None),
        ("bench.province", anbao_domain::access::Role::Security, Some(1)),
        ("bench.county", anbao_domain::access::Role::Security, Some(first_county)),
        ("bench.outlet", anbao_domain::access::Role::UnitHead, Some(first_outlet)),
        ("bench.teller", anbao_domain::access::Role::Staff, Some(first_outlet)),
    ] {
        anbao_app::accounts::create(
            db,
            None,
            now,
            anbao_app::accounts::AccountInput {
                username: user.into(),
                display_name: user.into(),
                password: password.into(),
                staff_id: None,
                grants: vec![(role, unit.map(anbao_domain::ids::UnitId::new))],
                must_change_password: false,
            },
        )
        .await?;
    }
    // A year of records, day by day, flushed in batches.
    let today = period::day_of_ms(now);
    let deferred = defer_indexes(db, &["records", "record_day_counts"]).await?;
    let mut w = Writer::new(db, now).await?;
    let by_unit: HashMap<i64, Vec<&Person>> = people.iter().fold(HashMap::new(), |mut m, p| {
        m.entry(p.unit).or_default().push(p);
        m
    });
    let asset_of: HashMap<(i64, &str), Vec<i64>> = assets.iter().fold(HashMap::new(), |mut m, (id, u, k, _)| {
        m.entry((*u, *k)).or_default().push(*id);
        m
    });
    let holder = |unit: i64, pos: &str| {
        by_unit.get(&unit).and_then(|ps| ps.iter().find(|p| p.positions.contains(pos)).map(|p| p.id))
    };
    for day in (today - days)..today {
        let dow = period::date_of_day(day).weekday().to_monday_zero_offset();
        let (_, _, dd) = period::ymd(day);
        for (oi, &o) in outlets.iter().enumerate() {
            let uid = units[o].id;
            // Outlets ending in 7 skip some night patrols; the rest do six or seven a day, now and then five.
            for &atm in asset_of.get(&(uid, "atm")).map(Vec::as_slice).unwrap_or(&[]) {
                let n = if oi % 10 == 7 && rng.random_bool(0.8) {
                    4
                } else {
                    [6, 6, 6, 6, 6, 7, 7, 5][rng.random_range(0..8)]
                };
                for k in 0..n {
                    w.push(R::new("atm_patrol", uid, Some(atm), day, 8 + k * 2, holder(uid, "atm_admin"), ATM_DATA))
                        .await?;
                }
            }
            if rng.random_bool(0.97) {
                let mut r = R::new("cctv_check", uid, None, day, 8, holder(uid, "cctv_admin"), CCTV_DATA);
                r.value = Some(if oi % 50 == 3 { 21 } else { 45 });
                w.push(r).await?;
            }
            if (dow == 1 || (dow == 4 && oi % 20 != 5)) && rng.random_bool(0.95) {
                let mut r = R::new("cctv_review", uid, None, day, 17, holder(uid, "cctv_admin"), REVIEW_DATA);
                r.subkind = Some("cctv_admin");
                r.position = Some("cctv_admin");
                w.push(r).await?;
            }
            if dow == 0 && rng.random_bool(0.9) {
                let mut r = R::new("cctv_review", uid, None, day, 18, holder(uid, ",director,"), REVIEW_DATA);
                r.subkind = Some("director");
                r.position = Some("director");
                w.push(r).await?;
            }
            if let Some(&vault) = asset_of.get(&(uid, "vault")).and_then(|v| v.first()) {
                let mut r = R::new("duty_log", uid, Some(vault), day, 19, holder(uid, "security_officer"), DUTY_DATA);
                r.second = if oi % 40 == 9 && rng.random_bool(0.1) {
                    holder(uid, ",vault_keeper,")
                } else {
                    holder(uid, ",teller,")
                };
                if r.second == r.performer {
                    r.second = holder(uid, "vault_keeper,atm_admin");
                }
                w.push(r).await?;
            }
            // County security officers inspect each outlet once a month; drills in spring and autumn.
            if dd as usize == 10 + oi % 15 {
                let county = units
                    .iter()
                    .find(|u| {
                        u.path.len() < units[o].path.len() && units[o].path.starts_with(&u.path) && u.kind == "county"
                    })
                    .map(|u| u.id);
                if let Some(c) = county {
                    let dept =
                        units.iter().find(|u| u.parent == Some(c) && u.kind == "department").map(|u| u.id).unwrap_or(c);
                    let mut r =
                        R::new("inspection_visit", c, None, day, 10, holder(dept, "security_officer"), VISIT_DATA);
                    r.subkind = Some("routine");
                    r.position = Some("security_officer");
                    r.target = Some(uid);
                    w.push(r).await?;
                }
            }
            let (_, m, _) = period::ymd(day);
            if dd == 15 && matches!(m, 3 | 4 | 9 | 10) {
                let mut r = R::new("drill", uid, None, day, 16, None, DRILL_DATA);
                r.subkind = Some(if matches!(m, 3 | 9) { "fire" } else { "emergency" });
                w.push(r).await?;
            }
        }
        for &c in &counties {
            if dd == 8 {
                let mut r = R::new("meeting", units[c].id, None, day, 9, None, MEETING_DATA);
                r.subkind = Some("monthly");
                w.push(r).await?;
            }
        }
        for &c in &coops {
            if dd == 24 {
                let mut r = R::new("training", units[c].id, None, day, 15, None, TRAINING_DATA);
                r.value = Some(20);
                w.push(r).await?;
            }
        }
        if (day - (today - days)) % 30 == 0 {
            progress(&format!("records: {} (day {} of {days})", w.total + w.buf.len(), day - (today - days) + 1));
        }
    }
    // Yearly reviews of key posts, most within the year.
    for p in people.iter().filter(|p| p.key) {
        let back = rng.random_range(1..days.max(2) + 20);
        let mut r = R::new("qualification_review", p.unit, None, today - back, 10, None, REVIEW_PASS_DATA);
        r.subkind = Some("pass");
        r.subject = Some(p.id);
        w.push(r).await?;
    }
    let total = w.finish().await?;
    progress(&format!("records: {total}; building {} indexes", deferred.len()));
    restore_indexes(db, deferred).await?;
    let report = Report {
        units: units.len(),
        staff: people.len(),
        assets: assets.len(),
        records: total,
        seconds: started.elapsed().as_secs_f64(),
    };
    Ok(report)
}

const ATM_DATA: &str = r#"{"checks":{"appearance_ok":true,"no_skimmer":true,"notice_ok":true},"result":"normal"}"#;
const CCTV_DATA: &str = r#"{"checks":{"audio_ok":true,"channels_ok":true,"clock_ok":true,"screens_ok":true,"started_before_opening":true,"stopped_after_closing":true}}"#;
const REVIEW_DATA: &str = r#"{"checks":{},"notes":"回放检查正常"}"#;
const DUTY_DATA: &str =
    r#"{"checks":{"alarms_armed":true,"on_time":true,"perimeter_patrol":true,"weapons_checked":true}}"#;
const VISIT_DATA: &str = r#"{"checks":{},"notes":"常规检查"}"#;
const DRILL_DATA: &str = r#"{"checks":{},"plan":"演练方案","deployment":"演练部署","participants":[]}"#;
const MEETING_DATA: &str = r#"{"checks":{},"minutes":"月度安全例会"}"#;
const TRAINING_DATA: &str = r#"{"checks":{},"title":"制度学习","attendees":[]}"#;
const REVIEW_PASS_DATA: &str = r#"{"checks":{},"result":"pass"}"#;

/// A record to write.
struct R {
    kind: &'static str,
    subkind: Option<&'static str>,
    unit: i64,
    asset: Option<i64>,
    performer: Option<i64>,
    position: Option<&'static str>,
    second: Option<i64>,
    subject: Option<i64>,
    target: Option<i64>,
    at: i64,
    day: Day,
    value: Option<i64>,
    data: &'static str,
}

impl R {
    fn new(
        kind: &'static str,
        unit: i64,
        asset: Option<i64>,
        day: Day,
        hour: i64,
        performer: Option<i64>,
        data: &'static str,
    ) -> R {
        R {
            kind,
            subkind: None,
            unit,
            asset,
            performer,
            position: None,
            second: None,
            subject: None,
            target: None,
            at: period::start_ms(day) + hour * 3_600_000,
            day,
            value: None,
            data,
        }
    }
}

/// The secondary indexes of `tables` (and, on SQLite, their row triggers), dropped before a bulk load and made again
/// after it by `restore_indexes`: an index built once from the loaded rows costs a sort, while one kept in step
/// during the load costs a B-tree insert at a random place for every row (most of the load's time on SQLite). The
/// SQL that made each is read back from the database itself, so what is restored is exactly what the migrations
/// made. Only for the generator, on a fresh database.
async fn defer_indexes(db: &Db, tables: &[&str]) -> AppResult<Vec<String>> {
    let mut c = db.read().await?;
    let names = tables.iter().map(|t| format!("'{t}'")).collect::<Vec<_>>().join(",");
    let rows: Vec<(String, String, String)> = if db.backend() == Backend::Sqlite {
        let sql = format!(
            "SELECT type, name, sql FROM sqlite_master WHERE type IN ('index', 'trigger') AND tbl_name IN ({names}) \
             AND sql IS NOT NULL ORDER BY type, name"
        );
        sqlx::query_as(sqlx::AssertSqlSafe(sql)).fetch_all(&mut *c).await?
    } else {
        // Indexes that back a constraint (primary keys, UNIQUE) stay; PostgreSQL's triggers here run per statement.
        let sql = format!(
            "SELECT CAST('index' AS TEXT), CAST(indexname AS TEXT), CAST(indexdef AS TEXT) FROM pg_indexes \
             WHERE tablename IN ({names}) AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conname = indexname) \
             ORDER BY indexname"
        );
        sqlx::query_as(sqlx::AssertSqlSafe(sql)).fetch_all(&mut *c).await?
    };
    let mut recreate = Vec::new();
    for (kind, name, sql) in rows {
        let drop = if kind == "trigger" { format!("DROP TRIGGER {name}") } else { format!("DROP INDEX {name}") };
        sqlx::query(sqlx::AssertSqlSafe(drop)).execute(&mut *c).await?;
        recreate.push(sql);
    }
    Ok(recreate)
}

/// Make again what `defer_indexes` dropped. The record marks a dropped trigger would have kept are counted from the
/// records first (the generator writes no corrections, so one per record is exact).
async fn restore_indexes(db: &Db, recreate: Vec<String>) -> AppResult<()> {
    let mut c = db.read().await?;
    if db.backend() == Backend::Sqlite {
        sqlx::query("PRAGMA cache_size = -262144").execute(&mut *c).await?;
        if recreate.iter().any(|s| s.contains("record_marks")) {
            sqlx::query("DELETE FROM record_marks").execute(&mut *c).await?;
            sqlx::query(
                "INSERT INTO record_marks (kind, local_day, n) SELECT kind, local_day, COUNT(*) FROM records \
                 GROUP BY kind, local_day",
            )
            .execute(&mut *c)
            .await?;
        }
    }
    for sql in recreate {
        sqlx::query(sqlx::AssertSqlSafe(sql)).execute(&mut *c).await?;
    }
    if db.backend() == Backend::Sqlite {
        sqlx::query("PRAGMA cache_size = -32768").execute(&mut *c).await?;
    }
    Ok(())
}

type Key = (&'static str, &'static str, &'static str, i64, i64, Day);

/// Writes records in chunks, one transaction and one batch audit event each, and counts them per day bucket.
struct Writer<'a> {
    db: &'a Db,
    now: i64,
    next_id: i64,
    buf: Vec<R>,
    total: usize,
    buckets: HashMap<Key, (i64, Option<i64>)>,
}

const CHUNK: usize = 10_000;
/// Rows per INSERT statement: sqlx resolves `$n` parameters by name, quadratic in their number per statement.
const ROWS_PER_INSERT: usize = 64;

impl<'a> Writer<'a> {
    async fn new(db: &'a Db, now: i64) -> AppResult<Writer<'a>> {
        Ok(Writer { db, now, next_id: 1, buf: Vec::with_capacity(CHUNK), total: 0, buckets: HashMap::new() })
    }

    async fn push(&mut self, r: R) -> AppResult<()> {
        self.buf.push(r);
        if self.buf.len() >= CHUNK {
            self.flush().await?;
        }
        Ok(())
    }

    async fn flush(&mut self) -> AppResult<()> {
        if self.buf.is_empty() {
            return Ok(());
        }
        let rows = std::mem::take(&mut self.buf);
        let first = self.next_id;
        let mut h = Sha256::new();
        for (i, r) in rows.iter().enumerate() {
            let snap = snapshot_value(&RecordFields {
                id: first + i as i64,
                kind: r.kind,
                subkind: r.subkind,
                unit_id: r.unit,
                asset_id: r.asset,
                performer_id: r.performer,
                performer_position: r.position,
                second_person_id: r.second,
                subject_staff_id: r.subject,
                target_unit_id: r.target,
                occurred_at: r.at,
                local_day: r.day,
                value: r.value,
                data: r.data,
                supersedes_id: None,
            });
            h.update(anbao_domain::audit::row_hash(&snap.to_string()).as_bytes());
            let b = self
                .buckets
                .entry((r.kind, r.subkind.unwrap_or(""), r.position.unwrap_or(""), r.unit, r.asset.unwrap_or(0), r.day))
                .or_insert((0, None));
            b.0 += 1;
            if let Some(v) = r.value {
                b.1 = Some(b.1.map_or(v, |m: i64| m.min(v)));
            }
        }
        let last = first + rows.len() as i64 - 1;
        let mut tx = self.db.begin().await?;
        if self.db.backend() == Backend::Sqlite {
            // A large page cache and an in-memory statement journal: a bulk load otherwise spends its time
            // re-reading evicted B-tree pages and writing the sub-journal of each multi-row INSERT.
            sqlx::query("PRAGMA cache_size = -262144").execute(&mut *tx).await?;
            sqlx::query("PRAGMA temp_store = MEMORY").execute(&mut *tx).await?;
        }
        const COLS: usize = 15;
        for (ci, chunk) in rows.chunks(ROWS_PER_INSERT).enumerate() {
            let mut sql = String::from(
                "INSERT INTO records (id, kind, subkind, unit_id, asset_id, performer_id, performer_position, second_person_id, \
                 subject_staff_id, target_unit_id, occurred_at, local_day, value, data, recorded_at) VALUES ",
            );
            for i in 0..chunk.len() {
                if i > 0 {
                    sql.push(',');
                }
                let ps: Vec<String> = (0..COLS).map(|j| placeholder(self.db, i * COLS + j + 1)).collect();
                sql.push_str(&format!("({})", ps.join(",")));
            }
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
            for (i, r) in chunk.iter().enumerate() {
                q = q
                    .bind(first + (ci * ROWS_PER_INSERT + i) as i64)
                    .bind(r.kind)
                    .bind(r.subkind)
                    .bind(r.unit)
                    .bind(r.asset)
                    .bind(r.performer)
                    .bind(r.position)
                    .bind(r.second)
                    .bind(r.subject)
                    .bind(r.target)
                    .bind(r.at)
                    .bind(r.day)
                    .bind(r.value)
                    .bind(r.data)
                    .bind(self.now);
            }
            q.execute(&mut *tx).await?;
        }
        let event = OwnedEvent {
            at_ms: self.now,
            actor: None,
            unit: None,
            action: "record.generate".into(),
            entity: "record_batch".into(),
            entity_id: format!("{first}-{last}"),
            after: Some(serde_json::json!({ "first": first, "last": last, "count": rows.len() }).to_string()),
            row_hash: Some(hex::encode(h.finalize())),
        };
        anbao_store::audit::append_many(&mut tx, &[event]).await?;
        tx.commit().await?;
        self.next_id = last + 1;
        self.total += rows.len();
        Ok(())
    }

    async fn finish(mut self) -> AppResult<usize> {
        self.flush().await?;
        // Inserted in key order: the table is clustered by (kind, day, unit…), and appending in order is many times
        // faster than inserting at random places of the B-tree.
        let mut keys: Vec<Key> = self.buckets.keys().copied().collect();
        keys.sort_by(|a, b| (a.0, a.5, a.3, a.4, a.1, a.2).cmp(&(b.0, b.5, b.3, b.4, b.1, b.2)));
        let rows: Vec<DayCount> = keys
            .into_iter()
            .filter_map(|k| self.buckets.get(&k).map(|v| (k, *v)))
            .map(|((kind, sk, pos, unit, asset, day), (n, min))| DayCount {
                kind: kind.into(),
                subkind: (!sk.is_empty()).then(|| sk.to_owned()),
                position: (!pos.is_empty()).then(|| pos.to_owned()),
                unit_id: unit,
                asset_id: (asset != 0).then_some(asset),
                day,
                n,
                with_attachment: 0,
                min_value: min,
            })
            .collect();
        for chunk in rows.chunks(50_000) {
            let mut tx = self.db.begin().await?;
            anbao_store::records::insert_day_counts(&mut tx, chunk).await?;
            tx.commit().await?;
        }
        if self.db.backend() == Backend::Postgres {
            let mut tx = self.db.begin().await?;
            sqlx::query("SELECT setval(pg_get_serial_sequence('records', 'id'), (SELECT MAX(id) FROM records))")
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
        }
        Ok(self.total)
    }
}
