/// The files context of one backend: the repository inside the unit of work and the
/// read side, both confined to one tenant.
macro_rules! files {
    ($db:ty, $uow:ty, $lock:literal) => {
        use async_trait::async_trait;
        use sqlx::Row;
        use tenantry_application::ports::{DataScope, RepositoryError};
        use tenantry_application::files::ports::{FileGrant, FileQueries, FileRepository, FolderEntry};
        use tenantry_domain::files::{
            Blob, FileAccess, FileId, FileName, FileVersion, Folder, FolderId, FolderName, Processing, StoredFile,
        };
        use tenantry_kernel::{Page, PageRequest, TenantId, UserId};

        use crate::sql::{corrupt, storage_error};

        type DbRow = <$db as sqlx::Database>::Row;

        const FILE_COLUMNS: &str = "f.id, f.tenant_id, f.name, f.folder_id, f.uploaded_by, f.created_at, f.deleted_at, f.version, \
             v.number, v.sha256, v.size, v.content_type, v.uploaded_by AS version_uploaded_by, \
             v.created_at AS version_created_at, v.processing, v.thumbnail_sha256";
        const FILE_FROM: &str =
            "FROM files f JOIN file_versions v ON v.file_id = f.id AND v.number = f.current_version";

        fn version_from_row(row: &DbRow, file_id: FileId, by: &str, at: &str) -> Result<FileVersion, RepositoryError> {
            let size: i64 = row.try_get("size").map_err(storage_error)?;
            Ok(FileVersion {
                file_id,
                number: row.try_get("number").map_err(storage_error)?,
                blob: Blob {
                    sha256: row.try_get("sha256").map_err(storage_error)?,
                    size: u64::try_from(size).map_err(|_| RepositoryError::Other("negative file size".into()))?,
                    content_type: row.try_get("content_type").map_err(storage_error)?,
                },
                uploaded_by: UserId::from_uuid(row.try_get(by).map_err(storage_error)?),
                created_at: row.try_get(at).map_err(storage_error)?,
                processing: Processing::from_parts(
                    &row.try_get::<String, _>("processing").map_err(storage_error)?,
                    row.try_get("thumbnail_sha256").map_err(storage_error)?,
                )
                .map_err(corrupt("file processing"))?,
            })
        }

        fn file_from_row(row: &DbRow) -> Result<StoredFile, RepositoryError> {
            let id = FileId::from_uuid(row.try_get("id").map_err(storage_error)?);
            Ok(StoredFile::restore(
                id,
                TenantId::from_uuid(row.try_get("tenant_id").map_err(storage_error)?),
                FileName::from_storage(row.try_get("name").map_err(storage_error)?),
                row.try_get::<Option<uuid::Uuid>, _>("folder_id").map_err(storage_error)?.map(FolderId::from_uuid),
                UserId::from_uuid(row.try_get("uploaded_by").map_err(storage_error)?),
                version_from_row(row, id, "version_uploaded_by", "version_created_at")?,
                row.try_get("created_at").map_err(storage_error)?,
                row.try_get("deleted_at").map_err(storage_error)?,
                row.try_get("version").map_err(storage_error)?,
            ))
        }

        fn access_from(raw: Option<String>) -> Result<Option<FileAccess>, RepositoryError> {
            raw.map(|raw| FileAccess::parse(&raw).map_err(corrupt("file access"))).transpose()
        }

        fn grant_from_row(row: &DbRow, file_id: FileId) -> Result<FileGrant, RepositoryError> {
            let access: String = row.try_get("access").map_err(storage_error)?;
            Ok(FileGrant {
                file_id,
                user_id: UserId::from_uuid(row.try_get("user_id").map_err(storage_error)?),
                access: FileAccess::parse(&access).map_err(corrupt("file access"))?,
                granted_by: UserId::from_uuid(row.try_get("granted_by").map_err(storage_error)?),
                granted_at: row.try_get("granted_at").map_err(storage_error)?,
            })
        }

        const FOLDER_COLUMNS: &str = "id, tenant_id, name, parent_id, created_by, created_at, updated_at, version";

        fn folder_from_row(row: &DbRow) -> Result<Folder, RepositoryError> {
            Ok(Folder::restore(
                FolderId::from_uuid(row.try_get("id").map_err(storage_error)?),
                TenantId::from_uuid(row.try_get("tenant_id").map_err(storage_error)?),
                FolderName::from_storage(row.try_get("name").map_err(storage_error)?),
                row.try_get::<Option<uuid::Uuid>, _>("parent_id").map_err(storage_error)?.map(FolderId::from_uuid),
                UserId::from_uuid(row.try_get("created_by").map_err(storage_error)?),
                row.try_get("created_at").map_err(storage_error)?,
                row.try_get("updated_at").map_err(storage_error)?,
                row.try_get("version").map_err(storage_error)?,
            ))
        }

        /// `= $n` for a folder, `IS NULL` for the top level.
        fn push_parent(builder: &mut sqlx::QueryBuilder<'_, $db>, column: &str, folder: Option<FolderId>) {
            match folder {
                Some(folder) => builder.push(format!(" AND {column} = ")).push_bind(folder.as_uuid()),
                None => builder.push(format!(" AND {column} IS NULL")),
            };
        }

        const ACCESS_OF: &str = "SELECT access FROM file_permissions WHERE tenant_id = $1 AND file_id = $2 AND user_id = $3";

        async fn insert_version(
            conn: &mut <$db as sqlx::Database>::Connection,
            file: &StoredFile,
        ) -> Result<(), RepositoryError> {
            let version = file.current();
            sqlx::query(
                "INSERT INTO file_versions (file_id, number, tenant_id, sha256, size, content_type, uploaded_by, \
                 created_at, processing) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            )
            .bind(file.id().as_uuid())
            .bind(version.number)
            .bind(file.tenant_id().as_uuid())
            .bind(&version.blob.sha256)
            .bind(i64::try_from(version.blob.size).unwrap_or(i64::MAX))
            .bind(&version.blob.content_type)
            .bind(version.uploaded_by.as_uuid())
            .bind(version.created_at)
            .bind(version.processing.as_str())
            .execute(conn)
            .await
            .map_err(storage_error)?;
            Ok(())
        }

        #[async_trait]
        impl FileRepository for $uow {
            async fn insert(&mut self, file: &StoredFile) -> Result<(), RepositoryError> {
                sqlx::query(
                    "INSERT INTO files (id, tenant_id, name, uploaded_by, current_version, created_at, updated_at, \
                     version, folder_id) VALUES ($1, $2, $3, $4, $5, $6, $6, $7, $8)",
                )
                .bind(file.id().as_uuid())
                .bind(file.tenant_id().as_uuid())
                .bind(file.name().as_str())
                .bind(file.uploaded_by().as_uuid())
                .bind(file.current().number)
                .bind(file.created_at())
                .bind(file.version())
                .bind(file.folder().map(|folder| folder.as_uuid()))
                .execute(&mut *self.tx)
                .await
                .map_err(storage_error)?;
                insert_version(&mut self.tx, file).await
            }

            async fn add_version(&mut self, file: &StoredFile) -> Result<(), RepositoryError> {
                let updated = sqlx::query(
                    "UPDATE files SET current_version = $3, updated_at = $4, version = $5 \
                     WHERE tenant_id = $1 AND id = $2 AND version = $6",
                )
                .bind(file.tenant_id().as_uuid())
                .bind(file.id().as_uuid())
                .bind(file.current().number)
                .bind(file.current().created_at)
                .bind(file.version())
                .bind(file.version() - 1)
                .execute(&mut *self.tx)
                .await
                .map_err(storage_error)?;
                crate::sql::stale_unless_one(updated.rows_affected())?;
                insert_version(&mut self.tx, file).await
            }

            async fn find(&mut self, tenant: TenantId, id: FileId) -> Result<Option<StoredFile>, RepositoryError> {
                let sql = format!("SELECT {FILE_COLUMNS} {FILE_FROM} WHERE f.tenant_id = $1 AND f.id = $2{}", $lock);
                let row = sqlx::query(&sql)
                    .bind(tenant.as_uuid())
                    .bind(id.as_uuid())
                    .fetch_optional(&mut *self.tx)
                    .await
                    .map_err(storage_error)?;
                row.as_ref().map(file_from_row).transpose()
            }

            async fn save_state(&mut self, file: &StoredFile) -> Result<(), RepositoryError> {
                let updated = sqlx::query(
                    "UPDATE files SET deleted_at = $3, version = $4, name = $6, folder_id = $7 \
                     WHERE tenant_id = $1 AND id = $2 AND version = $5",
                )
                .bind(file.tenant_id().as_uuid())
                .bind(file.id().as_uuid())
                .bind(file.deleted_at())
                .bind(file.version())
                .bind(file.version() - 1)
                .bind(file.name().as_str())
                .bind(file.folder().map(|folder| folder.as_uuid()))
                .execute(&mut *self.tx)
                .await
                .map_err(storage_error)?;
                crate::sql::stale_unless_one(updated.rows_affected())
            }

            async fn grant(&mut self, tenant: TenantId, grant: &FileGrant) -> Result<(), RepositoryError> {
                sqlx::query(
                    "INSERT INTO file_permissions (file_id, user_id, tenant_id, access, granted_by, granted_at) \
                     VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (file_id, user_id) DO UPDATE SET \
                     access = excluded.access, granted_by = excluded.granted_by, granted_at = excluded.granted_at",
                )
                .bind(grant.file_id.as_uuid())
                .bind(grant.user_id.as_uuid())
                .bind(tenant.as_uuid())
                .bind(grant.access.as_str())
                .bind(grant.granted_by.as_uuid())
                .bind(grant.granted_at)
                .execute(&mut *self.tx)
                .await
                .map_err(storage_error)?;
                Ok(())
            }

            async fn revoke(&mut self, tenant: TenantId, file: FileId, user: UserId) -> Result<bool, RepositoryError> {
                let deleted =
                    sqlx::query("DELETE FROM file_permissions WHERE tenant_id = $1 AND file_id = $2 AND user_id = $3")
                        .bind(tenant.as_uuid())
                        .bind(file.as_uuid())
                        .bind(user.as_uuid())
                        .execute(&mut *self.tx)
                        .await
                        .map_err(storage_error)?;
                Ok(deleted.rows_affected() == 1)
            }

            async fn revoke_everywhere(&mut self, tenant: TenantId, user: UserId) -> Result<(), RepositoryError> {
                sqlx::query("DELETE FROM file_permissions WHERE tenant_id = $1 AND user_id = $2")
                    .bind(tenant.as_uuid())
                    .bind(user.as_uuid())
                    .execute(&mut *self.tx)
                    .await
                    .map_err(storage_error)?;
                Ok(())
            }

            async fn access_of(
                &mut self,
                tenant: TenantId,
                file: FileId,
                user: UserId,
            ) -> Result<Option<FileAccess>, RepositoryError> {
                let access: Option<String> = sqlx::query_scalar(ACCESS_OF)
                    .bind(tenant.as_uuid())
                    .bind(file.as_uuid())
                    .bind(user.as_uuid())
                    .fetch_optional(&mut *self.tx)
                    .await
                    .map_err(storage_error)?;
                access_from(access)
            }

            async fn insert_folder(&mut self, folder: &Folder) -> Result<(), RepositoryError> {
                sqlx::query(
                    "INSERT INTO folders (id, tenant_id, name, parent_id, created_by, created_at, updated_at, version) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                )
                .bind(folder.id().as_uuid())
                .bind(folder.tenant_id().as_uuid())
                .bind(folder.name().as_str())
                .bind(folder.parent().map(|parent| parent.as_uuid()))
                .bind(folder.created_by().as_uuid())
                .bind(folder.created_at())
                .bind(folder.updated_at())
                .bind(folder.version())
                .execute(&mut *self.tx)
                .await
                .map_err(storage_error)?;
                Ok(())
            }

            async fn find_folder(&mut self, tenant: TenantId, id: FolderId) -> Result<Option<Folder>, RepositoryError> {
                let sql = format!("SELECT {FOLDER_COLUMNS} FROM folders WHERE tenant_id = $1 AND id = $2{}", $lock);
                let row = sqlx::query(&sql)
                    .bind(tenant.as_uuid())
                    .bind(id.as_uuid())
                    .fetch_optional(&mut *self.tx)
                    .await
                    .map_err(storage_error)?;
                row.as_ref().map(folder_from_row).transpose()
            }

            async fn save_folder(&mut self, folder: &Folder) -> Result<(), RepositoryError> {
                let updated = sqlx::query(
                    "UPDATE folders SET name = $3, parent_id = $4, updated_at = $5, version = $6 \
                     WHERE tenant_id = $1 AND id = $2 AND version = $7",
                )
                .bind(folder.tenant_id().as_uuid())
                .bind(folder.id().as_uuid())
                .bind(folder.name().as_str())
                .bind(folder.parent().map(|parent| parent.as_uuid()))
                .bind(folder.updated_at())
                .bind(folder.version())
                .bind(folder.version() - 1)
                .execute(&mut *self.tx)
                .await
                .map_err(storage_error)?;
                crate::sql::stale_unless_one(updated.rows_affected())
            }

            async fn delete_folder(&mut self, tenant: TenantId, id: FolderId) -> Result<(), RepositoryError> {
                sqlx::query("UPDATE files SET folder_id = NULL WHERE tenant_id = $1 AND folder_id = $2")
                    .bind(tenant.as_uuid())
                    .bind(id.as_uuid())
                    .execute(&mut *self.tx)
                    .await
                    .map_err(storage_error)?;
                sqlx::query("DELETE FROM folders WHERE tenant_id = $1 AND id = $2")
                    .bind(tenant.as_uuid())
                    .bind(id.as_uuid())
                    .execute(&mut *self.tx)
                    .await
                    .map_err(storage_error)?;
                Ok(())
            }

            async fn folder_has_children(&mut self, tenant: TenantId, id: FolderId) -> Result<bool, RepositoryError> {
                let found: Option<i32> = sqlx::query_scalar(
                    "SELECT 1 FROM folders WHERE tenant_id = $1 AND parent_id = $2 \
                     UNION ALL SELECT 1 FROM files WHERE tenant_id = $1 AND folder_id = $2 AND deleted_at IS NULL \
                     LIMIT 1",
                )
                .bind(tenant.as_uuid())
                .bind(id.as_uuid())
                .fetch_optional(&mut *self.tx)
                .await
                .map_err(storage_error)?;
                Ok(found.is_some())
            }

            async fn ancestors(&mut self, tenant: TenantId, id: FolderId) -> Result<Vec<FolderId>, RepositoryError> {
                // The depth bound keeps a corrupted (cyclic) tree from recursing forever.
                let ids: Vec<uuid::Uuid> = sqlx::query_scalar(
                    "WITH RECURSIVE up (id, parent_id, depth) AS ( \
                       SELECT id, parent_id, 0 FROM folders WHERE tenant_id = $1 AND id = $2 \
                       UNION ALL \
                       SELECT f.id, f.parent_id, up.depth + 1 FROM folders f JOIN up ON f.id = up.parent_id \
                       WHERE f.tenant_id = $1 AND up.depth < 10000 \
                     ) SELECT id FROM up WHERE depth > 0 ORDER BY depth",
                )
                .bind(tenant.as_uuid())
                .bind(id.as_uuid())
                .fetch_all(&mut *self.tx)
                .await
                .map_err(storage_error)?;
                Ok(ids.into_iter().map(FolderId::from_uuid).collect())
            }

            async fn purge_binned(&mut self, before: chrono::DateTime<chrono::Utc>) -> Result<Vec<String>, RepositoryError> {
                let rows = sqlx::query(
                    "SELECT v.sha256, v.thumbnail_sha256 FROM file_versions v JOIN files f ON f.id = v.file_id \
                     WHERE f.deleted_at IS NOT NULL AND f.deleted_at < $1",
                )
                .bind(before)
                .fetch_all(&mut *self.tx)
                .await
                .map_err(storage_error)?;
                let mut candidates = std::collections::BTreeSet::new();
                for row in &rows {
                    candidates.insert(row.try_get::<String, _>("sha256").map_err(storage_error)?);
                    candidates.extend(row.try_get::<Option<String>, _>("thumbnail_sha256").map_err(storage_error)?);
                }
                // Versions and grants go with their files (ON DELETE CASCADE).
                sqlx::query("DELETE FROM files WHERE deleted_at IS NOT NULL AND deleted_at < $1")
                    .bind(before)
                    .execute(&mut *self.tx)
                    .await
                    .map_err(storage_error)?;
                let mut unreferenced = Vec::new();
                for sha256 in candidates {
                    let referenced: Option<i32> = sqlx::query_scalar(
                        "SELECT 1 FROM file_versions WHERE sha256 = $1 OR thumbnail_sha256 = $1 LIMIT 1",
                    )
                    .bind(&sha256)
                    .fetch_optional(&mut *self.tx)
                    .await
                    .map_err(storage_error)?;
                    if referenced.is_none() {
                        unreferenced.push(sha256);
                    }
                }
                Ok(unreferenced)
            }

            async fn set_processing(
                &mut self,
                tenant: TenantId,
                file: FileId,
                version: i64,
                processing: &Processing,
            ) -> Result<(), RepositoryError> {
                let thumbnail = match processing {
                    Processing::Done { thumbnail_sha256 } => Some(thumbnail_sha256.as_str()),
                    _ => None,
                };
                sqlx::query(
                    "UPDATE file_versions SET processing = $4, thumbnail_sha256 = $5 \
                     WHERE tenant_id = $1 AND file_id = $2 AND number = $3",
                )
                .bind(tenant.as_uuid())
                .bind(file.as_uuid())
                .bind(version)
                .bind(processing.as_str())
                .bind(thumbnail)
                .execute(&mut *self.tx)
                .await
                .map_err(storage_error)?;
                Ok(())
            }

            async fn lock_folder_tree(&mut self, tenant: TenantId) -> Result<(), RepositoryError> {
                sqlx::query(
                    "INSERT INTO folder_tree_locks (tenant_id) VALUES ($1) \
                     ON CONFLICT (tenant_id) DO UPDATE SET tenant_id = excluded.tenant_id",
                )
                .bind(tenant.as_uuid())
                .execute(&mut *self.tx)
                .await
                .map_err(storage_error)?;
                Ok(())
            }
        }

        /// Files read side, in tenant-scoped read transactions.
        #[derive(Clone)]
        pub struct SqlFileQueries {
            pool: sqlx::Pool<$db>,
        }

        impl SqlFileQueries {
            pub fn new(pool: sqlx::Pool<$db>) -> Self {
                Self { pool }
            }
        }

        #[async_trait]
        impl FileQueries for SqlFileQueries {
            async fn file(&self, tenant: TenantId, id: FileId) -> Result<Option<StoredFile>, RepositoryError> {
                let mut tx = super::read_in(&self.pool, DataScope::Tenant(tenant)).await?;
                let sql = format!("SELECT {FILE_COLUMNS} {FILE_FROM} WHERE f.tenant_id = $1 AND f.id = $2");
                let row = sqlx::query(&sql)
                    .bind(tenant.as_uuid())
                    .bind(id.as_uuid())
                    .fetch_optional(&mut *tx)
                    .await
                    .map_err(storage_error)?;
                row.as_ref().map(file_from_row).transpose()
            }

            async fn versions(&self, tenant: TenantId, id: FileId) -> Result<Vec<FileVersion>, RepositoryError> {
                let mut tx = super::read_in(&self.pool, DataScope::Tenant(tenant)).await?;
                let rows = sqlx::query(
                    "SELECT number, sha256, size, content_type, uploaded_by, created_at, processing, thumbnail_sha256 \
                     FROM file_versions \
                     WHERE tenant_id = $1 AND file_id = $2 ORDER BY number",
                )
                .bind(tenant.as_uuid())
                .bind(id.as_uuid())
                .fetch_all(&mut *tx)
                .await
                .map_err(storage_error)?;
                rows.iter().map(|row| version_from_row(row, id, "uploaded_by", "created_at")).collect()
            }

            async fn access_of(
                &self,
                tenant: TenantId,
                file: FileId,
                user: UserId,
            ) -> Result<Option<FileAccess>, RepositoryError> {
                let mut tx = super::read_in(&self.pool, DataScope::Tenant(tenant)).await?;
                let access: Option<String> = sqlx::query_scalar(ACCESS_OF)
                    .bind(tenant.as_uuid())
                    .bind(file.as_uuid())
                    .bind(user.as_uuid())
                    .fetch_optional(&mut *tx)
                    .await
                    .map_err(storage_error)?;
                access_from(access)
            }

            async fn grants(&self, tenant: TenantId, file: FileId) -> Result<Vec<FileGrant>, RepositoryError> {
                let mut tx = super::read_in(&self.pool, DataScope::Tenant(tenant)).await?;
                let rows = sqlx::query(
                    "SELECT user_id, access, granted_by, granted_at FROM file_permissions \
                     WHERE tenant_id = $1 AND file_id = $2 ORDER BY granted_at, user_id",
                )
                .bind(tenant.as_uuid())
                .bind(file.as_uuid())
                .fetch_all(&mut *tx)
                .await
                .map_err(storage_error)?;
                rows.iter().map(|row| grant_from_row(row, file)).collect()
            }

            async fn folder(&self, tenant: TenantId, id: FolderId) -> Result<Option<Folder>, RepositoryError> {
                let mut tx = super::read_in(&self.pool, DataScope::Tenant(tenant)).await?;
                let sql = format!("SELECT {FOLDER_COLUMNS} FROM folders WHERE tenant_id = $1 AND id = $2");
                let row = sqlx::query(&sql)
                    .bind(tenant.as_uuid())
                    .bind(id.as_uuid())
                    .fetch_optional(&mut *tx)
                    .await
                    .map_err(storage_error)?;
                row.as_ref().map(folder_from_row).transpose()
            }

            async fn children(
                &self,
                tenant: TenantId,
                folder: Option<FolderId>,
                viewer: Option<UserId>,
                page: PageRequest,
            ) -> Result<Page<FolderEntry>, RepositoryError> {
                // A page of (kind, id) over both tables, then the rows of that page.
                let entries = |builder: &mut sqlx::QueryBuilder<'_, $db>| {
                    builder.push(" SELECT 0 AS kind, id, name FROM folders WHERE tenant_id = ").push_bind(tenant.as_uuid());
                    push_parent(builder, "parent_id", folder);
                    builder
                        .push(" UNION ALL SELECT 1 AS kind, f.id, f.name FROM files f WHERE f.tenant_id = ")
                        .push_bind(tenant.as_uuid())
                        .push(" AND f.deleted_at IS NULL");
                    push_parent(builder, "f.folder_id", folder);
                    if let Some(viewer) = viewer {
                        builder
                            .push(" AND (f.uploaded_by = ")
                            .push_bind(viewer.as_uuid())
                            .push(
                                " OR EXISTS (SELECT 1 FROM file_permissions p WHERE p.tenant_id = f.tenant_id \
                                 AND p.file_id = f.id AND p.user_id = ",
                            )
                            .push_bind(viewer.as_uuid())
                            .push("))");
                    }
                    builder.push(") entries");
                };
                let mut tx = super::read_in(&self.pool, DataScope::Tenant(tenant)).await?;
                let keys = super::page_of(&mut tx, "kind, id FROM (", "FROM (", &entries, "kind, name, id", page, |row| {
                    let kind: i32 = row.try_get("kind").map_err(storage_error)?;
                    let id: uuid::Uuid = row.try_get("id").map_err(storage_error)?;
                    Ok((kind, id))
                })
                .await?;
                let folder_ids: Vec<uuid::Uuid> = keys.items.iter().filter(|(kind, _)| *kind == 0).map(|(_, id)| *id).collect();
                let file_ids: Vec<uuid::Uuid> = keys.items.iter().filter(|(kind, _)| *kind == 1).map(|(_, id)| *id).collect();
                let mut folders = std::collections::HashMap::new();
                if !folder_ids.is_empty() {
                    let mut select = sqlx::QueryBuilder::<$db>::new(format!("SELECT {FOLDER_COLUMNS} FROM folders WHERE tenant_id = "));
                    select.push_bind(tenant.as_uuid()).push(" AND id IN (");
                    let mut ids = select.separated(", ");
                    for id in &folder_ids {
                        ids.push_bind(*id);
                    }
                    select.push(")");
                    for row in select.build().fetch_all(&mut *tx).await.map_err(storage_error)? {
                        let folder = folder_from_row(&row)?;
                        folders.insert(folder.id().as_uuid(), folder);
                    }
                }
                let mut files = std::collections::HashMap::new();
                if !file_ids.is_empty() {
                    let mut select = sqlx::QueryBuilder::<$db>::new(format!("SELECT {FILE_COLUMNS} {FILE_FROM} WHERE f.tenant_id = "));
                    select.push_bind(tenant.as_uuid()).push(" AND f.id IN (");
                    let mut ids = select.separated(", ");
                    for id in &file_ids {
                        ids.push_bind(*id);
                    }
                    select.push(")");
                    for row in select.build().fetch_all(&mut *tx).await.map_err(storage_error)? {
                        let file = file_from_row(&row)?;
                        files.insert(file.id().as_uuid(), file);
                    }
                }
                let total = keys.total;
                let mut items = Vec::with_capacity(keys.items.len());
                for (kind, id) in keys.items {
                    // A row gone between the two reads (deleted meanwhile) is left out.
                    let entry = if kind == 0 {
                        folders.remove(&id).map(FolderEntry::Folder)
                    } else {
                        files.remove(&id).map(FolderEntry::File)
                    };
                    items.extend(entry);
                }
                Ok(Page::new(items, page, total))
            }
        }
    };
}

pub(crate) use files;

impl tenantry_application::files::ports::FileRepositories for crate::SqlRepositories {
    fn files<'u>(
        &self,
        uow: &'u mut dyn tenantry_application::ports::UnitOfWork,
    ) -> Result<
        &'u mut dyn tenantry_application::files::ports::FileRepository,
        tenantry_application::ports::RepositoryError,
    > {
        crate::extension::sql_repository!(uow)
    }
}
