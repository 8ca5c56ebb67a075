use serde_json::{Map, Value};
use tenantry_kernel::ValidationError;

/// The largest preferences document accepted, serialised (a settings blob, not storage).
pub const MAX_PREFERENCES_BYTES: usize = 16 * 1024;
/// Nesting deeper than this is refused: no client needs it, and parsers pay for it.
pub const MAX_PREFERENCES_DEPTH: usize = 8;

/// A user's free-form settings (theme, language, notification choices...): a JSON
/// object of bounded size and depth, owned by the client.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Preferences(Map<String, Value>);

impl Preferences {
    /// # Errors
    /// `ValidationError` on field `preferences`: `not_an_object`, `too_large`, `too_deep`.
    pub fn parse(value: Value) -> Result<Self, ValidationError> {
        match value {
            Value::Object(map) => Self::checked(map),
            _ => Err(ValidationError::field("preferences", "not_an_object")),
        }
    }

    fn checked(map: Map<String, Value>) -> Result<Self, ValidationError> {
        let value = Value::Object(map);
        tenantry_kernel::text::json_document(&value, "preferences", MAX_PREFERENCES_DEPTH)?;
        if value.to_string().len() > MAX_PREFERENCES_BYTES {
            return Err(ValidationError::field("preferences", "too_large"));
        }
        match value {
            Value::Object(map) => Ok(Self(map)),
            _ => Err(ValidationError::field("preferences", "not_an_object")),
        }
    }

    /// Applies a JSON merge patch (RFC 7396): members set to `null` are removed,
    /// objects merge recursively, anything else replaces. The result is checked again.
    ///
    /// # Errors
    /// As [`Preferences::parse`], for the patch or for the merged document.
    pub fn merged(&self, patch: Value) -> Result<Self, ValidationError> {
        let Value::Object(patch) = patch else {
            return Err(ValidationError::field("preferences", "not_an_object"));
        };
        let mut merged = Value::Object(self.0.clone());
        merge_patch(&mut merged, Value::Object(patch));
        match merged {
            Value::Object(map) => Self::checked(map),
            _ => Err(ValidationError::field("preferences", "not_an_object")),
        }
    }

    pub fn as_value(&self) -> Value {
        Value::Object(self.0.clone())
    }
}

fn merge_patch(target: &mut Value, patch: Value) {
    match patch {
        Value::Object(patch) => {
            if !target.is_object() {
                *target = Value::Object(Map::new());
            }
            if let Value::Object(target) = target {
                for (key, value) in patch {
                    if value.is_null() {
                        target.remove(&key);
                    } else {
                        merge_patch(target.entry(key).or_insert(Value::Null), value);
                    }
                }
            }
        }
        other => *target = other,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn a_merge_patch_sets_merges_and_removes() {
        let current = Preferences::parse(json!({"theme": "dark", "mail": {"digest": "daily", "news": true}})).unwrap();
        let merged = current.merged(json!({"theme": null, "mail": {"news": false}, "lang": "de"})).unwrap();
        assert_eq!(merged.as_value(), json!({"mail": {"digest": "daily", "news": false}, "lang": "de"}));
    }

    #[test]
    fn only_bounded_objects_are_preferences() {
        assert!(Preferences::parse(json!(["dark"])).is_err());
        assert!(Preferences::parse(json!({"blob": "x".repeat(MAX_PREFERENCES_BYTES)})).is_err());
        let mut deep = json!("leaf");
        for _ in 0..MAX_PREFERENCES_DEPTH + 1 {
            deep = json!({ "k": deep });
        }
        assert_eq!(Preferences::parse(deep).unwrap_err().violations[0].issue, "too_deep");
        let nul = Preferences::parse(json!({"theme": "da\u{0}rk"})).unwrap_err();
        assert_eq!(nul.violations[0].issue, "invalid_characters");
        assert!(Preferences::default().merged(json!({"k\u{0}": 1})).is_err());
        let small = Preferences::default();
        assert!(small.merged(json!({"blob": "x".repeat(MAX_PREFERENCES_BYTES)})).is_err());
    }
}
