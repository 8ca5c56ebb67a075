//! Projects routes (tenant in `X-Tenant-Id`): projects with members and budget, and
//! their tasks. Every answer carries the resource's `ETag`; PATCH and DELETE honour
//! `If-Match` (412 when stale).

use actix_web::http::header;
use actix_web::{delete, get, patch, post, web, HttpResponse};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use tenantry_application::ports::{ProjectFilter, ProjectMemberView, TaskFilter};
use tenantry_application::projects::{
    AddComment, AddProjectMember, BudgetInput, CommentThread, CreateProject, CreateTask, DeleteProject, LogTime,
    UpdateProject, UpdateTask,
};
use tenantry_domain::projects::{
    Comment, CommentId, Money, Project, ProjectId, ProjectStatus, Task, TaskId, TaskStatus, TimeEntry,
};
use tenantry_kernel::{SortOrder, UserId};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::concurrency::{etag, IfMatch};
use crate::error::{ApiError, ErrorBody};
use crate::json::present_or_null;
use crate::paging::{PageParams, PageResponse};
use crate::tenant_context::TenantScoped;
use crate::HttpState;

pub(crate) fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(create_project)
        .service(list_projects)
        .service(get_project)
        .service(update_project)
        .service(delete_project)
        .service(list_project_members)
        .service(add_project_member)
        .service(create_task)
        .service(list_tasks)
        .service(get_task)
        .service(update_task)
        .service(log_time)
        .service(list_time_entries)
        .service(add_comment)
        .service(list_comments)
        .service(project_summary);
}

/// Task counts per status.
#[derive(Debug, Serialize, ToSchema)]
pub struct TaskCounts {
    pub todo: i64,
    pub in_progress: i64,
    pub done: i64,
}

/// A project at a glance, from the summary read model.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProjectSummaryResponse {
    pub project_id: Uuid,
    pub tasks: TaskCounts,
    pub estimated_minutes: i64,
    pub logged_minutes: i64,
    pub budget: Option<BudgetBody>,
    /// When the read model last changed; `null` before the project's first event
    /// reached it (it trails writes by milliseconds).
    pub as_of: Option<DateTime<Utc>>,
}

/// Time spent on a task.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LogTimeRequest {
    /// 1 to 1440.
    #[schema(example = 90, minimum = 1, maximum = 1440)]
    pub minutes: u32,
    #[schema(max_length = 2000)]
    pub note: Option<String>,
    #[schema(example = "2026-11-23")]
    pub spent_on: NaiveDate,
}

/// A time entry.
#[derive(Debug, Serialize, ToSchema)]
pub struct TimeEntryResponse {
    pub id: Uuid,
    pub task_id: Uuid,
    pub user_id: Uuid,
    pub minutes: u32,
    pub note: Option<String>,
    pub spent_on: NaiveDate,
    pub created_at: DateTime<Utc>,
}

impl From<&TimeEntry> for TimeEntryResponse {
    fn from(entry: &TimeEntry) -> Self {
        Self {
            id: entry.id.as_uuid(),
            task_id: entry.task_id.as_uuid(),
            user_id: entry.user_id.as_uuid(),
            minutes: entry.minutes,
            note: entry.note.clone(),
            spent_on: entry.spent_on,
            created_at: entry.created_at,
        }
    }
}

/// A task's time entries, with their sum.
#[derive(Debug, Serialize, ToSchema)]
pub struct TimeEntryList {
    pub items: Vec<TimeEntryResponse>,
    pub total_minutes: u64,
}

/// A comment, or a reply when `parent_id` is set.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AddCommentRequest {
    #[schema(min_length = 1, max_length = 10000)]
    pub body: String,
    pub parent_id: Option<Uuid>,
}

/// A comment with its replies.
#[derive(Debug, Serialize, ToSchema)]
pub struct CommentResponse {
    pub id: Uuid,
    pub parent_id: Option<Uuid>,
    pub author_id: Uuid,
    pub body: String,
    pub created_at: DateTime<Utc>,
    #[schema(no_recursion)]
    pub replies: Vec<CommentResponse>,
}

