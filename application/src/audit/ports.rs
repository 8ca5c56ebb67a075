//! Ports of the audit context: reading the trail.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use tenantry_kernel::{Page, PageRequest, TenantId, UserId};

use crate::ports::RepositoryError;

/// Filters of the audit trail.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditFilter {
    pub actor: Option<UserId>,
    pub entity_type: Option<String>,
    pub entity_id: Option<String>,
    /// Inclusive.
    pub from: Option<DateTime<Utc>>,
    /// Exclusive.
    pub to: Option<DateTime<Utc>>,
}

/// One entry of the audit trail as its readers see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditRecord {
    pub id: uuid::Uuid,
    pub occurred_at: DateTime<Utc>,
    pub actor_id: Option<UserId>,
    pub action: String,
    pub entity_type: String,
    pub entity_id: Option<String>,
    pub request_id: String,
    pub ip: Option<String>,
    /// Position in the tenant's hash chain (absent on entries written before the chain existed).
    pub seq: Option<i64>,
    pub hash: Option<String>,
}

/// Read side of the audit trail, always for one tenant, newest first.
#[cfg_attr(test, mockall::automock)]
#[async_trait]
pub trait AuditQueries: Send + Sync + 'static {
    async fn entries(
        &self,
        tenant: TenantId,
        filter: &AuditFilter,
        page: PageRequest,
    ) -> Result<Page<AuditRecord>, RepositoryError>;
}
