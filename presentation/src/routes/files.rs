//! Files of an organization (tenant in `X-Tenant-Id`): multipart uploads streamed to
//! the blob store, metadata, versions, and downloads with `Range` support.

use actix_multipart::{Field, Multipart};
use actix_web::http::header::{self, ContentDisposition, DispositionParam, DispositionType, ExtendedValue};
use actix_web::http::StatusCode;
use actix_web::{delete, get, post, web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use futures::{StreamExt, TryStreamExt};
use serde::{Deserialize, Serialize};
use tenantry_application::files::ports::FileGrant;
use tenantry_application::files::CreateFileLink;
use tenantry_application::ports::ByteStream;
use tenantry_application::{AppError, ErrorCode};
use tenantry_domain::files::{FileId, FileVersion, FolderId, StoredFile};
use tenantry_kernel::{UserId, ValidationError};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::error::{http_error, ApiError, ErrorBody};
use crate::json::{optional_body, read_limited};
use crate::tenant_context::TenantScoped;
use tenantry_application::files::Files;

use crate::HttpState;

pub(crate) fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(upload_file)
        .service(get_file)
        .service(download_file)
        .service(add_version)
        .service(list_versions)
        .service(download_version)
        .service(delete_file)
        .service(restore_file)
        .service(grant_access)
        .service(list_grants)
        .service(revoke_access)
        .service(thumbnail)
        .service(create_link)
        .service(open_link);
}

/// The thumbnail of an image (PNG, at most 256 px a side): 202 while it is being
/// made, then the image.
#[utoipa::path(
    tag = "files",
    security(("bearer" = [])),
    params(("X-Tenant-Id" = Uuid, Header, description = "Organization id"), ("id" = Uuid, Path)),
    responses(
        (status = 200, description = "The thumbnail (image/png)"),
        (status = 202, description = "Still processing; retry after the seconds in Retry-After", body = ProcessingResponse),
        (status = 404, description = "No such file, or no thumbnail for it (not an image, unreadable)", body = ErrorBody),
    )
)]
#[get("/api/v1/files/{id}/thumbnail")]
pub(crate) async fn thumbnail(
    files: web::Data<Files>,
    scoped: TenantScoped,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let context = scoped.0;
    match files.file_thumbnail(&context, file_id(path.into_inner())).await? {
        Some(content) => Ok(HttpResponse::Ok()
            .insert_header((header::CONTENT_TYPE, "image/png"))
            .insert_header((header::CACHE_CONTROL, "private, max-age=3600"))
            .streaming(content)),
        None => Ok(HttpResponse::Accepted()
            .insert_header((header::RETRY_AFTER, "2"))
            .json(ProcessingResponse { processing: "pending" })),
    }
}

/// Work still in progress.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProcessingResponse {
    #[schema(example = "pending")]
    pub processing: &'static str,
}

/// How long a download link should live.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateLinkRequest {
    /// Seconds, 1 up to the server's `files.max_link_ttl_seconds`; the server's
    /// `files.link_ttl_seconds` when absent.
    #[schema(minimum = 1)]
    pub expires_in_seconds: Option<u32>,
}

/// A signed download link.
#[derive(Debug, Serialize, ToSchema)]
pub struct FileLinkResponse {
    /// Absolute URL that downloads the file without a bearer token.
    pub url: String,
    /// The version it serves: the file's current one when the link was made.
    pub version: i64,
    pub expires_at: DateTime<Utc>,
}

