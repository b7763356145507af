//! Exam pages: the papers one may sit or read (and the form to set one), a paper with its results per unit, person
//! and question, a sitting on a phone (answer, hand in; the marker's short-answer marks), and the bank with its
//! Excel export.
use super::org::xlsx_response;
use super::{Layout, again, render, user_message, when};
use crate::auth::Page;
use crate::error::PageError;
use crate::form::{Id, PageForm};
use crate::state::AppState;
use anbao_app::exam::{self as app, PaperForm};
use anbao_domain::exam::{QuestionKind, SittingStatus};
use anbao_domain::staff::Position;
use anbao_store::exam::{PaperRow, QuestionRow, SittingRow};
use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use std::collections::BTreeMap;

pub struct PaperLine {
    pub id: i64,
    pub title: String,
    pub unit: String,
    pub posts: String,
    pub window: String,
    pub rule: String,
    pub limit: i64,
    pub pass_pct: i64,
    pub open_now: bool,
}

fn paper_line(p: &PaperRow, now: i64) -> PaperLine {
    PaperLine {
        id: p.id,
        title: p.title.clone(),
        unit: p.unit_name.clone(),
        posts: app::posts_text(&p.posts),
        window: format!("{} — {}", when(&p.opens_at), when(&p.closes_at)),
        rule: p.rule.clone(),
        limit: p.limit_minutes,
        pass_pct: p.pass_pct,
        open_now: (p.opens_at..=p.closes_at).contains(&now),
    }
}

pub struct SittingLine {
    pub id: i64,
    pub paper_id: i64,
    pub person: String,
    pub unit: String,
    pub attempt: i64,
    pub started: String,
    pub status: &'static str,
    pub score: String,
    pub passed: Option<bool>,
    pub waiting: bool,
}

fn sitting_line(s: &SittingRow, en: bool, now: i64) -> SittingLine {
    let expired = s.status == SittingStatus::Open && now > s.deadline_at;
    SittingLine {
        id: s.id,
        paper_id: s.paper_id,
        person: s.staff_name.clone(),
        unit: s.unit_name.clone(),
        attempt: s.attempt,
        started: when(&s.started_at),
        status: if expired {
            if en { "Out of time" } else { "已超时" }
        } else if en {
            s.status.label_en()
        } else {
            s.status.label_zh()
        },
        score: s.score.map(|v| format!("{v}/{}", s.max_score)).unwrap_or_default(),
        passed: s.passed,
        waiting: s.status == SittingStatus::Submitted,
    }
}

#[derive(Template)]
#[template(path = "exams/index.html")]
struct IndexPage {
    l: Layout,
    papers: Vec<PaperLine>,
    mine: Vec<SittingLine>,
    may_set: bool,
    reads_bank: bool,
    units: Vec<(i64, String)>,
    posts: Vec<(&'static str, &'static str)>,
    form: PaperForm,
    error: Option<String>,
}

#[derive(Deserialize, Default)]
pub struct Flash {
    pub ok: Option<String>,
}

async fn index_page(
    s: &AppState,
    p: &Page,
    flash: Option<&str>,
    form: PaperForm,
    error: Option<String>,
) -> Result<IndexPage, PageError> {
    let en = p.lang.is_en();
    let papers = app::papers(&s.db, &p.ctx).await?.iter().map(|x| paper_line(x, p.ctx.now)).collect();
    let mine = app::my_sittings(&s.db, &p.ctx).await?.iter().map(|x| sitting_line(x, en, p.ctx.now)).collect();
    // A paper is set for the unit a security department serves or one just below it, not for every outlet.
    let depth = |path: &str| path.matches('/').count();
    let tops: Vec<usize> = p
        .ctx
        .actor
        .scope
        .grants
        .iter()
        .filter(|g| matches!(g.role, anbao_domain::access::Role::Security | anbao_domain::access::Role::Admin))
        .map(|g| g.unit_path.as_deref().map(depth).unwrap_or(1))
        .collect();
    let setter_units: Vec<(i64, String)> = if tops.is_empty() {
        Vec::new()
    } else {
        anbao_app::org::list_units(&s.db, &p.ctx)
            .await?
            .into_iter()
            .filter(|u| p.ctx.actor.scope.holds(&app::SETTERS, &u.path))
            .filter(|u| tops.iter().any(|t| depth(&u.path) <= t + 1))
            .map(|u| (u.id.get(), u.name))
            .collect()
    };
    let l = Layout::new(p, "/exams", "安全保卫知识考试", "Security exams")
        .crumb(p.lang.tr("考试", "Exams"), None)
        .flash_from(flash);
    Ok(IndexPage {
        papers,
        mine,
        may_set: !setter_units.is_empty(),
        reads_bank: p.ctx.actor.scope.grants.iter().any(|g| {
            matches!(
                g.role,
                anbao_domain::access::Role::Admin
                    | anbao_domain::access::Role::Security
                    | anbao_domain::access::Role::Auditor
            )
        }),
        units: setter_units,
        posts: Position::ALL.iter().map(|x| (x.code(), if en { x.label_en() } else { x.label_zh() })).collect(),
        form,
        error,
        l,
    })
}

