//! The identity context's service: accounts, login with lockout, sessions, email
//! verification, password reset and change, profiles and access-token
//! authentication, each through the platform's pipelines.

use std::sync::Arc;

use tenantry_domain::identity::{AccountTokenPurpose, Admission, Password};
use tenantry_kernel::{UserId, ValidationError};

use super::ports::{
    IdentityQueries, IdentityRepositories, OpaqueTokens, PasswordHasher, PublishedKey, SessionView, TokenIssuer,
    UserView,
};
use super::refresh;
use super::*;
use crate::jobs::JobHandler;
use crate::pipeline::{Principal, RequestContext};
use crate::platform::Platform;
use crate::ports::Mailer;
use crate::{AppError, ErrorCode};

/// The adapters identity needs; built by the composition root.
pub struct IdentityPorts {
    pub queries: Arc<dyn IdentityQueries>,
    pub password_hasher: Arc<dyn PasswordHasher>,
    pub token_issuer: Arc<dyn TokenIssuer>,
    pub opaque_tokens: Arc<dyn OpaqueTokens>,
    pub mailer: Arc<dyn Mailer>,
    pub policy: AuthPolicy,
    /// Users, sessions, tokens, throttles and preferences inside a unit of work.
    pub repositories: Arc<dyn IdentityRepositories>,
}

/// A user's own profile.
#[derive(Debug, Clone, PartialEq)]
pub struct ProfileView {
    pub user: UserView,
    /// The preferences document (a JSON object).
    pub preferences: serde_json::Value,
}

/// Authentication rules a product may tighten.
#[derive(Debug, Clone, Default)]
pub struct AuthPolicy {
    /// Refuse login (403 `email_not_verified`) until the address is verified.
    pub require_verified_email: bool,
}

/// Identity's use cases.
pub struct Identity {
    platform: Arc<Platform>,
    accounts: AccountPreparer,
    create_user: CreateUserHandler,
    provision_admin: ProvisionAdminAccountHandler,
    credentials: CredentialVerifier,
    start_session: StartSessionHandler,
    record_login_failure: RecordLoginFailureHandler,
    recovery: RecoveryHandler,
    account_mail: Arc<AccountMail>,
    account_mail_jobs: Arc<AccountMailJobs>,
    policy: AuthPolicy,
    refresh_session: RefreshSessionHandler,
    log_out: LogOutHandler,
    sessions: SessionsHandler,
    update_profile: UpdateProfileHandler,
    authenticator: Authenticator,
    token_issuer: Arc<dyn TokenIssuer>,
    identity_queries: Arc<dyn IdentityQueries>,
}

impl Identity {
    pub fn new(platform: Arc<Platform>, ports: IdentityPorts) -> Self {
        let IdentityPorts { queries, password_hasher, token_issuer, opaque_tokens, mailer, policy, repositories } =
            ports;
        let clock = platform.clock().clone();
        let account_mail = Arc::new(AccountMail::new(repositories.clone(), opaque_tokens.clone(), mailer));
        let account_mail_jobs = Arc::new(AccountMailJobs::new(
            repositories.clone(),
            platform.units_of_work().clone(),
            account_mail.clone(),
            clock.clone(),
        ));
        Self {
            accounts: AccountPreparer::new(password_hasher.clone()),
            create_user: CreateUserHandler::new(repositories.clone(), account_mail.clone(), clock.clone()),
            provision_admin: ProvisionAdminAccountHandler::new(repositories.clone(), clock.clone()),
            credentials: CredentialVerifier::new(password_hasher, queries.clone()),
            start_session: StartSessionHandler::new(
                repositories.clone(),
                token_issuer.clone(),
                opaque_tokens.clone(),
                clock.clone(),
            ),
            record_login_failure: RecordLoginFailureHandler::new(repositories.clone(), clock.clone()),
            recovery: RecoveryHandler::new(repositories.clone(), account_mail.clone(), clock.clone()),
            account_mail,
            account_mail_jobs,
            policy,
            refresh_session: RefreshSessionHandler::new(
                repositories.clone(),
                token_issuer.clone(),
                opaque_tokens,
                clock.clone(),
            ),
            log_out: LogOutHandler::new(repositories.clone(), clock.clone()),
            sessions: SessionsHandler::new(repositories.clone(), clock.clone()),
            update_profile: UpdateProfileHandler::new(repositories.clone(), clock.clone()),
            authenticator: Authenticator::new(token_issuer.clone(), queries.clone(), clock),
            token_issuer,
            identity_queries: queries,
            platform,
        }
    }

