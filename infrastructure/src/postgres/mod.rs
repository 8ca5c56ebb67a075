//! PostgreSQL adapters: the scale-out store, one schema per context.

crate::sql::backend::backend!(
    sqlx::Postgres,
    begin = "BEGIN",
    lock = " FOR UPDATE",
    skip_locked = " FOR UPDATE SKIP LOCKED",
    // SET LOCAL: the setting ends with the transaction, so a pooled connection
    // never carries a tenant into the next one.
    set_scope = Some("SELECT set_config('tenantry.tenant_id', $1, true)")
);
