//! The embedded store: SQLite through rusqlite (`bundled`), WAL journal, `synchronous=FULL`
//! (a commit is on disk before it is acknowledged), foreign keys on. One writer connection
//! serialises writes; a small pool of reader connections serves reads concurrently. All
//! blocking work runs on tokio's blocking threads.

mod migrations;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use rusqlite::{params_from_iter, types::Value as SqlValue, Connection, OptionalExtension};
use serde_json::Value;

use super::live::{LiveOutcome, LiveReceipt};
use super::model::ApiReceipt;
use super::schema::{ColType, TableDef};
use super::{check_indexed, id_of, to_doc, Doc, Store, StoreError, StoreKind, StoreResult, Table, UpsertStats};

/// Point reads through a memory map (see [`open_connection`]).
const MMAP_READS: &str = "PRAGMA mmap_size=1073741824;";

/// Increments a named counter and returns its new value (the first is 1).
const NEXT_SEQUENCE: &str =
    "INSERT INTO sequences (name, value) VALUES (?1, 1) ON CONFLICT(name) DO UPDATE SET value = value + 1 RETURNING value";

/// Reader connections kept open at most.
const MAX_IDLE_READERS: usize = 8;

/// The embedded SQLite store.
#[derive(Clone)]
pub struct SqliteStore {
    inner: Arc<Inner>,
}

struct Inner {
    path: PathBuf,
    writer: Mutex<Connection>,
    readers: Mutex<Vec<Connection>>,
}

fn backend(e: impl std::fmt::Display) -> StoreError {
    StoreError::Backend(e.to_string())
}

fn open_connection(path: &Path) -> StoreResult<Connection> {
    let conn = Connection::open(path).map_err(|e| backend(format!("{}: {e}", path.display())))?;
    conn.busy_timeout(std::time::Duration::from_secs(10)).map_err(backend)?;
    conn.execute_batch("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;").map_err(backend)?;
    // Reads through a memory map (no copy per page from the OS cache) and a larger page cache:
    // the per-request reads of `/me` (account, cardholder, points ledger) were mostly `pread`.
    conn.execute_batch(MMAP_READS).map_err(backend)?;
    conn.execute_batch("PRAGMA cache_size=-32768;").map_err(backend)?;
    Ok(conn)
}

impl SqliteStore {
    /// Opens (creating if needed) the database file and applies pending migrations.
    pub async fn open(path: &Path) -> StoreResult<Self> {
        let path = path.to_path_buf();
        tokio::task::spawn_blocking(move || {
            if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir).map_err(|e| backend(format!("{}: {e}", dir.display())))?;
            }
            let mut writer = open_connection(&path)?;
            // The writer reads through its page cache, not the memory map: an import checks
            // every row it writes against the stored one, and through the map each page read
            // would stay resident (a re-import of 2.5 M lines held 300 MiB more). Its log is
            // copied into the database every 64 MiB rather than 4 MiB: a page an import
            // changes many times is copied once (about 5 % faster imports).
            writer.execute_batch("PRAGMA mmap_size=0; PRAGMA wal_autocheckpoint=16384;").map_err(backend)?;
            migrations::apply(&mut writer)?;
            Ok(SqliteStore {
                inner: Arc::new(Inner { path, writer: Mutex::new(writer), readers: Mutex::new(Vec::new()) }),
            })
        })
        .await
        .map_err(backend)?
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.inner.path
    }

    async fn write<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Connection) -> StoreResult<T> + Send + 'static,
    ) -> StoreResult<T> {
        let inner = self.inner.clone();
        tokio::task::spawn_blocking(move || {
            let mut conn = inner.writer.lock().map_err(|_| backend("writer lock poisoned"))?;
            f(&mut conn)
        })
        .await
        .map_err(backend)?
    }

    async fn read<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Connection) -> StoreResult<T> + Send + 'static,
    ) -> StoreResult<T> {
        let inner = self.inner.clone();
        tokio::task::spawn_blocking(move || {
            let pooled = inner.readers.lock().map_err(|_| backend("reader pool poisoned"))?.pop();
            let conn = match pooled {
                Some(conn) => conn,
                None => open_connection(&inner.path)?,
            };
            let result = f(&conn);
            let mut pool = inner.readers.lock().map_err(|_| backend("reader pool poisoned"))?;
            if pool.len() < MAX_IDLE_READERS {
                pool.push(conn);
            }
            result
        })
        .await
        .map_err(backend)?
    }
}

