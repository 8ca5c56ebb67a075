//! `tenantry`: serve the API, migrate the database, load seeds, print the OpenAPI
//! document (the commands live in `tenantry_server::cli`, which a product's binary
//! runs with its own modules).

use std::process::ExitCode;

fn main() -> ExitCode {
    tenantry_server::cli::main_with(tenantry_server::Tenantry::builder)
}
