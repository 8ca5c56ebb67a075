use std::sync::Arc;

use async_trait::async_trait;
use tenantry_domain::tenancy::{
    ensure_can_manage, Invitation, InvitationAccepted, InvitationId, InvitationRevoked, MemberInvited, Membership, Role,
};
use tenantry_kernel::{Clock, EmailAddress, ValidationError};

use crate::identity::ports::IdentityRepositories;
use crate::identity::ports::OpaqueTokens;
use crate::pipeline::{AuditSubject, Authorization, Command, CommandHandler, RequestContext};
use crate::ports::{MailMessage, Mailer, RepositoryError, UnitOfWork};
use crate::tenancy::ports::TenancyRepositories;
use crate::{AppError, ErrorCode};

/// Invite someone by email to the context's tenant with a role.
#[derive(Debug, Clone)]
pub struct InviteMember {
    pub email: String,
    pub role: String,
}

impl Command for InviteMember {
    const NAME: &'static str = "tenancy.invite_member";
    type Output = Invitation;

    fn authorization(&self) -> Authorization {
        Authorization::TenantPermission("member:invite")
    }

    fn audit_subject(&self, _: &RequestContext, output: &Invitation) -> Option<AuditSubject> {
        Some(AuditSubject::new("invitation", output.id()))
    }
}

pub struct InviteMemberHandler {
    accounts: Arc<dyn IdentityRepositories>,
    repositories: Arc<dyn TenancyRepositories>,
    secrets: Arc<dyn OpaqueTokens>,
    mailer: Arc<dyn Mailer>,
    clock: Arc<dyn Clock>,
}

impl InviteMemberHandler {
    pub fn new(
        accounts: Arc<dyn IdentityRepositories>,
        repositories: Arc<dyn TenancyRepositories>,
        secrets: Arc<dyn OpaqueTokens>,
        mailer: Arc<dyn Mailer>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self { accounts, repositories, secrets, mailer, clock }
    }
}

fn already_member() -> AppError {
    AppError::Conflict { code: ErrorCode::AlreadyMember, message: "this person is already a member" }
}

#[async_trait]
impl CommandHandler<InviteMember> for InviteMemberHandler {
    /// The mail goes out inside the transaction: if it cannot be sent, nothing is
    /// stored; if the commit fails after sending, the mailed token simply does not work.
    ///
    /// # Errors
    /// 400 for a bad email or role; 403 when an admin invites an owner; 409 `already_member`.
    async fn handle(
        &self,
        context: &RequestContext,
        command: &InviteMember,
        uow: &mut dyn UnitOfWork,
    ) -> Result<Invitation, AppError> {
        let principal = context.require_caller()?;
        let tenant = super::tenant_of(context)?;
        let email = EmailAddress::parse(&command.email);
        let role = command.role.parse::<Role>();
        let (email, role) = match (email, role) {
            (Ok(email), Ok(role)) => (email, role),
            (email, role) => {
                return Err(ValidationError::collect([email.map(drop), role.map(drop)])
                    .err()
                    .map_or_else(|| AppError::internal(ValidationError::field("email", "invalid")), AppError::from))
            }
        };
        let actor = self
            .repositories
            .memberships(uow)?
            .find(tenant, principal.user_id)
            .await?
            .ok_or_else(super::member_not_found)?;
        // Inviting is granting a role: the same rule as changing one to it.
        ensure_can_manage(actor.role(), Role::Viewer, Some(role))?;
        if let Some(user) = self.accounts.users(uow)?.find_by_email(&email).await? {
            if self.repositories.memberships(uow)?.find(tenant, user.id()).await?.is_some() {
                return Err(already_member());
            }
        }
        let now = self.clock.now();
        let (token, token_hash) = self.secrets.generate();
        let invitation = Invitation::issue(tenant, email.clone(), role, token_hash, principal.user_id, now);
        self.repositories.invitations(uow)?.insert(&invitation).await?;
        let event = MemberInvited {
            organization_id: tenant,
            invitation_id: invitation.id(),
            email: email.as_str().to_owned(),
            role: role.as_str().to_owned(),
            invited_by: principal.user_id,
        };
        uow.record_event(super::envelope(&event, tenant, context, now)?);
        let message = MailMessage {
            to: email,
            subject: "You are invited to join an organization on Tenantry".to_owned(),
            text_body: format!(
                "You have been invited to join an organization as {role}.\n\n\
                 Accept with POST /api/v1/invitations/{token}/accept while logged in as this address.\n\n\
                 Invitation token: {token}\n\n\
                 The invitation expires on {} and can be used once.\n",
                invitation.expires_at().to_rfc3339()
            ),
        };
        self.mailer.send(&message).await.map_err(AppError::internal)?;
        Ok(invitation)
    }
}

