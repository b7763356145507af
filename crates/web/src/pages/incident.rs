//! Case pages (案件管理): the register with its filters and export, a case entered on a phone, the case page (reports
//! up the tree, the timeline, the investigation prefilled from the records, findings, the determination and its
//! decision, closing), the printable 责任认定书; the penalty register, a penalty's decision and its printable notice.
use super::custody::{picker, staff_options, unit, unit_options};
use super::{Layout, again, render, user_message, when};
use crate::auth::Page;
use crate::error::PageError;
use crate::form::{Id, IdAnd, IdVerb, PageForm};
use crate::state::AppState;
use anbao_app::incident::{self as app, CaseInput, Findings, LineChange, PenaltyDecision};
use anbao_domain::access::Permission;
use anbao_domain::incident::{CasePlace, CaseStatus, PenaltyStatus, Rules};
use anbao_store::incident::{CaseRow, ViolationRow};
use askama::Template;
use axum::extract::{Multipart, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};

#[derive(serde::Deserialize, Default)]
pub struct RegisterQuery {
    unit: Option<i64>,
    kind: Option<String>,
    status: Option<String>,
    year: Option<String>,
    ok: Option<String>,
}

pub struct Row {
    pub id: i64,
    pub case_no: String,
    pub kind: String,
    pub unit: String,
    pub occurred: String,
    pub loss: String,
    pub status: &'static str,
    pub four: bool,
}

fn kind_label(rules: &Rules, code: &str) -> String {
    rules.kind.iter().find(|k| k.code == code).map_or_else(|| code.to_owned(), |k| k.label.clone())
}

fn yuan(fen: i64) -> String {
    format!("{}.{:02}", fen / 100, fen % 100)
}

fn row(rules: &Rules, r: &CaseRow) -> Row {
    Row {
        id: r.id,
        case_no: r.case_no.clone(),
        kind: kind_label(rules, &r.kind),
        unit: r.unit_name.clone(),
        occurred: when(&r.occurred_at),
        loss: yuan(r.loss_fen),
        status: CaseStatus::parse(&r.status).map_or("—", |s| s.label_zh()),
        four: rules.kind.iter().any(|k| k.code == r.kind && k.four),
    }
}

#[derive(Template)]
#[template(path = "cases/list.html")]
struct RegisterPage {
    l: Layout,
    unit_id: i64,
    unit_name: String,
    rows: Vec<Row>,
    kinds: Vec<(String, String)>,
    statuses: Vec<(&'static str, &'static str)>,
    kind: String,
    status: String,
    year: String,
    can_report: bool,
    pick: Vec<(i64, String, bool)>,
    pick_action: &'static str,
}

async fn register_page(s: &AppState, p: &Page, q: &RegisterQuery) -> Result<RegisterPage, PageError> {
    let u = unit(s, p, q.unit).await?;
    let rules = app::rules(&s.db).await?;
    let kind = q.kind.clone().unwrap_or_default();
    let status = q.status.clone().unwrap_or_default();
    let year = q.year.clone().unwrap_or_default();
    let year_n = match year.trim() {
        "" => None,
        y => Some(
            y.parse::<i32>()
                .map_err(|_| PageError::from(anbao_app::error::invalid("year", "年份不正确", "bad year")))?,
        ),
    };
    let query = app::CaseQuery {
        unit: u.id,
        kind: Some(kind.clone()).filter(|k| !k.is_empty()),
        status: Some(status.clone()).filter(|k| !k.is_empty()),
        year: year_n,
    };
    let rows = app::register(&s.db, &p.ctx, &query).await?;
    Ok(RegisterPage {
        l: Layout::new(p, "/cases", "案件管理", "Cases")
            .crumb(p.lang.tr("案件管理", "Cases"), None)
            .flash_from(q.ok.as_deref()),
        unit_id: u.id.get(),
        unit_name: u.name.clone(),
        rows: rows.iter().map(|r| row(&rules, r)).collect(),
        kinds: rules.kind.iter().map(|k| (k.code.clone(), k.label.clone())).collect(),
        statuses: CaseStatus::ALL.iter().map(|s| (s.code(), s.label_zh())).collect(),
        kind,
        status,
        year,
        can_report: p.ctx.actor.scope.allows(Permission::RecordWrite, &u.path),
        pick: picker(s, p, u.id.get()).await?,
        pick_action: "/cases",
    })
}

