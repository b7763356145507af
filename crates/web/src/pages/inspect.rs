//! Inspection pages (安全检查): the list and the start form, the checklist filled item by item on a phone, signing
//! and the outlet head's countersignature, the leadership summary, and the checklist template with its versions.
use super::custody::{date, picker};
use super::{Layout, again, render, user_message, when};
use crate::auth::Page;
use crate::error::PageError;
use crate::form::Id;
use crate::form::{FormData, IdVerb, PageForm};
use crate::state::AppState;
use anbao_app::AppError;
use anbao_app::confirm::SecondSignIn;
use anbao_app::evidence::Upload;
use anbao_domain::access::Permission;
use anbao_domain::inspect::{ItemResult, Outcome};
use anbao_domain::period;
use askama::Template;
use axum::extract::{Multipart, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use std::collections::BTreeMap;

#[derive(serde::Deserialize, Default)]
pub struct ListQuery {
    unit: Option<i64>,
    month: Option<String>,
    ok: Option<String>,
}

pub struct Row {
    pub id: i64,
    pub day: String,
    pub target: String,
    pub kind: &'static str,
    pub inspector: String,
    pub score: String,
    pub status: &'static str,
}

#[derive(Template)]
#[template(path = "inspect/list.html")]
struct ListPage {
    l: Layout,
    unit_id: i64,
    unit_name: String,
    month: String,
    rows: Vec<Row>,
    targets: Vec<(i64, String)>,
    kinds: Vec<(&'static str, &'static str)>,
    posts: Vec<(&'static str, &'static str)>,
    pick: Vec<(i64, String, bool)>,
    pick_action: &'static str,
    error: Option<String>,
    /// Per inspector and post this month: signed inspections and distinct units covered (INSP-2, per person).
    by_inspector: Vec<(String, &'static str, usize, usize)>,
}

pub fn kind_label(code: &str) -> &'static str {
    anbao_domain::records::RecordKind::InspectionVisit.subkinds().iter().find(|k| k.0 == code).map_or("—", |k| k.1)
}

fn month_of(q: Option<&str>, now: i64) -> String {
    q.map(str::to_owned).unwrap_or_else(|| period::month_code(period::day_of_ms(now)))
}

async fn list_page(s: &AppState, p: &Page, q: &ListQuery, error: Option<String>) -> Result<ListPage, PageError> {
    let u = super::custody::unit(s, p, q.unit).await?;
    let month = month_of(q.month.as_deref(), p.ctx.now);
    let (from, to) = anbao_domain::period::month_of(&month)?;
    let rows = anbao_app::inspect::list(&s.db, &p.ctx, u.id, from, to).await?;
    let me = anbao_app::confirm::first_person(&s.db, &p.ctx).await.ok();
    let mut by: BTreeMap<(String, String), (usize, std::collections::BTreeSet<i64>)> = BTreeMap::new();
    let superseded: std::collections::HashSet<i64> = rows.iter().filter_map(|r| r.supersedes_id).collect();
    for r in rows.iter().filter(|r| r.status != "draft" && !superseded.contains(&r.id)) {
        let e = by.entry((r.inspector_name.clone(), r.inspector_position.clone())).or_default();
        e.0 += 1;
        e.1.insert(r.target_unit_id);
    }
    let by_inspector = by
        .into_iter()
        .map(|((name, post), (n, units))| {
            let label = anbao_domain::staff::Position::parse(&post).map_or("—", |x| x.label_zh());
            (name, label, n, units.len())
        })
        .collect();
    let en = p.lang.is_en();
    let l = Layout::new(p, "/inspections", "安全检查", "Inspections")
        .crumb(p.lang.tr("安全检查", "Inspections"), None)
        .flash_from(q.ok.as_deref());
    Ok(ListPage {
        l,
        unit_id: u.id.get(),
        unit_name: u.name.clone(),
        month,
        rows: rows
            .iter()
            .map(|r| Row {
                id: r.id,
                day: date(r.local_day),
                target: r.target_name.clone(),
                kind: kind_label(&r.kind),
                inspector: r.inspector_name.clone(),
                score: if r.status == "draft" { "—".into() } else { format!("{:.1}", r.score_tenths as f64 / 10.0) },
                status: anbao_domain::inspect::InspectionStatus::parse(&r.status).map_or("—", |s| s.label_zh()),
            })
            .collect(),
        targets: super::custody::unit_options(s, p, &u.path)
            .await?
            .into_iter()
            .filter(|(id, _)| me.as_ref().is_none_or(|m| m.unit_id.get() != *id))
            .collect(),
        kinds: anbao_domain::records::RecordKind::InspectionVisit.subkinds().to_vec(),
        posts: me
            .map(|m| {
                anbao_app::inspect::INSPECTOR_POSTS
                    .iter()
                    .filter(|x| m.positions.contains(x))
                    .map(|x| (x.code(), if en { x.label_en() } else { x.label_zh() }))
                    .collect()
            })
            .unwrap_or_default(),
        pick: picker(s, p, u.id.get()).await?,
        pick_action: "/inspections",
        error,
        by_inspector,
    })
}

pub async fn list(State(s): State<AppState>, p: Page, Query(q): Query<ListQuery>) -> Result<Response, PageError> {
    Ok(render(&list_page(&s, &p, &q, None).await?)?.into_response())
}

pub async fn start(State(s): State<AppState>, p: Page, PageForm(form): PageForm) -> Result<Response, PageError> {
    let target = form.id_lenient("target_unit_id").unwrap_or(0);
    match anbao_app::inspect::start(&s.db, &p.ctx, target, &form.text("kind"), &form.text("position")).await {
        Ok(id) => Ok(Redirect::to(&format!("/inspections/{id}")).into_response()),
        Err(e) => {
            let msg = user_message(&p, e)?;
            again(&list_page(&s, &p, &ListQuery::default(), Some(msg)).await?)
        }
    }
}

pub struct ItemView {
    pub code: String,
    pub section: String,
    pub text: String,
    pub points: i64,
    pub article: String,
    pub outcome: &'static str,
    pub deduct: String,
    pub note: String,
    pub photos: Vec<(i64, String)>,
}

#[derive(Template)]
#[template(path = "inspect/show.html")]
struct ShowPage {
    l: Layout,
    id: i64,
    title: String,
    target: String,
    kind: &'static str,
    inspector: String,
    day: String,
    version: i64,
    status: &'static str,
    code: &'static str,
    score: String,
    suggestions: String,
    countersigner: String,
    items: Vec<ItemView>,
    hazards: Vec<(i64, String, String, String)>,
    editable: bool,
    can_countersign: bool,
    can_correct: bool,
    supersedes: Option<i64>,
    error: Option<String>,
}

async fn show_page(
    s: &AppState,
    p: &Page,
    id: i64,
    ok: Option<&str>,
    error: Option<String>,
) -> Result<ShowPage, PageError> {
    let i = anbao_app::inspect::get(&s.db, &p.ctx, id).await?;
    let st = i.status();
    let mine = i.row.created_by == Some(p.ctx.actor.account.get());
    let l = Layout::new(p, "/inspections", "安全检查", "Inspection")
        .crumb(p.lang.tr("安全检查", "Inspections"), Some("/inspections".into()))
        .crumb(format!("#{id}"), None)
        .flash_from(ok);
    let sections: BTreeMap<String, String> =
        i.checklist.template.section.iter().map(|x| (x.code.clone(), x.title.clone())).collect();
    Ok(ShowPage {
        l,
        id,
        title: i.checklist.template.title.clone(),
        target: i.row.target_name.clone(),
        kind: kind_label(&i.row.kind),
        inspector: i.row.inspector_name.clone(),
        day: when(&i.row.inspected_at),
        version: i.checklist.version,
        status: st.label_zh(),
        code: st.code(),
        score: format!("{:.1}", i.row.score_tenths as f64 / 10.0),
        suggestions: i.row.suggestions.clone().unwrap_or_default(),
        countersigner: i.row.countersigner_name.clone().unwrap_or_default(),
        items: i
            .checklist
            .template
            .item
            .iter()
            .map(|it| {
                let r = i.results.get(&it.code);
                ItemView {
                    code: it.code.clone(),
                    section: sections.get(&it.section).cloned().unwrap_or_default(),
                    text: it.text.clone(),
                    points: it.points,
                    article: it.article.clone(),
                    outcome: match r.map(|r| r.outcome) {
                        Some(Outcome::Pass) => "pass",
                        Some(Outcome::Fail) => "fail",
                        Some(Outcome::NotApplicable) => "na",
                        None => "",
                    },
                    deduct: r.filter(|r| r.deduct > 0).map(|r| r.deduct.to_string()).unwrap_or_default(),
                    note: r.map(|r| r.note.clone()).unwrap_or_default(),
                    photos: i
                        .photos
                        .iter()
                        .filter(|ph| ph.item_code == it.code)
                        .map(|ph| (ph.id, when(&ph.taken_at)))
                        .collect(),
                }
            })
            .collect(),
        hazards: i.hazards.iter().map(|h| (h.id, h.notice_no.clone(), h.title.clone(), date(h.deadline_day))).collect(),
        editable: st == anbao_domain::inspect::InspectionStatus::Draft && mine,
        can_countersign: st == anbao_domain::inspect::InspectionStatus::Signed && mine,
        can_correct: st == anbao_domain::inspect::InspectionStatus::Countersigned && mine,
        supersedes: i.row.supersedes_id,
        error,
    })
}

pub async fn show(
    State(s): State<AppState>,
    p: Page,
    Id(id): Id,
    Query(q): Query<ListQuery>,
) -> Result<Response, PageError> {
    Ok(render(&show_page(&s, &p, id, q.ok.as_deref(), None).await?)?.into_response())
}

/// The checklist form: per item `o_<code>` (pass/fail/na), `d_<code>` (deduction), `n_<code>` (note) and photos in
/// `p_<code>`; `suggestions`; `then` = `sign` to sign after saving.
pub async fn save(State(s): State<AppState>, p: Page, Id(id): Id, mut mp: Multipart) -> Result<Response, PageError> {
    let bad = |_| {
        PageError::from(AppError::Invalid(anbao_domain::DomainError::new(
            "",
            "表单数据格式不正确",
            "the form data is malformed",
        )))
    };
    let mut fields: Vec<(String, String)> = Vec::new();
    let mut photos: Vec<(String, Upload)> = Vec::new();
    while let Some(field) = mp.next_field().await.map_err(bad)? {
        let name = field.name().unwrap_or_default().to_owned();
        if let Some(code) = name.strip_prefix("p_") {
            let file_name = field.file_name().unwrap_or("photo").to_owned();
            let bytes = field.bytes().await.map_err(bad)?.to_vec();
            photos.push((code.to_owned(), Upload { file_name, bytes, taken_at: None }));
            continue;
        }
        fields.push((name, field.text().await.map_err(bad)?));
    }
    let form = FormData(fields);
    p.check_csrf(&form)?;
    let mut results = BTreeMap::new();
    for (k, v) in &form.0 {
        let Some(code) = k.strip_prefix("o_") else { continue };
        let outcome = match v.as_str() {
            "pass" => Outcome::Pass,
            "fail" => Outcome::Fail,
            "na" => Outcome::NotApplicable,
            _ => continue,
        };
        // No number typed: 0, which `inspect::save` takes as the item's full points.
        let deduct = match outcome {
            Outcome::Fail => {
                let raw = form.text(&format!("d_{code}"));
                if raw.trim().is_empty() { 0 } else { raw.trim().parse::<i64>().unwrap_or(-1) }
            }
            _ => 0,
        };
        results.insert(code.to_owned(), ItemResult { outcome, deduct, note: form.text(&format!("n_{code}")) });
    }
    let suggestions = form.text("suggestions");
    let r = async {
        anbao_app::inspect::save(&s.db, &s.blobs, &p.ctx, id, results, Some(&suggestions), photos).await?;
        if form.get("then") == Some("sign") {
            anbao_app::inspect::sign(&s.db, &p.ctx, id).await?;
        }
        Ok::<_, AppError>(())
    }
    .await;
    match r {
        Ok(()) => Ok(Redirect::to(&format!("/inspections/{id}?ok=saved")).into_response()),
        Err(e) => {
            let msg = user_message(&p, e)?;
            again(&show_page(&s, &p, id, None, Some(msg)).await?)
        }
    }
}

crate::verbs!(
    /// What can be done to an inspection from its page.
    InspectionVerb {
        Countersign => "countersign",
        Correct => "correct",
    }
);

pub async fn act(
    State(s): State<AppState>,
    p: Page,
    IdVerb(id, verb): IdVerb<InspectionVerb>,
    PageForm(form): PageForm,
) -> Result<Response, PageError> {
    let r = match verb {
        InspectionVerb::Countersign => {
            let second = SecondSignIn {
                confirm_username: Some(form.text("confirm_username")),
                confirm_secret: Some(form.text("confirm_secret")),
            };
            anbao_app::inspect::countersign(&s.db, &s.policy, &p.ctx, id, &second).await.map(|_| id)
        }
        InspectionVerb::Correct => anbao_app::inspect::correct(&s.db, &p.ctx, id).await,
    };
    match r {
        Ok(to) => Ok(Redirect::to(&format!("/inspections/{to}?ok=saved")).into_response()),
        Err(e) => {
            let msg = user_message(&p, e)?;
            again(&show_page(&s, &p, id, None, Some(msg)).await?)
        }
    }
}

pub async fn photo(State(s): State<AppState>, p: Page, Id(id): Id) -> Result<Response, PageError> {
    let (ct, bytes) = anbao_app::inspect::photo(&s.db, &s.blobs, &p.ctx, id).await?;
    Ok(([(header::CONTENT_TYPE, ct), (header::CACHE_CONTROL, "private, max-age=86400".into())], bytes).into_response())
}

#[derive(Template)]
#[template(path = "inspect/report.html")]
struct ReportPage {
    l: Layout,
    unit_name: String,
    month: String,
    s: anbao_app::inspect::Summary,
    average: String,
    pick: Vec<(i64, String, bool)>,
    pick_action: &'static str,
}

/// The leadership summary of a month (检查情况报告), printable.
pub async fn report(State(s): State<AppState>, p: Page, Query(q): Query<ListQuery>) -> Result<Response, PageError> {
    let u = super::custody::unit(&s, &p, q.unit).await?;
    let month = month_of(q.month.as_deref(), p.ctx.now);
    let (from, to) = anbao_domain::period::month_of(&month)?;
    let sum = anbao_app::inspect::summary(&s.db, &p.ctx, u.id, from, to).await?;
    let l = Layout::new(&p, "/inspections", "检查情况报告", "Inspection report")
        .crumb(p.lang.tr("安全检查", "Inspections"), Some("/inspections".into()))
        .crumb(p.lang.tr("检查情况报告", "Report"), None);
    let average = sum.average_tenths.map_or("—".into(), |a| format!("{:.1}", a as f64 / 10.0));
    Ok(render(&ReportPage {
        l,
        unit_name: u.name.clone(),
        month,
        s: sum,
        average,
        pick: picker(&s, &p, u.id.get()).await?,
        pick_action: "/inspections/report",
    })?
    .into_response())
}

#[derive(Template)]
#[template(path = "inspect/checklist.html")]
struct ChecklistPage {
    l: Layout,
    versions: Vec<(i64, String, i64)>,
    current: anbao_domain::inspect::Template,
    body: String,
    can_edit: bool,
    tomorrow: String,
    error: Option<String>,
}

async fn checklist_page(
    s: &AppState,
    p: &Page,
    body: Option<String>,
    error: Option<String>,
) -> Result<ChecklistPage, PageError> {
    let today = period::day_of_ms(p.ctx.now);
    let (versions, current) = anbao_app::inspect::checklist_versions(&s.db, today).await?;
    let body = body.unwrap_or_else(|| toml::to_string(&current.template).unwrap_or_default());
    Ok(ChecklistPage {
        l: Layout::new(p, "/inspections", "检查表", "Checklist")
            .crumb(p.lang.tr("安全检查", "Inspections"), Some("/inspections".into()))
            .crumb(p.lang.tr("检查表", "Checklist"), None),
        versions: versions
            .iter()
            .rev()
            .map(|v| (v.version, date(v.effective_from_day), v.template.item.len() as i64))
            .collect(),
        current: current.template,
        body,
        can_edit: p.ctx.actor.scope.covers_whole_tree(Permission::RulebookWrite),
        tomorrow: date(today + 1),
        error,
    })
}

pub async fn checklist(State(s): State<AppState>, p: Page) -> Result<Response, PageError> {
    Ok(render(&checklist_page(&s, &p, None, None).await?)?.into_response())
}

pub async fn edit_checklist(
    State(s): State<AppState>,
    p: Page,
    PageForm(form): PageForm,
) -> Result<Response, PageError> {
    let text = form.text("body");
    let r = async {
        let day = super::custody::day(&form.text("effective_from"), "effective_from")?;
        anbao_app::inspect::edit_checklist(&s.db, &p.ctx, &text, day).await
    }
    .await;
    match r {
        Ok(_) => Ok(Redirect::to("/checklist").into_response()),
        Err(e) => {
            let msg = user_message(&p, e)?;
            again(&checklist_page(&s, &p, Some(text), Some(msg)).await?)
        }
    }
}

/// The month's inspections as a spreadsheet.
pub async fn export(State(s): State<AppState>, p: Page, Query(q): Query<ListQuery>) -> Result<Response, PageError> {
    let pg = list_page(&s, &p, &q, None).await?;
    let rows: Vec<Vec<String>> = pg
        .rows
        .iter()
        .map(|r| {
            vec![
                r.day.clone(),
                r.target.clone(),
                r.kind.to_owned(),
                r.inspector.clone(),
                r.score.clone(),
                r.status.to_owned(),
            ]
        })
        .collect();
    let bytes = anbao_app::export::xlsx("安全检查", &["日期", "被检查单位", "类别", "检查人", "得分", "状态"], &rows)?;
    Ok(super::org::xlsx_response(bytes, "inspections.xlsx"))
}
