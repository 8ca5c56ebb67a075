//! The composition root of Tenantry: configuration, wiring of adapters to ports,
//! the HTTP server and the `tenantry` CLI. An embedding product builds a
//! [`Tenantry`] and mounts `tenantry_http::configure(tenantry.http_state())` on
//! its own actix `App`.

pub mod config;
mod consumers;
mod contexts;
pub mod module;
mod read_models;
pub mod serve;
pub mod telemetry;
#[cfg(feature = "testing")]
pub mod testing;
mod worker;

use std::sync::Arc;

use anyhow::Context;
use tenantry_application::files::{BinPurger, FilePolicy, ThumbnailJobs};
use tenantry_application::jobs::{JobHandler, JobRunner};
use tenantry_application::pipeline::InTransactionReaction;
use tenantry_application::ports::{FileStore, Mailer, MembershipCache, RateLimiter};
use tenantry_application::{Application, ApplicationPorts, AuthPolicy};
use tenantry_http::HttpState;
use tenantry_infrastructure::cache::InProcessMembershipCache;
use tenantry_infrastructure::crypto::{Argon2Hasher, JwtFileLinkSigner, JwtTokenIssuer, KeyRing, Sha256OpaqueTokens};
use tenantry_infrastructure::events::{InProcessEventBus, OutboxRelay, RelayHandle};
use tenantry_infrastructure::images::ImageThumbnailer;
use tenantry_infrastructure::mail::FileMailer;
use tenantry_infrastructure::rate_limit::{InProcessRateLimiter, RateQuota};
use tenantry_infrastructure::storage::{LocalFileStore, S3FileStore, S3Settings};
use tenantry_infrastructure::Database;
use tenantry_kernel::{Clock, SystemClock};
use tokio::sync::Notify;

pub use crate::config::Settings;
pub use crate::module::{ModuleContext, ModuleParts, TenantryModule};

/// A wired Tenantry: the application, its database and its background tasks.
pub struct Tenantry {
    app: Arc<Application>,
    rate_limiter: Option<Arc<dyn RateLimiter>>,
    cors_allowed_origins: Vec<String>,
    request_timeout: std::time::Duration,
    public_url: Option<String>,
    metrics_token: Option<secrecy::SecretString>,
    database: Database,
    events: InProcessEventBus,
    relay: RelayHandle,
    /// Every event consumer: Tenantry's read models and the modules'.
    consumers: Vec<consumers::RunningConsumer>,
    /// The modules' HTTP parts and documents, mounted by `http_state`.
    module_http: Vec<Arc<dyn tenantry_http::HttpModule>>,
    module_documents: Vec<tenantry_http::ModuleDocument>,
    jobs: JobRunner,
    purger: Arc<BinPurger>,
    worker: Option<worker::WorkerHandle>,
}

impl Tenantry {
    /// Connects to the configured database (migrating it when configured to),
    /// wires every adapter and starts the outbox relay.
    ///
    /// # Errors
    /// Unreachable database, failed migration, unusable signing secret.
    pub async fn build(settings: &Settings) -> anyhow::Result<Self> {
        Self::builder(settings.clone()).build().await
    }

    /// Wiring with adapters of the product's choosing; what it does not override
    /// comes from `settings`, as with [`Tenantry::build`].
    pub fn builder(settings: Settings) -> TenantryBuilder {
        TenantryBuilder {
            settings,
            mailer: None,
            file_store: None,
            rate_limiter: None,
            clock: None,
            membership_cache: None,
            reactions: Vec::new(),
            job_handlers: Vec::new(),
            modules: contexts::default_modules(),
        }
    }
    /// Runs background jobs in this process until Ctrl-C or SIGTERM (`tenantry
    /// worker`); a job in progress finishes first.
    ///
    /// # Errors
    /// When the signal handler cannot be installed.
    pub async fn work_until_stopped(&self, poll_interval_ms: u64) -> anyhow::Result<()> {
        let handle = worker::spawn(self.jobs.clone(), self.purger.clone(), poll_interval_ms);
        worker::stop_signal().await.context("waiting for a stop signal")?;
        handle.stop().await;
        Ok(())
    }

    pub fn application(&self) -> &Arc<Application> {
        &self.app
    }

    pub fn database(&self) -> &Database {
        &self.database
    }

