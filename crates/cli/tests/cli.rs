//! The `anbao` binary as an operator runs it: demo, serve on an empty database, user add, backup, audit verify.
#![allow(clippy::expect_used)] // test helpers: a failed set-up should stop the test loudly
use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Command, Output, Stdio};

fn anbao(dir: &std::path::Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_anbao"))
        .args(args)
        .current_dir(dir)
        .env_remove("ANBAO_DATABASE_URL")
        .env("ANBAO_LOG", "warn")
        .output()
        .expect("run anbao")
}

fn text(o: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

fn temp_dir(name: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("anbao-cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).expect("temp dir");
    d
}

#[test]
fn config_example_prints_every_option_commented() {
    let o = anbao(&temp_dir("config"), &["config", "example"]);
    assert!(o.status.success());
    let out = text(&o);
    for key in ["database_url", "bind", "secure_cookies", "login_max_failures", "session_hours"] {
        assert!(out.contains(&format!("{key} = ")), "{key} missing:\n{out}");
    }
    assert!(out.contains("# "));
}

#[test]
fn the_demo_prints_its_sign_ins_and_verifies_until_tampered_with() {
    let dir = temp_dir("demo");
    let o = anbao(&dir, &["demo", "--no-serve", "--records-days", "20"]);
    let out = text(&o);
    assert!(o.status.success(), "{out}");
    for user in ["admin", "baowei", "shenji", "chengguan.zhuren", "chengguan.guiyuan"] {
        assert!(out.contains(user), "{user} not printed:\n{out}");
    }
    assert!(out.contains("anbao-demo"));
    let db = "sqlite://anbao-data/demo.db";
    let o = anbao(&dir, &["--db", db, "audit", "verify"]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).starts_with("OK"));

    let o = anbao(&dir, &["--db", db, "backup", "copy.db"]);
    assert!(o.status.success(), "{}", text(&o));
    let o = anbao(&dir, &["--db", "sqlite://copy.db", "audit", "verify"]);
    assert!(o.status.success(), "the backup verifies: {}", text(&o));

    // Change a staff row behind the system's back: verify names it and fails.
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    rt.block_on(async {
        use sqlx::Connection;
        sqlx::any::install_default_drivers();
        let url = format!("sqlite://{}/anbao-data/demo.db", dir.display());
        let mut c = sqlx::AnyConnection::connect(&url).await.expect("open");
        sqlx::query("UPDATE staff SET name = '篡改者' WHERE id = 3").execute(&mut c).await.expect("tamper");
        let _ = c.close().await;
    });
    let o = anbao(&dir, &["--db", db, "audit", "verify"]);
    assert!(!o.status.success());
    assert!(text(&o).contains("staff #3"), "{}", text(&o));
}

#[test]
fn serve_on_an_empty_database_asks_for_the_first_administrator_then_serves() {
    let dir = temp_dir("serve");
    let o = anbao(&dir, &["serve"]);
    assert_eq!(o.status.code(), Some(3));
    assert!(text(&o).contains("anbao user add"), "{}", text(&o));

    let o = anbao(&dir, &["user", "add", "root", "--name", "管理员", "--role", "admin", "--password", "short"]);
    assert!(!o.status.success(), "a short password is refused");
    let o = anbao(&dir, &["user", "add", "root", "--name", "管理员", "--role", "admin", "--password", "first-admin-1"]);
    assert!(o.status.success(), "{}", text(&o));

    let mut child = Command::new(env!("CARGO_BIN_EXE_anbao"))
        .args(["serve", "--bind", "127.0.0.1:0"])
        .current_dir(&dir)
        .env_remove("ANBAO_DATABASE_URL")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn serve");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout")).read_line(&mut line).expect("first line");
    let addr =
        line.split("http://").nth(1).map(|s| s.trim().trim_end_matches('/').to_owned()).expect("address printed");
    let mut s = std::net::TcpStream::connect(&addr).expect("connect");
    s.write_all(format!("GET /healthz HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n").as_bytes())
        .expect("send");
    let mut answer = String::new();
    s.read_to_string(&mut answer).expect("read");
    let _ = child.kill();
    let _ = child.wait();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");

    let o = anbao(&dir, &["user", "reset-password", "root", "--password", "second-pass-2"]);
    assert!(o.status.success(), "{}", text(&o));
    let o = anbao(&dir, &["audit", "verify"]);
    assert!(o.status.success(), "{}", text(&o));
}

#[test]
fn the_demo_runs_on_postgresql_when_a_test_server_is_given() {
    if anbao_testkit::backend_url().is_none() {
        return; // SQLite run: covered above.
    }
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let (db, url) = rt.block_on(anbao_testkit::fresh_db());
    rt.block_on(db.close());
    let dir = temp_dir("pg");
    let o = anbao(&dir, &["--db", &url, "demo", "--no-serve", "--records-days", "20"]);
    assert!(o.status.success(), "{}", text(&o));
    let o = anbao(&dir, &["--db", &url, "audit", "verify"]);
    assert!(o.status.success(), "{}", text(&o));
    let o = anbao(&dir, &["--db", &url, "backup", "x.dump"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).contains("pg_dump"));
}
