//! The tenancy context's service: organizations, invitations, members and their
//! roles, API keys and the role catalogue, each through the platform's pipelines.

use std::sync::Arc;

use tenantry_domain::tenancy::{ApiKey, Invitation, Membership, Role};
use tenantry_kernel::{Page, PageRequest, TenantId, UserId};

use super::ports::{OrganizationView, TenancyQueries, TenancyRepositories};
use super::*;
use crate::identity::ports::{IdentityQueries, IdentityRepositories, OpaqueTokens, UserView};
use crate::pipeline::{Principal, RequestContext};
use crate::platform::Platform;
use crate::ports::{ListQuery, Mailer};
use crate::AppError;

/// The adapters tenancy needs; built by the composition root.
pub struct TenancyPorts {
    pub queries: Arc<dyn TenancyQueries>,
    /// Identity's published read side, for members' profiles.
    pub identity_queries: Arc<dyn IdentityQueries>,
    pub opaque_tokens: Arc<dyn OpaqueTokens>,
    pub mailer: Arc<dyn Mailer>,
    /// The guard the platform authorizes with (its membership cache is invalidated here).
    pub guard: Arc<TenantGuard>,
    /// Organizations, memberships, invitations, API keys and the role catalogue
    /// inside a unit of work.
    pub repositories: Arc<dyn TenancyRepositories>,
    /// Identity's users inside the same unit of work (invitees, owners by address).
    pub accounts: Arc<dyn IdentityRepositories>,
}

/// Tenancy's use cases.
pub struct Tenancy {
    platform: Arc<Platform>,
    sync_role_catalogue: SyncRoleCatalogueHandler,
    create_organization: CreateOrganizationHandler,
    invite_member: InviteMemberHandler,
    accept_invitation: AcceptInvitationHandler,
    change_member_role: ChangeMemberRoleHandler,
    remove_member: RemoveMemberHandler,
    provision_organization: ProvisionOrganizationHandler,
    provision_membership: ProvisionMembershipHandler,
    api_key_authenticator: ApiKeyAuthenticator,
    api_keys: ApiKeysHandler,
    tenants: Arc<TenantGuard>,
    tenancy_queries: Arc<dyn TenancyQueries>,
    identity_queries: Arc<dyn IdentityQueries>,
}

impl Tenancy {
    pub fn new(platform: Arc<Platform>, ports: TenancyPorts) -> Self {
        let TenancyPorts { queries, identity_queries, opaque_tokens, mailer, guard, repositories, accounts } = ports;
        let clock = platform.clock().clone();
        let permissions = guard.catalogue().clone();
        Self {
            sync_role_catalogue: SyncRoleCatalogueHandler::new(repositories.clone(), permissions.clone()),
            create_organization: CreateOrganizationHandler::new(repositories.clone(), clock.clone()),
            invite_member: InviteMemberHandler::new(
                accounts.clone(),
                repositories.clone(),
                opaque_tokens.clone(),
                mailer,
                clock.clone(),
            ),
            accept_invitation: AcceptInvitationHandler::new(
                accounts.clone(),
                repositories.clone(),
                opaque_tokens.clone(),
                clock.clone(),
            ),
            change_member_role: ChangeMemberRoleHandler::new(repositories.clone(), clock.clone()),
            remove_member: RemoveMemberHandler::new(repositories.clone(), clock.clone()),
            provision_organization: ProvisionOrganizationHandler::new(
                accounts.clone(),
                repositories.clone(),
                clock.clone(),
            ),
            provision_membership: ProvisionMembershipHandler::new(
                accounts.clone(),
                repositories.clone(),
                clock.clone(),
            ),
            api_key_authenticator: ApiKeyAuthenticator::new(opaque_tokens.clone(), queries.clone(), clock.clone()),
            api_keys: ApiKeysHandler::new(repositories.clone(), permissions, opaque_tokens, clock),
            tenants: guard,
            tenancy_queries: queries,
            identity_queries,
            platform,
        }
    }

    /// # Errors
    /// Storage failures only.
    pub async fn sync_role_catalogue(&self, context: &RequestContext) -> Result<CatalogueChanges, AppError> {
        self.platform.commands().dispatch(&self.sync_role_catalogue, context, SyncRoleCatalogue).await
    }

    /// An organization's API key (`tk_...`) as a caller.
    ///
    /// # Errors
    /// See [`ApiKeyAuthenticator::authenticate`].
    pub async fn authenticate_api_key(&self, bearer: &str) -> Result<Principal, AppError> {
        self.api_key_authenticator.authenticate(bearer).await
    }

    /// # Errors
    /// See [`ApiKeysHandler`].
    pub async fn create_api_key(
        &self,
        context: &RequestContext,
        command: CreateApiKey,
    ) -> Result<CreatedApiKey, AppError> {
        self.platform.commands().dispatch(&self.api_keys, context, command).await
    }

    /// The context tenant's API keys (never their secrets).
    ///
    /// # Errors
    /// See [`crate::queries::QueryPipeline::read`].
    pub async fn list_api_keys(&self, context: &RequestContext) -> Result<Vec<ApiKey>, AppError> {
        self.platform
            .queries()
            .read("tenancy.api_keys", context, "api_key:manage", |read| async move {
                Ok(self.tenancy_queries.api_keys(read.tenant).await?)
            })
            .await
    }

