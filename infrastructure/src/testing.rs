//! Test support (feature `testing`): a fresh database per test on either backend,
//! so adapter and acceptance tests run against the real thing and clean up after —
//! even when the test panics.
//!
//! PostgreSQL comes from `TENANTRY_TEST_POSTGRES_URL`, else the machine's server at
//! 127.0.0.1:5432 when it answers, else a private cluster this test process starts
//! itself (initdb into a temporary directory, a free loopback port; stopped and
//! removed once the process is gone). `TENANTRY_TEST_POSTGRES_URL=private` always
//! starts one. So `cargo test` needs the PostgreSQL package, not a running server.

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::Duration;

use sqlx::{Connection, Executor, PgConnection};

/// The machine's own server, used when it answers.
const DEFAULT_POSTGRES_ADMIN_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";
const DEFAULT_POSTGRES_ADDRESS: &str = "127.0.0.1:5432";

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

/// A database made for one test, dropped by [`TestDatabase::drop_database`], or
/// when it goes out of scope (a test that panicked never reaches its clean-up call).
pub struct TestDatabase {
    pub url: String,
    cleanup: Option<Cleanup>,
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
                    cleanup: Some(Cleanup::Directory(dir)),
                })
            }
            TestBackend::Postgres => {
                let admin_url = postgres_admin_url()?;
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
                Ok(Self { url, cleanup: Some(Cleanup::PostgresDatabase { admin_url, name }) })
            }
        }
    }

    /// Removes the database; errors are logged, not raised (cleanup must not mask a test failure).
    pub async fn drop_database(mut self) {
        match self.cleanup.take() {
            Some(Cleanup::Directory(dir)) => {
                let _ = std::fs::remove_dir_all(dir);
            }
            Some(Cleanup::PostgresDatabase { admin_url, name }) => drop_postgres_database(&admin_url, &name).await,
            None => {}
        }
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        match self.cleanup.take() {
            Some(Cleanup::Directory(dir)) => {
                let _ = std::fs::remove_dir_all(dir);
            }
            Some(Cleanup::PostgresDatabase { admin_url, name }) => {
                // Drop cannot await, and may run inside a runtime that is shutting down:
                // a short-lived thread with a runtime of its own does the work.
                let dropped = std::thread::spawn(move || {
                    match tokio::runtime::Builder::new_current_thread().enable_all().build() {
                        Ok(runtime) => runtime.block_on(drop_postgres_database(&admin_url, &name)),
                        Err(error) => eprintln!("warning: could not drop test database {name}: {error}"),
                    }
                })
                .join();
                if dropped.is_err() {
                    eprintln!("warning: dropping a test database panicked");
                }
            }
            None => {}
        }
    }
}

