//! The projection as one running component: the engine, its background warm-up and
//! refreshes, the live tail and readiness. Startup never waits for it: the server listens at
//! once, `/healthz` answers immediately and `/readyz` says 503 until the first build is
//! installed. It only reads the store; what must follow a build or an applied import (the points
//! ledger sync) is handed in as [`Rebuilt`] hooks by the wiring, so this layer never calls a
//! service.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, RwLock};

use app::ports::Readiness;
use async_trait::async_trait;

use super::dataset::Dataset;
use super::live::LiveTail;
use super::{Derive, Engine};
use crate::store::model::BatchStatus;
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

/// The dataset a hook is handed: shared, so the hook can move it to a blocking thread.
pub type SharedDataset = Arc<dyn AsRef<Dataset> + Send + Sync>;

/// Work that follows every installed build and every applied import batch (e.g. completing the
/// points ledger for the imported receipts). Failures are the hook's to log; the next build or
/// import calls it again.
#[async_trait]
pub trait Rebuilt: Send + Sync {
    /// Called with the new dataset once it serves.
    async fn rebuilt(&self, store: &dyn Store, data: SharedDataset);
}

/// How often the server looks for import batches finished by another process (the CLI).
pub const BATCH_POLL: std::time::Duration = std::time::Duration::from_secs(5);

/// The projection, its warm-up state and its live tail.
pub struct Projection<D: Derive> {
    warm: AtomicBool,
    summary: RwLock<DataSummary>,
    /// The import batches' states at the last build, updated as finished ones are applied.
    batches_seen: std::sync::Mutex<Option<BTreeMap<String, BatchState>>>,
    /// Import batches applied without a rebuild since start.
    batches_applied: std::sync::atomic::AtomicU64,
    /// The current snapshot.
    pub engine: Arc<Engine<D>>,
    /// Serialises refreshes so two never build at once.
    refreshing: tokio::sync::Mutex<()>,
    /// A requested rebuild waits for the running one ([`Projection::request_refresh`]).
    pending: AtomicBool,
    /// Rebuilds done since start.
    rebuilds: std::sync::atomic::AtomicU64,
    /// Receipts received live since the projection was built.
    pub live: LiveTail,
    /// This replica's place in the live-receipt feed of all replicas.
    pub feed: super::feed::Follower,
    /// What follows each rebuild.
    hooks: Vec<Arc<dyn Rebuilt>>,
    /// Woken when a live receipt arrives ([`Projection::spawn_appender`]).
    arrived: tokio::sync::Notify,
    /// The day of the last full build (the models are fitted again each day).
    built_on: std::sync::atomic::AtomicI32,
    /// When the last append (or build) finished: the spare dataset is freed after
    /// [`SPARE_IDLE`].
    last_append: std::sync::Mutex<Option<std::time::Instant>>,
}

/// How long the engine keeps its spare dataset after the last append (a quiet store, e.g. at
/// night, holds one projection, not two).
pub const SPARE_IDLE: std::time::Duration = std::time::Duration::from_secs(600);

/// How long live receipts wait at most before the projection is rebuilt to include them: a
/// safety net only, as they are appended within a second ([`Projection::spawn_appender`]).
pub const LIVE_REBUILD_AFTER: std::time::Duration = std::time::Duration::from_secs(60);

/// How long the appender waits after a live receipt for more to arrive (one append for a
/// burst of receipts).
pub const APPEND_AFTER: std::time::Duration = std::time::Duration::from_millis(200);

/// After an append the appender waits this many times its duration, so appending takes at most
/// a tenth of one core however fast receipts arrive (an append works in place, about a
/// millisecond; the first after a build copies the projection, tens of milliseconds on the demo
/// set).
pub const APPEND_DUTY: u32 = 10;

