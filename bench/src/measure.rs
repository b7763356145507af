//! In-process benchmarks: the engine at province, county and outlet level, the to-do list and a list page, each
//! cold (first call) and warm (median of several), with the nearest raw baseline measured in the same run.
use anbao_app::compliance_summary as summary;
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

/// The benchmarks of `engine`, by group: `only` keeps those whose group is named (for profiling one of them).
pub async fn engine(db: &Db, now: i64, runs: usize, only: Option<&str>) -> AppResult<Vec<Line>> {
    let want = |group: &str| only.is_none_or(|o| o.split(',').any(|x| x.trim() == group));
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
    if want("province") {
        // Province roll-up for one month judged from scratch (kept summaries forgotten first), beside one hand-written
        // SQL aggregation of the biggest rule's evidence.
        let (cold, warm, items) = time(runs, || async {
            summary::forget(db);
            let s = summary::summary(db, "/1/", from, to, today).await?;
            Ok((s.total().total(), s.rollup().len(), s.judged))
        })
        .await?;
        // The baseline judges ATM-days against the rulebook's own number, like the engine does.
        let atm_min = anbao_app::rulebook::get(db, "ATM-1").await?.latest().map_or(1, |v| v.rule.min_count);
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
            name: "province roll-up, one month, judged afresh".into(),
            cold_ms: cold,
            warm_ms: warm,
            baseline: Some(("one SQL query: ATM-days meeting ATM-1 over the raw records".into(), sql_warm)),
            note: format!("{} due items judged ({} rule versions), {} units rolled up", items.0, items.2, items.1),
        });
        // The engine's own judgement of the month, every item held in memory at once (what the item lists use).
        let (cold, warm, n) = time(runs, || async {
            let e = anbao_app::compliance::evaluate_core(db, "/1/", from, to, today).await?;
            Ok(e.rollup().len() + e.cores.len())
        })
        .await?;
        lines.push(Line {
            name: "province evaluation, one month, every item in memory".into(),
            cold_ms: cold,
            warm_ms: warm,
            baseline: Some(("one SQL query, as above".into(), sql_warm)),
            note: format!("{n} items and units"),
        });
        // The same month again: every rule's tallies are still current, so only the stamps are read.
        let (cold, warm, judged) = time(runs, || async {
            let s = summary::summary(db, "/1/", from, to, today).await?;
            Ok((s.judged, s.rollup().len()))
        })
        .await?;
        lines.push(Line {
            name: "province roll-up, one month, kept (nothing changed)".into(),
            cold_ms: cold,
            warm_ms: warm,
            baseline: Some(("one SQL query, as above".into(), sql_warm)),
            note: format!("{} rule versions judged again", judged.0),
        });
        // A late ATM patrol for that month before each run: the rules reading ATM patrols are judged again, the rest kept.
        let teller = actor(db, "bench.teller").await?;
        let tctx = Ctx::new(now, teller);
        let atm: i64 = {
            let mut c = db.read().await?;
            sqlx::query_scalar(
            "SELECT a.id FROM assets a JOIN accounts x ON x.username = 'bench.teller' JOIN grants g ON g.account_id = x.id \
             WHERE a.kind = 'atm' AND a.unit_id = g.unit_id ORDER BY a.id LIMIT 1",
        )
        .fetch_one(&mut *c)
        .await?
        };
        let late_day = period::ymd(to - 1);
        let late: anbao_domain::records::RecordInput = serde_json::from_value(serde_json::json!({
            "kind": "atm_patrol",
            "asset_id": atm,
            "occurred_at": format!("{}-{:02}-{:02}T10:00", late_day.0, late_day.1, late_day.2),
            "checks": ["appearance_ok", "no_skimmer", "notice_ok"],
        }))
        .map_err(|e| anbao_app::AppError::Internal(e.to_string()))?;
        let blobs = anbao_store::blobs::BlobStore::local(std::env::temp_dir().join("anbao-bench-blobs"));
        let policy = anbao_app::auth::AuthPolicy::default();
        let mut late_runs = Vec::new();
        let mut judged_after_late = 0;
        for _ in 0..runs.max(1) {
            anbao_app::records::create(db, &blobs, &policy, &tctx, &late, Vec::new()).await?;
            let t = Instant::now();
            let s = summary::summary(db, "/1/", from, to, today).await?;
            late_runs.push(ms(t));
            judged_after_late = s.judged;
        }
        lines.push(Line {
            name: "province roll-up, one month, after a late record".into(),
            cold_ms: late_runs.first().copied().unwrap_or(0.0),
            warm_ms: median(late_runs),
            baseline: Some(("one SQL query, as above".into(), sql_warm)),
            note: format!(
                "one ATM patrol entered for the month before each run; {judged_after_late} rule versions judged again"
            ),
        });
    }
    // The dashboard page: its month and the eleven before it for the trend.
    let dashboard = |root: String| async move {
        let mut items = 0;
        for back in 0..12 {
            let mf = period::add_months(from, -back);
            let mt = period::add_months(mf, 1);
            items += summary::summary(db, &root, mf, mt, today).await?.total().total();
        }
        Ok::<_, anbao_app::AppError>(items)
    };
    if want("county") {
        let (cold, warm, n) = time(runs, || async {
            summary::forget(db);
            let s = summary::summary(db, &county_path, from, to, today).await?;
            Ok(s.total().total())
        })
        .await?;
        lines.push(Line {
            name: "county roll-up, one month, judged afresh".into(),
            cold_ms: cold,
            warm_ms: warm,
            baseline: None,
            note: format!("{n} items"),
        });
        let (cold, warm, n) = time(runs, || {
            summary::forget(db);
            dashboard(county_path.clone())
        })
        .await?;
        lines.push(Line {
            name: "county dashboard (its month and 11 before), judged afresh".into(),
            cold_ms: cold,
            warm_ms: warm,
            baseline: None,
            note: format!("{n} items"),
        });
        let (cold, warm, n) = time(runs, || dashboard(county_path.clone())).await?;
        lines.push(Line {
            name: "county dashboard (its month and 11 before), kept".into(),
            cold_ms: cold,
            warm_ms: warm,
            baseline: None,
            note: format!("{n} items"),
        });
    }
    if want("province-dashboard") {
        // A province's twelve months judged once (tens of seconds at scale 1), then kept.
        summary::forget(db);
        let (cold, _, n) = time(0, || dashboard("/1/".into())).await?;
        let (_, warm, _) = time(runs, || dashboard("/1/".into())).await?;
        lines.push(Line {
            name: "province dashboard (its month and 11 before): judged afresh (cold), kept (warm)".into(),
            cold_ms: cold,
            warm_ms: warm,
            baseline: None,
            note: format!("{n} items"),
        });
        summary::forget(db);
    }
    if want("todo") {
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
    }
    if want("staff") {
        let province = actor(db, "bench.province").await?;
        let pctx = Ctx::new(now, province);
        let (cold, warm, n) =
            time(runs, || async { Ok(anbao_app::staff::list_staff(db, &pctx, &Default::default(), 3).await?.1) })
                .await?;
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
    }
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
