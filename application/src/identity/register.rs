use std::sync::Arc;

use async_trait::async_trait;
use tenantry_domain::identity::{DisplayName, EmailAddress, Password, User};
use tenantry_kernel::{Clock, UserId, ValidationError};

use crate::pipeline::AuditSubject;
use crate::pipeline::{Authorization, Command, CommandHandler, RequestContext};
use crate::ports::{PasswordHasher, RepositoryError, UnitOfWork};
use crate::{AppError, ErrorCode};

/// Create an account with email and password.
#[derive(Clone)]
pub struct RegisterUser {
    pub email: String,
    pub password: String,
    pub display_name: String,
}

impl std::fmt::Debug for RegisterUser {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RegisterUser").field("email", &self.email).field("password", &"***").finish_non_exhaustive()
    }
}

impl Command for RegisterUser {
    const NAME: &'static str = "identity.register_user";
    type Output = UserId;

    fn authorization(&self) -> Authorization {
        Authorization::Public
    }

    fn audit_subject(&self, _: &RequestContext, output: &UserId) -> Option<AuditSubject> {
        Some(AuditSubject::new("user", output))
    }
}

pub struct RegisterUserHandler {
    hasher: Arc<dyn PasswordHasher>,
    clock: Arc<dyn Clock>,
}

impl RegisterUserHandler {
    pub fn new(hasher: Arc<dyn PasswordHasher>, clock: Arc<dyn Clock>) -> Self {
        Self { hasher, clock }
    }
}

fn duplicate_email() -> AppError {
    AppError::Conflict { code: ErrorCode::EmailTaken, message: "an account with this email already exists" }
}

/// Shared by registration and admin provisioning: validates every field at once,
/// hashes and inserts. Returns the new user's id.
async fn create_user(
    hasher: &dyn PasswordHasher,
    clock: &dyn Clock,
    uow: &mut dyn UnitOfWork,
    context: &RequestContext,
    account: NewAccount,
    platform_admin: bool,
) -> Result<UserId, AppError> {
    let hash = hasher.hash(&account.password).await.map_err(AppError::internal)?;
    let now = clock.now();
    let (mut user, registered) = User::register(account.email, account.display_name, hash, now);
    if platform_admin {
        user.grant_platform_admin(now);
    }
    match uow.users().insert(&user).await {
        Err(RepositoryError::Duplicate { .. }) => return Err(duplicate_email()),
        other => other?,
    }
    uow.record_event(super::envelope(&registered, context, now)?);
    Ok(user.id())
}

/// The validated fields of an account about to be created.
struct NewAccount {
    email: EmailAddress,
    display_name: DisplayName,
    password: Password,
}

fn parse_new_account(email: &str, display_name: &str, password: &str) -> Result<NewAccount, AppError> {
    let email = EmailAddress::parse(email);
    let display_name = DisplayName::parse(display_name);
    let password = Password::parse(password);
    match (email, display_name, password) {
        (Ok(email), Ok(display_name), Ok(password)) => Ok(NewAccount { email, display_name, password }),
        (e, d, p) => Err(ValidationError::collect([e.map(drop), d.map(drop), p.map(drop)])
            .err()
            .map(AppError::from)
            .unwrap_or_else(|| AppError::internal(ValidationError::field("input", "invalid")))),
    }
}

#[async_trait]
impl CommandHandler<RegisterUser> for RegisterUserHandler {
    /// # Errors
    /// 400 `validation_failed` listing every bad field; 409 `email_taken`.
    async fn handle(
        &self,
        context: &RequestContext,
        command: &RegisterUser,
        uow: &mut dyn UnitOfWork,
    ) -> Result<UserId, AppError> {
        let account = parse_new_account(&command.email, &command.display_name, &command.password)?;
        // Checked first so a duplicate does not cost an argon2 hash; the unique
        // constraint still decides under a race.
        if uow.users().find_by_email(&account.email).await?.is_some() {
            return Err(duplicate_email());
        }
        create_user(self.hasher.as_ref(), self.clock.as_ref(), uow, context, account, false).await
    }
}

/// Ensure the platform operator account exists (essential seed). Idempotent.
#[derive(Clone)]
pub struct ProvisionPlatformAdmin {
    pub email: String,
    pub password: String,
    pub display_name: String,
}

/// Whether provisioning created something or found it in place.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Provisioned {
    Created(UserId),
    /// The account existed and was made a platform admin.
    Promoted(UserId),
    AlreadyPresent(UserId),
}

impl std::fmt::Debug for ProvisionPlatformAdmin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProvisionPlatformAdmin")
            .field("email", &self.email)
            .field("password", &"***")
            .finish_non_exhaustive()
    }
}

impl Command for ProvisionPlatformAdmin {
    const NAME: &'static str = "identity.provision_platform_admin";
    type Output = Provisioned;

    fn authorization(&self) -> Authorization {
        Authorization::System
    }

    fn audit_subject(&self, _: &RequestContext, output: &Provisioned) -> Option<AuditSubject> {
        match output {
            Provisioned::Created(id) | Provisioned::Promoted(id) => Some(AuditSubject::new("user", id)),
            Provisioned::AlreadyPresent(_) => None,
        }
    }
}

