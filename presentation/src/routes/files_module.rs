//! The files context's HTTP side as a module: its routes (`routes::files`,
//! `routes::folders`) and their part of the OpenAPI document.

use std::sync::Arc;

use actix_web::web;
use tenantry_application::files::Files;
use utoipa::OpenApi;

use super::{files, folders};

/// Uploads, versions, downloads, links, grants and folders.
pub struct FilesHttp {
    pub files: Arc<Files>,
}

impl crate::HttpModule for FilesHttp {
    fn configure(&self, cfg: &mut web::ServiceConfig) {
        cfg.app_data(web::Data::from(self.files.clone()));
        files::configure(cfg);
        folders::configure(cfg);
    }
}

impl FilesHttp {
    /// The files routes' paths and schemas.
    pub fn document() -> crate::ModuleDocument {
        crate::ModuleDocument { openapi: Some(FilesApi::openapi()), error_codes: Vec::new() }
    }
}

#[derive(OpenApi)]
#[openapi(
    paths(
        files::upload_file,
        files::get_file,
        files::download_file,
        files::add_version,
        files::list_versions,
        files::download_version,
        files::delete_file,
        files::restore_file,
        files::grant_access,
        files::list_grants,
        files::revoke_access,
        files::thumbnail,
        files::create_link,
        files::open_link,
        folders::create_folder,
        folders::get_folder,
        folders::folder_children,
        folders::top_level_children,
        folders::update_folder,
        folders::delete_folder,
        folders::update_file,
    ),
    tags((name = "files", description = "Uploads, versions, downloads, folders and sharing"))
)]
struct FilesApi;