pub async fn register(
    State(s): State<AppState>,
    p: Page,
    Query(q): Query<RegisterQuery>,
) -> Result<Response, PageError> {
    Ok(render(&register_page(&s, &p, &q).await?)?.into_response())
}

pub async fn export(State(s): State<AppState>, p: Page, Query(q): Query<RegisterQuery>) -> Result<Response, PageError> {
    let pg = register_page(&s, &p, &q).await?;
    let rows: Vec<Vec<String>> = pg
        .rows
        .iter()
        .map(|r| {
            vec![
                r.case_no.clone(),
                r.kind.clone(),
                if r.four { "是".into() } else { String::new() },
                r.unit.clone(),
                r.occurred.clone(),
                r.loss.clone(),
                r.status.to_owned(),
            ]
        })
        .collect();
    let bytes = anbao_app::export::xlsx(
        "案件登记簿",
        &["案件编号", "类别", "四类案件", "发案单位", "发案时间", "损失（元）", "状态"],
        &rows,
    )?;
    Ok(super::org::xlsx_response(bytes, "cases.xlsx"))
}

#[derive(Template)]
#[template(path = "cases/new.html")]
struct NewPage {
    l: Layout,
    kinds: Vec<(String, String)>,
    places: Vec<(&'static str, &'static str)>,
    units: Vec<(i64, String)>,
    staff: Vec<(i64, String)>,
    now: String,
    hours: i64,
    ours: bool,
    article: String,
    /// Prefilled when the report starts from an emergency plan being followed.
    description: String,
    error: Option<String>,
}

/// `?plan=` names the emergency plan the report starts from (the plan page's button).
#[derive(serde::Deserialize, Default)]
pub struct NewCaseQuery {
    pub plan: Option<String>,
}

async fn new_page(s: &AppState, p: &Page, error: Option<String>) -> Result<NewPage, PageError> {
    new_page_from(s, p, error, String::new()).await
}

async fn new_page_from(
    s: &AppState,
    p: &Page,
    error: Option<String>,
    description: String,
) -> Result<NewPage, PageError> {
    let u = unit(s, p, None).await?;
    let rules = app::rules(&s.db).await?;
    let now = when(&p.ctx.now);
    Ok(NewPage {
        l: Layout::new(p, "/cases", "登记案件", "Report a case")
            .crumb(p.lang.tr("案件管理", "Cases"), Some("/cases".into()))
            .crumb(p.lang.tr("登记案件", "Report a case"), None),
        kinds: rules.kind.iter().map(|k| (k.code.clone(), k.label.clone())).collect(),
        places: CasePlace::ALL.iter().map(|c| (c.code(), c.label_zh())).collect(),
        units: unit_options(s, p, &u.path).await?,
        staff: staff_options(s, p, &u.path).await?,
        now: now.replace(' ', "T").chars().take(16).collect(),
        hours: rules.reporting.hours_per_level,
        ours: rules.reporting.ours,
        article: rules.reporting.article.clone(),
        description,
        error,
    })
}

pub async fn new_case(
    State(s): State<AppState>,
    p: Page,
    Query(q): Query<NewCaseQuery>,
) -> Result<Response, PageError> {
    let description = match q.plan.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
        Some(code) => {
            let v = anbao_app::plans::plan_view(&s.db, &p.ctx, code).await?;
            format!("已按应急预案《{}》（{}）处置。", v.plan.title, v.plan.article)
        }
        None => String::new(),
    };
    Ok(render(&new_page_from(&s, &p, None, description).await?)?.into_response())
}

