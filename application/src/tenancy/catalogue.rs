//! The permission catalogue: Tenantry's permissions (the domain's) plus every
//! module's, and keeping the stored role/permission catalogue equal to it (run by
//! the essential seed).

use std::sync::Arc;

use async_trait::async_trait;
use tenantry_domain::tenancy::{Role, PERMISSION_CATALOGUE};

use crate::authority::{CatalogueError, PermissionCatalogue, PermissionSpec};
use crate::pipeline::AuditSubject;
use crate::pipeline::{Authorization, Command, CommandHandler, RequestContext};
use crate::ports::UnitOfWork;
use crate::tenancy::ports::TenancyRepositories;
use crate::AppError;

/// Tenantry's own permissions, each granted to the built-in roles the domain says.
pub fn builtin_permissions() -> Vec<PermissionSpec> {
    PERMISSION_CATALOGUE
        .iter()
        .map(|permission| PermissionSpec {
            key: permission.key,
            description: permission.description,
            granted_to: Role::ALL
                .into_iter()
                .filter(|role| role.grants(permission.key))
                .map(|role| role.as_str())
                .collect(),
        })
        .collect()
}

/// The catalogue of the built-in roles over Tenantry's permissions and `modules'`.
///
/// # Errors
/// A module permission that is malformed, taken, or granted to an unknown role.
pub fn permission_catalogue(modules: Vec<PermissionSpec>) -> Result<PermissionCatalogue, CatalogueError> {
    let roles: Vec<&'static str> = Role::ALL.iter().map(Role::as_str).collect();
    PermissionCatalogue::new(&roles, [builtin_permissions(), modules].concat())
}

/// Write the roles and permissions of the catalogue to storage. Idempotent.
#[derive(Debug, Clone, Default)]
pub struct SyncRoleCatalogue;

/// How many catalogue rows a sync created or changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CatalogueChanges {
    pub permissions_created: usize,
    pub roles_changed: usize,
}

impl Command for SyncRoleCatalogue {
    const NAME: &'static str = "tenancy.sync_role_catalogue";
    type Output = CatalogueChanges;

    fn authorization(&self) -> Authorization {
        Authorization::System
    }

    fn audit_subject(&self, _: &RequestContext, output: &CatalogueChanges) -> Option<AuditSubject> {
        let changed = output.permissions_created + output.roles_changed > 0;
        changed.then_some(AuditSubject { entity_type: "role_catalogue", entity_id: None })
    }
}

pub struct SyncRoleCatalogueHandler {
    repositories: Arc<dyn TenancyRepositories>,
    catalogue: Arc<PermissionCatalogue>,
}

impl SyncRoleCatalogueHandler {
    pub fn new(repositories: Arc<dyn TenancyRepositories>, catalogue: Arc<PermissionCatalogue>) -> Self {
        Self { repositories, catalogue }
    }
}

#[async_trait]
impl CommandHandler<SyncRoleCatalogue> for SyncRoleCatalogueHandler {
    async fn handle(
        &self,
        _: &RequestContext,
        _: &SyncRoleCatalogue,
        uow: &mut dyn UnitOfWork,
    ) -> Result<CatalogueChanges, AppError> {
        let mut changes = CatalogueChanges::default();
        for permission in self.catalogue.permissions() {
            if self.repositories.role_catalogue(uow)?.upsert_permission(permission.key, permission.description).await? {
                changes.permissions_created += 1;
            }
        }
        for role in Role::ALL {
            let held: Vec<&'static str> = self.catalogue.grants_of(role.as_str()).iter().collect();
            if self.repositories.role_catalogue(uow)?.upsert_role(role.as_str(), role.description(), &held).await? {
                changes.roles_changed += 1;
            }
        }
        Ok(changes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::identity::test_support::{test_repositories, TestUnitOfWork};

    #[tokio::test]
    async fn writes_every_permission_and_role_and_counts_changes() {
        let mut uow = TestUnitOfWork::default();
        uow.catalogue.expect_upsert_permission().times(PERMISSION_CATALOGUE.len()).returning(|_, _| Ok(true));
        uow.catalogue
            .expect_upsert_role()
            .times(4)
            .returning(|name, _, permissions| Ok(name == "owner" && permissions.len() == PERMISSION_CATALOGUE.len()));
        let changes =
            SyncRoleCatalogueHandler::new(test_repositories(), Arc::new(permission_catalogue(Vec::new()).unwrap()))
                .handle(&RequestContext::system("test"), &SyncRoleCatalogue, &mut uow)
                .await
                .unwrap();
        assert_eq!(changes, CatalogueChanges { permissions_created: PERMISSION_CATALOGUE.len(), roles_changed: 1 });
    }
}