/// Make a short-lived signed download link (for browsers and emails) to the current
/// version. It stops working when it expires, when the file goes to the bin, and
/// when its creator no longer reaches the file.
#[utoipa::path(
    tag = "files",
    security(("bearer" = [])),
    params(("X-Tenant-Id" = Uuid, Header, description = "Organization id"), ("id" = Uuid, Path)),
    request_body(content = Option<CreateLinkRequest>, description = "Optional; `{}` or no body takes the default lifetime"),
    responses(
        (status = 201, body = FileLinkResponse),
        (status = 400, description = "`validation_failed`: expires_in_seconds out of range", body = ErrorBody),
        (status = 404, body = ErrorBody),
    )
)]
#[post("/api/v1/files/{id}/links")]
pub(crate) async fn create_link(
    state: web::Data<HttpState>,
    files: web::Data<Files>,
    scoped: TenantScoped,
    path: web::Path<Uuid>,
    body: web::Payload,
) -> Result<HttpResponse, actix_web::Error> {
    let context = scoped.0;
    let body = read_limited(body).await?;
    let expires_in_seconds = optional_body::<CreateLinkRequest>(&body)?.and_then(|body| body.expires_in_seconds);
    let command = CreateFileLink { file_id: file_id(path.into_inner()), expires_in_seconds };
    let link = files.create_file_link(&context, command).await.map_err(ApiError)?;
    // From configuration only: a Host or X-Forwarded-Host header must never decide
    // where a credential-bearing link points.
    let url = format!("{}/api/v1/file-links/{}", state.public_url.as_deref().unwrap_or_default(), link.token);
    // The URL is a credential: never cached, never replayed from the idempotency store.
    Ok(HttpResponse::Created().insert_header((header::CACHE_CONTROL, "no-store")).json(FileLinkResponse {
        url,
        version: link.version,
        expires_at: link.expires_at,
    }))
}

/// Download through a signed link: no bearer token, no `X-Tenant-Id`. Honours
/// `Range` and `If-None-Match` like `/content`.
#[utoipa::path(
    tag = "files",
    params(("token" = String, Path, description = "The signed link token")),
    responses(
        (status = 200, description = "The content, with Content-Disposition"),
        (status = 206, description = "The requested range"),
        (status = 404, description = "Not a valid link, or its file is gone", body = ErrorBody),
        (status = 410, description = "`link_expired`", body = ErrorBody),
    )
)]
#[get("/api/v1/file-links/{token}")]
pub(crate) async fn open_link(
    files: web::Data<Files>,
    req: HttpRequest,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let (file, version) = files.open_file_link(&path.into_inner()).await?;
    let mut response = content_response(&files, &req, &file, &version).await?;
    // The token is in the URL: pages opened from the file must not pass it on.
    response.headers_mut().insert(header::REFERRER_POLICY, header::HeaderValue::from_static("no-referrer"));
    Ok(response)
}

/// Another member's access to a file.
#[derive(Debug, Serialize, ToSchema)]
pub struct FileGrantResponse {
    pub user_id: Uuid,
    /// `read` (see, download) or `write` (also upload versions).
    pub access: &'static str,
    pub granted_by: Uuid,
    pub granted_at: DateTime<Utc>,
}

impl From<&FileGrant> for FileGrantResponse {
    fn from(grant: &FileGrant) -> Self {
        Self {
            user_id: grant.user_id.as_uuid(),
            access: grant.access.as_str(),
            granted_by: grant.granted_by.as_uuid(),
            granted_at: grant.granted_at,
        }
    }
}

/// The grants of a file.
#[derive(Debug, Serialize, ToSchema)]
pub struct FileGrantList {
    pub items: Vec<FileGrantResponse>,
}

/// A grant to make.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GrantRequest {
    pub user_id: Uuid,
    /// `read` or `write`.
    pub access: String,
}

/// Move a file to the bin (its uploader, or `file:manage`); 404 everywhere until restored.
#[utoipa::path(
    tag = "files",
    security(("bearer" = [])),
    params(("X-Tenant-Id" = Uuid, Header, description = "Organization id"), ("id" = Uuid, Path)),
    responses(
        (status = 204, description = "In the bin"),
        (status = 403, description = "`forbidden`: a grant does not allow deleting", body = ErrorBody),
        (status = 404, body = ErrorBody),
    )
)]
#[delete("/api/v1/files/{id}")]
pub(crate) async fn delete_file(
    files: web::Data<Files>,
    scoped: TenantScoped,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let context = scoped.0;
    files.delete_file(&context, file_id(path.into_inner())).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Take a file out of the bin.
#[utoipa::path(
    tag = "files",
    security(("bearer" = [])),
    params(("X-Tenant-Id" = Uuid, Header, description = "Organization id"), ("id" = Uuid, Path)),
    responses((status = 200, body = FileResponse), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody))
)]
#[post("/api/v1/files/{id}/restore")]
pub(crate) async fn restore_file(
    files: web::Data<Files>,
    scoped: TenantScoped,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let context = scoped.0;
    let file = files.restore_file(&context, file_id(path.into_inner())).await?;
    Ok(HttpResponse::Ok().json(FileResponse::from(&file)))
}

