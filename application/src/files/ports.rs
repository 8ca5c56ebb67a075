//! Ports of the files context: metadata (inside a unit of work), its read side, download links, the blob store and thumbnails.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use tenantry_domain::files::{FileAccess, FileId, FileVersion, Folder, FolderId, StoredFile};
use tenantry_kernel::{Page, PageRequest, TenantId, UserId};

use crate::ports::TokenError;
use crate::ports::{RepositoryError, UnitOfWork};

/// Opens the files context's repository on a unit of work (see
/// [`crate::projects::ports::ProjectRepositories`]).
pub trait FileRepositories: Send + Sync + 'static {
    /// # Errors
    /// A unit of work of another adapter.
    fn files<'u>(&self, uow: &'u mut dyn UnitOfWork) -> Result<&'u mut dyn FileRepository, RepositoryError>;
}

/// File metadata inside the unit of work; every method takes the tenant.
#[cfg_attr(test, mockall::automock)]
#[async_trait]
pub trait FileRepository: Send {
    /// Stores a new file with its first version.
    async fn insert(&mut self, file: &StoredFile) -> Result<(), RepositoryError>;
    /// Stores the file's new current version; `StaleVersion` when it changed meanwhile.
    async fn add_version(&mut self, file: &StoredFile) -> Result<(), RepositoryError>;
    /// Including files in the bin.
    async fn find(&mut self, tenant: TenantId, id: FileId) -> Result<Option<StoredFile>, RepositoryError>;
    /// Stores a deletion, restoration, rename or move; `StaleVersion` when the file
    /// changed meanwhile.
    async fn save_state(&mut self, file: &StoredFile) -> Result<(), RepositoryError>;
    /// Grants `user` access to a file (replacing an earlier grant).
    async fn grant(&mut self, tenant: TenantId, grant: &FileGrant) -> Result<(), RepositoryError>;
    /// `false` when the user held no grant.
    async fn revoke(&mut self, tenant: TenantId, file: FileId, user: UserId) -> Result<bool, RepositoryError>;
    /// Withdraws every grant `user` holds on `tenant`'s files.
    async fn revoke_everywhere(&mut self, tenant: TenantId, user: UserId) -> Result<(), RepositoryError>;
    async fn access_of(
        &mut self,
        tenant: TenantId,
        file: FileId,
        user: UserId,
    ) -> Result<Option<FileAccess>, RepositoryError>;
    /// `Duplicate` when a sibling folder has the name.
    async fn insert_folder(&mut self, folder: &Folder) -> Result<(), RepositoryError>;
    /// Read for update.
    async fn find_folder(&mut self, tenant: TenantId, id: FolderId) -> Result<Option<Folder>, RepositoryError>;
    /// `StaleVersion` when it changed meanwhile; `Duplicate` on a sibling's name.
    async fn save_folder(&mut self, folder: &Folder) -> Result<(), RepositoryError>;
    /// Removes an empty folder; files of it in the bin return to the top level.
    async fn delete_folder(&mut self, tenant: TenantId, id: FolderId) -> Result<(), RepositoryError>;
    /// Whether the folder holds subfolders or files that are not in the bin.
    async fn folder_has_children(&mut self, tenant: TenantId, id: FolderId) -> Result<bool, RepositoryError>;
    /// The folders above `id`, nearest first (empty at the top level).
    async fn ancestors(&mut self, tenant: TenantId, id: FolderId) -> Result<Vec<FolderId>, RepositoryError>;
    /// Deletes every file that went to the bin before `before`, with its versions
    /// and grants (all organizations: a platform-scoped unit of work), and answers
    /// the blob addresses (contents and thumbnails) no remaining version references.
    async fn purge_binned(&mut self, before: DateTime<Utc>) -> Result<Vec<String>, RepositoryError>;
    /// Records how background processing of a version ended.
    async fn set_processing(
        &mut self,
        tenant: TenantId,
        file: FileId,
        version: i64,
        processing: &tenantry_domain::files::Processing,
    ) -> Result<(), RepositoryError>;
    /// Holds the organization's folder tree until commit, so that two moves can
    /// never each pass the cycle check against a tree the other is changing.
    async fn lock_folder_tree(&mut self, tenant: TenantId) -> Result<(), RepositoryError>;
}

/// What a folder holds: subfolders first, then files, each by name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FolderEntry {
    Folder(Folder),
    File(StoredFile),
}

/// Another member's access to a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileGrant {
    pub file_id: FileId,
    pub user_id: UserId,
    pub access: FileAccess,
    pub granted_by: UserId,
    pub granted_at: DateTime<Utc>,
}

/// Read side of files.
#[cfg_attr(test, mockall::automock)]
#[async_trait]
pub trait FileQueries: Send + Sync + 'static {
    async fn file(&self, tenant: TenantId, id: FileId) -> Result<Option<StoredFile>, RepositoryError>;
    /// Every version, oldest first.
    async fn versions(&self, tenant: TenantId, id: FileId) -> Result<Vec<FileVersion>, RepositoryError>;
    async fn access_of(
        &self,
        tenant: TenantId,
        file: FileId,
        user: UserId,
    ) -> Result<Option<FileAccess>, RepositoryError>;
    /// The file's grants, oldest first.
    async fn grants(&self, tenant: TenantId, file: FileId) -> Result<Vec<FileGrant>, RepositoryError>;
    async fn folder(&self, tenant: TenantId, id: FolderId) -> Result<Option<Folder>, RepositoryError>;
    /// A page of what `folder` (`None`: the top level) holds, files in the bin left
    /// out; with `viewer`, only the files that user uploaded or holds a grant on.
    async fn children(
        &self,
        tenant: TenantId,
        folder: Option<FolderId>,
        viewer: Option<UserId>,
        page: PageRequest,
    ) -> Result<Page<FolderEntry>, RepositoryError>;
}

/// What a signed download link grants: one version of one file, until `expires_at`,
/// for as long as its creator still reaches the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileLinkClaims {
    pub tenant_id: TenantId,
    pub file_id: FileId,
    pub version: i64,
    pub created_by: UserId,
    pub expires_at: DateTime<Utc>,
}

/// Signs and checks download links: a bearer-less credential, so it is signed,
/// short-lived and useless as any other kind of token.
pub trait FileLinkSigner: Send + Sync + 'static {
    /// # Errors
    /// `Signing` when the key cannot sign.
    fn sign(&self, claims: &FileLinkClaims, now: DateTime<Utc>) -> Result<String, TokenError>;
    /// # Errors
    /// `Expired` past `expires_at`; `Invalid` for anything not signed as a link.
    fn verify(&self, token: &str, now: DateTime<Utc>) -> Result<FileLinkClaims, TokenError>;
}

/// Makes thumbnails. Decoding untrusted images is CPU-heavy and risky, so the
/// adapter bounds dimensions and memory and runs off the async threads.
#[async_trait]
pub trait Thumbnailer: Send + Sync + 'static {
    /// A PNG no larger than `max_side` pixels on either side.
    async fn thumbnail(&self, image: bytes::Bytes, max_side: u32) -> Result<Vec<u8>, ThumbnailError>;
}

#[derive(Debug, thiserror::Error)]
pub enum ThumbnailError {
    /// The bytes are not an image the adapter can read (or exceed its limits):
    /// retrying cannot help.
    #[error("unreadable image: {0}")]
    Unreadable(String),
    #[error("thumbnail failure")]
    Other(#[source] Box<dyn std::error::Error + Send + Sync>),
}
