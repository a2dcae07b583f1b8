//! The in-memory columnar projection of the store ([`dataset::Dataset`]) and the one component
//! that keeps it current ([`Projection`]): built in the background at start and once a day,
//! grown in place by each import batch ([`batch`]) and by the receipts the tills send live
//! (`append`), and swapped atomically so requests never scan the database and never wait.
//!
//! What the layers above derive from a dataset (the analytics' models) is built together with
//! it through [`Derive`], so a snapshot's data and models always belong together. The
//! projection only reads the store; it never writes a row.

mod append;
pub mod batch;
pub mod daily;
pub mod dataset;
pub mod feed;
pub mod live;
mod pending;
mod runtime;

use std::sync::{Arc, RwLock};

use crate::store::{Entity, Store, StoreExt, StoreResult};
pub use append::Change;
use dataset::{Dataset, DatasetBuilder};

pub use runtime::{
    DataSummary, Projection, Rebuilt, SharedDataset, BATCH_APPLY_MAX_ROWS, BATCH_POLL, LIVE_REBUILD_AFTER,
};

/// Rows read per store page while building.
const PAGE: u32 = 20_000;

/// Reads every record of one table, page by page, into `f`: the next page is read on the
/// store's thread while `f` takes this one, so reading and adding overlap.
pub async fn scan_all<T: Entity>(store: &dyn Store, mut f: impl FnMut(&T)) -> StoreResult<u64> {
    let mut page: Vec<T> = store.scan_page(None, PAGE).await?;
    let mut n = 0;
    loop {
        n += page.len() as u64;
        let last = match page.last() {
            Some(last) if page.len() == PAGE as usize => last.id().to_string(),
            _ => {
                page.iter().for_each(&mut f);
                return Ok(n);
            }
        };
        // Polled first (`biased`), the read is on its way before this page is taken.
        let (next, ()) = tokio::join!(biased; store.scan_page::<T>(Some(&last), PAGE), async {
            page.iter().for_each(&mut f);
        });
        page = next?;
    }
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
    /// Wraps `data`, grown from `previous`'s dataset by appending live receipts: what is costly
    /// to derive may be carried over until the next full build or import. By default, derived
    /// afresh.
    fn extend(&self, previous: &Self::Snapshot, data: Dataset) -> Self::Snapshot {
        let _ = previous;
        self.derive(data)
    }
    /// The dataset of a snapshot nobody reads any more (an append grows it in place).
    fn dataset_of(&self, snapshot: Self::Snapshot) -> Dataset;
}

/// The snapshot an append replaced, with what that append added: the next append brings this
/// dataset up to date in place (once no request reads it) instead of copying the one serving.
struct Spare<S> {
    snapshot: Arc<S>,
    /// The snapshot it leads to (the spare is only valid while that one serves).
    leads_to: std::sync::Weak<S>,
    change: Option<Change>,
}

/// How long an append waits for the requests still reading the spare snapshot (a request holds
/// a snapshot for milliseconds) before it copies the current dataset instead.
const SPARE_WAIT: std::time::Duration = std::time::Duration::from_millis(50);

/// Holds the current snapshot; rebuilt in the background, swapped atomically.
pub struct Engine<D: Derive> {
    current: RwLock<Option<Arc<D::Snapshot>>>,
    spare: std::sync::Mutex<Option<Spare<D::Snapshot>>>,
    derive: D,
    /// Appends that copied the dataset (no spare could be reused) and that worked in place.
    appends_copied: std::sync::atomic::AtomicU64,
    appends_in_place: std::sync::atomic::AtomicU64,
}

impl<D: Derive> Engine<D> {
    /// A cold engine (no snapshot yet).
    pub fn new(derive: D) -> Self {
        Engine {
            current: RwLock::new(None),
            spare: std::sync::Mutex::new(None),
            derive,
            appends_copied: Default::default(),
            appends_in_place: Default::default(),
        }
    }

    /// The current snapshot, once built.
    pub fn snapshot(&self) -> Option<Arc<D::Snapshot>> {
        self.current.read().ok().and_then(|s| s.clone())
    }

    /// Replaces the snapshot (a build: the spare no longer leads to it).
    pub fn install(&self, snapshot: Arc<D::Snapshot>) {
        self.drop_spare();
        if let Ok(mut slot) = self.current.write() {
            *slot = Some(snapshot);
        }
    }

