//! Every port the application needs from the outside world. Repository ports are
//! `#[async_trait]` because the unit of work hands them out as `&mut dyn`; service
//! ports are shared as `Arc<dyn _>` by the composition root for the same reason.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use tenantry_domain::identity::{EmailAddress, Password, PasswordHash, Session, User};
use tenantry_kernel::{EventEnvelope, SessionId, UserId};

use crate::pipeline::AuditEntry;

pub use tenantry_kernel::Clock;

/// Failure of a storage adapter, already translated from the driver's error.
#[derive(Debug, thiserror::Error)]
pub enum RepositoryError {
    /// A unique constraint refused the write (`constraint` names it).
    #[error("duplicate value violates {constraint}")]
    Duplicate { constraint: String },
    /// An optimistic-concurrency check failed: the row changed since it was read.
    #[error("stale version")]
    StaleVersion,
    /// The store could not be reached (pool timeout, connection refused).
    #[error("storage unavailable")]
    Unavailable(#[source] Box<dyn std::error::Error + Send + Sync>),
    /// Anything else: a bug or corrupt data.
    #[error("storage failure")]
    Other(#[source] Box<dyn std::error::Error + Send + Sync>),
}

/// Users, inside one transaction.
#[cfg_attr(test, mockall::automock)]
#[async_trait]
pub trait UserRepository: Send {
    /// # Errors
    /// `Duplicate` when the email is taken.
    async fn insert(&mut self, user: &User) -> Result<(), RepositoryError>;
    /// Saves a changed user if nobody changed it since it was read (`version - 1`).
    async fn update(&mut self, user: &User) -> Result<(), RepositoryError>;
    async fn find_by_id(&mut self, id: UserId) -> Result<Option<User>, RepositoryError>;
    async fn find_by_email(&mut self, email: &EmailAddress) -> Result<Option<User>, RepositoryError>;
}

/// Server-side sessions, inside one transaction.
#[cfg_attr(test, mockall::automock)]
#[async_trait]
pub trait SessionRepository: Send {
    async fn insert(&mut self, session: &Session) -> Result<(), RepositoryError>;
    /// Saves rotation and revocation.
    async fn update(&mut self, session: &Session) -> Result<(), RepositoryError>;
    async fn find_by_id(&mut self, id: SessionId) -> Result<Option<Session>, RepositoryError>;
    /// Finds the session a refresh token belongs to, locking it against a
    /// concurrent rotation where the backend supports row locks.
    async fn find_by_refresh_token_hash(&mut self, hash: &str) -> Result<Option<Session>, RepositoryError>;
    /// Remembers a rotated-out refresh token hash, so a replay of it can be recognised.
    async fn retire_refresh_token_hash(&mut self, session: &Session, hash: &str) -> Result<(), RepositoryError>;
    /// The session a rotated-out refresh token belonged to.
    async fn find_by_retired_refresh_token_hash(&mut self, hash: &str) -> Result<Option<Session>, RepositoryError>;
}

/// The role and permission catalogue (tenancy), written by the essential seed.
#[cfg_attr(test, mockall::automock)]
#[async_trait]
pub trait RoleCatalogueRepository: Send {
    /// Inserts or refreshes a permission; `true` when it was created.
    async fn upsert_permission(&mut self, key: &str, description: &str) -> Result<bool, RepositoryError>;
    /// Inserts or refreshes a role and replaces its permission set; `true` when anything changed.
    async fn upsert_role(
        &mut self,
        name: &str,
        description: &str,
        permissions: &[&'static str],
    ) -> Result<bool, RepositoryError>;
}

/// One transaction: repositories bound to it, the events and audit entry it will
/// write, all committed or rolled back together. Dropping it without `commit` rolls back.
#[async_trait]
pub trait UnitOfWork: Send {
    fn users(&mut self) -> &mut dyn UserRepository;
    fn sessions(&mut self) -> &mut dyn SessionRepository;
    fn role_catalogue(&mut self) -> &mut dyn RoleCatalogueRepository;
    /// Queues a domain event for the outbox; it is written in this transaction.
    fn record_event(&mut self, event: EventEnvelope);
    /// Queues the audit entry of this command; it is written in this transaction.
    fn record_audit(&mut self, entry: AuditEntry);
    async fn commit(self: Box<Self>) -> Result<(), RepositoryError>;
}

/// Opens units of work.
#[async_trait]
pub trait UnitOfWorkFactory: Send + Sync + 'static {
    async fn begin(&self) -> Result<Box<dyn UnitOfWork>, RepositoryError>;
}

/// Slow, salted password hashing (argon2id in production).
#[async_trait]
pub trait PasswordHasher: Send + Sync + 'static {
    async fn hash(&self, password: &Password) -> Result<PasswordHash, HashError>;
    /// Checks a password. With `None` it spends the same work on a decoy hash and
    /// answers `false`, so an unknown account takes as long as a wrong password.
    async fn verify(&self, password: &Password, hash: Option<&PasswordHash>) -> Result<bool, HashError>;
}

#[derive(Debug, thiserror::Error)]
#[error("password hashing failed: {0}")]
pub struct HashError(pub String);

/// What a verified access token says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessClaims {
    pub user_id: UserId,
    pub session_id: SessionId,
    pub expires_at: DateTime<Utc>,
}