fn to_sql(value: &Value) -> SqlValue {
    match value {
        Value::Null => SqlValue::Null,
        Value::Bool(b) => SqlValue::Integer(i64::from(*b)),
        Value::Number(n) => SqlValue::Integer(n.as_i64().unwrap_or_default()),
        Value::String(s) => SqlValue::Text(s.clone()),
        other => SqlValue::Text(other.to_string()),
    }
}

/// A JSON value as a borrowed SQL parameter (the import binds millions: no copies).
struct Param<'a>(&'a Value);

impl rusqlite::ToSql for Param<'_> {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        use rusqlite::types::{ToSqlOutput, ValueRef};
        Ok(match self.0 {
            Value::String(s) => ToSqlOutput::Borrowed(ValueRef::Text(s.as_bytes())),
            other => ToSqlOutput::Owned(to_sql(other)),
        })
    }
}

fn column_list(def: &TableDef) -> String {
    def.columns.iter().map(|c| format!("\"{}\"", c.name)).collect::<Vec<_>>().join(", ")
}

fn read_row(def: &TableDef, row: &rusqlite::Row<'_>) -> rusqlite::Result<Vec<Value>> {
    def.columns
        .iter()
        .enumerate()
        .map(|(i, col)| {
            Ok(match col.ty {
                ColType::Text => row.get::<_, Option<String>>(i)?.map(Value::String).unwrap_or(Value::Null),
                ColType::Int => row.get::<_, Option<i64>>(i)?.map(Value::from).unwrap_or(Value::Null),
                ColType::Bool => row.get::<_, Option<i64>>(i)?.map(|v| Value::Bool(v != 0)).unwrap_or(Value::Null),
            })
        })
        .collect()
}

/// Maps SQLite errors, turning unique violations into `Duplicate` naming the field.
fn map_write_error(def: &'static TableDef, e: rusqlite::Error) -> StoreError {
    if let rusqlite::Error::SqliteFailure(code, Some(msg)) = &e {
        if code.code == rusqlite::ErrorCode::ConstraintViolation {
            if let Some(rest) = msg.strip_prefix("UNIQUE constraint failed: ") {
                let field = rest.split(['.', ',']).nth(1).unwrap_or("id").trim().to_string();
                return StoreError::Duplicate { table: def.name, field };
            }
            return StoreError::Schema(format!("{}: {msg}", def.name));
        }
    }
    backend(e)
}

fn select_by_id_sql(def: &TableDef) -> String {
    format!("SELECT {} FROM {} WHERE id = ?1", column_list(def), def.name)
}

fn insert_sql(def: &TableDef) -> String {
    let marks = (1..=def.columns.len()).map(|i| format!("?{i}")).collect::<Vec<_>>().join(", ");
    format!("INSERT INTO {} ({}) VALUES ({marks})", def.name, column_list(def))
}

/// [`insert_sql`] that also sets both lineage columns to the parameter after the columns.
fn insert_with_lineage_sql(def: &TableDef) -> String {
    let n = def.columns.len();
    let marks = (1..=n).map(|i| format!("?{i}")).collect::<Vec<_>>().join(", ");
    let lineage = n + 1;
    format!(
        "INSERT INTO {} ({}, first_batch, last_batch) VALUES ({marks}, ?{lineage}, ?{lineage})",
        def.name,
        column_list(def)
    )
}

/// [`update_sql`] that also sets `last_batch` to the parameter after the columns.
fn update_with_lineage_sql(def: &TableDef) -> String {
    update_sql(def).replace(" WHERE id = ?1", &format!(", last_batch = ?{} WHERE id = ?1", def.columns.len() + 1))
}

fn update_sql(def: &TableDef) -> String {
    let sets = def.columns[1..]
        .iter()
        .enumerate()
        .map(|(i, c)| format!("\"{}\" = ?{}", c.name, i + 2))
        .collect::<Vec<_>>()
        .join(", ");
    format!("UPDATE {} SET {sets} WHERE id = ?1", def.name)
}

/// Whether the stored row equals `values`, compared in place (no copies).
fn stored_equals(def: &TableDef, row: &rusqlite::Row<'_>, values: &[Value]) -> rusqlite::Result<bool> {
    use rusqlite::types::ValueRef;
    for (i, (col, value)) in def.columns.iter().zip(values).enumerate() {
        let same = match (row.get_ref(i)?, value) {
            (ValueRef::Null, Value::Null) => true,
            (ValueRef::Text(t), Value::String(s)) => t == s.as_bytes(),
            (ValueRef::Integer(n), Value::Number(m)) if col.ty == ColType::Int => m.as_i64() == Some(n),
            (ValueRef::Integer(n), Value::Bool(b)) if col.ty == ColType::Bool => (n != 0) == *b,
            _ => false,
        };
        if !same {
            return Ok(false);
        }
    }
    Ok(true)
}

