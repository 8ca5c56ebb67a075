//! Test support (feature `testing`): a fresh database per test on either backend,
//! so adapter and acceptance tests run against the real thing and clean up after.

use std::path::PathBuf;

use sqlx::{Connection, Executor, PgConnection};

/// Where PostgreSQL test databases are created; override with `TENANTRY_TEST_POSTGRES_URL`.
const DEFAULT_POSTGRES_ADMIN_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";

/// A SQL backend to run a suite against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TestBackend {
    Sqlite,
    Postgres,
}

impl TestBackend {
    /// Backends to run, from `TENANTRY_TEST_BACKENDS` (`sqlite,postgres`; default both).
    /// PostgreSQL is never skipped silently: if it is selected and unreachable, tests fail.
    pub fn selected() -> Vec<TestBackend> {
        let raw = std::env::var("TENANTRY_TEST_BACKENDS").unwrap_or_else(|_| "sqlite,postgres".to_owned());
        raw.split(',')
            .filter_map(|name| match name.trim() {
                "sqlite" => Some(TestBackend::Sqlite),
                "postgres" => Some(TestBackend::Postgres),
                _ => None,
            })
            .collect()
    }

    pub fn name(&self) -> &'static str {
        match self {
            TestBackend::Sqlite => "sqlite",
            TestBackend::Postgres => "postgres",
        }
    }
}

/// A database made for one test, dropped by [`TestDatabase::drop_database`].
pub struct TestDatabase {
    pub url: String,
    cleanup: Cleanup,
}

enum Cleanup {
    Directory(PathBuf),
    PostgresDatabase { admin_url: String, name: String },
}

impl TestDatabase {
    /// A fresh, empty database (a temp SQLite file, or a new PostgreSQL database).
    ///
    /// # Errors
    /// PostgreSQL unreachable, or the temp directory cannot be created.
    pub async fn create(backend: TestBackend) -> Result<Self, TestDatabaseError> {
        let unique = uuid::Uuid::now_v7().simple().to_string();
        match backend {
            TestBackend::Sqlite => {
                let dir = std::env::temp_dir().join(format!("tenantry-test-{unique}"));
                std::fs::create_dir_all(&dir).map_err(TestDatabaseError::TempDir)?;
                Ok(Self {
                    url: format!("sqlite://{}", dir.join("tenantry.db").display()),
                    cleanup: Cleanup::Directory(dir),
                })
            }
            TestBackend::Postgres => {
                let admin_url = std::env::var("TENANTRY_TEST_POSTGRES_URL")
                    .unwrap_or_else(|_| DEFAULT_POSTGRES_ADMIN_URL.to_owned());
                let name = format!("tenantry_test_{unique}");
                let mut admin = PgConnection::connect(&admin_url)
                    .await
                    .map_err(|source| TestDatabaseError::Postgres { url: admin_url.clone(), source })?;
                admin
                    .execute(format!(r#"CREATE DATABASE "{name}""#).as_str())
                    .await
                    .map_err(|source| TestDatabaseError::Postgres { url: admin_url.clone(), source })?;
                admin.close().await.ok();
                let url = with_database_name(&admin_url, &name);
                Ok(Self { url, cleanup: Cleanup::PostgresDatabase { admin_url, name } })
            }
        }
    }

    /// Removes the database; errors are logged, not raised (cleanup must not mask a test failure).
    pub async fn drop_database(self) {
        match self.cleanup {
            Cleanup::Directory(dir) => {
                let _ = std::fs::remove_dir_all(dir);
            }
            Cleanup::PostgresDatabase { admin_url, name } => {
                let result = async {
                    let mut admin = PgConnection::connect(&admin_url).await?;
                    admin.execute(format!(r#"DROP DATABASE IF EXISTS "{name}" WITH (FORCE)"#).as_str()).await?;
                    admin.close().await
                }
                .await;
                if let Err(error) = result {
                    eprintln!("warning: could not drop test database {name}: {error}");
                }
            }
        }
    }
}

/// `postgres://user@host:port/db` with `db` replaced by `name`.
fn with_database_name(url: &str, name: &str) -> String {
    let authority_start = url.find("://").map_or(0, |i| i + 3);
    match url[authority_start..].find('/') {
        Some(slash) => format!("{}/{name}", &url[..authority_start + slash]),
        None => format!("{url}/{name}"),
    }
}

#[derive(Debug, thiserror::Error)]
pub enum TestDatabaseError {
    #[error("could not create a temp directory for SQLite")]
    TempDir(#[source] std::io::Error),
    #[error("PostgreSQL tests need a server at {url} (set TENANTRY_TEST_POSTGRES_URL, or TENANTRY_TEST_BACKENDS=sqlite to run without it)")]
    Postgres { url: String, source: sqlx::Error },
}

/// One suite, both backends: generates `mod sqlite` and `mod postgres`, each with a
/// `#[tokio::test]` per case calling `case(TestBackend::..)` from the enclosing module.
/// The PostgreSQL half honours `TENANTRY_TEST_BACKENDS` (an explicit, printed opt-out).
#[macro_export]
macro_rules! backend_test_suite {
    ($($case:ident),* $(,)?) => {
        mod sqlite {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $case() {
                super::$case($crate::testing::TestBackend::Sqlite).await;
            })*
        }
        mod postgres {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $case() {
                // Only an explicit opt-out skips PostgreSQL; CI always selects it.
                if !$crate::testing::TestBackend::selected().contains(&$crate::testing::TestBackend::Postgres) {
                    eprintln!("skipped: TENANTRY_TEST_BACKENDS does not include postgres");
                    return;
                }
                super::$case($crate::testing::TestBackend::Postgres).await;
            })*
        }
    };
}

/// The same database seen by its owner, past row-level security: for tests that
/// inspect or tamper with storage directly, as an operator with database access could.
/// (The application's own pool serves as `tenantry_app` and sees only its scope.)
///
/// # Panics
/// When the owner cannot connect (tests only).
pub async fn owner_view(database: &crate::Database) -> crate::Database {
    match database {
        crate::Database::Postgres(pool) => {
            let options = (*pool.connect_options()).clone();
            crate::Database::Postgres(
                sqlx::postgres::PgPoolOptions::new()
                    .max_connections(2)
                    .connect_with(options)
                    .await
                    .expect("owner connection"),
            )
        }
        crate::Database::Sqlite(pool) => crate::Database::Sqlite(pool.clone()),
    }
}

/// Counts the rows of `table` a transaction confined to `scope` sees, with no
/// `WHERE` of its own: the statement that "forgot its tenant filter".
///
/// # Errors
/// Storage failures.
pub async fn rows_visible_in(
    database: &crate::Database,
    scope: tenantry_application::ports::DataScope,
    table: &str,
) -> Result<i64, tenantry_application::ports::RepositoryError> {
    let sql = format!("SELECT COUNT(*) FROM {table}");
    match database {
        crate::Database::Postgres(pool) => {
            let mut tx = crate::postgres::read_in(pool, scope).await?;
            sqlx::query_scalar(&sql).fetch_one(&mut *tx).await.map_err(crate::sql::storage_error)
        }
        crate::Database::Sqlite(pool) => {
            let mut tx = crate::sqlite::read_in(pool, scope).await?;
            sqlx::query_scalar(&sql).fetch_one(&mut *tx).await.map_err(crate::sql::storage_error)
        }
    }
}
