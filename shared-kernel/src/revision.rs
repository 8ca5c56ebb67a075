//! The optimistic-concurrency version of an aggregate (its `ETag`).

/// A version that steps once per save, however many changes the save carries: the
/// repository then writes `WHERE version = value() - 1`, and a concurrent writer
/// who read the same version finds no row to update.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Revision {
    value: i64,
    stepped: bool,
}

impl Revision {
    /// The version of a new aggregate.
    pub fn first() -> Self {
        Self { value: 1, stepped: false }
    }

    /// The version an aggregate was loaded at.
    pub fn loaded(value: i64) -> Self {
        Self { value, stepped: false }
    }

    /// Marks a change: the first one since loading steps the version.
    pub fn step(&mut self) {
        if !self.stepped {
            self.value += 1;
            self.stepped = true;
        }
    }

    /// Whether a client's copy (`If-Match`) is this version; `None` matches anything.
    pub fn matches(&self, expected: Option<i64>) -> bool {
        expected.is_none_or(|version| version == self.value)
    }

    pub fn value(&self) -> i64 {
        self.value
    }
}

impl Default for Revision {
    fn default() -> Self {
        Self::first()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_once_per_save_and_matches_only_its_own_value() {
        let mut revision = Revision::loaded(7);
        assert!(revision.matches(Some(7)) && revision.matches(None) && !revision.matches(Some(6)));
        revision.step();
        revision.step();
        assert_eq!(revision.value(), 8);
        assert_eq!(Revision::first().value(), 1);
    }
}
