//! The store port: one trait, two implementations (embedded SQLite, MongoDB), chosen by
//! `DATABASE_URL`. The contract every implementation honours:
//! - an acknowledged write is durable (SQLite `synchronous=FULL`; MongoDB `w: majority, j: true`);
//! - writes are idempotent by natural key: `upsert` inserts new rows, updates changed ones and
//!   leaves equal ones alone; nothing is ever deleted by the store port;
//! - opening a store only creates what is missing (tables, indexes, migrations that add):
//!   it never imports, deletes or rewrites data rows.

pub mod live;
pub mod model;
mod mongo;
pub mod schema;
mod sqlite;
mod url;

use std::sync::Arc;

use async_trait::async_trait;
use serde_json::Value;

pub use model::Entity;
pub use mongo::{MongoStore, COMMANDS_METRIC};
pub use schema::Table;
pub use sqlite::SqliteStore;

pub use url::DatabaseUrl;

/// A stored document: field name → JSON value, with `id` the natural key.
pub type Doc = serde_json::Map<String, Value>;

/// A record as its table's columns, in order, with canonical types (see [`schema::TableDef`]).
pub type Row = Vec<Value>;

/// Result of a store operation.
pub type StoreResult<T> = Result<T, StoreError>;

/// What can go wrong in a store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A unique field already holds this value in another row.
    #[error("duplicate value for unique field `{field}` in {table}")]
    Duplicate { table: &'static str, field: String },
    /// The row to change does not exist.
    #[error("no row `{id}` in {table}")]
    NotFound { table: &'static str, id: String },
    /// A document does not fit the table's schema, or a lookup is not indexed.
    #[error("schema: {0}")]
    Schema(String),
    /// The database failed or could not be reached.
    #[error("database: {0}")]
    Backend(String),
}

/// A store failure reaching a service is unexpected: logged once (with the request id) and
/// answered as an internal error. Expected outcomes (a duplicate, a missing row) are matched
/// by the service before `?`.
impl From<StoreError> for crate::error::AppError {
    fn from(e: StoreError) -> Self {
        crate::error::internal(e)
    }
}

/// Which implementation is behind the port.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StoreKind {
    Sqlite,
    Mongo,
}

impl std::fmt::Display for StoreKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            StoreKind::Sqlite => "sqlite",
            StoreKind::Mongo => "mongodb",
        })
    }
}

/// Counts of one `upsert` call.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct UpsertStats {
    pub inserted: u64,
    pub updated: u64,
    pub unchanged: u64,
}

impl std::ops::AddAssign for UpsertStats {
    fn add_assign(&mut self, rhs: Self) {
        self.inserted += rhs.inserted;
        self.updated += rhs.updated;
        self.unchanged += rhs.unchanged;
    }
}

/// Which import batches wrote a row, by their [`model::ImportBatch::number`] (see
/// [`Table::LINEAGE`]); `None`: not written by an import (a till, a signup, an admin), or
/// before lineage was recorded.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Lineage {
    pub first_batch: Option<i64>,
    pub last_batch: Option<i64>,
}

/// A page of [`Store::batch_rows`]: rows with the batch that created each, and where the next
/// page starts.
pub type BatchPage = (Vec<(Row, Option<i64>)>, Option<String>);