fn default_form(now: i64) -> PaperForm {
    let day = anbao_domain::period::day_of_ms(now);
    let (y, m, d) = anbao_domain::period::ymd(day);
    let (y2, m2, d2) = anbao_domain::period::ymd(day + 14);
    PaperForm {
        unit_id: 0,
        title: format!("{y}年安全保卫知识考试"),
        rule: "single:5, multiple:3, truefalse:4, fill:2, short:2".into(),
        posts: Vec::new(),
        opens_at: format!("{y:04}-{m:02}-{d:02}T08:00"),
        closes_at: format!("{y2:04}-{m2:02}-{d2:02}T18:00"),
        limit_minutes: 40,
        pass_pct: 60,
        max_attempts: 2,
        retake_days: 7,
    }
}

pub async fn index(State(s): State<AppState>, p: Page, Query(q): Query<Flash>) -> Result<Response, PageError> {
    let form = default_form(p.ctx.now);
    Ok(render(&index_page(&s, &p, q.ok.as_deref(), form, None).await?)?.into_response())
}

fn number(form: &crate::form::FormData, key: &str) -> i64 {
    // A number that does not parse is sent as 0, which every range check refuses with its own words.
    form.text(key).trim().parse().unwrap_or(0)
}

pub async fn create_paper(State(s): State<AppState>, p: Page, PageForm(form): PageForm) -> Result<Response, PageError> {
    let f = PaperForm {
        unit_id: form.id("unit_id")?.ok_or(anbao_app::AppError::NotFound)?,
        title: form.text("title"),
        rule: form.text("rule"),
        posts: form.all("posts"),
        opens_at: form.text("opens_at"),
        closes_at: form.text("closes_at"),
        limit_minutes: number(&form, "limit_minutes"),
        pass_pct: number(&form, "pass_pct"),
        max_attempts: number(&form, "max_attempts"),
        retake_days: number(&form, "retake_days"),
    };
    match app::create_paper(&s.db, &p.ctx, &f).await {
        Ok(id) => Ok(Redirect::to(&format!("/exams/papers/{id}?ok=saved")).into_response()),
        Err(e) => {
            let msg = user_message(&p, e)?;
            again(&index_page(&s, &p, None, f, Some(msg)).await?)
        }
    }
}

pub struct UnitLine {
    pub unit: String,
    pub candidates: i64,
    pub sat: i64,
    pub passed: i64,
    pub not_sat: i64,
    pub mean: String,
}

pub struct QuestionLine {
    pub code: String,
    pub kind: &'static str,
    pub text: String,
    pub article: String,
    pub given: i64,
    pub right: i64,
    pub miss_pct: i64,
    pub unmarked: i64,
}

#[derive(Template)]
#[template(path = "exams/paper.html")]
struct PaperPage {
    l: Layout,
    p: PaperLine,
    mine: Vec<SittingLine>,
    is_candidate: bool,
    refusal: Option<String>,
    reads_results: bool,
    units: Vec<UnitLine>,
    sittings: Vec<SittingLine>,
    questions: Vec<QuestionLine>,
    error: Option<String>,
}

