//! Turns dashboard filters into a selection over the dataset: the resolved date window (and the
//! previous one of equal length), masks for stores, cardholders, departments and promotions, and
//! the one loop every figure is computed from.
//!
//! Semantics, shared by every widget:
//! - date range and stores select receipts;
//! - gender, age band (age on the window's last day) and RFM segment select cardholders, so
//!   with any of them only receipts with a loyalty card remain;
//! - departments and promotion select lines: a receipt counts when at least one of its lines
//!   matches, and its amounts are then the matching lines' amounts.
//!
//! The RFM segment is the one of the current window (all stores, all lines), also when the
//! previous period is computed, so a change compares the same cardholders.

use app::model::analytics::{AgeBand, BadFilter, Filters, RangePreset};
use app::validate::date::SimpleDate;

use super::rfm::Rfm;
use crate::projection::dataset::{gender, Dataset, NONE, NO_DEPARTMENT};

/// An inclusive range of day numbers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Window {
    pub from: i32,
    pub to: i32,
}

impl Window {
    /// Number of days.
    pub fn days(self) -> i32 {
        self.to - self.from + 1
    }

    /// The window of equal length just before this one.
    pub fn previous(self) -> Window {
        Window { from: self.from - self.days(), to: self.from - 1 }
    }
}

/// Resolves the date filters. Presets end on the last day with data (today when there is
/// none); a custom range missing an end takes the data's first or last day.
pub fn resolve_window(filters: &Filters, data: &Dataset) -> Result<Window, BadFilter> {
    let today = crate::clock::today();
    let last = data.last_day().unwrap_or(today);
    let first = data.first_day().unwrap_or(last);
    let day = |raw: &str, param: &'static str| {
        SimpleDate::parse_iso(raw)
            .map(|d| d.days_since_epoch() as i32)
            .ok_or(BadFilter { param, value: raw.to_string() })
    };
    let w = match filters.range {
        RangePreset::Days7 => Window { from: last - 6, to: last },
        RangePreset::Days30 => Window { from: last - 29, to: last },
        RangePreset::Days90 => Window { from: last - 89, to: last },
        RangePreset::Months12 => Window { from: last - 364, to: last },
        RangePreset::YearToDate => {
            let d = SimpleDate::from_days_since_epoch(i64::from(last));
            let jan1 = SimpleDate::new(d.year, 1, 1).expect("1 January exists");
            Window { from: jan1.days_since_epoch() as i32, to: last }
        }
        RangePreset::All => Window { from: first.min(last), to: last },
        RangePreset::Custom => {
            let from = filters.from.as_deref().map(|f| day(f, "from")).transpose()?.unwrap_or(first);
            let to = filters.to.as_deref().map(|t| day(t, "to")).transpose()?.unwrap_or(last);
            if from > to {
                return Err(BadFilter { param: "from", value: filters.from.clone().unwrap_or_default() });
            }
            Window { from, to }
        }
    };
    Ok(w)
}

/// Receipts in a window below which a fold stays on one thread (a thread costs more than it
/// saves on a week's data).
const PARALLEL_FROM: usize = 40_000;

/// `run` over the two halves of `receipts` on both cores, then `merge(earlier, later)`; short
/// ranges stay on one thread.
fn on_both_cores<A: Send>(
    receipts: std::ops::Range<usize>,
    run: impl Fn(std::ops::Range<usize>) -> A + Sync,
    merge: impl FnOnce(A, A) -> A,
) -> A {
    if receipts.len() < PARALLEL_FROM {
        return run(receipts);
    }
    let mid = receipts.start + receipts.len() / 2;
    std::thread::scope(|s| {
        let earlier = s.spawn(|| run(receipts.start..mid));
        let later = run(mid..receipts.end);
        merge(earlier.join().expect("work on half a window does not panic"), later)
    })
}

/// Adds `b` into `a`, element by element.
pub fn add_into<T: Copy + std::ops::AddAssign>(a: &mut [T], b: &[T]) {
    for (x, y) in a.iter_mut().zip(b) {
        *x += *y;
    }
}

/// Which promotion lines are selected.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PromoFilter {
    /// No promotion filter.
    All,
    /// Lines with any promotion.
    Any,
    /// Lines of one promotion (its index + 1); 0 = an unknown code, matching nothing.
    One(u16),
}

