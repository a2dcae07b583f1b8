//! `imagross db check`: what store is configured, its schema version and its row counts.

use serde_json::json;

use crate::config::Config;
use crate::projection::DataSummary;
use crate::store;

/// Opens the store and prints its kind, schema version and row counts.
pub async fn check(config: &Config, as_json: bool) -> anyhow::Result<()> {
    let store = store::open(&store::DatabaseUrl::of(config)?).await?;
    let version = store.schema_version().await?;
    let summary = DataSummary::load(store.as_ref()).await?;
    if as_json {
        let out = json!({
            "store": store.kind().to_string(),
            "location": store::DatabaseUrl::of(config)?.describe(),
            "schema_version": version,
            "rows": summary.rows,
        });
        println!("{out}");
    } else {
        println!("store:          {} ({})", store.kind(), store::DatabaseUrl::of(config)?.describe());
        println!("schema version: {version}");
        println!("rows:");
        for (table, n) in &summary.rows {
            println!("  {table:<16} {n:>12}");
        }
    }
    Ok(())
}