async fn paper_page(
    s: &AppState,
    p: &Page,
    id: i64,
    flash: Option<&str>,
    error: Option<String>,
) -> Result<PaperPage, PageError> {
    let en = p.lang.is_en();
    let v = app::paper_view(&s.db, &p.ctx, id).await?;
    let (units, sittings, questions) = if let Some(of) = v.results_of {
        let r = app::results(&s.db, &p.ctx, id, Some(of)).await?;
        let units = r
            .units
            .iter()
            .map(|u| UnitLine {
                unit: u.unit_name.clone(),
                candidates: u.candidates,
                sat: u.sat,
                passed: u.passed,
                not_sat: (u.candidates - u.sat).max(0),
                mean: u.mean_pct.map(|m| format!("{m}%")).unwrap_or_default(),
            })
            .collect();
        let sittings = r.sittings.iter().map(|x| sitting_line(x, en, p.ctx.now)).collect();
        let questions = r.questions.iter().map(|(q, t)| question_line(q, t, en)).collect();
        (units, sittings, questions)
    } else {
        (Vec::new(), Vec::new(), Vec::new())
    };
    let mut l = Layout::new(p, "/exams", "考试", "Exam")
        .crumb(p.lang.tr("考试", "Exams"), Some("/exams".into()))
        .crumb(v.paper.title.clone(), None)
        .flash_from(flash);
    l.title = v.paper.title.clone();
    Ok(PaperPage {
        p: paper_line(&v.paper, p.ctx.now),
        mine: v.mine.iter().map(|x| sitting_line(x, en, p.ctx.now)).collect(),
        is_candidate: v.is_candidate,
        refusal: v.start_refusal,
        reads_results: v.results_of.is_some(),
        units,
        sittings,
        questions,
        error,
        l,
    })
}

fn question_line(q: &QuestionRow, t: &anbao_store::exam::QuestionTally, en: bool) -> QuestionLine {
    let marked = t.given - t.unmarked;
    QuestionLine {
        code: q.code.clone(),
        kind: if en { q.kind.label_en() } else { q.kind.label_zh() },
        text: q.text.clone(),
        article: q.article.clone(),
        given: t.given,
        right: t.right,
        miss_pct: if marked > 0 { (marked - t.right) * 100 / marked } else { 0 },
        unmarked: t.unmarked,
    }
}

pub async fn paper(
    State(s): State<AppState>,
    p: Page,
    Id(id): Id,
    Query(q): Query<Flash>,
) -> Result<Response, PageError> {
    Ok(render(&paper_page(&s, &p, id, q.ok.as_deref(), None).await?)?.into_response())
}

pub async fn start(
    State(s): State<AppState>,
    p: Page,
    Id(id): Id,
    PageForm(_f): PageForm,
) -> Result<Response, PageError> {
    match app::start(&s.db, &p.ctx, id).await {
        Ok(sid) => Ok(Redirect::to(&format!("/exams/sittings/{sid}")).into_response()),
        Err(e) => {
            let msg = user_message(&p, e)?;
            again(&paper_page(&s, &p, id, None, Some(msg)).await?)
        }
    }
}

pub struct ItemLine {
    pub seq: i64,
    pub kind: QuestionKind,
    pub kind_label: &'static str,
    pub text: String,
    pub marks: i64,
    /// (letter, option text, chosen)
    pub options: Vec<(String, String, bool)>,
    pub given: String,
    pub key: String,
    pub awarded: Option<i64>,
    pub article: String,
}

#[derive(Template)]
#[template(path = "exams/sitting.html")]
struct SittingPage {
    l: Layout,
    s: SittingLine,
    paper_title: String,
    paper_id: i64,
    items: Vec<ItemLine>,
    may_answer: bool,
    may_mark: bool,
    shows_keys: bool,
    deadline: String,
    deadline_ms: i64,
    error: Option<String>,
}

fn letter(i: usize) -> String {
    char::from(b'A' + i as u8).to_string()
}

