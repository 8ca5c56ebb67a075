//! Proof of address and account recovery: email verification, password reset and
//! password change. Tokens are mailed, stored as hashes, expire and work once.

use std::sync::Arc;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use tenantry_domain::identity::{
    AccountToken, AccountTokenError, AccountTokenPurpose, EmailAddress, Password, PasswordChangeKind, PasswordHash,
    User,
};
use tenantry_kernel::{Clock, UserId, ValidationError};

use super::sessions::revoke_sessions_of;
use crate::identity::ports::IdentityRepositories;
use crate::identity::ports::OpaqueTokens;
use crate::jobs::{JobFailure, JobHandler, DEFAULT_MAX_ATTEMPTS};
use crate::pipeline::{AuditSubject, Authorization, Command, CommandHandler, RequestContext};
use crate::ports::{MailMessage, Mailer, NewJob, UnitOfWork, UnitOfWorkFactory};
use crate::{AppError, ErrorCode};

/// Issues and mails account tokens, inside the caller's transaction: if the mail
/// cannot be sent nothing is stored, and each new mail voids the previous ones.
pub struct AccountMail {
    repositories: Arc<dyn IdentityRepositories>,
    secrets: Arc<dyn OpaqueTokens>,
    mailer: Arc<dyn Mailer>,
}

impl AccountMail {
    pub fn new(
        repositories: Arc<dyn IdentityRepositories>,
        secrets: Arc<dyn OpaqueTokens>,
        mailer: Arc<dyn Mailer>,
    ) -> Self {
        Self { repositories, secrets, mailer }
    }

    pub(crate) async fn send(
        &self,
        uow: &mut dyn UnitOfWork,
        user: &User,
        purpose: AccountTokenPurpose,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<(), AppError> {
        self.repositories.account_tokens(uow)?.void_unused(user.id(), purpose, now).await?;
        let (token, token_hash) = self.secrets.generate();
        let stored = AccountToken::issue(user.id(), purpose, token_hash, now);
        self.repositories.account_tokens(uow)?.insert(&stored).await?;
        let expires = stored.expires_at().to_rfc3339();
        let (subject, text_body) = match purpose {
            AccountTokenPurpose::VerifyEmail => (
                "Confirm your email address for Tenantry",
                format!(
                    "Confirm that this address is yours with POST /api/v1/auth/verify-email \
                     and the body {{\"token\": \"{token}\"}}.\n\n\
                     Verification token: {token}\n\n\
                     The token expires on {expires} and can be used once.\n"
                ),
            ),
            AccountTokenPurpose::ResetPassword => (
                "Reset your Tenantry password",
                format!(
                    "Someone asked to reset the password of this account. If it was not you, \
                     ignore this mail: your password stays as it is.\n\n\
                     Choose a new password with POST /api/v1/auth/reset-password and the body \
                     {{\"token\": \"{token}\", \"new_password\": \"...\"}}.\n\n\
                     Password reset token: {token}\n\n\
                     The token expires on {expires} and can be used once; using it signs \
                     every device out.\n"
                ),
            ),
        };
        let message = MailMessage { to: user.email().clone(), subject: subject.to_owned(), text_body };
        self.mailer.send(&message).await.map_err(AppError::internal)
    }

    /// Redeems a presented token of `purpose`.
    async fn redeem(
        &self,
        uow: &mut dyn UnitOfWork,
        purpose: AccountTokenPurpose,
        token: &str,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<AccountToken, AppError> {
        let hash = self.secrets.hash(token);
        let mut stored =
            self.repositories.account_tokens(uow)?.find_by_hash(purpose, &hash).await?.ok_or_else(invalid_token)?;
        stored.redeem(now).map_err(token_error)?;
        self.repositories.account_tokens(uow)?.update(&stored).await?;
        Ok(stored)
    }

    /// The login key of an address: what failed-login counters are kept under.
    pub(crate) fn login_key(&self, email: &EmailAddress) -> String {
        self.secrets.hash(email.as_str())
    }
}

fn invalid_token() -> AppError {
    AppError::BusinessRule { code: ErrorCode::AccountTokenInvalid, message: "the token is not valid" }
}

fn token_error(error: AccountTokenError) -> AppError {
    match error {
        AccountTokenError::Expired => {
            AppError::BusinessRule { code: ErrorCode::AccountTokenExpired, message: "the token has expired" }
        }
        AccountTokenError::AlreadyUsed => {
            AppError::BusinessRule { code: ErrorCode::AccountTokenUsed, message: "the token has already been used" }
        }
    }
}

fn user_gone() -> AppError {
    AppError::NotFound { message: "user not found" }
}

/// Mail a verification token (again) to an unverified address, or a password
/// reset token to any account. The request only queues the mail
/// ([`ACCOUNT_MAIL_JOB`]): known and unknown addresses cost the same and answer
/// the same, so neither the answer nor its timing tells whether an account exists.
#[derive(Debug, Clone)]
pub struct MailAccountToken {
    pub email: String,
    pub purpose: AccountTokenPurpose,
}

/// The job kind that sends account mail after the request was answered.
pub const ACCOUNT_MAIL_JOB: &str = "identity.account_mail";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct AccountMailRequest {
    email: String,
    purpose: String,
}

impl Command for MailAccountToken {
    const NAME: &'static str = "identity.mail_account_token";
    /// The login key of the address: the audit subject, known account or not.
    type Output = String;

    fn authorization(&self) -> Authorization {
        Authorization::Public
    }

    fn audit_action(&self, _: &String) -> &'static str {
        match self.purpose {
            AccountTokenPurpose::VerifyEmail => "identity.request_email_verification",
            AccountTokenPurpose::ResetPassword => "identity.request_password_reset",
        }
    }

    fn audit_subject(&self, _: &RequestContext, login_key: &String) -> Option<AuditSubject> {
        Some(AuditSubject::new("login", login_key))
    }
}

/// Use a verification token: the address is proven.
#[derive(Clone)]
pub struct VerifyEmail {
    pub token: String,
}

impl std::fmt::Debug for VerifyEmail {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("VerifyEmail { token: *** }")
    }
}

