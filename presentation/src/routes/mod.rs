//! Routes, one module per bounded context plus operations.

pub(crate) mod api_keys;
pub(crate) mod audit;
pub(crate) mod files;
pub(crate) mod files_module;
pub(crate) mod folders;
pub(crate) mod identity;
pub(crate) mod notifications;
pub(crate) mod operations;
pub(crate) mod projects;
pub(crate) mod projects_module;
pub(crate) mod tasks;
pub(crate) mod tenancy;

use actix_web::http::StatusCode;
use actix_web::HttpResponse;
use tenantry_application::ErrorCode;

use crate::error::http_error;

/// The API-shaped 404 for unknown paths; a host app can use it as its default service.
pub async fn not_found() -> HttpResponse {
    http_error(StatusCode::NOT_FOUND, ErrorCode::NotFound, "no such route", vec![])
}
