//! Files use cases: uploads whose bytes stream into the blob store (sniffed, capped,
//! content-addressed) before the metadata commits in one transaction, new versions,
//! and reads. Owners and admins (`file:manage`) see every file of the organization;
//! everyone else sees the files they uploaded.

pub mod ports;

use std::sync::Arc;

use async_trait::async_trait;
use bytes::BytesMut;
use futures::StreamExt;
use tenantry_domain::files::{Blob, FileAccess, FileId, FileName, FolderId, StoredFile};
use tenantry_kernel::{Clock, UserId};

use crate::files::ports::FileRepositories;
use crate::files::ports::{FileGrant, FileLinkClaims, FileLinkSigner, FileQueries};
use crate::pipeline::{envelope, tenant_of, AuditSubject, Authorization, Command, CommandHandler, RequestContext};
use crate::ports::UnitOfWork;
use crate::ports::{ByteStream, FileStore, FileStoreError};
use crate::tenancy::ports::TenancyQueries;
use crate::AppError;

mod departures;
mod folders;
mod purge;
mod service;
mod thumbnails;

pub use departures::DepartedMemberLosesFileGrants;
pub(crate) use folders::folder_not_found;
pub use folders::{CreateFolder, DeleteFolder, UpdateFile, UpdateFolder};
pub use purge::{BinPurger, PurgeReport, PURGE_BIN_JOB};
pub use service::{Files, FilesPorts};
pub use thumbnails::{ThumbnailJobs, THUMBNAIL_JOB, THUMBNAIL_SIDE};

/// How much of an upload is read before its type is decided.
const SNIFF_BYTES: usize = 8 * 1024;

/// What uploads may be; a product tightens or widens it in configuration.
#[derive(Debug, Clone)]
pub struct FilePolicy {
    pub max_upload_bytes: u64,
    /// Sniffed MIME types accepted (`text/plain` for UTF-8 text without a signature).
    pub allowed_content_types: Vec<String>,
    /// How long a download link lives when its creator does not say.
    pub link_ttl_seconds: u32,
    /// The longest a creator may ask a download link to live.
    pub max_link_ttl_seconds: u32,
}

impl Default for FilePolicy {
    fn default() -> Self {
        Self {
            max_upload_bytes: 10 * 1024 * 1024,
            allowed_content_types: [
                "image/png",
                "image/jpeg",
                "image/gif",
                "image/webp",
                "application/pdf",
                "text/plain",
                "application/zip",
            ]
            .map(String::from)
            .to_vec(),
            link_ttl_seconds: 60 * 60,
            max_link_ttl_seconds: 7 * 24 * 60 * 60,
        }
    }
}

/// The content type of `head` (the first bytes), from its signature; signature-less
/// UTF-8 without NUL bytes is `text/plain`, anything else `application/octet-stream`.
pub fn sniff(head: &[u8]) -> &'static str {
    if let Some(kind) = infer::get(head) {
        return kind.mime_type();
    }
    // A multi-byte character may be cut at the end of the head: judge what is complete.
    let text = match std::str::from_utf8(head) {
        Ok(_) => true,
        Err(error) => error.error_len().is_none() && error.valid_up_to() > 0,
    };
    if text && !head.contains(&0) {
        "text/plain"
    } else {
        "application/octet-stream"
    }
}

/// Streams an upload into the store after checking its type; refuses it over the cap.
pub(crate) async fn intake(
    store: &dyn FileStore,
    policy: &FilePolicy,
    mut content: ByteStream,
) -> Result<Blob, AppError> {
    let mut head = BytesMut::new();
    while head.len() < SNIFF_BYTES {
        match content.next().await {
            Some(chunk) => head.extend_from_slice(&chunk.map_err(|e| store_error(FileStoreError::Source(e)))?),
            None => break,
        }
    }
    let content_type = sniff(&head);
    if !policy.allowed_content_types.iter().any(|allowed| allowed == content_type) {
        return Err(AppError::UnsupportedMediaType {
            message: format!("files of type {content_type} are not accepted"),
        });
    }
    let head = head.freeze();
    let whole = futures::stream::once(async move { Ok(head) }).chain(content).boxed();
    let put = store.put(whole, policy.max_upload_bytes).await.map_err(store_error)?;
    Ok(Blob { sha256: put.sha256, size: put.size, content_type: content_type.to_owned() })
}

