//! Connecting to the configured store, migrating it, and handing out its adapters.
//! The backend is chosen by the URL scheme (`sqlite:` or `postgres:`).

use std::path::Path;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use sqlx::migrate::{Migrate, Migrator};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions};
use sqlx::{Connection, Executor, PgConnection, PgPool, SqlitePool};
use tenantry_application::audit::ports::AuditQueries;
use tenantry_application::files::ports::FileQueries;
use tenantry_application::identity::ports::IdentityQueries;
use tenantry_application::notifications::ports::NotificationStore;
use tenantry_application::ports::{HealthCheck, IdempotencyStore, RepositoryError, UnitOfWorkFactory};
use tenantry_application::projects::ports::{ProjectQueries, ProjectSummaryStore};
use tenantry_application::tenancy::ports::TenancyQueries;
use tokio::sync::Notify;

use crate::events::Outbox;
use crate::extension::ModuleMigrations;
use crate::{postgres, sqlite};

/// The PostgreSQL role the application serves as (created by the row-level security
/// migration): no superuser, no BYPASSRLS, no DDL. Migrations run as the connecting
/// role instead, on a connection of their own.
pub const POSTGRES_APP_ROLE: &str = "tenantry_app";

/// Every context's PostgreSQL schema, searched after `public` (where sqlx keeps its
/// migration table) so statements name tables without a schema on both backends.
const POSTGRES_SEARCH_PATH: &str = "public,platform,identity,tenancy,projects,files,notifications,audit,messaging";

#[derive(Debug, thiserror::Error)]
pub enum DatabaseError {
    #[error("unsupported database URL scheme (use sqlite: or postgres:)")]
    UnsupportedUrl,
    #[error("could not create the SQLite directory {path}")]
    CreateDirectory { path: String, source: std::io::Error },
    #[error("could not connect to the database")]
    Connect(#[source] sqlx::Error),
    #[error("migration failed")]
    Migrate(#[source] sqlx::migrate::MigrateError),
    #[error("database query failed")]
    Query(#[source] sqlx::Error),
    #[error("module schema {0:?} is not a lowercase identifier")]
    SchemaName(String),
    #[error("migration version {version} is claimed by two modules ({first:?} and {second:?})")]
    MigrationClash { version: i64, first: String, second: String },
}

/// `[a-z_][a-z0-9_]*`: safe to put in `search_path` unquoted.
fn is_plain_identifier(name: &str) -> bool {
    let mut bytes = name.bytes();
    bytes.next().is_some_and(|b| b.is_ascii_lowercase() || b == b'_')
        && bytes.all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        && name.len() <= 63
}

/// A pool on one of the supported backends.
#[derive(Clone, Debug)]
pub enum Database {
    Postgres(PgPool),
    Sqlite(SqlitePool),
}

/// One migration and whether it is applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MigrationStatus {
    pub version: i64,
    pub description: String,
    pub applied: bool,
}

/// A connection as the configured (owning) role, outside the serving pool: for
/// migrations, which the application role may not run.
async fn owner_connection(pool: &PgPool) -> Result<PgConnection, DatabaseError> {
    PgConnection::connect_with(&pool.connect_options()).await.map_err(DatabaseError::Connect)
}

/// The serving pool switches to the application role, but a login role that is a
/// superuser could switch back (`RESET ROLE`): production should log in as a role
/// that is only a member of `tenantry_app` (README, ADR 0007).
async fn warn_if_login_role_bypasses_rls(conn: &mut PgConnection) {
    let bypasses: Result<bool, _> =
        sqlx::query_scalar("SELECT rolsuper OR rolbypassrls FROM pg_roles WHERE rolname = session_user")
            .fetch_one(&mut *conn)
            .await;
    if matches!(bypasses, Ok(true)) {
        tracing::warn!(
            "the database login role can bypass row-level security; the server serves as {POSTGRES_APP_ROLE}, \
             but for defence in depth log in as a role that is only a member of it"
        );
    }
}

impl Database {
    /// Connects, creating the SQLite file (and its directory) when missing.
    ///
    /// # Errors
    /// Unsupported scheme, unreachable server, bad credentials.
    pub async fn connect(url: &str, max_connections: u32) -> Result<Self, DatabaseError> {
        Self::connect_with_schemas(url, max_connections, &[]).await
    }

    /// Like [`Database::connect`], with modules' PostgreSQL schemas searched after
    /// Tenantry's (so a module's statements name bare tables on both backends).
    ///
    /// # Errors
    /// Unsupported scheme, unreachable server, bad credentials, a schema name that
    /// is not a plain lowercase identifier.
    pub async fn connect_with_schemas(
        url: &str,
        max_connections: u32,
        module_schemas: &[&str],
    ) -> Result<Self, DatabaseError> {
        if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            let mut search_path = POSTGRES_SEARCH_PATH.to_owned();
            for schema in module_schemas {
                if !is_plain_identifier(schema) {
                    return Err(DatabaseError::SchemaName((*schema).to_owned()));
                }
                search_path.push(',');
                search_path.push_str(schema);
            }
            let options = PgConnectOptions::from_str(url)
                .map_err(DatabaseError::Connect)?
                .options([("search_path", search_path.as_str())]);
            // Fail fast on a wrong URL; the serving pool itself connects lazily, because
            // its role exists only once the migrations have run.
            let mut probe = PgConnection::connect_with(&options).await.map_err(DatabaseError::Connect)?;
            warn_if_login_role_bypasses_rls(&mut probe).await;
            probe.close().await.ok();
            let pool = PgPoolOptions::new()
                .max_connections(max_connections)
                .acquire_timeout(Duration::from_secs(5))
                .after_connect(|conn, _| {
                    Box::pin(
                        async move { conn.execute(format!("SET ROLE {POSTGRES_APP_ROLE}").as_str()).await.map(drop) },
                    )
                })
                .connect_lazy_with(options);
            Ok(Database::Postgres(pool))
        } else if url.starts_with("sqlite:") {
            let options = SqliteConnectOptions::from_str(url)
                .map_err(DatabaseError::Connect)?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(5));
            if let Some(parent) = Path::new(options.get_filename()).parent().filter(|p| !p.as_os_str().is_empty()) {
                std::fs::create_dir_all(parent)
                    .map_err(|source| DatabaseError::CreateDirectory { path: parent.display().to_string(), source })?;
            }
            let pool = SqlitePoolOptions::new()
                .max_connections(max_connections)
                .acquire_timeout(Duration::from_secs(5))
                .connect_with(options)
                .await
                .map_err(DatabaseError::Connect)?;
            Ok(Database::Sqlite(pool))
        } else {
            Err(DatabaseError::UnsupportedUrl)
        }
    }

