//! Receipts pushed by the tills, written idempotently by receipt key. A receipt's claim
//! (`api_receipts`, keyed by the receipt id) records the hash of what was sent: the same key
//! with the same content replays the first result, with other content it is a conflict, and a
//! key already imported from a batch file with other content is a conflict too.
//!
//! Without transactions (MongoDB) the writes are ordered so that a crash at any point leaves a
//! state the client's retry completes: the claim is inserted first as `pending` (a different
//! content can never overwrite it), then the catalog records (inserted only when missing), the
//! lines, the receipt and the points (upserts: repeating them changes nothing), then the
//! receipt is published to the feed every replica follows ([`publish`]), and finally the claim
//! becomes `stored` — so a stored claim means a published receipt, and a retry of an interrupted
//! attempt publishes it (again: a replica receiving a receipt twice keeps one).

use super::model::{ApiReceipt, LiveFeedEntry, PointsEntry, Receipt, SalesLine};
use super::{to_doc, Doc, Store, StoreError, StoreExt, StoreResult, Table};

/// Claim status while the receipt's writes are in progress.
pub const PENDING: &str = "pending";
/// Claim status once everything is written.
pub const STORED: &str = "stored";

/// Everything one receipt writes.
#[derive(Clone, Debug)]
pub struct LiveReceipt {
    /// The claim, with status [`STORED`].
    pub claim: ApiReceipt,
    pub receipt: Receipt,
    pub lines: Vec<SalesLine>,
    /// Shop, products, departments and promotions it names: inserted when missing, never
    /// changed (batch files stay the authority on names).
    pub catalog: Vec<(Table, Doc)>,
    /// Ledger entries it earns.
    pub points: Vec<PointsEntry>,
}

/// What a submission did.
#[derive(Clone, Debug, PartialEq)]
pub enum LiveOutcome {
    /// Written now, and published to the feed under this number.
    Stored(u64),
    /// Sent before with the same content: the first result.
    Replayed(ApiReceipt),
    /// The key is taken by other content.
    Conflict,
}

/// The step-by-step write (see the module documentation).
pub async fn put_in_steps<S: Store + ?Sized>(store: &S, w: &LiveReceipt) -> StoreResult<LiveOutcome> {
    let mut attempts = 0;
    loop {
        attempts += 1;
        if let Some(prior) = store.get_one::<ApiReceipt>(&w.claim.id).await? {
            if prior.content_hash != w.claim.content_hash {
                return Ok(LiveOutcome::Conflict);
            }
            if prior.status == STORED {
                return Ok(LiveOutcome::Replayed(prior));
            }
            break; // an interrupted attempt with this content: finish it
        }
        if let Some(existing) = store.get_one::<Receipt>(&w.receipt.id).await? {
            if existing != w.receipt {
                return Ok(LiveOutcome::Conflict);
            }
        }
        let pending = ApiReceipt { status: PENDING.into(), ..w.claim.clone() };
        match store.insert_one(&pending).await {
            Ok(()) => break,
            // Another request claimed the key meanwhile: decide again against its claim.
            Err(StoreError::Duplicate { .. }) if attempts < 3 => continue,
            Err(e) => return Err(e),
        }
    }
    // One write per catalog table (shops, departments, products, promotions), in order.
    let mut tables: Vec<Table> = Vec::new();
    for (table, _) in &w.catalog {
        if !tables.contains(table) {
            tables.push(*table);
        }
    }
    for table in tables {
        let docs = w.catalog.iter().filter(|(t, _)| *t == table).map(|(_, d)| d.clone()).collect();
        store.insert_missing(table, docs).await?;
    }
    insert_new(store, std::slice::from_ref(&w.receipt)).await?;
    insert_new(store, &w.lines).await?;
    insert_new(store, &w.points).await?;
    let feed = publish(store, &w.receipt.id).await?;
    store.replace_one(&w.claim).await?;
    Ok(LiveOutcome::Stored(feed))
}

/// Inserts a submission's own records (one round trip); when an interrupted attempt or a
/// concurrent submission of the same content wrote some of them first, upserts them instead.
async fn insert_new<S: Store + ?Sized, T: super::model::Entity>(store: &S, records: &[T]) -> StoreResult<()> {
    let rows = records.iter().map(super::model::Entity::row).collect::<StoreResult<Vec<_>>>()?;
    match store.insert_rows(T::TABLE, rows).await {
        Err(StoreError::Duplicate { .. }) => upsert_same(store, records).await,
        other => other,
    }
}

/// Upserts records that a concurrent submission of the same content may be writing too: its
/// insert winning the race is the same record, so the upsert is simply repeated.
async fn upsert_same<S: Store + ?Sized, T: super::model::Entity>(store: &S, records: &[T]) -> StoreResult<()> {
    let mut attempts = 0;
    loop {
        attempts += 1;
        match store.upsert_all(records).await {
            Err(StoreError::Duplicate { .. }) if attempts < 3 => continue,
            other => return other.map(|_| ()),
        }
    }
}

/// A catalog record as a document for [`LiveReceipt::catalog`].
pub fn catalog_doc<T: super::model::Entity>(record: &T) -> StoreResult<(Table, Doc)> {
    Ok((T::TABLE, to_doc(record)?))
}

/// The store counter numbering the live-receipt feed every replica follows (the projection's
/// feed module reads it).
pub const SEQUENCE: &str = "live_feed";
/// Days of feed kept (a replica down longer rebuilds from the store at start anyway).
pub const KEEP_DAYS: i32 = 2;

/// Publishes a stored receipt to every replica; returns its feed number. (SQLite writes the
/// same entry inside the receipt's transaction.)
pub async fn publish<S: Store + ?Sized>(store: &S, receipt_id: &str) -> StoreResult<u64> {
    let seq = store.next_sequence(SEQUENCE).await?;
    // A new number: nothing can hold it yet.
    store.insert_one(&feed_entry(seq, receipt_id)).await?;
    Ok(seq)
}

/// The feed entry numbered `seq` for a receipt stored now.
pub fn feed_entry(seq: u64, receipt_id: &str) -> LiveFeedEntry {
    LiveFeedEntry {
        id: format!("{seq:020}"),
        receipt_id: receipt_id.to_string(),
        day: crate::clock::day_iso(crate::clock::today()),
        published_at: crate::clock::now_rfc3339_millis(),
    }
}

/// Deletes the feed's entries older than [`KEEP_DAYS`] (a week of days, so a missed run is
/// caught up); returns how many.
pub async fn prune(store: &dyn Store) -> StoreResult<u64> {
    let today = crate::clock::today();
    let mut deleted = 0;
    for day in (today - KEEP_DAYS - 7)..(today - KEEP_DAYS) {
        let day = serde_json::Value::String(crate::clock::day_iso(day));
        deleted += store.delete_by(Table::LiveFeed, "day", &day).await?;
    }
    Ok(deleted)
}
