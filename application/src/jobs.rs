//! Background jobs: handlers by kind, and the runner that claims due jobs from the
//! durable queue, runs them, and retries failures with exponential backoff until a
//! job runs out of attempts and is dead-lettered.

use std::collections::HashMap;
use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use tenantry_kernel::Clock;

use crate::ports::{Job, JobStore, RepositoryError};

/// How long a claim holds a job: a worker that dies mid-job gives it up after this.
pub const LEASE: chrono::Duration = chrono::Duration::minutes(5);
/// Attempts a job gets unless its kind says otherwise.
pub const DEFAULT_MAX_ATTEMPTS: u32 = 5;
const FIRST_RETRY: chrono::Duration = chrono::Duration::seconds(5);
const LONGEST_RETRY: chrono::Duration = chrono::Duration::hours(1);

/// Why a run failed.
#[derive(Debug, thiserror::Error)]
pub enum JobFailure {
    /// Worth another attempt (storage down, a timeout).
    #[error("{0}")]
    Transient(String),
    /// Another attempt cannot help (unreadable input): dead at once.
    #[error("{0}")]
    Permanent(String),
}

impl From<RepositoryError> for JobFailure {
    fn from(error: RepositoryError) -> Self {
        match error {
            RepositoryError::Unavailable(_) | RepositoryError::StaleVersion => JobFailure::Transient(error.to_string()),
            other => JobFailure::Permanent(other.to_string()),
        }
    }
}

/// Runs the jobs of one kind. Runs must be idempotent: a job whose worker died
/// after doing the work but before recording it runs again.
#[async_trait]
pub trait JobHandler: Send + Sync {
    fn kind(&self) -> &'static str;
    async fn run(&self, payload: &serde_json::Value) -> Result<(), JobFailure>;
    /// Called once when the job is dead-lettered, to leave its subject in a
    /// truthful state (a thumbnail marked failed rather than pending forever).
    async fn gave_up(&self, _payload: &serde_json::Value) -> Result<(), RepositoryError> {
        Ok(())
    }
    /// Called when a worker starts, before its first turn: queue a recurring job,
    /// sweep what a crash left behind. Failures are the handler's to log; the next
    /// worker start tries again.
    async fn on_worker_start(&self) {}
}

/// The wait before the attempt after `attempts` failed ones: 5 s, 10 s, 20 s, ...
/// up to an hour.
pub fn backoff(attempts: u32) -> chrono::Duration {
    let factor = 2_i32.saturating_pow(attempts.saturating_sub(1).min(20));
    FIRST_RETRY.checked_mul(factor).map_or(LONGEST_RETRY, |wait| wait.min(LONGEST_RETRY))
}

/// What one turn of the runner did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Turn {
    /// No job was due.
    Idle,
    Succeeded,
    /// Failed; queued again for this time.
    Retrying(DateTime<Utc>),
    Dead,
}

/// Claims and runs jobs, in the server process or in `tenantry worker` processes;
/// any number of runners may share one queue.
#[derive(Clone)]
pub struct JobRunner {
    store: Arc<dyn JobStore>,
    handlers: HashMap<&'static str, Arc<dyn JobHandler>>,
    clock: Arc<dyn Clock>,
}

impl JobRunner {
    pub fn new(store: Arc<dyn JobStore>, handlers: Vec<Arc<dyn JobHandler>>, clock: Arc<dyn Clock>) -> Self {
        Self { store, handlers: handlers.into_iter().map(|handler| (handler.kind(), handler)).collect(), clock }
    }

    /// Lets every handler prepare (see [`JobHandler::on_worker_start`]).
    pub async fn start(&self) {
        for handler in self.handlers.values() {
            handler.on_worker_start().await;
        }
    }

    /// Claims one due job and runs it to an outcome.
    ///
    /// # Errors
    /// Only when the queue itself cannot be reached; a job's failure is an outcome.
    pub async fn turn(&self) -> Result<Turn, RepositoryError> {
        let now = self.clock.now();
        let Some(job) = self.store.claim(now, now + LEASE).await? else { return Ok(Turn::Idle) };
        let outcome = match self.handlers.get(job.kind.as_str()) {
            Some(_) if job.attempts > job.max_attempts => {
                Err(JobFailure::Permanent("its worker stopped during every attempt".into()))
            }
            Some(handler) => handler.run(&job.payload).await,
            None => Err(JobFailure::Permanent(format!("no handler for job kind {}", job.kind))),
        };
        let now = self.clock.now();
        match outcome {
            Ok(()) => {
                self.store.complete(job.id, now).await?;
                Ok(Turn::Succeeded)
            }
            Err(JobFailure::Transient(error)) if job.attempts < job.max_attempts => {
                let retry_at = now + backoff(job.attempts);
                tracing::warn!(job_id = %job.id, kind = %job.kind, attempt = job.attempts, %error, %retry_at, "job failed; will retry");
                self.store.fail(job.id, &error, Some(retry_at), now).await?;
                Ok(Turn::Retrying(retry_at))
            }
            Err(failure) => {
                tracing::error!(job_id = %job.id, kind = %job.kind, attempt = job.attempts, error = %failure, "job dead-lettered");
                self.store.fail(job.id, &failure.to_string(), None, now).await?;
                self.dead(&job).await;
                Ok(Turn::Dead)
            }
        }
    }

    async fn dead(&self, job: &Job) {
        if let Some(handler) = self.handlers.get(job.kind.as_str()) {
            if let Err(error) = handler.gave_up(&job.payload).await {
                tracing::error!(job_id = %job.id, %error, "recording a dead job's outcome failed");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_back_off_exponentially_up_to_an_hour() {
        let waits: Vec<i64> = (1..=4).map(|attempts| backoff(attempts).num_seconds()).collect();
        assert_eq!(waits, [5, 10, 20, 40]);
        assert_eq!(backoff(30), LONGEST_RETRY);
        assert_eq!(backoff(u32::MAX), LONGEST_RETRY);
    }
}
