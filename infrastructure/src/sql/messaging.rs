/// The transactional outbox for one backend: rows written by the unit of work and
/// relayed to the event bus afterwards. `$skip_locked` lets several relays (one per
/// API instance) share the table on PostgreSQL without delivering a row twice at once.
macro_rules! messaging {
    ($db:ty, $begin:literal, $skip_locked:literal) => {
        use async_trait::async_trait;
        use sqlx::types::Json;
        use sqlx::Row;
        use tenantry_application::ports::{EventPublisher, RepositoryError};
        use tenantry_kernel::{EventEnvelope, EventId, TenantId, UserId};

        use crate::events::Outbox;
        use crate::sql::storage_error;

        pub(crate) async fn insert_outbox_event(
            connection: &mut <$db as sqlx::Database>::Connection,
            event: &EventEnvelope,
        ) -> Result<(), RepositoryError> {
            sqlx::query(
                "INSERT INTO outbox (id, event_type, occurred_at, tenant_id, actor_id, payload) VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(event.id.as_uuid())
            .bind(&event.event_type)
            .bind(event.occurred_at)
            .bind(event.tenant_id.map(|t| t.as_uuid()))
            .bind(event.actor_id.map(|a| a.as_uuid()))
            .bind(Json(&event.payload))
            .execute(connection)
            .await
            .map_err(storage_error)?;
            Ok(())
        }

        fn envelope_from_row(row: &<$db as sqlx::Database>::Row) -> Result<EventEnvelope, RepositoryError> {
            let tenant: Option<uuid::Uuid> = row.try_get("tenant_id").map_err(storage_error)?;
            let actor: Option<uuid::Uuid> = row.try_get("actor_id").map_err(storage_error)?;
            let payload: Json<serde_json::Value> = row.try_get("payload").map_err(storage_error)?;
            Ok(EventEnvelope {
                id: EventId::from_uuid(row.try_get("id").map_err(storage_error)?),
                event_type: row.try_get("event_type").map_err(storage_error)?,
                occurred_at: row.try_get("occurred_at").map_err(storage_error)?,
                tenant_id: tenant.map(TenantId::from_uuid),
                actor_id: actor.map(UserId::from_uuid),
                payload: payload.0,
            })
        }

        /// Committed events in order (ids are time-ordered UUIDv7), for replays.
        pub async fn events_after(
            pool: &sqlx::Pool<$db>,
            after: Option<EventId>,
            limit: i64,
        ) -> Result<Vec<EventEnvelope>, RepositoryError> {
            let rows = match after {
                Some(after) => sqlx::query(
                    "SELECT id, event_type, occurred_at, tenant_id, actor_id, payload FROM outbox WHERE id > $1 ORDER BY id LIMIT $2",
                )
                .bind(after.as_uuid())
                .bind(limit)
                .fetch_all(pool)
                .await,
                None => sqlx::query(
                    "SELECT id, event_type, occurred_at, tenant_id, actor_id, payload FROM outbox ORDER BY id LIMIT $1",
                )
                .bind(limit)
                .fetch_all(pool)
                .await,
            }
            .map_err(storage_error)?;
            rows.iter().map(envelope_from_row).collect()
        }

        /// The outbox table seen by the relay.
        #[derive(Clone)]
        pub struct SqlOutbox {
            pool: sqlx::Pool<$db>,
        }

        impl SqlOutbox {
            pub fn new(pool: sqlx::Pool<$db>) -> Self {
                Self { pool }
            }
        }

        #[async_trait]
        impl Outbox for SqlOutbox {
            async fn relay_batch(&self, publisher: &dyn EventPublisher, limit: i64) -> Result<usize, RepositoryError> {
                // A cheap read first, so an idle relay never takes the write lock.
                let any_pending = sqlx::query("SELECT id FROM outbox WHERE published_at IS NULL LIMIT 1")
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(storage_error)?
                    .is_some();
                if !any_pending {
                    return Ok(0);
                }
                let mut tx = self.pool.begin_with($begin).await.map_err(storage_error)?;
                let sql = format!(
                    "SELECT id, event_type, occurred_at, tenant_id, actor_id, payload FROM outbox \
                     WHERE published_at IS NULL ORDER BY id LIMIT $1{}",
                    $skip_locked
                );
                let rows = sqlx::query(&sql).bind(limit).fetch_all(&mut *tx).await.map_err(storage_error)?;
                let mut delivered = 0;
                for row in &rows {
                    let event = envelope_from_row(row)?;
                    match publisher.publish(&event).await {
                        Ok(()) => {
                            sqlx::query("UPDATE outbox SET published_at = $2, attempts = attempts + 1 WHERE id = $1")
                                .bind(event.id.as_uuid())
                                .bind(chrono::Utc::now())
                                .execute(&mut *tx)
                                .await
                                .map_err(storage_error)?;
                            delivered += 1;
                        }
                        Err(error) => {
                            // Keep order: stop at the first failure and retry from here later.
                            sqlx::query("UPDATE outbox SET attempts = attempts + 1, last_error = $2 WHERE id = $1")
                                .bind(event.id.as_uuid())
                                .bind(error.to_string())
                                .execute(&mut *tx)
                                .await
                                .map_err(storage_error)?;
                            tracing::warn!(event_id = %event.id, %error, "outbox delivery failed; will retry");
                            break;
                        }
                    }
                }
                tx.commit().await.map_err(storage_error)?;
                Ok(delivered)
            }

            async fn pending(&self) -> Result<i64, RepositoryError> {
                let row = sqlx::query("SELECT COUNT(*) AS pending FROM outbox WHERE published_at IS NULL")
                    .fetch_one(&self.pool)
                    .await
                    .map_err(storage_error)?;
                row.try_get("pending").map_err(storage_error)
            }
        }
    };
}

pub(crate) use messaging;