    pub fn backend_name(&self) -> &'static str {
        match self {
            Database::Postgres(_) => "postgres",
            Database::Sqlite(_) => "sqlite",
        }
    }

    /// Tenantry's migrations for this backend, with the modules' merged in by version.
    ///
    /// # Errors
    /// Two migrations (Tenantry's or a module's) share a version.
    fn migrator(&self, modules: &[ModuleMigrations]) -> Result<Migrator, DatabaseError> {
        let (core, theirs): (&Migrator, Vec<&Migrator>) = match self {
            Database::Postgres(_) => (&tenantry_migrations::POSTGRES, modules.iter().map(|m| m.postgres).collect()),
            Database::Sqlite(_) => (&tenantry_migrations::SQLITE, modules.iter().map(|m| m.sqlite).collect()),
        };
        let mut migrations: Vec<sqlx::migrate::Migration> = core.iter().cloned().collect();
        for module in theirs {
            for migration in module.iter() {
                let clash = migrations.iter().find(|m| {
                    m.version == migration.version
                        && m.migration_type.is_up_migration() == migration.migration_type.is_up_migration()
                });
                if let Some(first) = clash {
                    return Err(DatabaseError::MigrationClash {
                        version: migration.version,
                        first: first.description.to_string(),
                        second: migration.description.to_string(),
                    });
                }
                migrations.push(migration.clone());
            }
        }
        migrations.sort_by_key(|m| (m.version, !m.migration_type.is_up_migration()));
        // sqlx has no public constructor from migrations in memory; `migrate!` itself
        // fills these fields (sqlx is pinned by Cargo.lock, and the merge is tested).
        let mut merged = Migrator::DEFAULT;
        merged.migrations = std::borrow::Cow::Owned(migrations);
        merged.set_ignore_missing(core.ignore_missing);
        merged.set_locking(core.locking);
        Ok(merged)
    }

    /// Applies every pending migration.
    ///
    /// # Errors
    /// A migration failed (it is rolled back) or applied files were changed.
    pub async fn migrate_up(&self) -> Result<(), DatabaseError> {
        self.migrate_up_with(&[]).await
    }

    /// Applies every pending migration, Tenantry's and `modules'`, in version order.
    ///
    /// # Errors
    /// A migration failed (it is rolled back), applied files were changed, or two
    /// migrations share a version.
    pub async fn migrate_up_with(&self, modules: &[ModuleMigrations]) -> Result<(), DatabaseError> {
        let migrator = self.migrator(modules)?;
        match self {
            Database::Postgres(pool) => migrator.run(&mut owner_connection(pool).await?).await,
            Database::Sqlite(pool) => migrator.run(pool).await,
        }
        .map_err(DatabaseError::Migrate)
    }

    /// Reverts applied migrations newer than `target` (0 reverts everything).
    ///
    /// # Errors
    /// A down migration failed.
    pub async fn migrate_down(&self, target: i64) -> Result<(), DatabaseError> {
        self.migrate_down_with(&[], target).await
    }

    /// [`Database::migrate_down`] over Tenantry's and `modules'` migrations.
    ///
    /// # Errors
    /// A down migration failed.
    pub async fn migrate_down_with(&self, modules: &[ModuleMigrations], target: i64) -> Result<(), DatabaseError> {
        let migrator = self.migrator(modules)?;
        match self {
            Database::Postgres(pool) => migrator.undo(&mut owner_connection(pool).await?, target).await,
            Database::Sqlite(pool) => migrator.undo(pool, target).await,
        }
        .map_err(DatabaseError::Migrate)
    }

    /// The version `migrate down` without a target reverts to (the one before the newest applied).
    ///
    /// # Errors
    /// The migration table cannot be read.
    pub async fn previous_version(&self) -> Result<i64, DatabaseError> {
        self.previous_version_with(&[]).await
    }

    /// [`Database::previous_version`] in the history that includes the modules' migrations.
    ///
    /// # Errors
    /// The migration table cannot be read.
    pub async fn previous_version_with(&self, modules: &[ModuleMigrations]) -> Result<i64, DatabaseError> {
        let applied: Vec<i64> =
            self.migration_status_with(modules).await?.into_iter().filter(|m| m.applied).map(|m| m.version).collect();
        Ok(applied.iter().rev().nth(1).copied().unwrap_or(0))
    }

    /// Every known migration with its applied state.
    ///
    /// # Errors
    /// The migration table cannot be read.
    pub async fn migration_status(&self) -> Result<Vec<MigrationStatus>, DatabaseError> {
        self.migration_status_with(&[]).await
    }

    /// [`Database::migration_status`] over Tenantry's and `modules'` migrations.
    ///
    /// # Errors
    /// The migration table cannot be read.
    pub async fn migration_status_with(
        &self,
        modules: &[ModuleMigrations],
    ) -> Result<Vec<MigrationStatus>, DatabaseError> {
        let migrator = self.migrator(modules)?;
        let applied = match self {
            Database::Postgres(pool) => {
                let mut conn = owner_connection(pool).await?;
                conn.ensure_migrations_table().await.map_err(DatabaseError::Migrate)?;
                conn.list_applied_migrations().await.map_err(DatabaseError::Migrate)?
            }
            Database::Sqlite(pool) => {
                let mut conn = pool.acquire().await.map_err(DatabaseError::Connect)?;
                conn.ensure_migrations_table().await.map_err(DatabaseError::Migrate)?;
                conn.list_applied_migrations().await.map_err(DatabaseError::Migrate)?
            }
        };
        Ok(migrator
            .iter()
            .filter(|m| m.migration_type.is_up_migration())
            .map(|m| MigrationStatus {
                version: m.version,
                description: m.description.to_string(),
                applied: applied.iter().any(|a| a.version == m.version),
            })
            .collect())
    }

    /// The unit-of-work factory; `outbox_signal` is notified after each commit that wrote events.
    pub fn units_of_work(&self, outbox_signal: Arc<Notify>) -> Arc<dyn UnitOfWorkFactory> {
        match self {
            Database::Postgres(pool) => Arc::new(postgres::SqlUnitOfWorkFactory::new(pool.clone(), outbox_signal)),
            Database::Sqlite(pool) => Arc::new(sqlite::SqlUnitOfWorkFactory::new(pool.clone(), outbox_signal)),
        }
    }

    pub fn identity_queries(&self) -> Arc<dyn IdentityQueries> {
        match self {
            Database::Postgres(pool) => Arc::new(postgres::identity::SqlIdentityQueries::new(pool.clone())),
            Database::Sqlite(pool) => Arc::new(sqlite::identity::SqlIdentityQueries::new(pool.clone())),
        }
    }

    pub fn tenancy_queries(&self) -> Arc<dyn TenancyQueries> {
        match self {
            Database::Postgres(pool) => Arc::new(postgres::tenancy::SqlTenancyQueries::new(pool.clone())),
            Database::Sqlite(pool) => Arc::new(sqlite::tenancy::SqlTenancyQueries::new(pool.clone())),
        }
    }

    pub fn project_queries(&self) -> Arc<dyn ProjectQueries> {
        match self {
            Database::Postgres(pool) => Arc::new(postgres::projects::SqlProjectQueries::new(pool.clone())),
            Database::Sqlite(pool) => Arc::new(sqlite::projects::SqlProjectQueries::new(pool.clone())),
        }
    }

    pub fn project_summaries(&self) -> Arc<dyn ProjectSummaryStore> {
        match self {
            Database::Postgres(pool) => Arc::new(postgres::projects::SqlProjectSummaryStore::new(pool.clone())),
            Database::Sqlite(pool) => Arc::new(sqlite::projects::SqlProjectSummaryStore::new(pool.clone())),
        }
    }

    /// Every event ever committed, oldest first, `limit` at a time after `after`
    /// (read models replay them when rebuilt).
    ///
    /// # Errors
    /// Storage failures.
    pub async fn events_after(
        &self,
        after: Option<tenantry_kernel::EventId>,
        limit: i64,
    ) -> Result<Vec<tenantry_kernel::EventEnvelope>, RepositoryError> {
        match self {
            Database::Postgres(pool) => postgres::messaging::events_after(pool, after, limit).await,
            Database::Sqlite(pool) => sqlite::messaging::events_after(pool, after, limit).await,
        }
    }

    pub fn notifications(&self) -> Arc<dyn NotificationStore> {
        match self {
            Database::Postgres(pool) => Arc::new(postgres::notifications::SqlNotificationStore::new(pool.clone())),
            Database::Sqlite(pool) => Arc::new(sqlite::notifications::SqlNotificationStore::new(pool.clone())),
        }
    }

    pub fn file_queries(&self) -> Arc<dyn FileQueries> {
        match self {
            Database::Postgres(pool) => Arc::new(postgres::files::SqlFileQueries::new(pool.clone())),
            Database::Sqlite(pool) => Arc::new(sqlite::files::SqlFileQueries::new(pool.clone())),
        }
    }

    /// The durable job queue.
    pub fn job_store(&self) -> Arc<dyn tenantry_application::ports::JobStore> {
        match self {
            Database::Postgres(pool) => Arc::new(postgres::jobs::SqlJobStore::new(pool.clone())),
            Database::Sqlite(pool) => Arc::new(sqlite::jobs::SqlJobStore::new(pool.clone())),
        }
    }

    pub fn idempotency_store(&self) -> Arc<dyn IdempotencyStore> {
        match self {
            Database::Postgres(pool) => Arc::new(postgres::idempotency::SqlIdempotencyStore::new(pool.clone())),
            Database::Sqlite(pool) => Arc::new(sqlite::idempotency::SqlIdempotencyStore::new(pool.clone())),
        }
    }

    pub fn audit_queries(&self) -> Arc<dyn AuditQueries> {
        match self {
            Database::Postgres(pool) => Arc::new(postgres::audit::SqlAuditQueries::new(pool.clone())),
            Database::Sqlite(pool) => Arc::new(sqlite::audit::SqlAuditQueries::new(pool.clone())),
        }
    }

    /// Recomputes every audit hash chain (`tenantry audit verify`).
    ///
    /// # Errors
    /// Storage failures.
    pub async fn verify_audit_chains(&self) -> Result<crate::audit_chain::ChainReport, RepositoryError> {
        match self {
            Database::Postgres(pool) => postgres::audit::verify_chains(pool).await,
            Database::Sqlite(pool) => sqlite::audit::verify_chains(pool).await,
        }
    }

    pub fn health_check(&self) -> Arc<dyn HealthCheck> {
        match self {
            Database::Postgres(pool) => Arc::new(postgres::SqlHealthCheck::new(pool.clone())),
            Database::Sqlite(pool) => Arc::new(sqlite::SqlHealthCheck::new(pool.clone())),
        }
    }

    pub fn outbox(&self) -> Arc<dyn Outbox> {
        match self {
            Database::Postgres(pool) => Arc::new(postgres::messaging::SqlOutbox::new(pool.clone())),
            Database::Sqlite(pool) => Arc::new(sqlite::messaging::SqlOutbox::new(pool.clone())),
        }
    }

    pub async fn close(&self) {
        match self {
            Database::Postgres(pool) => pool.close().await,
            Database::Sqlite(pool) => pool.close().await,
        }
    }
}