    /// The in-process event bus: subscribe to receive every committed domain event.
    pub fn events(&self) -> &InProcessEventBus {
        &self.events
    }

    /// State for `tenantry_http::configure`, with the configured rate limits, CORS
    /// allow-list and request budget.
    pub fn http_state(&self) -> HttpState {
        let mut state = HttpState::new(self.app.clone())
            .with_cors_allowed_origins(self.cors_allowed_origins.clone())
            .with_request_timeout(self.request_timeout);
        if let Some(limiter) = &self.rate_limiter {
            state = state.with_rate_limiter(limiter.clone());
        }
        if let Some(url) = &self.public_url {
            state = state.with_public_url(url.clone());
        }
        if let Some(token) = &self.metrics_token {
            use secrecy::ExposeSecret;
            state = state.with_metrics_token(token.expose_secret());
        }
        for module in &self.module_http {
            state = state.with_module(module.clone());
        }
        for document in &self.module_documents {
            state = state.with_document(document.clone());
        }
        state
    }

    /// Removes files binned more than `older_than_days` ago, and their blobs no
    /// other version references (`tenantry files purge`).
    ///
    /// # Errors
    /// Storage failures.
    pub async fn purge_bin(&self, older_than_days: u32) -> anyhow::Result<tenantry_application::files::PurgeReport> {
        self.purger
            .purge(chrono::Duration::days(i64::from(older_than_days)))
            .await
            .map_err(|failure| anyhow::anyhow!("purging the bin: {failure}"))
    }

    /// Whether all work caused by what has committed so far is done: the outbox is
    /// empty, every consumer (read models, notifications, modules) has handled every published event,
    /// and no job is due or running. What tests wait for before asserting that
    /// nothing (more) happens, instead of sleeping.
    ///
    /// # Errors
    /// Storage failures.
    pub async fn is_settled(&self) -> anyhow::Result<bool> {
        use tenantry_application::ports::JobState;
        if self.database.outbox().pending().await? > 0 {
            return Ok(false);
        }
        let published = self.events.published();
        if self.consumers.iter().any(|c| c.handled.load(std::sync::atomic::Ordering::SeqCst) < published) {
            return Ok(false);
        }
        let jobs = self.database.job_store();
        if !jobs.list(Some(JobState::Running), 1).await?.is_empty() {
            return Ok(false);
        }
        let now = chrono::Utc::now();
        Ok(!jobs.list(Some(JobState::Queued), 1_000).await?.iter().any(|job| job.run_at <= now))
    }

    /// Waits until [`Tenantry::is_settled`] holds, checking every 20 ms.
    ///
    /// # Errors
    /// Still busy after `timeout`, or storage failures.
    pub async fn settled(&self, timeout: std::time::Duration) -> anyhow::Result<()> {
        let deadline = tokio::time::Instant::now() + timeout;
        while !self.is_settled().await? {
            anyhow::ensure!(
                tokio::time::Instant::now() < deadline,
                "background work did not settle within {timeout:?}"
            );
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        Ok(())
    }

    /// Empties the read models and replays every committed event into them.
    ///
    /// # Errors
    /// Storage failures.
    pub async fn rebuild_read_models(&self) -> anyhow::Result<u64> {
        read_models::rebuild(&self.app, &self.database).await
    }

    /// Stops background tasks and closes the pool.
    pub async fn shutdown(self) {
        if let Some(worker) = self.worker {
            worker.stop().await;
        }
        self.relay.shutdown().await;
        for consumer in self.consumers {
            consumer.task.abort();
        }
        self.database.close().await;
    }
}

/// How a product wires Tenantry: `Tenantry::builder(settings)`, the overrides it
/// needs, then `build()`. Every adapter it does not name is the configured default.
pub struct TenantryBuilder {
    settings: Settings,
    mailer: Option<Arc<dyn Mailer>>,
    file_store: Option<Arc<dyn FileStore>>,
    rate_limiter: Option<Option<Arc<dyn RateLimiter>>>,
    clock: Option<Arc<dyn Clock>>,
    membership_cache: Option<Arc<dyn MembershipCache>>,
    reactions: Vec<Arc<dyn InTransactionReaction>>,
    job_handlers: Vec<Arc<dyn JobHandler>>,
    modules: Vec<Arc<dyn TenantryModule>>,
}

impl TenantryBuilder {
    /// Adds a bounded context: its migrations, permissions, reactions, routes,
    /// OpenAPI paths, consumers and jobs (see [`TenantryModule`]).
    pub fn module(mut self, module: impl TenantryModule) -> Self {
        self.modules.push(Arc::new(module));
        self
    }

