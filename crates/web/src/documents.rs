//! The printed documents (RPT-1, INSP-4): the data of each, built once and shared by its print page, its PDF and its
//! API route, and the one way a PDF is answered — typeset off the async threads, named by its document number, and a
//! machine without Chinese fonts answering 503 with what to install.
use crate::state::AppState;
use anbao_app::{AppError, Ctx};
use anbao_domain::DomainError;
use anbao_pdf::{Document, PdfError};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// 安全隐患整改通知书: the fields of the page `hazards/notice.html` and of `crates/pdf/templates/hazard_notice.typ`.
#[derive(Serialize)]
pub struct HazardNotice {
    pub id: i64,
    pub issuer: String,
    pub notice_no: String,
    pub unit: String,
    /// The unit's head, or empty.
    pub owner: String,
    pub raised: String,
    pub deadline: String,
    /// 重大 or 一般.
    pub severity: &'static str,
    pub title: String,
    pub article: String,
    /// The case the hazard is tied to, or empty.
    pub case: String,
}

/// 违规处罚通知书: the fields of the page `cases/penalty_notice.html` and of `penalty_notice.typ`. Only a decided
/// penalty has a notice.
#[derive(Serialize)]
pub struct PenaltyNotice {
    pub id: i64,
    /// The county union over the unit (`incident::issuer_of`).
    pub issuer: String,
    /// 违规处罚〔年〕第N号: the year of the decision and the violation's number.
    pub number: String,
    pub unit: String,
    /// The person penalised, or empty for the unit.
    pub who: String,
    pub facts: String,
    pub title: String,
    pub article: String,
    /// What was decided, in the notice's words (a fine, a sanction, joint liability, or no penalty, and why).
    pub decision: String,
    pub date: String,
}

pub async fn penalty_notice(s: &AppState, ctx: &Ctx, id: i64) -> Result<PenaltyNotice, AppError> {
    let (v, rules, _) = anbao_app::incident::violation(&s.db, ctx, id).await?;
    let Some(decided_at) = v.decided_at else {
        return Err(anbao_app::error::conflict(
            "status",
            "处罚尚未决定，不能出具处罚通知书",
            "the penalty is not decided yet",
        ));
    };
    let day = anbao_domain::period::day_of_ms(decided_at);
    let (year, _, _) = anbao_domain::period::ymd(day);
    let sanction = v
        .decided_sanction
        .as_deref()
        .map(|code| rules.sanction.iter().find(|x| x.code == code).map_or(code.to_owned(), |x| x.label.clone()));
    let mut decision = if v.status == "waived" {
        "经研究，决定不予处罚。".to_owned()
    } else {
        let mut parts = Vec::new();
        if let Some(f) = v.decided_fine_yuan {
            parts.push(format!("处罚款{f}元"));
        }
        if let Some(sn) = &sanction {
            parts.push(format!("给予{sn}处分"));
        }
        let mut d = format!("经研究，决定{}", parts.join("，"));
        if let Some(j) = v.joint_name.as_deref().filter(|j| !j.is_empty()) {
            d.push_str(&format!("；{j}承担连带责任"));
        }
        d.push('。');
        d
    };
    if let Some(reason) = v.decision_reason.as_deref().filter(|r| !r.is_empty()) {
        decision.push_str(&format!("（{reason}）"));
    }
    Ok(PenaltyNotice {
        id: v.id,
        issuer: anbao_app::incident::issuer_of(&s.db, &v.unit_path).await?,
        number: format!("违规处罚〔{year}〕第{:04}号", v.id),
        unit: v.unit_name,
        who: v.staff_name.unwrap_or_default(),
        facts: v.facts,
        title: v.title,
        article: v.article,
        decision,
        date: chinese_date(day),
    })
}

/// 安全目标责任书 / 消防安全责任书 (RESP-1, 篇五 一): the fields of the page `letters/print.html` and of
/// `letter.typ`: the two parties, the year's targets, and how and when it was signed, if it was.
#[derive(Serialize)]
pub struct Letter {
    pub id: i64,
    /// 2026年度安全目标责任书.
    pub title: String,
    /// 甲方: the issuing unit, and its head or 第一责任人空缺.
    pub issuer_unit: String,
    pub issuer: String,
    /// 乙方: the person who signs, and their unit.
    pub signer: String,
    pub unit: String,
    pub targets: Vec<String>,
    pub year: i32,
    pub deadline: String,
    /// "2026年3月2日以确认密码签订", or empty while unsigned (the paper is then signed by hand).
    pub signed: String,
}

