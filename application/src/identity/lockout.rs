//! Failed-login accounting (seed 002, ASVS 2.2.1): five failures within fifteen
//! minutes lock the address for thirty. Counters are kept per login key (a hash of
//! the address), for unknown addresses too, so a lock reveals nothing.

use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use tenantry_domain::identity::LoginLocked;
use tenantry_kernel::{Clock, UserId};

use crate::pipeline::{AuditSubject, Authorization, Command, CommandHandler, RequestContext};
use crate::ports::UnitOfWork;
use crate::AppError;

/// Count one failed login. Runs in its own transaction after the credential check
/// failed, so the failure is recorded (and audited) although the login is refused.
#[derive(Debug, Clone)]
pub struct RecordLoginFailure {
    pub login_key: String,
    /// The account, when the address belongs to one (for the audit trail only).
    pub user_id: Option<UserId>,
}

impl Command for RecordLoginFailure {
    const NAME: &'static str = "identity.login_failed";
    /// The end of the lock this failure caused, if it caused one.
    type Output = Option<DateTime<Utc>>;

    fn authorization(&self) -> Authorization {
        // Reached only through `Application::log_in`, after a failed credential check.
        Authorization::Public
    }

    fn audit_action(&self, locked: &Option<DateTime<Utc>>) -> &'static str {
        if locked.is_some() {
            "identity.login_locked"
        } else {
            Self::NAME
        }
    }

    fn audit_subject(&self, _: &RequestContext, _: &Option<DateTime<Utc>>) -> Option<AuditSubject> {
        Some(match self.user_id {
            Some(user) => AuditSubject::new("user", user),
            None => AuditSubject::new("login", &self.login_key),
        })
    }
}

pub struct RecordLoginFailureHandler {
    clock: Arc<dyn Clock>,
}

impl RecordLoginFailureHandler {
    pub fn new(clock: Arc<dyn Clock>) -> Self {
        Self { clock }
    }
}

#[async_trait]
impl CommandHandler<RecordLoginFailure> for RecordLoginFailureHandler {
    async fn handle(
        &self,
        context: &RequestContext,
        command: &RecordLoginFailure,
        uow: &mut dyn UnitOfWork,
    ) -> Result<Option<DateTime<Utc>>, AppError> {
        let now = self.clock.now();
        let mut throttle = uow.login_throttles().load_for_update(&command.login_key, now).await?;
        let locked = throttle.record_failure(now);
        uow.login_throttles().save(&throttle).await?;
        if let Some(locked_until) = locked {
            let event = LoginLocked { login_key: command.login_key.clone(), user_id: command.user_id, locked_until };
            let mut envelope = super::envelope(&event, context, now)?;
            envelope.actor_id = command.user_id;
            uow.record_event(envelope);
        }
        Ok(locked)
    }
}

#[cfg(test)]
mod tests {
    use tenantry_domain::identity::LoginThrottle;

    use super::*;
    use crate::identity::test_support::*;

    #[tokio::test]
    async fn the_fifth_failure_locks_and_is_audited_as_a_lock() {
        let mut uow = TestUnitOfWork::default();
        let mut throttle = LoginThrottle::new("key".into(), fixed_now());
        for _ in 0..4 {
            throttle.record_failure(fixed_now());
        }
        uow.login_throttles.expect_load_for_update().returning(move |_, _| Ok(throttle.clone()));
        uow.login_throttles.expect_save().withf(|t| t.failures() == 5).times(1).returning(|_| Ok(()));
        let command = RecordLoginFailure { login_key: "key".into(), user_id: Some(UserId::new()) };
        let handler = RecordLoginFailureHandler::new(fixed_clock());
        let locked = handler.handle(&RequestContext::default(), &command, &mut uow).await.unwrap();
        assert!(locked.is_some());
        assert_eq!(command.audit_action(&locked), "identity.login_locked");
        assert_eq!(uow.events[0].event_type, "identity.login_locked");
    }

    #[tokio::test]
    async fn a_first_failure_of_an_unknown_address_starts_a_counter() {
        let mut uow = TestUnitOfWork::default();
        uow.login_throttles.expect_load_for_update().returning(|key, now| Ok(LoginThrottle::new(key.to_owned(), now)));
        uow.login_throttles.expect_save().withf(|t| t.failures() == 1).times(1).returning(|_| Ok(()));
        let command = RecordLoginFailure { login_key: "key".into(), user_id: None };
        let handler = RecordLoginFailureHandler::new(fixed_clock());
        let locked = handler.handle(&RequestContext::default(), &command, &mut uow).await.unwrap();
        assert_eq!(locked, None);
        assert_eq!(command.audit_action(&locked), "identity.login_failed");
        let subject = command.audit_subject(&RequestContext::default(), &locked).unwrap();
        assert_eq!((subject.entity_type, subject.entity_id.as_deref()), ("login", Some("key")));
        assert!(uow.events.is_empty());
    }
}
