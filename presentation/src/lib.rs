//! The actix-web adapter of Tenantry, as a library: a host application mounts it
//! with [`configure`] on its own `App`, or runs it as-is through `tenantry serve`.
//! It turns HTTP into application calls and application errors into the API.md
//! error shape, and documents every route in OpenAPI.

mod auth;
mod concurrency;
mod edge;
mod error;
#[cfg(feature = "fuzzing")]
pub mod fuzzing;
mod idempotency;
mod json;
mod openapi;
mod paging;
mod routes;
mod telemetry;
mod tenant_context;

use std::sync::Arc;
use std::time::Duration;

use actix_web::web;
use tenantry_application::audit::Audit;
use tenantry_application::identity::Identity;
use tenantry_application::ports::RateLimiter;
use tenantry_application::tenancy::{ApiKeyAuthenticator, Tenancy};
use tenantry_application::{AppError, Platform, Principal};
use utoipa_swagger_ui::SwaggerUi;

pub use auth::{Authenticated, RequestMeta};
pub use concurrency::{etag, IfMatch};
pub use error::{ApiError, ErrorBody, ErrorDetail};
pub use openapi::{openapi, openapi_with};
pub use paging::{PageParams, PageResponse};
pub use routes::files_module::FilesHttp;
pub use routes::not_found;
pub use routes::notifications::NotificationsHttp;
pub use routes::projects_module::ProjectsHttp;
pub use telemetry::HttpMetrics;
pub use tenant_context::TenantScoped;

/// A module's routes, mounted inside Tenantry's middleware stack (request id, rate
/// limit, idempotency, time budget, panic guard, error shape) with Tenantry's
/// extractors available. Their documentation is a declaration of the module, so it
/// exists without a running server ([`ModuleDocument`]).
pub trait HttpModule: Send + Sync + 'static {
    /// Mounts the module's routes (and any app data they need).
    fn configure(&self, cfg: &mut web::ServiceConfig);
}

/// A module's part of the OpenAPI document: its paths and schemas, and its own
/// error codes (listed in `ErrorBody.error_code`).
#[derive(Clone, Default)]
pub struct ModuleDocument {
    pub openapi: Option<utoipa::openapi::OpenApi>,
    pub error_codes: Vec<tenantry_application::ErrorCode>,
}

/// Everything the routes need, shared by all workers.
#[derive(Clone)]
pub struct HttpState {
    /// The pipelines, idempotency and readiness.
    pub platform: Arc<Platform>,
    /// The contexts every product has (projects, files and notifications are modules).
    pub identity: Arc<Identity>,
    pub tenancy: Arc<Tenancy>,
    pub audit: Arc<Audit>,
    pub metrics: Arc<HttpMetrics>,
    /// Counts requests per client address and per user; `None` turns limiting off.
    pub rate_limiter: Option<Arc<dyn RateLimiter>>,
    /// Browser origins allowed to call the API cross-origin (CORS).
    pub cors_allowed_origins: Vec<String>,
    /// The most any one request may take before it is abandoned with a 503.
    pub request_timeout: Duration,
    /// Where clients reach the server (`https://api.example.com`), for absolute links;
    /// `None`: links are server-relative. Never taken from request headers.
    pub public_url: Option<String>,
    /// SHA-256 of the bearer token `GET /metrics` requires; `None`: metrics answer
    /// loopback clients only.
    pub metrics_token_sha256: Option<[u8; 32]>,
    /// Modules' routes, mounted beside Tenantry's.
    pub modules: Vec<Arc<dyn HttpModule>>,
    /// Modules' documentation, merged into the served OpenAPI document.
    pub documents: Vec<ModuleDocument>,
}

impl HttpState {
    /// State without rate limiting or CORS and a 30 s request budget; the composition
    /// root (`Tenantry::http_state`) sets all three from configuration.
    pub fn new(platform: Arc<Platform>, identity: Arc<Identity>, tenancy: Arc<Tenancy>, audit: Arc<Audit>) -> Self {
        Self {
            platform,
            identity,
            tenancy,
            audit,
            metrics: Arc::new(HttpMetrics::new()),
            rate_limiter: None,
            cors_allowed_origins: Vec::new(),
            request_timeout: Duration::from_secs(30),
            public_url: None,
            metrics_token_sha256: None,
            modules: Vec::new(),
            documents: Vec::new(),
        }
    }

