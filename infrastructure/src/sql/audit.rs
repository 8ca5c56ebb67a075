/// The append-only audit log writer for one backend.
macro_rules! audit {
    ($db:ty) => {
        use tenantry_application::pipeline::AuditEntry;
        use tenantry_application::ports::RepositoryError;

        use crate::sql::storage_error;

        pub(crate) async fn insert_audit_entry(
            connection: &mut <$db as sqlx::Database>::Connection,
            entry: &AuditEntry,
        ) -> Result<(), RepositoryError> {
            sqlx::query(
                "INSERT INTO audit_log (id, occurred_at, tenant_id, actor_id, action, entity_type, entity_id, request_id, ip) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            )
            .bind(entry.id)
            .bind(entry.occurred_at)
            .bind(entry.tenant_id.map(|t| t.as_uuid()))
            .bind(entry.actor_id.map(|a| a.as_uuid()))
            .bind(entry.action)
            .bind(entry.entity_type)
            .bind(entry.entity_id.as_deref())
            .bind(&entry.request_id)
            .bind(entry.ip.as_deref())
            .execute(connection)
            .await
            .map_err(storage_error)?;
            Ok(())
        }
    };
}

pub(crate) use audit;
