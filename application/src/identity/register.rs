use std::sync::Arc;

use async_trait::async_trait;
use tenantry_domain::identity::{AccountTokenPurpose, DisplayName, EmailAddress, Password, PasswordHash, User};
use tenantry_kernel::{Clock, UserId, ValidationError};

use super::recovery::AccountMail;
use crate::identity::ports::IdentityRepositories;
use crate::identity::ports::PasswordHasher;
use crate::pipeline::AuditSubject;
use crate::pipeline::{Authorization, Command, CommandHandler, RequestContext};
use crate::ports::{RepositoryError, UnitOfWork};
use crate::{AppError, ErrorCode};

/// Create an account with email and password (the `Identity` service's input; the command that
/// runs in the transaction is [`CreateUser`], with the password already hashed).
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

/// Ensure the platform operator account exists (essential seed). Idempotent.
#[derive(Clone)]
pub struct ProvisionPlatformAdmin {
    pub email: String,
    pub password: String,
    pub display_name: String,
}

impl std::fmt::Debug for ProvisionPlatformAdmin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProvisionPlatformAdmin")
            .field("email", &self.email)
            .field("password", &"***")
            .finish_non_exhaustive()
    }
}

/// The validated fields and password hash of an account about to be created.
#[derive(Debug, Clone, PartialEq)]
pub struct NewAccount {
    pub email: EmailAddress,
    pub display_name: DisplayName,
    pub password_hash: PasswordHash,
}

/// Validates and hashes before any transaction opens: argon2 takes tens of
/// milliseconds and must not hold a write lock or a pooled connection meanwhile.
pub struct AccountPreparer {
    hasher: Arc<dyn PasswordHasher>,
}

impl AccountPreparer {
    pub fn new(hasher: Arc<dyn PasswordHasher>) -> Self {
        Self { hasher }
    }

    /// # Errors
    /// 400 `validation_failed` listing every bad field.
    pub async fn prepare(&self, email: &str, display_name: &str, password: &str) -> Result<NewAccount, AppError> {
        let email = EmailAddress::parse(email);
        let display_name = DisplayName::parse(display_name);
        let password = match &email {
            Ok(email) => Password::parse_for(password, email),
            Err(_) => Password::parse(password),
        };
        let (email, display_name, password) = match (email, display_name, password) {
            (Ok(email), Ok(display_name), Ok(password)) => (email, display_name, password),
            (e, d, p) => {
                return Err(ValidationError::collect([e.map(drop), d.map(drop), p.map(drop)])
                    .err()
                    .map_or_else(|| AppError::internal(ValidationError::field("input", "invalid")), AppError::from))
            }
        };
        let password_hash = self.hasher.hash(&password).await.map_err(AppError::internal)?;
        Ok(NewAccount { email, display_name, password_hash })
    }

    /// Applies the password policy and hashes, reporting violations on `field`;
    /// with the account's address when it is known before the transaction.
    ///
    /// # Errors
    /// 400 `validation_failed` when the policy refuses the password.
    pub async fn hash_new_password(
        &self,
        password: &str,
        email: Option<&EmailAddress>,
        field: &str,
    ) -> Result<(Password, PasswordHash), AppError> {
        let password = match email {
            Some(email) => Password::parse_for(password, email),
            None => Password::parse(password),
        }
        .map_err(|e| e.on_field(field))?;
        let hash = self.hasher.hash(&password).await.map_err(AppError::internal)?;
        Ok((password, hash))
    }
}

fn duplicate_email() -> AppError {
    AppError::Conflict { code: ErrorCode::EmailTaken, message: "an account with this email already exists" }
}

/// Inserts a prepared account and records `UserRegistered`. The operator's
/// platform admin is trusted with its address; everyone else proves theirs.
async fn insert_user(
    repositories: &dyn IdentityRepositories,
    clock: &dyn Clock,
    uow: &mut dyn UnitOfWork,
    context: &RequestContext,
    account: &NewAccount,
    platform_admin: bool,
) -> Result<User, AppError> {
    let now = clock.now();
    let (mut user, registered) =
        User::register(account.email.clone(), account.display_name.clone(), account.password_hash.clone(), now);
    if platform_admin {
        user.grant_platform_admin(now);
        user.verify_email(now);
    }
    match repositories.users(uow)?.insert(&user).await {
        Err(RepositoryError::Duplicate { .. }) => return Err(duplicate_email()),
        other => other?,
    }
    uow.record_event(super::envelope(&registered, context, now)?);
    Ok(user)
}

/// Store a new account (its password already hashed by [`AccountPreparer`]).
#[derive(Debug, Clone)]
pub struct CreateUser {
    pub account: NewAccount,
}

impl Command for CreateUser {
    const NAME: &'static str = "identity.register_user";
    type Output = UserId;

    fn authorization(&self) -> Authorization {
        Authorization::Public
    }

    fn audit_subject(&self, _: &RequestContext, output: &UserId) -> Option<AuditSubject> {
        Some(AuditSubject::new("user", output))
    }
}

pub struct CreateUserHandler {
    repositories: Arc<dyn IdentityRepositories>,
    mail: Arc<AccountMail>,
    clock: Arc<dyn Clock>,
}

impl CreateUserHandler {
    pub fn new(repositories: Arc<dyn IdentityRepositories>, mail: Arc<AccountMail>, clock: Arc<dyn Clock>) -> Self {
        Self { repositories, mail, clock }
    }
}

