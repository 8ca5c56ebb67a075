/// Tenancy adapters for one backend: organizations, memberships, invitations and
/// the role catalogue (on the unit of work), and the read-side queries (on the pool).
macro_rules! tenancy {
    ($db:ty, $uow:ty, $lock:literal) => {
        use async_trait::async_trait;
        use sqlx::Row;
        use tenantry_application::ports::{DataScope, ListQuery, RepositoryError};
        use tenantry_application::tenancy::ports::{ApiKeyRepository, InvitationRepository, MembershipRepository, MembershipView, OrganizationRepository, OrganizationView, RoleCatalogueRepository, TenancyQueries};
        use tenantry_domain::tenancy::{
            ApiKey, ApiKeyId, ApiKeyName, Invitation, InvitationId, Membership, Organization, OrganizationName, Role, Slug,
        };
        use tenantry_kernel::{EmailAddress, Page, PageRequest, TenantId, UserId};

        use crate::sql::{corrupt, storage_error};

        type DbRow = <$db as sqlx::Database>::Row;

        fn role_from(row: &DbRow) -> Result<Role, RepositoryError> {
            let role: String = row.try_get("role").map_err(storage_error)?;
            role.parse().map_err(corrupt("role"))
        }

        const API_KEY_COLUMNS: &str = "id, tenant_id, name, display_prefix, token_hash, scopes, created_by, created_at, \
             expires_at, last_used_at, revoked_at";

        fn api_key_from_row(row: &DbRow) -> Result<ApiKey, RepositoryError> {
            let name: String = row.try_get("name").map_err(storage_error)?;
            let scopes: String = row.try_get("scopes").map_err(storage_error)?;
            Ok(ApiKey::restore(
                ApiKeyId::from_uuid(row.try_get("id").map_err(storage_error)?),
                TenantId::from_uuid(row.try_get("tenant_id").map_err(storage_error)?),
                ApiKeyName::parse(&name).map_err(corrupt("API key name"))?,
                row.try_get("display_prefix").map_err(storage_error)?,
                row.try_get("token_hash").map_err(storage_error)?,
                scopes.split_whitespace().map(str::to_owned).collect(),
                UserId::from_uuid(row.try_get("created_by").map_err(storage_error)?),
                row.try_get("created_at").map_err(storage_error)?,
                row.try_get("expires_at").map_err(storage_error)?,
                row.try_get("last_used_at").map_err(storage_error)?,
                row.try_get("revoked_at").map_err(storage_error)?,
            ))
        }

        #[async_trait]
        impl ApiKeyRepository for $uow {
            async fn insert(&mut self, key: &ApiKey) -> Result<(), RepositoryError> {
                sqlx::query(
                    "INSERT INTO api_keys (id, tenant_id, name, display_prefix, token_hash, scopes, created_by, created_at, \
                     expires_at, last_used_at, revoked_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
                )
                .bind(key.id().as_uuid())
                .bind(key.tenant_id().as_uuid())
                .bind(key.name().as_str())
                .bind(key.display_prefix())
                .bind(key.token_hash())
                .bind(key.scopes().join(" "))
                .bind(key.created_by().as_uuid())
                .bind(key.created_at())
                .bind(key.expires_at())
                .bind(key.last_used_at())
                .bind(key.revoked_at())
                .execute(&mut *self.tx)
                .await
                .map_err(storage_error)?;
                Ok(())
            }

            async fn update(&mut self, key: &ApiKey) -> Result<(), RepositoryError> {
                sqlx::query("UPDATE api_keys SET revoked_at = $3 WHERE tenant_id = $1 AND id = $2")
                    .bind(key.tenant_id().as_uuid())
                    .bind(key.id().as_uuid())
                    .bind(key.revoked_at())
                    .execute(&mut *self.tx)
                    .await
                    .map_err(storage_error)?;
                Ok(())
            }

            async fn find(&mut self, tenant: TenantId, id: ApiKeyId) -> Result<Option<ApiKey>, RepositoryError> {
                let sql = format!("SELECT {API_KEY_COLUMNS} FROM api_keys WHERE tenant_id = $1 AND id = $2{}", $lock);
                let row = sqlx::query(&sql)
                    .bind(tenant.as_uuid())
                    .bind(id.as_uuid())
                    .fetch_optional(&mut *self.tx)
                    .await
                    .map_err(storage_error)?;
                row.as_ref().map(api_key_from_row).transpose()
            }
        }

        fn membership_from_row(row: &DbRow) -> Result<Membership, RepositoryError> {
            Ok(Membership::restore(
                TenantId::from_uuid(row.try_get("tenant_id").map_err(storage_error)?),
                UserId::from_uuid(row.try_get("user_id").map_err(storage_error)?),
                role_from(row)?,
                row.try_get("joined_at").map_err(storage_error)?,
                row.try_get("updated_at").map_err(storage_error)?,
            ))
        }

        const INVITATION_COLUMNS: &str =
            "id, tenant_id, email, role, token_hash, invited_by, created_at, expires_at, accepted_at, accepted_by";

        fn invitation_from_row(row: &DbRow) -> Result<Invitation, RepositoryError> {
            let email: String = row.try_get("email").map_err(storage_error)?;
            let accepted_by: Option<uuid::Uuid> = row.try_get("accepted_by").map_err(storage_error)?;
            Ok(Invitation::restore(
                InvitationId::from_uuid(row.try_get("id").map_err(storage_error)?),
                TenantId::from_uuid(row.try_get("tenant_id").map_err(storage_error)?),
                EmailAddress::parse(&email).map_err(corrupt("invitation email"))?,
                role_from(row)?,
                row.try_get("token_hash").map_err(storage_error)?,
                UserId::from_uuid(row.try_get("invited_by").map_err(storage_error)?),
                row.try_get("created_at").map_err(storage_error)?,
                row.try_get("expires_at").map_err(storage_error)?,
                row.try_get("accepted_at").map_err(storage_error)?,
                accepted_by.map(UserId::from_uuid),
            ))
        }

        fn organization_view_from_row(row: &DbRow) -> Result<OrganizationView, RepositoryError> {
            Ok(OrganizationView {
                id: TenantId::from_uuid(row.try_get("id").map_err(storage_error)?),
                name: row.try_get("name").map_err(storage_error)?,
                slug: row.try_get("slug").map_err(storage_error)?,
                role: role_from(row)?,
                created_at: row.try_get("created_at").map_err(storage_error)?,
                updated_at: row.try_get("updated_at").map_err(storage_error)?,
            })
        }


        /// Roles in privilege order, so sorting by role lists owners first.
        const ROLE_RANK: &str = "CASE role WHEN 'owner' THEN 0 WHEN 'admin' THEN 1 WHEN 'member' THEN 2 ELSE 3 END";

        #[async_trait]
        impl OrganizationRepository for $uow {
            async fn insert(&mut self, organization: &Organization) -> Result<(), RepositoryError> {
                sqlx::query(
                    "INSERT INTO organizations (id, name, slug, created_at, updated_at, version) VALUES ($1, $2, $3, $4, $5, $6)",
                )
                .bind(organization.id().as_uuid())
                .bind(organization.name().as_str())
                .bind(organization.slug().as_str())
                .bind(organization.created_at())
                .bind(organization.updated_at())
                .bind(organization.version())
                .execute(&mut *self.tx)
                .await
                .map_err(storage_error)?;
                Ok(())
            }

            async fn find_by_slug(&mut self, slug: &str) -> Result<Option<Organization>, RepositoryError> {
                let row = sqlx::query("SELECT id, name, slug, created_at, updated_at, version FROM organizations WHERE slug = $1")
                    .bind(slug)
                    .fetch_optional(&mut *self.tx)
                    .await
                    .map_err(storage_error)?;
                row.map(|row| {
                    let name: String = row.try_get("name").map_err(storage_error)?;
                    let slug: String = row.try_get("slug").map_err(storage_error)?;
                    Ok(Organization::restore(
                        TenantId::from_uuid(row.try_get("id").map_err(storage_error)?),
                        OrganizationName::parse(&name).map_err(corrupt("organization name"))?,
                        Slug::parse(&slug).map_err(corrupt("organization slug"))?,
                        row.try_get("created_at").map_err(storage_error)?,
                        row.try_get("updated_at").map_err(storage_error)?,
                        row.try_get("version").map_err(storage_error)?,
                    ))
                })
                .transpose()
            }

            async fn lock(&mut self, id: TenantId) -> Result<bool, RepositoryError> {
                let sql = format!("SELECT id FROM organizations WHERE id = $1{}", $lock);
                let row = sqlx::query(&sql).bind(id.as_uuid()).fetch_optional(&mut *self.tx).await.map_err(storage_error)?;
                Ok(row.is_some())
            }
        }

        #[async_trait]
        impl MembershipRepository for $uow {
            async fn insert(&mut self, membership: &Membership) -> Result<(), RepositoryError> {
                sqlx::query(
                    "INSERT INTO memberships (tenant_id, user_id, role, joined_at, updated_at) VALUES ($1, $2, $3, $4, $5)",
                )
                .bind(membership.tenant_id().as_uuid())
                .bind(membership.user_id().as_uuid())
                .bind(membership.role().as_str())
                .bind(membership.joined_at())
                .bind(membership.updated_at())
                .execute(&mut *self.tx)
                .await
                .map_err(storage_error)?;
                Ok(())
            }

            async fn update(&mut self, membership: &Membership) -> Result<(), RepositoryError> {
                sqlx::query("UPDATE memberships SET role = $3, updated_at = $4 WHERE tenant_id = $1 AND user_id = $2")
                    .bind(membership.tenant_id().as_uuid())
                    .bind(membership.user_id().as_uuid())
                    .bind(membership.role().as_str())
                    .bind(membership.updated_at())
                    .execute(&mut *self.tx)
                    .await
                    .map_err(storage_error)?;
                Ok(())
            }

            async fn delete(&mut self, tenant: TenantId, user: UserId) -> Result<(), RepositoryError> {
                sqlx::query("DELETE FROM memberships WHERE tenant_id = $1 AND user_id = $2")
                    .bind(tenant.as_uuid())
                    .bind(user.as_uuid())
                    .execute(&mut *self.tx)
                    .await
                    .map_err(storage_error)?;
                Ok(())
            }

            async fn find(&mut self, tenant: TenantId, user: UserId) -> Result<Option<Membership>, RepositoryError> {
                let row = sqlx::query(
                    "SELECT tenant_id, user_id, role, joined_at, updated_at FROM memberships WHERE tenant_id = $1 AND user_id = $2",
                )
                .bind(tenant.as_uuid())
                .bind(user.as_uuid())
                .fetch_optional(&mut *self.tx)
                .await
                .map_err(storage_error)?;
                row.as_ref().map(membership_from_row).transpose()
            }

            async fn count_owners(&mut self, tenant: TenantId) -> Result<u64, RepositoryError> {
                let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM memberships WHERE tenant_id = $1 AND role = 'owner'")
                    .bind(tenant.as_uuid())
                    .fetch_one(&mut *self.tx)
                    .await
                    .map_err(storage_error)?;
                Ok(u64::try_from(count).unwrap_or_default())
            }
        }

        #[async_trait]
        impl InvitationRepository for $uow {
            async fn insert(&mut self, invitation: &Invitation) -> Result<(), RepositoryError> {
                sqlx::query(
                    "INSERT INTO invitations (id, tenant_id, email, role, token_hash, invited_by, created_at, expires_at, \
                     accepted_at, accepted_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
                )
                .bind(invitation.id().as_uuid())
                .bind(invitation.tenant_id().as_uuid())
                .bind(invitation.email().as_str())
                .bind(invitation.role().as_str())
                .bind(invitation.token_hash())
                .bind(invitation.invited_by().as_uuid())
                .bind(invitation.created_at())
                .bind(invitation.expires_at())
                .bind(invitation.accepted_at())
                .bind(invitation.accepted_by().map(|u| u.as_uuid()))
                .execute(&mut *self.tx)
                .await
                .map_err(storage_error)?;
                Ok(())
            }

            async fn update(&mut self, invitation: &Invitation) -> Result<(), RepositoryError> {
                sqlx::query("UPDATE invitations SET accepted_at = $2, accepted_by = $3 WHERE id = $1")
                    .bind(invitation.id().as_uuid())
                    .bind(invitation.accepted_at())
                    .bind(invitation.accepted_by().map(|u| u.as_uuid()))
                    .execute(&mut *self.tx)
                    .await
                    .map_err(storage_error)?;
                Ok(())
            }

            async fn find_by_token_hash(&mut self, hash: &str) -> Result<Option<Invitation>, RepositoryError> {
                let sql = format!("SELECT {INVITATION_COLUMNS} FROM invitations WHERE token_hash = $1{}", $lock);
                let row = sqlx::query(&sql).bind(hash).fetch_optional(&mut *self.tx).await.map_err(storage_error)?;
                row.as_ref().map(invitation_from_row).transpose()
            }

            async fn find(&mut self, tenant: TenantId, id: InvitationId) -> Result<Option<Invitation>, RepositoryError> {
                let sql = format!("SELECT {INVITATION_COLUMNS} FROM invitations WHERE tenant_id = $1 AND id = $2{}", $lock);
                let row = sqlx::query(&sql)
                    .bind(tenant.as_uuid())
                    .bind(id.as_uuid())
                    .fetch_optional(&mut *self.tx)
                    .await
                    .map_err(storage_error)?;
                row.as_ref().map(invitation_from_row).transpose()
            }

            async fn delete(&mut self, tenant: TenantId, id: InvitationId) -> Result<(), RepositoryError> {
                sqlx::query("DELETE FROM invitations WHERE tenant_id = $1 AND id = $2")
                    .bind(tenant.as_uuid())
                    .bind(id.as_uuid())
                    .execute(&mut *self.tx)
                    .await
                    .map_err(storage_error)?;
                Ok(())
            }
        }

        /// Tenancy read side, straight from the pool.
        #[derive(Clone)]
        pub struct SqlTenancyQueries {
            pool: sqlx::Pool<$db>,
        }

        impl SqlTenancyQueries {
            pub fn new(pool: sqlx::Pool<$db>) -> Self {
                Self { pool }
            }
        }

        #[async_trait]
        impl TenancyQueries for SqlTenancyQueries {
            async fn pending_invitations(
                &self,
                tenant: TenantId,
                page: PageRequest,
            ) -> Result<Page<Invitation>, RepositoryError> {
                let mut tx = super::read_in(&self.pool, DataScope::Tenant(tenant)).await?;
                let sql = format!(
                    "SELECT {INVITATION_COLUMNS} FROM invitations WHERE tenant_id = $1 AND accepted_at IS NULL \
                     ORDER BY created_at DESC, id DESC LIMIT $2 OFFSET $3"
                );
                let rows = sqlx::query(&sql)
                    .bind(tenant.as_uuid())
                    .bind(i64::from(page.size()))
                    .bind(i64::try_from(page.offset()).unwrap_or(i64::MAX))
                    .fetch_all(&mut *tx)
                    .await
                    .map_err(storage_error)?;
                let total: i64 =
                    sqlx::query_scalar("SELECT COUNT(*) FROM invitations WHERE tenant_id = $1 AND accepted_at IS NULL")
                        .bind(tenant.as_uuid())
                        .fetch_one(&mut *tx)
                        .await
                        .map_err(storage_error)?;
                let items = rows.iter().map(invitation_from_row).collect::<Result<_, _>>()?;
                Ok(Page::new(items, page, u64::try_from(total).unwrap_or_default()))
            }

            async fn api_keys(&self, tenant: TenantId) -> Result<Vec<ApiKey>, RepositoryError> {
                let mut tx = super::read_in(&self.pool, DataScope::Tenant(tenant)).await?;
                let sql = format!("SELECT {API_KEY_COLUMNS} FROM api_keys WHERE tenant_id = $1 ORDER BY created_at DESC, id DESC");
                let rows = sqlx::query(&sql).bind(tenant.as_uuid()).fetch_all(&mut *tx).await.map_err(storage_error)?;
                rows.iter().map(api_key_from_row).collect()
            }

            async fn api_key_by_token_hash(&self, hash: &str) -> Result<Option<ApiKey>, RepositoryError> {
                let mut tx = super::read_in(&self.pool, DataScope::Platform).await?;
                let sql = format!("SELECT {API_KEY_COLUMNS} FROM api_keys WHERE token_hash = $1");
                let row = sqlx::query(&sql).bind(hash).fetch_optional(&mut *tx).await.map_err(storage_error)?;
                row.as_ref().map(api_key_from_row).transpose()
            }

            async fn record_api_key_use(
                &self,
                id: ApiKeyId,
                at: chrono::DateTime<chrono::Utc>,
            ) -> Result<(), RepositoryError> {
                let mut tx = super::write_in(&self.pool, DataScope::Platform).await?;
                sqlx::query("UPDATE api_keys SET last_used_at = $2 WHERE id = $1")
                    .bind(id.as_uuid())
                    .bind(at)
                    .execute(&mut *tx)
                    .await
                    .map_err(storage_error)?;
                tx.commit().await.map_err(storage_error)?;
                Ok(())
            }

            async fn role_of(&self, tenant: TenantId, user: UserId) -> Result<Option<Role>, RepositoryError> {
                let mut tx = super::read_in(&self.pool, DataScope::Tenant(tenant)).await?;
                let row = sqlx::query("SELECT role FROM memberships WHERE tenant_id = $1 AND user_id = $2")
                    .bind(tenant.as_uuid())
                    .bind(user.as_uuid())
                    .fetch_optional(&mut *tx)
                    .await
                    .map_err(storage_error)?;
                row.as_ref().map(role_from).transpose()
            }

            async fn organization_for_member(
                &self,
                tenant: TenantId,
                user: UserId,
            ) -> Result<Option<OrganizationView>, RepositoryError> {
                let mut tx = super::read_in(&self.pool, DataScope::Tenant(tenant)).await?;
                let row = sqlx::query(
                    "SELECT o.id, o.name, o.slug, o.created_at, o.updated_at, m.role FROM organizations o \
                     JOIN memberships m ON m.tenant_id = o.id WHERE o.id = $1 AND m.user_id = $2",
                )
                .bind(tenant.as_uuid())
                .bind(user.as_uuid())
                .fetch_optional(&mut *tx)
                .await
                .map_err(storage_error)?;
                row.as_ref().map(organization_view_from_row).transpose()
            }

            async fn organizations_of(&self, user: UserId, query: &ListQuery) -> Result<Page<OrganizationView>, RepositoryError> {
                let mut tx = super::read_in(&self.pool, DataScope::Platform).await?;
                let column = match query.sort_by {
                    "name" => "o.name",
                    "slug" => "o.slug",
                    _ => "o.created_at",
                };
                let sql = format!(
                    "SELECT o.id, o.name, o.slug, o.created_at, o.updated_at, m.role FROM organizations o \
                     JOIN memberships m ON m.tenant_id = o.id WHERE m.user_id = $1 \
                     ORDER BY {column} {}, o.id LIMIT $2 OFFSET $3",
                    crate::sql::direction(query.order)
                );
                let rows = sqlx::query(&sql)
                    .bind(user.as_uuid())
                    .bind(i64::from(query.page.size()))
                    .bind(i64::try_from(query.page.offset()).unwrap_or(i64::MAX))
                    .fetch_all(&mut *tx)
                    .await
                    .map_err(storage_error)?;
                let total: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM memberships WHERE user_id = $1")
                    .bind(user.as_uuid())
                    .fetch_one(&mut *tx)
                    .await
                    .map_err(storage_error)?;
                let items = rows.iter().map(organization_view_from_row).collect::<Result<_, _>>()?;
                Ok(Page::new(items, query.page, u64::try_from(total).unwrap_or_default()))
            }

            async fn members(&self, tenant: TenantId, query: &ListQuery) -> Result<Page<MembershipView>, RepositoryError> {
                let mut tx = super::read_in(&self.pool, DataScope::Tenant(tenant)).await?;
                let column = match query.sort_by {
                    "role" => ROLE_RANK,
                    _ => "joined_at",
                };
                let sql = format!(
                    "SELECT user_id, role, joined_at FROM memberships WHERE tenant_id = $1 \
                     ORDER BY {column} {}, user_id LIMIT $2 OFFSET $3",
                    crate::sql::direction(query.order)
                );
                let rows = sqlx::query(&sql)
                    .bind(tenant.as_uuid())
                    .bind(i64::from(query.page.size()))
                    .bind(i64::try_from(query.page.offset()).unwrap_or(i64::MAX))
                    .fetch_all(&mut *tx)
                    .await
                    .map_err(storage_error)?;
                let total: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM memberships WHERE tenant_id = $1")
                    .bind(tenant.as_uuid())
                    .fetch_one(&mut *tx)
                    .await
                    .map_err(storage_error)?;
                let items = rows
                    .iter()
                    .map(|row| {
                        Ok(MembershipView {
                            user_id: UserId::from_uuid(row.try_get("user_id").map_err(storage_error)?),
                            role: role_from(row)?,
                            joined_at: row.try_get("joined_at").map_err(storage_error)?,
                        })
                    })
                    .collect::<Result<_, RepositoryError>>()?;
                Ok(Page::new(items, query.page, u64::try_from(total).unwrap_or_default()))
            }
        }

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

impl tenantry_application::tenancy::ports::TenancyRepositories for crate::SqlRepositories {
    fn role_catalogue<'u>(
        &self,
        uow: &'u mut dyn tenantry_application::ports::UnitOfWork,
    ) -> Result<
        &'u mut dyn tenantry_application::tenancy::ports::RoleCatalogueRepository,
        tenantry_application::ports::RepositoryError,
    > {
        crate::extension::sql_repository!(uow)
    }
    fn organizations<'u>(
        &self,
        uow: &'u mut dyn tenantry_application::ports::UnitOfWork,
    ) -> Result<
        &'u mut dyn tenantry_application::tenancy::ports::OrganizationRepository,
        tenantry_application::ports::RepositoryError,
    > {
        crate::extension::sql_repository!(uow)
    }
    fn memberships<'u>(
        &self,
        uow: &'u mut dyn tenantry_application::ports::UnitOfWork,
    ) -> Result<
        &'u mut dyn tenantry_application::tenancy::ports::MembershipRepository,
        tenantry_application::ports::RepositoryError,
    > {
        crate::extension::sql_repository!(uow)
    }
    fn invitations<'u>(
        &self,
        uow: &'u mut dyn tenantry_application::ports::UnitOfWork,
    ) -> Result<
        &'u mut dyn tenantry_application::tenancy::ports::InvitationRepository,
        tenantry_application::ports::RepositoryError,
    > {
        crate::extension::sql_repository!(uow)
    }
    fn api_keys<'u>(
        &self,
        uow: &'u mut dyn tenantry_application::ports::UnitOfWork,
    ) -> Result<
        &'u mut dyn tenantry_application::tenancy::ports::ApiKeyRepository,
        tenantry_application::ports::RepositoryError,
    > {
        crate::extension::sql_repository!(uow)
    }
}
