//! Exams (TRN-4): the question bank (the seed's 第五篇 first, `rulebook/exam_bank.toml`), papers set by a security
//! department for its subtree, sittings drawn per candidate (`domain::exam::draw`, unseen questions first), marking
//! (objective answers at once, short answers by the security department against the model answer) and results per
//! person, unit and question. A sitting that reaches the pass mark writes the candidate's `exam_pass` evidence in
//! the same transaction, so the rulebook's TRN-4 rule judges who has passed from the exams themselves.
use crate::audit::{self, Entity, Writer};
use crate::error::invalid;
use crate::{AppError, AppResult, Ctx};
use anbao_domain::access::{Permission, Role};
use anbao_domain::exam::{
    self as rules, ANSWER_MAX, Attempt, QuestionDraft, QuestionKind, SittingStatus, Timing, check_in_time, draw,
    may_start, parse_rule, passed,
};
use anbao_domain::ids::{StaffId, UnitId};
use anbao_domain::records::{RecordDraft, RecordKind};
use anbao_domain::staff::Position;
use anbao_store::Db;
use anbao_store::exam::{self as store, AnswerRow, NewPaper, NewSitting, Outcome, PaperRow, QuestionRow, SittingRow};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashMap};

pub mod import;

pub const DEFAULT_BANK: &str = include_str!("../../../rulebook/exam_bank.toml");

/// The bank's columns in Excel, for the export and the import alike.
pub const DEFAULT_COLUMNS: [&str; 10] =
    ["编号", "题型", "适用岗位", "出处", "难度", "分值", "题干", "选项", "答案", "标签"];

/// The bank serves the whole union: it is edited with the rulebook's permission over the whole tree. Checked before
/// an upload is read.
pub fn may_edit_bank(ctx: &Ctx) -> AppResult<()> {
    if ctx.actor.scope.covers_whole_tree(Permission::RulebookWrite) { Ok(()) } else { Err(AppError::Forbidden) }
}

/// Who sets papers and marks short answers: the security department over the paper's unit (第四篇 二(1): the union
/// organises the test).
pub const SETTERS: [Role; 1] = [Role::Security];

/// Who reads a paper's scores over their units.
const RESULT_READERS: [Role; 3] = [Role::UnitHead, Role::Security, Role::Auditor];

/// The bank with its answers is read by those who set and mark papers and by auditors, never by candidates.
fn reads_bank(ctx: &Ctx) -> bool {
    ctx.actor.scope.grants.iter().any(|g| matches!(g.role, Role::Admin | Role::Security | Role::Auditor))
}

#[derive(serde::Deserialize)]
struct BankFile {
    question: Vec<QuestionDraft>,
}

/// Parse a bank file (`[[question]]` entries), checking every entry and that codes are unique.
pub fn parse_bank(text: &str) -> AppResult<Vec<QuestionDraft>> {
    let f: BankFile = toml::from_str(text)
        .map_err(|e| invalid("bank", format!("题库文件格式错误：{e}"), "the bank file is malformed"))?;
    let mut codes = std::collections::HashSet::new();
    for q in &f.question {
        q.validate()?;
        if !codes.insert(q.code.trim().to_owned()) {
            return Err(invalid("code", format!("题目编号{}重复", q.code), "a question code appears twice"));
        }
    }
    Ok(f.question)
}

/// Load the shipped bank into a database that has no questions yet.
pub async fn load_default(db: &Db, now: i64) -> AppResult<usize> {
    let bank = parse_bank(DEFAULT_BANK)?;
    let mut tx = db.begin().await?;
    if store::question_count(&mut tx).await? > 0 {
        return Ok(0);
    }
    for q in &bank {
        let (id, _) = store::put_question(&mut tx, q, now, None).await?;
        audit::record(
            &mut tx,
            Writer { now, actor: None },
            "exam.question.load_default",
            Entity::Row("exam_questions", id),
            None,
            None,
        )
        .await?;
    }
    tx.commit().await?;
    Ok(bank.len())
}