/// Enter a case from the phone form, with the scene's photos (a multipart form).
pub async fn report(State(s): State<AppState>, p: Page, mut mp: Multipart) -> Result<Response, PageError> {
    let (form, files) = crate::form::files_form(&mut mp, "photos").await?;
    p.check_csrf(&form)?;
    let input = CaseInput {
        kind: form.text("kind"),
        unit_id: form.id_lenient("unit_id"),
        place: form.text("place"),
        occurred_at: Some(form.text("occurred_at")),
        loss: Some(form.text("loss")),
        description: form.text("description"),
        people: form.all("people").iter().filter_map(|v| v.parse().ok()).collect(),
        insider: form.flag("insider"),
    };
    match app::report(&s.db, &s.blobs, &p.ctx, &input, files).await {
        Ok(id) => Ok(Redirect::to(&format!("/cases/{id}?ok=created")).into_response()),
        Err(e) => {
            let msg = user_message(&p, e)?;
            again(&new_page(&s, &p, Some(msg)).await?)
        }
    }
}

/// Add a note and files to a case's timeline (a multipart form on the case page).
pub async fn add_note(
    State(s): State<AppState>,
    p: Page,
    Id(id): Id,
    mut mp: Multipart,
) -> Result<Response, PageError> {
    // Who may add, and whether the case is still open, is settled before a byte of the upload is read.
    if let Err(e) = app::must_add_to(&s.db, &p.ctx, id).await {
        let msg = user_message(&p, e)?;
        return again(&show_page(&s, &p, id, None, Some(msg)).await?);
    }
    let (form, files) = crate::form::files_form(&mut mp, "files").await?;
    p.check_csrf(&form)?;
    match app::add_note(&s.db, &s.blobs, &p.ctx, id, &form.text("note"), files).await {
        Ok(()) => Ok(Redirect::to(&format!("/cases/{id}?ok=saved#case-events")).into_response()),
        Err(e) => {
            let msg = user_message(&p, e)?;
            again(&show_page(&s, &p, id, None, Some(msg)).await?)
        }
    }
}

/// A case's file, shown inline (a photo in the browser, a PDF in its viewer).
pub async fn file(State(s): State<AppState>, p: Page, IdAnd(id, file): IdAnd) -> Result<Response, PageError> {
    let file = crate::form::path_id(&file)?;
    let (f, bytes) = app::file(&s.db, &s.blobs, &p.ctx, id, file).await?;
    let headers = [(header::CONTENT_TYPE, f.content_type), (header::CACHE_CONTROL, "no-store".into())];
    Ok((headers, bytes).into_response())
}

pub struct ReportLine {
    pub level: i64,
    pub unit: String,
    pub due: String,
    pub reported: String,
    pub acknowledged: String,
    pub late: Option<i64>,
}

pub struct LineView {
    pub key: String,
    pub who: String,
    pub as_party: String,
    pub weight: String,
    pub weight_code: String,
    pub grounds: Vec<(String, String)>,
    pub exempt: Vec<(String, String)>,
    pub aggravated: bool,
    pub decided: Option<String>,
    pub reason: String,
}

#[derive(Template)]
#[template(path = "cases/show.html")]
struct ShowPage {
    l: Layout,
    k: CaseRow,
    kind: String,
    four: bool,
    place: &'static str,
    status: &'static str,
    occurred: String,
    loss: String,
    people: Vec<(i64, String)>,
    reports: Vec<ReportLine>,
    events: Vec<EventView>,
    can_add: bool,
    sections: Vec<app::Section>,
    /// The sections are the proposal's frozen copy.
    frozen: bool,
    facilities_ok: bool,
    rules_in_place: bool,
    findings: Findings,
    causes: Vec<(String, String, String, bool)>,
    staff: Vec<(i64, String)>,
    lines: Vec<LineView>,
    exempt_all: Option<(String, String)>,
    weights: Vec<(String, String)>,
    violations: Vec<ViolationView>,
    open_points: Vec<String>,
    can_forward: bool,
    can_investigate: bool,
    can_propose: bool,
    can_decide: bool,
    can_close: bool,
    error: Option<String>,
}

/// A timeline entry with the files that came with it.
pub struct EventView {
    pub at: String,
    pub note: String,
    pub by: String,
    pub files: Vec<FileView>,
}

pub struct FileView {
    pub href: String,
    pub name: String,
    pub image: bool,
    pub size: String,
}

fn file_view(case: i64, f: &anbao_store::incident::CaseFileRow) -> FileView {
    FileView {
        href: format!("/cases/{case}/files/{}", f.id),
        name: f.file_name.clone(),
        image: f.content_type.starts_with("image/"),
        size: format!("{} KB", (f.size + 1023) / 1024),
    }
}

