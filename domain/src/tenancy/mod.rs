//! Tenancy: organizations (the tenants), memberships with roles, invitations, and
//! the role/permission catalogue (seed 002's `resource:action` permissions).

mod api_key;
mod errors;
mod events;
mod invitation;
mod membership;
mod organization;
mod role;

pub use api_key::{
    validate_scopes, ApiKey, ApiKeyId, ApiKeyName, ScopeError, API_KEY_DISPLAY_CHARS, API_KEY_MAX_TTL_DAYS,
    API_KEY_PREFIX,
};
pub use errors::TenancyError;
pub use events::{
    ApiKeyCreated, ApiKeyRevoked, InvitationAccepted, InvitationRevoked, MemberInvited, MemberRemoved,
    MemberRoleChanged, OrganizationCreated,
};
pub use invitation::{Invitation, InvitationId, INVITATION_TTL_DAYS};
pub use membership::{ensure_an_owner_remains, ensure_can_manage, Membership};
pub use organization::{Organization, OrganizationName, Slug};
pub use role::{Permission, Role, PERMISSION_CATALOGUE};
