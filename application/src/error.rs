//! The error every use case returns. Variants carry a stable `ErrorCode`; the HTTP
//! edge maps each variant to its status in exactly one place.

use tenantry_kernel::{FieldViolation, ValidationError};

use crate::ports::RepositoryError;

/// Stable, documented machine codes of failures (the `error_code` of the API body).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorCode {
    ValidationFailed,
    MalformedRequest,
    Unauthenticated,
    InvalidCredentials,
    InvalidToken,
    InvalidRefreshToken,
    SessionRevoked,
    Forbidden,
    NotFound,
    EmailTaken,
    Conflict,
    TenantRequired,
    NotAMember,
    SlugTaken,
    AlreadyMember,
    LastOwner,
    AccountLocked,
    EmailNotVerified,
    AccountTokenInvalid,
    AccountTokenExpired,
    AccountTokenUsed,
    ApiKeyNotAllowed,
    PreconditionFailed,
    IdempotencyKeyReused,
    IdempotencyKeyInProgress,
    IllegalTransition,
    AssigneeNotMember,
    ProjectArchived,
    ReplyTooDeep,
    NotInOrganization,
    NameTaken,
    FolderNotEmpty,
    FolderCycle,
    LinkExpired,
    InvitationExpired,
    InvitationAlreadyUsed,
    InvitationRevoked,
    InvitationWrongRecipient,
    PayloadTooLarge,
    UnsupportedMediaType,
    RangeNotSatisfiable,
    RateLimited,
    ServiceUnavailable,
    InternalError,
    /// A code a module brings (`invoice_already_paid`): snake_case, registered with
    /// the module so the OpenAPI document lists it; no edit to this enum needed.
    Module(&'static str),
}

impl ErrorCode {
    /// Tenantry's own codes; modules' codes come with their registration.
    pub const ALL: &'static [ErrorCode] = &[
        ErrorCode::ValidationFailed,
        ErrorCode::MalformedRequest,
        ErrorCode::Unauthenticated,
        ErrorCode::InvalidCredentials,
        ErrorCode::InvalidToken,
        ErrorCode::InvalidRefreshToken,
        ErrorCode::SessionRevoked,
        ErrorCode::Forbidden,
        ErrorCode::NotFound,
        ErrorCode::EmailTaken,
        ErrorCode::Conflict,
        ErrorCode::TenantRequired,
        ErrorCode::NotAMember,
        ErrorCode::SlugTaken,
        ErrorCode::AlreadyMember,
        ErrorCode::LastOwner,
        ErrorCode::AccountLocked,
        ErrorCode::EmailNotVerified,
        ErrorCode::AccountTokenInvalid,
        ErrorCode::AccountTokenExpired,
        ErrorCode::AccountTokenUsed,
        ErrorCode::ApiKeyNotAllowed,
        ErrorCode::PreconditionFailed,
        ErrorCode::IdempotencyKeyReused,
        ErrorCode::IdempotencyKeyInProgress,
        ErrorCode::IllegalTransition,
        ErrorCode::AssigneeNotMember,
        ErrorCode::ProjectArchived,
        ErrorCode::ReplyTooDeep,
        ErrorCode::NotInOrganization,
        ErrorCode::NameTaken,
        ErrorCode::FolderNotEmpty,
        ErrorCode::FolderCycle,
        ErrorCode::LinkExpired,
        ErrorCode::InvitationExpired,
        ErrorCode::InvitationAlreadyUsed,
        ErrorCode::InvitationRevoked,
        ErrorCode::InvitationWrongRecipient,
        ErrorCode::PayloadTooLarge,
        ErrorCode::UnsupportedMediaType,
        ErrorCode::RangeNotSatisfiable,
        ErrorCode::RateLimited,
        ErrorCode::ServiceUnavailable,
        ErrorCode::InternalError,
    ];

    pub fn as_str(&self) -> &'static str {
        match self {
            ErrorCode::ValidationFailed => "validation_failed",
            ErrorCode::MalformedRequest => "malformed_request",
            ErrorCode::Unauthenticated => "unauthenticated",
            ErrorCode::InvalidCredentials => "invalid_credentials",
            ErrorCode::InvalidToken => "invalid_token",
            ErrorCode::InvalidRefreshToken => "invalid_refresh_token",
            ErrorCode::SessionRevoked => "session_revoked",
            ErrorCode::Forbidden => "forbidden",
            ErrorCode::NotFound => "not_found",
            ErrorCode::EmailTaken => "email_taken",
            ErrorCode::Conflict => "conflict",
            ErrorCode::TenantRequired => "tenant_required",
            ErrorCode::NotAMember => "not_a_member",
            ErrorCode::SlugTaken => "slug_taken",
            ErrorCode::AlreadyMember => "already_member",
            ErrorCode::LastOwner => "last_owner",
            ErrorCode::AccountLocked => "account_locked",
            ErrorCode::EmailNotVerified => "email_not_verified",
            ErrorCode::AccountTokenInvalid => "account_token_invalid",
            ErrorCode::AccountTokenExpired => "account_token_expired",
            ErrorCode::AccountTokenUsed => "account_token_used",
            ErrorCode::ApiKeyNotAllowed => "api_key_not_allowed",
            ErrorCode::PreconditionFailed => "precondition_failed",
            ErrorCode::IdempotencyKeyReused => "idempotency_key_reused",
            ErrorCode::IdempotencyKeyInProgress => "idempotency_key_in_progress",
            ErrorCode::IllegalTransition => "illegal_transition",
            ErrorCode::AssigneeNotMember => "assignee_not_member",
            ErrorCode::ProjectArchived => "project_archived",
            ErrorCode::ReplyTooDeep => "reply_too_deep",
            ErrorCode::NotInOrganization => "not_in_organization",
            ErrorCode::NameTaken => "name_taken",
            ErrorCode::FolderNotEmpty => "folder_not_empty",
            ErrorCode::FolderCycle => "folder_cycle",
            ErrorCode::LinkExpired => "link_expired",
            ErrorCode::InvitationExpired => "invitation_expired",
            ErrorCode::InvitationAlreadyUsed => "invitation_already_used",
            ErrorCode::InvitationRevoked => "invitation_revoked",
            ErrorCode::InvitationWrongRecipient => "invitation_wrong_recipient",
            ErrorCode::PayloadTooLarge => "payload_too_large",
            ErrorCode::UnsupportedMediaType => "unsupported_media_type",
            ErrorCode::RangeNotSatisfiable => "range_not_satisfiable",
            ErrorCode::RateLimited => "rate_limited",
            ErrorCode::ServiceUnavailable => "service_unavailable",
            ErrorCode::InternalError => "internal_error",
            ErrorCode::Module(code) => code,
        }
    }
}

