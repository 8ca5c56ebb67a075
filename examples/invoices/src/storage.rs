//! The invoicing tables, on whichever backend Tenantry runs: writes join the unit
//! of work's transaction, reads and the consumer's writes are confined to one
//! organization (row-level security on PostgreSQL). The statements are the same on
//! both backends; `on_both!` instantiates each for the backend at hand.

use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use tenantry_application::ports::{DataScope, RepositoryError, UnitOfWork, UnitOfWorkFactory};
use tenantry_infrastructure::{sql_transaction, storage_error, Database, ScopedRead, SqlTransaction};
use tenantry_kernel::{EventId, Page, PageRequest, TenantId, UserId};
use uuid::Uuid;

use crate::application::{CurrencyTotal, InvoiceQueries, InvoiceRepository, TotalsStore};
use crate::domain::{Invoice, InvoiceIssued};

/// Runs `$body` with `$conn` bound to the connection, on either backend.
macro_rules! on_both {
    ($tx:expr, $conn:ident => $body:expr) => {
        match $tx {
            SqlTransaction::Postgres($conn) => $body,
            SqlTransaction::Sqlite($conn) => $body,
        }
    };
}

#[derive(sqlx::FromRow)]
struct InvoiceRow {
    id: Uuid,
    tenant_id: Uuid,
    number: String,
    customer: String,
    amount_cents: i64,
    currency: String,
    issued_by: Uuid,
    issued_at: DateTime<Utc>,
}

impl From<InvoiceRow> for Invoice {
    fn from(row: InvoiceRow) -> Self {
        Invoice {
            id: row.id,
            tenant_id: TenantId::from_uuid(row.tenant_id),
            number: row.number,
            customer: row.customer,
            amount_cents: row.amount_cents,
            currency: row.currency,
            issued_by: UserId::from_uuid(row.issued_by),
            issued_at: row.issued_at,
        }
    }
}

const COLUMNS: &str = "id, tenant_id, number, customer, amount_cents, currency, issued_by, issued_at";

/// Invoices written in the command's own transaction.
pub struct SqlInvoices;

#[async_trait]
impl InvoiceRepository for SqlInvoices {
    async fn insert(&self, uow: &mut dyn UnitOfWork, invoice: &Invoice) -> Result<(), RepositoryError> {
        let sql = format!("INSERT INTO invoicing_invoices ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)");
        on_both!(sql_transaction(uow)?, conn => sqlx::query(&sql)
            .bind(invoice.id)
            .bind(invoice.tenant_id.as_uuid())
            .bind(&invoice.number)
            .bind(&invoice.customer)
            .bind(invoice.amount_cents)
            .bind(&invoice.currency)
            .bind(invoice.issued_by.as_uuid())
            .bind(invoice.issued_at)
            .execute(conn)
            .await
            .map(drop)
            .map_err(storage_error)?);
        Ok(())
    }
}

/// Reads in a transaction confined to the organization.
pub struct SqlInvoiceQueries {
    pub database: Database,
}

#[async_trait]
impl InvoiceQueries for SqlInvoiceQueries {
    async fn list(&self, tenant: TenantId, page: PageRequest) -> Result<Page<Invoice>, RepositoryError> {
        let mut read = ScopedRead::begin(&self.database, DataScope::Tenant(tenant)).await?;
        let select = format!(
            "SELECT {COLUMNS} FROM invoicing_invoices WHERE tenant_id = $1 \
             ORDER BY issued_at DESC, id DESC LIMIT $2 OFFSET $3"
        );
        let count = "SELECT COUNT(*) FROM invoicing_invoices WHERE tenant_id = $1";
        let limit = i64::from(page.size());
        let offset = i64::try_from(page.offset()).unwrap_or(i64::MAX);
        let (rows, total): (Vec<InvoiceRow>, i64) = on_both!(read.connection(), conn => {
            let rows = sqlx::query_as(&select)
                .bind(tenant.as_uuid())
                .bind(limit)
                .bind(offset)
                .fetch_all(&mut *conn)
                .await
                .map_err(storage_error)?;
            let total = sqlx::query_scalar(count).bind(tenant.as_uuid()).fetch_one(&mut *conn).await.map_err(storage_error)?;
            (rows, total)
        });
        let items = rows.into_iter().map(Invoice::from).collect();
        Ok(Page::new(items, page, u64::try_from(total).unwrap_or_default()))
    }

    async fn find(&self, tenant: TenantId, id: Uuid) -> Result<Option<Invoice>, RepositoryError> {
        let mut read = ScopedRead::begin(&self.database, DataScope::Tenant(tenant)).await?;
        let select = format!("SELECT {COLUMNS} FROM invoicing_invoices WHERE tenant_id = $1 AND id = $2");
        let row: Option<InvoiceRow> = on_both!(read.connection(), conn => sqlx::query_as(&select)
            .bind(tenant.as_uuid())
            .bind(id)
            .fetch_optional(conn)
            .await
            .map_err(storage_error)?);
        Ok(row.map(Invoice::from))
    }

    async fn totals(&self, tenant: TenantId) -> Result<Vec<CurrencyTotal>, RepositoryError> {
        let mut read = ScopedRead::begin(&self.database, DataScope::Tenant(tenant)).await?;
        let select =
            "SELECT currency, invoices, amount_cents FROM invoicing_totals WHERE tenant_id = $1 ORDER BY currency";
        let rows: Vec<(String, i64, i64)> = on_both!(read.connection(), conn => sqlx::query_as(select)
            .bind(tenant.as_uuid())
            .fetch_all(conn)
            .await
            .map_err(storage_error)?);
        Ok(rows
            .into_iter()
            .map(|(currency, invoices, amount_cents)| CurrencyTotal { currency, invoices, amount_cents })
            .collect())
    }
}

/// The totals read model, written by the consumer in a transaction of the event's
/// organization.
pub struct SqlTotals {
    pub units_of_work: Arc<dyn UnitOfWorkFactory>,
}

#[async_trait]
impl TotalsStore for SqlTotals {
    async fn apply(&self, event: EventId, tenant: TenantId, issued: &InvoiceIssued) -> Result<bool, RepositoryError> {
        let mut uow = self.units_of_work.begin_in(DataScope::Tenant(tenant)).await?;
        let tenant = tenant.as_uuid();
        let first_time = on_both!(sql_transaction(uow.as_mut())?, conn => {
            let claimed = sqlx::query(
                "INSERT INTO invoicing_applied_events (event_id, tenant_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
            )
            .bind(event.as_uuid())
            .bind(tenant)
            .execute(&mut *conn)
            .await
            .map_err(storage_error)?
            .rows_affected()
                == 1;
            if claimed {
                sqlx::query(
                    "INSERT INTO invoicing_totals (tenant_id, currency, invoices, amount_cents) VALUES ($1, $2, 1, $3) \
                     ON CONFLICT (tenant_id, currency) DO UPDATE SET invoices = invoicing_totals.invoices + 1, \
                     amount_cents = invoicing_totals.amount_cents + excluded.amount_cents",
                )
                .bind(tenant)
                .bind(&issued.currency)
                .bind(issued.amount_cents)
                .execute(&mut *conn)
                .await
                .map_err(storage_error)?;
            }
            claimed
        });
        uow.commit().await?;
        Ok(first_time)
    }
}