    /// The OpenAPI document of Tenantry with these modules, as the server will serve
    /// it (`tenantry openapi`); needs no database.
    pub fn openapi(&self) -> utoipa::openapi::OpenApi {
        let documents: Vec<_> = self.modules.iter().map(|m| m.document()).collect();
        tenantry_http::openapi_with(&documents)
    }

    /// Leaves out one of Tenantry's optional contexts (`"projects"`, `"notifications"`):
    /// its routes, documents and consumers are not started. Its tables stay in the schema.
    pub fn without_module(mut self, name: &str) -> Self {
        self.modules.retain(|module| module.name() != name);
        self
    }

    /// Sends Tenantry's mail (verification, reset, invitations) through `mailer`.
    pub fn with_mailer(mut self, mailer: Arc<dyn Mailer>) -> Self {
        self.mailer = Some(mailer);
        self
    }

    /// Keeps file contents in `store` instead of the configured one.
    pub fn with_file_store(mut self, store: Arc<dyn FileStore>) -> Self {
        self.file_store = Some(store);
        self
    }

    /// Counts requests with `limiter` (a shared store when instances scale out).
    pub fn with_rate_limiter(mut self, limiter: Arc<dyn RateLimiter>) -> Self {
        self.rate_limiter = Some(Some(limiter));
        self
    }

    /// Serves without rate limits (a product that limits at its own edge).
    pub fn without_rate_limiter(mut self) -> Self {
        self.rate_limiter = Some(None);
        self
    }

    /// Tells time by `clock` (tests, simulations).
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = Some(clock);
        self
    }

    /// Caches memberships in `cache` (a shared one when instances scale out).
    pub fn with_membership_cache(mut self, cache: Arc<dyn MembershipCache>) -> Self {
        self.membership_cache = Some(cache);
        self
    }

    /// Runs `reaction` in the transaction of every command that records its event:
    /// the product's rows commit or roll back with Tenantry's.
    pub fn reaction(mut self, reaction: Arc<dyn InTransactionReaction>) -> Self {
        self.reactions.push(reaction);
        self
    }

    /// Runs the product's jobs of `handler.kind()` on Tenantry's durable queue.
    pub fn job_handler(mut self, handler: Arc<dyn JobHandler>) -> Self {
        self.job_handlers.push(handler);
        self
    }