/// The bank, by type and post, for those who may read its answers.
pub async fn bank(db: &Db, ctx: &Ctx, kind: Option<&str>, post: Option<&str>) -> AppResult<Vec<QuestionRow>> {
    if !reads_bank(ctx) {
        return Err(AppError::Forbidden);
    }
    let kind = kind.map(str::trim).filter(|k| !k.is_empty()).map(QuestionKind::parse).transpose()?;
    let post = post.map(str::trim).filter(|k| !k.is_empty()).map(Position::parse).transpose()?;
    let mut c = db.read().await?;
    Ok(store::questions(&mut c, kind, post).await?)
}

/// Add a question or correct one by its code. The bank serves the whole union, so it is edited with the rulebook's
/// permission over the whole tree.
pub async fn put_question(db: &Db, ctx: &Ctx, q: &QuestionDraft) -> AppResult<(i64, bool)> {
    may_edit_bank(ctx)?;
    q.validate()?;
    let mut tx = db.begin().await?;
    let before = match store::question_by_code(&mut tx, q.code.trim()).await? {
        Some(row) => Entity::Row("exam_questions", row.id).snapshot(&mut tx).await?,
        None => None,
    };
    let (id, new) = store::put_question(&mut tx, q, ctx.now, Some(ctx.actor.account.get())).await?;
    let action = if new { "exam.question.add" } else { "exam.question.edit" };
    audit::record(&mut tx, ctx.into(), action, Entity::Row("exam_questions", id), None, before.as_ref()).await?;
    tx.commit().await?;
    Ok((id, new))
}

/// A paper as the form or the API gives it, every field still text.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct PaperForm {
    pub unit_id: i64,
    pub title: String,
    /// `single:5, truefalse:5, short:2`; a tag after a slash (`single/vault:3`).
    pub rule: String,
    /// Post codes the paper is for; empty for everyone.
    #[serde(default)]
    pub posts: Vec<String>,
    /// Local time `YYYY-MM-DDTHH:MM` or RFC 3339.
    pub opens_at: String,
    pub closes_at: String,
    pub limit_minutes: i64,
    pub pass_pct: i64,
    pub max_attempts: i64,
    pub retake_days: i64,
}

fn in_range(field: &'static str, v: i64, lo: i64, hi: i64, zh: &str, en: &str) -> AppResult<i64> {
    if (lo..=hi).contains(&v) {
        Ok(v)
    } else {
        Err(invalid(field, format!("{zh}须在{lo}–{hi}之间"), format!("{en} must be {lo}–{hi}")))
    }
}

