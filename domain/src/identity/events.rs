use serde::Serialize;
use tenantry_kernel::{DomainEvent, SessionId, UserId};

/// A new account exists.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UserRegistered {
    pub user_id: UserId,
    pub email: String,
    pub display_name: String,
}

/// A session was opened with valid credentials.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UserLoggedIn {
    pub user_id: UserId,
    pub session_id: SessionId,
}

/// A refresh token was exchanged for a new pair.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SessionRefreshed {
    pub user_id: UserId,
    pub session_id: SessionId,
}

/// A refresh token that had already been rotated was presented again: someone
/// holds a stolen copy, so the whole session was revoked (RFC 6819 §5.2.2.3).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RefreshTokenReuseDetected {
    pub user_id: UserId,
    pub session_id: SessionId,
}

/// A session was ended by its owner.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UserLoggedOut {
    pub user_id: UserId,
    pub session_id: SessionId,
}

impl DomainEvent for UserRegistered {
    fn event_type(&self) -> &'static str {
        "identity.user_registered"
    }
}
impl DomainEvent for UserLoggedIn {
    fn event_type(&self) -> &'static str {
        "identity.user_logged_in"
    }
}
impl DomainEvent for SessionRefreshed {
    fn event_type(&self) -> &'static str {
        "identity.session_refreshed"
    }
}
impl DomainEvent for RefreshTokenReuseDetected {
    fn event_type(&self) -> &'static str {
        "identity.refresh_token_reuse_detected"
    }
}
impl DomainEvent for UserLoggedOut {
    fn event_type(&self) -> &'static str {
        "identity.user_logged_out"
    }
}