    /// The jobs identity queues (account mail), for the job runner.
    pub fn job_handlers(&self) -> Vec<Arc<dyn JobHandler>> {
        vec![self.account_mail_jobs.clone()]
    }

    /// Validates and hashes (outside any transaction), then stores the account.
    ///
    /// # Errors
    /// See [`AccountPreparer::prepare`] and [`CreateUserHandler`].
    pub async fn register_user(&self, context: &RequestContext, command: RegisterUser) -> Result<UserId, AppError> {
        let account = self.accounts.prepare(&command.email, &command.display_name, &command.password).await?;
        self.platform.commands().dispatch(&self.create_user, context, CreateUser { account }).await
    }

    /// # Errors
    /// See [`AccountPreparer::prepare`].
    pub async fn provision_platform_admin(
        &self,
        context: &RequestContext,
        command: ProvisionPlatformAdmin,
    ) -> Result<Provisioned, AppError> {
        let account = self.accounts.prepare(&command.email, &command.display_name, &command.password).await?;
        self.platform.commands().dispatch(&self.provision_admin, context, ProvisionAdminAccount { account }).await
    }

    /// Verifies the credentials (outside any transaction), then opens a session. A
    /// failure is counted in its own transaction; the fifth within fifteen minutes
    /// locks the address for thirty, whether or not an account has it.
    ///
    /// # Errors
    /// 400 malformed input; 401 `invalid_credentials`; 429 `account_locked`;
    /// 403 `email_not_verified` when the policy requires a verified address.
    pub async fn log_in(&self, context: &RequestContext, command: LogIn) -> Result<TokenPair, AppError> {
        let (email, password) = parse_login(&command)?;
        let login_key = self.account_mail.login_key(&email);
        let admission = self.admit_attempt(context, &login_key).await?;
        match self.credentials.check(&email, &password).await? {
            CredentialCheck::Verified(credentials) => {
                if self.policy.require_verified_email && !credentials.email_verified {
                    let forgive = ForgiveLoginAttempt { login_key };
                    self.platform.commands().dispatch(&self.record_login_failure, context, forgive).await?;
                    return Err(AppError::Forbidden {
                        code: ErrorCode::EmailNotVerified,
                        message:
                            "verify your email address first; POST /api/v1/auth/resend-verification sends a new link",
                    });
                }
                let command = StartSession { user_id: credentials.user_id, login_key };
                self.platform.commands().dispatch(&self.start_session, context, command).await
            }
            CredentialCheck::Rejected { user_id } => {
                Err(self.record_failure(context, login_key, user_id, admission, AppError::invalid_credentials()).await)
            }
        }
    }

    /// Counts a password check before it is made (issue 14: parallel guesses raced
    /// a counter updated only after each check).
    async fn admit_attempt(&self, context: &RequestContext, login_key: &str) -> Result<Admission, AppError> {
        let command = AdmitLoginAttempt { login_key: login_key.to_owned() };
        match self.platform.commands().dispatch(&self.record_login_failure, context, command).await? {
            Ok(admission) => Ok(admission),
            Err(until) => Err(AppError::account_locked(seconds_between(self.platform.clock().now(), until))),
        }
    }

