//! The test kit (feature `testing`): a real Tenantry server on a random loopback
//! port over a database of its own, for integration and acceptance suites —
//! Tenantry's and those of products that embed it.

use std::net::TcpListener;
use std::path::PathBuf;

use actix_web::dev::ServerHandle;
use anyhow::Context;
use secrecy::SecretString;

use crate::config::{AuthSettings, DatabaseSettings, LogSettings, SeedSettings, ServerSettings, Settings};
use crate::{serve, Tenantry};

pub use tenantry_infrastructure::testing::{TestBackend, TestDatabase};

/// Settings for a test server over `database_url`, with a fixed strong secret.
pub fn test_settings(database_url: &str, data_dir: PathBuf) -> Settings {
    Settings {
        server: ServerSettings { host: "127.0.0.1".into(), port: 0, workers: Some(2), shutdown_timeout_seconds: 5 },
        database: DatabaseSettings {
            url: Some(SecretString::from(database_url.to_owned())),
            max_connections: 5,
            migrate_on_start: true,
        },
        auth: AuthSettings { jwt_secret: Some(SecretString::from(tenantry_infrastructure::crypto::random_secret())) },
        log: LogSettings { format: "pretty".into(), level: "warn".into() },
        seed: SeedSettings {
            admin_email: "admin@tenantry.test".into(),
            admin_display_name: "Admin".into(),
            admin_password: None,
        },
        data_dir,
    }
}

/// A running Tenantry over its own database.
pub struct TestApp {
    /// e.g. `http://127.0.0.1:41234`
    pub base_url: String,
    pub backend: TestBackend,
    tenantry: Tenantry,
    server: ServerHandle,
    database: TestDatabase,
}

impl TestApp {
    /// Creates a database, migrates it and starts the server on a random port.
    ///
    /// # Errors
    /// The database cannot be created or the server cannot start.
    pub async fn spawn(backend: TestBackend) -> anyhow::Result<TestApp> {
        let database = TestDatabase::create(backend).await?;
        let data_dir = std::env::temp_dir().join(format!("tenantry-test-data-{}", uuid::Uuid::now_v7().simple()));
        let settings = test_settings(&database.url, data_dir);
        let tenantry = Tenantry::build(&settings).await?;
        let listener = TcpListener::bind("127.0.0.1:0").context("binding a loopback port")?;
        let base_url = format!("http://{}", listener.local_addr()?);
        let server = serve::http_server(listener, tenantry.http_state(), Some(1), 5)?;
        let handle = server.handle();
        tokio::spawn(server);
        Ok(TestApp { base_url, backend, tenantry, server: handle, database })
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }

    /// The wired application behind the server (for assertions on storage and events).
    pub fn tenantry(&self) -> &Tenantry {
        &self.tenantry
    }

    /// Stops the server and drops the database.
    pub async fn shutdown(self) {
        self.server.stop(true).await;
        self.tenantry.shutdown().await;
        self.database.drop_database().await;
    }
}
