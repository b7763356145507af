//! The question bank from Excel (TRN-4), in the columns the export writes: every row is checked first, and with any
//! bad row nothing is written (all or nothing); a row whose code is in the bank corrects that question.
use super::{DEFAULT_COLUMNS, may_edit_bank};
use crate::audit::{self, Entity};
use crate::error::invalid;
use crate::workbook::Limits;
use crate::{AppResult, Ctx};
use anbao_domain::exam::{QuestionDraft, QuestionKind};
use anbao_domain::staff::Position;
use anbao_store::Db;
use std::collections::HashMap;

/// A bank is a few thousand questions of ten columns.
pub const IMPORT_LIMITS: Limits =
    Limits { max_file_bytes: 4 * 1024 * 1024, max_unzipped_bytes: 32 * 1024 * 1024, max_rows: 5_001, max_cols: 12 };

pub struct ImportOutcome {
    pub rows: usize,
    /// (row number in the sheet, what is wrong); when any, nothing was written.
    pub errors: Vec<(usize, String)>,
    pub added: usize,
    pub corrected: usize,
}

/// "全体员工" or empty for everyone; otherwise posts by name or code, separated by 、 or commas.
fn posts_of(raw: &str) -> Result<Vec<Position>, String> {
    let raw = raw.trim();
    if raw.is_empty() || raw == "全体员工" {
        return Ok(Vec::new());
    }
    raw.split(['、', ',', '，'])
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|p| Position::parse(p).map_err(|e| e.message))
        .collect()
}

/// The options cell: one per line, each written `A. text` (the letter is dropped).
fn options_of(raw: &str) -> Vec<String> {
    raw.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|l| {
            let mut ch = l.chars();
            match (ch.next(), ch.next()) {
                (Some(c), Some('.' | '．' | '、')) if c.is_ascii_uppercase() => ch.as_str().trim().to_owned(),
                _ => l.to_owned(),
            }
        })
        .collect()
}

pub async fn import(db: &Db, ctx: &Ctx, bytes: Vec<u8>) -> AppResult<ImportOutcome> {
    may_edit_bank(ctx)?;
    let sheet = crate::workbook::read_first_sheet_blocking(bytes, IMPORT_LIMITS).await?;
    let mut rows = sheet.iter().map(|(n, cells)| (*n as usize, cells));
    let header: Vec<String> =
        rows.next().map(|(_, r)| r.iter().map(|c| c.to_string().trim().to_owned()).collect()).unwrap_or_default();
    if header.iter().take(DEFAULT_COLUMNS.len()).map(String::as_str).ne(DEFAULT_COLUMNS.iter().copied()) {
        return Err(invalid(
            "file",
            format!("表头须为：{}（与题库导出相同）", DEFAULT_COLUMNS.join("、")),
            format!("the header row must be: {} (as the bank's export)", DEFAULT_COLUMNS.join(", ")),
        ));
    }
    let mut out = ImportOutcome { rows: 0, errors: Vec::new(), added: 0, corrected: 0 };
    let mut drafts: Vec<QuestionDraft> = Vec::new();
    let mut seen: HashMap<String, usize> = HashMap::new();
    for (row_no, r) in rows {
        let text = |n: usize| r.get(n).map(|c| c.to_string().trim().to_owned()).unwrap_or_default();
        if (0..DEFAULT_COLUMNS.len()).all(|n| text(n).is_empty()) {
            continue;
        }
        out.rows += 1;
        let number = |n: usize| text(n).parse::<f64>().ok().filter(|v| v.fract() == 0.0).map(|v| v as i32);
        let kind = match QuestionKind::parse(&text(1)) {
            Ok(k) => k,
            Err(e) => {
                out.errors.push((row_no, e.message));
                continue;
            }
        };
        let posts = match posts_of(&text(2)) {
            Ok(p) => p,
            Err(e) => {
                out.errors.push((row_no, e));
                continue;
            }
        };
        let (Some(difficulty), Some(marks)) = (number(4), number(5)) else {
            out.errors.push((row_no, "难度和分值须为整数".into()));
            continue;
        };
        let d = QuestionDraft {
            code: text(0),
            kind,
            origin: "bank".into(),
            posts,
            tags: text(9).split([',', '，', ' ']).filter(|t| !t.is_empty()).map(str::to_owned).collect(),
            article: text(3),
            difficulty,
            marks,
            text: text(6),
            options: options_of(&text(7)),
            answer: text(8),
        };
        if let Err(e) = d.validate() {
            out.errors.push((row_no, e.message));
            continue;
        }
        if let Some(first) = seen.insert(d.code.clone(), row_no) {
            out.errors.push((row_no, format!("题目编号{}与第{first}行重复", d.code)));
            continue;
        }
        drafts.push(d);
    }
    if !out.errors.is_empty() || drafts.is_empty() {
        if drafts.is_empty() && out.errors.is_empty() {
            return Err(invalid("file", "表格中没有题目", "the sheet holds no questions"));
        }
        return Ok(out);
    }
    let mut tx = db.begin().await?;
    for d in &drafts {
        let before = match anbao_store::exam::question_by_code(&mut tx, &d.code).await? {
            Some(row) => Entity::Row("exam_questions", row.id).snapshot(&mut tx).await?,
            None => None,
        };
        let (id, new) = anbao_store::exam::put_question(&mut tx, d, ctx.now, Some(ctx.actor.account.get())).await?;
        let action = if new { "exam.question.import" } else { "exam.question.correct" };
        audit::record(&mut tx, ctx.into(), action, Entity::Row("exam_questions", id), None, before.as_ref()).await?;
        if new {
            out.added += 1;
        } else {
            out.corrected += 1;
        }
    }
    tx.commit().await?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_are_read_as_the_export_writes_them() {
        assert_eq!(posts_of("全体员工"), Ok(vec![]));
        assert_eq!(posts_of(""), Ok(vec![]));
        assert_eq!(posts_of("临柜人员、管库员"), Ok(vec![Position::Teller, Position::VaultKeeper]));
        assert_eq!(posts_of("teller, guard"), Ok(vec![Position::Teller, Position::Guard]));
        assert!(posts_of("宇航员").is_err());
        assert_eq!(options_of("A. 两人\nB. 三人\n\nC．四人"), vec!["两人", "三人", "四人"]);
        assert_eq!(options_of("两人\n三人"), vec!["两人", "三人"]);
    }
}
