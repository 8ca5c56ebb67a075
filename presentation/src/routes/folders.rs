//! Folders of an organization (tenant in `X-Tenant-Id`): create, list what one
//! holds, rename, move and delete; and renaming or moving a file between folders.

use actix_web::http::header;
use actix_web::{delete, get, patch, post, web, HttpResponse};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use tenantry_application::files::ports::FolderEntry;
use tenantry_application::files::{CreateFolder, DeleteFolder, UpdateFile, UpdateFolder};
use tenantry_application::RequestContext;
use tenantry_domain::files::{FileId, Folder, FolderId};
use tenantry_kernel::SortOrder;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::concurrency::{etag, IfMatch};
use crate::error::{ApiError, ErrorBody};
use crate::json::present_or_null;
use crate::paging::{PageParams, PageResponse};
use crate::routes::files::FileResponse;
use crate::tenant_context::TenantScoped;
use tenantry_application::files::Files;

pub(crate) fn configure(cfg: &mut web::ServiceConfig) {
    // The top level first: `root` is not a folder id.
    cfg.service(top_level_children)
        .service(create_folder)
        .service(get_folder)
        .service(folder_children)
        .service(update_folder)
        .service(delete_folder)
        .service(update_file);
}

/// A folder.
#[derive(Debug, Serialize, ToSchema)]
pub struct FolderResponse {
    pub id: Uuid,
    pub name: String,
    /// `null` at the top level.
    pub parent_id: Option<Uuid>,
    pub created_by: Uuid,
    /// Row version: the `ETag`, for `If-Match`.
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<&Folder> for FolderResponse {
    fn from(folder: &Folder) -> Self {
        Self {
            id: folder.id().as_uuid(),
            name: folder.name().as_str().to_owned(),
            parent_id: folder.parent().map(|parent| parent.as_uuid()),
            created_by: folder.created_by().as_uuid(),
            version: folder.version(),
            created_at: folder.created_at(),
            updated_at: folder.updated_at(),
        }
    }
}

/// One entry of a folder: a subfolder or a file.
#[derive(Debug, Serialize, ToSchema)]
pub struct FolderEntryResponse {
    /// `folder` or `file`.
    #[schema(example = "folder")]
    pub kind: &'static str,
    pub id: Uuid,
    pub name: String,
    /// Files only: bytes of the current version.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub size: Option<u64>,
    /// Files only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub content_type: Option<String>,
    pub updated_at: DateTime<Utc>,
}

impl From<FolderEntry> for FolderEntryResponse {
    fn from(entry: FolderEntry) -> Self {
        match entry {
            FolderEntry::Folder(folder) => Self {
                kind: "folder",
                id: folder.id().as_uuid(),
                name: folder.name().as_str().to_owned(),
                size: None,
                content_type: None,
                updated_at: folder.updated_at(),
            },
            FolderEntry::File(file) => Self {
                kind: "file",
                id: file.id().as_uuid(),
                name: file.name().as_str().to_owned(),
                size: Some(file.current().blob.size),
                content_type: Some(file.current().blob.content_type.clone()),
                updated_at: file.current().created_at,
            },
        }
    }
}

/// A page of a folder's entries: subfolders first, then files, each by name.
pub type FolderEntryPage = PageResponse<FolderEntryResponse>;

/// A folder to make.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateFolderRequest {
    #[schema(min_length = 1, max_length = 255)]
    pub name: String,
    /// Absent or `null`: the top level.
    pub parent_id: Option<Uuid>,
}

/// Folder changes: absent fields stay; `parent_id: null` moves it to the top level.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateFolderRequest {
    #[schema(min_length = 1, max_length = 255)]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "present_or_null")]
    #[schema(value_type = Option<Uuid>)]
    pub parent_id: Option<Option<Uuid>>,
}

/// File changes: absent fields stay; `folder_id: null` moves it to the top level.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateFileRequest {
    #[schema(min_length = 1, max_length = 255)]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "present_or_null")]
    #[schema(value_type = Option<Uuid>)]
    pub folder_id: Option<Option<Uuid>>,
}

