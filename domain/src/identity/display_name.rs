use std::fmt;

use tenantry_kernel::ValidationError;

/// The name shown to other users: 1..=100 characters after trimming, no control characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DisplayName(String);

const MAX_CHARS: usize = 100;

impl DisplayName {
    /// # Errors
    /// `ValidationError` on field `display_name` (`required`, `too_long`, `invalid_characters`).
    pub fn parse(raw: &str) -> Result<Self, ValidationError> {
        tenantry_kernel::text::single_line(raw, "display_name", MAX_CHARS).map(Self)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for DisplayName {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for DisplayName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn trims_and_keeps_unicode() {
        assert_eq!(DisplayName::parse("  Zoë Ångström ").unwrap().as_str(), "Zoë Ångström");
    }

    #[test]
    fn rejects_blank_long_and_control_characters() {
        assert_eq!(DisplayName::parse("   ").unwrap_err().violations[0].issue, "required");
        assert_eq!(DisplayName::parse(&"x".repeat(101)).unwrap_err().violations[0].issue, "too_long");
        assert_eq!(DisplayName::parse("bad\u{0}name").unwrap_err().violations[0].issue, "invalid_characters");
    }

    proptest! {
        #[test]
        fn accepted_names_are_never_blank_or_too_long(raw in "\\PC{0,120}") {
            if let Ok(name) = DisplayName::parse(&raw) {
                prop_assert!(!name.as_str().is_empty());
                prop_assert!(name.as_str().chars().count() <= 100);
            }
        }
    }
}
