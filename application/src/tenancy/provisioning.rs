//! System-only, idempotent use cases for seed sets: make sure an organization and
//! its memberships exist, without invitations or mail.

use std::sync::Arc;

use async_trait::async_trait;
use tenantry_domain::tenancy::{Membership, Organization, OrganizationName, Role, Slug};
use tenantry_kernel::{Clock, EmailAddress, TenantId, UserId};

use crate::identity::ports::IdentityRepositories;
use crate::pipeline::{AuditSubject, Authorization, Command, CommandHandler, RequestContext};
use crate::ports::UnitOfWork;
use crate::tenancy::ports::TenancyRepositories;
use crate::AppError;

/// What provisioning found or did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Provision<T> {
    Created(T),
    Changed(T),
    AlreadyPresent(T),
}

impl<T: Copy> Provision<T> {
    pub fn value(&self) -> T {
        match self {
            Provision::Created(v) | Provision::Changed(v) | Provision::AlreadyPresent(v) => *v,
        }
    }

    fn audited(&self, entity_type: &'static str, id: impl ToString) -> Option<AuditSubject> {
        match self {
            Provision::AlreadyPresent(_) => None,
            _ => Some(AuditSubject::new(entity_type, id)),
        }
    }
}

fn unknown_user() -> AppError {
    AppError::NotFound { message: "no user with this email; register it first" }
}

/// Ensure an organization with this slug exists, owned by `owner_email`.
#[derive(Debug, Clone)]
pub struct ProvisionOrganization {
    pub name: String,
    pub slug: String,
    pub owner_email: String,
}

impl Command for ProvisionOrganization {
    const NAME: &'static str = "tenancy.provision_organization";
    type Output = Provision<TenantId>;

    fn authorization(&self) -> Authorization {
        Authorization::System
    }

    fn audit_subject(&self, _: &RequestContext, output: &Self::Output) -> Option<AuditSubject> {
        output.audited("organization", output.value())
    }
}

pub struct ProvisionOrganizationHandler {
    accounts: Arc<dyn IdentityRepositories>,
    repositories: Arc<dyn TenancyRepositories>,
    clock: Arc<dyn Clock>,
}

impl ProvisionOrganizationHandler {
    pub fn new(
        accounts: Arc<dyn IdentityRepositories>,
        repositories: Arc<dyn TenancyRepositories>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self { accounts, repositories, clock }
    }
}

#[async_trait]
impl CommandHandler<ProvisionOrganization> for ProvisionOrganizationHandler {
    async fn handle(
        &self,
        context: &RequestContext,
        command: &ProvisionOrganization,
        uow: &mut dyn UnitOfWork,
    ) -> Result<Provision<TenantId>, AppError> {
        let slug = Slug::parse(&command.slug)?;
        if let Some(existing) = self.repositories.organizations(uow)?.find_by_slug(slug.as_str()).await? {
            return Ok(Provision::AlreadyPresent(existing.id()));
        }
        let name = OrganizationName::parse(&command.name)?;
        let owner_email = EmailAddress::parse(&command.owner_email)?;
        let owner = self.accounts.users(uow)?.find_by_email(&owner_email).await?.ok_or_else(unknown_user)?;
        let now = self.clock.now();
        let (organization, membership, created) = Organization::create(name, slug, owner.id(), now);
        self.repositories.organizations(uow)?.insert(&organization).await?;
        self.repositories.memberships(uow)?.insert(&membership).await?;
        uow.record_event(super::envelope(&created, organization.id(), context, now)?);
        Ok(Provision::Created(organization.id()))
    }
}

/// Ensure `email` is a member of `tenant` with `role`.
#[derive(Debug, Clone)]
pub struct ProvisionMembership {
    pub tenant: TenantId,
    pub email: String,
    pub role: Role,
}

impl Command for ProvisionMembership {
    const NAME: &'static str = "tenancy.provision_membership";
    type Output = Provision<UserId>;

    fn authorization(&self) -> Authorization {
        Authorization::System
    }

    fn audit_subject(&self, _: &RequestContext, output: &Self::Output) -> Option<AuditSubject> {
        output.audited("membership", format!("{}:{}", self.tenant, self.email))
    }
}

pub struct ProvisionMembershipHandler {
    accounts: Arc<dyn IdentityRepositories>,
    repositories: Arc<dyn TenancyRepositories>,
    clock: Arc<dyn Clock>,
}

impl ProvisionMembershipHandler {
    pub fn new(
        accounts: Arc<dyn IdentityRepositories>,
        repositories: Arc<dyn TenancyRepositories>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self { accounts, repositories, clock }
    }
}

#[async_trait]
impl CommandHandler<ProvisionMembership> for ProvisionMembershipHandler {
    async fn handle(
        &self,
        _: &RequestContext,
        command: &ProvisionMembership,
        uow: &mut dyn UnitOfWork,
    ) -> Result<Provision<UserId>, AppError> {
        let email = EmailAddress::parse(&command.email)?;
        let user = self.accounts.users(uow)?.find_by_email(&email).await?.ok_or_else(unknown_user)?;
        let tenant = command.tenant;
        match self.repositories.memberships(uow)?.find(tenant, user.id()).await? {
            Some(existing) if existing.role() == command.role => Ok(Provision::AlreadyPresent(user.id())),
            Some(mut existing) => {
                existing.change_role(command.role, self.clock.now());
                self.repositories.memberships(uow)?.update(&existing).await?;
                Ok(Provision::Changed(user.id()))
            }
            None => {
                self.repositories
                    .memberships(uow)?
                    .insert(&Membership::new(tenant, user.id(), command.role, self.clock.now()))
                    .await?;
                Ok(Provision::Created(user.id()))
            }
        }
    }
}
