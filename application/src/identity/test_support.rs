//! Test doubles for handler unit tests: a unit of work made of mockall repository
//! mocks (expectations fail the test on any unexpected call) and tiny fakes of the
//! crypto ports whose outputs are predictable.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, TimeZone, Utc};
use tenantry_domain::identity::{DisplayName, EmailAddress, Password, PasswordHash, User};
use tenantry_kernel::{Clock, EventEnvelope, SessionId, UserId};

use crate::pipeline::AuditEntry;
use crate::ports::*;

pub const STRONG: &str = "correct horse battery staple";

#[derive(Default)]
pub struct TestUnitOfWork {
    pub users: MockUserRepository,
    pub sessions: MockSessionRepository,
    pub account_tokens: MockAccountTokenRepository,
    pub login_throttles: MockLoginThrottleRepository,
    pub preferences: MockPreferencesStore,
    pub catalogue: MockRoleCatalogueRepository,
    pub organizations: MockOrganizationRepository,
    pub memberships: MockMembershipRepository,
    pub invitations: MockInvitationRepository,
    pub api_keys: MockApiKeyRepository,
    pub projects: MockProjectRepository,
    pub tasks: MockTaskRepository,
    pub files: MockFileRepository,
    pub events: Vec<EventEnvelope>,
    pub audit: Vec<AuditEntry>,
    pub jobs: Vec<NewJob>,
}

#[async_trait]
impl UnitOfWork for TestUnitOfWork {
    fn users(&mut self) -> &mut dyn UserRepository {
        &mut self.users
    }
    fn sessions(&mut self) -> &mut dyn SessionRepository {
        &mut self.sessions
    }
    fn account_tokens(&mut self) -> &mut dyn AccountTokenRepository {
        &mut self.account_tokens
    }
    fn login_throttles(&mut self) -> &mut dyn LoginThrottleRepository {
        &mut self.login_throttles
    }
    fn preferences(&mut self) -> &mut dyn PreferencesStore {
        &mut self.preferences
    }
    fn role_catalogue(&mut self) -> &mut dyn RoleCatalogueRepository {
        &mut self.catalogue
    }
    fn organizations(&mut self) -> &mut dyn OrganizationRepository {
        &mut self.organizations
    }
    fn memberships(&mut self) -> &mut dyn MembershipRepository {
        &mut self.memberships
    }
    fn invitations(&mut self) -> &mut dyn InvitationRepository {
        &mut self.invitations
    }
    fn api_keys(&mut self) -> &mut dyn ApiKeyRepository {
        &mut self.api_keys
    }
    fn projects(&mut self) -> &mut dyn ProjectRepository {
        &mut self.projects
    }
    fn tasks(&mut self) -> &mut dyn TaskRepository {
        &mut self.tasks
    }
    fn files(&mut self) -> &mut dyn FileRepository {
        &mut self.files
    }
    fn record_event(&mut self, event: EventEnvelope) {
        self.events.push(event);
    }
    fn recorded_events(&self) -> &[EventEnvelope] {
        &self.events
    }
    fn record_audit(&mut self, entry: AuditEntry) {
        self.audit.push(entry);
    }
    fn enqueue_job(&mut self, job: NewJob) {
        self.jobs.push(job);
    }
    fn transaction(&mut self) -> &mut (dyn std::any::Any + Send) {
        self
    }
    async fn commit(self: Box<Self>) -> Result<(), RepositoryError> {
        Ok(())
    }
}

pub fn fixed_now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 15, 12, 0, 0).single().unwrap_or_default()
}

pub struct FixedClock;
impl Clock for FixedClock {
    fn now(&self) -> DateTime<Utc> {
        fixed_now()
    }
}

pub fn fixed_clock() -> Arc<dyn Clock> {
    Arc::new(FixedClock)
}

/// "Hashes" by prefixing; verifies by comparing. Counts verifications.
#[derive(Default)]
pub struct CountingHasher {
    verifications: AtomicUsize,
}

impl CountingHasher {
    pub fn verifications(&self) -> usize {
        self.verifications.load(Ordering::SeqCst)
    }
}

#[async_trait]
impl PasswordHasher for CountingHasher {
    async fn hash(&self, password: &Password) -> Result<PasswordHash, HashError> {
        Ok(PasswordHash::from_phc(format!("fake${}", password.expose())))
    }
    async fn verify(&self, password: &Password, hash: Option<&PasswordHash>) -> Result<bool, HashError> {
        self.verifications.fetch_add(1, Ordering::SeqCst);
        Ok(hash.is_some_and(|h| h.as_phc() == format!("fake${}", password.expose())))
    }
}

pub fn fake_hasher() -> Arc<dyn PasswordHasher> {
    Arc::new(CountingHasher::default())
}

struct PredictableIssuer;
impl TokenIssuer for PredictableIssuer {
    fn issue(&self, user_id: UserId, session_id: SessionId, _: DateTime<Utc>) -> Result<IssuedAccessToken, TokenError> {
        Ok(IssuedAccessToken { token: format!("access:{user_id}:{session_id}"), expires_in_seconds: 900 })
    }
    fn verify(&self, _: &str, _: DateTime<Utc>) -> Result<AccessClaims, TokenError> {
        Err(TokenError::Invalid("not used in these tests".into()))
    }
    fn published_keys(&self) -> Vec<PublishedKey> {
        Vec::new()
    }
}

pub fn fake_token_issuer() -> Arc<dyn TokenIssuer> {
    Arc::new(PredictableIssuer)
}

/// Generates `refresh-1`, `refresh-2`...; hashes as `hash-of-<token>`.
#[derive(Default)]
struct SequentialSecrets(AtomicUsize);
impl OpaqueTokens for SequentialSecrets {
    fn generate(&self) -> (String, String) {
        let token = format!("refresh-{}", self.0.fetch_add(1, Ordering::SeqCst) + 1);
        let hash = self.hash(&token);
        (token, hash)
    }
    fn hash(&self, token: &str) -> String {
        format!("hash-of-{token}")
    }
}

pub fn fake_secrets() -> Arc<dyn OpaqueTokens> {
    Arc::new(SequentialSecrets::default())
}

/// A stored user whose password is `STRONG` under the fake hasher.
pub fn stored_user(email: &str) -> User {
    User::register(
        EmailAddress::parse(email).unwrap(),
        DisplayName::parse("Stored").unwrap(),
        PasswordHash::from_phc(format!("fake${STRONG}")),
        fixed_now(),
    )
    .0
}
