//! The command pipeline: every command goes through `CommandBus::dispatch`, which
//! wraps the handler once with tracing, authorization, one transaction and the
//! audit entry, so no handler repeats (or forgets) any of them.

use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use tenantry_kernel::{Clock, SessionId, TenantId, UserId};
use tracing::Instrument;
use uuid::Uuid;

use crate::authority::Grants;
use crate::ports::{DataScope, UnitOfWork, UnitOfWorkFactory};
use crate::{AppError, ErrorCode};

/// Decides tenant membership and permissions for the pipeline: the tenancy
/// context implements it, so the pipeline itself names no context.
#[async_trait]
pub trait TenantAuthority: Send + Sync {
    /// What the caller holds in the context's tenant, checked against `permission`.
    ///
    /// # Errors
    /// 401 without a caller, 400 without a tenant, 403/404 for a non-member, 403
    /// when `permission` is not held.
    async fn grants(&self, context: &RequestContext, permission: Option<&str>) -> Result<Grants, AppError>;

    /// Whether `user` (not the caller: the author of a signed link, say) holds
    /// `permission` in `tenant`; `None` when they are not a member.
    ///
    /// # Errors
    /// Storage failures.
    async fn user_holds(&self, tenant: TenantId, user: UserId, permission: &str) -> Result<Option<bool>, AppError>;
}

/// An authenticated caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    /// The user; for an API key, the member who created it (whose role still bounds it).
    pub user_id: UserId,
    pub credential: Credential,
}

/// How a caller proved who it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Credential {
    /// A user's login session (access token).
    Session(SessionId),
    /// An organization's API key: valid in that tenant only, for its scopes only.
    ApiKey(ApiKeyGrant),
}

/// What an API key may do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiKeyGrant {
    pub key_id: uuid::Uuid,
    pub tenant_id: TenantId,
    /// Permissions (`resource:action`) the key carries.
    pub scopes: Vec<String>,
}

impl Principal {
    /// A user signed in with a session.
    pub fn session(user_id: UserId, session_id: SessionId) -> Self {
        Self { user_id, credential: Credential::Session(session_id) }
    }

    pub fn session_id(&self) -> Option<SessionId> {
        match &self.credential {
            Credential::Session(id) => Some(*id),
            Credential::ApiKey(_) => None,
        }
    }

    pub fn api_key(&self) -> Option<&ApiKeyGrant> {
        match &self.credential {
            Credential::ApiKey(grant) => Some(grant),
            Credential::Session(_) => None,
        }
    }
}

/// A signed-in user and the session of the request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UserSession {
    pub user_id: UserId,
    pub session_id: SessionId,
}

/// Who is asking and from where; built by the driving adapter for each request.
#[derive(Debug, Clone, Default)]
pub struct RequestContext {
    pub request_id: String,
    pub principal: Option<Principal>,
    pub tenant_id: Option<TenantId>,
    /// The tenant came from the URL (`/organizations/{id}/...`) rather than the
    /// `X-Tenant-Id` header: a non-member then gets 404, so ids do not leak existence.
    pub tenant_in_path: bool,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    /// Set only by [`RequestContext::system`]: seeds and the CLI, never a request.
    pub(crate) system: bool,
    /// What the caller's role holds in the tenant, once the pipeline has authorized
    /// a tenant-level command (never taken from the request).
    pub(crate) grants: Option<Grants>,
}

impl RequestContext {
    /// A context for work started by the system itself (seeds, CLI).
    pub fn system(label: &str) -> Self {
        Self { request_id: format!("{label}-{}", Uuid::now_v7()), system: true, ..Self::default() }
    }

    /// The signed-in user: what every user-level operation needs. API keys are
    /// refused here; they work on organization routes only.
    ///
    /// # Errors
    /// 401 without a caller; 403 `api_key_not_allowed` for an API key.
    pub fn require_principal(&self) -> Result<UserSession, AppError> {
        let principal = self.require_caller()?;
        match principal.credential {
            Credential::Session(session_id) => Ok(UserSession { user_id: principal.user_id, session_id }),
            Credential::ApiKey(_) => Err(AppError::Forbidden {
                code: ErrorCode::ApiKeyNotAllowed,
                message: "API keys work on organization routes only; sign in as a user for this",
            }),
        }
    }