/// Use an invitation: the logged-in caller joins the organization.
#[derive(Clone)]
pub struct AcceptInvitation {
    pub token: String,
}

impl std::fmt::Debug for AcceptInvitation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AcceptInvitation { token: *** }")
    }
}

impl Command for AcceptInvitation {
    const NAME: &'static str = "tenancy.accept_invitation";
    type Output = Membership;

    fn authorization(&self) -> Authorization {
        Authorization::Authenticated
    }

    fn audit_subject(&self, _: &RequestContext, output: &Membership) -> Option<AuditSubject> {
        Some(AuditSubject::new("membership", format!("{}:{}", output.tenant_id(), output.user_id())))
    }
}

pub struct AcceptInvitationHandler {
    accounts: Arc<dyn IdentityRepositories>,
    repositories: Arc<dyn TenancyRepositories>,
    secrets: Arc<dyn OpaqueTokens>,
    clock: Arc<dyn Clock>,
}

impl AcceptInvitationHandler {
    pub fn new(
        accounts: Arc<dyn IdentityRepositories>,
        repositories: Arc<dyn TenancyRepositories>,
        secrets: Arc<dyn OpaqueTokens>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self { accounts, repositories, secrets, clock }
    }
}

#[async_trait]
impl CommandHandler<AcceptInvitation> for AcceptInvitationHandler {
    /// # Errors
    /// 404 for an unknown token; 403 `invitation_wrong_recipient`; 422
    /// `invitation_expired` / `invitation_already_used`; 409 `already_member`.
    async fn handle(
        &self,
        context: &RequestContext,
        command: &AcceptInvitation,
        uow: &mut dyn UnitOfWork,
    ) -> Result<Membership, AppError> {
        let principal = context.require_caller()?;
        let not_found = || AppError::NotFound { message: "invitation not found" };
        if command.token.is_empty() || command.token.len() > 512 {
            return Err(not_found());
        }
        let hash = self.secrets.hash(&command.token);
        let mut invitation =
            self.repositories.invitations(uow)?.find_by_token_hash(&hash).await?.ok_or_else(not_found)?;
        let user = self.accounts.users(uow)?.find_by_id(principal.user_id).await?.ok_or(AppError::Unauthenticated {
            code: ErrorCode::Unauthenticated,
            message: "the account no longer exists",
        })?;
        let now = self.clock.now();
        // The invitation grants its role on the sender's authority, as it stands now;
        // the tenant lock orders this against a concurrent demotion of the sender.
        self.repositories.organizations(uow)?.lock(invitation.tenant_id()).await?;
        let sender = self.repositories.memberships(uow)?.find(invitation.tenant_id(), invitation.invited_by()).await?;
        let membership = invitation.accept(user.id(), user.email(), now)?;
        invitation.ensure_sender_may_grant(sender.map(|m| m.role()))?;
        match self.repositories.memberships(uow)?.insert(&membership).await {
            Err(RepositoryError::Duplicate { .. }) => return Err(already_member()),
            other => other?,
        }
        self.repositories.invitations(uow)?.update(&invitation).await?;
        let event = InvitationAccepted {
            organization_id: invitation.tenant_id(),
            invitation_id: invitation.id(),
            user_id: user.id(),
            invited_by: invitation.invited_by(),
            role: invitation.role().as_str().to_owned(),
        };
        uow.record_event(super::envelope(&event, invitation.tenant_id(), context, now)?);
        Ok(membership)
    }
}