pub struct ProvisionPlatformAdminHandler {
    hasher: Arc<dyn PasswordHasher>,
    clock: Arc<dyn Clock>,
}

impl ProvisionPlatformAdminHandler {
    pub fn new(hasher: Arc<dyn PasswordHasher>, clock: Arc<dyn Clock>) -> Self {
        Self { hasher, clock }
    }
}

#[async_trait]
impl CommandHandler<ProvisionPlatformAdmin> for ProvisionPlatformAdminHandler {
    /// # Errors
    /// 400 when the configured email or password breaks the policy.
    async fn handle(
        &self,
        context: &RequestContext,
        command: &ProvisionPlatformAdmin,
        uow: &mut dyn UnitOfWork,
    ) -> Result<Provisioned, AppError> {
        let account = parse_new_account(&command.email, &command.display_name, &command.password)?;
        if let Some(mut existing) = uow.users().find_by_email(&account.email).await? {
            if existing.is_platform_admin() {
                return Ok(Provisioned::AlreadyPresent(existing.id()));
            }
            existing.grant_platform_admin(self.clock.now());
            uow.users().update(&existing).await?;
            return Ok(Provisioned::Promoted(existing.id()));
        }
        create_user(self.hasher.as_ref(), self.clock.as_ref(), uow, context, account, true)
            .await
            .map(Provisioned::Created)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::identity::test_support::*;

    fn command(email: &str, password: &str) -> RegisterUser {
        RegisterUser { email: email.into(), password: password.into(), display_name: "Alice".into() }
    }

    #[tokio::test]
    async fn registers_a_new_user_and_records_user_registered() {
        // Given no account with that email
        let mut uow = TestUnitOfWork::default();
        uow.users.expect_find_by_email().returning(|_| Ok(None));
        uow.users.expect_insert().times(1).returning(|_| Ok(()));
        let handler = RegisterUserHandler::new(fake_hasher(), fixed_clock());
        // When
        let id =
            handler.handle(&RequestContext::default(), &command("Alice@Example.com", STRONG), &mut uow).await.unwrap();
        // Then
        assert_eq!(uow.events.len(), 1);
        assert_eq!(uow.events[0].event_type, "identity.user_registered");
        assert_eq!(uow.events[0].payload["user_id"], id.to_string());
        assert_eq!(uow.events[0].payload["email"], "alice@example.com");
    }

    #[tokio::test]
    async fn reports_every_invalid_field_at_once_and_touches_nothing() {
        let mut uow = TestUnitOfWork::default(); // no expectations: any repository call fails the test
        let handler = RegisterUserHandler::new(fake_hasher(), fixed_clock());
        let bad = RegisterUser { email: "nope".into(), password: "short".into(), display_name: " ".into() };
        let error = handler.handle(&RequestContext::default(), &bad, &mut uow).await.unwrap_err();
        let fields: Vec<_> = error.details().iter().map(|d| d.field.as_str()).collect();
        assert_eq!(fields, ["email", "display_name", "password"]);
        assert!(uow.events.is_empty());
    }

    #[tokio::test]
    async fn a_taken_email_is_a_conflict() {
        let mut uow = TestUnitOfWork::default();
        uow.users.expect_find_by_email().returning(|_| Ok(Some(stored_user("alice@example.com"))));
        let handler = RegisterUserHandler::new(fake_hasher(), fixed_clock());
        let error = handler
            .handle(&RequestContext::default(), &command("alice@example.com", STRONG), &mut uow)
            .await
            .unwrap_err();
        assert_eq!(error.code(), ErrorCode::EmailTaken);
    }

    #[tokio::test]
    async fn a_unique_violation_under_a_race_is_also_a_conflict() {
        let mut uow = TestUnitOfWork::default();
        uow.users.expect_find_by_email().returning(|_| Ok(None));
        uow.users
            .expect_insert()
            .returning(|_| Err(RepositoryError::Duplicate { constraint: "users_email_key".into() }));
        let handler = RegisterUserHandler::new(fake_hasher(), fixed_clock());
        let error = handler
            .handle(&RequestContext::default(), &command("alice@example.com", STRONG), &mut uow)
            .await
            .unwrap_err();
        assert_eq!(error.code(), ErrorCode::EmailTaken);
        assert!(uow.events.is_empty());
    }

    #[tokio::test]
    async fn provisioning_an_existing_user_promotes_instead_of_duplicating() {
        let mut uow = TestUnitOfWork::default();
        let existing = stored_user("ops@example.com");
        let id = existing.id();
        uow.users.expect_find_by_email().returning(move |_| Ok(Some(existing.clone())));
        uow.users.expect_update().withf(|u| u.is_platform_admin()).times(1).returning(|_| Ok(()));
        let handler = ProvisionPlatformAdminHandler::new(fake_hasher(), fixed_clock());
        let command = ProvisionPlatformAdmin {
            email: "ops@example.com".into(),
            password: STRONG.into(),
            display_name: "Ops".into(),
        };
        let outcome = handler.handle(&RequestContext::system("seed"), &command, &mut uow).await.unwrap();
        assert_eq!(outcome, Provisioned::Promoted(id));
    }
}
