//! Feeds committed events to their in-process consumers — the project summary read
//! model and the notifications — and rebuilds the read models from the outbox.

use std::sync::Arc;
use std::time::Duration;

use tenantry_application::Application;
use tenantry_infrastructure::Database;
use tenantry_kernel::EventEnvelope;
use tokio::sync::broadcast::error::RecvError;
use tokio::sync::broadcast::Receiver;

const REPLAY_BATCH: i64 = 500;
const REPLAY_RETRY_MIN: Duration = Duration::from_millis(500);
const REPLAY_RETRY_MAX: Duration = Duration::from_secs(30);

/// Applies every event the bus delivers. Events are applied once each (the store
/// records their ids), so when this consumer falls behind, or fails on an event
/// (the database is down), replaying the whole outbox repairs the read model without
/// double counting. The replay is retried until it succeeds: an event that failed
/// while the database was away is applied once it is back.
pub(crate) async fn project(app: Arc<Application>, database: Database, mut events: Receiver<EventEnvelope>) {
    let mut behind = false;
    let mut retry_in = REPLAY_RETRY_MIN;
    loop {
        if behind {
            match replay(&app, &database).await {
                Ok(_) => {
                    behind = false;
                    retry_in = REPLAY_RETRY_MIN;
                }
                Err(error) => {
                    tracing::warn!(
                        error = format!("{error:#}"),
                        retry_in_ms = retry_in.as_millis(),
                        "replaying the outbox failed; retrying"
                    );
                    tokio::time::sleep(retry_in).await;
                    retry_in = (retry_in * 2).min(REPLAY_RETRY_MAX);
                    continue;
                }
            }
        }
        match events.recv().await {
            Ok(event) => {
                if let Err(error) = consume(&app, &event).await {
                    tracing::error!(%error, event_id = %event.id, "event consumer failed; replaying the outbox");
                    behind = true;
                }
            }
            Err(RecvError::Lagged(missed)) => {
                tracing::warn!(missed, "read model consumer fell behind; replaying the outbox");
                behind = true;
            }
            Err(RecvError::Closed) => return,
        }
    }
}

/// Every consumer of one event; each is idempotent by event id. Answers whether
/// the summary read model changed.
async fn consume(app: &Application, event: &EventEnvelope) -> anyhow::Result<bool> {
    let changed = app.summary_projector().apply(event).await?;
    app.notifications_consumer().apply(event, chrono::Utc::now()).await?;
    Ok(changed)
}

/// Feeds every committed event, oldest first, to the consumers; answers how many
/// changed the summary read model.
async fn replay(app: &Application, database: &Database) -> anyhow::Result<u64> {
    let mut after = None;
    let mut applied = 0;
    loop {
        let batch = database.events_after(after, REPLAY_BATCH).await?;
        let Some(last) = batch.last() else { return Ok(applied) };
        after = Some(last.id);
        for event in &batch {
            if consume(app, event).await? {
                applied += 1;
            }
        }
    }
}

/// Empties the read models, then replays the whole history into them.
pub(crate) async fn rebuild(app: &Application, database: &Database) -> anyhow::Result<u64> {
    app.summary_projector().reset().await?;
    replay(app, database).await
}
