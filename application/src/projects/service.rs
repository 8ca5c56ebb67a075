//! The projects context's service: projects, members, tasks, time, comments and
//! the summary read model, each through the platform's pipelines.

use std::sync::Arc;

use tenantry_domain::projects::{Comment, Project, ProjectId, Task, TaskId, TimeEntry};
use tenantry_kernel::{Page, PageRequest, TenantId};

use super::ports::{
    CommentPage, ProjectFilter, ProjectMemberView, ProjectQueries, ProjectRepositories, ProjectSummaryStore, TaskFilter,
};
use super::*;
use crate::pipeline::RequestContext;
use crate::platform::Platform;
use crate::ports::ListQuery;
use crate::tenancy::ports::TenancyQueries;
use crate::AppError;

/// The adapters projects needs; built by its module.
pub struct ProjectsPorts {
    /// Projects and tasks inside a unit of work.
    pub repositories: Arc<dyn ProjectRepositories>,
    pub queries: Arc<dyn ProjectQueries>,
    pub summaries: Arc<dyn ProjectSummaryStore>,
    /// Tenancy's published read side: project members must be organization members.
    pub tenancy_queries: Arc<dyn TenancyQueries>,
}

/// Projects' use cases.
pub struct Projects {
    platform: Arc<Platform>,
    projects: ProjectsHandler,
    tasks: TasksHandler,
    work: WorkHandler,
    project_queries: Arc<dyn ProjectQueries>,
    project_summaries: Arc<dyn ProjectSummaryStore>,
    summary_projector: Arc<ProjectSummaryProjector>,
}

impl Projects {
    pub fn new(platform: Arc<Platform>, ports: ProjectsPorts) -> Self {
        let ProjectsPorts { repositories, queries, summaries, tenancy_queries } = ports;
        let clock = platform.clock().clone();
        Self {
            projects: ProjectsHandler::new(repositories.clone(), tenancy_queries, clock.clone()),
            tasks: TasksHandler::new(repositories.clone(), clock.clone()),
            work: WorkHandler::new(repositories, clock),
            project_queries: queries,
            summary_projector: Arc::new(ProjectSummaryProjector::new(summaries.clone())),
            project_summaries: summaries,
            platform,
        }
    }

    /// # Errors
    /// See [`ProjectsHandler`].
    pub async fn create_project(&self, context: &RequestContext, command: CreateProject) -> Result<Project, AppError> {
        self.platform.commands().dispatch(&self.projects, context, command).await
    }

    /// # Errors
    /// See [`ProjectsHandler`].
    pub async fn update_project(&self, context: &RequestContext, command: UpdateProject) -> Result<Project, AppError> {
        self.platform.commands().dispatch(&self.projects, context, command).await
    }

    /// # Errors
    /// See [`ProjectsHandler`].
    pub async fn delete_project(&self, context: &RequestContext, command: DeleteProject) -> Result<(), AppError> {
        self.platform.commands().dispatch(&self.projects, context, command).await
    }

    /// Adds (or re-roles) a project member and answers the members.
    ///
    /// # Errors
    /// See [`ProjectsHandler`].
    pub async fn add_project_member(
        &self,
        context: &RequestContext,
        command: AddProjectMember,
    ) -> Result<Vec<ProjectMemberView>, AppError> {
        let project = command.project_id;
        self.platform.commands().dispatch(&self.projects, context, command).await?;
        let tenant = tenant_of(context)?;
        Ok(self.project_queries.members(tenant, project).await?)
    }

    /// A live project of the context's tenant.
    ///
    /// # Errors
    /// 404 for another tenant's, a deleted or an unknown project.
    pub async fn get_project(&self, context: &RequestContext, id: ProjectId) -> Result<Project, AppError> {
        self.read("projects.project", context, |tenant| self.live_project(tenant, id)).await
    }

    /// # Errors
    /// See [`crate::queries::QueryPipeline::read`].
    pub async fn list_projects(
        &self,
        context: &RequestContext,
        filter: &ProjectFilter,
        query: &ListQuery,
    ) -> Result<Page<Project>, AppError> {
        self.read("projects.list", context, |tenant| async move {
            Ok(self.project_queries.projects(tenant, filter, query).await?)
        })
        .await
    }

    /// # Errors
    /// 404 for an unknown project.
    pub async fn project_members(
        &self,
        context: &RequestContext,
        id: ProjectId,
    ) -> Result<Vec<ProjectMemberView>, AppError> {
        self.read("projects.members", context, |tenant| async move {
            self.live_project(tenant, id).await?;
            Ok(self.project_queries.members(tenant, id).await?)
        })
        .await
    }