/// Inserts new rows, updates changed ones, leaves equal ones (inside the caller's transaction).
/// While rows keep turning out new (a first import) each is inserted directly, a conflict on
/// the id sending it to the comparison; while they exist (a re-import) each is looked up
/// first. Either way one index lookup per row in the common case. With a `batch`, a table of
/// [`Table::LINEAGE`] records it as an inserted row's first and last batch and as a changed
/// row's last (one more parameter; the comparison reads the columns only).
fn upsert_rows(
    conn: &Connection,
    def: &'static TableDef,
    rows: &[Vec<Value>],
    batch: Option<i64>,
) -> StoreResult<UpsertStats> {
    let lineage = batch.filter(|_| def.table.has_lineage()).map(Value::from);
    let (insert_sql, update_sql) = match lineage {
        Some(_) => (insert_with_lineage_sql(def), update_with_lineage_sql(def)),
        None => (insert_sql(def), update_sql(def)),
    };
    let mut stats = UpsertStats::default();
    let mut select = conn.prepare_cached(&select_by_id_sql(def)).map_err(backend)?;
    let mut insert = conn.prepare_cached(&insert_sql).map_err(backend)?;
    let mut insert_new = conn.prepare_cached(&format!("{insert_sql} ON CONFLICT(id) DO NOTHING")).map_err(backend)?;
    let mut update = conn.prepare_cached(&update_sql).map_err(backend)?;
    let mut expect_new = false;
    for values in rows {
        let params = || params_from_iter(values.iter().chain(lineage.as_ref()).map(Param));
        if expect_new && insert_new.execute(params()).map_err(|e| map_write_error(def, e))? == 1 {
            stats.inserted += 1;
            continue;
        }
        let existing =
            select.query_row([id_of(values)], |r| stored_equals(def, r, values)).optional().map_err(backend)?;
        match existing {
            None => {
                insert.execute(params()).map_err(|e| map_write_error(def, e))?;
                stats.inserted += 1;
                expect_new = true;
            }
            Some(true) => {
                stats.unchanged += 1;
                expect_new = false;
            }
            Some(false) => {
                update.execute(params()).map_err(|e| map_write_error(def, e))?;
                stats.updated += 1;
                expect_new = false;
            }
        }
    }
    Ok(stats)
}

/// The row with this id.
fn get_row(conn: &Connection, def: &'static TableDef, id: &str) -> StoreResult<Option<Vec<Value>>> {
    conn.prepare_cached(&select_by_id_sql(def))
        .map_err(backend)?
        .query_row([id], |r| read_row(def, r))
        .optional()
        .map_err(backend)
}

/// A live receipt in one transaction: the claim check, the receipt and everything it writes
/// commit together (one fsync), or nothing does.
fn put_live(conn: &mut Connection, w: &LiveReceipt) -> StoreResult<LiveOutcome> {
    let tx = conn.transaction().map_err(backend)?;
    let claims = Table::ApiReceipts.def();
    if let Some(prior) = get_row(&tx, claims, &w.claim.id)? {
        let prior: ApiReceipt = from_values(claims, prior)?;
        return Ok(if prior.content_hash == w.claim.content_hash {
            LiveOutcome::Replayed(prior)
        } else {
            LiveOutcome::Conflict
        });
    }
    let receipts = Table::Receipts.def();
    let receipt = receipts.canonical(&to_doc(&w.receipt)?)?;
    if get_row(&tx, receipts, &w.receipt.id)?.is_some_and(|existing| existing != receipt) {
        return Ok(LiveOutcome::Conflict);
    }
    for (table, doc) in &w.catalog {
        let def = table.def();
        let values = def.canonical(doc)?;
        if get_row(&tx, def, id_of(&values))?.is_none() {
            tx.prepare_cached(&insert_sql(def))
                .map_err(backend)?
                .execute(params_from_iter(values.iter().map(to_sql)))
                .map_err(|e| map_write_error(def, e))?;
        }
    }
    upsert_rows(&tx, receipts, &[receipt], None)?;
    let lines = Table::SalesLines.def();
    let line_rows = w.lines.iter().map(|l| lines.canonical(&to_doc(l)?)).collect::<StoreResult<Vec<_>>>()?;
    upsert_rows(&tx, lines, &line_rows, None)?;
    let ledger = Table::PointsLedger.def();
    let entries = w.points.iter().map(|e| ledger.canonical(&to_doc(e)?)).collect::<StoreResult<Vec<_>>>()?;
    upsert_rows(&tx, ledger, &entries, None)?;
    // Published in the same transaction (no second write to wait for).
    let seq = tx.query_row(NEXT_SEQUENCE, [super::live::SEQUENCE], |r| r.get::<_, i64>(0)).map_err(backend)? as u64;
    let feed = Table::LiveFeed.def();
    let entry = super::model::Entity::into_row(super::live::feed_entry(seq, &w.receipt.id))?;
    tx.prepare_cached(&insert_sql(feed))
        .map_err(backend)?
        .execute(params_from_iter(entry.iter().map(to_sql)))
        .map_err(|e| map_write_error(feed, e))?;
    let claim = claims.canonical(&to_doc(&w.claim)?)?;
    tx.prepare_cached(&insert_sql(claims))
        .map_err(backend)?
        .execute(params_from_iter(claim.iter().map(to_sql)))
        .map_err(|e| map_write_error(claims, e))?;
    tx.commit().map_err(backend)?;
    Ok(LiveOutcome::Stored(seq))
}