pub async fn letter(s: &AppState, ctx: &Ctx, id: i64) -> Result<Letter, AppError> {
    let l = anbao_app::letters::get_letter(&s.db, ctx, id).await?.letter;
    let signed = match (l.status == anbao_domain::letters::LetterStatus::Signed, l.signed_at) {
        (true, Some(at)) => {
            let how = l.method.map(|m| m.label_zh()).unwrap_or_default();
            format!("{}以{how}签订", chinese_date(anbao_domain::period::day_of_ms(at)))
        }
        _ => String::new(),
    };
    Ok(Letter {
        id: l.id,
        title: format!("{}年度{}", l.year, l.kind.label_zh()),
        issuer: l.issuer_name.clone().unwrap_or_else(|| "第一责任人空缺".into()),
        issuer_unit: l.issuer_unit_name,
        signer: l.signer_name,
        unit: l.unit_name,
        targets: l.targets.lines().map(str::trim).filter(|t| !t.is_empty()).map(str::to_owned).collect(),
        year: l.year,
        deadline: chinese_date(l.deadline_day),
        signed,
    })
}

/// A register as a table for the wall or the file (`crates/pdf/templates/register.typ`): the same columns and rows
/// as the page's Excel export.
#[derive(Serialize)]
pub struct Register {
    pub title: String,
    pub unit: String,
    pub period: String,
    pub columns: Vec<&'static str>,
    pub rows: Vec<Vec<String>>,
    pub made_by: String,
    pub date: String,
    pub landscape: bool,
}

impl Register {
    /// A register made now by the reader, of `columns` and `rows`.
    pub fn new(
        ctx: &Ctx,
        title: &str,
        unit: String,
        period: String,
        columns: &[&'static str],
        rows: Vec<Vec<String>>,
    ) -> Self {
        Register {
            title: title.to_owned(),
            unit,
            period,
            columns: columns.to_vec(),
            rows,
            made_by: ctx.actor.display_name.clone(),
            date: chinese_date(anbao_domain::period::day_of_ms(ctx.now)),
            landscape: columns.len() > 5,
        }
    }
}

/// A month `YYYY-MM` in Chinese: 2026年3月.
pub fn chinese_month(month: &str) -> String {
    match month.split_once('-').map(|(y, m)| (y, m.trim_start_matches('0'))) {
        Some((y, m)) if !m.is_empty() => format!("{y}年{m}月"),
        _ => month.to_owned(),
    }
}

/// A date in the Chinese the documents use: 2026年3月2日.
pub fn chinese_date(day: i64) -> String {
    let (y, m, d) = anbao_domain::period::ymd(day);
    format!("{y}年{m}月{d}日")
}

pub async fn hazard_notice(s: &AppState, ctx: &Ctx, id: i64) -> Result<HazardNotice, AppError> {
    let h = anbao_app::inspect::hazard(&s.db, ctx, id).await?;
    let issuer = anbao_app::inspect::issuer_of(&s.db, &h.row).await?;
    let r = h.row;
    Ok(HazardNotice {
        id: r.id,
        issuer,
        notice_no: r.notice_no,
        unit: r.unit_name,
        owner: r.owner_name.unwrap_or_default(),
        raised: chinese_date(anbao_domain::period::day_of_ms(r.raised_at)),
        deadline: chinese_date(r.deadline_day),
        severity: severity_zh(&r.severity),
        title: r.title,
        article: r.article,
        case: r.case_ref.unwrap_or_default(),
    })
}

/// A hazard's severity as the notices and the register say it: 重大 (`major`) or 一般.
pub fn severity_zh(code: &str) -> &'static str {
    if code == "major" { "重大" } else { "一般" }
}

/// Typeset `doc` from `data` and answer it as a download named `name`.pdf.
pub async fn pdf<T: Serialize>(s: &AppState, doc: Document, data: &T, name: &str) -> Result<Response, AppError> {
    let data = serde_json::to_value(data).map_err(|e| AppError::Internal(e.to_string()))?;
    let printer = s.printer.clone();
    let typeset = tokio::task::spawn_blocking(move || printer.render(doc, &data));
    let bytes = typeset.await.map_err(|e| AppError::Internal(e.to_string()))?.map_err(|e| match e {
        PdfError::Fonts(f) => {
            tracing::warn!(error = %f, "no Chinese font for a PDF");
            AppError::Unavailable(DomainError::new(
                "pdf",
                "服务器未安装中文字体，暂时无法生成PDF：请管理员安装 fonts-noto-cjk 或配置 pdf_fonts_dir",
                "no Chinese font on the server: install fonts-noto-cjk or set pdf_fonts_dir",
            ))
        }
        PdfError::Typeset(t) => AppError::Internal(t),
    })?;
    let disposition = format!("attachment; filename=\"document.pdf\"; filename*=UTF-8''{}.pdf", percent(name));
    Ok(([(header::CONTENT_TYPE, "application/pdf".to_owned()), (header::CONTENT_DISPOSITION, disposition)], bytes)
        .into_response())
}

/// RFC 5987 encoding of a file name: the Chinese of a document number survives every browser.
fn percent(name: &str) -> String {
    name.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_file_name_is_percent_encoded_but_for_the_unreserved() {
        assert_eq!(
            super::percent("隐患〔2026〕1号 a-b.c"),
            "%E9%9A%90%E6%82%A3%E3%80%942026%E3%80%951%E5%8F%B7%20a-b.c"
        );
    }
}
