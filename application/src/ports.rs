//! Every port the application needs from the outside world. Repository ports are
//! `#[async_trait]` because the unit of work hands them out as `&mut dyn`; service
//! ports are shared as `Arc<dyn _>` by the composition root for the same reason.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use tenantry_domain::files::{FileAccess, FileId, FileVersion, Folder, FolderId, StoredFile};
use tenantry_domain::identity::{
    AccountToken, AccountTokenPurpose, EmailAddress, LoginThrottle, Password, PasswordHash, Preferences, Session, User,
};
use tenantry_domain::projects::{
    Comment, CommentId, CommentPlace, Project, ProjectId, ProjectRole, ProjectStatus, Task, TaskId, TaskStatus,
    TimeEntry,
};
use tenantry_domain::tenancy::{ApiKey, ApiKeyId, Invitation, InvitationId, Membership, Organization, Role};
use tenantry_kernel::{EventEnvelope, Page, PageRequest, SessionId, SortOrder, TenantId, UserId};

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

/// Organizations, inside one transaction.
#[cfg_attr(test, mockall::automock)]
#[async_trait]
pub trait OrganizationRepository: Send {
    /// # Errors
    /// `Duplicate` when the slug is taken.
    async fn insert(&mut self, organization: &Organization) -> Result<(), RepositoryError>;
    /// Locks the organization for the rest of the transaction, so membership
    /// changes of one tenant are serialised (the last-owner rule depends on it).
    /// `false` when it does not exist.
    async fn lock(&mut self, id: TenantId) -> Result<bool, RepositoryError>;
    async fn find_by_slug(&mut self, slug: &str) -> Result<Option<Organization>, RepositoryError>;
}

/// Memberships, inside one transaction.
#[cfg_attr(test, mockall::automock)]
#[async_trait]
pub trait MembershipRepository: Send {
    /// # Errors
    /// `Duplicate` when the user is already a member.
    async fn insert(&mut self, membership: &Membership) -> Result<(), RepositoryError>;
    async fn update(&mut self, membership: &Membership) -> Result<(), RepositoryError>;
    async fn delete(&mut self, tenant: TenantId, user: UserId) -> Result<(), RepositoryError>;
    async fn find(&mut self, tenant: TenantId, user: UserId) -> Result<Option<Membership>, RepositoryError>;
    async fn count_owners(&mut self, tenant: TenantId) -> Result<u64, RepositoryError>;
}

/// API keys, inside one transaction.
#[cfg_attr(test, mockall::automock)]
#[async_trait]
pub trait ApiKeyRepository: Send {
    async fn insert(&mut self, key: &ApiKey) -> Result<(), RepositoryError>;
    /// Saves revocation.
    async fn update(&mut self, key: &ApiKey) -> Result<(), RepositoryError>;
    async fn find(&mut self, tenant: TenantId, id: ApiKeyId) -> Result<Option<ApiKey>, RepositoryError>;
}

/// Projects, inside one transaction. Every method takes the tenant: a row of another
/// tenant is never found, whatever its id.
#[cfg_attr(test, mockall::automock)]
#[async_trait]
pub trait ProjectRepository: Send {
    async fn insert(&mut self, project: &Project) -> Result<(), RepositoryError>;
    /// Saves a changed project if nobody changed it since it was read (`version - 1`).
    async fn update(&mut self, project: &Project) -> Result<(), RepositoryError>;
    /// A live (not deleted) project, locked where supported.
    async fn find(&mut self, tenant: TenantId, id: ProjectId) -> Result<Option<Project>, RepositoryError>;
    async fn add_member(
        &mut self,
        tenant: TenantId,
        project: ProjectId,
        user: UserId,
        role: ProjectRole,
        now: DateTime<Utc>,
    ) -> Result<(), RepositoryError>;
    async fn member_role(
        &mut self,
        tenant: TenantId,
        project: ProjectId,
        user: UserId,
    ) -> Result<Option<ProjectRole>, RepositoryError>;
    /// Ends every project membership `user` holds in `tenant` and unassigns their
    /// open tasks (each task's version steps, so stale copies answer 412).
    async fn remove_member_everywhere(
        &mut self,
        tenant: TenantId,
        user: UserId,
        now: DateTime<Utc>,
    ) -> Result<(), RepositoryError>;
}

