//! Login and claim limits shared by every replica: with three replicas behind a load balancer
//! an attacker must not get three budgets. Each process keeps its own bounded limiter
//! ([`crate::limiter`]) as the first, cheap line; this second line counts every attempt in the
//! store, in hourly windows (the current window's count plus the previous one's share still in
//! the last hour, as the local limiter does).
//!
//! Exact under concurrency without transactions: an attempt first *adds* one to each key's
//! counter (an atomic increment that hands every concurrent caller a different value), and only
//! then compares; over the limit, it takes its own increments back and is refused. So however
//! many replicas race, at most the limit is ever tried. Keys are hashed (a 2 MB identifier
//! costs what a short one does) and the counters of past windows are deleted by the hourly
//! housekeeping ([`prune`]).

use std::sync::Arc;

use sha2::{Digest, Sha256};

use crate::store::{Store, StoreExt, StoreResult, Table};

/// The counting window, in seconds (as [`crate::limiter::WINDOW`]).
const WINDOW_SECS: i64 = 3600;

/// Attempt counters in the store.
pub struct SharedLimits {
    store: Arc<dyn Store>,
}

/// A window's name: its number since the Unix epoch, zero-padded.
fn window_name(index: i64) -> String {
    format!("{index:010}")
}

/// The counter id of `key` in window `index`.
fn counter_id(key: &str, index: i64) -> String {
    let d = Sha256::digest(key.as_bytes());
    format!("{}@{}", hex::encode(&d[..16]), window_name(index))
}

/// The current window's number and how far into it `now_ms` is (0..1).
fn position(now_ms: i64) -> (i64, f64) {
    let secs = now_ms.div_euclid(1000);
    let index = secs.div_euclid(WINDOW_SECS);
    let into = (now_ms - index * WINDOW_SECS * 1000) as f64 / (WINDOW_SECS * 1000) as f64;
    (index, into)
}

/// The attempts in the hour before now: this window's count and the previous window's share.
pub fn estimate(current: i64, previous: i64, into: f64) -> f64 {
    current.max(0) as f64 + previous.max(0) as f64 * (1.0 - into.clamp(0.0, 1.0))
}

impl SharedLimits {
    /// Counters in `store`.
    pub fn new(store: Arc<dyn Store>) -> Self {
        SharedLimits { store }
    }

    async fn value(&self, id: &str) -> StoreResult<i64> {
        self.store.counter_value(id).await
    }

    /// Counts one attempt on every `(key, max)`; `Ok(Err(seconds to wait))` when one of them
    /// is over its limit (nothing counted then).
    pub async fn attempt(&self, keys: &[(&str, usize)]) -> StoreResult<Result<(), u64>> {
        let now = crate::clock::unix_millis_now();
        let (index, into) = position(now);
        let mut added = Vec::with_capacity(keys.len());
        let mut over = false;
        for (key, max) in keys {
            let id = counter_id(key, index);
            let current = self.store.add_to_counter(&id, &window_name(index), 1).await?;
            added.push(id);
            let previous = self.value(&counter_id(key, index - 1)).await?;
            if estimate(current, previous, into) > *max as f64 {
                over = true;
                break;
            }
        }
        if !over {
            return Ok(Ok(()));
        }
        for id in added {
            self.store.add_to_counter(&id, &window_name(index), -1).await?;
        }
        let wait = ((1.0 - into) * WINDOW_SECS as f64).ceil() as u64;
        Ok(Err(wait.max(1)))
    }

    /// Takes back one attempt of `key` (it succeeded, or never ran).
    pub async fn forgive(&self, key: &str) -> StoreResult<()> {
        let (index, _) = position(crate::clock::unix_millis_now());
        self.store.add_to_counter(&counter_id(key, index), &window_name(index), -1).await.map(|_| ())
    }

    /// Forgets every attempt of `key` in the last hour (a successful login).
    pub async fn reset(&self, key: &str) -> StoreResult<()> {
        let (index, _) = position(crate::clock::unix_millis_now());
        for i in [index - 1, index] {
            let id = counter_id(key, i);
            let v = self.value(&id).await?;
            if v != 0 {
                self.store.add_to_counter(&id, &window_name(i), -v).await?;
            }
        }
        Ok(())
    }
}

/// Deletes the counters of windows before the previous one (a day of windows back, so a missed
/// run is caught up); returns how many.
pub async fn prune(store: &dyn Store) -> StoreResult<u64> {
    let (index, _) = position(crate::clock::unix_millis_now());
    let mut deleted = 0;
    for i in (index - 26)..(index - 1) {
        deleted += store.delete_by(Table::Counters, "window", &serde_json::json!(window_name(i))).await?;
    }
    Ok(deleted)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_estimate_weighs_the_previous_window_by_what_is_left_of_the_hour() {
        assert_eq!(estimate(10, 0, 0.0), 10.0);
        assert_eq!(estimate(10, 40, 0.25), 40.0, "10 + 40 × 0.75");
        assert_eq!(estimate(10, 40, 1.0), 10.0);
        assert_eq!(estimate(-1, 0, 0.5), 0.0, "a counter taken below zero counts as none");
        let (index, into) = position(7_200_000 + 900_000);
        assert_eq!((index, into), (2, 0.25));
        assert_ne!(counter_id("acct:a", 2), counter_id("acct:b", 2));
        assert!(counter_id("acct:a", 2).ends_with("@0000000002"));
    }
}