impl Command for VerifyEmail {
    const NAME: &'static str = "identity.verify_email";
    type Output = UserId;

    fn authorization(&self) -> Authorization {
        Authorization::Public
    }

    fn audit_subject(&self, _: &RequestContext, output: &UserId) -> Option<AuditSubject> {
        Some(AuditSubject::new("user", output))
    }
}

/// Set a new password with a reset token (already validated and hashed by the `Identity` service).
#[derive(Clone)]
pub struct ResetPassword {
    pub token: String,
    /// Kept to check it against the address the token belongs to.
    pub new_password: Password,
    pub new_password_hash: PasswordHash,
}

impl std::fmt::Debug for ResetPassword {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ResetPassword { token: ***, new_password: ***, new_password_hash: *** }")
    }
}

impl Command for ResetPassword {
    const NAME: &'static str = "identity.reset_password";
    type Output = UserId;

    fn authorization(&self) -> Authorization {
        Authorization::Public
    }

    fn audit_subject(&self, _: &RequestContext, output: &UserId) -> Option<AuditSubject> {
        Some(AuditSubject::new("user", output))
    }
}

/// Replace the caller's password (the current one was checked by the `Identity` service).
#[derive(Clone)]
pub struct ChangePassword {
    pub new_password_hash: PasswordHash,
    /// The login key of the account's address, whose counted check succeeded.
    pub login_key: String,
}

impl std::fmt::Debug for ChangePassword {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ChangePassword { new_password_hash: *** }")
    }
}

impl Command for ChangePassword {
    const NAME: &'static str = "identity.change_password";
    type Output = ();

    fn authorization(&self) -> Authorization {
        Authorization::Authenticated
    }

    fn audit_subject(&self, context: &RequestContext, _: &()) -> Option<AuditSubject> {
        context.principal.as_ref().map(|p| AuditSubject::new("user", p.user_id))
    }
}