pub(crate) fn store_error(error: FileStoreError) -> AppError {
    match error {
        FileStoreError::TooLarge { max_bytes } => {
            AppError::PayloadTooLarge { message: format!("files are limited to {max_bytes} bytes") }
        }
        FileStoreError::Source(_) => AppError::BadRequest {
            code: crate::ErrorCode::MalformedRequest,
            message: "the upload broke off before its end",
        },
        other => AppError::internal(other),
    }
}

/// How far the caller reaches into a file, weakest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Reach {
    /// The file does not exist for the caller (404).
    None,
    /// A `read` grant: see and download.
    Read,
    /// A `write` grant: also upload versions.
    Write,
    /// Its uploader, or a role with `file:manage`: also delete, restore and grant.
    Own,
}

impl Reach {
    /// Without a grant lookup: `Own` or nothing yet.
    fn by_role(context: &RequestContext, file: &StoredFile) -> Option<Reach> {
        let uploader = context.principal.as_ref().is_some_and(|p| p.user_id == file.uploaded_by());
        (uploader || context.permits("file:manage")).then_some(Reach::Own)
    }

    fn by_grant(access: Option<FileAccess>) -> Reach {
        match access {
            Some(FileAccess::Read) => Reach::Read,
            Some(FileAccess::Write) => Reach::Write,
            None => Reach::None,
        }
    }

    /// The caller's reach, asking the read side for a grant.
    pub(crate) async fn of(
        context: &RequestContext,
        queries: &dyn FileQueries,
        file: &StoredFile,
    ) -> Result<Reach, AppError> {
        if let Some(reach) = Self::by_role(context, file) {
            return Ok(reach);
        }
        let caller = context.require_caller()?.user_id;
        Ok(Self::by_grant(queries.access_of(file.tenant_id(), file.id(), caller).await?))
    }

    /// How far `user` reaches outside any request of theirs (what a download link
    /// they made is still worth): `manages` is whether their role holds
    /// `file:manage`, `None` once they left the organization.
    pub(crate) async fn of_user(
        user: UserId,
        manages: Option<bool>,
        queries: &dyn FileQueries,
        file: &StoredFile,
    ) -> Result<Reach, AppError> {
        let Some(manages) = manages else { return Ok(Reach::None) };
        if user == file.uploaded_by() || manages {
            return Ok(Reach::Own);
        }
        Ok(Self::by_grant(queries.access_of(file.tenant_id(), file.id(), user).await?))
    }

    /// The caller's reach inside a unit of work.
    async fn within(
        repositories: &dyn FileRepositories,
        context: &RequestContext,
        uow: &mut dyn UnitOfWork,
        file: &StoredFile,
    ) -> Result<Reach, AppError> {
        if let Some(reach) = Self::by_role(context, file) {
            return Ok(reach);
        }
        let caller = context.require_caller()?.user_id;
        Ok(Self::by_grant(repositories.files(uow)?.access_of(file.tenant_id(), file.id(), caller).await?))
    }
}

/// Loads a file for a command that needs at least `needed`: files in the bin and
/// files out of reach are 404, a weaker reach than needed 403.
async fn load(
    repositories: &dyn FileRepositories,
    context: &RequestContext,
    uow: &mut dyn UnitOfWork,
    id: FileId,
    needed: Reach,
    include_deleted: bool,
) -> Result<StoredFile, AppError> {
    let tenant = tenant_of(context)?;
    let file = repositories.files(uow)?.find(tenant, id).await?.ok_or_else(file_not_found)?;
    let reach = Reach::within(repositories, context, uow, &file).await?;
    if reach == Reach::None || (file.deleted_at().is_some() && (!include_deleted || reach < Reach::Own)) {
        return Err(file_not_found());
    }
    if reach < needed {
        return Err(AppError::Forbidden {
            code: crate::ErrorCode::Forbidden,
            message: "your access to this file does not allow this",
        });
    }
    Ok(file)
}

pub(crate) fn file_not_found() -> AppError {
    AppError::NotFound { message: "file not found" }
}

