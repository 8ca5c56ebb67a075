/// The idempotency store of one backend. Keys belong to callers, not tenants, so
/// it works platform-wide; every claim is one short transaction.
macro_rules! idempotency {
    ($db:ty, $lock:literal) => {
        use async_trait::async_trait;
        use sqlx::Row;
        use tenantry_application::ports::{ClaimWindow, DataScope, IdempotencyClaim, IdempotencyStore, RepositoryError, StoredResponse};

        use crate::sql::storage_error;

        /// First answers to POST requests, per (scope, key).
        #[derive(Clone)]
        pub struct SqlIdempotencyStore {
            pool: sqlx::Pool<$db>,
        }

        impl SqlIdempotencyStore {
            pub fn new(pool: sqlx::Pool<$db>) -> Self {
                Self { pool }
            }
        }

        fn stored_response(row: &<$db as sqlx::Database>::Row, status: i32) -> Result<StoredResponse, RepositoryError> {
            let headers: Option<String> = row.try_get("headers").map_err(storage_error)?;
            let headers = serde_json::from_str(headers.as_deref().unwrap_or("[]"))
                .map_err(|error| RepositoryError::Other(format!("corrupt stored headers: {error}").into()))?;
            let body: Option<Vec<u8>> = row.try_get("body").map_err(storage_error)?;
            Ok(StoredResponse {
                status: u16::try_from(status).map_err(|_| RepositoryError::Other("corrupt stored status".into()))?,
                headers,
                body: body.unwrap_or_default(),
            })
        }

        #[async_trait]
        impl IdempotencyStore for SqlIdempotencyStore {
            async fn claim(
                &self,
                scope: &str,
                key: &str,
                fingerprint: &str,
                window: ClaimWindow,
            ) -> Result<IdempotencyClaim, RepositoryError> {
                let now = window.now.timestamp_micros();
                let mut tx = super::write_in(&self.pool, DataScope::Platform).await?;
                // Forgotten answers go as new ones come (an index range, usually empty).
                sqlx::query("DELETE FROM idempotency_keys WHERE created_micros < $1")
                    .bind(window.expired_before.timestamp_micros())
                    .execute(&mut *tx)
                    .await
                    .map_err(storage_error)?;
                let inserted = sqlx::query(
                    "INSERT INTO idempotency_keys (scope, key, fingerprint, created_micros, locked_micros) \
                     VALUES ($1, $2, $3, $4, $4) ON CONFLICT (scope, key) DO NOTHING",
                )
                .bind(scope)
                .bind(key)
                .bind(fingerprint)
                .bind(now)
                .execute(&mut *tx)
                .await
                .map_err(storage_error)?;
                let claim = if inserted.rows_affected() == 1 {
                    IdempotencyClaim::Claimed
                } else {
                    let sql = format!(
                        "SELECT fingerprint, locked_micros, status_code, headers, body FROM idempotency_keys \
                         WHERE scope = $1 AND key = $2{}",
                        $lock
                    );
                    let row = sqlx::query(&sql).bind(scope).bind(key).fetch_one(&mut *tx).await.map_err(storage_error)?;
                    let stored: String = row.try_get("fingerprint").map_err(storage_error)?;
                    let status: Option<i32> = row.try_get("status_code").map_err(storage_error)?;
                    let locked: i64 = row.try_get("locked_micros").map_err(storage_error)?;
                    if stored != fingerprint {
                        IdempotencyClaim::Mismatch
                    } else if let Some(status) = status {
                        IdempotencyClaim::Replay(stored_response(&row, status)?)
                    } else if locked < window.abandoned_before.timestamp_micros() {
                        sqlx::query("UPDATE idempotency_keys SET locked_micros = $3 WHERE scope = $1 AND key = $2")
                            .bind(scope)
                            .bind(key)
                            .bind(now)
                            .execute(&mut *tx)
                            .await
                            .map_err(storage_error)?;
                        IdempotencyClaim::Claimed
                    } else {
                        IdempotencyClaim::InProgress
                    }
                };
                tx.commit().await.map_err(storage_error)?;
                Ok(claim)
            }

            async fn complete(&self, scope: &str, key: &str, response: &StoredResponse) -> Result<(), RepositoryError> {
                let headers = serde_json::to_string(&response.headers)
                    .map_err(|error| RepositoryError::Other(Box::new(error)))?;
                let mut tx = super::write_in(&self.pool, DataScope::Platform).await?;
                sqlx::query(
                    "UPDATE idempotency_keys SET status_code = $3, headers = $4, body = $5 WHERE scope = $1 AND key = $2",
                )
                .bind(scope)
                .bind(key)
                .bind(i32::from(response.status))
                .bind(headers)
                .bind(&response.body)
                .execute(&mut *tx)
                .await
                .map_err(storage_error)?;
                tx.commit().await.map_err(storage_error)
            }

            async fn release(&self, scope: &str, key: &str) -> Result<(), RepositoryError> {
                let mut tx = super::write_in(&self.pool, DataScope::Platform).await?;
                sqlx::query("DELETE FROM idempotency_keys WHERE scope = $1 AND key = $2 AND status_code IS NULL")
                    .bind(scope)
                    .bind(key)
                    .execute(&mut *tx)
                    .await
                    .map_err(storage_error)?;
                tx.commit().await.map_err(storage_error)
            }
        }
    };
}

pub(crate) use idempotency;