    /// Connects to the configured database (migrating it when configured to),
    /// wires every adapter and starts the outbox relay and the job worker.
    ///
    /// # Errors
    /// Unreachable database, failed migration, unusable signing secret or settings.
    pub async fn build(self) -> anyhow::Result<Tenantry> {
        let TenantryBuilder {
            settings,
            mailer,
            file_store,
            rate_limiter: limiter_override,
            clock,
            membership_cache,
            mut reactions,
            job_handlers: host_jobs,
            modules,
        } = self;
        let settings = &settings;
        let names: Vec<&str> = modules.iter().map(|m| m.name()).collect();
        if let Some(twice) = names.iter().enumerate().find_map(|(i, n)| names[..i].contains(n).then_some(n)) {
            anyhow::bail!("the module {twice:?} is registered twice");
        }
        for module in &modules {
            for code in module.document().error_codes {
                check_module_code(module.name(), code)?;
            }
        }
        let module_migrations: Vec<_> = modules.iter().filter_map(|m| m.migrations()).collect();
        let schemas: Vec<&str> = module_migrations.iter().map(|m| m.schema).collect();
        let url = settings.database_url();
        let database = Database::connect_with_schemas(&url, settings.database.max_connections, &schemas)
            .await
            .with_context(|| format!("connecting to {}", config::redact_url(&url)))?;
        if settings.database.migrate_on_start {
            database.migrate_up_with(&module_migrations).await.context("applying migrations")?;
        }
        let permissions =
            tenantry_application::tenancy::permission_catalogue(modules.iter().flat_map(|m| m.permissions()).collect())
                .context("the permission catalogue")?;
        reactions.extend(modules.iter().flat_map(|m| m.reactions()));
        let mut readiness: Vec<Arc<dyn tenantry_application::ports::HealthCheck>> = vec![database.health_check()];
        readiness.extend(modules.iter().flat_map(|m| m.readiness()));
        let keys = signing_keys(settings)?;
        let token_issuer = JwtTokenIssuer::new(&keys);
        let password_hasher = Argon2Hasher::owasp().map_err(|e| anyhow::anyhow!(e)).context("argon2 parameters")?;

        let outbox_signal = Arc::new(Notify::new());
        let events = InProcessEventBus::default();
        let units_of_work = database.units_of_work(outbox_signal.clone());
        let file_store = match file_store {
            Some(store) => store,
            None => file_store_of(settings)?,
        };
        let clock: Arc<dyn Clock> = clock.unwrap_or_else(|| Arc::new(SystemClock));
        let thumbnails = ThumbnailJobs::new(
            units_of_work.clone(),
            file_store.clone(),
            Arc::new(ImageThumbnailer),
            clock.clone(),
            settings.files.max_upload_bytes,
        );
        let purger = Arc::new(BinPurger::new(
            units_of_work.clone(),
            file_store.clone(),
            database.job_store(),
            clock.clone(),
            settings.files.bin_retention_days,
        ));
        let app = Application::new(ApplicationPorts {
            units_of_work: units_of_work.clone(),
            identity_queries: database.identity_queries(),
            password_hasher: Arc::new(password_hasher),
            token_issuer: Arc::new(token_issuer),
            opaque_tokens: Arc::new(Sha256OpaqueTokens),
            tenancy_queries: database.tenancy_queries(),
            project_queries: database.project_queries(),
            audit_queries: database.audit_queries(),
            project_summaries: database.project_summaries(),
            idempotency: database.idempotency_store(),
            file_store,
            file_queries: database.file_queries(),
            file_policy: FilePolicy {
                max_upload_bytes: settings.files.max_upload_bytes,
                allowed_content_types: settings.files.allowed_content_types.clone(),
                link_ttl_seconds: settings.files.link_ttl_seconds,
                max_link_ttl_seconds: settings.files.max_link_ttl_seconds,
            },
            file_links: Arc::new(JwtFileLinkSigner::new(&keys)),
            membership_cache: membership_cache.unwrap_or_else(|| {
                Arc::new(InProcessMembershipCache::new(std::time::Duration::from_secs(30), 100_000, clock.clone()))
            }),
            mailer: mailer
                .unwrap_or_else(|| Arc::new(FileMailer::new(settings.mail_dir(), settings.mail.from.clone()))),
            health: Arc::new(AllReady(readiness)),
            clock: clock.clone(),
            policy: AuthPolicy { require_verified_email: settings.auth.require_verified_email },
            reactions,
            permissions: Arc::new(permissions),
        });
        let app = Arc::new(app);
        let mut job_handlers: Vec<Arc<dyn JobHandler>> = vec![Arc::new(thumbnails), purger.clone()];
        job_handlers.extend(app.job_handlers());
        job_handlers.extend(host_jobs);
        // Every consumer subscribes before the relay starts, so none misses an event.
        let mut running_consumers = Vec::new();
        let mut module_http = Vec::new();
        for module in &modules {
            let context = module::ModuleContext {
                name: module.name(),
                application: &app,
                units_of_work: units_of_work.clone(),
                clock: clock.clone(),
                database: &database,
                settings,
            };
            let parts = module.start(&context).with_context(|| format!("starting the module {:?}", module.name()))?;
            module_http.extend(parts.http);
            job_handlers.extend(parts.job_handlers);
            running_consumers
                .extend(parts.consumers.into_iter().map(|c| consumers::spawn(c, database.clone(), events.subscribe())));
        }
        let relay = OutboxRelay::new(database.outbox(), Arc::new(events.clone()), outbox_signal.clone()).spawn();
        let jobs = JobRunner::new(database.job_store(), job_handlers, clock);
        Ok(Tenantry {
            app,
            rate_limiter: limiter_override.unwrap_or_else(|| rate_limiter(&settings.rate_limit)),
            cors_allowed_origins: settings.server.cors_allowed_origins.clone(),
            public_url: settings.server.public_url()?,
            metrics_token: settings.server.metrics_token()?,
            request_timeout: std::time::Duration::from_secs(settings.server.request_timeout_seconds.max(1)),
            database,
            events,
            relay,
            consumers: running_consumers,
            module_http,
            module_documents: modules.iter().map(|m| m.document()).collect(),
            worker: match settings.jobs.run_in_server {
                true => Some(worker::spawn(jobs.clone(), purger.clone(), settings.jobs.poll_interval_ms)),
                false => None,
            },
            jobs,
            purger,
        })
    }
}

