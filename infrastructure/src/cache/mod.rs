//! In-process caches: the embedded default for the `MembershipCache` port (Redis
//! replaces it when several API instances must share invalidations).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};
use tenantry_application::tenancy::ports::{CachedRole, MembershipCache};
use tenantry_domain::tenancy::Role;
use tenantry_kernel::{Clock, SystemClock, TenantId, UserId};

/// A cached answer (`None`: not a member) and when it was fetched.
type Entry = (Option<Role>, DateTime<Utc>);

struct State {
    entries: HashMap<(TenantId, UserId), Entry>,
    /// Bumped by every invalidation; a `put` whose lookup predates one is dropped,
    /// so a value read before a change cannot be cached after it.
    invalidations: u64,
}

/// A bounded map with a time-to-live. The TTL caps how long a change made by
/// another instance (which cannot invalidate this one) stays unseen.
pub struct InProcessMembershipCache {
    state: Mutex<State>,
    ttl: chrono::Duration,
    capacity: usize,
    clock: Arc<dyn Clock>,
}

impl InProcessMembershipCache {
    /// Entries live `ttl` by `clock` (the system's in production, a manual one in tests).
    pub fn new(ttl: Duration, capacity: usize, clock: Arc<dyn Clock>) -> Self {
        Self {
            state: Mutex::new(State { entries: HashMap::new(), invalidations: 0 }),
            ttl: chrono::Duration::from_std(ttl).unwrap_or(chrono::Duration::MAX),
            capacity: capacity.max(1),
            clock,
        }
    }

    fn fresh(&self, fetched_at: DateTime<Utc>, now: DateTime<Utc>) -> bool {
        now - fetched_at < self.ttl
    }
}

impl Default for InProcessMembershipCache {
    fn default() -> Self {
        Self::new(Duration::from_secs(30), 100_000, Arc::new(SystemClock))
    }
}

impl MembershipCache for InProcessMembershipCache {
    fn get(&self, tenant: TenantId, user: UserId) -> CachedRole {
        let Ok(state) = self.state.lock() else { return CachedRole::Miss { ticket: u64::MAX } };
        match state.entries.get(&(tenant, user)) {
            Some((role, at)) if self.fresh(*at, self.clock.now()) => CachedRole::Hit(*role),
            _ => CachedRole::Miss { ticket: state.invalidations },
        }
    }

    fn put(&self, tenant: TenantId, user: UserId, role: Option<Role>, ticket: u64) {
        let Ok(mut state) = self.state.lock() else { return };
        if state.invalidations != ticket {
            return;
        }
        let now = self.clock.now();
        if state.entries.len() >= self.capacity {
            state.entries.retain(|_, (_, at)| now - *at < self.ttl);
            if state.entries.len() >= self.capacity {
                state.entries.clear();
            }
        }
        state.entries.insert((tenant, user), (role, now));
    }

    fn invalidate(&self, tenant: TenantId, user: UserId) {
        if let Ok(mut state) = self.state.lock() {
            state.entries.remove(&(tenant, user));
            state.invalidations = state.invalidations.wrapping_add(1);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ticket(cache: &InProcessMembershipCache, tenant: TenantId, user: UserId) -> u64 {
        match cache.get(tenant, user) {
            CachedRole::Miss { ticket } => ticket,
            CachedRole::Hit(role) => panic!("unexpected hit {role:?}"),
        }
    }

    /// A clock the test moves by hand.
    struct ManualClock(Mutex<DateTime<Utc>>);

    impl Clock for ManualClock {
        fn now(&self) -> DateTime<Utc> {
            *self.0.lock().unwrap()
        }
    }

    fn cache(ttl: Duration, capacity: usize) -> InProcessMembershipCache {
        InProcessMembershipCache::new(ttl, capacity, Arc::new(SystemClock))
    }

    #[test]
    fn remembers_until_invalidated_or_expired() {
        let clock = Arc::new(ManualClock(Mutex::new(Utc::now())));
        let cache = InProcessMembershipCache::new(Duration::from_secs(30), 10, clock.clone());
        let (tenant, user) = (TenantId::new(), UserId::new());
        let t = ticket(&cache, tenant, user);
        cache.put(tenant, user, Some(Role::Admin), t);
        assert_eq!(cache.get(tenant, user), CachedRole::Hit(Some(Role::Admin)));
        cache.invalidate(tenant, user);
        let t = ticket(&cache, tenant, user);
        cache.put(tenant, user, None, t);
        assert_eq!(cache.get(tenant, user), CachedRole::Hit(None), "non-membership is cached too");
        *clock.0.lock().unwrap() += chrono::Duration::seconds(29);
        assert_eq!(cache.get(tenant, user), CachedRole::Hit(None), "still fresh just before the TTL");
        *clock.0.lock().unwrap() += chrono::Duration::seconds(1);
        assert!(matches!(cache.get(tenant, user), CachedRole::Miss { .. }));
    }

    #[test]
    fn a_value_read_before_an_invalidation_is_not_cached_after_it() {
        let cache = cache(Duration::from_secs(60), 10);
        let (tenant, user) = (TenantId::new(), UserId::new());
        // A request looks up the role (still admin in the database)...
        let stale_ticket = ticket(&cache, tenant, user);
        // ...meanwhile the member is removed and the cache invalidated...
        cache.invalidate(tenant, user);
        // ...then the request tries to cache what it read.
        cache.put(tenant, user, Some(Role::Admin), stale_ticket);
        assert!(matches!(cache.get(tenant, user), CachedRole::Miss { .. }));
    }

    #[test]
    fn stays_within_capacity() {
        let cache = cache(Duration::from_secs(60), 2);
        for _ in 0..5 {
            let (tenant, user) = (TenantId::new(), UserId::new());
            let t = ticket(&cache, tenant, user);
            cache.put(tenant, user, Some(Role::Viewer), t);
        }
        assert!(cache.state.lock().unwrap().entries.len() <= 2);
    }
}
