use std::fmt;
use std::str::FromStr;

use tenantry_kernel::ValidationError;

/// A permission in `resource:action` form, with what it allows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Permission {
    pub key: &'static str,
    pub description: &'static str,
}

/// Every permission the platform knows; roles are defined in terms of these.
pub const PERMISSION_CATALOGUE: &[Permission] = &[
    Permission { key: "organization:read", description: "See the organization and its settings" },
    Permission { key: "organization:update", description: "Rename the organization and change its settings" },
    Permission { key: "organization:delete", description: "Delete the organization" },
    Permission { key: "member:read", description: "List members and their roles" },
    Permission { key: "member:invite", description: "Invite people to the organization" },
    Permission { key: "member:update", description: "Change members' roles" },
    Permission { key: "member:remove", description: "Remove members" },
    Permission { key: "api_key:manage", description: "Create, list and revoke the organization's API keys" },
    Permission { key: "project:read", description: "See projects and tasks" },
    Permission { key: "project:create", description: "Create projects" },
    Permission { key: "project:update", description: "Change projects and tasks" },
    Permission { key: "project:delete", description: "Delete projects" },
    Permission {
        key: "project:manage",
        description: "Act in every project as its manager, whether or not a member of it",
    },
    Permission { key: "file:read", description: "Download files" },
    Permission { key: "file:write", description: "Upload and change files" },
    Permission { key: "file:manage", description: "See and change every file of the organization" },
    Permission { key: "audit:read", description: "Read the audit trail" },
    Permission { key: "billing:manage", description: "Manage the subscription and payment details" },
];

/// An organization role. Ordered from most to least privileged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Role {
    Owner,
    Admin,
    Member,
    Viewer,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Owner, Role::Admin, Role::Member, Role::Viewer];

    pub fn as_str(&self) -> &'static str {
        match self {
            Role::Owner => "owner",
            Role::Admin => "admin",
            Role::Member => "member",
            Role::Viewer => "viewer",
        }
    }

    pub fn description(&self) -> &'static str {
        match self {
            Role::Owner => "Full control, including billing and deleting the organization",
            Role::Admin => "Manages members and all content",
            Role::Member => "Creates and changes content",
            Role::Viewer => "Read-only access",
        }
    }

    /// The permission keys this role grants.
    pub fn permissions(&self) -> Vec<&'static str> {
        let all = PERMISSION_CATALOGUE.iter().map(|p| p.key);
        match self {
            Role::Owner => all.collect(),
            Role::Admin => all.filter(|k| !matches!(*k, "organization:delete" | "billing:manage")).collect(),
            Role::Member => all
                .filter(|k| {
                    k.ends_with(":read") && *k != "audit:read"
                        || matches!(*k, "project:create" | "project:update" | "file:write")
                })
                .collect(),
            Role::Viewer => all.filter(|k| k.ends_with(":read") && *k != "audit:read").collect(),
        }
    }

    pub fn grants(&self, permission: &str) -> bool {
        self.permissions().contains(&permission)
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Role {
    type Err = ValidationError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Role::ALL
            .into_iter()
            .find(|role| role.as_str() == s)
            .ok_or_else(|| ValidationError::field("role", "unknown_role"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_nest_from_owner_down_to_viewer() {
        for pair in Role::ALL.windows(2) {
            let (higher, lower) = (pair[0], pair[1]);
            for key in lower.permissions() {
                assert!(higher.grants(key), "{higher} should grant {key} like {lower}");
            }
            assert!(higher.permissions().len() > lower.permissions().len());
        }
    }

    #[test]
    fn only_owners_delete_organizations_and_viewers_only_read() {
        assert!(Role::Owner.grants("organization:delete"));
        assert!(!Role::Admin.grants("organization:delete"));
        assert!(Role::Viewer.permissions().iter().all(|k| k.ends_with(":read")));
    }

    #[test]
    fn every_granted_permission_is_in_the_catalogue() {
        for role in Role::ALL {
            for key in role.permissions() {
                assert!(PERMISSION_CATALOGUE.iter().any(|p| p.key == key));
            }
        }
    }

    #[test]
    fn parses_known_roles_only() {
        assert_eq!("admin".parse::<Role>().unwrap(), Role::Admin);
        assert!("root".parse::<Role>().is_err());
    }
}
