//! The watchdog for data that goes back in time. Nothing here deletes imported rows, so the
//! data tables' counts only grow. The previous system's database once "reverted" to an older
//! dataset and nobody could say when: here every import batch records the counts after it, and
//! every replica compares the store with the newest such record, and with the highest counts it
//! has itself seen (kept in its data directory, outside the database, so restoring the database
//! cannot rewrite them), at start and every minute. A regression is loud: an error in the log
//! naming table, expected, found and batch; a red banner on every admin page; the
//! `store_regressions` metric; `imagross db check` failing. Readiness stays 200: the shop keeps
//! working, the point is that someone finds out the same day.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Arc, RwLock};

use app::model::admin::StoreAlert;

use crate::store::model::{BatchStatus, ImportBatch};
use crate::store::{Store, StoreResult, Table};

/// The tables whose counts never shrink.
pub const WATCHED: [Table; 7] = [
    Table::Cardholders,
    Table::Shops,
    Table::Departments,
    Table::Products,
    Table::Promotions,
    Table::Receipts,
    Table::SalesLines,
];

/// The marks file in a server's data directory.
pub const MARKS_FILE: &str = "watermarks.json";

/// How often a running server checks.
pub const EVERY: std::time::Duration = std::time::Duration::from_secs(60);

/// The watched tables' counts now, as the JSON object an import batch records.
pub async fn counts_json(store: &dyn Store) -> StoreResult<String> {
    let counts = counts(store).await?;
    Ok(serde_json::to_string(&counts).unwrap_or_default())
}

async fn counts(store: &dyn Store) -> StoreResult<BTreeMap<String, u64>> {
    let mut out = BTreeMap::new();
    for t in WATCHED {
        out.insert(t.name().to_string(), store.count(t).await?);
    }
    Ok(out)
}

/// The newest finished batch that recorded counts: the latest end, and among batches ending in
/// the same second the one that counted the most rows (counts only grow, so it came last).
async fn newest_counted_batch(store: &dyn Store) -> StoreResult<Option<ImportBatch>> {
    let total = |b: &ImportBatch| -> u64 {
        b.counts_after
            .as_deref()
            .and_then(|j| serde_json::from_str::<BTreeMap<String, u64>>(j).ok())
            .map_or(0, |m| m.values().sum())
    };
    let mut newest: Option<(ImportBatch, u64)> = None;
    crate::projection::scan_all::<ImportBatch>(store, |b| {
        if b.counts_after.is_none() || b.status == BatchStatus::Running {
            return;
        }
        let t = total(b);
        let later = newest.as_ref().is_none_or(|(n, nt)| (&b.finished_at, t) > (&n.finished_at, *nt));
        if later {
            newest = Some((b.clone(), t));
        }
    })
    .await?;
    Ok(newest.map(|(b, _)| b))
}

/// Compares `found` with what a batch recorded and with this server's own marks.
pub fn regressions(
    found: &BTreeMap<String, u64>,
    batch: Option<&ImportBatch>,
    marks: &BTreeMap<String, u64>,
) -> Vec<StoreAlert> {
    let recorded: BTreeMap<String, u64> =
        batch.and_then(|b| b.counts_after.as_deref()).and_then(|j| serde_json::from_str(j).ok()).unwrap_or_default();
    let mut alerts = Vec::new();
    for (table, &now) in found {
        let by_batch = recorded.get(table).copied().unwrap_or(0);
        let by_mark = marks.get(table).copied().unwrap_or(0);
        // The batch's record names a cause an admin can look up; the mark catches a database
        // restored together with its batch records.
        if by_batch > now && by_batch >= by_mark {
            let b = batch.expect("recorded counts come from a batch");
            alerts.push(StoreAlert {
                table: table.clone(),
                expected: by_batch as i64,
                found: now as i64,
                batch: Some((b.file_name.clone(), b.finished_at.clone().unwrap_or_default())),
            });
        } else if by_mark > now {
            alerts.push(StoreAlert { table: table.clone(), expected: by_mark as i64, found: now as i64, batch: None });
        }
    }
    alerts
}

/// Where the watchdog keeps the highest counts it has seen, and for which database (tests and
/// benchmarks: nowhere; the server: its data directory).
#[derive(Clone, Debug, Default)]
pub struct Marks {
    pub database: String,
    pub data_dir: Option<std::path::PathBuf>,
}

/// The watchdog of one server: its last findings and its marks file.
pub struct Watchdog {
    store: Arc<dyn Store>,
    /// `<data dir>/watermarks.json`: per database, the highest counts seen.
    marks_path: Option<PathBuf>,
    /// Which database the marks are about (its location without credentials).
    database: String,
    alerts: RwLock<Vec<StoreAlert>>,
}

impl Watchdog {
    /// A watchdog over `store` (named `database`), keeping its marks in `data_dir` (`None`: only
    /// the batch records are compared).
    pub fn new(store: Arc<dyn Store>, database: impl Into<String>, data_dir: Option<PathBuf>) -> Self {
        Watchdog {
            store,
            marks_path: data_dir.map(|d| d.join(MARKS_FILE)),
            database: database.into(),
            alerts: RwLock::default(),
        }
    }

