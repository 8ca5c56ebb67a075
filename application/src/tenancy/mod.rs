//! Tenancy use cases: organizations, invitations, members and their roles, API keys, and the
//! tenant guard every tenant-scoped command and query goes through.

pub mod ports;

mod api_keys;
mod catalogue;
mod guard;
mod invitations;
mod members;
mod organizations;
mod provisioning;
mod service;

pub use api_keys::{ApiKeyAuthenticator, ApiKeysHandler, CreateApiKey, CreatedApiKey, RevokeApiKey};
pub use catalogue::{
    builtin_permissions, permission_catalogue, CatalogueChanges, SyncRoleCatalogue, SyncRoleCatalogueHandler,
};
pub use guard::TenantGuard;
pub use invitations::{AcceptInvitation, AcceptInvitationHandler, InviteMember, InviteMemberHandler, RevokeInvitation};
pub use members::{
    ChangeMemberRole, ChangeMemberRoleHandler, CurrentMembership, MemberView, RemoveMember, RemoveMemberHandler,
};
pub use organizations::{CreateOrganization, CreateOrganizationHandler};
pub use provisioning::{
    Provision, ProvisionMembership, ProvisionMembershipHandler, ProvisionOrganization, ProvisionOrganizationHandler,
};

pub use service::{Tenancy, TenancyPorts};

pub(crate) use crate::pipeline::{envelope, tenant_of};
use crate::AppError;

fn member_not_found() -> AppError {
    AppError::NotFound { message: "member not found" }
}

/// The tenancy domain's refusals, as the application reports them.
impl From<tenantry_domain::tenancy::TenancyError> for crate::AppError {
    fn from(error: tenantry_domain::tenancy::TenancyError) -> Self {
        use tenantry_domain::tenancy::TenancyError;
        match error {
            TenancyError::LastOwner => crate::AppError::BusinessRule {
                code: crate::ErrorCode::LastOwner,
                message: "the last owner of an organization cannot be removed or demoted",
            },
            TenancyError::InsufficientRole => crate::AppError::Forbidden {
                code: crate::ErrorCode::Forbidden,
                message: "your role does not allow this change",
            },
            TenancyError::InvitationExpired => crate::AppError::BusinessRule {
                code: crate::ErrorCode::InvitationExpired,
                message: "the invitation has expired",
            },
            TenancyError::InvitationAlreadyUsed => crate::AppError::BusinessRule {
                code: crate::ErrorCode::InvitationAlreadyUsed,
                message: "the invitation has already been used",
            },
            TenancyError::InvitationRevoked => crate::AppError::BusinessRule {
                code: crate::ErrorCode::InvitationRevoked,
                message: "the invitation is no longer valid: its sender may no longer grant this role",
            },
            TenancyError::WrongRecipient => crate::AppError::Forbidden {
                code: crate::ErrorCode::InvitationWrongRecipient,
                message: "the invitation was sent to another email address",
            },
        }
    }
}
