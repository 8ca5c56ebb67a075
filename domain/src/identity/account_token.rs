use chrono::{DateTime, Duration, Utc};
use tenantry_kernel::UserId;

tenantry_kernel::typed_id!(
    /// A single-use token mailed to a user (email verification, password reset).
    AccountTokenId
);

/// What a mailed token lets its holder do. Each purpose has its own lifetime:
/// the more a token can do, the shorter it lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccountTokenPurpose {
    /// Proves the address belongs to the user; valid 24 hours.
    VerifyEmail,
    /// Sets a new password without the old one; valid 30 minutes.
    ResetPassword,
}

impl AccountTokenPurpose {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::VerifyEmail => "verify_email",
            Self::ResetPassword => "reset_password",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "verify_email" => Some(Self::VerifyEmail),
            "reset_password" => Some(Self::ResetPassword),
            _ => None,
        }
    }

    pub fn lifetime(self) -> Duration {
        match self {
            Self::VerifyEmail => Duration::hours(24),
            Self::ResetPassword => Duration::minutes(30),
        }
    }
}

/// Why a presented account token cannot be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum AccountTokenError {
    #[error("the token has expired")]
    Expired,
    #[error("the token has already been used")]
    AlreadyUsed,
}

/// A mailed, single-use token. Only its hash is stored; the token itself exists
/// only in the mail.
#[derive(Debug, Clone, PartialEq)]
pub struct AccountToken {
    id: AccountTokenId,
    user_id: UserId,
    purpose: AccountTokenPurpose,
    token_hash: String,
    created_at: DateTime<Utc>,
    expires_at: DateTime<Utc>,
    used_at: Option<DateTime<Utc>>,
}

impl AccountToken {
    pub fn issue(user_id: UserId, purpose: AccountTokenPurpose, token_hash: String, now: DateTime<Utc>) -> Self {
        Self {
            id: AccountTokenId::new(),
            user_id,
            purpose,
            token_hash,
            created_at: now,
            expires_at: now + purpose.lifetime(),
            used_at: None,
        }
    }

    /// Rebuilds a token from storage; only adapters call this.
    pub fn restore(
        id: AccountTokenId,
        user_id: UserId,
        purpose: AccountTokenPurpose,
        token_hash: String,
        created_at: DateTime<Utc>,
        expires_at: DateTime<Utc>,
        used_at: Option<DateTime<Utc>>,
    ) -> Self {
        Self { id, user_id, purpose, token_hash, created_at, expires_at, used_at }
    }

    /// Uses the token up.
    ///
    /// # Errors
    /// `AlreadyUsed` after an earlier redemption, `Expired` at or after `expires_at`.
    pub fn redeem(&mut self, now: DateTime<Utc>) -> Result<(), AccountTokenError> {
        if self.used_at.is_some() {
            return Err(AccountTokenError::AlreadyUsed);
        }
        if now >= self.expires_at {
            return Err(AccountTokenError::Expired);
        }
        self.used_at = Some(now);
        Ok(())
    }

    pub fn id(&self) -> AccountTokenId {
        self.id
    }
    pub fn user_id(&self) -> UserId {
        self.user_id
    }
    pub fn purpose(&self) -> AccountTokenPurpose {
        self.purpose
    }
    pub fn token_hash(&self) -> &str {
        &self.token_hash
    }
    pub fn created_at(&self) -> DateTime<Utc> {
        self.created_at
    }
    pub fn expires_at(&self) -> DateTime<Utc> {
        self.expires_at
    }
    pub fn used_at(&self) -> Option<DateTime<Utc>> {
        self.used_at
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_is_used_once_and_only_before_it_expires() {
        let now = Utc::now();
        let mut token = AccountToken::issue(UserId::new(), AccountTokenPurpose::ResetPassword, "h".into(), now);
        assert_eq!(token.expires_at(), now + Duration::minutes(30));
        assert_eq!(token.redeem(now + Duration::minutes(29)), Ok(()));
        assert_eq!(token.redeem(now + Duration::minutes(29)), Err(AccountTokenError::AlreadyUsed));

        let mut late = AccountToken::issue(UserId::new(), AccountTokenPurpose::VerifyEmail, "h".into(), now);
        assert_eq!(late.redeem(now + Duration::hours(24)), Err(AccountTokenError::Expired));
        assert_eq!(late.used_at(), None);
    }

    #[test]
    fn purposes_round_trip_through_their_names() {
        for purpose in [AccountTokenPurpose::VerifyEmail, AccountTokenPurpose::ResetPassword] {
            assert_eq!(AccountTokenPurpose::parse(purpose.as_str()), Some(purpose));
        }
        assert_eq!(AccountTokenPurpose::parse("admin"), None);
    }
}
