use chrono::{DateTime, Utc};
use tenantry_kernel::{TenantId, UserId};

use super::{Role, TenancyError};

/// A user's membership of an organization, with their role there.
#[derive(Debug, Clone, PartialEq)]
pub struct Membership {
    tenant_id: TenantId,
    user_id: UserId,
    role: Role,
    joined_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

impl Membership {
    pub fn new(tenant_id: TenantId, user_id: UserId, role: Role, now: DateTime<Utc>) -> Self {
        Self { tenant_id, user_id, role, joined_at: now, updated_at: now }
    }

    /// Rebuilds a membership from storage; only adapters call this.
    pub fn restore(
        tenant_id: TenantId,
        user_id: UserId,
        role: Role,
        joined_at: DateTime<Utc>,
        updated_at: DateTime<Utc>,
    ) -> Self {
        Self { tenant_id, user_id, role, joined_at, updated_at }
    }

    pub fn change_role(&mut self, role: Role, now: DateTime<Utc>) {
        self.role = role;
        self.updated_at = now;
    }

    pub fn tenant_id(&self) -> TenantId {
        self.tenant_id
    }
    pub fn user_id(&self) -> UserId {
        self.user_id
    }
    pub fn role(&self) -> Role {
        self.role
    }
    pub fn joined_at(&self) -> DateTime<Utc> {
        self.joined_at
    }
    pub fn updated_at(&self) -> DateTime<Utc> {
        self.updated_at
    }
}

/// Whether `actor` may change a member holding `current` (to `new`, or remove them
/// when `None`): owners manage everyone; admins manage admins and below but never
/// touch owners or make anyone owner; nobody else manages members.
///
/// # Errors
/// `TenancyError::InsufficientRole`.
pub fn ensure_can_manage(actor: Role, current: Role, new: Option<Role>) -> Result<(), TenancyError> {
    let allowed = match actor {
        Role::Owner => true,
        Role::Admin => current != Role::Owner && new != Some(Role::Owner),
        Role::Member | Role::Viewer => false,
    };
    if allowed {
        Ok(())
    } else {
        Err(TenancyError::InsufficientRole)
    }
}

/// An organization always keeps an owner: demoting (`new` not owner) or removing
/// (`new` = `None`) an owner needs another owner to remain.
///
/// # Errors
/// `TenancyError::LastOwner`.
pub fn ensure_an_owner_remains(current: Role, new: Option<Role>, owners: u64) -> Result<(), TenancyError> {
    let loses_an_owner = current == Role::Owner && new != Some(Role::Owner);
    if loses_an_owner && owners <= 1 {
        Err(TenancyError::LastOwner)
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn last_owner_cannot_be_demoted_or_removed() {
        assert_eq!(ensure_an_owner_remains(Role::Owner, Some(Role::Admin), 1), Err(TenancyError::LastOwner));
        assert_eq!(ensure_an_owner_remains(Role::Owner, None, 1), Err(TenancyError::LastOwner));
        assert!(ensure_an_owner_remains(Role::Owner, None, 2).is_ok());
        assert!(ensure_an_owner_remains(Role::Admin, None, 1).is_ok());
        assert!(ensure_an_owner_remains(Role::Owner, Some(Role::Owner), 1).is_ok());
    }

    #[test]
    fn admins_manage_everyone_but_owners() {
        assert!(ensure_can_manage(Role::Admin, Role::Member, Some(Role::Admin)).is_ok());
        assert!(ensure_can_manage(Role::Admin, Role::Viewer, None).is_ok());
        assert_eq!(ensure_can_manage(Role::Admin, Role::Owner, Some(Role::Admin)), Err(TenancyError::InsufficientRole));
        assert_eq!(
            ensure_can_manage(Role::Admin, Role::Member, Some(Role::Owner)),
            Err(TenancyError::InsufficientRole)
        );
        assert!(ensure_can_manage(Role::Owner, Role::Owner, Some(Role::Viewer)).is_ok());
        assert_eq!(ensure_can_manage(Role::Member, Role::Viewer, None), Err(TenancyError::InsufficientRole));
    }
}
