use std::sync::Arc;

use tenantry_domain::tenancy::Role;
use tenantry_kernel::{TenantId, UserId};

use crate::authority::{Grants, PermissionCatalogue};
use crate::pipeline::{RequestContext, TenantAuthority};
use crate::tenancy::ports::{CachedRole, MembershipCache, TenancyQueries};
use crate::{AppError, ErrorCode};

/// Answers "is this caller a member of this tenant, with which role?" for the
/// pipeline and the queries, through the membership cache.
pub struct TenantGuard {
    queries: Arc<dyn TenancyQueries>,
    cache: Arc<dyn MembershipCache>,
    catalogue: Arc<PermissionCatalogue>,
}

impl TenantGuard {
    pub fn new(
        queries: Arc<dyn TenancyQueries>,
        cache: Arc<dyn MembershipCache>,
        catalogue: Arc<PermissionCatalogue>,
    ) -> Self {
        Self { queries, cache, catalogue }
    }

    /// What `role` holds, Tenantry's permissions and the modules' alike.
    pub fn grants_of(&self, role: Role) -> Grants {
        self.catalogue.grants_of(role.as_str())
    }

    pub fn catalogue(&self) -> &Arc<PermissionCatalogue> {
        &self.catalogue
    }

    /// # Errors
    /// Storage failures.
    pub async fn role(&self, tenant: TenantId, user: UserId) -> Result<Option<Role>, AppError> {
        let ticket = match self.cache.get(tenant, user) {
            CachedRole::Hit(role) => return Ok(role),
            CachedRole::Miss { ticket } => ticket,
        };
        let role = self.queries.role_of(tenant, user).await?;
        self.cache.put(tenant, user, role, ticket);
        Ok(role)
    }

    /// Whether `user` (a person, not a key) holds `permission` in `tenant` now: for
    /// checks made on a user's behalf outside a request (a download link's creator).
    ///
    /// # Errors
    /// Storage failures.
    pub async fn user_holds(&self, tenant: TenantId, user: UserId, permission: &str) -> Result<Option<bool>, AppError> {
        Ok(self.role(tenant, user).await?.map(|role| self.grants_of(role).contains(permission)))
    }

    /// Forgets a membership; called once its change is committed.
    pub fn invalidate(&self, tenant: TenantId, user: UserId) {
        self.cache.invalidate(tenant, user);
    }

    /// The caller's role in the context's tenant, checked against `permission`.
    ///
    /// # Errors
    /// 401 without a caller; 400 `tenant_required` without a tenant; for a
    /// non-member 404 when the tenant came from the URL, else 403 `not_a_member`;
    /// 403 `forbidden` when the role lacks the permission.
    pub async fn authorize(
        &self,
        context: &RequestContext,
        permission: Option<&str>,
    ) -> Result<(Role, Grants), AppError> {
        let principal = context.require_caller()?;
        let tenant = context.tenant_id.ok_or_else(AppError::tenant_required)?;
        if let Some(grant) = principal.api_key() {
            // A key belongs to one organization, and carries only its scopes.
            if grant.tenant_id != tenant {
                return Err(not_a_member(context));
            }
            if permission.is_some_and(|p| !grant.scopes.iter().any(|scope| scope == p)) {
                return Err(AppError::Forbidden {
                    code: ErrorCode::Forbidden,
                    message: "the API key does not carry this permission",
                });
            }
        }
        // For a key, its creator's current role bounds it too: a demoted or
        // departed creator takes the key's power down with them.
        let role = self.role(tenant, principal.user_id).await?.ok_or_else(|| not_a_member(context))?;
        let grants = self.grants_of(role);
        if permission.is_some_and(|p| !grants.contains(p)) {
            return Err(AppError::Forbidden { code: ErrorCode::Forbidden, message: "your role does not allow this" });
        }
        Ok((role, grants))
    }
}

#[async_trait::async_trait]
impl TenantAuthority for TenantGuard {
    async fn grants(&self, context: &RequestContext, permission: Option<&str>) -> Result<Grants, AppError> {
        self.authorize(context, permission).await.map(|(_, grants)| grants)
    }

    async fn user_holds(&self, tenant: TenantId, user: UserId, permission: &str) -> Result<Option<bool>, AppError> {
        TenantGuard::user_holds(self, tenant, user, permission).await
    }
}

/// A caller outside the tenant: 404 when the tenant came from the URL (existence
/// does not leak), else 403 `not_a_member`.
fn not_a_member(context: &RequestContext) -> AppError {
    if context.tenant_in_path {
        AppError::NotFound { message: "organization not found" }
    } else {
        AppError::Forbidden { code: ErrorCode::NotAMember, message: "you are not a member of this organization" }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::Principal;
    use crate::tenancy::ports::{MockMembershipCache, MockTenancyQueries};
    use tenantry_kernel::SessionId;

    fn context(tenant_in_path: bool) -> RequestContext {
        RequestContext {
            principal: Some(Principal::session(UserId::new(), SessionId::new())),
            tenant_id: Some(TenantId::new()),
            tenant_in_path,
            ..RequestContext::default()
        }
    }

    fn catalogue() -> Arc<PermissionCatalogue> {
        Arc::new(super::super::permission_catalogue(Vec::new()).unwrap())
    }

    fn guard(role: Option<Role>) -> TenantGuard {
        let mut queries = MockTenancyQueries::new();
        queries.expect_role_of().returning(move |_, _| Ok(role));
        let mut cache = MockMembershipCache::new();
        cache.expect_get().returning(|_, _| CachedRole::Miss { ticket: 0 });
        cache.expect_put().returning(|_, _, _, _| ());
        TenantGuard::new(Arc::new(queries), Arc::new(cache), catalogue())
    }

    #[tokio::test]
    async fn a_missing_tenant_is_a_bad_request() {
        let mut context = context(false);
        context.tenant_id = None;
        let error = guard(Some(Role::Owner)).authorize(&context, None).await.unwrap_err();
        assert_eq!(error.code(), ErrorCode::TenantRequired);
    }

    #[tokio::test]
    async fn a_non_member_gets_not_a_member_by_header_and_not_found_by_path() {
        assert_eq!(guard(None).authorize(&context(false), None).await.unwrap_err().code(), ErrorCode::NotAMember);
        assert_eq!(guard(None).authorize(&context(true), None).await.unwrap_err().code(), ErrorCode::NotFound);
    }

    #[tokio::test]
    async fn a_role_without_the_permission_is_forbidden() {
        let viewer = guard(Some(Role::Viewer));
        assert_eq!(
            viewer.authorize(&context(true), Some("member:invite")).await.unwrap_err().code(),
            ErrorCode::Forbidden
        );
        assert_eq!(viewer.authorize(&context(true), Some("member:read")).await.unwrap().0, Role::Viewer);
    }

    #[tokio::test]
    async fn a_cached_answer_skips_the_query() {
        let queries = MockTenancyQueries::new(); // any call would panic
        let mut cache = MockMembershipCache::new();
        cache.expect_get().returning(|_, _| CachedRole::Hit(Some(Role::Admin)));
        let guard = TenantGuard::new(Arc::new(queries), Arc::new(cache), catalogue());
        assert_eq!(guard.authorize(&context(false), Some("member:invite")).await.unwrap().0, Role::Admin);
    }
}
