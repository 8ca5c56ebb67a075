use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use tenantry_domain::tenancy::{
    ensure_an_owner_remains, ensure_can_manage, MemberRemoved, MemberRoleChanged, Membership, Role,
};
use tenantry_kernel::{Clock, TenantId, UserId};

use crate::pipeline::{AuditSubject, Authorization, Command, CommandHandler, RequestContext};
use crate::ports::UnitOfWork;
use crate::tenancy::ports::TenancyRepositories;
use crate::AppError;

/// A member as listed to other members: membership joined with the user's profile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberView {
    pub user_id: UserId,
    pub email: String,
    pub display_name: String,
    pub role: Role,
    pub joined_at: DateTime<Utc>,
}

/// The caller's standing in a tenant, as the pipeline would judge it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CurrentMembership {
    pub tenant_id: TenantId,
    /// The member's role; for an API key, its creator's.
    pub role: Role,
    /// What the caller may do: the role's permissions, narrowed to a key's scopes.
    pub permissions: Vec<&'static str>,
}

/// Give a member another role.
#[derive(Debug, Clone)]
pub struct ChangeMemberRole {
    pub user_id: UserId,
    pub role: String,
}

impl Command for ChangeMemberRole {
    const NAME: &'static str = "tenancy.change_member_role";
    type Output = Membership;

    fn authorization(&self) -> Authorization {
        Authorization::TenantPermission("member:update")
    }

    fn audit_subject(&self, _: &RequestContext, output: &Membership) -> Option<AuditSubject> {
        Some(AuditSubject::new("membership", format!("{}:{}", output.tenant_id(), output.user_id())))
    }
}

pub struct ChangeMemberRoleHandler {
    repositories: Arc<dyn TenancyRepositories>,
    clock: Arc<dyn Clock>,
}

impl ChangeMemberRoleHandler {
    pub fn new(repositories: Arc<dyn TenancyRepositories>, clock: Arc<dyn Clock>) -> Self {
        Self { repositories, clock }
    }
}

/// Locks the tenant, then loads the actor's and the target's memberships.
async fn load_pair(
    repositories: &dyn TenancyRepositories,
    uow: &mut dyn UnitOfWork,
    tenant: TenantId,
    actor: UserId,
    target: UserId,
) -> Result<(Membership, Membership), AppError> {
    // Serialises concurrent changes of one tenant's members: two owners demoting
    // each other at once must not leave the organization without an owner.
    repositories.organizations(uow)?.lock(tenant).await?;
    let actor = repositories.memberships(uow)?.find(tenant, actor).await?.ok_or_else(super::member_not_found)?;
    let target = repositories.memberships(uow)?.find(tenant, target).await?.ok_or_else(super::member_not_found)?;
    Ok((actor, target))
}

#[async_trait]
impl CommandHandler<ChangeMemberRole> for ChangeMemberRoleHandler {
    /// # Errors
    /// 400 unknown role; 404 unknown member; 403 when the caller's role cannot make
    /// this change; 422 `last_owner`.
    async fn handle(
        &self,
        context: &RequestContext,
        command: &ChangeMemberRole,
        uow: &mut dyn UnitOfWork,
    ) -> Result<Membership, AppError> {
        let principal = context.require_caller()?;
        let tenant = super::tenant_of(context)?;
        let new_role: Role = command.role.parse()?;
        let (actor, mut target) =
            load_pair(self.repositories.as_ref(), uow, tenant, principal.user_id, command.user_id).await?;
        let previous = target.role();
        if previous == new_role {
            return Ok(target);
        }
        ensure_can_manage(actor.role(), previous, Some(new_role))?;
        let owners = self.repositories.memberships(uow)?.count_owners(tenant).await?;
        ensure_an_owner_remains(previous, Some(new_role), owners)?;
        let now = self.clock.now();
        target.change_role(new_role, now);
        self.repositories.memberships(uow)?.update(&target).await?;
        let event = MemberRoleChanged {
            organization_id: tenant,
            user_id: target.user_id(),
            from: previous.as_str().to_owned(),
            to: new_role.as_str().to_owned(),
        };
        uow.record_event(super::envelope(&event, tenant, context, now)?);
        Ok(target)
    }
}

