use std::sync::Arc;

use async_trait::async_trait;
use chrono::NaiveDate;
use tenantry_domain::projects::{
    check_estimate, parse_description, ProjectAction, ProjectId, ProjectStatus, ProjectsError, Task, TaskChanges,
    TaskEstimateChanged, TaskId, TaskStatus, TaskTitle,
};
use tenantry_kernel::{Clock, TenantId, UserId};

use super::{envelope, invalid, project_not_found, require_project_role, task_to_work_on, tenant_of};
use crate::pipeline::{AuditSubject, Authorization, Command, CommandHandler, RequestContext};
use crate::ports::UnitOfWork;
use crate::projects::ports::ProjectRepositories;
use crate::AppError;

/// Create a task in a project; an assignee must be a member of the project.
#[derive(Debug, Clone)]
pub struct CreateTask {
    pub project_id: ProjectId,
    pub title: String,
    pub description: Option<String>,
    pub assignee_id: Option<UserId>,
    pub due_date: Option<NaiveDate>,
    pub estimate_minutes: Option<u32>,
}

impl Command for CreateTask {
    const NAME: &'static str = "projects.create_task";
    type Output = Task;

    fn authorization(&self) -> Authorization {
        Authorization::TenantPermission("project:update")
    }

    fn audit_subject(&self, _: &RequestContext, output: &Task) -> Option<AuditSubject> {
        Some(AuditSubject::new("task", output.id()))
    }
}

/// Change a task; absent fields stay, `Some(None)` clears an optional one.
#[derive(Debug, Clone, Default)]
pub struct UpdateTask {
    pub task_id: TaskId,
    /// The version the client read (`If-Match`); `None` skips the check.
    pub expected_version: Option<i64>,
    pub title: Option<String>,
    pub description: Option<Option<String>>,
    pub status: Option<String>,
    pub assignee_id: Option<Option<UserId>>,
    pub due_date: Option<Option<NaiveDate>>,
    pub estimate_minutes: Option<Option<u32>>,
}

impl Command for UpdateTask {
    const NAME: &'static str = "projects.update_task";
    type Output = Task;

    fn authorization(&self) -> Authorization {
        Authorization::TenantPermission("project:update")
    }

    fn audit_subject(&self, _: &RequestContext, _: &Task) -> Option<AuditSubject> {
        Some(AuditSubject::new("task", self.task_id))
    }
}

pub struct TasksHandler {
    repositories: Arc<dyn ProjectRepositories>,
    clock: Arc<dyn Clock>,
}

impl TasksHandler {
    pub fn new(repositories: Arc<dyn ProjectRepositories>, clock: Arc<dyn Clock>) -> Self {
        Self { repositories, clock }
    }
}

/// Refuses an assignee who is not a member of the project.
async fn ensure_project_member(
    repositories: &dyn ProjectRepositories,
    uow: &mut dyn UnitOfWork,
    tenant: TenantId,
    project: ProjectId,
    user: Option<UserId>,
) -> Result<(), AppError> {
    match user {
        Some(user) if repositories.projects(uow)?.member_role(tenant, project, user).await?.is_none() => {
            Err(ProjectsError::AssigneeNotMember.into())
        }
        _ => Ok(()),
    }
}