    /// # Errors
    /// See [`TasksHandler`].
    pub async fn create_task(&self, context: &RequestContext, command: CreateTask) -> Result<Task, AppError> {
        self.platform.commands().dispatch(&self.tasks, context, command).await
    }

    /// # Errors
    /// See [`TasksHandler`].
    pub async fn update_task(&self, context: &RequestContext, command: UpdateTask) -> Result<Task, AppError> {
        self.platform.commands().dispatch(&self.tasks, context, command).await
    }

    /// # Errors
    /// 404 for another tenant's or an unknown task.
    pub async fn get_task(&self, context: &RequestContext, id: TaskId) -> Result<Task, AppError> {
        self.read("projects.task", context, |tenant| self.live_task(tenant, id)).await
    }

    /// # Errors
    /// See [`WorkHandler`].
    pub async fn log_time(&self, context: &RequestContext, command: LogTime) -> Result<TimeEntry, AppError> {
        self.platform.commands().dispatch(&self.work, context, command).await
    }

    /// # Errors
    /// 404 for an unknown task.
    pub async fn time_entries(&self, context: &RequestContext, task: TaskId) -> Result<Vec<TimeEntry>, AppError> {
        self.read("projects.time_entries", context, |tenant| async move {
            self.live_task(tenant, task).await?;
            Ok(self.project_queries.time_entries(tenant, task).await?)
        })
        .await
    }

    /// # Errors
    /// See [`WorkHandler`].
    pub async fn add_comment(&self, context: &RequestContext, command: AddComment) -> Result<Comment, AppError> {
        self.platform.commands().dispatch(&self.work, context, command).await
    }

    /// A page of the task's comment threads (paged by top-level comment).
    ///
    /// # Errors
    /// 404 for an unknown task.
    pub async fn comment_threads(
        &self,
        context: &RequestContext,
        task: TaskId,
        page: PageRequest,
    ) -> Result<Page<CommentThread>, AppError> {
        self.read("projects.comments", context, |tenant| async move {
            self.live_task(tenant, task).await?;
            let CommentPage { threads: roots, replies } = self.project_queries.comments(tenant, task, page).await?;
            let (page, size, total) = (roots.page, roots.size, roots.total);
            Ok(Page { items: threads(roots.items, replies), page, size, total })
        })
        .await
    }

    /// A project's summary from the read model: it trails the writes by the time the
    /// outbox takes to deliver (normally milliseconds); `None` until its first event.
    ///
    /// # Errors
    /// 404 for an unknown project.
    pub async fn project_summary(
        &self,
        context: &RequestContext,
        project: ProjectId,
    ) -> Result<Option<ProjectSummary>, AppError> {
        self.read("projects.summary", context, |tenant| async move {
            self.live_project(tenant, project).await?;
            Ok(self.project_summaries.summary(tenant, project).await?)
        })
        .await
    }

    /// The projector the event consumers and `rebuild-read-models` feed.
    pub fn summary_projector(&self) -> &Arc<ProjectSummaryProjector> {
        &self.summary_projector
    }

    /// A page of a project's tasks.
    ///
    /// # Errors
    /// 404 for an unknown project.
    pub async fn list_tasks(
        &self,
        context: &RequestContext,
        project: ProjectId,
        filter: &TaskFilter,
        query: &ListQuery,
    ) -> Result<Page<Task>, AppError> {
        self.read("projects.tasks", context, |tenant| async move {
            self.project_queries.tasks(tenant, project, filter, query).await?.ok_or_else(project_not_found)
        })
        .await
    }

    /// Every read of projects: `project:read` (every member), in a query span.
    async fn read<T, Fut>(
        &self,
        query: &'static str,
        context: &RequestContext,
        read: impl FnOnce(TenantId) -> Fut,
    ) -> Result<T, AppError>
    where
        Fut: std::future::Future<Output = Result<T, AppError>>,
    {
        self.platform.queries().read(query, context, "project:read", |scope| read(scope.tenant)).await
    }

    async fn live_project(&self, tenant: TenantId, id: ProjectId) -> Result<Project, AppError> {
        self.project_queries.project(tenant, id).await?.ok_or_else(project_not_found)
    }

    async fn live_task(&self, tenant: TenantId, id: TaskId) -> Result<Task, AppError> {
        self.project_queries.task(tenant, id).await?.ok_or_else(task_not_found)
    }
}
