//! Exams: the question bank, papers, sittings with the questions drawn for each, and the results a paper's page
//! shows (per person, per unit, per question). Submitting and marking are conditional updates on the sitting's
//! status, so a sitting is submitted or marked once however often the button is pressed.
use crate::{Conn, Result, opt_i64};
use anbao_domain::exam::{BankEntry, QuestionDraft, QuestionKind, SittingStatus};
use anbao_domain::staff::{Position, decode_positions, encode_positions};
use sqlx::Row;
use std::collections::HashSet;

fn decode<T>(r: std::result::Result<T, anbao_domain::DomainError>) -> Result<T> {
    r.map_err(|e| sqlx::Error::Decode(e.message.into()))
}

fn tags_of(s: &str) -> Vec<String> {
    s.split(',').filter(|t| !t.is_empty()).map(String::from).collect()
}

fn encode_tags(tags: &[String]) -> String {
    if tags.is_empty() { String::new() } else { format!(",{},", tags.join(",")) }
}

#[derive(Debug, Clone, PartialEq)]
pub struct QuestionRow {
    pub id: i64,
    pub code: String,
    pub kind: QuestionKind,
    pub origin: String,
    pub posts: Vec<Position>,
    pub tags: Vec<String>,
    pub article: String,
    pub difficulty: i32,
    pub marks: i32,
    pub text: String,
    pub options: Vec<String>,
    pub answer: String,
    pub active: bool,
}

const Q_SELECT: &str = "SELECT id, code, kind, origin, posts, tags, article, difficulty, marks, body, options, answer, \
    active FROM exam_questions";

fn question_from(r: &sqlx::any::AnyRow) -> Result<QuestionRow> {
    let options: String = r.try_get("options")?;
    Ok(QuestionRow {
        id: r.try_get("id")?,
        code: r.try_get("code")?,
        kind: decode(QuestionKind::parse(&r.try_get::<String, _>("kind")?))?,
        origin: r.try_get("origin")?,
        posts: decode_positions(&r.try_get::<String, _>("posts")?),
        tags: tags_of(&r.try_get::<String, _>("tags")?),
        article: r.try_get("article")?,
        difficulty: r.try_get::<i64, _>("difficulty")? as i32,
        marks: r.try_get::<i64, _>("marks")? as i32,
        text: r.try_get("body")?,
        options: serde_json::from_str(&options).map_err(|e| sqlx::Error::Decode(e.into()))?,
        answer: r.try_get("answer")?,
        active: r.try_get::<i64, _>("active")? != 0,
    })
}

impl QuestionRow {
    pub fn draft(&self) -> QuestionDraft {
        QuestionDraft {
            code: self.code.clone(),
            kind: self.kind,
            origin: self.origin.clone(),
            posts: self.posts.clone(),
            tags: self.tags.clone(),
            article: self.article.clone(),
            difficulty: self.difficulty,
            marks: self.marks,
            text: self.text.clone(),
            options: self.options.clone(),
            answer: self.answer.clone(),
        }
    }
}

pub async fn question_by_code(c: &mut Conn, code: &str) -> Result<Option<QuestionRow>> {
    let sql = format!("{Q_SELECT} WHERE code = $1");
    let r = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(code).fetch_optional(&mut *c).await?;
    r.as_ref().map(question_from).transpose()
}

/// Insert a question, or replace the one with its code (an import that corrects an entry). Answers already given
/// keep the marks they were awarded.
pub async fn put_question(c: &mut Conn, q: &QuestionDraft, now: i64, by: Option<i64>) -> Result<(i64, bool)> {
    let options = serde_json::to_string(&q.options).map_err(|e| sqlx::Error::Encode(e.into()))?;
    let existing = question_by_code(c, q.code.trim()).await?;
    let sql = if existing.is_some() {
        "UPDATE exam_questions SET kind = $2, origin = $3, posts = $4, tags = $5, article = $6, difficulty = $7, \
         marks = $8, body = $9, options = $10, answer = $11, active = 1, created_at = $12, created_by = $13 \
         WHERE code = $1 RETURNING id"
    } else {
        "INSERT INTO exam_questions (code, kind, origin, posts, tags, article, difficulty, marks, body, options, \
         answer, active, created_at, created_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 1, $12, $13) \
         RETURNING id"
    };
    let id: i64 = sqlx::query(sql)
        .bind(q.code.trim())
        .bind(q.kind.code())
        .bind(if q.origin.trim().is_empty() { "bank" } else { q.origin.trim() })
        .bind(encode_positions(&q.posts))
        .bind(encode_tags(&q.tags))
        .bind(q.article.trim())
        .bind(i64::from(q.difficulty))
        .bind(i64::from(q.marks))
        .bind(q.text.trim())
        .bind(options)
        .bind(q.answer.trim())
        .bind(now)
        .bind(by)
        .fetch_one(&mut *c)
        .await?
        .try_get("id")?;
    Ok((id, existing.is_none()))
}

