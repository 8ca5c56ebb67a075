//! `Application`: every use case wired to its ports, behind one façade that driving
//! adapters (HTTP, CLI, seeds, tests) call. Generic ports are erased to `Arc<dyn _>`
//! here once, so no router or state type carries type parameters.

use std::sync::Arc;

use tenantry_domain::files::{FileId, FileName, FileVersion, Folder, FolderId, Processing, StoredFile};
use tenantry_domain::identity::{AccountTokenPurpose, Admission, Password};
use tenantry_domain::projects::{Comment, Project, ProjectId, Task, TaskId, TimeEntry};
use tenantry_domain::tenancy::{ApiKey, Invitation, Membership, Role};
use tenantry_kernel::{Clock, Page, PageRequest, TenantId, UserId, ValidationError};

use crate::files::{
    folder_not_found, intake, store_error, AddFileVersion, CreateFileLink, CreateFolder, DeleteFile, DeleteFolder,
    FileLink, FilePolicy, FilesHandler, GrantFileAccess, Reach, RestoreFile, RevokeFileAccess, UpdateFile,
    UpdateFolder, UploadFile,
};
use crate::idempotency::Idempotency;
use crate::identity::refresh;
use crate::identity::*;
use crate::pipeline::{CommandBus, InTransactionReaction, Principal, RequestContext};
use crate::ports::{
    AuditFilter, AuditQueries, AuditRecord, ByteStream, CommentPage, FileGrant, FileLinkSigner, FileQueries, FileStore,
    FolderEntry, HealthCheck, IdempotencyStore, IdentityQueries, ListQuery, Mailer, MembershipCache, OpaqueTokens,
    OrganizationView, PasswordHasher, ProjectFilter, ProjectMemberView, ProjectQueries, ProjectSummaryStore,
    PublishedKey, SessionView, TaskFilter, TenancyQueries, TokenIssuer, UnitOfWorkFactory, UserView,
};
use crate::projects::*;
use crate::tenancy::*;
use crate::{AppError, ErrorCode};