    /// Whether the authorized caller holds `permission` in the tenant: the role the
    /// pipeline found, and for an API key its scopes as well. `false` before
    /// authorization. Handlers decide by this (never by a role alone), so a key is
    /// always bounded by both its scopes and its creator's current role.
    pub fn permits(&self, permission: &str) -> bool {
        self.key_allows(permission) && self.grants.as_ref().is_some_and(|grants| grants.contains(permission))
    }

    /// Every permission [`RequestContext::permits`] would grant.
    pub fn permissions(&self) -> Vec<&'static str> {
        let Some(grants) = &self.grants else { return Vec::new() };
        grants.iter().filter(|permission| self.key_allows(permission)).collect()
    }

    /// # Errors
    /// 403 `forbidden` unless [`RequestContext::permits`] `permission`.
    pub fn require_permission(&self, permission: &str) -> Result<(), AppError> {
        if self.permits(permission) {
            Ok(())
        } else {
            Err(AppError::Forbidden {
                code: ErrorCode::Forbidden,
                message: "you do not hold the permission this needs",
            })
        }
    }

    /// A session is bounded by its role alone; a key also by its scopes.
    fn key_allows(&self, permission: &str) -> bool {
        self.principal
            .as_ref()
            .and_then(Principal::api_key)
            .is_none_or(|grant| grant.scopes.iter().any(|scope| scope == permission))
    }

    /// The context with what the caller's tenant role holds, as the tenant guard
    /// found it, for queries that decide visibility by permission.
    pub fn with_grants(mut self, grants: Grants) -> Self {
        self.grants = Some(grants);
        self
    }

    /// Any authenticated caller, user or API key (organization routes, where the
    /// tenant guard checks the key's tenant and scopes).
    ///
    /// # Errors
    /// 401 without a caller.
    pub fn require_caller(&self) -> Result<&Principal, AppError> {
        self.principal
            .as_ref()
            .ok_or(AppError::Unauthenticated { code: ErrorCode::Unauthenticated, message: "authentication required" })
    }
}

#[cfg(test)]
impl RequestContext {
    /// The context as the pipeline hands it to a handler after authorizing a caller
    /// whose tenant role is `role` (`"owner"`, `"member"`, ...).
    pub(crate) fn authorized_as(mut self, role: &str) -> Self {
        self.grants =
            Some(crate::tenancy::permission_catalogue(Vec::new()).expect("the built-in catalogue").grants_of(role));
        self
    }
}

/// Wraps a tenant's domain event with the acting user, for the outbox.
pub(crate) fn envelope<E: tenantry_kernel::DomainEvent>(
    event: &E,
    tenant: TenantId,
    context: &RequestContext,
    now: DateTime<Utc>,
) -> Result<tenantry_kernel::EventEnvelope, AppError> {
    tenantry_kernel::EventEnvelope::wrap(event, now, Some(tenant), context.principal.as_ref().map(|p| p.user_id))
        .map_err(AppError::internal)
}

/// The tenant of a tenant-scoped command (the pipeline has already checked it).
pub(crate) fn tenant_of(context: &RequestContext) -> Result<TenantId, AppError> {
    context.tenant_id.ok_or_else(AppError::tenant_required)
}

/// Who may run a command; checked by the pipeline before the handler runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Authorization {
    /// Anyone (registration, login).
    Public,
    /// Any authenticated user.
    Authenticated,
    /// Only the system itself (seeds, CLI), never a remote caller.
    System,
    /// Any member of the context's tenant.
    TenantMember,
    /// A member of the context's tenant whose role grants this permission.
    TenantPermission(&'static str),
}

/// A request to change state. Commands are plain data; handlers hold the logic.
pub trait Command: Send + Sync + 'static {
    /// Stable dotted name, used in traces and the audit log (`identity.register_user`).
    const NAME: &'static str;
    type Output: Send + 'static;

    fn authorization(&self) -> Authorization;

    /// The action the audit entry records; the command's name unless the outcome
    /// deserves its own (a failed login that locked the address).
    fn audit_action(&self, _output: &Self::Output) -> &'static str {
        Self::NAME
    }

    /// The entity the audit entry names; `None` when the command changed nothing
    /// (an idempotent no-op leaves no trace).
    fn audit_subject(&self, context: &RequestContext, output: &Self::Output) -> Option<AuditSubject>;
}

/// The business logic of one command, run inside the unit of work the pipeline opened.
#[async_trait]
pub trait CommandHandler<C: Command>: Send + Sync {
    async fn handle(
        &self,
        context: &RequestContext,
        command: &C,
        uow: &mut dyn UnitOfWork,
    ) -> Result<C::Output, AppError>;
}