/// The store port. Documents are checked against the table's schema on every write.
#[async_trait]
pub trait Store: Send + Sync + 'static {
    /// Which implementation this is.
    fn kind(&self) -> StoreKind;
    /// Checks the database answers.
    async fn ping(&self) -> StoreResult<()>;
    /// The applied schema version.
    async fn schema_version(&self) -> StoreResult<u32>;
    /// Rows in `table`.
    async fn count(&self, table: Table) -> StoreResult<u64>;
    /// Inserts new documents, updates those whose content changed, leaves equal ones. Never
    /// deletes. Documents are written in order; on error, those before it may be written.
    async fn upsert(&self, table: Table, docs: Vec<Doc>) -> StoreResult<UpsertStats> {
        let def = table.def();
        let rows = docs.iter().map(|d| def.canonical(d)).collect::<StoreResult<Vec<_>>>()?;
        Ok(self.upsert_rows(vec![(table, rows)]).await?.pop().unwrap_or_default())
    }
    /// [`Store::upsert`] for rows already canonical (from [`Entity::row`]), several tables in
    /// one call — one transaction on SQLite — with the statistics per table, in order.
    async fn upsert_rows(&self, parts: Vec<(Table, Vec<Row>)>) -> StoreResult<Vec<UpsertStats>> {
        self.upsert_rows_from(parts, None).await
    }
    /// [`Store::upsert_rows`] on behalf of an import batch: in the tables of [`Table::LINEAGE`]
    /// an inserted row records `batch` as its first and last batch, a changed row as its last,
    /// an unchanged row keeps both. The import writes each chunk with one call.
    async fn upsert_rows_from(
        &self,
        parts: Vec<(Table, Vec<Row>)>,
        batch: Option<i64>,
    ) -> StoreResult<Vec<UpsertStats>>;
    /// The batches that created and last changed a row of a [`Table::LINEAGE`] table; `None`
    /// when the row does not exist.
    async fn lineage(&self, table: Table, id: &str) -> StoreResult<Option<Lineage>>;
    /// A page of the rows of a [`Table::LINEAGE`] table that import batch number `batch` wrote
    /// last (created or changed), each with the number of the batch that created it, and where
    /// the next page starts (`None` after the last): pass it back as `from`. Pages are at most
    /// `limit` rows, by id. Indexed (the index costs an import about a fifth of its speed on
    /// SQLite: a second B-tree of every line's id): the projection brings itself up to date
    /// after an import by reading just these.
    async fn batch_rows(&self, table: Table, batch: i64, from: Option<&str>, limit: u32) -> StoreResult<BatchPage>;
    /// Inserts a document that must be new: an existing id or unique value is `Duplicate`.
    async fn insert(&self, table: Table, doc: Doc) -> StoreResult<()>;
    /// Inserts canonical rows that should all be new — in one round trip on MongoDB (a live
    /// receipt's own records): `Duplicate` when one exists, and those before it may be written.
    async fn insert_rows(&self, table: Table, rows: Vec<Row>) -> StoreResult<()> {
        let def = table.def();
        for row in rows {
            self.insert(table, def.to_doc(row)).await?;
        }
        Ok(())
    }
    /// Inserts the documents whose ids are missing and leaves the others as they are (the
    /// catalog records a live receipt names, never changed by it) — in one round trip on
    /// MongoDB, none for ids this process already wrote or found.
    async fn insert_missing(&self, table: Table, docs: Vec<Doc>) -> StoreResult<()> {
        for doc in docs {
            let id = doc.get("id").and_then(|v| v.as_str()).unwrap_or_default().to_string();
            if self.get(table, &id).await?.is_none() {
                match self.insert(table, doc).await {
                    Ok(()) | Err(StoreError::Duplicate { .. }) => {}
                    Err(e) => return Err(e),
                }
            }
        }
        Ok(())
    }
    /// Replaces an existing document by id: `NotFound` if absent, `Duplicate` on a unique clash.
    async fn replace(&self, table: Table, doc: Doc) -> StoreResult<()>;
    /// Replaces an existing document by id only when its stored `field` still equals `expected`
    /// (`Null`: absent) — a compare-and-set. `Ok(false)` when another writer changed it first or
    /// the document is gone.
    async fn replace_if(&self, table: Table, doc: Doc, field: &str, expected: &Value) -> StoreResult<bool>;
    /// Deletes the documents of an expiring table (see [`Table::EXPIRING`]) whose indexed
    /// `field` equals `value`; returns how many. Any other table is a `Schema` error: the store
    /// deletes nothing else.
    async fn delete_by(&self, table: Table, field: &str, value: &Value) -> StoreResult<u64>;
    /// Like [`Store::find_by`], from the documents with id greater than `after` (paging through
    /// any number of matches).
    async fn find_after(
        &self,
        table: Table,
        field: &str,
        value: &Value,
        after: Option<&str>,
        limit: u32,
    ) -> StoreResult<Vec<Doc>>;
    /// The document with this id.
    async fn get(&self, table: Table, id: &str) -> StoreResult<Option<Doc>>;
    /// Documents whose indexed `field` equals `value`, by id ascending, at most `limit`.
    async fn find_by(&self, table: Table, field: &str, value: &Value, limit: u32) -> StoreResult<Vec<Doc>>;
    /// A page of documents with id greater than `after`, by id ascending (projections, exports).
    async fn scan(&self, table: Table, after: Option<&str>, limit: u32) -> StoreResult<Vec<Doc>> {
        let def = table.def();
        Ok(self.scan_rows(table, after, limit).await?.into_iter().map(|v| def.to_doc(v)).collect())
    }
    /// [`Store::scan`] as canonical rows (no documents in between: the projection's build reads
    /// every row of the store this way).
    async fn scan_rows(&self, table: Table, after: Option<&str>, limit: u32) -> StoreResult<Vec<Row>>;
    /// Which of `ids` exist in `table` (one round trip per call; for reference checks).
    async fn existing_ids(&self, table: Table, ids: Vec<String>) -> StoreResult<std::collections::HashSet<String>>;
    /// Atomically increments the named counter and returns its new value (the first is 1).
    async fn next_sequence(&self, name: &str) -> StoreResult<u64>;
    /// The named counter's current value without moving it (0 before the first increment).
    async fn sequence_value(&self, name: &str) -> StoreResult<u64>;
    /// Atomically adds `delta` to the counter `id` of the expiring `counters` table (created at 0
    /// in `window`) and returns the new value: every concurrent caller sees a different value.
    async fn add_to_counter(&self, id: &str, window: &str, delta: i64) -> StoreResult<i64>;
    /// A card's points from the ledger's card index: the sum of all its entries, and the sum of
    /// its positive entries created at or after `since` (ISO 8601, compared as text).
    async fn points_totals(&self, card: &str, since: &str) -> StoreResult<(i64, i64)>;
    /// Stores a receipt received live, idempotently by its key (see [`live`]). The default
    /// writes in idempotent single-document steps behind a claim (MongoDB); SQLite overrides it
    /// with one transaction.
    async fn put_live_receipt(&self, w: &live::LiveReceipt) -> StoreResult<live::LiveOutcome> {
        live::put_in_steps(self, w).await
    }
}