/// The adapters an `Application` needs; built by the composition root.
pub struct ApplicationPorts {
    pub units_of_work: Arc<dyn UnitOfWorkFactory>,
    pub identity_queries: Arc<dyn IdentityQueries>,
    pub password_hasher: Arc<dyn PasswordHasher>,
    pub token_issuer: Arc<dyn TokenIssuer>,
    pub opaque_tokens: Arc<dyn OpaqueTokens>,
    pub tenancy_queries: Arc<dyn TenancyQueries>,
    pub project_queries: Arc<dyn ProjectQueries>,
    pub audit_queries: Arc<dyn AuditQueries>,
    pub project_summaries: Arc<dyn ProjectSummaryStore>,
    pub idempotency: Arc<dyn IdempotencyStore>,
    pub file_store: Arc<dyn FileStore>,
    pub file_queries: Arc<dyn FileQueries>,
    pub file_policy: FilePolicy,
    pub file_links: Arc<dyn FileLinkSigner>,
    pub membership_cache: Arc<dyn MembershipCache>,
    pub mailer: Arc<dyn Mailer>,
    pub health: Arc<dyn HealthCheck>,
    pub clock: Arc<dyn Clock>,
    pub policy: AuthPolicy,
    /// Reactions a host product adds to Tenantry's own: they run in the transaction
    /// of every command that records their event.
    pub reactions: Vec<Arc<dyn crate::pipeline::InTransactionReaction>>,
    /// Tenantry's permissions and the modules' (see [`crate::tenancy::permission_catalogue`]).
    pub permissions: Arc<crate::authority::PermissionCatalogue>,
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

/// The use cases of Tenantry.
pub struct Application {
    bus: CommandBus,
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
    sync_role_catalogue: SyncRoleCatalogueHandler,
    create_organization: CreateOrganizationHandler,
    invite_member: InviteMemberHandler,
    accept_invitation: AcceptInvitationHandler,
    change_member_role: ChangeMemberRoleHandler,
    remove_member: RemoveMemberHandler,
    provision_organization: ProvisionOrganizationHandler,
    provision_membership: ProvisionMembershipHandler,
    authenticator: Authenticator,
    api_key_authenticator: ApiKeyAuthenticator,
    api_keys: ApiKeysHandler,
    projects: ProjectsHandler,
    tasks: TasksHandler,
    work: WorkHandler,
    project_queries: Arc<dyn ProjectQueries>,
    audit_queries: Arc<dyn AuditQueries>,
    project_summaries: Arc<dyn ProjectSummaryStore>,
    summary_projector: Arc<ProjectSummaryProjector>,
    idempotency: Idempotency,
    files: FilesHandler,
    file_store: Arc<dyn FileStore>,
    file_queries: Arc<dyn FileQueries>,
    file_policy: FilePolicy,
    file_links: Arc<dyn FileLinkSigner>,
    token_issuer: Arc<dyn TokenIssuer>,
    tenants: Arc<TenantGuard>,
    tenancy_queries: Arc<dyn TenancyQueries>,
    identity_queries: Arc<dyn IdentityQueries>,
    health: Arc<dyn HealthCheck>,
    clock: Arc<dyn Clock>,
}

impl Application {
    pub fn new(ports: ApplicationPorts) -> Self {
        let ApplicationPorts {
            units_of_work,
            identity_queries,
            password_hasher,
            token_issuer,
            opaque_tokens,
            tenancy_queries,
            project_queries,
            audit_queries,
            project_summaries,
            idempotency,
            file_store,
            file_queries,
            file_policy,
            file_links,
            membership_cache,
            mailer,
            health,
            clock,
            policy,
            reactions,
            permissions,
        } = ports;
        let account_mail = Arc::new(AccountMail::new(opaque_tokens.clone(), mailer.clone()));
        let account_mail_jobs =
            Arc::new(AccountMailJobs::new(units_of_work.clone(), account_mail.clone(), clock.clone()));
        let tenants = Arc::new(TenantGuard::new(tenancy_queries.clone(), membership_cache, permissions.clone()));
        Self {
            bus: CommandBus::new(units_of_work, clock.clone(), tenants.clone()).with_reactions(
                [
                    Arc::new(DepartedMemberLeavesProjects::new(clock.clone())) as Arc<dyn InTransactionReaction>,
                    Arc::new(crate::files::DepartedMemberLosesFileGrants),
                ]
                .into_iter()
                .chain(reactions)
                .collect(),
            ),
            accounts: AccountPreparer::new(password_hasher.clone()),
            create_user: CreateUserHandler::new(account_mail.clone(), clock.clone()),
            provision_admin: ProvisionAdminAccountHandler::new(clock.clone()),
            credentials: CredentialVerifier::new(password_hasher, identity_queries.clone()),
            start_session: StartSessionHandler::new(token_issuer.clone(), opaque_tokens.clone(), clock.clone()),
            record_login_failure: RecordLoginFailureHandler::new(clock.clone()),
            recovery: RecoveryHandler::new(account_mail.clone(), clock.clone()),
            account_mail,
            account_mail_jobs,
            policy,
            refresh_session: RefreshSessionHandler::new(token_issuer.clone(), opaque_tokens.clone(), clock.clone()),
            log_out: LogOutHandler::new(clock.clone()),
            sessions: SessionsHandler::new(clock.clone()),
            update_profile: UpdateProfileHandler::new(clock.clone()),
            sync_role_catalogue: SyncRoleCatalogueHandler::new(permissions.clone()),
            create_organization: CreateOrganizationHandler::new(clock.clone()),
            invite_member: InviteMemberHandler::new(opaque_tokens.clone(), mailer, clock.clone()),
            accept_invitation: AcceptInvitationHandler::new(opaque_tokens.clone(), clock.clone()),
            change_member_role: ChangeMemberRoleHandler::new(clock.clone()),
            remove_member: RemoveMemberHandler::new(clock.clone()),
            provision_organization: ProvisionOrganizationHandler::new(clock.clone()),
            provision_membership: ProvisionMembershipHandler::new(clock.clone()),
            authenticator: Authenticator::new(token_issuer.clone(), identity_queries.clone(), clock.clone()),
            token_issuer,
            api_key_authenticator: ApiKeyAuthenticator::new(
                opaque_tokens.clone(),
                tenancy_queries.clone(),
                clock.clone(),
            ),
            api_keys: ApiKeysHandler::new(permissions, opaque_tokens.clone(), clock.clone()),
            projects: ProjectsHandler::new(tenancy_queries.clone(), clock.clone()),
            tasks: TasksHandler::new(clock.clone()),
            work: WorkHandler::new(clock.clone()),
            project_queries,
            audit_queries,
            summary_projector: Arc::new(ProjectSummaryProjector::new(project_summaries.clone())),
            project_summaries,
            idempotency: Idempotency::new(idempotency, clock.clone()),
            files: FilesHandler::new(tenancy_queries.clone(), clock.clone(), file_links.clone(), file_policy.clone()),
            file_store,
            file_queries,
            file_policy,
            file_links,
            tenants,
            tenancy_queries,
            identity_queries,
            health,
            clock,
        }
    }

    /// The background jobs the application's own use cases queue (account mail), for
    /// the job runner.
    pub fn job_handlers(&self) -> Vec<Arc<dyn crate::jobs::JobHandler>> {
        vec![self.account_mail_jobs.clone()]
    }

    /// The command pipeline, for modules' commands: the same authorization, single
    /// transaction, in-transaction reactions and audit entry as Tenantry's own.
    pub fn commands(&self) -> &CommandBus {
        &self.bus
    }

    /// Authorizes a read: the caller must hold `permission` in the context's tenant.
    /// Answers the context as the pipeline would hand it to a handler (with the
    /// caller's grants), for modules' queries.
    ///
    /// # Errors
    /// See [`TenantGuard::authorize`].
    pub async fn authorize_read(
        &self,
        context: &RequestContext,
        permission: &'static str,
    ) -> Result<RequestContext, AppError> {
        let span = tracing::info_span!("query", permission, request_id = %context.request_id);
        let (_, grants) =
            tracing::Instrument::instrument(self.tenants.authorize(context, Some(permission)), span).await?;
        Ok(context.clone().with_grants(grants))
    }

    /// Retries of keyed POST requests (`Idempotency-Key`).
    pub fn idempotency(&self) -> &Idempotency {
        &self.idempotency
    }

