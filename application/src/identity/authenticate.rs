use std::sync::Arc;

use tenantry_kernel::Clock;

use crate::identity::ports::{IdentityQueries, TokenIssuer};
use crate::pipeline::Principal;
use crate::ports::TokenError;
use crate::{AppError, ErrorCode};

/// Turns a bearer access token into a principal. The signature proves the token
/// was ours; the session lookup makes logout and revocation take effect at once.
pub struct Authenticator {
    tokens: Arc<dyn TokenIssuer>,
    queries: Arc<dyn IdentityQueries>,
    clock: Arc<dyn Clock>,
}

impl Authenticator {
    pub fn new(tokens: Arc<dyn TokenIssuer>, queries: Arc<dyn IdentityQueries>, clock: Arc<dyn Clock>) -> Self {
        Self { tokens, queries, clock }
    }

    /// # Errors
    /// 401 `invalid_token` for a bad or expired token, `session_revoked` once the
    /// session has ended; 503 when the session store is down.
    pub async fn authenticate(&self, access_token: &str) -> Result<Principal, AppError> {
        let now = self.clock.now();
        let claims = self.tokens.verify(access_token, now).map_err(|error| {
            tracing::debug!(%error, "access token refused");
            AppError::Unauthenticated {
                code: ErrorCode::InvalidToken,
                message: match error {
                    TokenError::Expired => "the access token has expired",
                    _ => "the access token is invalid",
                },
            }
        })?;
        let session = self.queries.session_status(claims.session_id).await?;
        match session {
            Some(s) if s.user_id == claims.user_id && !s.revoked && s.expires_at > now => {
                Ok(Principal::session(claims.user_id, claims.session_id))
            }
            _ => Err(AppError::Unauthenticated {
                code: ErrorCode::SessionRevoked,
                message: "the session has ended; log in again",
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::identity::ports::{AccessClaims, MockIdentityQueries, MockTokenIssuer, SessionStatus};
    use crate::identity::test_support::*;
    use chrono::Duration;
    use tenantry_kernel::{SessionId, UserId};

    fn issuer_for(claims: AccessClaims) -> Arc<dyn TokenIssuer> {
        let mut issuer = MockTokenIssuer::new();
        issuer.expect_verify().returning(move |token, _| {
            if token == "good" {
                Ok(claims.clone())
            } else {
                Err(TokenError::Invalid("bad signature".into()))
            }
        });
        Arc::new(issuer)
    }

    fn queries_with(status: Option<SessionStatus>) -> Arc<dyn IdentityQueries> {
        let mut queries = MockIdentityQueries::new();
        queries.expect_session_status().returning(move |_| Ok(status.clone()));
        Arc::new(queries)
    }

    #[tokio::test]
    async fn accepts_a_valid_token_of_a_live_session() {
        let (user_id, session_id) = (UserId::new(), SessionId::new());
        let claims = AccessClaims { user_id, session_id, expires_at: fixed_now() + Duration::minutes(15) };
        let status = SessionStatus { user_id, expires_at: fixed_now() + Duration::days(7), revoked: false };
        let auth = Authenticator::new(issuer_for(claims), queries_with(Some(status)), fixed_clock());
        assert_eq!(auth.authenticate("good").await.unwrap(), Principal::session(user_id, session_id));
    }

    #[tokio::test]
    async fn refuses_a_bad_signature() {
        let claims = AccessClaims { user_id: UserId::new(), session_id: SessionId::new(), expires_at: fixed_now() };
        let auth = Authenticator::new(issuer_for(claims), queries_with(None), fixed_clock());
        assert_eq!(auth.authenticate("forged").await.unwrap_err().code(), ErrorCode::InvalidToken);
    }

    #[tokio::test]
    async fn refuses_the_token_of_a_revoked_session() {
        let (user_id, session_id) = (UserId::new(), SessionId::new());
        let claims = AccessClaims { user_id, session_id, expires_at: fixed_now() + Duration::minutes(15) };
        let status = SessionStatus { user_id, expires_at: fixed_now() + Duration::days(7), revoked: true };
        let auth = Authenticator::new(issuer_for(claims), queries_with(Some(status)), fixed_clock());
        assert_eq!(auth.authenticate("good").await.unwrap_err().code(), ErrorCode::SessionRevoked);
    }
}
