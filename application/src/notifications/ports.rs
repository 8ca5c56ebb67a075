//! Ports of the notifications context.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use tenantry_kernel::{Page, PageRequest, UserId};

use crate::ports::RepositoryError;

/// Users' notifications and their per-kind choices. Delivery skips users who turned
/// the kind off and is idempotent per (event, user).
#[cfg_attr(test, mockall::automock)]
#[async_trait]
pub trait NotificationStore: Send + Sync + 'static {
    /// Stores the notifications not delivered before; answers how many are new.
    async fn deliver(
        &self,
        notifications: &[tenantry_domain::notifications::Notification],
    ) -> Result<usize, RepositoryError>;
    /// The user's notifications, unread first, then newest first.
    async fn list(
        &self,
        user: UserId,
        page: PageRequest,
    ) -> Result<Page<tenantry_domain::notifications::Notification>, RepositoryError>;
    /// Marks one of the user's notifications read; `false` when it is not theirs.
    async fn mark_read(
        &self,
        user: UserId,
        id: tenantry_domain::notifications::NotificationId,
        at: DateTime<Utc>,
    ) -> Result<bool, RepositoryError>;
    /// Marks every unread notification of the user read; answers how many.
    async fn mark_all_read(&self, user: UserId, at: DateTime<Utc>) -> Result<u64, RepositoryError>;
    /// The kinds the user turned off.
    async fn disabled_kinds(
        &self,
        user: UserId,
    ) -> Result<Vec<tenantry_domain::notifications::NotificationKind>, RepositoryError>;
    /// Turns kinds on or off for the user.
    async fn set_kinds(
        &self,
        user: UserId,
        choices: &[(tenantry_domain::notifications::NotificationKind, bool)],
    ) -> Result<(), RepositoryError>;
}
