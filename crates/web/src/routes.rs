//! Every URL of Anbao, in one table: pages first, then the JSON API, then the service endpoints.
use crate::state::AppState;
use crate::{api, pages, security};
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::middleware;
use axum::response::IntoResponse;
use axum::routing::{get, post, put};
use std::time::Duration;
use tower::limit::GlobalConcurrencyLimitLayer;
use tower_http::timeout::TimeoutLayer;

/// Bodies of ordinary forms and JSON: far above any real one, far below what would hurt.
pub const BODY_LIMIT: usize = 256 * 1024;

/// A form carrying photos: `MAX_UPLOADS` photos of `MAX_UPLOAD_BYTES` each, and the fields around them.
fn photo_limit() -> DefaultBodyLimit {
    use anbao_app::evidence::{MAX_UPLOAD_BYTES, MAX_UPLOADS};
    DefaultBodyLimit::max(MAX_UPLOADS * MAX_UPLOAD_BYTES + BODY_LIMIT)
}

/// A record's files where a drill may carry a video: one video and the other files as photos or scans.
fn media_limit() -> DefaultBodyLimit {
    use anbao_app::evidence::{MAX_UPLOAD_BYTES, MAX_UPLOADS, MAX_VIDEO_BYTES};
    DefaultBodyLimit::max(MAX_VIDEO_BYTES + (MAX_UPLOADS - 1) * MAX_UPLOAD_BYTES + BODY_LIMIT)
}

/// An uploaded question bank and the form around it.
fn bank_import_limit() -> DefaultBodyLimit {
    DefaultBodyLimit::max(anbao_app::exam::import::IMPORT_LIMITS.max_file_bytes + BODY_LIMIT)
}

/// An uploaded ledger: the import's file limit and the form around it.
fn import_limit() -> DefaultBodyLimit {
    DefaultBodyLimit::max(anbao_app::facility::IMPORT_LIMITS.max_file_bytes + BODY_LIMIT)
}

/// An uploaded list of accounts.
fn account_import_limit() -> DefaultBodyLimit {
    DefaultBodyLimit::max(anbao_app::provision::import::IMPORT_LIMITS.max_file_bytes + BODY_LIMIT)
}

/// How long one request may take, and how many run at once; from configuration (`anbao.toml`).
#[derive(Debug, Clone, Copy)]
pub struct ServerLimits {
    pub request_timeout: Duration,
    pub max_concurrent_requests: usize,
}

impl Default for ServerLimits {
    fn default() -> Self {
        Self { request_timeout: Duration::from_secs(120), max_concurrent_requests: 256 }
    }
}

pub fn router(state: AppState) -> Router {
    router_with(state, ServerLimits::default())
}

