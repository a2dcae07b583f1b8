//! The MongoDB store (Atlas, replica sets, or any server speaking the wire protocol), through
//! the official driver. Every write uses write concern `majority` with journal, so an
//! acknowledged write survives a crash. Writes are idempotent single-document operations keyed
//! by `_id` = the natural key; no multi-document transactions are needed. Opening only creates
//! missing indexes (idempotently) and records the schema version.

use std::collections::HashMap;

use async_trait::async_trait;
use futures::TryStreamExt;
use mongodb::{
    bson::{doc, Bson, Document},
    error::{Error as MongoError, ErrorKind, WriteFailure},
    event::{command::CommandEvent, EventHandler},
    options::{Acknowledgment, ClientOptions, IndexOptions, ReturnDocument, WriteConcern},
    Client, Collection, Database, IndexModel,
};
use serde_json::Value;

use super::schema::{ColType, TableDef};
use super::{check_indexed, id_of, Doc, Store, StoreError, StoreKind, StoreResult, Table, UpsertStats};

/// Schema version of the MongoDB layout (collections and indexes).
const SCHEMA_VERSION: u32 = 10;
/// Documents per round trip in upserts.
const CHUNK: usize = 1000;
/// The counter of commands sent to the server, by command name.
pub const COMMANDS_METRIC: &str = "store_commands_total";
/// Database name when the URL names none.
const DEFAULT_DB: &str = "imagross";

/// The MongoDB store.
#[derive(Clone)]
pub struct MongoStore {
    db: Database,
    catalog: KnownIds,
}

/// Ids of catalog records this process wrote or found present ([`Store::insert_missing`]):
/// catalog records are never deleted, so they need no second round trip. Bounded: forgotten
/// all at once past [`KnownIds::LIMIT`] (the next receipts find them again).
#[derive(Clone, Default)]
struct KnownIds(std::sync::Arc<std::sync::Mutex<std::collections::HashSet<(Table, String)>>>);

impl KnownIds {
    const LIMIT: usize = 200_000;

    fn contains(&self, table: Table, id: &str) -> bool {
        self.0.lock().map(|set| set.contains(&(table, id.to_string()))).unwrap_or(false)
    }

    fn remember(&self, table: Table, ids: Vec<String>) {
        if let Ok(mut set) = self.0.lock() {
            if set.len() + ids.len() > Self::LIMIT {
                set.clear();
            }
            set.extend(ids.into_iter().map(|id| (table, id)));
        }
    }
}

fn backend(e: impl std::fmt::Display) -> StoreError {
    StoreError::Backend(e.to_string())
}

/// Name of the unique index on `field`.
fn unique_index_name(field: &str) -> String {
    format!("{field}_unique")
}

/// True when a duplicate-key message is about the unique index on `field`: MongoDB names the
/// index (`index: email_unique dup key: …`); other wire-compatible servers may name their own
/// (`idx_users_email`).
fn names_unique_field(message: &str, table: &str, field: &str) -> bool {
    message.contains(&unique_index_name(field))
        || message.contains(&format!("idx_{table}_{field}"))
        || message.contains(&format!("dup key: {{ {field}:"))
}

/// Whether every failure of a write was a duplicate key (and the write concern was met).
fn only_duplicate_keys(e: &MongoError) -> bool {
    match e.kind.as_ref() {
        ErrorKind::Write(WriteFailure::WriteError(w)) => w.code == 11000,
        ErrorKind::InsertMany(m) => {
            m.write_concern_error.is_none()
                && m.write_errors.as_ref().is_some_and(|errs| errs.iter().all(|w| w.code == 11000))
        }
        _ => false,
    }
}

/// Turns a duplicate-key error (code 11000) into `Duplicate` naming the field.
fn map_write_error(def: &TableDef, e: MongoError) -> StoreError {
    let dup_message = match e.kind.as_ref() {
        ErrorKind::Write(WriteFailure::WriteError(w)) if w.code == 11000 => Some(w.message.clone()),
        ErrorKind::InsertMany(m) => {
            m.write_errors.as_ref().and_then(|errs| errs.iter().find(|w| w.code == 11000)).map(|w| w.message.clone())
        }
        _ => None,
    };
    match dup_message {
        Some(message) => {
            let field = def
                .unique
                .iter()
                .find(|f| names_unique_field(&message, def.name, f))
                .map(|f| f.to_string())
                .unwrap_or_else(|| "id".to_string());
            StoreError::Duplicate { table: def.name, field }
        }
        None => backend(e),
    }
}

