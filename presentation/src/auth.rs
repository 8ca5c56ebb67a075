//! Extractors that build the application's `RequestContext`: `RequestMeta` for any
//! request, `Authenticated` for routes that need a bearer token.

use std::future::{ready, Future, Ready};
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{web, FromRequest, HttpMessage, HttpRequest};
use tenantry_application::ports::RateClass;
use tenantry_application::{AppError, ErrorCode, RequestContext};

use crate::error::ApiError;
use crate::telemetry::RequestId;
use crate::HttpState;

/// The request's id, peer address and user agent, without authentication.
pub struct RequestMeta(pub RequestContext);

fn context_of(req: &HttpRequest) -> RequestContext {
    let mut context = RequestContext::default();
    context.request_id = req.extensions().get::<RequestId>().map(|id| id.0.clone()).unwrap_or_default();
    // The direct peer: forwarded headers are only trustworthy behind a known proxy.
    context.ip = req.peer_addr().map(|addr| addr.ip().to_string());
    context.user_agent =
        req.headers().get(header::USER_AGENT).and_then(|v| v.to_str().ok()).map(|ua| ua.chars().take(256).collect());
    context
}

impl FromRequest for RequestMeta {
    type Error = actix_web::Error;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(Ok(RequestMeta(context_of(req))))
    }
}

/// A request whose bearer access token is valid and whose session is live.
pub struct Authenticated(pub RequestContext);

fn bearer_token(req: &HttpRequest) -> Result<String, ApiError> {
    let missing = || {
        ApiError(AppError::Unauthenticated { code: ErrorCode::Unauthenticated, message: "a bearer token is required" })
    };
    let value = req.headers().get(header::AUTHORIZATION).ok_or_else(missing)?;
    let value = value.to_str().map_err(|_| missing())?;
    match value.split_once(' ') {
        Some((scheme, token)) if scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty() => {
            Ok(token.trim().to_owned())
        }
        _ => Err(missing()),
    }
}

impl FromRequest for Authenticated {
    type Error = actix_web::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let token = bearer_token(&req)?;
            let state = req
                .app_data::<web::Data<HttpState>>()
                .ok_or_else(|| ApiError(AppError::internal(std::io::Error::other("HttpState is not registered"))))?;
            let principal = state.authenticate(&token).await.map_err(ApiError)?;
            if let Some(limiter) = &state.rate_limiter {
                let key = match principal.api_key() {
                    Some(grant) => format!("key:{}", grant.key_id),
                    None => format!("user:{}", principal.user_id),
                };
                match limiter.check(RateClass::Api, &key).await {
                    Ok(decision) if !decision.allowed => {
                        return Err(actix_web::error::InternalError::from_response(
                            "rate limited",
                            crate::edge::rate_limited(&decision),
                        )
                        .into())
                    }
                    Ok(_) => {}
                    Err(error) => tracing::warn!(error = %error, "rate limiter unavailable; request let through"),
                }
            }
            tracing::Span::current().record("user_id", tracing::field::display(principal.user_id));
            let mut context = context_of(&req);
            context.principal = Some(principal);
            Ok(Authenticated(context))
        })
    }
}
