//! Exams (TRN-4; 第五篇 the seed's exam, 第四篇 二(1) "组织测试"): the question bank's entries, a paper's drawing rule,
//! the draw itself, marking and the sitting's lifecycle, all pure. The bank's first entries are the seed's 第五篇
//! questions (`rulebook/exam_bank.toml`); short answers are marked by a person against the model answer.
use crate::DomainError;
use crate::staff::Position;
use serde::{Deserialize, Serialize};
use std::collections::HashSet;

labelled_enum!(
    /// A question's type; all but the short answer are marked at once.
    QuestionKind, "kind", "题型", "question type" {
        Single => ("single", "单选题", "Single choice"),
        Multiple => ("multiple", "多选题", "Multiple choice"),
        Truefalse => ("truefalse", "判断题", "True / false"),
        Fill => ("fill", "填空题", "Fill in the blank"),
        Short => ("short", "简答题", "Short answer"),
    }
);

labelled_enum!(
    /// Where a sitting stands: open until submitted or out of time; submitted with short answers waiting for a
    /// marker; marked when every answer has its marks.
    SittingStatus, "status", "考试状态", "sitting status" {
        Open => ("open", "答题中", "In progress"),
        Submitted => ("submitted", "待阅卷", "Awaiting marking"),
        Marked => ("marked", "已评分", "Marked"),
    }
);

impl QuestionKind {
    /// Offers lettered options.
    pub fn has_options(self) -> bool {
        matches!(self, QuestionKind::Single | QuestionKind::Multiple)
    }
}

/// Limits of a question's text, so a hostile import cannot fill the bank.
pub const TEXT_MAX: usize = 1000;
pub const ANSWER_MAX: usize = 2000;
pub const OPTION_MAX: usize = 200;
pub const OPTIONS_MAX: usize = 8;
pub const MARKS_MAX: i32 = 100;

/// One entry of the bank as the file, the Excel import and the API give it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct QuestionDraft {
    #[schema(max_length = 32, pattern = r"^[A-Za-z0-9-]+$")]
    pub code: String,
    pub kind: QuestionKind,
    #[serde(default)]
    pub origin: String,
    #[serde(default)]
    pub posts: Vec<Position>,
    #[serde(default)]
    #[schema(schema_with = tags)]
    pub tags: Vec<String>,
    #[schema(max_length = 200, pattern = r"\S")]
    pub article: String,
    #[schema(minimum = 1, maximum = 3)]
    pub difficulty: i32,
    #[schema(minimum = 1, maximum = 100)]
    pub marks: i32,
    /// A fill-in question marks each blank with `____`.
    #[schema(
        max_length = 1000,
        pattern = r"^[^\x00-\x08\x0b-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x08\x0b-\x1f\x7f-\x9f]*$"
    )]
    pub text: String,
    /// For choice questions, 2–8; none for the other kinds.
    #[serde(default)]
    #[schema(schema_with = options)]
    pub options: Vec<String>,
    /// An option letter (single), two or more distinct letters (multiple), 对/错 (true/false), the blanks' answers
    /// separated by `|` (fill), or the model answer (short).
    #[schema(max_length = 2000, pattern = r"\S")]
    pub answer: String,
}

/// The schema of a question's tags: letters, digits and underscores, 1–20 each (`QuestionDraft::validate`).
fn tags() -> utoipa::openapi::Array {
    use utoipa::openapi::{ArrayBuilder, ObjectBuilder, Type};
    let tag = ObjectBuilder::new().schema_type(Type::String).max_length(Some(20)).pattern(Some(r"^[A-Za-z0-9_]+$"));
    ArrayBuilder::new().items(tag).build()
}

/// The schema of a question's options: at most [`OPTIONS_MAX`], each not blank and at most [`OPTION_MAX`].
fn options() -> utoipa::openapi::Array {
    use utoipa::openapi::{ArrayBuilder, ObjectBuilder, Type};
    let option = ObjectBuilder::new().schema_type(Type::String).max_length(Some(OPTION_MAX)).pattern(Some(r"\S"));
    ArrayBuilder::new().items(option).max_items(Some(OPTIONS_MAX)).build()
}

fn bad(field: &'static str, zh: String, en: String) -> DomainError {
    DomainError::new(field, zh, en)
}

