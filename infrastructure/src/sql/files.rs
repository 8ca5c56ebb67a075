/// The files context of one backend: the repository inside the unit of work and the
/// read side, both confined to one tenant.
macro_rules! files {
    ($db:ty, $uow:ty, $lock:literal) => {
        use async_trait::async_trait;
        use sqlx::Row;
        use tenantry_application::ports::{DataScope, FileGrant, FileQueries, FileRepository, RepositoryError};
        use tenantry_domain::files::{Blob, FileAccess, FileId, FileName, FileVersion, StoredFile};
        use tenantry_kernel::{TenantId, UserId};

        use crate::sql::{corrupt, storage_error};

        type DbRow = <$db as sqlx::Database>::Row;

        const FILE_COLUMNS: &str = "f.id, f.tenant_id, f.name, f.uploaded_by, f.created_at, f.deleted_at, f.version, \
             v.number, v.sha256, v.size, v.content_type, v.uploaded_by AS version_uploaded_by, \
             v.created_at AS version_created_at";
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
            })
        }

        fn file_from_row(row: &DbRow) -> Result<StoredFile, RepositoryError> {
            let id = FileId::from_uuid(row.try_get("id").map_err(storage_error)?);
            Ok(StoredFile::restore(
                id,
                TenantId::from_uuid(row.try_get("tenant_id").map_err(storage_error)?),
                FileName::from_storage(row.try_get("name").map_err(storage_error)?),
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

        const ACCESS_OF: &str = "SELECT access FROM file_permissions WHERE tenant_id = $1 AND file_id = $2 AND user_id = $3";

        async fn insert_version(
            conn: &mut <$db as sqlx::Database>::Connection,
            file: &StoredFile,
        ) -> Result<(), RepositoryError> {
            let version = file.current();
            sqlx::query(
                "INSERT INTO file_versions (file_id, number, tenant_id, sha256, size, content_type, uploaded_by, \
                 created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(file.id().as_uuid())
            .bind(version.number)
            .bind(file.tenant_id().as_uuid())
            .bind(&version.blob.sha256)
            .bind(i64::try_from(version.blob.size).unwrap_or(i64::MAX))
            .bind(&version.blob.content_type)
            .bind(version.uploaded_by.as_uuid())
            .bind(version.created_at)
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
                     version) VALUES ($1, $2, $3, $4, $5, $6, $6, $7)",
                )
                .bind(file.id().as_uuid())
                .bind(file.tenant_id().as_uuid())
                .bind(file.name().as_str())
                .bind(file.uploaded_by().as_uuid())
                .bind(file.current().number)
                .bind(file.created_at())
                .bind(file.version())
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
                if updated.rows_affected() == 0 {
                    return Err(RepositoryError::StaleVersion);
                }
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
                    "UPDATE files SET deleted_at = $3, version = $4 WHERE tenant_id = $1 AND id = $2 AND version = $5",
                )
                .bind(file.tenant_id().as_uuid())
                .bind(file.id().as_uuid())
                .bind(file.deleted_at())
                .bind(file.version())
                .bind(file.version() - 1)
                .execute(&mut *self.tx)
                .await
                .map_err(storage_error)?;
                if updated.rows_affected() == 0 {
                    return Err(RepositoryError::StaleVersion);
                }
                Ok(())
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
                    "SELECT number, sha256, size, content_type, uploaded_by, created_at FROM file_versions \
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
        }
    };
}

pub(crate) use files;
