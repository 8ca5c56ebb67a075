use std::sync::Arc;

use async_trait::async_trait;
use tenantry_domain::projects::{
    parse_description, Money, Project, ProjectAction, ProjectChanges, ProjectDeleted, ProjectId, ProjectName,
    ProjectRole, ProjectStatus, ProjectUpdated,
};
use tenantry_kernel::{Clock, UserId};

use super::{envelope, invalid, project_not_found, require_project_role, tenant_of};
use crate::pipeline::{AuditSubject, Authorization, Command, CommandHandler, RequestContext};
use crate::ports::UnitOfWork;
use crate::projects::ports::ProjectRepositories;
use crate::tenancy::ports::TenancyQueries;
use crate::{AppError, ErrorCode};

/// A budget as sent: integer minor units and an ISO currency code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BudgetInput {
    pub amount_minor: i64,
    pub currency: String,
}

fn parse_budget(budget: Option<&BudgetInput>) -> Result<Option<Money>, tenantry_kernel::ValidationError> {
    budget.map(|b| Money::parse(b.amount_minor, &b.currency)).transpose()
}

/// Create a project in the context's tenant; the caller becomes its manager.
#[derive(Debug, Clone)]
pub struct CreateProject {
    pub name: String,
    pub description: Option<String>,
    pub budget: Option<BudgetInput>,
}

impl Command for CreateProject {
    const NAME: &'static str = "projects.create_project";
    type Output = Project;

    fn authorization(&self) -> Authorization {
        Authorization::TenantPermission("project:create")
    }

    fn audit_subject(&self, _: &RequestContext, output: &Project) -> Option<AuditSubject> {
        Some(AuditSubject::new("project", output.id()))
    }
}

/// Change a project; absent fields stay, `Some(None)` clears description or budget.
#[derive(Debug, Clone, Default)]
pub struct UpdateProject {
    pub project_id: ProjectId,
    /// The version the client read (`If-Match`); `None` skips the check.
    pub expected_version: Option<i64>,
    pub name: Option<String>,
    pub description: Option<Option<String>>,
    pub status: Option<String>,
    pub budget: Option<Option<BudgetInput>>,
}

impl Command for UpdateProject {
    const NAME: &'static str = "projects.update_project";
    type Output = Project;

    fn authorization(&self) -> Authorization {
        Authorization::TenantPermission("project:update")
    }

    fn audit_subject(&self, _: &RequestContext, _: &Project) -> Option<AuditSubject> {
        Some(AuditSubject::new("project", self.project_id))
    }
}

/// Soft-delete a project: it disappears from every read, its rows stay for audit.
#[derive(Debug, Clone)]
pub struct DeleteProject {
    pub project_id: ProjectId,
    pub expected_version: Option<i64>,
}

impl Command for DeleteProject {
    const NAME: &'static str = "projects.delete_project";
    type Output = ();

    fn authorization(&self) -> Authorization {
        Authorization::TenantPermission("project:delete")
    }

    fn audit_subject(&self, _: &RequestContext, _: &()) -> Option<AuditSubject> {
        Some(AuditSubject::new("project", self.project_id))
    }
}

/// Add a member of the organization to a project (or change their project role).
#[derive(Debug, Clone)]
pub struct AddProjectMember {
    pub project_id: ProjectId,
    pub user_id: UserId,
    pub role: String,
}

impl Command for AddProjectMember {
    const NAME: &'static str = "projects.add_member";
    type Output = ProjectRole;

    fn authorization(&self) -> Authorization {
        Authorization::TenantPermission("project:update")
    }

    fn audit_subject(&self, _: &RequestContext, _: &ProjectRole) -> Option<AuditSubject> {
        Some(AuditSubject::new("project", self.project_id))
    }
}

pub struct ProjectsHandler {
    repositories: Arc<dyn ProjectRepositories>,
    tenancy: Arc<dyn TenancyQueries>,
    clock: Arc<dyn Clock>,
}

impl ProjectsHandler {
    pub fn new(
        repositories: Arc<dyn ProjectRepositories>,
        tenancy: Arc<dyn TenancyQueries>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self { repositories, tenancy, clock }
    }
}

#[async_trait]
impl CommandHandler<CreateProject> for ProjectsHandler {
    /// # Errors
    /// 400 listing a bad name, description or budget.
    async fn handle(
        &self,
        context: &RequestContext,
        command: &CreateProject,
        uow: &mut dyn UnitOfWork,
    ) -> Result<Project, AppError> {
        let caller = context.require_caller()?.user_id;
        let tenant = tenant_of(context)?;
        let name = ProjectName::parse(&command.name);
        let description = parse_description(command.description.as_deref());
        let budget = parse_budget(command.budget.as_ref());
        let (name, description, budget) = match (name, description, budget) {
            (Ok(n), Ok(d), Ok(b)) => (n, d, b),
            (n, d, b) => return Err(invalid([n.map(drop), d.map(drop), b.map(drop)])),
        };
        let now = self.clock.now();
        let (project, created) = Project::create(tenant, name, description, budget, caller, now);
        self.repositories.projects(uow)?.insert(&project).await?;
        self.repositories.projects(uow)?.add_member(tenant, project.id(), caller, ProjectRole::Manager, now).await?;
        uow.record_event(envelope(&created, tenant, context, now)?);
        Ok(project)
    }
}