impl CommentResponse {
    fn leaf(comment: &Comment) -> Self {
        Self {
            id: comment.id.as_uuid(),
            parent_id: comment.parent_id.map(|p| p.as_uuid()),
            author_id: comment.author_id.as_uuid(),
            body: comment.body.clone(),
            created_at: comment.created_at,
            replies: Vec::new(),
        }
    }

    fn thread(thread: CommentThread) -> Self {
        let mut response = Self::leaf(&thread.comment);
        response.replies = thread.replies.into_iter().map(Self::thread).collect();
        response
    }
}

const PROJECT_SORTS: &[&str] = &["created_at", "name", "updated_at"];
const TASK_SORTS: &[&str] = &["created_at", "updated_at", "title"];

/// An amount in minor units (cents) of an ISO 4217 currency.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BudgetBody {
    #[schema(example = 1_250_000)]
    pub amount_minor: i64,
    #[schema(example = "EUR")]
    pub currency: String,
}

impl From<BudgetBody> for BudgetInput {
    fn from(body: BudgetBody) -> Self {
        Self { amount_minor: body.amount_minor, currency: body.currency }
    }
}

impl From<Money> for BudgetBody {
    fn from(money: Money) -> Self {
        Self { amount_minor: money.amount_minor, currency: money.currency.as_str().to_owned() }
    }
}

/// A new project.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateProjectRequest {
    #[schema(example = "Apollo", min_length = 1, max_length = 200)]
    pub name: String,
    #[schema(max_length = 10000)]
    pub description: Option<String>,
    pub budget: Option<BudgetBody>,
}

/// Project changes: absent fields stay; `null` clears `description` or `budget`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateProjectRequest {
    #[schema(min_length = 1, max_length = 200)]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "present_or_null")]
    #[schema(value_type = Option<String>)]
    pub description: Option<Option<String>>,
    /// `active` or `archived`.
    pub status: Option<String>,
    #[serde(default, deserialize_with = "present_or_null")]
    #[schema(value_type = Option<BudgetBody>)]
    pub budget: Option<Option<BudgetBody>>,
}

/// A project.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProjectResponse {
    pub id: Uuid,
    pub name: String,
    pub description: Option<String>,
    #[schema(example = "active")]
    pub status: &'static str,
    pub budget: Option<BudgetBody>,
    pub owner_id: Uuid,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Also sent as the `ETag`; send it back in `If-Match` to change the project.
    pub version: i64,
}

impl From<&Project> for ProjectResponse {
    fn from(project: &Project) -> Self {
        Self {
            id: project.id().as_uuid(),
            name: project.name().as_str().to_owned(),
            description: project.description().map(str::to_owned),
            status: project.status().as_str(),
            budget: project.budget().map(BudgetBody::from),
            owner_id: project.owner_id().as_uuid(),
            created_at: project.created_at(),
            updated_at: project.updated_at(),
            version: project.version(),
        }
    }
}

/// Filters of the project list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ProjectListFilter {
    /// `active` or `archived`.
    pub status: Option<String>,
}

/// Adds an organization member to a project.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AddProjectMemberRequest {
    pub user_id: Uuid,
    /// `manager`, `contributor` or `viewer`.
    #[schema(example = "contributor")]
    pub role: String,
}

/// A member of a project.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProjectMemberResponse {
    pub user_id: Uuid,
    #[schema(example = "contributor")]
    pub role: &'static str,
    pub added_at: DateTime<Utc>,
}

impl From<ProjectMemberView> for ProjectMemberResponse {
    fn from(view: ProjectMemberView) -> Self {
        Self { user_id: view.user_id.as_uuid(), role: view.role.as_str(), added_at: view.added_at }
    }
}

/// A project's members.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProjectMemberList {
    pub items: Vec<ProjectMemberResponse>,
}

/// A new task.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateTaskRequest {
    #[schema(example = "Write the launch checklist", min_length = 1, max_length = 300)]
    pub title: String,
    #[schema(max_length = 10000)]
    pub description: Option<String>,
    /// Must be a member of the project.
    pub assignee_id: Option<Uuid>,
    pub due_date: Option<NaiveDate>,
    pub estimate_minutes: Option<u32>,
}

