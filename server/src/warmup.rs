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

/// The caches and the flag saying they are warm.
#[derive(Default)]
pub struct Caches {
    warm: AtomicBool,
    summary: RwLock<DataSummary>,
}

impl Caches {
    /// New, cold caches.
    pub fn new() -> Arc<Self> {
        Arc::new(Self::default())
    }

    /// The cached data summary.
    pub fn summary(&self) -> DataSummary {
        self.summary.read().map(|s| s.clone()).unwrap_or_default()
    }

    /// Rebuilds every cache from the store, then marks them warm.
    pub async fn refresh(&self, store: &dyn Store) -> StoreResult<()> {
        let summary = DataSummary::load(store).await?;
        if let Ok(mut slot) = self.summary.write() {
            *slot = summary;
        }
        self.warm.store(true, Ordering::Release);
        Ok(())
    }

    /// Runs the warm-up in the background, retrying until it succeeds.
    pub fn spawn_warmup(self: &Arc<Self>, store: Arc<dyn Store>) {
        let caches = self.clone();
        tokio::spawn(async move {
            let started = std::time::Instant::now();
            let mut delay = std::time::Duration::from_millis(250);
            loop {
                match caches.refresh(store.as_ref()).await {
                    Ok(()) => {
                        tracing::info!(elapsed_ms = started.elapsed().as_millis() as u64, "caches warm");
                        return;
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, "warm-up failed; retrying");
                        tokio::time::sleep(delay).await;
                        delay = (delay * 2).min(std::time::Duration::from_secs(10));
                    }
                }
            }
        });
    }
}

impl Readiness for Caches {
    fn is_warm(&self) -> bool {
        self.warm.load(Ordering::Acquire)
    }
}