/// Tasks, inside one transaction.
#[cfg_attr(test, mockall::automock)]
#[async_trait]
pub trait TaskRepository: Send {
    async fn insert(&mut self, task: &Task) -> Result<(), RepositoryError>;
    /// Saves a changed task if nobody changed it since it was read (`version - 1`).
    async fn update(&mut self, task: &Task) -> Result<(), RepositoryError>;
    /// A task of a live project, locked where supported.
    async fn find(&mut self, tenant: TenantId, id: TaskId) -> Result<Option<Task>, RepositoryError>;
    async fn insert_time_entry(&mut self, entry: &TimeEntry) -> Result<(), RepositoryError>;
    async fn insert_comment(&mut self, comment: &Comment) -> Result<(), RepositoryError>;
    /// Where `comment` sits in `task`'s threads; `None` when it is not a comment on
    /// that task (a reply must stay in its task's thread).
    async fn comment_on(
        &mut self,
        tenant: TenantId,
        task: TaskId,
        comment: CommentId,
    ) -> Result<Option<CommentPlace>, RepositoryError>;
}

/// Invitations, inside one transaction.
#[cfg_attr(test, mockall::automock)]
#[async_trait]
pub trait InvitationRepository: Send {
    async fn insert(&mut self, invitation: &Invitation) -> Result<(), RepositoryError>;
    /// Saves acceptance.
    async fn update(&mut self, invitation: &Invitation) -> Result<(), RepositoryError>;
    /// Finds (and locks, where supported) the invitation a token belongs to.
    async fn find_by_token_hash(&mut self, hash: &str) -> Result<Option<Invitation>, RepositoryError>;
    /// A pending or used invitation of the tenant, locked where supported.
    async fn find(&mut self, tenant: TenantId, id: InvitationId) -> Result<Option<Invitation>, RepositoryError>;
    /// Withdraws an invitation: its token stops working at once.
    async fn delete(&mut self, tenant: TenantId, id: InvitationId) -> Result<(), RepositoryError>;
}

/// One transaction: repositories bound to it, the events and audit entry it will
/// write, all committed or rolled back together. Dropping it without `commit` rolls back.
#[async_trait]
pub trait UnitOfWork: Send {
    fn users(&mut self) -> &mut dyn UserRepository;
    fn sessions(&mut self) -> &mut dyn SessionRepository;
    fn account_tokens(&mut self) -> &mut dyn AccountTokenRepository;
    fn login_throttles(&mut self) -> &mut dyn LoginThrottleRepository;
    fn preferences(&mut self) -> &mut dyn PreferencesStore;
    fn role_catalogue(&mut self) -> &mut dyn RoleCatalogueRepository;
    fn organizations(&mut self) -> &mut dyn OrganizationRepository;
    fn memberships(&mut self) -> &mut dyn MembershipRepository;
    fn invitations(&mut self) -> &mut dyn InvitationRepository;
    fn api_keys(&mut self) -> &mut dyn ApiKeyRepository;
    fn projects(&mut self) -> &mut dyn ProjectRepository;
    fn tasks(&mut self) -> &mut dyn TaskRepository;
    fn files(&mut self) -> &mut dyn FileRepository;
    /// Queues a domain event for the outbox; it is written in this transaction.
    fn record_event(&mut self, event: EventEnvelope);
    /// The events recorded so far, for the reactions that run in this transaction.
    fn recorded_events(&self) -> &[EventEnvelope];
    /// Queues the audit entry of this command; it is written in this transaction.
    fn record_audit(&mut self, entry: AuditEntry);
    /// Queues background work; it is written in this transaction, so the job runs
    /// if and only if the change that asked for it commits.
    fn enqueue_job(&mut self, job: NewJob);
    async fn commit(self: Box<Self>) -> Result<(), RepositoryError>;
}

/// Whose rows a transaction may see and write. On PostgreSQL the database enforces
/// it with row-level security, so a statement that forgets its tenant filter still
/// cannot reach another tenant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DataScope {
    /// Work for one organization: every tenant-scoped row outside it is invisible.
    Tenant(TenantId),
    /// Work that spans tenants by design: sign-in, provisioning, event consumers,
    /// verifiers and the user-level views that list a user's organizations.
    Platform,
}

