//! Files use cases: uploads whose bytes stream into the blob store (sniffed, capped,
//! content-addressed) before the metadata commits in one transaction, new versions,
//! and reads. Owners and admins (`file:manage`) see every file of the organization;
//! everyone else sees the files they uploaded.

use std::sync::Arc;

use async_trait::async_trait;
use bytes::BytesMut;
use futures::StreamExt;
use tenantry_domain::files::{Blob, FileId, FileName, StoredFile};
use tenantry_kernel::Clock;

use crate::pipeline::{envelope, tenant_of, AuditSubject, Authorization, Command, CommandHandler, RequestContext};
use crate::ports::{ByteStream, FileStore, FileStoreError, UnitOfWork};
use crate::AppError;

/// How much of an upload is read before its type is decided.
const SNIFF_BYTES: usize = 8 * 1024;

/// What uploads may be; a product tightens or widens it in configuration.
#[derive(Debug, Clone)]
pub struct FilePolicy {
    pub max_upload_bytes: u64,
    /// Sniffed MIME types accepted (`text/plain` for UTF-8 text without a signature).
    pub allowed_content_types: Vec<String>,
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

/// Whether the caller may see (and change) `file`: its uploader, or a role with `file:manage`.
pub(crate) fn visible_to(context: &RequestContext, file: &StoredFile) -> bool {
    context.permits("file:manage") || context.principal.as_ref().is_some_and(|p| p.user_id == file.uploaded_by())
}

pub(crate) fn file_not_found() -> AppError {
    AppError::NotFound { message: "file not found" }
}

/// Record a blob already in the store as a new file.
#[derive(Debug, Clone)]
pub struct UploadFile {
    pub name: FileName,
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
    clock: Arc<dyn Clock>,
}

impl FilesHandler {
    pub fn new(clock: Arc<dyn Clock>) -> Self {
        Self { clock }
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
        let now = self.clock.now();
        let (file, uploaded) = StoredFile::upload(tenant, command.name.clone(), command.blob.clone(), caller, now);
        uow.files().insert(&file).await?;
        uow.record_event(envelope(&uploaded, tenant, context, now)?);
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
        let mut file = uow.files().find(tenant, command.file_id).await?.ok_or_else(file_not_found)?;
        if !visible_to(context, &file) {
            return Err(file_not_found());
        }
        let now = self.clock.now();
        let added = file.add_version(command.blob.clone(), caller, now);
        uow.files().add_version(&file).await?;
        uow.record_event(envelope(&added, tenant, context, now)?);
        Ok(file)
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