    /// Validates and hashes (outside any transaction), then stores the account.
    ///
    /// # Errors
    /// See [`AccountPreparer::prepare`] and [`CreateUserHandler`].
    pub async fn register_user(&self, context: &RequestContext, command: RegisterUser) -> Result<UserId, AppError> {
        let account = self.accounts.prepare(&command.email, &command.display_name, &command.password).await?;
        self.bus.dispatch(&self.create_user, context, CreateUser { account }).await
    }

    /// # Errors
    /// See [`AccountPreparer::prepare`].
    pub async fn provision_platform_admin(
        &self,
        context: &RequestContext,
        command: ProvisionPlatformAdmin,
    ) -> Result<Provisioned, AppError> {
        let account = self.accounts.prepare(&command.email, &command.display_name, &command.password).await?;
        self.bus.dispatch(&self.provision_admin, context, ProvisionAdminAccount { account }).await
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
                    self.bus.dispatch(&self.record_login_failure, context, forgive).await?;
                    return Err(AppError::Forbidden {
                        code: ErrorCode::EmailNotVerified,
                        message:
                            "verify your email address first; POST /api/v1/auth/resend-verification sends a new link",
                    });
                }
                let command = StartSession { user_id: credentials.user_id, login_key };
                self.bus.dispatch(&self.start_session, context, command).await
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
        match self.bus.dispatch(&self.record_login_failure, context, command).await? {
            Ok(admission) => Ok(admission),
            Err(until) => Err(AppError::account_locked(seconds_between(self.clock.now(), until))),
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
        match self.bus.dispatch(&self.record_login_failure, context, command).await {
            Ok(Some(until)) => AppError::account_locked(seconds_between(self.clock.now(), until)),
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
        self.bus.dispatch(&self.recovery, context, command).await.map(drop)
    }

    /// # Errors
    /// See [`RecoveryHandler`].
    pub async fn verify_email(&self, context: &RequestContext, command: VerifyEmail) -> Result<(), AppError> {
        self.bus.dispatch(&self.recovery, context, command).await.map(drop)
    }

    /// Mails a password reset link when the address has an account; answers alike
    /// either way (no user enumeration).
    ///
    /// # Errors
    /// 400 for a malformed address.
    pub async fn request_password_reset(&self, context: &RequestContext, email: String) -> Result<(), AppError> {
        let command = MailAccountToken { email, purpose: AccountTokenPurpose::ResetPassword };
        self.bus.dispatch(&self.recovery, context, command).await.map(drop)
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
        self.bus.dispatch(&self.recovery, context, command).await.map(drop)
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
        self.bus.dispatch(&self.recovery, context, ChangePassword { new_password_hash, login_key }).await
    }

    /// # Errors
    /// See [`RefreshSessionHandler`].
    pub async fn refresh_session(
        &self,
        context: &RequestContext,
        command: RefreshSession,
    ) -> Result<TokenPair, AppError> {
        match self.bus.dispatch(&self.refresh_session, context, command).await? {
            RefreshOutcome::Rotated(pair) => Ok(pair),
            // The revocation is committed; the caller learns only that the token is dead.
            RefreshOutcome::ReuseDetected { .. } => Err(refresh::invalid_refresh_token()),
        }
    }

    /// # Errors
    /// See [`LogOutHandler`].
    pub async fn log_out(&self, context: &RequestContext) -> Result<(), AppError> {
        self.bus.dispatch(&self.log_out, context, LogOut).await
    }

    /// The caller's live sessions, newest first.
    ///
    /// # Errors
    /// 401 without a caller.
    pub async fn list_sessions(&self, context: &RequestContext) -> Result<Vec<SessionView>, AppError> {
        let principal = context.require_principal()?;
        Ok(self.identity_queries.live_sessions(principal.user_id, self.clock.now()).await?)
    }

    /// # Errors
    /// See [`SessionsHandler`].
    pub async fn revoke_session(&self, context: &RequestContext, command: RevokeSession) -> Result<(), AppError> {
        self.bus.dispatch(&self.sessions, context, command).await
    }

    /// Ends every session of the caller but the current one; answers how many ended.
    ///
    /// # Errors
    /// 401 without a caller.
    pub async fn revoke_other_sessions(&self, context: &RequestContext) -> Result<usize, AppError> {
        self.bus.dispatch(&self.sessions, context, RevokeOtherSessions).await
    }

    /// # Errors
    /// Storage failures only.
    pub async fn sync_role_catalogue(&self, context: &RequestContext) -> Result<CatalogueChanges, AppError> {
        self.bus.dispatch(&self.sync_role_catalogue, context, SyncRoleCatalogue).await
    }

    /// The public keys that verify access tokens (the JWKS).
    pub fn published_keys(&self) -> Vec<PublishedKey> {
        self.token_issuer.published_keys()
    }

    /// A bearer credential: an access token, or an organization's API key (`tk_...`).
    ///
    /// # Errors
    /// See [`Authenticator::authenticate`] and [`ApiKeyAuthenticator::authenticate`].
    pub async fn authenticate(&self, bearer: &str) -> Result<Principal, AppError> {
        if ApiKeyAuthenticator::recognises(bearer) {
            self.api_key_authenticator.authenticate(bearer).await
        } else {
            self.authenticator.authenticate(bearer).await
        }
    }

    /// # Errors
    /// See [`ApiKeysHandler`].
    pub async fn create_api_key(
        &self,
        context: &RequestContext,
        command: CreateApiKey,
    ) -> Result<CreatedApiKey, AppError> {
        self.bus.dispatch(&self.api_keys, context, command).await
    }

    /// The context tenant's API keys (never their secrets).
    ///
    /// # Errors
    /// See [`TenantGuard::authorize`].
    pub async fn list_api_keys(&self, context: &RequestContext) -> Result<Vec<ApiKey>, AppError> {
        self.tenants.authorize(context, Some("api_key:manage")).await?;
        Ok(self.tenancy_queries.api_keys(tenancy_of(context)?).await?)
    }

    /// # Errors
    /// See [`ApiKeysHandler`].
    pub async fn revoke_api_key(&self, context: &RequestContext, command: RevokeApiKey) -> Result<(), AppError> {
        self.bus.dispatch(&self.api_keys, context, command).await.map(drop)
    }

    /// The caller's profile: the user and their preferences document.
    ///
    /// # Errors
    /// 401/403 without a signed-in user; 404 when the user is gone.
    pub async fn get_profile(&self, context: &RequestContext) -> Result<ProfileView, AppError> {
        let principal = context.require_principal()?;
        let user = self.get_user(principal.user_id).await?;
        let preferences = self.identity_queries.preferences_of(principal.user_id).await?;
        Ok(ProfileView { user, preferences })
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
        self.bus.dispatch(&self.update_profile, context, command).await?;
        self.get_profile(context).await
    }

    /// The user, as clients see it.
    ///
    /// # Errors
    /// 404 when the user does not exist.
    pub async fn get_user(&self, id: UserId) -> Result<UserView, AppError> {
        self.identity_queries.user_by_id(id).await?.ok_or(AppError::NotFound { message: "user not found" })
    }

    /// Creates an organization owned by the caller and returns it as the owner sees it.
    ///
    /// # Errors
    /// See [`CreateOrganizationHandler`].
    pub async fn create_organization(
        &self,
        context: &RequestContext,
        command: CreateOrganization,
    ) -> Result<OrganizationView, AppError> {
        let id = self.bus.dispatch(&self.create_organization, context, command).await?;
        let principal = context.require_principal()?;
        self.tenancy_queries
            .organization_for_member(id, principal.user_id)
            .await?
            .ok_or(AppError::NotFound { message: "organization not found" })
    }

    /// The caller's organizations.
    ///
    /// # Errors
    /// 401 without a caller.
    pub async fn list_organizations(
        &self,
        context: &RequestContext,
        query: &ListQuery,
    ) -> Result<Page<OrganizationView>, AppError> {
        let principal = context.require_principal()?;
        Ok(self.tenancy_queries.organizations_of(principal.user_id, query).await?)
    }

    /// The context's organization, for its members only.
    ///
    /// # Errors
    /// See [`TenantGuard::authorize`].
    pub async fn get_organization(&self, context: &RequestContext) -> Result<OrganizationView, AppError> {
        self.tenants.authorize(context, Some("organization:read")).await?;
        let (tenant, principal) = (tenancy_of(context)?, context.require_caller()?);
        self.tenancy_queries
            .organization_for_member(tenant, principal.user_id)
            .await?
            .ok_or(AppError::NotFound { message: "organization not found" })
    }

    /// # Errors
    /// See [`InviteMemberHandler`].
    pub async fn invite_member(&self, context: &RequestContext, command: InviteMember) -> Result<Invitation, AppError> {
        self.bus.dispatch(&self.invite_member, context, command).await
    }

    /// # Errors
    /// See [`RevokeInvitation`].
    pub async fn revoke_invitation(&self, context: &RequestContext, command: RevokeInvitation) -> Result<(), AppError> {
        self.bus.dispatch(&self.invite_member, context, command).await
    }

    /// A page of the context tenant's invitations not yet accepted, newest first.
    ///
    /// # Errors
    /// See [`TenantGuard::authorize`].
    pub async fn pending_invitations(
        &self,
        context: &RequestContext,
        page: PageRequest,
    ) -> Result<Page<Invitation>, AppError> {
        self.tenants.authorize(context, Some("member:invite")).await?;
        Ok(self.tenancy_queries.pending_invitations(tenancy_of(context)?, page).await?)
    }

    /// # Errors
    /// See [`AcceptInvitationHandler`].
    pub async fn accept_invitation(
        &self,
        context: &RequestContext,
        command: AcceptInvitation,
    ) -> Result<Membership, AppError> {
        let membership = self.bus.dispatch(&self.accept_invitation, context, command).await?;
        self.tenants.invalidate(membership.tenant_id(), membership.user_id());
        Ok(membership)
    }

    /// The members of the context's organization, with their profiles.
    ///
    /// # Errors
    /// See [`TenantGuard::authorize`].
    pub async fn list_members(
        &self,
        context: &RequestContext,
        query: &ListQuery,
    ) -> Result<Page<MemberView>, AppError> {
        self.tenants.authorize(context, Some("member:read")).await?;
        let page = self.tenancy_queries.members(tenancy_of(context)?, query).await?;
        let ids: Vec<UserId> = page.items.iter().map(|m| m.user_id).collect();
        let users = self.identity_queries.users_by_ids(&ids).await?;
        Ok(page.map(|m| member_view(&m.user_id, m.role, m.joined_at, &users)))
    }

    /// # Errors
    /// See [`ChangeMemberRoleHandler`].
    pub async fn change_member_role(
        &self,
        context: &RequestContext,
        command: ChangeMemberRole,
    ) -> Result<MemberView, AppError> {
        let membership = self.bus.dispatch(&self.change_member_role, context, command).await?;
        self.tenants.invalidate(membership.tenant_id(), membership.user_id());
        let users = self.identity_queries.users_by_ids(&[membership.user_id()]).await?;
        Ok(member_view(&membership.user_id(), membership.role(), membership.joined_at(), &users))
    }

    /// # Errors
    /// See [`RemoveMemberHandler`].
    pub async fn remove_member(&self, context: &RequestContext, command: RemoveMember) -> Result<(), AppError> {
        let user = command.user_id;
        self.bus.dispatch(&self.remove_member, context, command).await?;
        self.tenants.invalidate(tenancy_of(context)?, user);
        Ok(())
    }

    /// Seeds: ensure an organization exists (idempotent, system only).
    ///
    /// # Errors
    /// 400 bad name/slug/email; 404 when the owner has no account.
    pub async fn provision_organization(
        &self,
        context: &RequestContext,
        command: ProvisionOrganization,
    ) -> Result<Provision<TenantId>, AppError> {
        self.bus.dispatch(&self.provision_organization, context, command).await
    }

    /// Seeds: ensure a membership exists with a role (idempotent, system only).
    ///
    /// # Errors
    /// 404 when the user has no account.
    pub async fn provision_membership(
        &self,
        context: &RequestContext,
        command: ProvisionMembership,
    ) -> Result<Provision<UserId>, AppError> {
        let tenant = command.tenant;
        let outcome = self.bus.dispatch(&self.provision_membership, context, command).await?;
        self.tenants.invalidate(tenant, outcome.value());
        Ok(outcome)
    }

    /// The caller's role in the tenant named by the context (the `X-Tenant-Id` header)
    /// and what it may do there: for an API key, its scopes within its creator's role.
    ///
    /// # Errors
    /// See [`TenantGuard::authorize`].
    pub async fn current_membership(&self, context: &RequestContext) -> Result<CurrentMembership, AppError> {
        let (role, grants) = self.tenants.authorize(context, None).await?;
        let permissions = context.clone().with_grants(grants).permissions();
        Ok(CurrentMembership { tenant_id: tenancy_of(context)?, role, permissions })
    }

    /// # Errors
    /// 503 when a store the application needs does not answer.
    pub async fn readiness(&self) -> Result<(), AppError> {
        self.health.check().await.map_err(AppError::from)
    }
}

impl Application {
    /// # Errors
    /// See [`ProjectsHandler`].
    pub async fn create_project(&self, context: &RequestContext, command: CreateProject) -> Result<Project, AppError> {
        self.bus.dispatch(&self.projects, context, command).await
    }

