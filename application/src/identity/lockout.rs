//! Failed-login accounting (seed 002, ASVS 2.2.1): five failures within fifteen
//! minutes lock the address for thirty. Counters are kept per login key (a hash of
//! the address), for unknown addresses too, so a lock reveals nothing.
//!
//! An attempt is counted before its password is checked ([`AdmitLoginAttempt`], a
//! row lock per login key), so parallel guesses cannot all be checked against a
//! counter that has not caught up: at most five checks per window, ever. A success
//! clears the counter; a failure is then only audited ([`RecordLoginFailure`]).

use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use tenantry_domain::identity::{Admission, LoginLocked};
use tenantry_kernel::{Clock, UserId};

use crate::identity::ports::IdentityRepositories;
use crate::pipeline::{AuditSubject, Authorization, Command, CommandHandler, RequestContext};
use crate::ports::UnitOfWork;
use crate::AppError;

/// Count one password check before it is made; refused while the login is locked.
#[derive(Debug, Clone)]
pub struct AdmitLoginAttempt {
    pub login_key: String,
}

impl Command for AdmitLoginAttempt {
    const NAME: &'static str = "identity.admit_login_attempt";
    type Output = Result<Admission, DateTime<Utc>>;

    fn authorization(&self) -> Authorization {
        // Reached only through `Identity::log_in` and the password change.
        Authorization::Public
    }

    fn audit_subject(&self, _: &RequestContext, _: &Self::Output) -> Option<AuditSubject> {
        // Bookkeeping: the outcome of the check is what the audit log records.
        None
    }
}

/// Take back the count of an admitted attempt whose password was right but that is
/// refused for another reason (an unverified address): the right password must
/// never lock its own account.
#[derive(Debug, Clone)]
pub struct ForgiveLoginAttempt {
    pub login_key: String,
}

impl Command for ForgiveLoginAttempt {
    const NAME: &'static str = "identity.forgive_login_attempt";
    type Output = ();

    fn authorization(&self) -> Authorization {
        // Reached only through `Identity::log_in`, after a successful password check.
        Authorization::Public
    }

    fn audit_subject(&self, _: &RequestContext, _: &()) -> Option<AuditSubject> {
        None
    }
}

/// Audit one failed login (already counted by [`AdmitLoginAttempt`]). Runs in its
/// own transaction, so the record commits although the login is refused.
#[derive(Debug, Clone)]
pub struct RecordLoginFailure {
    pub login_key: String,
    /// The account, when the address belongs to one (for the audit trail only).
    pub user_id: Option<UserId>,
    /// The lock the failed attempt's admission set, if it was the last one allowed.
    pub locked_until: Option<DateTime<Utc>>,
}

impl Command for RecordLoginFailure {
    const NAME: &'static str = "identity.login_failed";
    /// The end of the lock this failure caused, if it caused one.
    type Output = Option<DateTime<Utc>>;

    fn authorization(&self) -> Authorization {
        // Reached only through `Identity::log_in`, after a failed credential check.
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
    repositories: Arc<dyn IdentityRepositories>,
    clock: Arc<dyn Clock>,
}

impl RecordLoginFailureHandler {
    pub fn new(repositories: Arc<dyn IdentityRepositories>, clock: Arc<dyn Clock>) -> Self {
        Self { repositories, clock }
    }
}

#[async_trait]
impl CommandHandler<AdmitLoginAttempt> for RecordLoginFailureHandler {
    async fn handle(
        &self,
        _: &RequestContext,
        command: &AdmitLoginAttempt,
        uow: &mut dyn UnitOfWork,
    ) -> Result<Result<Admission, DateTime<Utc>>, AppError> {
        let now = self.clock.now();
        let mut throttle = self.repositories.login_throttles(uow)?.load_for_update(&command.login_key, now).await?;
        let admission = throttle.admit(now);
        if admission.is_ok() {
            self.repositories.login_throttles(uow)?.save(&throttle).await?;
        }
        Ok(admission)
    }
}

#[async_trait]
impl CommandHandler<ForgiveLoginAttempt> for RecordLoginFailureHandler {
    async fn handle(
        &self,
        _: &RequestContext,
        command: &ForgiveLoginAttempt,
        uow: &mut dyn UnitOfWork,
    ) -> Result<(), AppError> {
        self.repositories.login_throttles(uow)?.clear(&command.login_key).await?;
        Ok(())
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
        if let Some(locked_until) = command.locked_until {
            let event = LoginLocked { login_key: command.login_key.clone(), user_id: command.user_id, locked_until };
            let mut envelope = super::envelope(&event, context, now)?;
            envelope.actor_id = command.user_id;
            uow.record_event(envelope);
        }
        Ok(command.locked_until)
    }
}

#[cfg(test)]
mod tests {
    use tenantry_domain::identity::{LoginThrottle, MAX_FAILED_LOGINS};