/// Opens units of work.
#[async_trait]
pub trait UnitOfWorkFactory: Send + Sync + 'static {
    /// A transaction confined to `scope`.
    async fn begin_in(&self, scope: DataScope) -> Result<Box<dyn UnitOfWork>, RepositoryError>;

    /// A platform-wide transaction (see [`DataScope::Platform`]).
    async fn begin(&self) -> Result<Box<dyn UnitOfWork>, RepositoryError> {
        self.begin_in(DataScope::Platform).await
    }
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

/// A validated list request: page, a sort field from the route's allow-list and direction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListQuery {
    pub page: PageRequest,
    /// Always one of the adapter's allowed columns, never client text.
    pub sort_by: &'static str,
    pub order: SortOrder,
}

/// An organization as one of its members sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrganizationView {
    pub id: TenantId,
    pub name: String,
    pub slug: String,
    /// The viewer's role in it.
    pub role: Role,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// One membership row of a member list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MembershipView {
    pub user_id: UserId,
    pub role: Role,
    pub joined_at: DateTime<Utc>,
}

/// Read side of tenancy.
#[cfg_attr(test, mockall::automock)]
#[async_trait]
pub trait TenancyQueries: Send + Sync + 'static {
    async fn role_of(&self, tenant: TenantId, user: UserId) -> Result<Option<Role>, RepositoryError>;
    async fn organization_for_member(
        &self,
        tenant: TenantId,
        user: UserId,
    ) -> Result<Option<OrganizationView>, RepositoryError>;
    /// `sort_by`: `name`, `slug` or `created_at`.
    async fn organizations_of(
        &self,
        user: UserId,
        query: &ListQuery,
    ) -> Result<Page<OrganizationView>, RepositoryError>;
    /// `sort_by`: `joined_at` or `role`.
    async fn members(&self, tenant: TenantId, query: &ListQuery) -> Result<Page<MembershipView>, RepositoryError>;
    /// A page of the organization's invitations not yet accepted (expired ones
    /// included), newest first.
    async fn pending_invitations(
        &self,
        tenant: TenantId,
        page: PageRequest,
    ) -> Result<Page<Invitation>, RepositoryError>;
    /// The organization's API keys, newest first (revoked ones included).
    async fn api_keys(&self, tenant: TenantId) -> Result<Vec<ApiKey>, RepositoryError>;
    /// The key a presented secret hashes to, for request authentication.
    async fn api_key_by_token_hash(&self, hash: &str) -> Result<Option<ApiKey>, RepositoryError>;
    /// Bookkeeping outside any unit of work: when the key was last used (the caller
    /// throttles it, so a busy key does not write on every request).
    async fn record_api_key_use(&self, id: ApiKeyId, at: DateTime<Utc>) -> Result<(), RepositoryError>;
}

/// A membership-cache lookup.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CachedRole {
    /// The cached answer; `Hit(None)` is a cached "not a member".
    Hit(Option<Role>),
    /// Not cached. Pass the ticket to `put`, which refuses the value if any
    /// invalidation happened since this lookup (the value read may be stale).
    Miss { ticket: u64 },
}

/// Remembers membership lookups (they run on every tenant-scoped request). Entries
/// are invalidated the moment a membership changes.
#[cfg_attr(test, mockall::automock)]
pub trait MembershipCache: Send + Sync + 'static {
    fn get(&self, tenant: TenantId, user: UserId) -> CachedRole;
    fn put(&self, tenant: TenantId, user: UserId, role: Option<Role>, ticket: u64);
    fn invalidate(&self, tenant: TenantId, user: UserId);
}

/// An outgoing email.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailMessage {
    pub to: EmailAddress,
    pub subject: String,
    pub text_body: String,
}

/// Sends email (files under `./data/mail` by default, SMTP when configured).
#[cfg_attr(test, mockall::automock)]
#[async_trait]
pub trait Mailer: Send + Sync + 'static {
    async fn send(&self, message: &MailMessage) -> Result<(), MailError>;
}

