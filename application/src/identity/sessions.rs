//! A user's own sessions: list them, end one, or end every other one (a lost laptop,
//! a shared computer).

use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use tenantry_domain::identity::UserLoggedOut;
use tenantry_kernel::{Clock, SessionId, UserId};

use crate::identity::ports::IdentityRepositories;
use crate::pipeline::{AuditSubject, Authorization, Command, CommandHandler, RequestContext};
use crate::ports::UnitOfWork;
use crate::AppError;

/// End one of the caller's sessions.
#[derive(Debug, Clone)]
pub struct RevokeSession {
    pub session_id: SessionId,
}

impl Command for RevokeSession {
    const NAME: &'static str = "identity.revoke_session";
    type Output = ();

    fn authorization(&self) -> Authorization {
        Authorization::Authenticated
    }

    fn audit_subject(&self, _: &RequestContext, _: &()) -> Option<AuditSubject> {
        Some(AuditSubject::new("session", self.session_id))
    }
}

/// End every session of the caller except the current one; answers how many ended.
#[derive(Debug, Clone, Default)]
pub struct RevokeOtherSessions;

impl Command for RevokeOtherSessions {
    const NAME: &'static str = "identity.revoke_other_sessions";
    type Output = usize;

    fn authorization(&self) -> Authorization {
        Authorization::Authenticated
    }

    fn audit_subject(&self, context: &RequestContext, revoked: &usize) -> Option<AuditSubject> {
        let user = context.principal.as_ref()?.user_id;
        (*revoked > 0).then(|| AuditSubject::new("user", user))
    }
}

pub struct SessionsHandler {
    repositories: Arc<dyn IdentityRepositories>,
    clock: Arc<dyn Clock>,
}

impl SessionsHandler {
    pub fn new(repositories: Arc<dyn IdentityRepositories>, clock: Arc<dyn Clock>) -> Self {
        Self { repositories, clock }
    }
}

#[async_trait]
impl CommandHandler<RevokeSession> for SessionsHandler {
    /// # Errors
    /// 404 when the session is not one of the caller's (or is already revoked).
    async fn handle(
        &self,
        context: &RequestContext,
        command: &RevokeSession,
        uow: &mut dyn UnitOfWork,
    ) -> Result<(), AppError> {
        let principal = context.require_principal()?;
        let not_found = || AppError::NotFound { message: "session not found" };
        let mut session =
            self.repositories.sessions(uow)?.find_by_id(command.session_id).await?.ok_or_else(not_found)?;
        if session.user_id() != principal.user_id || session.revoked_at().is_some() {
            return Err(not_found());
        }
        let now = self.clock.now();
        session.revoke(now);
        self.repositories.sessions(uow)?.update(&session).await?;
        let event = UserLoggedOut { user_id: session.user_id(), session_id: session.id() };
        uow.record_event(super::envelope(&event, context, now)?);
        Ok(())
    }
}

#[async_trait]
impl CommandHandler<RevokeOtherSessions> for SessionsHandler {
    async fn handle(
        &self,
        context: &RequestContext,
        _: &RevokeOtherSessions,
        uow: &mut dyn UnitOfWork,
    ) -> Result<usize, AppError> {
        let principal = context.require_principal()?;
        revoke_sessions_of(
            self.repositories.as_ref(),
            uow,
            context,
            principal.user_id,
            Some(principal.session_id),
            self.clock.now(),
        )
        .await
    }
}

/// Revokes every live session of `user` but `keep`, announcing each; answers how many ended.
pub(crate) async fn revoke_sessions_of(
    repositories: &dyn IdentityRepositories,
    uow: &mut dyn UnitOfWork,
    context: &RequestContext,
    user: UserId,
    keep: Option<SessionId>,
    now: DateTime<Utc>,
) -> Result<usize, AppError> {
    let mut revoked = 0;
    for mut session in repositories.sessions(uow)?.unrevoked_of(user).await? {
        if Some(session.id()) == keep {
            continue;
        }
        session.revoke(now);
        repositories.sessions(uow)?.update(&session).await?;
        let event = UserLoggedOut { user_id: session.user_id(), session_id: session.id() };
        uow.record_event(super::envelope(&event, context, now)?);
        revoked += 1;
    }
    Ok(revoked)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::identity::test_support::*;
    use crate::pipeline::Principal;
    use crate::ErrorCode;
    use tenantry_domain::identity::Session;
    use tenantry_kernel::UserId;

    fn signed_in_as(session: &Session) -> RequestContext {
        RequestContext {
            principal: Some(Principal::session(session.user_id(), session.id())),
            ..RequestContext::default()
        }
    }

    #[tokio::test]
    async fn another_users_session_is_not_found_and_untouched() {
        let mine = Session::start(UserId::new(), "a".into(), fixed_now());
        let theirs = Session::start(UserId::new(), "b".into(), fixed_now());
        let their_id = theirs.id();
        let mut uow = TestUnitOfWork::default();
        uow.sessions.expect_find_by_id().returning(move |_| Ok(Some(theirs.clone())));
        let error = SessionsHandler::new(test_repositories(), fixed_clock())
            .handle(&signed_in_as(&mine), &RevokeSession { session_id: their_id }, &mut uow)
            .await
            .unwrap_err();
        assert_eq!(error.code(), ErrorCode::NotFound);
    }

    #[tokio::test]
    async fn revoking_the_others_keeps_the_current_session() {
        let user = UserId::new();
        let current = Session::start(user, "current".into(), fixed_now());
        let others = [Session::start(user, "o1".into(), fixed_now()), Session::start(user, "o2".into(), fixed_now())];
        let all: Vec<Session> = std::iter::once(current.clone()).chain(others.iter().cloned()).collect();
        let current_id = current.id();
        let mut uow = TestUnitOfWork::default();
        uow.sessions.expect_unrevoked_of().returning(move |_| Ok(all.clone()));
        uow.sessions
            .expect_update()
            .withf(move |s| s.id() != current_id && s.revoked_at().is_some())
            .times(2)
            .returning(|_| Ok(()));
        let revoked = SessionsHandler::new(test_repositories(), fixed_clock())
            .handle(&signed_in_as(&current), &RevokeOtherSessions, &mut uow)
            .await
            .unwrap();
        assert_eq!(revoked, 2);
        assert_eq!(uow.events.len(), 2);
    }
}
