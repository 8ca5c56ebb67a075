//! The ports every context shares — the unit of work and its factory, storage errors,
//! events, mail, health, rate limits, idempotency and jobs. It names no context: each
//! context's ports live in `<context>/ports.rs`, including the port that opens its
//! repositories on a unit of work.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use tenantry_kernel::{EmailAddress, EventEnvelope, PageRequest, SortOrder, TenantId};

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

/// One transaction and the events, audit entry and jobs it will write, all committed
/// or rolled back together. Dropping it without `commit` rolls back. It lists no
/// context's repositories: each context opens its own on it through its
/// repositories port (`ProjectRepositories`, ...), as a product's module does.
#[async_trait]
pub trait UnitOfWork: Send {
    /// Queues a domain event for the outbox; it is written in this transaction.
    fn record_event(&mut self, event: EventEnvelope);
    /// The events recorded so far, for the reactions that run in this transaction.
    fn recorded_events(&self) -> &[EventEnvelope];
    /// Queues the audit entry of this command; it is written in this transaction.
    fn record_audit(&mut self, entry: AuditEntry);
    /// Queues background work; it is written in this transaction, so the job runs
    /// if and only if the change that asked for it commits.
    fn enqueue_job(&mut self, job: NewJob);
    /// The adapter's unit of work behind the trait, for the repositories ports: a
    /// context's storage adapter downcasts it to the type it documents
    /// (`tenantry_infrastructure::sql_transaction` for a module's SQL), so its rows
    /// commit or roll back with the outbox, audit and job writes. Test doubles answer
    /// themselves.
    fn transaction(&mut self) -> &mut (dyn std::any::Any + Send);
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

/// Delivers committed events to consumers (in-process bus, RabbitMQ...).
#[async_trait]
pub trait EventPublisher: Send + Sync + 'static {
    async fn publish(&self, event: &EventEnvelope) -> Result<(), PublishError>;
}

#[derive(Debug, thiserror::Error)]
#[error("event could not be published: {0}")]
pub struct PublishError(pub String);

/// A validated list request: page, a sort field from the route's allow-list and direction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListQuery {
    pub page: PageRequest,
    /// Always one of the adapter's allowed columns, never client text.
    pub sort_by: &'static str,
    pub order: SortOrder,
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

/// The blob store, a shared adapter (files keeps its contents there; any module may
/// keep documents of its own): contents addressed by their SHA-256, written whole or
/// not at all, so metadata committed after a `put` always has its bytes.
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