/// A module's own error code is snake_case and none of Tenantry's, so a client can
/// rely on what a code means.
fn check_module_code(module: &str, code: tenantry_application::ErrorCode) -> anyhow::Result<()> {
    use tenantry_application::ErrorCode;
    let ErrorCode::Module(text) = code else { return Ok(()) };
    let snake = text.bytes().next().is_some_and(|b| b.is_ascii_lowercase())
        && text.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
    anyhow::ensure!(snake, "the module {module:?} declares the error code {text:?}: codes are snake_case");
    anyhow::ensure!(
        !ErrorCode::ALL.iter().any(|builtin| builtin.as_str() == text),
        "the module {module:?} declares the error code {text:?}, which is Tenantry's own: use the built-in code, or name one of its own"
    );
    Ok(())
}

/// Ready when the database and every module's checks are.
struct AllReady(Vec<Arc<dyn tenantry_application::ports::HealthCheck>>);

#[async_trait::async_trait]
impl tenantry_application::ports::HealthCheck for AllReady {
    async fn check(&self) -> Result<(), tenantry_application::ports::RepositoryError> {
        for check in &self.0 {
            check.check().await?;
        }
        Ok(())
    }
}

fn rate_limiter(settings: &config::RateLimitSettings) -> Option<Arc<dyn RateLimiter>> {
    if !settings.enabled {
        tracing::warn!("rate limiting is disabled (rate_limit.enabled = false)");
        return None;
    }
    let api = RateQuota {
        requests: settings.api_per_second,
        period: std::time::Duration::from_secs(1),
        burst: settings.api_burst,
    };
    let credentials = RateQuota {
        requests: settings.credentials_per_minute,
        period: std::time::Duration::from_secs(60),
        burst: settings.credentials_burst,
    };
    Some(Arc::new(InProcessRateLimiter::new(api, credentials)))
}

/// The configured blob store: the local directory, or an S3-compatible bucket.
fn file_store_of(settings: &Settings) -> anyhow::Result<Arc<dyn tenantry_application::ports::FileStore>> {
    use secrecy::ExposeSecret;
    match settings.files.store.as_str() {
        "local" => Ok(Arc::new(LocalFileStore::new(settings.files_dir()))),
        "s3" => {
            let s3 = settings.files.s3.as_ref().context("files.store = \"s3\" needs a [files.s3] section")?;
            let store = S3FileStore::new(&S3Settings {
                bucket: s3.bucket.clone(),
                region: s3.region.clone(),
                endpoint: s3.endpoint.clone(),
                access_key_id: s3.access_key_id.clone(),
                secret_access_key: s3.secret_access_key.expose_secret().to_owned(),
                prefix: s3.prefix.clone(),
            })
            .map_err(|error| anyhow::anyhow!("files.s3: {error}"))?;
            Ok(Arc::new(store))
        }
        other => anyhow::bail!("files.store must be \"local\" or \"s3\", not {other:?}"),
    }
}

/// The configured key ring, or a first key generated under `data_dir`.
fn signing_keys(settings: &Settings) -> anyhow::Result<KeyRing> {
    let dir = settings.keys_dir();
    if let Some(ring) = KeyRing::load(&dir).context("auth.keys_dir")? {
        return Ok(ring);
    }
    let key = KeyRing::add_generated(&dir, chrono::Utc::now()).context("generating a signing key")?;
    tracing::warn!(dir = %dir.display(), kid = %key.kid, "no signing keys found: generated an Ed25519 key (keep this directory secret and shared by every server process; `tenantry keys rotate` adds keys)");
    KeyRing::new(vec![key]).context("the generated key")
}
