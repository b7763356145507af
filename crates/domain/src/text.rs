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
    fn control_characters_are_refused() {
        assert!(bounded("n", "名称", "Name", "a\u{0}b", 10).is_err());
    }
}