/// Task changes: absent fields stay; `null` clears the optional ones.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateTaskRequest {
    #[schema(min_length = 1, max_length = 300)]
    pub title: Option<String>,
    #[serde(default, deserialize_with = "present_or_null")]
    #[schema(value_type = Option<String>)]
    pub description: Option<Option<String>>,
    /// `todo` -> `in_progress` -> `done`, and back to `todo`.
    pub status: Option<String>,
    #[serde(default, deserialize_with = "present_or_null")]
    #[schema(value_type = Option<Uuid>)]
    pub assignee_id: Option<Option<Uuid>>,
    #[serde(default, deserialize_with = "present_or_null")]
    #[schema(value_type = Option<NaiveDate>)]
    pub due_date: Option<Option<NaiveDate>>,
    #[serde(default, deserialize_with = "present_or_null")]
    #[schema(value_type = Option<u32>)]
    pub estimate_minutes: Option<Option<u32>>,
}

/// A task.
#[derive(Debug, Serialize, ToSchema)]
pub struct TaskResponse {
    pub id: Uuid,
    pub project_id: Uuid,
    pub title: String,
    pub description: Option<String>,
    #[schema(example = "todo")]
    pub status: &'static str,
    pub assignee_id: Option<Uuid>,
    pub due_date: Option<NaiveDate>,
    pub estimate_minutes: Option<u32>,
    pub created_by: Uuid,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Also sent as the `ETag`.
    pub version: i64,
}

impl From<&Task> for TaskResponse {
    fn from(task: &Task) -> Self {
        Self {
            id: task.id().as_uuid(),
            project_id: task.project_id().as_uuid(),
            title: task.title().as_str().to_owned(),
            description: task.description().map(str::to_owned),
            status: task.status().as_str(),
            assignee_id: task.assignee_id().map(|u| u.as_uuid()),
            due_date: task.due_date(),
            estimate_minutes: task.estimate_minutes(),
            created_by: task.created_by().as_uuid(),
            created_at: task.created_at(),
            updated_at: task.updated_at(),
            version: task.version(),
        }
    }
}

/// Filters of a task list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TaskListFilter {
    /// `todo`, `in_progress` or `done`.
    pub status: Option<String>,
    pub assignee_id: Option<Uuid>,
}

fn project_answer(mut builder: actix_web::HttpResponseBuilder, project: &Project) -> HttpResponse {
    builder.insert_header(etag(project.version())).json(ProjectResponse::from(project))
}

fn task_answer(mut builder: actix_web::HttpResponseBuilder, task: &Task) -> HttpResponse {
    builder.insert_header(etag(task.version())).json(TaskResponse::from(task))
}

/// Create a project; the caller becomes its manager.
#[utoipa::path(
    tag = "projects",
    security(("bearer" = [])),
    params(("X-Tenant-Id" = Uuid, Header, description = "Organization id")),
    request_body = CreateProjectRequest,
    responses(
        (status = 201, body = ProjectResponse, headers(("Location" = String), ("ETag" = String))),
        (status = 400, body = ErrorBody),
        (status = 403, body = ErrorBody),
    )
)]
#[post("/api/v1/projects")]
pub(crate) async fn create_project(
    state: web::Data<HttpState>,
    scoped: TenantScoped,
    body: web::Json<CreateProjectRequest>,
) -> Result<HttpResponse, ApiError> {
    let context = scoped.0;
    let CreateProjectRequest { name, description, budget } = body.into_inner();
    let command = CreateProject { name, description, budget: budget.map(BudgetInput::from) };
    let project = state.app.create_project(&context, command).await?;
    let mut created = HttpResponse::Created();
    created.insert_header((header::LOCATION, format!("/api/v1/projects/{}", project.id())));
    Ok(project_answer(created, &project))
}

