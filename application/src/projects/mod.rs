//! Projects use cases: projects with members and budget, tasks and their state
//! machine. Every command is tenant-scoped (`project:*` permissions) and carries the
//! version the client read (`If-Match`), so a stale write is refused with 412.

mod project_commands;
mod summary;
mod task_commands;
mod work_commands;

pub use project_commands::{
    AddProjectMember, BudgetInput, CreateProject, DeleteProject, ProjectsHandler, UpdateProject,
};
pub use summary::{summary_change, ProjectSummary, ProjectSummaryProjector, SummaryChange};
pub use task_commands::{CreateTask, TasksHandler, UpdateTask};
pub use work_commands::{threads, AddComment, CommentThread, LogTime, WorkHandler};

use tenantry_kernel::{EventEnvelope, TenantId};

use crate::pipeline::RequestContext;
use crate::AppError;

fn envelope<E: tenantry_kernel::DomainEvent>(
    event: &E,
    tenant: TenantId,
    context: &RequestContext,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<EventEnvelope, AppError> {
    EventEnvelope::wrap(event, now, Some(tenant), context.principal.as_ref().map(|p| p.user_id))
        .map_err(AppError::internal)
}

fn tenant_of(context: &RequestContext) -> Result<TenantId, AppError> {
    context.tenant_id.ok_or_else(AppError::tenant_required)
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