/// What the projection knows of an import batch: enough to see it start, finish or fail, in
/// this process or another (the CLI).
#[derive(Clone, Debug, PartialEq, Eq)]
struct BatchState {
    status: BatchStatus,
    /// Rows it inserted and changed.
    rows: i64,
    finished_at: Option<String>,
    /// Its number in the rows' lineage.
    number: Option<i64>,
}

/// Every import batch's state, by id.
async fn batch_states(store: &dyn Store) -> StoreResult<BTreeMap<String, BatchState>> {
    let mut states = BTreeMap::new();
    super::scan_all::<crate::store::model::ImportBatch>(store, |b| {
        let state = BatchState {
            status: b.status,
            rows: b.inserted + b.updated,
            finished_at: b.finished_at.clone(),
            number: b.number,
        };
        states.insert(b.id.clone(), state);
    })
    .await?;
    Ok(states)
}

/// Batches above this many rows (or a quarter of the lines held) rebuild the projection rather
/// than being applied to it (a whole year's file costs about as much either way).
pub const BATCH_APPLY_MAX_ROWS: i64 = 50_000;

/// What to do about the import batches recorded since the projection last looked.
#[derive(Debug, PartialEq)]
enum Catch {
    /// Nothing new (or only batches still running).
    Nothing,
    /// Apply these finished batches' rows (their numbers), then remember these states.
    Apply(Vec<i64>, Vec<(String, BatchState)>),
    /// Rebuild, for this reason.
    Rebuild(String),
}

/// Compares the batches `now` with those `seen` at the last build or catch-up.
fn catch_up(seen: &BTreeMap<String, BatchState>, now: &BTreeMap<String, BatchState>, lines: usize) -> Catch {
    if let Some(gone) = seen.keys().find(|id| !now.contains_key(*id)) {
        return Catch::Rebuild(format!("import batch {gone} is gone from the store"));
    }
    let finished: Vec<(String, BatchState)> = now
        .iter()
        .filter(|(id, state)| seen.get(*id) != Some(*state) && state.status != BatchStatus::Running)
        .map(|(id, state)| (id.clone(), state.clone()))
        .collect();
    if finished.is_empty() {
        return Catch::Nothing;
    }
    let mut numbers = Vec::new();
    for (id, state) in &finished {
        match state.number {
            Some(n) => numbers.push(n),
            None => return Catch::Rebuild(format!("import batch {id} recorded no lineage")),
        }
    }
    let rows: i64 = finished.iter().map(|(_, s)| s.rows).sum();
    if rows > BATCH_APPLY_MAX_ROWS.max(lines as i64 / 4) {
        return Catch::Rebuild(format!("import batches of {rows} rows"));
    }
    numbers.sort_unstable();
    Catch::Apply(numbers, finished)
}

impl<D: Derive> Projection<D> {
    /// A cold projection: nothing built yet; `hooks` run after every rebuild.
    pub fn new(derive: D, hooks: Vec<Arc<dyn Rebuilt>>) -> Arc<Self> {
        Arc::new(Projection {
            warm: AtomicBool::new(false),
            summary: RwLock::default(),
            batches_seen: std::sync::Mutex::new(None),
            batches_applied: Default::default(),
            engine: Arc::new(Engine::new(derive)),
            refreshing: tokio::sync::Mutex::new(()),
            pending: AtomicBool::new(false),
            rebuilds: std::sync::atomic::AtomicU64::new(0),
            live: LiveTail::default(),
            feed: Default::default(),
            hooks,
            arrived: tokio::sync::Notify::new(),
            built_on: std::sync::atomic::AtomicI32::new(i32::MIN),
            last_append: std::sync::Mutex::new(None),
        })
    }

    /// Holds a stored live receipt (the shopper's pages show it at once) and wakes the appender
    /// (the dashboards show it within a second).
    pub fn receive(&self, entry: super::live::LiveEntry) {
        self.live.push(entry);
        self.arrived.notify_one();
    }

