//! API keys for machine clients: created by owners and admins, scoped to a subset
//! of the creator's permissions, shown once, stored hashed, revocable, and usable
//! as `Authorization: Bearer tk_...` on the organization's routes.

use std::sync::Arc;

use async_trait::async_trait;
use tenantry_domain::tenancy::{
    validate_scopes, ApiKey, ApiKeyCreated, ApiKeyId, ApiKeyName, ApiKeyRevoked, ScopeError, API_KEY_PREFIX,
};
use tenantry_kernel::{Clock, ValidationError};

use crate::identity::ports::OpaqueTokens;
use crate::pipeline::{
    ApiKeyGrant, AuditSubject, Authorization, Command, CommandHandler, Credential, Principal, RequestContext,
};
use crate::ports::UnitOfWork;
use crate::tenancy::ports::TenancyQueries;
use crate::tenancy::ports::TenancyRepositories;
use crate::{AppError, ErrorCode};

/// Create an API key in the context's tenant.
#[derive(Debug, Clone)]
pub struct CreateApiKey {
    pub name: String,
    pub scopes: Vec<String>,
    /// `None`: the key lives until revoked.
    pub expires_in_days: Option<u32>,
}

/// A new key with its secret: the only time the secret is ever seen.
#[derive(Clone)]
pub struct CreatedApiKey {
    pub key: ApiKey,
    pub secret: String,
}

impl std::fmt::Debug for CreatedApiKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CreatedApiKey").field("key", &self.key).field("secret", &"***").finish()
    }
}

impl Command for CreateApiKey {
    const NAME: &'static str = "tenancy.create_api_key";
    type Output = CreatedApiKey;

    fn authorization(&self) -> Authorization {
        Authorization::TenantPermission("api_key:manage")
    }

    fn audit_subject(&self, _: &RequestContext, output: &CreatedApiKey) -> Option<AuditSubject> {
        Some(AuditSubject::new("api_key", output.key.id()))
    }
}

/// Revoke one of the context tenant's keys.
#[derive(Debug, Clone)]
pub struct RevokeApiKey {
    pub key_id: ApiKeyId,
}

impl Command for RevokeApiKey {
    const NAME: &'static str = "tenancy.revoke_api_key";
    type Output = bool;

    fn authorization(&self) -> Authorization {
        Authorization::TenantPermission("api_key:manage")
    }

    fn audit_subject(&self, _: &RequestContext, revoked: &bool) -> Option<AuditSubject> {
        revoked.then(|| AuditSubject::new("api_key", self.key_id))
    }
}

pub struct ApiKeysHandler {
    repositories: Arc<dyn TenancyRepositories>,
    catalogue: Arc<crate::authority::PermissionCatalogue>,
    secrets: Arc<dyn OpaqueTokens>,
    clock: Arc<dyn Clock>,
}

impl ApiKeysHandler {
    pub fn new(
        repositories: Arc<dyn TenancyRepositories>,
        catalogue: Arc<crate::authority::PermissionCatalogue>,
        secrets: Arc<dyn OpaqueTokens>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self { repositories, catalogue, secrets, clock }
    }
}

fn key_not_found() -> AppError {
    AppError::NotFound { message: "API key not found" }
}

#[async_trait]
impl CommandHandler<CreateApiKey> for ApiKeysHandler {
    /// # Errors
    /// 400 for a bad name, unknown or missing scopes, or an expiry out of 1..=366
    /// days; 403 when a scope is beyond the creator's role (or the key's own scopes,
    /// when a key creates a key).
    async fn handle(
        &self,
        context: &RequestContext,
        command: &CreateApiKey,
        uow: &mut dyn UnitOfWork,
    ) -> Result<CreatedApiKey, AppError> {
        let caller = context.require_caller()?;
        let tenant = super::tenant_of(context)?;
        let name = ApiKeyName::parse(&command.name);
        let actor = self
            .repositories
            .memberships(uow)?
            .find(tenant, caller.user_id)
            .await?
            .ok_or_else(super::member_not_found)?;
        let held = self.catalogue.grants_of(actor.role().as_str());
        let scopes =
            validate_scopes(&command.scopes, |scope| self.catalogue.knows(scope), |scope| held.contains(scope));
        let (name, mut scopes) = match (name, scopes) {
            (Ok(name), Ok(scopes)) => (name, scopes),
            (_, Err(ScopeError::NotHeld)) => return Err(beyond_your_permissions()),
            (name, scopes) => {
                let scopes = scopes.map(drop).map_err(|e| match e {
                    ScopeError::Invalid(invalid) => invalid,
                    ScopeError::NotHeld => ValidationError::field("scopes", "not_held"),
                });
                return Err(ValidationError::collect([name.map(drop), scopes])
                    .err()
                    .map_or_else(|| AppError::internal(ValidationError::field("input", "invalid")), AppError::from));
            }
        };
        if let Some(grant) = caller.api_key() {
            if scopes.iter().any(|scope| !grant.scopes.contains(scope)) {
                return Err(beyond_your_permissions());
            }
        }
        scopes.dedup();
        let now = self.clock.now();
        let (random, _) = self.secrets.generate();
        let secret = format!("{API_KEY_PREFIX}{random}");
        let hash = self.secrets.hash(&secret);
        let key = ApiKey::issue(tenant, name, &secret, hash, scopes, caller.user_id, command.expires_in_days, now)?;
        self.repositories.api_keys(uow)?.insert(&key).await?;
        let event = ApiKeyCreated {
            organization_id: tenant,
            api_key_id: key.id(),
            name: key.name().as_str().to_owned(),
            scopes: key.scopes().to_vec(),
            created_by: caller.user_id,
        };
        uow.record_event(super::envelope(&event, tenant, context, now)?);
        Ok(CreatedApiKey { key, secret })
    }
}