/// Share a file with another member of the organization (`read` or `write`).
#[utoipa::path(
    tag = "files",
    security(("bearer" = [])),
    params(("X-Tenant-Id" = Uuid, Header, description = "Organization id"), ("id" = Uuid, Path)),
    request_body = GrantRequest,
    responses(
        (status = 201, body = FileGrantResponse),
        (status = 400, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 422, description = "`not_in_organization`", body = ErrorBody),
    )
)]
#[post("/api/v1/files/{id}/permissions")]
pub(crate) async fn grant_access(
    files: web::Data<Files>,
    scoped: TenantScoped,
    path: web::Path<Uuid>,
    body: web::Json<GrantRequest>,
) -> Result<HttpResponse, ApiError> {
    let context = scoped.0;
    let id = file_id(path.into_inner());
    let body = body.into_inner();
    let grant = files.grant_file_access(&context, id, UserId::from_uuid(body.user_id), body.access).await?;
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/api/v1/files/{id}/permissions/{}", grant.user_id)))
        .json(FileGrantResponse::from(&grant)))
}

/// The grants of a file (its uploader, or `file:manage`).
#[utoipa::path(
    tag = "files",
    security(("bearer" = [])),
    params(("X-Tenant-Id" = Uuid, Header, description = "Organization id"), ("id" = Uuid, Path)),
    responses((status = 200, body = FileGrantList), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody))
)]
#[get("/api/v1/files/{id}/permissions")]
pub(crate) async fn list_grants(
    files: web::Data<Files>,
    scoped: TenantScoped,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let context = scoped.0;
    let grants = files.file_grants(&context, file_id(path.into_inner())).await?;
    Ok(HttpResponse::Ok().json(FileGrantList { items: grants.iter().map(FileGrantResponse::from).collect() }))
}

