//! The test kit (feature `testing`): a real Tenantry server on a random loopback
//! port over a database of its own, for integration and acceptance suites —
//! Tenantry's and those of products that embed it.

use std::net::TcpListener;
use std::path::PathBuf;

use actix_web::dev::ServerHandle;
use anyhow::Context;
use secrecy::SecretString;

use tenantry_application::files::FilePolicy;

use crate::config::{
    AuthSettings, DatabaseSettings, FileSettings, JobSettings, LogSettings, MailSettings, RateLimitSettings,
    SeedSettings, ServerSettings, Settings,
};
use crate::{serve, Tenantry, TenantryBuilder};

/// How a product wires its test servers (its modules, its adapters), shared by
/// every scenario of its suite.
pub type ProductWiring = std::sync::Arc<dyn Fn(TenantryBuilder) -> TenantryBuilder + Send + Sync>;

pub use tenantry_infrastructure::testing::{TestBackend, TestDatabase};

/// Settings for a test server over `database_url`, with a fixed strong secret.
pub fn test_settings(database_url: &str, data_dir: PathBuf) -> Settings {
    Settings {
        server: ServerSettings {
            host: "127.0.0.1".into(),
            port: 0,
            workers: Some(2),
            shutdown_timeout_seconds: 5,
            request_timeout_seconds: 30,
            cors_allowed_origins: Vec::new(),
            public_url: None,
            metrics_token: None,
        },
        database: DatabaseSettings {
            url: Some(SecretString::from(database_url.to_owned())),
            max_connections: 5,
            migrate_on_start: true,
        },
        // Keys are generated into the test's own data directory.
        auth: AuthSettings { keys_dir: None, require_verified_email: false },
        log: LogSettings { format: "pretty".into(), level: "warn".into() },
        seed: SeedSettings {
            admin_email: "admin@tenantry.test".into(),
            admin_display_name: "Admin".into(),
            admin_password: None,
        },
        mail: MailSettings { from: "Tenantry Test <no-reply@tenantry.test>".into(), dir: None },
        // Suites fire many requests from one address in a burst; the limits are
        // on, but far above what a suite does. Tests of limiting lower them.
        rate_limit: RateLimitSettings {
            enabled: true,
            api_per_second: 10_000,
            api_burst: 10_000,
            credentials_per_minute: 10_000,
            credentials_burst: 10_000,
        },
        files: FileSettings {
            store: "local".into(),
            dir: None,
            s3: None,
            max_upload_bytes: FilePolicy::default().max_upload_bytes,
            allowed_content_types: FilePolicy::default().allowed_content_types,
            link_ttl_seconds: FilePolicy::default().link_ttl_seconds,
            max_link_ttl_seconds: FilePolicy::default().max_link_ttl_seconds,
            bin_retention_days: 30,
        },
        jobs: JobSettings { run_in_server: true, poll_interval_ms: 100 },
        data_dir,
        modules: Default::default(),
    }
}

/// The password [`TestApp::sign_up_owner`] registers with.
pub const TEST_PASSWORD: &str = "correct horse battery staple";

/// A signed-in owner of a fresh organization.
#[derive(Debug, Clone)]
pub struct TestOwner {
    pub access_token: String,
    /// The organization's id, for `X-Tenant-Id`.
    pub tenant_id: String,
}

/// A running Tenantry over its own database.
pub struct TestApp {
    /// e.g. `http://127.0.0.1:41234`
    pub base_url: String,
    pub backend: TestBackend,
    tenantry: Tenantry,
    server: ServerHandle,
    database: TestDatabase,
    mail_dir: PathBuf,
    data_dir: DataDir,
}

/// The server's data directory (keys, mail, blobs), removed with the `TestApp` even
/// when the test panics before `shutdown`.
struct DataDir(PathBuf);

impl Drop for DataDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

impl TestApp {
    /// Creates a database, migrates it and starts the server on a random port.
    ///
    /// # Errors
    /// The database cannot be created or the server cannot start.
    pub async fn spawn(backend: TestBackend) -> anyhow::Result<TestApp> {
        Self::spawn_with(backend, |_| {}).await
    }

    /// Like [`TestApp::spawn`], with the settings adjusted first (a policy switch, a limit).
    ///
    /// # Errors
    /// The database cannot be created or the server cannot start.
    pub async fn spawn_with(backend: TestBackend, adjust: impl FnOnce(&mut Settings)) -> anyhow::Result<TestApp> {
        Self::spawn_product(backend, adjust, |builder| builder).await
    }

    /// Like [`TestApp::spawn_with`], wired by `product` as the product wires its own
    /// server (its modules, its adapters): how a product's suite tests its modules
    /// on Tenantry's kit.
    ///
    /// # Errors
    /// The database cannot be created or the server cannot start.
    pub async fn spawn_product(
        backend: TestBackend,
        adjust: impl FnOnce(&mut Settings),
        product: impl FnOnce(TenantryBuilder) -> TenantryBuilder,
    ) -> anyhow::Result<TestApp> {
        let database = TestDatabase::create(backend).await?;
        let data_dir = std::env::temp_dir().join(format!("tenantry-test-data-{}", uuid::Uuid::now_v7().simple()));
        let mut settings = test_settings(&database.url, data_dir.clone());
        adjust(&mut settings);
        let mail_dir = settings.mail_dir();
        let tenantry = product(Tenantry::builder(settings.clone())).build().await?;
        let listener = TcpListener::bind("127.0.0.1:0").context("binding a loopback port")?;
        let base_url = format!("http://{}", listener.local_addr()?);
        let mut state = tenantry.http_state();
        if state.public_url.is_none() {
            state = state.with_public_url(base_url.clone());
        }
        let server = serve::http_server(listener, state, Some(1), 5)?;
        let handle = server.handle();
        tokio::spawn(server);
        Ok(TestApp { base_url, backend, tenantry, server: handle, database, mail_dir, data_dir: DataDir(data_dir) })
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }

    /// The wired application behind the server (for assertions on storage and events).
    pub fn tenantry(&self) -> &Tenantry {
        &self.tenantry
    }

    /// The server's signing key ring (to mint tokens a test cannot get over HTTP,
    /// such as one that expired an hour ago).
    ///
    /// # Errors
    /// When the key directory cannot be read.
    pub fn signing_keys(&self) -> anyhow::Result<tenantry_infrastructure::crypto::KeyRing> {
        tenantry_infrastructure::crypto::KeyRing::load(&self.data_dir.0.join("jwt-keys"))?
            .ok_or_else(|| anyhow::anyhow!("the server has no signing keys"))
    }

    /// The raw `.eml` messages the embedded mailer wrote to `email`, oldest first.
    pub fn mails_to(&self, email: &str) -> Vec<String> {
        let Ok(entries) = std::fs::read_dir(&self.mail_dir) else { return Vec::new() };
        let mut paths: Vec<PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "eml"))
            .collect();
        // File names start with a sortable timestamp.
        paths.sort();
        let wanted = format!("To: {}\r\n", email.trim().to_lowercase());
        paths.iter().filter_map(|p| std::fs::read_to_string(p).ok()).filter(|text| text.contains(&wanted)).collect()
    }

    /// The token of the newest invitation mailed to `email`.
    pub fn latest_invitation_token(&self, email: &str) -> Option<String> {
        self.latest_mailed_value(email, "Invitation token: ")
    }

    /// The token of the newest verification mail to `email`.
    pub fn latest_verification_token(&self, email: &str) -> Option<String> {
        self.latest_mailed_value(email, "Verification token: ")
    }

    /// The token of the newest password reset mail to `email`.
    pub fn latest_password_reset_token(&self, email: &str) -> Option<String> {
        self.latest_mailed_value(email, "Password reset token: ")
    }

    /// The text after `label` on a line of the newest mail to `email` that has one.
    fn latest_mailed_value(&self, email: &str, label: &str) -> Option<String> {
        self.mails_to(email)
            .iter()
            .rev()
            .find_map(|mail| mail.lines().find_map(|line| line.strip_prefix(label)).map(|t| t.trim().to_owned()))
    }

    /// Waits until everything the requests so far set off has happened: events
    /// delivered and consumed, mail and other jobs done (10 s at most).
    ///
    /// # Errors
    /// When the background work does not settle in time.
    pub async fn settle(&self) -> anyhow::Result<()> {
        self.tenantry.settled(std::time::Duration::from_secs(10)).await
    }

    /// Registers `email`, signs in and creates an organization `slug` it owns: the
    /// starting point of most tests of tenant-scoped routes, a product's included.
    ///
    /// # Errors
    /// When any of the three requests does not succeed.
    pub async fn sign_up_owner(&self, email: &str, slug: &str) -> anyhow::Result<TestOwner> {
        let client = reqwest::Client::new();
        let credentials = serde_json::json!({"email": email, "password": TEST_PASSWORD});
        let mut registration = credentials.clone();
        registration["display_name"] = serde_json::json!("Owner");
        let answer = |what: &'static str| move |error: reqwest::Error| anyhow::anyhow!("{what}: {error}");
        client
            .post(self.url("/api/v1/auth/register"))
            .json(&registration)
            .send()
            .await
            .and_then(reqwest::Response::error_for_status)
            .map_err(answer("registering"))?;
        let login: serde_json::Value = client
            .post(self.url("/api/v1/auth/login"))
            .json(&credentials)
            .send()
            .await
            .and_then(reqwest::Response::error_for_status)
            .map_err(answer("signing in"))?
            .json()
            .await
            .map_err(answer("reading the token pair"))?;
        let access_token = login["access_token"].as_str().context("no access token")?.to_owned();
        let organization: serde_json::Value = client
            .post(self.url("/api/v1/organizations"))
            .bearer_auth(&access_token)
            .json(&serde_json::json!({"name": slug, "slug": slug}))
            .send()
            .await
            .and_then(reqwest::Response::error_for_status)
            .map_err(answer("creating the organization"))?
            .json()
            .await
            .map_err(answer("reading the organization"))?;
        let tenant_id = organization["id"].as_str().context("no organization id")?.to_owned();
        Ok(TestOwner { access_token, tenant_id })
    }

    /// Stops the server, drops the database and removes the data directory.
    pub async fn shutdown(self) {
        self.server.stop(true).await;
        self.tenantry.shutdown().await;
        self.database.drop_database().await;
        drop(self.data_dir);
    }
}