/// A batch number of a row's lineage (`None` when absent).
fn batch_number(d: &Document, key: &str) -> Option<i64> {
    match d.get(key) {
        Some(Bson::Int64(n)) => Some(*n),
        Some(Bson::Int32(n)) => Some(i64::from(*n)),
        _ => None,
    }
}

/// Canonical values → BSON document with `_id`; nulls are left out (so sparse unique indexes
/// ignore them).
fn to_bson(def: &TableDef, values: &[Value]) -> Document {
    let mut out = Document::new();
    for (col, value) in def.columns.iter().zip(values) {
        let key = if col.name == "id" { "_id" } else { col.name };
        let bson = match value {
            Value::Null => continue,
            Value::Bool(b) => Bson::Boolean(*b),
            Value::Number(n) => Bson::Int64(n.as_i64().unwrap_or_default()),
            Value::String(s) => Bson::String(s.clone()),
            other => Bson::String(other.to_string()),
        };
        out.insert(key, bson);
    }
    out
}

/// BSON document → canonical values, typed by the table's columns.
/// The update that makes a stored document hold exactly `values`: every column set, null ones
/// removed — a replacement that keeps the lineage fields of a [`Table::LINEAGE`] row (a
/// `replace_one` would drop them).
fn rewrite(def: &TableDef, values: &[Value]) -> Document {
    let mut set = to_bson(def, values);
    set.remove("_id");
    let unset: Document = def
        .columns
        .iter()
        .zip(values)
        .filter(|(c, v)| v.is_null() && c.name != "id")
        .map(|(c, _)| (c.name.to_string(), Bson::String(String::new())))
        .collect();
    let mut update = doc! { "$set": set };
    if !unset.is_empty() {
        update.insert("$unset", unset);
    }
    update
}

fn from_bson(def: &TableDef, doc: &Document) -> StoreResult<Vec<Value>> {
    def.columns
        .iter()
        .map(|col| {
            let key = if col.name == "id" { "_id" } else { col.name };
            let value = match (doc.get(key), col.ty) {
                (None | Some(Bson::Null), _) => Value::Null,
                (Some(Bson::String(s)), ColType::Text) => Value::String(s.clone()),
                (Some(Bson::Int64(n)), ColType::Int) => Value::from(*n),
                (Some(Bson::Int32(n)), ColType::Int) => Value::from(i64::from(*n)),
                (Some(Bson::Double(n)), ColType::Int) => Value::from(*n as i64),
                (Some(Bson::Boolean(b)), ColType::Bool) => Value::Bool(*b),
                (Some(Bson::Int32(n)), ColType::Bool) => Value::Bool(*n != 0),
                (Some(Bson::Int64(n)), ColType::Bool) => Value::Bool(*n != 0),
                (Some(other), _) => return Err(StoreError::Schema(format!("{}.{key}: unexpected {other}", def.name))),
            };
            Ok(value)
        })
        .collect()
}

fn json_to_bson(value: &Value) -> Bson {
    match value {
        Value::Null => Bson::Null,
        Value::Bool(b) => Bson::Boolean(*b),
        Value::Number(n) => Bson::Int64(n.as_i64().unwrap_or_default()),
        Value::String(s) => Bson::String(s.clone()),
        other => Bson::String(other.to_string()),
    }
}

impl MongoStore {
    /// Connects, creates missing indexes and records the schema version.
    pub async fn open(uri: &str) -> StoreResult<Self> {
        let mut options = ClientOptions::parse(uri).await.map_err(backend)?;
        options.write_concern = Some(WriteConcern::builder().w(Acknowledgment::Majority).journal(true).build());
        options.app_name.get_or_insert_with(|| "imagross".to_string());
        // Every command is a round trip: counted by name, so the cost of a receipt or an import
        // in round trips is measurable (`bench cluster` divides them by the receipts).
        options.command_event_handler = Some(EventHandler::callback(|event| {
            if let CommandEvent::Started(started) = event {
                if tracing::enabled!(tracing::Level::TRACE) {
                    let target = started.command.iter().next().map(|(_, v)| v.to_string()).unwrap_or_default();
                    tracing::trace!(command = %started.command_name, %target, "store command");
                }
                metrics::counter!(COMMANDS_METRIC, "command" => started.command_name).increment(1);
            }
        }));
        let db_name = options.default_database.clone().unwrap_or_else(|| DEFAULT_DB.to_string());
        let client = Client::with_options(options).map_err(backend)?;
        let store = MongoStore { db: client.database(&db_name), catalog: KnownIds::default() };
        store.ensure_indexes().await?;
        store.record_schema_version().await?;
        Ok(store)
    }

