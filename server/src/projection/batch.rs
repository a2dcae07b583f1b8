//! Bringing the projection up to date after import batches without reading the whole store.
//! Every row an import writes records the batch that last changed it (the store's lineage), so
//! a finished batch's rows are read through an index ([`Store::batch_rows`]) and applied to the
//! dataset in place, as live receipts are ([`super::append`]): new receipts go in their place in
//! time order, changed ones are taken out and put back (on their new day, if it moved) with
//! all their lines, cards and catalogue records are overwritten. The work is the batch's rows
//! plus the receipts dated after its earliest one — a daily file costs a day, not the year.
//!
//! What such an append cannot reproduce the way a build would asks for a rebuild instead
//! ([`Delta::read`] says why): a product moved to another department (the lines that name
//! none follow their product), a receipt whose date cannot be read (a build skips and counts
//! it), lines whose receipt the store does not hold, and a corrected receipt that no longer
//! names a card known only from it.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use super::dataset::{Dataset, NONE, NO_DEPARTMENT};
use crate::clock::parse_day;
use crate::store::model::{Cardholder, Department, Product, Promotion, Receipt, SalesLine, Shop};
use crate::store::{Entity, Store, StoreExt, StoreResult};

/// Rows read per call.
const PAGE: u32 = 20_000;

/// What some finished import batches changed, ready to apply to a dataset.
#[derive(Clone, Debug, Default)]
pub struct Delta {
    pub cardholders: Vec<Cardholder>,
    /// The whole catalogue (a few thousand records; an import writes it without lineage).
    pub shops: Vec<Shop>,
    pub departments: Vec<Department>,
    pub promotions: Vec<Promotion>,
    pub products: Vec<Product>,
    pub receipts: Vec<ReceiptChange>,
}

/// A receipt the batches created or changed, or whose lines they created or changed.
#[derive(Clone, Debug)]
pub struct ReceiptChange {
    pub receipt: Receipt,
    /// The day the dataset holds it on (`None`: not held yet).
    pub held_day: Option<i32>,
    /// All its lines as the store holds them; `None`: the ones the dataset holds, unchanged.
    pub lines: Option<Vec<SalesLine>>,
}

/// Every row of a lineage table that one of `batches` wrote last, with the batch that created it.
async fn rows_of<T: Entity>(store: &dyn Store, batches: &[i64]) -> StoreResult<Vec<(T, Option<i64>)>> {
    let mut out = Vec::new();
    for &batch in batches {
        let mut from: Option<String> = None;
        loop {
            let (page, next) = store.batch_rows(T::TABLE, batch, from.as_deref(), PAGE).await?;
            for (row, first) in page {
                out.push((T::from_row(row)?, first));
            }
            match next {
                Some(next) => from = Some(next),
                None => break,
            }
        }
    }
    Ok(out)
}

/// Every record of a (small) table.
async fn all<T: Entity>(store: &dyn Store) -> StoreResult<Vec<T>> {
    let mut out = Vec::new();
    super::scan_all(store, |r: &T| out.push(r.clone())).await?;
    Ok(out)
}

/// The receipts `data` holds on `days`, by id: the receipts a batch touches are found with one
/// walk of their days, not one walk of its day each (a day's file at ten times the demo set
/// touches thousands of receipts of one day).
pub(super) fn held_on_days(data: &Dataset, days: impl IntoIterator<Item = i32>) -> HashMap<&str, usize> {
    let days: BTreeSet<i32> = days.into_iter().collect();
    let r = &data.receipts;
    days.into_iter().flat_map(|day| r.day_range(day, day)).map(|i| (&*r.id[i], i)).collect()
}

/// A receipt the batches touch, before it is found in the dataset.
struct Touched {
    receipt: Receipt,
    day: i32,
    /// Created by one of these batches: it can only be held on its day (a build read part of a
    /// batch still running) and no line of it can predate them.
    created_here: bool,
    /// The batches changed the receipt itself, which they did not create: its date may have
    /// moved, so it may be held on another day.
    may_have_moved: bool,
    /// The lines the batches wrote.
    lines: Option<Vec<SalesLine>>,
}