    /// # Errors
    /// See [`ProjectsHandler`].
    pub async fn update_project(&self, context: &RequestContext, command: UpdateProject) -> Result<Project, AppError> {
        self.bus.dispatch(&self.projects, context, command).await
    }

    /// # Errors
    /// See [`ProjectsHandler`].
    pub async fn delete_project(&self, context: &RequestContext, command: DeleteProject) -> Result<(), AppError> {
        self.bus.dispatch(&self.projects, context, command).await
    }

    /// Adds (or re-roles) a project member and answers the members.
    ///
    /// # Errors
    /// See [`ProjectsHandler`].
    pub async fn add_project_member(
        &self,
        context: &RequestContext,
        command: AddProjectMember,
    ) -> Result<Vec<ProjectMemberView>, AppError> {
        let project = command.project_id;
        self.bus.dispatch(&self.projects, context, command).await?;
        Ok(self.project_queries.members(tenancy_of(context)?, project).await?)
    }

    /// A live project of the context's tenant.
    ///
    /// # Errors
    /// 404 for another tenant's, a deleted or an unknown project.
    pub async fn get_project(&self, context: &RequestContext, id: ProjectId) -> Result<Project, AppError> {
        self.tenants.authorize(context, Some("project:read")).await?;
        self.project_queries
            .project(tenancy_of(context)?, id)
            .await?
            .ok_or(AppError::NotFound { message: "project not found" })
    }

