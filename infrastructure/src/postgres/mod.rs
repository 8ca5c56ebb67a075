//! PostgreSQL adapters: the scale-out store, one schema per context.

crate::sql::backend::backend!(
    sqlx::Postgres,
    begin = "BEGIN",
    lock = " FOR UPDATE",
    skip_locked = " FOR UPDATE SKIP LOCKED"
);