async fn sitting_page(s: &AppState, p: &Page, id: i64, error: Option<String>) -> Result<SittingPage, PageError> {
    let en = p.lang.is_en();
    let v = app::sitting_view(&s.db, &p.ctx, id).await?;
    let items = v
        .items
        .iter()
        .map(|it| {
            let given = it.answer.given.clone().unwrap_or_default();
            let up = given.to_uppercase();
            ItemLine {
                seq: it.answer.seq,
                kind: it.question.kind,
                kind_label: if en { it.question.kind.label_en() } else { it.question.kind.label_zh() },
                text: it.question.text.clone(),
                marks: it.answer.marks_max,
                options: it
                    .question
                    .options
                    .iter()
                    .enumerate()
                    .map(|(i, o)| {
                        let l = letter(i);
                        let chosen = up.contains(&l);
                        (l, o.clone(), chosen)
                    })
                    .collect(),
                key: match it.question.kind {
                    QuestionKind::Truefalse => match anbao_domain::exam::parse_truth(&it.question.answer) {
                        Some(true) => "对".into(),
                        Some(false) => "错".into(),
                        None => String::new(),
                    },
                    QuestionKind::Fill => it.question.answer.replace('|', " / "),
                    _ => it.question.answer.clone(),
                },
                given,
                awarded: it.answer.awarded,
                article: it.question.article.clone(),
            }
        })
        .collect();
    let mut l = Layout::new(p, "/exams", "考试", "Exam")
        .crumb(p.lang.tr("考试", "Exams"), Some("/exams".into()))
        .crumb(v.paper.title.clone(), Some(format!("/exams/papers/{}", v.paper.id)))
        .crumb(format!("{} · {}", v.sitting.staff_name, v.sitting.attempt), None);
    l.title = v.paper.title.clone();
    Ok(SittingPage {
        s: sitting_line(&v.sitting, en, p.ctx.now),
        paper_title: v.paper.title.clone(),
        paper_id: v.paper.id,
        items,
        may_answer: v.may_answer,
        may_mark: v.may_mark,
        shows_keys: v.shows_keys,
        deadline: when(&v.sitting.deadline_at),
        deadline_ms: v.sitting.deadline_at,
        error,
        l,
    })
}

pub async fn sitting(State(s): State<AppState>, p: Page, Id(id): Id) -> Result<Response, PageError> {
    Ok(render(&sitting_page(&s, &p, id, None).await?)?.into_response())
}

/// The answers of a sitting's form: `a{seq}`, several values for a multiple choice.
pub async fn submit(
    State(s): State<AppState>,
    p: Page,
    Id(id): Id,
    PageForm(form): PageForm,
) -> Result<Response, PageError> {
    let v = app::sitting_view(&s.db, &p.ctx, id).await?;
    let mut given = BTreeMap::new();
    for it in &v.items {
        let vals = form.all(&format!("a{}", it.answer.seq));
        given.insert(it.answer.seq, vals.join(""));
    }
    match app::submit(&s.db, &p.ctx, id, &given).await {
        Ok(_) => Ok(Redirect::to(&format!("/exams/sittings/{id}")).into_response()),
        Err(e) => {
            let msg = user_message(&p, e)?;
            again(&sitting_page(&s, &p, id, Some(msg)).await?)
        }
    }
}

/// The marker's marks: `m{seq}` for each short answer waiting.
pub async fn mark(
    State(s): State<AppState>,
    p: Page,
    Id(id): Id,
    PageForm(form): PageForm,
) -> Result<Response, PageError> {
    let v = app::sitting_view(&s.db, &p.ctx, id).await?;
    let mut awards = BTreeMap::new();
    for it in v.items.iter().filter(|it| it.answer.awarded.is_none()) {
        if let Ok(m) = form.text(&format!("m{}", it.answer.seq)).trim().parse::<i64>() {
            awards.insert(it.answer.seq, m);
        }
    }
    match app::mark_short(&s.db, &p.ctx, id, &awards).await {
        Ok(_) => Ok(Redirect::to(&format!("/exams/papers/{}?ok=saved", v.paper.id)).into_response()),
        Err(e) => {
            let msg = user_message(&p, e)?;
            again(&sitting_page(&s, &p, id, Some(msg)).await?)
        }
    }
}

#[derive(Deserialize, Default)]
pub struct BankQuery {
    pub kind: Option<String>,
    pub post: Option<String>,
}

#[derive(Template)]
#[template(path = "exams/bank.html")]
struct BankPage {
    l: Layout,
    /// The import's outcome: a summary, or the rows that are wrong.
    imported: Option<String>,
    import_errors: Vec<(usize, String)>,
    may_import: bool,
    questions: Vec<QuestionRow>,
    kinds: Vec<(&'static str, &'static str)>,
    posts: Vec<(&'static str, &'static str)>,
    kind: String,
    post: String,
}

impl BankPage {
    fn posts_of(&self, q: &QuestionRow) -> String {
        app::posts_text(&q.posts)
    }
}

pub async fn bank(State(s): State<AppState>, p: Page, Query(q): Query<BankQuery>) -> Result<Response, PageError> {
    Ok(render(&bank_page(&s, &p, q, None, Vec::new()).await?)?.into_response())
}

