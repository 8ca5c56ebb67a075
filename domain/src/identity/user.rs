use chrono::{DateTime, Utc};
use tenantry_kernel::{Revision, UserId};

use super::{
    DisplayName, EmailAddress, EmailVerified, PasswordChangeKind, PasswordChanged, PasswordHash, UserRegistered,
};

/// A user account: the identity aggregate root.
#[derive(Debug, Clone, PartialEq)]
pub struct User {
    id: UserId,
    email: EmailAddress,
    display_name: DisplayName,
    password_hash: PasswordHash,
    is_platform_admin: bool,
    email_verified_at: Option<DateTime<Utc>>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    revision: Revision,
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
            email_verified_at: None,
            created_at: now,
            updated_at: now,
            revision: Revision::first(),
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
        email_verified_at: Option<DateTime<Utc>>,
        created_at: DateTime<Utc>,
        updated_at: DateTime<Utc>,
        version: i64,
    ) -> Self {
        Self {
            id,
            email,
            display_name,
            password_hash,
            is_platform_admin,
            email_verified_at,
            created_at,
            updated_at,
            revision: Revision::loaded(version),
        }
    }

    /// Marks the address as proven; `None` when it already was (a second link click
    /// changes nothing).
    pub fn verify_email(&mut self, now: DateTime<Utc>) -> Option<EmailVerified> {
        if self.email_verified_at.is_some() {
            return None;
        }
        self.email_verified_at = Some(now);
        self.touch(now);
        Some(EmailVerified { user_id: self.id, email: self.email.as_str().to_owned() })
    }

    /// Renames the user; `false` when the name is unchanged.
    pub fn rename(&mut self, display_name: DisplayName, now: DateTime<Utc>) -> bool {
        if self.display_name == display_name {
            return false;
        }
        self.display_name = display_name;
        self.touch(now);
        true
    }

    /// Replaces the password hash. The caller decides which sessions survive.
    pub fn change_password(
        &mut self,
        hash: PasswordHash,
        kind: PasswordChangeKind,
        now: DateTime<Utc>,
    ) -> PasswordChanged {
        self.password_hash = hash;
        self.touch(now);
        PasswordChanged { user_id: self.id, kind }
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
        self.revision.step();
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
    pub fn email_verified_at(&self) -> Option<DateTime<Utc>> {
        self.email_verified_at
    }
    pub fn created_at(&self) -> DateTime<Utc> {
        self.created_at
    }
    pub fn updated_at(&self) -> DateTime<Utc> {
        self.updated_at
    }
    /// Optimistic-concurrency version, bumped on every change.
    pub fn version(&self) -> i64 {
        self.revision.value()
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

    #[test]
    fn an_address_is_verified_once() {
        let (mut user, _) = alice(Utc::now());
        assert!(user.email_verified_at().is_none());
        let event = user.verify_email(Utc::now()).expect("first verification");
        assert_eq!(event.user_id, user.id());
        assert!(user.verify_email(Utc::now()).is_none());
        assert_eq!(user.version(), 2);
    }

    #[test]
    fn a_password_change_replaces_the_hash_and_bumps_the_version() {
        let (mut user, _) = alice(Utc::now());
        let event =
            user.change_password(PasswordHash::from_phc("$argon2id$new".into()), PasswordChangeKind::Reset, Utc::now());
        assert_eq!(user.password_hash().as_phc(), "$argon2id$new");
        assert_eq!((event.kind, user.version()), (PasswordChangeKind::Reset, 2));
    }

    #[test]
    fn several_changes_before_one_save_are_one_version_step() {
        let (user, _) = alice(Utc::now());
        let mut loaded = User::restore(
            user.id(),
            user.email().clone(),
            user.display_name().clone(),
            user.password_hash().clone(),
            false,
            None,
            user.created_at(),
            user.updated_at(),
            7,
        );
        loaded.verify_email(Utc::now());
        loaded.change_password(PasswordHash::from_phc("$argon2id$new".into()), PasswordChangeKind::Reset, Utc::now());
        assert_eq!(loaded.version(), 8, "the repository saves with `WHERE version = version - 1`");
    }
}
