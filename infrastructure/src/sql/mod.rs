//! SQL shared by both backends. The statements are identical on PostgreSQL and
//! SQLite (`$n` placeholders work on both; PostgreSQL resolves the per-context
//! schemas through the connection's `search_path`), so each adapter is written
//! once as a macro and instantiated per backend in `postgres` and `sqlite`.

pub(crate) mod audit;
pub(crate) mod backend;
pub(crate) mod files;
pub(crate) mod idempotency;
pub(crate) mod identity;
pub(crate) mod jobs;
pub(crate) mod messaging;
pub(crate) mod notifications;
pub(crate) mod projects;
pub(crate) mod tenancy;
pub(crate) mod unit_of_work;

use tenantry_application::ports::RepositoryError;

/// An optimistic-concurrency update touches exactly one row, or the row moved on.
pub(crate) fn stale_unless_one(rows: u64) -> Result<(), RepositoryError> {
    if rows == 1 {
        Ok(())
    } else {
        Err(RepositoryError::StaleVersion)
    }
}

/// `ORDER BY` keyword of a sort order.
pub(crate) fn direction(order: tenantry_kernel::SortOrder) -> &'static str {
    match order {
        tenantry_kernel::SortOrder::Asc => "ASC",
        tenantry_kernel::SortOrder::Desc => "DESC",
    }
}

/// Translates a driver error into the repository vocabulary, once for all adapters.
pub(crate) fn storage_error(error: sqlx::Error) -> RepositoryError {
    match &error {
        sqlx::Error::Database(db) if db.is_unique_violation() => {
            RepositoryError::Duplicate { constraint: db.constraint().unwrap_or("unique").to_owned() }
        }
        // Lock contention is transient: SQLite busy/locked (5, 6 and their extended
        // codes), PostgreSQL serialization failure, deadlock and lock timeout.
        sqlx::Error::Database(db) if is_contention(db.as_ref()) || is_connection_loss(db.as_ref()) => {
            RepositoryError::Unavailable(Box::new(error))
        }
        sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_) | sqlx::Error::Tls(_) => {
            RepositoryError::Unavailable(Box::new(error))
        }
        _ => RepositoryError::Other(Box::new(error)),
    }
}

/// PostgreSQL going away under a connection: connection exceptions (class 08) and
/// operator intervention (57: shutdown, crash, not yet accepting connections).
fn is_connection_loss(db: &dyn sqlx::error::DatabaseError) -> bool {
    db.try_downcast_ref::<sqlx::postgres::PgDatabaseError>()
        .is_some_and(|pg| pg.code().starts_with("08") || pg.code().starts_with("57"))
}

/// Each backend's codes on their own: a numeric PostgreSQL SQLSTATE such as 22021
/// (a NUL in text) must not pass for SQLite's busy code by its low byte.
fn is_contention(db: &dyn sqlx::error::DatabaseError) -> bool {
    let Some(code) = db.code() else { return false };
    if db.try_downcast_ref::<sqlx::sqlite::SqliteError>().is_some() {
        code.parse::<i32>().is_ok_and(|sqlite| matches!(sqlite & 0xff, 5 | 6))
    } else {
        matches!(code.as_ref(), "40001" | "40P01" | "55P03")
    }
}

/// The value of `tenantry.tenant_id` the row-level security policies compare
/// (`tenancy.row_visible`): the tenant's id, or `*` for platform-wide work.
pub(crate) fn scope_setting(scope: tenantry_application::ports::DataScope) -> String {
    match scope {
        tenantry_application::ports::DataScope::Tenant(tenant) => tenant.as_uuid().to_string(),
        tenantry_application::ports::DataScope::Platform => "*".to_owned(),
    }
}

/// A stored value that no longer satisfies the domain's rules.
pub(crate) fn corrupt(what: &'static str) -> impl FnOnce(tenantry_kernel::ValidationError) -> RepositoryError {
    move |error| RepositoryError::Other(format!("corrupt {what} in storage: {error}").into())
}