pub fn router_with(state: AppState, limits: ServerLimits) -> Router {
    let pages = Router::new()
        .route("/", get(pages::home::home))
        .route("/login", get(pages::login::login_form).post(pages::login::login))
        .route("/logout", post(pages::login::logout))
        .route("/lang/{code}", get(pages::login::set_lang))
        .route("/account/password", get(pages::login::password_form).post(pages::login::change_password))
        .route("/account/pin", post(pages::login::set_pin))
        .route("/notices", post(pages::home::publish_notice))
        .route("/org", get(pages::org::tree))
        .route("/org/export.xlsx", get(pages::org::export))
        .route("/org/units", post(pages::org::create))
        .route("/org/units/new", get(pages::org::new_unit))
        .route("/org/units/{id}", get(pages::org::show))
        .route("/org/units/{id}/edit", get(pages::org::edit).post(pages::org::update))
        .route("/org/units/{id}/move", get(pages::org::move_form).post(pages::org::move_unit))
        .route("/org/units/{id}/groups", post(pages::org::create_group))
        .route("/staff", get(pages::staff::list).post(pages::staff::create))
        .route("/staff/export.xlsx", get(pages::staff::export))
        .route("/staff/new", get(pages::staff::new))
        .route("/staff/{id}", get(pages::staff::show))
        .route("/staff/{id}/guard", get(pages::guards::show).post(pages::guards::save))
        .route("/staff/{id}/edit", get(pages::staff::edit).post(pages::staff::update))
        .route("/groups", get(pages::groups::list))
        .route("/groups/export.xlsx", get(pages::groups::export))
        .route("/groups/{id}", get(pages::groups::show))
        .route("/groups/{id}/members", post(pages::groups::put_member))
        .route("/groups/{id}/confirm", post(pages::groups::confirm))
        .route("/groups/{id}/members/{staff}/remove", post(pages::groups::remove_member))
        .route("/training/hours", get(pages::training::hours))
        .route("/training/hours.xlsx", get(pages::training::export))
        .route("/warnings", get(pages::warnings::index).post(pages::warnings::issue))
        .route("/warnings/{id}", get(pages::warnings::show))
        .route("/warnings/{id}/ack", post(pages::warnings::acknowledge))
        .route("/warnings/{id}/unread.xlsx", get(pages::warnings::unread_export))
        .route("/plans", get(pages::plans::index))
        .route("/plans/{code}", get(pages::plans::show))
        .route("/plans/{code}/runs", post(pages::plans::record))
        .route("/exams", get(pages::exam::index))
        .route("/exams/papers", post(pages::exam::create_paper))
        .route("/exams/papers/{id}", get(pages::exam::paper))
        .route("/exams/papers/{id}/sit", post(pages::exam::start))
        .route("/exams/papers/{id}/results.xlsx", get(pages::exam::results_export))
        .route("/exams/sittings/{id}", get(pages::exam::sitting))
        .route("/exams/sittings/{id}/submit", post(pages::exam::submit))
        .route("/exams/sittings/{id}/mark", post(pages::exam::mark))
        .route("/exams/bank", get(pages::exam::bank))
        .route("/exams/bank/export.xlsx", get(pages::exam::bank_export))
        .route("/exams/bank/import", post(pages::exam::import).layer(bank_import_limit()))
        .route("/letters", get(pages::letters::overview))
        .route("/letters/export.xlsx", get(pages::letters::export))
        .route("/letters/plans", post(pages::letters::make_plan))
        .route("/letters/remind", post(pages::letters::remind))
        .route("/letters/{id}", get(pages::letters::show))
        .route("/letters/{id}/sign", post(pages::letters::sign))
        .route("/letters/{id}/scan", get(pages::letters::scan).post(pages::letters::upload_scan).layer(photo_limit()))
        .route("/letters/{id}/print", get(pages::letters::print))
        .route("/letters/{id}/letter.pdf", get(pages::letters::letter_pdf))
        .route("/workplan", get(pages::workplan::plan).post(pages::workplan::make))
        .route("/workplan/items/{id}", post(pages::workplan::report))
        .route("/assessment", get(pages::assess::ranking))
        .route("/assessment/export.xlsx", get(pages::assess::export))
        .route("/assessment/freeze", post(pages::assess::freeze))
        .route("/assessment/annual", get(pages::assess::annual))
        .route("/assessment/rewards", post(pages::assess::reward))
        .route("/assessment/scheme", get(pages::assess::scheme))
        .route("/assessment/units/{id}", get(pages::assess::unit))
        .route("/audit", get(pages::audit::list))
        .route("/audit/export.xlsx", get(pages::audit::export))
        .route("/admin/accounts", get(pages::accounts::list).post(pages::accounts::create))
        .route("/admin/accounts/bulk", get(pages::accounts::bulk_preview).post(pages::accounts::bulk_create))
        .route(
            "/admin/accounts/import",
            get(pages::accounts::import_form).post(pages::accounts::import).layer(account_import_limit()),
        )
        .route("/admin/accounts/{id}/staff", post(pages::accounts::link_staff))
        .route("/admin/accounts/{id}/disable", post(pages::accounts::disable))
        .route("/admin/accounts/{id}/enable", post(pages::accounts::enable))
        .route("/admin/accounts/{id}/grants/{grant}/remove", post(pages::accounts::remove_grant))
        .route("/account/sessions/{handle}/revoke", post(pages::login::revoke_session))
        .route("/records", get(pages::records::list).post(pages::records::create).layer(media_limit()))
        .route("/records/new", get(pages::records::new))
        .route("/records/export.xlsx", get(pages::records::export))
        .route("/records/{id}", get(pages::records::show))
        .route("/attachments/{id}", get(pages::records::attachment))
        .route("/rulebook", get(pages::rulebook::list))
        .route("/calendar", get(pages::calendar::index))
        .route("/calendar/days", post(pages::calendar::set_day))
        .route("/rulebook/{id}", get(pages::rulebook::show).post(pages::rulebook::update))
        .route("/compliance", get(pages::compliance::dashboard))
        .route("/compliance/items", get(pages::compliance::items))
        .route("/compliance/items.xlsx", get(pages::compliance::export_items))
        .route("/compliance/export.xlsx", get(pages::compliance::export_units))
        .route("/messages", get(pages::messages::list))
        .route("/messages/read", post(pages::messages::mark_read))
        .route("/assets", get(pages::messages::assets).post(pages::messages::create_asset))
        .route("/inspections", get(pages::inspect::list).post(pages::inspect::start))
        .route("/inspections/report", get(pages::inspect::report))
        .route("/inspections/export.xlsx", get(pages::inspect::export))
        .route("/inspections/photos/{id}", get(pages::inspect::photo))
        .route("/inspections/{id}", get(pages::inspect::show))
        .route("/inspections/{id}/save", post(pages::inspect::save).layer(photo_limit()))
        .route("/inspections/{id}/countersign", post(pages::inspect::act))
        .route("/inspections/{id}/correct", post(pages::inspect::act))
        .route("/checklist", get(pages::inspect::checklist).post(pages::inspect::edit_checklist))
        .route("/cases", get(pages::incident::register).post(pages::incident::report).layer(photo_limit()))
        .route("/cases/new", get(pages::incident::new_case))
        .route("/cases/export.xlsx", get(pages::incident::export))
        .route("/cases/{id}", get(pages::incident::show))
        .route("/cases/{id}/determination", get(pages::incident::determination))
        .route("/cases/{id}/forward", post(pages::incident::act))
        .route("/cases/{id}/findings", post(pages::incident::act))
        .route("/cases/{id}/propose", post(pages::incident::act))
        .route("/cases/{id}/decide", post(pages::incident::act))
        .route("/cases/{id}/send-back", post(pages::incident::act))
        .route("/cases/{id}/close", post(pages::incident::act))
        .route("/cases/{id}/notes", post(pages::incident::add_note).layer(photo_limit()))
        .route("/cases/{id}/files/{file}", get(pages::incident::file))
        .route("/penalties", get(pages::incident::penalties))
        .route("/penalties/export.xlsx", get(pages::incident::export_penalties))
        .route("/penalties/{id}", get(pages::incident::penalty))
        .route("/penalties/{id}/notice", get(pages::incident::penalty_notice))
        .route("/penalties/{id}/notice.pdf", get(pages::incident::penalty_notice_pdf))
        .route("/penalties/{id}/decide", post(pages::incident::decide_penalty))
        .route("/hazards", get(pages::hazards::register).post(pages::hazards::raise))
        .route("/hazards/export.xlsx", get(pages::hazards::export))
        .route("/hazards/{id}", get(pages::hazards::show))
        .route("/hazards/{id}/notice", get(pages::hazards::notice))
        .route("/hazards/{id}/notice.pdf", get(pages::hazards::notice_pdf))
        .route("/hazards/{id}/rectify", post(pages::hazards::act))
        .route("/hazards/{id}/verify", post(pages::hazards::act))
        .route("/bulletins", get(pages::hazards::bulletins).post(pages::hazards::publish))
        .route("/bulletins/{id}", get(pages::hazards::bulletin))
        .route("/facilities", get(pages::facility::map))
        .route("/facilities/places", post(pages::facility::add_place))
        .route("/facilities/export.xlsx", get(pages::facility::export))
        .route("/facilities/places/{id}", get(pages::facility::ledger))
        .route("/facilities/places/{id}/item", post(pages::facility::place_act))
        .route("/facilities/places/{id}/check", post(pages::facility::place_act))
        .route("/facilities/places/{id}/retire", post(pages::facility::place_act))
        .route("/facilities/places/{id}/fault", post(pages::facility::place_act))
        .route("/facilities/places/{id}/propose", post(pages::facility::place_act))
        .route("/facilities/report", get(pages::facility::report).post(pages::facility::freeze))
        .route("/facilities/work", get(pages::facility::work))
        .route("/facilities/projects/{id}/approve", post(pages::facility::project_step))
        .route("/facilities/projects/{id}/reject", post(pages::facility::project_step))
        .route("/facilities/projects/{id}/install", post(pages::facility::project_step))
        .route("/facilities/projects/{id}/accept", post(pages::facility::project_step))
        .route("/facilities/projects/{id}/fail", post(pages::facility::project_step))
        .route("/facilities/projects/{id}/pay", post(pages::facility::project_step))
        .route("/facilities/faults/{id}/dispatch", post(pages::facility::fault_step))
        .route("/facilities/faults/{id}/repaired", post(pages::facility::fault_step))
        .route("/facilities/faults/{id}/verify", post(pages::facility::fault_step))
        .route(
            "/facilities/import",
            get(pages::facility::import_form).post(pages::facility::import).layer(import_limit()),
        )
        .route("/duty", get(pages::duty::roster).post(pages::duty::save))
        .route("/duty/export.xlsx", get(pages::duty::export))
        .route("/duty/roster.pdf", get(pages::duty::roster_pdf))
        .route("/duty/leave", post(pages::duty::leave))
        .route("/duty/swaps", post(pages::duty::request_swap))
        .route("/duty/swaps/{id}/decide", post(pages::duty::decide_swap))
        .route("/keys", get(pages::keys::table).post(pages::keys::register))
        .route("/keys/export.xlsx", get(pages::keys::export))
        .route("/keys/table.pdf", get(pages::keys::table_pdf))
        .route("/keys/handover", post(pages::keys::handover))
        .route("/keys/{id}/lost", post(pages::keys::lost))
        .route("/keys/lock-changes/{id}/done", post(pages::keys::lock_changed))
        .route("/arms", get(pages::arms::register_page).post(pages::arms::register))
        .route("/arms/export.xlsx", get(pages::arms::export))
        .route("/arms/checkouts", post(pages::arms::request))
        .route("/arms/checkouts/{id}/approve", post(pages::arms::act))
        .route("/arms/checkouts/{id}/refuse", post(pages::arms::act))
        .route("/arms/checkouts/{id}/issue", post(pages::arms::act))
        .route("/arms/checkouts/{id}/return", post(pages::arms::act))
        .route("/escort", get(pages::escort::list))
        .route("/escort/export.xlsx", get(pages::escort::export))
        .route("/escort/vans", post(pages::escort::register_van))
        .route("/escort/trips", post(pages::escort::plan))
        .route("/escort/trips/{id}", get(pages::escort::show))
        .route("/escort/trips/{id}/depart", post(pages::escort::act))
        .route("/escort/trips/{id}/close", post(pages::escort::act))
        .route("/escort/trips/{id}/handover", post(pages::escort::act))
        .route("/escort/trips/{id}/event", post(pages::escort::act))
        .route("/api/docs", get(pages::apidocs::docs));

    let api = Router::new()
        .route("/auth/login", post(api::auth::login))
        .route("/auth/logout", post(api::auth::logout))
        .route("/me", get(api::auth::me))
        .route("/me/password", put(api::auth::change_password))
        .route("/me/tokens", get(api::auth::tokens))
        .route("/me/tokens/{handle}", axum::routing::delete(api::auth::revoke_token))
        .route("/accounts", get(api::accounts::list).post(api::accounts::create))
        .route("/accounts/bulk", get(api::accounts::bulk_preview).post(api::accounts::bulk_create))
        .route("/accounts/import", post(api::accounts::import).layer(account_import_limit()))
        .route("/accounts/{id}/staff", put(api::accounts::link_staff))
        .route("/accounts/{id}/disable", post(api::accounts::disable))
        .route("/accounts/{id}/enable", post(api::accounts::enable))
        .route("/accounts/{id}/grants", post(api::accounts::add_grant))
        .route("/accounts/{id}/grants/{grant}", axum::routing::delete(api::accounts::remove_grant))
        .route("/todo", get(api::auth::todo))
        .route("/notices", get(api::auth::notices).post(api::auth::publish_notice))
        .route("/units", get(api::org::list).post(api::org::create))
        .route("/units/{id}", get(api::org::get).put(api::org::update))
        .route("/units/{id}/move", post(api::org::move_unit))
        .route("/staff", get(api::staff::list).post(api::staff::create))
        .route("/staff/{id}", get(api::staff::get).put(api::staff::update))
        .route("/staff/{id}/guard", get(api::guards::get).put(api::guards::put))
        .route("/groups", get(api::groups::list).post(api::groups::create))
        .route("/groups/{id}", get(api::groups::get))
        .route("/groups/{id}/confirm", post(api::groups::confirm))
        .route("/groups/{id}/members/{staff}", put(api::groups::put_member).delete(api::groups::remove_member))
        .route("/training/hours", get(api::training::hours))
        .route("/warnings", get(api::warnings::list).post(api::warnings::issue))
        .route("/warnings/{id}", get(api::warnings::get))
        .route("/warnings/{id}/ack", post(api::warnings::acknowledge))
        .route("/plans", get(api::plans::book).put(api::plans::replace))
        .route("/plans/{code}", get(api::plans::plan))
        .route("/plans/{code}/runs", post(api::plans::record))
        .route("/exams/questions", get(api::exam::questions).post(api::exam::put_question))
        .route("/exams/questions/import", post(api::exam::import).layer(bank_import_limit()))
        .route("/exams/papers", get(api::exam::papers).post(api::exam::create_paper))
        .route("/exams/papers/{id}", get(api::exam::paper))
        .route("/exams/papers/{id}/results", get(api::exam::results))
        .route("/exams/papers/{id}/sittings", post(api::exam::start))
        .route("/exams/sittings/{id}", get(api::exam::sitting))
        .route("/exams/sittings/{id}/submit", post(api::exam::submit))
        .route("/exams/sittings/{id}/mark", post(api::exam::mark))
        .route("/letters", get(api::letters::overview))
        .route("/letters/mine", get(api::letters::mine))
        .route("/letters/plans", post(api::letters::make_plan))
        .route("/letters/remind", post(api::letters::remind))
        .route("/letters/{id}", get(api::letters::get))
        .route("/letters/{id}/letter.pdf", get(api::letters::letter_pdf))
        .route("/letters/{id}/sign", post(api::letters::sign))
        .route("/letters/{id}/scan", post(api::letters::upload_scan).layer(photo_limit()))
        .route("/workplan", get(api::workplan::plan).post(api::workplan::make))
        .route("/workplan/items/{id}", put(api::workplan::report))
        .route("/assessment", get(api::assess::ranking))
        .route("/assessment/units/{id}", get(api::assess::unit))
        .route("/assessment/freeze", post(api::assess::freeze))
        .route("/assessment/annual", get(api::assess::annual))
        .route("/assessment/rewards", post(api::assess::reward))
        .route("/assessment/scheme", get(api::assess::scheme).put(api::assess::replace_scheme))
        .route("/audit/events", get(api::audit::events))
        .route("/audit/verify", get(api::audit::verify))
        .route("/records", get(api::records::list).post(api::records::create))
        .route("/records/{id}", get(api::records::get))
        .route("/record-kinds", get(api::record_kinds::list))
        .route("/records/{id}/photo", post(api::records::add_photo).layer(photo_limit()))
        .route("/assets", get(api::records::assets).post(api::records::create_asset))
        .route("/messages", get(api::records::messages))
        .route("/messages/read", post(api::records::mark_read))
        .route("/rules", get(api::compliance::rules))
        .route("/calendar", get(api::calendar::calendar).put(api::calendar::replace))
        .route("/rules/{id}", get(api::compliance::rule).put(api::compliance::edit_rule))
        .route("/compliance", get(api::compliance::rollup_of))
        .route("/compliance/items", get(api::compliance::items))
        .route("/facilities/gaps", get(api::facility::gaps))
        .route("/facilities/items", post(api::facility::add_item))
        .route("/facilities/projects", post(api::facility::propose))
        .route("/facilities/projects/{id}/approve", post(api::facility::project_step))
        .route("/facilities/projects/{id}/reject", post(api::facility::project_step))
        .route("/facilities/projects/{id}/install", post(api::facility::project_step))
        .route("/facilities/projects/{id}/accept", post(api::facility::project_step))
        .route("/facilities/projects/{id}/fail", post(api::facility::project_step))
        .route("/facilities/projects/{id}/pay", post(api::facility::project_step))
        .route("/facilities/import", post(api::facility::import).layer(import_limit()))
        .route("/facilities/catalogue", get(api::facility_ledger::catalogue))
        .route("/facilities/places", post(api::facility_ledger::add_place))
        .route("/facilities/places/{id}", get(api::facility_ledger::ledger))
        .route("/facilities/items/{id}/check", post(api::facility_ledger::item_act))
        .route("/facilities/items/{id}/retire", post(api::facility_ledger::item_act))
        .route("/facilities/items/{id}/fault", post(api::facility_ledger::item_act))
        .route("/facilities/faults/{id}/dispatch", post(api::facility_ledger::fault_step))
        .route("/facilities/faults/{id}/repaired", post(api::facility_ledger::fault_step))
        .route("/facilities/faults/{id}/verify", post(api::facility_ledger::fault_step))
        .route("/facilities/work", get(api::facility_ledger::work))
        .route("/facilities/report", get(api::facility_ledger::report).post(api::facility_ledger::freeze))
        .route("/inspections", get(api::inspect::list).post(api::inspect::start))
        .route("/inspections/{id}", get(api::inspect::get))
        .route("/inspections/{id}/results", put(api::inspect::save))
        .route("/inspections/{id}/countersign", post(api::inspect::countersign))
        .route("/inspections/{id}/correct", post(api::inspect::correct))
        .route("/checklist", get(api::inspect::checklist).put(api::inspect::edit_checklist))
        .route("/cases", get(api::incident::list).post(api::incident::report))
        .route("/cases/{id}", get(api::incident::get))
        .route("/cases/{id}/forward", post(api::incident::forward))
        .route("/cases/{id}/findings", put(api::incident::findings))
        .route("/cases/{id}/propose", post(api::incident::propose))
        .route("/cases/{id}/decide", post(api::incident::decide))
        .route("/cases/{id}/send-back", post(api::incident::send_back))
        .route("/cases/{id}/close", post(api::incident::close))
        .route("/cases/{id}/notes", post(api::incident::add_note))
        .route("/cases/{id}/files", post(api::incident::add_file))
        .route("/cases/{id}/files/{file}", get(api::incident::file))
        .route("/penalties", get(api::incident::penalties))
        .route("/penalties/{id}/decide", post(api::incident::decide_penalty))
        .route("/penalties/{id}/notice.pdf", get(api::incident::penalty_notice_pdf))
        .route("/hazards", get(api::inspect::hazards).post(api::inspect::raise))
        .route("/hazards/{id}", get(api::inspect::hazard))
        .route("/hazards/{id}/notice.pdf", get(api::inspect::hazard_notice_pdf))
        .route("/hazards/{id}/rectify", post(api::inspect::rectify))
        .route("/hazards/{id}/verify", post(api::inspect::verify))
        .route("/bulletins", get(api::inspect::bulletins).post(api::inspect::publish))
        .route("/duty", get(api::duty::month).put(api::duty::save))
        .route("/duty/leave", post(api::duty::leave))
        .route("/duty/swaps", post(api::duty::request_swap))
        .route("/duty/swaps/{id}/decide", post(api::duty::decide_swap))
        .route("/custody", get(api::keys::table))
        .route("/custody/items", post(api::keys::register))
        .route("/custody/items/{id}/handover", post(api::keys::handover))
        .route("/custody/items/{id}/lost", post(api::keys::lost))
        .route("/custody/lock-changes/{id}/done", post(api::keys::lock_changed))
        .route("/me/pin", put(api::keys::set_pin))
        .route("/arms", get(api::arms::register_of).post(api::arms::register))
        .route("/arms/checkouts", post(api::arms::request))
        .route("/arms/checkouts/{id}/decide", post(api::arms::decide))
        .route("/arms/checkouts/{id}/issue", post(api::arms::issue))
        .route("/arms/checkouts/{id}/return", post(api::arms::give_back))
        .route("/escort", get(api::escort::list))
        .route("/escort/vans", post(api::escort::register_van))
        .route("/escort/trips", post(api::escort::plan))
        .route("/escort/trips/{id}", get(api::escort::get))
        .route("/escort/trips/{id}/depart", post(api::escort::depart))
        .route("/escort/trips/{id}/close", post(api::escort::close))
        .route("/escort/trips/{id}/boxes/{box_id}/handover", post(api::escort::hand_box))
        .route("/escort/trips/{id}/events", post(api::escort::event))
        // The Excel exports: each page's own handler, answering an API caller (`auth::Page`; `api::exports`).
        .route("/org/export.xlsx", get(pages::org::export))
        .route("/staff/export.xlsx", get(pages::staff::export))
        .route("/groups/export.xlsx", get(pages::groups::export))
        .route("/training/hours.xlsx", get(pages::training::export))
        .route("/warnings/{id}/unread.xlsx", get(pages::warnings::unread_export))
        .route("/exams/papers/{id}/results.xlsx", get(pages::exam::results_export))
        .route("/exams/bank/export.xlsx", get(pages::exam::bank_export))
        .route("/letters/export.xlsx", get(pages::letters::export))
        .route("/assessment/export.xlsx", get(pages::assess::export))
        .route("/audit/export.xlsx", get(pages::audit::export))
        .route("/records/export.xlsx", get(pages::records::export))
        .route("/compliance/items.xlsx", get(pages::compliance::export_items))
        .route("/compliance/export.xlsx", get(pages::compliance::export_units))
        .route("/inspections/export.xlsx", get(pages::inspect::export))
        .route("/cases/export.xlsx", get(pages::incident::export))
        .route("/penalties/export.xlsx", get(pages::incident::export_penalties))
        .route("/hazards/export.xlsx", get(pages::hazards::export))
        .route("/facilities/export.xlsx", get(pages::facility::export))
        .route("/duty/export.xlsx", get(pages::duty::export))
        .route("/duty/roster.pdf", get(pages::duty::roster_pdf))
        .route("/keys/export.xlsx", get(pages::keys::export))
        .route("/keys/table.pdf", get(pages::keys::table_pdf))
        .route("/arms/export.xlsx", get(pages::arms::export))
        .route("/escort/export.xlsx", get(pages::escort::export))
        .fallback(api_not_found)
        .layer(middleware::from_fn(crate::error::json_errors));

    Router::new()
        .merge(pages)
        .nest("/api/v1", api)
        .route("/api/openapi.json", get(api::openapi::openapi_json))
        .route("/healthz", get(healthz))
        .route("/static/app.css", get(stylesheet))
        .route("/static/exam.js", get(exam_script))
        .route("/static/plans.js", get(plans_script))
        .route("/sw.js", get(pages::plans::service_worker))
        .fallback(page_not_found)
        .layer(middleware::from_fn(crate::error::localise_error_pages))
        .layer(middleware::from_fn_with_state(state.clone(), security::same_origin_writes))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        // Past the limit requests wait their turn (and time out), rather than each taking memory and a connection.
        .layer(GlobalConcurrencyLimitLayer::new(limits.max_concurrent_requests))
        .layer(TimeoutLayer::with_status_code(StatusCode::REQUEST_TIMEOUT, limits.request_timeout))
        .with_state(state)
}

