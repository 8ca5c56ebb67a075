//! The cucumber [`World`](cucumber::World) shared by every Tenantry feature.

use std::collections::HashMap;
use std::fmt;
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, Context as _};
use reqwest::header::{HeaderMap, AUTHORIZATION, CONTENT_TYPE};
use reqwest::Method;
use serde_json::{json, Value};
use tenantry_server::testing::{TestApp, TestBackend};
use tenantry_server::Settings;

use crate::json;

/// Password given to every user created through the step library: long and uncommon
/// enough for the password policy (OWASP ASVS 2.1), so features that are not about
/// passwords never trip over it.
pub const DEFAULT_PASSWORD: &str = "correct horse battery staple";

/// Domain of the e-mail addresses the step library makes up (`alice@example.test`).
/// `.test` is reserved by RFC 2606, so no mail can ever leave a test run.
pub const EMAIL_DOMAIN: &str = "example.test";

/// How long steps wait for a message to reach the server's mailbox: mail may be
/// written by a background task after the request that caused it was answered.
pub const MAIL_DELIVERY_TIMEOUT: Duration = Duration::from_secs(10);

/// One scenario's view of a running Tenantry: the server, an HTTP client, the users
/// the scenario created and the last responses it received.
///
/// # Which backend, and when the server starts
///
/// The database backend is a property of the *run*, not of a scenario: the same
/// features run once on SQLite and once on PostgreSQL. The runner tells each fresh
/// world which backend it belongs to from a cucumber `before` hook
/// ([`TenantryWorld::use_backend`]); [`crate::run_features`] does this for you. A
/// hook argument rather than a process-wide `static` keeps two runs on different
/// backends in one process (or two embedding suites) from stepping on each other.
///
/// The server itself is spawned lazily, by the first step that needs it
/// ([`TenantryWorld::app`]), over a database of its own, so a failure to start it
/// is reported as that step's failure with its cause rather than as an anonymous
/// hook panic. The runner's `after` hook calls [`TenantryWorld::shutdown`], which
/// stops the server and drops the database.
///
/// # Extending it
///
/// Embedding products write their own steps against `&mut TenantryWorld`
/// (cucumber collects every `#[given]`/`#[when]`/`#[then]` for this type that is
/// linked into the test binary) and reuse [`TenantryWorld::send`],
/// [`TenantryWorld::last_response`], [`TenantryWorld::user`] and
/// [`TenantryWorld::interpolate`].
#[derive(cucumber::World)]
#[world(init = Self::new)]
pub struct TenantryWorld {
    backend: Option<TestBackend>,
    app: Option<TestApp>,
    client: reqwest::Client,
    users: HashMap<String, Account>,
    organizations: HashMap<String, Organization>,
    /// Per address, how many messages it had received before the last invitation
    /// the scenario sent to it: the invitation's own mail is the one after those.
    mails_before_invitation: HashMap<String, usize>,
    remembered: HashMap<String, String>,
    next_headers: Vec<(String, String)>,
    /// Server settings this scenario changes (`auth.require_verified_email`...),
    /// applied when its server is spawned.
    setting_overrides: Vec<(String, String)>,
    last: Option<RecordedResponse>,
    previous: Option<RecordedResponse>,
}

/// A user the scenario knows by a short name (`"alice"`), with the credentials it
/// registered and the tokens of its current session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    pub email: String,
    pub password: String,
    pub display_name: String,
    /// Set once the registration answered 201.
    pub id: Option<String>,
    pub access_token: Option<String>,
    pub refresh_token: Option<String>,
    /// The refresh token the last successful refresh rotated away.
    pub previous_refresh_token: Option<String>,
}

impl Account {
    /// An account with the library's defaults: `<name>@example.test`, the
    /// [`DEFAULT_PASSWORD`] and the capitalised name as display name.
    pub fn for_name(name: &str) -> Self {
        Self::with_email(name, &format!("{name}@{EMAIL_DOMAIN}"))
    }