impl QuestionDraft {
    /// The entry's shape: a code, lengths, marks, and an answer that fits its type (a letter among the options, a
    /// set of at least two letters, true or false, a blank to fill).
    pub fn validate(&self) -> Result<(), DomainError> {
        let code = self.code.trim();
        if code.is_empty() || code.chars().count() > 32 || !code.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        {
            return Err(bad(
                "code",
                format!("题目编号“{}”须为1–32位字母、数字或连字符", crate::text::clip(code, 40)),
                "a question code is 1–32 letters, digits or hyphens".into(),
            ));
        }
        let at = |zh: &str| format!("题目{code}：{zh}");
        let text = self.text.trim();
        if text.is_empty() || text.chars().count() > TEXT_MAX {
            return Err(bad(
                "text",
                at(&format!("题干不能为空且不超过{TEXT_MAX}字")),
                "the question text is 1–1000 characters".into(),
            ));
        }
        if self.article.trim().is_empty() || self.article.chars().count() > 200 {
            return Err(bad(
                "article",
                at("须注明出处条款（不超过200字）"),
                "cite the article tested (at most 200 characters)".into(),
            ));
        }
        if !(1..=3).contains(&self.difficulty) {
            return Err(bad("difficulty", at("难度须为1–3"), "difficulty is 1–3".into()));
        }
        if !(1..=MARKS_MAX).contains(&self.marks) {
            return Err(bad("marks", at(&format!("分值须为1–{MARKS_MAX}")), format!("marks are 1–{MARKS_MAX}")));
        }
        let answer = self.answer.trim();
        if answer.is_empty() || answer.chars().count() > ANSWER_MAX {
            return Err(bad("answer", at("答案不能为空且不超过2000字"), "the answer is 1–2000 characters".into()));
        }
        if self
            .tags
            .iter()
            .any(|t| t.is_empty() || t.len() > 20 || !t.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
        {
            return Err(bad(
                "tags",
                at("标签须为1–20位字母、数字或下划线"),
                "tags are 1–20 letters, digits or underscores".into(),
            ));
        }
        let n = self.options.len();
        if self.kind.has_options() {
            if !(2..=OPTIONS_MAX).contains(&n)
                || self.options.iter().any(|o| o.trim().is_empty() || o.chars().count() > OPTION_MAX)
            {
                return Err(bad(
                    "options",
                    at("选择题须有2–8个选项，每项不超过200字"),
                    "a choice question has 2–8 options of at most 200 characters".into(),
                ));
            }
        } else if n > 0 {
            return Err(bad(
                "options",
                at(&format!("{}不设选项", self.kind.label_zh())),
                "only choice questions have options".into(),
            ));
        }
        let letters = |s: &str| -> Option<Vec<usize>> {
            s.chars()
                .filter(|c| !c.is_whitespace() && *c != ',')
                .map(|c| {
                    let i = (c.to_ascii_uppercase() as u32).checked_sub('A' as u32)? as usize;
                    (i < n).then_some(i)
                })
                .collect()
        };
        let ok = match self.kind {
            QuestionKind::Single => letters(answer).is_some_and(|l| l.len() == 1),
            QuestionKind::Multiple => {
                letters(answer).is_some_and(|l| l.len() >= 2 && l.iter().collect::<HashSet<_>>().len() == l.len())
            }
            QuestionKind::Truefalse => parse_truth(answer).is_some(),
            QuestionKind::Fill => text.contains("____") && answer.split('|').all(|a| !a.trim().is_empty()),
            QuestionKind::Short => true,
        };
        if !ok {
            let (zh, en) = match self.kind {
                QuestionKind::Single => ("单选题的答案须为一个选项字母", "a single-choice answer is one option letter"),
                QuestionKind::Multiple => (
                    "多选题的答案须为至少两个不同的选项字母",
                    "a multiple-choice answer is two or more distinct option letters",
                ),
                QuestionKind::Truefalse => ("判断题的答案须为“对”或“错”", "a true/false answer is true or false"),
                _ => (
                    "填空题的题干须含“____”，答案以“|”分隔",
                    "a fill-in question has ____ in its text and answers separated by |",
                ),
            };
            return Err(bad("answer", at(zh), en.into()));
        }
        Ok(())
    }
}

/// A true/false answer as a candidate or the file writes it.
pub fn parse_truth(raw: &str) -> Option<bool> {
    match raw.trim().to_lowercase().as_str() {
        "true" | "t" | "对" | "正确" | "√" | "是" => Some(true),
        "false" | "f" | "错" | "错误" | "×" | "否" => Some(false),
        _ => None,
    }
}

/// What the draw needs of a question in the bank.
#[derive(Debug, Clone, PartialEq)]
pub struct BankEntry {
    pub id: i64,
    pub kind: QuestionKind,
    pub posts: Vec<Position>,
    pub tags: Vec<String>,
}

impl BankEntry {
    /// For everyone, or for one of the person's posts.
    fn for_posts(&self, posts: &[Position]) -> bool {
        self.posts.is_empty() || self.posts.iter().any(|p| posts.contains(p))
    }
}

/// One line of a paper's rule: `count` questions of a type, optionally with a tag.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Draw {
    pub kind: QuestionKind,
    pub count: u32,
    #[serde(default)]
    pub tag: Option<String>,
}

