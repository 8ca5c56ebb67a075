//! In-process caches: the embedded default for the `MembershipCache` port (Redis
//! replaces it when several API instances must share invalidations).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use tenantry_application::ports::{CachedRole, MembershipCache};
use tenantry_domain::tenancy::Role;
use tenantry_kernel::{TenantId, UserId};

/// A cached answer (`None`: not a member) and when it was fetched.
type Entry = (Option<Role>, Instant);

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
    ttl: Duration,
    capacity: usize,
}

impl InProcessMembershipCache {
    pub fn new(ttl: Duration, capacity: usize) -> Self {
        Self { state: Mutex::new(State { entries: HashMap::new(), invalidations: 0 }), ttl, capacity: capacity.max(1) }
    }
}

impl Default for InProcessMembershipCache {
    fn default() -> Self {
        Self::new(Duration::from_secs(30), 100_000)
    }
}

impl MembershipCache for InProcessMembershipCache {
    fn get(&self, tenant: TenantId, user: UserId) -> CachedRole {
        let Ok(state) = self.state.lock() else { return CachedRole::Miss { ticket: u64::MAX } };
        match state.entries.get(&(tenant, user)) {
            Some((role, at)) if at.elapsed() < self.ttl => CachedRole::Hit(*role),
            _ => CachedRole::Miss { ticket: state.invalidations },
        }
    }

    fn put(&self, tenant: TenantId, user: UserId, role: Option<Role>, ticket: u64) {
        let Ok(mut state) = self.state.lock() else { return };
        if state.invalidations != ticket {
            return;
        }
        if state.entries.len() >= self.capacity {
            let ttl = self.ttl;
            state.entries.retain(|_, (_, at)| at.elapsed() < ttl);
            if state.entries.len() >= self.capacity {
                state.entries.clear();
            }
        }
        state.entries.insert((tenant, user), (role, Instant::now()));
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

    #[test]
    fn remembers_until_invalidated_or_expired() {
        let cache = InProcessMembershipCache::new(Duration::from_millis(50), 10);
        let (tenant, user) = (TenantId::new(), UserId::new());
        let t = ticket(&cache, tenant, user);
        cache.put(tenant, user, Some(Role::Admin), t);
        assert_eq!(cache.get(tenant, user), CachedRole::Hit(Some(Role::Admin)));
        cache.invalidate(tenant, user);
        let t = ticket(&cache, tenant, user);
        cache.put(tenant, user, None, t);
        assert_eq!(cache.get(tenant, user), CachedRole::Hit(None), "non-membership is cached too");
        std::thread::sleep(Duration::from_millis(60));
        assert!(matches!(cache.get(tenant, user), CachedRole::Miss { .. }));
    }

    #[test]
    fn a_value_read_before_an_invalidation_is_not_cached_after_it() {
        let cache = InProcessMembershipCache::new(Duration::from_secs(60), 10);
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
        let cache = InProcessMembershipCache::new(Duration::from_secs(60), 2);
        for _ in 0..5 {
            let (tenant, user) = (TenantId::new(), UserId::new());
            let t = ticket(&cache, tenant, user);
            cache.put(tenant, user, Some(Role::Viewer), t);
        }
        assert!(cache.state.lock().unwrap().entries.len() <= 2);
    }
}
