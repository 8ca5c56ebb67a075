//! `Idempotency-Key` on POST (API.md): a retry with the same key and request gets
//! the first answer again (marked `Idempotent-Replayed: true`) instead of running
//! the command twice; the same key with another request gets 422. The request is
//! told apart by its method, target, tenant header, content type and body bytes.

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::web::{Bytes, BytesMut};
use actix_web::{HttpMessage, HttpResponse, ResponseError};
use futures::StreamExt;
use sha2::{Digest, Sha256};
use tenantry_application::idempotency::{IdempotencyKey, IdempotentRequest};
use tenantry_application::ports::StoredResponse;
use tenantry_application::{AppError, ErrorCode};

use std::sync::Arc;

use crate::HttpState;

use crate::error::{http_error, ApiError};

const IDEMPOTENCY_KEY: HeaderName = HeaderName::from_static("idempotency-key");
const REPLAYED: HeaderName = HeaderName::from_static("idempotent-replayed");
const TENANT_HEADER: &str = "x-tenant-id";

/// Bodies are read whole to be fingerprinted; JSON bodies are capped far below this.
const MAX_BODY_BYTES: usize = 1024 * 1024;

/// Headers a replayed answer carries again; the rest (request id, rate limits) are
/// the retry's own.
const KEPT_HEADERS: [HeaderName; 4] = [header::CONTENT_TYPE, header::LOCATION, header::ETAG, header::CACHE_CONTROL];

/// Runs a keyed POST at most once per caller and key; everything else passes through.
pub(crate) async fn idempotent(
    app: Arc<HttpState>,
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let raw_key = match req.headers().get(IDEMPOTENCY_KEY) {
        Some(value) if req.method() == Method::POST => value.to_str().unwrap_or("\u{0}").to_owned(),
        _ => return next.call(req).await.map(ServiceResponse::map_into_boxed_body),
    };
    let key = match IdempotencyKey::parse(&raw_key) {
        Ok(key) => key,
        Err(error) => return Ok(answer_error(req, AppError::Validation(error))),
    };
    let Some(scope) = caller_scope(&app, &req).await else {
        // Credentials that do not authenticate: the route answers 401 itself.
        return next.call(req).await.map(ServiceResponse::map_into_boxed_body);
    };
    let body = match read_body(&mut req).await {
        Ok(body) => body,
        Err(response) => return Ok(req.into_response(response)),
    };
    let request = IdempotentRequest { scope, key, fingerprint: fingerprint(&req, &body) };
    req.set_payload(Payload::from(body));

    match app.platform.idempotency().claim(&request).await {
        Ok(None) => {}
        Ok(Some(first)) => return Ok(req.into_response(replay(first))),
        Err(error) => return Ok(answer_error(req, error)),
    }
    // From here on the claim must be settled even if this future is dropped (the
    // request budget ran out, or the client went away): the guard frees the key.
    let claim = ClaimGuard { app: app.clone(), request: Some(request.clone()) };
    let response = match next.call(req).await {
        Ok(response) => response,
        Err(error) => {
            // No answer: the key is free for a retry.
            claim.settle();
            forget(&app, &request).await;
            return Err(error);
        }
    };
    claim.settle();
    let status = response.status();
    let no_store = response
        .headers()
        .get(header::CACHE_CONTROL)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("no-store"));
    let (http_request, response) = response.into_parts();
    let (response, body) = response.into_parts();
    let headers: Vec<(String, String)> = KEPT_HEADERS
        .iter()
        .filter_map(|name| {
            let value = response.headers().get(name)?.to_str().ok()?;
            Some((name.as_str().to_owned(), value.to_owned()))
        })
        .collect();
    // The command has run: keeping its answer must complete even if the request is
    // abandoned from here on (budget, disconnect), or a retry would run it again. A
    // task of its own is not dropped with this future.
    let keeper = actix_web::rt::spawn(async move {
        let Ok(bytes) = actix_web::body::to_bytes(body).await else {
            forget(&app, &request).await;
            return None;
        };
        let kept = StoredResponse { status: status.as_u16(), headers, body: bytes.to_vec() };
        if let Err(error) = app.platform.idempotency().finish(&request, &kept, no_store).await {
            // The command has committed; its answer still goes out. A retry will find
            // the key claimed until the claim is abandoned, then run again.
            tracing::warn!(error = %error, "could not keep the answer of an idempotent request");
        }
        Some(bytes)
    });
    match keeper.await {
        Ok(Some(bytes)) => Ok(ServiceResponse::new(http_request, response.set_body(bytes).map_into_boxed_body())),
        _ => {
            let error = ApiError(AppError::internal(std::io::Error::other("the response body could not be read")));
            Ok(ServiceResponse::new(http_request, error.error_response()))
        }
    }
}

