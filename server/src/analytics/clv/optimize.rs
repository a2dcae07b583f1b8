//! A Nelder–Mead simplex minimiser with restarts: derivative-free and robust for the small,
//! smooth log-likelihoods of the customer-value models (parameters searched on a log scale).

/// Result of a minimisation.
#[derive(Clone, Debug)]
pub struct Minimum {
    pub x: Vec<f64>,
    pub value: f64,
    pub evaluations: u32,
}

fn simplex_search(
    f: &mut dyn FnMut(&[f64]) -> f64,
    start: &[f64],
    step: f64,
    max_evals: u32,
    evals: &mut u32,
) -> (Vec<f64>, f64) {
    let n = start.len();
    let mut pts: Vec<Vec<f64>> = vec![start.to_vec()];
    for i in 0..n {
        let mut p = start.to_vec();
        p[i] += step;
        pts.push(p);
    }
    let mut vals: Vec<f64> = pts
        .iter()
        .map(|p| {
            *evals += 1;
            f(p)
        })
        .collect();
    let (alpha, gamma, rho, sigma) = (1.0, 2.0, 0.5, 0.5);
    while *evals < max_evals {
        let mut order: Vec<usize> = (0..=n).collect();
        order.sort_by(|a, b| vals[*a].partial_cmp(&vals[*b]).unwrap_or(std::cmp::Ordering::Equal));
        pts = order.iter().map(|i| pts[*i].clone()).collect();
        vals = order.iter().map(|i| vals[*i]).collect();
        let spread = (vals[n] - vals[0]).abs();
        let size = pts
            .iter()
            .skip(1)
            .map(|p| p.iter().zip(&pts[0]).map(|(a, b)| (a - b).abs()).fold(0.0, f64::max))
            .fold(0.0, f64::max);
        if spread <= 1e-12 * (1.0 + vals[0].abs()) && size < 1e-9 {
            break;
        }
        let centroid: Vec<f64> = (0..n).map(|j| pts[..n].iter().map(|p| p[j]).sum::<f64>() / n as f64).collect();
        let toward = |t: f64| -> Vec<f64> { (0..n).map(|j| centroid[j] + t * (pts[n][j] - centroid[j])).collect() };
        let reflected = toward(-alpha);
        *evals += 1;
        let fr = f(&reflected);
        if fr < vals[0] {
            let expanded = toward(-gamma);
            *evals += 1;
            let fe = f(&expanded);
            if fe < fr {
                pts[n] = expanded;
                vals[n] = fe;
            } else {
                pts[n] = reflected;
                vals[n] = fr;
            }
        } else if fr < vals[n - 1] {
            pts[n] = reflected;
            vals[n] = fr;
        } else {
            let contracted = if fr < vals[n] { toward(-rho) } else { toward(rho) };
            *evals += 1;
            let fc = f(&contracted);
            if fc < vals[n].min(fr) {
                pts[n] = contracted;
                vals[n] = fc;
            } else {
                for i in 1..=n {
                    pts[i] = (0..n).map(|j| pts[0][j] + sigma * (pts[i][j] - pts[0][j])).collect();
                    *evals += 1;
                    vals[i] = f(&pts[i]);
                }
            }
        }
    }
    let best = (0..=n).min_by(|a, b| vals[*a].partial_cmp(&vals[*b]).unwrap_or(std::cmp::Ordering::Equal)).unwrap_or(0);
    (pts[best].clone(), vals[best])
}

/// Minimises `f` from `start`, restarting the simplex at the best point until a restart no
/// longer improves (guards against a collapsed simplex). Non-finite values count as +∞.
pub fn nelder_mead(mut f: impl FnMut(&[f64]) -> f64, start: &[f64], max_evals: u32) -> Minimum {
    let mut evals = 0;
    let mut safe = |x: &[f64]| {
        let v = f(x);
        if v.is_finite() {
            v
        } else {
            f64::INFINITY
        }
    };
    let (mut x, mut value) = simplex_search(&mut safe, start, 0.5, max_evals, &mut evals);
    for _ in 0..8 {
        let (x2, v2) = simplex_search(&mut safe, &x, 0.1, max_evals.saturating_sub(evals).max(1), &mut evals);
        let improved = v2 < value - 1e-10 * (1.0 + value.abs());
        if v2 <= value {
            x = x2;
            value = v2;
        }
        if !improved || evals >= max_evals {
            break;
        }
    }
    Minimum { x, value, evaluations: evals }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_rosenbrock_minimum() {
        let m = nelder_mead(|p| (1.0 - p[0]).powi(2) + 100.0 * (p[1] - p[0] * p[0]).powi(2), &[-1.2, 1.0], 20_000);
        assert!((m.x[0] - 1.0).abs() < 1e-4 && (m.x[1] - 1.0).abs() < 1e-4, "{m:?}");
    }

    #[test]
    fn finds_a_quadratic_minimum_in_four_dimensions() {
        let m = nelder_mead(
            |p| p.iter().enumerate().map(|(i, v)| (v - i as f64).powi(2) * (i + 1) as f64).sum(),
            &[5.0, 5.0, 5.0, 5.0],
            20_000,
        );
        for (i, v) in m.x.iter().enumerate() {
            assert!((v - i as f64).abs() < 1e-4, "{m:?}");
        }
    }
}
