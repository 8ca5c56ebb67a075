//! The composition root of Tenantry: configuration, wiring of adapters to ports,
//! the HTTP server and the `tenantry` CLI. An embedding product builds a
//! [`Tenantry`] and mounts `tenantry_http::configure(tenantry.http_state())` on
//! its own actix `App`.

pub mod cli;
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
use tenantry_application::audit::Audit;
use tenantry_application::files::BinPurger;
use tenantry_application::identity::{AuthPolicy, Identity, IdentityPorts};
use tenantry_application::jobs::{JobHandler, JobRunner};
use tenantry_application::pipeline::InTransactionReaction;
use tenantry_application::ports::FileStore;
use tenantry_application::ports::{Mailer, RateLimiter};
use tenantry_application::tenancy::ports::MembershipCache;
use tenantry_application::tenancy::{Tenancy, TenancyPorts, TenantGuard};
use tenantry_application::{Platform, PlatformPorts};
use tenantry_http::HttpState;
use tenantry_infrastructure::cache::InProcessMembershipCache;
use tenantry_infrastructure::crypto::{Argon2Hasher, JwtTokenIssuer, KeyRing, Sha256OpaqueTokens};
use tenantry_infrastructure::events::{InProcessEventBus, OutboxRelay, RelayHandle};
use tenantry_infrastructure::mail::FileMailer;
use tenantry_infrastructure::rate_limit::{InProcessRateLimiter, RateQuota};
use tenantry_infrastructure::storage::{LocalFileStore, S3FileStore, S3Settings};
use tenantry_infrastructure::{Database, SqlRepositories};
use tenantry_kernel::{Clock, SystemClock};
use tokio::sync::Notify;

pub use crate::config::Settings;
pub use crate::contexts::{FilesModule, NotificationsModule, ProjectsModule};
pub use crate::module::{ModuleContext, ModuleParts, Services, TenantryModule};

