//! The files context's service: uploads stream into the blob store before their
//! metadata commits; reads check how far the caller reaches into each file.

use std::sync::Arc;

use tenantry_domain::files::{FileId, FileName, FileVersion, Folder, FolderId, Processing, StoredFile};
use tenantry_kernel::{Page, PageRequest, UserId};

use super::ports::{FileGrant, FileLinkSigner, FileQueries, FileRepositories, FolderEntry};
use super::*;
use crate::pipeline::RequestContext;
use crate::platform::Platform;
use crate::ports::{ByteStream, FileStore};
use crate::queries::TenantRead;
use crate::tenancy::ports::TenancyQueries;
use crate::{AppError, ErrorCode};

/// The adapters files needs; built by its module.
pub struct FilesPorts {
    /// File metadata inside a unit of work.
    pub repositories: Arc<dyn FileRepositories>,
    pub store: Arc<dyn FileStore>,
    pub queries: Arc<dyn FileQueries>,
    pub policy: FilePolicy,
    pub links: Arc<dyn FileLinkSigner>,
    /// Tenancy's published read side: grants go to organization members only.
    pub tenancy_queries: Arc<dyn TenancyQueries>,
}

/// Files' use cases.
pub struct Files {
    platform: Arc<Platform>,
    files: FilesHandler,
    file_store: Arc<dyn FileStore>,
    file_queries: Arc<dyn FileQueries>,
    file_policy: FilePolicy,
    file_links: Arc<dyn FileLinkSigner>,
}

impl Files {
    pub fn new(platform: Arc<Platform>, ports: FilesPorts) -> Self {
        let FilesPorts { repositories, store, queries, policy, links, tenancy_queries } = ports;
        Self {
            files: FilesHandler::new(
                repositories,
                tenancy_queries,
                platform.clock().clone(),
                links.clone(),
                policy.clone(),
            ),
            file_store: store,
            file_queries: queries,
            file_policy: policy,
            file_links: links,
            platform,
        }
    }

    /// Checks the caller may upload, streams the content into the store (sniffed,
    /// capped), then records the file in one transaction.
    ///
    /// # Errors
    /// 400 for a bad name; 403 without `file:write`; 413 over the size cap; 415 for
    /// a type outside the allow-list.
    pub async fn upload_file(
        &self,
        context: &RequestContext,
        name: &str,
        folder_id: Option<FolderId>,
        content: ByteStream,
    ) -> Result<StoredFile, AppError> {
        // The folder is checked again inside the transaction; here so no bytes are
        // stored in vain.
        let name = self
            .platform
            .queries()
            .read("files.upload_target", context, "file:write", |read| async move {
                let name = FileName::sanitize(name)?;
                if let Some(folder) = folder_id {
                    self.file_queries.folder(read.tenant, folder).await?.ok_or_else(folder_not_found)?;
                }
                Ok(name)
            })
            .await?;
        let blob = intake(self.file_store.as_ref(), &self.file_policy, content).await?;
        self.platform.commands().dispatch(&self.files, context, UploadFile { name, folder_id, blob }).await
    }

    /// Streams a new version of a file the caller can see.
    ///
    /// # Errors
    /// As [`Files::upload_file`]; 404 for a file the caller cannot see.
    pub async fn add_file_version(
        &self,
        context: &RequestContext,
        id: FileId,
        content: ByteStream,
    ) -> Result<StoredFile, AppError> {
        // Writing a version needs `file:write` and, like every read of the file,
        // `file:read` (an API key may carry one scope without the other).
        self.platform.queries().read("files.version_target", context, "file:write", |_| async { Ok(()) }).await?;
        let (_, reach) = self.read("files.file", context, |read| async move { self.reach(&read, id).await }).await?;
        if reach < Reach::Write {
            return Err(AppError::Forbidden {
                code: ErrorCode::Forbidden,
                message: "your access to this file does not allow this",
            });
        }
        let blob = intake(self.file_store.as_ref(), &self.file_policy, content).await?;
        self.platform.commands().dispatch(&self.files, context, AddFileVersion { file_id: id, blob }).await
    }

    /// # Errors
    /// 404 for a file of another tenant, one in the bin, or one the caller may not see.
    pub async fn file(&self, context: &RequestContext, id: FileId) -> Result<StoredFile, AppError> {
        self.read("files.file", context, |read| async move { self.reach(&read, id).await.map(|(file, _)| file) }).await
    }