    pub fn with_email(name: &str, email: &str) -> Self {
        let mut chars = name.chars();
        let display_name = chars.next().map(|first| first.to_uppercase().chain(chars).collect()).unwrap_or_default();
        Self {
            email: email.to_owned(),
            password: DEFAULT_PASSWORD.to_owned(),
            display_name,
            id: None,
            access_token: None,
            refresh_token: None,
            previous_refresh_token: None,
        }
    }
}

/// An organization the scenario knows by a short name (`"acme"`): the one it was
/// created with, which is also its name on the server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Organization {
    pub name: String,
    pub id: String,
    pub slug: String,
    /// The scenario's name of the user who created it (its first owner).
    pub creator: String,
}

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

impl fmt::Debug for TenantryWorld {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TenantryWorld")
            .field("backend", &self.backend.map(|b| b.name()))
            .field("base_url", &self.app.as_ref().map(|a| a.base_url.as_str()))
            .field("users", &self.users.keys().collect::<Vec<_>>())
            .field("organizations", &self.organizations.keys().collect::<Vec<_>>())
            .field("remembered", &self.remembered)
            .field("last_status", &self.last.as_ref().map(|r| r.status))
            .finish_non_exhaustive()
    }
}

/// The settings a scenario may change, by their configuration key.
fn apply_settings(settings: &mut Settings, overrides: &[(String, String)]) -> anyhow::Result<()> {
    for (key, value) in overrides {
        let number = || value.parse::<u32>().with_context(|| format!("{key} takes a number, not {value:?}"));
        match key.as_str() {
            "auth.require_verified_email" => {
                settings.auth.require_verified_email =
                    value.parse().with_context(|| format!("{key} takes true or false, not {value:?}"))?;
            }
            "rate_limit.api_per_second" => settings.rate_limit.api_per_second = number()?,
            "rate_limit.api_burst" => settings.rate_limit.api_burst = number()?,
            "rate_limit.credentials_per_minute" => settings.rate_limit.credentials_per_minute = number()?,
            "rate_limit.credentials_burst" => settings.rate_limit.credentials_burst = number()?,
            "files.max_upload_bytes" => {
                settings.files.max_upload_bytes =
                    value.parse().with_context(|| format!("{key} takes a number, not {value:?}"))?;
            }
            "files.allowed_content_types" => {
                settings.files.allowed_content_types = value.split(',').map(|t| t.trim().to_owned()).collect();
            }
            "server.cors_allowed_origins" => {
                settings.server.cors_allowed_origins = value.split(',').map(|o| o.trim().to_owned()).collect();
            }
            "server.public_url" => settings.server.public_url = Some(value.clone()),
            "server.metrics_token" => settings.server.metrics_token = Some(value.clone().into()),
            other => anyhow::bail!("the acceptance kit cannot change the setting {other:?}"),
        }
    }
    Ok(())
}

