//! In-app notifications: a consumer turns committed events into notifications for
//! the users they concern (task assigned to you, comment on your task, invitation
//! accepted, your upload processed), honouring each user's per-kind choices; delivery is idempotent by
//! event id. Events are read by type and field, never by importing other contexts.

pub mod ports;

use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use tenantry_domain::notifications::{Notification, NotificationId, NotificationKind};
use tenantry_kernel::{Clock, EventEnvelope, Page, PageRequest, UserId};

use crate::notifications::ports::NotificationStore;
use crate::ports::RepositoryError;
use crate::{AppError, EventConsumer, RequestContext};

/// The event types that notify someone.
pub const NOTIFYING_EVENTS: &[&str] =
    &["projects.task_assigned", "projects.comment_added", "tenancy.invitation_accepted", "files.file_processed"];

fn user(value: &serde_json::Value) -> Option<UserId> {
    value.as_str()?.parse::<uuid::Uuid>().ok().map(UserId::from_uuid)
}

fn id(value: &serde_json::Value) -> Option<String> {
    value.as_str().map(str::to_owned)
}

/// The notifications an event causes (none for most events, and none for what
/// users do to themselves).
pub fn notifications_for(event: &EventEnvelope, now: DateTime<Utc>) -> Vec<Notification> {
    let payload = &event.payload;
    let notify = |kind, recipient: Option<UserId>, actor: Option<UserId>, entity: (&str, Option<String>)| match (
        recipient, entity.1,
    ) {
        (Some(recipient), Some(entity_id)) if Some(recipient) != actor => {
            vec![Notification::new(kind, recipient, event.tenant_id, (entity.0, entity_id), event.id, now)]
        }
        _ => Vec::new(),
    };
    match event.event_type.as_str() {
        "projects.task_assigned" => notify(
            NotificationKind::TaskAssigned,
            user(&payload["assignee_id"]),
            user(&payload["assigned_by"]),
            ("task", id(&payload["task_id"])),
        ),
        "projects.comment_added" => notify(
            NotificationKind::CommentOnYourTask,
            user(&payload["task_assignee_id"]),
            user(&payload["author_id"]),
            ("task", id(&payload["task_id"])),
        ),
        "tenancy.invitation_accepted" => notify(
            NotificationKind::InvitationAccepted,
            user(&payload["invited_by"]),
            user(&payload["user_id"]),
            ("organization", id(&payload["organization_id"])),
        ),
        "files.file_processed" => notify(
            NotificationKind::FileProcessed,
            user(&payload["uploaded_by"]),
            None,
            ("file", id(&payload["file_id"])),
        ),
        _ => Vec::new(),
    }
}

/// Delivers the notifications of each committed event.
pub struct NotificationsConsumer {
    store: Arc<dyn NotificationStore>,
    clock: Arc<dyn Clock>,
}

impl NotificationsConsumer {
    pub fn new(store: Arc<dyn NotificationStore>, clock: Arc<dyn Clock>) -> Self {
        Self { store, clock }
    }

    /// Answers how many notifications were new (0 for a redelivered event).
    ///
    /// # Errors
    /// Storage failures (a replay of the outbox repairs them).
    pub async fn apply(&self, event: &EventEnvelope, now: DateTime<Utc>) -> Result<usize, RepositoryError> {
        let notifications = notifications_for(event, now);
        if notifications.is_empty() {
            return Ok(0);
        }
        self.store.deliver(&notifications).await
    }
}

#[async_trait]
impl EventConsumer for NotificationsConsumer {
    fn name(&self) -> &'static str {
        "notifications.delivery"
    }

    fn event_types(&self) -> &[&'static str] {
        NOTIFYING_EVENTS
    }

    async fn consume(&self, event: &EventEnvelope) -> Result<(), AppError> {
        self.apply(event, self.clock.now()).await.map(drop).map_err(AppError::from)
    }
}

/// A user's notifications and choices. Reading and marking notifications is private
/// bookkeeping of the user, so it is not audited.
pub struct Notifications {
    store: Arc<dyn NotificationStore>,
    clock: Arc<dyn Clock>,
}

impl Notifications {
    pub fn new(store: Arc<dyn NotificationStore>, clock: Arc<dyn Clock>) -> Self {
        Self { store, clock }
    }

