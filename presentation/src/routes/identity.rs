//! Identity routes: registration, login, refresh, logout and the current user.

use actix_web::http::header;
use actix_web::{delete, get, patch, post, web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use tenantry_application::identity::ports::UserView;
use tenantry_application::identity::ProfileView;
use tenantry_application::identity::{
    LogIn, RefreshSession, RegisterUser, RevokeSession, TokenPair, UpdateProfile, VerifyEmail,
};
use tenantry_kernel::SessionId;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::auth::{Authenticated, RequestMeta};
use crate::error::{ApiError, ErrorBody};
use crate::json::{optional_body, read_limited};
use crate::HttpState;

pub(crate) fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(register)
        .service(login)
        .service(refresh)
        .service(logout)
        .service(me)
        .service(list_sessions)
        .service(revoke_other_sessions)
        .service(revoke_session)
        .service(verify_email)
        .service(resend_verification)
        .service(forgot_password)
        .service(reset_password)
        .service(change_password)
        .service(jwks)
        .service(get_profile)
        .service(update_profile)
        .service(get_user);
}

/// The caller's profile.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProfileResponse {
    #[serde(flatten)]
    pub user: UserResponse,
    /// Free-form settings of the client (a JSON object, at most 16 KiB).
    #[schema(value_type = Object, example = json!({"theme": "dark"}))]
    pub preferences: serde_json::Value,
}

impl From<ProfileView> for ProfileResponse {
    fn from(view: ProfileView) -> Self {
        Self { user: UserResponse::from(view.user), preferences: view.preferences }
    }
}

/// Profile changes; absent fields stay as they are.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateProfileRequest {
    pub display_name: Option<String>,
    /// A JSON merge patch (RFC 7396) of the preferences: `null` removes a member.
    #[schema(value_type = Option<Object>, example = json!({"theme": "light", "beta": null}))]
    pub preferences: Option<serde_json::Value>,
}

/// The caller's profile and preferences.
#[utoipa::path(
    tag = "identity",
    security(("bearer" = [])),
    responses((status = 200, body = ProfileResponse), (status = 401, body = ErrorBody))
)]
#[get("/api/v1/users/me/profile")]
pub(crate) async fn get_profile(state: web::Data<HttpState>, auth: Authenticated) -> Result<HttpResponse, ApiError> {
    let profile = state.identity.get_profile(&auth.0).await?;
    Ok(HttpResponse::Ok().json(ProfileResponse::from(profile)))
}

/// Change the display name and/or merge-patch the preferences, in one transaction.
#[utoipa::path(
    tag = "identity",
    security(("bearer" = [])),
    request_body = UpdateProfileRequest,
    responses(
        (status = 200, body = ProfileResponse),
        (status = 400, description = "`validation_failed`: bad name, preferences not an object, over 16 KiB or 8 levels", body = ErrorBody),
        (status = 401, body = ErrorBody),
    )
)]
#[patch("/api/v1/users/me/profile")]
pub(crate) async fn update_profile(
    state: web::Data<HttpState>,
    auth: Authenticated,
    body: web::Json<UpdateProfileRequest>,
) -> Result<HttpResponse, ApiError> {
    let UpdateProfileRequest { display_name, preferences } = body.into_inner();
    let profile = state.identity.update_profile(&auth.0, UpdateProfile { display_name, preferences }).await?;
    Ok(HttpResponse::Ok().json(ProfileResponse::from(profile)))
}

/// One public key of the JWKS (RFC 7517, OKP key type of RFC 8037).
#[derive(Debug, Serialize, ToSchema)]
pub struct JsonWebKey {
    #[schema(example = "OKP")]
    pub kty: &'static str,
    #[schema(example = "Ed25519")]
    pub crv: &'static str,
    /// The public key, base64url.
    pub x: String,
    pub kid: String,
    #[schema(example = "EdDSA")]
    pub alg: &'static str,
    #[serde(rename = "use")]
    #[schema(example = "sig")]
    pub key_use: &'static str,
}

/// The keys that verify access tokens.
#[derive(Debug, Serialize, ToSchema)]
pub struct JsonWebKeySet {
    pub keys: Vec<JsonWebKey>,
}