fn beyond_your_permissions() -> AppError {
    AppError::Forbidden { code: ErrorCode::Forbidden, message: "a key cannot carry a permission you do not have" }
}

#[async_trait]
impl CommandHandler<RevokeApiKey> for ApiKeysHandler {
    /// Revoking a revoked key succeeds and changes nothing.
    ///
    /// # Errors
    /// 404 when the tenant has no such key.
    async fn handle(
        &self,
        context: &RequestContext,
        command: &RevokeApiKey,
        uow: &mut dyn UnitOfWork,
    ) -> Result<bool, AppError> {
        let tenant = super::tenant_of(context)?;
        let mut key = self.repositories.api_keys(uow)?.find(tenant, command.key_id).await?.ok_or_else(key_not_found)?;
        let now = self.clock.now();
        if !key.revoke(now) {
            return Ok(false);
        }
        self.repositories.api_keys(uow)?.update(&key).await?;
        let event = ApiKeyRevoked { organization_id: tenant, api_key_id: key.id() };
        uow.record_event(super::envelope(&event, tenant, context, now)?);
        Ok(true)
    }
}

/// How often a busy key's `last_used_at` is written at most.
const LAST_USED_RESOLUTION_SECONDS: i64 = 60;

/// Turns a presented `tk_...` secret into a principal bound to its tenant and scopes.
pub struct ApiKeyAuthenticator {
    secrets: Arc<dyn OpaqueTokens>,
    queries: Arc<dyn TenancyQueries>,
    clock: Arc<dyn Clock>,
}

impl ApiKeyAuthenticator {
    pub fn new(secrets: Arc<dyn OpaqueTokens>, queries: Arc<dyn TenancyQueries>, clock: Arc<dyn Clock>) -> Self {
        Self { secrets, queries, clock }
    }

    /// Whether a bearer token is an API key rather than an access token.
    pub fn recognises(token: &str) -> bool {
        token.starts_with(API_KEY_PREFIX)
    }

    /// # Errors
    /// 401 `invalid_token` for an unknown, revoked or expired key; 503 when storage is down.
    pub async fn authenticate(&self, secret: &str) -> Result<Principal, AppError> {
        let now = self.clock.now();
        let key = self.queries.api_key_by_token_hash(&self.secrets.hash(secret)).await?;
        let Some(key) = key.filter(|key| key.is_usable(now)) else {
            return Err(AppError::Unauthenticated {
                code: ErrorCode::InvalidToken,
                message: "the API key is invalid, revoked or expired",
            });
        };
        let stale = key.last_used_at().is_none_or(|at| (now - at).num_seconds() >= LAST_USED_RESOLUTION_SECONDS);
        if stale {
            if let Err(error) = self.queries.record_api_key_use(key.id(), now).await {
                // Bookkeeping only: the request itself may go on.
                tracing::warn!(%error, api_key_id = %key.id(), "could not record API key use");
            }
        }
        Ok(Principal {
            user_id: key.created_by(),
            credential: Credential::ApiKey(ApiKeyGrant {
                key_id: key.id().as_uuid(),
                tenant_id: key.tenant_id(),
                scopes: key.scopes().to_vec(),
            }),
        })
    }
}

#[cfg(test)]
mod tests {
    use tenantry_domain::tenancy::{Membership, Role};
    use tenantry_kernel::{TenantId, UserId};

    use super::*;
    use crate::identity::test_support::*;
    use crate::tenancy::ports::MockTenancyQueries;