async fn bank_page(
    s: &AppState,
    p: &Page,
    q: BankQuery,
    imported: Option<String>,
    import_errors: Vec<(usize, String)>,
) -> Result<BankPage, PageError> {
    let en = p.lang.is_en();
    let questions = app::bank(&s.db, &p.ctx, q.kind.as_deref(), q.post.as_deref()).await?;
    let l = Layout::new(p, "/exams", "题库", "Question bank")
        .crumb(p.lang.tr("考试", "Exams"), Some("/exams".into()))
        .crumb(p.lang.tr("题库", "Question bank"), None);
    Ok(BankPage {
        imported,
        import_errors,
        may_import: app::may_edit_bank(&p.ctx).is_ok(),
        questions,
        kinds: QuestionKind::ALL.iter().map(|k| (k.code(), if en { k.label_en() } else { k.label_zh() })).collect(),
        posts: Position::ALL.iter().map(|x| (x.code(), if en { x.label_en() } else { x.label_zh() })).collect(),
        kind: q.kind.unwrap_or_default(),
        post: q.post.unwrap_or_default(),
        l,
    })
}

/// Import questions from Excel (a multipart form with the file under `file`).
pub async fn import(
    State(s): State<AppState>,
    p: Page,
    mut mp: axum::extract::Multipart,
) -> Result<Response, PageError> {
    app::may_edit_bank(&p.ctx)?;
    let (form, bytes) = crate::form::file_form(&mut mp, "file").await?;
    p.check_csrf(&form)?;
    match app::import::import(&s.db, &p.ctx, bytes).await {
        Ok(r) if r.errors.is_empty() => {
            let msg = format!("已导入{}行：新增{}题，更正{}题", r.rows, r.added, r.corrected);
            Ok(render(&bank_page(&s, &p, BankQuery::default(), Some(msg), Vec::new()).await?)?.into_response())
        }
        Ok(r) => {
            let msg = format!("{}行中有{}行有误，未导入任何题目", r.rows, r.errors.len());
            again(&bank_page(&s, &p, BankQuery::default(), Some(msg), r.errors).await?)
        }
        Err(e) => {
            let msg = user_message(&p, e)?;
            again(&bank_page(&s, &p, BankQuery::default(), Some(msg), Vec::new()).await?)
        }
    }
}

/// The bank as Excel, in the columns the page shows.
pub async fn bank_export(
    State(s): State<AppState>,
    p: Page,
    Query(q): Query<BankQuery>,
) -> Result<Response, PageError> {
    let questions = app::bank(&s.db, &p.ctx, q.kind.as_deref(), q.post.as_deref()).await?;
    let rows: Vec<Vec<String>> = questions
        .iter()
        .map(|q| {
            vec![
                q.code.clone(),
                q.kind.label_zh().into(),
                app::posts_text(&q.posts),
                q.article.clone(),
                q.difficulty.to_string(),
                q.marks.to_string(),
                q.text.clone(),
                q.options.iter().enumerate().map(|(i, o)| format!("{}. {o}", letter(i))).collect::<Vec<_>>().join("\n"),
                q.answer.clone(),
                q.tags.join(","),
            ]
        })
        .collect();
    let bytes = anbao_app::export::xlsx("题库", &app::DEFAULT_COLUMNS, &rows)?;
    Ok(xlsx_response(bytes, "exam-bank.xlsx"))
}

/// A paper's results as Excel: every sitting under the paper's unit.
pub async fn results_export(State(s): State<AppState>, p: Page, Id(id): Id) -> Result<Response, PageError> {
    let v = app::paper_view(&s.db, &p.ctx, id).await?;
    let r = app::results(&s.db, &p.ctx, id, Some(v.results_of.ok_or(anbao_app::AppError::NotFound)?)).await?;
    let rows: Vec<Vec<String>> = r
        .sittings
        .iter()
        .map(|x| {
            let v = sitting_line(x, false, p.ctx.now);
            vec![
                v.unit,
                v.person,
                v.attempt.to_string(),
                v.started,
                v.status.into(),
                v.score,
                match v.passed {
                    Some(true) => "合格".into(),
                    Some(false) => "不合格".into(),
                    None => String::new(),
                },
            ]
        })
        .collect();
    let bytes =
        anbao_app::export::xlsx("考试成绩", &["单位", "姓名", "第几次", "开始时间", "状态", "得分", "结果"], &rows)?;
    Ok(xlsx_response(bytes, "exam-results.xlsx"))
}