    /// A bearer credential: an organization's API key (`tk_...`) or a session's
    /// access token.
    ///
    /// # Errors
    /// 401 for a credential that does not authenticate.
    pub async fn authenticate(&self, bearer: &str) -> Result<Principal, AppError> {
        if ApiKeyAuthenticator::recognises(bearer) {
            self.tenancy.authenticate_api_key(bearer).await
        } else {
            self.identity.authenticate(bearer).await
        }
    }

    /// Mounts `module`'s routes (see [`HttpModule`]).
    pub fn with_module(mut self, module: Arc<dyn HttpModule>) -> Self {
        self.modules.push(module);
        self
    }

    /// Merges a module's paths, schemas and error codes into the served document.
    pub fn with_document(mut self, document: ModuleDocument) -> Self {
        self.documents.push(document);
        self
    }

    /// Absolute links start with `url` (no trailing slash).
    pub fn with_public_url(mut self, url: impl Into<String>) -> Self {
        self.public_url = Some(url.into().trim_end_matches('/').to_owned());
        self
    }

    /// `GET /metrics` requires `Authorization: Bearer {token}`.
    pub fn with_metrics_token(mut self, token: &str) -> Self {
        use sha2::Digest;
        self.metrics_token_sha256 = Some(sha2::Sha256::digest(token.as_bytes()).into());
        self
    }

    pub fn with_rate_limiter(mut self, limiter: Arc<dyn RateLimiter>) -> Self {
        self.rate_limiter = Some(limiter);
        self
    }

    pub fn with_cors_allowed_origins(mut self, origins: Vec<String>) -> Self {
        self.cors_allowed_origins = origins;
        self
    }

    pub fn with_request_timeout(mut self, timeout: Duration) -> Self {
        self.request_timeout = timeout;
        self
    }
}

/// Mounts every Tenantry route, the OpenAPI document and Swagger UI, wrapped in
/// the request-id/telemetry middleware. Call it from `App::configure`.
pub fn configure(state: HttpState) -> impl FnOnce(&mut web::ServiceConfig) {
    configure_with(state, |_| {})
}

/// Like [`configure`], with the host product's own routes mounted inside the same
/// middleware stack (request id, CORS, security headers, time budget, rate limit,
/// idempotency, panic guard, the error shape) and beside Tenantry's state, so they
/// use the [`Authenticated`] and [`TenantScoped`] extractors as Tenantry's routes do.
/// Host routes are matched first.
pub fn configure_with(
    state: HttpState,
    host_routes: impl FnOnce(&mut web::ServiceConfig),
) -> impl FnOnce(&mut web::ServiceConfig) {
    move |cfg: &mut web::ServiceConfig| {
        let metrics = state.metrics.clone();
        let limiter = state.rate_limiter.clone();
        let app = Arc::new(state.clone());
        let budget = state.request_timeout;
        let cors = edge::cors(&state.cors_allowed_origins);
        let cors_enabled = !state.cors_allowed_origins.is_empty();
        let modules = state.modules.clone();
        let document = openapi_with(&state.documents);
        // The last `wrap` runs first: telemetry (request id) -> CORS -> security
        // headers -> time budget -> rate limit -> idempotency -> panic guard -> routes.
        // The budget sits outside everything that reads the body or waits on a store,
        // so one budget covers the whole request (issue 14: a keyed POST's slow body
        // was read before the budget started).
        cfg.service(
            web::scope("")
                .app_data(web::Data::new(state))
                .app_data(json::json_config())
                .app_data(json::path_config())
                .app_data(json::query_config())
                .wrap(actix_web::middleware::from_fn(edge::contain_panics))
                .wrap(actix_web::middleware::from_fn(move |req, next| idempotency::idempotent(app.clone(), req, next)))
                .wrap(actix_web::middleware::from_fn(move |req, next| edge::limit_rate(limiter.clone(), req, next)))
                .wrap(actix_web::middleware::from_fn(move |req, next| edge::limit_time(budget, req, next)))
                .wrap(security_headers())
                .wrap(actix_web::middleware::Condition::new(cors_enabled, cors))
                .wrap(actix_web::middleware::from_fn(move |req, next| telemetry::observe(metrics.clone(), req, next)))
                .configure(host_routes)
                .configure(|cfg| modules.iter().for_each(|module| module.configure(cfg)))
                .configure(routes::operations::configure)
                .configure(routes::identity::configure)
                .configure(routes::tenancy::configure)
                .configure(routes::api_keys::configure)
                .configure(routes::audit::configure)
                .service(SwaggerUi::new("/swagger-ui/{_:.*}").url("/api-docs/openapi.json", document)),
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