    /// Every read of files: `file:read` (every member), in a query span; how far
    /// the caller reaches into each file is decided per file ([`Reach`]).
    async fn read<T, F, Fut>(&self, query: &'static str, context: &RequestContext, read: F) -> Result<T, AppError>
    where
        F: FnOnce(TenantRead) -> Fut,
        Fut: std::future::Future<Output = Result<T, AppError>>,
    {
        self.platform.queries().read(query, context, "file:read", read).await
    }

    /// The file and how far the authorized caller reaches into it.
    async fn reach(&self, read: &TenantRead, id: FileId) -> Result<(StoredFile, Reach), AppError> {
        let file = self.file_queries.file(read.tenant, id).await?.ok_or_else(crate::files::file_not_found)?;
        let reach = Reach::of(&read.context, self.file_queries.as_ref(), &file).await?;
        if reach == Reach::None || file.deleted_at().is_some() {
            return Err(crate::files::file_not_found());
        }
        Ok((file, reach))
    }

    /// Moves a file to the bin: 404 everywhere until restored.
    ///
    /// # Errors
    /// 404 for a file out of reach; 403 for a member who only holds a grant.
    pub async fn delete_file(&self, context: &RequestContext, id: FileId) -> Result<(), AppError> {
        self.platform.commands().dispatch(&self.files, context, DeleteFile { file_id: id }).await.map(drop)
    }

    /// Takes a file out of the bin.
    ///
    /// # Errors
    /// As [`Files::delete_file`].
    pub async fn restore_file(&self, context: &RequestContext, id: FileId) -> Result<StoredFile, AppError> {
        self.platform.commands().dispatch(&self.files, context, RestoreFile { file_id: id }).await
    }

    /// # Errors
    /// 400 for an unknown access; 404 / 403 as for deletion; 422 `not_in_organization`.
    pub async fn grant_file_access(
        &self,
        context: &RequestContext,
        id: FileId,
        user: UserId,
        access: String,
    ) -> Result<FileGrant, AppError> {
        self.platform
            .commands()
            .dispatch(&self.files, context, GrantFileAccess { file_id: id, user_id: user, access })
            .await
    }

    /// # Errors
    /// 404 for a file out of reach or a member without a grant.
    pub async fn revoke_file_access(&self, context: &RequestContext, id: FileId, user: UserId) -> Result<(), AppError> {
        self.platform.commands().dispatch(&self.files, context, RevokeFileAccess { file_id: id, user_id: user }).await
    }

    /// Who else may read or write the file (for its uploader and `file:manage`).
    ///
    /// # Errors
    /// 404 for a file out of reach; 403 for a member who only holds a grant.
    pub async fn file_grants(&self, context: &RequestContext, id: FileId) -> Result<Vec<FileGrant>, AppError> {
        self.read("files.grants", context, |read| async move {
            let (_, reach) = self.reach(&read, id).await?;
            if reach < Reach::Own {
                return Err(AppError::Forbidden {
                    code: ErrorCode::Forbidden,
                    message: "only the file's uploader and organization admins see its grants",
                });
            }
            Ok(self.file_queries.grants(read.tenant, id).await?)
        })
        .await
    }

    /// Every version of a visible file, oldest first.
    ///
    /// # Errors
    /// As [`Files::file`].
    pub async fn file_versions(&self, context: &RequestContext, id: FileId) -> Result<Vec<FileVersion>, AppError> {
        self.read("files.versions", context, |read| async move {
            self.reach(&read, id).await?;
            Ok(self.file_queries.versions(read.tenant, id).await?)
        })
        .await
    }

    /// A version of a visible file (the current one without `number`).
    ///
    /// # Errors
    /// As [`Files::file`]; 404 for a version that does not exist.
    pub async fn file_version(
        &self,
        context: &RequestContext,
        id: FileId,
        number: Option<i64>,
    ) -> Result<(StoredFile, FileVersion), AppError> {
        self.read("files.version", context, |read| async move {
            let (file, _) = self.reach(&read, id).await?;
            let version = match number {
                None => file.current().clone(),
                Some(n) => self
                    .file_queries
                    .versions(read.tenant, id)
                    .await?
                    .into_iter()
                    .find(|v| v.number == n)
                    .ok_or(AppError::NotFound { message: "version not found" })?,
            };
            Ok((file, version))
        })
        .await
    }

    /// Renames and/or moves a file (its uploader, or `file:manage`).
    ///
    /// # Errors
    /// See [`UpdateFile`].
    pub async fn update_file(&self, context: &RequestContext, command: UpdateFile) -> Result<StoredFile, AppError> {
        self.platform.commands().dispatch(&self.files, context, command).await
    }

    /// # Errors
    /// See [`CreateFolder`].
    pub async fn create_folder(&self, context: &RequestContext, command: CreateFolder) -> Result<Folder, AppError> {
        self.platform.commands().dispatch(&self.files, context, command).await
    }

    /// # Errors
    /// See [`UpdateFolder`].
    pub async fn update_folder(&self, context: &RequestContext, command: UpdateFolder) -> Result<Folder, AppError> {
        self.platform.commands().dispatch(&self.files, context, command).await
    }

    /// # Errors
    /// See [`DeleteFolder`].
    pub async fn delete_folder(&self, context: &RequestContext, command: DeleteFolder) -> Result<(), AppError> {
        self.platform.commands().dispatch(&self.files, context, command).await
    }

    /// A folder of the context's organization (every member sees the tree).
    ///
    /// # Errors
    /// 404 for a folder of another organization or none.
    pub async fn folder(&self, context: &RequestContext, id: FolderId) -> Result<Folder, AppError> {
        self.read("files.folder", context, |read| async move {
            self.file_queries.folder(read.tenant, id).await?.ok_or_else(folder_not_found)
        })
        .await
    }

    /// A page of what a folder (`None`: the top level) holds: subfolders, then the
    /// files the caller reaches, each by name.
    ///
    /// # Errors
    /// 404 for an unknown folder.
    pub async fn folder_children(
        &self,
        context: &RequestContext,
        folder: Option<FolderId>,
        page: PageRequest,
    ) -> Result<Page<FolderEntry>, AppError> {
        self.read("files.folder_children", context, |read| async move {
            if let Some(folder) = folder {
                self.file_queries.folder(read.tenant, folder).await?.ok_or_else(folder_not_found)?;
            }
            let viewer =
                if read.context.permits("file:manage") { None } else { Some(read.context.require_caller()?.user_id) };
            Ok(self.file_queries.children(read.tenant, folder, viewer, page).await?)
        })
        .await
    }

    /// A signed link to the current version of a file the caller reaches.
    ///
    /// # Errors
    /// See [`CreateFileLink`].
    pub async fn create_file_link(
        &self,
        context: &RequestContext,
        command: CreateFileLink,
    ) -> Result<FileLink, AppError> {
        self.platform.commands().dispatch(&self.files, context, command).await
    }

    /// The file and version a download link serves, without a bearer token: the
    /// link must be signed and unexpired, the file out of the bin, and the link's
    /// creator must still reach it (a revoked grant or a departure ends their links).
    ///
    /// # Errors
    /// 410 `link_expired` past its time; 404 for anything else wrong with it.
    pub async fn open_file_link(&self, token: &str) -> Result<(StoredFile, FileVersion), AppError> {
        let not_found = || AppError::NotFound { message: "no such link" };
        let claims = match self.file_links.verify(token, self.platform.clock().now()) {
            Ok(claims) => claims,
            Err(crate::ports::TokenError::Expired) => {
                return Err(AppError::Gone {
                    code: ErrorCode::LinkExpired,
                    message: "the link has expired; ask for a new one",
                })
            }
            Err(_) => return Err(not_found()),
        };
        let tenant = claims.tenant_id;
        let file = self.file_queries.file(tenant, claims.file_id).await?.ok_or_else(not_found)?;
        if file.deleted_at().is_some() {
            return Err(not_found());
        }
        let manages = self.platform.authority().user_holds(tenant, claims.created_by, "file:manage").await?;
        if Reach::of_user(claims.created_by, manages, self.file_queries.as_ref(), &file).await? == Reach::None {
            return Err(not_found());
        }
        let version = self
            .file_queries
            .versions(tenant, file.id())
            .await?
            .into_iter()
            .find(|v| v.number == claims.version)
            .ok_or_else(not_found)?;
        Ok((file, version))
    }

    /// The thumbnail of a visible file's current version: `Ok(None)` while it is
    /// being made.
    ///
    /// # Errors
    /// As [`Files::file`]; 404 when the file has no thumbnail (not an image, or
    /// one that could not be read).
    pub async fn file_thumbnail(&self, context: &RequestContext, id: FileId) -> Result<Option<ByteStream>, AppError> {
        let file = self.file(context, id).await?;
        match &file.current().processing {
            Processing::Pending => Ok(None),
            Processing::Done { thumbnail_sha256 } => {
                Ok(Some(self.file_store.get(thumbnail_sha256, None).await.map_err(store_error)?))
            }
            Processing::None => Err(AppError::NotFound { message: "only images get a thumbnail" }),
            Processing::Failed => Err(AppError::NotFound { message: "the image could not be read: no thumbnail" }),
        }
    }

    /// The bytes of a version obtained from [`Files::file_version`].
    ///
    /// # Errors
    /// 500 when the store lost the blob.
    pub async fn file_content(&self, version: &FileVersion, range: Option<(u64, u64)>) -> Result<ByteStream, AppError> {
        self.file_store.get(&version.blob.sha256, range).await.map_err(store_error)
    }
}
