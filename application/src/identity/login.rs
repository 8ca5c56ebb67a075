use std::sync::Arc;

use async_trait::async_trait;
use tenantry_domain::identity::{EmailAddress, Password, Session, UserLoggedIn};
use tenantry_kernel::{Clock, UserId};

use crate::pipeline::AuditSubject;
use crate::pipeline::{Authorization, Command, CommandHandler, RequestContext};
use crate::ports::{OpaqueTokens, PasswordHasher, TokenIssuer, UnitOfWork};
use crate::AppError;

/// Exchange email and password for a new session.
#[derive(Debug, Clone)]
pub struct LogIn {
    pub email: String,
    pub password: String,
}

/// What a client keeps after login or refresh.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenPair {
    pub user_id: UserId,
    pub access_token: String,
    pub refresh_token: String,
    pub expires_in_seconds: i64,
}

impl Command for LogIn {
    const NAME: &'static str = "identity.log_in";
    type Output = TokenPair;

    fn authorization(&self) -> Authorization {
        Authorization::Public
    }

    fn audit_subject(&self, _: &RequestContext, output: &TokenPair) -> Option<AuditSubject> {
        Some(AuditSubject::new("user", output.user_id))
    }
}

pub struct LogInHandler {
    hasher: Arc<dyn PasswordHasher>,
    tokens: Arc<dyn TokenIssuer>,
    secrets: Arc<dyn OpaqueTokens>,
    clock: Arc<dyn Clock>,
}

impl LogInHandler {
    pub fn new(
        hasher: Arc<dyn PasswordHasher>,
        tokens: Arc<dyn TokenIssuer>,
        secrets: Arc<dyn OpaqueTokens>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self { hasher, tokens, secrets, clock }
    }
}

#[async_trait]
impl CommandHandler<LogIn> for LogInHandler {
    /// # Errors
    /// 401 `invalid_credentials` alike for an unknown email and a wrong password
    /// (same body, same argon2 work), 400 for a malformed email or an empty password.
    async fn handle(
        &self,
        context: &RequestContext,
        command: &LogIn,
        uow: &mut dyn UnitOfWork,
    ) -> Result<TokenPair, AppError> {
        let email = EmailAddress::parse(&command.email)?;
        let password = Password::candidate(&command.password)?;
        let user = uow.users().find_by_email(&email).await?;
        let verified = self
            .hasher
            .verify(&password, user.as_ref().map(|u| u.password_hash()))
            .await
            .map_err(AppError::internal)?;
        let user = match user {
            Some(user) if verified => user,
            _ => return Err(AppError::invalid_credentials()),
        };
        let now = self.clock.now();
        let (refresh_token, refresh_hash) = self.secrets.generate();
        let session = Session::start(user.id(), refresh_hash, now);
        uow.sessions().insert(&session).await?;
        let access = self.tokens.issue(user.id(), session.id(), now).map_err(AppError::internal)?;
        let event = UserLoggedIn { user_id: user.id(), session_id: session.id() };
        let mut envelope = super::envelope(&event, context, now)?;
        envelope.actor_id = Some(user.id());
        uow.record_event(envelope);
        Ok(TokenPair {
            user_id: user.id(),
            access_token: access.token,
            refresh_token,
            expires_in_seconds: access.expires_in_seconds,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::identity::test_support::*;
    use crate::ErrorCode;

    fn handler() -> LogInHandler {
        LogInHandler::new(fake_hasher(), fake_token_issuer(), fake_secrets(), fixed_clock())
    }

    #[tokio::test]
    async fn correct_credentials_open_a_session_and_return_a_token_pair() {
        let mut uow = TestUnitOfWork::default();
        let user = stored_user("alice@example.com");
        let user_id = user.id();
        uow.users.expect_find_by_email().returning(move |_| Ok(Some(user.clone())));
        uow.sessions
            .expect_insert()
            .withf(move |s| s.user_id() == user_id && s.refresh_token_hash() == "hash-of-refresh-1")
            .times(1)
            .returning(|_| Ok(()));
        let pair = handler()
            .handle(
                &RequestContext::default(),
                &LogIn { email: "alice@example.com".into(), password: STRONG.into() },
                &mut uow,
            )
            .await
            .unwrap();
        assert_eq!(pair.refresh_token, "refresh-1");
        assert!(pair.access_token.starts_with(&format!("access:{user_id}:")));
        assert_eq!(uow.events[0].event_type, "identity.user_logged_in");
    }

    #[tokio::test]
    async fn unknown_email_and_wrong_password_fail_alike() {
        let mut unknown = TestUnitOfWork::default();
        unknown.users.expect_find_by_email().returning(|_| Ok(None));
        let unknown_error = handler()
            .handle(
                &RequestContext::default(),
                &LogIn { email: "bob@example.com".into(), password: STRONG.into() },
                &mut unknown,
            )
            .await
            .unwrap_err();

        let mut wrong = TestUnitOfWork::default();
        wrong.users.expect_find_by_email().returning(|_| Ok(Some(stored_user("alice@example.com"))));
        let wrong_error = handler()
            .handle(
                &RequestContext::default(),
                &LogIn { email: "alice@example.com".into(), password: "not the password".into() },
                &mut wrong,
            )
            .await
            .unwrap_err();

        assert_eq!(unknown_error.code(), ErrorCode::InvalidCredentials);
        assert_eq!(unknown_error.to_string(), wrong_error.to_string());
        assert_eq!(wrong_error.code(), ErrorCode::InvalidCredentials);
        assert!(unknown.events.is_empty() && wrong.events.is_empty());
    }

    #[tokio::test]
    async fn the_unknown_email_path_still_spends_a_verification() {
        let mut uow = TestUnitOfWork::default();
        uow.users.expect_find_by_email().returning(|_| Ok(None));
        let hasher = Arc::new(CountingHasher::default());
        let handler = LogInHandler::new(hasher.clone(), fake_token_issuer(), fake_secrets(), fixed_clock());
        let _ = handler
            .handle(
                &RequestContext::default(),
                &LogIn { email: "bob@example.com".into(), password: STRONG.into() },
                &mut uow,
            )
            .await;
        assert_eq!(hasher.verifications(), 1);
    }
}