pub struct ViolationView {
    pub id: i64,
    pub who: String,
    pub title: String,
    pub article: String,
    pub fine: String,
    pub sanction: String,
    pub status: &'static str,
}

fn violation_view(rules: &Rules, v: &ViolationRow) -> ViolationView {
    let decided = v.status != PenaltyStatus::Proposed.code();
    let fine = if decided { v.decided_fine_yuan } else { v.fine_yuan };
    let sanction = if decided { v.decided_sanction.clone() } else { v.sanction.clone() };
    ViolationView {
        id: v.id,
        who: v.staff_name.clone().unwrap_or_else(|| v.unit_name.clone()),
        title: v.title.clone(),
        article: v.article.clone(),
        fine: fine.map_or_else(|| "—".into(), |f| format!("{f}元{}", if decided { "" } else { "以上" })),
        sanction: sanction.map_or_else(|| "—".into(), |s| rules.sanction_label(&s)),
        status: PenaltyStatus::parse(&v.status).map_or("—", |s| s.label_zh()),
    }
}

async fn show_page(
    s: &AppState,
    p: &Page,
    id: i64,
    ok: Option<&str>,
    error: Option<String>,
) -> Result<ShowPage, PageError> {
    let k = app::case(&s.db, &p.ctx, id).await?;
    let inv = app::investigation_of(&s.db, &p.ctx, &k.row).await?;
    let open_points = app::open_points_of(&s.db, &p.ctx, id).await?;
    let rules = &k.rules;
    let status = CaseStatus::parse(&k.row.status)?;
    let findings = app::findings_of(&k.row);
    let proposal = app::proposal_of(&k.row);
    let decision = app::decision_of(&k.row);
    let lines = proposal
        .as_ref()
        .map(|pr| {
            pr.determination
                .lines
                .iter()
                .map(|l| {
                    let d = decision.as_ref().and_then(|d| d.lines.iter().find(|x| x.key == l.who.key));
                    LineView {
                        key: l.who.key.clone(),
                        who: l.who.label.clone(),
                        as_party: l.as_party.join("、"),
                        weight: l.weight.as_deref().map_or_else(|| "不负责任".into(), |w| rules.weight_label(w)),
                        weight_code: l.weight.clone().unwrap_or_default(),
                        grounds: l.grounds.iter().map(|g| (g.article.clone(), g.text.clone())).collect(),
                        exempt: l.exempt.iter().map(|g| (g.article.clone(), g.text.clone())).collect(),
                        aggravated: l.aggravated,
                        decided: d
                            .map(|d| d.weight.as_deref().map_or_else(|| "不负责任".into(), |w| rules.weight_label(w))),
                        reason: d.map(|d| d.reason.clone()).unwrap_or_default(),
                    }
                })
                .collect()
        })
        .unwrap_or_default();
    let staff = staff_options(s, p, &k.row.unit_path).await?;
    Ok(ShowPage {
        l: Layout::new(p, "/cases", "案件", "Case")
            .crumb(p.lang.tr("案件管理", "Cases"), Some("/cases".into()))
            .crumb(k.row.case_no.clone(), None)
            .flash_from(ok),
        kind: kind_label(rules, &k.row.kind),
        four: rules.kind.iter().any(|x| x.code == k.row.kind && x.four),
        place: CasePlace::parse(&k.row.place).map_or("—", |c| c.label_zh()),
        status: status.label_zh(),
        occurred: when(&k.row.occurred_at),
        loss: yuan(k.row.loss_fen),
        people: k.people.clone(),
        reports: k
            .reports
            .iter()
            .map(|r| ReportLine {
                level: r.level,
                unit: r.unit_name.clone(),
                due: when(&r.due_at),
                reported: r.reported_at.as_ref().map(when).unwrap_or_default(),
                acknowledged: match (&r.acknowledged_at, &r.acknowledged_by) {
                    (Some(at), by) => format!("{} {}", when(at), by.clone().unwrap_or_default()),
                    _ => String::new(),
                },
                late: app::late_minutes(r, p.ctx.now),
            })
            .collect(),
        events: k
            .events
            .iter()
            .map(|e| EventView {
                at: when(&e.at),
                note: e.note.clone(),
                by: e.by_name.clone().unwrap_or_default(),
                files: k.files.iter().filter(|f| f.event_id == e.id).map(|f| file_view(id, f)).collect(),
            })
            .collect(),
        can_add: app::may_add(&p.ctx, &k.row),
        frozen: app::frozen_investigation(&k.row).is_some(),
        sections: inv.sections,
        facilities_ok: inv.facilities_ok,
        rules_in_place: inv.rules_in_place,
        causes: rules
            .cause
            .iter()
            .filter(|c| !c.reporting)
            .map(|c| (c.code.clone(), c.article.clone(), c.text.clone(), findings.causes.contains(&c.code)))
            .collect(),
        findings,
        staff,
        lines,
        exempt_all: proposal.and_then(|p| p.determination.exempt_all).map(|g| (g.article, g.text)),
        weights: rules.weight.iter().map(|w| (w.code.clone(), w.label.clone())).collect(),
        violations: k.violations.iter().map(|v| violation_view(rules, v)).collect(),
        can_forward: k.can_forward,
        can_investigate: k.can_investigate && matches!(status, CaseStatus::Reported | CaseStatus::Investigating),
        can_propose: k.can_investigate && status == CaseStatus::Investigating,
        can_decide: k.can_decide && status == CaseStatus::Proposed,
        can_close: k.can_decide && status == CaseStatus::Decided,
        open_points,
        k: k.row,
        error,
    })
}