/// Record a blob already in the store as a new file.
#[derive(Debug, Clone)]
pub struct UploadFile {
    pub name: FileName,
    /// `None`: the top level.
    pub folder_id: Option<FolderId>,
    pub blob: Blob,
}

impl Command for UploadFile {
    const NAME: &'static str = "files.upload_file";
    type Output = StoredFile;

    fn authorization(&self) -> Authorization {
        Authorization::TenantPermission("file:write")
    }

    fn audit_subject(&self, _: &RequestContext, output: &StoredFile) -> Option<AuditSubject> {
        Some(AuditSubject::new("file", output.id()))
    }
}

/// Make a blob already in the store the next version of a file.
#[derive(Debug, Clone)]
pub struct AddFileVersion {
    pub file_id: FileId,
    pub blob: Blob,
}

impl Command for AddFileVersion {
    const NAME: &'static str = "files.add_version";
    type Output = StoredFile;

    fn authorization(&self) -> Authorization {
        Authorization::TenantPermission("file:write")
    }

    fn audit_subject(&self, _: &RequestContext, _: &StoredFile) -> Option<AuditSubject> {
        Some(AuditSubject::new("file", self.file_id))
    }
}

pub struct FilesHandler {
    repositories: Arc<dyn FileRepositories>,
    tenancy: Arc<dyn TenancyQueries>,
    clock: Arc<dyn Clock>,
    links: Arc<dyn FileLinkSigner>,
    policy: FilePolicy,
}

impl FilesHandler {
    pub fn new(
        repositories: Arc<dyn FileRepositories>,
        tenancy: Arc<dyn TenancyQueries>,
        clock: Arc<dyn Clock>,
        links: Arc<dyn FileLinkSigner>,
        policy: FilePolicy,
    ) -> Self {
        Self { repositories, tenancy, clock, links, policy }
    }
}

/// A signed download link, valid without a bearer token until `expires_at`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileLink {
    pub token: String,
    /// The version it serves (the current one when it was made).
    pub version: i64,
    pub expires_at: chrono::DateTime<chrono::Utc>,
}

/// Make a download link to the current version of a file the caller reaches.
#[derive(Debug, Clone)]
pub struct CreateFileLink {
    pub file_id: FileId,
    /// Defaults to the policy's `link_ttl_seconds`; at most `max_link_ttl_seconds`.
    pub expires_in_seconds: Option<u32>,
}

impl Command for CreateFileLink {
    const NAME: &'static str = "files.create_link";
    type Output = FileLink;

    fn authorization(&self) -> Authorization {
        Authorization::TenantPermission("file:read")
    }

    fn audit_subject(&self, _: &RequestContext, _: &FileLink) -> Option<AuditSubject> {
        Some(AuditSubject::new("file", self.file_id))
    }
}

#[async_trait]
impl CommandHandler<CreateFileLink> for FilesHandler {
    /// # Errors
    /// 400 `expires_in_seconds` out of 1..=max; 404 for a file out of reach.
    async fn handle(
        &self,
        context: &RequestContext,
        command: &CreateFileLink,
        uow: &mut dyn UnitOfWork,
    ) -> Result<FileLink, AppError> {
        let caller = context.require_caller()?.user_id;
        let seconds = command.expires_in_seconds.unwrap_or(self.policy.link_ttl_seconds);
        if seconds == 0 || seconds > self.policy.max_link_ttl_seconds {
            return Err(tenantry_kernel::ValidationError::field("expires_in_seconds", "out_of_range").into());
        }
        let file = load(self.repositories.as_ref(), context, uow, command.file_id, Reach::Read, false).await?;
        let now = self.clock.now();
        let claims = FileLinkClaims {
            tenant_id: file.tenant_id(),
            file_id: file.id(),
            version: file.current().number,
            created_by: caller,
            expires_at: now + chrono::Duration::seconds(i64::from(seconds)),
        };
        let token = self.links.sign(&claims, now).map_err(AppError::internal)?;
        Ok(FileLink { token, version: claims.version, expires_at: claims.expires_at })
    }
}

