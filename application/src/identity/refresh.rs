use std::sync::Arc;

use async_trait::async_trait;
use tenantry_domain::identity::{SessionRefreshed, SessionState};
use tenantry_kernel::Clock;

use super::TokenPair;
use crate::pipeline::AuditSubject;
use crate::pipeline::{Authorization, Command, CommandHandler, RequestContext};
use crate::ports::{OpaqueTokens, TokenIssuer, UnitOfWork};
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

impl Command for RefreshSession {
    const NAME: &'static str = "identity.refresh_session";
    type Output = TokenPair;

    fn authorization(&self) -> Authorization {
        Authorization::Public
    }

    fn audit_subject(&self, _: &RequestContext, output: &TokenPair) -> Option<AuditSubject> {
        Some(AuditSubject::new("user", output.user_id))
    }
}

pub struct RefreshSessionHandler {
    tokens: Arc<dyn TokenIssuer>,
    secrets: Arc<dyn OpaqueTokens>,
    clock: Arc<dyn Clock>,
}

impl RefreshSessionHandler {
    pub fn new(tokens: Arc<dyn TokenIssuer>, secrets: Arc<dyn OpaqueTokens>, clock: Arc<dyn Clock>) -> Self {
        Self { tokens, secrets, clock }
    }
}

fn invalid_refresh_token() -> AppError {
    AppError::Unauthenticated {
        code: ErrorCode::InvalidRefreshToken,
        message: "the refresh token is invalid, expired or already used",
    }
}

#[async_trait]
impl CommandHandler<RefreshSession> for RefreshSessionHandler {
    /// # Errors
    /// 401 `invalid_refresh_token` for an unknown, rotated, expired or revoked token.
    async fn handle(
        &self,
        context: &RequestContext,
        command: &RefreshSession,
        uow: &mut dyn UnitOfWork,
    ) -> Result<TokenPair, AppError> {
        if command.refresh_token.is_empty() || command.refresh_token.len() > 512 {
            return Err(invalid_refresh_token());
        }
        let presented_hash = self.secrets.hash(&command.refresh_token);
        let mut session =
            uow.sessions().find_by_refresh_token_hash(&presented_hash).await?.ok_or_else(invalid_refresh_token)?;
        let now = self.clock.now();
        if session.state(now) != SessionState::Active {
            return Err(invalid_refresh_token());
        }
        let (refresh_token, refresh_hash) = self.secrets.generate();
        session.rotate(refresh_hash, now);
        uow.sessions().update(&session).await?;
        let access = self.tokens.issue(session.user_id(), session.id(), now).map_err(AppError::internal)?;
        let event = SessionRefreshed { user_id: session.user_id(), session_id: session.id() };
        let mut envelope = super::envelope(&event, context, now)?;
        envelope.actor_id = Some(session.user_id());
        uow.record_event(envelope);
        Ok(TokenPair {
            user_id: session.user_id(),
            access_token: access.token,
            refresh_token,
            expires_in_seconds: access.expires_in_seconds,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::identity::test_support::*;
    use chrono::Duration;
    use tenantry_domain::identity::Session;
    use tenantry_kernel::UserId;

    fn handler() -> RefreshSessionHandler {
        RefreshSessionHandler::new(fake_token_issuer(), fake_secrets(), fixed_clock())
    }

    #[tokio::test]
    async fn rotates_the_refresh_token() {
        let mut uow = TestUnitOfWork::default();
        let session = Session::start(UserId::new(), "hash-of-old".into(), fixed_now());
        uow.sessions
            .expect_find_by_refresh_token_hash()
            .withf(|h| h == "hash-of-old")
            .returning(move |_| Ok(Some(session.clone())));
        uow.sessions
            .expect_update()
            .withf(|s| s.refresh_token_hash() == "hash-of-refresh-1")
            .times(1)
            .returning(|_| Ok(()));
        let pair = handler()
            .handle(&RequestContext::default(), &RefreshSession { refresh_token: "old".into() }, &mut uow)
            .await
            .unwrap();
        assert_eq!(pair.refresh_token, "refresh-1");
        assert_eq!(uow.events[0].event_type, "identity.session_refreshed");
    }

    #[tokio::test]
    async fn rejects_a_rotated_or_unknown_refresh_token() {
        let mut uow = TestUnitOfWork::default();
        uow.sessions.expect_find_by_refresh_token_hash().returning(|_| Ok(None));
        let error = handler()
            .handle(&RequestContext::default(), &RefreshSession { refresh_token: "old".into() }, &mut uow)
            .await
            .unwrap_err();
        assert_eq!(error.code(), ErrorCode::InvalidRefreshToken);
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
            let error = handler()
                .handle(&RequestContext::default(), &RefreshSession { refresh_token: "old".into() }, &mut uow)
                .await
                .unwrap_err();
            assert_eq!(error.code(), ErrorCode::InvalidRefreshToken);
        }
    }
}