#[async_trait]
impl CommandHandler<CreateTask> for TasksHandler {
    /// # Errors
    /// 400 listing bad fields; 404 for an unknown project; 422 `assignee_not_member`
    /// or `project_archived`.
    async fn handle(
        &self,
        context: &RequestContext,
        command: &CreateTask,
        uow: &mut dyn UnitOfWork,
    ) -> Result<Task, AppError> {
        let caller = context.require_caller()?.user_id;
        let tenant = tenant_of(context)?;
        let title = TaskTitle::parse(&command.title);
        let description = parse_description(command.description.as_deref());
        let estimate = check_estimate(command.estimate_minutes);
        let (title, description, estimate) = match (title, description, estimate) {
            (Ok(t), Ok(d), Ok(e)) => (t, d, e),
            (t, d, e) => return Err(invalid([t.map(drop), d.map(drop), e.map(drop)])),
        };
        let project =
            self.repositories.projects(uow)?.find(tenant, command.project_id).await?.ok_or_else(project_not_found)?;
        require_project_role(self.repositories.as_ref(), context, uow, tenant, project.id(), ProjectAction::Contribute)
            .await?;
        if project.status() == ProjectStatus::Archived {
            return Err(ProjectsError::ProjectArchived.into());
        }
        ensure_project_member(self.repositories.as_ref(), uow, tenant, project.id(), command.assignee_id).await?;
        let now = self.clock.now();
        let (task, created, assigned) = Task::create(
            tenant,
            project.id(),
            title,
            description,
            command.assignee_id,
            command.due_date,
            estimate,
            caller,
            now,
        );
        self.repositories.tasks(uow)?.insert(&task).await?;
        uow.record_event(envelope(&created, tenant, context, now)?);
        if let Some(assigned) = assigned {
            uow.record_event(envelope(&assigned, tenant, context, now)?);
        }
        Ok(task)
    }
}

#[async_trait]
impl CommandHandler<UpdateTask> for TasksHandler {
    /// # Errors
    /// 400 bad fields; 404 unknown task; 409 `illegal_transition`; 412 stale version;
    /// 422 `assignee_not_member`.
    async fn handle(
        &self,
        context: &RequestContext,
        command: &UpdateTask,
        uow: &mut dyn UnitOfWork,
    ) -> Result<Task, AppError> {
        let caller = context.require_caller()?.user_id;
        let tenant = tenant_of(context)?;
        let title = command.title.as_deref().map(TaskTitle::parse).transpose();
        let description = command.description.as_ref().map(|d| parse_description(d.as_deref())).transpose();
        let status = command.status.as_deref().map(TaskStatus::parse).transpose();
        let estimate = command.estimate_minutes.map(check_estimate).transpose();
        let (changes, status) = match (title, description, status, estimate) {
            (Ok(title), Ok(description), Ok(status), Ok(estimate_minutes)) => {
                (TaskChanges { title, description, due_date: command.due_date, estimate_minutes }, status)
            }
            (t, d, s, e) => return Err(invalid([t.map(drop), d.map(drop), s.map(drop), e.map(drop)])),
        };
        let mut task = task_to_work_on(self.repositories.as_ref(), context, uow, tenant, command.task_id).await?;
        task.ensure_version(command.expected_version)?;
        let version_read = task.version();
        let now = self.clock.now();
        let mut events = Vec::new();
        if let Some(status) = status {
            if let Some(moved) = task.move_to(status, now)? {
                events.push(envelope(&moved, tenant, context, now)?);
            }
        }
        if let Some(assignee) = command.assignee_id {
            ensure_project_member(self.repositories.as_ref(), uow, tenant, task.project_id(), assignee).await?;
            if let Some(assigned) = task.assign(assignee, caller, now) {
                events.push(envelope(&assigned, tenant, context, now)?);
            }
        }
        let estimate_before = task.estimate_minutes();
        if task.apply(changes, now).contains(&"estimate_minutes") {
            let changed = TaskEstimateChanged {
                tenant_id: tenant,
                project_id: task.project_id(),
                task_id: task.id(),
                from: estimate_before,
                to: task.estimate_minutes(),
            };
            events.push(envelope(&changed, tenant, context, now)?);
        }
        if task.version() != version_read {
            self.repositories.tasks(uow)?.update(&task).await?;
        }
        for event in events {
            uow.record_event(event);
        }
        Ok(task)
    }
}

#[cfg(test)]
mod tests {
    use tenantry_domain::projects::{Project, ProjectName, ProjectRole};
    use tenantry_kernel::SessionId;

    use super::*;
    use crate::identity::test_support::*;
    use crate::pipeline::Principal;
    use crate::ErrorCode;

    /// An organization owner, as the pipeline hands the context over after authorizing.
    fn context(tenant: TenantId) -> RequestContext {
        RequestContext {
            principal: Some(Principal::session(UserId::new(), SessionId::new())),
            tenant_id: Some(tenant),
            ..RequestContext::default()
        }
        .authorized_as("owner")
    }