pub async fn show(
    State(s): State<AppState>,
    p: Page,
    Id(id): Id,
    Query(q): Query<RegisterQuery>,
) -> Result<Response, PageError> {
    Ok(render(&show_page(&s, &p, id, q.ok.as_deref(), None).await?)?.into_response())
}

crate::verbs!(
    /// What can be done to a case from its page.
    CaseVerb {
        Forward => "forward",
        Findings => "findings",
        Propose => "propose",
        Decide => "decide",
        SendBack => "send-back",
        Close => "close",
    }
);

pub async fn act(
    State(s): State<AppState>,
    p: Page,
    IdVerb(id, verb): IdVerb<CaseVerb>,
    PageForm(form): PageForm,
) -> Result<Response, PageError> {
    let r = match verb {
        CaseVerb::Forward => app::forward(&s.db, &p.ctx, id).await,
        CaseVerb::Findings => {
            let f = Findings {
                causes: form.all("causes"),
                violators: form.all("violators").iter().filter_map(|v| v.parse().ok()).collect(),
                beyond_limits: form.flag("beyond_limits"),
                quality_defect: form.flag("quality_defect"),
                no_direct_link: form.flag("no_direct_link"),
                notes: form.text("notes"),
            };
            app::save_findings(&s.db, &p.ctx, id, &f, &form.text("cause")).await
        }
        CaseVerb::Propose => app::propose(&s.db, &p.ctx, id).await,
        CaseVerb::Decide => {
            // Each line comes back as weight_<key> and reason_<key>; only the lines changed are sent on.
            let keys = form.all("line");
            let changes: Vec<LineChange> = keys
                .iter()
                .map(|k| LineChange {
                    key: k.clone(),
                    weight: Some(form.text(&format!("weight_{k}"))),
                    reason: Some(form.text(&format!("reason_{k}"))),
                })
                .filter(|c| form.text(&format!("proposed_{}", c.key)) != c.weight.clone().unwrap_or_default())
                .collect();
            app::decide(&s.db, &p.ctx, id, &changes).await
        }
        CaseVerb::SendBack => app::send_back(&s.db, &p.ctx, id, &form.text("reason")).await,
        CaseVerb::Close => app::close(&s.db, &p.ctx, id).await,
    };
    match r {
        Ok(()) => Ok(Redirect::to(&format!("/cases/{id}?ok=saved")).into_response()),
        Err(e) => {
            let msg = user_message(&p, e)?;
            again(&show_page(&s, &p, id, None, Some(msg)).await?)
        }
    }
}

#[derive(Template)]
#[template(path = "cases/determination.html")]
struct DeterminationPage {
    l: Layout,
    k: CaseRow,
    kind: String,
    occurred: String,
    loss: String,
    lines: Vec<LineView>,
    exempt_all: Option<(String, String)>,
    decided: bool,
    date: String,
}

