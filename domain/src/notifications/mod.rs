//! In-app notifications: what a user is told about events that concern them.

use chrono::{DateTime, Utc};
use tenantry_kernel::{EventId, TenantId, UserId};

tenantry_kernel::typed_id!(
    /// One notification of one user.
    NotificationId
);

/// What a notification is about; users can turn each kind off.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NotificationKind {
    TaskAssigned,
    CommentOnYourTask,
    InvitationAccepted,
    /// Background processing of your upload ended (its thumbnail is ready, or failed).
    FileProcessed,
}

impl NotificationKind {
    pub const ALL: [NotificationKind; 4] = [
        NotificationKind::TaskAssigned,
        NotificationKind::CommentOnYourTask,
        NotificationKind::InvitationAccepted,
        NotificationKind::FileProcessed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::TaskAssigned => "task_assigned",
            Self::CommentOnYourTask => "comment_on_your_task",
            Self::InvitationAccepted => "invitation_accepted",
            Self::FileProcessed => "file_processed",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.as_str() == text)
    }

    /// The line shown to the user.
    pub fn title(self) -> &'static str {
        match self {
            Self::TaskAssigned => "You were assigned a task",
            Self::CommentOnYourTask => "New comment on your task",
            Self::InvitationAccepted => "Your invitation was accepted",
            Self::FileProcessed => "Your upload has been processed",
        }
    }
}

/// A notification as stored and listed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notification {
    pub id: NotificationId,
    pub tenant_id: Option<TenantId>,
    pub user_id: UserId,
    pub kind: NotificationKind,
    pub title: String,
    /// What to open: (`task`, id), (`organization`, id)...
    pub entity_type: String,
    pub entity_id: String,
    /// The event that caused it: delivering that event again makes no second notification.
    pub event_id: EventId,
    pub created_at: DateTime<Utc>,
    pub read_at: Option<DateTime<Utc>>,
}

impl Notification {
    /// A new, unread notification of `kind` for `user`, caused by `event`.
    pub fn new(
        kind: NotificationKind,
        user_id: UserId,
        tenant_id: Option<TenantId>,
        entity: (&str, String),
        event_id: EventId,
        now: DateTime<Utc>,
    ) -> Self {
        Self {
            id: NotificationId::new(),
            tenant_id,
            user_id,
            kind,
            title: kind.title().to_owned(),
            entity_type: entity.0.to_owned(),
            entity_id: entity.1,
            event_id,
            created_at: now,
            read_at: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_round_trip_through_their_names() {
        for kind in NotificationKind::ALL {
            assert_eq!(NotificationKind::parse(kind.as_str()), Some(kind));
        }
        assert_eq!(NotificationKind::parse("everything"), None);
    }
}
