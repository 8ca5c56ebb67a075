use std::sync::Arc;

use async_trait::async_trait;
use tenantry_domain::identity::{EmailAddress, Password, Session, SessionClient, UserLoggedIn};
use tenantry_kernel::{Clock, UserId};

use crate::pipeline::{AuditSubject, Authorization, Command, CommandHandler, RequestContext};
use crate::ports::{IdentityQueries, OpaqueTokens, PasswordHasher, TokenIssuer, UnitOfWork};
use crate::AppError;

/// Exchange email and password for a new session.
#[derive(Clone)]
pub struct LogIn {
    pub email: String,
    pub password: String,
}

impl std::fmt::Debug for LogIn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LogIn").field("email", &self.email).field("password", &"***").finish()
    }
}

/// What a client keeps after login or refresh.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenPair {
    pub user_id: UserId,
    pub access_token: String,
    pub refresh_token: String,
    pub expires_in_seconds: i64,
}

/// Checks credentials before any transaction opens: argon2 takes tens of
/// milliseconds, and holding a write lock (SQLite) or a pooled connection
/// (PostgreSQL) that long per login would let a login flood starve every writer.
pub struct CredentialVerifier {
    hasher: Arc<dyn PasswordHasher>,
    queries: Arc<dyn IdentityQueries>,
}

impl CredentialVerifier {
    pub fn new(hasher: Arc<dyn PasswordHasher>, queries: Arc<dyn IdentityQueries>) -> Self {
        Self { hasher, queries }
    }

    /// # Errors
    /// 401 `invalid_credentials` alike for an unknown email and a wrong password
    /// (same body, same argon2 work), 400 for a malformed email or an empty password.
    pub async fn verify(&self, command: &LogIn) -> Result<UserId, AppError> {
        let email = EmailAddress::parse(&command.email)?;
        let password = Password::candidate(&command.password)?;
        let credentials = self.queries.credentials_by_email(&email).await?;
        let verified = self
            .hasher
            .verify(&password, credentials.as_ref().map(|(_, hash)| hash))
            .await
            .map_err(AppError::internal)?;
        match credentials {
            Some((user_id, _)) if verified => Ok(user_id),
            _ => Err(AppError::invalid_credentials()),
        }
    }
}

/// Open a session for a user whose credentials were just verified.
#[derive(Debug, Clone)]
pub struct StartSession {
    pub user_id: UserId,
}

impl Command for StartSession {
    const NAME: &'static str = "identity.log_in";
    type Output = TokenPair;

    fn authorization(&self) -> Authorization {
        // Reached only through `Application::log_in`, after the credential check.
        Authorization::Public
    }

    fn audit_subject(&self, _: &RequestContext, output: &TokenPair) -> Option<AuditSubject> {
        Some(AuditSubject::new("user", output.user_id))
    }
}

pub struct StartSessionHandler {
    tokens: Arc<dyn TokenIssuer>,
    secrets: Arc<dyn OpaqueTokens>,
    clock: Arc<dyn Clock>,
}

impl StartSessionHandler {
    pub fn new(tokens: Arc<dyn TokenIssuer>, secrets: Arc<dyn OpaqueTokens>, clock: Arc<dyn Clock>) -> Self {
        Self { tokens, secrets, clock }
    }
}

#[async_trait]
impl CommandHandler<StartSession> for StartSessionHandler {
    async fn handle(
        &self,
        context: &RequestContext,
        command: &StartSession,
        uow: &mut dyn UnitOfWork,
    ) -> Result<TokenPair, AppError> {
        let now = self.clock.now();
        let (refresh_token, refresh_hash) = self.secrets.generate();
        let client = SessionClient { ip: context.ip.clone(), user_agent: context.user_agent.clone() };
        let session = Session::start(command.user_id, refresh_hash, now).with_client(client);
        uow.sessions().insert(&session).await?;
        let access = self.tokens.issue(command.user_id, session.id(), now).map_err(AppError::internal)?;
        let event = UserLoggedIn { user_id: command.user_id, session_id: session.id() };
        let mut envelope = super::envelope(&event, context, now)?;
        envelope.actor_id = Some(command.user_id);
        uow.record_event(envelope);
        Ok(TokenPair {
            user_id: command.user_id,
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
    use crate::ports::MockIdentityQueries;
    use crate::ErrorCode;

    fn queries_knowing(user: Option<tenantry_domain::identity::User>) -> Arc<dyn IdentityQueries> {
        let mut queries = MockIdentityQueries::new();
        queries
            .expect_credentials_by_email()
            .returning(move |_| Ok(user.as_ref().map(|u| (u.id(), u.password_hash().clone()))));
        Arc::new(queries)
    }

    fn login(email: &str, password: &str) -> LogIn {
        LogIn { email: email.into(), password: password.into() }
    }

    #[tokio::test]
    async fn correct_credentials_identify_the_user() {
        let user = stored_user("alice@example.com");
        let id = user.id();
        let verifier = CredentialVerifier::new(fake_hasher(), queries_knowing(Some(user)));
        assert_eq!(verifier.verify(&login("Alice@Example.com", STRONG)).await.unwrap(), id);
    }

    #[tokio::test]
    async fn unknown_email_and_wrong_password_fail_alike_and_cost_the_same() {
        let hasher = Arc::new(CountingHasher::default());
        let unknown = CredentialVerifier::new(hasher.clone(), queries_knowing(None));
        let unknown_error = unknown.verify(&login("bob@example.com", STRONG)).await.unwrap_err();
        let wrong = CredentialVerifier::new(hasher.clone(), queries_knowing(Some(stored_user("alice@example.com"))));
        let wrong_error = wrong.verify(&login("alice@example.com", "not the password")).await.unwrap_err();
        assert_eq!(unknown_error.code(), ErrorCode::InvalidCredentials);
        assert_eq!(wrong_error.code(), ErrorCode::InvalidCredentials);
        assert_eq!(unknown_error.to_string(), wrong_error.to_string());
        assert_eq!(hasher.verifications(), 2, "the unknown-email path still spends a verification");
    }

    #[tokio::test]
    async fn malformed_input_is_a_validation_error() {
        let verifier = CredentialVerifier::new(fake_hasher(), queries_knowing(None));
        assert_eq!(verifier.verify(&login("nope", STRONG)).await.unwrap_err().code(), ErrorCode::ValidationFailed);
        assert_eq!(verifier.verify(&login("a@example.com", "")).await.unwrap_err().code(), ErrorCode::ValidationFailed);
    }

    #[tokio::test]
    async fn a_started_session_stores_the_refresh_hash_and_returns_a_token_pair() {
        let user_id = UserId::new();
        let mut uow = TestUnitOfWork::default();
        uow.sessions
            .expect_insert()
            .withf(move |s| s.user_id() == user_id && s.refresh_token_hash() == "hash-of-refresh-1")
            .times(1)
            .returning(|_| Ok(()));
        let handler = StartSessionHandler::new(fake_token_issuer(), fake_secrets(), fixed_clock());
        let pair = handler.handle(&RequestContext::default(), &StartSession { user_id }, &mut uow).await.unwrap();
        assert_eq!(pair.refresh_token, "refresh-1");
        assert!(pair.access_token.starts_with(&format!("access:{user_id}:")));
        assert_eq!(uow.events[0].event_type, "identity.user_logged_in");
    }
}
