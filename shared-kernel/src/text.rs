//! Human-entered single-line text (names of people, organizations, keys): one rule
//! for all of them, so they trim and refuse input the same way.

use crate::ValidationError;

/// Unicode's bidirectional formatting characters: they reorder how the text around
/// them is shown, so `invoice\u{202E}txt.exe` reads as `invoiceexe.txt`. Names that
/// identify something never need them.
pub fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Characters that take no space (zero-width space and joiners, word joiner,
/// invisible operators, byte order mark, soft hyphen, grapheme joiner, Mongolian
/// vowel separator, tag characters): two names that differ only by them look the same.
pub fn is_zero_width(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}'
            | '\u{034F}'
            | '\u{180E}'
            | '\u{200B}'..='\u{200D}'
            | '\u{2060}'..='\u{2064}'
            | '\u{FEFF}'
            | '\u{E0000}'..='\u{E007F}'
    )
}

/// Trims `raw` and checks it is 1..=`max_chars` characters without control or
/// bidirectional formatting characters.
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
    if trimmed.chars().any(|c| c.is_control() || is_bidi_control(c)) {
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

/// Checks a client's JSON document before it is stored: nested at most `max_depth`
/// containers deep, and no NUL in any key or string (PostgreSQL's `jsonb` refuses
/// `\u0000`; SQLite would keep it: both backends must answer the same 400). Walks the
/// document with an explicit stack, so no input can exhaust the call stack.
///
/// # Errors
/// `ValidationError` on `field`: `too_deep` or `invalid_characters`.
pub fn json_document(document: &serde_json::Value, field: &str, max_depth: usize) -> Result<(), ValidationError> {
    use serde_json::Value;
    let nul = |text: &str| text.contains('\0');
    let mut pending: Vec<(&Value, usize)> = vec![(document, 0)];
    while let Some((value, depth)) = pending.pop() {
        let children = match value {
            Value::String(text) if nul(text) => return Err(ValidationError::field(field, "invalid_characters")),
            Value::Object(map) => {
                if map.keys().any(|key| nul(key)) {
                    return Err(ValidationError::field(field, "invalid_characters"));
                }
                Some(map.values().collect::<Vec<_>>())
            }
            Value::Array(items) => Some(items.iter().collect()),
            _ => None,
        };
        if let Some(children) = children {
            if depth + 1 > max_depth {
                return Err(ValidationError::field(field, "too_deep"));
            }
            pending.extend(children.into_iter().map(|child| (child, depth + 1)));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_documents_refuse_nul_anywhere_and_excess_depth() {
        use serde_json::json;
        assert!(json_document(&json!({"theme": "dark\nmode", "list": [1, {"a": null}]}), "p", 3).is_ok());
        let issue = |value: serde_json::Value| json_document(&value, "p", 3).unwrap_err().violations[0].issue.clone();
        assert_eq!(issue(json!({"a\u{0}": 1})), "invalid_characters");
        assert_eq!(issue(json!({"a": ["x\u{0}y"]})), "invalid_characters");
        assert_eq!(issue(json!({"a": {"b": {"c": {}}}})), "too_deep");
        let mut deep = json!(1);
        for _ in 0..100_000 {
            deep = serde_json::Value::Array(vec![deep]);
        }
        assert_eq!(json_document(&deep, "p", 3).unwrap_err().violations[0].issue, "too_deep");
        // Dropping a deeply nested Value recurses inside serde_json: leak it in the test.
        std::mem::forget(deep);
    }

    #[test]
    fn trims_and_refuses_empty_long_and_control_text() {
        assert_eq!(single_line("  Acme  ", "name", 10).unwrap(), "Acme");
        let issue = |raw: &str| single_line(raw, "name", 4).unwrap_err().violations[0].issue.clone();
        assert_eq!(issue("   "), "required");
        assert_eq!(issue("abcde"), "too_long");
        assert_eq!(issue("a\u{0}b"), "invalid_characters");
        assert_eq!(issue("a\u{202E}b"), "invalid_characters");
        assert_eq!(single_line("ab\u{1F600}d", "name", 4).unwrap(), "ab\u{1F600}d", "counts characters, not bytes");
        // Joiners shape scripts and emoji: they stay in names of people.
        assert_eq!(single_line("a\u{200C}b", "name", 4).unwrap(), "a\u{200C}b");
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
