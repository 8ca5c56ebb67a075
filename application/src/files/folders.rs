//! Folder use cases: create, rename, move (never into itself) and delete (only
//! when empty), and moving or renaming files between folders. Every member with
//! `file:read` sees the folder tree; what a folder lists of files still follows
//! each file's reach.

use async_trait::async_trait;
use tenantry_domain::files::{FileId, FileName, Folder, FolderId, FolderName, StoredFile};

use super::{load, FilesHandler, Reach};
use crate::files::ports::FileRepositories;
use crate::pipeline::{tenant_of, AuditSubject, Authorization, Command, CommandHandler, RequestContext};
use crate::ports::{RepositoryError, UnitOfWork};
use crate::{AppError, ErrorCode};

pub(crate) fn folder_not_found() -> AppError {
    AppError::NotFound { message: "folder not found" }
}

fn name_taken() -> AppError {
    AppError::Conflict { code: ErrorCode::NameTaken, message: "a folder of that name is already there" }
}

/// A sibling's name is a conflict; everything else keeps its meaning.
fn sibling_name(error: RepositoryError) -> AppError {
    match error {
        RepositoryError::Duplicate { .. } => name_taken(),
        other => other.into(),
    }
}

/// The folder `id` of the context's organization, read for update.
pub(crate) async fn existing_folder(
    repositories: &dyn FileRepositories,
    context: &RequestContext,
    uow: &mut dyn UnitOfWork,
    id: FolderId,
) -> Result<Folder, AppError> {
    repositories.files(uow)?.find_folder(tenant_of(context)?, id).await?.ok_or_else(folder_not_found)
}

/// Its creator or `file:manage` reorganise a folder; other members only fill it.
fn ensure_may_change(context: &RequestContext, folder: &Folder) -> Result<(), AppError> {
    let creator = context.principal.as_ref().is_some_and(|p| p.user_id == folder.created_by());
    if creator || context.permits("file:manage") {
        Ok(())
    } else {
        Err(AppError::Forbidden {
            code: ErrorCode::Forbidden,
            message: "only the folder's creator and organization admins change it",
        })
    }
}

/// Make a folder, at the top level or inside `parent_id`.
#[derive(Debug, Clone)]
pub struct CreateFolder {
    pub name: String,
    pub parent_id: Option<FolderId>,
}

impl Command for CreateFolder {
    const NAME: &'static str = "files.create_folder";
    type Output = Folder;

    fn authorization(&self) -> Authorization {
        Authorization::TenantPermission("file:write")
    }

    fn audit_subject(&self, _: &RequestContext, output: &Folder) -> Option<AuditSubject> {
        Some(AuditSubject::new("folder", output.id()))
    }
}

/// Rename and/or move a folder (`parent_id: Some(None)` moves it to the top level).
#[derive(Debug, Clone)]
pub struct UpdateFolder {
    pub folder_id: FolderId,
    pub name: Option<String>,
    pub parent_id: Option<Option<FolderId>>,
    pub expected_version: Option<i64>,
}

impl Command for UpdateFolder {
    const NAME: &'static str = "files.update_folder";
    type Output = Folder;

    fn authorization(&self) -> Authorization {
        Authorization::TenantPermission("file:write")
    }

    fn audit_subject(&self, _: &RequestContext, _: &Folder) -> Option<AuditSubject> {
        Some(AuditSubject::new("folder", self.folder_id))
    }
}

/// Remove an empty folder.
#[derive(Debug, Clone)]
pub struct DeleteFolder {
    pub folder_id: FolderId,
    pub expected_version: Option<i64>,
}

impl Command for DeleteFolder {
    const NAME: &'static str = "files.delete_folder";
    type Output = ();

    fn authorization(&self) -> Authorization {
        Authorization::TenantPermission("file:write")
    }

    fn audit_subject(&self, _: &RequestContext, _: &()) -> Option<AuditSubject> {
        Some(AuditSubject::new("folder", self.folder_id))
    }
}

/// Rename a file and/or move it (`folder_id: Some(None)` to the top level).
#[derive(Debug, Clone)]
pub struct UpdateFile {
    pub file_id: FileId,
    pub name: Option<String>,
    pub folder_id: Option<Option<FolderId>>,
}

impl Command for UpdateFile {
    const NAME: &'static str = "files.update_file";
    type Output = StoredFile;

    fn authorization(&self) -> Authorization {
        Authorization::TenantPermission("file:write")
    }