    /// Appends the live receipts held to the current snapshot, without reading the store's
    /// receipts (only the register records of cards the projection does not know yet).
    /// Returns whether anything was appended.
    pub async fn append_live(&self, store: &dyn Store) -> StoreResult<bool> {
        let _one_at_a_time = self.refreshing.lock().await;
        let Some(current) = self.snapshot() else { return Ok(false) };
        let (seq, entries) = self.live.held();
        if entries.is_empty() {
            return Ok(false);
        }
        let started = std::time::Instant::now();
        let mut cardholders = Vec::new();
        {
            let data: &Dataset = (*current).as_ref();
            let unknown: std::collections::BTreeSet<&str> = entries
                .iter()
                .filter_map(|e| e.receipt.card_number.as_deref())
                .filter(|c| data.cards.number.get(c).is_none_or(|i| !data.cards.registered[i as usize]))
                .collect();
            for card in unknown {
                use crate::store::StoreExt;
                if let Some(c) = store.get_one::<crate::store::model::Cardholder>(card).await? {
                    cardholders.push(c);
                }
            }
        }
        let n = entries.len();
        self.engine.append(current, super::Change::Receipts { entries, cardholders }).await;
        self.live.prune(seq);
        if let Ok(mut last) = self.last_append.lock() {
            *last = Some(std::time::Instant::now());
        }
        metrics::counter!("projection_appends_total").increment(1);
        tracing::debug!(receipts = n, elapsed_ms = started.elapsed().as_millis() as u64, "live receipts appended");
        // No after-build hooks: what they complete for a build (the points ledger, the points
        // book) the till's own write already did for these receipts; the next full build runs
        // them.
        Ok(true)
    }

    /// Appends live receipts as they arrive, a burst at a time ([`APPEND_AFTER`], or longer
    /// after a slow append: [`APPEND_DUTY`]). A failed
    /// append leaves them held: the next one, or the rebuild after [`LIVE_REBUILD_AFTER`],
    /// includes them.
    pub fn spawn_appender(self: &Arc<Self>, store: Arc<dyn Store>) {
        let projection = self.clone();
        tokio::spawn(async move {
            let mut pause = APPEND_AFTER;
            loop {
                projection.arrived.notified().await;
                tokio::time::sleep(pause).await;
                let started = std::time::Instant::now();
                if let Err(e) = projection.append_live(store.as_ref()).await {
                    tracing::warn!(error = %e, "appending live receipts failed; they stay held");
                }
                pause = APPEND_AFTER.max(started.elapsed() * APPEND_DUTY);
            }
        });
    }

