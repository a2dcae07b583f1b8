//! The analytics engine: an in-memory columnar projection of the store's data
//! ([`dataset::Dataset`]), rebuilt in the background at startup and after each import batch,
//! and the dashboard, RFM, customer and export queries that run over it. Requests never scan
//! the database: they read the current projection, which is swapped atomically when a rebuild
//! finishes.

pub mod clv;
pub mod customers;
pub mod dataset;
pub mod export;
pub mod forecast;
pub mod history;
pub mod live;
pub mod rfm;
pub mod selection;
pub mod service;
pub mod widgets;

use std::sync::{Arc, Mutex, RwLock};

use app::model::analytics::{BadFilter, Dashboard, FilterOptions, Filters};

use crate::store::{Entity, Store, StoreExt, StoreResult};
use dataset::{day_iso, Dataset, DatasetBuilder};
use rfm::Rfm;
use selection::{resolve_window, Selection, Window};

/// Rows read per store page while building.
const PAGE: u32 = 20_000;
/// RFM results kept per dataset (one per recently used window).
const RFM_CACHE: usize = 16;

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

/// The current dataset plus its per-window RFM cache.
pub struct Snapshot {
    pub data: Dataset,
    /// The customer-value models fitted at the last day with data.
    pub clv: Option<clv::ClvModel>,
    rfm: Mutex<Vec<(Window, Arc<Rfm>)>>,
}

impl Snapshot {
    /// Wraps a dataset.
    /// Fits the customer-value models too (a second or two on the demo set): call it off the
    /// async threads.
    pub fn new(data: Dataset) -> Arc<Self> {
        Self::with_discount(data, clv::DEFAULT_MONTHLY_DISCOUNT)
    }

    /// [`Self::new`] with a given monthly discount rate for the 12-month value.
    pub fn with_discount(data: Dataset, monthly_discount: f64) -> Arc<Self> {
        let clv = data.last_day().and_then(|last| clv::ClvModel::fit(&data, last, monthly_discount));
        Arc::new(Snapshot { data, clv, rfm: Mutex::new(Vec::new()) })
    }

    /// A snapshot with a given model (tests, or a fit at another date).
    pub fn with_clv(data: Dataset, clv: Option<clv::ClvModel>) -> Arc<Self> {
        Arc::new(Snapshot { data, clv, rfm: Mutex::new(Vec::new()) })
    }

    /// Empties the RFM cache (benchmarks: the cost of a cold refresh).
    pub fn clear_rfm_cache(&self) {
        if let Ok(mut cache) = self.rfm.lock() {
            cache.clear();
        }
    }

    /// RFM of a window, computed once per dataset.
    pub fn rfm(&self, w: Window) -> Arc<Rfm> {
        if let Ok(cache) = self.rfm.lock() {
            if let Some((_, r)) = cache.iter().find(|(k, _)| *k == w) {
                return r.clone();
            }
        }
        let r = Arc::new(rfm::compute(&self.data, w.from, w.to));
        if let Ok(mut cache) = self.rfm.lock() {
            if cache.len() >= RFM_CACHE {
                cache.remove(0);
            }
            cache.push((w, r.clone()));
        }
        r
    }

    /// Resolves the window and compiles the filters.
    pub fn select(&self, filters: &Filters) -> Result<(Selection<'_>, Arc<Rfm>), BadFilter> {
        let w = resolve_window(filters, &self.data)?;
        let rfm = self.rfm(w);
        let sel = Selection::new(&self.data, filters, w, Some(&rfm));
        Ok((sel, rfm))
    }

    /// The values the filter form offers.
    pub fn options(&self) -> FilterOptions {
        let d = &self.data;
        let named = |dict: &dataset::Dict, names: &[Box<str>]| {
            let mut v: Vec<(String, String)> =
                (0..dict.len()).map(|i| (dict.value(i as u32).to_string(), names[i].to_string())).collect();
            v.sort_by(|a, b| a.1.cmp(&b.1).then_with(|| a.0.cmp(&b.0)));
            v
        };
        FilterOptions {
            stores: named(&d.shops, &d.shop_names),
            departments: named(&d.departments, &d.department_names),
            promotions: named(&d.promotions, &d.promotion_names),
        }
    }

