//! JSON request decoding: bodies that are not valid JSON, have unknown fields or the
//! wrong types are answered in the API error shape, never with actix's plain text.

use actix_web::error::JsonPayloadError;
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest};
use serde::de::DeserializeOwned;
use serde::Deserialize;
use tenantry_application::ErrorCode;

use crate::error::{http_error, ErrorDetail};

/// Auth bodies are tiny; anything bigger is refused before parsing.
pub(crate) const JSON_LIMIT_BYTES: usize = 64 * 1024;

pub(crate) fn json_config() -> web::JsonConfig {
    web::JsonConfig::default().limit(JSON_LIMIT_BYTES).error_handler(json_error)
}

/// A path segment that does not parse (`/organizations/not-a-uuid`) names nothing: 404.
pub(crate) fn path_config() -> web::PathConfig {
    web::PathConfig::default().error_handler(|error, _| {
        let response = http_error(StatusCode::NOT_FOUND, ErrorCode::NotFound, "not found", vec![]);
        actix_web::error::InternalError::from_response(error, response).into()
    })
}

/// Query strings that do not parse (`?page=abc`, `?order=sideways`) are a 400 in the API shape.
pub(crate) fn query_config() -> web::QueryConfig {
    web::QueryConfig::default().error_handler(|error, _| {
        let text = error.to_string();
        let response = http_error(
            StatusCode::BAD_REQUEST,
            ErrorCode::ValidationFailed,
            format!("the query string is invalid: {text}"),
            vec![ErrorDetail { field: "query".to_owned(), issue: "invalid".to_owned() }],
        );
        actix_web::error::InternalError::from_response(error, response).into()
    })
}

fn json_error(error: JsonPayloadError, _: &HttpRequest) -> actix_web::Error {
    let response = match &error {
        JsonPayloadError::ContentType => http_error(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ErrorCode::UnsupportedMediaType,
            "send the body as application/json",
            vec![],
        ),
        JsonPayloadError::Overflow { .. } | JsonPayloadError::OverflowKnownLength { .. } => http_error(
            StatusCode::PAYLOAD_TOO_LARGE,
            ErrorCode::PayloadTooLarge,
            format!("the body exceeds {JSON_LIMIT_BYTES} bytes"),
            vec![],
        ),
        JsonPayloadError::Deserialize(serde_error) => malformed(serde_error),
        _ => http_error(
            StatusCode::BAD_REQUEST,
            ErrorCode::MalformedRequest,
            "the request body could not be read",
            vec![],
        ),
    };
    actix_web::error::InternalError::from_response(error, response).into()
}

pub(crate) fn malformed(error: &serde_json::Error) -> actix_web::HttpResponse {
    let text = error.to_string();
    // serde names the offending field as "unknown field `x`" / "missing field `x`".
    let field = text.split('`').nth(1).map(str::to_owned);
    let issue = if text.starts_with("unknown field") {
        "unknown_field"
    } else if text.starts_with("missing field") {
        "required"
    } else if error.is_data() {
        "invalid_type"
    } else {
        "malformed_json"
    };
    let details = field.map(|field| vec![ErrorDetail { field, issue: issue.to_owned() }]).unwrap_or_default();
    let message = if error.is_data() {
        format!("the request body does not match the schema: {text}")
    } else {
        "the request body is not valid JSON".to_owned()
    };
    http_error(StatusCode::BAD_REQUEST, ErrorCode::MalformedRequest, message, details)
}

/// Decodes an optional JSON body by hand (for routes where the body is optional).
pub(crate) fn optional_body<T: DeserializeOwned>(bytes: &[u8]) -> Result<Option<T>, actix_web::Error> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(None);
    }
    serde_json::from_slice(bytes)
        .map(Some)
        .map_err(|e| actix_web::error::InternalError::from_response(e.to_string(), malformed(&e)).into())
}

/// Reads a body by hand up to the JSON limit, answering 413 in the API shape beyond it.
pub(crate) async fn read_limited(mut payload: web::Payload) -> Result<web::BytesMut, actix_web::Error> {
    use futures::StreamExt;
    let mut body = web::BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk?;
        if body.len() + chunk.len() > JSON_LIMIT_BYTES {
            let response = http_error(
                StatusCode::PAYLOAD_TOO_LARGE,
                ErrorCode::PayloadTooLarge,
                format!("the body exceeds {JSON_LIMIT_BYTES} bytes"),
                vec![],
            );
            return Err(actix_web::error::InternalError::from_response("body too large", response).into());
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// For PATCH bodies: tells an absent field (`None`) from an explicit `null`
/// (`Some(None)`, which clears it). Use with `#[serde(default, deserialize_with = ...)]`.
pub(crate) fn present_or_null<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: serde::Deserialize<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}
