//! Identity use cases: registration, login (with lockout), token refresh, logout,
//! sessions, email verification, password reset and change, request authentication.

pub mod ports;

mod authenticate;
mod lockout;
mod login;
mod logout;
mod profile;
mod recovery;
pub(crate) mod refresh;
mod register;
mod service;
mod sessions;

pub use authenticate::Authenticator;
pub use lockout::{AdmitLoginAttempt, ForgiveLoginAttempt, RecordLoginFailure, RecordLoginFailureHandler};
pub use login::{
    parse_login, CredentialCheck, CredentialVerifier, LogIn, StartSession, StartSessionHandler, TokenPair,
};
pub use logout::{LogOut, LogOutHandler};
pub use profile::{UpdateProfile, UpdateProfileHandler};
pub use recovery::{
    AccountMail, AccountMailJobs, ChangePassword, MailAccountToken, RecoveryHandler, ResetPassword, VerifyEmail,
    ACCOUNT_MAIL_JOB,
};
pub use refresh::{RefreshOutcome, RefreshSession, RefreshSessionHandler};
pub use register::{
    AccountPreparer, CreateUser, CreateUserHandler, NewAccount, ProvisionAdminAccount, ProvisionAdminAccountHandler,
    ProvisionPlatformAdmin, Provisioned, RegisterUser,
};
pub use service::{AuthPolicy, Identity, IdentityPorts, ProfileView};
pub use sessions::{RevokeOtherSessions, RevokeSession, SessionsHandler};

use tenantry_kernel::EventEnvelope;

use crate::pipeline::RequestContext;
use crate::AppError;

/// Wraps a domain event with the request's tenant and actor.
fn envelope<E: tenantry_kernel::DomainEvent>(
    event: &E,
    context: &RequestContext,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<EventEnvelope, AppError> {
    EventEnvelope::wrap(event, now, context.tenant_id, context.principal.as_ref().map(|p| p.user_id))
        .map_err(AppError::internal)
}

#[cfg(test)]
pub(crate) mod test_support;
