//! Feeds committed events to their in-process consumers — the project summary read
//! model and the notifications — and rebuilds the read models from the outbox.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use tenantry_application::ports::RepositoryError;
use tenantry_application::Application;
use tenantry_infrastructure::Database;
use tenantry_kernel::{EventEnvelope, EventId};
use tokio::sync::broadcast::error::RecvError;
use tokio::sync::broadcast::Receiver;

const REPLAY_BATCH: i64 = 500;
const REPLAY_RETRY_MIN: Duration = Duration::from_millis(500);
const REPLAY_RETRY_MAX: Duration = Duration::from_secs(30);

/// Applies every event the bus delivers. Events are applied once each (the store
/// records their ids), so when this consumer falls behind, or fails on an event,
/// replaying the outbox repairs the read model without double counting. While the
/// database is unavailable the replay is retried with backoff, resuming where it
/// stopped, until it succeeds: an event that failed during an outage is applied once
/// the database is back. Any other failure is logged and the consumer moves on, so
/// one event it cannot apply never stops the read models.
///
/// `handled` counts the events received from the bus once they are applied (or
/// covered by a finished replay), so it can be compared with the bus's `published`.
pub(crate) async fn project(
    app: Arc<Application>,
    database: Database,
    mut events: Receiver<EventEnvelope>,
    handled: Arc<AtomicU64>,
) {
    // `Some(position)` while a replay is owed; the position is the last event replayed.
    let mut owed: Option<Option<EventId>> = None;
    // Events received (or missed) that count as handled once the owed replay is done.
    let mut awaiting_replay: u64 = 0;
    let mut retry_in = REPLAY_RETRY_MIN;
    loop {
        if let Some(mut position) = owed {
            match replay(&app, &database, &mut position).await {
                Ok(_) => retry_in = REPLAY_RETRY_MIN,
                Err(error @ RepositoryError::Unavailable(_)) => {
                    tracing::warn!(%error, retry_in_ms = retry_in.as_millis(), "replaying the outbox failed; retrying");
                    tokio::time::sleep(retry_in).await;
                    retry_in = (retry_in * 2).min(REPLAY_RETRY_MAX);
                    owed = Some(position);
                    continue;
                }
                Err(error) => tracing::error!(%error, "replaying the outbox failed; giving up until the next failure"),
            }
            owed = None;
            handled.fetch_add(std::mem::take(&mut awaiting_replay), Ordering::SeqCst);
        }
        match events.recv().await {
            Ok(event) => match consume(&app, &event).await {
                Ok(_) => {
                    handled.fetch_add(1, Ordering::SeqCst);
                }
                Err(error) => {
                    tracing::error!(%error, event_id = %event.id, "event consumer failed; replaying the outbox");
                    owed = Some(None);
                    awaiting_replay += 1;
                }
            },
            Err(RecvError::Lagged(missed)) => {
                tracing::warn!(missed, "read model consumer fell behind; replaying the outbox");
                owed = Some(None);
                awaiting_replay += missed;
            }
            Err(RecvError::Closed) => return,
        }
    }
}

/// Every consumer of one event; each is idempotent by event id. Answers whether
/// the summary read model changed.
async fn consume(app: &Application, event: &EventEnvelope) -> Result<bool, RepositoryError> {
    let changed = app.summary_projector().apply(event).await?;
    app.notifications_consumer().apply(event, chrono::Utc::now()).await?;
    Ok(changed)
}

/// Feeds every committed event after `position`, oldest first, to the consumers,
/// advancing `position` as it goes (so a retry resumes there); answers how many
/// changed the summary read model.
async fn replay(
    app: &Application,
    database: &Database,
    position: &mut Option<EventId>,
) -> Result<u64, RepositoryError> {
    let mut applied = 0;
    loop {
        let batch = database.events_after(*position, REPLAY_BATCH).await?;
        if batch.is_empty() {
            return Ok(applied);
        }
        for event in &batch {
            if consume(app, event).await? {
                applied += 1;
            }
            *position = Some(event.id);
        }
    }
}

/// Empties the read models, then replays the whole history into them.
pub(crate) async fn rebuild(app: &Application, database: &Database) -> anyhow::Result<u64> {
    app.summary_projector().reset().await?;
    Ok(replay(app, database, &mut None).await?)
}
