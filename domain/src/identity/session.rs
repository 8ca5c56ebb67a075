use chrono::{DateTime, Duration, Utc};
use tenantry_kernel::{SessionId, UserId};

/// Refresh tokens (and so sessions) live for 7 days from the last rotation.
pub const REFRESH_TOKEN_TTL_DAYS: i64 = 7;

/// Where a session stands at a given instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionState {
    Active,
    Expired,
    Revoked,
}

/// Where a session was opened from, shown to its owner in the session list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SessionClient {
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}

/// A server-side login session. Access tokens name it, so revoking the session
/// (logout) kills its tokens; the refresh token is stored only as a hash and rotates.
#[derive(Debug, Clone, PartialEq)]
pub struct Session {
    id: SessionId,
    user_id: UserId,
    refresh_token_hash: String,
    created_at: DateTime<Utc>,
    last_seen_at: DateTime<Utc>,
    expires_at: DateTime<Utc>,
    revoked_at: Option<DateTime<Utc>>,
    client: SessionClient,
}

impl Session {
    pub fn start(user_id: UserId, refresh_token_hash: String, now: DateTime<Utc>) -> Self {
        Self {
            id: SessionId::new(),
            user_id,
            refresh_token_hash,
            created_at: now,
            last_seen_at: now,
            expires_at: now + Duration::days(REFRESH_TOKEN_TTL_DAYS),
            revoked_at: None,
            client: SessionClient::default(),
        }
    }

    /// Records where the session was opened from.
    pub fn with_client(mut self, client: SessionClient) -> Self {
        self.client = client;
        self
    }

    /// Rebuilds a session from storage; only adapters call this.
    #[allow(clippy::too_many_arguments)]
    pub fn restore(
        id: SessionId,
        user_id: UserId,
        refresh_token_hash: String,
        created_at: DateTime<Utc>,
        last_seen_at: DateTime<Utc>,
        expires_at: DateTime<Utc>,
        revoked_at: Option<DateTime<Utc>>,
        client: SessionClient,
    ) -> Self {
        Self { id, user_id, refresh_token_hash, created_at, last_seen_at, expires_at, revoked_at, client }
    }

    pub fn state(&self, now: DateTime<Utc>) -> SessionState {
        if self.revoked_at.is_some() {
            SessionState::Revoked
        } else if now >= self.expires_at {
            SessionState::Expired
        } else {
            SessionState::Active
        }
    }

    /// Replaces the refresh token: the previous one is dead from now on, and the
    /// session's life is extended by the refresh TTL.
    pub fn rotate(&mut self, new_refresh_token_hash: String, now: DateTime<Utc>) {
        self.refresh_token_hash = new_refresh_token_hash;
        self.last_seen_at = now;
        self.expires_at = now + Duration::days(REFRESH_TOKEN_TTL_DAYS);
    }

    /// Ends the session; revoking twice keeps the first instant.
    pub fn revoke(&mut self, now: DateTime<Utc>) {
        self.revoked_at.get_or_insert(now);
    }

    pub fn id(&self) -> SessionId {
        self.id
    }
    pub fn user_id(&self) -> UserId {
        self.user_id
    }
    pub fn refresh_token_hash(&self) -> &str {
        &self.refresh_token_hash
    }
    pub fn created_at(&self) -> DateTime<Utc> {
        self.created_at
    }
    pub fn last_seen_at(&self) -> DateTime<Utc> {
        self.last_seen_at
    }
    pub fn expires_at(&self) -> DateTime<Utc> {
        self.expires_at
    }
    pub fn revoked_at(&self) -> Option<DateTime<Utc>> {
        self.revoked_at
    }
    pub fn client(&self) -> &SessionClient {
        &self.client
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_session_is_active_until_its_refresh_ttl() {
        let now = Utc::now();
        let session = Session::start(UserId::new(), "h1".into(), now);
        assert_eq!(session.state(now), SessionState::Active);
        assert_eq!(session.state(now + Duration::days(7)), SessionState::Expired);
    }

    #[test]
    fn rotation_replaces_the_hash_and_extends_the_session() {
        let now = Utc::now();
        let mut session = Session::start(UserId::new(), "h1".into(), now);
        let later = now + Duration::days(6);
        session.rotate("h2".into(), later);
        assert_eq!(session.refresh_token_hash(), "h2");
        assert_eq!(session.state(now + Duration::days(8)), SessionState::Active);
    }

    #[test]
    fn revocation_wins_over_expiry_and_keeps_its_first_instant() {
        let now = Utc::now();
        let mut session = Session::start(UserId::new(), "h1".into(), now);
        session.revoke(now);
        session.revoke(now + Duration::hours(1));
        assert_eq!(session.revoked_at(), Some(now));
        assert_eq!(session.state(now + Duration::days(30)), SessionState::Revoked);
    }
}