    fn read_marks(&self) -> BTreeMap<String, BTreeMap<String, u64>> {
        self.marks_path
            .as_ref()
            .and_then(|p| std::fs::read_to_string(p).ok())
            .and_then(|t| serde_json::from_str(&t).ok())
            .unwrap_or_default()
    }

    fn write_marks(&self, all: &BTreeMap<String, BTreeMap<String, u64>>) {
        let Some(path) = &self.marks_path else { return };
        let tmp = path.with_extension("json.tmp");
        let written = path
            .parent()
            .map_or(Ok(()), std::fs::create_dir_all)
            .and_then(|_| std::fs::write(&tmp, serde_json::to_vec_pretty(all).unwrap_or_default()))
            .and_then(|_| std::fs::rename(&tmp, path));
        if let Err(e) = written {
            tracing::warn!(error = %e, path = %path.display(), "watchdog marks not written");
        }
    }

    /// Compares the store now; logs and keeps what it found (also returned). The marks only
    /// ever rise: a regression never lowers them.
    pub async fn check(&self) -> StoreResult<Vec<StoreAlert>> {
        let found = counts(self.store.as_ref()).await?;
        let batch = newest_counted_batch(self.store.as_ref()).await?;
        let mut all = self.read_marks();
        let marks = all.entry(self.database.clone()).or_default();
        let alerts = regressions(&found, batch.as_ref(), marks);
        for a in &alerts {
            let batch = a
                .batch
                .as_ref()
                .map_or("(highest count this server saw)".to_string(), |(f, at)| format!("{f} at {at}"));
            tracing::error!(
                table = %a.table,
                expected = a.expected,
                found = a.found,
                batch = %batch,
                "DATA WENT BACK IN TIME: the store has fewer rows than it had; it was restored or changed outside the application"
            );
        }
        for (table, n) in &found {
            let mark = marks.entry(table.clone()).or_insert(0);
            *mark = (*mark).max(*n);
        }
        self.write_marks(&all);
        metrics::gauge!("store_regressions").set(alerts.len() as f64);
        if let Ok(mut slot) = self.alerts.write() {
            *slot = alerts.clone();
        }
        Ok(alerts)
    }

    /// Checks at once and then every [`EVERY`], for as long as the process runs.
    pub fn spawn(self: &Arc<Self>) {
        let dog = self.clone();
        tokio::spawn(async move {
            loop {
                if let Err(e) = dog.check().await {
                    tracing::warn!(error = %e, "watchdog could not read the store; retrying");
                }
                tokio::time::sleep(EVERY).await;
            }
        });
    }
}

impl app::ports::StoreHealth for Watchdog {
    fn alerts(&self) -> Vec<StoreAlert> {
        self.alerts.read().map(|a| a.clone()).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(pairs: &[(&str, u64)]) -> BTreeMap<String, u64> {
        pairs.iter().map(|(k, v)| (k.to_string(), *v)).collect()
    }

    fn batch(counts: &str) -> ImportBatch {
        ImportBatch {
            id: "b".into(),
            kind: "fidelity".into(),
            file_name: "Fidelity.csv".into(),
            sha256: String::new(),
            rows_read: 0,
            inserted: 0,
            updated: 0,
            unchanged: 0,
            rejected: 0,
            started_at: "2026-11-30T18:00:00Z".into(),
            finished_at: Some("2026-11-30T18:02:11Z".into()),
            status: BatchStatus::Completed,
            run_by: "t".into(),
            heartbeat_at: None,
            counts_after: Some(counts.into()),
            number: None,
        }
    }

    #[test]
    fn fewer_rows_than_the_batch_recorded_or_than_seen_is_a_regression() {
        let b = batch(r#"{"cardholders":32233,"receipts":100}"#);
        let found = map(&[("cardholders", 24_958), ("receipts", 150)]);
        let alerts = regressions(&found, Some(&b), &BTreeMap::new());
        assert_eq!(alerts.len(), 1, "receipts grew: fine");
        assert_eq!((alerts[0].table.as_str(), alerts[0].expected, alerts[0].found), ("cardholders", 32_233, 24_958));
        assert_eq!(alerts[0].batch, Some(("Fidelity.csv".into(), "2026-11-30T18:02:11Z".into())));
        // Restored with its batch records: only the server's own mark knows.
        let restored = batch(r#"{"cardholders":24958,"receipts":90}"#);
        let alerts = regressions(&found, Some(&restored), &map(&[("cardholders", 32_233), ("receipts", 150)]));
        assert_eq!(alerts.len(), 1);
        assert_eq!((alerts[0].expected, alerts[0].batch.clone()), (32_233, None));
        // Equal or more everywhere: nothing.
        assert!(regressions(&found, Some(&restored), &found).is_empty());
        assert!(regressions(&found, None, &BTreeMap::new()).is_empty());
    }
}