/// The organization's live projects.
#[utoipa::path(
    tag = "projects",
    security(("bearer" = [])),
    params(("X-Tenant-Id" = Uuid, Header, description = "Organization id"), PageParams, ProjectListFilter),
    responses((status = 200, body = crate::paging::PageResponse<ProjectResponse>), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody))
)]
#[get("/api/v1/projects")]
pub(crate) async fn list_projects(
    state: web::Data<HttpState>,
    scoped: TenantScoped,
    params: web::Query<PageParams>,
    filter: web::Query<ProjectListFilter>,
) -> Result<HttpResponse, ApiError> {
    let context = scoped.0;
    let query = params.validate(PROJECT_SORTS)?;
    let status = filter.status.as_deref().map(ProjectStatus::parse).transpose().map_err(|e| ApiError(e.into()))?;
    let page = state.app.list_projects(&context, &ProjectFilter { status }, &query).await?;
    Ok(HttpResponse::Ok().json(PageResponse::from_page(page, |p| ProjectResponse::from(&p))))
}

/// A project (404 for another organization's or a deleted one).
#[utoipa::path(
    tag = "projects",
    security(("bearer" = [])),
    params(("X-Tenant-Id" = Uuid, Header, description = "Organization id"), ("id" = Uuid, Path)),
    responses((status = 200, body = ProjectResponse, headers(("ETag" = String))), (status = 404, body = ErrorBody))
)]
#[get("/api/v1/projects/{id}")]
pub(crate) async fn get_project(
    state: web::Data<HttpState>,
    scoped: TenantScoped,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let context = scoped.0;
    let project = state.app.get_project(&context, ProjectId::from_uuid(path.into_inner())).await?;
    Ok(project_answer(HttpResponse::Ok(), &project))
}

/// Change a project. Send the `ETag` you read as `If-Match`: a stale one is refused with 412.
#[utoipa::path(
    tag = "projects",
    security(("bearer" = [])),
    params(
        ("X-Tenant-Id" = Uuid, Header, description = "Organization id"),
        ("If-Match" = Option<String>, Header, description = "The ETag the change is based on"),
        ("id" = Uuid, Path),
    ),
    request_body = UpdateProjectRequest,
    responses(
        (status = 200, body = ProjectResponse, headers(("ETag" = String))),
        (status = 400, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 412, description = "`precondition_failed`", body = ErrorBody),
    )
)]
#[patch("/api/v1/projects/{id}")]
pub(crate) async fn update_project(
    state: web::Data<HttpState>,
    scoped: TenantScoped,
    IfMatch(expected_version): IfMatch,
    path: web::Path<Uuid>,
    body: web::Json<UpdateProjectRequest>,
) -> Result<HttpResponse, ApiError> {
    let context = scoped.0;
    let UpdateProjectRequest { name, description, status, budget } = body.into_inner();
    let command = UpdateProject {
        project_id: ProjectId::from_uuid(path.into_inner()),
        expected_version,
        name,
        description,
        status,
        budget: budget.map(|b| b.map(BudgetInput::from)),
    };
    let project = state.app.update_project(&context, command).await?;
    Ok(project_answer(HttpResponse::Ok(), &project))
}

/// Delete a project (soft): it and its tasks disappear from every read.
#[utoipa::path(
    tag = "projects",
    security(("bearer" = [])),
    params(
        ("X-Tenant-Id" = Uuid, Header, description = "Organization id"),
        ("If-Match" = Option<String>, Header, description = "The ETag the deletion is based on"),
        ("id" = Uuid, Path),
    ),
    responses(
        (status = 204, description = "Deleted"),
        (status = 404, body = ErrorBody),
        (status = 412, description = "`precondition_failed`", body = ErrorBody),
    )
)]
#[delete("/api/v1/projects/{id}")]
pub(crate) async fn delete_project(
    state: web::Data<HttpState>,
    scoped: TenantScoped,
    IfMatch(expected_version): IfMatch,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let context = scoped.0;
    let command = DeleteProject { project_id: ProjectId::from_uuid(path.into_inner()), expected_version };
    state.app.delete_project(&context, command).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// A project's members.
#[utoipa::path(
    tag = "projects",
    security(("bearer" = [])),
    params(("X-Tenant-Id" = Uuid, Header, description = "Organization id"), ("id" = Uuid, Path)),
    responses((status = 200, body = ProjectMemberList), (status = 404, body = ErrorBody))
)]
#[get("/api/v1/projects/{id}/members")]
pub(crate) async fn list_project_members(
    state: web::Data<HttpState>,
    scoped: TenantScoped,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let context = scoped.0;
    let members = state.app.project_members(&context, ProjectId::from_uuid(path.into_inner())).await?;
    Ok(HttpResponse::Ok().json(ProjectMemberList { items: members.into_iter().map(Into::into).collect() }))
}

