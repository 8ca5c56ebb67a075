//! Tenantry's acceptance suite: every feature in `features/`, once per selected
//! database backend (`TENANTRY_TEST_BACKENDS=sqlite,postgres`, both by default).

use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    let features = concat!(env!("CARGO_MANIFEST_DIR"), "/features");
    tenantry_acceptance::run_suite("Tenantry acceptance features", features, None).await
}
