//! Optimistic concurrency on the wire (API.md "Concurrency"): a resource's version
//! is its `ETag`, and `If-Match` carries the version a client read back to us.

use std::convert::Infallible;
use std::future::{ready, Ready};

use actix_web::dev::Payload;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{FromRequest, HttpRequest};

/// The strong entity tag of a version: `.insert_header(etag(version))`.
pub fn etag(version: i64) -> (header::HeaderName, String) {
    (header::ETAG, format!("\"{version}\""))
}

/// The version a write is based on, from `If-Match`: `None` without the header or
/// with `*`; a value that names no version of ours can never match (the use case
/// then answers 412). For Tenantry's routes and products' alike.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IfMatch(pub Option<i64>);

impl FromRequest for IfMatch {
    type Error = Infallible;
    type Future = Ready<Result<Self, Infallible>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(Ok(IfMatch(req.headers().get(header::IF_MATCH).and_then(parse_if_match))))
    }
}

fn parse_if_match(value: &HeaderValue) -> Option<i64> {
    let text = value.to_str().ok()?.trim();
    if text == "*" {
        return None;
    }
    let tag = text.strip_prefix("W/").unwrap_or(text);
    Some(tag.trim_matches('"').parse().unwrap_or(-1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_strong_weak_and_wildcard_tags() {
        let parse = |text: &'static str| parse_if_match(&HeaderValue::from_static(text));
        assert_eq!(parse("\"3\""), Some(3));
        assert_eq!(parse("W/\"12\""), Some(12));
        assert_eq!(parse("*"), None);
        assert_eq!(parse("\"abc\""), Some(-1), "a foreign tag never matches");
        assert_eq!(etag(4).1, "\"4\"");
    }
}
