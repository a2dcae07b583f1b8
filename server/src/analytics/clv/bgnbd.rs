//! The BG/NBD model (Fader, Hardie & Lee 2005, "Counting Your Customers the Easy Way"):
//! purchases follow a Poisson process with a gamma-distributed rate (r, α) while the customer is
//! alive; after each purchase the customer drops out with a beta-distributed probability (a, b).
//! Fitted by maximum likelihood on each customer's (x, t_x, T): repeat purchases, time of the
//! last purchase and age, in weeks.

use super::optimize::nelder_mead;
use super::special::{hyp2f1, ln_gamma};

/// One customer's repeat-purchase summary.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Rfq {
    /// Repeat purchases (on distinct days).
    pub x: f64,
    /// Time of the last purchase since the first, in weeks.
    pub t_x: f64,
    /// Time from the first purchase to the analysis date, in weeks.
    pub t: f64,
}

/// Fitted BG/NBD parameters.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct BgNbd {
    pub r: f64,
    pub alpha: f64,
    pub a: f64,
    pub b: f64,
}

/// A fit: parameters, sample size and maximised log-likelihood.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct BgNbdFit {
    pub params: BgNbd,
    pub n: usize,
    pub log_likelihood: f64,
}

/// Customers with the same repeat count share the gamma terms of the likelihood.
struct Grouped {
    xs: Vec<f64>,
    /// (index into xs, t_x, T) per customer.
    rows: Vec<(usize, f64, f64)>,
}

fn group(data: &[Rfq]) -> Grouped {
    let mut xs: Vec<f64> = data.iter().map(|d| d.x).collect();
    xs.sort_by(|a, b| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal));
    xs.dedup();
    let rows = data.iter().map(|d| (xs.partition_point(|x| *x < d.x), d.t_x, d.t)).collect();
    Grouped { xs, rows }
}

fn log_likelihood(p: &BgNbd, g: &Grouped) -> f64 {
    let BgNbd { r, alpha, a, b } = *p;
    let (ln_alpha, ln_a) = (alpha.ln(), a.ln());
    let common = -ln_gamma(r) + r * ln_alpha + ln_gamma(a + b) - ln_gamma(b);
    let per_x: Vec<(f64, f64)> =
        g.xs.iter()
            .map(|x| {
                (
                    ln_gamma(r + x) + ln_gamma(b + x) - ln_gamma(a + b + x),
                    if *x > 0.0 { ln_a - (b + x - 1.0).ln() } else { 0.0 },
                )
            })
            .collect();
    let mut ll = 0.0;
    for (xi, t_x, t) in &g.rows {
        let x = g.xs[*xi];
        let (gammas, drop) = per_x[*xi];
        let a3 = -(r + x) * (alpha + t).ln();
        let tail = if x > 0.0 {
            let a4 = drop - (r + x) * (alpha + t_x).ln();
            let m = a3.max(a4);
            m + ((a3 - m).exp() + (a4 - m).exp()).ln()
        } else {
            a3
        };
        ll += common + gammas + tail;
    }
    ll
}

impl BgNbd {
    /// Maximum-likelihood fit (log-parameters, Nelder–Mead with restarts, start at 1).
    pub fn fit(data: &[Rfq]) -> Option<BgNbdFit> {
        if data.is_empty() {
            return None;
        }
        let g = group(data);
        let of = |v: &[f64]| BgNbd { r: v[0].exp(), alpha: v[1].exp(), a: v[2].exp(), b: v[3].exp() };
        let m = nelder_mead(|v| -log_likelihood(&of(v), &g), &[0.0, 0.0, 0.0, 0.0], 20_000);
        m.value.is_finite().then(|| BgNbdFit { params: of(&m.x), n: data.len(), log_likelihood: -m.value })
    }

    /// The log-likelihood of `data` under these parameters.
    pub fn log_likelihood(&self, data: &[Rfq]) -> f64 {
        log_likelihood(self, &group(data))
    }

    /// Probability that a customer with this history is still alive at T.
    pub fn p_alive(&self, c: &Rfq) -> f64 {
        if c.x == 0.0 {
            return 1.0;
        }
        let BgNbd { r, alpha, a, b } = *self;
        let ratio = (a / (b + c.x - 1.0)) * ((alpha + c.t) / (alpha + c.t_x)).powf(r + c.x);
        1.0 / (1.0 + ratio)
    }

    /// Expected purchases in the next `weeks` for a customer with this history.
    pub fn expected_purchases(&self, c: &Rfq, weeks: f64) -> f64 {
        let BgNbd { r, alpha, a, b } = *self;
        let (x, t_x, t) = (c.x, c.t_x, c.t);
        let z = weeks / (alpha + t + weeks);
        let hyp = hyp2f1(r + x, b + x, a + b + x - 1.0, z);
        let numerator = (a + b + x - 1.0) / (a - 1.0) * (1.0 - ((alpha + t) / (alpha + t + weeks)).powf(r + x) * hyp);
        let denominator =
            if x > 0.0 { 1.0 + (a / (b + x - 1.0)) * ((alpha + t) / (alpha + t_x)).powf(r + x) } else { 1.0 };
        (numerator / denominator).max(0.0)
    }
}
