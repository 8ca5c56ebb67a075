//! Ports of the identity context: its repositories (inside a unit of work), credentials and tokens, and its read side.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use tenantry_domain::identity::{
    AccountToken, AccountTokenPurpose, EmailAddress, LoginThrottle, Password, PasswordHash, Preferences, Session, User,
};
use tenantry_kernel::{SessionId, UserId};

use crate::ports::{RepositoryError, TokenError, UnitOfWork};

/// Opens the identity context's repositories on a unit of work (see
/// [`crate::projects::ports::ProjectRepositories`]).
pub trait IdentityRepositories: Send + Sync + 'static {
    /// # Errors
    /// A unit of work of another adapter.
    fn users<'u>(&self, uow: &'u mut dyn UnitOfWork) -> Result<&'u mut dyn UserRepository, RepositoryError>;
    /// # Errors
    /// A unit of work of another adapter.
    fn sessions<'u>(&self, uow: &'u mut dyn UnitOfWork) -> Result<&'u mut dyn SessionRepository, RepositoryError>;
    /// # Errors
    /// A unit of work of another adapter.
    fn account_tokens<'u>(
        &self,
        uow: &'u mut dyn UnitOfWork,
    ) -> Result<&'u mut dyn AccountTokenRepository, RepositoryError>;
    /// # Errors
    /// A unit of work of another adapter.
    fn login_throttles<'u>(
        &self,
        uow: &'u mut dyn UnitOfWork,
    ) -> Result<&'u mut dyn LoginThrottleRepository, RepositoryError>;
    /// # Errors
    /// A unit of work of another adapter.
    fn preferences<'u>(&self, uow: &'u mut dyn UnitOfWork) -> Result<&'u mut dyn PreferencesStore, RepositoryError>;
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
    /// The user's sessions that are not revoked yet.
    async fn unrevoked_of(&mut self, user: UserId) -> Result<Vec<Session>, RepositoryError>;
    /// Remembers a rotated-out refresh token hash, so a replay of it can be recognised.
    async fn retire_refresh_token_hash(&mut self, session: &Session, hash: &str) -> Result<(), RepositoryError>;
    /// The session a rotated-out refresh token belonged to.
    async fn find_by_retired_refresh_token_hash(&mut self, hash: &str) -> Result<Option<Session>, RepositoryError>;
}

/// Mailed single-use tokens (email verification, password reset), inside one transaction.
#[cfg_attr(test, mockall::automock)]
#[async_trait]
pub trait AccountTokenRepository: Send {
    async fn insert(&mut self, token: &AccountToken) -> Result<(), RepositoryError>;
    /// Saves redemption.
    async fn update(&mut self, token: &AccountToken) -> Result<(), RepositoryError>;
    /// Finds (and locks, where supported) the token of this purpose with this hash.
    async fn find_by_hash(
        &mut self,
        purpose: AccountTokenPurpose,
        hash: &str,
    ) -> Result<Option<AccountToken>, RepositoryError>;
    /// Uses up every unused token of the user for this purpose, so only the newest
    /// mail (or none, after a redemption) still works.
    async fn void_unused(
        &mut self,
        user: UserId,
        purpose: AccountTokenPurpose,
        now: DateTime<Utc>,
    ) -> Result<(), RepositoryError>;
}

/// Where users' preferences documents live, inside one transaction (SQL by
/// default; a document store could take over without the use cases noticing).
#[cfg_attr(test, mockall::automock)]
#[async_trait]
pub trait PreferencesStore: Send {
    /// The user's document (locked, where supported), `None` before the first save.
    async fn get(&mut self, user: UserId) -> Result<Option<Preferences>, RepositoryError>;
    async fn put(&mut self, user: UserId, preferences: &Preferences, now: DateTime<Utc>)
        -> Result<(), RepositoryError>;
}

/// Failed-login counters, inside one transaction.
#[cfg_attr(test, mockall::automock)]
#[async_trait]
pub trait LoginThrottleRepository: Send {
    /// Loads and locks the counter of a login key, creating an empty one first, so
    /// concurrent failures of one address are counted one after another.
    async fn load_for_update(&mut self, login_key: &str, now: DateTime<Utc>) -> Result<LoginThrottle, RepositoryError>;
    async fn save(&mut self, throttle: &LoginThrottle) -> Result<(), RepositoryError>;
    /// Forgets a login key's failures (after a successful login or a password reset).
    async fn clear(&mut self, login_key: &str) -> Result<(), RepositoryError>;
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
    /// The public keys that verify tokens, for `/.well-known/jwks.json`.
    fn published_keys(&self) -> Vec<PublishedKey>;
}

/// A public verification key, as published in a JWKS (an OKP key, RFC 8037).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublishedKey {
    pub kid: String,
    /// JWS algorithm (`EdDSA`).
    pub algorithm: &'static str,
    /// JWK curve (`Ed25519`).
    pub curve: &'static str,
    /// The public key, base64url.
    pub x: String,
}

/// Random opaque secrets (refresh tokens) and their storage hashes.
#[cfg_attr(test, mockall::automock)]
pub trait OpaqueTokens: Send + Sync + 'static {
    /// A new secret for the client and the hash to store.
    fn generate(&self) -> (String, String);
    /// The storage hash of a secret a client presented.
    fn hash(&self, token: &str) -> String;
}

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
    pub email_verified: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// What a password check needs to know about an account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credentials {
    pub user_id: UserId,
    pub email: EmailAddress,
    pub password_hash: PasswordHash,
    pub email_verified: bool,
}

/// One of a user's live sessions, as its owner sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionView {
    pub id: SessionId,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}

/// Read side of identity: straight from storage into views, outside any unit of work.
#[cfg_attr(test, mockall::automock)]
#[async_trait]
pub trait IdentityQueries: Send + Sync + 'static {
    async fn user_by_id(&self, id: UserId) -> Result<Option<UserView>, RepositoryError>;
    async fn session_status(&self, id: SessionId) -> Result<Option<SessionStatus>, RepositoryError>;
    /// The user's sessions that are neither revoked nor expired at `now`, newest first.
    async fn live_sessions(&self, user: UserId, now: DateTime<Utc>) -> Result<Vec<SessionView>, RepositoryError>;
    /// What login needs of the account with this email; read outside any
    /// transaction so the slow hash check never holds a write lock.
    async fn credentials_by_email(&self, email: &EmailAddress) -> Result<Option<Credentials>, RepositoryError>;
    /// The same, by id (changing a password checks the current one).
    async fn credentials_by_id(&self, id: UserId) -> Result<Option<Credentials>, RepositoryError>;
    /// The user's preferences document (an empty object before the first save).
    async fn preferences_of(&self, user: UserId) -> Result<serde_json::Value, RepositoryError>;
    /// The users with these ids (missing ids are skipped), for views of other contexts.
    async fn users_by_ids(&self, ids: &[UserId]) -> Result<Vec<UserView>, RepositoryError>;
}
