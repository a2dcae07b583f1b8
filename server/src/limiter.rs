//! Limits attempts per key (an account, a card, a client address) over a sliding hour. Every
//! attempt is counted *before* the expensive work it guards (argon2), so parallel requests
//! cannot all slip through; a success forgives the attempt.
//!
//! Memory is bounded whatever the callers send: keys are hashed to 16 bytes (a 2 MB
//! identifier costs what a short one does), each key holds a fixed-size sliding-window counter
//! (the current and the previous window's counts, weighted), and at most [`MAX_KEYS`] keys are
//! kept, the least recently used evicted first. In memory: a restart forgets the counts, which
//! only ever favours the user.

use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use hashlink::LruCache;
use sha2::{Digest, Sha256};

/// Failed logins allowed per account per window.
pub const MAX_PER_ACCOUNT: usize = 100;
/// Claim attempts allowed per card per window (birth dates are guessable).
pub const MAX_CLAIMS_PER_CARD: usize = 10;
/// Failed logins and claims allowed per client address per window.
pub const MAX_PER_IP: usize = 300;
/// Profile changes allowed per account per window (each may answer `taken`).
pub const MAX_PROFILE_CHANGES: usize = 20;
/// The window.
pub const WINDOW: Duration = Duration::from_secs(3600);
/// Keys tracked at most; the least recently used are dropped beyond this.
pub const MAX_KEYS: usize = 100_000;

/// One key's counts: attempts in the current window and in the one before.
#[derive(Clone, Copy, Debug)]
struct Counter {
    window_start: Instant,
    current: u32,
    previous: u32,
}

impl Counter {
    /// Moves the window forward to the one holding `now`.
    fn slide(&mut self, now: Instant, window: Duration) {
        let elapsed = now.saturating_duration_since(self.window_start);
        if elapsed >= window * 2 {
            *self = Counter { window_start: now, current: 0, previous: 0 };
        } else if elapsed >= window {
            self.previous = self.current;
            self.current = 0;
            self.window_start += window;
        }
    }

    /// The attempts in the hour before `now`: the current window's plus the previous window's
    /// share that still overlaps the last hour.
    fn estimate(&self, now: Instant, window: Duration) -> f64 {
        let into = now.saturating_duration_since(self.window_start).as_secs_f64() / window.as_secs_f64();
        f64::from(self.current) + f64::from(self.previous) * (1.0 - into.min(1.0))
    }
}

/// The limiter: sliding-window counters per hashed key, LRU-bounded.
pub struct FailureLimiter {
    counters: Mutex<LruCache<u128, Counter>>,
    window: Duration,
}

impl Default for FailureLimiter {
    fn default() -> Self {
        FailureLimiter::with_capacity(MAX_KEYS)
    }
}

/// The 16-byte digest a key is stored under.
fn digest(key: &str) -> u128 {
    let d = Sha256::digest(key.as_bytes());
    u128::from_be_bytes(d[..16].try_into().unwrap_or_default())
}

/// The limiter key of a client address: IPv4 as is, IPv6 by its /64 (one household or
/// device rotates freely inside it).
pub fn address_key(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => format!("ip:{v4}"),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => format!("ip:{v4}"),
            None => {
                let s = v6.segments();
                format!("ip6:{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
        },
    }
}

impl FailureLimiter {
    /// A limiter keeping at most `capacity` keys.
    pub fn with_capacity(capacity: usize) -> Self {
        FailureLimiter::with_window(capacity, WINDOW)
    }

