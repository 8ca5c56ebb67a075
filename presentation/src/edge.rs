//! Abuse protection at the edge: rate limits per client address (much stricter on
//! credential routes) with `RateLimit-*` headers, a time budget per request, and the
//! CORS allow-list.

use std::sync::Arc;
use std::time::Duration;

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::HttpResponse;
use tenantry_application::ports::{RateClass, RateDecision, RateLimiter};
use tenantry_application::ErrorCode;

use crate::error::http_error;

/// Probes and scrapers must never be throttled into reporting an outage. (Compared
/// with the raw path: another spelling of a probe is merely counted.)
const UNLIMITED_PATHS: &[&str] = &["/health", "/ready", "/metrics"];

const RATELIMIT_LIMIT: HeaderName = HeaderName::from_static("ratelimit-limit");
const RATELIMIT_REMAINING: HeaderName = HeaderName::from_static("ratelimit-remaining");
const RATELIMIT_RESET: HeaderName = HeaderName::from_static("ratelimit-reset");

fn general_class_of(req: &ServiceRequest) -> Option<RateClass> {
    if UNLIMITED_PATHS.contains(&req.path()) || req.method() == Method::OPTIONS {
        None
    } else {
        Some(RateClass::Api)
    }
}

/// The answer to a refused request, in the API error shape.
pub(crate) fn rate_limited(decision: &RateDecision) -> HttpResponse {
    let mut response = http_error(
        StatusCode::TOO_MANY_REQUESTS,
        ErrorCode::RateLimited,
        "too many requests; retry after the number of seconds in Retry-After",
        vec![],
    );
    set_rate_headers(response.headers_mut(), decision);
    response.headers_mut().insert(header::RETRY_AFTER, decision.retry_after_seconds.into());
    response
}

fn set_rate_headers(headers: &mut actix_web::http::header::HeaderMap, decision: &RateDecision) {
    headers.insert(RATELIMIT_LIMIT, HeaderValue::from(decision.limit));
    headers.insert(RATELIMIT_REMAINING, HeaderValue::from(decision.remaining));
    headers.insert(RATELIMIT_RESET, HeaderValue::from(decision.reset_seconds));
}

/// Counts every request against the general budget of its client address.
pub(crate) async fn limit_rate(
    limiter: Option<Arc<dyn RateLimiter>>,
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    let class = general_class_of(&req);
    count_against(limiter, class, req, next).await
}

/// Counts a request to a route that takes credentials or sends mail against the
/// strict budget as well. Routes attach it themselves
/// (`#[post(.., wrap = "from_fn(crate::edge::limit_credentials)")]`), so the class
/// follows the route the router matched, whatever spelling of the path reached it.
pub(crate) async fn limit_credentials(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    let limiter = req.app_data::<actix_web::web::Data<crate::HttpState>>().and_then(|s| s.rate_limiter.clone());
    count_against(limiter, Some(RateClass::Credentials), req, next).await
}

/// Counts the request against `class` for the client address; refused requests
/// never reach a handler. A limiter that cannot answer fails open (and says so in
/// the log): an outage of a shared store must not take the API down with it. The
/// strictest budget's headers win: an inner class's headers are not overwritten.
async fn count_against(
    limiter: Option<Arc<dyn RateLimiter>>,
    class: Option<RateClass>,
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    let (Some(limiter), Some(class)) = (limiter, class) else {
        return next.call(req).await.map(ServiceResponse::map_into_left_body);
    };
    let key = format!("ip:{}", req.peer_addr().map(|addr| addr.ip().to_string()).unwrap_or_default());
    let decision = match limiter.check(class, &key).await {
        Ok(decision) => Some(decision),
        Err(error) => {
            tracing::warn!(error = %error, "rate limiter unavailable; request let through");
            None
        }
    };
    if let Some(decision) = decision.filter(|d| !d.allowed) {
        tracing::info!(class = ?class, "rate limited");
        return Ok(req.into_response(rate_limited(&decision)).map_into_right_body());
    }
    let mut response = next.call(req).await?;
    if let Some(decision) = decision {
        if !response.headers().contains_key(RATELIMIT_LIMIT) {
            set_rate_headers(response.headers_mut(), &decision);
        }
    }
    Ok(response.map_into_left_body())
}

/// Gives every request a time budget. A handler past it is dropped — which rolls
/// its transaction back — and the client gets a 503 in the API shape. (The answer
/// travels as an error: the request cannot be kept aside while the router owns it.)
pub(crate) async fn limit_time(
    budget: Duration,
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    match tokio::time::timeout(budget, next.call(req)).await {
        Ok(response) => response,
        Err(_) => {
            tracing::warn!(budget_ms = u64::try_from(budget.as_millis()).unwrap_or(u64::MAX), "request timed out");
            let response = http_error(
                StatusCode::SERVICE_UNAVAILABLE,
                ErrorCode::ServiceUnavailable,
                "the request took too long and was abandoned; nothing was changed",
                vec![],
            );
            Err(actix_web::error::InternalError::from_response("request timed out", response).into())
        }
    }
}

