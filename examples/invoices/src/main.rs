//! The example product's binary: Tenantry's command line (`serve`, `migrate`, `seed`,
//! `openapi`, `worker`, ...) with the invoicing module, on the same configuration
//! (`config/`, `TENANTRY__...`) as `tenantry`.

use std::process::ExitCode;

use invoices_example::InvoicingModule;
use tenantry_server::Tenantry;

fn main() -> ExitCode {
    tenantry_server::cli::main_with(|settings| Tenantry::builder(settings).module(InvoicingModule))
}
