use std::sync::Arc;

use async_trait::async_trait;
use tenantry_domain::tenancy::{Organization, OrganizationName, Slug};
use tenantry_kernel::{Clock, TenantId, ValidationError};

use crate::pipeline::{AuditSubject, Authorization, Command, CommandHandler, RequestContext};
use crate::ports::{RepositoryError, UnitOfWork};
use crate::tenancy::ports::TenancyRepositories;
use crate::{AppError, ErrorCode};

/// Create an organization; the caller becomes its owner.
#[derive(Debug, Clone)]
pub struct CreateOrganization {
    pub name: String,
    /// Derived from the name when absent.
    pub slug: Option<String>,
}

impl Command for CreateOrganization {
    const NAME: &'static str = "tenancy.create_organization";
    type Output = TenantId;

    fn authorization(&self) -> Authorization {
        Authorization::Authenticated
    }

    fn audit_subject(&self, _: &RequestContext, output: &TenantId) -> Option<AuditSubject> {
        Some(AuditSubject::new("organization", output))
    }
}

pub struct CreateOrganizationHandler {
    repositories: Arc<dyn TenancyRepositories>,
    clock: Arc<dyn Clock>,
}

impl CreateOrganizationHandler {
    pub fn new(repositories: Arc<dyn TenancyRepositories>, clock: Arc<dyn Clock>) -> Self {
        Self { repositories, clock }
    }
}

#[async_trait]
impl CommandHandler<CreateOrganization> for CreateOrganizationHandler {
    /// # Errors
    /// 400 for a bad name or slug, 409 `slug_taken`.
    async fn handle(
        &self,
        context: &RequestContext,
        command: &CreateOrganization,
        uow: &mut dyn UnitOfWork,
    ) -> Result<TenantId, AppError> {
        let principal = context.require_caller()?;
        let name = OrganizationName::parse(&command.name);
        let slug = match (&command.slug, &name) {
            (Some(raw), _) => Slug::parse(raw),
            (None, Ok(name)) => Slug::from_name(name),
            (None, Err(_)) => Err(ValidationError::field("slug", "cannot_derive_from_name")),
        };
        let (name, slug) = match (name, slug) {
            (Ok(name), Ok(slug)) => (name, slug),
            (name, slug) => {
                let slug = if command.slug.is_none() && name.is_err() { Ok(()) } else { slug.map(drop) };
                return Err(ValidationError::collect([name.map(drop), slug])
                    .err()
                    .map_or_else(|| AppError::internal(ValidationError::field("name", "invalid")), AppError::from));
            }
        };
        let now = self.clock.now();
        let (organization, owner, created) = Organization::create(name, slug, principal.user_id, now);
        match self.repositories.organizations(uow)?.insert(&organization).await {
            Err(RepositoryError::Duplicate { .. }) => {
                return Err(AppError::Conflict { code: ErrorCode::SlugTaken, message: "this slug is already taken" })
            }
            other => other?,
        }
        self.repositories.memberships(uow)?.insert(&owner).await?;
        uow.record_event(super::envelope(&created, organization.id(), context, now)?);
        Ok(organization.id())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::identity::test_support::*;
    use crate::pipeline::Principal;
    use tenantry_domain::tenancy::Role;
    use tenantry_kernel::{SessionId, UserId};

    fn signed_in() -> RequestContext {
        RequestContext {
            principal: Some(Principal::session(UserId::new(), SessionId::new())),
            ..RequestContext::default()
        }
    }

    #[tokio::test]
    async fn the_creator_owns_the_new_organization_under_a_derived_slug() {
        let context = signed_in();
        let creator = context.principal.as_ref().map(|p| p.user_id).unwrap();
        let mut uow = TestUnitOfWork::default();
        uow.organizations.expect_insert().withf(|o| o.slug().as_str() == "acme-corp").times(1).returning(|_| Ok(()));
        uow.memberships
            .expect_insert()
            .withf(move |m| m.user_id() == creator && m.role() == Role::Owner)
            .times(1)
            .returning(|_| Ok(()));
        let command = CreateOrganization { name: "Acme Corp".into(), slug: None };
        let id = CreateOrganizationHandler::new(test_repositories(), fixed_clock())
            .handle(&context, &command, &mut uow)
            .await
            .unwrap();
        assert_eq!(uow.events[0].event_type, "tenancy.organization_created");
        assert_eq!(uow.events[0].tenant_id, Some(id));
    }

    #[tokio::test]
    async fn a_taken_slug_is_a_conflict() {
        let mut uow = TestUnitOfWork::default();
        uow.organizations.expect_insert().returning(|_| Err(RepositoryError::Duplicate { constraint: "slug".into() }));
        let command = CreateOrganization { name: "Acme".into(), slug: Some("acme".into()) };
        let error = CreateOrganizationHandler::new(test_repositories(), fixed_clock())
            .handle(&signed_in(), &command, &mut uow)
            .await
            .unwrap_err();
        assert_eq!(error.code(), ErrorCode::SlugTaken);
    }

    #[tokio::test]
    async fn reports_a_bad_name_and_a_bad_slug_together() {
        let mut uow = TestUnitOfWork::default();
        let command = CreateOrganization { name: " ".into(), slug: Some("Not A Slug".into()) };
        let error = CreateOrganizationHandler::new(test_repositories(), fixed_clock())
            .handle(&signed_in(), &command, &mut uow)
            .await
            .unwrap_err();
        let fields: Vec<_> = error.details().iter().map(|d| d.field.as_str()).collect();
        assert_eq!(fields, ["name", "slug"]);
    }
}
