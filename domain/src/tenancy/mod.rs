//! Tenancy: organizations, memberships and the role/permission catalogue (seed 002's
//! `resource:action` permissions). Organizations themselves arrive with the tenancy issue.

mod role;

pub use role::{Permission, Role, PERMISSION_CATALOGUE};