/// The figures of one selected receipt (its matching lines' when lines are filtered).
#[derive(Clone, Copy, Debug, Default)]
pub struct Hit {
    pub net: i64,
    pub gross: i64,
    pub discount: i64,
    /// Matching lines.
    pub lines: u32,
    /// Net of matching lines with a promotion.
    pub promo_net: i64,
    /// Net of all matching lines (differs from `net` only when the receipt total and its lines
    /// disagree).
    pub lines_net: i64,
}

/// Filters compiled against one dataset.
pub struct Selection<'a> {
    pub data: &'a Dataset,
    pub window: Window,
    shops: Option<Vec<bool>>,
    cards: Option<Vec<bool>>,
    departments: Option<Vec<bool>>,
    promo: PromoFilter,
    /// With a line filter: each selected receipt's figures, computed once (on both cores) for
    /// every widget that asks.
    hits: std::sync::OnceLock<Vec<(u32, Hit)>>,
}

impl<'a> Selection<'a> {
    /// Compiles `filters` for `window`; `rfm` (of the same window) is needed only with a segment
    /// filter.
    pub fn new(data: &'a Dataset, filters: &Filters, window: Window, rfm: Option<&Rfm>) -> Self {
        let mask = |len: usize, codes: &[String], lookup: &dyn Fn(&str) -> Option<u32>| {
            (!codes.is_empty()).then(|| {
                let mut m = vec![false; len];
                for c in codes {
                    if let Some(i) = lookup(c) {
                        m[i as usize] = true;
                    }
                }
                m
            })
        };
        let shops = mask(data.shops.len(), &filters.shops, &|c| data.shops.get(c));
        let departments = mask(data.departments.len(), &filters.departments, &|c| data.departments.get(c));
        let promo = match filters.promotion.as_deref() {
            None => PromoFilter::All,
            Some("any") => PromoFilter::Any,
            Some(code) => PromoFilter::One(data.promotions.get(code).map_or(0, |i| (i + 1) as u16)),
        };
        let cards = (filters.gender.is_some() || filters.age_band.is_some() || filters.segment.is_some()).then(|| {
            let c = &data.cards;
            let want_gender = filters.gender.as_deref().map(|g| gender::parse(Some(g)));
            let on = SimpleDate::from_days_since_epoch(i64::from(window.to));
            (0..c.len())
                .map(|i| {
                    if want_gender.is_some_and(|g| c.gender[i] != g) {
                        return false;
                    }
                    if let Some(band) = filters.age_band {
                        let b = c.birth_day[i];
                        if b == i32::MIN {
                            return false;
                        }
                        let age = SimpleDate::from_days_since_epoch(i64::from(b)).age_on(on);
                        if AgeBand::of_age(age) != Some(band) {
                            return false;
                        }
                    }
                    if let Some(segment) = filters.segment {
                        return rfm.and_then(|r| r.of(i as u32)).is_some_and(|s| s.segment == segment);
                    }
                    true
                })
                .collect()
        });
        Selection { data, window, shops, cards, departments, promo, hits: Default::default() }
    }

