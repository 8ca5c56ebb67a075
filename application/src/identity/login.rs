use std::sync::Arc;

use async_trait::async_trait;
use tenantry_domain::identity::{EmailAddress, Password, Session, SessionClient, UserLoggedIn};
use tenantry_kernel::{Clock, UserId, ValidationError};

use crate::identity::ports::IdentityRepositories;
use crate::identity::ports::{Credentials, IdentityQueries, OpaqueTokens, PasswordHasher, TokenIssuer};
use crate::pipeline::{AuditSubject, Authorization, Command, CommandHandler, RequestContext};
use crate::ports::UnitOfWork;
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

    /// Checks a password against the account of `email`. An unknown email spends
    /// the same argon2 work as a wrong password, and both come back `Rejected`.
    ///
    /// # Errors
    /// Storage and hashing failures only.
    pub async fn check(&self, email: &EmailAddress, password: &Password) -> Result<CredentialCheck, AppError> {
        let credentials = self.queries.credentials_by_email(email).await?;
        self.decide(credentials, password).await
    }

    /// The same check for a signed-in user (changing a password needs the current one).
    ///
    /// # Errors
    /// Storage and hashing failures only.
    pub async fn check_user(&self, user: UserId, password: &Password) -> Result<CredentialCheck, AppError> {
        let credentials = self.queries.credentials_by_id(user).await?;
        self.decide(credentials, password).await
    }

    async fn decide(&self, credentials: Option<Credentials>, password: &Password) -> Result<CredentialCheck, AppError> {
        let verified = self
            .hasher
            .verify(password, credentials.as_ref().map(|c| &c.password_hash))
            .await
            .map_err(AppError::internal)?;
        Ok(match credentials {
            Some(credentials) if verified => CredentialCheck::Verified(credentials),
            other => CredentialCheck::Rejected { user_id: other.map(|c| c.user_id) },
        })
    }
}

/// The outcome of a password check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CredentialCheck {
    Verified(Credentials),
    /// Wrong password or unknown address; `user_id` only feeds the audit trail.
    Rejected {
        user_id: Option<UserId>,
    },
}

/// The email and password of a login request as domain values.
///
/// # Errors
/// 400 listing a malformed email and an empty or oversized password together.
pub fn parse_login(command: &LogIn) -> Result<(EmailAddress, Password), AppError> {
    match (EmailAddress::parse(&command.email), Password::candidate(&command.password)) {
        (Ok(email), Ok(password)) => Ok((email, password)),
        (email, password) => Err(ValidationError::collect([email.map(drop), password.map(drop)])
            .err()
            .map_or_else(|| AppError::internal(ValidationError::field("email", "invalid")), AppError::from)),
    }
}

/// Open a session for a user whose credentials were just verified.
#[derive(Debug, Clone)]
pub struct StartSession {
    pub user_id: UserId,
    /// The address's failed-login counter, cleared by a successful login.
    pub login_key: String,
}

impl Command for StartSession {
    const NAME: &'static str = "identity.log_in";
    type Output = TokenPair;

    fn authorization(&self) -> Authorization {
        // Reached only through `Identity::log_in`, after the credential check.
        Authorization::Public
    }

    fn audit_subject(&self, _: &RequestContext, output: &TokenPair) -> Option<AuditSubject> {
        Some(AuditSubject::new("user", output.user_id))
    }
}

pub struct StartSessionHandler {
    repositories: Arc<dyn IdentityRepositories>,
    tokens: Arc<dyn TokenIssuer>,
    secrets: Arc<dyn OpaqueTokens>,
    clock: Arc<dyn Clock>,
}

impl StartSessionHandler {
    pub fn new(
        repositories: Arc<dyn IdentityRepositories>,
        tokens: Arc<dyn TokenIssuer>,
        secrets: Arc<dyn OpaqueTokens>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self { repositories, tokens, secrets, clock }
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
        self.repositories.sessions(uow)?.insert(&session).await?;
        self.repositories.login_throttles(uow)?.clear(&command.login_key).await?;
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
    use crate::identity::ports::MockIdentityQueries;
    use crate::identity::test_support::*;
    use crate::ErrorCode;

    fn queries_knowing(user: Option<tenantry_domain::identity::User>) -> Arc<dyn IdentityQueries> {
        let mut queries = MockIdentityQueries::new();
        queries.expect_credentials_by_email().returning(move |_| {
            Ok(user.as_ref().map(|u| Credentials {
                user_id: u.id(),
                email: u.email().clone(),
                password_hash: u.password_hash().clone(),
                email_verified: false,
            }))
        });
        Arc::new(queries)
    }

    fn login(email: &str, password: &str) -> (EmailAddress, Password) {
        parse_login(&LogIn { email: email.into(), password: password.into() }).unwrap()
    }

    #[tokio::test]
    async fn correct_credentials_identify_the_user() {
        let user = stored_user("alice@example.com");
        let id = user.id();
        let verifier = CredentialVerifier::new(fake_hasher(), queries_knowing(Some(user)));
        let (email, password) = login("Alice@Example.com", STRONG);
        match verifier.check(&email, &password).await.unwrap() {
            CredentialCheck::Verified(credentials) => assert_eq!(credentials.user_id, id),
            other => panic!("expected verified, got {other:?}"),
        }
    }

    #[tokio::test]
    async fn unknown_email_and_wrong_password_are_both_rejected_and_cost_the_same() {
        let hasher = Arc::new(CountingHasher::default());
        let unknown = CredentialVerifier::new(hasher.clone(), queries_knowing(None));
        let (email, password) = login("bob@example.com", STRONG);
        assert_eq!(unknown.check(&email, &password).await.unwrap(), CredentialCheck::Rejected { user_id: None });
        let alice = stored_user("alice@example.com");
        let alice_id = alice.id();
        let wrong = CredentialVerifier::new(hasher.clone(), queries_knowing(Some(alice)));
        let (email, password) = login("alice@example.com", "not the password");
        assert_eq!(
            wrong.check(&email, &password).await.unwrap(),
            CredentialCheck::Rejected { user_id: Some(alice_id) }
        );
        assert_eq!(hasher.verifications(), 2, "the unknown-email path still spends a verification");
    }

    #[tokio::test]
    async fn malformed_input_is_a_validation_error_naming_every_field() {
        let error = parse_login(&LogIn { email: "nope".into(), password: String::new() }).unwrap_err();
        assert_eq!(error.code(), ErrorCode::ValidationFailed);
        let fields: Vec<&str> = error.details().iter().map(|d| d.field.as_str()).collect();
        assert_eq!(fields, ["email", "password"]);
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
        uow.login_throttles.expect_clear().withf(|key| key == "key").times(1).returning(|_| Ok(()));
        let handler = StartSessionHandler::new(test_repositories(), fake_token_issuer(), fake_secrets(), fixed_clock());
        let command = StartSession { user_id, login_key: "key".into() };
        let pair = handler.handle(&RequestContext::default(), &command, &mut uow).await.unwrap();
        assert_eq!(pair.refresh_token, "refresh-1");
        assert!(pair.access_token.starts_with(&format!("access:{user_id}:")));
        assert_eq!(uow.events[0].event_type, "identity.user_logged_in");
    }
}