fn folder_answer(mut builder: actix_web::HttpResponseBuilder, folder: &Folder) -> HttpResponse {
    builder.insert_header(etag(folder.version())).json(FolderResponse::from(folder))
}

/// Make a folder (needs `file:write`). Names are unique among siblings.
#[utoipa::path(
    tag = "files",
    security(("bearer" = [])),
    params(("X-Tenant-Id" = Uuid, Header, description = "Organization id")),
    request_body = CreateFolderRequest,
    responses(
        (status = 201, body = FolderResponse, headers(("Location" = String), ("ETag" = String))),
        (status = 400, description = "`validation_failed`: bad name", body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, description = "The parent is not a folder of this organization", body = ErrorBody),
        (status = 409, description = "`name_taken`", body = ErrorBody),
    )
)]
#[post("/api/v1/folders")]
pub(crate) async fn create_folder(
    files: web::Data<Files>,
    scoped: TenantScoped,
    body: web::Json<CreateFolderRequest>,
) -> Result<HttpResponse, ApiError> {
    let context = scoped.0;
    let CreateFolderRequest { name, parent_id } = body.into_inner();
    let folder =
        files.create_folder(&context, CreateFolder { name, parent_id: parent_id.map(FolderId::from_uuid) }).await?;
    let mut created = HttpResponse::Created();
    created.insert_header((header::LOCATION, format!("/api/v1/folders/{}", folder.id())));
    Ok(folder_answer(created, &folder))
}

/// A folder.
#[utoipa::path(
    tag = "files",
    security(("bearer" = [])),
    params(("X-Tenant-Id" = Uuid, Header, description = "Organization id"), ("id" = Uuid, Path)),
    responses((status = 200, body = FolderResponse, headers(("ETag" = String))), (status = 404, body = ErrorBody))
)]
#[get("/api/v1/folders/{id}")]
pub(crate) async fn get_folder(
    files: web::Data<Files>,
    scoped: TenantScoped,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let context = scoped.0;
    let folder = files.folder(&context, FolderId::from_uuid(path.into_inner())).await?;
    Ok(folder_answer(HttpResponse::Ok(), &folder))
}

async fn children_page(
    files: &Files,
    context: RequestContext,
    folder: Option<FolderId>,
    params: &PageParams,
) -> Result<HttpResponse, ApiError> {
    // Subfolders first, then files, each by name.
    let page = params.fixed_order("name", SortOrder::Asc)?;
    let entries = files.folder_children(&context, folder, page).await?;
    Ok(HttpResponse::Ok().json(FolderEntryPage::from_page(entries, FolderEntryResponse::from)))
}

/// What a folder holds: subfolders, then the files you can see, each by name.
#[utoipa::path(
    tag = "files",
    security(("bearer" = [])),
    params(("X-Tenant-Id" = Uuid, Header, description = "Organization id"), ("id" = Uuid, Path), PageParams),
    responses((status = 200, body = crate::paging::PageResponse<FolderEntryResponse>), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody))
)]
#[get("/api/v1/folders/{id}/children")]
pub(crate) async fn folder_children(
    files: web::Data<Files>,
    scoped: TenantScoped,
    path: web::Path<Uuid>,
    params: web::Query<PageParams>,
) -> Result<HttpResponse, ApiError> {
    children_page(&files, scoped.0, Some(FolderId::from_uuid(path.into_inner())), &params).await
}

/// What the top level holds (folders without a parent, files in no folder).
#[utoipa::path(
    tag = "files",
    security(("bearer" = [])),
    params(("X-Tenant-Id" = Uuid, Header, description = "Organization id"), PageParams),
    responses((status = 200, body = crate::paging::PageResponse<FolderEntryResponse>), (status = 400, body = ErrorBody))
)]
#[get("/api/v1/folders/root/children")]
pub(crate) async fn top_level_children(
    files: web::Data<Files>,
    scoped: TenantScoped,
    params: web::Query<PageParams>,
) -> Result<HttpResponse, ApiError> {
    children_page(&files, scoped.0, None, &params).await
}

