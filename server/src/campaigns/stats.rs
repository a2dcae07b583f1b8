//! The campaign report's statistics: the difference between the treated group's mean and the
//! holdout's (revenue, receipts, share who shopped — per member), with Welch's t interval, and
//! the plain-language verdict drawn from it.
//!
//! Welch rather than Student because the groups differ in size by design (a 10 % holdout) and
//! their spreads need not match; the t quantile comes from the regularized incomplete beta
//! function, so small holdouts get honest, wider intervals.

use crate::analytics::clv::special::ln_gamma;

/// The confidence level the report states.
pub const LEVEL: f64 = 0.95;

/// One group's figure per member: how many members, the mean and the sample variance.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Summary {
    pub n: usize,
    pub mean: f64,
    /// Sample variance (divided by n − 1); zero for fewer than two members.
    pub variance: f64,
}

impl Summary {
    /// Summarises one value per member (members who did nothing count as zero).
    pub fn of(values: &[f64]) -> Summary {
        let n = values.len();
        if n == 0 {
            return Summary { n, mean: 0.0, variance: 0.0 };
        }
        let mean = values.iter().sum::<f64>() / n as f64;
        let variance =
            if n < 2 { 0.0 } else { values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1) as f64 };
        Summary { n, mean, variance }
    }
}

/// Treated minus holdout, with its interval.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Difference {
    pub estimate: f64,
    pub low: f64,
    pub high: f64,
    /// Welch–Satterthwaite degrees of freedom.
    pub df: f64,
    pub standard_error: f64,
}

impl Difference {
    pub fn contains_zero(&self) -> bool {
        self.low <= 0.0 && 0.0 <= self.high
    }
}

/// Welch's t interval at `level` for `treated.mean − holdout.mean`; `None` when either group
/// has fewer than two members (no spread can be estimated, so no interval is honest).
pub fn welch(treated: &Summary, holdout: &Summary, level: f64) -> Option<Difference> {
    if treated.n < 2 || holdout.n < 2 {
        return None;
    }
    let a = treated.variance / treated.n as f64;
    let b = holdout.variance / holdout.n as f64;
    let estimate = treated.mean - holdout.mean;
    let se2 = a + b;
    let standard_error = se2.sqrt();
    // Both groups without spread: the difference is exact (df as Student's, for the record).
    let df = if se2 == 0.0 {
        (treated.n + holdout.n - 2) as f64
    } else {
        se2 * se2 / (a * a / (treated.n - 1) as f64 + b * b / (holdout.n - 1) as f64)
    };
    let half = t_quantile(0.5 + level / 2.0, df) * standard_error;
    Some(Difference { estimate, low: estimate - half, high: estimate + half, df, standard_error })
}

/// What the report says, in words the page translates.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// The interval lies above zero.
    Increase,
    /// The interval lies below zero.
    Decrease,
    /// The interval contains zero: "nessun effetto misurabile".
    NoMeasurableEffect,
    /// A group has fewer than two members: nothing can be said yet.
    TooFewMembers,
}

pub fn verdict(difference: Option<&Difference>) -> Verdict {
    match difference {
        None => Verdict::TooFewMembers,
        Some(d) if d.contains_zero() => Verdict::NoMeasurableEffect,
        Some(d) if d.low > 0.0 => Verdict::Increase,
        Some(_) => Verdict::Decrease,
    }
}

/// The cumulative distribution of Student's t with `df` degrees of freedom (df > 0, not
/// necessarily whole: Welch's are not).
pub fn t_cdf(t: f64, df: f64) -> f64 {
    let x = df / (df + t * t);
    let tail = 0.5 * incomplete_beta(df / 2.0, 0.5, x);
    if t > 0.0 {
        1.0 - tail
    } else {
        tail
    }
}

/// The `p` quantile of Student's t (0 < p < 1), by bisection on [`t_cdf`].
pub fn t_quantile(p: f64, df: f64) -> f64 {
    if p == 0.5 {
        return 0.0;
    }
    if p < 0.5 {
        return -t_quantile(1.0 - p, df);
    }
    let mut high = 1.0;
    while t_cdf(high, df) < p {
        high *= 2.0;
    }
    let mut low = 0.0;
    for _ in 0..200 {
        let mid = 0.5 * (low + high);
        if t_cdf(mid, df) < p {
            low = mid;
        } else {
            high = mid;
        }
    }
    0.5 * (low + high)
}