#[derive(Debug, thiserror::Error)]
#[error("mail could not be sent: {0}")]
pub struct MailError(pub String);

/// Readiness of the stores the application depends on.
#[async_trait]
pub trait HealthCheck: Send + Sync + 'static {
    async fn check(&self) -> Result<(), RepositoryError>;
}

/// Which limit a request counts against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RateClass {
    /// Every API request, per client address and per signed-in user.
    Api,
    /// Routes that take credentials or send mail (login, register, password
    /// reset...): much stricter, per client address.
    Credentials,
}

/// The outcome of counting one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateDecision {
    pub allowed: bool,
    /// The burst size of the class (`RateLimit-Limit`).
    pub limit: u32,
    /// Requests left right now (`RateLimit-Remaining`).
    pub remaining: u32,
    /// Seconds until the allowance is whole again (`RateLimit-Reset`).
    pub reset_seconds: u64,
    /// Seconds until the next request would be allowed; 0 when allowed (`Retry-After`).
    pub retry_after_seconds: u64,
}

/// Counts requests per key and class. In-process by default; a shared store (Redis)
/// replaces it when several server processes must share one budget.
#[async_trait]
pub trait RateLimiter: Send + Sync + 'static {
    /// # Errors
    /// `Unavailable` when a shared store cannot be reached (callers fail open).
    async fn check(&self, class: RateClass, key: &str) -> Result<RateDecision, RepositoryError>;
}

/// Filters of a project list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProjectFilter {
    pub status: Option<ProjectStatus>,
}

/// Filters of a task list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TaskFilter {
    pub status: Option<TaskStatus>,
    pub assignee: Option<UserId>,
}

/// A member of a project.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProjectMemberView {
    pub user_id: UserId,
    pub role: ProjectRole,
    pub added_at: DateTime<Utc>,
}

/// The top-level comments of one page and the replies of their threads.
#[derive(Debug, Clone, PartialEq)]
pub struct CommentPage {
    pub threads: Page<Comment>,
    pub replies: Vec<Comment>,
}

/// Read side of projects; every query is scoped to one tenant.
#[cfg_attr(test, mockall::automock)]
#[async_trait]
pub trait ProjectQueries: Send + Sync + 'static {
    /// A live project.
    async fn project(&self, tenant: TenantId, id: ProjectId) -> Result<Option<Project>, RepositoryError>;
    /// `sort_by`: `name`, `created_at` or `updated_at`; live projects only.
    async fn projects(
        &self,
        tenant: TenantId,
        filter: &ProjectFilter,
        query: &ListQuery,
    ) -> Result<Page<Project>, RepositoryError>;
    async fn members(&self, tenant: TenantId, project: ProjectId) -> Result<Vec<ProjectMemberView>, RepositoryError>;
    /// A task of a live project.
    async fn task(&self, tenant: TenantId, id: TaskId) -> Result<Option<Task>, RepositoryError>;
    /// The time logged on a task, oldest first.
    async fn time_entries(&self, tenant: TenantId, task: TaskId) -> Result<Vec<TimeEntry>, RepositoryError>;
    /// A page of a task's top-level comments (oldest first) with every reply in
    /// those threads (oldest first; replies name their parent).
    async fn comments(&self, tenant: TenantId, task: TaskId, page: PageRequest)
        -> Result<CommentPage, RepositoryError>;
    /// A page of a live project's tasks (`sort_by`: `created_at`, `updated_at` or
    /// `title`), or `None` when the project does not exist: one read, so the hot list
    /// route pays one transaction rather than a lookup and then a list.
    async fn tasks(
        &self,
        tenant: TenantId,
        project: ProjectId,
        filter: &TaskFilter,
        query: &ListQuery,
    ) -> Result<Option<Page<Task>>, RepositoryError>;
}

/// Filters of the audit trail.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditFilter {
    pub actor: Option<UserId>,
    pub entity_type: Option<String>,
    pub entity_id: Option<String>,
    /// Inclusive.
    pub from: Option<DateTime<Utc>>,
    /// Exclusive.
    pub to: Option<DateTime<Utc>>,
}

