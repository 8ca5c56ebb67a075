//! Feeds committed events to every consumer — Tenantry's read models and the
//! modules' consumers — each on a task of its own, so a slow consumer holds up no
//! other, and repairs what a consumer missed by replaying the outbox.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use tenantry_application::{AppError, EventConsumer};
use tenantry_infrastructure::Database;
use tenantry_kernel::{EventEnvelope, EventId};
use tokio::sync::broadcast::error::RecvError;
use tokio::sync::broadcast::Receiver;

const REPLAY_BATCH: i64 = 500;
const REPLAY_RETRY_MIN: Duration = Duration::from_millis(500);
const REPLAY_RETRY_MAX: Duration = Duration::from_secs(30);

/// A running consumer and how many published events it has dealt with, to compare
/// with the bus's count ([`crate::Tenantry::is_settled`]).
pub(crate) struct RunningConsumer {
    pub(crate) consumer: Arc<dyn EventConsumer>,
    pub(crate) handled: Arc<AtomicU64>,
    pub(crate) task: tokio::task::JoinHandle<()>,
}

pub(crate) fn spawn(
    consumer: Arc<dyn EventConsumer>,
    database: Database,
    events: Receiver<EventEnvelope>,
) -> RunningConsumer {
    let handled = Arc::new(AtomicU64::new(0));
    let task = tokio::spawn(run(consumer.clone(), database, events, handled.clone()));
    RunningConsumer { consumer, handled, task }
}

/// Applies every event of the consumer's types the bus delivers. Consumers are
/// idempotent by event id, so when one falls behind, or fails on an event, replaying
/// the outbox repairs it without double counting. While the database is unavailable
/// the replay is retried with backoff, resuming where it stopped; an event that still
/// fails in the replay is logged and passed, so one event it cannot apply never
/// stops it.
///
/// `handled` counts the events received from the bus (of any type) once they are
/// applied, passed by, or covered by a finished replay.
async fn run(
    consumer: Arc<dyn EventConsumer>,
    database: Database,
    mut events: Receiver<EventEnvelope>,
    handled: Arc<AtomicU64>,
) {
    let name = consumer.name();
    // `Some(position)` while a replay is owed; the position is the last event replayed.
    let mut owed: Option<Option<EventId>> = None;
    // Events received (or missed) that count as handled once the owed replay is done.
    let mut awaiting_replay: u64 = 0;
    let mut retry_in = REPLAY_RETRY_MIN;
    loop {
        if let Some(mut position) = owed {
            match replay(consumer.as_ref(), &database, &mut position).await {
                Ok(_) => retry_in = REPLAY_RETRY_MIN,
                Err(error @ AppError::Unavailable(_)) => {
                    tracing::warn!(consumer = name, %error, retry_in_ms = retry_in.as_millis(), "replaying the outbox failed; retrying");
                    tokio::time::sleep(retry_in).await;
                    retry_in = (retry_in * 2).min(REPLAY_RETRY_MAX);
                    owed = Some(position);
                    continue;
                }
                Err(error) => {
                    tracing::error!(consumer = name, %error, "replaying the outbox failed; giving up until the next failure");
                }
            }
            owed = None;
            handled.fetch_add(std::mem::take(&mut awaiting_replay), Ordering::SeqCst);
        }
        match events.recv().await {
            Ok(event) => match deliver(consumer.as_ref(), &event).await {
                Ok(_) => {
                    handled.fetch_add(1, Ordering::SeqCst);
                }
                Err(error) => {
                    tracing::error!(consumer = name, %error, event_id = %event.id, "event consumer failed; replaying the outbox");
                    owed = Some(None);
                    awaiting_replay += 1;
                }
            },
            Err(RecvError::Lagged(missed)) => {
                tracing::warn!(consumer = name, missed, "event consumer fell behind; replaying the outbox");
                owed = Some(None);
                awaiting_replay += missed;
            }
            Err(RecvError::Closed) => return,
        }
    }
}

/// One event, when it is of a type the consumer handles; answers whether it was.
async fn deliver(consumer: &dyn EventConsumer, event: &EventEnvelope) -> Result<bool, AppError> {
    if consumer.event_types().contains(&event.event_type.as_str()) {
        consumer.consume(event).await.map(|()| true)
    } else {
        Ok(false)
    }
}

/// Feeds every committed event after `position`, oldest first, to the consumer,
/// advancing `position` as it goes (so a retry resumes there); answers how many were
/// of its types. Only an unavailable store stops it (to be retried); an event the
/// consumer cannot apply is logged and passed, as on the live path, so one bad event
/// never holds back the ones after it.
pub(crate) async fn replay(
    consumer: &dyn EventConsumer,
    database: &Database,
    position: &mut Option<EventId>,
) -> Result<u64, AppError> {
    let mut delivered = 0;
    loop {
        let batch = database.events_after(*position, REPLAY_BATCH).await?;
        if batch.is_empty() {
            return Ok(delivered);
        }
        for event in &batch {
            match deliver(consumer, event).await {
                Ok(true) => delivered += 1,
                Ok(false) => {}
                Err(error @ AppError::Unavailable(_)) => return Err(error),
                Err(error) => {
                    tracing::error!(consumer = consumer.name(), %error, event_id = %event.id, "event consumer failed on a replayed event; passing it");
                }
            }
            *position = Some(event.id);
        }
    }
}