/// Rename and/or move a folder (its creator, or `file:manage`). Send the `ETag`
/// as `If-Match`; a move into itself or below itself is refused.
#[utoipa::path(
    tag = "files",
    security(("bearer" = [])),
    params(
        ("X-Tenant-Id" = Uuid, Header, description = "Organization id"),
        ("If-Match" = Option<String>, Header, description = "The ETag the change is based on"),
        ("id" = Uuid, Path),
    ),
    request_body = UpdateFolderRequest,
    responses(
        (status = 200, body = FolderResponse, headers(("ETag" = String))),
        (status = 400, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 409, description = "`name_taken`", body = ErrorBody),
        (status = 412, description = "`precondition_failed`", body = ErrorBody),
        (status = 422, description = "`folder_cycle`", body = ErrorBody),
    )
)]
#[patch("/api/v1/folders/{id}")]
pub(crate) async fn update_folder(
    files: web::Data<Files>,
    scoped: TenantScoped,
    IfMatch(expected_version): IfMatch,
    path: web::Path<Uuid>,
    body: web::Json<UpdateFolderRequest>,
) -> Result<HttpResponse, ApiError> {
    let context = scoped.0;
    let UpdateFolderRequest { name, parent_id } = body.into_inner();
    let command = UpdateFolder {
        folder_id: FolderId::from_uuid(path.into_inner()),
        name,
        parent_id: parent_id.map(|parent| parent.map(FolderId::from_uuid)),
        expected_version,
    };
    let folder = files.update_folder(&context, command).await?;
    Ok(folder_answer(HttpResponse::Ok(), &folder))
}

/// Delete an empty folder (its creator, or `file:manage`).
#[utoipa::path(
    tag = "files",
    security(("bearer" = [])),
    params(
        ("X-Tenant-Id" = Uuid, Header, description = "Organization id"),
        ("If-Match" = Option<String>, Header, description = "The ETag the deletion is based on"),
        ("id" = Uuid, Path),
    ),
    responses(
        (status = 204, description = "Deleted"),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 409, description = "`folder_not_empty`", body = ErrorBody),
        (status = 412, description = "`precondition_failed`", body = ErrorBody),
    )
)]
#[delete("/api/v1/folders/{id}")]
pub(crate) async fn delete_folder(
    files: web::Data<Files>,
    scoped: TenantScoped,
    IfMatch(expected_version): IfMatch,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let context = scoped.0;
    let command = DeleteFolder { folder_id: FolderId::from_uuid(path.into_inner()), expected_version };
    files.delete_folder(&context, command).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Rename a file and/or move it to another folder (its uploader, or `file:manage`).
#[utoipa::path(
    tag = "files",
    security(("bearer" = [])),
    params(("X-Tenant-Id" = Uuid, Header, description = "Organization id"), ("id" = Uuid, Path)),
    request_body = UpdateFileRequest,
    responses(
        (status = 200, body = FileResponse),
        (status = 400, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, description = "The file, or the target folder", body = ErrorBody),
    )
)]
#[patch("/api/v1/files/{id}")]
pub(crate) async fn update_file(
    files: web::Data<Files>,
    scoped: TenantScoped,
    path: web::Path<Uuid>,
    body: web::Json<UpdateFileRequest>,
) -> Result<HttpResponse, ApiError> {
    let context = scoped.0;
    let UpdateFileRequest { name, folder_id } = body.into_inner();
    let command = UpdateFile {
        file_id: FileId::from_uuid(path.into_inner()),
        name,
        folder_id: folder_id.map(|folder| folder.map(FolderId::from_uuid)),
    };
    let file = files.update_file(&context, command).await?;
    Ok(HttpResponse::Ok().json(FileResponse::from(&file)))
}