    /// Audits a failed (already counted) password check and answers the error to
    /// return: `refusal`, or `account_locked` when this failure locked the address.
    async fn record_failure(
        &self,
        context: &RequestContext,
        login_key: String,
        user_id: Option<UserId>,
        admission: Admission,
        refusal: AppError,
    ) -> AppError {
        let command = RecordLoginFailure { login_key, user_id, locked_until: admission.locks_if_wrong };
        match self.platform.commands().dispatch(&self.record_login_failure, context, command).await {
            Ok(Some(until)) => AppError::account_locked(seconds_between(self.platform.clock().now(), until)),
            Ok(None) => refusal,
            Err(error) => error,
        }
    }

    /// Mails a new verification link to an unverified address. Always succeeds for
    /// a well-formed address, so the answer tells nothing about accounts.
    ///
    /// # Errors
    /// 400 for a malformed address.
    pub async fn request_email_verification(&self, context: &RequestContext, email: String) -> Result<(), AppError> {
        let command = MailAccountToken { email, purpose: AccountTokenPurpose::VerifyEmail };
        self.platform.commands().dispatch(&self.recovery, context, command).await.map(drop)
    }

    /// # Errors
    /// See [`RecoveryHandler`].
    pub async fn verify_email(&self, context: &RequestContext, command: VerifyEmail) -> Result<(), AppError> {
        self.platform.commands().dispatch(&self.recovery, context, command).await.map(drop)
    }

    /// Mails a password reset link when the address has an account; answers alike
    /// either way (no user enumeration).
    ///
    /// # Errors
    /// 400 for a malformed address.
    pub async fn request_password_reset(&self, context: &RequestContext, email: String) -> Result<(), AppError> {
        let command = MailAccountToken { email, purpose: AccountTokenPurpose::ResetPassword };
        self.platform.commands().dispatch(&self.recovery, context, command).await.map(drop)
    }

    /// Validates and hashes the new password outside the transaction, then redeems
    /// the token, sets the password and ends every session.
    ///
    /// # Errors
    /// 400 for a password the policy refuses (field `new_password`); see [`RecoveryHandler`].
    pub async fn reset_password(
        &self,
        context: &RequestContext,
        token: String,
        new_password: &str,
    ) -> Result<(), AppError> {
        let (new_password, new_password_hash) =
            self.accounts.hash_new_password(new_password, None, "new_password").await?;
        let command = ResetPassword { token, new_password, new_password_hash };
        self.platform.commands().dispatch(&self.recovery, context, command).await.map(drop)
    }

    /// Replaces the caller's password after checking the current one; every other
    /// session ends. Wrong current passwords count towards the login lock.
    ///
    /// # Errors
    /// 400 (`current_password` incorrect, or `new_password` refused); 429 `account_locked`.
    pub async fn change_password(
        &self,
        context: &RequestContext,
        current_password: &str,
        new_password: &str,
    ) -> Result<(), AppError> {
        let principal = context.require_principal()?;
        let current = Password::candidate(current_password).map_err(|e| e.on_field("current_password"));
        let Some(credentials) = self.identity_queries.credentials_by_id(principal.user_id).await? else {
            return Err(AppError::NotFound { message: "user not found" });
        };
        let new = Password::parse_for(new_password, &credentials.email).map_err(|e| e.on_field("new_password"));
        let (current, _) = match (current, new) {
            (Ok(current), Ok(new)) => (current, new),
            (current, new) => {
                return Err(ValidationError::collect([current.map(drop), new.map(drop)])
                    .err()
                    .map_or_else(|| AppError::internal(ValidationError::field("input", "invalid")), AppError::from))
            }
        };
        let login_key = self.account_mail.login_key(&credentials.email);
        let admission = self.admit_attempt(context, &login_key).await?;
        if let CredentialCheck::Rejected { user_id } = self.credentials.check_user(principal.user_id, &current).await? {
            let refusal = AppError::from(ValidationError::field("current_password", "incorrect"));
            return Err(self.record_failure(context, login_key, user_id, admission, refusal).await);
        }
        let (_, new_password_hash) =
            self.accounts.hash_new_password(new_password, Some(&credentials.email), "new_password").await?;
        self.platform
            .commands()
            .dispatch(&self.recovery, context, ChangePassword { new_password_hash, login_key })
            .await
    }

