/// The audit log of one backend: the chained, append-only writer (inside the unit of
/// work), the chain verifier and the tenant-scoped read side.
macro_rules! audit {
    ($db:ty, $lock:literal) => {
        use async_trait::async_trait;
        use sqlx::Row;
        use tenantry_application::pipeline::AuditEntry;
        use tenantry_application::ports::{DataScope, RepositoryError};
        use tenantry_application::audit::ports::{AuditFilter, AuditQueries, AuditRecord};
        use tenantry_kernel::{Page, PageRequest, TenantId, UserId};

        use crate::audit_chain::{chain_key, link_hash, verify, ChainReport, ChainedEntry, GENESIS_HASH};
        use crate::sql::storage_error;

        /// Appends `entry` to its chain. The chain head row is locked (PostgreSQL) or
        /// the write transaction is exclusive (SQLite), so one chain grows one entry
        /// at a time.
        pub(crate) async fn insert_audit_entry(
            connection: &mut <$db as sqlx::Database>::Connection,
            entry: &AuditEntry,
        ) -> Result<(), RepositoryError> {
            let key = chain_key(entry.tenant_id);
            sqlx::query("INSERT INTO audit_chain_heads (chain_key, seq, hash) VALUES ($1, 0, $2) ON CONFLICT (chain_key) DO NOTHING")
                .bind(&key)
                .bind(GENESIS_HASH)
                .execute(&mut *connection)
                .await
                .map_err(storage_error)?;
            let head = format!("SELECT seq, hash FROM audit_chain_heads WHERE chain_key = $1{}", $lock);
            let row = sqlx::query(&head).bind(&key).fetch_one(&mut *connection).await.map_err(storage_error)?;
            let previous_seq: i64 = row.try_get("seq").map_err(storage_error)?;
            let previous_hash: String = row.try_get("hash").map_err(storage_error)?;
            let seq = previous_seq + 1;
            let chained = ChainedEntry::from(entry);
            let hash = link_hash(&previous_hash, seq, &chained);
            sqlx::query(
                "INSERT INTO audit_log (id, occurred_at, tenant_id, actor_id, action, entity_type, entity_id, request_id, ip, \
                 chain_key, seq, occurred_micros, prev_hash, hash) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
            )
            .bind(entry.id)
            .bind(entry.occurred_at)
            .bind(chained.tenant_id)
            .bind(chained.actor_id)
            .bind(entry.action)
            .bind(entry.entity_type)
            .bind(entry.entity_id.as_deref())
            .bind(&entry.request_id)
            .bind(entry.ip.as_deref())
            .bind(&key)
            .bind(seq)
            .bind(chained.occurred_micros)
            .bind(&previous_hash)
            .bind(&hash)
            .execute(&mut *connection)
            .await
            .map_err(storage_error)?;
            sqlx::query("UPDATE audit_chain_heads SET seq = $2, hash = $3 WHERE chain_key = $1")
                .bind(&key)
                .bind(seq)
                .bind(&hash)
                .execute(&mut *connection)
                .await
                .map_err(storage_error)?;
            Ok(())
        }

        fn chained_from_row(row: &<$db as sqlx::Database>::Row) -> Result<ChainedEntry, RepositoryError> {
            Ok(ChainedEntry {
                id: row.try_get("id").map_err(storage_error)?,
                occurred_micros: row.try_get("occurred_micros").map_err(storage_error)?,
                tenant_id: row.try_get("tenant_id").map_err(storage_error)?,
                actor_id: row.try_get("actor_id").map_err(storage_error)?,
                action: row.try_get("action").map_err(storage_error)?,
                entity_type: row.try_get("entity_type").map_err(storage_error)?,
                entity_id: row.try_get("entity_id").map_err(storage_error)?,
                request_id: row.try_get("request_id").map_err(storage_error)?,
                ip: row.try_get("ip").map_err(storage_error)?,
            })
        }

        const AUDIT_COLUMNS: &str = "id, occurred_at, occurred_micros, tenant_id, actor_id, action, entity_type, \
             entity_id, request_id, ip, chain_key, seq, prev_hash, hash";

        /// Recomputes every chain from its first entry.
        pub async fn verify_chains(pool: &sqlx::Pool<$db>) -> Result<ChainReport, RepositoryError> {
            let sql = format!("SELECT {AUDIT_COLUMNS} FROM audit_log WHERE seq IS NOT NULL ORDER BY chain_key, seq");
            let mut tx = super::read_in(pool, DataScope::Platform).await?;
            let rows = sqlx::query(&sql).fetch_all(&mut *tx).await.map_err(storage_error)?;
            let links = rows
                .iter()
                .map(|row| {
                    Ok((
                        row.try_get::<String, _>("chain_key").map_err(storage_error)?,
                        row.try_get::<i64, _>("seq").map_err(storage_error)?,
                        row.try_get::<String, _>("prev_hash").map_err(storage_error)?,
                        row.try_get::<String, _>("hash").map_err(storage_error)?,
                        chained_from_row(row)?,
                    ))
                })
                .collect::<Result<Vec<_>, RepositoryError>>()?;
            Ok(verify(links))
        }

        /// The audit trail, read per tenant.
        #[derive(Clone)]
        pub struct SqlAuditQueries {
            pool: sqlx::Pool<$db>,
        }

        impl SqlAuditQueries {
            pub fn new(pool: sqlx::Pool<$db>) -> Self {
                Self { pool }
            }
        }

        #[async_trait]
        impl AuditQueries for SqlAuditQueries {
            async fn entries(
                &self,
                tenant: TenantId,
                filter: &AuditFilter,
                page: PageRequest,
            ) -> Result<Page<AuditRecord>, RepositoryError> {
                let conditions = |builder: &mut sqlx::QueryBuilder<'_, $db>| {
                    builder.push(" WHERE tenant_id = ").push_bind(tenant.as_uuid());
                    if let Some(actor) = filter.actor {
                        builder.push(" AND actor_id = ").push_bind(actor.as_uuid());
                    }
                    if let Some(entity_type) = &filter.entity_type {
                        builder.push(" AND entity_type = ").push_bind(entity_type.clone());
                    }
                    if let Some(entity_id) = &filter.entity_id {
                        builder.push(" AND entity_id = ").push_bind(entity_id.clone());
                    }
                    if let Some(from) = filter.from {
                        builder.push(" AND occurred_micros >= ").push_bind(from.timestamp_micros());
                    }
                    if let Some(to) = filter.to {
                        builder.push(" AND occurred_micros < ").push_bind(to.timestamp_micros());
                    }
                };
                let mut select = sqlx::QueryBuilder::<$db>::new(format!("SELECT {AUDIT_COLUMNS} FROM audit_log"));
                conditions(&mut select);
                select
                    .push(" ORDER BY occurred_micros DESC, id DESC LIMIT ")
                    .push_bind(i64::from(page.size()))
                    .push(" OFFSET ")
                    .push_bind(i64::try_from(page.offset()).unwrap_or(i64::MAX));
                let mut tx = super::read_in(&self.pool, DataScope::Tenant(tenant)).await?;
                let rows = select.build().fetch_all(&mut *tx).await.map_err(storage_error)?;
                let mut count = sqlx::QueryBuilder::<$db>::new("SELECT COUNT(*) FROM audit_log");
                conditions(&mut count);
                let total: i64 = count.build_query_scalar().fetch_one(&mut *tx).await.map_err(storage_error)?;
                let items = rows
                    .iter()
                    .map(|row| {
                        let actor: Option<uuid::Uuid> = row.try_get("actor_id").map_err(storage_error)?;
                        Ok(AuditRecord {
                            id: row.try_get("id").map_err(storage_error)?,
                            occurred_at: row.try_get("occurred_at").map_err(storage_error)?,
                            actor_id: actor.map(UserId::from_uuid),
                            action: row.try_get("action").map_err(storage_error)?,
                            entity_type: row.try_get("entity_type").map_err(storage_error)?,
                            entity_id: row.try_get("entity_id").map_err(storage_error)?,
                            request_id: row.try_get("request_id").map_err(storage_error)?,
                            ip: row.try_get("ip").map_err(storage_error)?,
                            seq: row.try_get("seq").map_err(storage_error)?,
                            hash: row.try_get("hash").map_err(storage_error)?,
                        })
                    })
                    .collect::<Result<Vec<_>, RepositoryError>>()?;
                Ok(Page::new(items, page, u64::try_from(total).unwrap_or_default()))
            }
        }
    };
}

pub(crate) use audit;
