//! The audit entry the pipeline writes for every successful command.

use chrono::{DateTime, Utc};
use tenantry_kernel::{TenantId, UserId};
use uuid::Uuid;

/// Which entity a command acted on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditSubject {
    pub entity_type: &'static str,
    pub entity_id: Option<String>,
}

impl AuditSubject {
    pub fn new(entity_type: &'static str, entity_id: impl ToString) -> Self {
        Self { entity_type, entity_id: Some(entity_id.to_string()) }
    }
}

/// One append-only row of the audit log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    pub id: Uuid,
    pub occurred_at: DateTime<Utc>,
    pub tenant_id: Option<TenantId>,
    pub actor_id: Option<UserId>,
    pub action: &'static str,
    pub entity_type: &'static str,
    pub entity_id: Option<String>,
    pub request_id: String,
    pub ip: Option<String>,
}
