//! The live-receipt feed shared by replicas. Each replica keeps a live tail of the receipts it
//! received itself; on one store served by several replicas, a receipt posted to replica A must
//! reach B's pages too. So every stored live receipt is also *published*
//! ([`crate::store::live::publish`]): a feed entry with a store-wide sequence number, and every
//! replica *follows* the
//! feed (a poll of the entries after the last one it has seen, every [`FEED_POLL`]), loading the
//! receipts other replicas published and putting them into its own live tail.
//!
//! Numbers are handed out before the entry is written, so entries can become visible out of
//! order (replica A takes 10, B takes 11 and writes first): the follower keeps a *frontier*
//! below which it has seen every number, reads from there, and skips a missing number only
//! after [`GAP_WAIT`] (its writer died between taking the number and writing: the receipt is in
//! the store and the next rebuild has it). Receiving a receipt twice is harmless (the tail and
//! the append keep one copy per receipt id).

use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use super::live::LiveEntry;
use crate::store::model::{Department, LiveFeedEntry, Product, Promotion, Receipt, SalesLine, Shop};
use crate::store::{Store, StoreExt, StoreResult};

/// How often a replica reads the feed.
pub const FEED_POLL: Duration = Duration::from_millis(250);
/// How long a missing number is waited for.
pub const GAP_WAIT: Duration = Duration::from_secs(10);

/// A stored receipt with its lines and the catalogue records it names, as the live tail holds
/// it; `None` when the receipt is not (or no longer) in the store.
pub async fn load_entry(store: &dyn Store, receipt_id: &str) -> StoreResult<Option<LiveEntry>> {
    let Some(receipt) = store.get_one::<Receipt>(receipt_id).await? else { return Ok(None) };
    let lines: Vec<SalesLine> = store.find("receipt_id", serde_json::json!(receipt_id), 100_000).await?;
    let shop = store.get_one::<Shop>(&receipt.shop_id).await?.unwrap_or_else(|| Shop {
        id: receipt.shop_id.clone(),
        name: receipt.shop_id.clone(),
        city: None,
        province: None,
    });
    let mut products = Vec::new();
    let mut departments = Vec::new();
    let mut promotions = Vec::new();
    let (mut seen_p, mut seen_d, mut seen_m) = (HashSet::new(), HashSet::new(), HashSet::new());
    for l in &lines {
        if seen_p.insert(l.product_id.clone()) {
            if let Some(p) = store.get_one::<Product>(&l.product_id).await? {
                products.push(p);
            }
        }
        if let Some(d) = l.department_id.as_ref().filter(|d| seen_d.insert((*d).clone())) {
            if let Some(d) = store.get_one::<Department>(d).await? {
                departments.push(d);
            }
        }
        if let Some(m) = l.promotion_id.as_ref().filter(|m| seen_m.insert((*m).clone())) {
            if let Some(m) = store.get_one::<Promotion>(m).await? {
                promotions.push(m);
            }
        }
    }
    Ok(Some(LiveEntry { receipt, lines, shop, products, departments, promotions }))
}

/// Where a replica is in the feed.
#[derive(Default)]
pub struct Follower {
    state: Mutex<Position>,
    /// Numbers this replica published itself (already in its tail).
    own: Mutex<HashSet<u64>>,
    /// Receipts seen in the feed but not loaded yet (a failed read): first at the next poll.
    retry: Mutex<Vec<String>>,
}

#[derive(Default)]
struct Position {
    /// Every number up to here has been seen (or given up on).
    frontier: Option<u64>,
    /// Numbers above the frontier already seen.
    seen: BTreeSet<u64>,
    /// Missing numbers above the frontier, and when they were first missed.
    gaps: HashMap<u64, Instant>,
}

impl Follower {
    /// Starts following after number `at` (read before the projection's first build, which
    /// has every receipt published up to it). Later calls change nothing.
    pub fn start_at(&self, at: u64) {
        if let Ok(mut p) = self.state.lock() {
            p.frontier.get_or_insert(at);
        }
    }

