//! Tenancy use cases: organizations, invitations, members and their roles, API keys, and the
//! tenant guard every tenant-scoped command and query goes through.

mod api_keys;
mod catalogue;
mod guard;
mod invitations;
mod members;
mod organizations;
mod provisioning;

pub use api_keys::{ApiKeyAuthenticator, ApiKeysHandler, CreateApiKey, CreatedApiKey, RevokeApiKey};
pub use catalogue::{CatalogueChanges, SyncRoleCatalogue, SyncRoleCatalogueHandler};
pub use guard::TenantGuard;
pub use invitations::{AcceptInvitation, AcceptInvitationHandler, InviteMember, InviteMemberHandler};
pub use members::{ChangeMemberRole, ChangeMemberRoleHandler, MemberView, RemoveMember, RemoveMemberHandler};
pub use organizations::{CreateOrganization, CreateOrganizationHandler};
pub use provisioning::{
    Provision, ProvisionMembership, ProvisionMembershipHandler, ProvisionOrganization, ProvisionOrganizationHandler,
};

use tenantry_kernel::{EventEnvelope, TenantId};

use crate::pipeline::RequestContext;
use crate::AppError;

/// Wraps a tenancy event with its tenant and the acting user.
fn envelope<E: tenantry_kernel::DomainEvent>(
    event: &E,
    tenant: TenantId,
    context: &RequestContext,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<EventEnvelope, AppError> {
    EventEnvelope::wrap(event, now, Some(tenant), context.principal.as_ref().map(|p| p.user_id))
        .map_err(AppError::internal)
}

/// The tenant of a tenant-scoped command (the pipeline has already checked it).
fn tenant_of(context: &RequestContext) -> Result<TenantId, AppError> {
    context.tenant_id.ok_or_else(AppError::tenant_required)
}

fn member_not_found() -> AppError {
    AppError::NotFound { message: "member not found" }
}
