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
pub use invitations::{AcceptInvitation, AcceptInvitationHandler, InviteMember, InviteMemberHandler, RevokeInvitation};
pub use members::{
    ChangeMemberRole, ChangeMemberRoleHandler, CurrentMembership, MemberView, RemoveMember, RemoveMemberHandler,
};
pub use organizations::{CreateOrganization, CreateOrganizationHandler};
pub use provisioning::{
    Provision, ProvisionMembership, ProvisionMembershipHandler, ProvisionOrganization, ProvisionOrganizationHandler,
};

pub(crate) use crate::pipeline::{envelope, tenant_of};
use crate::AppError;

fn member_not_found() -> AppError {
    AppError::NotFound { message: "member not found" }
}
