//! Persistence on SQLite (default) and PostgreSQL through one set of queries (sqlx `Any`), with per-backend
//! migrations only where the DDL really differs. Every function takes a connection or transaction from the caller;
//! the app layer decides where a transaction starts and ends.
pub mod accounts;
pub mod assets;
pub mod audit;
pub mod blobs;
pub mod db;
pub mod groups;
pub mod messages;
pub mod notices;
pub mod org;
pub mod records;
pub mod rules;
pub mod scope;
pub mod staff;

pub use db::{Backend, Db, WriteTx};

pub type Conn = sqlx::AnyConnection;
pub type Result<T> = std::result::Result<T, sqlx::Error>;

/// Was this error a unique-constraint violation (a duplicate staff number, username…)?
pub fn is_unique_violation(e: &sqlx::Error) -> bool {
    e.as_database_error().is_some_and(|d| d.is_unique_violation())
}

/// Escape `%`, `_` and `\` so that user text in a LIKE pattern matches itself (used with `ESCAPE '\'`).
pub fn like_escape(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len() + 2);
    for c in raw.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Booleans are stored as 0/1 on both databases.
pub fn b(v: bool) -> i64 {
    i64::from(v)
}