/// A consequence of an event that must commit or fail together with the change
/// that caused it (a departed member leaves every project of the organization). The
/// pipeline runs it inside the command's transaction, after the handler; a context
/// reacts to another's events this way without the emitting context knowing it.
/// Events recorded by a reaction are written to the outbox but start no further
/// reactions, so one command's work stays bounded.
#[async_trait]
pub trait InTransactionReaction: Send + Sync {
    /// The event type (`tenancy.member_removed`) this reaction follows.
    fn event_type(&self) -> &'static str;

    async fn react(&self, event: &tenantry_kernel::EventEnvelope, uow: &mut dyn UnitOfWork) -> Result<(), AppError>;
}

/// Runs commands through the cross-cutting concerns.
#[derive(Clone)]
pub struct CommandBus {
    units_of_work: Arc<dyn UnitOfWorkFactory>,
    clock: Arc<dyn Clock>,
    tenants: Arc<dyn TenantAuthority>,
    reactions: Arc<Vec<Arc<dyn InTransactionReaction>>>,
}

impl CommandBus {
    pub fn new(
        units_of_work: Arc<dyn UnitOfWorkFactory>,
        clock: Arc<dyn Clock>,
        tenants: Arc<dyn TenantAuthority>,
    ) -> Self {
        Self { units_of_work, clock, tenants, reactions: Arc::new(Vec::new()) }
    }

    /// The bus with `reactions` run in every command's transaction.
    pub fn with_reactions(mut self, reactions: Vec<Arc<dyn InTransactionReaction>>) -> Self {
        self.reactions = Arc::new(reactions);
        self
    }

    /// Runs the reactions that follow the events the handler recorded.
    async fn react(&self, uow: &mut dyn UnitOfWork) -> Result<(), AppError> {
        if self.reactions.is_empty() {
            return Ok(());
        }
        let events = uow.recorded_events().to_vec();
        for event in &events {
            for reaction in self.reactions.iter().filter(|r| r.event_type() == event.event_type) {
                reaction.react(event, uow).await?;
            }
        }
        Ok(())
    }

    /// Authorizes, runs the handler in one transaction, appends the audit entry and
    /// commits. Any error rolls everything back.
    ///
    /// # Errors
    /// Whatever the authorization check or the handler returns; storage failures
    /// while opening or committing the transaction.
    pub async fn dispatch<C: Command>(
        &self,
        handler: &dyn CommandHandler<C>,
        context: &RequestContext,
        command: C,
    ) -> Result<C::Output, AppError> {
        let span = tracing::info_span!(
            "command",
            command = C::NAME,
            request_id = %context.request_id,
            user_id = context.principal.as_ref().map(|p| p.user_id.to_string()),
            outcome = tracing::field::Empty,
        );
        async move {
            let grants = authorize(command.authorization(), context, self.tenants.as_ref()).await?;
            let authorized;
            let context = match grants {
                Some(grants) => {
                    authorized = RequestContext { grants: Some(grants), ..context.clone() };
                    &authorized
                }
                None => context,
            };
            let mut uow = self.units_of_work.begin_in(data_scope(command.authorization(), context)).await?;
            let mut result = handler.handle(context, &command, uow.as_mut()).await;
            if result.is_ok() {
                if let Err(error) = self.react(uow.as_mut()).await {
                    result = Err(error);
                }
            }
            let output = match result {
                Ok(output) => output,
                Err(error) => {
                    tracing::Span::current().record("outcome", error.code().as_str());
                    // Dropping the unit of work rolls the transaction back.
                    drop(uow);
                    return Err(error);
                }
            };
            if let Some(subject) = command.audit_subject(context, &output) {
                uow.record_audit(AuditEntry {
                    id: Uuid::now_v7(),
                    occurred_at: self.clock.now(),
                    tenant_id: context.tenant_id,
                    actor_id: context.principal.as_ref().map(|p| p.user_id),
                    action: command.audit_action(&output),
                    entity_type: subject.entity_type,
                    entity_id: subject.entity_id,
                    request_id: context.request_id.clone(),
                    ip: context.ip.clone(),
                });
            }
            uow.commit().await?;
            tracing::Span::current().record("outcome", "ok");
            tracing::debug!("command committed");
            Ok(output)
        }
        .instrument(span)
        .await
    }
}