    fn collection(&self, table: Table) -> Collection<Document> {
        self.db.collection(table.name())
    }

    async fn ensure_indexes(&self) -> StoreResult<()> {
        for table in Table::ALL {
            let def = table.def();
            let coll = self.collection(table);
            for field in def.lookups {
                let model = IndexModel::builder()
                    .keys(doc! { *field: 1 })
                    .options(IndexOptions::builder().name(format!("{field}_lookup")).build())
                    .build();
                coll.create_index(model).await.map_err(backend)?;
            }
            if table.has_lineage() {
                // The rows an import batch wrote last ([`Store::batch_rows`]). Not compound
                // with `_id`: the wire-protocol test server cannot keep such an index.
                let model = IndexModel::builder()
                    .keys(doc! { "last_batch": 1 })
                    .options(IndexOptions::builder().name("last_batch_lookup".to_string()).build())
                    .build();
                coll.create_index(model).await.map_err(backend)?;
            }
            for field in def.unique {
                let options = IndexOptions::builder().name(unique_index_name(field)).unique(true).sparse(true).build();
                let model = IndexModel::builder().keys(doc! { *field: 1 }).options(options).build();
                coll.create_index(model).await.map_err(backend)?;
            }
        }
        Ok(())
    }

    async fn record_schema_version(&self) -> StoreResult<()> {
        let meta = self.db.collection::<Document>("meta");
        let current = self.read_schema_version().await?;
        if current > SCHEMA_VERSION {
            return Err(StoreError::Schema(format!(
                "database schema version {current} is newer than this build's {SCHEMA_VERSION}; refusing to open"
            )));
        }
        if (1..9).contains(&current) {
            // 9 adds the profiling consent: absent until given, as SQLite's column default. Only
            // documents without the field are touched; a data field is added, nothing changed.
            self.collection(Table::Cardholders)
                .update_many(
                    doc! { "profiling_consent": { "$exists": false } },
                    doc! { "$set": { "profiling_consent": false } },
                )
                .await
                .map_err(backend)?;
        }
        if current < SCHEMA_VERSION {
            meta.update_one(doc! { "_id": "schema" }, doc! { "$set": { "version": SCHEMA_VERSION as i64 } })
                .upsert(true)
                .await
                .map_err(backend)?;
        }
        Ok(())
    }

    async fn read_schema_version(&self) -> StoreResult<u32> {
        let meta = self.db.collection::<Document>("meta");
        let found = meta.find_one(doc! { "_id": "schema" }).await.map_err(backend)?;
        Ok(found
            .and_then(|d| match d.get("version") {
                Some(Bson::Int64(v)) => Some(*v as u32),
                Some(Bson::Int32(v)) => Some(*v as u32),
                _ => None,
            })
            .unwrap_or(0))
    }

    async fn find_docs(&self, table: Table, filter: Document, limit: u32) -> StoreResult<Vec<Doc>> {
        let def = table.def();
        Ok(self.find_rows(table, filter, limit).await?.into_iter().map(|v| def.to_doc(v)).collect())
    }

    /// The rows matching `filter`, by id ascending, at most `limit`.
    async fn find_rows(&self, table: Table, filter: Document, limit: u32) -> StoreResult<Vec<super::Row>> {
        let def = table.def();
        let cursor = self
            .collection(table)
            .find(filter)
            .sort(doc! { "_id": 1 })
            .limit(i64::from(limit))
            .await
            .map_err(backend)?;
        let docs: Vec<Document> = cursor.try_collect().await.map_err(backend)?;
        docs.iter().map(|d| from_bson(def, d)).collect()
    }

