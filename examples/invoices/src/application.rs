//! The invoicing use cases, on Tenantry's pipeline: issuing is a command (one
//! transaction with the event and the audit entry), reads are authorized like
//! Tenantry's, and a consumer keeps per-currency totals from the events.

use std::sync::Arc;

use async_trait::async_trait;
use tenantry_application::pipeline::{AuditSubject, Authorization, Command, CommandHandler};
use tenantry_application::ports::{RepositoryError, UnitOfWork};
use tenantry_application::{AppError, ErrorCode, EventConsumer, Platform, RequestContext};
use tenantry_kernel::{Clock, EventEnvelope, EventId, Page, PageRequest, TenantId};
use uuid::Uuid;

use crate::domain::{Invoice, InvoiceIssued};

/// The module's own error code: a number the organization already used.
pub const NUMBER_TAKEN: ErrorCode = ErrorCode::Module("invoice_number_taken");

/// Where invoices are written: inside the caller's unit of work, so the row commits
/// with the outbox event and the audit entry.
#[async_trait]
pub trait InvoiceRepository: Send + Sync {
    /// # Errors
    /// `Duplicate` when the organization already has the number.
    async fn insert(&self, uow: &mut dyn UnitOfWork, invoice: &Invoice) -> Result<(), RepositoryError>;
}

/// One currency's invoiced total in an organization.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CurrencyTotal {
    pub currency: String,
    pub invoices: i64,
    pub amount_cents: i64,
}

/// Reads, confined to one organization.
#[async_trait]
pub trait InvoiceQueries: Send + Sync {
    async fn list(&self, tenant: TenantId, page: PageRequest) -> Result<Page<Invoice>, RepositoryError>;
    async fn find(&self, tenant: TenantId, id: Uuid) -> Result<Option<Invoice>, RepositoryError>;
    async fn totals(&self, tenant: TenantId) -> Result<Vec<CurrencyTotal>, RepositoryError>;
}

/// The totals read model.
#[async_trait]
pub trait TotalsStore: Send + Sync {
    /// Adds one issued invoice to the totals of `tenant` (the event's organization,
    /// from its envelope), once per event id. Answers whether it was new.
    async fn apply(&self, event: EventId, tenant: TenantId, issued: &InvoiceIssued) -> Result<bool, RepositoryError>;
}

/// Issue an invoice (`invoice:issue`).
#[derive(Debug, Clone)]
pub struct IssueInvoice {
    pub number: String,
    pub customer: String,
    pub amount_cents: i64,
    pub currency: String,
}

impl Command for IssueInvoice {
    const NAME: &'static str = "invoicing.issue_invoice";
    type Output = Invoice;

    fn authorization(&self) -> Authorization {
        Authorization::TenantPermission("invoice:issue")
    }

    fn audit_subject(&self, _: &RequestContext, invoice: &Invoice) -> Option<AuditSubject> {
        Some(AuditSubject::new("invoice", invoice.id))
    }
}

pub struct IssueInvoiceHandler {
    repository: Arc<dyn InvoiceRepository>,
    clock: Arc<dyn Clock>,
}

#[async_trait]
impl CommandHandler<IssueInvoice> for IssueInvoiceHandler {
    async fn handle(
        &self,
        context: &RequestContext,
        command: &IssueInvoice,
        uow: &mut dyn UnitOfWork,
    ) -> Result<Invoice, AppError> {
        let principal = context.require_caller()?;
        let tenant = context.tenant_id.ok_or_else(AppError::tenant_required)?;
        let now = self.clock.now();
        let invoice = Invoice::issue(
            tenant,
            &command.number,
            &command.customer,
            command.amount_cents,
            &command.currency,
            principal.user_id,
            now,
        )?;
        self.repository.insert(uow, &invoice).await.map_err(|error| match error {
            RepositoryError::Duplicate { .. } => AppError::Conflict {
                code: NUMBER_TAKEN,
                message: "this organization already has an invoice with that number",
            },
            other => other.into(),
        })?;
        let event = EventEnvelope::wrap(&invoice.issued(), now, Some(tenant), Some(principal.user_id))
            .map_err(AppError::internal)?;
        uow.record_event(event);
        Ok(invoice)
    }
}

/// The invoicing context's use cases, as its routes call them.
pub struct Invoicing {
    platform: Arc<Platform>,
    issue: IssueInvoiceHandler,
    queries: Arc<dyn InvoiceQueries>,
}

impl Invoicing {
    pub fn new(
        platform: Arc<Platform>,
        repository: Arc<dyn InvoiceRepository>,
        queries: Arc<dyn InvoiceQueries>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self { platform, issue: IssueInvoiceHandler { repository, clock }, queries }
    }

    /// # Errors
    /// 400 invalid fields, 403 without `invoice:issue`, 409 `invoice_number_taken`.
    pub async fn issue(&self, context: &RequestContext, command: IssueInvoice) -> Result<Invoice, AppError> {
        self.platform.commands().dispatch(&self.issue, context, command).await
    }

    /// # Errors
    /// 403 without `invoice:read`.
    pub async fn list(&self, context: &RequestContext, page: PageRequest) -> Result<Page<Invoice>, AppError> {
        self.platform
            .queries()
            .read("invoicing.list", context, "invoice:read", |read| async move {
                Ok(self.queries.list(read.tenant, page).await?)
            })
            .await
    }

    /// # Errors
    /// 403 without `invoice:read`; 404 for an invoice of another organization.
    pub async fn get(&self, context: &RequestContext, id: Uuid) -> Result<Invoice, AppError> {
        self.platform
            .queries()
            .read("invoicing.invoice", context, "invoice:read", |read| async move {
                self.queries.find(read.tenant, id).await?.ok_or(AppError::NotFound { message: "invoice not found" })
            })
            .await
    }

    /// # Errors
    /// 403 without `invoice:read`.
    pub async fn totals(&self, context: &RequestContext) -> Result<Vec<CurrencyTotal>, AppError> {
        self.platform
            .queries()
            .read("invoicing.totals", context, "invoice:read", |read| async move {
                Ok(self.queries.totals(read.tenant).await?)
            })
            .await
    }
}

#[derive(Debug, thiserror::Error)]
#[error("an invoicing.invoice_issued event without a tenant")]
struct MissingTenant;

/// Keeps the totals read model from `invoicing.invoice_issued`.
pub struct TotalsConsumer {
    pub store: Arc<dyn TotalsStore>,
}

#[async_trait]
impl EventConsumer for TotalsConsumer {
    fn name(&self) -> &'static str {
        "invoicing.totals"
    }

    fn event_types(&self) -> &[&'static str] {
        &[InvoiceIssued::TYPE]
    }

    async fn consume(&self, event: &EventEnvelope) -> Result<(), AppError> {
        let issued: InvoiceIssued = event.decode().map_err(AppError::internal)?;
        // The envelope's tenant is the one the outbox recorded for the command; the
        // payload's copy is only data.
        let tenant = event.tenant_id.ok_or_else(|| AppError::internal(MissingTenant))?;
        self.store.apply(event.id, tenant, &issued).await?;
        Ok(())
    }
}
