//! The Chinese fonts a PDF is set in, found on the machine: no crate ships a CJK font, so Anbao reads Debian's Noto
//! CJK (`fonts-noto-cjk`, installed by the README's setup) or any directory the configuration names, and says
//! plainly what to install when none is found.
use std::path::{Path, PathBuf};

/// Where fonts are looked for when no directory is configured.
pub const SEARCHED: [&str; 3] = ["/usr/share/fonts", "/usr/local/share/fonts", "/usr/share/fonts/truetype"];

/// The faces a document uses, best first within each role: the serif body (宋体-like, for 仿宋 text), its bold (the
/// red header and the title, 小标宋-like) and a sans bold (headings, 黑体-like). A machine with other CJK fonts
/// (WenQuanYi) still renders: typst falls back to any face that has the glyph.
const WANTED: [&str; 5] =
    ["NotoSerifCJK-Regular.ttc", "NotoSerifCJK-Bold.ttc", "NotoSansCJK-Bold.ttc", "wqy-microhei.ttc", "wqy-zenhei.ttc"];

#[derive(Debug, thiserror::Error)]
pub enum FontError {
    #[error(
        "未找到中文字体，无法生成PDF：请安装 fonts-noto-cjk（apt-get install fonts-noto-cjk）或在配置 pdf_fonts_dir 中指定字体目录 \
         (no Chinese font found in {searched}: install fonts-noto-cjk or set pdf_fonts_dir)"
    )]
    NotFound { searched: String },
    #[error("读取字体文件失败 (cannot read the font {path}): {source}")]
    Read { path: PathBuf, source: std::io::Error },
}

/// The font files read, in [`WANTED`] order.
pub struct Fonts {
    pub files: Vec<(PathBuf, Vec<u8>)>,
}

impl Fonts {
    /// Find the wanted fonts under `dir` (or the [`SEARCHED`] directories), at most four levels deep.
    pub fn discover(dir: Option<&Path>) -> Result<Fonts, FontError> {
        let roots: Vec<PathBuf> = match dir {
            Some(d) => vec![d.to_path_buf()],
            None => SEARCHED.iter().map(PathBuf::from).collect(),
        };
        let mut found: Vec<(usize, PathBuf)> = Vec::new();
        for r in &roots {
            walk(r, 4, &mut found);
        }
        found.sort();
        found.dedup_by(|a, b| a.0 == b.0);
        if found.is_empty() {
            let searched = roots.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(", ");
            return Err(FontError::NotFound { searched });
        }
        let files = found
            .into_iter()
            .map(|(_, path)| match std::fs::read(&path) {
                Ok(bytes) => Ok((path, bytes)),
                Err(source) => Err(FontError::Read { path, source }),
            })
            .collect::<Result<_, _>>()?;
        Ok(Fonts { files })
    }
}

fn walk(dir: &Path, depth: u32, found: &mut Vec<(usize, PathBuf)>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for e in entries.flatten() {
        let path = e.path();
        if path.is_dir() {
            if depth > 0 {
                walk(&path, depth - 1, found);
            }
        } else if let Some(i) =
            path.file_name().and_then(|n| n.to_str()).and_then(|n| WANTED.iter().position(|w| *w == n))
        {
            found.push((i, path));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_directory_says_what_to_install() {
        let dir = std::env::temp_dir().join(format!("anbao-no-fonts-{}", std::process::id()));
        std::fs::create_dir_all(&dir).ok();
        let e = Fonts::discover(Some(&dir)).err().map(|e| e.to_string()).unwrap_or_default();
        assert!(e.contains("fonts-noto-cjk") && e.contains("未找到中文字体"), "{e}");
        std::fs::remove_dir_all(&dir).ok();
    }

    #[test]
    fn fonts_are_found_below_the_directory_in_the_order_wanted() {
        let dir = std::env::temp_dir().join(format!("anbao-fonts-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("a/b")).ok();
        std::fs::write(dir.join("a/b/NotoSansCJK-Bold.ttc"), b"sans").ok();
        std::fs::write(dir.join("a/NotoSerifCJK-Regular.ttc"), b"serif").ok();
        std::fs::write(dir.join("a/Other.ttf"), b"other").ok();
        let f = Fonts::discover(Some(&dir)).map(|f| f.files).unwrap_or_default();
        let names: Vec<Vec<u8>> = f.into_iter().map(|(_, b)| b).collect();
        assert_eq!(names, vec![b"serif".to_vec(), b"sans".to_vec()]);
        std::fs::remove_dir_all(&dir).ok();
    }
}