    /// Every dashboard figure for `filters`. The widgets are computed on two threads (each is
    /// one pass over the selection).
    pub fn dashboard(&self, filters: &Filters) -> Result<Dashboard, BadFilter> {
        let (sel, rfm) = self.select(filters)?;
        let w = sel.window;
        let p = w.previous();
        let clv = self.clv.as_ref();
        let (first, second) = std::thread::scope(|scope| {
            let other = scope.spawn(|| {
                (
                    widgets::promotions(&sel),
                    widgets::top_products(&sel, 10),
                    widgets::cohorts(&sel),
                    forecast::dashboard(&sel, &rfm, clv),
                )
            });
            let here = (
                widgets::kpis(&sel),
                widgets::series(&sel),
                widgets::departments(&sel),
                widgets::stores(&sel),
                widgets::heatmap(&sel),
                widgets::basket(&sel),
                widgets::segments_and_grid(&sel, &rfm),
            );
            (here, other.join().expect("dashboard widgets do not panic"))
        });
        let (kpis, (granularity, series), departments, stores, heatmap, basket, (segments, rf_grid)) = first;
        let (promotions, (top_by_revenue, top_by_quantity), cohorts, (churn_risk, value_distribution, segment_forecast)) = second;
        Ok(Dashboard {
            filters: filters.clone(),
            from: day_iso(w.from),
            to: day_iso(w.to),
            previous_from: day_iso(p.from),
            previous_to: day_iso(p.to),
            data_until: self.data.last_day().map(day_iso),
            granularity,
            kpis,
            series,
            departments,
            top_by_revenue,
            top_by_quantity,
            promotions,
            stores,
            heatmap,
            basket,
            segments,
            rf_grid,
            cohorts,
            clv: clv.map(forecast::summary),
            churn_risk,
            value_distribution,
            segment_forecast,
            options: self.options(),
        })
    }
}

/// Holds the current snapshot; rebuilt in the background, swapped atomically.
pub struct Engine {
    current: RwLock<Option<Arc<Snapshot>>>,
    monthly_discount: f64,
}

impl Default for Engine {
    fn default() -> Self {
        Engine { current: RwLock::new(None), monthly_discount: clv::DEFAULT_MONTHLY_DISCOUNT }
    }
}

impl Engine {
    /// A cold engine (no snapshot yet).
    pub fn new() -> Arc<Self> {
        Arc::new(Self::default())
    }

    /// A cold engine whose models use this monthly discount rate.
    pub fn with_discount(monthly_discount: f64) -> Self {
        Engine { current: RwLock::new(None), monthly_discount }
    }

    /// The current snapshot, once built.
    pub fn snapshot(&self) -> Option<Arc<Snapshot>> {
        self.current.read().ok().and_then(|s| s.clone())
    }

    /// Replaces the snapshot.
    pub fn install(&self, snapshot: Arc<Snapshot>) {
        if let Ok(mut slot) = self.current.write() {
            *slot = Some(snapshot);
        }
    }

    /// Rebuilds from the store; the old snapshot serves until the new one is ready.
    pub async fn rebuild(&self, store: &dyn Store) -> StoreResult<()> {
        let started = std::time::Instant::now();
        let data = load(store).await?;
        tracing::info!(
            receipts = data.receipts.len(),
            lines = data.lines.len(),
            cards = data.cards.len(),
            heap_mib = data.heap_bytes() / (1 << 20),
            elapsed_ms = started.elapsed().as_millis() as u64,
            "analytics projection built"
        );
        let started = std::time::Instant::now();
        let discount = self.monthly_discount;
        let snapshot = tokio::task::spawn_blocking(move || Snapshot::with_discount(data, discount)).await.expect("model fit does not panic");
        if let Some(m) = &snapshot.clv {
            tracing::info!(
                r = m.bgnbd.params.r, alpha = m.bgnbd.params.alpha, a = m.bgnbd.params.a, b = m.bgnbd.params.b,
                n = m.bgnbd.n, log_likelihood = m.bgnbd.log_likelihood,
                elapsed_ms = started.elapsed().as_millis() as u64,
                "customer-value models fitted"
            );
        }
        self.install(snapshot);
        Ok(())
    }
}

#[cfg(test)]
mod tests;
