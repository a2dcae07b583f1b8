//! The one import pipeline (behind the CLI and the admin upload): every run is a recorded batch;
//! rows stream through in chunks (memory stays flat); bad rows are rejected into the batch's
//! error report without stopping the good ones; writes are idempotent upserts by natural key,
//! so importing the same file again changes nothing and an interrupted import can simply be run
//! again. Nothing is ever deleted.

use std::collections::{HashMap, HashSet};
use std::io::Read;
use std::path::Path;

use serde::Serialize;
use sha2::{Digest, Sha256};

use super::headers::{ColumnMap, Kind};
use super::prepared::Prepared;
use super::records::{card_cell, map_row, RowError};
use super::seen::Seen;
use super::source;
use crate::clock::now_rfc3339;
use crate::points::redeem::Use;
use crate::store::model::{BatchStatus, ImportBatch, ImportRowError};
use crate::store::{Store, StoreError, StoreExt, Table, UpsertStats};

/// Rows mapped and written together.
pub const CHUNK_ROWS: usize = 20_000;
/// Rejected rows shown in a summary (all are in the batch's error report).
const SUMMARY_ERRORS: usize = 20;

/// How to run an import.
#[derive(Clone, Debug)]
pub struct ImportOptions {
    /// The kind of file; `None` detects it from the header.
    pub kind: Option<Kind>,
    /// Who ran it (an email or `cli:<user>`).
    pub run_by: String,
    /// For an XLSX, the sheet to read (default: the first).
    pub sheet: Option<String>,
}

/// One rejected row as reported.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RejectedRow {
    pub row: u64,
    pub column: Option<String>,
    pub value: Option<String>,
    pub reason: String,
}

/// The outcome of an import.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ImportSummary {
    pub batch_id: String,
    pub kind: String,
    pub file_name: String,
    pub sha256: String,
    pub status: String,
    pub rows_read: u64,
    pub inserted: u64,
    pub updated: u64,
    pub unchanged: u64,
    pub rejected: u64,
    /// Rows about cards erased on request: skipped, their personal data not written.
    pub erased: u64,
    pub unknown_columns: Vec<String>,
    /// The first rejected rows.
    pub errors: Vec<RejectedRow>,
    pub started_at: String,
    pub finished_at: String,
    /// Set when the file could not be read at all (nothing was imported).
    pub failure: Option<String>,
}

/// What the reading thread hands over.
enum Chunk {
    /// `profiling`: the file has a profiling-consent column.
    Header {
        kind: Kind,
        unknown: Vec<String>,
        profiling: bool,
    },
    Rows {
        prepared: Prepared,
        errors: Vec<RowError>,
        read: u64,
    },
    Failed(String),
}

