//! The projection catching up with a day's import (part of `bench import`): the demo set's
//! receipts and lines are split into the year before its last day and that last day (the
//! chain's daily export); the year is imported and the projection built, then the day's
//! Scontrini and Vendite files are imported one after the other and the projection applies each
//! batch's rows (what the server does after an upload, or within seconds of a CLI import).
//! Prints each import, each catch-up and, for comparison, a full rebuild; checks that the
//! caught-up projection equals a build from the store.

use std::path::{Path, PathBuf};
use std::time::Instant;

use crate::import::pipeline::{import_file, ImportOptions};
use crate::projection::{load, Projection};
use crate::store::{self, DatabaseUrl};

/// Splits a CSV export at its last date (`date_field`: the column of `dd/mm/yyyy`): the rows
/// before it and the rows of it, each with the header.
fn split_last_day(path: &Path, date_field: usize) -> anyhow::Result<(PathBuf, PathBuf, String)> {
    let text = std::fs::read_to_string(path)?;
    let mut rows = text.lines();
    let header = rows.next().unwrap_or_default();
    let date = |row: &str| row.split(';').nth(date_field).unwrap_or_default().to_string();
    let last = text.lines().last().map(date).unwrap_or_default();
    let (mut before, mut day) = (format!("{header}\n"), format!("{header}\n"));
    for row in rows {
        let into = if date(row) == last { &mut day } else { &mut before };
        into.push_str(row);
        into.push('\n');
    }
    let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("file");
    let (a, b) = (path.with_file_name(format!("{stem}-before.csv")), path.with_file_name(format!("{stem}-day.csv")));
    std::fs::write(&a, before)?;
    std::fs::write(&b, day)?;
    Ok((a, b, last))
}

/// Runs the figures on the demo set's `files` (Fidelity, Scontrini, Vendite) in `dir`.
pub async fn run(dir: &Path, files: &[PathBuf]) -> anyhow::Result<()> {
    let [fidelity, scontrini, vendite] = files else { anyhow::bail!("expected the three demo files") };
    let (receipts_before, receipts_day, day) = split_last_day(scontrini, 2)?;
    let (lines_before, lines_day, _) = split_last_day(vendite, 1)?;
    let store = store::open(&DatabaseUrl::Sqlite(dir.join("catch-up.sqlite"))).await?;
    let options = ImportOptions { kind: None, run_by: "bench".into(), sheet: None };
    for file in [fidelity, &receipts_before, &lines_before] {
        import_file(store.as_ref(), file, &options, &|_| {}).await?;
    }
    // As the server runs it: the customer-value models fitted with each build and applied import.
    let projection = Projection::new(crate::analytics::Models::default(), Vec::new());
    let started = Instant::now();
    projection.refresh(store.as_ref()).await?;
    let held = projection.snapshot().map(|s| (s.data.receipts.len(), s.data.lines.len())).unwrap_or_default();
    println!(
        "catch-up  projection of the year before {day} built in {:.0} ms ({} receipts, {} lines)",
        started.elapsed().as_secs_f64() * 1e3,
        held.0,
        held.1
    );
    for (label, file) in [("scontrini", &receipts_day), ("vendite", &lines_day)] {
        let started = Instant::now();
        let summary = import_file(store.as_ref(), file, &options, &|_| {}).await?;
        let imported = started.elapsed().as_secs_f64() * 1e3;
        let started = Instant::now();
        let caught_up = projection.refresh_if_changed(store.as_ref()).await?;
        println!(
            "catch-up  {day} {label:<9} {:>6} rows imported in {imported:>6.0} ms, applied to the projection in \
             {:>6.1} ms ({})",
            summary.rows_read,
            started.elapsed().as_secs_f64() * 1e3,
            if caught_up { "applied" } else { "nothing to do" }
        );
    }
    let rebuilds = projection.rebuilds();
    let applied = projection.batches_applied();
    let running = projection.snapshot().map(|s| s.data.describe()).unwrap_or_default();
    let built = load(store.as_ref()).await?.describe();
    println!(
        "catch-up  {applied} batches applied, {} rebuilt since the first build; equal to a build from the store: {}",
        rebuilds - 1,
        if running == built { "yes" } else { "NO" }
    );
    drop((running, built));
    let started = Instant::now();
    projection.refresh(store.as_ref()).await?;
    println!(
        "catch-up  a full rebuild instead: {:.0} ms (the goal: a batch costs what it adds)",
        started.elapsed().as_secs_f64() * 1e3
    );
    Ok(())
}