/// The responsibility determination (责任认定书) in the official layout, for printing.
pub async fn determination(State(s): State<AppState>, p: Page, Id(id): Id) -> Result<Response, PageError> {
    let pg = show_page(&s, &p, id, None, None).await?;
    let day = anbao_domain::period::day_of_ms(pg.k.decided_at.unwrap_or(p.ctx.now));
    Ok(render(&DeterminationPage {
        l: pg.l,
        kind: pg.kind,
        occurred: pg.occurred,
        loss: pg.loss,
        decided: pg.k.decision.is_some(),
        lines: pg.lines,
        exempt_all: pg.exempt_all,
        date: crate::documents::chinese_date(day),
        k: pg.k,
    })?
    .into_response())
}

#[derive(serde::Deserialize, Default)]
pub struct PenaltyQuery {
    unit: Option<i64>,
    year: Option<String>,
    status: Option<String>,
    ok: Option<String>,
}

pub struct PenaltyRow {
    pub id: i64,
    pub unit: String,
    pub who: String,
    pub joint: String,
    pub title: String,
    pub article: String,
    pub source: &'static str,
    pub occurred: String,
    pub fine: String,
    pub sanction: String,
    pub status: &'static str,
    pub facts: String,
}

fn source_label(s: &str) -> &'static str {
    match s {
        "record" => "登记簿",
        "inspection" => "安全检查",
        "escort" => "押运登记",
        "report" => "迟报漏报",
        "case" => "案件认定",
        _ => "其他",
    }
}

fn penalty_row(rules: &Rules, v: &ViolationRow) -> PenaltyRow {
    let view = violation_view(rules, v);
    PenaltyRow {
        id: v.id,
        unit: v.unit_name.clone(),
        who: v.staff_name.clone().unwrap_or_default(),
        joint: v.joint_name.clone().unwrap_or_default(),
        title: v.title.clone(),
        article: v.article.clone(),
        source: source_label(&v.source),
        occurred: when(&v.occurred_at),
        fine: view.fine,
        sanction: view.sanction,
        status: view.status,
        facts: v.facts.clone(),
    }
}

#[derive(Template)]
#[template(path = "cases/penalties.html")]
struct PenaltiesPage {
    l: Layout,
    unit_id: i64,
    unit_name: String,
    year: i32,
    status: String,
    rows: Vec<PenaltyRow>,
    total_fine: i64,
    pick: Vec<(i64, String, bool)>,
    pick_action: &'static str,
}

async fn penalties_page(s: &AppState, p: &Page, q: &PenaltyQuery) -> Result<PenaltiesPage, PageError> {
    let u = unit(s, p, q.unit).await?;
    let this_year = anbao_domain::period::ymd(anbao_domain::period::day_of_ms(p.ctx.now)).0;
    let year = match q.year.as_deref().map(str::trim).filter(|y| !y.is_empty()) {
        None => this_year,
        Some(y) => {
            y.parse().map_err(|_| PageError::from(anbao_app::error::invalid("year", "年份不正确", "bad year")))?
        }
    };
    let status = q.status.clone().unwrap_or_default();
    let rows = app::penalties(&s.db, &p.ctx, u.id, year, Some(status.as_str()).filter(|s| !s.is_empty())).await?;
    let rules = app::rules(&s.db).await?;
    Ok(PenaltiesPage {
        l: Layout::new(p, "/penalties", "违规处罚", "Penalties")
            .crumb(p.lang.tr("违规处罚", "Penalties"), None)
            .flash_from(q.ok.as_deref()),
        unit_id: u.id.get(),
        unit_name: u.name.clone(),
        year,
        total_fine: rows.iter().filter(|v| v.status == "decided").filter_map(|v| v.decided_fine_yuan).sum(),
        rows: rows.iter().map(|v| penalty_row(&rules, v)).collect(),
        status,
        pick: picker(s, p, u.id.get()).await?,
        pick_action: "/penalties",
    })
}

pub async fn penalties(
    State(s): State<AppState>,
    p: Page,
    Query(q): Query<PenaltyQuery>,
) -> Result<Response, PageError> {
    Ok(render(&penalties_page(&s, &p, &q).await?)?.into_response())
}