/// Reads, maps and de-duplicates rows on a blocking thread, sending chunks to `tx`.
fn produce(path: std::path::PathBuf, kind: Option<Kind>, sheet: Option<String>, tx: tokio::sync::mpsc::Sender<Chunk>) {
    let table = match source::open_sheet(&path, sheet.as_deref(), source::XLSX_UNPACKED_LIMIT) {
        Ok(t) => t,
        Err(e) => {
            let _ = tx.blocking_send(Chunk::Failed(e.to_string()));
            return;
        }
    };
    let kind = match kind.or_else(|| ColumnMap::detect(&table.headers)) {
        Some(k) => k,
        None => {
            let _ = tx.blocking_send(Chunk::Failed(format!(
                "cannot tell the kind of file from its columns ({}); name it with --kind",
                table.headers.join(", ")
            )));
            return;
        }
    };
    let map = match ColumnMap::resolve(kind, &table.headers) {
        Ok(m) => m,
        Err(e) => {
            let _ = tx.blocking_send(Chunk::Failed(format!("{}: {e}", path.display())));
            return;
        }
    };
    let unknown = map.unknown().into_iter().map(str::to_string).collect();
    let profiling = map.index(super::headers::Field::ProfilingConsent).is_some();
    if tx.blocking_send(Chunk::Header { kind, unknown, profiling }).is_err() {
        return;
    }
    let bytes = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
    let mut seen = Seen::for_file(bytes);
    // Rows whose key the filter could not clear: row number → key (decided by a second pass).
    let mut held: HashMap<u64, String> = HashMap::new();
    let mut out = Out { tx: &tx, prepared: Prepared::default(), errors: Vec::new(), read: 0 };
    for row in table.rows {
        out.read += 1;
        match row {
            Err(e) => out.errors.push(RowError {
                card_number: None,
                row: e.row.unwrap_or(out.read + 1),
                column: None,
                value: None,
                reason: e.message,
            }),
            Ok(raw) => match map_row(kind, &map, raw.number, &raw.cells) {
                Err(e) => out.errors.push(RowError { card_number: card_cell(&map, &raw.cells), ..e }),
                Ok(m) if seen.insert(m.key()) => {
                    held.insert(raw.number, m.key().to_string());
                }
                Ok(m) => out.push(raw.number, m),
            },
        }
        if !out.flush_if_full() {
            return;
        }
    }
    if !held.is_empty() {
        // The held rows' keys, and the first row of each: read the file again.
        let table = match source::open_sheet(&path, sheet.as_deref(), source::XLSX_UNPACKED_LIMIT) {
            Ok(t) => t,
            Err(e) => {
                let _ = tx.blocking_send(Chunk::Failed(e.to_string()));
                return;
            }
        };
        let keys: HashSet<&str> = held.values().map(String::as_str).collect();
        let mut first: HashMap<String, u64> = HashMap::new();
        for raw in table.rows.flatten() {
            let Ok(m) = map_row(kind, &map, raw.number, &raw.cells) else { continue };
            if !keys.contains(m.key()) {
                continue;
            }
            let first_row = *first.entry(m.key().to_string()).or_insert(raw.number);
            if !held.contains_key(&raw.number) {
                continue;
            }
            if first_row == raw.number {
                out.push(raw.number, m);
            } else {
                let card = (kind == Kind::Fidelity).then(|| m.key().to_string());
                out.errors.push(RowError {
                    card_number: card,
                    row: raw.number,
                    column: None,
                    value: Some(m.key().to_string()),
                    reason: format!("duplicate of row {first_row} (same key in one file)"),
                });
            }
            if !out.flush_if_full() {
                return;
            }
        }
    }
    let Out { prepared, errors, read, .. } = out;
    let _ = tx.blocking_send(Chunk::Rows { prepared, errors, read });
}

/// The chunk being filled on the reading thread.
struct Out<'a> {
    tx: &'a tokio::sync::mpsc::Sender<Chunk>,
    prepared: Prepared,
    errors: Vec<RowError>,
    /// Rows read since the last chunk was sent.
    read: u64,
}

impl Out<'_> {
    fn push(&mut self, row: u64, m: super::records::Mapped) {
        if let Err(e) = self.prepared.push(row, m) {
            self.errors.push(RowError { card_number: None, row, column: None, value: None, reason: e.to_string() });
        }
    }

    /// Sends the chunk when full; false when the writing side has gone.
    fn flush_if_full(&mut self) -> bool {
        if self.prepared.records.len() + self.errors.len() < CHUNK_ROWS {
            return true;
        }
        let chunk = Chunk::Rows {
            prepared: std::mem::take(&mut self.prepared),
            errors: std::mem::take(&mut self.errors),
            read: std::mem::take(&mut self.read),
        };
        self.tx.blocking_send(chunk).is_ok()
    }
}

fn sha256_file(path: &Path) -> std::io::Result<String> {
    let mut file = std::fs::File::open(path)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0_u8; 1 << 16];
    loop {
        match file.read(&mut buf)? {
            0 => break,
            n => hasher.update(&buf[..n]),
        }
    }
    Ok(hex::encode(hasher.finalize()))
}