    fn project(tenant: TenantId) -> Project {
        Project::create(tenant, ProjectName::parse("Apollo").unwrap(), None, None, UserId::new(), fixed_now()).0
    }

    fn create(project: ProjectId, assignee: Option<UserId>) -> CreateTask {
        CreateTask {
            project_id: project,
            title: "Write the spec".into(),
            description: None,
            assignee_id: assignee,
            due_date: None,
            estimate_minutes: Some(90),
        }
    }

    #[tokio::test]
    async fn an_assignee_outside_the_project_is_refused() {
        let tenant = TenantId::new();
        let project = project(tenant);
        let id = project.id();
        let mut uow = TestUnitOfWork::default();
        uow.projects.expect_find().returning(move |_, _| Ok(Some(project.clone())));
        uow.projects.expect_member_role().returning(|_, _, _| Ok(None));
        let error = TasksHandler::new(test_repositories(), fixed_clock())
            .handle(&context(tenant), &create(id, Some(UserId::new())), &mut uow)
            .await;
        assert_eq!(error.unwrap_err().code(), ErrorCode::AssigneeNotMember);
    }

    #[tokio::test]
    async fn a_task_for_a_member_is_created_and_the_assignment_announced() {
        let tenant = TenantId::new();
        let project = project(tenant);
        let id = project.id();
        let mut uow = TestUnitOfWork::default();
        uow.projects.expect_find().returning(move |_, _| Ok(Some(project.clone())));
        uow.projects.expect_member_role().returning(|_, _, _| Ok(Some(ProjectRole::Contributor)));
        uow.tasks.expect_insert().times(1).returning(|_| Ok(()));
        let bob = UserId::new();
        let task = TasksHandler::new(test_repositories(), fixed_clock())
            .handle(&context(tenant), &create(id, Some(bob)), &mut uow)
            .await
            .unwrap();
        assert_eq!((task.assignee_id(), task.status(), task.version()), (Some(bob), TaskStatus::Todo, 1));
        let types: Vec<&str> = uow.events.iter().map(|e| e.event_type.as_str()).collect();
        assert_eq!(types, ["projects.task_created", "projects.task_assigned"]);
    }

    #[tokio::test]
    async fn an_illegal_move_is_a_conflict_and_saves_nothing() {
        let tenant = TenantId::new();
        let project_id = ProjectId::new();
        let (task, _, _) = Task::create(
            tenant,
            project_id,
            TaskTitle::parse("t").unwrap(),
            None,
            None,
            None,
            None,
            UserId::new(),
            fixed_now(),
        );
        let id = task.id();
        let mut uow = TestUnitOfWork::default();
        uow.tasks.expect_find().returning(move |_, _| Ok(Some(task.clone())));
        let command = UpdateTask { task_id: id, status: Some("done".into()), ..UpdateTask::default() };
        let error =
            TasksHandler::new(test_repositories(), fixed_clock()).handle(&context(tenant), &command, &mut uow).await;
        assert_eq!(error.unwrap_err().code(), ErrorCode::IllegalTransition);
    }

    #[tokio::test]
    async fn organization_members_need_a_contributing_project_role_to_add_tasks() {
        let tenant = TenantId::new();
        for (project_role, allowed) in
            [(None, false), (Some(ProjectRole::Viewer), false), (Some(ProjectRole::Contributor), true)]
        {
            let project = project(tenant);
            let id = project.id();
            let mut uow = TestUnitOfWork::default();
            uow.projects.expect_find().returning(move |_, _| Ok(Some(project.clone())));
            uow.projects.expect_member_role().returning(move |_, _, _| Ok(project_role));
            uow.tasks.expect_insert().times(usize::from(allowed)).returning(|_| Ok(()));
            let member = context(tenant).authorized_as("member");
            let outcome = TasksHandler::new(test_repositories(), fixed_clock())
                .handle(&member, &create(id, None), &mut uow)
                .await;
            match outcome {
                Ok(_) => assert!(allowed, "{project_role:?} may not add tasks"),
                Err(error) => {
                    assert!(!allowed, "{project_role:?} should add tasks");
                    assert_eq!(error.code(), ErrorCode::Forbidden);
                    assert!(uow.events.is_empty());
                }
            }
        }
    }
}