/// One entry of the audit trail as its readers see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditRecord {
    pub id: uuid::Uuid,
    pub occurred_at: DateTime<Utc>,
    pub actor_id: Option<UserId>,
    pub action: String,
    pub entity_type: String,
    pub entity_id: Option<String>,
    pub request_id: String,
    pub ip: Option<String>,
    /// Position in the tenant's hash chain (absent on entries written before the chain existed).
    pub seq: Option<i64>,
    pub hash: Option<String>,
}

/// Read side of the audit trail, always for one tenant, newest first.
#[cfg_attr(test, mockall::automock)]
#[async_trait]
pub trait AuditQueries: Send + Sync + 'static {
    async fn entries(
        &self,
        tenant: TenantId,
        filter: &AuditFilter,
        page: PageRequest,
    ) -> Result<Page<AuditRecord>, RepositoryError>;
}

/// The project summary read model's storage. `apply` records the event id in the
/// same transaction as the change, so a redelivered event changes nothing.
#[cfg_attr(test, mockall::automock)]
#[async_trait]
pub trait ProjectSummaryStore: Send + Sync + 'static {
    async fn apply(
        &self,
        event: tenantry_kernel::EventId,
        tenant: TenantId,
        project: ProjectId,
        change: &crate::projects::SummaryChange,
        at: DateTime<Utc>,
    ) -> Result<bool, RepositoryError>;
    async fn summary(
        &self,
        tenant: TenantId,
        project: ProjectId,
    ) -> Result<Option<crate::projects::ProjectSummary>, RepositoryError>;
    /// Empties the read model and its record of applied events.
    async fn reset(&self) -> Result<(), RepositoryError>;
}

/// Users' notifications and their per-kind choices. Delivery skips users who turned
/// the kind off and is idempotent per (event, user).
#[cfg_attr(test, mockall::automock)]
#[async_trait]
pub trait NotificationStore: Send + Sync + 'static {
    /// Stores the notifications not delivered before; answers how many are new.
    async fn deliver(
        &self,
        notifications: &[tenantry_domain::notifications::Notification],
    ) -> Result<usize, RepositoryError>;
    /// The user's notifications, unread first, then newest first.
    async fn list(
        &self,
        user: UserId,
        page: PageRequest,
    ) -> Result<Page<tenantry_domain::notifications::Notification>, RepositoryError>;
    /// Marks one of the user's notifications read; `false` when it is not theirs.
    async fn mark_read(
        &self,
        user: UserId,
        id: tenantry_domain::notifications::NotificationId,
        at: DateTime<Utc>,
    ) -> Result<bool, RepositoryError>;
    /// Marks every unread notification of the user read; answers how many.
    async fn mark_all_read(&self, user: UserId, at: DateTime<Utc>) -> Result<u64, RepositoryError>;
    /// The kinds the user turned off.
    async fn disabled_kinds(
        &self,
        user: UserId,
    ) -> Result<Vec<tenantry_domain::notifications::NotificationKind>, RepositoryError>;
    /// Turns kinds on or off for the user.
    async fn set_kinds(
        &self,
        user: UserId,
        choices: &[(tenantry_domain::notifications::NotificationKind, bool)],
    ) -> Result<(), RepositoryError>;
}

/// A response kept for an `Idempotency-Key`, replayed byte for byte.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredResponse {
    pub status: u16,
    /// The headers that describe the answer (`Content-Type`, `Location`, `ETag`).
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

/// What claiming an idempotency key found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IdempotencyClaim {
    /// The key is now this request's: run it, then complete or release the key.
    Claimed,
    /// The same request was answered before: send this answer again.
    Replay(StoredResponse),
    /// The key was used with a different request.
    Mismatch,
    /// The first request with this key is still running.
    InProgress,
}

/// The time window of a claim: what counts as expired and as abandoned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClaimWindow {
    pub now: DateTime<Utc>,
    /// Records created before this are forgotten (and purged).
    pub expired_before: DateTime<Utc>,
    /// Claims still running but taken before this belong to a request that died.
    pub abandoned_before: DateTime<Utc>,
}