/// Set a paper for a subtree: its rule is checked against the bank for each post it is for, so a paper nobody
/// could be given is refused before anyone sits it.
pub async fn create_paper(db: &Db, ctx: &Ctx, f: &PaperForm) -> AppResult<i64> {
    let title = anbao_domain::text::bounded("title", "试卷名称", "Title", &f.title, 100)?;
    let rule = parse_rule(&f.rule)?;
    let posts =
        f.posts.iter().filter(|p| !p.trim().is_empty()).map(|p| Position::parse(p)).collect::<Result<Vec<_>, _>>()?;
    let opens_at = crate::evidence::parse_time(Some(&f.opens_at), ctx.now)?;
    let closes_at = crate::evidence::parse_time(Some(&f.closes_at), ctx.now)?;
    if closes_at <= opens_at {
        return Err(invalid("closes_at", "结束时间须晚于开始时间", "the paper must close after it opens"));
    }
    if closes_at - opens_at > 366 * 86_400_000 {
        return Err(invalid("closes_at", "考试时间窗口不能超过一年", "a paper is open for at most a year"));
    }
    let limit_minutes =
        in_range("limit_minutes", f.limit_minutes, 5, 240, "考试时长（分钟）", "the time limit (minutes)")?;
    let pass_pct = in_range("pass_pct", f.pass_pct, 1, 100, "合格线（%）", "the pass mark (%)")?;
    let max_attempts = in_range("max_attempts", f.max_attempts, 1, 5, "可考次数", "attempts")?;
    let retake_days = in_range("retake_days", f.retake_days, 0, 90, "重考期限（天）", "retake days")?;
    let mut tx = db.begin().await?;
    let u = anbao_store::org::get(&mut tx, UnitId::new(f.unit_id)).await?.ok_or(AppError::NotFound)?;
    ctx.must_hold(&SETTERS, &u.path)?;
    let bank = store::bank(&mut tx).await?;
    let sets: Vec<Vec<Position>> = store::candidates(&mut tx, &u.path, &posts)
        .await?
        .into_iter()
        .map(|(_, _, held)| anbao_domain::staff::decode_positions(&held))
        .collect();
    rules::check_rule(&bank, &rule, &sets, &posts)?;
    let rule_text = rules::rule_text(&rule);
    let id = store::insert_paper(
        &mut tx,
        NewPaper {
            unit: u.id.get(),
            unit_path: &u.path,
            title: &title,
            rule: &rule_text,
            posts: &posts,
            opens_at,
            closes_at,
            limit_minutes,
            pass_pct,
            max_attempts,
            retake_days,
            now: ctx.now,
            by: ctx.actor.account.get(),
        },
    )
    .await?;
    audit::record(&mut tx, ctx.into(), "exam.paper.create", Entity::Row("exam_papers", id), Some(u.id), None).await?;
    tx.commit().await?;
    Ok(id)
}

fn timing(p: &PaperRow) -> Timing {
    Timing {
        opens_at: p.opens_at,
        closes_at: p.closes_at,
        limit_minutes: p.limit_minutes,
        max_attempts: p.max_attempts,
        retake_days: p.retake_days,
    }
}

fn attempt_of(s: &SittingRow) -> Attempt {
    Attempt {
        status: s.status,
        deadline_at: s.deadline_at,
        ended_at: s.submitted_at.unwrap_or(s.deadline_at),
        passed: s.passed,
    }
}

/// The signed-in person as a candidate of a paper: their staff record, which must be in the paper's subtree and,
/// for a paper for some posts, hold one of them.
async fn candidate(c: &mut anbao_store::Conn, ctx: &Ctx, p: &PaperRow) -> AppResult<anbao_store::staff::StaffRow> {
    let staff = ctx.actor.staff_id.ok_or_else(|| {
        invalid("paper", "本账号未关联员工档案，不能参加考试", "this account is not linked to a staff record")
    })?;
    let s = anbao_store::staff::get(c, staff).await?.ok_or(AppError::NotFound)?;
    if !s.unit_path.starts_with(&p.unit_path) {
        return Err(AppError::NotFound);
    }
    if !p.posts.is_empty() && !s.positions.iter().any(|x| p.posts.contains(x)) {
        return Err(invalid("paper", "本试卷不适用于您的岗位", "this paper is not for your posts"));
    }
    Ok(s)
}

/// What a reader sees of a paper: the paper, their own attempts and whether they may start one, and — for those
/// who read the paper's unit — whether they may mark.
pub struct PaperView {
    pub paper: PaperRow,
    pub mine: Vec<SittingRow>,
    /// Why the reader may not start now, or `None` when they may.
    pub start_refusal: Option<String>,
    pub is_candidate: bool,
    pub may_mark: bool,
    /// The unit whose results the reader may see: the paper's own, or (for the head of a unit below it) theirs.
    pub results_of: Option<UnitId>,
}