/// Opens the store named by the configuration, creating what is missing.
pub async fn open(url: &DatabaseUrl) -> StoreResult<Arc<dyn Store>> {
    Ok(match url {
        DatabaseUrl::Sqlite(path) => Arc::new(SqliteStore::open(path).await?),
        DatabaseUrl::Mongo(uri) => Arc::new(MongoStore::open(uri).await?),
    })
}

pub(crate) fn to_doc<T: Entity>(record: &T) -> StoreResult<Doc> {
    match serde_json::to_value(record) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(other) => Err(StoreError::Schema(format!("{}: not an object: {other}", T::TABLE.name()))),
        Err(e) => Err(StoreError::Schema(format!("{}: {e}", T::TABLE.name()))),
    }
}

pub(crate) fn from_doc<T: Entity>(doc: Doc) -> StoreResult<T> {
    serde_json::from_value(Value::Object(doc)).map_err(|e| StoreError::Schema(format!("{}: {e}", T::TABLE.name())))
}

/// Typed access on top of the document port.
#[async_trait]
pub trait StoreExt {
    /// Upserts typed records (see [`Store::upsert`]).
    async fn upsert_all<T: Entity>(&self, records: &[T]) -> StoreResult<UpsertStats>;
    /// Inserts a typed record that must be new.
    async fn insert_one<T: Entity>(&self, record: &T) -> StoreResult<()>;
    /// Replaces a typed record by id.
    async fn replace_one<T: Entity>(&self, record: &T) -> StoreResult<()>;
    /// The typed record with this id.
    async fn get_one<T: Entity>(&self, id: &str) -> StoreResult<Option<T>>;
    /// Typed records whose indexed `field` equals `value`.
    async fn find<T: Entity>(&self, field: &str, value: Value, limit: u32) -> StoreResult<Vec<T>>;
    /// A typed page of records after `after`.
    async fn scan_page<T: Entity>(&self, after: Option<&str>, limit: u32) -> StoreResult<Vec<T>>;
    /// Every typed record whose indexed `field` equals `value`, paged through [`Store::find_after`].
    async fn find_every<T: Entity>(&self, field: &str, value: Value) -> StoreResult<Vec<T>>;
    /// The value of counter `id` of the `counters` table without moving it (0 before its first
    /// addition).
    async fn counter_value(&self, id: &str) -> StoreResult<i64>;
}