    /// The same filters over another window (the previous period, the cohorts' twelve months);
    /// the cardholder masks stay those of this window.
    pub fn with_window(&self, window: Window) -> Selection<'a> {
        Selection {
            data: self.data,
            window,
            shops: self.shops.clone(),
            cards: self.cards.clone(),
            departments: self.departments.clone(),
            promo: self.promo,
            hits: Default::default(),
        }
    }

    /// The store mask, when stores are filtered.
    pub fn shop_mask(&self) -> Option<&[bool]> {
        self.shops.as_deref()
    }

    /// True when lines are filtered (departments or promotion).
    pub fn filters_lines(&self) -> bool {
        self.departments.is_some() || self.promo != PromoFilter::All
    }

    /// True when only lines with a promotion are selected.
    pub fn promotion_lines_only(&self) -> bool {
        self.promo != PromoFilter::All
    }

    /// True when cardholders are filtered (only loyalty receipts remain).
    pub fn filters_cards(&self) -> bool {
        self.cards.is_some()
    }

    /// Whether card `c` passes the cardholder filters.
    pub fn card_ok(&self, c: u32) -> bool {
        match &self.cards {
            None => true,
            Some(m) => c != NONE && m[c as usize],
        }
    }

    /// Whether line `l` passes the line filters.
    pub fn line_ok(&self, l: usize) -> bool {
        let lines = &self.data.lines;
        if let Some(m) = &self.departments {
            let d = lines.department[l];
            if d == NO_DEPARTMENT || !m[d as usize] {
                return false;
            }
        }
        match self.promo {
            PromoFilter::All => true,
            PromoFilter::Any => lines.promotion[l] != 0,
            PromoFilter::One(p) => p != 0 && lines.promotion[l] == p,
        }
    }

    fn receipt_ok(&self, i: usize) -> bool {
        let r = &self.data.receipts;
        if let Some(m) = &self.shops {
            if !m[r.shop[i] as usize] {
                return false;
            }
        }
        self.card_ok(r.card[i])
    }

    /// Calls `f` for every selected receipt of the window, in time order.
    pub fn for_each(&self, mut f: impl FnMut(usize, Hit)) {
        let r = &self.data.receipts;
        let range = r.day_range(self.window.from, self.window.to);
        if self.departments.is_none() && self.promo == PromoFilter::Any {
            // The receipts' promotion lines, from their precomputed sums.
            for i in range {
                if r.promo_lines[i] > 0 && self.receipt_ok(i) {
                    let net = r.promo_net[i];
                    let (gross, discount, lines) = (r.promo_gross[i], r.promo_discount[i], r.promo_lines[i]);
                    f(i, Hit { net, gross, discount, lines, promo_net: net, lines_net: net });
                }
            }
            return;
        }
        if self.filters_lines() {
            let hits = self.hits.get_or_init(|| {
                let collect = |range: std::ops::Range<usize>| {
                    let mut hits = Vec::new();
                    self.filtered_hits(range, |i, hit| hits.push((i as u32, hit)));
                    hits
                };
                on_both_cores(range.clone(), collect, |mut earlier, later| {
                    earlier.extend(later);
                    earlier
                })
            });
            for (i, hit) in hits {
                f(*i as usize, *hit);
            }
            return;
        }
        for i in range {
            if self.receipt_ok(i) {
                // Every line counts: the receipt's own figures and its precomputed line sums.
                let lines = r.lines(i).len() as u32;
                let (lines_net, promo_net) = (r.lines_net[i], r.promo_net[i]);
                f(i, Hit { net: r.net[i], gross: r.gross[i], discount: r.discount[i], lines, promo_net, lines_net });
            }
        }
    }

    /// The selected receipts of `receipts` with their matching lines' figures (line filter on).
    fn filtered_hits(&self, receipts: std::ops::Range<usize>, mut f: impl FnMut(usize, Hit)) {
        let r = &self.data.receipts;
        let lines = &self.data.lines;
        for i in receipts {
            if !self.receipt_ok(i) {
                continue;
            }
            let mut hit = Hit::default();
            for l in r.lines(i) {
                if !self.line_ok(l) {
                    continue;
                }
                hit.lines += 1;
                hit.lines_net += i64::from(lines.net[l]);
                if lines.promotion[l] != 0 {
                    hit.promo_net += i64::from(lines.net[l]);
                }
                hit.net += i64::from(lines.net[l]);
                hit.gross += i64::from(lines.gross[l]);
                hit.discount += i64::from(lines.discount[l]);
            }
            if hit.lines > 0 {
                f(i, hit);
            }
        }
    }

    /// Calls `f` for every selected line of every selected receipt: (receipt, line).
    pub fn for_each_line(&self, f: impl FnMut(usize, usize)) {
        self.lines_in(self.data.receipts.day_range(self.window.from, self.window.to), f);
    }

    /// Folds the selected lines on both cores: the window's receipts are cut in two halves
    /// (a receipt's lines stay together), each half folded into its own accumulator from
    /// `init`, then `merge(earlier, later)`. Short windows stay on one thread.
    pub fn fold_lines<A: Send>(
        &self,
        init: impl Fn() -> A + Sync,
        fold: impl Fn(&mut A, usize, usize) + Sync,
        merge: impl FnOnce(A, A) -> A,
    ) -> A {
        let range = self.data.receipts.day_range(self.window.from, self.window.to);
        let run = |range: std::ops::Range<usize>| {
            let mut acc = init();
            self.lines_in(range, |i, l| fold(&mut acc, i, l));
            acc
        };
        on_both_cores(range, run, merge)
    }

    fn lines_in(&self, receipts: std::ops::Range<usize>, mut f: impl FnMut(usize, usize)) {
        let r = &self.data.receipts;
        let line_filter = self.filters_lines();
        for i in receipts {
            if !self.receipt_ok(i) {
                continue;
            }
            for l in r.lines(i) {
                if !line_filter || self.line_ok(l) {
                    f(i, l);
                }
            }
        }
    }
}
