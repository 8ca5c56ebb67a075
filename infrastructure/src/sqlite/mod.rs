//! SQLite adapters: the zero-setup embedded default (one writer at a time, so no row
//! locks). SQLite has no row-level security: the embedded single-process store relies
//! on the tenant filter every statement carries (ADR 0007).

crate::sql::backend::backend!(sqlx::Sqlite, begin = "BEGIN IMMEDIATE", lock = "", skip_locked = "", set_scope = None);