/// Add an organization member to a project (or change their project role).
#[utoipa::path(
    tag = "projects",
    security(("bearer" = [])),
    params(("X-Tenant-Id" = Uuid, Header, description = "Organization id"), ("id" = Uuid, Path)),
    request_body = AddProjectMemberRequest,
    responses(
        (status = 200, body = ProjectMemberList),
        (status = 400, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 422, description = "`not_in_organization`", body = ErrorBody),
    )
)]
#[post("/api/v1/projects/{id}/members")]
pub(crate) async fn add_project_member(
    state: web::Data<HttpState>,
    scoped: TenantScoped,
    path: web::Path<Uuid>,
    body: web::Json<AddProjectMemberRequest>,
) -> Result<HttpResponse, ApiError> {
    let context = scoped.0;
    let AddProjectMemberRequest { user_id, role } = body.into_inner();
    let command = AddProjectMember {
        project_id: ProjectId::from_uuid(path.into_inner()),
        user_id: UserId::from_uuid(user_id),
        role,
    };
    let members = state.app.add_project_member(&context, command).await?;
    Ok(HttpResponse::Ok().json(ProjectMemberList { items: members.into_iter().map(Into::into).collect() }))
}

/// Create a task in a project.
#[utoipa::path(
    tag = "projects",
    security(("bearer" = [])),
    params(("X-Tenant-Id" = Uuid, Header, description = "Organization id"), ("id" = Uuid, Path)),
    request_body = CreateTaskRequest,
    responses(
        (status = 201, body = TaskResponse, headers(("Location" = String), ("ETag" = String))),
        (status = 400, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 422, description = "`assignee_not_member`, `project_archived`", body = ErrorBody),
    )
)]
#[post("/api/v1/projects/{id}/tasks")]
pub(crate) async fn create_task(
    state: web::Data<HttpState>,
    scoped: TenantScoped,
    path: web::Path<Uuid>,
    body: web::Json<CreateTaskRequest>,
) -> Result<HttpResponse, ApiError> {
    let context = scoped.0;
    let CreateTaskRequest { title, description, assignee_id, due_date, estimate_minutes } = body.into_inner();
    let command = CreateTask {
        project_id: ProjectId::from_uuid(path.into_inner()),
        title,
        description,
        assignee_id: assignee_id.map(UserId::from_uuid),
        due_date,
        estimate_minutes,
    };
    let task = state.app.create_task(&context, command).await?;
    let mut created = HttpResponse::Created();
    created.insert_header((header::LOCATION, format!("/api/v1/tasks/{}", task.id())));
    Ok(task_answer(created, &task))
}

/// A page of a project's tasks, filtered by status and/or assignee.
#[utoipa::path(
    tag = "projects",
    security(("bearer" = [])),
    params(("X-Tenant-Id" = Uuid, Header, description = "Organization id"), ("id" = Uuid, Path), PageParams, TaskListFilter),
    responses((status = 200, body = crate::paging::PageResponse<TaskResponse>), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody))
)]
#[get("/api/v1/projects/{id}/tasks")]
pub(crate) async fn list_tasks(
    state: web::Data<HttpState>,
    scoped: TenantScoped,
    path: web::Path<Uuid>,
    params: web::Query<PageParams>,
    filter: web::Query<TaskListFilter>,
) -> Result<HttpResponse, ApiError> {
    let context = scoped.0;
    let query = params.validate(TASK_SORTS)?;
    let status = filter.status.as_deref().map(TaskStatus::parse).transpose().map_err(|e| ApiError(e.into()))?;
    let filter = TaskFilter { status, assignee: filter.assignee_id.map(UserId::from_uuid) };
    let page = state.app.list_tasks(&context, ProjectId::from_uuid(path.into_inner()), &filter, &query).await?;
    Ok(HttpResponse::Ok().json(PageResponse::from_page(page, |t| TaskResponse::from(&t))))
}

