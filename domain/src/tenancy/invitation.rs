use chrono::{DateTime, Duration, Utc};
use tenantry_kernel::{EmailAddress, TenantId, UserId};

use super::{Membership, Role, TenancyError};

tenantry_kernel::typed_id!(
    /// An invitation to join an organization.
    InvitationId
);

/// Invitations are valid for 7 days.
pub const INVITATION_TTL_DAYS: i64 = 7;

/// A personal, single-use invitation. Only the token's hash is kept: the token
/// itself travels in the invitation mail.
#[derive(Debug, Clone, PartialEq)]
pub struct Invitation {
    id: InvitationId,
    tenant_id: TenantId,
    email: EmailAddress,
    role: Role,
    token_hash: String,
    invited_by: UserId,
    created_at: DateTime<Utc>,
    expires_at: DateTime<Utc>,
    accepted_at: Option<DateTime<Utc>>,
    accepted_by: Option<UserId>,
}

impl Invitation {
    pub fn issue(
        tenant_id: TenantId,
        email: EmailAddress,
        role: Role,
        token_hash: String,
        invited_by: UserId,
        now: DateTime<Utc>,
    ) -> Self {
        Self {
            id: InvitationId::new(),
            tenant_id,
            email,
            role,
            token_hash,
            invited_by,
            created_at: now,
            expires_at: now + Duration::days(INVITATION_TTL_DAYS),
            accepted_at: None,
            accepted_by: None,
        }
    }

    /// Rebuilds an invitation from storage; only adapters call this.
    #[allow(clippy::too_many_arguments)]
    pub fn restore(
        id: InvitationId,
        tenant_id: TenantId,
        email: EmailAddress,
        role: Role,
        token_hash: String,
        invited_by: UserId,
        created_at: DateTime<Utc>,
        expires_at: DateTime<Utc>,
        accepted_at: Option<DateTime<Utc>>,
        accepted_by: Option<UserId>,
    ) -> Self {
        Self { id, tenant_id, email, role, token_hash, invited_by, created_at, expires_at, accepted_at, accepted_by }
    }

    /// Uses the invitation: the accepting user must own the invited address.
    ///
    /// # Errors
    /// `InvitationAlreadyUsed`, `InvitationExpired` or `WrongRecipient`.
    pub fn accept(
        &mut self,
        user: UserId,
        email: &EmailAddress,
        now: DateTime<Utc>,
    ) -> Result<Membership, TenancyError> {
        if self.accepted_at.is_some() {
            return Err(TenancyError::InvitationAlreadyUsed);
        }
        if now >= self.expires_at {
            return Err(TenancyError::InvitationExpired);
        }
        if email != &self.email {
            return Err(TenancyError::WrongRecipient);
        }
        self.accepted_at = Some(now);
        self.accepted_by = Some(user);
        Ok(Membership::new(self.tenant_id, user, self.role, now))
    }

    /// An invitation grants a role on its sender's authority: it holds only while
    /// the sender (`sender_role`, `None` once they left) may still grant that role.
    ///
    /// # Errors
    /// `InvitationRevoked`.
    pub fn ensure_sender_may_grant(&self, sender_role: Option<Role>) -> Result<(), TenancyError> {
        let allowed =
            sender_role.is_some_and(|sender| super::ensure_can_manage(sender, Role::Viewer, Some(self.role)).is_ok());
        if allowed {
            Ok(())
        } else {
            Err(TenancyError::InvitationRevoked)
        }
    }

    /// Pending: neither accepted nor past its expiry at `now`.
    pub fn is_pending(&self, now: DateTime<Utc>) -> bool {
        self.accepted_at.is_none() && now < self.expires_at
    }

    pub fn id(&self) -> InvitationId {
        self.id
    }
    pub fn tenant_id(&self) -> TenantId {
        self.tenant_id
    }
    pub fn email(&self) -> &EmailAddress {
        &self.email
    }
    pub fn role(&self) -> Role {
        self.role
    }
    pub fn token_hash(&self) -> &str {
        &self.token_hash
    }
    pub fn invited_by(&self) -> UserId {
        self.invited_by
    }
    pub fn created_at(&self) -> DateTime<Utc> {
        self.created_at
    }
    pub fn expires_at(&self) -> DateTime<Utc> {
        self.expires_at
    }
    pub fn accepted_at(&self) -> Option<DateTime<Utc>> {
        self.accepted_at
    }
    pub fn accepted_by(&self) -> Option<UserId> {
        self.accepted_by
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn invitation(now: DateTime<Utc>) -> Invitation {
        let email = EmailAddress::parse("bob@example.com").unwrap();
        Invitation::issue(TenantId::new(), email, Role::Member, "hash".into(), UserId::new(), now)
    }

    #[test]
    fn an_invitation_holds_only_while_its_sender_may_grant_its_role() {
        let email = EmailAddress::parse("bob@example.com").unwrap();
        let admin_invite =
            Invitation::issue(TenantId::new(), email, Role::Admin, "h".into(), UserId::new(), Utc::now());
        assert_eq!(admin_invite.ensure_sender_may_grant(Some(Role::Admin)), Ok(()));
        assert_eq!(admin_invite.ensure_sender_may_grant(Some(Role::Owner)), Ok(()));
        for demoted in [Some(Role::Member), Some(Role::Viewer), None] {
            assert_eq!(admin_invite.ensure_sender_may_grant(demoted), Err(TenancyError::InvitationRevoked));
        }
    }

    #[test]
    fn the_invited_address_joins_with_the_invited_role_once() {
        let now = Utc::now();
        let mut invitation = invitation(now);
        let bob = UserId::new();
        let email = EmailAddress::parse("Bob@Example.com").unwrap();
        let membership = invitation.accept(bob, &email, now).unwrap();
        assert_eq!((membership.user_id(), membership.role()), (bob, Role::Member));
        assert_eq!(invitation.accept(bob, &email, now), Err(TenancyError::InvitationAlreadyUsed));
    }

    #[test]
    fn expires_after_seven_days() {
        let now = Utc::now();
        let mut invitation = invitation(now);
        let email = EmailAddress::parse("bob@example.com").unwrap();
        let later = now + Duration::days(INVITATION_TTL_DAYS);
        assert_eq!(invitation.accept(UserId::new(), &email, later), Err(TenancyError::InvitationExpired));
    }

    #[test]
    fn another_address_cannot_accept() {
        let now = Utc::now();
        let mut invitation = invitation(now);
        let mallory = EmailAddress::parse("mallory@example.com").unwrap();
        assert_eq!(invitation.accept(UserId::new(), &mallory, now), Err(TenancyError::WrongRecipient));
        assert!(invitation.accepted_at().is_none());
    }
}
