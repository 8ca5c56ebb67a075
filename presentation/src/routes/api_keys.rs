//! API keys of an organization (tenancy context): create (the secret is shown once),
//! list, revoke. Owners and admins (`api_key:manage`).

use actix_web::http::header;
use actix_web::{delete, get, post, web, HttpResponse};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use tenantry_application::tenancy::{CreateApiKey, RevokeApiKey};
use tenantry_domain::tenancy::{ApiKey, ApiKeyId};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::auth::Authenticated;
use crate::error::{ApiError, ErrorBody};
use crate::tenant_context::in_tenant;
use crate::HttpState;

pub(crate) fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(create_api_key).service(list_api_keys).service(revoke_api_key);
}

/// A new API key.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateApiKeyRequest {
    #[schema(example = "CI deploy", min_length = 1, max_length = 100)]
    pub name: String,
    /// Permissions the key carries (`resource:action`), each one the creator holds.
    #[schema(example = json!(["member:read", "organization:read"]))]
    pub scopes: Vec<String>,
    /// 1 to 366; absent: valid until revoked.
    #[schema(minimum = 1, maximum = 366)]
    pub expires_in_days: Option<u32>,
}

/// An API key as listed: never its secret.
#[derive(Debug, Serialize, ToSchema)]
pub struct ApiKeyResponse {
    pub id: Uuid,
    pub name: String,
    /// The first characters of the key, to recognise it.
    #[schema(example = "tk_Zx81bQ2")]
    pub prefix: String,
    pub scopes: Vec<String>,
    pub created_by: Uuid,
    pub created_at: DateTime<Utc>,
    pub expires_at: Option<DateTime<Utc>>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

impl From<&ApiKey> for ApiKeyResponse {
    fn from(key: &ApiKey) -> Self {
        Self {
            id: key.id().as_uuid(),
            name: key.name().as_str().to_owned(),
            prefix: key.display_prefix().to_owned(),
            scopes: key.scopes().to_vec(),
            created_by: key.created_by().as_uuid(),
            created_at: key.created_at(),
            expires_at: key.expires_at(),
            last_used_at: key.last_used_at(),
            revoked_at: key.revoked_at(),
        }
    }
}

/// A created key with its secret — shown this once, never again.
#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedApiKeyResponse {
    #[serde(flatten)]
    pub key: ApiKeyResponse,
    /// Send as `Authorization: Bearer tk_...`; store it now, it cannot be shown again.
    pub secret: String,
}

/// The organization's API keys.
#[derive(Debug, Serialize, ToSchema)]
pub struct ApiKeyList {
    pub items: Vec<ApiKeyResponse>,
}

/// Create an API key for machine clients; the answer is the only place its secret appears.
#[utoipa::path(
    tag = "tenancy",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Organization id")),
    request_body = CreateApiKeyRequest,
    responses(
        (status = 201, body = CreatedApiKeyResponse, headers(("Location" = String, description = "The key's listing"))),
        (status = 400, body = ErrorBody),
        (status = 403, description = "`forbidden`: role or scopes insufficient", body = ErrorBody),
        (status = 404, body = ErrorBody),
    )
)]
#[post("/api/v1/organizations/{id}/api-keys")]
pub(crate) async fn create_api_key(
    state: web::Data<HttpState>,
    auth: Authenticated,
    path: web::Path<Uuid>,
    body: web::Json<CreateApiKeyRequest>,
) -> Result<HttpResponse, ApiError> {
    let tenant = path.into_inner();
    let CreateApiKeyRequest { name, scopes, expires_in_days } = body.into_inner();
    let created = state
        .tenancy
        .create_api_key(&in_tenant(auth.0, tenant), CreateApiKey { name, scopes, expires_in_days })
        .await?;
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/api/v1/organizations/{tenant}/api-keys")))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(CreatedApiKeyResponse { key: ApiKeyResponse::from(&created.key), secret: created.secret }))
}

/// The organization's API keys, newest first, revoked ones included.
#[utoipa::path(
    tag = "tenancy",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Organization id")),
    responses((status = 200, body = ApiKeyList), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody))
)]
#[get("/api/v1/organizations/{id}/api-keys")]
pub(crate) async fn list_api_keys(
    state: web::Data<HttpState>,
    auth: Authenticated,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let keys = state.tenancy.list_api_keys(&in_tenant(auth.0, path.into_inner())).await?;
    Ok(HttpResponse::Ok().json(ApiKeyList { items: keys.iter().map(ApiKeyResponse::from).collect() }))
}

/// Revoke a key: it is refused from its next request on. Revoking twice answers 204.
#[utoipa::path(
    tag = "tenancy",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Organization id"), ("key_id" = Uuid, Path, description = "API key")),
    responses((status = 204, description = "Revoked"), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody))
)]
#[delete("/api/v1/organizations/{id}/api-keys/{key_id}")]
pub(crate) async fn revoke_api_key(
    state: web::Data<HttpState>,
    auth: Authenticated,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<HttpResponse, ApiError> {
    let (tenant, key) = path.into_inner();
    state.tenancy.revoke_api_key(&in_tenant(auth.0, tenant), RevokeApiKey { key_id: ApiKeyId::from_uuid(key) }).await?;
    Ok(HttpResponse::NoContent().finish())
}
