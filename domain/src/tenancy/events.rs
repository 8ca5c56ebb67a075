use serde::Serialize;
use tenantry_kernel::{DomainEvent, TenantId, UserId};

use super::InvitationId;

/// A new organization exists, owned by its creator.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OrganizationCreated {
    pub organization_id: TenantId,
    pub name: String,
    pub slug: String,
    pub owner_id: UserId,
}

/// Someone was invited (the token is never part of an event).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MemberInvited {
    pub organization_id: TenantId,
    pub invitation_id: InvitationId,
    pub email: String,
    pub role: String,
    pub invited_by: UserId,
}

/// An invitation was used: a new member joined.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InvitationAccepted {
    pub organization_id: TenantId,
    pub invitation_id: InvitationId,
    pub user_id: UserId,
    pub invited_by: UserId,
    pub role: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MemberRoleChanged {
    pub organization_id: TenantId,
    pub user_id: UserId,
    pub from: String,
    pub to: String,
}

/// A pending invitation was withdrawn; its token no longer works.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InvitationRevoked {
    pub organization_id: TenantId,
    pub invitation_id: InvitationId,
    pub revoked_by: UserId,
}

impl DomainEvent for InvitationRevoked {
    fn event_type(&self) -> &'static str {
        "tenancy.invitation_revoked"
    }
}

/// A member left or was removed; other contexts end what the membership held.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct MemberRemoved {
    pub organization_id: TenantId,
    pub user_id: UserId,
    pub removed_by: UserId,
}

impl DomainEvent for OrganizationCreated {
    fn event_type(&self) -> &'static str {
        "tenancy.organization_created"
    }
}
impl DomainEvent for MemberInvited {
    fn event_type(&self) -> &'static str {
        "tenancy.member_invited"
    }
}
impl DomainEvent for InvitationAccepted {
    fn event_type(&self) -> &'static str {
        "tenancy.invitation_accepted"
    }
}
impl DomainEvent for MemberRoleChanged {
    fn event_type(&self) -> &'static str {
        "tenancy.member_role_changed"
    }
}
impl DomainEvent for MemberRemoved {
    fn event_type(&self) -> &'static str {
        "tenancy.member_removed"
    }
}

/// An API key was created (never with its secret).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ApiKeyCreated {
    pub organization_id: TenantId,
    pub api_key_id: super::ApiKeyId,
    pub name: String,
    pub scopes: Vec<String>,
    pub created_by: UserId,
}

/// An API key was revoked: it stops working on its next request.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ApiKeyRevoked {
    pub organization_id: TenantId,
    pub api_key_id: super::ApiKeyId,
}

impl DomainEvent for ApiKeyCreated {
    fn event_type(&self) -> &'static str {
        "tenancy.api_key_created"
    }
}
impl DomainEvent for ApiKeyRevoked {
    fn event_type(&self) -> &'static str {
        "tenancy.api_key_revoked"
    }
}
