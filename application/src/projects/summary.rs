//! The project summary read model (CQRS, seed 004 use case 6): task counts per
//! status, estimated and logged minutes, budget — kept by a projector from the
//! projects events, never aggregated per request, and rebuildable from the outbox.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde_json::Value;
use tenantry_domain::projects::ProjectId;
use tenantry_kernel::{EventEnvelope, TenantId};

use crate::ports::RepositoryError;
use crate::projects::ports::ProjectSummaryStore;
use crate::{AppError, EventConsumer};

/// The event types that change a summary.
pub const SUMMARY_EVENTS: &[&str] = &[
    "projects.project_created",
    "projects.project_updated",
    "projects.project_deleted",
    "projects.task_created",
    "projects.task_status_changed",
    "projects.task_estimate_changed",
    "projects.time_logged",
];

/// What one event changes in a summary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SummaryChange {
    /// A new project: an empty summary with its budget.
    Opened {
        budget_amount_minor: Option<i64>,
        budget_currency: Option<String>,
    },
    Budget {
        budget_amount_minor: Option<i64>,
        budget_currency: Option<String>,
    },
    /// Counter deltas.
    Counts {
        todo: i64,
        in_progress: i64,
        done: i64,
        estimated_minutes: i64,
        logged_minutes: i64,
    },
    Closed,
}

impl SummaryChange {
    fn counts() -> Self {
        Self::Counts { todo: 0, in_progress: 0, done: 0, estimated_minutes: 0, logged_minutes: 0 }
    }

    fn with_status(mut self, status: &str, delta: i64) -> Self {
        if let Self::Counts { todo, in_progress, done, .. } = &mut self {
            match status {
                "todo" => *todo += delta,
                "in_progress" => *in_progress += delta,
                "done" => *done += delta,
                _ => {}
            }
        }
        self
    }
}

/// A project's summary as the read model holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProjectSummary {
    pub todo: i64,
    pub in_progress: i64,
    pub done: i64,
    pub estimated_minutes: i64,
    pub logged_minutes: i64,
    pub budget_amount_minor: Option<i64>,
    pub budget_currency: Option<String>,
    pub updated_at: DateTime<Utc>,
}

fn minutes(value: &Value) -> i64 {
    value.as_i64().unwrap_or(0)
}

fn budget(payload: &Value) -> (Option<i64>, Option<String>) {
    (payload["budget_amount_minor"].as_i64(), payload["budget_currency"].as_str().map(str::to_owned))
}

/// The summary change an event carries, if it concerns one.
pub fn summary_change(event: &EventEnvelope) -> Option<(TenantId, ProjectId, SummaryChange)> {
    let payload = &event.payload;
    let tenant = event.tenant_id?;
    let project = payload["project_id"].as_str().and_then(|id| id.parse::<uuid::Uuid>().ok())?;
    let change = match event.event_type.as_str() {
        "projects.project_created" => {
            let (budget_amount_minor, budget_currency) = budget(payload);
            SummaryChange::Opened { budget_amount_minor, budget_currency }
        }
        "projects.project_updated" => {
            let (budget_amount_minor, budget_currency) = budget(payload);
            SummaryChange::Budget { budget_amount_minor, budget_currency }
        }
        "projects.project_deleted" => SummaryChange::Closed,
        "projects.task_created" => {
            let mut change = SummaryChange::counts().with_status(payload["status"].as_str().unwrap_or("todo"), 1);
            if let SummaryChange::Counts { estimated_minutes, .. } = &mut change {
                *estimated_minutes = minutes(&payload["estimate_minutes"]);
            }
            change
        }
        "projects.task_status_changed" => SummaryChange::counts()
            .with_status(payload["from"].as_str().unwrap_or_default(), -1)
            .with_status(payload["to"].as_str().unwrap_or_default(), 1),
        "projects.task_estimate_changed" => {
            let mut change = SummaryChange::counts();
            if let SummaryChange::Counts { estimated_minutes, .. } = &mut change {
                *estimated_minutes = minutes(&payload["to"]) - minutes(&payload["from"]);
            }
            change
        }
        "projects.time_logged" => {
            let mut change = SummaryChange::counts();
            if let SummaryChange::Counts { logged_minutes, .. } = &mut change {
                *logged_minutes = minutes(&payload["minutes"]);
            }
            change
        }
        _ => return None,
    };
    Some((tenant, ProjectId::from_uuid(project), change))
}

/// Applies events to the summary store, each at most once (by event id).
pub struct ProjectSummaryProjector {
    store: Arc<dyn ProjectSummaryStore>,
}

impl ProjectSummaryProjector {
    pub fn new(store: Arc<dyn ProjectSummaryStore>) -> Self {
        Self { store }
    }

    /// `true` when the event changed a summary; events of other kinds, and events
    /// seen before, change nothing.
    ///
    /// # Errors
    /// Storage failures (the consumer retries or a rebuild repairs).
    pub async fn apply(&self, event: &EventEnvelope) -> Result<bool, RepositoryError> {
        match summary_change(event) {
            Some((tenant, project, change)) => {
                self.store.apply(event.id, tenant, project, &change, event.occurred_at).await
            }
            None => Ok(false),
        }
    }

    /// Forgets every summary, before replaying the whole event history.
    ///
    /// # Errors
    /// Storage failures.
    pub async fn reset(&self) -> Result<(), RepositoryError> {
        self.store.reset().await
    }
}

#[async_trait::async_trait]
impl EventConsumer for ProjectSummaryProjector {
    fn name(&self) -> &'static str {
        "projects.summary"
    }

    fn event_types(&self) -> &[&'static str] {
        SUMMARY_EVENTS
    }

    async fn consume(&self, event: &EventEnvelope) -> Result<(), AppError> {
        self.apply(event).await.map(drop).map_err(AppError::from)
    }

    /// The summaries are a pure projection of the events: rebuildable.
    async fn reset(&self) -> Result<bool, AppError> {
        ProjectSummaryProjector::reset(self).await?;
        Ok(true)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;
    use tenantry_kernel::EventId;

    use super::*;

    fn event(event_type: &str, payload: Value) -> EventEnvelope {
        EventEnvelope {
            id: EventId::new(),
            event_type: event_type.to_owned(),
            occurred_at: Utc::now(),
            tenant_id: Some(TenantId::new()),
            actor_id: None,
            payload,
        }
    }

    #[test]
    fn task_events_become_counter_deltas() {
        let project = ProjectId::new().to_string();
        let created =
            event("projects.task_created", json!({"project_id": project, "status": "todo", "estimate_minutes": 90}));
        assert_eq!(
            summary_change(&created).unwrap().2,
            SummaryChange::Counts { todo: 1, in_progress: 0, done: 0, estimated_minutes: 90, logged_minutes: 0 }
        );
        let moved =
            event("projects.task_status_changed", json!({"project_id": project, "from": "in_progress", "to": "done"}));
        assert_eq!(
            summary_change(&moved).unwrap().2,
            SummaryChange::Counts { todo: 0, in_progress: -1, done: 1, estimated_minutes: 0, logged_minutes: 0 }
        );
        let estimate = event("projects.task_estimate_changed", json!({"project_id": project, "from": 90, "to": null}));
        assert!(matches!(summary_change(&estimate).unwrap().2, SummaryChange::Counts { estimated_minutes: -90, .. }));
        assert!(summary_change(&event("identity.user_registered", json!({}))).is_none());
    }
}