/// A freshly signed access token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssuedAccessToken {
    pub token: String,
    pub expires_in_seconds: i64,
}

/// Signs and verifies short-lived access tokens.
#[cfg_attr(test, mockall::automock)]
pub trait TokenIssuer: Send + Sync + 'static {
    fn issue(
        &self,
        user_id: UserId,
        session_id: SessionId,
        now: DateTime<Utc>,
    ) -> Result<IssuedAccessToken, TokenError>;
    fn verify(&self, token: &str, now: DateTime<Utc>) -> Result<AccessClaims, TokenError>;
}

/// Why a token was refused; all of these are a 401 to the caller.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    #[error("token expired")]
    Expired,
    #[error("token invalid: {0}")]
    Invalid(String),
    #[error("token could not be signed: {0}")]
    Signing(String),
}

/// Random opaque secrets (refresh tokens) and their storage hashes.
#[cfg_attr(test, mockall::automock)]
pub trait OpaqueTokens: Send + Sync + 'static {
    /// A new secret for the client and the hash to store.
    fn generate(&self) -> (String, String);
    /// The storage hash of a secret a client presented.
    fn hash(&self, token: &str) -> String;
}

/// Delivers committed events to consumers (in-process bus, RabbitMQ...).
#[async_trait]
pub trait EventPublisher: Send + Sync + 'static {
    async fn publish(&self, event: &EventEnvelope) -> Result<(), PublishError>;
}

#[derive(Debug, thiserror::Error)]
#[error("event could not be published: {0}")]
pub struct PublishError(pub String);

/// A session as seen by request authentication.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionStatus {
    pub user_id: UserId,
    pub expires_at: DateTime<Utc>,
    pub revoked: bool,
}

/// What a user looks like to clients (no credentials).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserView {
    pub id: UserId,
    pub email: String,
    pub display_name: String,
    pub is_platform_admin: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// Read side of identity: straight from storage into views, outside any unit of work.
#[cfg_attr(test, mockall::automock)]
#[async_trait]
pub trait IdentityQueries: Send + Sync + 'static {
    async fn user_by_id(&self, id: UserId) -> Result<Option<UserView>, RepositoryError>;
    async fn session_status(&self, id: SessionId) -> Result<Option<SessionStatus>, RepositoryError>;
}

/// Readiness of the stores the application depends on.
#[async_trait]
pub trait HealthCheck: Send + Sync + 'static {
    async fn check(&self) -> Result<(), RepositoryError>;
}