/// Checks the command's requirement; for tenant-level commands, answers the
/// caller's role in the tenant.
async fn authorize(
    required: Authorization,
    context: &RequestContext,
    tenants: &dyn TenantAuthority,
) -> Result<Option<Grants>, AppError> {
    match required {
        Authorization::Public => Ok(None),
        Authorization::Authenticated => context.require_principal().map(|_| None),
        Authorization::System if context.system => Ok(None),
        Authorization::System => {
            Err(AppError::Forbidden { code: ErrorCode::Forbidden, message: "reserved for the system" })
        }
        Authorization::TenantMember => tenants.grants(context, None).await.map(Some),
        Authorization::TenantPermission(permission) => tenants.grants(context, Some(permission)).await.map(Some),
    }
}

/// Tenant-level commands run confined to their (already authorized) tenant; the
/// rest span tenants by nature (registration, accepting an invitation, seeds).
fn data_scope(required: Authorization, context: &RequestContext) -> DataScope {
    match (required, context.tenant_id) {
        (Authorization::TenantMember | Authorization::TenantPermission(_), Some(tenant)) => DataScope::Tenant(tenant),
        _ => DataScope::Platform,
    }
}

// The audit record is part of the pipeline's contract: every command names its
// subject, and the pipeline turns it into the entry the unit of work appends.

/// Which entity a command acted on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditSubject {
    pub entity_type: &'static str,
    pub entity_id: Option<String>,
}

impl AuditSubject {
    pub fn new(entity_type: &'static str, entity_id: impl ToString) -> Self {
        Self { entity_type, entity_id: Some(entity_id.to_string()) }
    }
}