    /// Follows the feed of live receipts every [`super::feed::FEED_POLL`]: the receipts other
    /// replicas stored join this replica's live tail (and so its pages and, appended, its
    /// dashboards). A receipt gone from the store meanwhile is skipped; a failed read is
    /// retried at the next poll.
    pub fn spawn_follower(self: &Arc<Self>, store: Arc<dyn Store>) {
        let projection = self.clone();
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(super::feed::FEED_POLL).await;
                if let Err(e) = projection.follow_once(store.as_ref()).await {
                    tracing::warn!(error = %e, "reading the live-receipt feed failed; retrying");
                }
            }
        });
    }

    /// One read of the feed (see [`Projection::spawn_follower`]); returns how many receipts
    /// joined the tail.
    pub async fn follow_once(&self, store: &dyn Store) -> StoreResult<usize> {
        let ids = self.feed.poll(store).await?;
        let mut n = 0;
        for (i, id) in ids.iter().enumerate() {
            match super::feed::load_entry(store, id).await {
                Ok(Some(entry)) => {
                    self.receive(entry);
                    metrics::counter!("live_feed_received_total").increment(1);
                    n += 1;
                }
                Ok(None) => {}
                Err(e) => {
                    self.feed.retry_later(ids[i..].to_vec());
                    return Err(e);
                }
            }
        }
        Ok(n)
    }

    /// The current snapshot, once built.
    pub fn snapshot(&self) -> Option<Arc<D::Snapshot>> {
        self.engine.snapshot()
    }

    /// The cached data summary.
    pub fn summary(&self) -> DataSummary {
        self.summary.read().map(|s| s.clone()).unwrap_or_default()
    }

    /// Rebuilds every cache from the store (the old ones keep serving meanwhile), then marks
    /// them warm.
    pub async fn refresh(&self, store: &dyn Store) -> StoreResult<()> {
        let _one_at_a_time = self.refreshing.lock().await;
        self.refresh_locked(store).await
    }

    /// Asks for a rebuild in the background, coalesced: however many callers ask (an erasure
    /// loop, a burst of imports), at most one rebuild runs and one waits; a request made while
    /// one waits is served by it, since it reads the store after the request was made.
    pub fn request_refresh(self: &Arc<Self>, store: Arc<dyn Store>) {
        if self.pending.swap(true, Ordering::AcqRel) {
            return;
        }
        let projection = self.clone();
        tokio::spawn(async move {
            let _one_at_a_time = projection.refreshing.lock().await;
            // From here on a new request queues a new rebuild: this one may already be reading.
            projection.pending.store(false, Ordering::Release);
            if let Err(e) = projection.refresh_locked(store.as_ref()).await {
                tracing::warn!(error = %e, "requested refresh failed; keeping the previous projection");
            }
        });
    }

    /// Rebuilds done since start.
    pub fn rebuilds(&self) -> u64 {
        self.rebuilds.load(Ordering::Relaxed)
    }

    async fn refresh_locked(&self, store: &dyn Store) -> StoreResult<()> {
        self.rebuilds.fetch_add(1, Ordering::Relaxed);
        let batches = batch_states(store).await?;
        let summary = DataSummary::load(store).await?;
        // Every live receipt up to here is in the store before the rebuild reads it (and every
        // one published to the feed up to `feed_head`).
        let live_seq = self.live.seq();
        let feed_head = store.sequence_value(crate::store::live::SEQUENCE).await?;
        let started = std::time::Instant::now();
        let snapshot = self.engine.rebuild(store).await?;
        metrics::histogram!("projection_build_seconds").record(started.elapsed().as_secs_f64());
        metrics::gauge!("projection_built_timestamp_seconds").set(crate::clock::unix_millis_now() as f64 / 1e3);
        self.feed.start_at(feed_head);
        self.live.prune(live_seq);
        // The build made a spare for the appends: freed after a quiet spell like any other.
        if let Ok(mut last) = self.last_append.lock() {
            *last = Some(std::time::Instant::now());
        }
        self.built_on.store(crate::clock::today(), Ordering::Relaxed);
        if let Ok(mut seen) = self.batches_seen.lock() {
            *seen = Some(batches);
        }
        if let Ok(mut slot) = self.summary.write() {
            *slot = summary;
        }
        // Ready once the hooks ran too (the points ledger and the dashboard's points book), so
        // the first page never shows a programme at zero.
        self.run_hooks(store, snapshot).await;
        self.warm.store(true, Ordering::Release);
        // The appends' spare, once the build serves (still under the refresh lock, so no append
        // runs meanwhile).
        let engine = self.engine.clone();
        tokio::task::spawn_blocking(move || engine.prepare_spare()).await.expect("copying a dataset does not panic");
        Ok(())
    }

    /// Runs the after-rebuild hooks on `data`.
    async fn run_hooks(&self, store: &dyn Store, snapshot: Arc<D::Snapshot>) {
        let data: SharedDataset = snapshot;
        for hook in &self.hooks {
            hook.rebuilt(store, data.clone()).await;
        }
    }

    /// Runs the after-rebuild hooks again on the current snapshot (nothing before the first
    /// build).
    pub async fn rerun_hooks(&self, store: &dyn Store) {
        if let Some(snapshot) = self.snapshot() {
            self.run_hooks(store, snapshot).await;
        }
    }

    /// Import batches applied to the projection without a rebuild since start.
    pub fn batches_applied(&self) -> u64 {
        self.batches_applied.load(Ordering::Relaxed)
    }

    /// Brings the projection up to date: applies the import batches finished since it last
    /// looked (in this process or another, e.g. the CLI) by reading only their rows, or
    /// rebuilds — when live receipts have waited [`LIVE_REBUILD_AFTER`], on the first check of
    /// a new day (the models are fitted on the day's data), or when the batches cannot be
    /// applied (see [`super::batch`]). Batches still running wait until they end. Returns
    /// whether anything was applied or rebuilt.
    pub async fn refresh_if_changed(&self, store: &dyn Store) -> StoreResult<bool> {
        let _one_at_a_time = self.refreshing.lock().await;
        let live_waiting = self.live.oldest_age().is_some_and(|age| age >= LIVE_REBUILD_AFTER);
        let new_day = self.built_on.load(Ordering::Relaxed) != crate::clock::today();
        let current = self.snapshot();
        let seen = self.batches_seen.lock().ok().and_then(|s| s.clone());
        let (Some(current), Some(seen), false, false) = (current, seen, live_waiting, new_day) else {
            self.refresh_locked(store).await?;
            return Ok(true);
        };
        let batches = batch_states(store).await?;
        let data: &Dataset = (*current).as_ref();
        let (numbers, finished) = match catch_up(&seen, &batches, data.lines.len()) {
            Catch::Nothing => return Ok(false),
            Catch::Rebuild(why) => {
                tracing::info!(why, "import batches: rebuilding the projection");
                self.refresh_locked(store).await?;
                return Ok(true);
            }
            Catch::Apply(numbers, finished) => (numbers, finished),
        };
        let started = std::time::Instant::now();
        let delta = match super::batch::Delta::read(store, data, &numbers).await? {
            Ok(delta) => delta,
            Err(why) => {
                tracing::info!(why, "import batches: rebuilding the projection");
                self.refresh_locked(store).await?;
                return Ok(true);
            }
        };
        let (receipts, cards) = (delta.receipts.len(), delta.cardholders.len());
        let read_ms = started.elapsed().as_millis() as u64;
        let summary = DataSummary::load(store).await?;
        let counted_ms = started.elapsed().as_millis() as u64 - read_ms;
        let snapshot = self.engine.append(current, super::Change::Batches(delta)).await;
        if let Ok(mut seen) = self.batches_seen.lock() {
            seen.get_or_insert_with(BTreeMap::new).extend(finished);
        }
        if let Ok(mut slot) = self.summary.write() {
            *slot = summary;
        }
        if let Ok(mut last) = self.last_append.lock() {
            *last = Some(std::time::Instant::now());
        }
        self.batches_applied.fetch_add(numbers.len() as u64, Ordering::Relaxed);
        metrics::counter!("projection_batches_applied_total").increment(numbers.len() as u64);
        tracing::info!(
            batches = ?numbers,
            receipts,
            cards,
            read_ms,
            counted_ms,
            elapsed_ms = started.elapsed().as_millis() as u64,
            "import batches applied to the projection"
        );
        // The points ledger for the imported receipts, as after a build.
        self.run_hooks(store, snapshot).await;
        Ok(true)
    }

    /// Runs the warm-up in the background, retrying until it succeeds, then keeps the projection
    /// in step with new import batches.
    pub fn spawn_warmup(self: &Arc<Self>, store: Arc<dyn Store>) {
        let projection = self.clone();
        tokio::spawn(async move {
            let started = std::time::Instant::now();
            let mut delay = std::time::Duration::from_millis(250);
            loop {
                match projection.refresh(store.as_ref()).await {
                    Ok(()) => {
                        tracing::info!(
                            elapsed_ms = started.elapsed().as_millis() as u64,
                            "ready: projection built, serving"
                        );
                        break;
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, "warm-up failed; retrying");
                        tokio::time::sleep(delay).await;
                        delay = (delay * 2).min(std::time::Duration::from_secs(10));
                    }
                }
            }
            projection.spawn_appender(store.clone());
            projection.spawn_follower(store.clone());
            projection.watch(store).await;
        });
    }

    /// Keeps the projection in step: every [`BATCH_POLL`], rebuilds after a new import batch or
    /// when live receipts have waited [`LIVE_REBUILD_AFTER`], and frees the spare dataset once
    /// appends stopped for [`SPARE_IDLE`]. Never returns.
    pub async fn watch(&self, store: Arc<dyn Store>) {
        loop {
            tokio::time::sleep(BATCH_POLL).await;
            if let Ok(mut last) = self.last_append.lock() {
                if last.is_some_and(|t| t.elapsed() >= SPARE_IDLE) {
                    *last = None;
                    self.engine.drop_spare();
                }
            }
            match self.refresh_if_changed(store.as_ref()).await {
                Ok(true) => tracing::info!("projection refreshed (import batches, live receipts or a new day)"),
                Ok(false) => {}
                Err(e) => tracing::warn!(error = %e, "cache refresh failed; keeping the previous projection"),
            }
        }
    }
}