/// Remembers the first answer per (scope, key). Claims are atomic, so two
/// concurrent requests with one key never both run.
#[cfg_attr(test, mockall::automock)]
#[async_trait]
pub trait IdempotencyStore: Send + Sync + 'static {
    async fn claim(
        &self,
        scope: &str,
        key: &str,
        fingerprint: &str,
        window: ClaimWindow,
    ) -> Result<IdempotencyClaim, RepositoryError>;
    /// Keeps `response` as the answer to the claimed key.
    async fn complete(&self, scope: &str, key: &str, response: &StoredResponse) -> Result<(), RepositoryError>;
    /// Gives a claimed key up (the answer was transient), so a retry runs again.
    async fn release(&self, scope: &str, key: &str) -> Result<(), RepositoryError>;
}

/// File metadata inside the unit of work; every method takes the tenant.
#[cfg_attr(test, mockall::automock)]
#[async_trait]
pub trait FileRepository: Send {
    /// Stores a new file with its first version.
    async fn insert(&mut self, file: &StoredFile) -> Result<(), RepositoryError>;
    /// Stores the file's new current version; `StaleVersion` when it changed meanwhile.
    async fn add_version(&mut self, file: &StoredFile) -> Result<(), RepositoryError>;
    /// Including files in the bin.
    async fn find(&mut self, tenant: TenantId, id: FileId) -> Result<Option<StoredFile>, RepositoryError>;
    /// Stores a deletion, restoration, rename or move; `StaleVersion` when the file
    /// changed meanwhile.
    async fn save_state(&mut self, file: &StoredFile) -> Result<(), RepositoryError>;
    /// Grants `user` access to a file (replacing an earlier grant).
    async fn grant(&mut self, tenant: TenantId, grant: &FileGrant) -> Result<(), RepositoryError>;
    /// `false` when the user held no grant.
    async fn revoke(&mut self, tenant: TenantId, file: FileId, user: UserId) -> Result<bool, RepositoryError>;
    /// Withdraws every grant `user` holds on `tenant`'s files.
    async fn revoke_everywhere(&mut self, tenant: TenantId, user: UserId) -> Result<(), RepositoryError>;
    async fn access_of(
        &mut self,
        tenant: TenantId,
        file: FileId,
        user: UserId,
    ) -> Result<Option<FileAccess>, RepositoryError>;
    /// `Duplicate` when a sibling folder has the name.
    async fn insert_folder(&mut self, folder: &Folder) -> Result<(), RepositoryError>;
    /// Read for update.
    async fn find_folder(&mut self, tenant: TenantId, id: FolderId) -> Result<Option<Folder>, RepositoryError>;
    /// `StaleVersion` when it changed meanwhile; `Duplicate` on a sibling's name.
    async fn save_folder(&mut self, folder: &Folder) -> Result<(), RepositoryError>;
    /// Removes an empty folder; files of it in the bin return to the top level.
    async fn delete_folder(&mut self, tenant: TenantId, id: FolderId) -> Result<(), RepositoryError>;
    /// Whether the folder holds subfolders or files that are not in the bin.
    async fn folder_has_children(&mut self, tenant: TenantId, id: FolderId) -> Result<bool, RepositoryError>;
    /// The folders above `id`, nearest first (empty at the top level).
    async fn ancestors(&mut self, tenant: TenantId, id: FolderId) -> Result<Vec<FolderId>, RepositoryError>;
    /// Deletes every file that went to the bin before `before`, with its versions
    /// and grants (all organizations: a platform-scoped unit of work), and answers
    /// the blob addresses (contents and thumbnails) no remaining version references.
    async fn purge_binned(&mut self, before: DateTime<Utc>) -> Result<Vec<String>, RepositoryError>;
    /// Records how background processing of a version ended.
    async fn set_processing(
        &mut self,
        tenant: TenantId,
        file: FileId,
        version: i64,
        processing: &tenantry_domain::files::Processing,
    ) -> Result<(), RepositoryError>;
    /// Holds the organization's folder tree until commit, so that two moves can
    /// never each pass the cycle check against a tree the other is changing.
    async fn lock_folder_tree(&mut self, tenant: TenantId) -> Result<(), RepositoryError>;
}

/// What a folder holds: subfolders first, then files, each by name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FolderEntry {
    Folder(Folder),
    File(StoredFile),
}

