use serde::Serialize;
use tenantry_kernel::{DomainEvent, TenantId, UserId};

use super::{CommentId, ProjectId, TaskId, TimeEntryId};

/// A project was created; its creator is its first manager.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProjectCreated {
    pub tenant_id: TenantId,
    pub project_id: ProjectId,
    pub name: String,
    pub owner_id: UserId,
    pub budget_amount_minor: Option<i64>,
    pub budget_currency: Option<String>,
}

/// A project's fields changed (the names of the fields).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProjectUpdated {
    pub tenant_id: TenantId,
    pub project_id: ProjectId,
    pub fields: Vec<&'static str>,
    pub version: i64,
    /// The budget after the update (read models keep it without asking the project).
    pub budget_amount_minor: Option<i64>,
    pub budget_currency: Option<String>,
}

/// A project was soft-deleted.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProjectDeleted {
    pub tenant_id: TenantId,
    pub project_id: ProjectId,
}

/// A task was created.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TaskCreated {
    pub tenant_id: TenantId,
    pub project_id: ProjectId,
    pub task_id: TaskId,
    pub title: String,
    pub status: &'static str,
    pub estimate_minutes: Option<u32>,
    pub created_by: UserId,
}

/// A task got an assignee (seed 004 use case 3: drives the assignee's notification).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TaskAssigned {
    pub tenant_id: TenantId,
    pub project_id: ProjectId,
    pub task_id: TaskId,
    pub assignee_id: UserId,
    pub assigned_by: UserId,
}

/// A task moved between states.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TaskStatusChanged {
    pub tenant_id: TenantId,
    pub project_id: ProjectId,
    pub task_id: TaskId,
    pub from: &'static str,
    pub to: &'static str,
}

impl DomainEvent for ProjectCreated {
    fn event_type(&self) -> &'static str {
        "projects.project_created"
    }
}
impl DomainEvent for ProjectUpdated {
    fn event_type(&self) -> &'static str {
        "projects.project_updated"
    }
}
impl DomainEvent for ProjectDeleted {
    fn event_type(&self) -> &'static str {
        "projects.project_deleted"
    }
}
impl DomainEvent for TaskCreated {
    fn event_type(&self) -> &'static str {
        "projects.task_created"
    }
}
impl DomainEvent for TaskAssigned {
    fn event_type(&self) -> &'static str {
        "projects.task_assigned"
    }
}
impl DomainEvent for TaskStatusChanged {
    fn event_type(&self) -> &'static str {
        "projects.task_status_changed"
    }
}

/// Time was logged on a task (feeds the project summary).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TimeLogged {
    pub tenant_id: TenantId,
    pub project_id: ProjectId,
    pub task_id: TaskId,
    pub time_entry_id: TimeEntryId,
    pub user_id: UserId,
    pub minutes: u32,
}

/// Someone commented on a task (drives "comment on your task" notifications).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CommentAdded {
    pub tenant_id: TenantId,
    pub project_id: ProjectId,
    pub task_id: TaskId,
    pub comment_id: CommentId,
    pub parent_id: Option<CommentId>,
    pub author_id: UserId,
    /// Who is told about the comment.
    pub task_assignee_id: Option<UserId>,
}

impl DomainEvent for TimeLogged {
    fn event_type(&self) -> &'static str {
        "projects.time_logged"
    }
}
impl DomainEvent for CommentAdded {
    fn event_type(&self) -> &'static str {
        "projects.comment_added"
    }
}

/// A task's estimate changed (feeds the project summary).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TaskEstimateChanged {
    pub tenant_id: TenantId,
    pub project_id: ProjectId,
    pub task_id: TaskId,
    pub from: Option<u32>,
    pub to: Option<u32>,
}

impl DomainEvent for TaskEstimateChanged {
    fn event_type(&self) -> &'static str {
        "projects.task_estimate_changed"
    }
}
