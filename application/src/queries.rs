//! The query pipeline: every read of a tenant's data passes here once, for the
//! permission check and a tracing span, and gets the tenant only from here, so no
//! read can forget the tenant check (ADR 0004).

use std::future::Future;
use std::sync::Arc;

use tenantry_kernel::TenantId;
use tracing::Instrument;

use crate::pipeline::{RequestContext, TenantAuthority, UserSession};
use crate::AppError;

/// Authorizes reads, Tenantry's and modules' alike.
#[derive(Clone)]
pub struct QueryPipeline {
    authority: Arc<dyn TenantAuthority>,
}

/// An authorized read: the tenant it may read and the caller with the grants the
/// check found (for finer decisions, such as whether `file:manage` is held).
#[derive(Debug, Clone)]
pub struct TenantRead {
    pub tenant: TenantId,
    pub context: RequestContext,
}

impl QueryPipeline {
    pub fn new(authority: Arc<dyn TenantAuthority>) -> Self {
        Self { authority }
    }

    /// Runs `read` in a `query` span once the caller holds `permission` in the
    /// context's tenant.
    ///
    /// # Errors
    /// 401 without a caller, 400 without a tenant, 403/404 for a non-member or a
    /// missing permission; then whatever `read` answers.
    pub async fn read<T, F, Fut>(
        &self,
        query: &'static str,
        context: &RequestContext,
        permission: &'static str,
        read: F,
    ) -> Result<T, AppError>
    where
        F: FnOnce(TenantRead) -> Fut,
        Fut: Future<Output = Result<T, AppError>>,
    {
        let span = tracing::info_span!("query", query, permission, request_id = %context.request_id);
        async move {
            let grants = self.authority.grants(context, Some(permission)).await?;
            let tenant = crate::pipeline::tenant_of(context)?;
            read(TenantRead { tenant, context: context.clone().with_grants(grants) }).await
        }
        .instrument(span)
        .await
    }

    /// Runs `read` in a `query` span for a signed-in user's own records (profile,
    /// sessions, organizations): no tenant, and no API key.
    ///
    /// # Errors
    /// 401 without a caller, 403 for an API key; then whatever `read` answers.
    pub async fn own<T, F, Fut>(&self, query: &'static str, context: &RequestContext, read: F) -> Result<T, AppError>
    where
        F: FnOnce(UserSession) -> Fut,
        Fut: Future<Output = Result<T, AppError>>,
    {
        let span = tracing::info_span!("query", query, request_id = %context.request_id);
        async move { read(context.require_principal()?).await }.instrument(span).await
    }
}
