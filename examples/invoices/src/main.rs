//! The example product's server: Tenantry with the invoicing module, on the same
//! configuration (`config/`, `TENANTRY__...`) as `tenantry serve`.

use std::net::TcpListener;

use anyhow::Context;
use invoices_example::InvoicingModule;
use tenantry_server::{serve, telemetry, Settings, Tenantry};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let settings = Settings::load().context("loading settings")?;
    telemetry::init(&settings.log);
    let tenantry = Tenantry::builder(settings.clone()).module(InvoicingModule).build().await?;
    let listener = TcpListener::bind((settings.server.host.as_str(), settings.server.port))
        .with_context(|| format!("binding {}:{}", settings.server.host, settings.server.port))?;
    tracing::info!(address = %listener.local_addr()?, "invoices example listening; Swagger UI at /swagger-ui/");
    serve::http_server(
        listener,
        tenantry.http_state(),
        settings.server.workers,
        settings.server.shutdown_timeout_seconds,
    )?
    .await?;
    tenantry.shutdown().await;
    Ok(())
}