/// A task.
#[utoipa::path(
    tag = "projects",
    security(("bearer" = [])),
    params(("X-Tenant-Id" = Uuid, Header, description = "Organization id"), ("id" = Uuid, Path)),
    responses((status = 200, body = TaskResponse, headers(("ETag" = String))), (status = 404, body = ErrorBody))
)]
#[get("/api/v1/tasks/{id}")]
pub(crate) async fn get_task(
    state: web::Data<HttpState>,
    scoped: TenantScoped,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let context = scoped.0;
    let task = state.app.get_task(&context, TaskId::from_uuid(path.into_inner())).await?;
    Ok(task_answer(HttpResponse::Ok(), &task))
}

/// Change a task: fields, assignee (a project member), status (todo -> in_progress
/// -> done, back to todo; else 409). A stale `If-Match` is refused with 412.
#[utoipa::path(
    tag = "projects",
    security(("bearer" = [])),
    params(
        ("X-Tenant-Id" = Uuid, Header, description = "Organization id"),
        ("If-Match" = Option<String>, Header, description = "The ETag the change is based on"),
        ("id" = Uuid, Path),
    ),
    request_body = UpdateTaskRequest,
    responses(
        (status = 200, body = TaskResponse, headers(("ETag" = String))),
        (status = 400, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 409, description = "`illegal_transition`", body = ErrorBody),
        (status = 412, description = "`precondition_failed`", body = ErrorBody),
        (status = 422, description = "`assignee_not_member`", body = ErrorBody),
    )
)]
#[patch("/api/v1/tasks/{id}")]
pub(crate) async fn update_task(
    state: web::Data<HttpState>,
    scoped: TenantScoped,
    IfMatch(expected_version): IfMatch,
    path: web::Path<Uuid>,
    body: web::Json<UpdateTaskRequest>,
) -> Result<HttpResponse, ApiError> {
    let context = scoped.0;
    let UpdateTaskRequest { title, description, status, assignee_id, due_date, estimate_minutes } = body.into_inner();
    let command = UpdateTask {
        task_id: TaskId::from_uuid(path.into_inner()),
        expected_version,
        title,
        description,
        status,
        assignee_id: assignee_id.map(|a| a.map(UserId::from_uuid)),
        due_date,
        estimate_minutes,
    };
    let task = state.app.update_task(&context, command).await?;
    Ok(task_answer(HttpResponse::Ok(), &task))
}

/// Log time on a task, as the caller.
#[utoipa::path(
    tag = "projects",
    security(("bearer" = [])),
    params(("X-Tenant-Id" = Uuid, Header, description = "Organization id"), ("id" = Uuid, Path, description = "Task")),
    request_body = LogTimeRequest,
    responses((status = 201, body = TimeEntryResponse), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody))
)]
#[post("/api/v1/tasks/{id}/time-entries")]
pub(crate) async fn log_time(
    state: web::Data<HttpState>,
    scoped: TenantScoped,
    path: web::Path<Uuid>,
    body: web::Json<LogTimeRequest>,
) -> Result<HttpResponse, ApiError> {
    let context = scoped.0;
    let task = path.into_inner();
    let LogTimeRequest { minutes, note, spent_on } = body.into_inner();
    let entry =
        state.app.log_time(&context, LogTime { task_id: TaskId::from_uuid(task), minutes, note, spent_on }).await?;
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/api/v1/tasks/{task}/time-entries")))
        .json(TimeEntryResponse::from(&entry)))
}

/// The time logged on a task, oldest first.
#[utoipa::path(
    tag = "projects",
    security(("bearer" = [])),
    params(("X-Tenant-Id" = Uuid, Header, description = "Organization id"), ("id" = Uuid, Path, description = "Task")),
    responses((status = 200, body = TimeEntryList), (status = 404, body = ErrorBody))
)]
#[get("/api/v1/tasks/{id}/time-entries")]
pub(crate) async fn list_time_entries(
    state: web::Data<HttpState>,
    scoped: TenantScoped,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let context = scoped.0;
    let entries = state.app.time_entries(&context, TaskId::from_uuid(path.into_inner())).await?;
    let total_minutes = entries.iter().map(|e| u64::from(e.minutes)).sum();
    Ok(HttpResponse::Ok()
        .json(TimeEntryList { items: entries.iter().map(TimeEntryResponse::from).collect(), total_minutes }))
}