/// A register file without a profiling-consent column says nothing about it: each cardholder
/// already stored keeps the consent they gave (in the app, or in an earlier file), so an import
/// never takes a consent away or gives one.
async fn keep_stored_profiling(store: &dyn Store, records: &mut [super::prepared::Record]) -> Result<(), StoreError> {
    let column = Table::Cardholders.def().columns.iter().position(|c| c.name == "profiling_consent");
    let Some(column) = column else { return Ok(()) };
    let ids: Vec<String> = records.iter().map(|r| r.refers_to.clone()).collect();
    let existing = store.existing_ids(Table::Cardholders, ids).await?;
    for r in records.iter_mut().filter(|r| existing.contains(&r.refers_to)) {
        if let Some(stored) = store.get(Table::Cardholders, &r.refers_to).await? {
            let given = stored.get("profiling_consent").and_then(serde_json::Value::as_bool).unwrap_or(false);
            if let Some(v) = r.values.get_mut(column) {
                *v = serde_json::Value::Bool(given);
            }
        }
    }
    Ok(())
}

/// Writes one chunk: reference checks, then dimensions and records in one write, on behalf of
/// the batch numbered `batch_number` (the rows' lineage).
async fn write_chunk(
    store: &dyn Store,
    batch_number: Option<i64>,
    kind: Kind,
    mut prepared: Prepared,
    errors: &mut Vec<RowError>,
    erased: &mut u64,
) -> Result<UpsertStats, StoreError> {
    if kind == Kind::Fidelity {
        // Cards erased on request: nothing personal of theirs is written again, not even into
        // the rejected rows' report.
        let cards: HashSet<String> = prepared
            .records
            .iter()
            .map(|r| r.refers_to.clone())
            .chain(errors.iter().filter_map(|e| e.card_number.clone()))
            .collect();
        let gone = store.existing_ids(Table::ErasedCards, cards.into_iter().collect()).await?;
        if !gone.is_empty() {
            let before = prepared.records.len() + errors.len();
            prepared.retain(|r| !gone.contains(&r.refers_to));
            errors.retain(|e| !e.card_number.as_ref().is_some_and(|c| gone.contains(c)));
            *erased += (before - prepared.records.len() - errors.len()) as u64;
        }
    }
    if kind == Kind::Vendite {
        let wanted: HashSet<String> = prepared.records.iter().map(|r| r.refers_to.clone()).collect();
        let found = store.existing_ids(Table::Receipts, wanted.into_iter().collect()).await?;
        prepared.retain(|r| {
            if found.contains(&r.refers_to) {
                return true;
            }
            errors.push(RowError {
                card_number: None,
                row: r.row,
                column: None,
                value: Some(r.refers_to.clone()),
                reason: "no such receipt in the store: import its Scontrini first".into(),
            });
            false
        });
    }
    // (row, receipt, voucher) of the vouchers the file says were taken at the till.
    let used_vouchers: Vec<(u64, String, String)> = prepared
        .records
        .iter_mut()
        .flat_map(|r| {
            let receipt = r.values.first().and_then(|v| v.as_str()).unwrap_or_default().to_string();
            let row = r.row;
            std::mem::take(&mut r.vouchers).into_iter().map(move |v| (row, receipt.clone(), v))
        })
        .collect();
    let own = match kind {
        Kind::Fidelity => Table::Cardholders,
        Kind::Scontrini => Table::Receipts,
        Kind::Vendite => Table::SalesLines,
    };
    // The chunk in one write (one transaction on SQLite); the statistics are the file's own
    // table's (the last part).
    let stats = store.upsert_rows_from(prepared.into_parts(own)?, batch_number).await?.pop().unwrap_or_default();
    // Each voucher used once, as at the till; a receipt stays a fact even when its voucher
    // cannot be applied (the row is reported).
    for (row, receipt_id, code) in used_vouchers {
        let problem = match crate::points::redeem::mark_used(store, &code, &receipt_id).await {
            Ok(Use::Claimed | Use::Used) => continue,
            Ok(Use::UsedElsewhere) => format!("voucher {code} was already used with another receipt"),
            Ok(Use::Unusable(status)) => format!("voucher {code} is {status}"),
            Err(e) => return Err(StoreError::Backend(e.to_string())),
        };
        errors.push(RowError {
            card_number: None,
            row,
            column: Some("voucher_codes".into()),
            value: Some(code),
            reason: problem,
        });
    }
    Ok(stats)
}