    /// Makes the spare: a copy of the current dataset (after a build, so that no till's receipt
    /// waits for the copy; hundreds of milliseconds at the demo set's size, most of it the
    /// operating system handing over fresh memory). Call it off the async threads; the
    /// projection calls it once the build serves, so readiness never waits for it.
    pub fn prepare_spare(&self) {
        let Some(current) = self.snapshot() else { return };
        let mut data = current.as_ref().as_ref().clone();
        data.reserve_headroom();
        let spare = Spare {
            snapshot: Arc::new(self.derive.extend(&current, data)),
            leads_to: Arc::downgrade(&current),
            change: None,
        };
        if let Ok(mut slot) = self.spare.lock() {
            // Unless a build or an append replaced the snapshot meanwhile.
            if self.snapshot().is_some_and(|s| Arc::ptr_eq(&s, &current)) && slot.is_none() {
                *slot = Some(spare);
            }
        }
    }

    /// Frees the spare dataset (before a build, and when no receipt arrived for a while): the
    /// next append copies the current one.
    pub fn drop_spare(&self) {
        let spare = self.spare.lock().ok().and_then(|mut s| s.take());
        drop(spare);
    }

    /// Appends that copied the current dataset, and appends that grew the spare in place.
    pub fn append_counts(&self) -> (u64, u64) {
        use std::sync::atomic::Ordering::Relaxed;
        (self.appends_copied.load(Relaxed), self.appends_in_place.load(Relaxed))
    }

    /// Installs `previous`'s dataset with `change` applied (live receipts or import batches, see
    /// [`Dataset::apply`]); the old snapshot serves meanwhile.
    ///
    /// Double-buffered, so an append costs time in proportion to what it adds: the snapshot it
    /// replaces becomes the spare, and the next append takes the spare back once no request
    /// reads it, adds what the replacing append added, then the new receipts. A build makes the
    /// first spare ([`Engine::prepare_spare`]); an append copies the whole dataset only when
    /// there is no spare (freed after a quiet spell) or a request still reads it after
    /// [`SPARE_WAIT`]. The price is a second dataset in memory.
    pub async fn append(self: &Arc<Self>, previous: Arc<D::Snapshot>, change: Change) -> Arc<D::Snapshot> {
        use std::sync::atomic::Ordering::Relaxed;
        let engine = self.clone();
        tokio::task::spawn_blocking(move || {
            let spare = engine.spare.lock().ok().and_then(|mut s| s.take());
            let mut data = match spare.and_then(|s| engine.reclaim(s, &previous)) {
                Some(data) => {
                    engine.appends_in_place.fetch_add(1, Relaxed);
                    data
                }
                None => {
                    engine.appends_copied.fetch_add(1, Relaxed);
                    previous.as_ref().as_ref().clone()
                }
            };
            data.apply(&change);
            // Live receipts keep the day's models; an import is new data to fit them on (as a
            // build after it did), still far cheaper than a build.
            let next = Arc::new(match &change {
                Change::Receipts { .. } => engine.derive.extend(&previous, data),
                Change::Batches(_) => engine.derive.derive(data),
            });
            // Under the spare's lock, so a build installed meanwhile (which empties the spare)
            // is never followed by a spare leading to the snapshot it replaced.
            if let (Ok(mut spare), Ok(mut slot)) = (engine.spare.lock(), engine.current.write()) {
                *slot = Some(next.clone());
                *spare = Some(Spare { leads_to: Arc::downgrade(&next), snapshot: previous, change: Some(change) });
            }
            next
        })
        .await
        .expect("appending to a dataset does not panic")
    }

    /// The spare's dataset brought up to `current`'s, if the spare leads to it and no request
    /// reads it within [`SPARE_WAIT`].
    fn reclaim(&self, spare: Spare<D::Snapshot>, current: &Arc<D::Snapshot>) -> Option<Dataset> {
        if !std::ptr::eq(spare.leads_to.as_ptr(), Arc::as_ptr(current)) {
            return None;
        }
        let deadline = std::time::Instant::now() + SPARE_WAIT;
        let mut snapshot = spare.snapshot;
        loop {
            match Arc::try_unwrap(snapshot) {
                Ok(owned) => {
                    let mut data = self.derive.dataset_of(owned);
                    if let Some(change) = &spare.change {
                        data.apply(change);
                    }
                    return Some(data);
                }
                Err(_) if std::time::Instant::now() >= deadline => return None,
                Err(shared) => {
                    snapshot = shared;
                    std::thread::sleep(std::time::Duration::from_millis(1));
                }
            }
        }
    }

    /// Rebuilds from the store; the old snapshot serves until the new one is ready.
    pub async fn rebuild(self: &Arc<Self>, store: &dyn Store) -> StoreResult<Arc<D::Snapshot>> {
        let started = std::time::Instant::now();
        // The build replaces the spare anyway: its memory is better used by the build.
        self.drop_spare();
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
