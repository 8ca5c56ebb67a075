use std::sync::Arc;

use async_trait::async_trait;
use tenantry_domain::identity::UserLoggedOut;
use tenantry_kernel::Clock;

use crate::identity::ports::IdentityRepositories;
use crate::pipeline::AuditSubject;
use crate::pipeline::{Authorization, Command, CommandHandler, Principal, RequestContext};
use crate::ports::UnitOfWork;
use crate::AppError;

/// End the caller's current session: its access and refresh tokens stop working.
#[derive(Debug, Clone, Default)]
pub struct LogOut;

impl Command for LogOut {
    const NAME: &'static str = "identity.log_out";
    type Output = ();

    fn authorization(&self) -> Authorization {
        Authorization::Authenticated
    }

    fn audit_subject(&self, context: &RequestContext, _: &()) -> Option<AuditSubject> {
        context.principal.as_ref().and_then(Principal::session_id).map(|session| AuditSubject::new("session", session))
    }
}

pub struct LogOutHandler {
    repositories: Arc<dyn IdentityRepositories>,
    clock: Arc<dyn Clock>,
}

impl LogOutHandler {
    pub fn new(repositories: Arc<dyn IdentityRepositories>, clock: Arc<dyn Clock>) -> Self {
        Self { repositories, clock }
    }
}

#[async_trait]
impl CommandHandler<LogOut> for LogOutHandler {
    /// Revoking an already revoked session succeeds: logout is idempotent.
    ///
    /// # Errors
    /// 401 without an authenticated caller.
    async fn handle(&self, context: &RequestContext, _: &LogOut, uow: &mut dyn UnitOfWork) -> Result<(), AppError> {
        let principal = context.require_principal()?;
        let Some(mut session) = self.repositories.sessions(uow)?.find_by_id(principal.session_id).await? else {
            return Ok(());
        };
        if session.revoked_at().is_some() {
            return Ok(());
        }
        let now = self.clock.now();
        session.revoke(now);
        self.repositories.sessions(uow)?.update(&session).await?;
        let event = UserLoggedOut { user_id: session.user_id(), session_id: session.id() };
        uow.record_event(super::envelope(&event, context, now)?);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::identity::test_support::*;
    use crate::pipeline::Principal;
    use tenantry_domain::identity::Session;
    use tenantry_kernel::UserId;

    #[tokio::test]
    async fn revokes_the_callers_session() {
        let session = Session::start(UserId::new(), "h".into(), fixed_now());
        let context = RequestContext {
            principal: Some(Principal::session(session.user_id(), session.id())),
            ..RequestContext::default()
        };
        let mut uow = TestUnitOfWork::default();
        uow.sessions.expect_find_by_id().returning(move |_| Ok(Some(session.clone())));
        uow.sessions.expect_update().withf(|s| s.revoked_at() == Some(fixed_now())).times(1).returning(|_| Ok(()));
        LogOutHandler::new(test_repositories(), fixed_clock()).handle(&context, &LogOut, &mut uow).await.unwrap();
        assert_eq!(uow.events[0].event_type, "identity.user_logged_out");
    }

    #[tokio::test]
    async fn requires_an_authenticated_caller() {
        let mut uow = TestUnitOfWork::default();
        let error = LogOutHandler::new(test_repositories(), fixed_clock())
            .handle(&RequestContext::default(), &LogOut, &mut uow)
            .await
            .unwrap_err();
        assert_eq!(error.code(), crate::ErrorCode::Unauthenticated);
    }
}
