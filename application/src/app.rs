//! `Application`: every use case wired to its ports, behind one façade that driving
//! adapters (HTTP, CLI, seeds, tests) call. Generic ports are erased to `Arc<dyn _>`
//! here once, so no router or state type carries type parameters.

use std::sync::Arc;

use tenantry_kernel::{Clock, UserId};

use crate::identity::refresh;
use crate::identity::*;
use crate::pipeline::{CommandBus, Principal, RequestContext};
use crate::ports::{
    HealthCheck, IdentityQueries, OpaqueTokens, PasswordHasher, TokenIssuer, UnitOfWorkFactory, UserView,
};
use crate::tenancy::{CatalogueChanges, SyncRoleCatalogue, SyncRoleCatalogueHandler};
use crate::AppError;

/// The adapters an `Application` needs; built by the composition root.
pub struct ApplicationPorts {
    pub units_of_work: Arc<dyn UnitOfWorkFactory>,
    pub identity_queries: Arc<dyn IdentityQueries>,
    pub password_hasher: Arc<dyn PasswordHasher>,
    pub token_issuer: Arc<dyn TokenIssuer>,
    pub opaque_tokens: Arc<dyn OpaqueTokens>,
    pub health: Arc<dyn HealthCheck>,
    pub clock: Arc<dyn Clock>,
}

/// The use cases of Tenantry.
pub struct Application {
    bus: CommandBus,
    register_user: RegisterUserHandler,
    provision_admin: ProvisionPlatformAdminHandler,
    log_in: LogInHandler,
    refresh_session: RefreshSessionHandler,
    log_out: LogOutHandler,
    sync_role_catalogue: SyncRoleCatalogueHandler,
    authenticator: Authenticator,
    identity_queries: Arc<dyn IdentityQueries>,
    health: Arc<dyn HealthCheck>,
}

impl Application {
    pub fn new(ports: ApplicationPorts) -> Self {
        let ApplicationPorts {
            units_of_work,
            identity_queries,
            password_hasher,
            token_issuer,
            opaque_tokens,
            health,
            clock,
        } = ports;
        Self {
            bus: CommandBus::new(units_of_work, clock.clone()),
            register_user: RegisterUserHandler::new(password_hasher.clone(), clock.clone()),
            provision_admin: ProvisionPlatformAdminHandler::new(password_hasher.clone(), clock.clone()),
            log_in: LogInHandler::new(password_hasher, token_issuer.clone(), opaque_tokens.clone(), clock.clone()),
            refresh_session: RefreshSessionHandler::new(token_issuer.clone(), opaque_tokens, clock.clone()),
            log_out: LogOutHandler::new(clock.clone()),
            sync_role_catalogue: SyncRoleCatalogueHandler,
            authenticator: Authenticator::new(token_issuer, identity_queries.clone(), clock),
            identity_queries,
            health,
        }
    }

    /// # Errors
    /// See [`RegisterUserHandler`].
    pub async fn register_user(&self, context: &RequestContext, command: RegisterUser) -> Result<UserId, AppError> {
        self.bus.dispatch(&self.register_user, context, command).await
    }

    /// # Errors
    /// See [`ProvisionPlatformAdminHandler`].
    pub async fn provision_platform_admin(
        &self,
        context: &RequestContext,
        command: ProvisionPlatformAdmin,
    ) -> Result<Provisioned, AppError> {
        self.bus.dispatch(&self.provision_admin, context, command).await
    }

    /// # Errors
    /// See [`LogInHandler`].
    pub async fn log_in(&self, context: &RequestContext, command: LogIn) -> Result<TokenPair, AppError> {
        self.bus.dispatch(&self.log_in, context, command).await
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

    /// # Errors
    /// Storage failures only.
    pub async fn sync_role_catalogue(&self, context: &RequestContext) -> Result<CatalogueChanges, AppError> {
        self.bus.dispatch(&self.sync_role_catalogue, context, SyncRoleCatalogue).await
    }

    /// # Errors
    /// See [`Authenticator::authenticate`].
    pub async fn authenticate(&self, access_token: &str) -> Result<Principal, AppError> {
        self.authenticator.authenticate(access_token).await
    }

    /// The user, as clients see it.
    ///
    /// # Errors
    /// 404 when the user does not exist.
    pub async fn get_user(&self, id: UserId) -> Result<UserView, AppError> {
        self.identity_queries.user_by_id(id).await?.ok_or(AppError::NotFound { message: "user not found" })
    }

    /// # Errors
    /// 503 when a store the application needs does not answer.
    pub async fn readiness(&self) -> Result<(), AppError> {
        self.health.check().await.map_err(AppError::from)
    }
}