/// Handles every command of this module.
pub struct RecoveryHandler {
    repositories: Arc<dyn IdentityRepositories>,
    mail: Arc<AccountMail>,
    clock: Arc<dyn Clock>,
}

impl RecoveryHandler {
    pub fn new(repositories: Arc<dyn IdentityRepositories>, mail: Arc<AccountMail>, clock: Arc<dyn Clock>) -> Self {
        Self { repositories, mail, clock }
    }
}

#[async_trait]
impl CommandHandler<MailAccountToken> for RecoveryHandler {
    /// # Errors
    /// 400 for a malformed address; nothing else tells the caller anything.
    async fn handle(
        &self,
        _: &RequestContext,
        command: &MailAccountToken,
        uow: &mut dyn UnitOfWork,
    ) -> Result<String, AppError> {
        let email = EmailAddress::parse(&command.email)?;
        let request =
            AccountMailRequest { email: email.as_str().to_owned(), purpose: command.purpose.as_str().to_owned() };
        uow.enqueue_job(NewJob {
            kind: ACCOUNT_MAIL_JOB.to_owned(),
            payload: serde_json::to_value(request).map_err(AppError::internal)?,
            run_at: self.clock.now(),
            max_attempts: DEFAULT_MAX_ATTEMPTS,
            fair_key: None,
        });
        Ok(self.mail.login_key(&email))
    }
}

/// Sends the account mail a [`MailAccountToken`] queued, to an account that wants it.
async fn mail_if_wanted(
    repositories: &dyn IdentityRepositories,
    mail: &AccountMail,
    uow: &mut dyn UnitOfWork,
    email: &EmailAddress,
    purpose: AccountTokenPurpose,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Option<UserId>, AppError> {
    let Some(user) = repositories.users(uow)?.find_by_email(email).await? else { return Ok(None) };
    if purpose == AccountTokenPurpose::VerifyEmail && user.email_verified_at().is_some() {
        return Ok(None);
    }
    mail.send(uow, &user, purpose, now).await?;
    Ok(Some(user.id()))
}

/// Runs [`ACCOUNT_MAIL_JOB`]s: the token is made and mailed in one transaction.
pub struct AccountMailJobs {
    repositories: Arc<dyn IdentityRepositories>,
    units: Arc<dyn UnitOfWorkFactory>,
    mail: Arc<AccountMail>,
    clock: Arc<dyn Clock>,
}

impl AccountMailJobs {
    pub fn new(
        repositories: Arc<dyn IdentityRepositories>,
        units: Arc<dyn UnitOfWorkFactory>,
        mail: Arc<AccountMail>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self { repositories, units, mail, clock }
    }
}

#[async_trait]
impl JobHandler for AccountMailJobs {
    fn kind(&self) -> &'static str {
        ACCOUNT_MAIL_JOB
    }

    async fn run(&self, payload: &serde_json::Value) -> Result<(), JobFailure> {
        let request: AccountMailRequest =
            serde_json::from_value(payload.clone()).map_err(|e| JobFailure::Permanent(e.to_string()))?;
        let email = EmailAddress::parse(&request.email).map_err(|e| JobFailure::Permanent(e.to_string()))?;
        let purpose = AccountTokenPurpose::parse(&request.purpose)
            .ok_or_else(|| JobFailure::Permanent(format!("unknown purpose {:?}", request.purpose)))?;
        let mut uow = self.units.begin().await?;
        let sent =
            mail_if_wanted(self.repositories.as_ref(), &self.mail, uow.as_mut(), &email, purpose, self.clock.now())
                .await
                .map_err(|error| JobFailure::Transient(error.to_string()))?;
        if sent.is_some() {
            uow.commit().await?;
        }
        Ok(())
    }
}