    async fn upsert_chunk(&self, table: Table, rows: &[Vec<Value>], batch: Option<i64>) -> StoreResult<UpsertStats> {
        let batch = batch.filter(|_| table.has_lineage());
        let def = table.def();
        let coll = self.collection(table);
        let ids: Vec<Bson> = rows.iter().map(|v| Bson::String(id_of(v).to_string())).collect();
        let existing: Vec<Document> =
            coll.find(doc! { "_id": { "$in": ids } }).await.map_err(backend)?.try_collect().await.map_err(backend)?;
        let mut state: HashMap<String, Vec<Value>> = HashMap::with_capacity(existing.len());
        for d in &existing {
            let values = from_bson(def, d)?;
            state.insert(id_of(&values).to_string(), values);
        }
        let mut stats = UpsertStats::default();
        let mut inserts = Vec::new();
        let mut replaces: Vec<&Vec<Value>> = Vec::new();
        for values in rows {
            match state.get(id_of(values)) {
                None => {
                    let mut doc = to_bson(def, values);
                    if let Some(b) = batch {
                        doc.insert("first_batch", b);
                        doc.insert("last_batch", b);
                    }
                    inserts.push(doc);
                    stats.inserted += 1;
                }
                Some(old) if old == values => stats.unchanged += 1,
                Some(_) => {
                    replaces.push(values);
                    stats.updated += 1;
                }
            }
            state.insert(id_of(values).to_string(), values.clone());
        }
        if !inserts.is_empty() {
            coll.insert_many(inserts).ordered(true).await.map_err(|e| map_write_error(def, e))?;
        }
        for values in replaces {
            let mut update = rewrite(def, values);
            if let Some(b) = batch {
                update.get_document_mut("$set").expect("rewrite sets fields").insert("last_batch", b);
            }
            coll.update_one(doc! { "_id": id_of(values) }, update).await.map_err(|e| map_write_error(def, e))?;
        }
        Ok(stats)
    }
}

#[async_trait]
impl Store for MongoStore {
    fn kind(&self) -> StoreKind {
        StoreKind::Mongo
    }

    async fn ping(&self) -> StoreResult<()> {
        self.db.run_command(doc! { "ping": 1 }).await.map_err(backend)?;
        Ok(())
    }

    async fn schema_version(&self) -> StoreResult<u32> {
        self.read_schema_version().await
    }

    async fn count(&self, table: Table) -> StoreResult<u64> {
        self.collection(table).count_documents(doc! {}).await.map_err(backend)
    }

    async fn upsert_rows_from(
        &self,
        parts: Vec<(Table, Vec<super::Row>)>,
        batch: Option<i64>,
    ) -> StoreResult<Vec<UpsertStats>> {
        let mut all = Vec::with_capacity(parts.len());
        for (table, rows) in parts {
            let mut stats = UpsertStats::default();
            for chunk in rows.chunks(CHUNK) {
                stats += self.upsert_chunk(table, chunk, batch).await?;
            }
            all.push(stats);
        }
        Ok(all)
    }

    async fn insert(&self, table: Table, doc: Doc) -> StoreResult<()> {
        let def = table.def();
        let values = def.canonical(&doc)?;
        self.collection(table).insert_one(to_bson(def, &values)).await.map_err(|e| map_write_error(def, e))?;
        Ok(())
    }

    async fn insert_rows(&self, table: Table, rows: Vec<super::Row>) -> StoreResult<()> {
        if rows.is_empty() {
            return Ok(());
        }
        let def = table.def();
        let docs: Vec<Document> = rows.iter().map(|values| to_bson(def, values)).collect();
        self.collection(table).insert_many(docs).ordered(true).await.map_err(|e| map_write_error(def, e))?;
        Ok(())
    }

    async fn insert_missing(&self, table: Table, docs: Vec<Doc>) -> StoreResult<()> {
        let def = table.def();
        let mut ids = Vec::with_capacity(docs.len());
        let mut new = Vec::with_capacity(docs.len());
        for doc in &docs {
            let values = def.canonical(doc)?;
            let id = id_of(&values).to_string();
            if !self.catalog.contains(table, &id) {
                new.push(to_bson(def, &values));
                ids.push(id);
            }
        }
        if new.is_empty() {
            return Ok(());
        }
        // Unordered: every missing one is inserted; the existing ones answer "duplicate key".
        match self.collection(table).insert_many(new).ordered(false).await {
            Ok(_) => {}
            Err(e) if only_duplicate_keys(&e) => {}
            Err(e) => return Err(map_write_error(def, e)),
        }
        self.catalog.remember(table, ids);
        Ok(())
    }

