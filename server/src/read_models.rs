//! Rebuilding read models (`tenantry rebuild-read-models`): every consumer that
//! keeps a pure projection empties it, then the whole outbox is replayed into it.

use std::sync::Arc;

use tenantry_application::EventConsumer;
use tenantry_infrastructure::Database;

use crate::consumers;

/// Resets and replays each rebuildable consumer (Tenantry's and the modules');
/// answers how many events were applied in all.
pub(crate) async fn rebuild(consumers: &[Arc<dyn EventConsumer>], database: &Database) -> anyhow::Result<u64> {
    let mut applied = 0;
    for consumer in consumers {
        if consumer.reset().await? {
            applied += consumers::replay(consumer.as_ref(), database, &mut None).await?;
        }
    }
    Ok(applied)
}
