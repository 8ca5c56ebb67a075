//! The invoicing domain: an invoice and the event its issue records. Pure: no I/O.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use tenantry_kernel::{DomainEvent, TenantId, UserId, ValidationError};
use uuid::Uuid;

/// Largest amount one invoice may carry: ten billion in the currency's major unit.
pub const MAX_AMOUNT_CENTS: i64 = 1_000_000_000_000;

/// An issued invoice of one organization. Numbers are unique per organization.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invoice {
    pub id: Uuid,
    pub tenant_id: TenantId,
    pub number: String,
    pub customer: String,
    pub amount_cents: i64,
    pub currency: String,
    pub issued_by: UserId,
    pub issued_at: DateTime<Utc>,
}

impl Invoice {
    /// Checks every field at once, so the client learns of all its mistakes together.
    ///
    /// # Errors
    /// `number` (1–32 of `A-Z a-z 0-9 - _ /`), `customer` (1–200 characters, no
    /// control characters), `amount_cents` (1 to [`MAX_AMOUNT_CENTS`]), `currency`
    /// (three capital letters, ISO 4217).
    pub fn issue(
        tenant_id: TenantId,
        number: &str,
        customer: &str,
        amount_cents: i64,
        currency: &str,
        issued_by: UserId,
        now: DateTime<Utc>,
    ) -> Result<Self, ValidationError> {
        let customer = customer.trim();
        let number_ok = (1..=32).contains(&number.len())
            && number.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'/'));
        let customer_ok = (1..=200).contains(&customer.chars().count()) && !customer.chars().any(char::is_control);
        ValidationError::collect([
            check(number_ok, "number", "invalid_format"),
            check(customer_ok, "customer", "invalid_length"),
            check((1..=MAX_AMOUNT_CENTS).contains(&amount_cents), "amount_cents", "out_of_range"),
            check(
                currency.len() == 3 && currency.bytes().all(|b| b.is_ascii_uppercase()),
                "currency",
                "invalid_format",
            ),
        ])?;
        Ok(Self {
            id: Uuid::now_v7(),
            tenant_id,
            number: number.to_owned(),
            customer: customer.to_owned(),
            amount_cents,
            currency: currency.to_owned(),
            issued_by,
            issued_at: now,
        })
    }

    pub fn issued(&self) -> InvoiceIssued {
        InvoiceIssued {
            tenant_id: self.tenant_id,
            invoice_id: self.id,
            number: self.number.clone(),
            amount_cents: self.amount_cents,
            currency: self.currency.clone(),
        }
    }
}

fn check(ok: bool, field: &str, issue: &str) -> Result<(), ValidationError> {
    if ok {
        Ok(())
    } else {
        Err(ValidationError::field(field, issue))
    }
}

/// An invoice was issued: the context's published event (`invoicing.invoice_issued`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvoiceIssued {
    pub tenant_id: TenantId,
    pub invoice_id: Uuid,
    pub number: String,
    pub amount_cents: i64,
    pub currency: String,
}

impl InvoiceIssued {
    pub const TYPE: &'static str = "invoicing.invoice_issued";
}

impl DomainEvent for InvoiceIssued {
    fn event_type(&self) -> &'static str {
        Self::TYPE
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_bad_field_is_reported_at_once() {
        let error = Invoice::issue(TenantId::new(), "no spaces", " ", 0, "eur", UserId::new(), Utc::now()).unwrap_err();
        let fields: Vec<&str> = error.violations.iter().map(|v| v.field.as_str()).collect();
        assert_eq!(fields, ["number", "customer", "amount_cents", "currency"]);
    }

    #[test]
    fn a_valid_invoice_keeps_its_fields_and_announces_itself() {
        let tenant = TenantId::new();
        let invoice = Invoice::issue(tenant, "INV-2027/001", "  Acme  ", 12_500, "EUR", UserId::new(), Utc::now())
            .expect("valid");
        assert_eq!(invoice.customer, "Acme");
        let event = invoice.issued();
        assert_eq!((event.tenant_id, event.amount_cents, event.currency.as_str()), (tenant, 12_500, "EUR"));
    }
}
