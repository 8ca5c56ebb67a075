//! Human-entered single-line text (names of people, organizations, keys): one rule
//! for all of them, so they trim and refuse input the same way.

use crate::ValidationError;

/// Trims `raw` and checks it is 1..=`max_chars` characters without control characters.
///
/// # Errors
/// `ValidationError` on `field`: `required`, `too_long` or `invalid_characters`.
pub fn single_line(raw: &str, field: &str, max_chars: usize) -> Result<String, ValidationError> {
    let trimmed = raw.trim();
    if trimmed.is_empty() {
        return Err(ValidationError::field(field, "required"));
    }
    if trimmed.chars().count() > max_chars {
        return Err(ValidationError::field(field, "too_long"));
    }
    if trimmed.chars().any(char::is_control) {
        return Err(ValidationError::field(field, "invalid_characters"));
    }
    Ok(trimmed.to_owned())
}

/// Checks multi-line free text (descriptions, notes, comments): at most `max_chars`
/// characters, and no control characters but line breaks and tabs — a NUL would be
/// refused by PostgreSQL anyway, and nothing else invisible belongs in prose.
///
/// # Errors
/// `ValidationError` on `field`: `too_long` or `invalid_characters`.
pub fn free_text(text: &str, field: &str, max_chars: usize) -> Result<(), ValidationError> {
    if text.chars().count() > max_chars {
        return Err(ValidationError::field(field, "too_long"));
    }
    if text.chars().any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t')) {
        return Err(ValidationError::field(field, "invalid_characters"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trims_and_refuses_empty_long_and_control_text() {
        assert_eq!(single_line("  Acme  ", "name", 10).unwrap(), "Acme");
        let issue = |raw: &str| single_line(raw, "name", 4).unwrap_err().violations[0].issue.clone();
        assert_eq!(issue("   "), "required");
        assert_eq!(issue("abcde"), "too_long");
        assert_eq!(issue("a\u{0}b"), "invalid_characters");
        assert_eq!(single_line("ab\u{1F600}d", "name", 4).unwrap(), "ab\u{1F600}d", "counts characters, not bytes");
    }

    #[test]
    fn free_text_keeps_line_breaks_and_refuses_other_control_characters() {
        assert!(free_text("line one\nline two\r\n\tindented", "body", 100).is_ok());
        let issue = |raw: &str| free_text(raw, "body", 4).unwrap_err().violations[0].issue.clone();
        assert_eq!(issue("a\u{0}b"), "invalid_characters");
        assert_eq!(issue("\u{1b}[2"), "invalid_characters");
        assert_eq!(issue("abcde"), "too_long");
    }
}
