//! The Gamma-Gamma spend model (Fader, Hardie & Lee 2005, "RFM and CLV"; Hardie's note on the
//! Gamma-Gamma model): a customer's spend per transaction is gamma-distributed with shape p and
//! a rate that is itself gamma-distributed (q, v) across customers. Fitted on repeat buyers'
//! number of repeat transactions x and mean spend per repeat transaction m̄.

use super::optimize::nelder_mead;
use super::special::ln_gamma;

/// Fitted Gamma-Gamma parameters.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct GammaGamma {
    pub p: f64,
    pub q: f64,
    pub v: f64,
}

/// A fit: parameters, sample size and maximised log-likelihood.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct GammaGammaFit {
    pub params: GammaGamma,
    pub n: usize,
    pub log_likelihood: f64,
}

fn log_likelihood(g: &GammaGamma, data: &[(f64, f64)]) -> f64 {
    let GammaGamma { p, q, v } = *g;
    let common = -ln_gamma(q) + q * v.ln();
    data.iter()
        .map(|(x, m)| {
            let px = p * x;
            ln_gamma(px + q) - ln_gamma(px) + common + (px - 1.0) * m.ln() + px * x.ln() - (px + q) * (x * m + v).ln()
        })
        .sum()
}

impl GammaGamma {
    /// Maximum-likelihood fit on (x, m̄) of repeat buyers (x > 0, m̄ > 0; others are ignored).
    pub fn fit(data: &[(f64, f64)]) -> Option<GammaGammaFit> {
        let data: Vec<(f64, f64)> = data.iter().copied().filter(|(x, m)| *x > 0.0 && *m > 0.0).collect();
        if data.len() < 2 {
            return None;
        }
        let of = |w: &[f64]| GammaGamma { p: w[0].exp(), q: w[1].exp(), v: w[2].exp() };
        let m = nelder_mead(|w| -log_likelihood(&of(w), &data), &[0.0, 0.0, 0.0], 20_000);
        m.value.is_finite().then(|| GammaGammaFit { params: of(&m.x), n: data.len(), log_likelihood: -m.value })
    }

    /// The log-likelihood of `data` under these parameters.
    pub fn log_likelihood(&self, data: &[(f64, f64)]) -> f64 {
        log_likelihood(self, data)
    }

    /// Expected mean spend per transaction of a customer with x repeat transactions of mean m̄
    /// (the population mean for a customer without repeats).
    pub fn expected_spend(&self, x: f64, m: f64) -> f64 {
        let GammaGamma { p, q, v } = *self;
        if x <= 0.0 || m <= 0.0 {
            return p * v / (q - 1.0);
        }
        p * (v + x * m) / (p * x + q - 1.0)
    }
}