impl Delta {
    /// Reads what `batches` (import batch numbers, finished) wrote, against `data` (the
    /// projection as it serves, which holds every row written before them); `Err` names why
    /// the dataset must be rebuilt instead.
    pub async fn read(store: &dyn Store, data: &Dataset, batches: &[i64]) -> StoreResult<Result<Delta, String>> {
        let from_batches: HashSet<i64> = batches.iter().copied().collect();
        let cardholders: Vec<Cardholder> = rows_of(store, batches).await?.into_iter().map(|(c, _)| c).collect();
        let receipts: Vec<(Receipt, Option<i64>)> = rows_of(store, batches).await?;
        let mut changed_lines: BTreeMap<String, Vec<SalesLine>> = BTreeMap::new();
        for (line, _) in rows_of::<SalesLine>(store, batches).await? {
            changed_lines.entry(line.receipt_id.clone()).or_default().push(line);
        }
        let products: Vec<Product> = all(store).await?;
        for p in &products {
            let Some(i) = data.products.get(&p.id) else { continue };
            let department = match &p.department_id {
                Some(d) => data.departments.get(d).map(|d| d as u16),
                None => Some(NO_DEPARTMENT),
            };
            if department != Some(data.product_department[i as usize]) {
                return Ok(Err(format!("product {} moved to another department", p.id)));
            }
        }

        let mut touched: Vec<Touched> = Vec::with_capacity(receipts.len());
        for (receipt, first_batch) in receipts {
            let Some(day) = parse_day(&receipt.issued_at) else {
                return Ok(Err(format!("receipt {} has an unreadable date", receipt.id)));
            };
            let created_here = first_batch.is_some_and(|b| from_batches.contains(&b));
            let lines = changed_lines.remove(&receipt.id);
            touched.push(Touched { receipt, day, created_here, may_have_moved: !created_here, lines });
        }
        // Lines changed under receipts the batches did not change: the store's receipt, on the
        // day the dataset holds it (nothing changed it since).
        for (receipt_id, lines) in changed_lines {
            let Some(receipt) = store.get_one::<Receipt>(&receipt_id).await? else {
                return Ok(Err(format!("lines of receipt {receipt_id}, which the store does not hold")));
            };
            let Some(day) = parse_day(&receipt.issued_at) else {
                return Ok(Err(format!("receipt {receipt_id} has an unreadable date")));
            };
            touched.push(Touched { receipt, day, created_here: false, may_have_moved: false, lines: Some(lines) });
        }
        let mut held = held_on_days(data, touched.iter().map(|t| t.day));
        // Receipts not held on their (new) day that may be held on another: found in one pass.
        let elsewhere: HashSet<&str> = touched
            .iter()
            .filter(|t| t.may_have_moved && !held.contains_key(t.receipt.id.as_str()))
            .map(|t| t.receipt.id.as_str())
            .collect();
        if !elsewhere.is_empty() {
            for (i, id) in data.receipts.id.iter().enumerate() {
                if elsewhere.contains(&**id) {
                    held.insert(id, i);
                }
            }
        }

        let mut changes: Vec<ReceiptChange> = Vec::with_capacity(touched.len());
        for Touched { receipt, created_here, mut lines, .. } in touched {
            let at = held.get(receipt.id.as_str()).copied();
            if let Some(i) = at {
                let old = data.receipts.card[i];
                let now = receipt.card_number.as_deref().and_then(|c| data.cards.number.get(c));
                if old != NONE && Some(old) != now && !data.cards.registered[old as usize] {
                    let card = data.cards.number.value(old);
                    return Ok(Err(format!("receipt {} no longer names card {card}", receipt.id)));
                }
            }
            // The lines in hand are all of the receipt's unless the dataset holds some (then the
            // batch changed some of them) or the receipt is older than the batches yet not held
            // (a till's, not appended yet): then the store's are read.
            let complete = match (at, &lines) {
                (Some(i), Some(_)) => data.receipts.lines(i).is_empty(),
                (Some(_), None) => true,
                (None, _) if created_here => {
                    lines.get_or_insert_with(Vec::new);
                    true
                }
                (None, _) => false,
            };
            if !complete {
                lines = Some(store.find_every("receipt_id", serde_json::json!(receipt.id)).await?);
            }
            changes.push(ReceiptChange { held_day: at.map(|i| data.receipts.day[i]), lines, receipt });
        }
        Ok(Ok(Delta {
            cardholders,
            shops: all(store).await?,
            departments: all(store).await?,
            promotions: all(store).await?,
            products,
            receipts: changes,
        }))
    }
}
