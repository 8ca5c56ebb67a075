//! The audit trail of an organization (tenant in `X-Tenant-Id`; owners and admins).

use actix_web::{get, web, HttpResponse};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use tenantry_application::audit::ports::{AuditFilter, AuditRecord};
use tenantry_kernel::{SortOrder, UserId};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::error::{ApiError, ErrorBody};
use crate::paging::{PageParams, PageResponse};
use crate::tenant_context::TenantScoped;
use crate::HttpState;

pub(crate) fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(list_audit_logs);
}

/// Filters and page of the audit trail.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditLogParams {
    pub page: Option<u32>,
    pub size: Option<u32>,
    /// Only `occurred_at`: entries are listed newest first.
    pub sort_by: Option<String>,
    /// Only `desc`.
    #[param(value_type = Option<String>, example = "desc")]
    pub order: Option<SortOrder>,
    pub actor_id: Option<Uuid>,
    /// `user`, `project`, `task`, `api_key`...
    pub entity_type: Option<String>,
    pub entity_id: Option<String>,
    /// RFC 3339, inclusive.
    pub from: Option<DateTime<Utc>>,
    /// RFC 3339, exclusive.
    pub to: Option<DateTime<Utc>>,
}

/// Who did what to which entity, when, from which request and address.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditLogEntry {
    pub id: Uuid,
    pub occurred_at: DateTime<Utc>,
    pub actor_id: Option<Uuid>,
    #[schema(example = "projects.update_task")]
    pub action: String,
    #[schema(example = "task")]
    pub entity_type: String,
    pub entity_id: Option<String>,
    pub request_id: String,
    pub ip: Option<String>,
    /// Position in the organization's hash chain.
    pub seq: Option<i64>,
    /// SHA-256 over the previous entry's hash and this entry (`tenantry audit verify`).
    pub hash: Option<String>,
}

impl From<AuditRecord> for AuditLogEntry {
    fn from(record: AuditRecord) -> Self {
        Self {
            id: record.id,
            occurred_at: record.occurred_at,
            actor_id: record.actor_id.map(|a| a.as_uuid()),
            action: record.action,
            entity_type: record.entity_type,
            entity_id: record.entity_id,
            request_id: record.request_id,
            ip: record.ip,
            seq: record.seq,
            hash: record.hash,
        }
    }
}

/// The organization's audit trail, newest first. Entries are append-only and
/// hash-chained per organization.
#[utoipa::path(
    tag = "audit",
    security(("bearer" = [])),
    params(("X-Tenant-Id" = Uuid, Header, description = "Organization id"), AuditLogParams),
    responses(
        (status = 200, body = crate::paging::PageResponse<AuditLogEntry>),
        (status = 400, body = ErrorBody),
        (status = 403, description = "`not_a_member`, `forbidden` (needs audit:read)", body = ErrorBody),
    )
)]
#[get("/api/v1/audit-logs")]
pub(crate) async fn list_audit_logs(
    state: web::Data<HttpState>,
    scoped: TenantScoped,
    params: web::Query<AuditLogParams>,
) -> Result<HttpResponse, ApiError> {
    let context = scoped.0;
    let params = params.into_inner();
    let page = PageParams { page: params.page, size: params.size, sort_by: params.sort_by, order: params.order }
        .fixed_order("occurred_at", SortOrder::Desc)?;
    let name = |value: Option<String>, field: &str| {
        value.map(|v| tenantry_kernel::text::single_line(&v, field, 200)).transpose().map_err(|e| ApiError(e.into()))
    };
    let filter = AuditFilter {
        actor: params.actor_id.map(UserId::from_uuid),
        entity_type: name(params.entity_type, "entity_type")?,
        entity_id: name(params.entity_id, "entity_id")?,
        from: params.from,
        to: params.to,
    };
    let entries = state.audit.list_audit_logs(&context, &filter, page).await?;
    Ok(HttpResponse::Ok().json(PageResponse::from_page(entries, AuditLogEntry::from)))
}
