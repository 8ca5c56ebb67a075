//! The composition root of Tenantry: configuration, wiring of adapters to ports,
//! the HTTP server and the `tenantry` CLI. An embedding product builds a
//! [`Tenantry`] and mounts `tenantry_http::configure(tenantry.http_state())` on
//! its own actix `App`.

pub mod config;
pub mod serve;
pub mod telemetry;
#[cfg(feature = "testing")]
pub mod testing;

use std::path::Path;
use std::sync::Arc;

use anyhow::Context;
use secrecy::{ExposeSecret, SecretString};
use tenantry_application::{Application, ApplicationPorts};
use tenantry_http::HttpState;
use tenantry_infrastructure::cache::InProcessMembershipCache;
use tenantry_infrastructure::crypto::{random_secret, Argon2Hasher, JwtTokenIssuer, Sha256OpaqueTokens};
use tenantry_infrastructure::events::{InProcessEventBus, OutboxRelay, RelayHandle};
use tenantry_infrastructure::mail::FileMailer;
use tenantry_infrastructure::Database;
use tenantry_kernel::SystemClock;
use tokio::sync::Notify;

pub use crate::config::Settings;

/// A wired Tenantry: the application, its database and its background tasks.
pub struct Tenantry {
    app: Arc<Application>,
    database: Database,
    events: InProcessEventBus,
    relay: RelayHandle,
}

impl Tenantry {
    /// Connects to the configured database (migrating it when configured to),
    /// wires every adapter and starts the outbox relay.
    ///
    /// # Errors
    /// Unreachable database, failed migration, unusable signing secret.
    pub async fn build(settings: &Settings) -> anyhow::Result<Self> {
        let url = settings.database_url();
        let database = Database::connect(&url, settings.database.max_connections)
            .await
            .with_context(|| format!("connecting to {}", config::redact_url(&url)))?;
        if settings.database.migrate_on_start {
            database.migrate_up().await.context("applying migrations")?;
        }
        let secret = signing_secret(settings)?;
        let token_issuer = JwtTokenIssuer::hs256(&secret).context("auth.jwt_secret")?;
        let password_hasher = Argon2Hasher::owasp().map_err(|e| anyhow::anyhow!(e)).context("argon2 parameters")?;

        let outbox_signal = Arc::new(Notify::new());
        let events = InProcessEventBus::default();
        let relay = OutboxRelay::new(database.outbox(), Arc::new(events.clone()), outbox_signal.clone()).spawn();
        let app = Application::new(ApplicationPorts {
            units_of_work: database.units_of_work(outbox_signal),
            identity_queries: database.identity_queries(),
            password_hasher: Arc::new(password_hasher),
            token_issuer: Arc::new(token_issuer),
            opaque_tokens: Arc::new(Sha256OpaqueTokens),
            tenancy_queries: database.tenancy_queries(),
            membership_cache: Arc::new(InProcessMembershipCache::default()),
            mailer: Arc::new(FileMailer::new(settings.mail_dir(), settings.mail.from.clone())),
            health: database.health_check(),
            clock: Arc::new(SystemClock),
        });
        Ok(Self { app: Arc::new(app), database, events, relay })
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

    /// State for `tenantry_http::configure`.
    pub fn http_state(&self) -> HttpState {
        HttpState::new(self.app.clone())
    }

    /// Stops background tasks and closes the pool.
    pub async fn shutdown(self) {
        self.relay.shutdown().await;
        self.database.close().await;
    }
}

/// The configured secret, or the one generated under `data_dir` on first start.
fn signing_secret(settings: &Settings) -> anyhow::Result<SecretString> {
    if let Some(secret) = &settings.auth.jwt_secret {
        return Ok(secret.clone());
    }
    let path = settings.data_dir.join("jwt-secret");
    if path.exists() {
        let text = std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
        return Ok(SecretString::from(text.trim().to_owned()));
    }
    std::fs::create_dir_all(&settings.data_dir).with_context(|| format!("creating {}", settings.data_dir.display()))?;
    let secret = SecretString::from(random_secret());
    write_private(&path, secret.expose_secret()).with_context(|| format!("writing {}", path.display()))?;
    tracing::warn!(path = %path.display(), "no auth.jwt_secret configured: generated a signing secret (set TENANTRY__AUTH__JWT_SECRET in production)");
    Ok(secret)
}

fn write_private(path: &Path, contents: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path)?.write_all(contents.as_bytes())
}