async fn healthz(State(s): State<AppState>) -> impl IntoResponse {
    if s.db.ping().await {
        (StatusCode::OK, axum::Json(serde_json::json!({ "status": "ok" })))
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, axum::Json(serde_json::json!({ "status": "database unreachable" })))
    }
}

async fn stylesheet() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/css; charset=utf-8"), (header::CACHE_CONTROL, "public, max-age=3600")],
        include_str!("../static/app.css"),
    )
}

/// The scripts of the project's own pages, served from the binary (nothing from elsewhere).
fn script(body: &'static str) -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "text/javascript; charset=utf-8"), (header::CACHE_CONTROL, "public, max-age=3600")], body)
}

async fn exam_script() -> impl IntoResponse {
    script(include_str!("../static/exam.js"))
}

async fn plans_script() -> impl IntoResponse {
    script(include_str!("../static/plans.js"))
}

async fn api_not_found() -> impl IntoResponse {
    crate::error::ApiError(anbao_app::AppError::NotFound)
}

async fn page_not_found() -> impl IntoResponse {
    crate::error::PageError::App(anbao_app::AppError::NotFound)
}

#[cfg(test)]
mod tests {
    //! The API covers every write a page makes (SYS-7): the route table above is read as text, each page route that
    //! takes a POST must be listed here with the API operation that does the same, and that operation must be in
    //! the OpenAPI document and in the API's part of the table. A new form with no API beside it fails here.
    use std::collections::BTreeSet;

