//! An example product that embeds Tenantry and adds a bounded context of its own:
//! invoices. Everything Tenantry offers a module is used here — migrations on both
//! backends, permissions with default grants, an error code, a command that writes
//! its row, event and audit entry in one transaction, an event consumer, routes in
//! Tenantry's middleware stack and their OpenAPI paths — through the same public
//! API Tenantry's own contexts use. `src/main.rs` is the product's server.

pub mod application;
pub mod domain;
pub mod http;
pub mod seeds;
pub mod storage;

use std::sync::Arc;

use sqlx::migrate::Migrator;
use tenantry_application::PermissionSpec;
use tenantry_infrastructure::ModuleMigrations;
use tenantry_server::{ModuleContext, ModuleParts, Services, TenantryModule};

use crate::application::{Invoicing, TotalsConsumer};
use crate::seeds::DemoInvoices;
use crate::storage::{SqlInvoiceQueries, SqlInvoices, SqlTotals};

static POSTGRES: Migrator = sqlx::migrate!("./migrations/postgres");
static SQLITE: Migrator = sqlx::migrate!("./migrations/sqlite");

/// The invoicing context as a Tenantry module: `Tenantry::builder(settings).module(InvoicingModule)`.
pub struct InvoicingModule;

impl TenantryModule for InvoicingModule {
    fn name(&self) -> &'static str {
        "invoicing"
    }

    fn migrations(&self) -> Option<ModuleMigrations> {
        Some(ModuleMigrations { schema: "invoicing", postgres: &POSTGRES, sqlite: &SQLITE })
    }

    fn permissions(&self) -> Vec<PermissionSpec> {
        vec![
            PermissionSpec::new("invoice:read", "See the organization's invoices", &["admin", "member", "viewer"]),
            PermissionSpec::new("invoice:issue", "Issue invoices", &["admin"]),
        ]
    }

    fn document(&self) -> tenantry_http::ModuleDocument {
        http::document()
    }

    fn start(&self, core: &ModuleContext<'_>) -> anyhow::Result<ModuleParts> {
        let invoicing = Arc::new(Invoicing::new(
            core.platform().clone(),
            Arc::new(SqlInvoices),
            Arc::new(SqlInvoiceQueries { database: core.database().clone() }),
            core.clock(),
        ));
        let mut services = Services::default();
        services.publish(invoicing.clone());
        Ok(ModuleParts {
            http: Some(Arc::new(http::InvoicingHttp { invoicing: invoicing.clone() })),
            consumers: vec![Arc::new(TotalsConsumer {
                store: Arc::new(SqlTotals { units_of_work: core.units_of_work() }),
            })],
            job_handlers: Vec::new(),
            seeds: vec![Arc::new(DemoInvoices { invoicing })],
            services,
        })
    }
}
