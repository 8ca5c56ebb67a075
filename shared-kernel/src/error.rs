//! Validation error primitives shared by value objects and request decoding, shaped
//! like the `details` array of the API error body.

use serde::Serialize;

/// One field that failed validation and why, in stable machine words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldViolation {
    pub field: String,
    pub issue: String,
}

impl FieldViolation {
    pub fn new(field: impl Into<String>, issue: impl Into<String>) -> Self {
        Self { field: field.into(), issue: issue.into() }
    }
}

/// Input that cannot become a valid value; carries every violation found.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("validation failed: {}", summary(.violations))]
pub struct ValidationError {
    pub violations: Vec<FieldViolation>,
}

fn summary(violations: &[FieldViolation]) -> String {
    violations.iter().map(|v| format!("{} is {}", v.field, v.issue)).collect::<Vec<_>>().join(", ")
}

impl ValidationError {
    pub fn field(field: impl Into<String>, issue: impl Into<String>) -> Self {
        Self { violations: vec![FieldViolation::new(field, issue)] }
    }

    /// The same violations reported on another field (a policy checked on
    /// `password` while the request calls it `new_password`).
    pub fn on_field(mut self, field: &str) -> Self {
        for violation in &mut self.violations {
            violation.field = field.to_owned();
        }
        self
    }

    /// Collects the violations of several independent checks into one error.
    pub fn collect(results: impl IntoIterator<Item = Result<(), ValidationError>>) -> Result<(), ValidationError> {
        let violations: Vec<FieldViolation> =
            results.into_iter().filter_map(Result::err).flat_map(|e| e.violations).collect();
        if violations.is_empty() {
            Ok(())
        } else {
            Err(Self { violations })
        }
    }
}