pub async fn paper_view(db: &Db, ctx: &Ctx, id: i64) -> AppResult<PaperView> {
    let mut c = db.read().await?;
    let paper = store::paper(&mut c, id).await?.ok_or(AppError::NotFound)?;
    // Scores are for those who answer for the people: heads, security departments, auditors; an employee sees
    // only their own.
    let results_of = if ctx.actor.scope.holds(&RESULT_READERS, &paper.unit_path) {
        Some(UnitId::new(paper.unit_id))
    } else {
        ctx.actor
            .scope
            .grants
            .iter()
            .filter(|g| RESULT_READERS.contains(&g.role))
            .find(|g| g.unit_path.as_deref().is_some_and(|p| p.starts_with(&paper.unit_path)))
            .and_then(|g| g.unit_id)
    };
    let cand = candidate(&mut c, ctx, &paper).await;
    if results_of.is_none() && cand.is_err() {
        return Err(AppError::NotFound);
    }
    let (mine, start_refusal, is_candidate) = match cand {
        Ok(s) => {
            let mine = store::sittings_of(&mut c, paper.id, s.id.get()).await?;
            let earlier: Vec<Attempt> = mine.iter().map(attempt_of).collect();
            let refusal = may_start(&timing(&paper), &earlier, ctx.now).err().map(|e| e.message);
            (mine, refusal, true)
        }
        Err(AppError::Invalid(e)) => (Vec::new(), Some(e.message), false),
        Err(_) => (Vec::new(), None, false),
    };
    let may_mark = ctx.actor.scope.holds(&SETTERS, &paper.unit_path);
    Ok(PaperView { paper, mine, start_refusal, is_candidate, may_mark, results_of })
}

/// Papers the reader may sit or read: those set at or above their unit, and those set below units they read.
pub async fn papers(db: &Db, ctx: &Ctx) -> AppResult<Vec<PaperRow>> {
    let mut c = db.read().await?;
    let mut paths: Vec<String> =
        ctx.actor.scope.grants.iter().map(|g| g.unit_path.clone().unwrap_or_else(|| "/".into())).collect();
    if let Some(s) = ctx.actor.staff_id
        && let Some(row) = anbao_store::staff::get(&mut c, s).await?
    {
        paths.push(row.unit_path);
    }
    paths.sort();
    paths.dedup();
    Ok(store::papers_for(&mut c, &paths, 200).await?)
}

/// A seed for one sitting's draw: the paper, the person, the attempt and the time, hashed, so two candidates (or
/// two attempts) get different orders while a stored sitting never changes.
fn seed_of(paper: i64, staff: i64, attempt: i64, now: i64) -> u64 {
    let h = Sha256::digest(format!("{paper}:{staff}:{attempt}:{now}").as_bytes());
    let mut b = [0u8; 8];
    b.copy_from_slice(&h[..8]);
    u64::from_le_bytes(b)
}

/// Start a sitting of a paper for the signed-in person: questions drawn for their posts, ones they have not been
/// given before first; the deadline is the time limit, cut at the paper's close.
pub async fn start(db: &Db, ctx: &Ctx, paper: i64) -> AppResult<i64> {
    let mut tx = db.begin().await?;
    let p = store::paper(&mut tx, paper).await?.ok_or(AppError::NotFound)?;
    let s = candidate(&mut tx, ctx, &p).await?;
    let earlier = store::sittings_of(&mut tx, p.id, s.id.get()).await?;
    let deadline_at = may_start(&timing(&p), &earlier.iter().map(attempt_of).collect::<Vec<_>>(), ctx.now)?;
    let rule = parse_rule(&p.rule)?;
    let bank = store::bank(&mut tx).await?;
    let seen = store::seen_by(&mut tx, s.id.get()).await?;
    let attempt = earlier.len() as i64 + 1;
    let drawn = draw(&bank, &rule, &s.positions, &seen, seed_of(p.id, s.id.get(), attempt, ctx.now))?;
    let questions: HashMap<i64, QuestionRow> =
        store::questions_by_ids(&mut tx, &drawn).await?.into_iter().map(|q| (q.id, q)).collect();
    let max_score: i64 = drawn.iter().filter_map(|id| questions.get(id)).map(|q| i64::from(q.marks)).sum();
    let id = store::insert_sitting(
        &mut tx,
        NewSitting {
            paper: p.id,
            staff: s.id.get(),
            unit: s.unit_id.get(),
            unit_path: &s.unit_path,
            attempt,
            started_at: ctx.now,
            deadline_at,
            max_score,
        },
    )
    .await?;
    for (seq, qid) in drawn.iter().enumerate() {
        let marks = questions.get(qid).map(|q| i64::from(q.marks)).unwrap_or(0);
        store::insert_answer(&mut tx, id, seq as i64 + 1, *qid, marks).await?;
    }
    audit::record(&mut tx, ctx.into(), "exam.start", Entity::Row("exam_sittings", id), Some(s.unit_id), None).await?;
    tx.commit().await?;
    Ok(id)
}

