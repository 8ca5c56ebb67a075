//! Rebuilding Tenantry's read models (`tenantry rebuild-read-models`): empty them,
//! then replay the whole outbox into their consumers.

use tenantry_application::Application;
use tenantry_infrastructure::Database;

use crate::consumers;

/// Empties the project summaries, then replays the whole history into them;
/// answers how many events of theirs were applied.
pub(crate) async fn rebuild(app: &Application, database: &Database) -> anyhow::Result<u64> {
    app.summary_projector().reset().await?;
    Ok(consumers::replay(app.summary_projector().as_ref(), database, &mut None).await?)
}
