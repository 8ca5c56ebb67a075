//! A member who leaves the organization loses every grant on its files in the same
//! transaction (their own uploads stay, visible to the organization's admins).

use std::sync::Arc;

use async_trait::async_trait;
use tenantry_domain::tenancy::MemberRemoved;
use tenantry_kernel::EventEnvelope;

use crate::files::ports::FileRepositories;
use crate::pipeline::InTransactionReaction;
use crate::ports::UnitOfWork;
use crate::AppError;

/// Follows `tenancy.member_removed` inside the removal's transaction.
pub struct DepartedMemberLosesFileGrants {
    repositories: Arc<dyn FileRepositories>,
}

impl DepartedMemberLosesFileGrants {
    pub fn new(repositories: Arc<dyn FileRepositories>) -> Self {
        Self { repositories }
    }
}

#[async_trait]
impl InTransactionReaction for DepartedMemberLosesFileGrants {
    fn event_type(&self) -> &'static str {
        "tenancy.member_removed"
    }

    async fn react(&self, event: &EventEnvelope, uow: &mut dyn UnitOfWork) -> Result<(), AppError> {
        let removed: MemberRemoved = serde_json::from_value(event.payload.clone()).map_err(AppError::internal)?;
        self.repositories.files(uow)?.revoke_everywhere(removed.organization_id, removed.user_id).await?;
        Ok(())
    }
}
