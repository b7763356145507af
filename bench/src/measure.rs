//! In-process benchmarks: the engine at province, county and outlet level, the to-do list and a list page, each
//! cold (first call) and warm (median of several), with the nearest raw baseline measured in the same run.
use anbao_app::{Actor, AppResult, Ctx};
use anbao_domain::access::Scope;
use anbao_domain::period;
use anbao_store::Db;
use std::time::Instant;

#[derive(Debug, Clone, serde::Serialize)]
pub struct Line {
    pub name: String,
    pub cold_ms: f64,
    pub warm_ms: f64,
    pub baseline: Option<(String, f64)>,
    pub note: String,
}

fn ms(t: Instant) -> f64 {
    t.elapsed().as_secs_f64() * 1000.0
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v.get(v.len() / 2).copied().unwrap_or(0.0)
}

async fn actor(db: &Db, username: &str) -> AppResult<Actor> {
    let mut c = db.read().await?;
    let a = anbao_store::accounts::by_username(&mut c, username).await?.ok_or(anbao_app::AppError::NotFound)?;
    let grants = anbao_store::accounts::grants(&mut c, a.id).await?;
    Ok(Actor {
        account: a.id,
        username: a.username,
        display_name: a.display_name,
        staff_id: None,
        scope: Scope { grants },
        must_change_password: false,
    })
}

/// Time `f` once cold and `runs` times warm.
async fn time<F, Fut, T>(runs: usize, mut f: F) -> AppResult<(f64, f64, T)>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = AppResult<T>>,
{
    let t = Instant::now();
    let mut out = f().await?;
    let cold = ms(t);
    let mut warm = Vec::new();
    for _ in 0..runs {
        let t = Instant::now();
        out = f().await?;
        warm.push(ms(t));
    }
    Ok((cold, median(warm), out))
}

/// The last complete month before `now`, as [from, to).
fn last_month(now: i64) -> (i64, i64) {
    let today = period::day_of_ms(now);
    let (this_start, _) = period::containing(anbao_domain::rulebook::PeriodKind::Month, today);
    period::containing(anbao_domain::rulebook::PeriodKind::Month, this_start - 1)
}

pub async fn engine(db: &Db, now: i64, runs: usize) -> AppResult<Vec<Line>> {
    let today = period::day_of_ms(now);
    let (from, to) = last_month(now);
    let mut lines = Vec::new();
    let county_path = {
        let mut c = db.read().await?;
        let units = anbao_store::org::under(&mut c, "/").await?;
        units
            .iter()
            .find(|u| u.kind == anbao_domain::org::UnitKind::County)
            .map(|u| u.path.clone())
            .unwrap_or_else(|| "/1/".into())
    };
    // Province roll-up for one month, beside one hand-written SQL aggregation of the biggest rule's evidence.
    let (cold, warm, items) = time(runs, || async {
        let e = anbao_app::compliance::evaluate_core(db, "/1/", from, to, today).await?;
        let r = e.rollup();
        Ok((e.cores.len(), r.len()))
    })
    .await?;
    // The baseline judges ATM-days against the rulebook's own number, like the engine does.
    let atm_min = anbao_app::rulebook::get(db, "ATM-1").await?.current().map_or(1, |v| v.rule.min_count);
    let (_, sql_warm, _) = time(runs, || async {
        let mut c = db.read().await?;
        let n: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM (SELECT r.asset_id, r.local_day, COUNT(*) AS n FROM records r WHERE r.kind = 'atm_patrol' \
             AND r.local_day >= $1 AND r.local_day < $2 GROUP BY r.asset_id, r.local_day) g WHERE g.n >= $3",
        )
        .bind(from)
        .bind(to)
        .bind(atm_min)
        .fetch_one(&mut *c)
        .await?;
        Ok(n)
    })
    .await?;
    lines.push(Line {
        name: "province roll-up, one month".into(),
        cold_ms: cold,
        warm_ms: warm,
        baseline: Some(("one SQL query: ATM-days meeting ATM-1 over the raw records".into(), sql_warm)),
        note: format!("{} due items judged, {} units rolled up", items.0, items.1),
    });
    let (cold, warm, n) = time(runs, || async {
        let e = anbao_app::compliance::evaluate_core(db, &county_path, from, to, today).await?;
        Ok(e.rollup().len() + e.cores.len())
    })
    .await?;
    lines.push(Line {
        name: "county roll-up, one month".into(),
        cold_ms: cold,
        warm_ms: warm,
        baseline: None,
        note: format!("{n} items and units"),
    });
    let (cold, warm, n) = time(runs, || async {
        let (y, m, _) = period::ymd(from);
        let e =
            anbao_app::compliance::evaluate_core(db, &county_path, period::first_of_month(y - 1, m), to, today).await?;
        Ok(e.cores.len())
    })
    .await?;
    lines.push(Line {
        name: "county dashboard (12-month evaluation behind the page)".into(),
        cold_ms: cold,
        warm_ms: warm,
        baseline: None,
        note: format!("{n} items"),
    });
    let outlet = actor(db, "bench.outlet").await?;
    let ctx = Ctx::new(now, outlet);
    let (cold, warm, n) = time(runs, || async { Ok(anbao_app::home::todo(db, &ctx).await?.len()) }).await?;
    lines.push(Line {
        name: "one outlet's 我的待办".into(),
        cold_ms: cold,
        warm_ms: warm,
        baseline: None,
        note: format!("{n} to-do items"),
    });
    let province = actor(db, "bench.province").await?;
    let pctx = Ctx::new(now, province);
    let (cold, warm, n) =
        time(runs, || async { Ok(anbao_app::staff::list_staff(db, &pctx, &Default::default(), 3).await?.1) }).await?;
    let (_, sql, _) = time(runs, || async {
        let mut c = db.read().await?;
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM (SELECT s.id FROM staff s JOIN units u ON u.id = s.unit_id ORDER BY u.path, s.staff_no LIMIT 50 OFFSET 100) x")
            .fetch_one(&mut *c)
            .await?;
        Ok(n)
    })
    .await?;
    lines.push(Line {
        name: "staff list, 50 rows, province scope (use case)".into(),
        cold_ms: cold,
        warm_ms: warm,
        baseline: Some(("the same page as one SQL query without scope or count".into(), sql)),
        note: format!("{n} staff in scope"),
    });
    Ok(lines)
}

/// Raw SQLite autocommit inserts of a record-sized row, same pragmas as Anbao (WAL, synchronous=NORMAL).
pub async fn raw_inserts(path: &str, rows: usize) -> AppResult<f64> {
    let _ = std::fs::remove_file(path);
    let db = Db::connect(&format!("sqlite://{path}")).await?;
    let mut c = db.read().await?;
    sqlx::query("CREATE TABLE t (id INTEGER PRIMARY KEY, kind TEXT, unit_id INTEGER, asset_id INTEGER, occurred_at INTEGER, local_day INTEGER, data TEXT)")
        .execute(&mut *c)
        .await?;
    let t = Instant::now();
    for i in 0..rows as i64 {
        sqlx::query(
            "INSERT INTO t (kind, unit_id, asset_id, occurred_at, local_day, data) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind("atm_patrol")
        .bind(i % 2500)
        .bind(i % 3000)
        .bind(i)
        .bind(i / 1000)
        .bind(r#"{"checks":{"appearance_ok":true},"result":"normal"}"#)
        .execute(&mut *c)
        .await?;
    }
    let rate = rows as f64 / t.elapsed().as_secs_f64();
    drop(c);
    db.close().await;
    for s in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{path}{s}"));
    }
    Ok(rate)
}