/// The most questions one paper may draw.
pub const PAPER_MAX: u32 = 100;

/// Parse a paper's rule as the form writes it: `single:5, truefalse:5, short:2`, a tag after a slash
/// (`single/vault:3`).
pub fn parse_rule(raw: &str) -> Result<Vec<Draw>, DomainError> {
    let wrong = || {
        bad(
            "rule",
            "抽题规则格式应为“题型:数量”，以逗号分隔，如 single:5, truefalse:5, short:2".into(),
            "the rule is type:count, comma separated".into(),
        )
    };
    let mut out: Vec<Draw> = Vec::new();
    for part in raw.split([',', '，', ';', '\n']).map(str::trim).filter(|p| !p.is_empty()) {
        let (head, count) = part.split_once([':', '：']).ok_or_else(wrong)?;
        let (kind, tag) = match head.split_once('/') {
            Some((k, t)) => (k, Some(t.trim().to_owned()).filter(|t| !t.is_empty())),
            None => (head, None),
        };
        let kind = QuestionKind::parse(kind)?;
        let count: u32 = count.trim().parse().map_err(|_| wrong())?;
        if count == 0 {
            return Err(wrong());
        }
        if out.iter().any(|d| d.kind == kind && d.tag == tag) {
            return Err(bad(
                "rule",
                format!("抽题规则中{}重复", kind.label_zh()),
                "a type appears twice in the rule".into(),
            ));
        }
        out.push(Draw { kind, count, tag });
    }
    let total: u32 = out.iter().map(|d| d.count).sum();
    if out.is_empty() || total > PAPER_MAX {
        return Err(bad(
            "rule",
            format!("一份试卷须有1–{PAPER_MAX}道题"),
            format!("a paper has 1–{PAPER_MAX} questions"),
        ));
    }
    Ok(out)
}

