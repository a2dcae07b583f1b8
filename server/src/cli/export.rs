//! `imagross export --kind customers|receipts|sales|segments --format csv|xlsx --out FILE
//! [--from D --to D] [--segment S] [--sep comma|semicolon]`: the same exports as the dashboard,
//! from the command line. Without `--from`/`--to` the window is all the data and the analysis
//! date is the last receipt's date.

use app::model::analytics::{CustomerQuery, Filters};

use crate::analytics::export::{self, CsvStyle, ExportKind, Format};
use crate::analytics::Snapshot;
use crate::config::Config;
use crate::projection::load;
use crate::store;

/// Arguments of `export`.
#[derive(clap::Args, Debug)]
pub struct ExportArgs {
    /// What to export: customers, receipts, sales or segments (or any dashboard table:
    /// kpis, series, departments, products, promotions, stores, heatmap, basket, rf_grid, cohorts).
    #[arg(long)]
    pub kind: String,
    /// csv or xlsx.
    #[arg(long, default_value = "csv")]
    pub format: String,
    /// The file to write.
    #[arg(long)]
    pub out: std::path::PathBuf,
    /// First day, YYYY-MM-DD.
    #[arg(long)]
    pub from: Option<String>,
    /// Last day, YYYY-MM-DD.
    #[arg(long)]
    pub to: Option<String>,
    /// Only cardholders of this RFM segment (e.g. champions, at_risk).
    #[arg(long)]
    pub segment: Option<String>,
    /// CSV delimiter: semicolon (decimal comma, the default) or comma (decimal point).
    #[arg(long)]
    pub sep: Option<String>,
}

/// Runs the export and prints what it wrote.
pub async fn run(config: &Config, args: ExportArgs) -> anyhow::Result<()> {
    let kind = ExportKind::from_code(&args.kind).ok_or_else(|| {
        anyhow::anyhow!("--kind: `{}` is not an export (customers, receipts, sales, segments, …)", args.kind)
    })?;
    let format = Format::from_code(&args.format)
        .ok_or_else(|| anyhow::anyhow!("--format: `{}` is not csv or xlsx", args.format))?;
    let style =
        CsvStyle::from_code(args.sep.as_deref()).ok_or_else(|| anyhow::anyhow!("--sep: use comma or semicolon"))?;
    let mut pairs: Vec<(&str, &str)> =
        vec![("range", if args.from.is_some() || args.to.is_some() { "custom" } else { "all" })];
    pairs.extend(args.from.as_deref().map(|v| ("from", v)));
    pairs.extend(args.to.as_deref().map(|v| ("to", v)));
    pairs.extend(args.segment.as_deref().map(|v| ("segment", v)));
    let filters = Filters::from_pairs(pairs).map_err(|e| anyhow::anyhow!("--{}", crate::error::AppError::from(e)))?;
    let query = CustomerQuery { filters, ..CustomerQuery::from_pairs([]).expect("no pairs is valid") };
    let store = store::open(&store::DatabaseUrl::of(config)?).await?;
    let data = load(store.as_ref()).await?;
    let book = crate::points::book::PointsBook::load(store.as_ref()).await?;
    let discount = config.tuning.clv_monthly_discount;
    let snap = tokio::task::spawn_blocking(move || std::sync::Arc::new(Snapshot::fitted(data, discount))).await?;
    let out = args.out.clone();
    let rows = tokio::task::spawn_blocking(move || -> anyhow::Result<u64> {
        snap.select(&query.filters).map_err(|e| anyhow::anyhow!("--{}", crate::error::AppError::from(e)))?;
        Ok(match format {
            Format::Csv => {
                let file = std::fs::File::create(&out).map_err(|e| anyhow::anyhow!("{}: {e}", out.display()))?;
                let mut w = std::io::BufWriter::new(file);
                let n = export::write_csv(&snap, &book, kind, &query, style, &mut w)?;
                std::io::Write::flush(&mut w)?;
                w.get_ref().sync_all()?;
                n
            }
            Format::Xlsx => export::write_xlsx(&snap, &book, kind, &query, &out)?,
        })
    })
    .await??;
    println!("{} rows of {} written to {}", rows, kind.code(), args.out.display());
    Ok(())
}
