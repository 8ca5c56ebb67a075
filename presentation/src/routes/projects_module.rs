//! The projects context's HTTP side as a module: its routes (`routes::projects`)
//! and their part of the OpenAPI document, mounted like any product's module.

use std::sync::Arc;

use actix_web::web;
use tenantry_application::projects::Projects;
use utoipa::OpenApi;

use super::{projects, tasks};

/// Projects, members, tasks, time, comments and summaries.
pub struct ProjectsHttp {
    pub projects: Arc<Projects>,
}

impl crate::HttpModule for ProjectsHttp {
    fn configure(&self, cfg: &mut web::ServiceConfig) {
        cfg.app_data(web::Data::from(self.projects.clone()));
        projects::configure(cfg);
    }
}

impl ProjectsHttp {
    /// The projects routes' paths and schemas.
    pub fn document() -> crate::ModuleDocument {
        crate::ModuleDocument { openapi: Some(ProjectsApi::openapi()), error_codes: Vec::new() }
    }
}

#[derive(OpenApi)]
#[openapi(
    paths(
        projects::create_project,
        projects::list_projects,
        projects::get_project,
        projects::update_project,
        projects::delete_project,
        projects::list_project_members,
        projects::add_project_member,
        tasks::create_task,
        tasks::list_tasks,
        tasks::get_task,
        tasks::update_task,
        tasks::log_time,
        tasks::list_time_entries,
        tasks::add_comment,
        tasks::list_comments,
        projects::project_summary,
    ),
    tags((name = "projects", description = "Projects, members and tasks"))
)]
struct ProjectsApi;
