//! `Application`: every use case wired to its ports, behind one façade that driving
//! adapters (HTTP, CLI, seeds, tests) call. Generic ports are erased to `Arc<dyn _>`
//! here once, so no router or state type carries type parameters.

use std::sync::Arc;

use tenantry_domain::tenancy::{Invitation, Membership, Role};
use tenantry_kernel::{Clock, Page, TenantId, UserId};

use crate::identity::refresh;
use crate::identity::*;
use crate::pipeline::{CommandBus, Principal, RequestContext};
use crate::ports::{
    HealthCheck, IdentityQueries, ListQuery, Mailer, MembershipCache, OpaqueTokens, OrganizationView, PasswordHasher,
    SessionView, TenancyQueries, TokenIssuer, UnitOfWorkFactory, UserView,
};
use crate::tenancy::*;
use crate::AppError;

/// The adapters an `Application` needs; built by the composition root.
pub struct ApplicationPorts {
    pub units_of_work: Arc<dyn UnitOfWorkFactory>,
    pub identity_queries: Arc<dyn IdentityQueries>,
    pub password_hasher: Arc<dyn PasswordHasher>,
    pub token_issuer: Arc<dyn TokenIssuer>,
    pub opaque_tokens: Arc<dyn OpaqueTokens>,
    pub tenancy_queries: Arc<dyn TenancyQueries>,
    pub membership_cache: Arc<dyn MembershipCache>,
    pub mailer: Arc<dyn Mailer>,
    pub health: Arc<dyn HealthCheck>,
    pub clock: Arc<dyn Clock>,
}

/// The use cases of Tenantry.
pub struct Application {
    bus: CommandBus,
    accounts: AccountPreparer,
    create_user: CreateUserHandler,
    provision_admin: ProvisionAdminAccountHandler,
    credentials: CredentialVerifier,
    start_session: StartSessionHandler,
    refresh_session: RefreshSessionHandler,
    log_out: LogOutHandler,
    sessions: SessionsHandler,
    sync_role_catalogue: SyncRoleCatalogueHandler,
    create_organization: CreateOrganizationHandler,
    invite_member: InviteMemberHandler,
    accept_invitation: AcceptInvitationHandler,
    change_member_role: ChangeMemberRoleHandler,
    remove_member: RemoveMemberHandler,
    provision_organization: ProvisionOrganizationHandler,
    provision_membership: ProvisionMembershipHandler,
    authenticator: Authenticator,
    tenants: Arc<TenantGuard>,
    tenancy_queries: Arc<dyn TenancyQueries>,
    identity_queries: Arc<dyn IdentityQueries>,
    health: Arc<dyn HealthCheck>,
    clock: Arc<dyn Clock>,
}

impl Application {
    pub fn new(ports: ApplicationPorts) -> Self {
        let ApplicationPorts {
            units_of_work,
            identity_queries,
            password_hasher,
            token_issuer,
            opaque_tokens,
            tenancy_queries,
            membership_cache,
            mailer,
            health,
            clock,
        } = ports;
        let tenants = Arc::new(TenantGuard::new(tenancy_queries.clone(), membership_cache));
        Self {
            bus: CommandBus::new(units_of_work, clock.clone(), tenants.clone()),
            accounts: AccountPreparer::new(password_hasher.clone()),
            create_user: CreateUserHandler::new(clock.clone()),
            provision_admin: ProvisionAdminAccountHandler::new(clock.clone()),
            credentials: CredentialVerifier::new(password_hasher, identity_queries.clone()),
            start_session: StartSessionHandler::new(token_issuer.clone(), opaque_tokens.clone(), clock.clone()),
            refresh_session: RefreshSessionHandler::new(token_issuer.clone(), opaque_tokens.clone(), clock.clone()),
            log_out: LogOutHandler::new(clock.clone()),
            sessions: SessionsHandler::new(clock.clone()),
            sync_role_catalogue: SyncRoleCatalogueHandler,
            create_organization: CreateOrganizationHandler::new(clock.clone()),
            invite_member: InviteMemberHandler::new(opaque_tokens.clone(), mailer, clock.clone()),
            accept_invitation: AcceptInvitationHandler::new(opaque_tokens, clock.clone()),
            change_member_role: ChangeMemberRoleHandler::new(clock.clone()),
            remove_member: RemoveMemberHandler::new(clock.clone()),
            provision_organization: ProvisionOrganizationHandler::new(clock.clone()),
            provision_membership: ProvisionMembershipHandler::new(clock.clone()),
            authenticator: Authenticator::new(token_issuer, identity_queries.clone(), clock.clone()),
            tenants,
            tenancy_queries,
            identity_queries,
            health,
            clock,
        }
    }

