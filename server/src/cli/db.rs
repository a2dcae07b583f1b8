//! `imagross db check`: what store is configured, its schema version and its row counts, and
//! the watchdog's verdict: it exits non-zero when a table holds fewer rows than the store had
//! (see [`crate::watchdog`]).

use serde_json::json;

use crate::config::Config;
use crate::projection::DataSummary;
use crate::store;

/// Opens the store and prints its kind, schema version and row counts.
pub async fn check(config: &Config, as_json: bool) -> anyhow::Result<()> {
    let store = store::open(&store::DatabaseUrl::of(config)?).await?;
    let version = store.schema_version().await?;
    let summary = DataSummary::load(store.as_ref()).await?;
    let url = store::DatabaseUrl::of(config)?;
    let dog = crate::watchdog::Watchdog::new(store.clone(), url.describe(), Some(config.data_dir.clone()));
    let alerts = dog.check().await?;
    let messages: Vec<String> = alerts.iter().map(|a| app::format::store_alert(a, app::i18n::Lang::It)).collect();
    if as_json {
        let out = json!({
            "store": store.kind().to_string(),
            "location": store::DatabaseUrl::of(config)?.describe(),
            "schema_version": version,
            "rows": summary.rows,
            "regressions": alerts,
        });
        println!("{out}");
    } else {
        println!("store:          {} ({})", store.kind(), store::DatabaseUrl::of(config)?.describe());
        println!("schema version: {version}");
        println!("rows:");
        for (table, n) in &summary.rows {
            println!("  {table:<16} {n:>12}");
        }
        println!(
            "watchdog:       {}",
            if alerts.is_empty() { "no table has fewer rows than before" } else { "REGRESSION" }
        );
    }
    if !messages.is_empty() {
        anyhow::bail!("{}", messages.join("\n"));
    }
    Ok(())
}
