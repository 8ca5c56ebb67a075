//! The SQL migrations of both backends, embedded in the binary at compile time.
//! Files are named `{timestamp}_{context}_{action}_{table}.{up|down}.sql` (seed 004 §7)
//! and every migration is reversible.

use sqlx::migrate::Migrator;

/// PostgreSQL: one schema per bounded context.
pub static POSTGRES: Migrator = sqlx::migrate!("./postgres");

/// SQLite: the embedded default; same tables without schemas.
pub static SQLITE: Migrator = sqlx::migrate!("./sqlite");
