//! Dotted paths into JSON bodies, as features write them: `email`,
//! `details.0.field`, `paths` (the empty path is the whole body).

use serde_json::Value;

/// The value at `path`, where each segment is an object key or an array index.
pub fn lookup<'a>(root: &'a Value, path: &str) -> Option<&'a Value> {
    if path.is_empty() {
        return Some(root);
    }
    path.split('.').try_fold(root, |value, segment| match value {
        Value::Object(map) => map.get(segment),
        Value::Array(items) => segment.parse::<usize>().ok().and_then(|i| items.get(i)),
        _ => None,
    })
}

/// Whether an object anywhere in `value` has the key `name`.
pub fn has_key_anywhere(value: &Value, name: &str) -> bool {
    match value {
        Value::Object(map) => map.iter().any(|(key, inner)| key == name || has_key_anywhere(inner, name)),
        Value::Array(items) => items.iter().any(|item| has_key_anywhere(item, name)),
        _ => false,
    }
}

/// A value as feature text: strings without their quotes, anything else as JSON.
pub fn as_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn follows_keys_and_indices() {
        let body = json!({"details": [{"field": "email", "issue": "invalid"}]});
        assert_eq!(lookup(&body, "details.0.field"), Some(&json!("email")));
        assert_eq!(lookup(&body, "details.1.field"), None);
        assert_eq!(lookup(&body, ""), Some(&body));
        assert_eq!(lookup(&body, "details.x"), None);
    }

    #[test]
    fn finds_nested_keys() {
        let body = json!({"user": {"credentials": [{"password_hash": "x"}]}});
        assert!(has_key_anywhere(&body, "password_hash"));
        assert!(!has_key_anywhere(&body, "password"));
    }

    #[test]
    fn renders_strings_bare() {
        assert_eq!(as_text(&json!("abc")), "abc");
        assert_eq!(as_text(&json!(900)), "900");
    }
}