#[async_trait]
impl CommandHandler<UploadFile> for FilesHandler {
    async fn handle(
        &self,
        context: &RequestContext,
        command: &UploadFile,
        uow: &mut dyn UnitOfWork,
    ) -> Result<StoredFile, AppError> {
        let caller = context.require_caller()?.user_id;
        let tenant = tenant_of(context)?;
        if let Some(folder) = command.folder_id {
            folders::existing_folder(self.repositories.as_ref(), context, uow, folder).await?;
        }
        let now = self.clock.now();
        let (file, uploaded) =
            StoredFile::upload(tenant, command.name.clone(), command.folder_id, command.blob.clone(), caller, now);
        self.repositories.files(uow)?.insert(&file).await?;
        uow.record_event(envelope(&uploaded, tenant, context, now)?);
        if let Some(job) = thumbnails::thumbnail_job(&file, now) {
            uow.enqueue_job(job);
        }
        Ok(file)
    }
}

#[async_trait]
impl CommandHandler<AddFileVersion> for FilesHandler {
    /// # Errors
    /// 404 for a file the caller cannot see; 409 when another version landed meanwhile.
    async fn handle(
        &self,
        context: &RequestContext,
        command: &AddFileVersion,
        uow: &mut dyn UnitOfWork,
    ) -> Result<StoredFile, AppError> {
        let caller = context.require_caller()?.user_id;
        let tenant = tenant_of(context)?;
        let mut file = load(self.repositories.as_ref(), context, uow, command.file_id, Reach::Write, false).await?;
        let now = self.clock.now();
        let added = file.add_version(command.blob.clone(), caller, now);
        self.repositories.files(uow)?.add_version(&file).await?;
        uow.record_event(envelope(&added, tenant, context, now)?);
        if let Some(job) = thumbnails::thumbnail_job(&file, now) {
            uow.enqueue_job(job);
        }
        Ok(file)
    }
}

/// Move a file to the bin (its uploader, or `file:manage`).
#[derive(Debug, Clone)]
pub struct DeleteFile {
    pub file_id: FileId,
}

impl Command for DeleteFile {
    const NAME: &'static str = "files.delete_file";
    type Output = bool;

    fn authorization(&self) -> Authorization {
        Authorization::TenantPermission("file:write")
    }

    fn audit_subject(&self, _: &RequestContext, deleted: &bool) -> Option<AuditSubject> {
        deleted.then(|| AuditSubject::new("file", self.file_id))
    }
}

/// Take a file out of the bin.
#[derive(Debug, Clone)]
pub struct RestoreFile {
    pub file_id: FileId,
}

impl Command for RestoreFile {
    const NAME: &'static str = "files.restore_file";
    type Output = StoredFile;

    fn authorization(&self) -> Authorization {
        Authorization::TenantPermission("file:write")
    }

    fn audit_subject(&self, _: &RequestContext, _: &StoredFile) -> Option<AuditSubject> {
        Some(AuditSubject::new("file", self.file_id))
    }
}

/// Let another member of the organization read or write a file.
#[derive(Debug, Clone)]
pub struct GrantFileAccess {
    pub file_id: FileId,
    pub user_id: UserId,
    pub access: String,
}

impl Command for GrantFileAccess {
    const NAME: &'static str = "files.grant_access";
    type Output = FileGrant;

    fn authorization(&self) -> Authorization {
        Authorization::TenantPermission("file:write")
    }

    fn audit_subject(&self, _: &RequestContext, _: &FileGrant) -> Option<AuditSubject> {
        Some(AuditSubject::new("file", self.file_id))
    }
}

/// Withdraw a member's grant; effective on their next request.
#[derive(Debug, Clone)]
pub struct RevokeFileAccess {
    pub file_id: FileId,
    pub user_id: UserId,
}

impl Command for RevokeFileAccess {
    const NAME: &'static str = "files.revoke_access";
    type Output = ();

    fn authorization(&self) -> Authorization {
        Authorization::TenantPermission("file:write")
    }

    fn audit_subject(&self, _: &RequestContext, _: &()) -> Option<AuditSubject> {
        Some(AuditSubject::new("file", self.file_id))
    }
}