pub async fn question_count(c: &mut Conn) -> Result<i64> {
    sqlx::query("SELECT COUNT(*) AS n FROM exam_questions").fetch_one(&mut *c).await?.try_get("n")
}

/// The bank, filtered by type and post (a question for everyone matches every post).
pub async fn questions(c: &mut Conn, kind: Option<QuestionKind>, post: Option<Position>) -> Result<Vec<QuestionRow>> {
    let mut sql = format!("{Q_SELECT} WHERE active = 1");
    if kind.is_some() {
        sql.push_str(" AND kind = $1");
    }
    if post.is_some() {
        sql.push_str(if kind.is_some() {
            " AND (posts = '' OR posts = ',' OR posts LIKE $2)"
        } else {
            " AND (posts = '' OR posts = ',' OR posts LIKE $1)"
        });
    }
    sql.push_str(" ORDER BY code");
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
    if let Some(k) = kind {
        q = q.bind(k.code());
    }
    if let Some(p) = post {
        q = q.bind(format!("%,{},%", p.code()));
    }
    q.fetch_all(&mut *c).await?.iter().map(question_from).collect()
}

pub async fn questions_by_ids(c: &mut Conn, ids: &[i64]) -> Result<Vec<QuestionRow>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    // Ids are integers from the database, inlined.
    let list = ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
    let sql = format!("{Q_SELECT} WHERE id IN ({list})");
    sqlx::query(sqlx::AssertSqlSafe(sql)).fetch_all(&mut *c).await?.iter().map(question_from).collect()
}

/// What the draw needs of every active question.
pub async fn bank(c: &mut Conn) -> Result<Vec<BankEntry>> {
    let rows = sqlx::query("SELECT id, kind, posts, tags FROM exam_questions WHERE active = 1 ORDER BY id")
        .fetch_all(&mut *c)
        .await?;
    rows.iter()
        .map(|r| {
            Ok(BankEntry {
                id: r.try_get("id")?,
                kind: decode(QuestionKind::parse(&r.try_get::<String, _>("kind")?))?,
                posts: decode_positions(&r.try_get::<String, _>("posts")?),
                tags: tags_of(&r.try_get::<String, _>("tags")?),
            })
        })
        .collect()
}

#[derive(Debug, Clone, PartialEq)]
pub struct PaperRow {
    pub id: i64,
    pub unit_id: i64,
    pub unit_name: String,
    pub unit_path: String,
    pub title: String,
    pub rule: String,
    pub posts: Vec<Position>,
    pub opens_at: i64,
    pub closes_at: i64,
    pub limit_minutes: i64,
    pub pass_pct: i64,
    pub max_attempts: i64,
    pub retake_days: i64,
    pub created_at: i64,
}

pub struct NewPaper<'a> {
    pub unit: i64,
    pub unit_path: &'a str,
    pub title: &'a str,
    pub rule: &'a str,
    pub posts: &'a [Position],
    pub opens_at: i64,
    pub closes_at: i64,
    pub limit_minutes: i64,
    pub pass_pct: i64,
    pub max_attempts: i64,
    pub retake_days: i64,
    pub now: i64,
    pub by: i64,
}

pub async fn insert_paper(c: &mut Conn, p: NewPaper<'_>) -> Result<i64> {
    sqlx::query(
        "INSERT INTO exam_papers (unit_id, unit_path, title, rule, posts, opens_at, closes_at, limit_minutes, \
         pass_pct, max_attempts, retake_days, created_at, created_by) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id",
    )
    .bind(p.unit)
    .bind(p.unit_path)
    .bind(p.title)
    .bind(p.rule)
    .bind(encode_positions(p.posts))
    .bind(p.opens_at)
    .bind(p.closes_at)
    .bind(p.limit_minutes)
    .bind(p.pass_pct)
    .bind(p.max_attempts)
    .bind(p.retake_days)
    .bind(p.now)
    .bind(p.by)
    .fetch_one(&mut *c)
    .await?
    .try_get("id")
}

