use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use async_trait::async_trait;
use tenantry_application::ports::{EventPublisher, PublishError};
use tenantry_kernel::EventEnvelope;
use tokio::sync::broadcast;

/// Fan-out to in-process consumers. Each subscriber gets every event published
/// after it subscribed; a consumer that lags too far loses the oldest events and is
/// told so (`RecvError::Lagged`), which is why consumers must also be idempotent.
#[derive(Clone)]
pub struct InProcessEventBus {
    sender: broadcast::Sender<EventEnvelope>,
    published: Arc<AtomicU64>,
}

impl InProcessEventBus {
    pub fn new(capacity: usize) -> Self {
        let (sender, _) = broadcast::channel(capacity.max(1));
        Self { sender, published: Arc::new(AtomicU64::new(0)) }
    }

    pub fn subscribe(&self) -> broadcast::Receiver<EventEnvelope> {
        self.sender.subscribe()
    }

    /// How many events were published so far: consumers compare it with what they
    /// have handled to tell whether they have caught up.
    pub fn published(&self) -> u64 {
        self.published.load(Ordering::SeqCst)
    }
}

impl Default for InProcessEventBus {
    fn default() -> Self {
        Self::new(1024)
    }
}

#[async_trait]
impl EventPublisher for InProcessEventBus {
    async fn publish(&self, event: &EventEnvelope) -> Result<(), PublishError> {
        // No subscriber is not a failure: the event was delivered to everyone listening.
        let _ = self.sender.send(event.clone());
        self.published.fetch_add(1, Ordering::SeqCst);
        Ok(())
    }
}
