use chrono::{DateTime, Duration, Utc};

/// Failed logins allowed within [`FAILURE_WINDOW_MINUTES`] before the address is locked.
pub const MAX_FAILED_LOGINS: u32 = 5;
/// How long a lock lasts (seed 002: 30 minutes).
pub const LOCKOUT_MINUTES: i64 = 30;
/// Failures older than this no longer count towards a lock.
pub const FAILURE_WINDOW_MINUTES: i64 = 15;

/// Failed-login bookkeeping for one login name (the hash of a normalised email).
/// It is kept for unknown addresses too, so a lock never tells whether an account
/// exists (OWASP ASVS 2.2.1 without user enumeration).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoginThrottle {
    login_key: String,
    failures: u32,
    window_started_at: DateTime<Utc>,
    locked_until: Option<DateTime<Utc>>,
}

impl LoginThrottle {
    pub fn new(login_key: String, now: DateTime<Utc>) -> Self {
        Self { login_key, failures: 0, window_started_at: now, locked_until: None }
    }

    /// Rebuilds a throttle from storage; only adapters call this.
    pub fn restore(
        login_key: String,
        failures: u32,
        window_started_at: DateTime<Utc>,
        locked_until: Option<DateTime<Utc>>,
    ) -> Self {
        Self { login_key, failures, window_started_at, locked_until }
    }

    /// Counts a failed attempt; answers the lock's end when this failure locked the login.
    pub fn record_failure(&mut self, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let window_over = now - self.window_started_at >= Duration::minutes(FAILURE_WINDOW_MINUTES);
        let lock_over = self.locked_until.is_some_and(|until| now >= until);
        if window_over || lock_over {
            self.failures = 0;
            self.window_started_at = now;
            self.locked_until = None;
        }
        self.failures += 1;
        if self.failures >= MAX_FAILED_LOGINS && self.locked_until.is_none() {
            let until = now + Duration::minutes(LOCKOUT_MINUTES);
            self.locked_until = Some(until);
            return Some(until);
        }
        None
    }

    /// The end of the lock in force at `now`, if any.
    pub fn locked_at(&self, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        self.locked_until.filter(|until| *until > now)
    }

    pub fn login_key(&self) -> &str {
        &self.login_key
    }
    pub fn failures(&self) -> u32 {
        self.failures
    }
    pub fn window_started_at(&self) -> DateTime<Utc> {
        self.window_started_at
    }
    pub fn locked_until(&self) -> Option<DateTime<Utc>> {
        self.locked_until
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fifth_failure_locks_for_thirty_minutes() {
        let now = Utc::now();
        let mut throttle = LoginThrottle::new("k".into(), now);
        for _ in 0..4 {
            assert_eq!(throttle.record_failure(now), None);
        }
        assert_eq!(throttle.locked_at(now), None);
        let until = throttle.record_failure(now).expect("locked");
        assert_eq!(until, now + Duration::minutes(30));
        assert_eq!(throttle.locked_at(now + Duration::minutes(29)), Some(until));
        assert_eq!(throttle.locked_at(until), None);
    }

    #[test]
    fn failures_spread_beyond_the_window_never_lock() {
        let start = Utc::now();
        let mut throttle = LoginThrottle::new("k".into(), start);
        for i in 0..20 {
            // Four failures fit in each window, never five.
            let at = start + Duration::minutes(4 * i64::from(i));
            throttle.record_failure(at);
        }
        assert!(throttle.failures() < MAX_FAILED_LOGINS);
        assert_eq!(throttle.locked_until(), None);
    }

    #[test]
    fn counting_starts_over_once_a_lock_has_ended() {
        let now = Utc::now();
        let mut throttle = LoginThrottle::new("k".into(), now);
        for _ in 0..5 {
            throttle.record_failure(now);
        }
        let after = now + Duration::minutes(LOCKOUT_MINUTES);
        assert_eq!(throttle.record_failure(after), None);
        assert_eq!(throttle.failures(), 1);
        assert_eq!(throttle.locked_at(after), None);
    }
}
