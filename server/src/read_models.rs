//! Feeds committed events to their in-process consumers — the project summary read
//! model and the notifications — and rebuilds the read models from the outbox.

use std::sync::Arc;

use tenantry_application::Application;
use tenantry_infrastructure::Database;
use tenantry_kernel::EventEnvelope;
use tokio::sync::broadcast::error::RecvError;
use tokio::sync::broadcast::Receiver;

const REPLAY_BATCH: i64 = 500;

/// Applies every event the bus delivers. Events are applied once each (the store
/// records their ids), so when this consumer falls behind and the bus drops events,
/// replaying the whole outbox repairs the read model without double counting.
pub(crate) async fn project(app: Arc<Application>, database: Database, mut events: Receiver<EventEnvelope>) {
    loop {
        match events.recv().await {
            Ok(event) => {
                if let Err(error) = consume(&app, &event).await {
                    tracing::error!(%error, event_id = %event.id, "event consumer failed; replaying the outbox");
                    replay(&app, &database).await.ok();
                }
            }
            Err(RecvError::Lagged(missed)) => {
                tracing::warn!(missed, "read model consumer fell behind; replaying the outbox");
                replay(&app, &database).await.ok();
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