    /// (page route that writes, the API operation that does the same).
    const PAGE_WRITE_IN_API: &[(&str, &str)] = &[
        ("/login", "POST /api/v1/auth/login"),
        ("/logout", "POST /api/v1/auth/logout"),
        ("/account/password", "PUT /api/v1/me/password"),
        ("/account/pin", "PUT /api/v1/me/pin"),
        ("/account/sessions/{handle}/revoke", "DELETE /api/v1/me/tokens/{handle}"),
        ("/notices", "POST /api/v1/notices"),
        ("/org/units", "POST /api/v1/units"),
        ("/org/units/{id}/edit", "PUT /api/v1/units/{id}"),
        ("/org/units/{id}/move", "POST /api/v1/units/{id}/move"),
        ("/org/units/{id}/groups", "POST /api/v1/groups"),
        ("/staff", "POST /api/v1/staff"),
        ("/staff/{id}/edit", "PUT /api/v1/staff/{id}"),
        ("/staff/{id}/guard", "PUT /api/v1/staff/{id}/guard"),
        ("/groups/{id}/members", "PUT /api/v1/groups/{id}/members/{staff_id}"),
        ("/groups/{id}/members/{staff}/remove", "DELETE /api/v1/groups/{id}/members/{staff_id}"),
        ("/groups/{id}/confirm", "POST /api/v1/groups/{id}/confirm"),
        ("/warnings", "POST /api/v1/warnings"),
        ("/warnings/{id}/ack", "POST /api/v1/warnings/{id}/ack"),
        ("/plans/{code}/runs", "POST /api/v1/plans/{code}/runs"),
        ("/exams/papers", "POST /api/v1/exams/papers"),
        ("/exams/papers/{id}/sit", "POST /api/v1/exams/papers/{id}/sittings"),
        ("/exams/sittings/{id}/submit", "POST /api/v1/exams/sittings/{id}/submit"),
        ("/exams/sittings/{id}/mark", "POST /api/v1/exams/sittings/{id}/mark"),
        ("/exams/bank/import", "POST /api/v1/exams/questions/import"),
        ("/letters/plans", "POST /api/v1/letters/plans"),
        ("/letters/remind", "POST /api/v1/letters/remind"),
        ("/letters/{id}/sign", "POST /api/v1/letters/{id}/sign"),
        ("/letters/{id}/scan", "POST /api/v1/letters/{id}/scan"),
        ("/workplan", "POST /api/v1/workplan"),
        ("/workplan/items/{id}", "PUT /api/v1/workplan/items/{id}"),
        ("/assessment/freeze", "POST /api/v1/assessment/freeze"),
        ("/assessment/rewards", "POST /api/v1/assessment/rewards"),
        ("/admin/accounts", "POST /api/v1/accounts"),
        ("/admin/accounts/bulk", "POST /api/v1/accounts/bulk"),
        ("/admin/accounts/import", "POST /api/v1/accounts/import"),
        ("/admin/accounts/{id}/staff", "PUT /api/v1/accounts/{id}/staff"),
        ("/admin/accounts/{id}/disable", "POST /api/v1/accounts/{id}/disable"),
        ("/admin/accounts/{id}/enable", "POST /api/v1/accounts/{id}/enable"),
        ("/admin/accounts/{id}/grants/{grant}/remove", "DELETE /api/v1/accounts/{id}/grants/{grant}"),
        ("/records", "POST /api/v1/records"),
        ("/calendar/days", "PUT /api/v1/calendar"),
        ("/rulebook/{id}", "PUT /api/v1/rules/{id}"),
        ("/messages/read", "POST /api/v1/messages/read"),
        ("/assets", "POST /api/v1/assets"),
        ("/inspections", "POST /api/v1/inspections"),
        ("/inspections/{id}/save", "PUT /api/v1/inspections/{id}/results"),
        ("/inspections/{id}/countersign", "POST /api/v1/inspections/{id}/countersign"),
        ("/inspections/{id}/correct", "POST /api/v1/inspections/{id}/correct"),
        ("/checklist", "PUT /api/v1/checklist"),
        ("/cases", "POST /api/v1/cases"),
        ("/cases/{id}/forward", "POST /api/v1/cases/{id}/forward"),
        ("/cases/{id}/findings", "PUT /api/v1/cases/{id}/findings"),
        ("/cases/{id}/propose", "POST /api/v1/cases/{id}/propose"),
        ("/cases/{id}/decide", "POST /api/v1/cases/{id}/decide"),
        ("/cases/{id}/send-back", "POST /api/v1/cases/{id}/send-back"),
        ("/cases/{id}/close", "POST /api/v1/cases/{id}/close"),
        ("/cases/{id}/notes", "POST /api/v1/cases/{id}/notes"),
        ("/penalties/{id}/decide", "POST /api/v1/penalties/{id}/decide"),
        ("/hazards", "POST /api/v1/hazards"),
        ("/hazards/{id}/rectify", "POST /api/v1/hazards/{id}/rectify"),
        ("/hazards/{id}/verify", "POST /api/v1/hazards/{id}/verify"),
        ("/bulletins", "POST /api/v1/bulletins"),
        ("/facilities/places", "POST /api/v1/facilities/places"),
        ("/facilities/places/{id}/item", "POST /api/v1/facilities/items"),
        ("/facilities/places/{id}/check", "POST /api/v1/facilities/items/{id}/{verb}"),
        ("/facilities/places/{id}/retire", "POST /api/v1/facilities/items/{id}/{verb}"),
        ("/facilities/places/{id}/fault", "POST /api/v1/facilities/items/{id}/{verb}"),
        ("/facilities/places/{id}/propose", "POST /api/v1/facilities/projects"),
        ("/facilities/report", "POST /api/v1/facilities/report"),
        ("/facilities/projects/{id}/approve", "POST /api/v1/facilities/projects/{id}/{step}"),
        ("/facilities/projects/{id}/reject", "POST /api/v1/facilities/projects/{id}/{step}"),
        ("/facilities/projects/{id}/install", "POST /api/v1/facilities/projects/{id}/{step}"),
        ("/facilities/projects/{id}/accept", "POST /api/v1/facilities/projects/{id}/{step}"),
        ("/facilities/projects/{id}/fail", "POST /api/v1/facilities/projects/{id}/{step}"),
        ("/facilities/projects/{id}/pay", "POST /api/v1/facilities/projects/{id}/{step}"),
        ("/facilities/faults/{id}/dispatch", "POST /api/v1/facilities/faults/{id}/{step}"),
        ("/facilities/faults/{id}/repaired", "POST /api/v1/facilities/faults/{id}/{step}"),
        ("/facilities/faults/{id}/verify", "POST /api/v1/facilities/faults/{id}/{step}"),
        ("/facilities/import", "POST /api/v1/facilities/import"),
        ("/duty", "PUT /api/v1/duty"),
        ("/duty/leave", "POST /api/v1/duty/leave"),
        ("/duty/swaps", "POST /api/v1/duty/swaps"),
        ("/duty/swaps/{id}/decide", "POST /api/v1/duty/swaps/{id}/decide"),
        ("/keys", "POST /api/v1/custody/items"),
        ("/keys/handover", "POST /api/v1/custody/items/{id}/handover"),
        ("/keys/{id}/lost", "POST /api/v1/custody/items/{id}/lost"),
        ("/keys/lock-changes/{id}/done", "POST /api/v1/custody/lock-changes/{id}/done"),
        ("/arms", "POST /api/v1/arms"),
        ("/arms/checkouts", "POST /api/v1/arms/checkouts"),
        ("/arms/checkouts/{id}/approve", "POST /api/v1/arms/checkouts/{id}/decide"),
        ("/arms/checkouts/{id}/refuse", "POST /api/v1/arms/checkouts/{id}/decide"),
        ("/arms/checkouts/{id}/issue", "POST /api/v1/arms/checkouts/{id}/issue"),
        ("/arms/checkouts/{id}/return", "POST /api/v1/arms/checkouts/{id}/return"),
        ("/escort/vans", "POST /api/v1/escort/vans"),
        ("/escort/trips", "POST /api/v1/escort/trips"),
        ("/escort/trips/{id}/depart", "POST /api/v1/escort/trips/{id}/depart"),
        ("/escort/trips/{id}/close", "POST /api/v1/escort/trips/{id}/close"),
        ("/escort/trips/{id}/handover", "POST /api/v1/escort/trips/{id}/boxes/{box_id}/handover"),
        ("/escort/trips/{id}/event", "POST /api/v1/escort/trips/{id}/events"),
    ];