/// Withdraw a member's grant; effective on their next request.
#[utoipa::path(
    tag = "files",
    security(("bearer" = [])),
    params(("X-Tenant-Id" = Uuid, Header, description = "Organization id"), ("id" = Uuid, Path), ("user_id" = Uuid, Path)),
    responses((status = 204, description = "Revoked"), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody))
)]
#[delete("/api/v1/files/{id}/permissions/{user_id}")]
pub(crate) async fn revoke_access(
    files: web::Data<Files>,
    scoped: TenantScoped,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<HttpResponse, ApiError> {
    let context = scoped.0;
    let (id, user) = path.into_inner();
    files.revoke_file_access(&context, file_id(id), UserId::from_uuid(user)).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The parts of an upload (`multipart/form-data`), for the OpenAPI document: the
/// handler streams them, it never collects this struct.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct UploadFileForm {
    /// A folder of the organization; the top level without it. Sent before `file`.
    folder_id: Option<Uuid>,
    /// The content, with its file name.
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
}

/// The part of a new version's upload (`multipart/form-data`).
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct UploadVersionForm {
    /// The new content.
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
}

/// A file and its current version.
#[derive(Debug, Serialize, ToSchema)]
pub struct FileResponse {
    pub id: Uuid,
    pub name: String,
    /// `null` at the top level.
    pub folder_id: Option<Uuid>,
    /// Bytes of the current version.
    pub size: u64,
    /// Sniffed from the bytes at upload.
    #[schema(example = "image/png")]
    pub content_type: String,
    /// Hex SHA-256 of the current version (also its download `ETag`).
    pub sha256: String,
    /// The current version's number (1 for a first upload).
    pub version: i64,
    /// Background processing of the current version: `none` (nothing to do),
    /// `pending`, `done` (its thumbnail is ready) or `failed`.
    #[schema(example = "pending")]
    pub processing: &'static str,
    pub uploaded_by: Uuid,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<&StoredFile> for FileResponse {
    fn from(file: &StoredFile) -> Self {
        let current = file.current();
        Self {
            id: file.id().as_uuid(),
            name: file.name().as_str().to_owned(),
            folder_id: file.folder().map(|folder| folder.as_uuid()),
            size: current.blob.size,
            content_type: current.blob.content_type.clone(),
            sha256: current.blob.sha256.clone(),
            version: current.number,
            processing: current.processing.as_str(),
            uploaded_by: file.uploaded_by().as_uuid(),
            created_at: file.created_at(),
            updated_at: current.created_at,
        }
    }
}

/// One version of a file.
#[derive(Debug, Serialize, ToSchema)]
pub struct FileVersionResponse {
    pub version: i64,
    pub size: u64,
    pub content_type: String,
    pub sha256: String,
    pub uploaded_by: Uuid,
    pub created_at: DateTime<Utc>,
}

impl From<&FileVersion> for FileVersionResponse {
    fn from(version: &FileVersion) -> Self {
        Self {
            version: version.number,
            size: version.blob.size,
            content_type: version.blob.content_type.clone(),
            sha256: version.blob.sha256.clone(),
            uploaded_by: version.uploaded_by.as_uuid(),
            created_at: version.created_at,
        }
    }
}

/// The versions of a file, oldest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct FileVersionList {
    pub items: Vec<FileVersionResponse>,
}

fn malformed(message: &'static str) -> ApiError {
    ApiError(AppError::BadRequest { code: ErrorCode::MalformedRequest, message })
}

/// Feeds a multipart field into a channel while the application consumes the other
/// end: the field is tied to this request's thread, the blob store wants a `Send` stream.
async fn pump(mut field: Field, sender: tokio::sync::mpsc::Sender<Result<web::Bytes, std::io::Error>>) {
    while let Some(chunk) = field.next().await {
        let item = chunk.map_err(|error| std::io::Error::other(error.to_string()));
        let failed = item.is_err();
        if sender.send(item).await.is_err() || failed {
            break;
        }
    }
}

/// Reads a short text part (an id), refusing anything longer than `limit` bytes.
async fn text_part(mut field: Field, name: &'static str, limit: usize) -> Result<String, ApiError> {
    let mut text = Vec::new();
    while let Some(chunk) = field.next().await {
        let chunk = chunk.map_err(|_| malformed("the body is not valid multipart/form-data"))?;
        text.extend_from_slice(&chunk);
        if text.len() > limit {
            return Err(ApiError(ValidationError::field(name, "invalid").into()));
        }
    }
    String::from_utf8(text).map_err(|_| ApiError(ValidationError::field(name, "invalid").into()))
}

/// Runs `store` over the multipart `file` part. With `folders`, a `folder_id`
/// part may come first (before `file`, so the target is known before any byte is
/// stored); any other part is refused.
async fn with_uploaded_part<F, Fut>(
    req: &HttpRequest,
    payload: web::Payload,
    folders: bool,
    store: F,
) -> Result<StoredFile, ApiError>
where
    F: FnOnce(String, Option<FolderId>, ByteStream) -> Fut,
    Fut: std::future::Future<Output = Result<StoredFile, AppError>>,
{
    let mut parts = Multipart::new(req.headers(), payload);
    let mut store = Some(store);
    let mut stored = None;
    let mut folder = None;
    while let Some(field) =
        parts.try_next().await.map_err(|_| malformed("the body is not valid multipart/form-data"))?
    {
        match field.name() {
            Some("file") => {
                let store = store.take().ok_or_else(|| malformed("send one `file` part"))?;
                let name = field
                    .content_disposition()
                    .and_then(ContentDisposition::get_filename)
                    .unwrap_or_default()
                    .to_owned();
                let (sender, receiver) = tokio::sync::mpsc::channel(8);
                let content = tokio_stream_of(receiver);
                let (_, result) = futures::join!(pump(field, sender), store(name, folder, content));
                stored = Some(result?);
            }
            Some("folder_id") if folders => {
                if store.is_none() {
                    return Err(ApiError(ValidationError::field("folder_id", "must_precede_file").into()));
                }
                let raw = text_part(field, "folder_id", 64).await?;
                let id = Uuid::parse_str(raw.trim())
                    .map_err(|_| ApiError(ValidationError::field("folder_id", "invalid").into()))?;
                folder = Some(FolderId::from_uuid(id));
            }
            _ => return Err(ApiError(ValidationError::field("file", "unexpected_part").into())),
        }
    }
    stored.ok_or_else(|| ApiError(ValidationError::field("file", "required").into()))
}

fn tokio_stream_of(mut receiver: tokio::sync::mpsc::Receiver<Result<web::Bytes, std::io::Error>>) -> ByteStream {
    futures::stream::poll_fn(move |cx| receiver.poll_recv(cx)).boxed()
}

fn file_id(raw: Uuid) -> FileId {
    FileId::from_uuid(raw)
}

/// Upload a file (multipart/form-data, part `file`). The bytes stream to storage;
/// the type is sniffed from them and must be on the allow-list.
#[utoipa::path(
    tag = "files",
    security(("bearer" = [])),
    params(("X-Tenant-Id" = Uuid, Header, description = "Organization id")),
    request_body(content = UploadFileForm, content_type = "multipart/form-data", description = "Optional part `folder_id` (a folder's id, before `file`), then part `file`: the content, with its file name"),
    responses(
        (status = 201, body = FileResponse, headers(("Location" = String))),
        (status = 400, description = "`validation_failed` (no file part, bad name), `malformed_request`", body = ErrorBody),
        (status = 403, description = "`not_a_member`, `forbidden` (needs file:write)", body = ErrorBody),
        (status = 413, description = "`payload_too_large`", body = ErrorBody),
        (status = 415, description = "`unsupported_media_type`: sniffed type not allowed", body = ErrorBody),
    )
)]
#[post("/api/v1/files")]
pub(crate) async fn upload_file(
    files: web::Data<Files>,
    scoped: TenantScoped,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let context = scoped.0;
    let app = files.clone();
    let file = with_uploaded_part(&req, payload, true, |name, folder, content| async move {
        app.upload_file(&context, &name, folder, content).await
    })
    .await?;
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/api/v1/files/{}", file.id())))
        .json(FileResponse::from(&file)))
}