/// One question of a sitting as it is shown: to the candidate while open without the answer; with the key and
/// the model answer once submitted, and to markers.
pub struct Item {
    pub answer: AnswerRow,
    pub question: QuestionRow,
}

pub struct SittingView {
    pub sitting: SittingRow,
    pub paper: PaperRow,
    pub items: Vec<Item>,
    pub own: bool,
    /// The candidate may still answer (open and within time).
    pub may_answer: bool,
    pub may_mark: bool,
    /// The keys may be shown (after submission, or to a marker).
    pub shows_keys: bool,
}

pub async fn sitting_view(db: &Db, ctx: &Ctx, id: i64) -> AppResult<SittingView> {
    let mut c = db.read().await?;
    let sitting = store::sitting(&mut c, id).await?.ok_or(AppError::NotFound)?;
    let own = ctx.actor.staff_id == Some(StaffId::new(sitting.staff_id));
    // Another person's sitting (their answers, and the keys once handed in) is for those who read scores over the
    // unit; a colleague who has yet to sit the paper must not see it.
    if !own {
        ctx.must_see(&sitting.unit_path)?;
        if !ctx.actor.scope.holds(&RESULT_READERS, &sitting.unit_path) {
            return Err(AppError::NotFound);
        }
    }
    let paper = store::paper(&mut c, sitting.paper_id).await?.ok_or(AppError::NotFound)?;
    let answers = store::answers(&mut c, id).await?;
    let ids: Vec<i64> = answers.iter().map(|a| a.question_id).collect();
    let mut qs: HashMap<i64, QuestionRow> =
        store::questions_by_ids(&mut c, &ids).await?.into_iter().map(|q| (q.id, q)).collect();
    let may_mark = sitting.status == SittingStatus::Submitted && ctx.actor.scope.holds(&SETTERS, &sitting.unit_path);
    let open = sitting.status == SittingStatus::Open;
    let shows_keys = !open || (!own && reads_bank(ctx));
    let items = answers
        .into_iter()
        .filter_map(|a| {
            let mut q = qs.remove(&a.question_id)?;
            if !shows_keys {
                q.answer.clear();
            }
            Some(Item { answer: a, question: q })
        })
        .collect();
    let may_answer = own && open && ctx.now <= sitting.deadline_at;
    Ok(SittingView { sitting, paper, items, own, may_answer, may_mark, shows_keys })
}

