//! Requests to the API under test and the responses the scenario records.

use std::fmt;

use anyhow::{anyhow, bail};
use reqwest::header::{HeaderMap, AUTHORIZATION, CONTENT_TYPE};
use reqwest::Method;
use serde_json::Value;

use super::TenantryWorld;
use crate::json;

/// A request to the API under test, relative to the server's base URL.
#[derive(Debug, Clone)]
pub struct ApiRequest {
    pub method: Method,
    pub path: String,
    pub bearer: Option<String>,
    pub headers: Vec<(String, String)>,
    /// Sent verbatim as `application/json` (it may deliberately be malformed).
    pub json_body: Option<String>,
    /// Sent as `multipart/form-data` with one part `file`.
    pub upload: Option<Upload>,
}

/// A file sent as the `file` part of a multipart body, after any text `fields`.
#[derive(Debug, Clone)]
pub struct Upload {
    pub file_name: String,
    pub content: Vec<u8>,
    pub fields: Vec<(String, String)>,
}

impl Upload {
    const BOUNDARY: &'static str = "tenantry-acceptance-boundary-7d1f";

    fn content_type() -> String {
        format!("multipart/form-data; boundary={}", Self::BOUNDARY)
    }

    fn body(&self) -> Vec<u8> {
        let mut body = Vec::new();
        for (name, value) in &self.fields {
            body.extend_from_slice(
                format!(
                    "--{b}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n",
                    b = Self::BOUNDARY
                )
                .as_bytes(),
            );
        }
        body.extend_from_slice(
            &format!(
                "--{b}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n\
             Content-Type: application/octet-stream\r\n\r\n",
                b = Self::BOUNDARY,
                name = self.file_name
            )
            .into_bytes(),
        );
        body.extend_from_slice(&self.content);
        body.extend_from_slice(format!("\r\n--{}--\r\n", Self::BOUNDARY).as_bytes());
        body
    }
}

impl ApiRequest {
    pub fn new(method: Method, path: impl Into<String>) -> Self {
        Self { method, path: path.into(), bearer: None, headers: Vec::new(), json_body: None, upload: None }
    }

    pub fn get(path: impl Into<String>) -> Self {
        Self::new(Method::GET, path)
    }

    pub fn post(path: impl Into<String>) -> Self {
        Self::new(Method::POST, path)
    }

    #[must_use]
    pub fn bearer(mut self, token: impl Into<String>) -> Self {
        self.bearer = Some(token.into());
        self
    }

    #[must_use]
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    #[must_use]
    pub fn json(mut self, body: &Value) -> Self {
        self.json_body = Some(body.to_string());
        self
    }

    #[must_use]
    pub fn raw_json(mut self, body: impl Into<String>) -> Self {
        self.json_body = Some(body.into());
        self
    }
}

/// What came back for one request, kept for the `Then` steps; its `Display` is the
/// exchange as a failure message shows it.
#[derive(Debug, Clone)]
pub struct RecordedResponse {
    pub method: Method,
    pub path: String,
    /// Headers the step set (bearer token included), in the order sent.
    pub request_headers: Vec<(String, String)>,
    pub request_body: Option<String>,
    pub status: u16,
    pub headers: HeaderMap,
    pub body: String,
    /// The body parsed as JSON, when it is JSON.
    pub json: Option<Value>,
}

impl RecordedResponse {
    /// The parsed JSON body, or an error quoting the exchange.
    ///
    /// # Errors
    /// When the body is not JSON.
    pub fn json(&self) -> anyhow::Result<&Value> {
        self.json.as_ref().ok_or_else(|| anyhow!("the response body is not JSON\n{self}"))
    }

    /// The value at a dotted path (`details.0.field`) of the JSON body.
    ///
    /// # Errors
    /// When the body is not JSON or has nothing at `path`.
    pub fn json_at(&self, path: &str) -> anyhow::Result<&Value> {
        json::lookup(self.json()?, path).ok_or_else(|| anyhow!("the response JSON has nothing at {path:?}\n{self}"))
    }