#[async_trait]
impl CommandHandler<VerifyEmail> for RecoveryHandler {
    /// # Errors
    /// 422 `account_token_invalid` / `account_token_expired` / `account_token_used`.
    async fn handle(
        &self,
        context: &RequestContext,
        command: &VerifyEmail,
        uow: &mut dyn UnitOfWork,
    ) -> Result<UserId, AppError> {
        let now = self.clock.now();
        let token = self.mail.redeem(uow, AccountTokenPurpose::VerifyEmail, &command.token, now).await?;
        let mut user = self.repositories.users(uow)?.find_by_id(token.user_id()).await?.ok_or_else(user_gone)?;
        if let Some(event) = user.verify_email(now) {
            self.repositories.users(uow)?.update(&user).await?;
            uow.record_event(super::envelope(&event, context, now)?);
        }
        Ok(user.id())
    }
}

#[async_trait]
impl CommandHandler<ResetPassword> for RecoveryHandler {
    /// The mail reached the address, so the reset also proves it; every session
    /// ends and the failed-login counter of the address is cleared.
    ///
    /// # Errors
    /// 422 `account_token_invalid` / `account_token_expired` / `account_token_used`.
    async fn handle(
        &self,
        context: &RequestContext,
        command: &ResetPassword,
        uow: &mut dyn UnitOfWork,
    ) -> Result<UserId, AppError> {
        let now = self.clock.now();
        let token = self.mail.redeem(uow, AccountTokenPurpose::ResetPassword, &command.token, now).await?;
        let mut user = self.repositories.users(uow)?.find_by_id(token.user_id()).await?.ok_or_else(user_gone)?;
        if command.new_password.is_address_of(user.email()) {
            // Refused before anything changes: the token stays unused for a better password.
            return Err(ValidationError::field("new_password", "same_as_email").into());
        }
        let verified = user.verify_email(now);
        let changed = user.change_password(command.new_password_hash.clone(), PasswordChangeKind::Reset, now);
        self.repositories.users(uow)?.update(&user).await?;
        revoke_sessions_of(self.repositories.as_ref(), uow, context, user.id(), None, now).await?;
        self.repositories.login_throttles(uow)?.clear(&self.mail.login_key(user.email())).await?;
        if let Some(event) = verified {
            uow.record_event(super::envelope(&event, context, now)?);
        }
        uow.record_event(super::envelope(&changed, context, now)?);
        Ok(user.id())
    }
}

