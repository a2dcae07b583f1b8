//! The models against the published CDNOW estimates (Fader, Hardie & Lee 2005), and their
//! predictions on hand-checked cases.

use super::bgnbd::{BgNbd, Rfq};
use super::gamma_gamma::GammaGamma;

fn fixture(name: &str) -> Vec<Vec<f64>> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/cdnow").join(name);
    let text = std::fs::read_to_string(&path).unwrap();
    text.lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.split(',').map(|v| v.trim().parse().unwrap()).collect())
        .collect()
}

fn within_1pct(got: f64, published: f64, name: &str) {
    let err = (got - published).abs() / published;
    assert!(err < 0.01, "{name}: got {got}, published {published} ({:.2} %)", err * 100.0);
}

#[test]
fn bgnbd_matches_the_published_cdnow_estimates() {
    let data: Vec<Rfq> =
        fixture("cdnow_customers_summary.csv").iter().map(|r| Rfq { x: r[1], t_x: r[2], t: r[3] }).collect();
    assert_eq!(data.len(), 2357);
    let fit = BgNbd::fit(&data).unwrap();
    let p = fit.params;
    eprintln!(
        "CDNOW BG/NBD: r = {:.4}, alpha = {:.4}, a = {:.4}, b = {:.4}, LL = {:.2}",
        p.r, p.alpha, p.a, p.b, fit.log_likelihood
    );
    within_1pct(p.r, 0.243, "r");
    within_1pct(p.alpha, 4.414, "alpha");
    within_1pct(p.a, 0.793, "a");
    within_1pct(p.b, 2.426, "b");
    // Published maximised log-likelihood: -9582.4.
    assert!((fit.log_likelihood - -9582.4).abs() < 1.0, "LL {}", fit.log_likelihood);
}

#[test]
fn gamma_gamma_matches_the_published_cdnow_estimates() {
    let rows = fixture("cdnow_customers_summary_with_transactions.csv");
    let data: Vec<(f64, f64)> = rows.iter().map(|r| (r[1], r[4])).collect();
    let fit = GammaGamma::fit(&data).unwrap();
    assert_eq!(fit.n, 946, "repeat buyers only");
    eprintln!(
        "CDNOW Gamma-Gamma: p = {:.4}, q = {:.4}, v = {:.4}, LL = {:.2}",
        fit.params.p, fit.params.q, fit.params.v, fit.log_likelihood
    );
    within_1pct(fit.params.p, 6.25, "p");
    within_1pct(fit.params.q, 3.74, "q");
    within_1pct(fit.params.v, 15.44, "v");
}

#[test]
fn predictions_behave() {
    let m = BgNbd { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 };
    // A one-off buyer is certainly alive under BG/NBD (drop-out happens only after a purchase).
    assert_eq!(m.p_alive(&Rfq { x: 0.0, t_x: 0.0, t: 38.86 }), 1.0);
    // The same frequency with a recent last purchase is more likely alive than an old one.
    let recent = m.p_alive(&Rfq { x: 5.0, t_x: 37.0, t: 38.86 });
    let old = m.p_alive(&Rfq { x: 5.0, t_x: 5.0, t: 38.86 });
    // 1 / (1 + a/(b+x-1) · ((α+T)/(α+t_x))^(r+x)): 0.8655 and 0.0027 by hand.
    assert!((recent - 0.8655).abs() < 1e-3 && (old - 0.00272).abs() < 1e-4, "{recent} {old}");
    // Expected purchases grow with the horizon and vanish at zero.
    let c = Rfq { x: 2.0, t_x: 30.43, t: 38.86 };
    let (e0, e1, e2) = (m.expected_purchases(&c, 0.0), m.expected_purchases(&c, 39.0), m.expected_purchases(&c, 78.0));
    assert!(e0.abs() < 1e-12 && e1 > 0.0 && e2 > e1, "{e0} {e1} {e2}");
    // Published example (Fader, Hardie & Lee 2005, p. 281): a customer with x = 2, t_x = 30.43,
    // T = 38.86 expects 1.226 purchases in the next 39 weeks.
    assert!((e1 - 1.226).abs() < 0.01, "{e1}");
    // Gamma-Gamma: the expected spend lies between the population mean and the customer's mean.
    let g = GammaGamma { p: 6.25, q: 3.74, v: 15.44 };
    let population = g.expected_spend(0.0, 0.0);
    let own = 100.0;
    let shrunk = g.expected_spend(4.0, own);
    assert!(shrunk > population && shrunk < own, "{population} {shrunk}");
}
