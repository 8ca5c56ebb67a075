use std::collections::HashSet;
use std::fmt;
use std::sync::OnceLock;

use tenantry_kernel::ValidationError;

/// A plaintext password that satisfies the policy (OWASP ASVS 2.1: 12..=128
/// characters, not a known-common password). Its `Debug` never prints the secret.
#[derive(Clone, PartialEq, Eq)]
pub struct Password(String);

const MIN_CHARS: usize = 12;
const MAX_CHARS: usize = 128;

/// Shipped with the crate: the most common leaked passwords that are long enough to
/// pass the length rule (shorter ones are already refused by it).
const COMMON_PASSWORDS: &str = include_str!("common_passwords.txt");

fn common_passwords() -> &'static HashSet<&'static str> {
    static SET: OnceLock<HashSet<&'static str>> = OnceLock::new();
    SET.get_or_init(|| {
        COMMON_PASSWORDS.lines().map(str::trim).filter(|line| !line.is_empty() && !line.starts_with('#')).collect()
    })
}

impl Password {
    /// Applies the password policy to a new password.
    ///
    /// # Errors
    /// `ValidationError` on field `password`: `too_short`, `too_long` or `too_common`.
    pub fn parse(raw: &str) -> Result<Self, ValidationError> {
        let chars = raw.chars().count();
        if chars < MIN_CHARS {
            return Err(ValidationError::field("password", "too_short"));
        }
        if chars > MAX_CHARS {
            return Err(ValidationError::field("password", "too_long"));
        }
        if common_passwords().contains(raw.to_lowercase().as_str()) {
            return Err(ValidationError::field("password", "too_common"));
        }
        Ok(Self(raw.to_owned()))
    }

    /// Whether the password is the account's own address (ASVS 2.1.x: no password
    /// a guesser can read off the login form), ignoring case and surrounding spaces.
    pub fn is_address_of(&self, email: &tenantry_kernel::EmailAddress) -> bool {
        self.0.trim().eq_ignore_ascii_case(email.as_str())
    }

    /// Applies the policy to a new password of the account with `email`.
    ///
    /// # Errors
    /// As [`Password::parse`], and `same_as_email` for the account's own address.
    pub fn parse_for(raw: &str, email: &tenantry_kernel::EmailAddress) -> Result<Self, ValidationError> {
        let password = Self::parse(raw)?;
        if password.is_address_of(email) {
            return Err(ValidationError::field("password", "same_as_email"));
        }
        Ok(password)
    }

    /// A password offered at login: not re-checked against the policy (the policy
    /// may have tightened since it was set) but still bounded so it cannot be used
    /// to make the hasher burn CPU on megabytes of input.
    ///
    /// # Errors
    /// `ValidationError` on field `password` when empty or longer than the maximum.
    pub fn candidate(raw: &str) -> Result<Self, ValidationError> {
        if raw.is_empty() {
            return Err(ValidationError::field("password", "required"));
        }
        if raw.chars().count() > MAX_CHARS {
            return Err(ValidationError::field("password", "too_long"));
        }
        Ok(Self(raw.to_owned()))
    }

    /// The secret, for the hasher only.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(***)")
    }
}

/// A PHC-format password hash (`$argon2id$...`); opaque to the domain.
#[derive(Clone, PartialEq, Eq)]
pub struct PasswordHash(String);

impl PasswordHash {
    pub fn from_phc(phc: String) -> Self {
        Self(phc)
    }

    pub fn as_phc(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for PasswordHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PasswordHash(***)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_a_long_uncommon_password() {
        assert!(Password::parse("correct horse battery staple").is_ok());
    }

    #[test]
    fn enforces_length_bounds_in_characters() {
        assert_eq!(Password::parse("short-pass1").unwrap_err().violations[0].issue, "too_short");
        assert!(Password::parse("ééééééééééé1").is_ok(), "12 multi-byte characters are enough");
        assert_eq!(Password::parse(&"x".repeat(129)).unwrap_err().violations[0].issue, "too_long");
    }

    #[test]
    fn rejects_common_passwords_case_insensitively() {
        assert_eq!(Password::parse("Password1234").unwrap_err().violations[0].issue, "too_common");
        assert_eq!(Password::parse("qwertyuiop123").unwrap_err().violations[0].issue, "too_common");
        let email = tenantry_kernel::EmailAddress::parse("alice.liddell@example.com").unwrap();
        let same = Password::parse_for(" Alice.Liddell@Example.com ", &email).unwrap_err();
        assert_eq!(same.violations[0].issue, "same_as_email");
        assert!(Password::parse_for("correct horse battery staple", &email).is_ok());
    }

    #[test]
    fn the_shipped_list_is_loaded() {
        assert!(common_passwords().len() >= 100);
    }

    #[test]
    fn debug_never_shows_the_secret() {
        let password = Password::parse("correct horse battery staple").unwrap();
        assert_eq!(format!("{password:?}"), "Password(***)");
    }
}
