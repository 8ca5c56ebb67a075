//! Projects use cases: projects with members and budget, tasks and their state
//! machine. Every command is tenant-scoped (`project:*` permissions) and carries the
//! version the client read (`If-Match`), so a stale write is refused with 412.

pub mod ports;

mod departures;
mod project_commands;
mod service;
mod summary;
mod task_commands;
mod work_commands;

pub use departures::DepartedMemberLeavesProjects;
pub use project_commands::{
    AddProjectMember, BudgetInput, CreateProject, DeleteProject, ProjectsHandler, UpdateProject,
};
pub use service::{Projects, ProjectsPorts};
pub use summary::{summary_change, ProjectSummary, ProjectSummaryProjector, SummaryChange};
pub use task_commands::{CreateTask, TasksHandler, UpdateTask};
pub use work_commands::{threads, AddComment, CommentThread, LogTime, WorkHandler};

use tenantry_domain::projects::{ProjectAction, ProjectId};
use tenantry_kernel::TenantId;

use crate::pipeline::RequestContext;
pub(crate) use crate::pipeline::{envelope, tenant_of};
use crate::ports::UnitOfWork;
use crate::projects::ports::ProjectRepositories;
use crate::{AppError, ErrorCode};

/// Organization roles with `project:manage` (owners, admins) act in every project;
/// everyone else needs a project role that allows `action`. Reading stays open to
/// every member of the organization.
async fn require_project_role(
    repositories: &dyn ProjectRepositories,
    context: &RequestContext,
    uow: &mut dyn UnitOfWork,
    tenant: TenantId,
    project: ProjectId,
    action: ProjectAction,
) -> Result<(), AppError> {
    if context.permits("project:manage") {
        return Ok(());
    }
    let caller = context.require_caller()?.user_id;
    match repositories.projects(uow)?.member_role(tenant, project, caller).await? {
        Some(role) if role.allows(action) => Ok(()),
        _ => Err(AppError::Forbidden {
            code: ErrorCode::Forbidden,
            message: match action {
                ProjectAction::Manage => "only the project's managers (or organization admins) can change this",
                ProjectAction::Contribute => "only the project's managers and contributors can do this",
            },
        }),
    }
}

/// A task of the tenant, read for update, that the caller may work on
/// (`ProjectAction::Contribute` in its project).
async fn task_to_work_on(
    repositories: &dyn ProjectRepositories,
    context: &RequestContext,
    uow: &mut dyn UnitOfWork,
    tenant: TenantId,
    id: tenantry_domain::projects::TaskId,
) -> Result<tenantry_domain::projects::Task, AppError> {
    let task = repositories.tasks(uow)?.find(tenant, id).await?.ok_or_else(task_not_found)?;
    require_project_role(repositories, context, uow, tenant, task.project_id(), ProjectAction::Contribute).await?;
    Ok(task)
}

fn project_not_found() -> AppError {
    AppError::NotFound { message: "project not found" }
}

fn task_not_found() -> AppError {
    AppError::NotFound { message: "task not found" }
}

/// Collects the violations of independently checked fields into one 400.
fn invalid(results: impl IntoIterator<Item = Result<(), tenantry_kernel::ValidationError>>) -> AppError {
    tenantry_kernel::ValidationError::collect(results)
        .err()
        .map_or_else(|| AppError::internal(tenantry_kernel::ValidationError::field("input", "invalid")), AppError::from)
}

/// The projects domain's refusals, as the application reports them.
impl From<tenantry_domain::projects::ProjectsError> for crate::AppError {
    fn from(error: tenantry_domain::projects::ProjectsError) -> Self {
        use tenantry_domain::projects::ProjectsError;
        match error {
            ProjectsError::StaleVersion => crate::AppError::PreconditionFailed {
                message: "the resource changed since you read it (If-Match); fetch it again",
            },
            ProjectsError::IllegalTransition { .. } => crate::AppError::Conflict {
                code: crate::ErrorCode::IllegalTransition,
                message: "tasks move todo -> in_progress -> done, and back to todo",
            },
            ProjectsError::AssigneeNotMember => crate::AppError::BusinessRule {
                code: crate::ErrorCode::AssigneeNotMember,
                message: "the assignee is not a member of the project",
            },
            ProjectsError::ProjectArchived => crate::AppError::BusinessRule {
                code: crate::ErrorCode::ProjectArchived,
                message: "the project is archived",
            },
            ProjectsError::ReplyTooDeep => crate::AppError::BusinessRule {
                code: crate::ErrorCode::ReplyTooDeep,
                message: "replies nest at most 8 levels deep; reply to a comment higher up the thread",
            },
        }
    }
}
