//! Identity: who a user is and how they prove it (credentials, sessions).

mod display_name;
mod email;
mod events;
mod password;
mod session;
mod user;

pub use display_name::DisplayName;
pub use email::EmailAddress;
pub use events::{RefreshTokenReuseDetected, SessionRefreshed, UserLoggedIn, UserLoggedOut, UserRegistered};
pub use password::{Password, PasswordHash};
pub use session::{Session, SessionState, REFRESH_TOKEN_TTL_DAYS};
pub use user::User;