#[async_trait]
impl<S: Store + ?Sized> StoreExt for S {
    async fn upsert_all<T: Entity>(&self, records: &[T]) -> StoreResult<UpsertStats> {
        let rows = records.iter().map(Entity::row).collect::<StoreResult<Vec<_>>>()?;
        Ok(self.upsert_rows(vec![(T::TABLE, rows)]).await?.pop().unwrap_or_default())
    }

    async fn insert_one<T: Entity>(&self, record: &T) -> StoreResult<()> {
        self.insert(T::TABLE, to_doc(record)?).await
    }

    async fn replace_one<T: Entity>(&self, record: &T) -> StoreResult<()> {
        self.replace(T::TABLE, to_doc(record)?).await
    }

    async fn get_one<T: Entity>(&self, id: &str) -> StoreResult<Option<T>> {
        self.get(T::TABLE, id).await?.map(from_doc).transpose()
    }

    async fn find<T: Entity>(&self, field: &str, value: Value, limit: u32) -> StoreResult<Vec<T>> {
        self.find_by(T::TABLE, field, &value, limit).await?.into_iter().map(from_doc).collect()
    }

    async fn scan_page<T: Entity>(&self, after: Option<&str>, limit: u32) -> StoreResult<Vec<T>> {
        self.scan_rows(T::TABLE, after, limit).await?.into_iter().map(T::from_row).collect()
    }

    async fn find_every<T: Entity>(&self, field: &str, value: Value) -> StoreResult<Vec<T>> {
        const PAGE: u32 = 5_000;
        let mut out: Vec<T> = Vec::new();
        loop {
            let after = out.last().map(|r| r.id().to_string());
            let page = self.find_after(T::TABLE, field, &value, after.as_deref(), PAGE).await?;
            let full = page.len() == PAGE as usize;
            for doc in page {
                out.push(from_doc(doc)?);
            }
            if !full {
                return Ok(out);
            }
        }
    }

    async fn counter_value(&self, id: &str) -> StoreResult<i64> {
        Ok(self.get(Table::Counters, id).await?.and_then(|d| d.get("value").and_then(Value::as_i64)).unwrap_or(0))
    }
}

/// Checks a table may lose rows (see [`Table::EXPIRING`]) and the lookup is indexed.
fn check_expiring(table: Table, field: &str) -> StoreResult<()> {
    if !Table::EXPIRING.contains(&table) {
        return Err(StoreError::Schema(format!("{}: rows of this table are never deleted", table.name())));
    }
    check_indexed(table, field)
}

/// Checks a lookup is indexed, so no store call can turn into a full scan.
fn check_indexed(table: Table, field: &str) -> StoreResult<()> {
    if table.def().is_indexed(field) {
        Ok(())
    } else {
        Err(StoreError::Schema(format!("{}.{field} is not indexed", table.name())))
    }
}

/// The id of a document (already canonical: the first value).
fn id_of(values: &[Value]) -> &str {
    values.first().and_then(Value::as_str).unwrap_or_default()
}
