use std::sync::Arc;

use async_trait::async_trait;
use tenantry_domain::identity::{RefreshTokenReuseDetected, SessionRefreshed, SessionState};
use tenantry_kernel::{Clock, SessionId, UserId};

use super::TokenPair;
use crate::identity::ports::IdentityRepositories;
use crate::identity::ports::{OpaqueTokens, TokenIssuer};
use crate::pipeline::{AuditSubject, Authorization, Command, CommandHandler, RequestContext};
use crate::ports::UnitOfWork;
use crate::{AppError, ErrorCode};

/// Exchange a refresh token for a new token pair; the presented token dies.
#[derive(Clone)]
pub struct RefreshSession {
    pub refresh_token: String,
}

impl std::fmt::Debug for RefreshSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RefreshSession { refresh_token: *** }")
    }
}

/// What a refresh did. Reuse is an outcome, not an error, because revoking the
/// session must commit; the `Identity` service turns it into a 401 afterwards.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RefreshOutcome {
    Rotated(TokenPair),
    ReuseDetected { user_id: UserId, session_id: SessionId },
}

impl Command for RefreshSession {
    const NAME: &'static str = "identity.refresh_session";
    type Output = RefreshOutcome;

    fn authorization(&self) -> Authorization {
        Authorization::Public
    }

    fn audit_subject(&self, _: &RequestContext, output: &RefreshOutcome) -> Option<AuditSubject> {
        Some(match output {
            RefreshOutcome::Rotated(pair) => AuditSubject::new("user", pair.user_id),
            RefreshOutcome::ReuseDetected { session_id, .. } => AuditSubject::new("session", session_id),
        })
    }
}

pub struct RefreshSessionHandler {
    repositories: Arc<dyn IdentityRepositories>,
    tokens: Arc<dyn TokenIssuer>,
    secrets: Arc<dyn OpaqueTokens>,
    clock: Arc<dyn Clock>,
}

impl RefreshSessionHandler {
    pub fn new(
        repositories: Arc<dyn IdentityRepositories>,
        tokens: Arc<dyn TokenIssuer>,
        secrets: Arc<dyn OpaqueTokens>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self { repositories, tokens, secrets, clock }
    }
}

pub(crate) fn invalid_refresh_token() -> AppError {
    AppError::Unauthenticated {
        code: ErrorCode::InvalidRefreshToken,
        message: "the refresh token is invalid, expired or already used",
    }
}

