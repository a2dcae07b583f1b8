//! Special functions the customer-value models need: the log-gamma function and the Gaussian
//! hypergeometric function 2F1 (for |z| < 1), in plain `f64`.

/// ln Γ(x) for x > 0 (Lanczos approximation, g = 7, n = 9; about 15 significant digits).
pub fn ln_gamma(x: f64) -> f64 {
    const G: f64 = 7.0;
    const C: [f64; 9] = [
        0.999_999_999_999_809_9,
        676.520_368_121_885_1,
        -1_259.139_216_722_402_8,
        771.323_428_777_653_1,
        -176.615_029_162_140_6,
        12.507_343_278_686_905,
        -0.138_571_095_265_720_12,
        9.984_369_578_019_572e-6,
        1.505_632_735_149_311_6e-7,
    ];
    if x < 0.5 {
        // Reflection: Γ(x) Γ(1 - x) = π / sin(π x).
        let pi = std::f64::consts::PI;
        return (pi / (pi * x).sin()).abs().ln() - ln_gamma(1.0 - x);
    }
    let x = x - 1.0;
    let mut a = C[0];
    let t = x + G + 0.5;
    for (i, c) in C.iter().enumerate().skip(1) {
        a += c / (x + i as f64);
    }
    0.5 * (2.0 * std::f64::consts::PI).ln() + (x + 0.5) * t.ln() - t + a.ln()
}

/// The Gaussian hypergeometric function 2F1(a, b; c; z) by its power series, for 0 <= z < 1.
pub fn hyp2f1(a: f64, b: f64, c: f64, z: f64) -> f64 {
    let mut term = 1.0;
    let mut sum = 1.0;
    for n in 0..100_000 {
        let n = f64::from(n);
        term *= (a + n) * (b + n) / ((c + n) * (n + 1.0)) * z;
        sum += term;
        if term.abs() < 1e-14 * sum.abs() {
            break;
        }
    }
    sum
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ln_gamma_matches_known_values() {
        let close = |a: f64, b: f64| (a - b).abs() < 1e-10 * b.abs().max(1.0);
        assert!(close(ln_gamma(1.0), 0.0));
        assert!(close(ln_gamma(2.0), 0.0));
        assert!(close(ln_gamma(5.0), 24f64.ln()));
        assert!(close(ln_gamma(0.5), std::f64::consts::PI.sqrt().ln()));
        assert!(close(ln_gamma(10.5), 1_133_278.388_7_f64.ln()), "{}", ln_gamma(10.5));
        assert!(close(ln_gamma(0.1), 2.252_712_651_734_206), "{}", ln_gamma(0.1));
        assert!(close(ln_gamma(171.0), 706.573_062_245_787_4), "{}", ln_gamma(171.0));
    }

    #[test]
    fn hyp2f1_matches_closed_forms() {
        // 2F1(1, 1; 2; z) = -ln(1 - z) / z
        for z in [0.1, 0.5, 0.9] {
            let exact = -(1.0f64 - z).ln() / z;
            assert!((hyp2f1(1.0, 1.0, 2.0, z) - exact).abs() < 1e-10, "z = {z}");
        }
        // 2F1(a, b; b; z) = (1 - z)^-a
        assert!((hyp2f1(2.5, 3.0, 3.0, 0.3) - 0.7f64.powf(-2.5)).abs() < 1e-10);
        assert_eq!(hyp2f1(1.0, 1.0, 2.0, 0.0), 1.0);
    }
}