/// Upload a new version of a file.
#[utoipa::path(
    tag = "files",
    security(("bearer" = [])),
    params(("X-Tenant-Id" = Uuid, Header, description = "Organization id"), ("id" = Uuid, Path)),
    request_body(content = UploadVersionForm, content_type = "multipart/form-data", description = "Part `file`: the new content"),
    responses(
        (status = 201, body = FileResponse),
        (status = 404, body = ErrorBody),
        (status = 413, body = ErrorBody),
        (status = 415, body = ErrorBody),
    )
)]
#[post("/api/v1/files/{id}/versions")]
pub(crate) async fn add_version(
    files: web::Data<Files>,
    scoped: TenantScoped,
    req: HttpRequest,
    path: web::Path<Uuid>,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let context = scoped.0;
    let id = file_id(path.into_inner());
    let app = files.clone();
    let file = with_uploaded_part(&req, payload, false, |_, _, content| async move {
        app.add_file_version(&context, id, content).await
    })
    .await?;
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/api/v1/files/{id}/versions/{}", file.current().number)))
        .json(FileResponse::from(&file)))
}

/// A file's metadata.
#[utoipa::path(
    tag = "files",
    security(("bearer" = [])),
    params(("X-Tenant-Id" = Uuid, Header, description = "Organization id"), ("id" = Uuid, Path)),
    responses((status = 200, body = FileResponse), (status = 404, body = ErrorBody))
)]
#[get("/api/v1/files/{id}")]
pub(crate) async fn get_file(
    files: web::Data<Files>,
    scoped: TenantScoped,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let context = scoped.0;
    let file = files.file(&context, file_id(path.into_inner())).await?;
    Ok(HttpResponse::Ok().json(FileResponse::from(&file)))
}

