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

/// A date in the Chinese the documents use: 2026年3月2日.
fn chinese_date(day: i64) -> String {
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
        severity: if r.severity == "major" { "重大" } else { "一般" },
        title: r.title,
        article: r.article,
        case: r.case_ref.unwrap_or_default(),
    })
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