    async fn replace(&self, table: Table, doc: Doc) -> StoreResult<()> {
        let def = table.def();
        let values = def.canonical(&doc)?;
        let result = self
            .collection(table)
            .update_one(doc! { "_id": id_of(&values) }, rewrite(def, &values))
            .await
            .map_err(|e| map_write_error(def, e))?;
        if result.matched_count == 0 {
            return Err(StoreError::NotFound { table: def.name, id: id_of(&values).to_string() });
        }
        Ok(())
    }

    async fn replace_if(&self, table: Table, doc: Doc, field: &str, expected: &Value) -> StoreResult<bool> {
        let def = table.def();
        let values = def.canonical(&doc)?;
        if def.column(field).is_none() {
            return Err(StoreError::Schema(format!("{}: unknown field `{field}`", def.name)));
        }
        // `field: null` matches a missing field as well as a null one.
        let filter = doc! { "_id": id_of(&values), field: json_to_bson(expected) };
        let result = self
            .collection(table)
            .update_one(filter, rewrite(def, &values))
            .await
            .map_err(|e| map_write_error(def, e))?;
        Ok(result.matched_count == 1)
    }

    async fn delete_by(&self, table: Table, field: &str, value: &Value) -> StoreResult<u64> {
        super::check_expiring(table, field)?;
        let key = if field == "id" { "_id" } else { field };
        let result = self.collection(table).delete_many(doc! { key: json_to_bson(value) }).await.map_err(backend)?;
        Ok(result.deleted_count)
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
        let key = if field == "id" { "_id" } else { field };
        let filter = doc! { key: json_to_bson(value), "_id": { "$gt": after.unwrap_or_default() } };
        self.find_docs(table, filter, limit).await
    }

    async fn lineage(&self, table: Table, id: &str) -> StoreResult<Option<super::Lineage>> {
        table.require_lineage()?;
        let found = self
            .collection(table)
            .find_one(doc! { "_id": id })
            .projection(doc! { "first_batch": 1, "last_batch": 1 })
            .await
            .map_err(backend)?;
        Ok(found.map(|d| super::Lineage {
            first_batch: batch_number(&d, "first_batch"),
            last_batch: batch_number(&d, "last_batch"),
        }))
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
        // Through the last_batch index made by `ensure_indexes` (named: never a walk of the `_id`
        // index, whose order would also serve the sort), paged by id, each page sorted in
        // memory: a batch the projection applies is bounded (`projection::BATCH_APPLY_MAX_ROWS`).
        let filter = doc! { "last_batch": batch, "_id": { "$gt": from.unwrap_or_default() } };
        let cursor = self
            .collection(table)
            .find(filter)
            .hint(mongodb::options::Hint::Name("last_batch_lookup".to_string()))
            .sort(doc! { "_id": 1 })
            .limit(i64::from(limit))
            .await
            .map_err(backend)?;
        let docs: Vec<Document> = cursor.try_collect().await.map_err(backend)?;
        let rows = docs
            .iter()
            .map(|d| Ok((from_bson(def, d)?, batch_number(d, "first_batch"))))
            .collect::<StoreResult<Vec<_>>>()?;
        let next = (rows.len() == limit as usize).then(|| rows.last().map(|(r, _)| id_of(r).to_string())).flatten();
        Ok((rows, next))
    }

    async fn get(&self, table: Table, id: &str) -> StoreResult<Option<Doc>> {
        let def = table.def();
        let found = self.collection(table).find_one(doc! { "_id": id }).await.map_err(backend)?;
        found.map(|d| from_bson(def, &d).map(|v| def.to_doc(v))).transpose()
    }

    async fn find_by(&self, table: Table, field: &str, value: &Value, limit: u32) -> StoreResult<Vec<Doc>> {
        check_indexed(table, field)?;
        let key = if field == "id" { "_id" } else { field };
        self.find_docs(table, doc! { key: json_to_bson(value) }, limit).await
    }