/// The store counter numbering import batches ([`ImportBatch::number`]).
pub const BATCH_SEQUENCE: &str = "import_batches";

/// How often a running import shows it is alive ([`ImportBatch::heartbeat_at`]).
pub const HEARTBEAT: std::time::Duration = std::time::Duration::from_secs(5);
/// A running import silent for this long is marked interrupted ([`mark_interrupted`]).
pub const HEARTBEAT_EXPIRY: std::time::Duration = std::time::Duration::from_secs(60);

/// Marks `interrupted` every running import whose heartbeat is older than [`HEARTBEAT_EXPIRY`]
/// (its process died: an upload on a replica that stopped, a killed CLI). The rows it stored
/// stay; running the same file again completes the data. A compare-and-set on the heartbeat:
/// an import that beats meanwhile stays running, and any number of replicas may sweep.
/// Returns the batches marked.
pub async fn mark_interrupted(store: &dyn Store) -> Result<Vec<String>, StoreError> {
    let cutoff = crate::clock::rfc3339_in_secs(-(HEARTBEAT_EXPIRY.as_secs() as i64));
    let mut stale = Vec::new();
    crate::projection::scan_all::<ImportBatch>(store, |b| {
        let beat = b.heartbeat_at.as_deref().unwrap_or(&b.started_at);
        if b.status == BatchStatus::Running && beat < cutoff.as_str() {
            stale.push(b.clone());
        }
    })
    .await?;
    let mut marked = Vec::new();
    for b in stale {
        let expected = b.heartbeat_at.clone().map_or(serde_json::Value::Null, serde_json::Value::String);
        let interrupted =
            ImportBatch { status: BatchStatus::Interrupted, finished_at: Some(now_rfc3339()), ..b.clone() };
        let doc = crate::store::to_doc(&interrupted)?;
        if store.replace_if(crate::store::Table::ImportBatches, doc, "heartbeat_at", &expected).await? {
            tracing::warn!(batch = %b.id, file = %b.file_name, "import interrupted: its process stopped; run the same file again to complete it");
            marked.push(b.id);
        }
    }
    Ok(marked)
}