#[async_trait]
impl CommandHandler<UpdateProject> for ProjectsHandler {
    /// # Errors
    /// 400 for bad fields; 404 for a project of another tenant or a deleted one;
    /// 412 when `expected_version` is stale.
    async fn handle(
        &self,
        context: &RequestContext,
        command: &UpdateProject,
        uow: &mut dyn UnitOfWork,
    ) -> Result<Project, AppError> {
        let tenant = tenant_of(context)?;
        let name = command.name.as_deref().map(ProjectName::parse).transpose();
        let description = command.description.as_ref().map(|d| parse_description(d.as_deref())).transpose();
        let status = command.status.as_deref().map(ProjectStatus::parse).transpose();
        let budget = command.budget.as_ref().map(|b| parse_budget(b.as_ref())).transpose();
        let changes = match (name, description, status, budget) {
            (Ok(name), Ok(description), Ok(status), Ok(budget)) => ProjectChanges { name, description, status, budget },
            (n, d, s, b) => return Err(invalid([n.map(drop), d.map(drop), s.map(drop), b.map(drop)])),
        };
        let mut project =
            self.repositories.projects(uow)?.find(tenant, command.project_id).await?.ok_or_else(project_not_found)?;
        require_project_role(self.repositories.as_ref(), context, uow, tenant, project.id(), ProjectAction::Manage)
            .await?;
        project.ensure_version(command.expected_version)?;
        let now = self.clock.now();
        let fields = project.apply(changes, now);
        if !fields.is_empty() {
            self.repositories.projects(uow)?.update(&project).await?;
            let budget = project.budget();
            let event = ProjectUpdated {
                tenant_id: tenant,
                project_id: project.id(),
                fields,
                version: project.version(),
                budget_amount_minor: budget.map(|b| b.amount_minor),
                budget_currency: budget.map(|b| b.currency.as_str().to_owned()),
            };
            uow.record_event(envelope(&event, tenant, context, now)?);
        }
        Ok(project)
    }
}

#[async_trait]
impl CommandHandler<DeleteProject> for ProjectsHandler {
    /// # Errors
    /// 404 for an unknown or already deleted project; 412 when the version is stale.
    async fn handle(
        &self,
        context: &RequestContext,
        command: &DeleteProject,
        uow: &mut dyn UnitOfWork,
    ) -> Result<(), AppError> {
        let tenant = tenant_of(context)?;
        let mut project =
            self.repositories.projects(uow)?.find(tenant, command.project_id).await?.ok_or_else(project_not_found)?;
        project.ensure_version(command.expected_version)?;
        let now = self.clock.now();
        if project.delete(now) {
            self.repositories.projects(uow)?.update(&project).await?;
            uow.record_event(envelope(
                &ProjectDeleted { tenant_id: tenant, project_id: project.id() },
                tenant,
                context,
                now,
            )?);
        }
        Ok(())
    }
}

#[async_trait]
impl CommandHandler<AddProjectMember> for ProjectsHandler {
    /// # Errors
    /// 400 for an unknown role; 404 for an unknown project; 422 `not_in_organization`
    /// when the user is not a member of the tenant.
    async fn handle(
        &self,
        context: &RequestContext,
        command: &AddProjectMember,
        uow: &mut dyn UnitOfWork,
    ) -> Result<ProjectRole, AppError> {
        let tenant = tenant_of(context)?;
        let role = ProjectRole::parse(&command.role)?;
        self.repositories.projects(uow)?.find(tenant, command.project_id).await?.ok_or_else(project_not_found)?;
        require_project_role(
            self.repositories.as_ref(),
            context,
            uow,
            tenant,
            command.project_id,
            ProjectAction::Manage,
        )
        .await?;
        // Tenancy's public query port: the projects context never reads its tables.
        if self.tenancy.role_of(tenant, command.user_id).await?.is_none() {
            return Err(AppError::BusinessRule {
                code: ErrorCode::NotInOrganization,
                message: "only members of the organization can join its projects",
            });
        }
        self.repositories
            .projects(uow)?
            .add_member(tenant, command.project_id, command.user_id, role, self.clock.now())
            .await?;
        Ok(role)
    }
}

#[cfg(test)]
mod tests {
    use tenantry_kernel::{SessionId, TenantId};