/// The rule written back as the form shows it.
pub fn rule_text(rule: &[Draw]) -> String {
    rule.iter()
        .map(|d| match &d.tag {
            Some(t) => format!("{}/{}:{}", d.kind.code(), t, d.count),
            None => format!("{}:{}", d.kind.code(), d.count),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// A small deterministic generator (splitmix64), so a draw is a pure function of its seed: the caller derives the
/// seed from the sitting, and a test can repeat a draw exactly.
struct Mix(u64);
impl Mix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn shuffle<T>(&mut self, v: &mut [T]) {
        for i in (1..v.len()).rev() {
            let j = (self.next() % (i as u64 + 1)) as usize;
            v.swap(i, j);
        }
    }
}

fn shortfall(d: &Draw, have: usize) -> DomainError {
    let tag = d.tag.as_deref().map(|t| format!("（标签{t}）")).unwrap_or_default();
    bad(
        "rule",
        format!("题库中适用的{}{tag}只有{have}道，试卷要求{}道", d.kind.label_zh(), d.count),
        format!("the bank has {have} {} questions that apply, the paper asks for {}", d.kind.code(), d.count),
    )
}

/// Draw a paper for one person: for each line of the rule, questions of that type (and tag) for everyone or for one
/// of their posts, those the person has not been given before (`seen`) first, each group shuffled by `seed`.
/// Questions repeat across a person's attempts only when the bank has too few unseen ones. Fails, naming the line,
/// when the bank has fewer questions than the line asks.
pub fn draw(
    bank: &[BankEntry],
    rule: &[Draw],
    posts: &[Position],
    seen: &HashSet<i64>,
    seed: u64,
) -> Result<Vec<i64>, DomainError> {
    let mut mix = Mix(seed);
    let mut taken: HashSet<i64> = HashSet::new();
    let mut out = Vec::new();
    for d in rule {
        let pool: Vec<i64> = bank
            .iter()
            .filter(|q| q.kind == d.kind && q.for_posts(posts) && !taken.contains(&q.id))
            .filter(|q| d.tag.as_ref().is_none_or(|t| q.tags.contains(t)))
            .map(|q| q.id)
            .collect();
        if pool.len() < d.count as usize {
            return Err(shortfall(d, pool.len()));
        }
        let (mut fresh, mut old): (Vec<i64>, Vec<i64>) = pool.into_iter().partition(|id| !seen.contains(id));
        mix.shuffle(&mut fresh);
        mix.shuffle(&mut old);
        let picked: Vec<i64> = fresh.into_iter().chain(old).take(d.count as usize).collect();
        taken.extend(picked.iter().copied());
        out.extend(picked);
    }
    Ok(out)
}

/// A paper's rule against the bank before anyone sits it: every candidate (each distinct set of posts among
/// them) can be given a whole paper, so a paper someone could not be given is refused with the posts that fall
/// short. With no candidates yet, each post the paper is for (or, for everyone, the questions for everyone).
pub fn check_rule(
    bank: &[BankEntry],
    rule: &[Draw],
    candidates: &[Vec<Position>],
    posts: &[Position],
) -> Result<(), DomainError> {
    let mut sets: Vec<Vec<Position>> = candidates.to_vec();
    if sets.is_empty() {
        sets = if posts.is_empty() { vec![Vec::new()] } else { posts.iter().map(|p| vec![*p]).collect() };
    }
    for set in &mut sets {
        set.sort();
    }
    sets.sort();
    sets.dedup();
    for p in &sets {
        draw(bank, rule, p, &HashSet::new(), 0).map_err(|e| {
            if p.is_empty() {
                return e;
            }
            let names = p.iter().map(|x| x.label_zh()).collect::<Vec<_>>().join("、");
            DomainError::new(e.field, format!("{}（岗位：{names}）", e.message), e.message_en)
        })?;
    }
    Ok(())
}

/// Normalise a free answer for comparison: no spaces, half-width, lower case.
fn norm(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            _ => c,
        })
        .flat_map(char::to_lowercase)
        .collect()
}

fn letter_set(s: &str) -> Vec<char> {
    let mut v: Vec<char> =
        norm(s).chars().filter(|c| c.is_ascii_alphabetic()).map(|c| c.to_ascii_uppercase()).collect();
    v.sort_unstable();
    v.dedup();
    v
}

/// The marks an objective answer earns at once: all for a correct answer (for a multiple choice, exactly the right
/// set of letters), none otherwise; `None` for a short answer, which a marker judges.
pub fn mark(kind: QuestionKind, key: &str, marks: i32, given: &str) -> Option<i32> {
    let right = match kind {
        QuestionKind::Single | QuestionKind::Multiple => {
            let g = letter_set(given);
            !g.is_empty() && g == letter_set(key)
        }
        QuestionKind::Truefalse => parse_truth(given).is_some() && parse_truth(given) == parse_truth(key),
        QuestionKind::Fill => {
            let g = norm(given);
            !g.is_empty() && key.split('|').any(|k| norm(k) == g)
        }
        QuestionKind::Short => return None,
    };
    Some(if right { marks } else { 0 })
}

/// A pass: the score reaches the pass mark, a percentage of the paper's full marks.
pub fn passed(score: i32, max: i32, pass_pct: i32) -> bool {
    max > 0 && i64::from(score) * 100 >= i64::from(pass_pct) * i64::from(max)
}

/// The paper's timing and attempts, as the paper stores them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timing {
    pub opens_at: i64,
    pub closes_at: i64,
    pub limit_minutes: i64,
    pub max_attempts: i64,
    pub retake_days: i64,
}

/// A person's earlier sittings of a paper, as the start check needs them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Attempt {
    pub status: SittingStatus,
    pub deadline_at: i64,
    /// When it ended: submitted, or its deadline passed.
    pub ended_at: i64,
    pub passed: Option<bool>,
}

