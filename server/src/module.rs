//! The module API: how a bounded context plugs into Tenantry — a product's own, and
//! the contexts Tenantry grows next (billing, usage, flags...). A module declares
//! what must exist before the core is wired (migrations, permissions, reactions,
//! readiness checks), then, once the core exists, wires its services and hands back
//! its routes, event consumers and jobs. `Tenantry::builder(settings).module(m)`
//! is the one registration line.

use std::sync::Arc;

use tenantry_application::jobs::JobHandler;
use tenantry_application::pipeline::InTransactionReaction;
use tenantry_application::ports::{HealthCheck, UnitOfWorkFactory};
use tenantry_application::{Application, EventConsumer, PermissionSpec};
use tenantry_http::{HttpModule, ModuleDocument};
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

/// What a module's wiring may use: the core's application (its command pipeline
/// and query authorization), units of work, clock, database and settings.
pub struct ModuleContext<'a> {
    pub(crate) name: &'static str,
    pub(crate) application: &'a Arc<Application>,
    pub(crate) units_of_work: Arc<dyn UnitOfWorkFactory>,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) database: &'a Database,
    pub(crate) settings: &'a Settings,
}

impl ModuleContext<'_> {
    pub fn application(&self) -> &Arc<Application> {
        self.application
    }

    pub fn units_of_work(&self) -> Arc<dyn UnitOfWorkFactory> {
        self.units_of_work.clone()
    }

    pub fn clock(&self) -> Arc<dyn Clock> {
        self.clock.clone()
    }

    pub fn database(&self) -> &Database {
        self.database
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
}