    /// A limiter keeping at most `capacity` keys, counting over `window`.
    pub fn with_window(capacity: usize, window: Duration) -> Self {
        FailureLimiter { counters: Mutex::new(LruCache::new(capacity.max(1))), window }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, LruCache<u128, Counter>> {
        self.counters.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Counts one attempt on every `(key, max)` unless one of them has reached its `max` in the
    /// window, in which case nothing is counted and the answer is `Err(seconds to wait)`.
    pub fn attempt(&self, keys: &[(&str, usize)], now: Instant) -> Result<(), u64> {
        let mut map = self.lock();
        let window = self.window;
        let hashed: Vec<(u128, usize)> = keys.iter().map(|(k, max)| (digest(k), *max)).collect();
        for (key, max) in &hashed {
            if let Some(counter) = map.get_mut(key) {
                counter.slide(now, window);
                if counter.estimate(now, window) >= *max as f64 {
                    let wait = window.saturating_sub(now.saturating_duration_since(counter.window_start));
                    return Err(wait.as_secs().max(1));
                }
            }
        }
        for (key, _) in hashed {
            match map.get_mut(&key) {
                Some(counter) => counter.current = counter.current.saturating_add(1),
                None => {
                    map.insert(key, Counter { window_start: now, current: 1, previous: 0 });
                }
            }
        }
        Ok(())
    }

    /// Takes back one attempt of `key` (it succeeded).
    pub fn forgive(&self, key: &str) {
        if let Some(counter) = self.lock().get_mut(&digest(key)) {
            counter.current = counter.current.saturating_sub(1);
        }
    }

    /// Forgets every attempt of `key` (after a successful login).
    pub fn reset(&self, key: &str) {
        self.lock().remove(&digest(key));
    }

    /// Keys currently held.
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    /// True when no key is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_after_max_attempts_until_the_window_slides() {
        let limiter = FailureLimiter::default();
        let start = Instant::now();
        for i in 0..3 {
            assert_eq!(limiter.attempt(&[("acct", 3)], start), Ok(()), "attempt {i}");
        }
        let wait = limiter.attempt(&[("acct", 3)], start + Duration::from_secs(10)).unwrap_err();
        assert_eq!(wait, 3590);
        assert_eq!(limiter.attempt(&[("other", 3)], start), Ok(()));
        // Two windows later nothing of the old attempts is left.
        assert_eq!(limiter.attempt(&[("acct", 3)], start + WINDOW * 2), Ok(()));
        limiter.reset("acct");
        assert_eq!(limiter.attempt(&[("acct", 1)], start + WINDOW * 2), Ok(()));
    }

    #[test]
    fn the_previous_window_counts_by_its_overlap() {
        let limiter = FailureLimiter::default();
        let start = Instant::now();
        for _ in 0..10 {
            limiter.attempt(&[("k", 10)], start).unwrap();
        }
        // A quarter into the next window, 7.5 of the 10 still weigh: three more fit (7.5, 8.5
        // and 9.5 are under 10), the fourth does not.
        let later = start + WINDOW + WINDOW / 4;
        for _ in 0..3 {
            assert_eq!(limiter.attempt(&[("k", 10)], later), Ok(()));
        }
        assert!(limiter.attempt(&[("k", 10)], later).is_err());
    }

    #[test]
    fn a_refused_attempt_counts_on_no_key_and_a_success_is_forgiven() {
        let limiter = FailureLimiter::default();
        let now = Instant::now();
        limiter.attempt(&[("acct", 1)], now).unwrap();
        assert!(limiter.attempt(&[("ip", 5), ("acct", 1)], now).is_err());
        // The refusal did not count on `ip`: all five attempts still fit.
        for _ in 0..5 {
            limiter.attempt(&[("ip", 5)], now).unwrap();
        }
        assert!(limiter.attempt(&[("ip", 5)], now).is_err());
        limiter.forgive("ip");
        assert_eq!(limiter.attempt(&[("ip", 5)], now), Ok(()));
    }

    #[test]
    fn a_flood_of_unique_keys_stays_within_the_bound() {
        let limiter = FailureLimiter::with_capacity(1_000);
        let now = Instant::now();
        for i in 0..50_000 {
            // Long, unique identifiers as an attacker would send them.
            let key = format!("acct:{i}{}", "x".repeat(1_000));
            let _ = limiter.attempt(&[(&key, 100)], now);
        }
        assert_eq!(limiter.len(), 1_000);
    }

    #[test]
    fn ipv6_addresses_group_by_their_64_bit_prefix() {
        let a: IpAddr = "2001:db8:1:2:aaaa::1".parse().unwrap();
        let b: IpAddr = "2001:db8:1:2:bbbb::9".parse().unwrap();
        let c: IpAddr = "2001:db8:1:3::1".parse().unwrap();
        assert_eq!(address_key(a), address_key(b));
        assert_ne!(address_key(a), address_key(c));
        assert_eq!(address_key("::ffff:10.0.0.1".parse().unwrap()), "ip:10.0.0.1");
    }
}