    /// The caller's notifications, unread first.
    ///
    /// # Errors
    /// 401/403 without a signed-in user.
    pub async fn list(&self, context: &RequestContext, page: PageRequest) -> Result<Page<Notification>, AppError> {
        let user = context.require_principal()?.user_id;
        Ok(self.store.list(user, page).await?)
    }

    /// # Errors
    /// 404 when the notification is not the caller's.
    pub async fn mark_read(&self, context: &RequestContext, id: NotificationId) -> Result<(), AppError> {
        let user = context.require_principal()?.user_id;
        if self.store.mark_read(user, id, self.clock.now()).await? {
            Ok(())
        } else {
            Err(AppError::NotFound { message: "notification not found" })
        }
    }

    /// Answers how many were unread.
    ///
    /// # Errors
    /// 401/403 without a signed-in user.
    pub async fn mark_all_read(&self, context: &RequestContext) -> Result<u64, AppError> {
        let user = context.require_principal()?.user_id;
        Ok(self.store.mark_all_read(user, self.clock.now()).await?)
    }

    /// Every kind with whether the caller receives it.
    ///
    /// # Errors
    /// 401/403 without a signed-in user.
    pub async fn preferences(&self, context: &RequestContext) -> Result<Vec<(NotificationKind, bool)>, AppError> {
        let user = context.require_principal()?.user_id;
        let disabled = self.store.disabled_kinds(user).await?;
        Ok(NotificationKind::ALL.into_iter().map(|kind| (kind, !disabled.contains(&kind))).collect())
    }

    /// Turns kinds on or off and answers every kind's state.
    ///
    /// # Errors
    /// 401/403 without a signed-in user.
    pub async fn set_preferences(
        &self,
        context: &RequestContext,
        choices: &[(NotificationKind, bool)],
    ) -> Result<Vec<(NotificationKind, bool)>, AppError> {
        let user = context.require_principal()?.user_id;
        self.store.set_kinds(user, choices).await?;
        self.preferences(context).await
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;
    use tenantry_kernel::{EventId, TenantId};

    use super::*;

    fn event(event_type: &str, payload: serde_json::Value) -> EventEnvelope {
        EventEnvelope {
            id: EventId::new(),
            event_type: event_type.to_owned(),
            occurred_at: Utc::now(),
            tenant_id: Some(TenantId::new()),
            actor_id: None,
            payload,
        }
    }

    #[test]
    fn an_assignment_notifies_the_assignee_unless_they_assigned_themselves() {
        let (bob, alice) = (UserId::new(), UserId::new());
        let task = uuid::Uuid::now_v7().to_string();
        let assigned =
            event("projects.task_assigned", json!({"assignee_id": bob, "assigned_by": alice, "task_id": task}));
        let notes = notifications_for(&assigned, Utc::now());
        assert_eq!(notes.len(), 1);
        assert_eq!((notes[0].user_id, notes[0].kind), (bob, NotificationKind::TaskAssigned));
        assert_eq!((notes[0].entity_type.as_str(), notes[0].entity_id.as_str()), ("task", task.as_str()));
        let own = event("projects.task_assigned", json!({"assignee_id": bob, "assigned_by": bob, "task_id": task}));
        assert!(notifications_for(&own, Utc::now()).is_empty());
    }

    #[test]
    fn comments_notify_the_assignee_and_acceptances_the_inviter() {
        let (bob, carol) = (UserId::new(), UserId::new());
        let comment = event(
            "projects.comment_added",
            json!({"task_assignee_id": bob, "author_id": carol, "task_id": uuid::Uuid::now_v7()}),
        );
        assert_eq!(notifications_for(&comment, Utc::now())[0].kind, NotificationKind::CommentOnYourTask);
        let unassigned = event("projects.comment_added", json!({"task_assignee_id": null, "author_id": carol}));
        assert!(notifications_for(&unassigned, Utc::now()).is_empty());
        let accepted = event(
            "tenancy.invitation_accepted",
            json!({"invited_by": bob, "user_id": carol, "organization_id": uuid::Uuid::now_v7()}),
        );
        assert_eq!(notifications_for(&accepted, Utc::now())[0].user_id, bob);
        assert!(notifications_for(&event("identity.user_registered", json!({})), Utc::now()).is_empty());
    }
}