    /// # Errors
    /// See [`RefreshSessionHandler`].
    pub async fn refresh_session(
        &self,
        context: &RequestContext,
        command: RefreshSession,
    ) -> Result<TokenPair, AppError> {
        match self.platform.commands().dispatch(&self.refresh_session, context, command).await? {
            RefreshOutcome::Rotated(pair) => Ok(pair),
            // The revocation is committed; the caller learns only that the token is dead.
            RefreshOutcome::ReuseDetected { .. } => Err(refresh::invalid_refresh_token()),
        }
    }

    /// # Errors
    /// See [`LogOutHandler`].
    pub async fn log_out(&self, context: &RequestContext) -> Result<(), AppError> {
        self.platform.commands().dispatch(&self.log_out, context, LogOut).await
    }

    /// The caller's live sessions, newest first.
    ///
    /// # Errors
    /// 401 without a caller.
    pub async fn list_sessions(&self, context: &RequestContext) -> Result<Vec<SessionView>, AppError> {
        let now = self.platform.clock().now();
        self.platform
            .queries()
            .own("identity.sessions", context, |caller| async move {
                Ok(self.identity_queries.live_sessions(caller.user_id, now).await?)
            })
            .await
    }

    /// # Errors
    /// See [`SessionsHandler`].
    pub async fn revoke_session(&self, context: &RequestContext, command: RevokeSession) -> Result<(), AppError> {
        self.platform.commands().dispatch(&self.sessions, context, command).await
    }

    /// Ends every session of the caller but the current one; answers how many ended.
    ///
    /// # Errors
    /// 401 without a caller.
    pub async fn revoke_other_sessions(&self, context: &RequestContext) -> Result<usize, AppError> {
        self.platform.commands().dispatch(&self.sessions, context, RevokeOtherSessions).await
    }

    /// The public keys that verify access tokens (the JWKS).
    pub fn published_keys(&self) -> Vec<PublishedKey> {
        self.token_issuer.published_keys()
    }

    /// A session's access token (API keys are the tenancy context's).
    ///
    /// # Errors
    /// See [`Authenticator::authenticate`].
    pub async fn authenticate(&self, bearer: &str) -> Result<Principal, AppError> {
        self.authenticator.authenticate(bearer).await
    }

    /// The caller's profile: the user and their preferences document.
    ///
    /// # Errors
    /// 401/403 without a signed-in user; 404 when the user is gone.
    pub async fn get_profile(&self, context: &RequestContext) -> Result<ProfileView, AppError> {
        self.platform
            .queries()
            .own("identity.profile", context, |caller| async move {
                let user = self.get_user(caller.user_id).await?;
                let preferences = self.identity_queries.preferences_of(caller.user_id).await?;
                Ok(ProfileView { user, preferences })
            })
            .await
    }

    /// Changes the caller's profile and answers it as it now is.
    ///
    /// # Errors
    /// See [`UpdateProfileHandler`].
    pub async fn update_profile(
        &self,
        context: &RequestContext,
        command: UpdateProfile,
    ) -> Result<ProfileView, AppError> {
        self.platform.commands().dispatch(&self.update_profile, context, command).await?;
        self.get_profile(context).await
    }

    /// The user, as clients see it.
    ///
    /// # Errors
    /// 404 when the user does not exist.
    pub async fn get_user(&self, id: UserId) -> Result<UserView, AppError> {
        self.identity_queries.user_by_id(id).await?.ok_or(AppError::NotFound { message: "user not found" })
    }
}

/// Whole seconds from `now` to `until`, at least one (a `Retry-After` of 0 invites a hot loop).
fn seconds_between(now: chrono::DateTime<chrono::Utc>, until: chrono::DateTime<chrono::Utc>) -> u64 {
    u64::try_from((until - now).num_seconds()).unwrap_or(0).max(1)
}
