use std::fmt;

use crate::ValidationError;

/// A syntactically valid, normalised (trimmed, lower-cased) email address. Shared
/// because identity (accounts) and tenancy (invitations) both address people by it.
///
/// Lower-casing the whole address is a deliberate simplification: no mainstream
/// provider treats the local part case-sensitively, and it makes uniqueness exact.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct EmailAddress(String);

/// RFC 5321 limits the forward path to 254 octets.
const MAX_LEN: usize = 254;
const MAX_LOCAL_LEN: usize = 64;

impl EmailAddress {
    /// # Errors
    /// `ValidationError` on field `email` when the text is not a plausible address.
    pub fn parse(raw: &str) -> Result<Self, ValidationError> {
        let candidate = raw.trim().to_lowercase();
        let invalid = || ValidationError::field("email", "invalid");
        if candidate.is_empty() || candidate.len() > MAX_LEN {
            return Err(invalid());
        }
        let (local, domain) = candidate.split_once('@').ok_or_else(invalid)?;
        let local_ok = !local.is_empty()
            && local.len() <= MAX_LOCAL_LEN
            && !local.starts_with('.')
            && !local.ends_with('.')
            && !local.contains("..")
            && local.chars().all(|c| c.is_ascii_alphanumeric() || "!#$%&'*+-/=?^_`{|}~.".contains(c));
        let labels: Vec<&str> = domain.split('.').collect();
        let domain_ok = labels.len() >= 2
            && labels.iter().all(|label| {
                !label.is_empty()
                    && label.len() <= 63
                    && !label.starts_with('-')
                    && !label.ends_with('-')
                    && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            });
        if local_ok && domain_ok {
            Ok(Self(candidate))
        } else {
            Err(invalid())
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for EmailAddress {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for EmailAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn normalises_case_and_whitespace() {
        let email = EmailAddress::parse("  Alice@Example.COM ").unwrap();
        assert_eq!(email.as_str(), "alice@example.com");
    }

    #[test]
    fn rejects_malformed_addresses() {
        for bad in [
            "",
            "alice",
            "@example.com",
            "alice@",
            "alice@localhost",
            "a..b@example.com",
            "alice@exa mple.com",
            "alice@-x.com",
            "al ice@example.com",
            "'; DROP TABLE users;--@x.com",
        ] {
            assert!(EmailAddress::parse(bad).is_err(), "{bad} should be rejected");
        }
    }

    #[test]
    fn rejects_overlong_addresses() {
        let long = format!("{}@example.com", "a".repeat(65));
        assert!(EmailAddress::parse(&long).is_err());
    }

    proptest! {
        #[test]
        fn parsing_never_panics_and_valid_results_reparse(raw in ".{0,300}") {
            if let Ok(email) = EmailAddress::parse(&raw) {
                prop_assert_eq!(EmailAddress::parse(email.as_str()).unwrap(), email);
            }
        }

        #[test]
        fn simple_addresses_are_accepted(local in "[a-z0-9]{1,20}", domain in "[a-z0-9]{1,20}", tld in "[a-z]{2,6}") {
            let raw = format!("{local}@{domain}.{tld}");
            prop_assert!(EmailAddress::parse(&raw).is_ok());
        }
    }
}