    /// Validates and hashes (outside any transaction), then stores the account.
    ///
    /// # Errors
    /// See [`AccountPreparer::prepare`] and [`CreateUserHandler`].
    pub async fn register_user(&self, context: &RequestContext, command: RegisterUser) -> Result<UserId, AppError> {
        let account = self.accounts.prepare(&command.email, &command.display_name, &command.password).await?;
        self.bus.dispatch(&self.create_user, context, CreateUser { account }).await
    }

    /// # Errors
    /// See [`AccountPreparer::prepare`].
    pub async fn provision_platform_admin(
        &self,
        context: &RequestContext,
        command: ProvisionPlatformAdmin,
    ) -> Result<Provisioned, AppError> {
        let account = self.accounts.prepare(&command.email, &command.display_name, &command.password).await?;
        self.bus.dispatch(&self.provision_admin, context, ProvisionAdminAccount { account }).await
    }

    /// Verifies the credentials (outside any transaction), then opens a session.
    ///
    /// # Errors
    /// See [`CredentialVerifier::verify`].
    pub async fn log_in(&self, context: &RequestContext, command: LogIn) -> Result<TokenPair, AppError> {
        let user_id = self.credentials.verify(&command).await?;
        self.bus.dispatch(&self.start_session, context, StartSession { user_id }).await
    }

    /// # Errors
    /// See [`RefreshSessionHandler`].
    pub async fn refresh_session(
        &self,
        context: &RequestContext,
        command: RefreshSession,
    ) -> Result<TokenPair, AppError> {
        match self.bus.dispatch(&self.refresh_session, context, command).await? {
            RefreshOutcome::Rotated(pair) => Ok(pair),
            // The revocation is committed; the caller learns only that the token is dead.
            RefreshOutcome::ReuseDetected { .. } => Err(refresh::invalid_refresh_token()),
        }
    }

    /// # Errors
    /// See [`LogOutHandler`].
    pub async fn log_out(&self, context: &RequestContext) -> Result<(), AppError> {
        self.bus.dispatch(&self.log_out, context, LogOut).await
    }

    /// The caller's live sessions, newest first.
    ///
    /// # Errors
    /// 401 without a caller.
    pub async fn list_sessions(&self, context: &RequestContext) -> Result<Vec<SessionView>, AppError> {
        let principal = context.require_principal()?;
        Ok(self.identity_queries.live_sessions(principal.user_id, self.clock.now()).await?)
    }

    /// # Errors
    /// See [`SessionsHandler`].
    pub async fn revoke_session(&self, context: &RequestContext, command: RevokeSession) -> Result<(), AppError> {
        self.bus.dispatch(&self.sessions, context, command).await
    }

    /// Ends every session of the caller but the current one; answers how many ended.
    ///
    /// # Errors
    /// 401 without a caller.
    pub async fn revoke_other_sessions(&self, context: &RequestContext) -> Result<usize, AppError> {
        self.bus.dispatch(&self.sessions, context, RevokeOtherSessions).await
    }

    /// # Errors
    /// Storage failures only.
    pub async fn sync_role_catalogue(&self, context: &RequestContext) -> Result<CatalogueChanges, AppError> {
        self.bus.dispatch(&self.sync_role_catalogue, context, SyncRoleCatalogue).await
    }

    /// # Errors
    /// See [`Authenticator::authenticate`].
    pub async fn authenticate(&self, access_token: &str) -> Result<Principal, AppError> {
        self.authenticator.authenticate(access_token).await
    }

    /// The user, as clients see it.
    ///
    /// # Errors
    /// 404 when the user does not exist.
    pub async fn get_user(&self, id: UserId) -> Result<UserView, AppError> {
        self.identity_queries.user_by_id(id).await?.ok_or(AppError::NotFound { message: "user not found" })
    }

    /// Creates an organization owned by the caller and returns it as the owner sees it.
    ///
    /// # Errors
    /// See [`CreateOrganizationHandler`].
    pub async fn create_organization(
        &self,
        context: &RequestContext,
        command: CreateOrganization,
    ) -> Result<OrganizationView, AppError> {
        let id = self.bus.dispatch(&self.create_organization, context, command).await?;
        let principal = context.require_principal()?;
        self.tenancy_queries
            .organization_for_member(id, principal.user_id)
            .await?
            .ok_or(AppError::NotFound { message: "organization not found" })
    }

    /// The caller's organizations.
    ///
    /// # Errors
    /// 401 without a caller.
    pub async fn list_organizations(
        &self,
        context: &RequestContext,
        query: &ListQuery,
    ) -> Result<Page<OrganizationView>, AppError> {
        let principal = context.require_principal()?;
        Ok(self.tenancy_queries.organizations_of(principal.user_id, query).await?)
    }

