//! Driven adapters of Tenantry: the SQL stores (PostgreSQL and SQLite through one
//! shared implementation), password hashing, token signing and the event plumbing
//! (transactional outbox relay and in-process bus).

pub mod audit_chain;
pub mod cache;
pub mod crypto;
pub mod database;
pub mod events;
pub mod extension;
pub mod images;
pub mod mail;
pub mod postgres;
pub mod rate_limit;
mod sql;
pub mod sqlite;
pub mod storage;
#[cfg(feature = "testing")]
pub mod testing;

pub use database::{Database, DatabaseError, MigrationStatus};
pub use extension::{sql_transaction, storage_error, ModuleMigrations, ScopedRead, SqlRepositories, SqlTransaction};