/// Whether a person may start a sitting now, and the deadline it gets: the first attempt within the paper's window
/// (its time limit cut at the window's close), a retake after a failed attempt within `retake_days` of it, up to
/// `max_attempts`; never while one is open or after a pass.
pub fn may_start(t: &Timing, earlier: &[Attempt], now: i64) -> Result<i64, DomainError> {
    let limit = now + t.limit_minutes * 60_000;
    if earlier.iter().any(|a| a.status == SittingStatus::Open && now <= a.deadline_at) {
        return Err(bad(
            "paper",
            "已有一场正在进行的考试，请继续作答".into(),
            "a sitting of this paper is in progress".into(),
        ));
    }
    if earlier.iter().any(|a| a.passed == Some(true)) {
        return Err(bad("paper", "已通过本次考试，无需重考".into(), "this paper has already been passed".into()));
    }
    if earlier.iter().any(|a| a.status == SittingStatus::Submitted) {
        return Err(bad(
            "paper",
            "上次答卷尚待阅卷，阅卷后方可重考".into(),
            "the last attempt is waiting to be marked".into(),
        ));
    }
    if earlier.len() as i64 >= t.max_attempts {
        return Err(bad(
            "paper",
            format!("本次考试最多可考{}次，已用完", t.max_attempts),
            format!("all {} attempts have been used", t.max_attempts),
        ));
    }
    if now < t.opens_at {
        return Err(bad("paper", "考试尚未开始".into(), "the paper is not open yet".into()));
    }
    match earlier.iter().map(|a| a.ended_at).max() {
        None if now > t.closes_at => Err(bad("paper", "考试已结束".into(), "the paper has closed".into())),
        None => Ok(limit.min(t.closes_at)),
        Some(last) => {
            let until = last + t.retake_days * 86_400_000;
            if now > until.max(t.closes_at) {
                return Err(bad(
                    "paper",
                    format!("重考须在上次考试后{}天内进行，已过期", t.retake_days),
                    format!("a retake is allowed within {} days of the last attempt", t.retake_days),
                ));
            }
            Ok(limit.min(until.max(t.closes_at)))
        }
    }
}