    /// `(path, its handlers)` of each `.route(…)` in one part of the table.
    type Routes = Vec<(String, String)>;

    fn routes(part: &str) -> Routes {
        part.split(".route(")
            .skip(1)
            .filter_map(|r| {
                let path = r.split('"').nth(1)?.to_owned();
                Some((path, r.split_once(',').map_or("", |x| x.1).to_owned()))
            })
            .collect()
    }

    /// A path with its parameters' names dropped (the document and the table may name one `{staff_id}` and `{staff}`).
    fn shape(path: &str) -> String {
        path.split('/').map(|seg| if seg.starts_with('{') { "{}" } else { seg }).collect::<Vec<_>>().join("/")
    }

    /// Whether the API part of the table routes `method` at the documented `path` (`/api/v1/…`); a documented
    /// `{step}` or `{verb}` at the end stands for the verbs the table names one by one.
    fn routed(api: &[(String, String)], method: &str, path: &str) -> bool {
        let local = shape(path.trim_start_matches("/api/v1"));
        let verbless = path.ends_with("/{step}") || path.ends_with("/{verb}");
        let prefix = if verbless { local.rsplit_once('/').map_or("", |x| x.0).to_owned() + "/" } else { local };
        let call = format!("{}(", method.to_lowercase());
        api.iter().any(|(p, h)| {
            let p = shape(p);
            let same = if verbless { p.starts_with(&prefix) && !p[prefix.len()..].contains('/') } else { p == prefix };
            same && h.contains(&call)
        })
    }