fn from_values<T: serde::de::DeserializeOwned>(def: &'static TableDef, values: Vec<Value>) -> StoreResult<T> {
    serde_json::from_value(Value::Object(def.to_doc(values)))
        .map_err(|e| StoreError::Schema(format!("{}: {e}", def.name)))
}

#[async_trait]
impl Store for SqliteStore {
    fn kind(&self) -> StoreKind {
        StoreKind::Sqlite
    }

    async fn ping(&self) -> StoreResult<()> {
        self.read(|c| c.query_row("SELECT 1", [], |_| Ok(())).map_err(backend)).await
    }

    async fn schema_version(&self) -> StoreResult<u32> {
        self.read(migrations::current_version).await
    }

    async fn count(&self, table: Table) -> StoreResult<u64> {
        let sql = format!("SELECT COUNT(*) FROM {}", table.name());
        self.read(move |conn| {
            // A count reads a whole index: through the page cache, not the memory map (see
            // `scan_rows`; the watchdog's count after each import held 350 MiB more).
            conn.execute_batch("PRAGMA mmap_size=0;").map_err(backend)?;
            let n = conn.query_row(&sql, [], |r| r.get::<_, i64>(0)).map(|n| n as u64).map_err(backend);
            conn.execute_batch(MMAP_READS).map_err(backend)?;
            n
        })
        .await
    }

    async fn upsert_rows_from(
        &self,
        parts: Vec<(Table, Vec<super::Row>)>,
        batch: Option<i64>,
    ) -> StoreResult<Vec<UpsertStats>> {
        if parts.iter().all(|(_, rows)| rows.is_empty()) {
            return Ok(vec![UpsertStats::default(); parts.len()]);
        }
        self.write(move |conn| {
            let tx = conn.transaction().map_err(backend)?;
            let stats = parts
                .iter()
                .map(|(table, rows)| upsert_rows(&tx, table.def(), rows, batch))
                .collect::<StoreResult<_>>()?;
            tx.commit().map_err(backend)?;
            Ok(stats)
        })
        .await
    }

    async fn lineage(&self, table: Table, id: &str) -> StoreResult<Option<super::Lineage>> {
        table.require_lineage()?;
        let sql = format!("SELECT first_batch, last_batch FROM {} WHERE id = ?1", table.name());
        let id = id.to_string();
        self.read(move |conn| {
            conn.prepare_cached(&sql)
                .map_err(backend)?
                .query_row([id], |r| Ok(super::Lineage { first_batch: r.get(0)?, last_batch: r.get(1)? }))
                .optional()
                .map_err(backend)
        })
        .await
    }

