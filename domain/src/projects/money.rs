use std::fmt;

use tenantry_kernel::ValidationError;

/// An ISO 4217 alphabetic code (three upper-case letters).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Currency([u8; 3]);

impl Currency {
    /// # Errors
    /// `ValidationError` on field `budget.currency`: `invalid`.
    pub fn parse(raw: &str) -> Result<Self, ValidationError> {
        match raw.trim().as_bytes() {
            [a, b, c] if [a, b, c].iter().all(|x| x.is_ascii_uppercase()) => Ok(Self([*a, *b, *c])),
            _ => Err(ValidationError::field("budget.currency", "invalid")),
        }
    }

    pub fn as_str(&self) -> &str {
        // Always three ASCII upper-case letters.
        std::str::from_utf8(&self.0).unwrap_or("XXX")
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An amount in minor units (cents) of a currency: integers, never floats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Money {
    pub amount_minor: i64,
    pub currency: Currency,
}

impl Money {
    /// # Errors
    /// `ValidationError` on `budget.amount_minor` (`negative`) and/or `budget.currency`.
    pub fn parse(amount_minor: i64, currency: &str) -> Result<Self, ValidationError> {
        let amount = if amount_minor < 0 {
            Err(ValidationError::field("budget.amount_minor", "negative"))
        } else {
            Ok(amount_minor)
        };
        match (amount, Currency::parse(currency)) {
            (Ok(amount_minor), Ok(currency)) => Ok(Self { amount_minor, currency }),
            (amount, currency) => Err(ValidationError::collect([amount.map(drop), currency.map(drop)])
                .err()
                .unwrap_or_else(|| ValidationError::field("budget", "invalid"))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_is_non_negative_minor_units_of_an_iso_currency() {
        let money = Money::parse(12_500, "EUR").unwrap();
        assert_eq!((money.amount_minor, money.currency.as_str()), (12_500, "EUR"));
        let error = Money::parse(-1, "euro").unwrap_err();
        let fields: Vec<&str> = error.violations.iter().map(|v| v.field.as_str()).collect();
        assert_eq!(fields, ["budget.amount_minor", "budget.currency"]);
        assert!(Currency::parse("eur").is_err());
    }
}