    fn audit_subject(&self, _: &RequestContext, _: &StoredFile) -> Option<AuditSubject> {
        Some(AuditSubject::new("file", self.file_id))
    }
}

#[async_trait]
impl CommandHandler<CreateFolder> for FilesHandler {
    /// # Errors
    /// 400 for a bad name; 404 for an unknown parent; 409 `name_taken` for a
    /// sibling of the same name.
    async fn handle(
        &self,
        context: &RequestContext,
        command: &CreateFolder,
        uow: &mut dyn UnitOfWork,
    ) -> Result<Folder, AppError> {
        let caller = context.require_caller()?.user_id;
        let tenant = tenant_of(context)?;
        let name = FolderName::parse(&command.name)?;
        if let Some(parent) = command.parent_id {
            existing_folder(self.repositories.as_ref(), context, uow, parent).await?;
        }
        let folder = Folder::create(tenant, name, command.parent_id, caller, self.clock.now());
        self.repositories.files(uow)?.insert_folder(&folder).await.map_err(sibling_name)?;
        Ok(folder)
    }
}

#[async_trait]
impl CommandHandler<UpdateFolder> for FilesHandler {
    /// # Errors
    /// 400 for a bad name; 404 for an unknown folder or parent; 403 for a member
    /// who did not create it; 412 on a stale `If-Match`; 409 `name_taken`; 422
    /// `folder_cycle` for a move into itself or below itself.
    async fn handle(
        &self,
        context: &RequestContext,
        command: &UpdateFolder,
        uow: &mut dyn UnitOfWork,
    ) -> Result<Folder, AppError> {
        let tenant = tenant_of(context)?;
        let name = command.name.as_deref().map(FolderName::parse).transpose()?;
        if command.parent_id.is_some() {
            self.repositories.files(uow)?.lock_folder_tree(tenant).await?;
        }
        let mut folder = existing_folder(self.repositories.as_ref(), context, uow, command.folder_id).await?;
        ensure_may_change(context, &folder)?;
        folder.ensure_version(command.expected_version)?;
        let now = self.clock.now();
        let mut changed = name.is_some_and(|name| folder.rename(name, now));
        if let Some(parent) = command.parent_id {
            let ancestors = match parent {
                Some(parent) => {
                    existing_folder(self.repositories.as_ref(), context, uow, parent).await?;
                    self.repositories.files(uow)?.ancestors(tenant, parent).await?
                }
                None => Vec::new(),
            };
            changed |= folder.move_to(parent, &ancestors, now)?;
        }
        if changed {
            self.repositories.files(uow)?.save_folder(&folder).await.map_err(sibling_name)?;
        }
        Ok(folder)
    }
}

#[async_trait]
impl CommandHandler<DeleteFolder> for FilesHandler {
    /// # Errors
    /// 404 / 403 / 412 as for renaming; 409 `folder_not_empty` while it holds
    /// subfolders or files outside the bin.
    async fn handle(
        &self,
        context: &RequestContext,
        command: &DeleteFolder,
        uow: &mut dyn UnitOfWork,
    ) -> Result<(), AppError> {
        let tenant = tenant_of(context)?;
        let folder = existing_folder(self.repositories.as_ref(), context, uow, command.folder_id).await?;
        ensure_may_change(context, &folder)?;
        folder.ensure_version(command.expected_version)?;
        if self.repositories.files(uow)?.folder_has_children(tenant, folder.id()).await? {
            return Err(AppError::Conflict {
                code: ErrorCode::FolderNotEmpty,
                message: "move or delete what the folder holds first",
            });
        }
        self.repositories.files(uow)?.delete_folder(tenant, folder.id()).await?;
        Ok(())
    }
}

#[async_trait]
impl CommandHandler<UpdateFile> for FilesHandler {
    /// # Errors
    /// 400 for a bad name; 404 for a file out of reach or an unknown folder; 403
    /// for a member who only holds a grant.
    async fn handle(
        &self,
        context: &RequestContext,
        command: &UpdateFile,
        uow: &mut dyn UnitOfWork,
    ) -> Result<StoredFile, AppError> {
        let name = command.name.as_deref().map(FileName::sanitize).transpose()?;
        let mut file = load(self.repositories.as_ref(), context, uow, command.file_id, Reach::Own, false).await?;
        if let Some(Some(folder)) = command.folder_id {
            existing_folder(self.repositories.as_ref(), context, uow, folder).await?;
        }
        if file.relocate(name, command.folder_id) {
            self.repositories.files(uow)?.save_state(&file).await?;
        }
        Ok(file)
    }
}
