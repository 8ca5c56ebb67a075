//! Emptying the bin: files deleted more than the retention ago are removed for
//! good, and their blobs with them once no version references them. Runs as a
//! recurring job (`files.purge_bin`) and from `tenantry files purge`.

use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};
use tenantry_kernel::Clock;

use crate::files::ports::FileRepositories;
use crate::jobs::{JobFailure, JobHandler};
use crate::ports::FileStore;
use crate::ports::{JobStore, NewJob, RepositoryError, UnitOfWorkFactory};

/// The job kind.
pub const PURGE_BIN_JOB: &str = "files.purge_bin";
/// How often the recurring purge runs.
const EVERY: Duration = Duration::hours(24);
/// A blob put this recently is kept even when unreferenced: an upload of the same
/// bytes may not have committed its metadata yet (uploads take far less).
const UPLOAD_GRACE: Duration = Duration::hours(1);

/// What one purge removed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PurgeReport {
    /// Blobs no longer referenced and deleted from the store.
    pub blobs_deleted: usize,
    /// Unreferenced blobs kept because an upload touched them within the grace time.
    pub blobs_kept: usize,
    /// Temporaries of uploads that never finished (a crash mid-upload).
    pub incoming_removed: usize,
}

/// Purges the bin, once or as the recurring job.
pub struct BinPurger {
    units: Arc<dyn UnitOfWorkFactory>,
    repositories: Arc<dyn FileRepositories>,
    store: Arc<dyn FileStore>,
    jobs: Arc<dyn JobStore>,
    clock: Arc<dyn Clock>,
    retention: Duration,
}

impl BinPurger {
    pub fn new(
        units: Arc<dyn UnitOfWorkFactory>,
        repositories: Arc<dyn FileRepositories>,
        store: Arc<dyn FileStore>,
        jobs: Arc<dyn JobStore>,
        clock: Arc<dyn Clock>,
        retention_days: u32,
    ) -> Self {
        Self { units, repositories, store, jobs, clock, retention: Duration::days(i64::from(retention_days)) }
    }

    /// Removes files binned more than `retention` ago, then their unreferenced blobs.
    ///
    /// # Errors
    /// Storage failures; metadata is removed in one transaction, blobs after it (a
    /// failure there leaves unreferenced blobs, never rows without blobs).
    pub async fn purge(&self, retention: Duration) -> Result<PurgeReport, JobFailure> {
        let now = self.clock.now();
        let mut uow = self.units.begin().await?;
        let unreferenced = self.repositories.files(uow.as_mut())?.purge_binned(now - retention).await?;
        uow.commit().await?;
        let mut report = PurgeReport::default();
        for sha256 in unreferenced {
            match self.store.delete_unless_put_since(&sha256, now - UPLOAD_GRACE).await {
                Ok(true) => report.blobs_deleted += 1,
                Ok(false) => report.blobs_kept += 1,
                Err(error) => return Err(JobFailure::Transient(error.to_string())),
            }
        }
        report.incoming_removed = self.sweep_incoming().await?;
        Ok(report)
    }

    /// Removes the temporaries of uploads that started more than the grace time ago
    /// and never finished (run at start and by every purge). Younger ones may belong
    /// to an upload in flight in this or another process.
    ///
    /// # Errors
    /// Storage failures.
    pub async fn sweep_incoming(&self) -> Result<usize, JobFailure> {
        let before = self.clock.now() - UPLOAD_GRACE;
        self.store.sweep_incoming(before).await.map_err(|error| JobFailure::Transient(error.to_string()))
    }

    /// The next run of the recurring purge, `at`.
    fn next_run(at: DateTime<Utc>) -> NewJob {
        NewJob {
            kind: PURGE_BIN_JOB.to_owned(),
            payload: serde_json::json!({}),
            run_at: at,
            max_attempts: 3,
            fair_key: None,
        }
    }

    /// Makes sure the recurring purge is queued (at worker start).
    ///
    /// # Errors
    /// Storage failures.
    pub async fn schedule(&self) -> Result<(), RepositoryError> {
        let now = self.clock.now();
        self.jobs.ensure_scheduled(&Self::next_run(now), now).await
    }
}

#[async_trait]
impl JobHandler for BinPurger {
    fn kind(&self) -> &'static str {
        PURGE_BIN_JOB
    }

    async fn run(&self, _: &serde_json::Value) -> Result<(), JobFailure> {
        let report = self.purge(self.retention).await?;
        tracing::info!(
            blobs_deleted = report.blobs_deleted,
            blobs_kept = report.blobs_kept,
            incoming_removed = report.incoming_removed,
            "bin purged"
        );
        let now = self.clock.now();
        // The next run, queued while this one is still `running`: never two queued.
        self.jobs.enqueue(&Self::next_run(now + EVERY), now).await?;
        Ok(())
    }

    async fn on_worker_start(&self) {
        if let Err(error) = self.schedule().await {
            tracing::warn!(%error, "could not schedule the bin purge; the next worker start tries again");
        }
        match self.sweep_incoming().await {
            Ok(0) => {}
            Ok(removed) => tracing::info!(removed, "removed the temporaries of unfinished uploads"),
            Err(error) => tracing::warn!(%error, "could not sweep unfinished uploads; the daily purge tries again"),
        }
    }
}