impl<D: Derive> Readiness for Projection<D> {
    fn is_warm(&self) -> bool {
        self.warm.load(Ordering::Acquire)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state(status: BatchStatus, rows: i64, number: Option<i64>) -> BatchState {
        let finished_at = (status != BatchStatus::Running).then(|| "2026-12-02T10:00:00".to_string());
        BatchState { status, rows, finished_at, number }
    }

    fn batches(list: &[(&str, BatchState)]) -> BTreeMap<String, BatchState> {
        list.iter().map(|(id, s)| (id.to_string(), s.clone())).collect()
    }

    #[test]
    fn finished_batches_are_applied_running_ones_wait_and_the_odd_ones_rebuild() {
        use BatchStatus::*;
        let a = ("a", state(Completed, 10, Some(1)));
        let seen = batches(std::slice::from_ref(&a));
        assert_eq!(catch_up(&seen, &seen, 1_000), Catch::Nothing);
        // One still running waits; one finished (or failed: its rows are stored) is applied.
        let running = ("b", state(Running, 5, Some(2)));
        assert_eq!(catch_up(&seen, &batches(&[a.clone(), running.clone()]), 1_000), Catch::Nothing);
        let failed = ("c", state(Failed, 7, Some(3)));
        let done = ("b", state(Completed, 20, Some(2)));
        let now = batches(&[a.clone(), done.clone(), failed.clone(), ("d", state(Running, 1, Some(4)))]);
        assert_eq!(
            catch_up(&seen, &now, 1_000),
            Catch::Apply(vec![2, 3], vec![("b".into(), done.1.clone()), ("c".into(), failed.1.clone())])
        );
        // A batch seen running at the build (part of its rows read) is applied once it ends.
        let seen_running = batches(&[a.clone(), running]);
        assert!(
            matches!(catch_up(&seen_running, &batches(&[a.clone(), done.clone()]), 1_000), Catch::Apply(n, _) if n == [2])
        );
        // Rebuilds: a batch gone, one without lineage, or more rows than an append is worth.
        assert!(matches!(catch_up(&seen, &batches(std::slice::from_ref(&done)), 1_000), Catch::Rebuild(_)));
        assert!(matches!(
            catch_up(&seen, &batches(&[a.clone(), ("e", state(Completed, 1, None))]), 1_000),
            Catch::Rebuild(_)
        ));
        let big = ("f", state(Completed, BATCH_APPLY_MAX_ROWS + 1, Some(5)));
        assert!(matches!(catch_up(&seen, &batches(&[a.clone(), big.clone()]), 1_000), Catch::Rebuild(_)));
        let lines = 4 * (BATCH_APPLY_MAX_ROWS as usize + 1);
        assert!(matches!(catch_up(&seen, &batches(&[a, big]), lines), Catch::Apply(..)), "a quarter of the lines held");
    }
}