    async fn batch_rows(
        &self,
        table: Table,
        batch: i64,
        from: Option<&str>,
        limit: u32,
    ) -> StoreResult<super::BatchPage> {
        table.require_lineage()?;
        let def = table.def();
        // Through the last_batch index of migration 0010 (on a table without rowid its entries
        // are (last_batch, id): pages by id, each where the last ended).
        let sql = format!(
            "SELECT {}, first_batch FROM {} WHERE last_batch = ?1 AND id > ?2 ORDER BY id LIMIT ?3",
            column_list(def),
            def.name
        );
        let from = from.unwrap_or_default().to_string();
        let n = def.columns.len();
        self.read(move |conn| {
            let mut stmt = conn.prepare_cached(&sql).map_err(backend)?;
            let rows = stmt
                .query_map(rusqlite::params![batch, from, i64::from(limit)], |r| {
                    Ok((read_row(def, r)?, r.get::<_, Option<i64>>(n)?))
                })
                .map_err(backend)?
                .map(|r| r.map_err(backend))
                .collect::<StoreResult<Vec<_>>>()?;
            let next = (rows.len() == limit as usize).then(|| rows.last().map(|(r, _)| super::id_of(r).to_string()));
            Ok((rows, next.flatten()))
        })
        .await
    }

    async fn insert(&self, table: Table, doc: Doc) -> StoreResult<()> {
        let def = table.def();
        let values = def.canonical(&doc)?;
        self.write(move |conn| {
            conn.prepare_cached(&insert_sql(def))
                .map_err(backend)?
                .execute(params_from_iter(values.iter().map(to_sql)))
                .map_err(|e| map_write_error(def, e))?;
            Ok(())
        })
        .await
    }

    async fn replace(&self, table: Table, doc: Doc) -> StoreResult<()> {
        let def = table.def();
        let values = def.canonical(&doc)?;
        self.write(move |conn| {
            let changed = conn
                .prepare_cached(&update_sql(def))
                .map_err(backend)?
                .execute(params_from_iter(values.iter().map(to_sql)))
                .map_err(|e| map_write_error(def, e))?;
            if changed == 0 {
                return Err(StoreError::NotFound { table: def.name, id: id_of(&values).to_string() });
            }
            Ok(())
        })
        .await
    }

    async fn replace_if(&self, table: Table, doc: Doc, field: &str, expected: &Value) -> StoreResult<bool> {
        let def = table.def();
        let values = def.canonical(&doc)?;
        if def.column(field).is_none() {
            return Err(StoreError::Schema(format!("{}: unknown field `{field}`", def.name)));
        }
        let sql = format!("{} AND \"{field}\" IS ?{}", update_sql(def), def.columns.len() + 1);
        let expected = to_sql(expected);
        self.write(move |conn| {
            let params = values.iter().map(to_sql).chain(std::iter::once(expected));
            let changed = conn
                .prepare_cached(&sql)
                .map_err(backend)?
                .execute(params_from_iter(params))
                .map_err(|e| map_write_error(def, e))?;
            Ok(changed == 1)
        })
        .await
    }

    async fn delete_by(&self, table: Table, field: &str, value: &Value) -> StoreResult<u64> {
        super::check_expiring(table, field)?;
        let def = table.def();
        let sql = format!("DELETE FROM {} WHERE \"{field}\" = ?1", def.name);
        let value = to_sql(value);
        self.write(move |conn| Ok(conn.execute(&sql, [value]).map_err(backend)? as u64)).await
    }

    async fn find_after(
        &self,
        table: Table,
        field: &str,
        value: &Value,
        after: Option<&str>,
        limit: u32,
    ) -> StoreResult<Vec<Doc>> {
        check_indexed(table, field)?;
        let def = table.def();
        let sql = format!(
            "SELECT {} FROM {} WHERE \"{field}\" = ?1 AND id > ?2 ORDER BY id LIMIT ?3",
            column_list(def),
            def.name
        );
        let value = to_sql(value);
        let after = after.unwrap_or_default().to_string();
        self.read(move |conn| {
            let mut stmt = conn.prepare_cached(&sql).map_err(backend)?;
            let rows = stmt
                .query_map(rusqlite::params![value, after, i64::from(limit)], |r| read_row(def, r))
                .map_err(backend)?;
            rows.map(|r| r.map(|v| def.to_doc(v)).map_err(backend)).collect()
        })
        .await
    }

    async fn get(&self, table: Table, id: &str) -> StoreResult<Option<Doc>> {
        let def = table.def();
        let id = id.to_string();
        self.read(move |conn| {
            let values = conn
                .prepare_cached(&select_by_id_sql(def))
                .map_err(backend)?
                .query_row([id], |r| read_row(def, r))
                .optional()
                .map_err(backend)?;
            Ok(values.map(|v| def.to_doc(v)))
        })
        .await
    }

