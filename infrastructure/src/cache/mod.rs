//! In-process caches: the embedded default for the `MembershipCache` port (Redis
//! replaces it when several API instances must share invalidations).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use tenantry_application::ports::MembershipCache;
use tenantry_domain::tenancy::Role;
use tenantry_kernel::{TenantId, UserId};

/// A cached answer (`None`: not a member) and when it was fetched.
type Entry = (Option<Role>, Instant);

/// A bounded map with a time-to-live. The TTL caps how long a change made by
/// another instance (which cannot invalidate this one) stays unseen.
pub struct InProcessMembershipCache {
    entries: Mutex<HashMap<(TenantId, UserId), Entry>>,
    ttl: Duration,
    capacity: usize,
}

impl InProcessMembershipCache {
    pub fn new(ttl: Duration, capacity: usize) -> Self {
        Self { entries: Mutex::new(HashMap::new()), ttl, capacity: capacity.max(1) }
    }
}

impl Default for InProcessMembershipCache {
    fn default() -> Self {
        Self::new(Duration::from_secs(30), 100_000)
    }
}

impl MembershipCache for InProcessMembershipCache {
    fn get(&self, tenant: TenantId, user: UserId) -> Option<Option<Role>> {
        let entries = self.entries.lock().ok()?;
        entries.get(&(tenant, user)).filter(|(_, at)| at.elapsed() < self.ttl).map(|(role, _)| *role)
    }

    fn put(&self, tenant: TenantId, user: UserId, role: Option<Role>) {
        if let Ok(mut entries) = self.entries.lock() {
            if entries.len() >= self.capacity {
                let ttl = self.ttl;
                entries.retain(|_, (_, at)| at.elapsed() < ttl);
                if entries.len() >= self.capacity {
                    entries.clear();
                }
            }
            entries.insert((tenant, user), (role, Instant::now()));
        }
    }

    fn invalidate(&self, tenant: TenantId, user: UserId) {
        if let Ok(mut entries) = self.entries.lock() {
            entries.remove(&(tenant, user));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remembers_until_invalidated_or_expired() {
        let cache = InProcessMembershipCache::new(Duration::from_millis(50), 10);
        let (tenant, user) = (TenantId::new(), UserId::new());
        assert_eq!(cache.get(tenant, user), None);
        cache.put(tenant, user, Some(Role::Admin));
        assert_eq!(cache.get(tenant, user), Some(Some(Role::Admin)));
        cache.invalidate(tenant, user);
        assert_eq!(cache.get(tenant, user), None);
        cache.put(tenant, user, None);
        assert_eq!(cache.get(tenant, user), Some(None), "non-membership is cached too");
        std::thread::sleep(Duration::from_millis(60));
        assert_eq!(cache.get(tenant, user), None);
    }

    #[test]
    fn stays_within_capacity() {
        let cache = InProcessMembershipCache::new(Duration::from_secs(60), 2);
        for _ in 0..5 {
            cache.put(TenantId::new(), UserId::new(), Some(Role::Viewer));
        }
        assert!(cache.entries.lock().unwrap().len() <= 2);
    }
}