/// A wired Tenantry: the platform, the contexts' services, its database and its
/// background tasks.
pub struct Tenantry {
    platform: Arc<Platform>,
    identity: Arc<Identity>,
    tenancy: Arc<Tenancy>,
    audit: Arc<Audit>,
    /// Every context's published service, Tenantry's and the modules'.
    services: Services,
    /// The modules' seed steps.
    seed_steps: Vec<Arc<dyn tenantry_seeds::SeedStep>>,
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
        let handle = worker::spawn(self.jobs.clone(), poll_interval_ms);
        worker::stop_signal().await.context("waiting for a stop signal")?;
        handle.stop().await;
        Ok(())
    }

    /// The command and query pipelines every context runs on.
    pub fn platform(&self) -> &Arc<Platform> {
        &self.platform
    }

    pub fn identity(&self) -> &Arc<Identity> {
        &self.identity
    }

    pub fn tenancy(&self) -> &Arc<Tenancy> {
        &self.tenancy
    }

    pub fn audit(&self) -> &Arc<Audit> {
        &self.audit
    }

    /// Loads a seed set (or one step of it): Tenantry's steps, then the modules'.
    ///
    /// # Errors
    /// An unknown step, or the first step that fails (earlier ones stay committed).
    pub async fn seed(
        &self,
        set: tenantry_seeds::SeedSet,
        step: Option<&str>,
        admin: &tenantry_seeds::AdminSeed,
        progress: impl FnMut(&tenantry_seeds::StepOutcome),
    ) -> Result<Vec<tenantry_seeds::StepOutcome>, tenantry_seeds::SeedError> {
        let core = tenantry_seeds::CoreContexts { identity: &self.identity, tenancy: &self.tenancy };
        tenantry_seeds::run(core, &self.seed_steps, set, step, admin, progress).await
    }

    /// A context's published service: `Identity`, `Tenancy`, `Audit`, `Platform`,
    /// or a module's (`Projects`, `Files`, `Notifications`, a product's own); `None`
    /// when the module that publishes it is left out.
    pub fn service<T: Send + Sync + 'static>(&self) -> Option<Arc<T>> {
        self.services.get()
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
        let mut state =
            HttpState::new(self.platform.clone(), self.identity.clone(), self.tenancy.clone(), self.audit.clone())
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
        self.service::<BinPurger>()
            .context("the files module is not started, so there is no bin to purge")?
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
        let consumers: Vec<_> = self.consumers.iter().map(|running| running.consumer.clone()).collect();
        read_models::rebuild(&consumers, &self.database).await
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

    /// The modules' migrations, which `tenantry migrate` applies with Tenantry's as
    /// one history.
    pub fn migrations(&self) -> Vec<tenantry_infrastructure::ModuleMigrations> {
        self.modules.iter().filter_map(|m| m.migrations()).collect()
    }

    /// Leaves out one of Tenantry's optional contexts (`"projects"`, `"files"`, `"notifications"`):
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
            reactions: host_reactions,
            job_handlers: host_jobs,
            modules,
        } = self;
        let settings = &settings;
        let names: Vec<&str> = modules.iter().map(|m| m.name()).collect();
        if let Some(twice) = names.iter().enumerate().find_map(|(i, n)| names[..i].contains(n).then_some(n)) {
            anyhow::bail!("the module {twice:?} is registered twice");
        }
        let documents: Vec<_> = modules.iter().map(|m| m.document()).collect();
        for (module, document) in modules.iter().zip(&documents) {
            for code in &document.error_codes {
                check_module_code(module.name(), *code)?;
            }
        }
        check_documented_routes(modules.iter().map(|m| m.name()).zip(&documents))?;
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
        // The contexts' own reactions first (Tenantry's departures among them), then the
        // host's, which see the contexts' writes.
        let mut reactions: Vec<_> = modules.iter().flat_map(|m| m.reactions()).collect();
        reactions.extend(host_reactions);
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
        let mailer: Arc<dyn Mailer> =
            mailer.unwrap_or_else(|| Arc::new(FileMailer::new(settings.mail_dir(), settings.mail.from.clone())));
        let clock: Arc<dyn Clock> = clock.unwrap_or_else(|| Arc::new(SystemClock));
        let membership_cache = membership_cache.unwrap_or_else(|| {
            Arc::new(InProcessMembershipCache::new(std::time::Duration::from_secs(30), 100_000, clock.clone()))
        });
        let guard = Arc::new(TenantGuard::new(database.tenancy_queries(), membership_cache, Arc::new(permissions)));
        let platform = Arc::new(Platform::new(PlatformPorts {
            units_of_work,
            clock: clock.clone(),
            authority: guard.clone(),
            reactions,
            idempotency: database.idempotency_store(),
            health: Arc::new(AllReady(readiness)),
        }));
        let opaque_tokens = Arc::new(Sha256OpaqueTokens);
        let identity = Arc::new(Identity::new(
            platform.clone(),
            IdentityPorts {
                queries: database.identity_queries(),
                password_hasher: Arc::new(password_hasher),
                token_issuer: Arc::new(token_issuer),
                opaque_tokens: opaque_tokens.clone(),
                mailer: mailer.clone(),
                policy: AuthPolicy { require_verified_email: settings.auth.require_verified_email },
                repositories: Arc::new(SqlRepositories),
            },
        ));
        let tenancy = Arc::new(Tenancy::new(
            platform.clone(),
            TenancyPorts {
                queries: database.tenancy_queries(),
                identity_queries: database.identity_queries(),
                opaque_tokens,
                mailer: mailer.clone(),
                guard,
                repositories: Arc::new(SqlRepositories),
                accounts: Arc::new(SqlRepositories),
            },
        ));
        let audit = Arc::new(Audit::new(platform.clone(), database.audit_queries()));
        let mut services = Services::default();
        services.publish(platform.clone()).publish(identity.clone()).publish(tenancy.clone()).publish(audit.clone());
        let mut job_handlers: Vec<Arc<dyn JobHandler>> = identity.job_handlers();
        // Every consumer subscribes before the relay starts, so none misses an event.
        let mut running_consumers = Vec::new();
        let mut module_http = Vec::new();
        let mut seed_steps = Vec::new();
        for module in &modules {
            let context = module::ModuleContext {
                name: module.name(),
                platform: &platform,
                services: &services,
                mailer: mailer.clone(),
                file_store: file_store.clone(),
                keys: &keys,
                database: &database,
                settings,
            };
            let parts = module.start(&context).with_context(|| format!("starting the module {:?}", module.name()))?;
            module_http.extend(parts.http);
            job_handlers.extend(parts.job_handlers);
            seed_steps.extend(parts.seeds);
            running_consumers
                .extend(parts.consumers.into_iter().map(|c| consumers::spawn(c, database.clone(), events.subscribe())));
            services.extend(parts.services).with_context(|| format!("starting the module {:?}", module.name()))?;
        }
        // The host's job handlers last: one kind has one handler, and the host's
        // replaces a context's (its thumbnails, say).
        job_handlers.extend(host_jobs);
        tenantry_seeds::check_step_names(&seed_steps)?;
        let relay = OutboxRelay::new(database.outbox(), Arc::new(events.clone()), outbox_signal.clone()).spawn();
        let jobs = JobRunner::new(database.job_store(), job_handlers, clock);
        Ok(Tenantry {
            platform,
            identity,
            tenancy,
            audit,
            services,
            seed_steps,
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
            module_documents: documents,
            worker: match settings.jobs.run_in_server {
                true => Some(worker::spawn(jobs.clone(), settings.jobs.poll_interval_ms)),
                false => None,
            },
            jobs,
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

/// Two parts documenting the same method and path would shadow each other (the
/// first one mounted answers), so a module cannot silently take over a route of
/// Tenantry's or of another module.
fn check_documented_routes<'a>(
    modules: impl Iterator<Item = (&'static str, &'a tenantry_http::ModuleDocument)>,
) -> anyhow::Result<()> {
    let core = tenantry_http::openapi();
    let documents = std::iter::once(("tenantry", Some(&core)))
        .chain(modules.map(|(name, document)| (name, document.openapi.as_ref())));
    let mut owners: std::collections::HashMap<(String, &'static str), &str> = std::collections::HashMap::new();
    for (owner, document) in documents {
        let Some(document) = document else { continue };
        for (path, item) in &document.paths.paths {
            let methods = [
                ("GET", item.get.is_some()),
                ("PUT", item.put.is_some()),
                ("POST", item.post.is_some()),
                ("DELETE", item.delete.is_some()),
                ("PATCH", item.patch.is_some()),
                ("HEAD", item.head.is_some()),
                ("OPTIONS", item.options.is_some()),
            ];
            for (method, _) in methods.into_iter().filter(|(_, declared)| *declared) {
                if let Some(first) = owners.insert((route_shape(path), method), owner) {
                    anyhow::bail!("the module {owner:?} declares {method} {path}, which {first:?} already serves");
                }
            }
        }
    }
    Ok(())
}

/// A path with its parameters unnamed (`/files/{}`): `/files/{id}` and `/files/{fid}`
/// are one route to the router.
fn route_shape(path: &str) -> String {
    path.split('/')
        .map(|segment| if segment.starts_with('{') && segment.ends_with('}') { "{}" } else { segment })
        .collect::<Vec<_>>()
        .join("/")
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