    /// The context's organization, for its members only.
    ///
    /// # Errors
    /// See [`TenantGuard::authorize`].
    pub async fn get_organization(&self, context: &RequestContext) -> Result<OrganizationView, AppError> {
        self.tenants.authorize(context, Some("organization:read")).await?;
        let (tenant, principal) = (tenancy_of(context)?, context.require_principal()?);
        self.tenancy_queries
            .organization_for_member(tenant, principal.user_id)
            .await?
            .ok_or(AppError::NotFound { message: "organization not found" })
    }

    /// # Errors
    /// See [`InviteMemberHandler`].
    pub async fn invite_member(&self, context: &RequestContext, command: InviteMember) -> Result<Invitation, AppError> {
        self.bus.dispatch(&self.invite_member, context, command).await
    }

    /// # Errors
    /// See [`AcceptInvitationHandler`].
    pub async fn accept_invitation(
        &self,
        context: &RequestContext,
        command: AcceptInvitation,
    ) -> Result<Membership, AppError> {
        let membership = self.bus.dispatch(&self.accept_invitation, context, command).await?;
        self.tenants.invalidate(membership.tenant_id(), membership.user_id());
        Ok(membership)
    }

    /// The members of the context's organization, with their profiles.
    ///
    /// # Errors
    /// See [`TenantGuard::authorize`].
    pub async fn list_members(
        &self,
        context: &RequestContext,
        query: &ListQuery,
    ) -> Result<Page<MemberView>, AppError> {
        self.tenants.authorize(context, Some("member:read")).await?;
        let page = self.tenancy_queries.members(tenancy_of(context)?, query).await?;
        let ids: Vec<UserId> = page.items.iter().map(|m| m.user_id).collect();
        let users = self.identity_queries.users_by_ids(&ids).await?;
        Ok(page.map(|m| member_view(&m.user_id, m.role, m.joined_at, &users)))
    }

    /// # Errors
    /// See [`ChangeMemberRoleHandler`].
    pub async fn change_member_role(
        &self,
        context: &RequestContext,
        command: ChangeMemberRole,
    ) -> Result<MemberView, AppError> {
        let membership = self.bus.dispatch(&self.change_member_role, context, command).await?;
        self.tenants.invalidate(membership.tenant_id(), membership.user_id());
        let users = self.identity_queries.users_by_ids(&[membership.user_id()]).await?;
        Ok(member_view(&membership.user_id(), membership.role(), membership.joined_at(), &users))
    }

    /// # Errors
    /// See [`RemoveMemberHandler`].
    pub async fn remove_member(&self, context: &RequestContext, command: RemoveMember) -> Result<(), AppError> {
        let user = command.user_id;
        self.bus.dispatch(&self.remove_member, context, command).await?;
        self.tenants.invalidate(tenancy_of(context)?, user);
        Ok(())
    }

    /// Seeds: ensure an organization exists (idempotent, system only).
    ///
    /// # Errors
    /// 400 bad name/slug/email; 404 when the owner has no account.
    pub async fn provision_organization(
        &self,
        context: &RequestContext,
        command: ProvisionOrganization,
    ) -> Result<Provision<TenantId>, AppError> {
        self.bus.dispatch(&self.provision_organization, context, command).await
    }

    /// Seeds: ensure a membership exists with a role (idempotent, system only).
    ///
    /// # Errors
    /// 404 when the user has no account.
    pub async fn provision_membership(
        &self,
        context: &RequestContext,
        command: ProvisionMembership,
    ) -> Result<Provision<UserId>, AppError> {
        let tenant = command.tenant;
        let outcome = self.bus.dispatch(&self.provision_membership, context, command).await?;
        self.tenants.invalidate(tenant, outcome.value());
        Ok(outcome)
    }

    /// The caller's role in the tenant named by the context (the `X-Tenant-Id` header).
    ///
    /// # Errors
    /// See [`TenantGuard::authorize`].
    pub async fn current_membership(&self, context: &RequestContext) -> Result<(TenantId, Role), AppError> {
        let role = self.tenants.authorize(context, None).await?;
        Ok((tenancy_of(context)?, role))
    }

    /// # Errors
    /// 503 when a store the application needs does not answer.
    pub async fn readiness(&self) -> Result<(), AppError> {
        self.health.check().await.map_err(AppError::from)
    }
}

fn tenancy_of(context: &RequestContext) -> Result<TenantId, AppError> {
    context.tenant_id.ok_or_else(AppError::tenant_required)
}

/// A membership joined with the member's profile (identity's read side).
fn member_view(
    user_id: &UserId,
    role: Role,
    joined_at: chrono::DateTime<chrono::Utc>,
    users: &[UserView],
) -> MemberView {
    let user = users.iter().find(|u| &u.id == user_id);
    MemberView {
        user_id: *user_id,
        email: user.map(|u| u.email.clone()).unwrap_or_default(),
        display_name: user.map(|u| u.display_name.clone()).unwrap_or_default(),
        role,
        joined_at,
    }
}
