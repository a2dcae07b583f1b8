//! Limits failed logins per account and per client address over a sliding hour. In memory:
//! a restart forgets the counts, which only ever favours the user.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Failed logins allowed per account per window.
pub const MAX_PER_ACCOUNT: usize = 100;
/// Failed card claims allowed per card per window (birth dates are guessable).
pub const MAX_CLAIMS_PER_CARD: usize = 10;
/// Failed logins allowed per client address per window.
pub const MAX_PER_IP: usize = 300;
/// The window.
pub const WINDOW: Duration = Duration::from_secs(3600);
/// Keys tracked at most; the oldest are dropped beyond this.
const MAX_KEYS: usize = 100_000;

/// Sliding-window counters of failures.
pub struct FailureLimiter {
    failures: Mutex<HashMap<String, VecDeque<Instant>>>,
    window: Duration,
}

impl Default for FailureLimiter {
    fn default() -> Self {
        FailureLimiter { failures: Mutex::new(HashMap::new()), window: WINDOW }
    }
}

impl FailureLimiter {
    /// `Err(seconds to wait)` when `key` already has `max` failures in the window.
    pub fn check(&self, key: &str, max: usize, now: Instant) -> Result<(), u64> {
        let mut map = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        let Some(times) = map.get_mut(key) else { return Ok(()) };
        while times.front().is_some_and(|t| now.duration_since(*t) >= self.window) {
            times.pop_front();
        }
        if times.len() >= max {
            let oldest = *times.front().unwrap_or(&now);
            let wait = self.window.saturating_sub(now.duration_since(oldest));
            return Err(wait.as_secs().max(1));
        }
        Ok(())
    }

    /// Records one failure of `key`.
    pub fn record(&self, key: &str, now: Instant) {
        let mut map = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        if map.len() >= MAX_KEYS && !map.contains_key(key) {
            let window = self.window;
            map.retain(|_, times| times.back().is_some_and(|t| now.duration_since(*t) < window));
        }
        map.entry(key.to_string()).or_default().push_back(now);
    }

    /// Forgets the failures of `key` (after a successful login).
    pub fn reset(&self, key: &str) {
        self.failures.lock().unwrap_or_else(|e| e.into_inner()).remove(key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_after_max_failures_until_the_window_slides() {
        let limiter = FailureLimiter::default();
        let start = Instant::now();
        for i in 0..3 {
            assert_eq!(limiter.check("acct", 3, start), Ok(()), "attempt {i}");
            limiter.record("acct", start);
        }
        let wait = limiter.check("acct", 3, start + Duration::from_secs(10)).unwrap_err();
        assert_eq!(wait, 3590);
        assert_eq!(limiter.check("other", 3, start), Ok(()));
        assert_eq!(limiter.check("acct", 3, start + WINDOW), Ok(()));
        limiter.record("acct", start);
        limiter.reset("acct");
        assert_eq!(limiter.check("acct", 1, start), Ok(()));
    }
}
