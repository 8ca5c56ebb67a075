//! The caller's in-app notifications and their per-kind preferences.

use actix_web::{get, post, put, web, HttpResponse};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use tenantry_domain::notifications::{Notification, NotificationId, NotificationKind};
use tenantry_kernel::SortOrder;
use utoipa::ToSchema;
use uuid::Uuid;

use std::sync::Arc;

use tenantry_application::notifications::Notifications;
use utoipa::OpenApi;

use crate::auth::Authenticated;
use crate::error::{ApiError, ErrorBody};
use crate::paging::{PageParams, PageResponse};

/// The notifications context's HTTP side, a module like any product's.
pub struct NotificationsHttp {
    pub notifications: Arc<Notifications>,
}

impl crate::HttpModule for NotificationsHttp {
    fn configure(&self, cfg: &mut web::ServiceConfig) {
        cfg.app_data(web::Data::from(self.notifications.clone()))
            .service(list_notifications)
            .service(mark_all_read)
            .service(get_preferences)
            .service(put_preferences)
            .service(mark_read);
    }
}

impl NotificationsHttp {
    /// The notifications routes' paths and schemas.
    pub fn document() -> crate::ModuleDocument {
        crate::ModuleDocument { openapi: Some(NotificationsApi::openapi()), error_codes: Vec::new() }
    }
}

#[derive(OpenApi)]
#[openapi(
    paths(list_notifications, mark_read, mark_all_read, get_preferences, put_preferences),
    tags((name = "notifications", description = "In-app notifications"))
)]
struct NotificationsApi;

/// A notification.
#[derive(Debug, Serialize, ToSchema)]
pub struct NotificationResponse {
    pub id: Uuid,
    /// The organization it happened in.
    pub organization_id: Option<Uuid>,
    #[schema(example = "task_assigned")]
    pub kind: &'static str,
    #[schema(example = "You were assigned a task")]
    pub title: String,
    #[schema(example = "task")]
    pub entity_type: String,
    pub entity_id: String,
    pub created_at: DateTime<Utc>,
    pub read_at: Option<DateTime<Utc>>,
}

impl From<Notification> for NotificationResponse {
    fn from(note: Notification) -> Self {
        Self {
            id: note.id.as_uuid(),
            organization_id: note.tenant_id.map(|t| t.as_uuid()),
            kind: note.kind.as_str(),
            title: note.title,
            entity_type: note.entity_type,
            entity_id: note.entity_id,
            created_at: note.created_at,
            read_at: note.read_at,
        }
    }
}

/// How many notifications were marked read.
#[derive(Debug, Serialize, ToSchema)]
pub struct MarkedRead {
    pub marked: u64,
}

/// Which kinds of notification the caller receives. In a PUT, absent kinds stay as they are.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NotificationPreferences {
    pub task_assigned: Option<bool>,
    pub comment_on_your_task: Option<bool>,
    pub invitation_accepted: Option<bool>,
    pub file_processed: Option<bool>,
}

impl NotificationPreferences {
    fn choices(&self) -> Vec<(NotificationKind, bool)> {
        [
            (NotificationKind::TaskAssigned, self.task_assigned),
            (NotificationKind::CommentOnYourTask, self.comment_on_your_task),
            (NotificationKind::InvitationAccepted, self.invitation_accepted),
            (NotificationKind::FileProcessed, self.file_processed),
        ]
        .into_iter()
        .filter_map(|(kind, choice)| choice.map(|enabled| (kind, enabled)))
        .collect()
    }

    fn from_states(states: &[(NotificationKind, bool)]) -> Self {
        let state = |wanted| states.iter().find(|(kind, _)| *kind == wanted).map(|(_, enabled)| *enabled);
        Self {
            task_assigned: state(NotificationKind::TaskAssigned),
            comment_on_your_task: state(NotificationKind::CommentOnYourTask),
            invitation_accepted: state(NotificationKind::InvitationAccepted),
            file_processed: state(NotificationKind::FileProcessed),
        }
    }
}

/// The caller's notifications, unread first, then newest first.
#[utoipa::path(
    tag = "notifications",
    security(("bearer" = [])),
    params(PageParams),
    responses((status = 200, body = crate::paging::PageResponse<NotificationResponse>), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody))
)]
#[get("/api/v1/notifications")]
pub(crate) async fn list_notifications(
    notifications: web::Data<Notifications>,
    auth: Authenticated,
    params: web::Query<PageParams>,
) -> Result<HttpResponse, ApiError> {
    // Unread first, then newest first.
    let page = params.fixed_order("created_at", SortOrder::Desc)?;
    let notes = notifications.list(&auth.0, page).await?;
    Ok(HttpResponse::Ok().json(PageResponse::from_page(notes, NotificationResponse::from)))
}

/// Mark one notification read (idempotent).
#[utoipa::path(
    tag = "notifications",
    security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    responses((status = 204, description = "Read"), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody))
)]
#[post("/api/v1/notifications/{id}/read")]
pub(crate) async fn mark_read(
    notifications: web::Data<Notifications>,
    auth: Authenticated,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    notifications.mark_read(&auth.0, NotificationId::from_uuid(path.into_inner())).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Mark every notification read.
#[utoipa::path(
    tag = "notifications",
    security(("bearer" = [])),
    responses((status = 200, body = MarkedRead), (status = 401, body = ErrorBody))
)]
#[post("/api/v1/notifications/read-all")]
pub(crate) async fn mark_all_read(
    notifications: web::Data<Notifications>,
    auth: Authenticated,
) -> Result<HttpResponse, ApiError> {
    let marked = notifications.mark_all_read(&auth.0).await?;
    Ok(HttpResponse::Ok().json(MarkedRead { marked }))
}

/// Which kinds of notification the caller receives.
#[utoipa::path(
    tag = "notifications",
    security(("bearer" = [])),
    responses((status = 200, body = NotificationPreferences), (status = 401, body = ErrorBody))
)]
#[get("/api/v1/notifications/preferences")]
pub(crate) async fn get_preferences(
    notifications: web::Data<Notifications>,
    auth: Authenticated,
) -> Result<HttpResponse, ApiError> {
    let states = notifications.preferences(&auth.0).await?;
    Ok(HttpResponse::Ok().json(NotificationPreferences::from_states(&states)))
}

/// Turn kinds of notification on or off; answers every kind's state.
#[utoipa::path(
    tag = "notifications",
    security(("bearer" = [])),
    request_body = NotificationPreferences,
    responses((status = 200, body = NotificationPreferences), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody))
)]
#[put("/api/v1/notifications/preferences")]
pub(crate) async fn put_preferences(
    notifications: web::Data<Notifications>,
    auth: Authenticated,
    body: web::Json<NotificationPreferences>,
) -> Result<HttpResponse, ApiError> {
    let states = notifications.set_preferences(&auth.0, &body.choices()).await?;
    Ok(HttpResponse::Ok().json(NotificationPreferences::from_states(&states)))
}
