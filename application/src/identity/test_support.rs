//! Test doubles for handler unit tests: a unit of work made of mockall repository
//! mocks (expectations fail the test on any unexpected call) and tiny fakes of the
//! crypto ports whose outputs are predictable.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, TimeZone, Utc};
use tenantry_domain::identity::{DisplayName, EmailAddress, Password, PasswordHash, User};
use tenantry_kernel::{Clock, EventEnvelope, SessionId, UserId};

use crate::files::ports::*;
use crate::identity::ports::*;
use crate::pipeline::AuditEntry;
use crate::ports::*;
use crate::projects::ports::*;
use crate::tenancy::ports::*;

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

/// The double's answer to every context's repositories port: the mocks above.
pub struct TestRepositories;

fn test_unit(uow: &mut dyn UnitOfWork) -> Result<&mut TestUnitOfWork, RepositoryError> {
    uow.transaction()
        .downcast_mut::<TestUnitOfWork>()
        .ok_or_else(|| RepositoryError::Other("not the test unit of work".into()))
}

impl crate::projects::ports::ProjectRepositories for TestRepositories {
    fn projects<'u>(&self, uow: &'u mut dyn UnitOfWork) -> Result<&'u mut dyn ProjectRepository, RepositoryError> {
        Ok(&mut test_unit(uow)?.projects)
    }
    fn tasks<'u>(&self, uow: &'u mut dyn UnitOfWork) -> Result<&'u mut dyn TaskRepository, RepositoryError> {
        Ok(&mut test_unit(uow)?.tasks)
    }
}

impl crate::files::ports::FileRepositories for TestRepositories {
    fn files<'u>(&self, uow: &'u mut dyn UnitOfWork) -> Result<&'u mut dyn FileRepository, RepositoryError> {
        Ok(&mut test_unit(uow)?.files)
    }
}

impl crate::identity::ports::IdentityRepositories for TestRepositories {
    fn users<'u>(&self, uow: &'u mut dyn UnitOfWork) -> Result<&'u mut dyn UserRepository, RepositoryError> {
        Ok(&mut test_unit(uow)?.users)
    }
    fn sessions<'u>(&self, uow: &'u mut dyn UnitOfWork) -> Result<&'u mut dyn SessionRepository, RepositoryError> {
        Ok(&mut test_unit(uow)?.sessions)
    }
    fn account_tokens<'u>(
        &self,
        uow: &'u mut dyn UnitOfWork,
    ) -> Result<&'u mut dyn AccountTokenRepository, RepositoryError> {
        Ok(&mut test_unit(uow)?.account_tokens)
    }
    fn login_throttles<'u>(
        &self,
        uow: &'u mut dyn UnitOfWork,
    ) -> Result<&'u mut dyn LoginThrottleRepository, RepositoryError> {
        Ok(&mut test_unit(uow)?.login_throttles)
    }
    fn preferences<'u>(&self, uow: &'u mut dyn UnitOfWork) -> Result<&'u mut dyn PreferencesStore, RepositoryError> {
        Ok(&mut test_unit(uow)?.preferences)
    }
}

impl crate::tenancy::ports::TenancyRepositories for TestRepositories {
    fn role_catalogue<'u>(
        &self,
        uow: &'u mut dyn UnitOfWork,
    ) -> Result<&'u mut dyn RoleCatalogueRepository, RepositoryError> {
        Ok(&mut test_unit(uow)?.catalogue)
    }
    fn organizations<'u>(
        &self,
        uow: &'u mut dyn UnitOfWork,
    ) -> Result<&'u mut dyn OrganizationRepository, RepositoryError> {
        Ok(&mut test_unit(uow)?.organizations)
    }
    fn memberships<'u>(
        &self,
        uow: &'u mut dyn UnitOfWork,
    ) -> Result<&'u mut dyn MembershipRepository, RepositoryError> {
        Ok(&mut test_unit(uow)?.memberships)
    }
    fn invitations<'u>(
        &self,
        uow: &'u mut dyn UnitOfWork,
    ) -> Result<&'u mut dyn InvitationRepository, RepositoryError> {
        Ok(&mut test_unit(uow)?.invitations)
    }
    fn api_keys<'u>(&self, uow: &'u mut dyn UnitOfWork) -> Result<&'u mut dyn ApiKeyRepository, RepositoryError> {
        Ok(&mut test_unit(uow)?.api_keys)
    }
}

/// The repositories port of the double, for handlers under test.
pub fn test_repositories() -> Arc<TestRepositories> {
    Arc::new(TestRepositories)
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
