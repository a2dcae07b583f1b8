//! Predictive customer value: BG/NBD for "still alive?" and expected receipts, Gamma-Gamma for
//! expected spend, combined into a discounted 12-month value per cardholder. Fitted on the
//! projection at an analysis date (the last day with data unless given), in the background after
//! every rebuild; verified against the published CDNOW estimates (tests).

pub mod bgnbd;
pub mod gamma_gamma;
pub mod optimize;
pub mod special;

use bgnbd::{BgNbd, BgNbdFit, Rfq};
use gamma_gamma::{GammaGamma, GammaGammaFit};

use crate::projection::dataset::Dataset;

/// Weeks in an average month.
pub const WEEKS_PER_MONTH: f64 = 365.25 / 12.0 / 7.0;

/// Predictions for one cardholder.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Prediction {
    pub p_alive: f64,
    pub expected_30d: f64,
    pub expected_90d: f64,
    pub expected_365d: f64,
    /// Expected mean spend per receipt (euros).
    pub expected_spend: f64,
    /// Discounted expected spend over the next 12 months (euros).
    pub value_12m: f64,
}

/// Both fits and every cardholder's predictions at one analysis date.
#[derive(Clone, Debug)]
pub struct ClvModel {
    pub as_of: i32,
    pub monthly_discount: f64,
    pub bgnbd: BgNbdFit,
    pub gamma_gamma: Option<GammaGammaFit>,
    /// By card index; `None` for cards without receipts up to `as_of`.
    pub predictions: Vec<Option<Prediction>>,
    pub fit_ms: f64,
    pub predict_ms: f64,
}

/// One cardholder's summary for the models.
#[derive(Clone, Copy, Debug)]
pub struct CardSummary {
    pub card: u32,
    pub rfq: Rfq,
    /// Mean net spend per repeat purchase day (euros; 0 without repeats).
    pub mean_repeat_spend: f64,
}

/// Per-cardholder summaries up to `as_of`: purchases are counted per distinct day, x = days − 1,
/// t_x and T in weeks from the first day; spend is the mean of the repeat days' net totals.
pub fn summaries(data: &Dataset, as_of: i32) -> Vec<CardSummary> {
    let r = &data.receipts;
    let mut out = Vec::new();
    for c in 0..data.cards.len() as u32 {
        let receipts = data.receipts_of(c);
        let mut days: Vec<(i32, i64)> = Vec::new();
        for i in receipts {
            let i = *i as usize;
            if r.day[i] > as_of {
                break;
            }
            match days.last_mut() {
                Some((d, sum)) if *d == r.day[i] => *sum += r.net[i],
                _ => days.push((r.day[i], r.net[i])),
            }
        }
        let Some(first) = days.first().map(|d| d.0) else { continue };
        let last = days.last().map(|d| d.0).unwrap_or(first);
        let x = days.len() as f64 - 1.0;
        let mean_repeat_spend =
            if days.len() > 1 { days[1..].iter().map(|d| d.1 as f64 / 100.0).sum::<f64>() / x } else { 0.0 };
        out.push(CardSummary {
            card: c,
            rfq: Rfq { x, t_x: f64::from(last - first) / 7.0, t: f64::from(as_of - first) / 7.0 },
            mean_repeat_spend,
        });
    }
    out
}

/// Predictions from fitted parameters.
pub fn predict(bg: &BgNbd, gg: Option<&GammaGamma>, s: &CardSummary, monthly_discount: f64) -> Prediction {
    let spend = match gg {
        Some(g) => g.expected_spend(s.rfq.x, s.mean_repeat_spend),
        None => s.mean_repeat_spend,
    };
    let mut value = 0.0;
    let mut before = 0.0;
    for month in 1..=12 {
        let cumulative = bg.expected_purchases(&s.rfq, f64::from(month) * WEEKS_PER_MONTH);
        value += (cumulative - before) * spend / (1.0 + monthly_discount).powi(month);
        before = cumulative;
    }
    Prediction {
        p_alive: bg.p_alive(&s.rfq),
        expected_30d: bg.expected_purchases(&s.rfq, 30.0 / 7.0),
        expected_90d: bg.expected_purchases(&s.rfq, 90.0 / 7.0),
        expected_365d: bg.expected_purchases(&s.rfq, 365.0 / 7.0),
        expected_spend: spend,
        value_12m: value,
    }
}

impl ClvModel {
    /// Fits both models on the data up to `as_of` and predicts every cardholder; `None` without
    /// any cardholder receipt.
    pub fn fit(data: &Dataset, as_of: i32, monthly_discount: f64) -> Option<ClvModel> {
        let started = std::time::Instant::now();
        let sums = summaries(data, as_of);
        let rfq: Vec<Rfq> = sums.iter().map(|s| s.rfq).collect();
        let bgnbd = BgNbd::fit(&rfq)?;
        let spend: Vec<(f64, f64)> = sums.iter().map(|s| (s.rfq.x, s.mean_repeat_spend)).collect();
        let gamma_gamma = GammaGamma::fit(&spend);
        let fit_ms = started.elapsed().as_secs_f64() * 1000.0;
        let started = std::time::Instant::now();
        let mut predictions = vec![None; data.cards.len()];
        for s in &sums {
            predictions[s.card as usize] =
                Some(predict(&bgnbd.params, gamma_gamma.as_ref().map(|g| &g.params), s, monthly_discount));
        }
        let predict_ms = started.elapsed().as_secs_f64() * 1000.0;
        Some(ClvModel { as_of, monthly_discount, bgnbd, gamma_gamma, predictions, fit_ms, predict_ms })
    }

    /// Predictions of card `c`.
    pub fn of(&self, c: u32) -> Option<&Prediction> {
        self.predictions.get(c as usize).and_then(Option::as_ref)
    }
}

#[cfg(test)]
mod tests;