/// A file's versions, oldest first.
#[utoipa::path(
    tag = "files",
    security(("bearer" = [])),
    params(("X-Tenant-Id" = Uuid, Header, description = "Organization id"), ("id" = Uuid, Path)),
    responses((status = 200, body = FileVersionList), (status = 404, body = ErrorBody))
)]
#[get("/api/v1/files/{id}/versions")]
pub(crate) async fn list_versions(
    files: web::Data<Files>,
    scoped: TenantScoped,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let context = scoped.0;
    let versions = files.file_versions(&context, file_id(path.into_inner())).await?;
    Ok(HttpResponse::Ok().json(FileVersionList { items: versions.iter().map(FileVersionResponse::from).collect() }))
}

/// Download the current content. Honours `Range: bytes=...` (206) and
/// `If-None-Match` (304); the `ETag` is the content's SHA-256.
#[utoipa::path(
    tag = "files",
    security(("bearer" = [])),
    params(
        ("X-Tenant-Id" = Uuid, Header, description = "Organization id"),
        ("id" = Uuid, Path),
        ("Range" = Option<String>, Header, description = "One byte range, e.g. `bytes=0-99`"),
    ),
    responses(
        (status = 200, description = "The content, with Content-Disposition"),
        (status = 206, description = "The requested range, with Content-Range"),
        (status = 304, description = "Unchanged (If-None-Match)"),
        (status = 404, body = ErrorBody),
        (status = 416, description = "`range_not_satisfiable`", body = ErrorBody),
    )
)]
#[get("/api/v1/files/{id}/content")]
pub(crate) async fn download_file(
    files: web::Data<Files>,
    scoped: TenantScoped,
    req: HttpRequest,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let context = scoped.0;
    let (file, version) = files.file_version(&context, file_id(path.into_inner()), None).await?;
    content_response(&files, &req, &file, &version).await
}

/// Download one version's content (as `/content`).
#[utoipa::path(
    tag = "files",
    security(("bearer" = [])),
    params(
        ("X-Tenant-Id" = Uuid, Header, description = "Organization id"),
        ("id" = Uuid, Path),
        ("n" = i64, Path, description = "Version number"),
        ("Range" = Option<String>, Header, description = "One byte range, e.g. `bytes=0-99`"),
    ),
    responses(
        (status = 200, description = "The content"),
        (status = 206, description = "The requested range"),
        (status = 404, body = ErrorBody),
        (status = 416, body = ErrorBody),
    )
)]
#[get("/api/v1/files/{id}/versions/{n}/content")]
pub(crate) async fn download_version(
    files: web::Data<Files>,
    scoped: TenantScoped,
    req: HttpRequest,
    path: web::Path<(Uuid, i64)>,
) -> Result<HttpResponse, ApiError> {
    let context = scoped.0;
    let (id, number) = path.into_inner();
    let (file, version) = files.file_version(&context, file_id(id), Some(number)).await?;
    content_response(&files, &req, &file, &version).await
}

/// What a `Range` header asks of a body of `size` bytes.
#[derive(Debug, PartialEq, Eq)]
enum RangeAsk {
    /// No usable range: send everything (RFC 9110 lets a server ignore what it does not serve).
    Whole,
    /// Inclusive byte positions.
    Part(u64, u64),
    /// Nothing of the body is in the range.
    Unsatisfiable,
}

fn range_ask(header: Option<&str>, size: u64) -> RangeAsk {
    let Some(spec) = header.and_then(|h| h.trim().strip_prefix("bytes=")) else { return RangeAsk::Whole };
    if spec.contains(',') {
        return RangeAsk::Whole;
    }
    let Some((first, last)) = spec.trim().split_once('-') else { return RangeAsk::Whole };
    match (first.trim(), last.trim()) {
        ("", suffix) => match suffix.parse::<u64>() {
            Ok(0) => RangeAsk::Unsatisfiable,
            Ok(_) if size == 0 => RangeAsk::Unsatisfiable,
            Ok(n) => RangeAsk::Part(size.saturating_sub(n), size - 1),
            Err(_) => RangeAsk::Whole,
        },
        (start, end) => {
            let Ok(start) = start.parse::<u64>() else { return RangeAsk::Whole };
            let end = if end.is_empty() { Ok(u64::MAX) } else { end.parse::<u64>() };
            match end {
                Ok(end) if end < start => RangeAsk::Whole,
                Ok(_) if start >= size => RangeAsk::Unsatisfiable,
                Ok(end) => RangeAsk::Part(start, end.min(size - 1)),
                Err(_) => RangeAsk::Whole,
            }
        }
    }
}