#[async_trait]
impl CommandHandler<RefreshSession> for RefreshSessionHandler {
    /// # Errors
    /// 401 `invalid_refresh_token` for an unknown, expired or revoked token. A
    /// rotated token presented again revokes its session (`ReuseDetected`).
    async fn handle(
        &self,
        context: &RequestContext,
        command: &RefreshSession,
        uow: &mut dyn UnitOfWork,
    ) -> Result<RefreshOutcome, AppError> {
        if command.refresh_token.is_empty() || command.refresh_token.len() > 512 {
            return Err(invalid_refresh_token());
        }
        let presented_hash = self.secrets.hash(&command.refresh_token);
        let now = self.clock.now();
        let Some(mut session) = self.repositories.sessions(uow)?.find_by_refresh_token_hash(&presented_hash).await?
        else {
            let Some(mut stolen) =
                self.repositories.sessions(uow)?.find_by_retired_refresh_token_hash(&presented_hash).await?
            else {
                return Err(invalid_refresh_token());
            };
            if stolen.revoked_at().is_some() {
                return Err(invalid_refresh_token());
            }
            stolen.revoke(now);
            self.repositories.sessions(uow)?.update(&stolen).await?;
            let event = RefreshTokenReuseDetected { user_id: stolen.user_id(), session_id: stolen.id() };
            uow.record_event(super::envelope(&event, context, now)?);
            tracing::warn!(session_id = %stolen.id(), user_id = %stolen.user_id(), "refresh token reuse: session revoked");
            return Ok(RefreshOutcome::ReuseDetected { user_id: stolen.user_id(), session_id: stolen.id() });
        };
        if session.state(now) != SessionState::Active {
            return Err(invalid_refresh_token());
        }
        let (refresh_token, refresh_hash) = self.secrets.generate();
        self.repositories.sessions(uow)?.retire_refresh_token_hash(&session, &presented_hash).await?;
        session.rotate(refresh_hash, now);
        self.repositories.sessions(uow)?.update(&session).await?;
        let access = self.tokens.issue(session.user_id(), session.id(), now).map_err(AppError::internal)?;
        let event = SessionRefreshed { user_id: session.user_id(), session_id: session.id() };
        let mut envelope = super::envelope(&event, context, now)?;
        envelope.actor_id = Some(session.user_id());
        uow.record_event(envelope);
        Ok(RefreshOutcome::Rotated(TokenPair {
            user_id: session.user_id(),
            access_token: access.token,
            refresh_token,
            expires_in_seconds: access.expires_in_seconds,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::identity::test_support::*;
    use chrono::Duration;
    use tenantry_domain::identity::Session;

    fn handler() -> RefreshSessionHandler {
        RefreshSessionHandler::new(test_repositories(), fake_token_issuer(), fake_secrets(), fixed_clock())
    }

    fn refresh(token: &str) -> RefreshSession {
        RefreshSession { refresh_token: token.into() }
    }

    #[tokio::test]
    async fn rotates_the_refresh_token_and_retires_the_old_one() {
        let mut uow = TestUnitOfWork::default();
        let session = Session::start(UserId::new(), "hash-of-old".into(), fixed_now());
        uow.sessions
            .expect_find_by_refresh_token_hash()
            .withf(|h| h == "hash-of-old")
            .returning(move |_| Ok(Some(session.clone())));
        uow.sessions
            .expect_retire_refresh_token_hash()
            .withf(|_, h| h == "hash-of-old")
            .times(1)
            .returning(|_, _| Ok(()));
        uow.sessions
            .expect_update()
            .withf(|s| s.refresh_token_hash() == "hash-of-refresh-1")
            .times(1)
            .returning(|_| Ok(()));
        let outcome = handler().handle(&RequestContext::default(), &refresh("old"), &mut uow).await.unwrap();
        let RefreshOutcome::Rotated(pair) = outcome else { panic!("expected a rotation, got {outcome:?}") };
        assert_eq!(pair.refresh_token, "refresh-1");
        assert_eq!(uow.events[0].event_type, "identity.session_refreshed");
    }

    #[tokio::test]
    async fn rejects_an_unknown_refresh_token() {
        let mut uow = TestUnitOfWork::default();
        uow.sessions.expect_find_by_refresh_token_hash().returning(|_| Ok(None));
        uow.sessions.expect_find_by_retired_refresh_token_hash().returning(|_| Ok(None));
        let error = handler().handle(&RequestContext::default(), &refresh("old"), &mut uow).await.unwrap_err();
        assert_eq!(error.code(), ErrorCode::InvalidRefreshToken);
    }

    #[tokio::test]
    async fn a_replayed_rotated_token_revokes_the_whole_session() {
        let mut uow = TestUnitOfWork::default();
        let session = Session::start(UserId::new(), "hash-of-current".into(), fixed_now());
        let session_id = session.id();
        uow.sessions.expect_find_by_refresh_token_hash().returning(|_| Ok(None));
        uow.sessions.expect_find_by_retired_refresh_token_hash().returning(move |_| Ok(Some(session.clone())));
        uow.sessions.expect_update().withf(|s| s.revoked_at() == Some(fixed_now())).times(1).returning(|_| Ok(()));
        let outcome = handler().handle(&RequestContext::default(), &refresh("stolen"), &mut uow).await.unwrap();
        assert!(matches!(outcome, RefreshOutcome::ReuseDetected { session_id: id, .. } if id == session_id));
        assert_eq!(uow.events[0].event_type, "identity.refresh_token_reuse_detected");
    }

    #[tokio::test]
    async fn rejects_the_token_of_a_revoked_or_expired_session() {
        for (revoked, started) in [(true, fixed_now()), (false, fixed_now() - Duration::days(8))] {
            let mut uow = TestUnitOfWork::default();
            let mut session = Session::start(UserId::new(), "hash-of-old".into(), started);
            if revoked {
                session.revoke(fixed_now());
            }
            uow.sessions.expect_find_by_refresh_token_hash().returning(move |_| Ok(Some(session.clone())));
            let error = handler().handle(&RequestContext::default(), &refresh("old"), &mut uow).await.unwrap_err();
            assert_eq!(error.code(), ErrorCode::InvalidRefreshToken);
        }
    }
}