    /// # Errors
    /// See [`TenantGuard::authorize`].
    pub async fn list_projects(
        &self,
        context: &RequestContext,
        filter: &ProjectFilter,
        query: &ListQuery,
    ) -> Result<Page<Project>, AppError> {
        self.tenants.authorize(context, Some("project:read")).await?;
        Ok(self.project_queries.projects(tenancy_of(context)?, filter, query).await?)
    }

    /// # Errors
    /// 404 for an unknown project.
    pub async fn project_members(
        &self,
        context: &RequestContext,
        id: ProjectId,
    ) -> Result<Vec<ProjectMemberView>, AppError> {
        self.get_project(context, id).await?;
        Ok(self.project_queries.members(tenancy_of(context)?, id).await?)
    }

    /// # Errors
    /// See [`TasksHandler`].
    pub async fn create_task(&self, context: &RequestContext, command: CreateTask) -> Result<Task, AppError> {
        self.bus.dispatch(&self.tasks, context, command).await
    }

    /// # Errors
    /// See [`TasksHandler`].
    pub async fn update_task(&self, context: &RequestContext, command: UpdateTask) -> Result<Task, AppError> {
        self.bus.dispatch(&self.tasks, context, command).await
    }

    /// # Errors
    /// 404 for another tenant's or an unknown task.
    pub async fn get_task(&self, context: &RequestContext, id: TaskId) -> Result<Task, AppError> {
        self.tenants.authorize(context, Some("project:read")).await?;
        self.project_queries
            .task(tenancy_of(context)?, id)
            .await?
            .ok_or(AppError::NotFound { message: "task not found" })
    }

