//! Responsibility letter pages: the signing view of a unit (counts per unit below, the names not signed, the plan,
//! reminders, Excel), one letter (signed by its signer on a phone, or its paper scan uploaded), and the printable
//! letter.
use super::org::xlsx_response;
use super::{Layout, again, render, user_message, when};
use crate::auth::Page;
use crate::error::PageError;
use crate::form::{Id, PageForm};
use crate::queries::letters::LetterQuery;
use crate::state::AppState;
use anbao_app::letters::{self as app, Overview};
use anbao_domain::ids::UnitId;
use anbao_domain::letters::{LetterKind, LetterStatus};
use anbao_domain::period;
use anbao_store::letters::LetterRow;
use askama::Template;
use axum::extract::{Multipart, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};

// A local day as the letters write it.
use crate::documents::chinese_date as date;

pub struct LetterLine {
    pub id: i64,
    pub signer: String,
    pub signer_no: String,
    pub unit: String,
    pub issuer: String,
    pub status: &'static str,
    pub signed: bool,
    pub signed_at: String,
    pub method: &'static str,
    pub late: bool,
    pub kind: &'static str,
    pub year: i32,
}

fn line(l: &LetterRow, en: bool) -> LetterLine {
    let signed_day = l.signed_at.map(period::day_of_ms);
    LetterLine {
        id: l.id,
        signer: l.signer_name.clone(),
        signer_no: l.signer_no.clone(),
        unit: l.unit_name.clone(),
        issuer: match &l.issuer_name {
            Some(n) => format!("{}（{}）", n, l.issuer_unit_name),
            None => format!("{}（{}）", l.issuer_unit_name, if en { "head vacant" } else { "第一责任人空缺" }),
        },
        status: if en { l.status.label_en() } else { l.status.label_zh() },
        signed: l.status == LetterStatus::Signed,
        signed_at: l.signed_at.as_ref().map(when).unwrap_or_default(),
        method: l.method.map(|m| if en { m.label_en() } else { m.label_zh() }).unwrap_or_default(),
        late: signed_day.is_some_and(|d| d > l.deadline_day),
        kind: if en { l.kind.label_en() } else { l.kind.label_zh() },
        year: l.year,
    }
}

pub struct TallyLine {
    pub unit_id: i64,
    pub unit: String,
    pub own: bool,
    pub letters: i64,
    pub signed: i64,
    pub unsigned: i64,
    pub late: i64,
}

#[derive(Template)]
#[template(path = "letters/overview.html")]
struct OverviewPage {
    l: Layout,
    unit_id: i64,
    unit: String,
    kind: &'static str,
    kind_label: &'static str,
    year: i32,
    kinds: Vec<(&'static str, &'static str)>,
    deadline: String,
    planned: bool,
    tallies: Vec<TallyLine>,
    total: (i64, i64, i64, i64),
    unsigned: Vec<LetterLine>,
    truncated: bool,
    may_organise: bool,
    may_plan: bool,
    targets: String,
    mine: Vec<LetterLine>,
    error: Option<String>,
}

async fn overview_page(
    s: &AppState,
    p: &Page,
    q: &LetterQuery,
    error: Option<String>,
    targets: Option<String>,
) -> Result<OverviewPage, PageError> {
    let o: Overview = app::overview(&s.db, &p.ctx, q.unit()?, q.kind(), q.year()).await?;
    let en = p.lang.is_en();
    let mine = app::my_letters(&s.db, &p.ctx).await?.iter().map(|l| line(l, en)).collect();
    let (letters, signed, late) = o.total();
    let may_plan = p.ctx.actor.scope.holds(&[anbao_domain::access::Role::Security], &o.unit.path);
    let l = Layout::new(p, "/letters", "责任书", "Responsibility letters")
        .crumb(p.lang.tr("责任书", "Responsibility letters"), None)
        .flash_from(q.ok.as_deref());
    Ok(OverviewPage {
        unit_id: o.unit.id.get(),
        unit: o.unit.name.clone(),
        kind: o.kind.code(),
        kind_label: if en { o.kind.label_en() } else { o.kind.label_zh() },
        year: o.year,
        kinds: LetterKind::ALL.iter().map(|k| (k.code(), if en { k.label_en() } else { k.label_zh() })).collect(),
        deadline: o.deadline_day.map(date).unwrap_or_default(),
        planned: letters > 0,
        tallies: o
            .tallies
            .iter()
            .map(|t| TallyLine {
                unit_id: t.unit_id,
                unit: t.unit_name.clone(),
                own: t.unit_id == o.unit.id.get(),
                letters: t.letters,
                signed: t.signed,
                unsigned: t.letters - t.signed,
                late: t.late,
            })
            .collect(),
        total: (letters, signed, letters - signed, late),
        truncated: o.unsigned.len() as i64 >= app::LIST_LIMIT,
        unsigned: o.unsigned.iter().map(|x| line(x, en)).collect(),
        may_organise: o.may_organise,
        may_plan,
        targets: targets.unwrap_or_else(|| app::default_targets(o.kind).to_owned()),
        mine,
        error,
        l,
    })
}

