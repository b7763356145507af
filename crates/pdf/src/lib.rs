//! Official documents as PDF (RPT-1, INSP-4, RESP-1, FAC-2): typst compiled as a library inside the binary
//! (`docs/decisions/0004-pdf-typst.md`), set in the machine's Chinese fonts (`fonts.rs`), one template per document
//! over the shared official layout (`templates/official.typ`: 红头 with the issuing unit, 〔年份〕第N号, title,
//! body, seal position, date in Chinese, A4). A document's data arrives as JSON — the same data as its page — and
//! reaches the template as `sys.inputs.data`, so text from the database is set as text, never read as markup.
mod fonts;

pub use fonts::{FontError, Fonts};
use typst::foundations::{Dict, IntoValue};
use typst_as_lib::{TypstEngine, TypstTemplateCollection};
use typst_layout::PagedDocument;

const OFFICIAL: &str = include_str!("../templates/official.typ");

/// Every document Anbao prints, each with its template.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Document {
    /// 安全隐患整改通知书 (INSP-4).
    HazardNotice,
    /// 违规处罚通知书 (a decided penalty).
    PenaltyNotice,
    /// 安全目标责任书 / 消防安全责任书 (RESP-1).
    Letter,
    /// A register as a table (the duty roster, the custody table for the wall): `title`, `unit`, `period`,
    /// `columns`, `rows` (each a list of texts), `made_by`, `date`, `landscape`.
    Register,
}

impl Document {
    pub const ALL: [Document; 4] =
        [Document::HazardNotice, Document::PenaltyNotice, Document::Letter, Document::Register];

    fn file(self) -> &'static str {
        match self {
            Document::HazardNotice => "hazard_notice.typ",
            Document::PenaltyNotice => "penalty_notice.typ",
            Document::Letter => "letter.typ",
            Document::Register => "register.typ",
        }
    }

    fn source(self) -> &'static str {
        match self {
            Document::HazardNotice => include_str!("../templates/hazard_notice.typ"),
            Document::PenaltyNotice => include_str!("../templates/penalty_notice.typ"),
            Document::Letter => include_str!("../templates/letter.typ"),
            Document::Register => include_str!("../templates/register.typ"),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    #[error(transparent)]
    Fonts(#[from] FontError),
    /// A template that does not compile with the data given: a defect, logged with typst's words.
    #[error("PDF排版失败 (typesetting failed): {0}")]
    Typeset(String),
}

/// The compiled templates and the fonts, made once and shared: compiling a document is then pure work.
pub struct Renderer {
    engine: TypstEngine<TypstTemplateCollection>,
}

impl Renderer {
    pub fn new(fonts: Fonts) -> Renderer {
        let mut sources: Vec<(&'static str, &'static str)> = vec![("official.typ", OFFICIAL)];
        sources.extend(Document::ALL.iter().map(|d| (d.file(), d.source())));
        let engine = TypstEngine::builder()
            .fonts(fonts.files.into_iter().map(|(_, bytes)| bytes))
            .with_static_source_file_resolver(sources)
            .build();
        Renderer { engine }
    }

    /// Typeset `doc` with `data` (the template's fields) into PDF bytes.
    pub fn render(&self, doc: Document, data: &serde_json::Value) -> Result<Vec<u8>, PdfError> {
        let mut inputs = Dict::new();
        inputs.insert("data".into(), data.to_string().into_value());
        let paged: PagedDocument =
            self.engine.compile_with_input(doc.file(), inputs).output.map_err(|e| PdfError::Typeset(e.to_string()))?;
        typst_pdf::pdf(&paged, &typst_pdf::PdfOptions::default())
            .map_err(|e| PdfError::Typeset(e.iter().map(|d| d.message.to_string()).collect::<Vec<_>>().join("; ")))
    }
}

/// What the server holds: the fonts directory configured, and the renderer made on the first document (reading the
/// fonts then, so an instance that prints nothing holds none). A machine without fonts is asked again on each
/// document, so installing them needs no restart.
pub struct Printer {
    fonts_dir: Option<std::path::PathBuf>,
    renderer: std::sync::OnceLock<Renderer>,
}

impl Printer {
    pub fn new(fonts_dir: Option<std::path::PathBuf>) -> Printer {
        Printer { fonts_dir, renderer: std::sync::OnceLock::new() }
    }

    /// Typeset a document; blocking work (call it off the async threads).
    pub fn render(&self, doc: Document, data: &serde_json::Value) -> Result<Vec<u8>, PdfError> {
        let renderer = match self.renderer.get() {
            Some(r) => r,
            None => {
                let fonts = Fonts::discover(self.fonts_dir.as_deref())?;
                self.renderer.get_or_init(|| Renderer::new(fonts))
            }
        };
        renderer.render(doc, data)
    }
}