    /// Records a number this replica published (its receipt is in its tail already).
    pub fn mark_own(&self, seq: u64) {
        if let Ok(mut own) = self.own.lock() {
            own.insert(seq);
        }
    }

    /// Hands back receipts [`Follower::poll`] returned that could not be loaded.
    pub fn retry_later(&self, ids: Vec<String>) {
        if let Ok(mut r) = self.retry.lock() {
            r.extend(ids);
        }
    }

    /// The frontier (every number up to it seen).
    pub fn frontier(&self) -> u64 {
        self.state.lock().ok().and_then(|p| p.frontier).unwrap_or(0)
    }

    /// Reads the feed after the frontier once: the receipt ids other replicas published that
    /// this replica has not seen yet, in feed order.
    pub async fn poll(&self, store: &dyn Store) -> StoreResult<Vec<String>> {
        let Some(from) = self.state.lock().ok().and_then(|p| p.frontier) else { return Ok(Vec::new()) };
        let mut fresh = self.retry.lock().map(|mut r| std::mem::take(&mut *r)).unwrap_or_default();
        let mut after = format!("{from:020}");
        loop {
            let page: Vec<LiveFeedEntry> = store.scan_page(Some(&after), 1_000).await?;
            let Some(last) = page.last() else { break };
            after = last.id.clone();
            let full = page.len() == 1_000;
            {
                let mut p = self.state.lock().map_err(|_| crate::store::StoreError::Backend("feed poisoned".into()))?;
                let mut own = self.own.lock().map_err(|_| crate::store::StoreError::Backend("feed poisoned".into()))?;
                for e in page {
                    let Ok(seq) = e.id.parse::<u64>() else { continue };
                    if p.frontier.is_some_and(|f| seq <= f) || !p.seen.insert(seq) {
                        continue;
                    }
                    if !own.remove(&seq) {
                        fresh.push(e.receipt_id);
                        if let Ok(at) = chrono::DateTime::parse_from_rfc3339(&e.published_at) {
                            let lag = (chrono::Utc::now() - at.with_timezone(&chrono::Utc)).num_milliseconds();
                            metrics::histogram!("live_feed_lag_seconds").record(lag.max(0) as f64 / 1e3);
                        }
                    }
                }
                p.advance(&mut own);
            }
            if !full {
                break;
            }
        }
        Ok(fresh)
    }
}

impl Position {
    /// Moves the frontier over the numbers seen, and over a missing one waited for long enough.
    fn advance(&mut self, own: &mut HashSet<u64>) {
        let Some(mut f) = self.frontier else { return };
        while let Some(&highest) = self.seen.iter().next_back() {
            let next = f + 1;
            if self.seen.remove(&next) {
                self.gaps.remove(&next);
                f = next;
            } else if next < highest {
                let since = *self.gaps.entry(next).or_insert_with(Instant::now);
                if since.elapsed() < GAP_WAIT {
                    break;
                }
                tracing::warn!(seq = next, "live feed: number never written (its replica stopped?); skipped");
                self.gaps.remove(&next);
                f = next;
            } else {
                break;
            }
        }
        self.frontier = Some(f);
        own.retain(|s| *s > f);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_frontier_waits_for_a_missing_number_then_moves_over_it() {
        let mut p = Position { frontier: Some(10), ..Default::default() };
        let mut own = HashSet::from([11, 12]);
        p.seen.extend([11, 13]);
        p.advance(&mut own);
        assert_eq!(p.frontier, Some(11), "12 is missing: wait for it");
        assert_eq!(own, HashSet::from([12]));
        p.seen.insert(12);
        p.advance(&mut own);
        assert_eq!(p.frontier, Some(13));
        assert!(own.is_empty());
        // A gap first missed long ago is skipped.
        p.seen.insert(15);
        p.gaps.insert(14, Instant::now() - GAP_WAIT - Duration::from_secs(1));
        p.advance(&mut own);
        assert_eq!(p.frontier, Some(15));
        assert!(p.gaps.is_empty() && p.seen.is_empty());
    }
}
