//! Projects routes (tenant in `X-Tenant-Id`): projects with members, budget and
//! summary (their tasks are in `tasks`). Every answer carries the project's `ETag`;
//! PATCH and DELETE honour `If-Match` (412 when stale).

use actix_web::http::header;
use actix_web::{delete, get, patch, post, web, HttpResponse};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use tenantry_application::projects::ports::{ProjectFilter, ProjectMemberView};
use tenantry_application::projects::{AddProjectMember, BudgetInput, CreateProject, DeleteProject, UpdateProject};
use tenantry_domain::projects::{Money, Project, ProjectId, ProjectStatus};
use tenantry_kernel::UserId;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::concurrency::{etag, IfMatch};
use crate::error::{ApiError, ErrorBody};
use crate::json::present_or_null;
use crate::paging::{PageParams, PageResponse};
use crate::tenant_context::TenantScoped;
use tenantry_application::projects::Projects;

pub(crate) fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(create_project)
        .service(list_projects)
        .service(get_project)
        .service(update_project)
        .service(delete_project)
        .service(list_project_members)
        .service(add_project_member)
        .service(project_summary);
    super::tasks::configure(cfg);
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

const PROJECT_SORTS: &[&str] = &["created_at", "name", "updated_at"];

fn project_answer(mut builder: actix_web::HttpResponseBuilder, project: &Project) -> HttpResponse {
    builder.insert_header(etag(project.version())).json(ProjectResponse::from(project))
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
    projects: web::Data<Projects>,
    scoped: TenantScoped,
    body: web::Json<CreateProjectRequest>,
) -> Result<HttpResponse, ApiError> {
    let context = scoped.0;
    let CreateProjectRequest { name, description, budget } = body.into_inner();
    let command = CreateProject { name, description, budget: budget.map(BudgetInput::from) };
    let project = projects.create_project(&context, command).await?;
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
    projects: web::Data<Projects>,
    scoped: TenantScoped,
    params: web::Query<PageParams>,
    filter: web::Query<ProjectListFilter>,
) -> Result<HttpResponse, ApiError> {
    let context = scoped.0;
    let query = params.validate(PROJECT_SORTS)?;
    let status = filter.status.as_deref().map(ProjectStatus::parse).transpose().map_err(|e| ApiError(e.into()))?;
    let page = projects.list_projects(&context, &ProjectFilter { status }, &query).await?;
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
    projects: web::Data<Projects>,
    scoped: TenantScoped,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let context = scoped.0;
    let project = projects.get_project(&context, ProjectId::from_uuid(path.into_inner())).await?;
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
    projects: web::Data<Projects>,
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
    let project = projects.update_project(&context, command).await?;
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
    projects: web::Data<Projects>,
    scoped: TenantScoped,
    IfMatch(expected_version): IfMatch,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let context = scoped.0;
    let command = DeleteProject { project_id: ProjectId::from_uuid(path.into_inner()), expected_version };
    projects.delete_project(&context, command).await?;
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
    projects: web::Data<Projects>,
    scoped: TenantScoped,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let context = scoped.0;
    let members = projects.project_members(&context, ProjectId::from_uuid(path.into_inner())).await?;
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
    projects: web::Data<Projects>,
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
    let members = projects.add_project_member(&context, command).await?;
    Ok(HttpResponse::Ok().json(ProjectMemberList { items: members.into_iter().map(Into::into).collect() }))
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
    projects: web::Data<Projects>,
    scoped: TenantScoped,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let context = scoped.0;
    let project = path.into_inner();
    let summary = projects.project_summary(&context, ProjectId::from_uuid(project)).await?;
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