    async fn find_by(&self, table: Table, field: &str, value: &Value, limit: u32) -> StoreResult<Vec<Doc>> {
        check_indexed(table, field)?;
        let def = table.def();
        let sql = format!("SELECT {} FROM {} WHERE \"{field}\" = ?1 ORDER BY id LIMIT ?2", column_list(def), def.name);
        let value = to_sql(value);
        self.read(move |conn| {
            let mut stmt = conn.prepare_cached(&sql).map_err(backend)?;
            let rows =
                stmt.query_map(rusqlite::params![value, i64::from(limit)], |r| read_row(def, r)).map_err(backend)?;
            rows.map(|r| r.map(|v| def.to_doc(v)).map_err(backend)).collect()
        })
        .await
    }

    async fn scan_rows(&self, table: Table, after: Option<&str>, limit: u32) -> StoreResult<Vec<super::Row>> {
        let def = table.def();
        let sql = format!("SELECT {} FROM {} WHERE id > ?1 ORDER BY id LIMIT ?2", column_list(def), def.name);
        let after = after.unwrap_or_default().to_string();
        self.read(move |conn| {
            // A scan reads every page once: through the page cache, not the memory map, where
            // each page read would stay resident (a build from a 380 MB file held 380 MiB more).
            conn.execute_batch("PRAGMA mmap_size=0;").map_err(backend)?;
            let rows = conn.prepare_cached(&sql).map_err(backend).and_then(|mut stmt| {
                let rows = stmt
                    .query_map(rusqlite::params![after, i64::from(limit)], |r| read_row(def, r))
                    .map_err(backend)?;
                rows.map(|r| r.map_err(backend)).collect::<StoreResult<Vec<_>>>()
            });
            conn.execute_batch(MMAP_READS).map_err(backend)?;
            rows
        })
        .await
    }

    async fn put_live_receipt(&self, w: &LiveReceipt) -> StoreResult<LiveOutcome> {
        let w = w.clone();
        self.write(move |conn| put_live(conn, &w)).await
    }

    async fn points_totals(&self, card: &str, since: &str) -> StoreResult<(i64, i64)> {
        let (card, since) = (card.to_string(), since.to_string());
        // Covered by the (card_number, created_at, points) index: no row lookups.
        self.read(move |conn| {
            let mut stmt = conn
                .prepare_cached(
                    "SELECT COALESCE(SUM(points), 0), \
                     COALESCE(SUM(CASE WHEN points > 0 AND created_at >= ?2 THEN points ELSE 0 END), 0) \
                     FROM points_ledger WHERE card_number = ?1",
                )
                .map_err(backend)?;
            stmt.query_row(rusqlite::params![card, since], |r| Ok((r.get(0)?, r.get(1)?))).map_err(backend)
        })
        .await
    }

    async fn existing_ids(&self, table: Table, ids: Vec<String>) -> StoreResult<std::collections::HashSet<String>> {
        let sql = format!("SELECT 1 FROM {} WHERE id = ?1", table.name());
        self.read(move |conn| {
            let mut stmt = conn.prepare_cached(&sql).map_err(backend)?;
            let mut found = std::collections::HashSet::new();
            for id in ids {
                if stmt.exists([&id]).map_err(backend)? {
                    found.insert(id);
                }
            }
            Ok(found)
        })
        .await
    }

    async fn add_to_counter(&self, id: &str, window: &str, delta: i64) -> StoreResult<i64> {
        let (id, window) = (id.to_string(), window.to_string());
        self.write(move |conn| {
            conn.query_row(
                "INSERT INTO counters (id, window, value) VALUES (?1, ?2, ?3) \
                 ON CONFLICT(id) DO UPDATE SET value = value + excluded.value RETURNING value",
                rusqlite::params![id, window, delta],
                |r| r.get::<_, i64>(0),
            )
            .map_err(backend)
        })
        .await
    }

    async fn sequence_value(&self, name: &str) -> StoreResult<u64> {
        let name = name.to_string();
        self.read(move |conn| {
            use rusqlite::OptionalExtension;
            conn.query_row("SELECT value FROM sequences WHERE name = ?1", [name], |r| r.get::<_, i64>(0))
                .optional()
                .map(|v| v.unwrap_or(0) as u64)
                .map_err(backend)
        })
        .await
    }

    async fn next_sequence(&self, name: &str) -> StoreResult<u64> {
        let name = name.to_string();
        self.write(move |conn| {
            conn.query_row(NEXT_SEQUENCE, [name], |r| r.get::<_, i64>(0)).map(|v| v as u64).map_err(backend)
        })
        .await
    }
}
