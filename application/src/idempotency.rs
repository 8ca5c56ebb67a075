//! Safe retries of POST requests (API.md `Idempotency-Key`): the first answer to a
//! key is kept for 24 hours and sent again for a retry with the same request; the
//! same key with a different request is refused. Claims are atomic, so two copies
//! of one request racing each other run the command once.

use std::sync::Arc;

use chrono::TimeDelta;
use tenantry_kernel::{Clock, ValidationError};

use crate::ports::{ClaimWindow, IdempotencyClaim, IdempotencyStore, StoredResponse};
use crate::{AppError, ErrorCode};

/// How long a first answer is kept (API.md).
pub const RETENTION: TimeDelta = TimeDelta::hours(24);

/// A claim older than this belongs to a request that died (the request budget is
/// 30 s), so a retry may take the key over.
pub const ABANDONED_AFTER: TimeDelta = TimeDelta::minutes(2);

/// A client's `Idempotency-Key`: 1 to 255 visible ASCII characters (a UUID is typical).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdempotencyKey(String);

impl IdempotencyKey {
    /// # Errors
    /// Empty, longer than 255 characters, or with spaces, control or non-ASCII characters.
    pub fn parse(raw: &str) -> Result<Self, ValidationError> {
        let valid = (1..=255).contains(&raw.len()) && raw.bytes().all(|b| b.is_ascii_graphic());
        if valid {
            Ok(Self(raw.to_owned()))
        } else {
            Err(ValidationError::field("Idempotency-Key", "invalid"))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// One request that carries a key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdempotentRequest {
    /// Whose key it is (`user:…`, `key:…`, `ip:…`): keys of different callers never meet.
    pub scope: String,
    pub key: IdempotencyKey,
    /// A digest of what makes the request this request (method, path, tenant, body).
    pub fingerprint: String,
}

/// The idempotency use case, over its store.
pub struct Idempotency {
    store: Arc<dyn IdempotencyStore>,
    clock: Arc<dyn Clock>,
}

impl Idempotency {
    pub fn new(store: Arc<dyn IdempotencyStore>, clock: Arc<dyn Clock>) -> Self {
        Self { store, clock }
    }

    /// Claims the key for this request, or says why it cannot run.
    ///
    /// # Errors
    /// 422 `idempotency_key_reused` for another request under the same key; 409
    /// `idempotency_key_in_progress` while the first is still running; storage failures.
    pub async fn claim(&self, request: &IdempotentRequest) -> Result<Option<StoredResponse>, AppError> {
        let now = self.clock.now();
        let window = ClaimWindow { now, expired_before: now - RETENTION, abandoned_before: now - ABANDONED_AFTER };
        match self.store.claim(&request.scope, request.key.as_str(), &request.fingerprint, window).await? {
            IdempotencyClaim::Claimed => Ok(None),
            IdempotencyClaim::Replay(response) => Ok(Some(response)),
            IdempotencyClaim::Mismatch => Err(AppError::BusinessRule {
                code: ErrorCode::IdempotencyKeyReused,
                message: "this Idempotency-Key was used with a different request; use a new key",
            }),
            IdempotencyClaim::InProgress => Err(AppError::Conflict {
                code: ErrorCode::IdempotencyKeyInProgress,
                message: "a request with this Idempotency-Key is still running; retry shortly",
            }),
        }
    }

    /// Keeps the answer when a retry must get it again, and frees the key otherwise.
    /// Transient answers (429, 5xx, conflicts, missing credentials) are not kept, so a
    /// retry runs again; nor are answers marked `no-store`, which carry secrets.
    ///
    /// # Errors
    /// Storage failures.
    pub async fn finish(
        &self,
        request: &IdempotentRequest,
        response: &StoredResponse,
        no_store: bool,
    ) -> Result<(), AppError> {
        if replayable(response.status) && !no_store {
            self.store.complete(&request.scope, request.key.as_str(), response).await?;
        } else {
            self.abandon(request).await?;
        }
        Ok(())
    }

    /// Frees the key of a request that produced no answer.
    ///
    /// # Errors
    /// Storage failures.
    pub async fn abandon(&self, request: &IdempotentRequest) -> Result<(), AppError> {
        self.store.release(&request.scope, request.key.as_str()).await?;
        Ok(())
    }
}

/// Deterministic answers: success, and refusals that a retry would meet again.
fn replayable(status: u16) -> bool {
    match status {
        200..=299 => true,
        401 | 408 | 409 | 412 | 423 | 425 | 429 => false,
        400..=499 => true,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::identity::test_support::fixed_clock;
    use crate::ports::MockIdempotencyStore;

    fn request() -> IdempotentRequest {
        IdempotentRequest {
            scope: "user:1".into(),
            key: IdempotencyKey::parse("3f1c-retry").unwrap(),
            fingerprint: "abc".into(),
        }
    }

    fn answer(status: u16) -> StoredResponse {
        StoredResponse { status, headers: vec![], body: b"{}".to_vec() }
    }

    #[test]
    fn keys_are_visible_ascii_of_bounded_length() {
        assert!(IdempotencyKey::parse("0b8e7f3a-5d1c-4e2b-9f6a-1c2d3e4f5a6b").is_ok());
        for bad in ["", "has space", "tab\there", "ünïcode", &"k".repeat(256)] {
            assert!(IdempotencyKey::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[tokio::test]
    async fn a_claim_expires_after_a_day_and_is_abandoned_after_two_minutes() {
        let clock = fixed_clock();
        let now = clock.now();
        let mut store = MockIdempotencyStore::new();
        store
            .expect_claim()
            .withf(move |scope, key, fingerprint, window| {
                (scope, key, fingerprint) == ("user:1", "3f1c-retry", "abc")
                    && window.now == now
                    && window.expired_before == now - TimeDelta::hours(24)
                    && window.abandoned_before == now - TimeDelta::minutes(2)
            })
            .returning(|_, _, _, _| Ok(IdempotencyClaim::Mismatch));
        let error = Idempotency::new(Arc::new(store), clock).claim(&request()).await.unwrap_err();
        assert_eq!(error.code(), ErrorCode::IdempotencyKeyReused);
    }

    #[tokio::test]
    async fn successes_and_deterministic_refusals_are_kept_transient_answers_and_secrets_are_not() {
        for (status, no_store, kept) in [
            (201, false, true),
            (200, false, true),
            (422, false, true),
            (404, false, true),
            (201, true, false),
            (409, false, false),
            (429, false, false),
            (401, false, false),
            (500, false, false),
            (503, false, false),
        ] {
            let mut store = MockIdempotencyStore::new();
            store.expect_complete().times(usize::from(kept)).returning(|_, _, _| Ok(()));
            store.expect_release().times(usize::from(!kept)).returning(|_, _| Ok(()));
            let idempotency = Idempotency::new(Arc::new(store), fixed_clock());
            idempotency.finish(&request(), &answer(status), no_store).await.unwrap();
        }
    }
}