const P_SELECT: &str = "SELECT p.id, p.unit_id, u.name AS unit_name, p.unit_path, p.title, p.rule, p.posts, \
    p.opens_at, p.closes_at, p.limit_minutes, p.pass_pct, p.max_attempts, p.retake_days, p.created_at \
    FROM exam_papers p JOIN units u ON u.id = p.unit_id";

fn paper_from(r: &sqlx::any::AnyRow) -> Result<PaperRow> {
    Ok(PaperRow {
        id: r.try_get("id")?,
        unit_id: r.try_get("unit_id")?,
        unit_name: r.try_get("unit_name")?,
        unit_path: r.try_get("unit_path")?,
        title: r.try_get("title")?,
        rule: r.try_get("rule")?,
        posts: decode_positions(&r.try_get::<String, _>("posts")?),
        opens_at: r.try_get("opens_at")?,
        closes_at: r.try_get("closes_at")?,
        limit_minutes: r.try_get("limit_minutes")?,
        pass_pct: r.try_get("pass_pct")?,
        max_attempts: r.try_get("max_attempts")?,
        retake_days: r.try_get("retake_days")?,
        created_at: r.try_get("created_at")?,
    })
}

pub async fn paper(c: &mut Conn, id: i64) -> Result<Option<PaperRow>> {
    let sql = format!("{P_SELECT} WHERE p.id = $1");
    let r = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(&mut *c).await?;
    r.as_ref().map(paper_from).transpose()
}

/// Papers a person may see: those of units above or at their own (a candidate's), or below a path they read.
pub async fn papers_for(c: &mut Conn, paths: &[String], limit: i64) -> Result<Vec<PaperRow>> {
    if paths.is_empty() {
        return Ok(Vec::new());
    }
    let mut conds = Vec::new();
    for i in 0..paths.len() {
        // A paper set above the person reaches them; one set below a unit they read is theirs to see.
        conds.push(format!("(${} LIKE p.unit_path || '%' OR p.unit_path LIKE ${} || '%')", i + 1, i + 1));
    }
    let sql = format!("{P_SELECT} WHERE {} ORDER BY p.opens_at DESC, p.id DESC LIMIT {limit}", conds.join(" OR "));
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
    for p in paths {
        q = q.bind(p.clone());
    }
    q.fetch_all(&mut *c).await?.iter().map(paper_from).collect()
}

#[derive(Debug, Clone, PartialEq)]
pub struct SittingRow {
    pub id: i64,
    pub paper_id: i64,
    pub staff_id: i64,
    pub staff_name: String,
    pub unit_id: i64,
    pub unit_name: String,
    pub unit_path: String,
    pub attempt: i64,
    pub started_at: i64,
    pub deadline_at: i64,
    pub submitted_at: Option<i64>,
    pub status: SittingStatus,
    pub score: Option<i64>,
    pub max_score: i64,
    pub passed: Option<bool>,
    pub marked_at: Option<i64>,
}

const S_SELECT: &str = "SELECT s.id, s.paper_id, s.staff_id, st.name AS staff_name, s.unit_id, u.name AS unit_name, \
    s.unit_path, s.attempt, s.started_at, s.deadline_at, s.submitted_at, s.status, s.score, s.max_score, s.passed, \
    s.marked_at FROM exam_sittings s JOIN staff st ON st.id = s.staff_id JOIN units u ON u.id = s.unit_id";

fn sitting_from(r: &sqlx::any::AnyRow) -> Result<SittingRow> {
    Ok(SittingRow {
        id: r.try_get("id")?,
        paper_id: r.try_get("paper_id")?,
        staff_id: r.try_get("staff_id")?,
        staff_name: r.try_get("staff_name")?,
        unit_id: r.try_get("unit_id")?,
        unit_name: r.try_get("unit_name")?,
        unit_path: r.try_get("unit_path")?,
        attempt: r.try_get("attempt")?,
        started_at: r.try_get("started_at")?,
        deadline_at: r.try_get("deadline_at")?,
        submitted_at: opt_i64(r, "submitted_at")?,
        status: decode(SittingStatus::parse(&r.try_get::<String, _>("status")?))?,
        score: opt_i64(r, "score")?,
        max_score: r.try_get("max_score")?,
        passed: opt_i64(r, "passed")?.map(|p| p != 0),
        marked_at: opt_i64(r, "marked_at")?,
    })
}

pub async fn sitting(c: &mut Conn, id: i64) -> Result<Option<SittingRow>> {
    let sql = format!("{S_SELECT} WHERE s.id = $1");
    let r = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(&mut *c).await?;
    r.as_ref().map(sitting_from).transpose()
}

