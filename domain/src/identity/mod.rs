//! Identity: who a user is and how they prove it (credentials, sessions).

mod display_name;
mod events;
mod password;
mod session;
mod user;

pub use display_name::DisplayName;
pub use events::{RefreshTokenReuseDetected, SessionRefreshed, UserLoggedIn, UserLoggedOut, UserRegistered};
pub use password::{Password, PasswordHash};
pub use session::{Session, SessionClient, SessionState, REFRESH_TOKEN_TTL_DAYS};
pub use tenantry_kernel::EmailAddress;
pub use user::User;