/// Imports `path` as one recorded batch. `progress` is called with the rows read so far.
pub async fn import_file(
    store: &dyn Store,
    path: &Path,
    options: &ImportOptions,
    progress: &(dyn Fn(u64) + Send + Sync),
) -> Result<ImportSummary, StoreError> {
    let file_name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let started_at = now_rfc3339();
    let sha256 = {
        let p = path.to_path_buf();
        tokio::task::spawn_blocking(move || sha256_file(&p)).await.map_err(|e| StoreError::Backend(e.to_string()))?
    };
    let mut batch = ImportBatch {
        id: uuid::Uuid::new_v4().to_string(),
        kind: options.kind.map_or("detect", Kind::name).to_string(),
        file_name: file_name.clone(),
        sha256: sha256.as_ref().map(Clone::clone).unwrap_or_default(),
        rows_read: 0,
        inserted: 0,
        updated: 0,
        unchanged: 0,
        rejected: 0,
        started_at: started_at.clone(),
        finished_at: None,
        status: BatchStatus::Running,
        run_by: options.run_by.clone(),
        heartbeat_at: Some(now_rfc3339()),
        counts_after: None,
        number: Some(store.next_sequence(BATCH_SEQUENCE).await? as i64),
    };
    store.insert_one(&batch).await?;
    let mut beat = std::time::Instant::now();

    let mut summary = ImportSummary {
        batch_id: batch.id.clone(),
        kind: batch.kind.clone(),
        file_name,
        sha256: batch.sha256.clone(),
        status: String::new(),
        rows_read: 0,
        inserted: 0,
        updated: 0,
        unchanged: 0,
        rejected: 0,
        erased: 0,
        unknown_columns: Vec::new(),
        errors: Vec::new(),
        started_at,
        finished_at: String::new(),
        failure: None,
    };
    let mut error_seq = 0_u64;
    let mut record_errors = |errors: Vec<RowError>, summary: &mut ImportSummary| -> Vec<ImportRowError> {
        summary.rejected += errors.len() as u64;
        errors
            .into_iter()
            .map(|e| {
                error_seq += 1;
                if summary.errors.len() < SUMMARY_ERRORS {
                    summary.errors.push(RejectedRow {
                        row: e.row,
                        column: e.column.clone(),
                        value: e.value.clone(),
                        reason: e.reason.clone(),
                    });
                }
                ImportRowError {
                    id: format!("{}#{error_seq:09}", summary.batch_id),
                    batch_id: summary.batch_id.clone(),
                    row: e.row as i64,
                    column: e.column,
                    value: e.value,
                    reason: e.reason,
                    card_number: e.card_number,
                }
            })
            .collect()
    };

    if let Err(e) = sha256 {
        summary.failure = Some(format!("{}: {e}", path.display()));
    } else {
        let (tx, mut rx) = tokio::sync::mpsc::channel(2);
        let (p, kind, sheet) = (path.to_path_buf(), options.kind, options.sheet.clone());
        let producer = tokio::task::spawn_blocking(move || produce(p, kind, sheet, tx));
        let mut kind = options.kind;
        let mut keep_profiling = false;
        while let Some(chunk) = rx.recv().await {
            match chunk {
                Chunk::Failed(message) => summary.failure = Some(message),
                Chunk::Header { kind: k, unknown, profiling } => {
                    kind = Some(k);
                    keep_profiling = k == Kind::Fidelity && !profiling;
                    summary.kind = k.name().to_string();
                    summary.unknown_columns = unknown;
                }
                Chunk::Rows { mut prepared, mut errors, read } => {
                    let Some(k) = kind else { continue };
                    if keep_profiling {
                        keep_stored_profiling(store, &mut prepared.records).await?;
                    }
                    let stats = write_chunk(store, batch.number, k, prepared, &mut errors, &mut summary.erased).await?;
                    summary.rows_read += read;
                    summary.inserted += stats.inserted;
                    summary.updated += stats.updated;
                    summary.unchanged += stats.unchanged;
                    let rows = record_errors(errors, &mut summary);
                    store.upsert_all(&rows).await?;
                    progress(summary.rows_read);
                    if beat.elapsed() >= HEARTBEAT {
                        // Only the heartbeat moves while running: the counts stay until the end,
                        // so other replicas do not rebuild for a batch still in progress.
                        beat = std::time::Instant::now();
                        batch.heartbeat_at = Some(now_rfc3339());
                        store.replace_one(&batch).await?;
                    }
                }
            }
        }
        let _ = producer.await;
    }

    summary.finished_at = now_rfc3339();
    summary.status = if summary.failure.is_some() { "failed" } else { "completed" }.to_string();
    batch.kind = summary.kind.clone();
    batch.rows_read = summary.rows_read as i64;
    batch.inserted = summary.inserted as i64;
    batch.updated = summary.updated as i64;
    batch.unchanged = summary.unchanged as i64;
    batch.rejected = summary.rejected as i64;
    batch.finished_at = Some(summary.finished_at.clone());
    batch.status = if summary.failure.is_some() { BatchStatus::Failed } else { BatchStatus::Completed };
    if let Some(reason) = &summary.failure {
        let failure = ImportRowError {
            id: format!("{}#file", batch.id),
            batch_id: batch.id.clone(),
            row: 0,
            column: None,
            value: None,
            reason: reason.clone(),
            card_number: None,
        };
        store.upsert_all(&[failure]).await?;
    }
    batch.counts_after = Some(crate::watchdog::counts_json(store).await?);
    store.replace_one(&batch).await?;
    let kind = summary.kind.clone();
    for (outcome, n) in [
        ("inserted", summary.inserted),
        ("updated", summary.updated),
        ("unchanged", summary.unchanged),
        ("rejected", summary.rejected),
    ] {
        metrics::counter!("import_rows_total", "kind" => kind.clone(), "outcome" => outcome).increment(n);
    }
    metrics::counter!("import_batches_total", "kind" => kind, "status" => summary.status.clone()).increment(1);
    Ok(summary)
}
