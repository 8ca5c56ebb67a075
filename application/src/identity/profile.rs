//! The user's own profile: display name and a preferences document (seeds 000/001
//! user-profile module). Preferences change by JSON merge patch, in the same
//! transaction as the name.

use std::sync::Arc;

use async_trait::async_trait;
use tenantry_domain::identity::{DisplayName, ProfileUpdated};
use tenantry_kernel::{Clock, ValidationError};

use crate::identity::ports::IdentityRepositories;
use crate::pipeline::{AuditSubject, Authorization, Command, CommandHandler, RequestContext};
use crate::ports::UnitOfWork;
use crate::AppError;

/// Change the caller's profile; absent fields stay as they are.
#[derive(Debug, Clone, Default)]
pub struct UpdateProfile {
    pub display_name: Option<String>,
    /// A JSON merge patch (RFC 7396) for the preferences document.
    pub preferences: Option<serde_json::Value>,
}

impl Command for UpdateProfile {
    const NAME: &'static str = "identity.update_profile";
    /// The names of the fields that changed.
    type Output = Vec<&'static str>;

    fn authorization(&self) -> Authorization {
        Authorization::Authenticated
    }

    fn audit_subject(&self, context: &RequestContext, changed: &Vec<&'static str>) -> Option<AuditSubject> {
        let user = context.principal.as_ref()?.user_id;
        (!changed.is_empty()).then(|| AuditSubject::new("user", user))
    }
}

pub struct UpdateProfileHandler {
    repositories: Arc<dyn IdentityRepositories>,
    clock: Arc<dyn Clock>,
}

impl UpdateProfileHandler {
    pub fn new(repositories: Arc<dyn IdentityRepositories>, clock: Arc<dyn Clock>) -> Self {
        Self { repositories, clock }
    }
}

#[async_trait]
impl CommandHandler<UpdateProfile> for UpdateProfileHandler {
    /// # Errors
    /// 400 for a bad display name or a preferences patch that is not an object or
    /// makes the document too large or too deep (both reported together).
    async fn handle(
        &self,
        context: &RequestContext,
        command: &UpdateProfile,
        uow: &mut dyn UnitOfWork,
    ) -> Result<Vec<&'static str>, AppError> {
        let principal = context.require_principal()?;
        let now = self.clock.now();
        let name = command.display_name.as_deref().map(DisplayName::parse).transpose();
        let current = match &command.preferences {
            Some(_) => Some(self.repositories.preferences(uow)?.get(principal.user_id).await?.unwrap_or_default()),
            None => None,
        };
        let preferences = match (&current, &command.preferences) {
            (Some(current), Some(patch)) => Some(current.merged(patch.clone())).transpose(),
            _ => Ok(None),
        };
        let (name, preferences) = match (name, preferences) {
            (Ok(name), Ok(preferences)) => (name, preferences),
            (name, preferences) => {
                return Err(ValidationError::collect([name.map(drop), preferences.map(drop)])
                    .err()
                    .map_or_else(|| AppError::internal(ValidationError::field("input", "invalid")), AppError::from))
            }
        };
        let mut changed = Vec::new();
        if let Some(name) = name {
            let mut user = self
                .repositories
                .users(uow)?
                .find_by_id(principal.user_id)
                .await?
                .ok_or(AppError::NotFound { message: "user not found" })?;
            if user.rename(name, now) {
                self.repositories.users(uow)?.update(&user).await?;
                changed.push("display_name");
            }
        }
        if let (Some(preferences), Some(current)) = (preferences, current) {
            if preferences != current {
                self.repositories.preferences(uow)?.put(principal.user_id, &preferences, now).await?;
                changed.push("preferences");
            }
        }
        if !changed.is_empty() {
            let event = ProfileUpdated { user_id: principal.user_id, fields: changed.clone() };
            uow.record_event(super::envelope(&event, context, now)?);
        }
        Ok(changed)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;
    use tenantry_domain::identity::Preferences;
    use tenantry_kernel::SessionId;

    use super::*;
    use crate::identity::test_support::*;
    use crate::pipeline::Principal;
    use crate::ErrorCode;

    fn signed_in(user: tenantry_kernel::UserId) -> RequestContext {
        RequestContext { principal: Some(Principal::session(user, SessionId::new())), ..RequestContext::default() }
    }

    #[tokio::test]
    async fn renames_and_merges_preferences_in_one_go() {
        let user = stored_user("alice@example.com");
        let id = user.id();
        let mut uow = TestUnitOfWork::default();
        uow.users.expect_find_by_id().returning(move |_| Ok(Some(user.clone())));
        uow.users.expect_update().withf(|u| u.display_name().as_str() == "Alice B").times(1).returning(|_| Ok(()));
        uow.preferences
            .expect_get()
            .returning(|_| Ok(Some(Preferences::parse(json!({"theme": "dark", "lang": "en"})).unwrap())));
        uow.preferences
            .expect_put()
            .withf(|_, p, _| p.as_value() == json!({"theme": "light", "lang": "en"}))
            .times(1)
            .returning(|_, _, _| Ok(()));
        let command =
            UpdateProfile { display_name: Some("Alice B".into()), preferences: Some(json!({"theme": "light"})) };
        let changed = UpdateProfileHandler::new(test_repositories(), fixed_clock())
            .handle(&signed_in(id), &command, &mut uow)
            .await
            .unwrap();
        assert_eq!(changed, ["display_name", "preferences"]);
        assert_eq!(uow.events[0].event_type, "identity.profile_updated");
    }

    #[tokio::test]
    async fn every_bad_field_is_reported_and_nothing_is_written() {
        let mut uow = TestUnitOfWork::default();
        uow.preferences.expect_get().returning(|_| Ok(None));
        let command = UpdateProfile { display_name: Some("  ".into()), preferences: Some(json!(["not", "an object"])) };
        let error = UpdateProfileHandler::new(test_repositories(), fixed_clock())
            .handle(&signed_in(tenantry_kernel::UserId::new()), &command, &mut uow)
            .await
            .unwrap_err();
        assert_eq!(error.code(), ErrorCode::ValidationFailed);
        let fields: Vec<&str> = error.details().iter().map(|d| d.field.as_str()).collect();
        assert_eq!(fields, ["display_name", "preferences"]);
    }

    #[tokio::test]
    async fn an_unchanged_profile_is_no_change_and_leaves_no_audit_subject() {
        let user = stored_user("alice@example.com");
        let id = user.id();
        let name = user.display_name().as_str().to_owned();
        let mut uow = TestUnitOfWork::default();
        uow.users.expect_find_by_id().returning(move |_| Ok(Some(user.clone())));
        let command = UpdateProfile { display_name: Some(name), preferences: None };
        let context = signed_in(id);
        let changed = UpdateProfileHandler::new(test_repositories(), fixed_clock())
            .handle(&context, &command, &mut uow)
            .await
            .unwrap();
        assert!(changed.is_empty());
        assert!(command.audit_subject(&context, &changed).is_none());
        assert!(uow.events.is_empty());
    }
}
