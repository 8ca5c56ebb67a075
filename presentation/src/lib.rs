//! The actix-web adapter of Tenantry, as a library: a host application mounts it
//! with [`configure`] on its own `App`, or runs it as-is through `tenantry serve`.
//! It turns HTTP into application calls and application errors into the API.md
//! error shape, and documents every route in OpenAPI.

mod auth;
mod error;
mod json;
mod openapi;
mod paging;
mod routes;
mod telemetry;

use std::sync::Arc;

use actix_web::web;
use tenantry_application::Application;
use utoipa_swagger_ui::SwaggerUi;

pub use auth::{Authenticated, RequestMeta};
pub use error::{ApiError, ErrorBody, ErrorDetail};
pub use openapi::{openapi, ApiDoc};
pub use paging::{PageParams, PageResponse};
pub use routes::not_found;
pub use telemetry::HttpMetrics;

/// Everything the routes need, shared by all workers.
#[derive(Clone)]
pub struct HttpState {
    pub app: Arc<Application>,
    pub metrics: Arc<HttpMetrics>,
}

impl HttpState {
    pub fn new(app: Arc<Application>) -> Self {
        Self { app, metrics: Arc::new(HttpMetrics::new()) }
    }
}

/// Mounts every Tenantry route, the OpenAPI document and Swagger UI, wrapped in
/// the request-id/telemetry middleware. Call it from `App::configure`.
pub fn configure(state: HttpState) -> impl FnOnce(&mut web::ServiceConfig) {
    move |cfg: &mut web::ServiceConfig| {
        let metrics = state.metrics.clone();
        cfg.service(
            web::scope("")
                .app_data(web::Data::new(state))
                .app_data(json::json_config())
                .app_data(json::path_config())
                .app_data(json::query_config())
                .wrap(security_headers())
                .wrap(actix_web::middleware::from_fn(move |req, next| telemetry::observe(metrics.clone(), req, next)))
                .configure(routes::operations::configure)
                .configure(routes::identity::configure)
                .configure(routes::tenancy::configure)
                .service(SwaggerUi::new("/swagger-ui/{_:.*}").url("/api-docs/openapi.json", openapi())),
        );
    }
}

/// Headers every answer carries (OWASP Secure Headers): no MIME sniffing, no framing,
/// no referrer leaks, an isolated browsing context. A Content-Security-Policy is left
/// to the host, because Swagger UI needs its own scripts and styles.
fn security_headers() -> actix_web::middleware::DefaultHeaders {
    actix_web::middleware::DefaultHeaders::new()
        .add(("X-Content-Type-Options", "nosniff"))
        .add(("X-Frame-Options", "DENY"))
        .add(("Referrer-Policy", "no-referrer"))
        .add(("Cross-Origin-Opener-Policy", "same-origin"))
}