    fn context_of(user: UserId, tenant: TenantId) -> RequestContext {
        RequestContext {
            principal: Some(Principal::session(user, tenantry_kernel::SessionId::new())),
            tenant_id: Some(tenant),
            ..RequestContext::default()
        }
    }

    fn uow_with_member(tenant: TenantId, user: UserId, role: Role) -> TestUnitOfWork {
        let mut uow = TestUnitOfWork::default();
        let membership = Membership::new(tenant, user, role, fixed_now());
        uow.memberships.expect_find().returning(move |_, _| Ok(Some(membership.clone())));
        uow
    }

    #[tokio::test]
    async fn a_created_key_is_shown_once_and_stored_as_a_hash() {
        let (tenant, user) = (TenantId::new(), UserId::new());
        let mut uow = uow_with_member(tenant, user, Role::Admin);
        uow.api_keys
            .expect_insert()
            .withf(|k| k.token_hash() == "hash-of-tk_refresh-1" && k.display_prefix() == "tk_refresh")
            .times(1)
            .returning(|_| Ok(()));
        let command = CreateApiKey { name: "CI".into(), scopes: vec!["member:read".into()], expires_in_days: None };
        let created = ApiKeysHandler::new(
            test_repositories(),
            Arc::new(crate::tenancy::permission_catalogue(Vec::new()).unwrap()),
            fake_secrets(),
            fixed_clock(),
        )
        .handle(&context_of(user, tenant), &command, &mut uow)
        .await
        .unwrap();
        assert_eq!(created.secret, "tk_refresh-1");
        assert_eq!(uow.events[0].event_type, "tenancy.api_key_created");
        assert!(!uow.events[0].payload.to_string().contains("tk_refresh-1"), "the secret never enters an event");
    }

    #[tokio::test]
    async fn a_key_cannot_carry_more_than_its_creator_holds() {
        let (tenant, user) = (TenantId::new(), UserId::new());
        let mut uow = uow_with_member(tenant, user, Role::Admin);
        let command = CreateApiKey { name: "CI".into(), scopes: vec!["billing:manage".into()], expires_in_days: None };
        let error = ApiKeysHandler::new(
            test_repositories(),
            Arc::new(crate::tenancy::permission_catalogue(Vec::new()).unwrap()),
            fake_secrets(),
            fixed_clock(),
        )
        .handle(&context_of(user, tenant), &command, &mut uow)
        .await
        .unwrap_err();
        assert_eq!(error.code(), ErrorCode::Forbidden);
    }

    #[tokio::test]
    async fn a_revoked_or_unknown_key_does_not_authenticate() {
        let mut queries = MockTenancyQueries::new();
        let mut key = ApiKey::issue(
            TenantId::new(),
            ApiKeyName::parse("k").unwrap(),
            "tk_x",
            "hash-of-tk_x".into(),
            vec!["member:read".into()],
            UserId::new(),
            None,
            fixed_now(),
        )
        .unwrap();
        key.revoke(fixed_now());
        queries.expect_api_key_by_token_hash().returning(move |hash| Ok((hash == "hash-of-tk_x").then(|| key.clone())));
        let authenticator = ApiKeyAuthenticator::new(fake_secrets(), Arc::new(queries), fixed_clock());
        for secret in ["tk_x", "tk_unknown"] {
            let error = authenticator.authenticate(secret).await.unwrap_err();
            assert_eq!(error.code(), ErrorCode::InvalidToken);
        }
    }

    #[tokio::test]
    async fn a_valid_key_becomes_a_principal_bound_to_its_tenant_and_scopes() {
        let mut queries = MockTenancyQueries::new();
        let tenant = TenantId::new();
        let key = ApiKey::issue(
            tenant,
            ApiKeyName::parse("k").unwrap(),
            "tk_x",
            "hash-of-tk_x".into(),
            vec!["member:read".into()],
            UserId::new(),
            None,
            fixed_now(),
        )
        .unwrap();
        let creator = key.created_by();
        queries.expect_api_key_by_token_hash().returning(move |_| Ok(Some(key.clone())));
        queries.expect_record_api_key_use().times(1).returning(|_, _| Ok(()));
        let authenticator = ApiKeyAuthenticator::new(fake_secrets(), Arc::new(queries), fixed_clock());
        let principal = authenticator.authenticate("tk_x").await.unwrap();
        assert_eq!(principal.user_id, creator);
        let grant = principal.api_key().unwrap();
        assert_eq!((grant.tenant_id, grant.scopes.as_slice()), (tenant, ["member:read".to_owned()].as_slice()));
        assert!(RequestContext { principal: Some(principal), ..RequestContext::default() }
            .require_principal()
            .is_err());
    }
}
