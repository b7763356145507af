//! `anbao bench …`: generate a province, run the in-process benchmarks, serve a minimal HTTP baseline, measure raw
//! SQLite inserts. `bench/run.sh` drives these together with wrk for the HTTP figures.
use crate::config::{Config, ensure_sqlite_dir};
use anbao_store::Db;
use std::process::ExitCode;

#[derive(clap::Subcommand)]
pub enum BenchCommand {
    /// Fill an empty database with a province: `--scale province` (1×) or a factor such as 0.25 or 4.
    Generate {
        #[arg(long, default_value = "province")]
        scale: String,
        /// Days of records, ending yesterday.
        #[arg(long, default_value_t = 365)]
        days: i64,
        /// Password of the bench.* accounts.
        #[arg(long, default_value = "anbao-bench")]
        password: String,
    },
    /// Time the engine, the to-do list and a list page in-process, cold and warm, beside raw baselines.
    Engine {
        #[arg(long, default_value_t = 5)]
        runs: usize,
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
        /// Only these groups, comma-separated: province, county, province-dashboard, todo, staff.
        #[arg(long)]
        only: Option<String>,
    },
    /// Raw SQLite autocommit inserts per second (the physical limit of the write path), into a scratch file.
    RawInsert {
        #[arg(long, default_value_t = 20_000)]
        rows: usize,
        #[arg(long, default_value = "bench-raw-insert.db")]
        file: String,
    },
    /// Serve a minimal axum handler returning a fixed 50-row JSON list: the HTTP overhead baseline.
    BaselineHttp,
    /// Typeset a register of `rows` rows as an A4 PDF, as the documents are: the first run (fonts read) and the
    /// median of the others.
    Pdf {
        #[arg(long, default_value_t = 500)]
        rows: usize,
        #[arg(long, default_value_t = 5)]
        runs: usize,
    },
}

/// A custody table of `rows` rows across a province, the widest register Anbao prints.
fn register(rows: usize) -> anbao_web::documents::Register {
    let holders = ["王建国", "李秀英", "张伟", "刘洋", "陈静", "杨帆", "赵敏", "黄磊"];
    anbao_web::documents::Register {
        title: "钥匙密码保管表".into(),
        unit: "云岭省农村信用社联合社".into(),
        period: "截至2026-03-02".into(),
        columns: vec!["单位", "设备", "类别", "名称", "保管人", "自"],
        rows: (0..rows)
            .map(|i| {
                vec![
                    format!("清河县第{}信用社营业部", i / 6 + 1),
                    format!("金库{:03}", i / 6 + 1),
                    if i % 2 == 0 { "钥匙" } else { "密码" }.into(),
                    format!("金库门{}（第{}套）", if i % 2 == 0 { "钥匙" } else { "密码" }, i % 3 + 1),
                    holders[i % holders.len()].into(),
                    format!("2026-0{}-{:02}", i % 3 + 1, i % 28 + 1),
                ]
            })
            .collect(),
        made_by: "保卫部".into(),
        date: "2026年3月2日".into(),
        landscape: true,
    }
}

pub async fn run(cfg: &Config, cmd: BenchCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        BenchCommand::Pdf { rows, runs } => {
            let fonts = Some(cfg.pdf_fonts_dir.trim()).filter(|d| !d.is_empty()).map(std::path::PathBuf::from);
            let printer = anbao_pdf::Printer::new(fonts);
            let data = serde_json::to_value(register(rows))?;
            let mut ms = Vec::new();
            let mut bytes = 0;
            for _ in 0..runs.max(2) {
                let t = std::time::Instant::now();
                let pdf = printer.render(anbao_pdf::Document::Register, &data)?;
                ms.push(t.elapsed().as_secs_f64() * 1000.0);
                bytes = pdf.len();
            }
            let first = ms[0];
            let mut rest = ms.split_off(1);
            rest.sort_by(f64::total_cmp);
            let median = rest[rest.len() / 2];
            println!(
                "pdf register, {rows} rows: first {first:.0} ms (fonts read), then median {median:.0} ms of {}; {} KiB",
                rest.len(),
                bytes / 1024
            );
        }
        BenchCommand::Generate { scale, days, password } => {
            let factor = if scale == "province" {
                1.0
            } else {
                scale.parse::<f64>().map_err(|_| anyhow::anyhow!("--scale: province or a number"))?
            };
            if !(0.001..=16.0).contains(&factor) {
                anyhow::bail!("--scale must be between 0.001 and 16");
            }
            ensure_sqlite_dir(&cfg.database_url);
            let db = Db::connect(&cfg.database_url).await?;
            db.migrate().await?;
            let shape = anbao_bench::generate::Shape::scaled(factor);
            let t = std::time::Instant::now();
            let report =
                anbao_bench::generate::generate(&db, shape, days.clamp(1, 400), super::now_ms(), &password, &|s| {
                    eprintln!("  {:>7.1}s  {s}", t.elapsed().as_secs_f64())
                })
                .await
                .map_err(|e| anyhow::anyhow!("{}", e.message_zh()))?;
            db.close().await;
            println!(
                "generated scale {factor}: {} units, {} staff, {} assets, {} records in {:.1} s",
                report.units, report.staff, report.assets, report.records, report.seconds
            );
        }
        BenchCommand::Engine { runs, json, only } => {
            let db = super::open(cfg).await?;
            let lines = anbao_bench::measure::engine(&db, super::now_ms(), runs.max(1), only.as_deref())
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            db.close().await;
            if json {
                println!("{}", serde_json::to_string_pretty(&lines)?);
            } else {
                println!("{:<56} {:>10} {:>10}  baseline", "benchmark", "cold ms", "warm ms");
                for l in lines {
                    let base = l
                        .baseline
                        .map(|(n, v)| format!("{v:.1} ms ({n}); ratio {:.1}×", l.warm_ms / v.max(0.001)))
                        .unwrap_or_default();
                    println!("{:<56} {:>10.1} {:>10.1}  {base}  [{}]", l.name, l.cold_ms, l.warm_ms, l.note);
                }
            }
        }
        BenchCommand::RawInsert { rows, file } => {
            let rate = anbao_bench::measure::raw_inserts(&file, rows).await.map_err(|e| anyhow::anyhow!("{e}"))?;
            println!("raw SQLite autocommit inserts: {rate:.0} per second ({rows} rows, WAL, synchronous=NORMAL)");
        }
        BenchCommand::BaselineHttp => {
            let rows: Vec<serde_json::Value> = (0..50).map(|i| serde_json::json!({"id": i, "name": "王建国", "staff_no": format!("P{i:06}"), "unit_name": "第1营业网点"})).collect();
            let body = serde_json::to_string(&serde_json::json!({ "items": rows, "total": 50 }))?;
            let app = axum::Router::new().route(
                "/list",
                axum::routing::get(move || {
                    let b = body.clone();
                    async move { ([(axum::http::header::CONTENT_TYPE, "application/json")], b) }
                }),
            );
            let listener = tokio::net::TcpListener::bind(&cfg.bind).await?;
            println!("baseline listening on http://{}/list", listener.local_addr()?);
            axum::serve(listener, app).await?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
