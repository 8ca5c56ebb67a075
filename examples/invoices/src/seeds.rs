//! The product's seed step: demo invoices in the development set's Acme organization,
//! issued through the same command (and audit entry) as a user's.

use std::sync::Arc;

use async_trait::async_trait;
use tenantry_application::AppError;
use tenantry_domain::tenancy::Role;
use tenantry_seeds::{SeedSet, SeedStep, Seeding, StepOutcome};

use crate::application::{Invoicing, IssueInvoice, NUMBER_TAKEN};

/// `invoices`: three invoices of Acme, issued as its owner; present ones are kept.
pub struct DemoInvoices {
    pub invoicing: Arc<Invoicing>,
}

const DEMO: [(&str, &str, i64, &str); 3] = [
    ("ACME-0001", "Globex", 125_000, "EUR"),
    ("ACME-0002", "Initech", 48_900, "EUR"),
    ("ACME-0003", "Umbrella", 72_000, "USD"),
];

#[async_trait]
impl SeedStep for DemoInvoices {
    fn name(&self) -> &'static str {
        "invoices"
    }

    fn sets(&self) -> &'static [SeedSet] {
        &[SeedSet::Development]
    }

    async fn run(&self, seeding: &Seeding<'_>) -> Result<StepOutcome, AppError> {
        // The set's `acme` step made both; the idempotent factories answer their ids
        // (and would restore them if someone had removed them since).
        let (tenant, _) = seeding.factories.organization("Acme", "acme", "owner@acme.test").await?;
        let (owner, _) = seeding.factories.member(tenant, "owner@acme.test", Role::Owner).await?;
        let as_owner = seeding.acting_as(tenant, owner);
        let mut created = Vec::new();
        for (number, customer, amount_cents, currency) in DEMO {
            let command = IssueInvoice {
                number: number.to_owned(),
                customer: customer.to_owned(),
                amount_cents,
                currency: currency.to_owned(),
            };
            match self.invoicing.issue(&as_owner, command).await {
                Ok(_) => created.push(number),
                Err(error) if error.code() == NUMBER_TAKEN => {}
                Err(error) => return Err(error),
            }
        }
        let summary = match created.as_slice() {
            [] => "demo invoices already present".to_owned(),
            numbers => format!("issued {} for Acme", numbers.join(", ")),
        };
        Ok(StepOutcome { step: "invoices", created: created.len(), summary })
    }
}
