/// The role/permission catalogue repository for one backend.
macro_rules! tenancy {
    ($db:ty, $uow:ty) => {
        use async_trait::async_trait;
        use sqlx::Row;
        use tenantry_application::ports::{RepositoryError, RoleCatalogueRepository};

        use crate::sql::storage_error;

        #[async_trait]
        impl RoleCatalogueRepository for $uow {
            async fn upsert_permission(&mut self, key: &str, description: &str) -> Result<bool, RepositoryError> {
                let existing: Option<String> = sqlx::query("SELECT description FROM permissions WHERE key = $1")
                    .bind(key)
                    .fetch_optional(&mut *self.tx)
                    .await
                    .map_err(storage_error)?
                    .map(|row| row.try_get("description"))
                    .transpose()
                    .map_err(storage_error)?;
                match existing {
                    Some(current) if current == description => Ok(false),
                    Some(_) => {
                        sqlx::query("UPDATE permissions SET description = $2 WHERE key = $1")
                            .bind(key)
                            .bind(description)
                            .execute(&mut *self.tx)
                            .await
                            .map_err(storage_error)?;
                        Ok(false)
                    }
                    None => {
                        sqlx::query("INSERT INTO permissions (key, description) VALUES ($1, $2)")
                            .bind(key)
                            .bind(description)
                            .execute(&mut *self.tx)
                            .await
                            .map_err(storage_error)?;
                        Ok(true)
                    }
                }
            }

            async fn upsert_role(
                &mut self,
                name: &str,
                description: &str,
                permissions: &[&'static str],
            ) -> Result<bool, RepositoryError> {
                let current_description: Option<String> = sqlx::query("SELECT description FROM roles WHERE name = $1")
                    .bind(name)
                    .fetch_optional(&mut *self.tx)
                    .await
                    .map_err(storage_error)?
                    .map(|row| row.try_get("description"))
                    .transpose()
                    .map_err(storage_error)?;
                let mut current_permissions: Vec<String> = sqlx::query(
                    "SELECT permission_key FROM role_permissions WHERE role_name = $1 ORDER BY permission_key",
                )
                .bind(name)
                .fetch_all(&mut *self.tx)
                .await
                .map_err(storage_error)?
                .iter()
                .map(|row| row.try_get("permission_key"))
                .collect::<Result<_, _>>()
                .map_err(storage_error)?;
                current_permissions.sort();
                let mut wanted: Vec<String> = permissions.iter().map(|p| (*p).to_owned()).collect();
                wanted.sort();
                if current_description.as_deref() == Some(description) && current_permissions == wanted {
                    return Ok(false);
                }
                if current_description.is_none() {
                    sqlx::query("INSERT INTO roles (name, description) VALUES ($1, $2)")
                        .bind(name)
                        .bind(description)
                        .execute(&mut *self.tx)
                        .await
                        .map_err(storage_error)?;
                } else {
                    sqlx::query("UPDATE roles SET description = $2 WHERE name = $1")
                        .bind(name)
                        .bind(description)
                        .execute(&mut *self.tx)
                        .await
                        .map_err(storage_error)?;
                }
                sqlx::query("DELETE FROM role_permissions WHERE role_name = $1")
                    .bind(name)
                    .execute(&mut *self.tx)
                    .await
                    .map_err(storage_error)?;
                for permission in wanted {
                    sqlx::query("INSERT INTO role_permissions (role_name, permission_key) VALUES ($1, $2)")
                        .bind(name)
                        .bind(permission)
                        .execute(&mut *self.tx)
                        .await
                        .map_err(storage_error)?;
                }
                Ok(true)
            }
        }
    };
}

pub(crate) use tenancy;