    /// # Errors
    /// See [`ApiKeysHandler`].
    pub async fn revoke_api_key(&self, context: &RequestContext, command: RevokeApiKey) -> Result<(), AppError> {
        self.platform.commands().dispatch(&self.api_keys, context, command).await.map(drop)
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
        let id = self.platform.commands().dispatch(&self.create_organization, context, command).await?;
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
        self.platform
            .queries()
            .own("tenancy.organizations", context, |caller| async move {
                Ok(self.tenancy_queries.organizations_of(caller.user_id, query).await?)
            })
            .await
    }

    /// The context's organization, for its members only.
    ///
    /// # Errors
    /// See [`crate::queries::QueryPipeline::read`].
    pub async fn get_organization(&self, context: &RequestContext) -> Result<OrganizationView, AppError> {
        self.platform
            .queries()
            .read("tenancy.organization", context, "organization:read", |read| async move {
                let caller = read.context.require_caller()?.user_id;
                self.tenancy_queries
                    .organization_for_member(read.tenant, caller)
                    .await?
                    .ok_or(AppError::NotFound { message: "organization not found" })
            })
            .await
    }

    /// # Errors
    /// See [`InviteMemberHandler`].
    pub async fn invite_member(&self, context: &RequestContext, command: InviteMember) -> Result<Invitation, AppError> {
        self.platform.commands().dispatch(&self.invite_member, context, command).await
    }

    /// # Errors
    /// See [`RevokeInvitation`].
    pub async fn revoke_invitation(&self, context: &RequestContext, command: RevokeInvitation) -> Result<(), AppError> {
        self.platform.commands().dispatch(&self.invite_member, context, command).await
    }

    /// A page of the context tenant's invitations not yet accepted, newest first.
    ///
    /// # Errors
    /// See [`crate::queries::QueryPipeline::read`].
    pub async fn pending_invitations(
        &self,
        context: &RequestContext,
        page: PageRequest,
    ) -> Result<Page<Invitation>, AppError> {
        self.platform
            .queries()
            .read("tenancy.pending_invitations", context, "member:invite", |read| async move {
                Ok(self.tenancy_queries.pending_invitations(read.tenant, page).await?)
            })
            .await
    }

    /// # Errors
    /// See [`AcceptInvitationHandler`].
    pub async fn accept_invitation(
        &self,
        context: &RequestContext,
        command: AcceptInvitation,
    ) -> Result<Membership, AppError> {
        let membership = self.platform.commands().dispatch(&self.accept_invitation, context, command).await?;
        self.tenants.invalidate(membership.tenant_id(), membership.user_id());
        Ok(membership)
    }

    /// The members of the context's organization, with their profiles.
    ///
    /// # Errors
    /// See [`crate::queries::QueryPipeline::read`].
    pub async fn list_members(
        &self,
        context: &RequestContext,
        query: &ListQuery,
    ) -> Result<Page<MemberView>, AppError> {
        self.platform
            .queries()
            .read("tenancy.members", context, "member:read", |read| async move {
                let page = self.tenancy_queries.members(read.tenant, query).await?;
                let ids: Vec<UserId> = page.items.iter().map(|m| m.user_id).collect();
                let users = self.identity_queries.users_by_ids(&ids).await?;
                Ok(page.map(|m| member_view(&m.user_id, m.role, m.joined_at, &users)))
            })
            .await
    }

    /// # Errors
    /// See [`ChangeMemberRoleHandler`].
    pub async fn change_member_role(
        &self,
        context: &RequestContext,
        command: ChangeMemberRole,
    ) -> Result<MemberView, AppError> {
        let membership = self.platform.commands().dispatch(&self.change_member_role, context, command).await?;
        self.tenants.invalidate(membership.tenant_id(), membership.user_id());
        let users = self.identity_queries.users_by_ids(&[membership.user_id()]).await?;
        Ok(member_view(&membership.user_id(), membership.role(), membership.joined_at(), &users))
    }

    /// # Errors
    /// See [`RemoveMemberHandler`].
    pub async fn remove_member(&self, context: &RequestContext, command: RemoveMember) -> Result<(), AppError> {
        let user = command.user_id;
        self.platform.commands().dispatch(&self.remove_member, context, command).await?;
        self.tenants.invalidate(tenant_of(context)?, user);
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
        self.platform.commands().dispatch(&self.provision_organization, context, command).await
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
        let outcome = self.platform.commands().dispatch(&self.provision_membership, context, command).await?;
        self.tenants.invalidate(tenant, outcome.value());
        Ok(outcome)
    }

    /// The caller's role in the tenant named by the context (the `X-Tenant-Id` header)
    /// and what it may do there: for an API key, its scopes within its creator's role.
    ///
    /// # Errors
    /// See [`TenantGuard::authorize`]; the guard answers the role itself, so this
    /// read stays outside the query pipeline (it asks no permission).
    pub async fn current_membership(&self, context: &RequestContext) -> Result<CurrentMembership, AppError> {
        let (role, grants) = self.tenants.authorize(context, None).await?;
        let permissions = context.clone().with_grants(grants).permissions();
        Ok(CurrentMembership { tenant_id: tenant_of(context)?, role, permissions })
    }
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