/// The public keys that verify Tenantry's access tokens, so other services can
/// check a token without calling Tenantry. Several keys appear during a rotation.
#[utoipa::path(tag = "identity", responses((status = 200, body = JsonWebKeySet)))]
#[get("/.well-known/jwks.json")]
pub(crate) async fn jwks(state: web::Data<HttpState>) -> HttpResponse {
    let keys = state
        .identity
        .published_keys()
        .into_iter()
        .map(|key| JsonWebKey {
            kty: "OKP",
            crv: key.curve,
            x: key.x,
            kid: key.kid,
            alg: key.algorithm,
            key_use: "sig",
        })
        .collect();
    HttpResponse::Ok().insert_header((header::CACHE_CONTROL, "public, max-age=300")).json(JsonWebKeySet { keys })
}

/// A mailed single-use token.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AccountTokenRequest {
    #[schema(min_length = 1, max_length = 512)]
    pub token: String,
}

/// An address to mail a link to.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EmailRequest {
    #[schema(example = "alice@example.com", format = Email, max_length = 254)]
    pub email: String,
}

/// A reset token and the new password.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResetPasswordRequest {
    #[schema(min_length = 1, max_length = 512)]
    pub token: String,
    /// 12 to 128 characters, not a common password, not the account's address.
    #[schema(min_length = 12, max_length = 128)]
    pub new_password: String,
}

/// The current password and the new one.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangePasswordRequest {
    #[schema(min_length = 1, max_length = 128)]
    pub current_password: String,
    /// 12 to 128 characters, not a common password, not the account's address.
    #[schema(min_length = 12, max_length = 128)]
    pub new_password: String,
}

/// The answer to requests whose outcome must not reveal whether an account exists.
#[derive(Debug, Serialize, ToSchema)]
pub struct AcceptedResponse {
    #[schema(example = "if an account has this address, a mail is on its way")]
    pub message: &'static str,
}

fn accepted() -> HttpResponse {
    HttpResponse::Accepted().json(AcceptedResponse { message: "if an account has this address, a mail is on its way" })
}

/// Prove an address with the token of the verification mail (24 h, single use).
#[utoipa::path(
    tag = "identity",
    request_body = AccountTokenRequest,
    responses(
        (status = 204, description = "Verified"),
        (status = 400, body = ErrorBody),
        (status = 422, description = "`account_token_invalid`, `account_token_expired`, `account_token_used`", body = ErrorBody),
        (status = 429, description = "`rate_limited`", body = ErrorBody),
    )
)]
#[post("/api/v1/auth/verify-email", wrap = "actix_web::middleware::from_fn(crate::edge::limit_credentials)")]
pub(crate) async fn verify_email(
    state: web::Data<HttpState>,
    meta: RequestMeta,
    body: web::Json<AccountTokenRequest>,
) -> Result<HttpResponse, ApiError> {
    state.identity.verify_email(&meta.0, VerifyEmail { token: body.into_inner().token }).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Mail a new verification link. Always 202 for a well-formed address.
#[utoipa::path(
    tag = "identity",
    request_body = EmailRequest,
    responses(
        (status = 202, body = AcceptedResponse),
        (status = 400, body = ErrorBody),
        (status = 429, description = "`rate_limited`", body = ErrorBody),
    )
)]
#[post("/api/v1/auth/resend-verification", wrap = "actix_web::middleware::from_fn(crate::edge::limit_credentials)")]
pub(crate) async fn resend_verification(
    state: web::Data<HttpState>,
    meta: RequestMeta,
    body: web::Json<EmailRequest>,
) -> Result<HttpResponse, ApiError> {
    state.identity.request_email_verification(&meta.0, body.into_inner().email).await?;
    Ok(accepted())
}