    /// The pages' part of the table and the API's.
    fn table() -> (Routes, Routes) {
        let src = include_str!("routes.rs");
        let start = src.find("let pages = Router::new()").expect("pages");
        let api = src.find("let api = Router::new()").expect("api");
        let end = src[api..].find(".fallback(").expect("end") + api;
        (routes(&src[start..api]), routes(&src[api..end]))
    }

    #[test]
    fn every_page_write_has_an_api_operation() {
        let (pages, _) = table();
        let writes: BTreeSet<&str> =
            pages.iter().filter(|(_, h)| h.contains("post(")).map(|(p, _)| p.as_str()).collect();
        assert!(writes.len() > 90, "the table was read: {}", writes.len());
        let listed: BTreeSet<&str> = PAGE_WRITE_IN_API.iter().map(|(p, _)| *p).collect();
        let missing: Vec<&&str> = writes.difference(&listed).collect();
        assert!(missing.is_empty(), "page writes with no API operation listed: {missing:?}");
        let stale: Vec<&&str> = listed.difference(&writes).collect();
        assert!(stale.is_empty(), "listed but no longer a page write: {stale:?}");
    }

    #[test]
    fn every_listed_api_operation_is_documented_and_routed() {
        use utoipa::OpenApi;
        let doc = serde_json::to_value(crate::api::openapi::ApiDoc::openapi()).expect("json");
        let (_, api) = table();
        for (page, op) in PAGE_WRITE_IN_API {
            let (method, path) = op.split_once(' ').expect("METHOD /path");
            let documented = &doc["paths"][path][method.to_lowercase()];
            assert!(documented.is_object(), "{page}: {op} is not in the OpenAPI document");
            assert!(routed(&api, method, path), "{page}: {op} is documented but not in the route table");
        }
    }

