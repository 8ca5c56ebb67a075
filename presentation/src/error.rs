//! The one place where failures become HTTP answers (API.md "Errors").

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;
use tenantry_application::{AppError, ErrorCode};
use utoipa::ToSchema;

tokio::task_local! {
    /// The current request's id, so error bodies built deep inside actix carry it.
    pub(crate) static REQUEST_ID: String;
}

pub(crate) fn current_request_id() -> String {
    REQUEST_ID.try_with(Clone::clone).unwrap_or_default()
}

/// One invalid field.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorDetail {
    pub field: String,
    pub issue: String,
}

/// The body of every non-2xx answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    /// Stable machine code; the full list is in this schema's enum.
    #[schema(schema_with = error_code_schema)]
    pub error_code: String,
    pub message: String,
    pub details: Vec<ErrorDetail>,
    /// Quote it when reporting a problem; it finds the request in the logs.
    pub request_id: String,
}

fn error_code_schema() -> utoipa::openapi::Object {
    utoipa::openapi::ObjectBuilder::new()
        .schema_type(utoipa::openapi::schema::Type::String)
        .enum_values(Some(ErrorCode::ALL.iter().map(|code| code.as_str())))
        .build()
}

/// An application error on its way out, or an error of the HTTP layer itself.
#[derive(Debug, thiserror::Error)]
#[error(transparent)]
pub struct ApiError(#[from] pub AppError);

/// Errors only the HTTP layer can produce (bad JSON, wrong content type...).
pub(crate) fn http_error(
    status: StatusCode,
    code: ErrorCode,
    message: impl Into<String>,
    details: Vec<ErrorDetail>,
) -> HttpResponse {
    HttpResponse::build(status).json(ErrorBody {
        error_code: code.as_str().to_owned(),
        message: message.into(),
        details,
        request_id: current_request_id(),
    })
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match &self.0 {
            AppError::Validation(_) | AppError::BadRequest { .. } => StatusCode::BAD_REQUEST,
            AppError::Unauthenticated { .. } => StatusCode::UNAUTHORIZED,
            AppError::Forbidden { .. } => StatusCode::FORBIDDEN,
            AppError::NotFound { .. } => StatusCode::NOT_FOUND,
            AppError::PreconditionFailed { .. } => StatusCode::PRECONDITION_FAILED,
            AppError::Conflict { .. } => StatusCode::CONFLICT,
            AppError::Gone { .. } => StatusCode::GONE,
            AppError::BusinessRule { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            AppError::PayloadTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::UnsupportedMediaType { .. } => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            AppError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let message = match &self.0 {
            AppError::Internal(_) | AppError::Unavailable(_) => {
                // The cause chain goes to the log, never to the client.
                tracing::error!(error = %error_chain(&self.0), "request failed");
                match &self.0 {
                    AppError::Unavailable(_) => "a service this request needs is unavailable; retry later".to_owned(),
                    _ => "internal error; quote the request id when reporting it".to_owned(),
                }
            }
            other => other.to_string(),
        };
        let details =
            self.0.details().iter().map(|v| ErrorDetail { field: v.field.clone(), issue: v.issue.clone() }).collect();
        let mut response = http_error(self.status_code(), self.0.code(), message, details);
        if self.status_code() == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                actix_web::http::header::WWW_AUTHENTICATE,
                actix_web::http::header::HeaderValue::from_static("Bearer"),
            );
        }
        if let AppError::TooManyRequests { retry_after_seconds, .. } = &self.0 {
            response.headers_mut().insert(actix_web::http::header::RETRY_AFTER, (*retry_after_seconds).into());
        }
        response
    }
}

fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(&format!("\nCaused by: {cause}"));
        source = cause.source();
    }
    text
}