    use super::*;
    use crate::identity::test_support::*;

    #[tokio::test]
    async fn the_fifth_admission_sets_the_lock_and_its_failure_is_audited_as_a_lock() {
        let mut uow = TestUnitOfWork::default();
        let mut throttle = LoginThrottle::new("key".into(), fixed_now());
        for _ in 0..4 {
            throttle.record_failure(fixed_now());
        }
        uow.login_throttles.expect_load_for_update().returning(move |_, _| Ok(throttle.clone()));
        uow.login_throttles.expect_save().withf(|t| t.failures() == MAX_FAILED_LOGINS).times(1).returning(|_| Ok(()));
        let handler = RecordLoginFailureHandler::new(test_repositories(), fixed_clock());
        let admit = AdmitLoginAttempt { login_key: "key".into() };
        let admission = handler.handle(&RequestContext::default(), &admit, &mut uow).await.unwrap().unwrap();
        assert!(admission.locks_if_wrong.is_some());

        let mut uow = TestUnitOfWork::default();
        let failure = RecordLoginFailure {
            login_key: "key".into(),
            user_id: Some(UserId::new()),
            locked_until: admission.locks_if_wrong,
        };
        let locked = handler.handle(&RequestContext::default(), &failure, &mut uow).await.unwrap();
        assert!(locked.is_some());
        assert_eq!(failure.audit_action(&locked), "identity.login_locked");
        assert_eq!(uow.events[0].event_type, "identity.login_locked");
    }

    #[tokio::test]
    async fn a_locked_login_is_refused_without_counting() {
        let mut uow = TestUnitOfWork::default();
        let mut throttle = LoginThrottle::new("key".into(), fixed_now());
        for _ in 0..MAX_FAILED_LOGINS {
            throttle.record_failure(fixed_now());
        }
        uow.login_throttles.expect_load_for_update().returning(move |_, _| Ok(throttle.clone()));
        uow.login_throttles.expect_save().never();
        let handler = RecordLoginFailureHandler::new(test_repositories(), fixed_clock());
        let admit = AdmitLoginAttempt { login_key: "key".into() };
        assert!(handler.handle(&RequestContext::default(), &admit, &mut uow).await.unwrap().is_err());
    }

    #[tokio::test]
    async fn a_failure_that_did_not_lock_is_audited_against_the_login_key() {
        let mut uow = TestUnitOfWork::default();
        let command = RecordLoginFailure { login_key: "key".into(), user_id: None, locked_until: None };
        let handler = RecordLoginFailureHandler::new(test_repositories(), fixed_clock());
        let locked = handler.handle(&RequestContext::default(), &command, &mut uow).await.unwrap();
        assert_eq!(locked, None);
        assert_eq!(command.audit_action(&locked), "identity.login_failed");
        let subject = command.audit_subject(&RequestContext::default(), &locked).unwrap();
        assert_eq!((subject.entity_type, subject.entity_id.as_deref()), ("login", Some("key")));
        assert!(uow.events.is_empty());
    }
}
