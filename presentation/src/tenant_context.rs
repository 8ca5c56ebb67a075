//! The tenant of a request, from the URL (`/organizations/{id}/...`) or from the
//! `X-Tenant-Id` header (API.md "Tenancy"): shared by the routes of every context.

use actix_web::HttpRequest;
use tenantry_application::{AppError, RequestContext};
use tenantry_kernel::TenantId;
use uuid::Uuid;

use crate::error::ApiError;

/// The tenant named in the path: a non-member then gets 404, so ids do not leak existence.
pub(crate) fn in_tenant(mut context: RequestContext, tenant: Uuid) -> RequestContext {
    context.tenant_id = Some(TenantId::from_uuid(tenant));
    context.tenant_in_path = true;
    context
}

/// Reads `X-Tenant-Id` (API.md "Tenancy"); a value that is not an id is as good as none.
pub(crate) fn with_tenant_header(mut context: RequestContext, req: &HttpRequest) -> Result<RequestContext, ApiError> {
    let required = || ApiError(AppError::tenant_required());
    let value = req.headers().get("x-tenant-id").ok_or_else(required)?;
    let id = value.to_str().ok().and_then(|v| Uuid::parse_str(v.trim()).ok()).ok_or_else(required)?;
    context.tenant_id = Some(TenantId::from_uuid(id));
    context.tenant_in_path = false;
    Ok(context)
}
