//! The module API: how a bounded context plugs into Tenantry — a product's own, and
//! the contexts Tenantry grows next (billing, usage, flags...). A module declares
//! what must exist before the core is wired (migrations, permissions, reactions,
//! readiness checks), then, once the core exists, wires its services and hands back
//! its routes, event consumers and jobs. `Tenantry::builder(settings).module(m)`
//! is the one registration line.

use std::any::Any;
use std::sync::Arc;

use tenantry_application::jobs::JobHandler;
use tenantry_application::pipeline::InTransactionReaction;
use tenantry_application::ports::FileStore;
use tenantry_application::ports::{HealthCheck, Mailer, UnitOfWorkFactory};
use tenantry_application::{EventConsumer, PermissionSpec, Platform};
use tenantry_http::{HttpModule, ModuleDocument};
use tenantry_infrastructure::crypto::KeyRing;
use tenantry_infrastructure::{Database, ModuleMigrations};
use tenantry_kernel::Clock;

use crate::Settings;

/// A bounded context on Tenantry's public API.
pub trait TenantryModule: Send + Sync + 'static {
    /// Short, unique, snake_case (`invoices`): names the module's settings section
    /// (`[modules.invoices]`, `TENANTRY__MODULES__INVOICES__...`) and its log lines.
    fn name(&self) -> &'static str;

    /// Its tables, on both backends; applied with Tenantry's in one history.
    fn migrations(&self) -> Option<ModuleMigrations> {
        None
    }

    /// Its permissions and the built-in roles that hold them by default.
    fn permissions(&self) -> Vec<PermissionSpec> {
        Vec::new()
    }

    /// Writes that run inside the transaction of any command recording their event.
    fn reactions(&self) -> Vec<Arc<dyn InTransactionReaction>> {
        Vec::new()
    }

    /// Its paths, schemas and error codes in the OpenAPI document (served, and
    /// printed by the CLI without a database).
    fn document(&self) -> ModuleDocument {
        ModuleDocument::default()
    }

    /// Checks `GET /health/ready` runs besides the database's.
    fn readiness(&self) -> Vec<Arc<dyn HealthCheck>> {
        Vec::new()
    }

    /// Wires the module's services on the core and answers its running parts.
    ///
    /// # Errors
    /// Bad settings or an adapter that cannot start: the server does not start.
    fn start(&self, core: &ModuleContext<'_>) -> anyhow::Result<ModuleParts>;
}

/// What a module's wiring may use: the platform (command and query pipelines),
/// the shared adapters, the services of the contexts started before it, the
/// database and settings. Tenantry's own modules get nothing more.
pub struct ModuleContext<'a> {
    pub(crate) name: &'static str,
    pub(crate) platform: &'a Arc<Platform>,
    pub(crate) services: &'a Services,
    pub(crate) mailer: Arc<dyn Mailer>,
    pub(crate) file_store: Arc<dyn FileStore>,
    pub(crate) keys: &'a KeyRing,
    pub(crate) database: &'a Database,
    pub(crate) settings: &'a Settings,
}

impl ModuleContext<'_> {
    /// The command pipeline (authorization, one transaction, reactions, audit) and
    /// the query pipeline (authorization, span), as Tenantry's contexts use them.
    pub fn platform(&self) -> &Arc<Platform> {
        self.platform
    }

    pub fn units_of_work(&self) -> Arc<dyn UnitOfWorkFactory> {
        self.platform.units_of_work().clone()
    }

    pub fn clock(&self) -> Arc<dyn Clock> {
        self.platform.clock().clone()
    }

    /// The mailer Tenantry sends with (the builder's override or the configured one).
    pub fn mailer(&self) -> Arc<dyn Mailer> {
        self.mailer.clone()
    }

    /// The blob store (the builder's override or the configured local/S3 store).
    pub fn file_store(&self) -> Arc<dyn FileStore> {
        self.file_store.clone()
    }

    /// The keys Tenantry signs with, for a module's own signed tokens or links.
    pub fn signing_keys(&self) -> &KeyRing {
        self.keys
    }

    pub fn database(&self) -> &Database {
        self.database
    }

    /// A service a context started before this module published: Tenantry's
    /// `Identity`, `Tenancy` and `Audit`, then each module's (see [`ModuleParts::services`]).
    /// This is how a context reaches another's published API.
    pub fn service<T: Send + Sync + 'static>(&self) -> Option<Arc<T>> {
        self.services.get()
    }

    /// Tenantry's own settings (the sections outside `[modules]`).
    pub fn core_settings(&self) -> &Settings {
        self.settings
    }

    /// The module's settings section (`[modules.<name>]` in the config files and
    /// `TENANTRY__MODULES__<NAME>__<KEY>` in the environment), or `T::default()`
    /// when there is none.
    ///
    /// # Errors
    /// A section that does not have the shape of `T`.
    pub fn settings<T: serde::de::DeserializeOwned + Default>(&self) -> anyhow::Result<T> {
        match self.settings.modules.get(self.name) {
            None => Ok(T::default()),
            // serde's message names the field and the expected type; the value (which
            // may be a secret) is not repeated.
            Some(section) => T::deserialize(section)
                .map_err(|error| anyhow::anyhow!("settings [modules.{}]: {}", self.name, redacted(&error))),
        }
    }
}

/// A deserialisation error without the offending value: serde's `invalid type:
/// string "sk_live_..."` would otherwise print a secret into the start-up log.
fn redacted(error: &serde_json::Error) -> String {
    let text = error.to_string();
    match text.split_once(": ") {
        Some((kind, _)) if text.starts_with("invalid") => format!("{kind} (value not shown)"),
        _ => text,
    }
}

/// A started module's running parts.
#[derive(Default)]
pub struct ModuleParts {
    /// Routes inside Tenantry's middleware stack (documented by `document`).
    pub http: Option<Arc<dyn HttpModule>>,
    /// Fed every committed event (see [`EventConsumer`]).
    pub consumers: Vec<Arc<dyn EventConsumer>>,
    /// Job kinds run on Tenantry's durable queue.
    pub job_handlers: Vec<Arc<dyn JobHandler>>,
    /// Its seed steps (`tenantry seed`), run after Tenantry's steps of their sets.
    pub seeds: Vec<Arc<dyn tenantry_seeds::SeedStep>>,
    /// Services it publishes to the modules started after it and to the host
    /// (`Tenantry::service`): its use cases, as the context's published API.
    pub services: Services,
}

/// Services by type: what contexts publish for each other and for the host.
#[derive(Clone, Default)]
pub struct Services(Vec<Arc<dyn Any + Send + Sync>>);

impl Services {
    /// Publishes `service`; a later one of the same type replaces it.
    pub fn publish<T: Send + Sync + 'static>(&mut self, service: Arc<T>) -> &mut Self {
        self.0.retain(|held| !held.is::<T>());
        self.0.push(service);
        self
    }

    /// The published service of type `T`.
    pub fn get<T: Send + Sync + 'static>(&self) -> Option<Arc<T>> {
        self.0.iter().find_map(|held| held.clone().downcast::<T>().ok())
    }

    /// Adds what a module published.
    ///
    /// # Errors
    /// A type already published (Tenantry's `Identity`, another module's service):
    /// a module cannot replace what the contexts started before it hold.
    pub(crate) fn extend(&mut self, other: Services) -> anyhow::Result<()> {
        for service in other.0 {
            let id = (*service).type_id();
            anyhow::ensure!(
                !self.0.iter().any(|held| (**held).type_id() == id),
                "it publishes a service of a type another context already published"
            );
            self.0.push(service);
        }
        Ok(())
    }
}
