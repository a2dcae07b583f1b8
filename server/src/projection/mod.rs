//! The in-memory columnar projection of the store ([`dataset::Dataset`]) and the one component
//! that keeps it current ([`Projection`]): built in the background at start, rebuilt after
//! each import batch, merged with the receipts the tills send live, and swapped atomically so
//! requests never scan the database and never wait for a build.
//!
//! What the layers above derive from a dataset (the analytics' models) is built together with
//! it through [`Derive`], so a snapshot's data and models always belong together. The
//! projection only reads the store; it never writes a row.

mod append;
pub mod daily;
pub mod dataset;
pub mod feed;
pub mod live;
mod runtime;

use std::sync::{Arc, RwLock};

use crate::store::{Entity, Store, StoreExt, StoreResult};
use dataset::{Dataset, DatasetBuilder};

pub use runtime::{
    batches_fingerprint, DataSummary, Projection, Rebuilt, SharedDataset, BATCH_POLL, LIVE_REBUILD_AFTER,
};

/// Rows read per store page while building.
const PAGE: u32 = 20_000;

/// Reads every record of one table, page by page, into `f`.
pub async fn scan_all<T: Entity>(store: &dyn Store, mut f: impl FnMut(&T)) -> StoreResult<u64> {
    let mut after: Option<String> = None;
    let mut n = 0;
    loop {
        let page: Vec<T> = store.scan_page(after.as_deref(), PAGE).await?;
        let Some(last) = page.last() else { break };
        after = Some(last.id().to_string());
        for record in &page {
            f(record);
        }
        n += page.len() as u64;
        if page.len() < PAGE as usize {
            break;
        }
    }
    Ok(n)
}

/// Builds a dataset from every relevant table of the store.
pub async fn load(store: &dyn Store) -> StoreResult<Dataset> {
    let mut b = DatasetBuilder::new();
    scan_all(store, |s| b.add_shop(s)).await?;
    scan_all(store, |d| b.add_department(d)).await?;
    scan_all(store, |p| b.add_promotion(p)).await?;
    scan_all(store, |p| b.add_product(p)).await?;
    scan_all(store, |c| b.add_cardholder(c)).await?;
    scan_all(store, |r| b.add_receipt(r)).await?;
    scan_all(store, |l| b.add_line(l)).await?;
    Ok(tokio::task::spawn_blocking(move || b.finish()).await.expect("dataset sort does not panic"))
}

/// What a build derives from a fresh dataset before it is installed (e.g. fitted models);
/// runs on a blocking thread.
pub trait Derive: Send + Sync + 'static {
    /// The installed unit: the dataset and everything derived from it.
    type Snapshot: AsRef<Dataset> + Send + Sync + 'static;
    /// Wraps `data` with what is derived from it.
    fn derive(&self, data: Dataset) -> Self::Snapshot;
    /// Wraps `data`, grown from `previous`'s dataset by appending receipts: what is costly to
    /// derive may be carried over until the next full build. By default, derived afresh.
    fn extend(&self, previous: &Self::Snapshot, data: Dataset) -> Self::Snapshot {
        let _ = previous;
        self.derive(data)
    }
}

/// Holds the current snapshot; rebuilt in the background, swapped atomically.
pub struct Engine<D: Derive> {
    current: RwLock<Option<Arc<D::Snapshot>>>,
    derive: D,
}

impl<D: Derive> Engine<D> {
    /// A cold engine (no snapshot yet).
    pub fn new(derive: D) -> Self {
        Engine { current: RwLock::new(None), derive }
    }

    /// The current snapshot, once built.
    pub fn snapshot(&self) -> Option<Arc<D::Snapshot>> {
        self.current.read().ok().and_then(|s| s.clone())
    }

    /// Replaces the snapshot.
    pub fn install(&self, snapshot: Arc<D::Snapshot>) {
        if let Ok(mut slot) = self.current.write() {
            *slot = Some(snapshot);
        }
    }

    /// Installs `previous`'s dataset grown by `entries` (see [`Dataset::with_receipts`]); the
    /// old snapshot serves meanwhile.
    pub async fn append(
        self: &Arc<Self>,
        previous: Arc<D::Snapshot>,
        entries: Vec<live::LiveEntry>,
        cardholders: Vec<crate::store::model::Cardholder>,
    ) -> Arc<D::Snapshot> {
        let engine = self.clone();
        let snapshot = tokio::task::spawn_blocking(move || {
            let data = previous.as_ref().as_ref().with_receipts(&entries, &cardholders);
            Arc::new(engine.derive.extend(&previous, data))
        })
        .await
        .expect("appending to a dataset does not panic");
        self.install(snapshot.clone());
        snapshot
    }

    /// Rebuilds from the store; the old snapshot serves until the new one is ready.
    pub async fn rebuild(self: &Arc<Self>, store: &dyn Store) -> StoreResult<Arc<D::Snapshot>> {
        let started = std::time::Instant::now();
        let data = load(store).await?;
        tracing::info!(
            receipts = data.receipts.len(),
            lines = data.lines.len(),
            cards = data.cards.len(),
            heap_mib = data.heap_bytes() / (1 << 20),
            elapsed_ms = started.elapsed().as_millis() as u64,
            "projection built"
        );
        let engine = self.clone();
        let snapshot = tokio::task::spawn_blocking(move || Arc::new(engine.derive.derive(data)))
            .await
            .expect("deriving from a dataset does not panic");
        self.install(snapshot.clone());
        Ok(snapshot)
    }
}