/// Remove a member (or leave, when the member is the caller).
#[derive(Debug, Clone)]
pub struct RemoveMember {
    pub user_id: UserId,
}

impl Command for RemoveMember {
    const NAME: &'static str = "tenancy.remove_member";
    type Output = ();

    fn authorization(&self) -> Authorization {
        // Any member may leave; removing others is checked in the handler.
        Authorization::TenantMember
    }

    fn audit_subject(&self, context: &RequestContext, _: &()) -> Option<AuditSubject> {
        let tenant = context.tenant_id.map(|t| t.to_string()).unwrap_or_default();
        Some(AuditSubject::new("membership", format!("{tenant}:{}", self.user_id)))
    }
}

pub struct RemoveMemberHandler {
    repositories: Arc<dyn TenancyRepositories>,
    clock: Arc<dyn Clock>,
}

impl RemoveMemberHandler {
    pub fn new(repositories: Arc<dyn TenancyRepositories>, clock: Arc<dyn Clock>) -> Self {
        Self { repositories, clock }
    }
}

#[async_trait]
impl CommandHandler<RemoveMember> for RemoveMemberHandler {
    /// # Errors
    /// 404 unknown member; 403 without `member:remove` (or against an owner, for an
    /// admin); 422 `last_owner`.
    async fn handle(
        &self,
        context: &RequestContext,
        command: &RemoveMember,
        uow: &mut dyn UnitOfWork,
    ) -> Result<(), AppError> {
        let principal = context.require_caller()?;
        let tenant = super::tenant_of(context)?;
        let (actor, target) =
            load_pair(self.repositories.as_ref(), uow, tenant, principal.user_id, command.user_id).await?;
        // Leaving is a person's own decision: an API key never "leaves" on behalf of
        // its creator, it removes a member, which takes `member:remove` in its scopes.
        let leaving = principal.session_id().is_some() && actor.user_id() == target.user_id();
        if !leaving {
            context.require_permission("member:remove")?;
            ensure_can_manage(actor.role(), target.role(), None)?;
        }
        let owners = self.repositories.memberships(uow)?.count_owners(tenant).await?;
        ensure_an_owner_remains(target.role(), None, owners)?;
        self.repositories.memberships(uow)?.delete(tenant, target.user_id()).await?;
        let event = MemberRemoved { organization_id: tenant, user_id: target.user_id(), removed_by: principal.user_id };
        uow.record_event(super::envelope(&event, tenant, context, self.clock.now())?);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::identity::test_support::*;
    use crate::pipeline::Principal;
    use crate::ErrorCode;
    use tenantry_kernel::SessionId;

    fn setup(actor_role: Role, target_role: Role, owners: u64) -> (TestUnitOfWork, RequestContext, UserId) {
        let (actor, target, tenant) = (UserId::new(), UserId::new(), TenantId::new());
        let mut uow = TestUnitOfWork::default();
        uow.organizations.expect_lock().returning(|_| Ok(true));
        uow.memberships.expect_find().returning(move |t, u| {
            let role = if u == actor { actor_role } else { target_role };
            Ok(Some(Membership::new(t, u, role, fixed_now())))
        });
        uow.memberships.expect_count_owners().returning(move |_| Ok(owners));
        let context = RequestContext {
            principal: Some(Principal::session(actor, SessionId::new())),
            tenant_id: Some(tenant),
            ..RequestContext::default()
        }
        .authorized_as(actor_role.as_str());
        (uow, context, target)
    }

    #[tokio::test]
    async fn last_owner_cannot_be_demoted() {
        let (mut uow, context, _) = setup(Role::Owner, Role::Owner, 1);
        let me = context.principal.as_ref().map(|p| p.user_id).unwrap();
        let command = ChangeMemberRole { user_id: me, role: "admin".into() };
        let error = ChangeMemberRoleHandler::new(test_repositories(), fixed_clock())
            .handle(&context, &command, &mut uow)
            .await
            .unwrap_err();
        assert_eq!(error.code(), ErrorCode::LastOwner);
    }

    #[tokio::test]
    async fn an_owner_promotes_a_member_to_admin() {
        let (mut uow, context, target) = setup(Role::Owner, Role::Member, 1);
        uow.memberships.expect_update().withf(|m| m.role() == Role::Admin).times(1).returning(|_| Ok(()));
        let command = ChangeMemberRole { user_id: target, role: "admin".into() };
        let membership = ChangeMemberRoleHandler::new(test_repositories(), fixed_clock())
            .handle(&context, &command, &mut uow)
            .await
            .unwrap();
        assert_eq!(membership.role(), Role::Admin);
        assert_eq!(uow.events[0].payload["from"], "member");
    }

    #[tokio::test]
    async fn an_admin_cannot_remove_an_owner() {
        let (mut uow, context, target) = setup(Role::Admin, Role::Owner, 2);
        let error = RemoveMemberHandler::new(test_repositories(), fixed_clock())
            .handle(&context, &RemoveMember { user_id: target }, &mut uow)
            .await
            .unwrap_err();
        assert_eq!(error.code(), ErrorCode::Forbidden);
    }

    #[tokio::test]
    async fn a_viewer_may_leave_but_not_remove_others() {
        let (mut uow, context, target) = setup(Role::Viewer, Role::Viewer, 1);
        let error = RemoveMemberHandler::new(test_repositories(), fixed_clock())
            .handle(&context, &RemoveMember { user_id: target }, &mut uow)
            .await
            .unwrap_err();
        assert_eq!(error.code(), ErrorCode::Forbidden);
        let me = context.principal.as_ref().map(|p| p.user_id).unwrap();
        uow.memberships.expect_delete().times(1).returning(|_, _| Ok(()));
        RemoveMemberHandler::new(test_repositories(), fixed_clock())
            .handle(&context, &RemoveMember { user_id: me }, &mut uow)
            .await
            .unwrap();
    }

    #[tokio::test]
    async fn the_last_owner_cannot_leave() {
        let (mut uow, context, _) = setup(Role::Owner, Role::Owner, 1);
        let me = context.principal.as_ref().map(|p| p.user_id).unwrap();
        let error = RemoveMemberHandler::new(test_repositories(), fixed_clock())
            .handle(&context, &RemoveMember { user_id: me }, &mut uow)
            .await
            .unwrap_err();
        assert_eq!(error.code(), ErrorCode::LastOwner);
    }

    fn as_key(mut context: RequestContext, scopes: &[&str]) -> RequestContext {
        let principal = context.principal.take().unwrap();
        let grant = crate::pipeline::ApiKeyGrant {
            key_id: uuid::Uuid::now_v7(),
            tenant_id: context.tenant_id.unwrap(),
            scopes: scopes.iter().map(|s| (*s).to_owned()).collect(),
        };
        context.principal =
            Some(Principal { user_id: principal.user_id, credential: crate::pipeline::Credential::ApiKey(grant) });
        context
    }

    #[tokio::test]
    async fn a_key_removes_members_only_with_member_remove_in_its_scopes() {
        // The creator is an owner: the role alone would allow it; the key's scopes do not.
        let (mut uow, context, target) = setup(Role::Owner, Role::Member, 1);
        uow.memberships.expect_delete().never();
        let key = as_key(context, &["member:read"]);
        let error = RemoveMemberHandler::new(test_repositories(), fixed_clock())
            .handle(&key, &RemoveMember { user_id: target }, &mut uow)
            .await;
        assert_eq!(error.unwrap_err().code(), ErrorCode::Forbidden);
    }

    #[tokio::test]
    async fn a_key_cannot_make_its_creator_leave() {
        let (mut uow, context, _) = setup(Role::Admin, Role::Admin, 1);
        uow.memberships.expect_delete().never();
        let creator = context.principal.as_ref().map(|p| p.user_id).unwrap();
        let key = as_key(context, &["member:read"]);
        let error = RemoveMemberHandler::new(test_repositories(), fixed_clock())
            .handle(&key, &RemoveMember { user_id: creator }, &mut uow)
            .await;
        assert_eq!(error.unwrap_err().code(), ErrorCode::Forbidden);
    }
}
