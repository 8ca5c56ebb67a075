//! The audit context's service: reading the trail the command pipeline writes.

use std::sync::Arc;

use tenantry_kernel::{Page, PageRequest};

use super::ports::{AuditFilter, AuditQueries, AuditRecord};
use crate::pipeline::RequestContext;
use crate::platform::Platform;
use crate::AppError;

/// Audit's use cases.
pub struct Audit {
    platform: Arc<Platform>,
    queries: Arc<dyn AuditQueries>,
}

impl Audit {
    pub fn new(platform: Arc<Platform>, queries: Arc<dyn AuditQueries>) -> Self {
        Self { platform, queries }
    }

    /// The context tenant's audit trail, newest first (owners and admins: `audit:read`).
    ///
    /// # Errors
    /// See [`crate::queries::QueryPipeline::read`].
    pub async fn list_audit_logs(
        &self,
        context: &RequestContext,
        filter: &AuditFilter,
        page: PageRequest,
    ) -> Result<Page<AuditRecord>, AppError> {
        self.platform
            .queries()
            .read("audit.entries", context, "audit:read", |read| async move {
                Ok(self.queries.entries(read.tenant, filter, page).await?)
            })
            .await
    }
}
