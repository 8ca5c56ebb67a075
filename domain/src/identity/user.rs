use chrono::{DateTime, Utc};
use tenantry_kernel::UserId;

use super::{DisplayName, EmailAddress, PasswordHash, UserRegistered};

/// A user account: the identity aggregate root.
#[derive(Debug, Clone, PartialEq)]
pub struct User {
    id: UserId,
    email: EmailAddress,
    display_name: DisplayName,
    password_hash: PasswordHash,
    is_platform_admin: bool,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    version: i64,
}

impl User {
    /// A newly registered user, with the event that announces it.
    pub fn register(
        email: EmailAddress,
        display_name: DisplayName,
        password_hash: PasswordHash,
        now: DateTime<Utc>,
    ) -> (Self, UserRegistered) {
        let user = Self {
            id: UserId::new(),
            email,
            display_name,
            password_hash,
            is_platform_admin: false,
            created_at: now,
            updated_at: now,
            version: 1,
        };
        let event = UserRegistered {
            user_id: user.id,
            email: user.email.as_str().to_owned(),
            display_name: user.display_name.as_str().to_owned(),
        };
        (user, event)
    }

    /// Rebuilds a user from storage; only adapters call this.
    #[allow(clippy::too_many_arguments)]
    pub fn restore(
        id: UserId,
        email: EmailAddress,
        display_name: DisplayName,
        password_hash: PasswordHash,
        is_platform_admin: bool,
        created_at: DateTime<Utc>,
        updated_at: DateTime<Utc>,
        version: i64,
    ) -> Self {
        Self { id, email, display_name, password_hash, is_platform_admin, created_at, updated_at, version }
    }

    /// Grants platform administration (the seeded operator account).
    pub fn grant_platform_admin(&mut self, now: DateTime<Utc>) {
        if !self.is_platform_admin {
            self.is_platform_admin = true;
            self.touch(now);
        }
    }

    fn touch(&mut self, now: DateTime<Utc>) {
        self.updated_at = now;
        self.version += 1;
    }

    pub fn id(&self) -> UserId {
        self.id
    }
    pub fn email(&self) -> &EmailAddress {
        &self.email
    }
    pub fn display_name(&self) -> &DisplayName {
        &self.display_name
    }
    pub fn password_hash(&self) -> &PasswordHash {
        &self.password_hash
    }
    pub fn is_platform_admin(&self) -> bool {
        self.is_platform_admin
    }
    pub fn created_at(&self) -> DateTime<Utc> {
        self.created_at
    }
    pub fn updated_at(&self) -> DateTime<Utc> {
        self.updated_at
    }
    /// Optimistic-concurrency version, bumped on every change.
    pub fn version(&self) -> i64 {
        self.version
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn alice(now: DateTime<Utc>) -> (User, UserRegistered) {
        User::register(
            EmailAddress::parse("alice@example.com").unwrap(),
            DisplayName::parse("Alice").unwrap(),
            PasswordHash::from_phc("$argon2id$fake".into()),
            now,
        )
    }

    #[test]
    fn registering_announces_the_new_user() {
        let now = Utc::now();
        let (user, event) = alice(now);
        assert_eq!(event.user_id, user.id());
        assert_eq!(event.email, "alice@example.com");
        assert_eq!((user.version(), user.created_at(), user.is_platform_admin()), (1, now, false));
    }

    #[test]
    fn granting_admin_twice_changes_the_user_once() {
        let (mut user, _) = alice(Utc::now());
        user.grant_platform_admin(Utc::now());
        user.grant_platform_admin(Utc::now());
        assert!(user.is_platform_admin());
        assert_eq!(user.version(), 2);
    }
}