impl TenantryWorld {
    /// A world with no backend yet: see [`TenantryWorld::use_backend`].
    ///
    /// # Errors
    /// When the HTTP client cannot be built.
    pub fn new() -> anyhow::Result<Self> {
        let client = reqwest::Client::builder()
            // Assertions are about what the server answers, not where it leads.
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(30))
            .build()
            .context("building the HTTP client")?;
        Ok(Self {
            backend: None,
            app: None,
            client,
            users: HashMap::new(),
            organizations: HashMap::new(),
            mails_before_invitation: HashMap::new(),
            remembered: HashMap::new(),
            next_headers: Vec::new(),
            setting_overrides: Vec::new(),
            last: None,
            previous: None,
        })
    }

    /// Chooses the database backend of this scenario's server; called by the
    /// runner's `before` hook, before any step.
    pub fn use_backend(&mut self, backend: TestBackend) {
        self.backend = Some(backend);
    }

    pub fn backend(&self) -> Option<TestBackend> {
        self.backend
    }

    /// The scenario's server, spawned on first use over a fresh database.
    ///
    /// # Errors
    /// When no backend was chosen or the server does not start.
    pub async fn app(&mut self) -> anyhow::Result<&TestApp> {
        if self.app.is_none() {
            let backend = self.backend.ok_or_else(|| {
                anyhow!(
                    "no database backend chosen for this scenario: run the features with \
                     tenantry_acceptance::run_features, or call TenantryWorld::use_backend \
                     from a `before` hook"
                )
            })?;
            let overrides = self.setting_overrides.clone();
            let mut invalid = Ok(());
            let app = TestApp::spawn_with(backend, |settings| invalid = apply_settings(settings, &overrides))
                .await
                .map_err(|e| anyhow!("spawning a Tenantry server on {}: {e:#}", backend.name()))?;
            self.app = Some(app);
            invalid?;
        }
        Ok(self.app.as_ref().expect("spawned above"))
    }

    /// Changes a server setting for this scenario; only before its server starts
    /// (the first request spawns it).
    ///
    /// # Errors
    /// When the server is already running.
    pub fn override_setting(&mut self, key: &str, value: &str) -> anyhow::Result<()> {
        anyhow::ensure!(self.app.is_none(), "server settings must be given before the first request");
        self.setting_overrides.push((key.to_owned(), value.to_owned()));
        Ok(())
    }

    /// Stops the server (if one was spawned) and drops its database.
    pub async fn shutdown(&mut self) {
        if let Some(app) = self.app.take() {
            app.shutdown().await;
        }
    }

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

    /// Remembers a value for `{name}` placeholders.
    pub fn remember(&mut self, name: impl Into<String>, value: impl Into<String>) {
        self.remembered.insert(name.into(), value.into());
    }

    /// # Errors
    /// When the scenario has no user by that name.
    pub fn user(&self, name: &str) -> anyhow::Result<&Account> {
        self.users.get(name).ok_or_else(|| self.unknown_user(name))
    }

    /// # Errors
    /// When the scenario has no user by that name.
    pub fn user_mut(&mut self, name: &str) -> anyhow::Result<&mut Account> {
        if !self.users.contains_key(name) {
            return Err(self.unknown_user(name));
        }
        Ok(self.users.get_mut(name).expect("checked above"))
    }

    fn unknown_user(&self, name: &str) -> anyhow::Error {
        let mut known: Vec<_> = self.users.keys().map(String::as_str).collect();
        known.sort_unstable();
        anyhow!("no user {name:?} in this scenario (known: {known:?}); register it first")
    }

    /// The access token of a logged-in user.
    ///
    /// # Errors
    /// When the user is unknown or has not logged in.
    pub fn access_token(&self, name: &str) -> anyhow::Result<String> {
        self.user(name)?.access_token.clone().ok_or_else(|| anyhow!("{name:?} has no access token: log in first"))
    }

    /// Registers `account` under `name` through `POST /api/v1/auth/register` and
    /// records its id on 201. The account is known to the scenario whatever the
    /// answer, so a rejected registration can still be asserted on.
    ///
    /// # Errors
    /// When the server cannot be reached.
    pub async fn register(&mut self, name: &str, account: Account) -> anyhow::Result<()> {
        let body = json!({
            "email": account.email,
            "password": account.password,
            "display_name": account.display_name,
        });
        self.users.insert(name.to_owned(), account);
        let response = self.send(ApiRequest::post("/api/v1/auth/register").json(&body)).await?;
        let id = (response.status == 201).then(|| response.json_at("id").ok()?.as_str().map(str::to_owned)).flatten();
        if let Some(id) = id {
            self.user_mut(name)?.id = Some(id);
        }
        Ok(())
    }

    /// Logs a known user in with `password` (its own when `None`), keeping the
    /// token pair on 200.
    ///
    /// # Errors
    /// When the user is unknown or the server cannot be reached.
    pub async fn log_in(&mut self, name: &str, email: Option<&str>, password: Option<&str>) -> anyhow::Result<()> {
        let account = self.user(name)?;
        let body = json!({
            "email": email.unwrap_or(&account.email),
            "password": password.unwrap_or(&account.password),
        });
        self.send(ApiRequest::post("/api/v1/auth/login").json(&body)).await?;
        self.keep_token_pair(name)
    }

    /// How a refresh token is presented to `POST /api/v1/auth/refresh`.
    ///
    /// # Errors
    /// When the user is unknown, holds no such token, or the server cannot be reached.
    pub async fn refresh(
        &mut self,
        name: &str,
        which: WhichRefreshToken,
        carrier: RefreshCarrier,
    ) -> anyhow::Result<()> {
        let account = self.user(name)?;
        let token = match which {
            WhichRefreshToken::Current => account.refresh_token.clone(),
            WhichRefreshToken::Previous => account.previous_refresh_token.clone(),
        }
        .ok_or_else(|| anyhow!("{name:?} holds no {which:?} refresh token"))?;
        let request = ApiRequest::post("/api/v1/auth/refresh");
        let request = match carrier {
            RefreshCarrier::Header => request.header("X-Refresh-Token", token),
            RefreshCarrier::Body => request.json(&json!({ "refresh_token": token })),
        };
        self.send(request).await?;
        self.keep_token_pair(name)
    }

    /// Logs a user out with its access token (`POST /api/v1/auth/logout`). The tokens
    /// stay with the account so the scenario can show they no longer work.
    ///
    /// # Errors
    /// When the user is unknown, has not logged in, or the server cannot be reached.
    pub async fn log_out(&mut self, name: &str) -> anyhow::Result<()> {
        let token = self.access_token(name)?;
        self.send(ApiRequest::post("/api/v1/auth/logout").bearer(token)).await?;
        Ok(())
    }

    /// After a 200 carrying a token pair, makes it the user's current session.
    fn keep_token_pair(&mut self, name: &str) -> anyhow::Result<()> {
        let response = self.last_response()?;
        if response.status != 200 {
            return Ok(());
        }
        let token = |field: &str| -> anyhow::Result<String> {
            response
                .json_at(field)?
                .as_str()
                .map(str::to_owned)
                .ok_or_else(|| anyhow!("{field:?} is not a string\n{response}"))
        };
        let (access, refresh) = (token("access_token")?, token("refresh_token")?);
        let account = self.user_mut(name)?;
        account.access_token = Some(access);
        account.previous_refresh_token = account.refresh_token.replace(refresh);
        Ok(())
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

    /// Makes `name` a registered, logged-in user, registering it with the library's
    /// defaults ([`Account::for_name`]) if the scenario does not know it and logging
    /// it in if it holds no access token; returns that token. Meant for `Given`
    /// steps: any refusal on the way is an error.
    ///
    /// # Errors
    /// When registration or login does not succeed.
    pub async fn ensure_logged_in(&mut self, name: &str) -> anyhow::Result<String> {
        if !self.users.contains_key(name) {
            self.register(name, Account::for_name(name)).await?;
            self.expect_status(201, &format!("registering {name:?}"))?;
        }
        if self.user(name)?.access_token.is_none() {
            self.log_in(name, None, None).await?;
            self.expect_status(200, &format!("logging {name:?} in"))?;
        }
        self.access_token(name)
    }

    /// # Errors
    /// When the scenario has no organization by that name.
    pub fn organization(&self, name: &str) -> anyhow::Result<&Organization> {
        self.organizations.get(name).ok_or_else(|| {
            let mut known: Vec<_> = self.organizations.keys().map(String::as_str).collect();
            known.sort_unstable();
            anyhow!("no organization {name:?} in this scenario (known: {known:?}); create it first")
        })
    }

    /// Makes an organization known to the scenario (and to `{name.id}` placeholders).
    pub fn add_organization(&mut self, organization: Organization) {
        self.organizations.insert(organization.name.clone(), organization);
    }

    /// `POST /api/v1/organizations` as the logged-in `creator`, named `name`, with
    /// `slug` when given (the server derives one otherwise). On 201 the organization
    /// is known to the scenario as `name`.
    ///
    /// # Errors
    /// When `creator` has not logged in, the server cannot be reached, or a 201
    /// lacks `id` or `slug`.
    pub async fn create_organization(&mut self, creator: &str, name: &str, slug: Option<&str>) -> anyhow::Result<()> {
        let token = self.access_token(creator)?;
        let mut body = json!({ "name": name });
        if let Some(slug) = slug {
            body["slug"] = json!(slug);
        }
        let response = self.send(ApiRequest::post("/api/v1/organizations").bearer(token).json(&body)).await?;
        if response.status != 201 {
            return Ok(());
        }
        let text = |field: &str| -> anyhow::Result<String> {
            response
                .json_at(field)?
                .as_str()
                .map(str::to_owned)
                .ok_or_else(|| anyhow!("{field:?} is not a string\n{response}"))
        };
        let organization =
            Organization { name: name.to_owned(), id: text("id")?, slug: text("slug")?, creator: creator.to_owned() };
        self.add_organization(organization);
        Ok(())
    }

    /// An addressee as steps write it: an e-mail address (interpolated) when the text
    /// holds an `@`, otherwise the e-mail of the scenario's user by that name.
    ///
    /// # Errors
    /// When it is neither an address nor a known user, or a placeholder is unknown.
    pub fn email_of(&self, who: &str) -> anyhow::Result<String> {
        let who = self.interpolate(who)?;
        if who.contains('@') {
            return Ok(who);
        }
        Ok(self.user(&who)?.email.clone())
    }

    /// `POST /api/v1/organizations/{id}/invitations` as `inviter`. On 201 the
    /// number of messages `email` had before is noted, so that
    /// [`TenantryWorld::latest_invitation_token`] waits for this invitation's mail.
    ///
    /// # Errors
    /// When the inviter has not logged in, the organization is unknown or the server
    /// cannot be reached.
    pub async fn invite(&mut self, inviter: &str, organization: &str, email: &str, role: &str) -> anyhow::Result<()> {
        let token = self.access_token(inviter)?;
        let path = format!("/api/v1/organizations/{}/invitations", self.organization(organization)?.id);
        let body = json!({ "email": email, "role": role });
        let before = self.mails_to(email).await?.len();
        let status = self.send(ApiRequest::post(path).bearer(token).json(&body)).await?.status;
        if status == 201 {
            self.mails_before_invitation.insert(email.to_owned(), before);
        }
        Ok(())
    }

    /// Waits until the server's background work caught up with every request so far
    /// (events consumed, jobs done): the way to assert that nothing more happens.
    ///
    /// # Errors
    /// When the server cannot be spawned or does not settle in time.
    pub async fn settle(&mut self) -> anyhow::Result<()> {
        self.app().await?.settle().await
    }

    /// The raw messages the server's mailer wrote to `email`, oldest first.
    ///
    /// # Errors
    /// When the server cannot be spawned.
    pub async fn mails_to(&mut self, email: &str) -> anyhow::Result<Vec<String>> {
        Ok(self.app().await?.mails_to(email))
    }

    /// The token of the latest invitation mailed to `email`, waiting for the mail of
    /// the last invitation the scenario sent there (any invitation mail when the
    /// scenario sent none itself).
    ///
    /// # Errors
    /// When no such mail arrives in time.
    pub async fn latest_invitation_token(&mut self, email: &str) -> anyhow::Result<String> {
        let before = self.mails_before_invitation.get(email).copied().unwrap_or(0);
        self.invitation_token(email, before).await
    }

    /// The token of the latest invitation mailed to `email`, once more than
    /// `mails_before` messages have reached that address: mail may be written by a
    /// background task after the request that caused it has been answered, so this
    /// waits up to [`MAIL_DELIVERY_TIMEOUT`].
    ///
    /// # Errors
    /// When no such mail arrives in time.
    pub async fn invitation_token(&mut self, email: &str, mails_before: usize) -> anyhow::Result<String> {
        let deadline = Instant::now() + MAIL_DELIVERY_TIMEOUT;
        loop {
            let app = self.app().await?;
            let count = app.mails_to(email).len();
            if count > mails_before {
                if let Some(token) = app.latest_invitation_token(email) {
                    return Ok(token);
                }
            }
            if Instant::now() >= deadline {
                bail!(
                    "no invitation token mailed to {email} within {MAIL_DELIVERY_TIMEOUT:?} \
                     ({count} messages to that address, {mails_before} expected before the invitation)"
                );
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// `POST /api/v1/invitations/{token}/accept`, as `who` (their bearer token) or
    /// anonymously.
    ///
    /// # Errors
    /// When `who` has not logged in or the server cannot be reached.
    pub async fn accept_invitation(&mut self, who: Option<&str>, token: &str) -> anyhow::Result<()> {
        let mut request = ApiRequest::post(format!("/api/v1/invitations/{token}/accept"));
        if let Some(name) = who {
            request = request.bearer(self.access_token(name)?);
        }
        self.send(request).await?;
        Ok(())
    }

    /// Makes `name` a member of `organization` with `role` the way a person would
    /// become one: the organization's creator invites them, the token is read from
    /// the invitation mail, and they accept it. Registers and logs in `name` (and
    /// logs the creator in) as needed; every step must succeed.
    ///
    /// # Errors
    /// When any of those requests is refused or the mail does not arrive.
    pub async fn add_member(&mut self, name: &str, organization: &str, role: &str) -> anyhow::Result<()> {
        let creator = self.organization(organization)?.creator.clone();
        self.ensure_logged_in(&creator).await?;
        self.ensure_logged_in(name).await?;
        let email = self.user(name)?.email.clone();
        self.invite(&creator, organization, &email, role).await?;
        self.expect_status(201, &format!("{creator:?} inviting {email} to {organization:?} as {role:?}"))?;
        let token = self.latest_invitation_token(&email).await?;
        self.accept_invitation(Some(name), &token).await?;
        self.expect_status(200, &format!("{name:?} accepting the invitation to {organization:?}"))
    }

    /// Replaces `{placeholders}` in feature text:
    /// - `{alice.email}`, `{alice.password}`, `{alice.display_name}`, `{alice.id}`,
    ///   `{alice.access_token}`, `{alice.refresh_token}`,
    ///   `{alice.previous_refresh_token}` for a user of the scenario;
    /// - `{acme.id}`, `{acme.slug}`, `{acme.name}` for an organization of the
    ///   scenario (a user of the same name wins);
    /// - `{response.<path>}` for a value of the last response's JSON body;
    /// - `{name}` for a value remembered with
    ///   `the response JSON at "<path>" is remembered as "<name>"`.
    ///
    /// Braces around anything else (JSON objects, spaces, quotes) are left alone; an
    /// unknown placeholder is an error rather than being sent as is.
    ///
    /// # Errors
    /// When a placeholder names nothing known.
    pub fn interpolate(&self, text: &str) -> anyhow::Result<String> {
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        while let Some(open) = rest.find('{') {
            out.push_str(&rest[..open]);
            let after = &rest[open + 1..];
            match after.find('}') {
                Some(close) if is_placeholder(&after[..close]) => {
                    out.push_str(&self.resolve(&after[..close])?);
                    rest = &after[close + 1..];
                }
                _ => {
                    out.push('{');
                    rest = after;
                }
            }
        }
        out.push_str(rest);
        Ok(out)
    }

    fn resolve(&self, key: &str) -> anyhow::Result<String> {
        let (head, tail) = key.split_once('.').unwrap_or((key, ""));
        if let Some(account) = self.users.get(head) {
            let value = match tail {
                "email" => Some(account.email.clone()),
                "password" => Some(account.password.clone()),
                "display_name" => Some(account.display_name.clone()),
                "id" => account.id.clone(),
                "access_token" => account.access_token.clone(),
                "refresh_token" => account.refresh_token.clone(),
                "previous_refresh_token" => account.previous_refresh_token.clone(),
                other => bail!("{{{key}}}: users have no field {other:?}"),
            };
            return value.ok_or_else(|| anyhow!("{{{key}}}: {head:?} has no {tail} yet"));
        }
        if let Some(organization) = self.organizations.get(head) {
            return match tail {
                "id" => Ok(organization.id.clone()),
                "slug" => Ok(organization.slug.clone()),
                "name" => Ok(organization.name.clone()),
                other => bail!("{{{key}}}: organizations have no field {other:?}"),
            };
        }
        if head == "response" {
            let value = self.last_response()?.json_at(tail)?;
            return Ok(json::as_text(value));
        }
        self.remembered
            .get(key)
            .cloned()
            .ok_or_else(|| anyhow!("{{{key}}} names no user, organization, response value or remembered value"))
    }
}

/// Which of a user's refresh tokens to present.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WhichRefreshToken {
    Current,
    /// The one the last successful refresh rotated away.
    Previous,
}

/// Where the refresh token travels (API.md allows both).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefreshCarrier {
    Header,
    Body,
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

fn is_placeholder(inner: &str) -> bool {
    let mut chars = inner.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn world_with_alice() -> TenantryWorld {
        let mut world = TenantryWorld::new().unwrap();
        let mut alice = Account::for_name("alice");
        alice.id = Some("0190-id".into());
        world.users.insert("alice".into(), alice);
        world.remember("org_id", "0190-org");
        world.add_organization(Organization {
            name: "acme".into(),
            id: "0190-acme".into(),
            slug: "acme-corp".into(),
            creator: "alice".into(),
        });
        world
    }

    #[test]
    fn interpolates_organizations() {
        let world = world_with_alice();
        assert_eq!(
            world.interpolate("/api/v1/organizations/{acme.id}/members/{alice.id} {acme.slug}").unwrap(),
            "/api/v1/organizations/0190-acme/members/0190-id acme-corp"
        );
        assert!(world.interpolate("{acme.owner}").is_err());
    }

    #[test]
    fn addressees_are_emails_or_users() {
        let world = world_with_alice();
        assert_eq!(world.email_of("alice").unwrap(), "alice@example.test");
        assert_eq!(world.email_of("bob@example.test").unwrap(), "bob@example.test");
        assert_eq!(world.email_of("{alice.email}").unwrap(), "alice@example.test");
        assert!(world.email_of("bob").is_err());
    }

    #[test]
    fn interpolates_users_and_remembered_values() {
        let world = world_with_alice();
        assert_eq!(
            world.interpolate("/api/v1/users/{alice.id}?org={org_id}").unwrap(),
            "/api/v1/users/0190-id?org=0190-org"
        );
    }

    #[test]
    fn leaves_json_braces_alone() {
        let world = world_with_alice();
        let body = r#"{"email": "{alice.email}", "nested": {"a": {}}}"#;
        assert_eq!(world.interpolate(body).unwrap(), r#"{"email": "alice@example.test", "nested": {"a": {}}}"#);
    }

    #[test]
    fn refuses_unknown_placeholders() {
        let world = world_with_alice();
        assert!(world.interpolate("{bob.email}").is_err());
        assert!(world.interpolate("{alice.refresh_token}").is_err());
    }

    #[test]
    fn default_accounts_capitalise_the_display_name() {
        let account = Account::for_name("alice");
        assert_eq!(account.email, "alice@example.test");
        assert_eq!(account.display_name, "Alice");
    }
}
