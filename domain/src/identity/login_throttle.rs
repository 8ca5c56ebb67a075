use chrono::{DateTime, Duration, Utc};

/// Failed logins allowed within [`FAILURE_WINDOW_MINUTES`] before the address is locked.
pub const MAX_FAILED_LOGINS: u32 = 5;
/// How long a lock lasts (seed 002: 30 minutes).
pub const LOCKOUT_MINUTES: i64 = 30;
/// Failures older than this no longer count towards a lock.
pub const FAILURE_WINDOW_MINUTES: i64 = 15;

/// One admitted password check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Admission {
    /// The end of the lock this attempt set: it stands if the password is wrong.
    pub locks_if_wrong: Option<DateTime<Utc>>,
}

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
        self.start_over_if_expired(now);
        self.failures += 1;
        if self.failures >= MAX_FAILED_LOGINS && self.locked_until.is_none() {
            let until = now + Duration::minutes(LOCKOUT_MINUTES);
            self.locked_until = Some(until);
            return Some(until);
        }
        None
    }

    /// Lets one password check happen, counting it as a failure before it is made:
    /// however many attempts arrive at once, at most [`MAX_FAILED_LOGINS`] are ever
    /// checked in a window. A success clears the counter afterwards; the attempt
    /// that reaches the maximum is still checked, and locks the login unless it
    /// succeeds.
    ///
    /// # Errors
    /// The end of the lock in force; nothing is counted then.
    pub fn admit(&mut self, now: DateTime<Utc>) -> Result<Admission, DateTime<Utc>> {
        self.start_over_if_expired(now);
        if let Some(until) = self.locked_at(now) {
            return Err(until);
        }
        Ok(Admission { locks_if_wrong: self.record_failure(now) })
    }

    fn start_over_if_expired(&mut self, now: DateTime<Utc>) {
        let window_over = now - self.window_started_at >= Duration::minutes(FAILURE_WINDOW_MINUTES);
        let lock_over = self.locked_until.is_some_and(|until| now >= until);
        if window_over || lock_over {
            self.failures = 0;
            self.window_started_at = now;
            self.locked_until = None;
        }
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

    #[test]
    fn at_most_five_checks_are_admitted_in_a_window_however_many_arrive() {
        let now = Utc::now();
        let mut throttle = LoginThrottle::new("k".into(), now);
        let admitted: Vec<_> = (0..31).map(|_| throttle.admit(now)).collect();
        assert_eq!(admitted.iter().filter(|a| a.is_ok()).count(), MAX_FAILED_LOGINS as usize);
        let lock = now + Duration::minutes(LOCKOUT_MINUTES);
        assert_eq!(admitted[4], Ok(Admission { locks_if_wrong: Some(lock) }));
        assert!(admitted[5..].iter().all(|a| *a == Err(lock)));
        assert_eq!(throttle.failures(), MAX_FAILED_LOGINS);
    }
}
