/// The durable job queue of one backend. `$skip_locked` lets concurrent workers on
/// PostgreSQL pass over each other's claims; SQLite has one writer at a time.
macro_rules! jobs {
    ($db:ty, $begin:literal, $skip_locked:literal) => {
        use async_trait::async_trait;
        use chrono::{DateTime, Utc};
        use sqlx::types::Json;
        use sqlx::Row;
        use tenantry_application::ports::{Job, JobId, JobState, JobStore, NewJob, RepositoryError};

        use crate::sql::storage_error;

        const JOB_COLUMNS: &str =
            "id, kind, payload, state, attempts, max_attempts, run_at, last_error, created_at, updated_at";

        pub(crate) async fn insert_job(
            connection: &mut <$db as sqlx::Database>::Connection,
            id: JobId,
            job: &NewJob,
            now: DateTime<Utc>,
        ) -> Result<(), RepositoryError> {
            sqlx::query(
                "INSERT INTO jobs (id, kind, payload, state, attempts, max_attempts, run_at, created_at, updated_at, fair_key) \
                 VALUES ($1, $2, $3, 'queued', 0, $4, $5, $6, $6, $7)",
            )
            .bind(id.as_uuid())
            .bind(&job.kind)
            .bind(Json(&job.payload))
            .bind(i64::from(job.max_attempts))
            .bind(job.run_at)
            .bind(now)
            .bind(job.fair_key.as_deref())
            .execute(connection)
            .await
            .map_err(storage_error)?;
            Ok(())
        }

        fn job_from_row(row: &<$db as sqlx::Database>::Row) -> Result<Job, RepositoryError> {
            let state: String = row.try_get("state").map_err(storage_error)?;
            let payload: Json<serde_json::Value> = row.try_get("payload").map_err(storage_error)?;
            let count = |column: &str| -> Result<u32, RepositoryError> {
                let value: i64 = row.try_get(column).map_err(storage_error)?;
                u32::try_from(value).map_err(|_| RepositoryError::Other(format!("negative {column}").into()))
            };
            Ok(Job {
                id: JobId::from_uuid(row.try_get("id").map_err(storage_error)?),
                kind: row.try_get("kind").map_err(storage_error)?,
                payload: payload.0,
                state: JobState::parse(&state)
                    .ok_or_else(|| RepositoryError::Other(format!("corrupt job state in storage: {state}").into()))?,
                attempts: count("attempts")?,
                max_attempts: count("max_attempts")?,
                run_at: row.try_get("run_at").map_err(storage_error)?,
                last_error: row.try_get("last_error").map_err(storage_error)?,
                created_at: row.try_get("created_at").map_err(storage_error)?,
                updated_at: row.try_get("updated_at").map_err(storage_error)?,
            })
        }

        /// The job table as workers and operators see it.
        #[derive(Clone)]
        pub struct SqlJobStore {
            pool: sqlx::Pool<$db>,
        }

        impl SqlJobStore {
            pub fn new(pool: sqlx::Pool<$db>) -> Self {
                Self { pool }
            }
        }

        #[async_trait]
        impl JobStore for SqlJobStore {
            async fn enqueue(&self, job: &NewJob, now: DateTime<Utc>) -> Result<JobId, RepositoryError> {
                let id = JobId::new();
                let mut conn = self.pool.acquire().await.map_err(storage_error)?;
                insert_job(&mut conn, id, job, now).await?;
                Ok(id)
            }

            async fn claim(
                &self,
                now: DateTime<Utc>,
                lease_until: DateTime<Utc>,
            ) -> Result<Option<Job>, RepositoryError> {
                // A cheap read first, so idle workers never take SQLite's write lock.
                let due: Option<uuid::Uuid> = sqlx::query_scalar(
                    "SELECT id FROM jobs WHERE (state = 'queued' AND run_at <= $1) \
                     OR (state = 'running' AND locked_until < $1) LIMIT 1",
                )
                .bind(now)
                .fetch_optional(&self.pool)
                .await
                .map_err(storage_error)?;
                if due.is_none() {
                    return Ok(None);
                }
                let mut tx = self.pool.begin_with($begin).await.map_err(storage_error)?;
                // The key served longest ago (or never) goes first; within a key, the
                // job due longest. `OF j`: the fairness row is not locked, only read.
                let pick = format!(
                    "SELECT j.id, COALESCE(j.fair_key, '') AS turn FROM jobs j \
                     LEFT JOIN job_fairness f ON f.fair_key = COALESCE(j.fair_key, '') \
                     WHERE (j.state = 'queued' AND j.run_at <= $1) OR (j.state = 'running' AND j.locked_until < $1) \
                     ORDER BY f.last_claimed_at IS NOT NULL, f.last_claimed_at, j.run_at, j.id LIMIT 1{}",
                    if $skip_locked.is_empty() { "" } else { " FOR UPDATE OF j SKIP LOCKED" }
                );
                let Some(picked) = sqlx::query(&pick).bind(now).fetch_optional(&mut *tx).await.map_err(storage_error)?
                else {
                    return Ok(None);
                };
                let id: uuid::Uuid = picked.try_get("id").map_err(storage_error)?;
                let turn: String = picked.try_get("turn").map_err(storage_error)?;
                sqlx::query(
                    "INSERT INTO job_fairness (fair_key, last_claimed_at) VALUES ($1, $2) \
                     ON CONFLICT (fair_key) DO UPDATE SET last_claimed_at = excluded.last_claimed_at",
                )
                .bind(&turn)
                .bind(now)
                .execute(&mut *tx)
                .await
                .map_err(storage_error)?;
                let sql = format!(
                    "UPDATE jobs SET state = 'running', attempts = attempts + 1, locked_until = $2, updated_at = $3 \
                     WHERE id = $1 RETURNING {JOB_COLUMNS}"
                );
                let row = sqlx::query(&sql)
                    .bind(id)
                    .bind(lease_until)
                    .bind(now)
                    .fetch_one(&mut *tx)
                    .await
                    .map_err(storage_error)?;
                let job = job_from_row(&row)?;
                tx.commit().await.map_err(storage_error)?;
                Ok(Some(job))
            }

            async fn complete(&self, id: JobId, now: DateTime<Utc>) -> Result<(), RepositoryError> {
                sqlx::query(
                    "UPDATE jobs SET state = 'done', locked_until = NULL, last_error = NULL, updated_at = $2 \
                     WHERE id = $1",
                )
                .bind(id.as_uuid())
                .bind(now)
                .execute(&self.pool)
                .await
                .map_err(storage_error)?;
                Ok(())
            }

            async fn fail(
                &self,
                id: JobId,
                error: &str,
                retry_at: Option<DateTime<Utc>>,
                now: DateTime<Utc>,
            ) -> Result<(), RepositoryError> {
                let (state, run_at) = match retry_at {
                    Some(at) => ("queued", Some(at)),
                    None => ("dead", None),
                };
                // Errors are kept short: they are for operators, not a log sink.
                let error: String = error.chars().take(2000).collect();
                sqlx::query(
                    "UPDATE jobs SET state = $2, run_at = COALESCE($3, run_at), locked_until = NULL, \
                     last_error = $4, updated_at = $5 WHERE id = $1",
                )
                .bind(id.as_uuid())
                .bind(state)
                .bind(run_at)
                .bind(error)
                .bind(now)
                .execute(&self.pool)
                .await
                .map_err(storage_error)?;
                Ok(())
            }

            async fn list(&self, state: Option<JobState>, limit: u32) -> Result<Vec<Job>, RepositoryError> {
                let mut select = sqlx::QueryBuilder::<$db>::new(format!("SELECT {JOB_COLUMNS} FROM jobs"));
                if let Some(state) = state {
                    select.push(" WHERE state = ").push_bind(state.as_str());
                }
                select.push(" ORDER BY created_at DESC, id DESC LIMIT ").push_bind(i64::from(limit));
                let rows = select.build().fetch_all(&self.pool).await.map_err(storage_error)?;
                rows.iter().map(job_from_row).collect()
            }

            async fn retry(&self, id: JobId, now: DateTime<Utc>) -> Result<bool, RepositoryError> {
                let updated = sqlx::query(
                    "UPDATE jobs SET state = 'queued', attempts = 0, run_at = $2, updated_at = $2 \
                     WHERE id = $1 AND state = 'dead'",
                )
                .bind(id.as_uuid())
                .bind(now)
                .execute(&self.pool)
                .await
                .map_err(storage_error)?;
                Ok(updated.rows_affected() == 1)
            }

            async fn ensure_scheduled(&self, job: &NewJob, now: DateTime<Utc>) -> Result<(), RepositoryError> {
                let pending: Option<uuid::Uuid> = sqlx::query_scalar(
                    "SELECT id FROM jobs WHERE kind = $1 AND state IN ('queued', 'running') LIMIT 1",
                )
                .bind(&job.kind)
                .fetch_optional(&self.pool)
                .await
                .map_err(storage_error)?;
                if pending.is_none() {
                    self.enqueue(job, now).await?;
                }
                Ok(())
            }

            async fn purge(&self, before: DateTime<Utc>) -> Result<u64, RepositoryError> {
                let deleted = sqlx::query("DELETE FROM jobs WHERE state IN ('done', 'dead') AND updated_at < $1")
                    .bind(before)
                    .execute(&self.pool)
                    .await
                    .map_err(storage_error)?;
                Ok(deleted.rows_affected())
            }
        }
    };
}

pub(crate) use jobs;