/// Mail a password reset link (30 min, single use). Always 202 for a well-formed
/// address: the answer never tells whether an account exists.
#[utoipa::path(
    tag = "identity",
    request_body = EmailRequest,
    responses(
        (status = 202, body = AcceptedResponse),
        (status = 400, body = ErrorBody),
        (status = 429, description = "`rate_limited`", body = ErrorBody),
    )
)]
#[post("/api/v1/auth/forgot-password", wrap = "actix_web::middleware::from_fn(crate::edge::limit_credentials)")]
pub(crate) async fn forgot_password(
    state: web::Data<HttpState>,
    meta: RequestMeta,
    body: web::Json<EmailRequest>,
) -> Result<HttpResponse, ApiError> {
    state.identity.request_password_reset(&meta.0, body.into_inner().email).await?;
    Ok(accepted())
}

/// Set a new password with a reset token. Every session of the account ends.
#[utoipa::path(
    tag = "identity",
    request_body = ResetPasswordRequest,
    responses(
        (status = 204, description = "Password replaced; sign in again"),
        (status = 400, body = ErrorBody),
        (status = 422, description = "`account_token_invalid`, `account_token_expired`, `account_token_used`", body = ErrorBody),
        (status = 429, description = "`rate_limited`", body = ErrorBody),
    )
)]
#[post("/api/v1/auth/reset-password", wrap = "actix_web::middleware::from_fn(crate::edge::limit_credentials)")]
pub(crate) async fn reset_password(
    state: web::Data<HttpState>,
    meta: RequestMeta,
    body: web::Json<ResetPasswordRequest>,
) -> Result<HttpResponse, ApiError> {
    let ResetPasswordRequest { token, new_password } = body.into_inner();
    state.identity.reset_password(&meta.0, token, &new_password).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Change the caller's password; every other session ends, this one stays.
#[utoipa::path(
    tag = "identity",
    security(("bearer" = [])),
    request_body = ChangePasswordRequest,
    responses(
        (status = 204, description = "Password replaced"),
        (status = 400, description = "`current_password` incorrect or `new_password` refused", body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 429, description = "`account_locked`", body = ErrorBody),
    )
)]
#[post("/api/v1/users/me/password")]
pub(crate) async fn change_password(
    state: web::Data<HttpState>,
    auth: Authenticated,
    body: web::Json<ChangePasswordRequest>,
) -> Result<HttpResponse, ApiError> {
    let ChangePasswordRequest { current_password, new_password } = body.into_inner();
    state.identity.change_password(&auth.0, &current_password, &new_password).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// A new account.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegisterRequest {
    #[schema(example = "alice@example.com", format = Email, max_length = 254)]
    pub email: String,
    /// 12 to 128 characters, not a common password, not the address.
    #[schema(example = "correct horse battery staple", min_length = 12, max_length = 128)]
    pub password: String,
    #[schema(example = "Alice", min_length = 1, max_length = 100)]
    pub display_name: String,
}

/// Credentials.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    #[schema(example = "alice@example.com", format = Email, max_length = 254)]
    pub email: String,
    #[schema(example = "correct horse battery staple", min_length = 1, max_length = 128)]
    pub password: String,
}

/// A refresh token in the body (it may instead come in `X-Refresh-Token`).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefreshRequest {
    #[schema(min_length = 1, max_length = 512)]
    pub refresh_token: String,
}

