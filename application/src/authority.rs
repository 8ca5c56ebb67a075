//! What each role may do: Tenantry's permissions and every module's, with the
//! built-in roles that hold them by default. Neutral ground: it names no context,
//! so a module adds `invoice:read` without editing the tenancy context's catalogue.

use std::collections::HashMap;
use std::sync::Arc;

/// The role that holds every permission, whoever registered it.
pub const FULL_CONTROL_ROLE: &str = "owner";

/// A permission (`resource:action`), what it allows, and which built-in roles hold
/// it by default. `owner` holds every permission without being named.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PermissionSpec {
    pub key: &'static str,
    pub description: &'static str,
    pub granted_to: Vec<&'static str>,
}

impl PermissionSpec {
    /// A permission held by `owner` and the roles in `granted_to`.
    pub fn new(key: &'static str, description: &'static str, granted_to: &[&'static str]) -> Self {
        Self { key, description, granted_to: granted_to.to_vec() }
    }
}

/// The permissions a caller holds in one tenant, sorted; cheap to clone.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Grants(Arc<[&'static str]>);

impl Grants {
    pub fn contains(&self, permission: &str) -> bool {
        self.0.binary_search(&permission).is_ok()
    }

    pub fn iter(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.0.iter().copied()
    }
}

/// Why a catalogue could not be assembled (a module bug, found at start-up).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CatalogueError {
    #[error("permission {0:?} is not of the form resource:action (lowercase, digits, `_`)")]
    Malformed(&'static str),
    #[error("permission {0:?} is registered twice")]
    Duplicate(&'static str),
    #[error("permission {permission:?} is granted to {role:?}, which is not one of the roles {known:?}")]
    UnknownRole { permission: &'static str, role: &'static str, known: Vec<&'static str> },
}

/// Every permission Tenantry and its modules know, and what each role holds.
#[derive(Debug, Clone)]
pub struct PermissionCatalogue {
    permissions: Vec<PermissionSpec>,
    by_role: HashMap<&'static str, Grants>,
}

impl PermissionCatalogue {
    /// A catalogue of `permissions` over the built-in `roles`.
    ///
    /// # Errors
    /// A malformed or duplicate key, or a grant to a role not in `roles`.
    pub fn new(roles: &[&'static str], permissions: Vec<PermissionSpec>) -> Result<Self, CatalogueError> {
        let mut seen = std::collections::HashSet::new();
        for permission in &permissions {
            if !is_permission_key(permission.key) {
                return Err(CatalogueError::Malformed(permission.key));
            }
            if !seen.insert(permission.key) {
                return Err(CatalogueError::Duplicate(permission.key));
            }
            if let Some(role) = permission.granted_to.iter().find(|role| !roles.contains(role)) {
                return Err(CatalogueError::UnknownRole { permission: permission.key, role, known: roles.to_vec() });
            }
        }
        let by_role = roles
            .iter()
            .map(|&role| {
                let mut held: Vec<&'static str> = permissions
                    .iter()
                    .filter(|p| role == FULL_CONTROL_ROLE || p.granted_to.contains(&role))
                    .map(|p| p.key)
                    .collect();
                held.sort_unstable();
                (role, Grants(held.into()))
            })
            .collect();
        Ok(Self { permissions, by_role })
    }

    /// Every permission, in registration order.
    pub fn permissions(&self) -> &[PermissionSpec] {
        &self.permissions
    }

    pub fn knows(&self, permission: &str) -> bool {
        self.permissions.iter().any(|p| p.key == permission)
    }

    /// What `role` holds; nothing for a role the catalogue does not know.
    pub fn grants_of(&self, role: &str) -> Grants {
        self.by_role.get(role).cloned().unwrap_or_default()
    }
}

/// `resource:action`, each part lowercase ASCII letters, digits and `_`.
fn is_permission_key(key: &str) -> bool {
    let part = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
    key.split_once(':').is_some_and(|(resource, action)| part(resource) && part(action))
}

#[cfg(test)]
mod tests {
    use super::*;

    const ROLES: &[&str] = &["owner", "admin", "member", "viewer"];

    #[test]
    fn owner_holds_everything_and_other_roles_what_they_are_granted() {
        let catalogue = PermissionCatalogue::new(
            ROLES,
            vec![
                PermissionSpec::new("invoice:read", "See invoices", &["admin", "member", "viewer"]),
                PermissionSpec::new("invoice:issue", "Issue invoices", &["admin"]),
            ],
        )
        .unwrap();
        assert!(catalogue.grants_of("owner").contains("invoice:issue"));
        assert!(catalogue.grants_of("admin").contains("invoice:issue"));
        assert!(catalogue.grants_of("viewer").contains("invoice:read"));
        assert!(!catalogue.grants_of("viewer").contains("invoice:issue"));
        assert!(!catalogue.grants_of("stranger").contains("invoice:read"));
        assert!(catalogue.knows("invoice:read") && !catalogue.knows("invoice:void"));
        assert_eq!(catalogue.grants_of("member").iter().collect::<Vec<_>>(), ["invoice:read"]);
    }

    #[test]
    fn malformed_duplicate_and_misdirected_permissions_are_refused() {
        let one = |key| vec![PermissionSpec::new(key, "x", &[])];
        assert_eq!(
            PermissionCatalogue::new(ROLES, one("Invoice:Read")).unwrap_err(),
            CatalogueError::Malformed("Invoice:Read")
        );
        assert_eq!(PermissionCatalogue::new(ROLES, one("invoice")).unwrap_err(), CatalogueError::Malformed("invoice"));
        let twice = [one("invoice:read"), one("invoice:read")].concat();
        assert_eq!(PermissionCatalogue::new(ROLES, twice).unwrap_err(), CatalogueError::Duplicate("invoice:read"));
        let stranger = vec![PermissionSpec::new("invoice:read", "x", &["accountant"])];
        assert!(matches!(PermissionCatalogue::new(ROLES, stranger), Err(CatalogueError::UnknownRole { .. })));
    }
}