#[async_trait]
impl CommandHandler<DeleteFile> for FilesHandler {
    /// # Errors
    /// 404 for a file out of reach or already in the bin; 403 for a mere grantee.
    async fn handle(
        &self,
        context: &RequestContext,
        command: &DeleteFile,
        uow: &mut dyn UnitOfWork,
    ) -> Result<bool, AppError> {
        let mut file = load(self.repositories.as_ref(), context, uow, command.file_id, Reach::Own, false).await?;
        let deleted = file.delete(self.clock.now());
        if deleted {
            self.repositories.files(uow)?.save_state(&file).await?;
        }
        Ok(deleted)
    }
}

#[async_trait]
impl CommandHandler<RestoreFile> for FilesHandler {
    /// # Errors
    /// 404 for a file out of reach; 403 for a mere grantee.
    async fn handle(
        &self,
        context: &RequestContext,
        command: &RestoreFile,
        uow: &mut dyn UnitOfWork,
    ) -> Result<StoredFile, AppError> {
        let mut file = load(self.repositories.as_ref(), context, uow, command.file_id, Reach::Own, true).await?;
        if file.undelete() {
            self.repositories.files(uow)?.save_state(&file).await?;
        }
        Ok(file)
    }
}

#[async_trait]
impl CommandHandler<GrantFileAccess> for FilesHandler {
    /// # Errors
    /// 400 for an unknown access; 404 for a file out of reach; 403 for a mere
    /// grantee; 422 `not_in_organization` for someone outside the organization.
    async fn handle(
        &self,
        context: &RequestContext,
        command: &GrantFileAccess,
        uow: &mut dyn UnitOfWork,
    ) -> Result<FileGrant, AppError> {
        let caller = context.require_caller()?.user_id;
        let tenant = tenant_of(context)?;
        let access = FileAccess::parse(&command.access)?;
        load(self.repositories.as_ref(), context, uow, command.file_id, Reach::Own, false).await?;
        if self.tenancy.role_of(tenant, command.user_id).await?.is_none() {
            return Err(AppError::BusinessRule {
                code: crate::ErrorCode::NotInOrganization,
                message: "files can be shared with members of the organization only",
            });
        }
        let grant = FileGrant {
            file_id: command.file_id,
            user_id: command.user_id,
            access,
            granted_by: caller,
            granted_at: self.clock.now(),
        };
        self.repositories.files(uow)?.grant(tenant, &grant).await?;
        Ok(grant)
    }
}

#[async_trait]
impl CommandHandler<RevokeFileAccess> for FilesHandler {
    /// # Errors
    /// 404 for a file out of reach or a member without a grant; 403 for a mere grantee.
    async fn handle(
        &self,
        context: &RequestContext,
        command: &RevokeFileAccess,
        uow: &mut dyn UnitOfWork,
    ) -> Result<(), AppError> {
        let tenant = tenant_of(context)?;
        load(self.repositories.as_ref(), context, uow, command.file_id, Reach::Own, false).await?;
        if self.repositories.files(uow)?.revoke(tenant, command.file_id, command.user_id).await? {
            Ok(())
        } else {
            Err(AppError::NotFound { message: "that member has no grant on this file" })
        }
    }
}

/// The files domain's refusals, as the application reports them.
impl From<tenantry_domain::files::FolderError> for crate::AppError {
    fn from(error: tenantry_domain::files::FolderError) -> Self {
        use tenantry_domain::files::FolderError;
        match error {
            FolderError::StaleVersion => crate::AppError::PreconditionFailed {
                message: "the folder changed since you read it (If-Match); fetch it again",
            },
            FolderError::Cycle => crate::AppError::BusinessRule {
                code: crate::ErrorCode::FolderCycle,
                message: "a folder cannot move into itself or one of its subfolders",
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_come_from_the_bytes_not_the_name() {
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"), "image/png");
        assert_eq!(sniff(b"%PDF-1.7\n"), "application/pdf");
        assert_eq!(sniff(b"MZ\x90\0\x03\0\0\0"), "application/vnd.microsoft.portable-executable");
        assert_eq!(sniff("plain words, ünïcødé".as_bytes()), "text/plain");
        assert_eq!(sniff(&"é".as_bytes()[..1]), "application/octet-stream");
        assert_eq!(sniff(&[b'a', 0xc3]), "text/plain", "a character cut at the end of the head");
        assert_eq!(sniff(b"nul\0inside"), "application/octet-stream");
    }
}
