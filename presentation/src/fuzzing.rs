//! Entry points for the `cargo fuzz` targets in `fuzz/` (feature `fuzzing`): every
//! request body and query string the routes decode, through the same decoders and
//! error mapping the routes use, so the fuzzer hunts panics where input arrives.

use actix_web::web;
use serde::de::DeserializeOwned;

use crate::paging::PageParams;
use crate::routes::{api_keys, audit, files, folders, identity, notifications, projects, tasks, tenancy};

fn body<T: DeserializeOwned>(data: &[u8]) {
    // The route's JSON extractor: decode, or build the API error shape from the failure.
    if let Err(error) = serde_json::from_slice::<T>(data) {
        drop(crate::json::malformed(&error));
    }
}

/// Decodes `data` as each JSON request body.
pub fn decode_json_bodies(data: &[u8]) {
    body::<api_keys::CreateApiKeyRequest>(data);
    body::<files::CreateLinkRequest>(data);
    body::<files::GrantRequest>(data);
    body::<folders::CreateFolderRequest>(data);
    body::<folders::UpdateFolderRequest>(data);
    body::<folders::UpdateFileRequest>(data);
    body::<identity::UpdateProfileRequest>(data);
    body::<identity::AccountTokenRequest>(data);
    body::<identity::EmailRequest>(data);
    body::<identity::ResetPasswordRequest>(data);
    body::<identity::ChangePasswordRequest>(data);
    body::<identity::RegisterRequest>(data);
    body::<identity::LoginRequest>(data);
    body::<identity::RefreshRequest>(data);
    body::<notifications::NotificationPreferences>(data);
    body::<tasks::LogTimeRequest>(data);
    body::<tasks::AddCommentRequest>(data);
    body::<projects::CreateProjectRequest>(data);
    body::<projects::UpdateProjectRequest>(data);
    body::<projects::AddProjectMemberRequest>(data);
    body::<tasks::CreateTaskRequest>(data);
    body::<tasks::UpdateTaskRequest>(data);
    body::<tenancy::CreateOrganizationRequest>(data);
    body::<tenancy::InvitationRequest>(data);
    body::<tenancy::ChangeRoleRequest>(data);
}

/// Decodes `query` as each query string, and validates the paging the way list routes do.
pub fn decode_query_strings(query: &str) {
    if let Ok(params) = web::Query::<PageParams>::from_query(query) {
        let _ = params.validate(&["created_at", "updated_at", "title"]);
    }
    let _ = web::Query::<audit::AuditLogParams>::from_query(query);
    let _ = web::Query::<projects::ProjectListFilter>::from_query(query);
    let _ = web::Query::<tasks::TaskListFilter>::from_query(query);
}
