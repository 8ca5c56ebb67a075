//! The in-process rate limiter: GCRA buckets (the `governor` crate) per class and
//! key. Each server process counts on its own; a Redis adapter of the same port
//! shares the budget between processes.

use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use async_trait::async_trait;
use governor::clock::{Clock, DefaultClock};
use governor::middleware::StateInformationMiddleware;
use governor::state::keyed::DefaultKeyedStateStore;
use governor::{Quota, RateLimiter as Governor};
use tenantry_application::ports::{RateClass, RateDecision, RateLimiter, RepositoryError};

/// A sustained rate (`requests` per `period`) with bursts of up to `burst`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateQuota {
    pub requests: u32,
    pub period: Duration,
    pub burst: u32,
}

type KeyedGovernor = Governor<String, DefaultKeyedStateStore<String>, DefaultClock, StateInformationMiddleware>;

struct Bucket {
    limiter: KeyedGovernor,
    burst: u32,
    /// Time for one request's worth of allowance to come back.
    replenish: Duration,
}

impl Bucket {
    fn new(quota: RateQuota) -> Self {
        let requests = NonZeroU32::new(quota.requests.max(1)).unwrap_or(NonZeroU32::MIN);
        let burst = NonZeroU32::new(quota.burst.max(1)).unwrap_or(NonZeroU32::MIN);
        let replenish = quota.period / requests.get();
        let governor_quota = Quota::with_period(replenish.max(Duration::from_nanos(1)))
            .unwrap_or_else(|| Quota::per_second(requests))
            .allow_burst(burst);
        Self { limiter: Governor::keyed(governor_quota).with_middleware(), burst: burst.get(), replenish }
    }

    fn check(&self, key: &str, clock: &DefaultClock) -> RateDecision {
        match self.limiter.check_key(&key.to_owned()) {
            Ok(snapshot) => {
                let remaining = snapshot.remaining_burst_capacity();
                RateDecision {
                    allowed: true,
                    limit: self.burst,
                    remaining,
                    reset_seconds: ceil_seconds(self.replenish * (self.burst - remaining)),
                    retry_after_seconds: 0,
                }
            }
            Err(not_until) => {
                let wait = not_until.wait_time_from(clock.now());
                RateDecision {
                    allowed: false,
                    limit: self.burst,
                    remaining: 0,
                    reset_seconds: ceil_seconds(self.replenish * self.burst),
                    retry_after_seconds: ceil_seconds(wait).max(1),
                }
            }
        }
    }
}

fn ceil_seconds(duration: Duration) -> u64 {
    duration.as_secs() + u64::from(duration.subsec_nanos() > 0)
}

/// Per-process GCRA limiter with one bucket set per [`RateClass`].
pub struct InProcessRateLimiter {
    api: Bucket,
    credentials: Bucket,
    clock: DefaultClock,
    checks: AtomicU64,
}

/// Forget idle keys every this many checks, so memory tracks active clients only.
const HOUSEKEEPING_EVERY: u64 = 4096;

impl InProcessRateLimiter {
    pub fn new(api: RateQuota, credentials: RateQuota) -> Self {
        Self {
            api: Bucket::new(api),
            credentials: Bucket::new(credentials),
            clock: DefaultClock::default(),
            checks: AtomicU64::new(0),
        }
    }

    fn bucket(&self, class: RateClass) -> &Bucket {
        match class {
            RateClass::Api => &self.api,
            RateClass::Credentials => &self.credentials,
        }
    }
}

#[async_trait]
impl RateLimiter for InProcessRateLimiter {
    async fn check(&self, class: RateClass, key: &str) -> Result<RateDecision, RepositoryError> {
        if self.checks.fetch_add(1, Ordering::Relaxed) % HOUSEKEEPING_EVERY == HOUSEKEEPING_EVERY - 1 {
            for bucket in [&self.api, &self.credentials] {
                bucket.limiter.retain_recent();
                bucket.limiter.shrink_to_fit();
            }
        }
        Ok(self.bucket(class).check(key, &self.clock))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limiter(burst: u32) -> InProcessRateLimiter {
        let slow = RateQuota { requests: 1, period: Duration::from_secs(60), burst };
        InProcessRateLimiter::new(slow, RateQuota { burst: 1, ..slow })
    }

    #[tokio::test]
    async fn a_burst_is_allowed_then_refused_with_a_retry_time() {
        let limiter = limiter(3);
        let remaining: Vec<u32> = futures_remaining(&limiter, RateClass::Api, "ip:1", 3).await;
        assert_eq!(remaining, [2, 1, 0]);
        let refused = limiter.check(RateClass::Api, "ip:1").await.unwrap();
        assert!(!refused.allowed);
        assert_eq!(refused.limit, 3);
        assert!((1..=60).contains(&refused.retry_after_seconds), "{refused:?}");
    }

    #[tokio::test]
    async fn keys_and_classes_are_counted_apart() {
        let limiter = limiter(1);
        assert!(limiter.check(RateClass::Api, "ip:1").await.unwrap().allowed);
        assert!(!limiter.check(RateClass::Api, "ip:1").await.unwrap().allowed);
        assert!(limiter.check(RateClass::Api, "ip:2").await.unwrap().allowed);
        assert!(limiter.check(RateClass::Credentials, "ip:1").await.unwrap().allowed);
        assert!(!limiter.check(RateClass::Credentials, "ip:1").await.unwrap().allowed);
    }

    async fn futures_remaining(limiter: &InProcessRateLimiter, class: RateClass, key: &str, n: usize) -> Vec<u32> {
        let mut out = Vec::new();
        for _ in 0..n {
            let decision = limiter.check(class, key).await.unwrap();
            assert!(decision.allowed);
            out.push(decision.remaining);
        }
        out
    }
}