async fn drop_postgres_database(admin_url: &str, name: &str) {
    let result = async {
        let mut admin = PgConnection::connect(admin_url).await?;
        admin.execute(format!(r#"DROP DATABASE IF EXISTS "{name}" WITH (FORCE)"#).as_str()).await?;
        admin.close().await
    }
    .await;
    if let Err(error) = result {
        eprintln!("warning: could not drop test database {name}: {error}");
    }
}

/// The server test databases are created on (see the module documentation); the
/// first PostgreSQL test of the process decides, the others reuse its answer.
fn postgres_admin_url() -> Result<String, TestDatabaseError> {
    static ADMIN_URL: OnceLock<Result<String, String>> = OnceLock::new();
    ADMIN_URL
        .get_or_init(|| match std::env::var("TENANTRY_TEST_POSTGRES_URL") {
            Ok(url) if url == "private" => PrivateCluster::start(),
            Ok(url) => Ok(url),
            Err(_) if machine_postgres_answers() => Ok(DEFAULT_POSTGRES_ADMIN_URL.to_owned()),
            Err(_) => PrivateCluster::start(),
        })
        .clone()
        .map_err(TestDatabaseError::NoPostgres)
}

fn machine_postgres_answers() -> bool {
    DEFAULT_POSTGRES_ADDRESS
        .parse::<SocketAddr>()
        .is_ok_and(|address| TcpStream::connect_timeout(&address, Duration::from_secs(1)).is_ok())
}

/// A PostgreSQL cluster of this test process's own.
struct PrivateCluster;

impl PrivateCluster {
    /// initdb, start on a free port, and leave a watchdog that stops the cluster and
    /// removes its directory once this process has exited. Answers the admin URL.
    fn start() -> Result<String, String> {
        let bin = postgres_bin_dir().ok_or(
            "PostgreSQL is not installed: install the `postgresql` package (Debian: apt-get install postgresql), \
             or set TENANTRY_TEST_POSTGRES_URL to a server, or TENANTRY_TEST_BACKENDS=sqlite",
        )?;
        let dir = std::env::temp_dir().join(format!("tenantry-test-postgres-{}", uuid::Uuid::now_v7().simple()));
        let data = dir.join("data");
        std::fs::create_dir_all(&dir).map_err(|e| format!("creating {}: {e}", dir.display()))?;
        // PostgreSQL refuses to run as root; the package's `postgres` user runs it then.
        let as_root = Command::new("id").arg("-u").output().is_ok_and(|out| out.stdout.trim_ascii() == b"0");
        if as_root {
            run(Command::new("chown").args(["postgres:postgres"]).arg(&dir))?;
        }
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|listener| listener.local_addr())
            .map_err(|e| format!("finding a free port: {e}"))?
            .port();
        let tool = |name: &str| {
            let mut command = if as_root {
                let mut command = Command::new("runuser");
                command.args(["-u", "postgres", "--"]).arg(bin.join(name));
                command
            } else {
                Command::new(bin.join(name))
            };
            command.stdin(Stdio::null());
            command
        };
        run(tool("initdb").arg("-D").arg(&data).args(["-A", "trust", "-U", "postgres", "--no-sync"]))?;
        let options =
            format!("-p {port} -k {} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=300", dir.display());
        run(tool("pg_ctl")
            .arg("-D")
            .arg(&data)
            .arg("-l")
            .arg(dir.join("log"))
            .args(["-w", "-t", "60", "-o"])
            .arg(options)
            .arg("start"))?;
        let stop = format!(
            "{}'{}' -D '{}' stop -m immediate",
            if as_root { "runuser -u postgres -- " } else { "" },
            bin.join("pg_ctl").display(),
            data.display()
        );
        let watchdog = format!(
            "while kill -0 {pid} 2>/dev/null; do sleep 1; done; {stop} >/dev/null 2>&1; rm -rf '{dir}'",
            pid = std::process::id(),
            dir = dir.display()
        );
        Command::new("sh")
            .arg("-c")
            .arg(watchdog)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("starting the cluster's watchdog: {e}"))?;
        eprintln!("note: the PostgreSQL tests of this process use a private cluster on port {port}");
        Ok(format!("postgres://postgres@127.0.0.1:{port}/postgres"))
    }
}

/// The newest installed PostgreSQL's programs (Debian keeps them per version).
fn postgres_bin_dir() -> Option<PathBuf> {
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let version = entry.file_name().to_str()?.parse::<u32>().ok()?;
            let bin = entry.path().join("bin");
            bin.join("initdb").exists().then_some((version, bin))
        })
        .collect();
    versions.sort();
    versions.pop().map(|(_, bin)| bin).or_else(|| {
        std::env::var_os("PATH")?
            .to_str()?
            .split(':')
            .map(Path::new)
            .find(|dir| dir.join("initdb").exists() && dir.join("pg_ctl").exists())
            .map(Path::to_path_buf)
    })
}

fn run(command: &mut Command) -> Result<(), String> {
    let output = command.output().map_err(|e| format!("running {:?}: {e}", command.get_program()))?;
    if output.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{:?} failed: {}{}",
            command.get_program(),
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        ))
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
    #[error("no PostgreSQL for the tests: {0}")]
    NoPostgres(String),
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