/// Another member's access to a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileGrant {
    pub file_id: FileId,
    pub user_id: UserId,
    pub access: FileAccess,
    pub granted_by: UserId,
    pub granted_at: DateTime<Utc>,
}

/// Read side of files.
#[cfg_attr(test, mockall::automock)]
#[async_trait]
pub trait FileQueries: Send + Sync + 'static {
    async fn file(&self, tenant: TenantId, id: FileId) -> Result<Option<StoredFile>, RepositoryError>;
    /// Every version, oldest first.
    async fn versions(&self, tenant: TenantId, id: FileId) -> Result<Vec<FileVersion>, RepositoryError>;
    async fn access_of(
        &self,
        tenant: TenantId,
        file: FileId,
        user: UserId,
    ) -> Result<Option<FileAccess>, RepositoryError>;
    /// The file's grants, oldest first.
    async fn grants(&self, tenant: TenantId, file: FileId) -> Result<Vec<FileGrant>, RepositoryError>;
    async fn folder(&self, tenant: TenantId, id: FolderId) -> Result<Option<Folder>, RepositoryError>;
    /// A page of what `folder` (`None`: the top level) holds, files in the bin left
    /// out; with `viewer`, only the files that user uploaded or holds a grant on.
    async fn children(
        &self,
        tenant: TenantId,
        folder: Option<FolderId>,
        viewer: Option<UserId>,
        page: PageRequest,
    ) -> Result<Page<FolderEntry>, RepositoryError>;
}

/// What a signed download link grants: one version of one file, until `expires_at`,
/// for as long as its creator still reaches the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileLinkClaims {
    pub tenant_id: TenantId,
    pub file_id: FileId,
    pub version: i64,
    pub created_by: UserId,
    pub expires_at: DateTime<Utc>,
}

/// Signs and checks download links: a bearer-less credential, so it is signed,
/// short-lived and useless as any other kind of token.
pub trait FileLinkSigner: Send + Sync + 'static {
    /// # Errors
    /// `Signing` when the key cannot sign.
    fn sign(&self, claims: &FileLinkClaims, now: DateTime<Utc>) -> Result<String, TokenError>;
    /// # Errors
    /// `Expired` past `expires_at`; `Invalid` for anything not signed as a link.
    fn verify(&self, token: &str, now: DateTime<Utc>) -> Result<FileLinkClaims, TokenError>;
}

/// Bytes on their way in or out, never held whole.
pub type ByteStream = std::pin::Pin<Box<dyn futures::Stream<Item = Result<bytes::Bytes, std::io::Error>> + Send>>;

/// Where a blob landed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PutBlob {
    /// Lower-case hex SHA-256: the blob's address.
    pub sha256: String,
    pub size: u64,
}

/// Why the blob store refused.
#[derive(Debug, thiserror::Error)]
pub enum FileStoreError {
    #[error("the content is larger than {max_bytes} bytes")]
    TooLarge { max_bytes: u64 },
    #[error("the content could not be read from the client")]
    Source(#[source] std::io::Error),
    #[error("blob {0} is missing from the store")]
    Missing(String),
    #[error("blob store failure")]
    Storage(#[source] Box<dyn std::error::Error + Send + Sync>),
}

/// File contents, addressed by their SHA-256: a blob is written whole or not at
/// all, so metadata committed after a `put` always has its bytes.
#[async_trait]
pub trait FileStore: Send + Sync + 'static {
    /// Streams `content` in, refusing it beyond `max_bytes` (nothing stays behind).
    async fn put(&self, content: ByteStream, max_bytes: u64) -> Result<PutBlob, FileStoreError>;
    /// The blob's bytes, or the inclusive `range` of them (checked against the size by the caller).
    async fn get(&self, sha256: &str, range: Option<(u64, u64)>) -> Result<ByteStream, FileStoreError>;
    /// Deletes the blob unless it was put at or after `since` (an upload of the same
    /// bytes may be about to reference it); `false` when kept or already gone.
    async fn delete_unless_put_since(&self, sha256: &str, since: DateTime<Utc>) -> Result<bool, FileStoreError>;
    /// Removes what uploads left half-written before `before` (a crash mid-upload
    /// leaves its temporary object behind); answers how many.
    async fn sweep_incoming(&self, before: DateTime<Utc>) -> Result<usize, FileStoreError>;
}

tenantry_kernel::typed_id!(
    /// A background job.
    JobId
);

/// Work to run in the background, at or after `run_at`.
#[derive(Debug, Clone, PartialEq)]
pub struct NewJob {
    /// Names the handler (`files.thumbnail`).
    pub kind: String,
    pub payload: serde_json::Value,
    pub run_at: DateTime<Utc>,
    /// Attempts before the job is dead-lettered.
    pub max_attempts: u32,
    /// Jobs take turns by this key (the tenant the job works for): a backlog of one
    /// key never starves the others. `None`: the platform's own turn.
    pub fair_key: Option<String>,
}

/// Where a job is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobState {
    Queued,
    Running,
    Done,
    /// Out of attempts: kept for inspection and `jobs retry`.
    Dead,
}