/// Why a use case did not succeed.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// 400: input that cannot become valid domain values.
    #[error(transparent)]
    Validation(#[from] ValidationError),
    /// 400: a request that is well-formed JSON but lacks required context (`tenant_required`).
    #[error("{message}")]
    BadRequest { code: ErrorCode, message: &'static str },
    /// 401: missing, invalid or expired credentials.
    #[error("{message}")]
    Unauthenticated { code: ErrorCode, message: &'static str },
    /// 403: authenticated, but not allowed.
    #[error("{message}")]
    Forbidden { code: ErrorCode, message: &'static str },
    /// 404: missing, or not visible to the caller.
    #[error("{message}")]
    NotFound { message: &'static str },
    /// 409: duplicate or wrong state.
    #[error("{message}")]
    Conflict { code: ErrorCode, message: &'static str },
    /// 410: a link that was valid once and no longer is (`link_expired`).
    #[error("{message}")]
    Gone { code: ErrorCode, message: &'static str },
    /// 412: the client's `If-Match` names an older version.
    #[error("{message}")]
    PreconditionFailed { message: &'static str },
    /// 422: well-formed, but breaks a business rule (`last_owner`, `invitation_expired`).
    #[error("{message}")]
    BusinessRule { code: ErrorCode, message: &'static str },
    /// 429: too many attempts; the client may retry after `retry_after_seconds`.
    #[error("{message}")]
    TooManyRequests { code: ErrorCode, message: &'static str, retry_after_seconds: u64 },
    /// 413: content over the configured size.
    #[error("{message}")]
    PayloadTooLarge { message: String },
    /// 415: content of a type that is not accepted.
    #[error("{message}")]
    UnsupportedMediaType { message: String },
    /// 503: a dependency (the database) is unreachable.
    #[error("a dependency is unavailable")]
    Unavailable(#[source] Box<dyn std::error::Error + Send + Sync>),
    /// 500: a bug or an unexpected failure; the cause is logged, never returned.
    #[error("internal error")]
    Internal(#[source] Box<dyn std::error::Error + Send + Sync>),
}

impl AppError {
    pub fn code(&self) -> ErrorCode {
        match self {
            AppError::Validation(_) => ErrorCode::ValidationFailed,
            AppError::BadRequest { code, .. }
            | AppError::Unauthenticated { code, .. }
            | AppError::Forbidden { code, .. }
            | AppError::Conflict { code, .. }
            | AppError::Gone { code, .. }
            | AppError::BusinessRule { code, .. }
            | AppError::TooManyRequests { code, .. } => *code,
            AppError::NotFound { .. } => ErrorCode::NotFound,
            AppError::PreconditionFailed { .. } => ErrorCode::PreconditionFailed,
            AppError::PayloadTooLarge { .. } => ErrorCode::PayloadTooLarge,
            AppError::UnsupportedMediaType { .. } => ErrorCode::UnsupportedMediaType,
            AppError::Unavailable(_) => ErrorCode::ServiceUnavailable,
            AppError::Internal(_) => ErrorCode::InternalError,
        }
    }

    pub fn details(&self) -> &[FieldViolation] {
        match self {
            AppError::Validation(e) => &e.violations,
            _ => &[],
        }
    }

    pub fn internal(error: impl std::error::Error + Send + Sync + 'static) -> Self {
        AppError::Internal(Box::new(error))
    }

    /// 400 `tenant_required`: a tenant-scoped call without an organization.
    pub fn tenant_required() -> Self {
        AppError::BadRequest {
            code: ErrorCode::TenantRequired,
            message: "send the organization id in the X-Tenant-Id header",
        }
    }

    /// 429 `account_locked`: too many failed logins for this address.
    pub(crate) fn account_locked(retry_after_seconds: u64) -> Self {
        AppError::TooManyRequests {
            code: ErrorCode::AccountLocked,
            message: "too many failed logins for this address; try again later or reset the password",
            retry_after_seconds,
        }
    }

    pub(crate) fn invalid_credentials() -> Self {
        AppError::Unauthenticated { code: ErrorCode::InvalidCredentials, message: "invalid email or password" }
    }
}

impl From<RepositoryError> for AppError {
    fn from(error: RepositoryError) -> Self {
        match error {
            RepositoryError::Unavailable(source) => AppError::Unavailable(source),
            RepositoryError::StaleVersion => AppError::Conflict {
                code: ErrorCode::Conflict,
                message: "the resource was changed concurrently; retry",
            },
            other => AppError::Internal(Box::new(other)),
        }
    }
}
