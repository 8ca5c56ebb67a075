//! Tenantry's own contexts that are modules on the public module API, started by
//! default and left out with `TenantryBuilder::without_module(name)`: projects and
//! notifications.

use std::sync::Arc;

use tenantry_application::notifications::{Notifications, NotificationsConsumer};
use tenantry_http::{NotificationsHttp, ProjectsHttp};

use crate::module::{ModuleContext, ModuleParts, TenantryModule};

/// The modules every `Tenantry::builder` starts with.
pub(crate) fn default_modules() -> Vec<Arc<dyn TenantryModule>> {
    vec![Arc::new(ProjectsModule), Arc::new(NotificationsModule)]
}

/// Projects and tasks: the routes (`/api/v1/projects...`, `/api/v1/tasks...`) and the
/// project summary read model's consumer. Its use cases still sit on the shared
/// `Application` (and its departure reaction keeps running when it is left out).
pub struct ProjectsModule;

impl TenantryModule for ProjectsModule {
    fn name(&self) -> &'static str {
        "projects"
    }

    fn document(&self) -> tenantry_http::ModuleDocument {
        ProjectsHttp::document()
    }

    fn start(&self, core: &ModuleContext<'_>) -> anyhow::Result<ModuleParts> {
        Ok(ModuleParts {
            http: Some(Arc::new(ProjectsHttp)),
            consumers: vec![core.application().summary_projector().clone()],
            job_handlers: Vec::new(),
        })
    }
}

/// In-app notifications: its consumer turns committed events into notifications,
/// its routes (`/api/v1/notifications...`) read and mark them. Its tables are part of
/// Tenantry's migration history.
pub struct NotificationsModule;

impl TenantryModule for NotificationsModule {
    fn name(&self) -> &'static str {
        "notifications"
    }

    fn document(&self) -> tenantry_http::ModuleDocument {
        NotificationsHttp::document()
    }

    fn start(&self, core: &ModuleContext<'_>) -> anyhow::Result<ModuleParts> {
        let store = core.database().notifications();
        let notifications = Arc::new(Notifications::new(store.clone(), core.clock()));
        Ok(ModuleParts {
            http: Some(Arc::new(NotificationsHttp { notifications })),
            consumers: vec![Arc::new(NotificationsConsumer::new(store, core.clock()))],
            job_handlers: Vec::new(),
        })
    }
}
