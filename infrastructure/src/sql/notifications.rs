/// The notifications store of one backend.
macro_rules! notifications {
    ($db:ty) => {
        use async_trait::async_trait;
        use chrono::{DateTime, Utc};
        use sqlx::Row;
        use tenantry_application::ports::{DataScope, RepositoryError};
        use tenantry_application::notifications::ports::NotificationStore;
        use tenantry_domain::notifications::{Notification, NotificationId, NotificationKind};
        use tenantry_kernel::{EventId, Page, PageRequest, TenantId, UserId};

        use crate::sql::storage_error;

        const COLUMNS: &str = "id, tenant_id, user_id, kind, title, entity_type, entity_id, event_id, created_at, read_at";

        fn notification_from_row(row: &<$db as sqlx::Database>::Row) -> Result<Notification, RepositoryError> {
            let kind: String = row.try_get("kind").map_err(storage_error)?;
            let tenant: Option<uuid::Uuid> = row.try_get("tenant_id").map_err(storage_error)?;
            Ok(Notification {
                id: NotificationId::from_uuid(row.try_get("id").map_err(storage_error)?),
                tenant_id: tenant.map(TenantId::from_uuid),
                user_id: UserId::from_uuid(row.try_get("user_id").map_err(storage_error)?),
                kind: NotificationKind::parse(&kind)
                    .ok_or_else(|| RepositoryError::Other(format!("unknown notification kind {kind:?}").into()))?,
                title: row.try_get("title").map_err(storage_error)?,
                entity_type: row.try_get("entity_type").map_err(storage_error)?,
                entity_id: row.try_get("entity_id").map_err(storage_error)?,
                event_id: EventId::from_uuid(row.try_get("event_id").map_err(storage_error)?),
                created_at: row.try_get("created_at").map_err(storage_error)?,
                read_at: row.try_get("read_at").map_err(storage_error)?,
            })
        }

        /// Notifications and preferences. A user's notifications span the organizations
        /// they belong to, so every call works platform-wide and filters by the user.
        #[derive(Clone)]
        pub struct SqlNotificationStore {
            pool: sqlx::Pool<$db>,
        }

        impl SqlNotificationStore {
            pub fn new(pool: sqlx::Pool<$db>) -> Self {
                Self { pool }
            }
        }

        #[async_trait]
        impl NotificationStore for SqlNotificationStore {
            async fn deliver(&self, notifications: &[Notification]) -> Result<usize, RepositoryError> {
                let mut tx = super::write_in(&self.pool, DataScope::Platform).await?;
                let mut delivered = 0;
                for note in notifications {
                    // Skipped when the user turned this kind off, or already has it.
                    let result = sqlx::query(
                        "INSERT INTO notifications (id, tenant_id, user_id, kind, title, entity_type, entity_id, event_id, \
                         created_at, read_at) \
                         SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, NULL WHERE NOT EXISTS (\
                         SELECT 1 FROM notification_preferences WHERE user_id = $3 AND kind = $4 AND enabled = $10) \
                         ON CONFLICT (event_id, user_id) DO NOTHING",
                    )
                    .bind(note.id.as_uuid())
                    .bind(note.tenant_id.map(|t| t.as_uuid()))
                    .bind(note.user_id.as_uuid())
                    .bind(note.kind.as_str())
                    .bind(&note.title)
                    .bind(&note.entity_type)
                    .bind(&note.entity_id)
                    .bind(note.event_id.as_uuid())
                    .bind(note.created_at)
                    .bind(false)
                    .execute(&mut *tx)
                    .await
                    .map_err(storage_error)?;
                    delivered += usize::try_from(result.rows_affected()).unwrap_or(0);
                }
                tx.commit().await.map_err(storage_error)?;
                Ok(delivered)
            }

            async fn list(&self, user: UserId, page: PageRequest) -> Result<Page<Notification>, RepositoryError> {
                let mut tx = super::read_in(&self.pool, DataScope::Platform).await?;
                // Unread first (read_at IS NULL sorts as 0), then newest first.
                let sql = format!(
                    "SELECT {COLUMNS} FROM notifications WHERE user_id = $1 \
                     ORDER BY CASE WHEN read_at IS NULL THEN 0 ELSE 1 END, created_at DESC, id DESC LIMIT $2 OFFSET $3"
                );
                let rows = sqlx::query(&sql)
                    .bind(user.as_uuid())
                    .bind(i64::from(page.size()))
                    .bind(i64::try_from(page.offset()).unwrap_or(i64::MAX))
                    .fetch_all(&mut *tx)
                    .await
                    .map_err(storage_error)?;
                let total: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM notifications WHERE user_id = $1")
                    .bind(user.as_uuid())
                    .fetch_one(&mut *tx)
                    .await
                    .map_err(storage_error)?;
                let items = rows.iter().map(notification_from_row).collect::<Result<_, _>>()?;
                Ok(Page::new(items, page, u64::try_from(total).unwrap_or_default()))
            }

            async fn mark_read(&self, user: UserId, id: NotificationId, at: DateTime<Utc>) -> Result<bool, RepositoryError> {
                let mut tx = super::write_in(&self.pool, DataScope::Platform).await?;
                let result = sqlx::query(
                    "UPDATE notifications SET read_at = COALESCE(read_at, $3) WHERE user_id = $1 AND id = $2",
                )
                .bind(user.as_uuid())
                .bind(id.as_uuid())
                .bind(at)
                .execute(&mut *tx)
                .await
                .map_err(storage_error)?;
                tx.commit().await.map_err(storage_error)?;
                Ok(result.rows_affected() == 1)
            }

            async fn mark_all_read(&self, user: UserId, at: DateTime<Utc>) -> Result<u64, RepositoryError> {
                let mut tx = super::write_in(&self.pool, DataScope::Platform).await?;
                let result = sqlx::query("UPDATE notifications SET read_at = $2 WHERE user_id = $1 AND read_at IS NULL")
                    .bind(user.as_uuid())
                    .bind(at)
                    .execute(&mut *tx)
                    .await
                    .map_err(storage_error)?;
                tx.commit().await.map_err(storage_error)?;
                Ok(result.rows_affected())
            }

            async fn disabled_kinds(&self, user: UserId) -> Result<Vec<NotificationKind>, RepositoryError> {
                let kinds: Vec<String> =
                    sqlx::query_scalar("SELECT kind FROM notification_preferences WHERE user_id = $1 AND enabled = $2")
                        .bind(user.as_uuid())
                        .bind(false)
                        .fetch_all(&self.pool)
                        .await
                        .map_err(storage_error)?;
                Ok(kinds.iter().filter_map(|k| NotificationKind::parse(k)).collect())
            }

            async fn set_kinds(&self, user: UserId, choices: &[(NotificationKind, bool)]) -> Result<(), RepositoryError> {
                let mut tx = self.pool.begin().await.map_err(storage_error)?;
                for (kind, enabled) in choices {
                    sqlx::query(
                        "INSERT INTO notification_preferences (user_id, kind, enabled) VALUES ($1, $2, $3) \
                         ON CONFLICT (user_id, kind) DO UPDATE SET enabled = excluded.enabled",
                    )
                    .bind(user.as_uuid())
                    .bind(kind.as_str())
                    .bind(*enabled)
                    .execute(&mut *tx)
                    .await
                    .map_err(storage_error)?;
                }
                tx.commit().await.map_err(storage_error)?;
                Ok(())
            }
        }
    };
}

pub(crate) use notifications;
