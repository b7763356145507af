//! Integration tests of Anbao through its real router, on SQLite (default) or PostgreSQL
//! (`ANBAO_TEST_POSTGRES_URL=postgres://…/test`).
#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)]
mod accounts;
mod assess;
mod audit_trail;
mod bad_input;
mod cases;
mod compliance;
mod compliance_summary;
mod concurrent_writes;
mod custody;
mod directory;
mod exams;
mod facility;
mod inspect;
mod letters;
mod org_tree;
mod permissions;
mod plans;
mod schema;
mod security;
mod sign_in;
mod staff_records;
mod todo;
mod training;
mod warnings;
mod workplan;