    use super::*;
    use crate::identity::test_support::*;
    use crate::pipeline::Principal;
    use crate::tenancy::ports::MockTenancyQueries;

    /// An organization owner, as the pipeline hands the context over after authorizing.
    fn context(tenant: TenantId) -> RequestContext {
        RequestContext {
            principal: Some(Principal::session(UserId::new(), SessionId::new())),
            tenant_id: Some(tenant),
            ..RequestContext::default()
        }
        .authorized_as("owner")
    }

    fn handler() -> ProjectsHandler {
        ProjectsHandler::new(test_repositories(), Arc::new(MockTenancyQueries::new()), fixed_clock())
    }

    fn stored(tenant: TenantId) -> Project {
        Project::create(tenant, ProjectName::parse("Apollo").unwrap(), None, None, UserId::new(), fixed_now()).0
    }

    #[tokio::test]
    async fn creating_makes_the_caller_manager_and_announces_the_project() {
        let tenant = TenantId::new();
        let mut uow = TestUnitOfWork::default();
        uow.projects.expect_insert().times(1).returning(|_| Ok(()));
        uow.projects
            .expect_add_member()
            .withf(|_, _, _, role, _| *role == ProjectRole::Manager)
            .times(1)
            .returning(|_, _, _, _, _| Ok(()));
        let command = CreateProject {
            name: "Apollo".into(),
            description: Some("  ".into()),
            budget: Some(BudgetInput { amount_minor: 500_000, currency: "EUR".into() }),
        };
        let project = handler().handle(&context(tenant), &command, &mut uow).await.unwrap();
        assert_eq!((project.tenant_id(), project.description()), (tenant, None));
        assert_eq!(project.budget().map(|b| b.amount_minor), Some(500_000));
        assert_eq!(uow.events[0].event_type, "projects.project_created");
    }

    #[tokio::test]
    async fn every_bad_field_is_reported_together() {
        let mut uow = TestUnitOfWork::default();
        let command = CreateProject {
            name: " ".into(),
            description: None,
            budget: Some(BudgetInput { amount_minor: -5, currency: "eu".into() }),
        };
        let error = handler().handle(&context(TenantId::new()), &command, &mut uow).await.unwrap_err();
        let fields: Vec<&str> = error.details().iter().map(|d| d.field.as_str()).collect();
        assert_eq!(fields, ["name", "budget.amount_minor", "budget.currency"]);
    }

    #[tokio::test]
    async fn a_stale_version_is_a_412_and_writes_nothing() {
        let tenant = TenantId::new();
        let project = stored(tenant);
        let id = project.id();
        let mut uow = TestUnitOfWork::default();
        uow.projects.expect_find().returning(move |_, _| Ok(Some(project.clone())));
        let command = UpdateProject {
            project_id: id,
            expected_version: Some(7),
            name: Some("Artemis".into()),
            ..UpdateProject::default()
        };
        let error = handler().handle(&context(tenant), &command, &mut uow).await.unwrap_err();
        assert_eq!(error.code(), ErrorCode::PreconditionFailed);
        assert!(uow.events.is_empty());
    }

    #[tokio::test]
    async fn an_update_saves_and_announces_the_changed_fields_only() {
        let tenant = TenantId::new();
        let project = stored(tenant);
        let id = project.id();
        let mut uow = TestUnitOfWork::default();
        uow.projects.expect_find().returning(move |_, _| Ok(Some(project.clone())));
        uow.projects.expect_update().withf(|p| p.version() == 2).times(1).returning(|_| Ok(()));
        let command = UpdateProject {
            project_id: id,
            expected_version: Some(1),
            name: Some("Apollo".into()),
            status: Some("archived".into()),
            ..UpdateProject::default()
        };
        let project = handler().handle(&context(tenant), &command, &mut uow).await.unwrap();
        assert_eq!(project.status(), ProjectStatus::Archived);
        assert_eq!(uow.events[0].payload["fields"], serde_json::json!(["status"]));
    }

    #[tokio::test]
    async fn only_organization_members_join_a_project() {
        let tenant = TenantId::new();
        let project = stored(tenant);
        let id = project.id();
        let mut uow = TestUnitOfWork::default();
        uow.projects.expect_find().returning(move |_, _| Ok(Some(project.clone())));
        let mut tenancy = MockTenancyQueries::new();
        tenancy.expect_role_of().returning(|_, _| Ok(None));
        let handler = ProjectsHandler::new(test_repositories(), Arc::new(tenancy), fixed_clock());
        let command = AddProjectMember { project_id: id, user_id: UserId::new(), role: "contributor".into() };
        let error = handler.handle(&context(tenant), &command, &mut uow).await.unwrap_err();
        assert_eq!(error.code(), ErrorCode::NotInOrganization);
    }
}