pub async fn overview(State(s): State<AppState>, p: Page, Query(q): Query<LetterQuery>) -> Result<Response, PageError> {
    Ok(render(&overview_page(&s, &p, &q, None, None).await?)?.into_response())
}

fn back_to(unit: i64, kind: &str, year: &str, ok: &str) -> String {
    format!("/letters?unit={unit}&kind={kind}&year={}&ok={ok}", year.trim())
}

/// Make or extend the signing plan of a unit.
pub async fn make_plan(State(s): State<AppState>, p: Page, PageForm(form): PageForm) -> Result<Response, PageError> {
    let unit = form.id("unit_id")?.ok_or(anbao_app::AppError::NotFound)?;
    let (kind, year, targets) = (form.text("kind"), form.text("year"), form.text("targets"));
    match app::make_plan(&s.db, &p.ctx, UnitId::new(unit), &kind, &year, &targets).await {
        Ok(_) => Ok(Redirect::to(&back_to(unit, &kind, &year, "saved")).into_response()),
        Err(e) => {
            let msg = user_message(&p, e)?;
            let q = LetterQuery { unit: Some(unit.to_string()), kind: Some(kind), year: Some(year), ok: None };
            // An unknown kind or year in the form is shown on the default view, so the page itself still renders.
            let pg = match overview_page(&s, &p, &q, Some(msg.clone()), Some(targets.clone())).await {
                Ok(pg) => pg,
                Err(_) => {
                    let q = LetterQuery { unit: Some(unit.to_string()), ..Default::default() };
                    overview_page(&s, &p, &q, Some(msg), Some(targets)).await?
                }
            };
            again(&pg)
        }
    }
}

pub async fn remind(State(s): State<AppState>, p: Page, PageForm(form): PageForm) -> Result<Response, PageError> {
    let unit = form.id("unit_id")?.ok_or(anbao_app::AppError::NotFound)?;
    let (kind, year) = (form.text("kind"), form.text("year"));
    match app::remind(&s.db, &p.ctx, UnitId::new(unit), &kind, &year).await {
        Ok(_) => Ok(Redirect::to(&back_to(unit, &kind, &year, "reminded")).into_response()),
        Err(e) => {
            let msg = user_message(&p, e)?;
            let q = LetterQuery { unit: Some(unit.to_string()), ..Default::default() };
            again(&overview_page(&s, &p, &q, Some(msg), None).await?)
        }
    }
}

pub async fn export(State(s): State<AppState>, p: Page, Query(q): Query<LetterQuery>) -> Result<Response, PageError> {
    let o = app::overview(&s.db, &p.ctx, q.unit()?, q.kind(), q.year()).await?;
    let rows = app::export_rows(&s.db, &p.ctx, o.unit.id, o.kind.code(), &o.year.to_string()).await?;
    let rows: Vec<Vec<String>> = rows
        .iter()
        .map(|l| {
            let v = line(l, false);
            vec![
                l.year.to_string(),
                v.kind.to_owned(),
                v.unit,
                v.signer,
                v.signer_no,
                v.issuer,
                v.status.to_owned(),
                v.method.to_owned(),
                v.signed_at,
                if v.late { "逾期签订".into() } else { String::new() },
            ]
        })
        .collect();
    let bytes = anbao_app::export::xlsx(
        "责任书签订",
        &["年度", "责任书", "单位", "签订人", "工号", "发包方（上一级负责人）", "状态", "签订方式", "签订时间", "备注"],
        &rows,
    )?;
    Ok(xlsx_response(bytes, "letters.xlsx"))
}

#[derive(Template)]
#[template(path = "letters/show.html")]
struct ShowPage {
    l: Layout,
    v: LetterLine,
    targets: Vec<String>,
    deadline: String,
    may_sign: bool,
    may_upload: bool,
    has_scan: bool,
    /// Unsigned and past the deadline.
    overdue: bool,
    error: Option<String>,
}

