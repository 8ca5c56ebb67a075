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

/// The user proved they own their email address.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EmailVerified {
    pub user_id: UserId,
    pub email: String,
}

/// How a password came to change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PasswordChangeKind {
    /// The user knew the current password.
    Changed,
    /// Through a mailed reset token; every session was revoked.
    Reset,
}

/// A user's password was replaced.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PasswordChanged {
    pub user_id: UserId,
    pub kind: PasswordChangeKind,
}

/// Too many failed logins for one address: logins are refused until `locked_until`.
/// Carries the login key (a hash), never the address, since the account may not exist.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LoginLocked {
    pub login_key: String,
    pub user_id: Option<UserId>,
    pub locked_until: chrono::DateTime<chrono::Utc>,
}

/// A user changed their profile (the names of the changed fields; the values stay private).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProfileUpdated {
    pub user_id: UserId,
    pub fields: Vec<&'static str>,
}

impl DomainEvent for ProfileUpdated {
    fn event_type(&self) -> &'static str {
        "identity.profile_updated"
    }
}
impl DomainEvent for EmailVerified {
    fn event_type(&self) -> &'static str {
        "identity.email_verified"
    }
}
impl DomainEvent for PasswordChanged {
    fn event_type(&self) -> &'static str {
        "identity.password_changed"
    }
}
impl DomainEvent for LoginLocked {
    fn event_type(&self) -> &'static str {
        "identity.login_locked"
    }
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
