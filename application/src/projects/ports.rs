//! Ports of the projects context: projects and tasks (inside a unit of work), its read side and the summary read model.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use tenantry_domain::projects::{
    Comment, CommentId, CommentPlace, Project, ProjectId, ProjectRole, ProjectStatus, Task, TaskId, TaskStatus,
    TimeEntry,
};
use tenantry_kernel::{Page, PageRequest, TenantId, UserId};

use crate::ports::{ListQuery, RepositoryError, UnitOfWork};

/// Opens the projects context's repositories on a unit of work: the storage adapter
/// answers for its own units of work (the test kit for its double). Tenantry's unit
/// of work lists no context's repositories, so every context, Tenantry's or a
/// product's, reaches its own through such a port.
pub trait ProjectRepositories: Send + Sync + 'static {
    /// # Errors
    /// A unit of work of another adapter.
    fn projects<'u>(&self, uow: &'u mut dyn UnitOfWork) -> Result<&'u mut dyn ProjectRepository, RepositoryError>;
    /// # Errors
    /// A unit of work of another adapter.
    fn tasks<'u>(&self, uow: &'u mut dyn UnitOfWork) -> Result<&'u mut dyn TaskRepository, RepositoryError>;
}

/// Projects, inside one transaction. Every method takes the tenant: a row of another
/// tenant is never found, whatever its id.
#[cfg_attr(test, mockall::automock)]
#[async_trait]
pub trait ProjectRepository: Send {
    async fn insert(&mut self, project: &Project) -> Result<(), RepositoryError>;
    /// Saves a changed project if nobody changed it since it was read (`version - 1`).
    async fn update(&mut self, project: &Project) -> Result<(), RepositoryError>;
    /// A live (not deleted) project, locked where supported.
    async fn find(&mut self, tenant: TenantId, id: ProjectId) -> Result<Option<Project>, RepositoryError>;
    async fn add_member(
        &mut self,
        tenant: TenantId,
        project: ProjectId,
        user: UserId,
        role: ProjectRole,
        now: DateTime<Utc>,
    ) -> Result<(), RepositoryError>;
    async fn member_role(
        &mut self,
        tenant: TenantId,
        project: ProjectId,
        user: UserId,
    ) -> Result<Option<ProjectRole>, RepositoryError>;
    /// Ends every project membership `user` holds in `tenant` and unassigns their
    /// open tasks (each task's version steps, so stale copies answer 412).
    async fn remove_member_everywhere(
        &mut self,
        tenant: TenantId,
        user: UserId,
        now: DateTime<Utc>,
    ) -> Result<(), RepositoryError>;
}

/// Tasks, inside one transaction.
#[cfg_attr(test, mockall::automock)]
#[async_trait]
pub trait TaskRepository: Send {
    async fn insert(&mut self, task: &Task) -> Result<(), RepositoryError>;
    /// Saves a changed task if nobody changed it since it was read (`version - 1`).
    async fn update(&mut self, task: &Task) -> Result<(), RepositoryError>;
    /// A task of a live project, locked where supported.
    async fn find(&mut self, tenant: TenantId, id: TaskId) -> Result<Option<Task>, RepositoryError>;
    async fn insert_time_entry(&mut self, entry: &TimeEntry) -> Result<(), RepositoryError>;
    async fn insert_comment(&mut self, comment: &Comment) -> Result<(), RepositoryError>;
    /// Where `comment` sits in `task`'s threads; `None` when it is not a comment on
    /// that task (a reply must stay in its task's thread).
    async fn comment_on(
        &mut self,
        tenant: TenantId,
        task: TaskId,
        comment: CommentId,
    ) -> Result<Option<CommentPlace>, RepositoryError>;
}

/// Filters of a project list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProjectFilter {
    pub status: Option<ProjectStatus>,
}

/// Filters of a task list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TaskFilter {
    pub status: Option<TaskStatus>,
    pub assignee: Option<UserId>,
}

/// A member of a project.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProjectMemberView {
    pub user_id: UserId,
    pub role: ProjectRole,
    pub added_at: DateTime<Utc>,
}

/// The top-level comments of one page and the replies of their threads.
#[derive(Debug, Clone, PartialEq)]
pub struct CommentPage {
    pub threads: Page<Comment>,
    pub replies: Vec<Comment>,
}

/// Read side of projects; every query is scoped to one tenant.
#[cfg_attr(test, mockall::automock)]
#[async_trait]
pub trait ProjectQueries: Send + Sync + 'static {
    /// A live project.
    async fn project(&self, tenant: TenantId, id: ProjectId) -> Result<Option<Project>, RepositoryError>;
    /// `sort_by`: `name`, `created_at` or `updated_at`; live projects only.
    async fn projects(
        &self,
        tenant: TenantId,
        filter: &ProjectFilter,
        query: &ListQuery,
    ) -> Result<Page<Project>, RepositoryError>;
    async fn members(&self, tenant: TenantId, project: ProjectId) -> Result<Vec<ProjectMemberView>, RepositoryError>;
    /// A task of a live project.
    async fn task(&self, tenant: TenantId, id: TaskId) -> Result<Option<Task>, RepositoryError>;
    /// The time logged on a task, oldest first.
    async fn time_entries(&self, tenant: TenantId, task: TaskId) -> Result<Vec<TimeEntry>, RepositoryError>;
    /// A page of a task's top-level comments (oldest first) with every reply in
    /// those threads (oldest first; replies name their parent).
    async fn comments(&self, tenant: TenantId, task: TaskId, page: PageRequest)
        -> Result<CommentPage, RepositoryError>;
    /// A page of a live project's tasks (`sort_by`: `created_at`, `updated_at` or
    /// `title`), or `None` when the project does not exist: one read, so the hot list
    /// route pays one transaction rather than a lookup and then a list.
    async fn tasks(
        &self,
        tenant: TenantId,
        project: ProjectId,
        filter: &TaskFilter,
        query: &ListQuery,
    ) -> Result<Option<Page<Task>>, RepositoryError>;
}

/// The project summary read model's storage. `apply` records the event id in the
/// same transaction as the change, so a redelivered event changes nothing.
#[cfg_attr(test, mockall::automock)]
#[async_trait]
pub trait ProjectSummaryStore: Send + Sync + 'static {
    async fn apply(
        &self,
        event: tenantry_kernel::EventId,
        tenant: TenantId,
        project: ProjectId,
        change: &crate::projects::SummaryChange,
        at: DateTime<Utc>,
    ) -> Result<bool, RepositoryError>;
    async fn summary(
        &self,
        tenant: TenantId,
        project: ProjectId,
    ) -> Result<Option<crate::projects::ProjectSummary>, RepositoryError>;
    /// Empties the read model and its record of applied events.
    async fn reset(&self) -> Result<(), RepositoryError>;
}
