//! Tenantry's own contexts that are modules on the public module API, started by
//! default and left out with `TenantryBuilder::without_module(name)`: projects,
//! files and notifications. Each wires its service exactly as a product's module
//! would; their tables stay part of Tenantry's migration history.

use std::sync::Arc;

use tenantry_application::files::{
    BinPurger, DepartedMemberLosesFileGrants, FilePolicy, Files, FilesPorts, ThumbnailJobs,
};
use tenantry_application::notifications::{Notifications, NotificationsConsumer};
use tenantry_application::pipeline::InTransactionReaction;
use tenantry_application::projects::{DepartedMemberLeavesProjects, Projects, ProjectsPorts};
use tenantry_http::{FilesHttp, NotificationsHttp, ProjectsHttp};
use tenantry_infrastructure::crypto::JwtFileLinkSigner;
use tenantry_infrastructure::images::ImageThumbnailer;
use tenantry_infrastructure::SqlRepositories;

use crate::module::{ModuleContext, ModuleParts, Services, TenantryModule};

/// The modules every `Tenantry::builder` starts with.
pub(crate) fn default_modules() -> Vec<Arc<dyn TenantryModule>> {
    vec![Arc::new(ProjectsModule), Arc::new(FilesModule), Arc::new(NotificationsModule)]
}

/// Projects and tasks: `/api/v1/projects...` and `/api/v1/tasks...`, the project
/// summary read model, and members leaving projects when they leave the organization.
pub struct ProjectsModule;

impl TenantryModule for ProjectsModule {
    fn name(&self) -> &'static str {
        "projects"
    }

    fn reactions(&self) -> Vec<Arc<dyn InTransactionReaction>> {
        vec![Arc::new(DepartedMemberLeavesProjects::new(Arc::new(SqlRepositories)))]
    }

    fn document(&self) -> tenantry_http::ModuleDocument {
        ProjectsHttp::document()
    }

    fn start(&self, core: &ModuleContext<'_>) -> anyhow::Result<ModuleParts> {
        let database = core.database();
        let projects = Arc::new(Projects::new(
            core.platform().clone(),
            ProjectsPorts {
                repositories: Arc::new(SqlRepositories),
                queries: database.project_queries(),
                summaries: database.project_summaries(),
                tenancy_queries: database.tenancy_queries(),
            },
        ));
        let mut services = Services::default();
        services.publish(projects.clone());
        Ok(ModuleParts {
            consumers: vec![projects.summary_projector().clone()],
            http: Some(Arc::new(ProjectsHttp { projects })),
            job_handlers: Vec::new(),
            seeds: Vec::new(),
            services,
        })
    }
}

/// Files and folders: `/api/v1/files...`, `/api/v1/folders...`, `/api/v1/file-links...`,
/// thumbnails and the daily bin purge on the job queue, and grants ending when
/// their holder leaves the organization.
pub struct FilesModule;

impl TenantryModule for FilesModule {
    fn name(&self) -> &'static str {
        "files"
    }

    fn reactions(&self) -> Vec<Arc<dyn InTransactionReaction>> {
        vec![Arc::new(DepartedMemberLosesFileGrants::new(Arc::new(SqlRepositories)))]
    }

    fn document(&self) -> tenantry_http::ModuleDocument {
        FilesHttp::document()
    }

    fn start(&self, core: &ModuleContext<'_>) -> anyhow::Result<ModuleParts> {
        let (database, settings) = (core.database(), &core.core_settings().files);
        let files = Arc::new(Files::new(
            core.platform().clone(),
            FilesPorts {
                repositories: Arc::new(SqlRepositories),
                store: core.file_store(),
                queries: database.file_queries(),
                policy: FilePolicy {
                    max_upload_bytes: settings.max_upload_bytes,
                    allowed_content_types: settings.allowed_content_types.clone(),
                    link_ttl_seconds: settings.link_ttl_seconds,
                    max_link_ttl_seconds: settings.max_link_ttl_seconds,
                },
                links: Arc::new(JwtFileLinkSigner::new(core.signing_keys())),
                tenancy_queries: database.tenancy_queries(),
            },
        ));
        let thumbnails = Arc::new(ThumbnailJobs::new(
            core.units_of_work(),
            Arc::new(SqlRepositories),
            core.file_store(),
            Arc::new(ImageThumbnailer),
            core.clock(),
            settings.max_upload_bytes,
        ));
        let purger = Arc::new(BinPurger::new(
            core.units_of_work(),
            Arc::new(SqlRepositories),
            core.file_store(),
            database.job_store(),
            core.clock(),
            settings.bin_retention_days,
        ));
        let mut services = Services::default();
        services.publish(files.clone()).publish(purger.clone());
        Ok(ModuleParts {
            http: Some(Arc::new(FilesHttp { files })),
            consumers: Vec::new(),
            job_handlers: vec![thumbnails, purger],
            seeds: Vec::new(),
            services,
        })
    }
}

/// In-app notifications: its consumer turns committed events into notifications,
/// its routes (`/api/v1/notifications...`) read and mark them.
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
        let mut services = Services::default();
        services.publish(notifications.clone());
        Ok(ModuleParts {
            http: Some(Arc::new(NotificationsHttp { notifications })),
            consumers: vec![Arc::new(NotificationsConsumer::new(store, core.clock()))],
            job_handlers: Vec::new(),
            seeds: Vec::new(),
            services,
        })
    }
}
