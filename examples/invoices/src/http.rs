//! The invoicing routes, inside Tenantry's middleware stack (request id, rate limit,
//! idempotency, time budget, error shape) and in the same OpenAPI document.

use std::sync::Arc;

use actix_web::http::header;
use actix_web::{get, post, web, HttpResponse};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use tenantry_http::{ApiError, ErrorBody, HttpModule, ModuleDocument, PageParams, PageResponse, TenantScoped};
use tenantry_kernel::SortOrder;
use utoipa::{OpenApi, ToSchema};
use uuid::Uuid;

use crate::application::{CurrencyTotal, Invoicing, IssueInvoice, NUMBER_TAKEN};
use crate::domain::Invoice;

/// The module's HTTP side (see [`HttpModule`]).
pub struct InvoicingHttp {
    pub invoicing: Arc<Invoicing>,
}

impl HttpModule for InvoicingHttp {
    fn configure(&self, cfg: &mut web::ServiceConfig) {
        cfg.app_data(web::Data::from(self.invoicing.clone()))
            .service(issue_invoice)
            .service(list_invoices)
            .service(invoice_totals)
            .service(get_invoice);
    }
}

/// The routes' paths and schemas, and the module's error code.
pub fn document() -> ModuleDocument {
    ModuleDocument { openapi: Some(InvoicingApi::openapi()), error_codes: vec![NUMBER_TAKEN] }
}

#[derive(OpenApi)]
#[openapi(
    paths(issue_invoice, list_invoices, get_invoice, invoice_totals),
    components(schemas(IssueInvoiceRequest, InvoiceResponse, TotalsResponse, CurrencyTotalResponse)),
    tags((name = "invoicing", description = "The example product's own context: invoices of an organization"))
)]
struct InvoicingApi;

/// An invoice to issue.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IssueInvoiceRequest {
    /// Unique in the organization.
    #[schema(example = "INV-2027/001", min_length = 1, max_length = 32, pattern = "^[A-Za-z0-9_/-]{1,32}$")]
    pub number: String,
    #[schema(example = "Acme Ltd", min_length = 1, max_length = 200)]
    pub customer: String,
    /// In the currency's minor unit.
    #[schema(example = 125000, minimum = 1, maximum = 1_000_000_000_000_i64)]
    pub amount_cents: i64,
    /// ISO 4217.
    #[schema(example = "EUR", pattern = "^[A-Z]{3}$")]
    pub currency: String,
}

/// An issued invoice.
#[derive(Debug, Serialize, ToSchema)]
pub struct InvoiceResponse {
    pub id: Uuid,
    pub number: String,
    pub customer: String,
    pub amount_cents: i64,
    pub currency: String,
    pub issued_by: Uuid,
    pub issued_at: DateTime<Utc>,
}

impl From<Invoice> for InvoiceResponse {
    fn from(invoice: Invoice) -> Self {
        Self {
            id: invoice.id,
            number: invoice.number,
            customer: invoice.customer,
            amount_cents: invoice.amount_cents,
            currency: invoice.currency,
            issued_by: invoice.issued_by.as_uuid(),
            issued_at: invoice.issued_at,
        }
    }
}

/// What the organization has invoiced, per currency.
#[derive(Debug, Serialize, ToSchema)]
pub struct TotalsResponse {
    pub items: Vec<CurrencyTotalResponse>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CurrencyTotalResponse {
    pub currency: String,
    pub invoices: i64,
    pub amount_cents: i64,
}

impl From<CurrencyTotal> for CurrencyTotalResponse {
    fn from(total: CurrencyTotal) -> Self {
        Self { currency: total.currency, invoices: total.invoices, amount_cents: total.amount_cents }
    }
}

/// Issue an invoice (`invoice:issue`: owners and admins by default).
#[utoipa::path(
    tag = "invoicing",
    security(("bearer" = [])),
    params(("X-Tenant-Id" = Uuid, Header, description = "Organization id")),
    request_body = IssueInvoiceRequest,
    responses(
        (status = 201, body = InvoiceResponse, headers(("Location" = String, description = "The invoice"))),
        (status = 400, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 409, description = "`invoice_number_taken`", body = ErrorBody),
    )
)]
#[post("/api/v1/invoices")]
async fn issue_invoice(
    invoicing: web::Data<Invoicing>,
    TenantScoped(context): TenantScoped,
    body: web::Json<IssueInvoiceRequest>,
) -> Result<HttpResponse, ApiError> {
    let IssueInvoiceRequest { number, customer, amount_cents, currency } = body.into_inner();
    let invoice = invoicing.issue(&context, IssueInvoice { number, customer, amount_cents, currency }).await?;
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/api/v1/invoices/{}", invoice.id)))
        .json(InvoiceResponse::from(invoice)))
}

/// The organization's invoices, newest first (`invoice:read`).
#[utoipa::path(
    tag = "invoicing",
    security(("bearer" = [])),
    params(("X-Tenant-Id" = Uuid, Header, description = "Organization id"), PageParams),
    responses((status = 200, body = PageResponse<InvoiceResponse>), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody))
)]
#[get("/api/v1/invoices")]
async fn list_invoices(
    invoicing: web::Data<Invoicing>,
    TenantScoped(context): TenantScoped,
    params: web::Query<PageParams>,
) -> Result<HttpResponse, ApiError> {
    let page = params.fixed_order("issued_at", SortOrder::Desc)?;
    let invoices = invoicing.list(&context, page).await?;
    Ok(HttpResponse::Ok().json(PageResponse::from_page(invoices, InvoiceResponse::from)))
}

/// One invoice of the organization (`invoice:read`).
#[utoipa::path(
    tag = "invoicing",
    security(("bearer" = [])),
    params(("X-Tenant-Id" = Uuid, Header, description = "Organization id"), ("id" = Uuid, Path, description = "Invoice id")),
    responses((status = 200, body = InvoiceResponse), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody))
)]
#[get("/api/v1/invoices/{id}")]
async fn get_invoice(
    invoicing: web::Data<Invoicing>,
    TenantScoped(context): TenantScoped,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let invoice = invoicing.get(&context, id.into_inner()).await?;
    Ok(HttpResponse::Ok().json(InvoiceResponse::from(invoice)))
}

/// Totals per currency, kept by the module's event consumer (`invoice:read`).
#[utoipa::path(
    tag = "invoicing",
    security(("bearer" = [])),
    params(("X-Tenant-Id" = Uuid, Header, description = "Organization id")),
    responses((status = 200, body = TotalsResponse), (status = 403, body = ErrorBody))
)]
#[get("/api/v1/invoices/totals")]
async fn invoice_totals(
    invoicing: web::Data<Invoicing>,
    TenantScoped(context): TenantScoped,
) -> Result<HttpResponse, ApiError> {
    let totals = invoicing.totals(&context).await?;
    Ok(HttpResponse::Ok().json(TotalsResponse { items: totals.into_iter().map(Into::into).collect() }))
}