/// The regularized incomplete beta function I_x(a, b), by its continued fraction (modified
/// Lentz), on the side of x where it converges fast.
fn incomplete_beta(a: f64, b: f64, x: f64) -> f64 {
    if x <= 0.0 {
        return 0.0;
    }
    if x >= 1.0 {
        return 1.0;
    }
    let front = (ln_gamma(a + b) - ln_gamma(a) - ln_gamma(b) + a * x.ln() + b * (1.0 - x).ln()).exp();
    if x < (a + 1.0) / (a + b + 2.0) {
        front * beta_fraction(a, b, x) / a
    } else {
        1.0 - front * beta_fraction(b, a, 1.0 - x) / b
    }
}

fn beta_fraction(a: f64, b: f64, x: f64) -> f64 {
    const TINY: f64 = 1e-300;
    let clamp = |v: f64| if v.abs() < TINY { TINY } else { v };
    let (qab, qap, qam) = (a + b, a + 1.0, a - 1.0);
    let mut c = 1.0;
    let mut d = 1.0 / clamp(1.0 - qab * x / qap);
    let mut h = d;
    for m in 1..=500 {
        let m = f64::from(m);
        let m2 = 2.0 * m;
        let even = m * (b - m) * x / ((qam + m2) * (a + m2));
        d = 1.0 / clamp(1.0 + even * d);
        c = clamp(1.0 + even / c);
        h *= d * c;
        let odd = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
        d = 1.0 / clamp(1.0 + odd * d);
        c = clamp(1.0 + odd / c);
        let step = d * c;
        h *= step;
        if (step - 1.0).abs() < 1e-15 {
            break;
        }
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::campaigns::holdout::is_held_out;
    use rand::rngs::StdRng;
    use rand::{Rng, SeedableRng};

    fn close(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() <= tol * b.abs().max(1.0)
    }

    // Reference values below are from SciPy 1.x (`scipy.stats.t`, `ttest_ind(equal_var=False)`
    // and its `confidence_interval()`), computed outside this code base.

    #[test]
    fn t_distribution_matches_reference_values() {
        for (df, q) in [
            (1.0, 12.706_204_74),
            (2.0, 4.302_652_73),
            (5.0, 2.570_581_84),
            (10.0, 2.228_138_85),
            (30.0, 2.042_272_46),
            (5.882_352_941_176_469, 2.458_823_71),
        ] {
            let got = t_quantile(0.975, df);
            assert!(close(got, q, 1e-8), "t.ppf(0.975, {df}) = {got}, expected {q}");
        }
        for (t, df, p) in [(0.5, 3.0, 0.674_276_02), (2.0, 7.5, 0.958_551_5), (-1.3, 12.0, 0.109_008_59)] {
            let got = t_cdf(t, df);
            assert!(close(got, p, 1e-7), "t.cdf({t}, {df}) = {got}, expected {p}");
        }
        assert_eq!(t_quantile(0.5, 4.0), 0.0);
        assert!(close(t_quantile(0.025, 5.0), -2.570_581_84, 1e-8));
    }

    #[test]
    fn welch_interval_by_hand() {
        // Treated 3,4,5,6,7: mean 5, variance 2.5; holdout 1,2,3: mean 2, variance 1.
        // se² = 2.5/5 + 1/3 = 5/6; df = (5/6)² / ((1/2)²/4 + (1/3)²/2) = 100/17 = 5.882…
        let d = welch(&Summary::of(&[3.0, 4.0, 5.0, 6.0, 7.0]), &Summary::of(&[1.0, 2.0, 3.0]), LEVEL).unwrap();
        assert_eq!(d.estimate, 3.0);
        assert!(close(d.df, 100.0 / 17.0, 1e-12), "{}", d.df);
        assert!(close(d.standard_error, (5.0f64 / 6.0).sqrt(), 1e-12));
        assert!(close(d.estimate / d.standard_error, 3.286_335_345_030_997, 1e-12));
        assert!(close(d.low, 0.755_411_315_448_739_2, 1e-8), "{}", d.low);
        assert!(close(d.high, 5.244_588_684_551_26, 1e-8), "{}", d.high);
        assert_eq!(verdict(Some(&d)), Verdict::Increase);
    }

    #[test]
    fn spend_per_member_with_many_zeros() {
        // Revenue per member: members who did not shop count as zero.
        let treated = [0.0, 0.0, 12.5, 30.0, 0.0, 41.2, 8.8, 0.0, 19.5, 22.0];
        let holdout = [0.0, 15.0, 0.0, 9.5, 0.0, 11.0];
        let d = welch(&Summary::of(&treated), &Summary::of(&holdout), LEVEL).unwrap();
        assert!(close(d.estimate / d.standard_error, 1.398_108_184_264_270_2, 1e-12));
        assert!(close(d.df, 13.481_729_094_111_511, 1e-10), "{}", d.df);
        assert!(close(d.low, -4.038_116_029_759_116, 1e-8), "{}", d.low);
        assert!(close(d.high, 19.004_782_696_425_78, 1e-8), "{}", d.high);
        assert_eq!(verdict(Some(&d)), Verdict::NoMeasurableEffect);
        // The mirror image: the same interval, negated.
        let m = welch(&Summary::of(&holdout), &Summary::of(&treated), LEVEL).unwrap();
        assert!(close(m.low, -d.high, 1e-12) && close(m.high, -d.low, 1e-12));
    }

    #[test]
    fn degenerate_groups() {
        assert_eq!(welch(&Summary::of(&[1.0]), &Summary::of(&[1.0, 2.0]), LEVEL), None);
        assert_eq!(verdict(None), Verdict::TooFewMembers);
        assert_eq!(Summary::of(&[]), Summary { n: 0, mean: 0.0, variance: 0.0 });
        // No spread at all: the difference is exact.
        let d = welch(&Summary::of(&[2.0, 2.0, 2.0]), &Summary::of(&[1.0, 1.0]), LEVEL).unwrap();
        assert_eq!((d.estimate, d.low, d.high), (1.0, 1.0, 1.0));
        let d = welch(&Summary::of(&[1.0, 1.0, 1.0]), &Summary::of(&[2.0, 2.0]), LEVEL).unwrap();
        assert_eq!(verdict(Some(&d)), Verdict::Decrease);
    }

    /// One simulated campaign: 3,000 members split by the real holdout rule (10 %); a member
    /// shops with probability 60 % and then spends an exponential amount with mean €60; the
    /// treated also spend `effect / 0.6` more when they shop, so the true difference in revenue
    /// per member is exactly `effect`. Returns the report's interval.
    fn simulate(seed: u64, effect: f64) -> Difference {
        let mut rng = StdRng::seed_from_u64(seed);
        let campaign = format!("SIM-{seed}");
        let (mut treated, mut holdout) = (Vec::new(), Vec::new());
        for i in 1..=3_000u64 {
            let card = app::validate::ean13::digital_card_number(i).unwrap();
            let held = is_held_out(&campaign, &card, 100);
            let shops = rng.random::<f64>() < 0.6;
            let mut spend = if shops { -60.0 * (1.0 - rng.random::<f64>()).ln() } else { 0.0 };
            if shops && !held {
                spend += effect / 0.6;
            }
            if held {
                holdout.push(spend)
            } else {
                treated.push(spend)
            }
        }
        welch(&Summary::of(&treated), &Summary::of(&holdout), LEVEL).unwrap()
    }

    #[test]
    fn the_interval_covers_a_planted_effect_at_its_stated_rate() {
        let covered = (0..100).filter(|s| {
            let d = simulate(*s, 6.0);
            d.low <= 6.0 && 6.0 <= d.high
        });
        let covered = covered.count();
        eprintln!("planted €6 per member: covered in {covered} of 100");
        assert!(covered >= 90, "the 95 % interval covered the true effect in {covered} of 100 campaigns");
    }

    #[test]
    fn a_large_effect_is_found_and_no_effect_is_reported_as_none() {
        let found = (0..100).filter(|s| verdict(Some(&simulate(*s, 25.0))) == Verdict::Increase).count();
        assert_eq!(found, 100, "a €25 per member effect found in {found} of 100");
        let none =
            (0..100).filter(|s| verdict(Some(&simulate(1_000 + *s, 0.0))) == Verdict::NoMeasurableEffect).count();
        eprintln!("planted €25: found in {found} of 100; no effect: reported as none in {none} of 100");
        assert!(none >= 90, "no effect reported as none in {none} of 100");
    }
}
