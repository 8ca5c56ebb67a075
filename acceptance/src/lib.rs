//! Tenantry's acceptance kit: a cucumber [`World`](cucumber::World) over a real
//! Tenantry server, a library of product-agnostic Gherkin steps for its HTTP API,
//! and a runner that plays feature files against SQLite and PostgreSQL.
//!
//! Tenantry's own suite (`tests/acceptance.rs`, `features/`) is built from exactly
//! what an embedding product gets: link this crate, write `.feature` files with the
//! phrases listed in [`steps`], add steps of your own on `&mut TenantryWorld`, and
//! call [`run_features`] once per [`TestBackend::selected`] backend. See the
//! crate's `README.md`.

pub mod json;
mod runner;
pub mod steps;
mod world;

pub use runner::{
    run_features, run_product_features, run_suite, unmatched_steps, BackendOutcome, MAX_CONCURRENT_SCENARIOS,
    SCENARIO_FILTER_ENV,
};
pub use tenantry_server::testing::{ProductWiring, TestApp, TestBackend};
pub use world::{
    Account, ApiRequest, Organization, RecordedResponse, RefreshCarrier, TenantryWorld, WhichRefreshToken,
    DEFAULT_PASSWORD, EMAIL_DOMAIN, MAIL_DELIVERY_TIMEOUT,
};