#[async_trait]
impl CommandHandler<CreateUser> for CreateUserHandler {
    /// The verification mail goes out in the same transaction.
    ///
    /// # Errors
    /// 409 `email_taken` (checked first, and decided by the unique constraint under a race).
    async fn handle(
        &self,
        context: &RequestContext,
        command: &CreateUser,
        uow: &mut dyn UnitOfWork,
    ) -> Result<UserId, AppError> {
        if self.repositories.users(uow)?.find_by_email(&command.account.email).await?.is_some() {
            return Err(duplicate_email());
        }
        let user =
            insert_user(self.repositories.as_ref(), self.clock.as_ref(), uow, context, &command.account, false).await?;
        self.mail.send(uow, &user, AccountTokenPurpose::VerifyEmail, self.clock.now()).await?;
        Ok(user.id())
    }
}

/// Whether provisioning created something or found it in place.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Provisioned {
    Created(UserId),
    /// The account existed and was made a platform admin.
    Promoted(UserId),
    AlreadyPresent(UserId),
}

/// Make a prepared account the platform admin, creating it when missing.
#[derive(Debug, Clone)]
pub struct ProvisionAdminAccount {
    pub account: NewAccount,
}

impl Command for ProvisionAdminAccount {
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

pub struct ProvisionAdminAccountHandler {
    repositories: Arc<dyn IdentityRepositories>,
    clock: Arc<dyn Clock>,
}

impl ProvisionAdminAccountHandler {
    pub fn new(repositories: Arc<dyn IdentityRepositories>, clock: Arc<dyn Clock>) -> Self {
        Self { repositories, clock }
    }
}

#[async_trait]
impl CommandHandler<ProvisionAdminAccount> for ProvisionAdminAccountHandler {
    async fn handle(
        &self,
        context: &RequestContext,
        command: &ProvisionAdminAccount,
        uow: &mut dyn UnitOfWork,
    ) -> Result<Provisioned, AppError> {
        if let Some(mut existing) = self.repositories.users(uow)?.find_by_email(&command.account.email).await? {
            if existing.is_platform_admin() {
                return Ok(Provisioned::AlreadyPresent(existing.id()));
            }
            existing.grant_platform_admin(self.clock.now());
            self.repositories.users(uow)?.update(&existing).await?;
            return Ok(Provisioned::Promoted(existing.id()));
        }
        insert_user(self.repositories.as_ref(), self.clock.as_ref(), uow, context, &command.account, true)
            .await
            .map(|user| Provisioned::Created(user.id()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::identity::test_support::*;

    fn create_user_handler(mails: usize) -> CreateUserHandler {
        let mut mailer = crate::ports::MockMailer::new();
        mailer.expect_send().withf(|m| m.text_body.contains("Verification token: ")).times(mails).returning(|_| Ok(()));
        CreateUserHandler::new(
            test_repositories(),
            Arc::new(AccountMail::new(test_repositories(), fake_secrets(), Arc::new(mailer))),
            fixed_clock(),
        )
    }

    async fn prepared(email: &str) -> NewAccount {
        AccountPreparer::new(fake_hasher()).prepare(email, "Alice", STRONG).await.unwrap()
    }

    #[tokio::test]
    async fn registers_a_new_user_and_records_user_registered() {
        let mut uow = TestUnitOfWork::default();
        uow.users.expect_find_by_email().returning(|_| Ok(None));
        uow.users
            .expect_insert()
            .withf(|u| u.password_hash().as_phc() == format!("fake${STRONG}"))
            .times(1)
            .returning(|_| Ok(()));
        uow.account_tokens.expect_void_unused().returning(|_, _, _| Ok(()));
        uow.account_tokens
            .expect_insert()
            .withf(|t| t.purpose() == AccountTokenPurpose::VerifyEmail)
            .times(1)
            .returning(|_| Ok(()));
        let command = CreateUser { account: prepared("Alice@Example.com").await };
        let id = create_user_handler(1).handle(&RequestContext::default(), &command, &mut uow).await.unwrap();
        assert_eq!(uow.events.len(), 1);
        assert_eq!(uow.events[0].event_type, "identity.user_registered");
        assert_eq!(uow.events[0].payload["user_id"], id.to_string());
        assert_eq!(uow.events[0].payload["email"], "alice@example.com");
    }

    #[tokio::test]
    async fn reports_every_invalid_field_at_once_before_hashing() {
        let hasher = Arc::new(CountingHasher::default());
        let error = AccountPreparer::new(hasher.clone()).prepare("nope", " ", "short").await.unwrap_err();
        let fields: Vec<_> = error.details().iter().map(|d| d.field.as_str()).collect();
        assert_eq!(fields, ["email", "display_name", "password"]);
    }

    #[tokio::test]
    async fn a_taken_email_is_a_conflict() {
        let mut uow = TestUnitOfWork::default();
        uow.users.expect_find_by_email().returning(|_| Ok(Some(stored_user("alice@example.com"))));
        let command = CreateUser { account: prepared("alice@example.com").await };
        let error = create_user_handler(0).handle(&RequestContext::default(), &command, &mut uow).await.unwrap_err();
        assert_eq!(error.code(), ErrorCode::EmailTaken);
    }

    #[tokio::test]
    async fn a_unique_violation_under_a_race_is_also_a_conflict() {
        let mut uow = TestUnitOfWork::default();
        uow.users.expect_find_by_email().returning(|_| Ok(None));
        uow.users
            .expect_insert()
            .returning(|_| Err(RepositoryError::Duplicate { constraint: "users_email_key".into() }));
        let command = CreateUser { account: prepared("alice@example.com").await };
        let error = create_user_handler(0).handle(&RequestContext::default(), &command, &mut uow).await.unwrap_err();
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
        let command = ProvisionAdminAccount { account: prepared("ops@example.com").await };
        let outcome = ProvisionAdminAccountHandler::new(test_repositories(), fixed_clock())
            .handle(&RequestContext::system("seed"), &command, &mut uow)
            .await
            .unwrap();
        assert_eq!(outcome, Provisioned::Promoted(id));
    }
}
