use std::sync::Arc;
use std::time::Duration;

use tenantry_application::ports::EventPublisher;
use tokio::sync::{watch, Notify};
use tokio::task::JoinHandle;

use super::Outbox;

const BATCH: i64 = 100;
const POLL_INTERVAL: Duration = Duration::from_millis(500);
const MAX_BACKOFF: Duration = Duration::from_secs(30);

/// Background task delivering outbox rows to a publisher: woken at once by each
/// commit that wrote events, and polling as a safety net (other instances' commits,
/// earlier failures). Failures back off exponentially.
pub struct OutboxRelay {
    outbox: Arc<dyn Outbox>,
    publisher: Arc<dyn EventPublisher>,
    signal: Arc<Notify>,
}

/// Stops the relay after it finishes the batch in hand.
pub struct RelayHandle {
    stop: watch::Sender<bool>,
    task: JoinHandle<()>,
}

impl RelayHandle {
    pub async fn shutdown(self) {
        let _ = self.stop.send(true);
        let _ = self.task.await;
    }
}

impl OutboxRelay {
    pub fn new(outbox: Arc<dyn Outbox>, publisher: Arc<dyn EventPublisher>, signal: Arc<Notify>) -> Self {
        Self { outbox, publisher, signal }
    }

    pub fn spawn(self) -> RelayHandle {
        let (stop, mut stopped) = watch::channel(false);
        let task = tokio::spawn(async move {
            let mut backoff = POLL_INTERVAL;
            loop {
                let wait = match self.outbox.relay_batch(self.publisher.as_ref(), BATCH).await {
                    Ok(delivered) if delivered as i64 == BATCH => Duration::ZERO,
                    Ok(_) => {
                        backoff = POLL_INTERVAL;
                        POLL_INTERVAL
                    }
                    Err(error) => {
                        tracing::warn!(%error, retry_in_ms = backoff.as_millis() as u64, "outbox relay failed");
                        let wait = backoff;
                        backoff = (backoff * 2).min(MAX_BACKOFF);
                        wait
                    }
                };
                tokio::select! {
                    _ = stopped.changed() => break,
                    _ = self.signal.notified() => {}
                    _ = tokio::time::sleep(wait) => {}
                }
            }
        });
        RelayHandle { stop, task }
    }
}
