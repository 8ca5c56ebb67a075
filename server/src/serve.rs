//! The HTTP server: Tenantry's routes on an actix `App`, graceful shutdown on
//! SIGTERM/Ctrl-C (in-flight requests get `shutdown_timeout_seconds`).

use std::net::TcpListener;

use actix_web::dev::Server;
use actix_web::{web, App, HttpServer};
use tenantry_http::HttpState;

/// Builds the server on a bound listener (port 0 in tests).
///
/// # Errors
/// When the listener cannot be used.
pub fn http_server(
    listener: TcpListener,
    state: HttpState,
    workers: Option<usize>,
    shutdown_timeout_seconds: u64,
) -> std::io::Result<Server> {
    let mut server = HttpServer::new(move || {
        App::new().configure(tenantry_http::configure(state.clone())).default_service(web::to(tenantry_http::not_found))
    })
    .shutdown_timeout(shutdown_timeout_seconds)
    .listen(listener)?;
    if let Some(workers) = workers {
        server = server.workers(workers);
    }
    Ok(server.run())
}
