//! Thumbnails of uploaded images, made by a background job queued in the same
//! transaction as the upload. The job reads the blob, has the `Thumbnailer` adapter
//! make a PNG, stores it content-addressed beside the original and records it on
//! the version, announcing `files.file_processed`.

use std::sync::Arc;

use async_trait::async_trait;
use bytes::{Bytes, BytesMut};
use chrono::{DateTime, Utc};
use futures::StreamExt;
use serde::{Deserialize, Serialize};
use tenantry_domain::files::{FileId, FileProcessed, Processing, StoredFile};
use tenantry_kernel::{Clock, EventEnvelope, TenantId, UserId};

use crate::files::ports::FileRepositories;
use crate::files::ports::{ThumbnailError, Thumbnailer};
use crate::jobs::{JobFailure, JobHandler, DEFAULT_MAX_ATTEMPTS};
use crate::ports::{DataScope, NewJob, RepositoryError, UnitOfWorkFactory};
use crate::ports::{FileStore, FileStoreError};

/// The job kind.
pub const THUMBNAIL_JOB: &str = "files.thumbnail";
/// Longest side of a thumbnail, in pixels.
pub const THUMBNAIL_SIDE: u32 = 256;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct ThumbnailRequest {
    tenant_id: TenantId,
    file_id: FileId,
    version: i64,
    sha256: String,
    uploaded_by: UserId,
}

/// The job for the file's current version, when it needs one.
pub(crate) fn thumbnail_job(file: &StoredFile, now: DateTime<Utc>) -> Option<NewJob> {
    let current = file.current();
    if current.processing != Processing::Pending {
        return None;
    }
    let request = ThumbnailRequest {
        tenant_id: file.tenant_id(),
        file_id: file.id(),
        version: current.number,
        sha256: current.blob.sha256.clone(),
        uploaded_by: current.uploaded_by,
    };
    Some(NewJob {
        kind: THUMBNAIL_JOB.to_owned(),
        payload: serde_json::to_value(request).ok()?,
        run_at: now,
        max_attempts: DEFAULT_MAX_ATTEMPTS,
        // Large images of one tenant must not hold up every other tenant's.
        fair_key: Some(file.tenant_id().to_string()),
    })
}

/// Runs `files.thumbnail` jobs.
pub struct ThumbnailJobs {
    units: Arc<dyn UnitOfWorkFactory>,
    repositories: Arc<dyn FileRepositories>,
    store: Arc<dyn FileStore>,
    thumbnailer: Arc<dyn Thumbnailer>,
    clock: Arc<dyn Clock>,
    /// Images larger than uploads may be are not read (they cannot exist).
    max_bytes: u64,
}

impl ThumbnailJobs {
    pub fn new(
        units: Arc<dyn UnitOfWorkFactory>,
        repositories: Arc<dyn FileRepositories>,
        store: Arc<dyn FileStore>,
        thumbnailer: Arc<dyn Thumbnailer>,
        clock: Arc<dyn Clock>,
        max_bytes: u64,
    ) -> Self {
        Self { units, repositories, store, thumbnailer, clock, max_bytes }
    }

    async fn read_blob(&self, sha256: &str) -> Result<Bytes, JobFailure> {
        let mut content = self.store.get(sha256, None).await.map_err(store_failure)?;
        let mut bytes = BytesMut::new();
        while let Some(chunk) = content.next().await {
            bytes.extend_from_slice(&chunk.map_err(|e| JobFailure::Transient(e.to_string()))?);
            if bytes.len() as u64 > self.max_bytes {
                return Err(JobFailure::Permanent("the image is larger than uploads may be".into()));
            }
        }
        Ok(bytes.freeze())
    }

    async fn record(&self, request: &ThumbnailRequest, processing: Processing) -> Result<(), RepositoryError> {
        let tenant = request.tenant_id;
        let mut uow = self.units.begin_in(DataScope::Tenant(tenant)).await?;
        self.repositories
            .files(uow.as_mut())?
            .set_processing(tenant, request.file_id, request.version, &processing)
            .await?;
        let event = FileProcessed {
            tenant_id: tenant,
            file_id: request.file_id,
            version: request.version,
            uploaded_by: request.uploaded_by,
            outcome: processing.as_str(),
        };
        let envelope = EventEnvelope::wrap(&event, self.clock.now(), Some(tenant), None)
            .map_err(|e| RepositoryError::Other(Box::new(e)))?;
        uow.record_event(envelope);
        uow.commit().await
    }
}

fn store_failure(error: FileStoreError) -> JobFailure {
    match error {
        FileStoreError::Missing(sha) => JobFailure::Permanent(format!("blob {sha} is missing")),
        other => JobFailure::Transient(other.to_string()),
    }
}

fn request_of(payload: &serde_json::Value) -> Result<ThumbnailRequest, JobFailure> {
    serde_json::from_value(payload.clone()).map_err(|e| JobFailure::Permanent(format!("bad payload: {e}")))
}

#[async_trait]
impl JobHandler for ThumbnailJobs {
    fn kind(&self) -> &'static str {
        THUMBNAIL_JOB
    }

    async fn run(&self, payload: &serde_json::Value) -> Result<(), JobFailure> {
        let request = request_of(payload)?;
        let image = self.read_blob(&request.sha256).await?;
        let png = self.thumbnailer.thumbnail(image, THUMBNAIL_SIDE).await.map_err(|error| match error {
            ThumbnailError::Unreadable(reason) => JobFailure::Permanent(reason),
            other => JobFailure::Transient(other.to_string()),
        })?;
        let size = png.len() as u64;
        let content = futures::stream::once(async move { Ok(Bytes::from(png)) }).boxed();
        let put = self.store.put(content, size).await.map_err(store_failure)?;
        self.record(&request, Processing::Done { thumbnail_sha256: put.sha256 }).await?;
        Ok(())
    }

    async fn gave_up(&self, payload: &serde_json::Value) -> Result<(), RepositoryError> {
        match request_of(payload) {
            Ok(request) => self.record(&request, Processing::Failed).await,
            Err(_) => Ok(()),
        }
    }
}
