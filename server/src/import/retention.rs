//! How long an import's rejected rows live, and what erasure does to them. Rejected rows keep
//! the raw cells that failed (a malformed email, a phone, a name), so they are personal data:
//! they expire after the configured retention (the one place the store deletes rows, through
//! [`Store::delete_by`] on an expiring table), and an erasure redacts every rejected row about
//! the erased card at once.

use serde_json::{json, Value};

use crate::store::model::{ImportBatch, ImportRowError};
use crate::store::{from_doc, Store, StoreExt, StoreResult, Table};

/// The reason a redacted row shows instead of its original one (which may quote the value).
pub const REDACTED: &str = "redacted: the card's holder asked for erasure";

/// Rows read per page.
const PAGE: u32 = 1000;

/// Redacts the value of every rejected row about `card`; returns how many changed.
pub async fn redact_card(store: &dyn Store, card: &str) -> StoreResult<u64> {
    let mut after: Option<String> = None;
    let mut changed = 0;
    loop {
        let page = store.find_after(Table::ImportErrors, "card_number", &json!(card), after.as_deref(), PAGE).await?;
        let Some(last) = page.last().and_then(|d| d.get("id")).and_then(Value::as_str).map(str::to_string) else {
            return Ok(changed);
        };
        for doc in page {
            let row: ImportRowError = from_doc(doc)?;
            if row.value.is_some() || row.reason != REDACTED {
                store.replace_one(&ImportRowError { value: None, reason: REDACTED.to_string(), ..row }).await?;
                changed += 1;
            }
        }
        after = Some(last);
    }
}

/// True when a batch started before the retention window and its rejected rows are gone.
pub fn expired(batch: &ImportBatch, retention_days: u32) -> bool {
    batch.started_at < crate::clock::rfc3339_days_ago(i64::from(retention_days))
}

/// Deletes the rejected rows of every batch older than `retention_days`; returns the batches
/// looked at and the rows deleted. Idempotent; run hourly by the server.
pub async fn prune(store: &dyn Store, retention_days: u32) -> StoreResult<(u64, u64)> {
    let (mut batches, mut rows) = (0, 0);
    let mut after: Option<String> = None;
    loop {
        let page: Vec<ImportBatch> = store.scan_page(after.as_deref(), PAGE).await?;
        let Some(last) = page.last().map(|b| b.id.clone()) else { return Ok((batches, rows)) };
        for batch in page.iter().filter(|b| expired(b, retention_days)) {
            batches += 1;
            rows += store.delete_by(Table::ImportErrors, "batch_id", &json!(batch.id)).await?;
        }
        after = Some(last);
    }
}
