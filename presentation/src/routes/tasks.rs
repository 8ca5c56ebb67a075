//! Task routes (tenant in `X-Tenant-Id`): a project's tasks, their time entries and
//! comment threads. Every task answer carries its `ETag`; PATCH honours `If-Match`
//! (412 when stale).

use actix_web::http::header;
use actix_web::{get, patch, post, web, HttpResponse};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use tenantry_application::projects::ports::TaskFilter;
use tenantry_application::projects::{AddComment, CommentThread, CreateTask, LogTime, UpdateTask};
use tenantry_domain::projects::{Comment, CommentId, ProjectId, Task, TaskId, TaskStatus, TimeEntry};
use tenantry_kernel::{SortOrder, UserId};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::concurrency::{etag, IfMatch};
use crate::error::{ApiError, ErrorBody};
use crate::json::present_or_null;
use crate::paging::{PageParams, PageResponse};
use crate::tenant_context::TenantScoped;
use tenantry_application::projects::Projects;

pub(crate) fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(create_task)
        .service(list_tasks)
        .service(get_task)
        .service(update_task)
        .service(log_time)
        .service(list_time_entries)
        .service(add_comment)
        .service(list_comments);
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

const TASK_SORTS: &[&str] = &["created_at", "updated_at", "title"];

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

fn task_answer(mut builder: actix_web::HttpResponseBuilder, task: &Task) -> HttpResponse {
    builder.insert_header(etag(task.version())).json(TaskResponse::from(task))
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
    projects: web::Data<Projects>,
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
    let task = projects.create_task(&context, command).await?;
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
    projects: web::Data<Projects>,
    scoped: TenantScoped,
    path: web::Path<Uuid>,
    params: web::Query<PageParams>,
    filter: web::Query<TaskListFilter>,
) -> Result<HttpResponse, ApiError> {
    let context = scoped.0;
    let query = params.validate(TASK_SORTS)?;
    let status = filter.status.as_deref().map(TaskStatus::parse).transpose().map_err(|e| ApiError(e.into()))?;
    let filter = TaskFilter { status, assignee: filter.assignee_id.map(UserId::from_uuid) };
    let page = projects.list_tasks(&context, ProjectId::from_uuid(path.into_inner()), &filter, &query).await?;
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
    projects: web::Data<Projects>,
    scoped: TenantScoped,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let context = scoped.0;
    let task = projects.get_task(&context, TaskId::from_uuid(path.into_inner())).await?;
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
    projects: web::Data<Projects>,
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
    let task = projects.update_task(&context, command).await?;
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
    projects: web::Data<Projects>,
    scoped: TenantScoped,
    path: web::Path<Uuid>,
    body: web::Json<LogTimeRequest>,
) -> Result<HttpResponse, ApiError> {
    let context = scoped.0;
    let task = path.into_inner();
    let LogTimeRequest { minutes, note, spent_on } = body.into_inner();
    let entry =
        projects.log_time(&context, LogTime { task_id: TaskId::from_uuid(task), minutes, note, spent_on }).await?;
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
    projects: web::Data<Projects>,
    scoped: TenantScoped,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let context = scoped.0;
    let entries = projects.time_entries(&context, TaskId::from_uuid(path.into_inner())).await?;
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
    projects: web::Data<Projects>,
    scoped: TenantScoped,
    path: web::Path<Uuid>,
    body: web::Json<AddCommentRequest>,
) -> Result<HttpResponse, ApiError> {
    let context = scoped.0;
    let task = path.into_inner();
    let AddCommentRequest { body, parent_id } = body.into_inner();
    let command = AddComment { task_id: TaskId::from_uuid(task), parent_id: parent_id.map(CommentId::from_uuid), body };
    let comment = projects.add_comment(&context, command).await?;
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
    projects: web::Data<Projects>,
    scoped: TenantScoped,
    path: web::Path<Uuid>,
    params: web::Query<PageParams>,
) -> Result<HttpResponse, ApiError> {
    let context = scoped.0;
    let page = params.fixed_order("created_at", SortOrder::Asc)?;
    let threads = projects.comment_threads(&context, TaskId::from_uuid(path.into_inner()), page).await?;
    Ok(HttpResponse::Ok().json(PageResponse::from_page(threads, CommentResponse::thread)))
}