/// An answer sent after the sitting's deadline is refused and nothing is kept.
pub fn check_in_time(deadline_at: i64, now: i64) -> Result<(), DomainError> {
    if now > deadline_at {
        return Err(bad(
            "sitting",
            "已超过考试时限，答卷未被接受".into(),
            "the time limit has passed; the answers were not accepted".into(),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(id: i64, kind: QuestionKind, posts: &[Position]) -> BankEntry {
        BankEntry { id, kind, posts: posts.to_vec(), tags: vec![] }
    }

    #[test]
    fn a_second_draw_takes_unseen_questions_while_the_bank_has_them() {
        let bank: Vec<BankEntry> = (1..=6).map(|i| q(i, QuestionKind::Single, &[])).collect();
        let rule = parse_rule("single:3").unwrap();
        let first = draw(&bank, &rule, &[], &HashSet::new(), 7).unwrap();
        let seen: HashSet<i64> = first.iter().copied().collect();
        let second = draw(&bank, &rule, &[], &seen, 8).unwrap();
        assert!(second.iter().all(|id| !seen.contains(id)), "{first:?} {second:?}");
        // A third draw must repeat: the bank has only six.
        let all: HashSet<i64> = first.iter().chain(&second).copied().collect();
        assert_eq!(draw(&bank, &rule, &[], &all, 9).unwrap().len(), 3);
    }

    #[test]
    fn a_rule_asking_more_than_the_bank_has_is_refused_with_the_count() {
        let bank = vec![q(1, QuestionKind::Short, &[]), q(2, QuestionKind::Short, &[Position::Teller])];
        let rule = parse_rule("short:2").unwrap();
        let e = check_rule(&bank, &rule, &[], &[]).unwrap_err();
        assert!(e.message.contains("只有1道") && e.message.contains("要求2道"), "{}", e.message);
        assert!(check_rule(&bank, &rule, &[], &[Position::Teller]).is_ok());
        assert!(check_rule(&bank, &rule, &[], &[Position::Guard]).unwrap_err().message.contains("守押"));
        // Candidates decide: a teller can be given it, a guard among them cannot.
        assert!(check_rule(&bank, &rule, &[vec![Position::Teller]], &[]).is_ok());
        let e = check_rule(&bank, &rule, &[vec![Position::Teller], vec![Position::Guard, Position::Driver]], &[])
            .unwrap_err();
        assert!(e.message.contains("守押") && e.message.contains("驾驶员"), "{}", e.message);
    }

    #[test]
    fn questions_for_other_posts_are_not_drawn() {
        let bank = vec![
            q(1, QuestionKind::Fill, &[Position::Guard]),
            q(2, QuestionKind::Fill, &[Position::Teller]),
            q(3, QuestionKind::Fill, &[]),
        ];
        let rule = parse_rule("fill:2").unwrap();
        let mut got = draw(&bank, &rule, &[Position::Teller], &HashSet::new(), 1).unwrap();
        got.sort();
        assert_eq!(got, vec![2, 3]);
    }

    #[test]
    fn marking_gives_all_or_nothing_and_leaves_short_answers_to_a_marker() {
        assert_eq!(mark(QuestionKind::Single, "B", 3, " b "), Some(3));
        assert_eq!(mark(QuestionKind::Single, "B", 3, "C"), Some(0));
        assert_eq!(mark(QuestionKind::Multiple, "ACD", 4, "DCA"), Some(4));
        assert_eq!(mark(QuestionKind::Multiple, "ACD", 4, "AC"), Some(0));
        assert_eq!(mark(QuestionKind::Multiple, "ACD", 4, ""), Some(0));
        assert_eq!(mark(QuestionKind::Truefalse, "false", 2, "错"), Some(2));
        assert_eq!(mark(QuestionKind::Truefalse, "false", 2, "对"), Some(0));
        assert_eq!(mark(QuestionKind::Truefalse, "false", 2, "maybe"), Some(0));
        assert_eq!(mark(QuestionKind::Fill, "6|六", 3, "６"), Some(3));
        assert_eq!(mark(QuestionKind::Fill, "6|六", 3, "六"), Some(3));
        assert_eq!(mark(QuestionKind::Fill, "6|六", 3, "5"), Some(0));
        assert_eq!(mark(QuestionKind::Fill, "6|六", 3, ""), Some(0));
        assert_eq!(mark(QuestionKind::Short, "anything", 10, "x"), None);
    }

    #[test]
    fn the_pass_mark_is_a_percentage_of_full_marks() {
        assert!(passed(60, 100, 60));
        assert!(!passed(59, 100, 60));
        assert!(passed(36, 60, 60));
        assert!(!passed(0, 0, 0));
    }

    fn timing() -> Timing {
        Timing { opens_at: 1000, closes_at: 1_000_000_000, limit_minutes: 30, max_attempts: 2, retake_days: 7 }
    }

    #[test]
    fn a_first_attempt_gets_the_time_limit_cut_at_the_close() {
        let t = timing();
        assert_eq!(may_start(&t, &[], 2000), Ok(2000 + 30 * 60_000));
        assert_eq!(may_start(&t, &[], t.closes_at - 10), Ok(t.closes_at));
        assert!(may_start(&t, &[], 999).is_err());
        assert!(may_start(&t, &[], t.closes_at + 1).is_err());
    }

    #[test]
    fn retakes_follow_a_failure_within_the_days_and_the_attempts() {
        let t = timing();
        let failed =
            Attempt { status: SittingStatus::Marked, deadline_at: 5000, ended_at: t.closes_at, passed: Some(false) };
        let day = 86_400_000;
        assert!(may_start(&t, &[failed], t.closes_at + 7 * day).is_ok());
        assert!(may_start(&t, &[failed], t.closes_at + 7 * day + 1).is_err());
        assert!(may_start(&t, &[failed, failed], 2000).unwrap_err().message.contains("最多可考2次"));
        let pass = Attempt { passed: Some(true), ..failed };
        assert!(may_start(&t, &[pass], 2000).unwrap_err().message.contains("已通过"));
        let open = Attempt { status: SittingStatus::Open, deadline_at: 9000, ended_at: 9000, passed: None };
        assert!(may_start(&t, &[open], 2000).is_err());
        // An open sitting whose time ran out no longer blocks a retake.
        assert!(may_start(&t, &[open], 9001).is_ok());
        let waiting = Attempt { status: SittingStatus::Submitted, passed: None, ..failed };
        assert!(may_start(&t, &[waiting], 2000).unwrap_err().message.contains("待阅卷"));
    }

    #[test]
    fn an_answer_after_the_deadline_is_refused() {
        assert!(check_in_time(100, 100).is_ok());
        assert!(check_in_time(100, 101).unwrap_err().message.contains("超过考试时限"));
    }

    #[test]
    fn entries_are_checked_against_their_type() {
        let ok = QuestionDraft {
            code: "R-001".into(),
            kind: QuestionKind::Single,
            origin: "derived".into(),
            posts: vec![],
            tags: vec!["atm".into()],
            article: "篇二 四".into(),
            difficulty: 1,
            marks: 3,
            text: "每台ATM每天至少巡查几次?".into(),
            options: vec!["2".into(), "4".into(), "6".into(), "8".into()],
            answer: "C".into(),
        };
        assert!(ok.validate().is_ok());
        assert!(QuestionDraft { answer: "E".into(), ..ok.clone() }.validate().is_err());
        assert!(QuestionDraft { answer: "AC".into(), ..ok.clone() }.validate().is_err());
        assert!(QuestionDraft { kind: QuestionKind::Multiple, answer: "AC".into(), ..ok.clone() }.validate().is_ok());
        assert!(QuestionDraft { kind: QuestionKind::Multiple, answer: "AA".into(), ..ok.clone() }.validate().is_err());
        assert!(QuestionDraft { options: vec!["x".into()], ..ok.clone() }.validate().is_err());
        assert!(
            QuestionDraft { kind: QuestionKind::Truefalse, options: vec![], answer: "对".into(), ..ok.clone() }
                .validate()
                .is_ok()
        );
        assert!(
            QuestionDraft { kind: QuestionKind::Truefalse, options: vec![], answer: "C".into(), ..ok.clone() }
                .validate()
                .is_err()
        );
        assert!(
            QuestionDraft { kind: QuestionKind::Fill, options: vec![], answer: "6".into(), ..ok.clone() }
                .validate()
                .is_err()
        );
        assert!(
            QuestionDraft {
                kind: QuestionKind::Fill,
                options: vec![],
                text: "每天____次".into(),
                answer: "6|六".into(),
                ..ok.clone()
            }
            .validate()
            .is_ok()
        );
        assert!(QuestionDraft { marks: 0, ..ok.clone() }.validate().is_err());
        assert!(QuestionDraft { difficulty: 4, ..ok.clone() }.validate().is_err());
        assert!(QuestionDraft { article: " ".into(), ..ok.clone() }.validate().is_err());
        assert!(QuestionDraft { code: "a b".into(), ..ok.clone() }.validate().is_err());
        assert!(QuestionDraft { text: "x".repeat(TEXT_MAX + 1), ..ok }.validate().is_err());
    }

    #[test]
    fn entry_limits_hold_at_their_edges() {
        let ok = QuestionDraft {
            code: "R-001".into(),
            kind: QuestionKind::Single,
            origin: "derived".into(),
            posts: vec![],
            tags: vec!["atm".into()],
            article: "篇二 四".into(),
            difficulty: 1,
            marks: 3,
            text: "每台ATM每天至少巡查几次?".into(),
            options: vec!["2".into(), "4".into(), "6".into(), "8".into()],
            answer: "C".into(),
        };
        let v = |q: QuestionDraft| q.validate().map_err(|e| e.message);
        assert!(v(QuestionDraft { code: "A".repeat(32), ..ok.clone() }).is_ok());
        assert!(v(QuestionDraft { code: "A".repeat(33), ..ok.clone() }).is_err());
        assert!(v(QuestionDraft { code: "".into(), ..ok.clone() }).is_err());
        assert!(v(QuestionDraft { text: "字".repeat(TEXT_MAX), ..ok.clone() }).is_ok());
        assert!(v(QuestionDraft { text: " ".into(), ..ok.clone() }).is_err());
        assert!(v(QuestionDraft { article: "字".repeat(200), ..ok.clone() }).is_ok());
        assert!(v(QuestionDraft { article: "字".repeat(201), ..ok.clone() }).is_err());
        assert!(v(QuestionDraft { difficulty: 3, marks: MARKS_MAX, ..ok.clone() }).is_ok());
        assert!(v(QuestionDraft { marks: MARKS_MAX + 1, ..ok.clone() }).is_err());
        let short = QuestionDraft { kind: QuestionKind::Short, options: vec![], ..ok.clone() };
        assert!(v(QuestionDraft { answer: "字".repeat(ANSWER_MAX), ..short.clone() }).is_ok());
        assert!(v(QuestionDraft { answer: "字".repeat(ANSWER_MAX + 1), ..short.clone() }).is_err());
        assert!(v(QuestionDraft { answer: " ".into(), ..short.clone() }).is_err());
        assert!(
            v(QuestionDraft { options: vec!["x".into()], ..short.clone() }).unwrap_err().contains("简答题不设选项")
        );
        assert!(v(QuestionDraft { tags: vec!["a".repeat(20)], ..ok.clone() }).is_ok());
        assert!(v(QuestionDraft { tags: vec!["a".repeat(21)], ..ok.clone() }).is_err());
        assert!(v(QuestionDraft { tags: vec!["".into()], ..ok.clone() }).is_err());
        assert!(v(QuestionDraft { tags: vec!["金库".into()], ..ok.clone() }).is_err());
        let eight: Vec<String> = (0..OPTIONS_MAX).map(|i| format!("选项{i}")).collect();
        assert!(v(QuestionDraft { options: eight.clone(), answer: "H".into(), ..ok.clone() }).is_ok());
        let mut nine = eight.clone();
        nine.push("多".into());
        assert!(v(QuestionDraft { options: nine, ..ok.clone() }).is_err());
        let long = vec!["字".repeat(OPTION_MAX), "b".into()];
        assert!(v(QuestionDraft { options: long.clone(), answer: "A".into(), ..ok.clone() }).is_ok());
        assert!(
            v(QuestionDraft {
                options: vec!["字".repeat(OPTION_MAX + 1), "b".into()],
                answer: "A".into(),
                ..ok.clone()
            })
            .is_err()
        );
        assert!(v(QuestionDraft { options: vec![" ".into(), "b".into()], answer: "B".into(), ..ok.clone() }).is_err());
        // Each type says what its answer must be.
        assert!(v(QuestionDraft { answer: "AB".into(), ..ok.clone() }).unwrap_err().contains("单选题的答案"));
        let multi = QuestionDraft { kind: QuestionKind::Multiple, ..ok.clone() };
        assert!(v(QuestionDraft { answer: "A".into(), ..multi.clone() }).unwrap_err().contains("多选题的答案"));
        assert!(v(QuestionDraft { answer: "A, D".into(), ..multi.clone() }).is_ok());
        let tf = QuestionDraft { kind: QuestionKind::Truefalse, options: vec![], ..ok.clone() };
        assert!(v(QuestionDraft { answer: "maybe".into(), ..tf }).unwrap_err().contains("判断题的答案"));
    }

    #[test]
    fn the_draw_is_a_fixed_function_of_its_seed_and_shuffles() {
        // splitmix64's first output for seed 0.
        assert_eq!(Mix(0).next(), 0xE220_A839_7B1D_CDAF);
        let bank: Vec<BankEntry> = (1..=10).map(|i| q(i, QuestionKind::Single, &[])).collect();
        let rule = parse_rule("single:10").unwrap();
        let a = draw(&bank, &rule, &[], &HashSet::new(), 1).unwrap();
        let mut sorted = a.clone();
        sorted.sort();
        assert_eq!(sorted, (1..=10).collect::<Vec<_>>(), "a permutation");
        // Every question comes first for some seed, and orders differ between seeds.
        let firsts: HashSet<i64> = (0..200).map(|s| draw(&bank, &rule, &[], &HashSet::new(), s).unwrap()[0]).collect();
        assert_eq!(firsts.len(), 10);
        let lasts: HashSet<i64> = (0..200).map(|s| draw(&bank, &rule, &[], &HashSet::new(), s).unwrap()[9]).collect();
        assert_eq!(lasts.len(), 10);
        assert_eq!(draw(&bank, &rule, &[], &HashSet::new(), 1).unwrap(), a, "the same seed, the same paper");
    }

    #[test]
    fn the_window_includes_its_edges() {
        let t = timing();
        assert!(may_start(&t, &[], t.opens_at).is_ok());
        assert_eq!(may_start(&t, &[], t.closes_at), Ok(t.closes_at));
        assert!(parse_rule("single:100").is_ok());
    }

    #[test]
    fn the_rule_parses_types_tags_and_refuses_nonsense() {
        let r = parse_rule("single:5， truefalse/vault:2\nshort:1").unwrap();
        assert_eq!(r.len(), 3);
        assert_eq!(r[1].tag.as_deref(), Some("vault"));
        assert_eq!(rule_text(&r), "single:5, truefalse/vault:2, short:1");
        assert!(parse_rule("").is_err());
        assert!(parse_rule("single:0").is_err());
        assert!(parse_rule("single:x").is_err());
        assert!(parse_rule("essay:2").is_err());
        assert!(parse_rule("single:2, single:3").is_err());
        assert!(parse_rule("single:101").is_err());
    }
}