    /// # Errors
    /// See [`WorkHandler`].
    pub async fn log_time(&self, context: &RequestContext, command: LogTime) -> Result<TimeEntry, AppError> {
        self.bus.dispatch(&self.work, context, command).await
    }

    /// # Errors
    /// 404 for an unknown task.
    pub async fn time_entries(&self, context: &RequestContext, task: TaskId) -> Result<Vec<TimeEntry>, AppError> {
        self.get_task(context, task).await?;
        Ok(self.project_queries.time_entries(tenancy_of(context)?, task).await?)
    }

    /// # Errors
    /// See [`WorkHandler`].
    pub async fn add_comment(&self, context: &RequestContext, command: AddComment) -> Result<Comment, AppError> {
        self.bus.dispatch(&self.work, context, command).await
    }

    /// A page of the task's comment threads (paged by top-level comment).
    ///
    /// # Errors
    /// 404 for an unknown task.
    pub async fn comment_threads(
        &self,
        context: &RequestContext,
        task: TaskId,
        page: PageRequest,
    ) -> Result<Page<CommentThread>, AppError> {
        self.get_task(context, task).await?;
        let CommentPage { threads: roots, replies } =
            self.project_queries.comments(tenancy_of(context)?, task, page).await?;
        let (page, size, total) = (roots.page, roots.size, roots.total);
        Ok(Page { items: threads(roots.items, replies), page, size, total })
    }

    /// A project's summary from the read model: it trails the writes by the time the
    /// outbox takes to deliver (normally milliseconds); `None` until its first event.
    ///
    /// # Errors
    /// 404 for an unknown project.
    pub async fn project_summary(
        &self,
        context: &RequestContext,
        project: ProjectId,
    ) -> Result<Option<ProjectSummary>, AppError> {
        self.get_project(context, project).await?;
        Ok(self.project_summaries.summary(tenancy_of(context)?, project).await?)
    }

    /// The projector the event consumers and `rebuild-read-models` feed.
    pub fn summary_projector(&self) -> &Arc<ProjectSummaryProjector> {
        &self.summary_projector
    }

    /// A page of a project's tasks.
    ///
    /// # Errors
    /// 404 for an unknown project.
    pub async fn list_tasks(
        &self,
        context: &RequestContext,
        project: ProjectId,
        filter: &TaskFilter,
        query: &ListQuery,
    ) -> Result<Page<Task>, AppError> {
        self.tenants.authorize(context, Some("project:read")).await?;
        self.project_queries
            .tasks(tenancy_of(context)?, project, filter, query)
            .await?
            .ok_or(AppError::NotFound { message: "project not found" })
    }
}

impl Application {
    /// The context tenant's audit trail, newest first (owners and admins: `audit:read`).
    ///
    /// # Errors
    /// See [`TenantGuard::authorize`].
    pub async fn list_audit_logs(
        &self,
        context: &RequestContext,
        filter: &AuditFilter,
        page: PageRequest,
    ) -> Result<Page<AuditRecord>, AppError> {
        self.tenants.authorize(context, Some("audit:read")).await?;
        Ok(self.audit_queries.entries(tenancy_of(context)?, filter, page).await?)
    }
}

/// Whole seconds from `now` to `until`, at least one (a `Retry-After` of 0 invites a hot loop).
fn seconds_between(now: chrono::DateTime<chrono::Utc>, until: chrono::DateTime<chrono::Utc>) -> u64 {
    u64::try_from((until - now).num_seconds()).unwrap_or(0).max(1)
}

fn tenancy_of(context: &RequestContext) -> Result<TenantId, AppError> {
    context.tenant_id.ok_or_else(AppError::tenant_required)
}

/// A membership joined with the member's profile (identity's read side).
fn member_view(
    user_id: &UserId,
    role: Role,
    joined_at: chrono::DateTime<chrono::Utc>,
    users: &[UserView],
) -> MemberView {
    let user = users.iter().find(|u| &u.id == user_id);
    MemberView {
        user_id: *user_id,
        email: user.map(|u| u.email.clone()).unwrap_or_default(),
        display_name: user.map(|u| u.display_name.clone()).unwrap_or_default(),
        role,
        joined_at,
    }
}

/// Files: uploads stream into the blob store before their metadata commits.
impl Application {
    /// Checks the caller may upload, streams the content into the store (sniffed,
    /// capped), then records the file in one transaction.
    ///
    /// # Errors
    /// 400 for a bad name; 403 without `file:write`; 413 over the size cap; 415 for
    /// a type outside the allow-list.
    pub async fn upload_file(
        &self,
        context: &RequestContext,
        name: &str,
        folder_id: Option<FolderId>,
        content: ByteStream,
    ) -> Result<StoredFile, AppError> {
        self.tenants.authorize(context, Some("file:write")).await?;
        let name = FileName::sanitize(name)?;
        if let Some(folder) = folder_id {
            // Checked again inside the transaction; here so no bytes are stored in vain.
            self.file_queries.folder(tenancy_of(context)?, folder).await?.ok_or_else(folder_not_found)?;
        }
        let blob = intake(self.file_store.as_ref(), &self.file_policy, content).await?;
        self.bus.dispatch(&self.files, context, UploadFile { name, folder_id, blob }).await
    }

