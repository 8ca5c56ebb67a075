//! SQLite adapters: the zero-setup embedded default (one writer at a time, so no row locks).

crate::sql::backend::backend!(sqlx::Sqlite, begin = "BEGIN IMMEDIATE", lock = "", skip_locked = "");
