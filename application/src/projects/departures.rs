//! A member who leaves the organization leaves its projects in the same transaction:
//! nobody outside the organization stays listed, assignable or notified in it.

use std::sync::Arc;

use async_trait::async_trait;
use tenantry_domain::tenancy::MemberRemoved;
use tenantry_kernel::{Clock, EventEnvelope};

use crate::pipeline::InTransactionReaction;
use crate::ports::UnitOfWork;
use crate::AppError;

/// Follows `tenancy.member_removed` inside the removal's transaction.
pub struct DepartedMemberLeavesProjects {
    clock: Arc<dyn Clock>,
}

impl DepartedMemberLeavesProjects {
    pub fn new(clock: Arc<dyn Clock>) -> Self {
        Self { clock }
    }
}

#[async_trait]
impl InTransactionReaction for DepartedMemberLeavesProjects {
    fn event_type(&self) -> &'static str {
        "tenancy.member_removed"
    }

    async fn react(&self, event: &EventEnvelope, uow: &mut dyn UnitOfWork) -> Result<(), AppError> {
        let removed: MemberRemoved = serde_json::from_value(event.payload.clone()).map_err(AppError::internal)?;
        uow.projects().remove_member_everywhere(removed.organization_id, removed.user_id, self.clock.now()).await?;
        Ok(())
    }
}
