//! The dashboard's forward-looking widgets, from the customer-value models: the churn-risk list,
//! the distribution of predicted 12-month value, and expected receipts by segment. They cover
//! the cardholders of the current selection (so they follow every filter); predictions are the
//! model's, fitted on all data up to the last day with data.

use std::collections::HashMap;

use app::model::analytics::{ChurnRow, ClvSummary, Segment, SegmentForecast, ValueBucket};

use super::clv::ClvModel;
use super::rfm::Rfm;
use super::selection::Selection;
use crate::clock::day_iso;
use crate::projection::dataset::NONE;

/// Probability of being alive below which a high-value cardholder is at risk.
pub const CHURN_THRESHOLD: f64 = 0.5;
/// Share of the selection's cardholders, by spend, that counts as high-value.
pub const HIGH_VALUE_SHARE: f64 = 0.2;
/// Rows of the churn-risk list at most (the export has them all).
pub const CHURN_ROWS: usize = 50;
/// Lower bounds (euros) of the value-distribution buckets.
pub const VALUE_BUCKETS: [i64; 8] = [0, 25, 50, 100, 250, 500, 1000, 2500];

/// The fit as shown to admins.
pub fn summary(m: &ClvModel) -> ClvSummary {
    let b = m.bgnbd.params;
    let g = m.gamma_gamma.as_ref();
    ClvSummary {
        as_of: day_iso(m.as_of),
        r: b.r,
        alpha: b.alpha,
        a: b.a,
        b: b.b,
        bgnbd_n: m.bgnbd.n as u32,
        bgnbd_log_likelihood: m.bgnbd.log_likelihood,
        p: g.map(|g| g.params.p),
        q: g.map(|g| g.params.q),
        v: g.map(|g| g.params.v),
        gamma_gamma_n: g.map_or(0, |g| g.n as u32),
        gamma_gamma_log_likelihood: g.map(|g| g.log_likelihood),
        monthly_discount_bp: (m.monthly_discount * 10_000.0).round() as i64,
    }
}

/// Cardholders of the selection with their spend and last receipt day in it.
fn selected_cards(sel: &Selection) -> HashMap<u32, (i64, i32)> {
    let r = &sel.data.receipts;
    let mut acc: HashMap<u32, (i64, i32)> = HashMap::new();
    sel.for_each(|i, hit| {
        let c = r.card[i];
        if c != NONE {
            let e = acc.entry(c).or_insert((0, i32::MIN));
            e.0 += hit.net;
            e.1 = e.1.max(r.day[i]);
        }
    });
    acc
}

/// High-value cardholders (the top 20 % of the selection by spend) whose probability of being
/// alive is below 50 %, biggest spenders first (all of them; the page shows the first 50).
pub fn churn_risk_all(sel: &Selection, rfm: &Rfm, clv: Option<&ClvModel>) -> Vec<ChurnRow> {
    churn_of(sel, &selected_cards(sel), rfm, clv)
}

fn churn_of(sel: &Selection, selected: &HashMap<u32, (i64, i32)>, rfm: &Rfm, clv: Option<&ClvModel>) -> Vec<ChurnRow> {
    let Some(m) = clv else { return Vec::new() };
    let data = sel.data;
    let mut cards: Vec<(u32, i64, i32)> = selected.iter().map(|(c, (net, day))| (*c, *net, *day)).collect();
    if cards.is_empty() {
        return Vec::new();
    }
    cards.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| data.cards.number.value(a.0).cmp(data.cards.number.value(b.0))));
    let high = ((cards.len() as f64 * HIGH_VALUE_SHARE).ceil() as usize).max(1);
    cards
        .into_iter()
        .take(high)
        .filter_map(|(c, net, day)| {
            let p = m.of(c)?;
            (p.p_alive < CHURN_THRESHOLD).then(|| ChurnRow {
                card_number: data.cards.number.value(c).to_string(),
                name: data.cards.name(c),
                monetary_cents: net,
                last_receipt: day_iso(day),
                p_alive_bp: (p.p_alive * 10_000.0).round() as i64,
                value_12m_cents: (p.value_12m * 100.0).round() as i64,
                segment: rfm.of(c).map(|s| s.segment),
            })
        })
        .collect()
}

/// The dashboard's three forecast widgets from one pass over the selection: the first rows of
/// [`churn_risk_all`], [`value_distribution`] and [`segment_forecast`].
pub fn dashboard(
    sel: &Selection,
    rfm: &Rfm,
    clv: Option<&ClvModel>,
) -> (Vec<ChurnRow>, Vec<ValueBucket>, Vec<SegmentForecast>) {
    let selected = selected_cards(sel);
    let mut churn = churn_of(sel, &selected, rfm, clv);
    churn.truncate(CHURN_ROWS);
    (churn, distribution_of(&selected, clv), forecast_of(&selected, rfm, clv))
}

/// Cardholders of the selection by predicted 12-month value; empty without predictions.
pub fn value_distribution(sel: &Selection, clv: Option<&ClvModel>) -> Vec<ValueBucket> {
    distribution_of(&selected_cards(sel), clv)
}

fn distribution_of(selected: &HashMap<u32, (i64, i32)>, clv: Option<&ClvModel>) -> Vec<ValueBucket> {
    let Some(m) = clv else { return Vec::new() };
    let mut counts = [0u32; VALUE_BUCKETS.len()];
    let mut any = false;
    for c in selected.keys() {
        let Some(p) = m.of(*c) else { continue };
        any = true;
        let euros = p.value_12m;
        let idx = VALUE_BUCKETS.iter().rposition(|lo| euros >= *lo as f64).unwrap_or(0);
        counts[idx] += 1;
    }
    if !any {
        return Vec::new();
    }
    VALUE_BUCKETS
        .iter()
        .enumerate()
        .map(|(i, lo)| ValueBucket { from_eur: *lo, to_eur: VALUE_BUCKETS.get(i + 1).copied(), customers: counts[i] })
        .collect()
}

/// Expected receipts in the next 90 days summed per RFM segment (segments in rule order).
pub fn segment_forecast(sel: &Selection, rfm: &Rfm, clv: Option<&ClvModel>) -> Vec<SegmentForecast> {
    forecast_of(&selected_cards(sel), rfm, clv)
}

fn forecast_of(selected: &HashMap<u32, (i64, i32)>, rfm: &Rfm, clv: Option<&ClvModel>) -> Vec<SegmentForecast> {
    let Some(m) = clv else { return Vec::new() };
    let mut acc: HashMap<Segment, (u32, f64)> = HashMap::new();
    for c in selected.keys() {
        let (Some(score), Some(p)) = (rfm.of(*c), m.of(*c)) else { continue };
        let e = acc.entry(score.segment).or_default();
        e.0 += 1;
        e.1 += p.expected_90d;
    }
    Segment::ALL
        .into_iter()
        .filter_map(|s| {
            let (n, sum) = acc.get(&s).copied()?;
            Some(SegmentForecast {
                segment: s,
                customers: n,
                expected_receipts_90d_milli: (sum * 1000.0).round() as i64,
            })
        })
        .collect()
}