/// Comment on a task, or reply to one of its comments (`parent_id`).
#[utoipa::path(
    tag = "projects",
    security(("bearer" = [])),
    params(("X-Tenant-Id" = Uuid, Header, description = "Organization id"), ("id" = Uuid, Path, description = "Task")),
    request_body = AddCommentRequest,
    responses((status = 201, body = CommentResponse), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody))
)]
#[post("/api/v1/tasks/{id}/comments")]
pub(crate) async fn add_comment(
    state: web::Data<HttpState>,
    scoped: TenantScoped,
    path: web::Path<Uuid>,
    body: web::Json<AddCommentRequest>,
) -> Result<HttpResponse, ApiError> {
    let context = scoped.0;
    let task = path.into_inner();
    let AddCommentRequest { body, parent_id } = body.into_inner();
    let command = AddComment { task_id: TaskId::from_uuid(task), parent_id: parent_id.map(CommentId::from_uuid), body };
    let comment = state.app.add_comment(&context, command).await?;
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/api/v1/tasks/{task}/comments")))
        .json(CommentResponse::leaf(&comment)))
}

/// A page of a task's comment threads: top-level comments oldest first, each with
/// its replies (oldest first at every level, nested at most 8 deep).
#[utoipa::path(
    tag = "projects",
    security(("bearer" = [])),
    params(("X-Tenant-Id" = Uuid, Header, description = "Organization id"), ("id" = Uuid, Path, description = "Task"), PageParams),
    responses((status = 200, body = crate::paging::PageResponse<CommentResponse>), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody))
)]
#[get("/api/v1/tasks/{id}/comments")]
pub(crate) async fn list_comments(
    state: web::Data<HttpState>,
    scoped: TenantScoped,
    path: web::Path<Uuid>,
    params: web::Query<PageParams>,
) -> Result<HttpResponse, ApiError> {
    let context = scoped.0;
    let page = params.fixed_order("created_at", SortOrder::Asc)?;
    let threads = state.app.comment_threads(&context, TaskId::from_uuid(path.into_inner()), page).await?;
    Ok(HttpResponse::Ok().json(PageResponse::from_page(threads, CommentResponse::thread)))
}

/// A project's summary: task counts per status, estimated and logged minutes, budget.
/// Served from a read model kept up to date by events (`tenantry rebuild-read-models`
/// rebuilds it), so it can trail a write by the outbox delivery time.
#[utoipa::path(
    tag = "projects",
    security(("bearer" = [])),
    params(("X-Tenant-Id" = Uuid, Header, description = "Organization id"), ("id" = Uuid, Path)),
    responses((status = 200, body = ProjectSummaryResponse), (status = 404, body = ErrorBody))
)]
#[get("/api/v1/projects/{id}/summary")]
pub(crate) async fn project_summary(
    state: web::Data<HttpState>,
    scoped: TenantScoped,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let context = scoped.0;
    let project = path.into_inner();
    let summary = state.app.project_summary(&context, ProjectId::from_uuid(project)).await?;
    let response = match summary {
        Some(s) => ProjectSummaryResponse {
            project_id: project,
            tasks: TaskCounts { todo: s.todo, in_progress: s.in_progress, done: s.done },
            estimated_minutes: s.estimated_minutes,
            logged_minutes: s.logged_minutes,
            budget: s
                .budget_amount_minor
                .zip(s.budget_currency)
                .map(|(amount_minor, currency)| BudgetBody { amount_minor, currency }),
            as_of: Some(s.updated_at),
        },
        None => ProjectSummaryResponse {
            project_id: project,
            tasks: TaskCounts { todo: 0, in_progress: 0, done: 0 },
            estimated_minutes: 0,
            logged_minutes: 0,
            budget: None,
            as_of: None,
        },
    };
    Ok(HttpResponse::Ok().json(response))
}