/// The candidate hands in their answers (by the question's place in the paper). After the deadline nothing is
/// accepted. Objective answers are marked at once; with no short answer the sitting is marked now, otherwise it
/// waits for a marker.
pub async fn submit(db: &Db, ctx: &Ctx, id: i64, given: &BTreeMap<i64, String>) -> AppResult<SittingStatus> {
    for v in given.values() {
        if v.chars().count() > ANSWER_MAX {
            return Err(invalid(
                "answers",
                format!("每题答案不能超过{ANSWER_MAX}字"),
                "an answer is at most 2000 characters",
            ));
        }
    }
    let mut tx = db.begin().await?;
    let s = store::sitting(&mut tx, id).await?.ok_or(AppError::NotFound)?;
    if ctx.actor.staff_id != Some(StaffId::new(s.staff_id)) {
        ctx.must_see(&s.unit_path)?;
        return Err(AppError::Forbidden);
    }
    if s.status != SittingStatus::Open {
        return Err(crate::error::conflict("sitting", "答卷已提交", "the answers were already handed in"));
    }
    check_in_time(s.deadline_at, ctx.now)?;
    let answers = store::answers(&mut tx, id).await?;
    if let Some(seq) = given.keys().find(|k| !answers.iter().any(|a| a.seq == **k)) {
        return Err(invalid(
            "answers",
            format!("试卷中没有第{seq}题"),
            "an answer names a question the paper does not have",
        ));
    }
    let ids: Vec<i64> = answers.iter().map(|a| a.question_id).collect();
    let qs: HashMap<i64, QuestionRow> =
        store::questions_by_ids(&mut tx, &ids).await?.into_iter().map(|q| (q.id, q)).collect();
    let mut score = 0i64;
    let mut waiting = false;
    for a in &answers {
        let q = qs.get(&a.question_id).ok_or_else(|| AppError::Internal("a drawn question is gone".into()))?;
        let text = given.get(&a.seq).map(|g| g.trim()).filter(|g| !g.is_empty());
        let awarded = match rules::mark(q.kind, &q.answer, a.marks_max as i32, text.unwrap_or("")) {
            Some(m) => Some(i64::from(m)),
            // An empty short answer earns nothing and needs no marker.
            None if text.is_none() => Some(0),
            None => {
                waiting = true;
                None
            }
        };
        score += awarded.unwrap_or(0);
        store::set_answer(&mut tx, id, a.seq, text, awarded).await?;
    }
    let paper = store::paper(&mut tx, s.paper_id).await?.ok_or(AppError::NotFound)?;
    let outcome = if waiting {
        Outcome { status: SittingStatus::Submitted, score: None, passed: None, now: ctx.now, by: None }
    } else {
        let pass = passed(score as i32, s.max_score as i32, paper.pass_pct as i32);
        Outcome { status: SittingStatus::Marked, score: Some(score), passed: Some(pass), now: ctx.now, by: None }
    };
    let status = outcome.status;
    let pass = outcome.passed == Some(true);
    if !store::move_sitting(&mut tx, id, SittingStatus::Open, outcome).await? {
        return Err(crate::error::conflict("sitting", "答卷已提交", "the answers were already handed in"));
    }
    if pass {
        write_pass(&mut tx, ctx, &s, &paper, score).await?;
    }
    audit::record(
        &mut tx,
        ctx.into(),
        "exam.submit",
        Entity::Row("exam_sittings", id),
        Some(UnitId::new(s.unit_id)),
        None,
    )
    .await?;
    tx.commit().await?;
    Ok(status)
}

/// The candidate's `exam_pass` evidence, at their unit, about them.
async fn write_pass(c: &mut anbao_store::Conn, ctx: &Ctx, s: &SittingRow, p: &PaperRow, score: i64) -> AppResult<()> {
    let draft = RecordDraft {
        kind: RecordKind::ExamPass,
        subkind: None,
        performer: None,
        performer_position: None,
        second_person: None,
        subject_staff: Some(StaffId::new(s.staff_id)),
        target_unit: None,
        value: Some(score),
        data: serde_json::json!({ "checks": {}, "paper": p.id, "sitting": s.id, "score": score, "max": s.max_score,
            "notes": format!("《{}》第{}次考试 {}/{} 分，合格", p.title, s.attempt, score, s.max_score) }),
        breach: None,
    };
    let rec = crate::evidence::insert_at(c, ctx, &draft, UnitId::new(s.unit_id), None, ctx.now).await?;
    store::set_record(c, s.id, rec).await?;
    Ok(())
}