pub async fn export_penalties(
    State(s): State<AppState>,
    p: Page,
    Query(q): Query<PenaltyQuery>,
) -> Result<Response, PageError> {
    let pg = penalties_page(&s, &p, &q).await?;
    let rows: Vec<Vec<String>> = pg
        .rows
        .iter()
        .map(|r| {
            vec![
                r.occurred.clone(),
                r.unit.clone(),
                r.who.clone(),
                r.joint.clone(),
                r.title.clone(),
                r.article.clone(),
                r.source.to_owned(),
                r.facts.clone(),
                r.fine.clone(),
                r.sanction.clone(),
                r.status.to_owned(),
            ]
        })
        .collect();
    let bytes = anbao_app::export::xlsx(
        "违规处罚登记簿",
        &["发现时间", "单位", "责任人", "连带责任人", "违规类型", "依据", "来源", "事实", "罚款", "处分", "状态"],
        &rows,
    )?;
    Ok(super::org::xlsx_response(bytes, "penalties.xlsx"))
}

#[derive(Template)]
#[template(path = "cases/penalty.html")]
struct PenaltyPage {
    l: Layout,
    v: ViolationRow,
    r: PenaltyRow,
    sanctions: Vec<(String, String)>,
    can_decide: bool,
    error: Option<String>,
}

async fn penalty_page(
    s: &AppState,
    p: &Page,
    id: i64,
    ok: Option<&str>,
    error: Option<String>,
) -> Result<PenaltyPage, PageError> {
    let (v, rules, can_decide) = app::violation(&s.db, &p.ctx, id).await?;
    Ok(PenaltyPage {
        l: Layout::new(p, "/penalties", "违规处罚", "Penalty")
            .crumb(p.lang.tr("违规处罚", "Penalties"), Some("/penalties".into()))
            .crumb(v.title.clone(), None)
            .flash_from(ok),
        r: penalty_row(&rules, &v),
        sanctions: rules.sanction.iter().map(|x| (x.code.clone(), x.label.clone())).collect(),
        v,
        can_decide,
        error,
    })
}

pub async fn penalty(
    State(s): State<AppState>,
    p: Page,
    Id(id): Id,
    Query(q): Query<PenaltyQuery>,
) -> Result<Response, PageError> {
    Ok(render(&penalty_page(&s, &p, id, q.ok.as_deref(), None).await?)?.into_response())
}

pub async fn decide_penalty(
    State(s): State<AppState>,
    p: Page,
    Id(id): Id,
    PageForm(form): PageForm,
) -> Result<Response, PageError> {
    let d = PenaltyDecision {
        status: form.text("status"),
        fine: Some(form.text("fine")),
        sanction: Some(form.text("sanction")),
        reason: Some(form.text("reason")),
    };
    match app::decide_penalty(&s.db, &p.ctx, id, &d).await {
        Ok(()) => Ok(Redirect::to(&format!("/penalties/{id}?ok=saved")).into_response()),
        Err(e) => {
            let msg = user_message(&p, e)?;
            again(&penalty_page(&s, &p, id, None, Some(msg)).await?)
        }
    }
}

#[derive(Template)]
#[template(path = "cases/penalty_notice.html")]
struct PenaltyNoticePage {
    l: Layout,
    n: crate::documents::PenaltyNotice,
}

/// The penalty notice (违规处罚通知书) for printing, once decided; its PDF is the same data.
pub async fn penalty_notice(State(s): State<AppState>, p: Page, Id(id): Id) -> Result<Response, PageError> {
    let n = crate::documents::penalty_notice(&s, &p.ctx, id).await?;
    Ok(render(&PenaltyNoticePage { l: Layout::new(&p, "/penalties", "违规处罚通知书", "Penalty notice"), n })?
        .into_response())
}

/// The penalty notice as an A4 PDF in the official layout.
pub async fn penalty_notice_pdf(State(s): State<AppState>, p: Page, Id(id): Id) -> Result<Response, PageError> {
    let n = crate::documents::penalty_notice(&s, &p.ctx, id).await?;
    Ok(crate::documents::pdf(&s, anbao_pdf::Document::PenaltyNotice, &n, &n.number).await?)
}
