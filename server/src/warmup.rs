//! Background warm-up of the in-memory caches. Startup never waits for it: the server listens
//! at once, `/healthz` answers immediately and `/readyz` says 503 until every cache is warm.
//! Warm-up only reads; it never imports, deletes or rewrites data.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, RwLock};

use app::ports::Readiness;

use crate::store::{Store, StoreResult, Table};

/// Row counts per table, read once at warm-up (and refreshed after imports).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DataSummary {
    pub rows: BTreeMap<&'static str, u64>,
}

impl DataSummary {
    /// Reads the row count of every table.
    pub async fn load(store: &dyn Store) -> StoreResult<Self> {
        let mut rows = BTreeMap::new();
        for table in Table::ALL {
            rows.insert(table.name(), store.count(table).await?);
        }
        Ok(DataSummary { rows })
    }
}

/// How often the server looks for import batches finished by another process (the CLI).
pub const BATCH_POLL: std::time::Duration = std::time::Duration::from_secs(5);

/// The caches and the flag saying they are warm.
#[derive(Default)]
pub struct Caches {
    warm: AtomicBool,
    summary: RwLock<DataSummary>,
    /// Fingerprint of the import batches (ids and states) at the last refresh.
    batches_seen: std::sync::Mutex<Option<u64>>,
    /// The analytics projection.
    pub analytics: Arc<crate::analytics::Engine>,
    /// Serialises refreshes so two never build at once.
    refreshing: tokio::sync::Mutex<()>,
    /// The points ledger, completed from the projection after each rebuild.
    pub ledger: crate::personal::ledger::LedgerSync,
    /// Programme settings (levels, bonus points, discount rate).
    pub tuning: crate::config::Tuning,
    /// Receipts received live since the projection was built.
    pub live: crate::analytics::live::LiveTail,
}

/// How long live receipts wait at most before the projection is rebuilt to include them (the
/// shoppers' pages show them at once; the admin dashboard after the rebuild).
pub const LIVE_REBUILD_AFTER: std::time::Duration = std::time::Duration::from_secs(60);

/// A fingerprint of every import batch's id, state and counts: it changes when a batch starts,
/// finishes or fails, in this process or another (the CLI).
pub async fn batches_fingerprint(store: &dyn Store) -> StoreResult<u64> {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    crate::analytics::scan_all::<crate::store::model::ImportBatch>(store, |b| {
        (&b.id, b.status as u8, b.inserted, b.updated, &b.finished_at).hash(&mut h);
    })
    .await?;
    Ok(h.finish())
}

impl Caches {
    /// New, cold caches with the default settings.
    pub fn new() -> Arc<Self> {
        Arc::new(Self::default())
    }

    /// New, cold caches with these settings.
    pub fn with_tuning(tuning: crate::config::Tuning) -> Arc<Self> {
        Arc::new(Caches {
            analytics: Arc::new(crate::analytics::Engine::with_discount(tuning.clv_monthly_discount)),
            tuning,
            ..Self::default()
        })
    }

    /// The cached data summary.
    pub fn summary(&self) -> DataSummary {
        self.summary.read().map(|s| s.clone()).unwrap_or_default()
    }

    /// Rebuilds every cache from the store (the old ones keep serving meanwhile), then marks
    /// them warm.
    pub async fn refresh(&self, store: &dyn Store) -> StoreResult<()> {
        let _one_at_a_time = self.refreshing.lock().await;
        let fingerprint = batches_fingerprint(store).await?;
        let summary = DataSummary::load(store).await?;
        // Every live receipt up to here is in the store before the rebuild reads it.
        let live_seq = self.live.seq();
        self.analytics.rebuild(store).await?;
        self.live.prune(live_seq);
        if let Ok(mut seen) = self.batches_seen.lock() {
            *seen = Some(fingerprint);
        }
        if let Ok(mut slot) = self.summary.write() {
            *slot = summary;
        }
        self.warm.store(true, Ordering::Release);
        self.sync_ledger(store).await;
        Ok(())
    }

    /// Completes the points ledger from the current projection (earned points per receipt and
    /// this month's challenge rewards). Failures are logged and retried at the next refresh.
    pub async fn sync_ledger(&self, store: &dyn Store) {
        let Some(snap) = self.analytics.snapshot() else { return };
        let month = crate::personal::rewards::month_of(app::validate::SimpleDate::today_utc().days_since_epoch() as i32);
        let bonus = self.tuning.promo_bonus_points;
        let expected = match tokio::task::spawn_blocking(move || {
            crate::personal::ledger::expected_entries(&snap.data, bonus, month)
        })
        .await
        {
            Ok(e) => e,
            Err(e) => return tracing::warn!(error = %e, "points ledger not computed"),
        };
        match self.ledger.sync(store, expected).await {
            Ok(stats) => tracing::info!(written = stats.written, "points ledger in step with the data"),
            Err(e) => tracing::warn!(error = %e, "points ledger sync failed; retried after the next import"),
        }
    }

    /// Refreshes when an import batch was recorded since the last refresh (e.g. by the CLI in
    /// another process), or when live receipts have waited [`LIVE_REBUILD_AFTER`]. Returns
    /// whether it refreshed.
    pub async fn refresh_if_changed(&self, store: &dyn Store) -> StoreResult<bool> {
        let fingerprint = batches_fingerprint(store).await?;
        let live_waiting = self.live.oldest_age().is_some_and(|age| age >= LIVE_REBUILD_AFTER);
        if !live_waiting && self.batches_seen.lock().map(|s| *s == Some(fingerprint)).unwrap_or(false) {
            return Ok(false);
        }
        self.refresh(store).await?;
        Ok(true)
    }

    /// Runs the warm-up in the background, retrying until it succeeds, then keeps the caches
    /// in step with new import batches.
    pub fn spawn_warmup(self: &Arc<Self>, store: Arc<dyn Store>) {
        let caches = self.clone();
        tokio::spawn(async move {
            let started = std::time::Instant::now();
            let mut delay = std::time::Duration::from_millis(250);
            loop {
                match caches.refresh(store.as_ref()).await {
                    Ok(()) => {
                        tracing::info!(elapsed_ms = started.elapsed().as_millis() as u64, "caches warm");
                        break;
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, "warm-up failed; retrying");
                        tokio::time::sleep(delay).await;
                        delay = (delay * 2).min(std::time::Duration::from_secs(10));
                    }
                }
            }
            caches.watch(store).await;
        });
    }

    /// Keeps the caches in step: every [`BATCH_POLL`], rebuilds after a new import batch or
    /// when live receipts have waited [`LIVE_REBUILD_AFTER`]. Never returns.
    pub async fn watch(&self, store: Arc<dyn Store>) {
        loop {
            tokio::time::sleep(BATCH_POLL).await;
            match self.refresh_if_changed(store.as_ref()).await {
                Ok(true) => tracing::info!("caches refreshed (new import batch or live receipts)"),
                Ok(false) => {}
                Err(e) => tracing::warn!(error = %e, "cache refresh failed; keeping the previous caches"),
            }
        }
    }
}

impl Readiness for Caches {
    fn is_warm(&self) -> bool {
        self.warm.load(Ordering::Acquire)
    }
}