/// The security department marks the short answers of a submitted sitting (each from 0 to its marks, every one
/// required); the score and the pass follow, and a pass writes the evidence.
pub async fn mark_short(db: &Db, ctx: &Ctx, id: i64, awards: &BTreeMap<i64, i64>) -> AppResult<(i64, bool)> {
    let mut tx = db.begin().await?;
    let s = store::sitting(&mut tx, id).await?.ok_or(AppError::NotFound)?;
    ctx.must_hold(&SETTERS, &s.unit_path)?;
    if s.status != SittingStatus::Submitted {
        return Err(crate::error::conflict(
            "sitting",
            "该答卷不在待阅卷状态",
            "this sitting is not waiting to be marked",
        ));
    }
    let answers = store::answers(&mut tx, id).await?;
    let mut score = 0i64;
    for a in &answers {
        match a.awarded {
            Some(m) => score += m,
            None => {
                let m = *awards.get(&a.seq).ok_or_else(|| {
                    invalid("awards", format!("第{}题尚未评分", a.seq), format!("question {} has no marks", a.seq))
                })?;
                if !(0..=a.marks_max).contains(&m) {
                    return Err(invalid(
                        "awards",
                        format!("第{}题得分须在0–{}之间", a.seq, a.marks_max),
                        format!("question {} takes 0–{} marks", a.seq, a.marks_max),
                    ));
                }
                store::award(&mut tx, id, a.seq, m).await?;
                score += m;
            }
        }
    }
    let paper = store::paper(&mut tx, s.paper_id).await?.ok_or(AppError::NotFound)?;
    let pass = passed(score as i32, s.max_score as i32, paper.pass_pct as i32);
    let o = Outcome {
        status: SittingStatus::Marked,
        score: Some(score),
        passed: Some(pass),
        now: ctx.now,
        by: Some(ctx.actor.account.get()),
    };
    if !store::move_sitting(&mut tx, id, SittingStatus::Submitted, o).await? {
        return Err(crate::error::conflict("sitting", "该答卷已评分", "this sitting was marked already"));
    }
    if pass {
        write_pass(&mut tx, ctx, &s, &paper, score).await?;
    }
    audit::record(
        &mut tx,
        ctx.into(),
        "exam.mark",
        Entity::Row("exam_sittings", id),
        Some(UnitId::new(s.unit_id)),
        None,
    )
    .await?;
    tx.commit().await?;
    Ok((score, pass))
}