async fn content_response(
    files: &Files,
    req: &HttpRequest,
    file: &StoredFile,
    version: &FileVersion,
) -> Result<HttpResponse, ApiError> {
    let etag = format!("\"{}\"", version.blob.sha256);
    let size = version.blob.size;
    let unchanged = req.headers().get(header::IF_NONE_MATCH).and_then(|v| v.to_str().ok()).is_some_and(|v| {
        v.split(',').any(|tag| {
            let tag = tag.trim();
            tag == "*" || tag.trim_start_matches("W/").trim_matches('"') == version.blob.sha256
        })
    });
    if unchanged {
        return Ok(HttpResponse::NotModified().insert_header((header::ETAG, etag)).finish());
    }
    let ask = range_ask(req.headers().get(header::RANGE).and_then(|v| v.to_str().ok()), size);
    if ask == RangeAsk::Unsatisfiable {
        let mut response = http_error(
            StatusCode::RANGE_NOT_SATISFIABLE,
            ErrorCode::RangeNotSatisfiable,
            "the range lies outside the content",
            vec![],
        );
        response.headers_mut().insert(
            header::CONTENT_RANGE,
            header::HeaderValue::from_str(&format!("bytes */{size}")).map_err(|e| ApiError(AppError::internal(e)))?,
        );
        return Ok(response);
    }
    let range = match ask {
        RangeAsk::Part(start, end) => Some((start, end)),
        _ => None,
    };
    let content = files.file_content(version, range).await?;
    let disposition = ContentDisposition {
        disposition: DispositionType::Attachment,
        parameters: vec![
            DispositionParam::Filename(
                file.name().as_str().chars().map(|c| if c.is_ascii() { c } else { '_' }).collect(),
            ),
            DispositionParam::FilenameExt(ExtendedValue {
                charset: header::Charset::Ext("UTF-8".into()),
                language_tag: None,
                value: file.name().as_str().as_bytes().to_vec(),
            }),
        ],
    };
    let mut response = match range {
        Some((start, end)) => {
            let mut builder = HttpResponse::PartialContent();
            builder.insert_header((header::CONTENT_RANGE, format!("bytes {start}-{end}/{size}")));
            builder.no_chunking(end - start + 1);
            builder
        }
        None => {
            let mut builder = HttpResponse::Ok();
            builder.no_chunking(size);
            builder
        }
    };
    Ok(response
        .insert_header((header::CONTENT_TYPE, version.blob.content_type.as_str()))
        .insert_header((header::ETAG, etag))
        .insert_header((header::ACCEPT_RANGES, "bytes"))
        .insert_header((header::CACHE_CONTROL, "private, no-cache"))
        .insert_header(disposition)
        .streaming(content))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_follow_rfc_9110() {
        let cases = [
            (None, RangeAsk::Whole),
            (Some("bytes=0-9"), RangeAsk::Part(0, 9)),
            (Some("bytes=90-"), RangeAsk::Part(90, 99)),
            (Some("bytes=90-500"), RangeAsk::Part(90, 99)),
            (Some("bytes=-10"), RangeAsk::Part(90, 99)),
            (Some("bytes=-500"), RangeAsk::Part(0, 99)),
            (Some("bytes=100-"), RangeAsk::Unsatisfiable),
            (Some("bytes=-0"), RangeAsk::Unsatisfiable),
            (Some("bytes=9-0"), RangeAsk::Whole),
            (Some("bytes=0-1,5-6"), RangeAsk::Whole),
            (Some("items=0-1"), RangeAsk::Whole),
            (Some("bytes=a-b"), RangeAsk::Whole),
        ];
        for (header, expected) in cases {
            assert_eq!(range_ask(header, 100), expected, "{header:?}");
        }
        assert_eq!(range_ask(Some("bytes=-5"), 0), RangeAsk::Unsatisfiable);
    }
}