/// A person's sittings of a paper, by attempt.
pub async fn sittings_of(c: &mut Conn, paper: i64, staff: i64) -> Result<Vec<SittingRow>> {
    let sql = format!("{S_SELECT} WHERE s.paper_id = $1 AND s.staff_id = $2 ORDER BY s.attempt");
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(paper).bind(staff).fetch_all(&mut *c).await?;
    rows.iter().map(sitting_from).collect()
}

/// A paper's sittings under a path, by unit and person.
pub async fn sittings_under(c: &mut Conn, paper: i64, under: &str, limit: i64) -> Result<Vec<SittingRow>> {
    let sql = format!(
        "{S_SELECT} WHERE s.paper_id = $1 AND s.unit_path LIKE $2 ORDER BY s.unit_path, st.name, s.attempt LIMIT {limit}"
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(paper).bind(format!("{under}%")).fetch_all(&mut *c).await?;
    rows.iter().map(sitting_from).collect()
}

/// A person's own sittings, newest first.
pub async fn sittings_of_staff(c: &mut Conn, staff: i64, limit: i64) -> Result<Vec<SittingRow>> {
    let sql = format!("{S_SELECT} WHERE s.staff_id = $1 ORDER BY s.started_at DESC LIMIT {limit}");
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(staff).fetch_all(&mut *c).await?;
    rows.iter().map(sitting_from).collect()
}

/// Every question a person has been given in any sitting, so a new draw can avoid them.
pub async fn seen_by(c: &mut Conn, staff: i64) -> Result<HashSet<i64>> {
    let rows = sqlx::query(
        "SELECT DISTINCT a.question_id FROM exam_answers a JOIN exam_sittings s ON s.id = a.sitting_id \
         WHERE s.staff_id = $1",
    )
    .bind(staff)
    .fetch_all(&mut *c)
    .await?;
    rows.iter().map(|r| r.try_get("question_id")).collect()
}

pub struct NewSitting<'a> {
    pub paper: i64,
    pub staff: i64,
    pub unit: i64,
    pub unit_path: &'a str,
    pub attempt: i64,
    pub started_at: i64,
    pub deadline_at: i64,
    pub max_score: i64,
}

pub async fn insert_sitting(c: &mut Conn, s: NewSitting<'_>) -> Result<i64> {
    sqlx::query(
        "INSERT INTO exam_sittings (paper_id, staff_id, unit_id, unit_path, attempt, started_at, deadline_at, status, \
         max_score) VALUES ($1, $2, $3, $4, $5, $6, $7, 'open', $8) RETURNING id",
    )
    .bind(s.paper)
    .bind(s.staff)
    .bind(s.unit)
    .bind(s.unit_path)
    .bind(s.attempt)
    .bind(s.started_at)
    .bind(s.deadline_at)
    .bind(s.max_score)
    .fetch_one(&mut *c)
    .await?
    .try_get("id")
}

pub async fn insert_answer(c: &mut Conn, sitting: i64, seq: i64, question: i64, marks_max: i64) -> Result<()> {
    sqlx::query("INSERT INTO exam_answers (sitting_id, seq, question_id, marks_max) VALUES ($1, $2, $3, $4)")
        .bind(sitting)
        .bind(seq)
        .bind(question)
        .bind(marks_max)
        .execute(&mut *c)
        .await?;
    Ok(())
}

#[derive(Debug, Clone, PartialEq)]
pub struct AnswerRow {
    pub seq: i64,
    pub question_id: i64,
    pub marks_max: i64,
    pub given: Option<String>,
    pub awarded: Option<i64>,
}

pub async fn answers(c: &mut Conn, sitting: i64) -> Result<Vec<AnswerRow>> {
    let rows = sqlx::query(
        "SELECT seq, question_id, marks_max, given, awarded FROM exam_answers WHERE sitting_id = $1 ORDER BY seq",
    )
    .bind(sitting)
    .fetch_all(&mut *c)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(AnswerRow {
                seq: r.try_get("seq")?,
                question_id: r.try_get("question_id")?,
                marks_max: r.try_get("marks_max")?,
                given: r.try_get("given")?,
                awarded: opt_i64(r, "awarded")?,
            })
        })
        .collect()
}

pub async fn set_answer(c: &mut Conn, sitting: i64, seq: i64, given: Option<&str>, awarded: Option<i64>) -> Result<()> {
    sqlx::query("UPDATE exam_answers SET given = $3, awarded = $4 WHERE sitting_id = $1 AND seq = $2")
        .bind(sitting)
        .bind(seq)
        .bind(given)
        .bind(awarded)
        .execute(&mut *c)
        .await?;
    Ok(())
}