/// Turns a panic anywhere below it into a 500 in the API shape: one request's bug
/// must not cut the connections of every other request on the same worker. (Stack
/// overflows cannot be caught: recursion on stored data is bounded where it is written.)
pub(crate) async fn contain_panics(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    use futures::FutureExt;
    match std::panic::AssertUnwindSafe(next.call(req)).catch_unwind().await {
        Ok(response) => response,
        Err(panic) => {
            let message = panic
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_default();
            tracing::error!(panic = %message, "a request handler panicked");
            let response = http_error(
                StatusCode::INTERNAL_SERVER_ERROR,
                ErrorCode::InternalError,
                "internal error; quote the request id when reporting it",
                vec![],
            );
            Err(actix_web::error::InternalError::from_response("handler panicked", response).into())
        }
    }
}

/// CORS for the configured browser origins only; with none configured no CORS
/// headers are sent and browsers keep to the same origin.
pub(crate) fn cors(allowed_origins: &[String]) -> actix_cors::Cors {
    let mut cors = actix_cors::Cors::default()
        .allowed_methods([Method::GET, Method::POST, Method::PUT, Method::PATCH, Method::DELETE])
        .allowed_headers([
            header::AUTHORIZATION,
            header::CONTENT_TYPE,
            header::ACCEPT,
            header::IF_MATCH,
            HeaderName::from_static("x-tenant-id"),
            HeaderName::from_static("x-refresh-token"),
            HeaderName::from_static("x-request-id"),
            HeaderName::from_static("idempotency-key"),
        ])
        .expose_headers([
            header::LOCATION,
            header::ETAG,
            header::RETRY_AFTER,
            HeaderName::from_static("x-request-id"),
            RATELIMIT_LIMIT,
            RATELIMIT_REMAINING,
            RATELIMIT_RESET,
        ])
        .max_age(3600);
    for origin in allowed_origins {
        cors = cors.allowed_origin(origin);
    }
    cors
}

#[cfg(test)]
mod tests {
    use actix_web::{test, web, App, HttpResponse};

    use super::*;

    #[actix_web::test]
    async fn a_request_over_its_budget_is_abandoned_with_a_503_in_the_error_shape() {
        let app = test::init_service(
            App::new()
                .wrap(actix_web::middleware::from_fn(|req, next| limit_time(Duration::from_millis(50), req, next)))
                .route(
                    "/slow",
                    web::get().to(|| async {
                        tokio::time::sleep(Duration::from_secs(5)).await;
                        HttpResponse::Ok().finish()
                    }),
                )
                .route("/fast", web::get().to(|| async { HttpResponse::Ok().finish() })),
        )
        .await;
        let fast = test::call_service(&app, test::TestRequest::get().uri("/fast").to_request()).await;
        assert_eq!(fast.status(), StatusCode::OK);
        let slow = test::try_call_service(&app, test::TestRequest::get().uri("/slow").to_request()).await;
        let error = match slow {
            Ok(response) => panic!("expected the budget to cut the request, got {}", response.status()),
            Err(error) => error,
        };
        let response = error.error_response();
        assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
        let body = actix_web::body::to_bytes(response.into_body()).await.unwrap();
        let json: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(json["error_code"], "service_unavailable");
    }

    #[actix_web::test]
    async fn a_panicking_handler_answers_500_in_the_error_shape_and_the_worker_serves_on() {
        let app = test::init_service(
            App::new()
                .wrap(actix_web::middleware::from_fn(contain_panics))
                .route("/boom", web::get().to(|| async { panic!("bug") as HttpResponse }))
                .route("/fine", web::get().to(|| async { HttpResponse::Ok().finish() })),
        )
        .await;
        let error = match test::try_call_service(&app, test::TestRequest::get().uri("/boom").to_request()).await {
            Ok(response) => panic!("expected the panic to become an error, got {}", response.status()),
            Err(error) => error,
        };
        let response = error.error_response();
        assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
        let body = actix_web::body::to_bytes(response.into_body()).await.unwrap();
        let json: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(json["error_code"], "internal_error");
        let fine = test::call_service(&app, test::TestRequest::get().uri("/fine").to_request()).await;
        assert_eq!(fine.status(), StatusCode::OK);
    }

    #[actix_web::test]
    async fn probes_are_not_counted_and_everything_else_is() {
        let probe = test::TestRequest::get().uri("/health").to_srv_request();
        assert_eq!(general_class_of(&probe), None);
        let login = test::TestRequest::post().uri("/api/v1/auth/login").to_srv_request();
        assert_eq!(general_class_of(&login), Some(RateClass::Api));
        let encoded_probe = test::TestRequest::get().uri("/%68ealth").to_srv_request();
        assert_eq!(general_class_of(&encoded_probe), Some(RateClass::Api));
    }
}