    /// Streams a new version of a file the caller can see.
    ///
    /// # Errors
    /// As [`Application::upload_file`]; 404 for a file the caller cannot see.
    pub async fn add_file_version(
        &self,
        context: &RequestContext,
        id: FileId,
        content: ByteStream,
    ) -> Result<StoredFile, AppError> {
        self.tenants.authorize(context, Some("file:write")).await?;
        let (_, reach) = self.reach_file(context, id).await?;
        if reach < Reach::Write {
            return Err(AppError::Forbidden {
                code: ErrorCode::Forbidden,
                message: "your access to this file does not allow this",
            });
        }
        let blob = intake(self.file_store.as_ref(), &self.file_policy, content).await?;
        self.bus.dispatch(&self.files, context, AddFileVersion { file_id: id, blob }).await
    }

    /// # Errors
    /// 404 for a file of another tenant, one in the bin, or one the caller may not see.
    pub async fn file(&self, context: &RequestContext, id: FileId) -> Result<StoredFile, AppError> {
        self.reach_file(context, id).await.map(|(file, _)| file)
    }

    /// The file and how far the caller reaches into it.
    async fn reach_file(&self, context: &RequestContext, id: FileId) -> Result<(StoredFile, Reach), AppError> {
        let (_, grants) = self.tenants.authorize(context, Some("file:read")).await?;
        let tenant = tenancy_of(context)?;
        let file = self.file_queries.file(tenant, id).await?.ok_or_else(crate::files::file_not_found)?;
        let authorized = context.clone().with_grants(grants);
        let reach = Reach::of(&authorized, self.file_queries.as_ref(), &file).await?;
        if reach == Reach::None || file.deleted_at().is_some() {
            return Err(crate::files::file_not_found());
        }
        Ok((file, reach))
    }

    /// Moves a file to the bin: 404 everywhere until restored.
    ///
    /// # Errors
    /// 404 for a file out of reach; 403 for a member who only holds a grant.
    pub async fn delete_file(&self, context: &RequestContext, id: FileId) -> Result<(), AppError> {
        self.bus.dispatch(&self.files, context, DeleteFile { file_id: id }).await.map(drop)
    }

    /// Takes a file out of the bin.
    ///
    /// # Errors
    /// As [`Application::delete_file`].
    pub async fn restore_file(&self, context: &RequestContext, id: FileId) -> Result<StoredFile, AppError> {
        self.bus.dispatch(&self.files, context, RestoreFile { file_id: id }).await
    }

    /// # Errors
    /// 400 for an unknown access; 404 / 403 as for deletion; 422 `not_in_organization`.
    pub async fn grant_file_access(
        &self,
        context: &RequestContext,
        id: FileId,
        user: UserId,
        access: String,
    ) -> Result<FileGrant, AppError> {
        self.bus.dispatch(&self.files, context, GrantFileAccess { file_id: id, user_id: user, access }).await
    }

    /// # Errors
    /// 404 for a file out of reach or a member without a grant.
    pub async fn revoke_file_access(&self, context: &RequestContext, id: FileId, user: UserId) -> Result<(), AppError> {
        self.bus.dispatch(&self.files, context, RevokeFileAccess { file_id: id, user_id: user }).await
    }

    /// Who else may read or write the file (for its uploader and `file:manage`).
    ///
    /// # Errors
    /// 404 for a file out of reach; 403 for a member who only holds a grant.
    pub async fn file_grants(&self, context: &RequestContext, id: FileId) -> Result<Vec<FileGrant>, AppError> {
        let (file, reach) = self.reach_file(context, id).await?;
        if reach < Reach::Own {
            return Err(AppError::Forbidden {
                code: ErrorCode::Forbidden,
                message: "only the file's uploader and organization admins see its grants",
            });
        }
        Ok(self.file_queries.grants(file.tenant_id(), id).await?)
    }

    /// Every version of a visible file, oldest first.
    ///
    /// # Errors
    /// As [`Application::file`].
    pub async fn file_versions(&self, context: &RequestContext, id: FileId) -> Result<Vec<FileVersion>, AppError> {
        self.file(context, id).await?;
        Ok(self.file_queries.versions(tenancy_of(context)?, id).await?)
    }

    /// A version of a visible file (the current one without `number`).
    ///
    /// # Errors
    /// As [`Application::file`]; 404 for a version that does not exist.
    pub async fn file_version(
        &self,
        context: &RequestContext,
        id: FileId,
        number: Option<i64>,
    ) -> Result<(StoredFile, FileVersion), AppError> {
        let file = self.file(context, id).await?;
        let version = match number {
            None => file.current().clone(),
            Some(n) => self
                .file_queries
                .versions(tenancy_of(context)?, id)
                .await?
                .into_iter()
                .find(|v| v.number == n)
                .ok_or(AppError::NotFound { message: "version not found" })?,
        };
        Ok((file, version))
    }

