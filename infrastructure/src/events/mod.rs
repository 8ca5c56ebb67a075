//! Event plumbing: the outbox relay that moves committed events to the bus, and the
//! in-process bus that is the embedded default.

mod bus;
mod relay;

use async_trait::async_trait;
use tenantry_application::ports::{EventPublisher, RepositoryError};

pub use bus::InProcessEventBus;
pub use relay::{OutboxRelay, RelayHandle};

/// The outbox table as the relay needs it.
#[async_trait]
pub trait Outbox: Send + Sync + 'static {
    /// Publishes up to `limit` pending events in order and marks them sent; stops at
    /// the first failure. Returns how many were delivered.
    async fn relay_batch(&self, publisher: &dyn EventPublisher, limit: i64) -> Result<usize, RepositoryError>;
    /// Events written but not yet delivered.
    async fn pending(&self) -> Result<i64, RepositoryError>;
}
