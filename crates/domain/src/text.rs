//! Bounded text fields: trimmed, non-empty where required, limited in characters (not bytes).
use crate::DomainError;

/// Trim `raw` and check its length in characters. `label` is the Chinese field name used in the message.
pub fn bounded(
    field: &'static str,
    label: &str,
    label_en: &str,
    raw: &str,
    max_chars: usize,
) -> Result<String, DomainError> {
    let value = raw.trim();
    if value.is_empty() {
        return Err(DomainError::new(field, format!("{label}不能为空"), format!("{label_en} is required")));
    }
    if value.chars().count() > max_chars {
        return Err(DomainError::new(
            field,
            format!("{label}不能超过{max_chars}个字"),
            format!("{label_en} must be at most {max_chars} characters"),
        ));
    }
    if value.chars().any(|c| c.is_control()) {
        return Err(DomainError::new(
            field,
            format!("{label}含有不可见的控制字符"),
            format!("{label_en} contains control characters"),
        ));
    }
    Ok(value.to_owned())
}

/// Like [`bounded`] but an empty input means "none".
pub fn optional(
    field: &'static str,
    label: &str,
    label_en: &str,
    raw: Option<&str>,
    max_chars: usize,
) -> Result<Option<String>, DomainError> {
    match raw.map(str::trim) {
        None | Some("") => Ok(None),
        Some(v) => bounded(field, label, label_en, v, max_chars).map(Some),
    }
}

/// Like [`bounded`], for a text area: line breaks and tabs are kept (a browser's `\r\n` becomes `\n`); other control
/// characters are still refused.
pub fn paragraphs(
    field: &'static str,
    label: &str,
    label_en: &str,
    raw: &str,
    max_chars: usize,
) -> Result<String, DomainError> {
    let text = raw.replace("\r\n", "\n");
    let flat: String = text.chars().map(|c| if c == '\n' || c == '\t' { ' ' } else { c }).collect();
    bounded(field, label, label_en, &flat, max_chars)?;
    Ok(text.trim().to_owned())
}

/// [`paragraphs`] where an empty input means "none".
pub fn optional_paragraphs(
    field: &'static str,
    label: &str,
    label_en: &str,
    raw: &str,
    max_chars: usize,
) -> Result<Option<String>, DomainError> {
    if raw.trim().is_empty() {
        return Ok(None);
    }
    paragraphs(field, label, label_en, raw, max_chars).map(Some)
}

/// At most `max` characters of `raw`, for values kept only as context (a client address), never refused.
pub fn clip(raw: &str, max: usize) -> String {
    raw.chars().take(max).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_trimmed_and_counted_in_characters() {
        assert_eq!(bounded("n", "名称", "Name", "  城关网点 ", 4).as_deref(), Ok("城关网点"));
        assert!(bounded("n", "名称", "Name", "城关网点甲", 4).is_err());
    }

    #[test]
    fn blank_text_is_refused_but_blank_optional_is_none() {
        assert!(bounded("n", "名称", "Name", "   ", 10).is_err());
        assert_eq!(optional("n", "名称", "Name", Some("  "), 10), Ok(None));
    }

    #[test]
    fn a_text_area_keeps_its_lines_and_refuses_other_controls() {
        assert_eq!(paragraphs("n", "案情", "Text", " 第一行\r\n第二行\t完 ", 20).as_deref(), Ok("第一行\n第二行\t完"));
        assert!(paragraphs("n", "案情", "Text", "a\u{0}b", 20).is_err());
        assert!(paragraphs("n", "案情", "Text", "一二\r\n三", 4).is_ok(), "a line break counts as one character");
        assert!(paragraphs("n", "案情", "Text", "一二\n三四", 4).is_err());
        assert!(paragraphs("n", "案情", "Text", "\r\n ", 4).is_err());
        assert_eq!(optional_paragraphs("n", "案情", "Text", " \n ", 4), Ok(None));
        assert_eq!(optional_paragraphs("n", "案情", "Text", "甲\n乙", 4), Ok(Some("甲\n乙".to_owned())));
    }

    #[test]
    fn control_characters_are_refused() {
        assert!(bounded("n", "名称", "Name", "a\u{0}b", 10).is_err());
    }
}
