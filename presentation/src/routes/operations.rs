//! Liveness, readiness and metrics for orchestrators and scrapers.

use actix_web::http::header;
use actix_web::{get, web, HttpRequest, HttpResponse};
use serde::Serialize;
use sha2::{Digest, Sha256};
use tenantry_application::{AppError, ErrorCode};
use utoipa::ToSchema;

use crate::error::{ApiError, ErrorBody};
use crate::HttpState;

#[derive(Serialize, ToSchema)]
pub struct HealthStatus {
    /// `ok` or `ready`.
    pub status: &'static str,
}

pub(crate) fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(health).service(ready).service(metrics);
}

/// The process is alive.
#[utoipa::path(tag = "operations", responses((status = 200, body = HealthStatus)))]
#[get("/health")]
pub(crate) async fn health() -> HttpResponse {
    HttpResponse::Ok().json(HealthStatus { status: "ok" })
}

/// The database (and every configured dependency) answers.
#[utoipa::path(tag = "operations", responses((status = 200, body = HealthStatus), (status = 503, body = ErrorBody)))]
#[get("/ready")]
pub(crate) async fn ready(state: web::Data<HttpState>) -> Result<HttpResponse, ApiError> {
    state.platform.readiness().await?;
    Ok(HttpResponse::Ok().json(HealthStatus { status: "ready" }))
}

/// Prometheus text exposition: with `server.metrics_token` configured, for bearers of
/// that token; without one, for clients on the server's own machine only.
#[utoipa::path(
    tag = "operations",
    responses(
        (status = 200, description = "Prometheus metrics", content_type = "text/plain"),
        (status = 401, description = "`unauthenticated`: the metrics token is missing or wrong", body = ErrorBody),
        (status = 404, description = "No token is configured and the client is not on this machine", body = ErrorBody),
    )
)]
#[get("/metrics")]
pub(crate) async fn metrics(state: web::Data<HttpState>, req: HttpRequest) -> Result<HttpResponse, ApiError> {
    let authorization = req.headers().get(header::AUTHORIZATION).and_then(|value| value.to_str().ok());
    // The direct peer: forwarded headers could claim anything.
    let peer = req.peer_addr().map(|peer| peer.ip());
    may_read_metrics(state.metrics_token_sha256.as_ref(), authorization, peer).map_err(ApiError)?;
    Ok(HttpResponse::Ok().content_type("text/plain; version=0.0.4").body(state.metrics.render()))
}

/// With a token configured, its bearers; without one, clients on this machine only.
fn may_read_metrics(
    token_sha256: Option<&[u8; 32]>,
    authorization: Option<&str>,
    peer: Option<std::net::IpAddr>,
) -> Result<(), AppError> {
    match token_sha256 {
        Some(expected) => {
            let presented = authorization
                .and_then(|value| value.split_once(' '))
                .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
                .map(|(_, token)| <[u8; 32]>::from(Sha256::digest(token.trim().as_bytes())));
            // Digests are compared, so the time taken says nothing about the token.
            if presented.as_ref() == Some(expected) {
                Ok(())
            } else {
                Err(AppError::Unauthenticated {
                    code: ErrorCode::Unauthenticated,
                    message: "the metrics token is missing or wrong",
                })
            }
        }
        None if peer.is_some_and(|ip| ip.is_loopback()) => Ok(()),
        None => Err(AppError::NotFound { message: "not found" }),
    }
}

#[cfg(test)]
mod tests {
    use std::net::IpAddr;

    use super::*;

    #[test]
    fn without_a_token_only_this_machine_reads_metrics() {
        let local: IpAddr = "127.0.0.1".parse().unwrap();
        let remote: IpAddr = "203.0.113.9".parse().unwrap();
        assert!(may_read_metrics(None, None, Some(local)).is_ok());
        assert!(may_read_metrics(None, None, Some("::1".parse().unwrap())).is_ok());
        assert_eq!(may_read_metrics(None, None, Some(remote)).unwrap_err().code(), ErrorCode::NotFound);
        assert!(may_read_metrics(None, None, None).is_err());
    }

    #[test]
    fn with_a_token_only_its_bearers_read_metrics_wherever_they_are() {
        let token: [u8; 32] = Sha256::digest(b"scrape").into();
        let remote: IpAddr = "203.0.113.9".parse().unwrap();
        assert!(may_read_metrics(Some(&token), Some("Bearer scrape"), Some(remote)).is_ok());
        let local: IpAddr = "127.0.0.1".parse().unwrap();
        for wrong in [None, Some("Bearer scrapE"), Some("Basic scrape"), Some("scrape")] {
            let error = may_read_metrics(Some(&token), wrong, Some(local)).unwrap_err();
            assert_eq!(error.code(), ErrorCode::Unauthenticated, "{wrong:?}");
        }
    }
}