#[async_trait]
impl CommandHandler<ChangePassword> for RecoveryHandler {
    /// Every other session of the user ends; the current one stays signed in.
    ///
    /// # Errors
    /// 401 without a caller.
    async fn handle(
        &self,
        context: &RequestContext,
        command: &ChangePassword,
        uow: &mut dyn UnitOfWork,
    ) -> Result<(), AppError> {
        let principal = context.require_principal()?;
        let now = self.clock.now();
        let mut user = self.repositories.users(uow)?.find_by_id(principal.user_id).await?.ok_or_else(user_gone)?;
        let changed = user.change_password(command.new_password_hash.clone(), PasswordChangeKind::Changed, now);
        self.repositories.users(uow)?.update(&user).await?;
        revoke_sessions_of(self.repositories.as_ref(), uow, context, user.id(), Some(principal.session_id), now)
            .await?;
        // The current password was proven: its check no longer counts as a failure.
        self.repositories.login_throttles(uow)?.clear(&command.login_key).await?;
        uow.record_event(super::envelope(&changed, context, now)?);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use tenantry_domain::identity::AccountToken;

    use super::*;
    use crate::identity::test_support::*;
    use crate::pipeline::Principal;
    use crate::ports::MockMailer;

    fn handler(mailer: MockMailer) -> RecoveryHandler {
        RecoveryHandler::new(
            test_repositories(),
            Arc::new(AccountMail::new(test_repositories(), fake_secrets(), Arc::new(mailer))),
            fixed_clock(),
        )
    }

    fn mail_expected(times: usize, body_has: &'static str) -> MockMailer {
        let mut mailer = MockMailer::new();
        mailer.expect_send().withf(move |m| m.text_body.contains(body_has)).times(times).returning(|_| Ok(()));
        mailer
    }

    fn account_mail(mailer: MockMailer) -> AccountMail {
        AccountMail::new(test_repositories(), fake_secrets(), Arc::new(mailer))
    }

    fn email(address: &str) -> EmailAddress {
        EmailAddress::parse(address).unwrap()
    }

    #[tokio::test]
    async fn a_request_only_queues_the_mail_the_same_way_for_every_address() {
        let command =
            MailAccountToken { email: "Nobody@example.com".into(), purpose: AccountTokenPurpose::ResetPassword };
        let mut uow = TestUnitOfWork::default(); // any repository call would panic
        let login_key = handler(mail_expected(0, "")).handle(&RequestContext::default(), &command, &mut uow).await;
        let login_key = login_key.unwrap();
        assert_eq!(uow.jobs.len(), 1);
        assert_eq!(uow.jobs[0].kind, ACCOUNT_MAIL_JOB);
        assert_eq!(uow.jobs[0].payload["email"], "nobody@example.com");
        let subject = command.audit_subject(&RequestContext::default(), &login_key).unwrap();
        assert_eq!((subject.entity_type, subject.entity_id), ("login", Some(login_key)));
    }

    #[tokio::test]
    async fn an_unknown_address_gets_no_mail() {
        let mut uow = TestUnitOfWork::default();
        uow.users.expect_find_by_email().returning(|_| Ok(None));
        let mail = account_mail(mail_expected(0, ""));
        let address = email("nobody@example.com");
        let sent = mail_if_wanted(
            &TestRepositories,
            &mail,
            &mut uow,
            &address,
            AccountTokenPurpose::ResetPassword,
            fixed_now(),
        )
        .await;
        assert_eq!(sent.unwrap(), None);
    }

    #[tokio::test]
    async fn a_reset_request_voids_older_tokens_stores_the_hash_and_mails_the_token() {
        let mut uow = TestUnitOfWork::default();
        let user = stored_user("alice@example.com");
        let id = user.id();
        uow.users.expect_find_by_email().returning(move |_| Ok(Some(user.clone())));
        uow.account_tokens
            .expect_void_unused()
            .withf(move |u, p, _| *u == id && *p == AccountTokenPurpose::ResetPassword)
            .times(1)
            .returning(|_, _, _| Ok(()));
        uow.account_tokens
            .expect_insert()
            .withf(|t| t.token_hash() == "hash-of-refresh-1" && t.purpose() == AccountTokenPurpose::ResetPassword)
            .times(1)
            .returning(|_| Ok(()));
        let mail = account_mail(mail_expected(1, "Password reset token: refresh-1"));
        let address = email("Alice@example.com");
        let sent = mail_if_wanted(
            &TestRepositories,
            &mail,
            &mut uow,
            &address,
            AccountTokenPurpose::ResetPassword,
            fixed_now(),
        )
        .await;
        assert_eq!(sent.unwrap(), Some(id));
    }

    #[tokio::test]
    async fn a_verified_address_gets_no_second_verification_mail() {
        let mut uow = TestUnitOfWork::default();
        let mut user = stored_user("alice@example.com");
        user.verify_email(fixed_now());
        uow.users.expect_find_by_email().returning(move |_| Ok(Some(user.clone())));
        let mail = account_mail(mail_expected(0, ""));
        let address = email("alice@example.com");
        let sent =
            mail_if_wanted(&TestRepositories, &mail, &mut uow, &address, AccountTokenPurpose::VerifyEmail, fixed_now())
                .await;
        assert_eq!(sent.unwrap(), None);
    }

    #[tokio::test]
    async fn a_reset_sets_the_hash_ends_every_session_and_clears_the_lock() {
        let mut uow = TestUnitOfWork::default();
        let user = stored_user("alice@example.com");
        let id = user.id();
        let token = AccountToken::issue(id, AccountTokenPurpose::ResetPassword, "hash-of-T".into(), fixed_now());
        uow.account_tokens.expect_find_by_hash().returning(move |_, _| Ok(Some(token.clone())));
        uow.account_tokens.expect_update().withf(|t| t.used_at().is_some()).times(1).returning(|_| Ok(()));
        uow.users.expect_find_by_id().returning(move |_| Ok(Some(user.clone())));
        uow.users
            .expect_update()
            .withf(|u| u.password_hash().as_phc() == "new-hash" && u.email_verified_at().is_some())
            .times(1)
            .returning(|_| Ok(()));
        let live = tenantry_domain::identity::Session::start(id, "r".into(), fixed_now());
        uow.sessions.expect_unrevoked_of().returning(move |_| Ok(vec![live.clone()]));
        uow.sessions.expect_update().withf(|s| s.revoked_at().is_some()).times(1).returning(|_| Ok(()));
        uow.login_throttles
            .expect_clear()
            .withf(|key| key == "hash-of-alice@example.com")
            .times(1)
            .returning(|_| Ok(()));
        let command = ResetPassword {
            token: "T".into(),
            new_password: Password::parse("a brand new passphrase").unwrap(),
            new_password_hash: PasswordHash::from_phc("new-hash".into()),
        };
        let output = handler(mail_expected(0, "")).handle(&RequestContext::default(), &command, &mut uow).await;
        assert_eq!(output.unwrap(), id);
        let types: Vec<&str> = uow.events.iter().map(|e| e.event_type.as_str()).collect();
        assert_eq!(types, ["identity.user_logged_out", "identity.email_verified", "identity.password_changed"]);
    }

    #[tokio::test]
    async fn a_used_or_unknown_token_changes_nothing() {
        let mut uow = TestUnitOfWork::default();
        uow.account_tokens.expect_find_by_hash().returning(|_, _| Ok(None));
        let command = VerifyEmail { token: "nope".into() };
        let error = handler(mail_expected(0, "")).handle(&RequestContext::default(), &command, &mut uow).await;
        assert_eq!(error.unwrap_err().code(), ErrorCode::AccountTokenInvalid);

        let mut uow = TestUnitOfWork::default();
        let mut used = AccountToken::issue(UserId::new(), AccountTokenPurpose::VerifyEmail, "h".into(), fixed_now());
        used.redeem(fixed_now()).unwrap();
        uow.account_tokens.expect_find_by_hash().returning(move |_, _| Ok(Some(used.clone())));
        let error = handler(mail_expected(0, "")).handle(&RequestContext::default(), &command, &mut uow).await;
        assert_eq!(error.unwrap_err().code(), ErrorCode::AccountTokenUsed);
    }

    #[tokio::test]
    async fn a_password_change_keeps_the_current_session_only() {
        let mut uow = TestUnitOfWork::default();
        let user = stored_user("alice@example.com");
        let id = user.id();
        uow.users.expect_find_by_id().returning(move |_| Ok(Some(user.clone())));
        uow.users.expect_update().times(1).returning(|_| Ok(()));
        let current = tenantry_domain::identity::Session::start(id, "a".into(), fixed_now());
        let other = tenantry_domain::identity::Session::start(id, "b".into(), fixed_now());
        let (current_id, other_id) = (current.id(), other.id());
        uow.sessions.expect_unrevoked_of().returning(move |_| Ok(vec![current.clone(), other.clone()]));
        uow.sessions.expect_update().withf(move |s| s.id() == other_id).times(1).returning(|_| Ok(()));
        uow.login_throttles.expect_clear().withf(|key| key == "key").times(1).returning(|_| Ok(()));
        let context =
            RequestContext { principal: Some(Principal::session(id, current_id)), ..RequestContext::default() };
        let command =
            ChangePassword { new_password_hash: PasswordHash::from_phc("new".into()), login_key: "key".into() };
        handler(mail_expected(0, "")).handle(&context, &command, &mut uow).await.unwrap();
        let types: Vec<&str> = uow.events.iter().map(|e| e.event_type.as_str()).collect();
        assert_eq!(types, ["identity.user_logged_out", "identity.password_changed"]);
    }
}