/// One append-only row of the audit log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    pub id: Uuid,
    pub occurred_at: DateTime<Utc>,
    pub tenant_id: Option<TenantId>,
    pub actor_id: Option<UserId>,
    pub action: &'static str,
    pub entity_type: &'static str,
    pub entity_id: Option<String>,
    pub request_id: String,
    pub ip: Option<String>,
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
    use std::sync::Mutex;

    use super::*;
    use crate::identity::test_support::{fixed_clock, TestUnitOfWork};
    use crate::ports::RepositoryError;

    /// Hands out `TestUnitOfWork`s and remembers what each commit carried.
    #[derive(Default)]
    struct RecordingFactory {
        begun: AtomicUsize,
        scopes: Mutex<Vec<DataScope>>,
        committed_audit: Arc<Mutex<Vec<AuditEntry>>>,
    }

    struct RecordingUnitOfWork {
        inner: TestUnitOfWork,
        committed_audit: Arc<Mutex<Vec<AuditEntry>>>,
    }

    #[async_trait]
    impl UnitOfWork for RecordingUnitOfWork {
        fn record_event(&mut self, event: tenantry_kernel::EventEnvelope) {
            self.inner.record_event(event);
        }
        fn recorded_events(&self) -> &[tenantry_kernel::EventEnvelope] {
            self.inner.recorded_events()
        }
        fn record_audit(&mut self, entry: AuditEntry) {
            self.inner.record_audit(entry);
        }
        fn enqueue_job(&mut self, job: crate::ports::NewJob) {
            self.inner.enqueue_job(job);
        }
        fn transaction(&mut self) -> &mut (dyn std::any::Any + Send) {
            self.inner.transaction()
        }
        async fn commit(self: Box<Self>) -> Result<(), RepositoryError> {
            self.committed_audit.lock().unwrap().extend(self.inner.audit);
            Ok(())
        }
    }

    #[async_trait]
    impl UnitOfWorkFactory for RecordingFactory {
        async fn begin_in(&self, scope: DataScope) -> Result<Box<dyn UnitOfWork>, RepositoryError> {
            self.begun.fetch_add(1, Ordering::SeqCst);
            self.scopes.lock().unwrap().push(scope);
            Ok(Box::new(RecordingUnitOfWork {
                inner: TestUnitOfWork::default(),
                committed_audit: self.committed_audit.clone(),
            }))
        }
    }

    struct Touch {
        authorization: Authorization,
    }

    impl Command for Touch {
        const NAME: &'static str = "test.touch";
        type Output = u32;
        fn authorization(&self) -> Authorization {
            self.authorization
        }
        fn audit_subject(&self, _: &RequestContext, output: &u32) -> Option<AuditSubject> {
            Some(AuditSubject::new("thing", output))
        }
    }

    struct TouchHandler {
        fail: bool,
        ran: AtomicBool,
    }

    #[async_trait]
    impl CommandHandler<Touch> for TouchHandler {
        async fn handle(&self, _: &RequestContext, _: &Touch, _: &mut dyn UnitOfWork) -> Result<u32, AppError> {
            self.ran.store(true, Ordering::SeqCst);
            if self.fail {
                Err(AppError::Conflict { code: ErrorCode::Conflict, message: "no" })
            } else {
                Ok(7)
            }
        }
    }

    fn bus() -> (CommandBus, Arc<RecordingFactory>) {
        let factory = Arc::new(RecordingFactory::default());
        let guard = crate::tenancy::TenantGuard::new(
            Arc::new(crate::tenancy::ports::MockTenancyQueries::new()),
            Arc::new(crate::tenancy::ports::MockMembershipCache::new()),
            Arc::new(crate::tenancy::permission_catalogue(Vec::new()).unwrap()),
        );
        (CommandBus::new(factory.clone(), fixed_clock(), Arc::new(guard)), factory)
    }

    fn signed_in() -> RequestContext {
        RequestContext {
            request_id: "req-1".into(),
            principal: Some(Principal::session(UserId::new(), SessionId::new())),
            ip: Some("10.0.0.1".into()),
            ..RequestContext::default()
        }
    }

    #[tokio::test]
    async fn a_successful_command_commits_one_audit_entry_naming_actor_and_request() {
        let (bus, factory) = bus();
        let handler = TouchHandler { fail: false, ran: AtomicBool::new(false) };
        let context = signed_in();
        let output =
            bus.dispatch(&handler, &context, Touch { authorization: Authorization::Authenticated }).await.unwrap();
        assert_eq!(output, 7);
        let audit = factory.committed_audit.lock().unwrap();
        assert_eq!(audit.len(), 1);
        assert_eq!(audit[0].action, "test.touch");
        assert_eq!(audit[0].entity_id.as_deref(), Some("7"));
        assert_eq!(audit[0].actor_id, context.principal.map(|p| p.user_id));
        assert_eq!((audit[0].request_id.as_str(), audit[0].ip.as_deref()), ("req-1", Some("10.0.0.1")));
    }

    #[tokio::test]
    async fn a_failing_handler_commits_nothing() {
        let (bus, factory) = bus();
        let handler = TouchHandler { fail: true, ran: AtomicBool::new(false) };
        let error =
            bus.dispatch(&handler, &signed_in(), Touch { authorization: Authorization::Public }).await.unwrap_err();
        assert_eq!(error.code(), ErrorCode::Conflict);
        assert!(factory.committed_audit.lock().unwrap().is_empty());
    }

    #[tokio::test]
    async fn authorization_is_checked_before_any_transaction_opens() {
        let (bus, factory) = bus();
        let handler = TouchHandler { fail: false, ran: AtomicBool::new(false) };
        let anonymous = RequestContext::default();
        let error = bus
            .dispatch(&handler, &anonymous, Touch { authorization: Authorization::Authenticated })
            .await
            .unwrap_err();
        assert_eq!(error.code(), ErrorCode::Unauthenticated);
        let remote = signed_in();
        let error = bus.dispatch(&handler, &remote, Touch { authorization: Authorization::System }).await.unwrap_err();
        assert_eq!(error.code(), ErrorCode::Forbidden);
        assert_eq!(factory.begun.load(Ordering::SeqCst), 0);
        assert!(!handler.ran.load(Ordering::SeqCst));
    }

    #[test]
    fn tenant_commands_are_confined_to_their_tenant_and_the_rest_span_tenants() {
        let tenant = TenantId::new();
        let context = RequestContext { tenant_id: Some(tenant), ..signed_in() };
        for required in [Authorization::TenantMember, Authorization::TenantPermission("project:create")] {
            assert_eq!(data_scope(required, &context), DataScope::Tenant(tenant));
        }
        // A header naming a tenant does not confine user-level work (it was not authorized for it).
        for required in [Authorization::Public, Authorization::Authenticated, Authorization::System] {
            assert_eq!(data_scope(required, &context), DataScope::Platform);
        }
    }

    #[tokio::test]
    async fn the_pipeline_opens_its_transaction_in_the_commands_scope() {
        let (bus, factory) = bus();
        let handler = TouchHandler { fail: false, ran: AtomicBool::new(false) };
        bus.dispatch(&handler, &signed_in(), Touch { authorization: Authorization::Authenticated }).await.unwrap();
        assert_eq!(*factory.scopes.lock().unwrap(), [DataScope::Platform]);
    }
}
