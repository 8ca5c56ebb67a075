//! The example product's acceptance suite: its own feature, on Tenantry's BDD kit
//! (step library, `TestApp` per scenario on both backends) with servers wired as
//! the product wires its own.

use std::process::ExitCode;
use std::sync::Arc;

use cucumber::when;
use invoices_example::InvoicingModule;
use tenantry_acceptance::{run_suite, ProductWiring, TenantryWorld};

/// The product's own step: background work (its consumer included) caught up.
#[when("the product's background work has settled")]
async fn settled(world: &mut TenantryWorld) -> anyhow::Result<()> {
    world.settle().await
}

#[tokio::main]
async fn main() -> ExitCode {
    let features = concat!(env!("CARGO_MANIFEST_DIR"), "/features");
    let product: ProductWiring = Arc::new(|builder| builder.module(InvoicingModule));
    run_suite("invoices example", features, Some(product)).await
}