pub async fn award(c: &mut Conn, sitting: i64, seq: i64, awarded: i64) -> Result<()> {
    sqlx::query("UPDATE exam_answers SET awarded = $3 WHERE sitting_id = $1 AND seq = $2")
        .bind(sitting)
        .bind(seq)
        .bind(awarded)
        .execute(&mut *c)
        .await?;
    Ok(())
}

/// Move a sitting from `from` to `to` with its score; false when another request moved it first.
pub struct Outcome {
    pub status: SittingStatus,
    pub score: Option<i64>,
    pub passed: Option<bool>,
    pub now: i64,
    pub by: Option<i64>,
}

pub async fn move_sitting(c: &mut Conn, id: i64, from: SittingStatus, o: Outcome) -> Result<bool> {
    let submitted = from == SittingStatus::Open;
    let marked = o.status == SittingStatus::Marked;
    let r = sqlx::query(
        "UPDATE exam_sittings SET status = $3, score = $4, passed = $5, \
         submitted_at = CASE WHEN $6 = 1 THEN $7 ELSE submitted_at END, \
         marked_at = CASE WHEN $8 = 1 THEN $7 ELSE marked_at END, \
         marked_by = CASE WHEN $8 = 1 THEN $9 ELSE marked_by END \
         WHERE id = $1 AND status = $2",
    )
    .bind(id)
    .bind(from.code())
    .bind(o.status.code())
    .bind(o.score)
    .bind(o.passed.map(i64::from))
    .bind(i64::from(submitted))
    .bind(o.now)
    .bind(i64::from(marked))
    .bind(o.by)
    .execute(&mut *c)
    .await?;
    Ok(r.rows_affected() == 1)
}

pub async fn set_record(c: &mut Conn, sitting: i64, record: i64) -> Result<()> {
    sqlx::query("UPDATE exam_sittings SET record_id = $2 WHERE id = $1")
        .bind(sitting)
        .bind(record)
        .execute(&mut *c)
        .await?;
    Ok(())
}

/// Per question of a paper under a path: how many were given it, answered it fully right and, for short answers,
/// are still unmarked — the questions most people miss come first.
#[derive(Debug, Clone, PartialEq)]
pub struct QuestionTally {
    pub question_id: i64,
    pub given: i64,
    pub right: i64,
    pub unmarked: i64,
}

pub async fn question_tallies(c: &mut Conn, paper: i64, under: &str) -> Result<Vec<QuestionTally>> {
    let rows = sqlx::query(
        "SELECT a.question_id, COUNT(*) AS given, \
         CAST(SUM(CASE WHEN a.awarded = a.marks_max THEN 1 ELSE 0 END) AS BIGINT) AS right_n, \
         CAST(SUM(CASE WHEN a.awarded IS NULL THEN 1 ELSE 0 END) AS BIGINT) AS unmarked \
         FROM exam_answers a JOIN exam_sittings s ON s.id = a.sitting_id \
         WHERE s.paper_id = $1 AND s.unit_path LIKE $2 AND s.status <> 'open' \
         GROUP BY a.question_id",
    )
    .bind(paper)
    .bind(format!("{under}%"))
    .fetch_all(&mut *c)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(QuestionTally {
                question_id: r.try_get("question_id")?,
                given: r.try_get("given")?,
                right: r.try_get("right_n")?,
                unmarked: r.try_get("unmarked")?,
            })
        })
        .collect()
}

/// The active staff of a subtree who hold one of `posts` (all of them when `posts` is empty): a paper's candidates.
pub async fn candidates(c: &mut Conn, under: &str, posts: &[Position]) -> Result<Vec<(i64, i64, String)>> {
    let mut sql = String::from(
        "SELECT s.id, s.unit_id, s.positions FROM staff s JOIN units u ON u.id = s.unit_id \
         WHERE s.active = 1 AND u.path LIKE $1",
    );
    sql.push_str(" ORDER BY s.id");
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(format!("{under}%")).fetch_all(&mut *c).await?;
    let mut out = Vec::new();
    for r in &rows {
        let held = decode_positions(&r.try_get::<String, _>("positions")?);
        if posts.is_empty() || held.iter().any(|p| posts.contains(p)) {
            out.push((r.try_get("id")?, r.try_get("unit_id")?, r.try_get::<String, _>("positions")?));
        }
    }
    Ok(out)
}
