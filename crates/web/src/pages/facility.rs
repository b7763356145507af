//! Facility pages (安防设施台账): the gap map of a unit with the statistics in the regulations' form, a place's
//! ledger, the monthly report, the project board, the fault queue, and Excel import with a preview.
use super::custody::{date, day, picker, unit};
use super::{Layout, again, render, user_message, when};
use crate::auth::Page;
use crate::error::PageError;
use crate::form::Id;
use crate::form::IdVerb;
use crate::form::PageForm;
use crate::state::AppState;
use anbao_app::AppError;
use anbao_app::facility::ItemInput;
use anbao_domain::access::Permission;
use anbao_domain::facility::place_label;
use anbao_domain::ids::UnitId;
use askama::Template;
use axum::extract::{Multipart, Query, State};
use axum::response::{IntoResponse, Redirect, Response};

#[derive(serde::Deserialize, Default)]
pub struct UnitQuery {
    unit: Option<i64>,
    month: Option<String>,
    ok: Option<String>,
}

fn kind_name(cat: &anbao_domain::facility::Catalogue, code: &str) -> String {
    cat.kind(code).map_or(code.to_owned(), |k| k.name.clone())
}

#[derive(Template)]
#[template(path = "facility/map.html")]
struct MapPage {
    l: Layout,
    unit_id: i64,
    unit_name: String,
    /// "N个营业网点未安装防弹玻璃" lines.
    lines: Vec<String>,
    substandard: Vec<(String, i64, i64)>,
    below: Vec<(i64, String, i64, i64)>,
    places: Vec<(i64, String, String, String, i64, bool, String)>,
    fine: usize,
    /// Items due: place id, unit, place, facility, what is due, day.
    due: Vec<(i64, String, String, String, &'static str, String)>,
    kinds: Vec<(&'static str, &'static str)>,
    can_add: bool,
    unopened: i64,
    pick: Vec<(i64, String, bool)>,
    pick_action: &'static str,
    error: Option<String>,
}

async fn map_page(s: &AppState, p: &Page, q: &UnitQuery, error: Option<String>) -> Result<MapPage, PageError> {
    let u = unit(s, p, q.unit).await?;
    let m = anbao_app::facility::gap_map(&s.db, &p.ctx, u.id).await?;
    let lines = m
        .stats
        .lacking
        .iter()
        .map(|(place, kind, n)| format!("{n}个{}未达标：缺{}", place_label(place), kind_name(&m.catalogue, kind)))
        .collect();
    Ok(MapPage {
        l: Layout::new(p, "/facilities", "安防设施", "Facilities")
            .crumb(p.lang.tr("安防设施", "Facilities"), None)
            .flash_from(q.ok.as_deref()),
        unit_id: u.id.get(),
        unit_name: u.name.clone(),
        lines,
        substandard: m.stats.substandard.iter().map(|(k, a, b)| (place_label(k).to_owned(), *a, *b)).collect(),
        below: m.below.iter().filter(|b| b.3 > 0).cloned().collect(),
        // Only the places that fall short (or await acceptance) are listed; at province scale the rest are thousands.
        fine: m.places.iter().filter(|(pl, g)| g.is_empty() && pl.opened).count(),
        places: m
            .places
            .iter()
            .filter(|(pl, g)| !g.is_empty() || !pl.opened)
            .take(1000)
            .map(|(pl, g)| {
                let gaps = g
                    .iter()
                    .map(|g| format!("{}（需{}有{}）", kind_name(&m.catalogue, &g.kind), g.need, g.have))
                    .collect::<Vec<_>>();
                (
                    pl.id,
                    pl.unit_name.clone(),
                    pl.name.clone(),
                    place_label(&pl.kind).to_owned(),
                    pl.risk_level,
                    pl.opened,
                    gaps.join("、"),
                )
            })
            .collect(),
        due: m
            .due
            .iter()
            .take(500)
            .map(|d| {
                let what = if d.reason == "check" { "检查逾期" } else { "到期须更换" };
                (
                    d.place.id,
                    d.place.unit_name.clone(),
                    d.place.name.clone(),
                    kind_name(&m.catalogue, &d.item.kind),
                    what,
                    date(d.day),
                )
            })
            .collect(),
        kinds: anbao_domain::facility::PLACE_KINDS.to_vec(),
        can_add: p.ctx.actor.scope.allows(Permission::OrgWrite, &u.path),
        unopened: m.stats.unopened,
        pick: picker(s, p, u.id.get()).await?,
        pick_action: "/facilities",
        error,
    })
}

pub async fn map(State(s): State<AppState>, p: Page, Query(q): Query<UnitQuery>) -> Result<Response, PageError> {
    Ok(render(&map_page(&s, &p, &q, None).await?)?.into_response())
}

pub async fn add_place(State(s): State<AppState>, p: Page, PageForm(form): PageForm) -> Result<Response, PageError> {
    let unit_id = form.id_lenient("unit_id").unwrap_or(0);
    let risk = form.id_lenient("risk_level").unwrap_or(0);
    let r = anbao_app::facility::add_place(
        &s.db,
        &p.ctx,
        UnitId::new(unit_id),
        &form.text("kind"),
        &form.text("name"),
        risk,
        None,
        !form.flag("new_site"),
    )
    .await;
    match r {
        Ok(id) => Ok(Redirect::to(&format!("/facilities/places/{id}")).into_response()),
        Err(e) => {
            let msg = user_message(&p, e)?;
            again(&map_page(&s, &p, &UnitQuery { unit: Some(unit_id), ..Default::default() }, Some(msg)).await?)
        }
    }
}

pub struct ItemView {
    pub id: i64,
    pub kind: String,
    pub model: String,
    pub count: i64,
    pub supplier: String,
    pub installed: String,
    pub expires: String,
    pub expired: bool,
    pub status: &'static str,
    pub last_check: String,
}

#[derive(Template)]
#[template(path = "facility/ledger.html")]
struct LedgerPage {
    l: Layout,
    id: i64,
    place: String,
    unit: String,
    kind: &'static str,
    risk: i64,
    opened: bool,
    items: Vec<ItemView>,
    gaps: Vec<String>,
    events: Vec<(String, String, &'static str, String)>,
    kinds: Vec<(String, String)>,
    products: Vec<(String, String)>,
    today: String,
    can_write: bool,
    /// May enter and retire items (the security department).
    can_keep: bool,
    error: Option<String>,
}

async fn ledger_page(
    s: &AppState,
    p: &Page,
    id: i64,
    ok: Option<&str>,
    error: Option<String>,
) -> Result<LedgerPage, PageError> {
    let g = anbao_app::facility::ledger(&s.db, &p.ctx, id).await?;
    let today = anbao_domain::period::day_of_ms(p.ctx.now);
    let cat = &g.catalogue;
    Ok(LedgerPage {
        l: Layout::new(p, "/facilities", "设施台账", "Ledger")
            .crumb(p.lang.tr("安防设施", "Facilities"), Some("/facilities".into()))
            .crumb(g.place.name.clone(), None)
            .flash_from(ok),
        id,
        place: g.place.name.clone(),
        unit: g.place.unit_name.clone(),
        kind: place_label(&g.place.kind),
        risk: g.place.risk_level,
        opened: g.place.opened,
        items: g
            .items
            .iter()
            .map(|i| ItemView {
                id: i.id,
                kind: kind_name(cat, &i.kind),
                model: i.model.clone(),
                count: i.count,
                supplier: i.supplier.clone(),
                installed: date(i.installed_day),
                expires: i.expires_day.map(date).unwrap_or_default(),
                expired: i.expires_day.is_some_and(|e| e < today),
                status: match i.status.as_str() {
                    "working" => "正常",
                    "faulty" => "故障",
                    _ => "报废",
                },
                last_check: i.last_check_day.map(date).unwrap_or_default(),
            })
            .collect(),
        gaps: g.gaps.iter().map(|x| format!("{}：须{}，现有{}", kind_name(cat, &x.kind), x.need, x.have)).collect(),
        events: g
            .events
            .iter()
            .map(|(_, k, a, n, at)| {
                let action = match a.as_str() {
                    "installed" => "安装",
                    "checked" => "检查",
                    "fault" => "故障",
                    "repaired" => "修复",
                    "retired" => "报废",
                    _ => "—",
                };
                (when(at), kind_name(cat, k), action, n.clone())
            })
            .collect(),
        kinds: cat.kind.iter().map(|k| (k.code.clone(), format!("{}（{}）", k.name, k.source))).collect(),
        products: cat
            .product
            .iter()
            .map(|x| {
                (format!("{}|{}", x.kind, x.model), format!("{} · {}（{}）", kind_name(cat, &x.kind), x.model, x.maker))
            })
            .collect(),
        today: date(today),
        can_write: p.ctx.actor.scope.allows(Permission::RecordWrite, &g.place.unit_path),
        can_keep: anbao_app::facility::keeps_ledger(&p.ctx, &g.place.unit_path),
        error,
    })
}

pub async fn ledger(
    State(s): State<AppState>,
    p: Page,
    Id(id): Id,
    Query(q): Query<UnitQuery>,
) -> Result<Response, PageError> {
    Ok(render(&ledger_page(&s, &p, id, q.ok.as_deref(), None).await?)?.into_response())
}

crate::verbs!(
    /// What can be done at a facility place from its page.
    PlaceVerb {
        Item => "item",
        Check => "check",
        Retire => "retire",
        Fault => "fault",
        Propose => "propose",
    }
);

/// Actions on a place's ledger: `item` (add), `check`, `retire`, `fault`, `propose`.
pub async fn place_act(
    State(s): State<AppState>,
    p: Page,
    IdVerb(id, verb): IdVerb<PlaceVerb>,
    PageForm(form): PageForm,
) -> Result<Response, PageError> {
    let item = form.id_lenient("item_id").unwrap_or(0);
    let r: Result<(), AppError> = async {
        match verb {
            PlaceVerb::Item => {
                let expires = form.text("expires");
                let input = ItemInput {
                    place_id: Some(id),
                    kind: Some(form.text("kind")),
                    model: Some(form.text("model")),
                    count: form.id_lenient("count"),
                    supplier: Some(form.text("supplier")),
                    installed: Some(day(&form.text("installed"), "installed")?),
                    expires: if expires.trim().is_empty() { None } else { Some(day(&expires, "expires")?) },
                };
                anbao_app::facility::add_item(&s.db, &p.ctx, &input).await.map(|_| ())
            }
            PlaceVerb::Check => {
                anbao_app::facility::item_action(&s.db, &p.ctx, item, "checked", &form.text("note")).await
            }
            PlaceVerb::Retire => {
                anbao_app::facility::item_action(&s.db, &p.ctx, item, "retired", &form.text("note")).await
            }
            PlaceVerb::Fault => {
                anbao_app::facility::report_fault(&s.db, &p.ctx, item, &form.text("description")).await.map(|_| ())
            }
            PlaceVerb::Propose => {
                let pick = form.text("product");
                let (kind, model) = pick.split_once('|').unwrap_or_default();
                let budget = form.id_lenient("budget").unwrap_or(0);
                anbao_app::facility::propose(&s.db, &p.ctx, id, kind, model, &form.text("supplier"), budget)
                    .await
                    .map(|_| ())
            }
        }
    }
    .await;
    match r {
        Ok(()) => Ok(Redirect::to(&format!("/facilities/places/{id}?ok=saved")).into_response()),
        Err(e) => {
            let msg = user_message(&p, e)?;
            again(&ledger_page(&s, &p, id, None, Some(msg)).await?)
        }
    }
}

#[derive(Template)]
#[template(path = "facility/report.html")]
struct ReportPage {
    l: Layout,
    unit_id: i64,
    unit_name: String,
    month: String,
    frozen: bool,
    rows: Vec<(String, i64, String)>,
    substandard: Vec<(String, i64, i64)>,
    can_freeze: bool,
}

fn lines(
    cat: &anbao_domain::facility::Catalogue,
    s: &anbao_app::facility::Stats,
    prev: Option<&anbao_app::facility::Stats>,
) -> Vec<(String, i64, String)> {
    s.lacking
        .iter()
        .map(|(pl, k, n)| {
            let before = prev.and_then(|p| p.lacking.iter().find(|x| &x.0 == pl && &x.1 == k)).map_or(0, |x| x.2);
            let delta = match n - before {
                0 => "持平".to_owned(),
                d if d > 0 => format!("增加{d}"),
                d => format!("减少{}", -d),
            };
            (
                format!("{}未达标：缺{}", place_label(pl), kind_name(cat, k)),
                *n,
                if prev.is_some() { delta } else { "—".into() },
            )
        })
        .collect()
}

/// The monthly report: GET shows this month's figures (frozen if made), POST freezes them.
pub async fn report(State(s): State<AppState>, p: Page, Query(q): Query<UnitQuery>) -> Result<Response, PageError> {
    let u = unit(&s, &p, q.unit).await?;
    let month =
        q.month.clone().unwrap_or_else(|| anbao_domain::period::month_code(anbao_domain::period::day_of_ms(p.ctx.now)));
    let m = anbao_app::facility::gap_map(&s.db, &p.ctx, u.id).await?;
    let frozen = anbao_app::facility::frozen_report(&s.db, &p.ctx, &u, &month).await?;
    let stats: anbao_app::facility::Stats = match &frozen {
        Some((_, body, _)) => {
            serde_json::from_str(body).map_err(|e| PageError::from(AppError::Internal(e.to_string())))?
        }
        None => m.stats.clone(),
    };
    Ok(render(&ReportPage {
        l: Layout::new(&p, "/facilities", "安防设施月报", "Monthly facility report")
            .crumb(p.lang.tr("安防设施", "Facilities"), Some("/facilities".into()))
            .crumb(p.lang.tr("月报", "Monthly report"), None)
            .flash_from(q.ok.as_deref()),
        unit_id: u.id.get(),
        unit_name: u.name.clone(),
        month,
        frozen: frozen.is_some(),
        rows: lines(&m.catalogue, &stats, None),
        substandard: stats.substandard.iter().map(|(k, a, b)| (place_label(k).to_owned(), *a, *b)).collect(),
        can_freeze: anbao_app::facility::keeps_ledger(&p.ctx, &u.path),
    })?
    .into_response())
}

pub async fn freeze(State(s): State<AppState>, p: Page, PageForm(form): PageForm) -> Result<Response, PageError> {
    let unit_id = form.id_lenient("unit_id").unwrap_or(0);
    let month = form.text("month");
    anbao_app::facility::report_month(&s.db, &p.ctx, UnitId::new(unit_id), &month).await?;
    Ok(Redirect::to(&format!("/facilities/report?unit={unit_id}&month={month}&ok=saved")).into_response())
}

/// A project row: id, unit, place, facility, product, budget, status label, status code, findings.
type ProjectLine = (i64, String, String, String, String, i64, &'static str, String, String);
/// A fault row: id, place, facility, description, status label, status code, repairer, overdue, deadline.
type FaultLine = (i64, String, String, String, &'static str, String, String, bool, String);

#[derive(Template)]
#[template(path = "facility/work.html")]
struct WorkPage {
    l: Layout,
    unit_id: i64,
    projects: Vec<ProjectLine>,
    faults: Vec<FaultLine>,
    today: String,
    pick: Vec<(i64, String, bool)>,
    pick_action: &'static str,
    error: Option<String>,
}

fn project_status(p: &Page, s: &str) -> &'static str {
    use anbao_domain::facility::ProjectStatus;
    ProjectStatus::parse(s).map_or("—", |s| if p.lang.is_en() { s.label_en() } else { s.label_zh() })
}

fn fault_status(p: &Page, s: &str) -> &'static str {
    use anbao_domain::facility::FaultStatus;
    FaultStatus::parse(s).map_or("—", |s| if p.lang.is_en() { s.label_en() } else { s.label_zh() })
}

async fn work_page(s: &AppState, p: &Page, q: &UnitQuery, error: Option<String>) -> Result<WorkPage, PageError> {
    let u = unit(s, p, q.unit).await?;
    let projects = anbao_app::facility::projects(&s.db, &p.ctx, u.id).await?;
    let faults = anbao_app::facility::faults(&s.db, &p.ctx, u.id).await?;
    let today = anbao_domain::period::day_of_ms(p.ctx.now);
    let cat = anbao_app::facility::current_catalogue(&s.db).await?;
    Ok(WorkPage {
        l: Layout::new(p, "/facilities", "安装项目与故障", "Projects and faults")
            .crumb(p.lang.tr("安防设施", "Facilities"), Some("/facilities".into()))
            .crumb(p.lang.tr("安装项目与故障", "Projects and faults"), None)
            .flash_from(q.ok.as_deref()),
        unit_id: u.id.get(),
        projects: projects
            .iter()
            .map(|j| {
                (
                    j.id,
                    j.unit_name.clone(),
                    j.place_name.clone(),
                    kind_name(&cat, &j.kind),
                    j.product.clone(),
                    j.budget,
                    project_status(p, &j.status),
                    j.status.clone(),
                    j.findings.clone().unwrap_or_default(),
                )
            })
            .collect(),
        faults: faults
            .iter()
            .map(|f| {
                let overdue = f.status != "verified" && f.deadline_day.is_some_and(|d| d < today);
                (
                    f.id,
                    format!("{} · {}", f.unit_name, f.place_name),
                    kind_name(&cat, &f.kind),
                    f.description.clone(),
                    fault_status(p, &f.status),
                    f.status.clone(),
                    f.assignee.clone().unwrap_or_default(),
                    overdue,
                    f.deadline_day.map(date).unwrap_or_default(),
                )
            })
            .collect(),
        today: date(today + 3),
        pick: picker(s, p, u.id.get()).await?,
        pick_action: "/facilities/work",
        error,
    })
}

pub async fn work(State(s): State<AppState>, p: Page, Query(q): Query<UnitQuery>) -> Result<Response, PageError> {
    Ok(render(&work_page(&s, &p, &q, None).await?)?.into_response())
}

pub async fn project_step(
    State(s): State<AppState>,
    p: Page,
    IdVerb(id, step): IdVerb<anbao_domain::facility::ProjectStep>,
    PageForm(form): PageForm,
) -> Result<Response, PageError> {
    let back = form.id_lenient("back_unit");
    let findings = form.text("findings");
    let r = anbao_app::facility::project_step(&s.db, &p.ctx, id, step, Some(&findings)).await;
    match r {
        Ok(()) => Ok(Redirect::to(&format!("/facilities/work?unit={}&ok=saved", back.unwrap_or(0))).into_response()),
        Err(e) => {
            let msg = user_message(&p, e)?;
            again(&work_page(&s, &p, &UnitQuery { unit: back, ..Default::default() }, Some(msg)).await?)
        }
    }
}

pub async fn fault_step(
    State(s): State<AppState>,
    p: Page,
    IdVerb(id, step): IdVerb<anbao_domain::facility::FaultStep>,
    PageForm(form): PageForm,
) -> Result<Response, PageError> {
    let back = form.id_lenient("back_unit");
    let r = async {
        let deadline = form.text("deadline");
        let deadline = if deadline.trim().is_empty() { None } else { Some(day(&deadline, "deadline")?) };
        anbao_app::facility::fault_step(
            &s.db,
            &p.ctx,
            id,
            step,
            Some(&form.text("assignee")),
            deadline,
            Some(&form.text("accompanied_by")),
        )
        .await
    }
    .await;
    match r {
        Ok(()) => Ok(Redirect::to(&format!("/facilities/work?unit={}&ok=saved", back.unwrap_or(0))).into_response()),
        Err(e) => {
            let msg = user_message(&p, e)?;
            again(&work_page(&s, &p, &UnitQuery { unit: back, ..Default::default() }, Some(msg)).await?)
        }
    }
}

#[derive(Template)]
#[template(path = "facility/import.html")]
struct ImportPage {
    l: Layout,
    columns: &'static [&'static str],
    result: Option<(usize, usize, bool)>,
    errors: Vec<(usize, String)>,
    error: Option<String>,
}

fn import_layout(p: &Page) -> Layout {
    Layout::new(p, "/facilities", "导入设施台账", "Import a ledger")
        .crumb(p.lang.tr("安防设施", "Facilities"), Some("/facilities".into()))
        .crumb(p.lang.tr("导入", "Import"), None)
}

pub async fn import_form(p: Page) -> Result<Response, PageError> {
    Ok(render(&ImportPage {
        l: import_layout(&p),
        columns: &anbao_app::facility::IMPORT_COLUMNS,
        result: None,
        errors: Vec::new(),
        error: None,
    })?
    .into_response())
}

/// Upload a workbook: with `commit` unticked it is only checked; ticked, it is imported if every row is good.
pub async fn import(State(s): State<AppState>, p: Page, mut mp: Multipart) -> Result<Response, PageError> {
    // Who may import is settled before a byte of the upload is read.
    anbao_app::facility::may_import(&p.ctx)?;
    let (form, file) = crate::form::file_form(&mut mp, "file").await?;
    p.check_csrf(&form)?;
    let commit = form.flag("commit");
    let l = import_layout(&p);
    let columns = &anbao_app::facility::IMPORT_COLUMNS;
    match anbao_app::facility::import(&s.db, &p.ctx, file, commit).await {
        Ok(r) => {
            let page =
                ImportPage { l, columns, result: Some((r.rows, r.imported, commit)), errors: r.errors, error: None };
            if page.errors.is_empty() { Ok(render(&page)?.into_response()) } else { again(&page) }
        }
        Err(e) => {
            let msg = user_message(&p, e)?;
            again(&ImportPage { l, columns, result: None, errors: Vec::new(), error: Some(msg) })
        }
    }
}

/// The whole ledger under a unit as a spreadsheet: one row per item, with its place and whether it counts.
pub async fn export(State(s): State<AppState>, p: Page, Query(q): Query<UnitQuery>) -> Result<Response, PageError> {
    let u = unit(&s, &p, q.unit).await?;
    let today = anbao_domain::period::day_of_ms(p.ctx.now);
    let (cat, places, items) = anbao_app::facility::ledger_under(&s.db, &p.ctx, &u).await?;
    let rows: Vec<Vec<String>> = items
        .iter()
        .filter_map(|i| {
            let pl = places.iter().find(|pl| pl.id == i.place_id)?;
            let expired = i.expires_day.is_some_and(|e| e < today);
            Some(vec![
                pl.unit_name.clone(),
                pl.name.clone(),
                kind_name(&cat, &i.kind),
                i.model.clone(),
                i.count.to_string(),
                i.supplier.clone(),
                date(i.installed_day),
                i.expires_day.map(date).unwrap_or_default(),
                if expired {
                    "已过期".into()
                } else {
                    match i.status.as_str() {
                        "working" => "正常".into(),
                        _ => "故障".into(),
                    }
                },
            ])
        })
        .collect();
    // The first eight columns are the import's, so an exported ledger can be edited and imported elsewhere.
    let mut headers: Vec<&str> = anbao_app::facility::IMPORT_COLUMNS.to_vec();
    headers.push("状态");
    let bytes = anbao_app::export::xlsx("安防设施台账", &headers, &rows)?;
    Ok(super::org::xlsx_response(bytes, "facilities.xlsx"))
}