/// A paper's figures under a unit: each person's best attempt, the units' counts, and each question's share of
/// fully right answers, the most missed first.
pub struct Results {
    pub paper: PaperRow,
    pub unit: anbao_store::org::UnitRow,
    pub sittings: Vec<SittingRow>,
    pub units: Vec<UnitResult>,
    pub questions: Vec<(QuestionRow, store::QuestionTally)>,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct UnitResult {
    pub unit_id: i64,
    pub unit_name: String,
    /// Active staff of the unit the paper is for.
    pub candidates: i64,
    /// Of them, those who handed in at least once.
    pub sat: i64,
    pub passed: i64,
    /// Mean of each person's best marked score, in per cent of full marks.
    pub mean_pct: Option<i64>,
}

pub async fn results(db: &Db, ctx: &Ctx, paper: i64, unit: Option<UnitId>) -> AppResult<Results> {
    let mut c = db.read().await?;
    let paper = store::paper(&mut c, paper).await?.ok_or(AppError::NotFound)?;
    let unit = match unit {
        Some(u) => anbao_store::org::get(&mut c, u).await?.ok_or(AppError::NotFound)?,
        None => anbao_store::org::get(&mut c, UnitId::new(paper.unit_id)).await?.ok_or(AppError::NotFound)?,
    };
    ctx.must_see(&unit.path)?;
    if !ctx.actor.scope.holds(&RESULT_READERS, &unit.path) {
        return Err(AppError::Forbidden);
    }
    if !unit.path.starts_with(&paper.unit_path) && !paper.unit_path.starts_with(&unit.path) {
        return Err(AppError::NotFound);
    }
    let under = if unit.path.len() > paper.unit_path.len() { unit.path.clone() } else { paper.unit_path.clone() };
    let sittings = store::sittings_under(&mut c, paper.id, &under, 5000).await?;
    let candidates = store::candidates(&mut c, &under, &paper.posts).await?;
    let names: HashMap<i64, String> =
        anbao_store::org::under(&mut c, &under).await?.into_iter().map(|u| (u.id.get(), u.name)).collect();
    let mut by_unit: BTreeMap<i64, UnitResult> = BTreeMap::new();
    for (_, u, _) in &candidates {
        by_unit
            .entry(*u)
            .or_insert_with(|| UnitResult {
                unit_id: *u,
                unit_name: names.get(u).cloned().unwrap_or_default(),
                candidates: 0,
                sat: 0,
                passed: 0,
                mean_pct: None,
            })
            .candidates += 1;
    }
    // Each person's best attempt: a pass first, then the highest marked score.
    let mut best: BTreeMap<i64, &SittingRow> = BTreeMap::new();
    for s in sittings.iter().filter(|s| s.status != SittingStatus::Open) {
        let better = match best.get(&s.staff_id) {
            None => true,
            Some(b) => {
                (s.passed == Some(true), s.score.unwrap_or(-1)) > (b.passed == Some(true), b.score.unwrap_or(-1))
            }
        };
        if better {
            best.insert(s.staff_id, s);
        }
    }
    let mut sums: BTreeMap<i64, (i64, i64)> = BTreeMap::new();
    for s in best.values() {
        let r = by_unit.entry(s.unit_id).or_insert_with(|| UnitResult {
            unit_id: s.unit_id,
            unit_name: s.unit_name.clone(),
            candidates: 0,
            sat: 0,
            passed: 0,
            mean_pct: None,
        });
        r.sat += 1;
        if s.passed == Some(true) {
            r.passed += 1;
        }
        if let (Some(score), true) = (s.score, s.max_score > 0) {
            let e = sums.entry(s.unit_id).or_insert((0, 0));
            e.0 += score * 100 / s.max_score;
            e.1 += 1;
        }
    }
    for (u, (sum, n)) in sums {
        if let Some(r) = by_unit.get_mut(&u) {
            r.mean_pct = Some(sum / n);
        }
    }
    let tallies = store::question_tallies(&mut c, paper.id, &under).await?;
    let ids: Vec<i64> = tallies.iter().map(|t| t.question_id).collect();
    let mut qs: HashMap<i64, QuestionRow> =
        store::questions_by_ids(&mut c, &ids).await?.into_iter().map(|q| (q.id, q)).collect();
    let mut questions: Vec<(QuestionRow, store::QuestionTally)> =
        tallies.into_iter().filter_map(|t| Some((qs.remove(&t.question_id)?, t))).collect();
    // The most missed first: the lowest share of right answers among those marked.
    questions.sort_by_key(|(q, t)| {
        let marked = (t.given - t.unmarked).max(1);
        (t.right * 1000 / marked, q.code.clone())
    });
    let units = by_unit.into_values().collect();
    Ok(Results { paper, unit, sittings, units, questions })
}

/// The signed-in person's own sittings, newest first.
pub async fn my_sittings(db: &Db, ctx: &Ctx) -> AppResult<Vec<SittingRow>> {
    let Some(staff) = ctx.actor.staff_id else { return Ok(Vec::new()) };
    let mut c = db.read().await?;
    Ok(store::sittings_of_staff(&mut c, staff.get(), 50).await?)
}

/// The posts of a stored staff row, for pages that list who a paper is for.
pub fn posts_text(posts: &[Position]) -> String {
    if posts.is_empty() {
        "全体员工".into()
    } else {
        posts.iter().map(|p| p.label_zh()).collect::<Vec<_>>().join("、")
    }
}