    #[test]
    fn every_page_export_is_in_the_api_and_its_document() {
        let (pages, _) = table();
        let exports: Vec<&str> =
            pages.iter().filter(|(p, h)| p.ends_with(".xlsx") && h.contains("get(")).map(|(p, _)| p.as_str()).collect();
        assert!(exports.len() >= 20, "the table was read: {}", exports.len());
        let documented: BTreeSet<String> =
            crate::api::exports::EXPORTS.iter().map(|e| e.path.trim_start_matches("/api/v1").to_owned()).collect();
        let missing: Vec<&&str> = exports.iter().filter(|p| !documented.contains(**p)).collect();
        assert!(missing.is_empty(), "page exports not in the API: {missing:?}");
        assert_eq!(documented.len(), exports.len(), "an API export with no page behind it");
    }

    #[test]
    fn every_page_register_pdf_is_in_the_api_and_its_document() {
        let (pages, _) = table();
        let prints: BTreeSet<&str> = pages
            .iter()
            .filter(|(p, h)| p.ends_with(".pdf") && !p.contains('{') && h.contains("get("))
            .map(|(p, _)| p.as_str())
            .collect();
        let documented: BTreeSet<String> =
            crate::api::exports::PRINTS.iter().map(|e| e.path.trim_start_matches("/api/v1").to_owned()).collect();
        assert_eq!(prints, documented.iter().map(String::as_str).collect(), "page PDFs and the API's differ");
    }

    #[test]
    fn every_documented_operation_is_routed() {
        use utoipa::OpenApi;
        let doc = serde_json::to_value(crate::api::openapi::ApiDoc::openapi()).expect("json");
        let (_, api) = table();
        for (path, item) in doc["paths"].as_object().expect("paths") {
            if !path.starts_with("/api/v1/") {
                continue;
            }
            for method in item.as_object().unwrap().keys() {
                assert!(routed(&api, method, path), "{method} {path} is documented but not routed");
            }
        }
    }
}
