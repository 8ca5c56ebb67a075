//! What a module's own storage adapter needs from Tenantry's: the connection of the
//! unit of work it runs in (so its rows commit with Tenantry's outbox, audit and job
//! writes), the driver-error translation, and its migrations beside Tenantry's.

use sqlx::migrate::Migrator;
use sqlx::{PgConnection, Postgres, Sqlite, SqliteConnection};
use tenantry_application::ports::{RepositoryError, UnitOfWork};

/// The open transaction of a unit of work, on whichever backend is configured. Its
/// scope is already set: on PostgreSQL, row-level security confines it to the
/// command's tenant exactly as it does Tenantry's own statements.
pub enum SqlTransaction<'a> {
    Postgres(&'a mut PgConnection),
    Sqlite(&'a mut SqliteConnection),
}

/// The SQL transaction behind `uow`.
///
/// # Errors
/// `Other` when the unit of work is not one of Tenantry's SQL units of work (a test
/// double): a module's SQL adapter cannot run on it.
pub fn sql_transaction(uow: &mut dyn UnitOfWork) -> Result<SqlTransaction<'_>, RepositoryError> {
    Ok(match sql_unit(uow)? {
        SqlUnit::Postgres(unit) => SqlTransaction::Postgres(&mut unit.tx),
        SqlUnit::Sqlite(unit) => SqlTransaction::Sqlite(&mut unit.tx),
    })
}

/// Tenantry's own contexts' repositories on its SQL units of work: the adapter
/// behind each context's repositories port (`ProjectRepositories`, ...; implemented
/// beside each context's SQL), as a product's module has its own.
#[derive(Debug, Clone, Copy, Default)]
pub struct SqlRepositories;

/// One of Tenantry's SQL units of work, by backend.
pub(crate) enum SqlUnit<'u> {
    Postgres(&'u mut crate::postgres::SqlUnitOfWork),
    Sqlite(&'u mut crate::sqlite::SqlUnitOfWork),
}

/// `uow`'s SQL unit of work as the repository its call site names: both backends
/// implement every Tenantry repository on their unit of work.
macro_rules! sql_repository {
    ($uow:expr) => {
        Ok(match crate::extension::sql_unit($uow)? {
            crate::extension::SqlUnit::Postgres(unit) => unit,
            crate::extension::SqlUnit::Sqlite(unit) => unit,
        })
    };
}
pub(crate) use sql_repository;

/// The SQL unit of work behind `uow`.
///
/// # Errors
/// `Other` for another adapter's unit of work (a test double).
pub(crate) fn sql_unit(uow: &mut dyn UnitOfWork) -> Result<SqlUnit<'_>, RepositoryError> {
    let unit = uow.transaction();
    if unit.is::<crate::postgres::SqlUnitOfWork>() {
        return unit.downcast_mut::<crate::postgres::SqlUnitOfWork>().map(SqlUnit::Postgres).ok_or_else(not_sql);
    }
    unit.downcast_mut::<crate::sqlite::SqlUnitOfWork>().map(SqlUnit::Sqlite).ok_or_else(not_sql)
}

fn not_sql() -> RepositoryError {
    RepositoryError::Other("this unit of work has no SQL transaction (a test double?)".into())
}

/// Translates a driver error into the repository vocabulary (unique violations,
/// contention and lost connections included), as Tenantry's adapters do.
pub fn storage_error(error: sqlx::Error) -> RepositoryError {
    crate::sql::storage_error(error)
}

/// A module's migrations on both backends, applied with Tenantry's in one history
/// (versions must not collide: use timestamps), and the PostgreSQL schema its
/// tables live in (searched like Tenantry's, so statements name bare tables).
#[derive(Clone, Copy)]
pub struct ModuleMigrations {
    pub schema: &'static str,
    pub postgres: &'static Migrator,
    pub sqlite: &'static Migrator,
}

impl std::fmt::Debug for ModuleMigrations {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ModuleMigrations").field("schema", &self.schema).finish_non_exhaustive()
    }
}

/// A read transaction confined to a data scope (row-level security on PostgreSQL),
/// for a module's queries; rolled back when dropped, which costs nothing.
pub struct ScopedRead(ReadTransaction);

enum ReadTransaction {
    Postgres(sqlx::Transaction<'static, Postgres>),
    Sqlite(sqlx::Transaction<'static, Sqlite>),
}

impl ScopedRead {
    /// Opens a read confined to `scope` on `database`.
    ///
    /// # Errors
    /// The store is unavailable.
    pub async fn begin(
        database: &crate::Database,
        scope: tenantry_application::ports::DataScope,
    ) -> Result<Self, RepositoryError> {
        Ok(Self(match database {
            crate::Database::Postgres(pool) => ReadTransaction::Postgres(crate::postgres::read_in(pool, scope).await?),
            crate::Database::Sqlite(pool) => ReadTransaction::Sqlite(crate::sqlite::read_in(pool, scope).await?),
        }))
    }

    pub fn connection(&mut self) -> SqlTransaction<'_> {
        match &mut self.0 {
            ReadTransaction::Postgres(tx) => SqlTransaction::Postgres(tx),
            ReadTransaction::Sqlite(tx) => SqlTransaction::Sqlite(tx),
        }
    }
}