impl JobState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Queued => "queued",
            Self::Running => "running",
            Self::Done => "done",
            Self::Dead => "dead",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        [Self::Queued, Self::Running, Self::Done, Self::Dead].into_iter().find(|state| state.as_str() == raw)
    }
}

/// A stored job.
#[derive(Debug, Clone, PartialEq)]
pub struct Job {
    pub id: JobId,
    pub kind: String,
    pub payload: serde_json::Value,
    pub state: JobState,
    /// Attempts started so far (a claim starts one).
    pub attempts: u32,
    pub max_attempts: u32,
    pub run_at: DateTime<Utc>,
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// The durable job queue. Claims are exclusive: on PostgreSQL concurrent workers
/// skip each other's rows (`FOR UPDATE SKIP LOCKED`); a claim is a lease, and a job
/// whose worker died is claimed again once the lease runs out.
#[cfg_attr(test, mockall::automock)]
#[async_trait]
pub trait JobStore: Send + Sync + 'static {
    /// Queues a job outside any unit of work (operators, schedules).
    async fn enqueue(&self, job: &NewJob, now: DateTime<Utc>) -> Result<JobId, RepositoryError>;
    /// The next due job, marked running until `lease_until`, its attempt counted.
    async fn claim(&self, now: DateTime<Utc>, lease_until: DateTime<Utc>) -> Result<Option<Job>, RepositoryError>;
    async fn complete(&self, id: JobId, now: DateTime<Utc>) -> Result<(), RepositoryError>;
    /// Records a failed attempt: queued again at `retry_at`, or dead without one.
    async fn fail(
        &self,
        id: JobId,
        error: &str,
        retry_at: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> Result<(), RepositoryError>;
    /// Newest first.
    async fn list(&self, state: Option<JobState>, limit: u32) -> Result<Vec<Job>, RepositoryError>;
    /// Queues a dead job again with fresh attempts; `false` when it is not dead.
    async fn retry(&self, id: JobId, now: DateTime<Utc>) -> Result<bool, RepositoryError>;
    /// Deletes done and dead jobs last changed before `before`; answers how many.
    async fn purge(&self, before: DateTime<Utc>) -> Result<u64, RepositoryError>;
    /// Queues `job` unless a job of its kind is already queued or running (for
    /// recurring work; two racing callers at worst queue it twice).
    async fn ensure_scheduled(&self, job: &NewJob, now: DateTime<Utc>) -> Result<(), RepositoryError>;
}

/// Makes thumbnails. Decoding untrusted images is CPU-heavy and risky, so the
/// adapter bounds dimensions and memory and runs off the async threads.
#[async_trait]
pub trait Thumbnailer: Send + Sync + 'static {
    /// A PNG no larger than `max_side` pixels on either side.
    async fn thumbnail(&self, image: bytes::Bytes, max_side: u32) -> Result<Vec<u8>, ThumbnailError>;
}

#[derive(Debug, thiserror::Error)]
pub enum ThumbnailError {
    /// The bytes are not an image the adapter can read (or exceed its limits):
    /// retrying cannot help.
    #[error("unreadable image: {0}")]
    Unreadable(String),
    #[error("thumbnail failure")]
    Other(#[source] Box<dyn std::error::Error + Send + Sync>),
}