/// Whose key this is: the authenticated user or API key, or the client address for
/// anonymous routes. `None` when the credentials do not authenticate.
async fn caller_scope(app: &HttpState, req: &ServiceRequest) -> Option<String> {
    let bearer = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, token)| token.trim().to_owned());
    match bearer {
        Some(token) => {
            let principal = app.authenticate(&token).await.ok()?;
            Some(match principal.api_key() {
                Some(grant) => format!("key:{}", grant.key_id),
                None => format!("user:{}", principal.user_id),
            })
        }
        None => Some(format!("ip:{}", req.peer_addr().map(|addr| addr.ip().to_string()).unwrap_or_default())),
    }
}

async fn read_body(req: &mut ServiceRequest) -> Result<Bytes, HttpResponse> {
    let mut payload = req.take_payload();
    let mut body = BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|_| {
            http_error(
                StatusCode::BAD_REQUEST,
                ErrorCode::MalformedRequest,
                "the request body could not be read",
                vec![],
            )
        })?;
        if body.len() + chunk.len() > MAX_BODY_BYTES {
            return Err(http_error(
                StatusCode::PAYLOAD_TOO_LARGE,
                ErrorCode::PayloadTooLarge,
                "requests with an Idempotency-Key are limited to 1 MiB",
                vec![],
            ));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body.freeze())
}

/// SHA-256 over what makes the request this request; fields are length-prefixed
/// so no two different requests share an encoding.
fn fingerprint(req: &ServiceRequest, body: &[u8]) -> String {
    let header_of = |name: &str| req.headers().get(name).map(HeaderValue::as_bytes).unwrap_or_default();
    let target = req.uri().path_and_query().map(|p| p.as_str()).unwrap_or_default();
    let mut digest = Sha256::new();
    for part in [
        req.method().as_str().as_bytes(),
        target.as_bytes(),
        header_of(TENANT_HEADER),
        header_of(header::CONTENT_TYPE.as_str()),
        body,
    ] {
        digest.update((part.len() as u64).to_be_bytes());
        digest.update(part);
    }
    hex::encode(digest.finalize())
}

fn replay(first: StoredResponse) -> HttpResponse {
    let status = StatusCode::from_u16(first.status).unwrap_or(StatusCode::OK);
    let mut response = HttpResponse::build(status);
    for (name, value) in &first.headers {
        response.insert_header((name.as_str(), value.as_str()));
    }
    response.insert_header((REPLAYED, HeaderValue::from_static("true")));
    response.body(first.body)
}

fn answer_error(req: ServiceRequest, error: AppError) -> ServiceResponse<BoxBody> {
    let in_progress = error.code() == ErrorCode::IdempotencyKeyInProgress;
    let mut response = ApiError(error).error_response();
    if in_progress {
        response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
    }
    req.into_response(response)
}

/// Frees a claimed key when the request is abandoned before it is settled.
struct ClaimGuard {
    app: Arc<HttpState>,
    request: Option<IdempotentRequest>,
}

impl ClaimGuard {
    /// The request reached an answer (or released the key itself): nothing to undo.
    fn settle(mut self) {
        self.request = None;
    }
}

impl Drop for ClaimGuard {
    fn drop(&mut self) {
        if let Some(request) = self.request.take() {
            let app = self.app.clone();
            actix_web::rt::spawn(async move { forget(&app, &request).await });
        }
    }
}

async fn forget(app: &HttpState, request: &IdempotentRequest) {
    if let Err(error) = app.platform.idempotency().abandon(request).await {
        tracing::warn!(error = %error, "could not release an idempotency key");
    }
}
