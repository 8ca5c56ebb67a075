//! Event consumers: work that follows a committed event, outside its transaction.
//! Neutral ground, naming no context; Tenantry feeds every committed event to each
//! registered consumer in process.

use async_trait::async_trait;
use tenantry_kernel::EventEnvelope;

use crate::AppError;

/// Reacts to committed events of the types it names, in process, after commit.
/// An event may come again (a replayed outbox), so a consumer is idempotent by
/// `event.id`. Read another context's event through a type of the consumer's own
/// with [`EventEnvelope::decode`]: the payload is that context's published contract.
#[async_trait]
pub trait EventConsumer: Send + Sync + 'static {
    /// For logs: `invoices.totals`.
    fn name(&self) -> &'static str;

    /// The event types it handles (`projects.task_created`); others pass it by.
    fn event_types(&self) -> &[&'static str];

    /// # Errors
    /// `Unavailable` is retried with backoff; any other error is logged and the
    /// event skipped, so one event never stops the consumer.
    async fn consume(&self, event: &EventEnvelope) -> Result<(), AppError>;

    /// Empties what the consumer built from events, so `tenantry rebuild-read-models`
    /// can replay the whole history into it. `Ok(false)` (the default): it keeps
    /// state that is not a projection (notifications a user has read), so it is
    /// left alone.
    ///
    /// # Errors
    /// Storage failures.
    async fn reset(&self) -> Result<bool, AppError> {
        Ok(false)
    }
}