/// A user as clients see it: never any credential.
#[derive(Debug, Serialize, ToSchema)]
pub struct UserResponse {
    pub id: Uuid,
    pub email: String,
    pub display_name: String,
    /// Whether the address was proven through the verification mail.
    pub email_verified: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<UserView> for UserResponse {
    fn from(view: UserView) -> Self {
        Self {
            id: view.id.as_uuid(),
            email: view.email,
            display_name: view.display_name,
            email_verified: view.email_verified,
            created_at: view.created_at,
            updated_at: view.updated_at,
        }
    }
}

/// A token pair. Send the access token as `Authorization: Bearer`; keep the
/// refresh token secret and exchange it at `/api/v1/auth/refresh` (it rotates).
#[derive(Debug, Serialize, ToSchema)]
pub struct TokenResponse {
    pub access_token: String,
    pub refresh_token: String,
    #[schema(example = "Bearer")]
    pub token_type: &'static str,
    /// Access-token lifetime in seconds.
    #[schema(example = 900)]
    pub expires_in: i64,
}

impl From<TokenPair> for TokenResponse {
    fn from(pair: TokenPair) -> Self {
        Self {
            access_token: pair.access_token,
            refresh_token: pair.refresh_token,
            token_type: "Bearer",
            expires_in: pair.expires_in_seconds,
        }
    }
}

/// Create an account.
#[utoipa::path(
    tag = "identity",
    request_body = RegisterRequest,
    responses(
        (status = 201, body = UserResponse, headers(("Location" = String, description = "URL of the new user"))),
        (status = 400, description = "Invalid field or malformed body", body = ErrorBody),
        (status = 409, description = "`email_taken`", body = ErrorBody),
    )
)]
#[post("/api/v1/auth/register", wrap = "actix_web::middleware::from_fn(crate::edge::limit_credentials)")]
pub(crate) async fn register(
    state: web::Data<HttpState>,
    meta: RequestMeta,
    body: web::Json<RegisterRequest>,
) -> Result<HttpResponse, ApiError> {
    let RegisterRequest { email, password, display_name } = body.into_inner();
    let id = state.identity.register_user(&meta.0, RegisterUser { email, password, display_name }).await?;
    let user = state.identity.get_user(id).await?;
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/api/v1/users/{id}")))
        .json(UserResponse::from(user)))
}

/// Exchange email and password for a token pair. Unknown email and wrong password
/// answer alike.
#[utoipa::path(
    tag = "identity",
    request_body = LoginRequest,
    responses(
        (status = 200, body = TokenResponse),
        (status = 400, body = ErrorBody),
        (status = 401, description = "`invalid_credentials`", body = ErrorBody),
        (status = 403, description = "`email_not_verified` (when `auth.require_verified_email` is on)", body = ErrorBody),
        (status = 429, description = "`account_locked` (5 failures in 15 min lock the address 30 min) or `rate_limited`", body = ErrorBody),
    )
)]
#[post("/api/v1/auth/login", wrap = "actix_web::middleware::from_fn(crate::edge::limit_credentials)")]
pub(crate) async fn login(
    state: web::Data<HttpState>,
    meta: RequestMeta,
    body: web::Json<LoginRequest>,
) -> Result<HttpResponse, ApiError> {
    let LoginRequest { email, password } = body.into_inner();
    let pair = state.identity.log_in(&meta.0, LogIn { email, password }).await?;
    Ok(HttpResponse::Ok().insert_header((header::CACHE_CONTROL, "no-store")).json(TokenResponse::from(pair)))
}

/// Exchange a refresh token for a new pair; the presented token is dead afterwards.
#[utoipa::path(
    tag = "identity",
    request_body(content = Option<RefreshRequest>, description = "Optional when the `X-Refresh-Token` header is sent"),
    params(("X-Refresh-Token" = Option<String>, Header, description = "The refresh token")),
    responses(
        (status = 200, body = TokenResponse),
        (status = 400, body = ErrorBody),
        (status = 401, description = "`invalid_refresh_token`", body = ErrorBody),
    )
)]
#[post("/api/v1/auth/refresh")]
pub(crate) async fn refresh(
    state: web::Data<HttpState>,
    meta: RequestMeta,
    req: HttpRequest,
    body: web::Payload,
) -> Result<HttpResponse, actix_web::Error> {
    let body = read_limited(body).await?;
    let from_body = optional_body::<RefreshRequest>(&body)?.map(|b| b.refresh_token);
    let from_header = req
        .headers()
        .get("x-refresh-token")
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_owned);
    let refresh_token = from_header.or(from_body).unwrap_or_default();
    let pair = state.identity.refresh_session(&meta.0, RefreshSession { refresh_token }).await.map_err(ApiError)?;
    Ok(HttpResponse::Ok().insert_header((header::CACHE_CONTROL, "no-store")).json(TokenResponse::from(pair)))
}

