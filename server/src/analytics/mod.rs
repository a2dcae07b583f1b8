//! Admin analytics over the projection: the models fitted with every build (customer value),
//! RFM per window, and the dashboard, customer and export queries. Requests never scan the
//! database: they read the current [`Snapshot`], which the projection swaps atomically when a
//! rebuild finishes.

pub mod clv;
pub mod customers;
pub mod export;
pub mod forecast;
pub mod history;
pub mod rfm;
pub mod selection;
pub mod service;
pub mod widgets;

use std::sync::{Arc, Mutex};

use app::model::analytics::{BadFilter, Dashboard, FilterOptions, Filters};

use crate::clock::day_iso;
use crate::projection::dataset::{self, Dataset};
use rfm::Rfm;
use selection::{resolve_window, Selection, Window};

/// The dashboard widgets that scan lines or cardholders, computed together on one thread.
struct LineWidgets {
    promotions: Vec<app::model::analytics::PromotionRow>,
    top_by_revenue: Vec<app::model::analytics::GroupRow>,
    top_by_quantity: Vec<app::model::analytics::GroupRow>,
    cohorts: Vec<app::model::analytics::CohortRow>,
    churn_risk: Vec<app::model::analytics::ChurnRow>,
    value_distribution: Vec<app::model::analytics::ValueBucket>,
    segment_forecast: Vec<app::model::analytics::SegmentForecast>,
}

impl LineWidgets {
    fn compute(sel: &Selection<'_>, rfm: &Rfm, clv: Option<&clv::ClvModel>) -> Self {
        let (top_by_revenue, top_by_quantity) = widgets::top_products(sel, 10);
        let (churn_risk, value_distribution, segment_forecast) = forecast::dashboard(sel, rfm, clv);
        LineWidgets {
            promotions: widgets::promotions(sel),
            top_by_revenue,
            top_by_quantity,
            cohorts: widgets::cohorts(sel),
            churn_risk,
            value_distribution,
            segment_forecast,
        }
    }
}

/// RFM results kept per dataset (one per recently used window).
const RFM_CACHE: usize = 16;

/// The projection as the analytics use it: each build fits the customer-value models.
pub type Projection = crate::projection::Projection<Models>;

/// What every projection build derives for the analytics: the customer-value models.
#[derive(Clone, Copy, Debug)]
pub struct Models {
    /// Monthly discount rate of the predicted 12-month value.
    pub monthly_discount: f64,
}

impl Default for Models {
    fn default() -> Self {
        Models { monthly_discount: crate::config::DEFAULT_MONTHLY_DISCOUNT }
    }
}

impl crate::projection::Derive for Models {
    type Snapshot = Snapshot;

    /// The customer-value models are carried over: they are fitted again by the next full
    /// build (at start and once a day) or applied import.
    fn extend(&self, previous: &Snapshot, data: Dataset) -> Snapshot {
        Snapshot { data, clv: previous.clv.clone(), rfm: Mutex::new(Vec::new()) }
    }

    fn dataset_of(&self, snapshot: Snapshot) -> Dataset {
        snapshot.data
    }

    fn derive(&self, data: Dataset) -> Snapshot {
        let started = std::time::Instant::now();
        let snapshot = Snapshot::fitted(data, self.monthly_discount);
        if let Some(m) = &snapshot.clv {
            tracing::info!(
                r = m.bgnbd.params.r,
                alpha = m.bgnbd.params.alpha,
                a = m.bgnbd.params.a,
                b = m.bgnbd.params.b,
                n = m.bgnbd.n,
                log_likelihood = m.bgnbd.log_likelihood,
                elapsed_ms = started.elapsed().as_millis() as u64,
                "customer-value models fitted"
            );
        }
        snapshot
    }
}

impl AsRef<Dataset> for Snapshot {
    fn as_ref(&self) -> &Dataset {
        &self.data
    }
}

/// The current dataset plus its per-window RFM cache.
pub struct Snapshot {
    pub data: Dataset,
    /// The customer-value models fitted at the last day with data.
    /// Shared: an append carries it over without copying its per-card predictions.
    pub clv: Option<Arc<clv::ClvModel>>,
    rfm: Mutex<Vec<(Window, Arc<Rfm>)>>,
}

impl Snapshot {
    /// Wraps a dataset.
    /// Fits the customer-value models too (a second or two on the demo set): call it off the
    /// async threads.
    pub fn new(data: Dataset) -> Arc<Self> {
        Arc::new(Self::fitted(data, crate::config::DEFAULT_MONTHLY_DISCOUNT))
    }

    /// [`Self::new`] with a given monthly discount rate for the 12-month value.
    pub fn fitted(data: Dataset, monthly_discount: f64) -> Self {
        let clv = data.last_day().and_then(|last| clv::ClvModel::fit(&data, last, monthly_discount)).map(Arc::new);
        Snapshot { data, clv, rfm: Mutex::new(Vec::new()) }
    }

    /// A snapshot with a given model (tests, or a fit at another date).
    pub fn with_clv(data: Dataset, clv: Option<clv::ClvModel>) -> Arc<Self> {
        Arc::new(Snapshot { data, clv: clv.map(Arc::new), rfm: Mutex::new(Vec::new()) })
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
        let named = |dict: &dataset::Dict, names: &[Arc<str>]| {
            let mut v: Vec<(String, String)> =
                (0..dict.len()).map(|i| (dict.value(i as u32).to_string(), names[i].to_string())).collect();
            v.sort_by(|a, b| a.1.cmp(&b.1).then_with(|| a.0.cmp(&b.0)));
            v
        };
        FilterOptions {
            shops: named(&d.shops, &d.shop_names),
            departments: named(&d.departments, &d.department_names),
            promotions: named(&d.promotions, &d.promotion_names),
        }
    }

    /// Every dashboard figure for `filters`. The widgets are computed on two threads (each is
    /// one pass over the selection): the receipt-level ones here, the line-level and
    /// per-cardholder ones ([`LineWidgets`]) on the other.
    pub fn dashboard(&self, filters: &Filters) -> Result<Dashboard, BadFilter> {
        let (sel, rfm) = self.select(filters)?;
        let w = sel.window;
        let p = w.previous();
        let clv = self.clv.as_deref();
        std::thread::scope(|scope| {
            let other = scope.spawn(|| LineWidgets::compute(&sel, &rfm, clv));
            let (granularity, series) = widgets::series(&sel);
            let (segments, rf_grid) = widgets::segments_and_grid(&sel, &rfm);
            let kpis = widgets::kpis(&sel);
            let departments = widgets::departments(&sel);
            let shops = widgets::shops(&sel);
            let heatmap = widgets::heatmap(&sel);
            let basket = widgets::basket(&sel);
            let lines = other.join().expect("dashboard widgets do not panic");
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
                top_by_revenue: lines.top_by_revenue,
                top_by_quantity: lines.top_by_quantity,
                promotions: lines.promotions,
                shops,
                heatmap,
                basket,
                segments,
                rf_grid,
                cohorts: lines.cohorts,
                clv: clv.map(forecast::summary),
                churn_risk: lines.churn_risk,
                value_distribution: lines.value_distribution,
                segment_forecast: lines.segment_forecast,
                points: None,
                options: self.options(),
            })
        })
    }
}

#[cfg(test)]
mod tests;