    async fn scan_rows(&self, table: Table, after: Option<&str>, limit: u32) -> StoreResult<Vec<super::Row>> {
        let filter = match after {
            Some(after) => doc! { "_id": { "$gt": after } },
            None => doc! {},
        };
        self.find_rows(table, filter, limit).await
    }

    async fn points_totals(&self, card: &str, since: &str) -> StoreResult<(i64, i64)> {
        // Only the two summed fields travel; summed here (a `$group` with `$cond` is not needed).
        let docs: Vec<Document> = self
            .collection(Table::PointsLedger)
            .find(doc! { "card_number": card })
            .projection(doc! { "_id": 0, "points": 1, "created_at": 1 })
            .await
            .map_err(backend)?
            .try_collect()
            .await
            .map_err(backend)?;
        let mut totals = (0i64, 0i64);
        for d in &docs {
            let points = match d.get("points") {
                Some(Bson::Int64(v)) => *v,
                Some(Bson::Int32(v)) => i64::from(*v),
                Some(Bson::Double(v)) => *v as i64,
                _ => 0,
            };
            totals.0 += points;
            if points > 0 && d.get_str("created_at").is_ok_and(|at| at >= since) {
                totals.1 += points;
            }
        }
        Ok(totals)
    }

    async fn existing_ids(&self, table: Table, ids: Vec<String>) -> StoreResult<std::collections::HashSet<String>> {
        let mut found = std::collections::HashSet::new();
        for chunk in ids.chunks(CHUNK) {
            let wanted: Vec<Bson> = chunk.iter().map(|id| Bson::String(id.clone())).collect();
            let docs: Vec<Document> = self
                .collection(table)
                .find(doc! { "_id": { "$in": wanted } })
                .projection(doc! { "_id": 1 })
                .await
                .map_err(backend)?
                .try_collect()
                .await
                .map_err(backend)?;
            found.extend(docs.iter().filter_map(|d| d.get_str("_id").ok().map(str::to_string)));
        }
        Ok(found)
    }

    async fn add_to_counter(&self, id: &str, window: &str, delta: i64) -> StoreResult<i64> {
        let updated = self
            .db
            .collection::<Document>(Table::Counters.name())
            .find_one_and_update(
                doc! { "_id": id },
                // `window` is part of the id, so setting it on every update changes nothing.
                doc! { "$inc": { "value": delta }, "$set": { "window": window } },
            )
            .upsert(true)
            .return_document(ReturnDocument::After)
            .await
            .map_err(backend)?
            .ok_or_else(|| backend("counter upsert returned nothing"))?;
        match updated.get("value") {
            Some(Bson::Int64(v)) => Ok(*v),
            Some(Bson::Int32(v)) => Ok(i64::from(*v)),
            Some(Bson::Double(v)) => Ok(*v as i64),
            other => Err(backend(format!("counter {id}: unexpected value {other:?}"))),
        }
    }

    async fn sequence_value(&self, name: &str) -> StoreResult<u64> {
        let found =
            self.db.collection::<Document>("sequences").find_one(doc! { "_id": name }).await.map_err(backend)?;
        Ok(match found.as_ref().and_then(|d| d.get("value")) {
            Some(Bson::Int64(v)) => *v as u64,
            Some(Bson::Int32(v)) => *v as u64,
            Some(Bson::Double(v)) => *v as u64,
            _ => 0,
        })
    }

    async fn next_sequence(&self, name: &str) -> StoreResult<u64> {
        let updated = self
            .db
            .collection::<Document>("sequences")
            .find_one_and_update(doc! { "_id": name }, doc! { "$inc": { "value": 1_i64 } })
            .upsert(true)
            .return_document(ReturnDocument::After)
            .await
            .map_err(backend)?
            .ok_or_else(|| backend("sequence upsert returned nothing"))?;
        match updated.get("value") {
            Some(Bson::Int64(v)) => Ok(*v as u64),
            Some(Bson::Int32(v)) => Ok(*v as u64),
            Some(Bson::Double(v)) => Ok(*v as u64),
            other => Err(backend(format!("sequence {name}: unexpected value {other:?}"))),
        }
    }
}