/// End the current session: its access and refresh tokens stop working at once.
#[utoipa::path(
    tag = "identity",
    security(("bearer" = [])),
    responses((status = 204, description = "Logged out"), (status = 401, body = ErrorBody))
)]
#[post("/api/v1/auth/logout")]
pub(crate) async fn logout(state: web::Data<HttpState>, auth: Authenticated) -> Result<HttpResponse, ApiError> {
    state.identity.log_out(&auth.0).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The authenticated user.
#[utoipa::path(
    tag = "identity",
    security(("bearer" = [])),
    responses((status = 200, body = UserResponse), (status = 401, body = ErrorBody))
)]
#[get("/api/v1/users/me")]
pub(crate) async fn me(state: web::Data<HttpState>, auth: Authenticated) -> Result<HttpResponse, ApiError> {
    let principal = auth.0.require_principal()?;
    let user = state.identity.get_user(principal.user_id).await?;
    Ok(HttpResponse::Ok().json(UserResponse::from(user)))
}

/// A user by id — the `Location` of a registration. Profiles are private: any id
/// but the caller's own answers 404.
#[utoipa::path(
    tag = "identity",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "User id")),
    responses((status = 200, body = UserResponse), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody))
)]
#[get("/api/v1/users/{id}")]
pub(crate) async fn get_user(
    state: web::Data<HttpState>,
    auth: Authenticated,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let principal = auth.0.require_principal()?;
    if principal.user_id.as_uuid() != path.into_inner() {
        return Err(ApiError(tenantry_application::AppError::NotFound { message: "user not found" }));
    }
    let user = state.identity.get_user(principal.user_id).await?;
    Ok(HttpResponse::Ok().json(UserResponse::from(user)))
}

/// One of the caller's live sessions.
#[derive(Debug, Serialize, ToSchema)]
pub struct SessionResponse {
    pub id: Uuid,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    /// The session this request was made with.
    pub current: bool,
}

/// How many sessions were ended.
#[derive(Debug, Serialize, ToSchema)]
pub struct RevokedSessions {
    pub revoked: usize,
}

pub type SessionPage = crate::paging::PageResponse<SessionResponse>;

/// The caller's live sessions, newest first (all on one page: a person has few).
#[utoipa::path(
    tag = "identity",
    security(("bearer" = [])),
    responses((status = 200, body = crate::paging::PageResponse<SessionResponse>), (status = 401, body = ErrorBody))
)]
#[get("/api/v1/users/me/sessions")]
pub(crate) async fn list_sessions(state: web::Data<HttpState>, auth: Authenticated) -> Result<HttpResponse, ApiError> {
    let current = auth.0.require_principal()?.session_id;
    let sessions = state.identity.list_sessions(&auth.0).await?;
    let total = sessions.len();
    let items: Vec<SessionResponse> = sessions
        .into_iter()
        .map(|s| SessionResponse {
            id: s.id.as_uuid(),
            created_at: s.created_at,
            last_seen_at: s.last_seen_at,
            ip: s.ip,
            user_agent: s.user_agent,
            current: s.id == current,
        })
        .collect();
    let size = u32::try_from(total.max(1)).unwrap_or(u32::MAX);
    Ok(HttpResponse::Ok().json(SessionPage { items, page: 1, size, total: total as u64 }))
}

/// End one of the caller's sessions; its tokens stop working at once.
#[utoipa::path(
    tag = "identity",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Session id")),
    responses((status = 204, description = "Ended"), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody))
)]
#[delete("/api/v1/users/me/sessions/{id}")]
pub(crate) async fn revoke_session(
    state: web::Data<HttpState>,
    auth: Authenticated,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let command = RevokeSession { session_id: SessionId::from_uuid(path.into_inner()) };
    state.identity.revoke_session(&auth.0, command).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// End every session of the caller except the current one.
#[utoipa::path(
    tag = "identity",
    security(("bearer" = [])),
    responses((status = 200, body = RevokedSessions), (status = 401, body = ErrorBody))
)]
#[delete("/api/v1/users/me/sessions")]
pub(crate) async fn revoke_other_sessions(
    state: web::Data<HttpState>,
    auth: Authenticated,
) -> Result<HttpResponse, ApiError> {
    let revoked = state.identity.revoke_other_sessions(&auth.0).await?;
    Ok(HttpResponse::Ok().json(RevokedSessions { revoked }))
}