/// Withdraw a pending invitation of the context's tenant.
#[derive(Debug, Clone)]
pub struct RevokeInvitation {
    pub invitation_id: InvitationId,
}

impl Command for RevokeInvitation {
    const NAME: &'static str = "tenancy.revoke_invitation";
    type Output = ();

    fn authorization(&self) -> Authorization {
        Authorization::TenantPermission("member:invite")
    }

    fn audit_subject(&self, _: &RequestContext, _: &()) -> Option<AuditSubject> {
        Some(AuditSubject::new("invitation", self.invitation_id))
    }
}

#[async_trait]
impl CommandHandler<RevokeInvitation> for InviteMemberHandler {
    /// # Errors
    /// 404 for an unknown or already accepted invitation; 403 when an admin revokes
    /// an invitation to become owner (they could not have sent it).
    async fn handle(
        &self,
        context: &RequestContext,
        command: &RevokeInvitation,
        uow: &mut dyn UnitOfWork,
    ) -> Result<(), AppError> {
        let principal = context.require_caller()?;
        let tenant = super::tenant_of(context)?;
        let not_found = || AppError::NotFound { message: "invitation not found" };
        let invitation =
            self.repositories.invitations(uow)?.find(tenant, command.invitation_id).await?.ok_or_else(not_found)?;
        if invitation.accepted_at().is_some() {
            return Err(not_found());
        }
        let actor = self
            .repositories
            .memberships(uow)?
            .find(tenant, principal.user_id)
            .await?
            .ok_or_else(super::member_not_found)?;
        ensure_can_manage(actor.role(), Role::Viewer, Some(invitation.role()))?;
        self.repositories.invitations(uow)?.delete(tenant, invitation.id()).await?;
        let event = InvitationRevoked {
            organization_id: tenant,
            invitation_id: invitation.id(),
            revoked_by: principal.user_id,
        };
        uow.record_event(super::envelope(&event, tenant, context, self.clock.now())?);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::identity::test_support::*;
    use crate::pipeline::Principal;
    use crate::ports::MockMailer;
    use tenantry_kernel::{SessionId, TenantId, UserId};

    fn context_of(user: UserId, tenant: TenantId) -> RequestContext {
        RequestContext {
            principal: Some(Principal::session(user, SessionId::new())),
            tenant_id: Some(tenant),
            ..RequestContext::default()
        }
    }

    fn mailer(times: usize) -> Arc<dyn Mailer> {
        let mut mailer = MockMailer::new();
        mailer
            .expect_send()
            .withf(|m| m.text_body.contains("Invitation token: refresh-1") && m.to.as_str() == "bob@example.com")
            .times(times)
            .returning(|_| Ok(()));
        Arc::new(mailer)
    }

    #[tokio::test]
    async fn an_admin_invites_a_member_and_the_token_is_mailed_not_stored() {
        let (admin, tenant) = (UserId::new(), TenantId::new());
        let mut uow = TestUnitOfWork::default();
        uow.memberships.expect_find().returning(move |t, u| Ok(Some(Membership::new(t, u, Role::Admin, fixed_now()))));
        uow.users.expect_find_by_email().returning(|_| Ok(None));
        uow.invitations.expect_insert().withf(|i| i.token_hash() == "hash-of-refresh-1").times(1).returning(|_| Ok(()));
        let handler = InviteMemberHandler::new(
            test_repositories(),
            test_repositories(),
            fake_secrets(),
            mailer(1),
            fixed_clock(),
        );
        let command = InviteMember { email: "Bob@Example.com".into(), role: "member".into() };
        let invitation = handler.handle(&context_of(admin, tenant), &command, &mut uow).await.unwrap();
        assert_eq!((invitation.tenant_id(), invitation.role()), (tenant, Role::Member));
        assert_eq!(uow.events[0].event_type, "tenancy.member_invited");
        assert!(!uow.events[0].payload.to_string().contains("refresh-1"), "the token never enters an event");
    }

    #[tokio::test]
    async fn an_admin_cannot_invite_an_owner() {
        let mut uow = TestUnitOfWork::default();
        uow.memberships.expect_find().returning(|t, u| Ok(Some(Membership::new(t, u, Role::Admin, fixed_now()))));
        let handler = InviteMemberHandler::new(
            test_repositories(),
            test_repositories(),
            fake_secrets(),
            mailer(0),
            fixed_clock(),
        );
        let command = InviteMember { email: "bob@example.com".into(), role: "owner".into() };
        let error = handler.handle(&context_of(UserId::new(), TenantId::new()), &command, &mut uow).await.unwrap_err();
        assert_eq!(error.code(), ErrorCode::Forbidden);
    }

    #[tokio::test]
    async fn inviting_a_current_member_is_a_conflict() {
        let mut uow = TestUnitOfWork::default();
        uow.memberships.expect_find().returning(|t, u| Ok(Some(Membership::new(t, u, Role::Owner, fixed_now()))));
        uow.users.expect_find_by_email().returning(|_| Ok(Some(stored_user("bob@example.com"))));
        let handler = InviteMemberHandler::new(
            test_repositories(),
            test_repositories(),
            fake_secrets(),
            mailer(0),
            fixed_clock(),
        );
        let command = InviteMember { email: "bob@example.com".into(), role: "member".into() };
        let error = handler.handle(&context_of(UserId::new(), TenantId::new()), &command, &mut uow).await.unwrap_err();
        assert_eq!(error.code(), ErrorCode::AlreadyMember);
    }

    /// `accepter` accepts an invitation of bob@example.com as `role`, sent by someone
    /// whose role is now `sender_role`.
    async fn accept_as(accepter: &str, role: Role, sender_role: Role) -> Result<Membership, AppError> {
        let tenant = TenantId::new();
        let user = stored_user(accepter);
        let user_id = user.id();
        let bob = EmailAddress::parse("bob@example.com").unwrap();
        let invitation = Invitation::issue(tenant, bob, role, "hash-of-tok".into(), UserId::new(), fixed_now());
        let mut uow = TestUnitOfWork::default();
        uow.invitations.expect_find_by_token_hash().returning(move |_| Ok(Some(invitation.clone())));
        uow.organizations.expect_lock().returning(|_| Ok(true));
        uow.users.expect_find_by_id().returning(move |_| Ok(Some(user.clone())));
        uow.memberships.expect_find().returning(move |t, u| Ok(Some(Membership::new(t, u, sender_role, fixed_now()))));
        uow.memberships.expect_insert().never();
        let handler =
            AcceptInvitationHandler::new(test_repositories(), test_repositories(), fake_secrets(), fixed_clock());
        handler.handle(&context_of(user_id, tenant), &AcceptInvitation { token: "tok".into() }, &mut uow).await
    }

    #[tokio::test]
    async fn only_the_invited_address_can_accept() {
        let error = accept_as("mallory@example.com", Role::Member, Role::Owner).await.unwrap_err();
        assert_eq!(error.code(), ErrorCode::InvitationWrongRecipient);
    }

    #[tokio::test]
    async fn an_invitation_from_a_since_demoted_admin_no_longer_grants_admin() {
        // The sender is a plain member now.
        let error = accept_as("bob@example.com", Role::Admin, Role::Member).await.unwrap_err();
        assert_eq!(error.code(), ErrorCode::InvitationRevoked);
    }
}
