//! The tenant of a request, from the URL (`/organizations/{id}/...`) or from the
//! `X-Tenant-Id` header (API.md "Tenancy"): shared by the routes of every context.

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest};
use tenantry_application::{AppError, RequestContext};
use tenantry_kernel::TenantId;
use uuid::Uuid;

use crate::auth::Authenticated;
use crate::error::ApiError;

/// An authenticated request for the tenant named by `X-Tenant-Id` (API.md
/// "Tenancy"): the context every tenant-scoped use case takes. Membership and
/// permissions are checked by the use case, in the pipeline, not here.
pub struct TenantScoped(pub RequestContext);

impl FromRequest for TenantScoped {
    type Error = actix_web::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let req = req.clone();
        let authenticated = Authenticated::from_request(&req, payload);
        Box::pin(async move {
            let Authenticated(context) = authenticated.await?;
            Ok(TenantScoped(with_tenant_header(context, &req)?))
        })
    }
}

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