    /// A header's value as text, if present and valid UTF-8.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

impl fmt::Display for RecordedResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "  request:  {} {}", self.method, self.path)?;
        for (name, value) in &self.request_headers {
            writeln!(f, "            {name}: {value}")?;
        }
        if let Some(body) = &self.request_body {
            writeln!(f, "            {body}")?;
        }
        writeln!(f, "  response: {}", self.status)?;
        for (name, value) in &self.headers {
            writeln!(f, "            {name}: {}", value.to_str().unwrap_or("<binary>"))?;
        }
        const SHOWN: usize = 2_000;
        if self.body.len() > SHOWN {
            let cut = (0..=SHOWN).rev().find(|i| self.body.is_char_boundary(*i)).unwrap_or(0);
            write!(f, "            {}... ({} bytes)", &self.body[..cut], self.body.len())
        } else {
            write!(f, "            {}", self.body)
        }
    }
}

impl TenantryWorld {
    /// Sends a request (plus any headers queued for the next request) and records
    /// the response as the last one.
    ///
    /// # Errors
    /// When the server cannot be spawned or reached; an HTTP error status is not an
    /// error here, it is recorded for the `Then` steps.
    pub async fn send(&mut self, request: ApiRequest) -> anyhow::Result<&RecordedResponse> {
        let url = self.app().await?.url(&request.path);
        let mut builder = self.client.request(request.method.clone(), &url);
        let bearer = request.bearer.as_ref().map(|token| (AUTHORIZATION.to_string(), format!("Bearer {token}")));
        let request_headers: Vec<_> =
            bearer.into_iter().chain(self.next_headers.drain(..)).chain(request.headers).collect();
        for (name, value) in &request_headers {
            builder = builder.header(name, value);
        }
        if let Some(body) = &request.json_body {
            builder = builder.header(CONTENT_TYPE, "application/json").body(body.clone());
        }
        if let Some(upload) = &request.upload {
            builder = builder.header(CONTENT_TYPE, Upload::content_type()).body(upload.body());
        }
        let response = builder
            .send()
            .await
            .map_err(|e| anyhow!("{} {url} did not get an answer: {}", request.method, causes(&e)))?;
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let body = response
            .text()
            .await
            .map_err(|e| anyhow!("reading the body of {} {url} failed: {}", request.method, causes(&e)))?;
        let json = serde_json::from_str(&body).ok();
        let recorded = RecordedResponse {
            method: request.method,
            path: request.path,
            request_headers,
            request_body: request.json_body.or_else(|| {
                request.upload.as_ref().map(|u| format!("(multipart: {} bytes as {:?})", u.content.len(), u.file_name))
            }),
            status,
            headers,
            body,
            json,
        };
        self.previous = self.last.replace(recorded);
        Ok(self.last.as_ref().expect("just recorded"))
    }

    /// The last response received.
    ///
    /// # Errors
    /// When no request was sent yet.
    pub fn last_response(&self) -> anyhow::Result<&RecordedResponse> {
        self.last.as_ref().ok_or_else(|| anyhow!("no request has been sent yet in this scenario"))
    }

    /// The response received before the last one.
    ///
    /// # Errors
    /// When fewer than two requests were sent.
    pub fn previous_response(&self) -> anyhow::Result<&RecordedResponse> {
        self.previous.as_ref().ok_or_else(|| anyhow!("fewer than two requests have been sent in this scenario"))
    }

    /// Adds a header to the next request only.
    pub fn queue_header(&mut self, name: impl Into<String>, value: impl Into<String>) {
        self.next_headers.push((name.into(), value.into()));
    }

    /// Fails with the whole exchange unless the last response has status `expected`;
    /// `doing` says what the request was for ("registering \"alice\"").
    ///
    /// # Errors
    /// When no request was sent or the status differs.
    pub fn expect_status(&self, expected: u16, doing: &str) -> anyhow::Result<()> {
        let response = self.last_response()?;
        if response.status != expected {
            bail!("{doing}: expected {expected}, got {}\n{response}", response.status);
        }
        Ok(())
    }
}

/// An error with its sources: reqwest's own `Display` stops at "error sending
/// request", which hides the useful part ("connection refused").
fn causes(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
