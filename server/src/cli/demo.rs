//! `imagross demo-data`: writes the deterministic demo set (Fidelity, Scontrini, Vendite);
//! `imagross demo-rewards`: adds the demo rewards programme to a store that imported it.

use std::path::PathBuf;

use app::validate::SimpleDate;
use clap::Args;

use crate::demo::{generate, DemoFormat, DemoOptions};

/// Arguments of `demo-data`.
#[derive(Args, Debug)]
pub struct DemoArgs {
    /// Cardholders.
    #[arg(long, default_value_t = 30_000)]
    pub customers: u32,
    /// Months of receipts.
    #[arg(long, default_value_t = 12)]
    pub months: u32,
    /// Random seed: the same seed and end date give the same files.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Last day of the period, YYYY-MM-DD (default: yesterday, so "this month" has data).
    #[arg(long)]
    pub end: Option<String>,
    /// Output directory.
    #[arg(long, default_value = "./data/demo")]
    pub out: PathBuf,
    /// csv, json or xlsx (one sheet per file, so small sets only).
    #[arg(long, default_value = "csv")]
    pub format: String,
}

impl DemoArgs {
    /// The generator's options, checked.
    pub fn options(&self) -> anyhow::Result<DemoOptions> {
        let end = match &self.end {
            Some(raw) => {
                SimpleDate::parse_iso(raw).ok_or_else(|| anyhow::anyhow!("--end: expected YYYY-MM-DD, got `{raw}`"))?
            }
            None => crate::clock::date_of(crate::clock::today() - 1),
        };
        let format = match self.format.as_str() {
            "csv" => DemoFormat::Csv,
            "json" => DemoFormat::Json,
            "xlsx" => DemoFormat::Xlsx,
            other => anyhow::bail!("--format: expected csv, json or xlsx, got `{other}`"),
        };
        if self.customers == 0 || self.months == 0 || self.months > 120 {
            anyhow::bail!("--customers must be at least 1 and --months between 1 and 120");
        }
        Ok(DemoOptions {
            customers: self.customers,
            months: self.months,
            seed: self.seed,
            end,
            out: self.out.clone(),
            format,
        })
    }
}

/// Runs `demo-data`.
pub async fn run(args: DemoArgs) -> anyhow::Result<()> {
    let options = args.options()?;
    let started = std::time::Instant::now();
    let stats = tokio::task::spawn_blocking(move || generate(&options)).await??;
    println!(
        "{} cardholders, {} receipts ({} with a card), {} sales lines, net {:.2} EUR in {:.1} s",
        stats.cardholders,
        stats.receipts,
        stats.receipts_with_card,
        stats.lines,
        stats.net_cents as f64 / 100.0,
        started.elapsed().as_secs_f64()
    );
    for f in &stats.files {
        println!("  {}", f.display());
    }
    Ok(())
}

/// Runs `demo-rewards`: brings the ledger in step with the data (and writes the expiries due),
/// then adds the demo catalogue and its past redemptions.
pub async fn rewards(config: &crate::config::Config, seed: u64) -> anyhow::Result<()> {
    use std::sync::Arc;
    let started = std::time::Instant::now();
    let store = crate::store::open(&crate::store::DatabaseUrl::of(config)?).await?;
    let data = Arc::new(crate::projection::load(store.as_ref()).await?);
    let points = crate::points::PointsService::new(store.clone(), config.tuning.clone());
    points.sync_ledger(data.clone()).await;
    let expired = points.expire_due(crate::clock::today(), true).await?;
    let service = crate::rewards::RewardsService::new(store.clone(), config.tuning.levels, config.tuning.voucher_days);
    let done = crate::rewards::demo::seed(
        store.as_ref(),
        &service,
        &data,
        &config.tuning.levels,
        config.tuning.voucher_days,
        &config.tuning.expiry,
        seed,
    )
    .await?;
    println!(
        "{} rewards, {} redemptions ({} vouchers used at a till, {} cancelled), {} expiry entries in {:.1} s",
        done.rewards,
        done.redemptions,
        done.used,
        done.cancelled,
        expired,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// Runs `demo-campaigns`: two past campaigns over the imported demo data (see
/// [`crate::campaigns::demo`]); the extra receipts' file goes to `<data dir>/demo`.
pub async fn campaigns(config: &crate::config::Config, seed: u64) -> anyhow::Result<()> {
    let started = std::time::Instant::now();
    let store = crate::store::open(&crate::store::DatabaseUrl::of(config)?).await?;
    let data = crate::projection::load(store.as_ref()).await?;
    let snap = tokio::task::spawn_blocking(move || crate::analytics::Snapshot::new(data)).await?;
    let done = crate::campaigns::demo::seed(&store, &snap, &config.data_dir.join("demo"), seed).await?;
    for (id, members, held_out) in &done.campaigns {
        println!("campaign {id}: {members} members, {held_out} held out");
    }
    println!(
        "{} activations, {} extra receipts (the planted effect), {} rewards in {:.1} s",
        done.activated,
        done.extra_receipts,
        done.rewards,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
