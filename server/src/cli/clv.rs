//! `imagross clv [--as-of DATE] [--json] [--discount R]`: fits BG/NBD and Gamma-Gamma on the
//! store's data and prints the parameters, sample sizes and log-likelihoods. DATE defaults to
//! the last receipt's date.

use serde_json::json;

use crate::analytics::clv::ClvModel;
use crate::clock::{day_iso, parse_day};
use crate::config::Config;
use crate::config::DEFAULT_MONTHLY_DISCOUNT;
use crate::projection::load;
use crate::store;

/// Arguments of `clv`.
#[derive(clap::Args, Debug)]
pub struct ClvArgs {
    /// Analysis date, YYYY-MM-DD (default: the last receipt's date).
    #[arg(long)]
    pub as_of: Option<String>,
    /// Monthly discount rate of the 12-month value (e.g. 0.01).
    #[arg(long, default_value_t = DEFAULT_MONTHLY_DISCOUNT)]
    pub discount: f64,
    /// Print one JSON object.
    #[arg(long)]
    pub json: bool,
}

/// Runs the fit and prints it.
pub async fn run(config: &Config, args: ClvArgs) -> anyhow::Result<()> {
    let as_of = match args.as_of.as_deref() {
        Some(d) => Some(parse_day(d).ok_or_else(|| anyhow::anyhow!("--as-of: `{d}` is not a date (YYYY-MM-DD)"))?),
        None => None,
    };
    if !(0.0..1.0).contains(&args.discount) {
        anyhow::bail!("--discount: {} is not a rate between 0 and 1", args.discount);
    }
    let store = store::open(&store::DatabaseUrl::of(config)?).await?;
    let data = load(store.as_ref()).await?;
    let Some(as_of) = as_of.or(data.last_day()) else { anyhow::bail!("no receipts in the store: nothing to fit") };
    let discount = args.discount;
    let model = tokio::task::spawn_blocking(move || ClvModel::fit(&data, as_of, discount))
        .await?
        .ok_or_else(|| anyhow::anyhow!("no cardholder bought on or before {}", day_iso(as_of)))?;
    let b = model.bgnbd.params;
    let g = model.gamma_gamma.as_ref();
    if args.json {
        let out = json!({
            "as_of": day_iso(model.as_of),
            "bgnbd": { "r": b.r, "alpha": b.alpha, "a": b.a, "b": b.b, "n": model.bgnbd.n, "log_likelihood": model.bgnbd.log_likelihood },
            "gamma_gamma": g.map(|g| json!({ "p": g.params.p, "q": g.params.q, "v": g.params.v, "n": g.n, "log_likelihood": g.log_likelihood })),
            "monthly_discount": model.monthly_discount,
            "fit_ms": model.fit_ms,
            "predict_ms": model.predict_ms,
        });
        println!("{out}");
    } else {
        println!("analysis date: {}", day_iso(model.as_of));
        println!(
            "BG/NBD       r = {:.4}  alpha = {:.4}  a = {:.4}  b = {:.4}  (n = {}, log-likelihood {:.2})",
            b.r, b.alpha, b.a, b.b, model.bgnbd.n, model.bgnbd.log_likelihood
        );
        match g {
            Some(g) => println!(
                "Gamma-Gamma  p = {:.4}  q = {:.4}  v = {:.4}  (n = {} repeat buyers, log-likelihood {:.2})",
                g.params.p, g.params.q, g.params.v, g.n, g.log_likelihood
            ),
            None => println!("Gamma-Gamma  not fitted (fewer than 2 repeat buyers)"),
        }
        println!(
            "fit {:.0} ms, predictions {:.0} ms, monthly discount {}",
            model.fit_ms, model.predict_ms, model.monthly_discount
        );
    }
    Ok(())
}