async fn show_page(s: &AppState, p: &Page, id: i64, error: Option<String>) -> Result<ShowPage, PageError> {
    let view = app::get_letter(&s.db, &p.ctx, id).await?;
    let en = p.lang.is_en();
    let v = line(&view.letter, en);
    let title = format!("{}年度{}", v.year, v.kind);
    let mut l = Layout::new(p, "/letters", "责任书", "Responsibility letter")
        .crumb(p.lang.tr("责任书", "Responsibility letters"), Some("/letters".into()))
        .crumb(format!("{} · {}", title, v.signer), None);
    l.title = title;
    Ok(ShowPage {
        targets: view.letter.targets.lines().map(str::to_owned).collect(),
        deadline: date(view.letter.deadline_day),
        may_sign: view.may_sign,
        may_upload: view.may_upload,
        has_scan: view.letter.scan_sha256.is_some(),
        overdue: !v.signed && period::day_of_ms(p.ctx.now) > view.letter.deadline_day,
        v,
        error,
        l,
    })
}

pub async fn show(
    State(s): State<AppState>,
    p: Page,
    Id(id): Id,
    Query(q): Query<LetterQuery>,
) -> Result<Response, PageError> {
    let mut pg = show_page(&s, &p, id, None).await?;
    pg.l = pg.l.flash_from(q.ok.as_deref());
    Ok(render(&pg)?.into_response())
}

/// The signer signs, with their PIN or password and the pledge ticked.
pub async fn sign(
    State(s): State<AppState>,
    p: Page,
    Id(id): Id,
    PageForm(form): PageForm,
) -> Result<Response, PageError> {
    match app::sign(&s.db, &s.policy, &p.ctx, id, &form.text("secret"), form.flag("agree")).await {
        Ok(()) => Ok(Redirect::to(&format!("/letters/{id}?ok=signed")).into_response()),
        Err(e) => {
            let msg = user_message(&p, e)?;
            again(&show_page(&s, &p, id, Some(msg)).await?)
        }
    }
}

/// The scan of a paper letter, uploaded by the organiser over the signer's unit.
pub async fn upload_scan(
    State(s): State<AppState>,
    p: Page,
    Id(id): Id,
    mut mp: Multipart,
) -> Result<Response, PageError> {
    // Who may upload, and whether the letter is still unsigned, is settled before a byte of the upload is read.
    if let Err(e) = app::must_upload(&s.db, &p.ctx, id).await {
        let msg = user_message(&p, e)?;
        return again(&show_page(&s, &p, id, Some(msg)).await?);
    }
    let (form, mut files) = crate::form::files_form(&mut mp, "scan").await?;
    p.check_csrf(&form)?;
    files.retain(|f| !f.bytes.is_empty());
    let result = match files.pop() {
        Some(f) if files.is_empty() => app::upload_scan(&s.db, &s.blobs, &p.ctx, id, f).await,
        Some(_) => Err(anbao_app::error::invalid("scan", "只能上传一个扫描件", "upload one scan")),
        None => Err(anbao_app::error::invalid(
            "scan",
            "请选择纸质责任书的扫描件或照片",
            "choose the scan of the paper letter",
        )),
    };
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/letters/{id}?ok=saved")).into_response()),
        Err(e) => {
            let msg = user_message(&p, e)?;
            again(&show_page(&s, &p, id, Some(msg)).await?)
        }
    }
}

pub async fn scan(State(s): State<AppState>, p: Page, Id(id): Id) -> Result<Response, PageError> {
    let (ty, bytes) = app::scan(&s.db, &s.blobs, &p.ctx, id).await?;
    Ok(([(header::CONTENT_TYPE, ty), (header::CACHE_CONTROL, "no-store".into())], bytes).into_response())
}

#[derive(Template)]
#[template(path = "letters/print.html")]
struct PrintPage {
    l: Layout,
    v: LetterLine,
    issuer_unit: String,
    targets: Vec<String>,
    deadline: String,
}

/// The letter as an A4 PDF, for a paper signature or for the file once signed in the system.
pub async fn letter_pdf(State(s): State<AppState>, p: Page, Id(id): Id) -> Result<Response, PageError> {
    let d = crate::documents::letter(&s, &p.ctx, id).await?;
    let name = format!("{}-{}", d.title, d.signer);
    Ok(crate::documents::pdf(&s, anbao_pdf::Document::Letter, &d, &name).await?)
}

/// The letter as printed for a paper signature (or for the file, once signed in the system).
pub async fn print(State(s): State<AppState>, p: Page, Id(id): Id) -> Result<Response, PageError> {
    let pg = show_page(&s, &p, id, None).await?;
    let view = app::get_letter(&s.db, &p.ctx, id).await?;
    Ok(render(&PrintPage {
        issuer_unit: view.letter.issuer_unit_name.clone(),
        targets: pg.targets,
        deadline: pg.deadline,
        v: pg.v,
        l: pg.l,
    })?
    .into_response())
}
