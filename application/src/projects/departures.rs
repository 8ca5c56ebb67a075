//! A member who leaves the organization leaves its projects in the same transaction:
//! nobody outside the organization stays listed, assignable or notified in it.

use std::sync::Arc;

use async_trait::async_trait;
use tenantry_domain::tenancy::MemberRemoved;
use tenantry_kernel::EventEnvelope;

use crate::pipeline::InTransactionReaction;
use crate::ports::UnitOfWork;
use crate::projects::ports::ProjectRepositories;
use crate::AppError;

/// Follows `tenancy.member_removed` inside the removal's transaction.
/// The removal's own instant (`occurred_at`) is when they left each project.
pub struct DepartedMemberLeavesProjects {
    repositories: Arc<dyn ProjectRepositories>,
}

impl DepartedMemberLeavesProjects {
    pub fn new(repositories: Arc<dyn ProjectRepositories>) -> Self {
        Self { repositories }
    }
}

#[async_trait]
impl InTransactionReaction for DepartedMemberLeavesProjects {
    fn event_type(&self) -> &'static str {
        "tenancy.member_removed"
    }

    async fn react(&self, event: &EventEnvelope, uow: &mut dyn UnitOfWork) -> Result<(), AppError> {
        let removed: MemberRemoved = serde_json::from_value(event.payload.clone()).map_err(AppError::internal)?;
        self.repositories
            .projects(uow)?
            .remove_member_everywhere(removed.organization_id, removed.user_id, event.occurred_at)
            .await?;
        Ok(())
    }
}