    /// Renames and/or moves a file (its uploader, or `file:manage`).
    ///
    /// # Errors
    /// See [`UpdateFile`].
    pub async fn update_file(&self, context: &RequestContext, command: UpdateFile) -> Result<StoredFile, AppError> {
        self.bus.dispatch(&self.files, context, command).await
    }

    /// # Errors
    /// See [`CreateFolder`].
    pub async fn create_folder(&self, context: &RequestContext, command: CreateFolder) -> Result<Folder, AppError> {
        self.bus.dispatch(&self.files, context, command).await
    }

    /// # Errors
    /// See [`UpdateFolder`].
    pub async fn update_folder(&self, context: &RequestContext, command: UpdateFolder) -> Result<Folder, AppError> {
        self.bus.dispatch(&self.files, context, command).await
    }

    /// # Errors
    /// See [`DeleteFolder`].
    pub async fn delete_folder(&self, context: &RequestContext, command: DeleteFolder) -> Result<(), AppError> {
        self.bus.dispatch(&self.files, context, command).await
    }

    /// A folder of the context's organization (every member sees the tree).
    ///
    /// # Errors
    /// 404 for a folder of another organization or none.
    pub async fn folder(&self, context: &RequestContext, id: FolderId) -> Result<Folder, AppError> {
        self.tenants.authorize(context, Some("file:read")).await?;
        self.file_queries.folder(tenancy_of(context)?, id).await?.ok_or_else(folder_not_found)
    }

    /// A page of what a folder (`None`: the top level) holds: subfolders, then the
    /// files the caller reaches, each by name.
    ///
    /// # Errors
    /// 404 for an unknown folder.
    pub async fn folder_children(
        &self,
        context: &RequestContext,
        folder: Option<FolderId>,
        page: PageRequest,
    ) -> Result<Page<FolderEntry>, AppError> {
        let (_, grants) = self.tenants.authorize(context, Some("file:read")).await?;
        let tenant = tenancy_of(context)?;
        if let Some(folder) = folder {
            self.file_queries.folder(tenant, folder).await?.ok_or_else(folder_not_found)?;
        }
        let authorized = context.clone().with_grants(grants);
        let viewer = if authorized.permits("file:manage") { None } else { Some(context.require_caller()?.user_id) };
        Ok(self.file_queries.children(tenant, folder, viewer, page).await?)
    }

    /// A signed link to the current version of a file the caller reaches.
    ///
    /// # Errors
    /// See [`CreateFileLink`].
    pub async fn create_file_link(
        &self,
        context: &RequestContext,
        command: CreateFileLink,
    ) -> Result<FileLink, AppError> {
        self.bus.dispatch(&self.files, context, command).await
    }

    /// The file and version a download link serves, without a bearer token: the
    /// link must be signed and unexpired, the file out of the bin, and the link's
    /// creator must still reach it (a revoked grant or a departure ends their links).
    ///
    /// # Errors
    /// 410 `link_expired` past its time; 404 for anything else wrong with it.
    pub async fn open_file_link(&self, token: &str) -> Result<(StoredFile, FileVersion), AppError> {
        let not_found = || AppError::NotFound { message: "no such link" };
        let claims = match self.file_links.verify(token, self.clock.now()) {
            Ok(claims) => claims,
            Err(crate::ports::TokenError::Expired) => {
                return Err(AppError::Gone {
                    code: ErrorCode::LinkExpired,
                    message: "the link has expired; ask for a new one",
                })
            }
            Err(_) => return Err(not_found()),
        };
        let tenant = claims.tenant_id;
        let file = self.file_queries.file(tenant, claims.file_id).await?.ok_or_else(not_found)?;
        if file.deleted_at().is_some() {
            return Err(not_found());
        }
        let manages = self.tenants.user_holds(tenant, claims.created_by, "file:manage").await?;
        if Reach::of_user(claims.created_by, manages, self.file_queries.as_ref(), &file).await? == Reach::None {
            return Err(not_found());
        }
        let version = self
            .file_queries
            .versions(tenant, file.id())
            .await?
            .into_iter()
            .find(|v| v.number == claims.version)
            .ok_or_else(not_found)?;
        Ok((file, version))
    }

    /// The thumbnail of a visible file's current version: `Ok(None)` while it is
    /// being made.
    ///
    /// # Errors
    /// As [`Application::file`]; 404 when the file has no thumbnail (not an image, or
    /// one that could not be read).
    pub async fn file_thumbnail(&self, context: &RequestContext, id: FileId) -> Result<Option<ByteStream>, AppError> {
        let file = self.file(context, id).await?;
        match &file.current().processing {
            Processing::Pending => Ok(None),
            Processing::Done { thumbnail_sha256 } => {
                Ok(Some(self.file_store.get(thumbnail_sha256, None).await.map_err(store_error)?))
            }
            Processing::None => Err(AppError::NotFound { message: "only images get a thumbnail" }),
            Processing::Failed => Err(AppError::NotFound { message: "the image could not be read: no thumbnail" }),
        }
    }

    /// The bytes of a version obtained from [`Application::file_version`].
    ///
    /// # Errors
    /// 500 when the store lost the blob.
    pub async fn file_content(&self, version: &FileVersion, range: Option<(u64, u64)>) -> Result<ByteStream, AppError> {
        self.file_store.get(&version.blob.sha256, range).await.map_err(store_error)
    }
}
