//! Identity: who a user is and how they prove it (credentials, sessions).

mod account_token;
mod display_name;
mod events;
mod login_throttle;
mod password;
mod preferences;
mod session;
mod user;

pub use account_token::{AccountToken, AccountTokenError, AccountTokenId, AccountTokenPurpose};
pub use display_name::DisplayName;
pub use events::{
    EmailVerified, LoginLocked, PasswordChangeKind, PasswordChanged, ProfileUpdated, RefreshTokenReuseDetected,
    SessionRefreshed, UserLoggedIn, UserLoggedOut, UserRegistered,
};
pub use login_throttle::{Admission, LoginThrottle, FAILURE_WINDOW_MINUTES, LOCKOUT_MINUTES, MAX_FAILED_LOGINS};
pub use password::{Password, PasswordHash};
pub use preferences::{Preferences, MAX_PREFERENCES_BYTES, MAX_PREFERENCES_DEPTH};
pub use session::{Session, SessionClient, SessionState, REFRESH_TOKEN_TTL_DAYS};
pub use tenantry_kernel::EmailAddress;
pub use user::User;
