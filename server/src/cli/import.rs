//! `imagross import`: one file as one recorded batch, with progress on a terminal and a
//! summary at the end (`--json`: one JSON object). Exit status non-zero only when the file
//! could not be read at all. `--list` shows the recorded batches.

use std::io::IsTerminal;
use std::path::PathBuf;

use clap::Args;

use crate::config::Config;
use crate::import::headers::Kind;
use crate::import::pipeline::{import_file, ImportOptions};
use crate::store::model::ImportBatch;
use crate::store::{self, StoreExt};

/// Arguments of `import`.
#[derive(Args, Debug)]
pub struct ImportArgs {
    /// fidelity, scontrini or vendite (detected from the columns when omitted).
    #[arg(long)]
    pub kind: Option<String>,
    /// Print the summary as one JSON object.
    #[arg(long)]
    pub json: bool,
    /// List the recorded import batches instead of importing.
    #[arg(long)]
    pub list: bool,
    /// For an XLSX: the sheet to read (default: the first).
    #[arg(long)]
    pub sheet: Option<String>,
    /// The file to import (CSV, JSON, NDJSON or XLSX).
    pub file: Option<PathBuf>,
}

/// Runs `import`.
pub async fn run(config: &Config, args: ImportArgs) -> anyhow::Result<()> {
    let store = store::open(&store::DatabaseUrl::of(config)?).await?;
    if args.list {
        let mut batches: Vec<ImportBatch> = Vec::new();
        let mut after: Option<String> = None;
        loop {
            let page: Vec<ImportBatch> = store.scan_page(after.as_deref(), 1000).await?;
            let Some(last) = page.last() else { break };
            after = Some(last.id.clone());
            batches.extend(page);
        }
        batches.sort_by(|a, b| b.started_at.cmp(&a.started_at));
        if args.json {
            println!("{}", serde_json::to_string(&batches)?);
        } else {
            for b in batches {
                println!(
                    "{} {:<9} {:<10} {:<9?} read {:>9} new {:>9} changed {:>7} same {:>9} rejected {:>6}  {}",
                    b.started_at,
                    b.kind,
                    b.run_by,
                    b.status,
                    b.rows_read,
                    b.inserted,
                    b.updated,
                    b.unchanged,
                    b.rejected,
                    b.file_name
                );
            }
        }
        return Ok(());
    }
    let Some(file) = args.file else { anyhow::bail!("name the file to import (or use --list)") };
    let kind = match args.kind.as_deref() {
        None => None,
        Some(k) => Some(
            Kind::parse(k)
                .ok_or_else(|| anyhow::anyhow!("--kind: expected fidelity, scontrini or vendite, got `{k}`"))?,
        ),
    };
    let user = std::env::var("USER").unwrap_or_else(|_| "unknown".into());
    let options = ImportOptions { kind, run_by: format!("cli:{user}"), sheet: args.sheet.clone() };
    let on_terminal = std::io::stderr().is_terminal() && !args.json;
    let progress = move |rows: u64| {
        if on_terminal {
            eprint!("\r{rows} rows read…");
        }
    };
    let summary = import_file(store.as_ref(), &file, &options, &progress).await?;
    if on_terminal {
        eprintln!();
    }
    if args.json {
        println!("{}", serde_json::to_string(&summary)?);
    } else {
        println!("batch {} ({}) {}: {}", summary.batch_id, summary.kind, summary.file_name, summary.status);
        println!(
            "rows read {}, inserted {}, updated {}, unchanged {}, rejected {}",
            summary.rows_read, summary.inserted, summary.updated, summary.unchanged, summary.rejected
        );
        if !summary.unknown_columns.is_empty() {
            println!("columns ignored: {}", summary.unknown_columns.join(", "));
        }
        for e in &summary.errors {
            println!(
                "  row {}{}{}: {}",
                e.row,
                e.column.as_deref().map(|c| format!(", column {c}")).unwrap_or_default(),
                e.value.as_deref().map(|v| format!(", value `{v}`")).unwrap_or_default(),
                e.reason
            );
        }
    }
    if let Some(failure) = summary.failure {
        anyhow::bail!("{failure}");
    }
    Ok(())
}
