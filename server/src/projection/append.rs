//! Appending receipts to a projection without reading the store. A receipt from a till is added
//! to a copy of the current dataset in its place in time order: receipts almost always arrive
//! after every receipt held, so they are pushed at the end; a late one (another till's clock, a
//! till that was offline) re-sorts only the receipts after its time. Catalogue records are
//! added when new and never renamed (as the store keeps them: a till never renames a shop or a
//! product), and the per-card index is laid out again. The result equals, column by column,
//! a build from the store holding the same rows (tested below and in the integration suite).
//!
//! [`Dataset::append_receipts`] works in place in time proportional to the new receipts (and
//! to those after a late one's time): the engine keeps the previous snapshot as a spare and
//! brings it up to date instead of copying the one serving (see [`super::Engine::append`]).
//! Nothing is parsed and the store is not read.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use super::batch::Delta;
use super::dataset::{Dataset, DatasetBuilder, LineValues, NONE};
use super::live::LiveEntry;
use crate::clock::{parse_day, parse_minute};
use crate::store::model::{Cardholder, Receipt, SalesLine};

/// A receipt as the columns hold it, with its lines' values.
struct Row {
    id: Arc<str>,
    day: i32,
    minute: u16,
    shop: u32,
    card: u32,
    gross: i64,
    discount: i64,
    net: i64,
    lines: Vec<LineValues>,
}

impl Row {
    fn key(&self) -> (i32, u16, &str) {
        (self.day, self.minute, &self.id)
    }
}

/// What an append adds to a dataset: receipts from the tills, or what import batches wrote.
#[derive(Clone, Debug)]
pub enum Change {
    /// Live receipts, with the register records of cards the dataset does not know yet.
    Receipts { entries: Vec<LiveEntry>, cardholders: Vec<Cardholder> },
    /// Finished import batches' rows.
    Batches(Delta),
}

impl Dataset {
    /// Applies `change` in place (see [`Dataset::append_receipts`], [`Dataset::apply_batches`]).
    pub fn apply(&mut self, change: &Change) {
        match change {
            Change::Receipts { entries, cardholders } => self.append_receipts(entries, cardholders),
            Change::Batches(delta) => self.apply_batches(delta),
        }
    }

    /// Applies what import batches wrote ([`Delta::read`]): catalogue records and cards
    /// overwritten or added, changed receipts taken out, and new and changed receipts put in
    /// their place in time order — in time proportional to the batches' rows plus the receipts
    /// dated after the earliest one they touch. Equals a build from the store after them.
    pub fn apply_batches(&mut self, delta: &Delta) {
        let mut b = DatasetBuilder::extending(std::mem::take(self));
        delta.shops.iter().for_each(|s| b.add_shop(s));
        delta.departments.iter().for_each(|d| b.add_department(d));
        delta.promotions.iter().for_each(|p| b.add_promotion(p));
        delta.products.iter().for_each(|p| b.add_product(p));
        delta.cardholders.iter().for_each(|c| b.add_cardholder(c));
        // Where the changed receipts are held.
        let held: HashMap<&str, usize> = {
            let on_days = super::batch::held_on_days(&b.data, delta.receipts.iter().filter_map(|c| c.held_day));
            let at = |c: &super::batch::ReceiptChange| on_days.get(c.receipt.id.as_str()).copied();
            delta
                .receipts
                .iter()
                .filter(|c| c.held_day.is_some())
                .filter_map(|c| Some((c.receipt.id.as_str(), at(c)?)))
                .collect()
        };
        let mut fresh: Vec<(Row, bool)> = Vec::with_capacity(delta.receipts.len());
        for change in &delta.receipts {
            // Unreadable dates never get here (a rebuild is asked for instead).
            let Some(day) = parse_day(&change.receipt.issued_at) else { continue };
            let lines = change.lines.as_deref().unwrap_or_default();
            fresh.push((row_of(&mut b, &change.receipt, day, lines), change.lines.is_none()));
        }
        *self = b.data;
        let data = self;
        let Some(first_new) = fresh.iter().map(|(r, _)| r.key()).min() else {
            data.index_cards_from(data.receipts.len());
            return;
        };
        let after_new = data.insertion_point(first_new);
        let at = held.values().copied().min().unwrap_or(after_new).min(after_new);
        let first_day =
            fresh.iter().map(|(r, _)| r.day).chain(data.receipts.day.get(at).copied()).min().unwrap_or(i32::MIN);
        let mut moved = data.take_receipts_from(at);
        // The held versions go (their lines kept for the changes that keep them); what they
        // sold and the lists of their cards from `at` on are laid out again.
        let mut kept_lines: HashMap<Arc<str>, Vec<LineValues>> = HashMap::new();
        moved.retain_mut(|m| {
            if !held.contains_key(&*m.id) {
                return true;
            }
            data.daily.forget_from(first_day, m.lines.iter().map(|l| (l.product, l.department, l.promotion)));
            if m.card != NONE {
                let list = &mut data.card_receipts[m.card as usize];
                list.truncate(list.partition_point(|&k| (k as usize) < at));
            }
            kept_lines.insert(m.id.clone(), std::mem::take(&mut m.lines));
            false
        });
        for (mut row, keep) in fresh {
            if keep {
                row.lines = kept_lines.remove(&row.id).unwrap_or_default();
            }
            moved.push(row);
        }
        data.put_back(moved, at, first_day);
    }

    /// This dataset with `entries` added. Receipts already held (the same id: a till's retry,
    /// or a receipt an import brought first) and receipts with an unreadable date are skipped,
    /// as a build skips them; lines follow their receipt.
    ///
    /// `cardholders` are register records of cards the dataset does not know yet (a shopper who
    /// signed up since the build), added first as a build would.
    pub fn with_receipts(&self, entries: &[LiveEntry], cardholders: &[Cardholder]) -> Dataset {
        let mut data = self.clone();
        data.append_receipts(entries, cardholders);
        data
    }

    /// [`Dataset::with_receipts`] in place: the same result, in time proportional to the new
    /// receipts plus the receipts dated after the earliest of them (none, when they arrive in
    /// time order).
    pub fn append_receipts(&mut self, entries: &[LiveEntry], cardholders: &[Cardholder]) {
        let mut b = DatasetBuilder::extending(std::mem::take(self));
        for c in cardholders {
            b.add_cardholder(c);
        }
        let mut fresh: Vec<Row> = Vec::with_capacity(entries.len());
        let mut taken: HashSet<&str> = HashSet::new();
        for e in entries {
            let Some(day) = parse_day(&e.receipt.issued_at) else { continue };
            if !taken.insert(&e.receipt.id) || b.data.holds_receipt(&e.receipt.id, day) {
                continue;
            }
            // Catalogue records first (new ones only), so the lines find their departments.
            if b.data.shops.get(&e.shop.id).is_none() {
                b.add_shop(&e.shop);
            }
            for d in &e.departments {
                if b.data.departments.get(&d.id).is_none() {
                    b.add_department(d);
                }
            }
            for p in &e.promotions {
                if b.data.promotions.get(&p.id).is_none() {
                    b.add_promotion(p);
                }
            }
            for p in &e.products {
                if b.data.products.get(&p.id).is_none() {
                    b.add_product(p);
                }
            }
            fresh.push(row_of(&mut b, &e.receipt, day, &e.lines));
        }
        *self = b.data;
        let data = self;
        if fresh.is_empty() {
            data.index_cards_from(data.receipts.len()); // the new cards' lists and ranks
            return;
        }
        fresh.sort_by(|a, b| a.key().cmp(&b.key()));
        // Receipts after the earliest new one move (usually none: the new ones go at the end).
        let first_day = fresh[0].day;
        let at = data.insertion_point(fresh[0].key());
        let mut moved = data.take_receipts_from(at);
        moved.extend(fresh);
        data.put_back(moved, at, first_day);
    }

    /// Where a receipt with `key` goes: after every receipt ordered before it (found from the
    /// end, as new receipts almost always go last).
    fn insertion_point(&self, key: (i32, u16, &str)) -> usize {
        let r = &self.receipts;
        (0..r.len()).rev().take_while(|&i| (r.day[i], r.minute[i], &*r.id[i]) > key).last().unwrap_or(r.len())
    }

    /// Puts `rows` (taken out from index `at` on, with the new ones) back in time order, then
    /// lays out again the per-card lists from `at` and the per-day sums from `first_day`.
    fn put_back(&mut self, mut rows: Vec<Row>, at: usize, first_day: i32) {
        self.receipts.reserve_more(rows.len());
        self.lines.reserve_more(rows.iter().map(|m| m.lines.len()).sum());
        rows.sort_by(|a, b| a.key().cmp(&b.key()));
        for row in rows {
            self.push_receipt(row);
        }
        self.index_cards_from(at);
        self.redo_daily_from(first_day);
    }

    /// Whether receipt `id`, dated `day`, is held (a receipt's id fixes its content, so an
    /// equal id can only be on the same day).
    fn holds_receipt(&self, id: &str, day: i32) -> bool {
        self.receipts.day_range(day, day).any(|i| &*self.receipts.id[i] == id)
    }

    /// Removes the receipts from index `at` on (with their lines), returning them.
    fn take_receipts_from(&mut self, at: usize) -> Vec<Row> {
        let (r, l) = (&mut self.receipts, &mut self.lines);
        let first_line = r.line_start[at] as usize;
        let mut rows = Vec::with_capacity(r.len() - at);
        for i in at..r.len() {
            let lines = r.lines(i).map(|k| l.get(k)).collect();
            rows.push(Row {
                id: std::mem::take(&mut r.id[i]),
                day: r.day[i],
                minute: r.minute[i],
                shop: r.shop[i],
                card: r.card[i],
                gross: r.gross[i],
                discount: r.discount[i],
                net: r.net[i],
                lines,
            });
        }
        r.id.truncate(at);
        r.day.truncate(at);
        r.minute.truncate(at);
        r.shop.truncate(at);
        r.card.truncate(at);
        r.gross.truncate(at);
        r.discount.truncate(at);
        r.net.truncate(at);
        r.line_start.truncate(at);
        r.truncate_line_sums(at);
        l.product.truncate(first_line);
        l.department.truncate(first_line);
        l.promotion.truncate(first_line);
        l.quantity.truncate(first_line);
        l.gross.truncate(first_line);
        l.discount.truncate(first_line);
        l.net.truncate(first_line);
        rows
    }

    /// Adds a receipt after every receipt held.
    fn push_receipt(&mut self, row: Row) {
        let (r, l) = (&mut self.receipts, &mut self.lines);
        r.line_start.truncate(r.len());
        r.line_start.push(l.product.len() as u32);
        r.id.push(row.id);
        r.day.push(row.day);
        r.minute.push(row.minute);
        r.shop.push(row.shop);
        r.card.push(row.card);
        r.gross.push(row.gross);
        r.discount.push(row.discount);
        r.net.push(row.net);
        row.lines.into_iter().for_each(|v| l.push(v));
        r.line_start.push(l.product.len() as u32);
        r.push_line_sums(l, r.len() - 1);
    }
}

/// A receipt and its lines in column values (interning what they name), lines by number.
fn row_of(b: &mut DatasetBuilder, receipt: &Receipt, day: i32, lines: &[SalesLine]) -> Row {
    let shop = b.shop(&receipt.shop_id);
    let card = receipt.card_number.as_deref().map(|c| b.data.cards.ensure(c)).unwrap_or(NONE);
    let mut sorted: Vec<&SalesLine> = lines.iter().filter(|l| l.receipt_id == receipt.id).collect();
    sorted.sort_by_key(|l| l.line_no);
    sorted.dedup_by_key(|l| l.line_no);
    let lines = sorted.into_iter().map(|l| b.line_values(l)).collect();
    Row {
        id: receipt.id.as_str().into(),
        day,
        minute: parse_minute(&receipt.issued_at),
        shop,
        card,
        gross: receipt.gross_cents,
        discount: receipt.discount_cents,
        net: receipt.net_cents,
        lines,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::model::{CardStatus, Department, Product, Promotion, Shop};

    fn shop(id: &str, name: &str) -> Shop {
        Shop { id: id.into(), name: name.into(), city: None, province: None }
    }

    fn product(id: &str, dept: &str) -> Product {
        Product { id: id.into(), description: format!("prodotto {id}"), department_id: Some(dept.into()), brand: None }
    }

    fn cardholder(id: &str, name: &str) -> Cardholder {
        Cardholder {
            id: id.into(),
            first_name: name.into(),
            last_name: "Rossi".into(),
            email: None,
            phone: None,
            birth_date: None,
            gender: Some("F".into()),
            city: None,
            province: None,
            enrolment_store: Some("S2".into()),
            enrolled_on: Some("2026-10-01".into()),
            privacy_consent: true,
            marketing_consent: false,
            status: CardStatus::Active,
            profiling_consent: false,
        }
    }

    /// A receipt with two lines (the second without department, on promotion X when `promo`).
    fn entry(id: &str, at: &str, shop_id: &str, card: Option<&str>, promo: bool) -> LiveEntry {
        let line = |n: i64, p: &str, dept: Option<&str>, net: i64| SalesLine {
            id: SalesLine::key(id, n),
            receipt_id: id.into(),
            line_no: n,
            product_id: p.into(),
            department_id: dept.map(Into::into),
            quantity_milli: 1000 * n,
            gross_cents: net + 10,
            discount_cents: 10,
            net_cents: net,
            promotion_id: (promo && n == 2).then(|| "X".to_string()),
        };
        LiveEntry {
            receipt: Receipt {
                id: id.into(),
                shop_id: shop_id.into(),
                issued_at: at.into(),
                till: "1".into(),
                number: id.into(),
                card_number: card.map(Into::into),
                gross_cents: 520,
                discount_cents: 20,
                net_cents: 500,
            },
            // Listed out of order: the projection orders lines by number.
            lines: vec![line(2, "P2", None, 200), line(1, "P1", Some("01"), 300)],
            shop: shop(shop_id, &format!("negozio {shop_id}")),
            products: vec![product("P1", "01"), product("P2", "02")],
            departments: vec![
                Department { id: "01".into(), name: "Ortofrutta".into() },
                Department { id: "02".into(), name: "Latticini".into() },
            ],
            promotions: if promo {
                vec![Promotion {
                    id: "X".into(),
                    description: "3x2".into(),
                    kind: None,
                    starts_on: None,
                    ends_on: None,
                }]
            } else {
                Vec::new()
            },
        }
    }

    fn build(entries: &[&LiveEntry], cardholders: &[Cardholder]) -> Dataset {
        let mut b = DatasetBuilder::new();
        for e in entries {
            b.add_shop(&e.shop);
            e.departments.iter().for_each(|d| b.add_department(d));
            e.promotions.iter().for_each(|p| b.add_promotion(p));
            e.products.iter().for_each(|p| b.add_product(p));
        }
        cardholders.iter().for_each(|c| b.add_cardholder(c));
        entries.iter().for_each(|e| b.add_receipt(&e.receipt));
        entries.iter().flat_map(|e| &e.lines).for_each(|l| b.add_line(l));
        b.finish()
    }

    #[test]
    fn receipts_appended_one_by_one_equal_a_build_of_them_all() {
        let r1 = entry("R1", "2026-11-02T10:00:00", "S1", Some("C1"), false);
        let r2 = entry("R2", "2026-11-02T11:00:00", "S2", Some("C2"), true);
        let r3 = entry("R3", "2026-11-03T09:00:00", "S1", Some("C1"), false);
        let r4 = entry("R4", "2026-11-03T12:00:00", "S3", Some("C2"), true); // a new shop
        let r5 = entry("R5", "2026-11-03T10:00:00", "S1", Some("C9"), false); // late; not registered
        let r6 = entry("R6", "2026-11-04T08:30:00", "S2", None, false); // no card
        let r7 = entry("R7", "2026-11-04T09:00:00", "S2", Some("C3"), false); // signed up since
        let register = [cardholder("C1", "Anna"), cardholder("C2", "Bruno")];
        let c3 = cardholder("C3", "Carla");
        let base = build(&[&r1, &r2, &r3], &register);

        let mut appended = base.clone();
        for (e, new_cards) in [
            (&r4, &[][..]),
            (&r6, &[]),
            (&r5, &[]),
            (&r4, &[]), // a till's retry
            (&r1, &[]), // already in the build
            (&r7, std::slice::from_ref(&c3)),
        ] {
            appended = appended.with_receipts(std::slice::from_ref(e), new_cards);
        }
        let all = build(&[&r1, &r2, &r3, &r4, &r5, &r6, &r7], &[register[0].clone(), register[1].clone(), c3.clone()]);
        assert_eq!(appended.describe(), all.describe());
        assert_eq!(appended.receipts.len(), 7);
        // R5 (10:00) went between R3 (09:00) and R4 (12:00).
        let ids: Vec<&str> = appended.receipts.id.iter().map(|s| &**s).collect();
        assert_eq!(ids, ["R1", "R2", "R3", "R5", "R4", "R6", "R7"]);
        // All at once, in any order, gives the same.
        let batch = base.with_receipts(&[r7.clone(), r5.clone(), r6.clone(), r4.clone()], &[c3]);
        assert_eq!(batch.describe(), all.describe());
        // The receipt held already keeps its single copy and the base is untouched.
        assert_eq!(base.receipts.len(), 3);
    }

    fn receipts(entries: Vec<LiveEntry>, cardholders: Vec<Cardholder>) -> Change {
        Change::Receipts { entries, cardholders }
    }

    /// A snapshot that is just the dataset.
    struct Plain;

    impl crate::projection::Derive for Plain {
        type Snapshot = Dataset;
        fn derive(&self, data: Dataset) -> Dataset {
            data
        }
        fn dataset_of(&self, snapshot: Dataset) -> Dataset {
            snapshot
        }
    }

    #[tokio::test]
    async fn the_engine_grows_its_spare_in_place_and_copies_only_when_it_must() {
        let r1 = entry("R1", "2026-11-02T10:00:00", "S1", Some("C1"), false);
        let r2 = entry("R2", "2026-11-02T11:00:00", "S2", Some("C2"), true);
        let r3 = entry("R3", "2026-11-03T09:00:00", "S1", Some("C1"), false);
        let r4 = entry("R4", "2026-11-03T12:00:00", "S3", Some("C2"), true);
        let r5 = entry("R5", "2026-11-03T10:00:00", "S1", Some("C9"), false); // late
        let r6 = entry("R6", "2026-11-04T08:30:00", "S2", None, false);
        let r7 = entry("R7", "2026-11-04T09:00:00", "S2", Some("C3"), false); // signed up since
        let r8 = entry("R8", "2026-11-05T09:00:00", "S1", Some("C3"), true);
        let register = [cardholder("C1", "Anna"), cardholder("C2", "Bruno")];
        let c3 = cardholder("C3", "Carla");
        let engine = std::sync::Arc::new(crate::projection::Engine::new(Plain));
        engine.install(std::sync::Arc::new(build(&[&r1, &r2, &r3], &register)));

        let mut reader = None;
        let mut held: Vec<&LiveEntry> = vec![&r1, &r2, &r3];
        let mut cards = register.to_vec();
        for (i, (e, new_cards)) in [
            (&r4, &[][..]),
            (&r5, &[]),
            (&r6, &[]),
            (&r4, &[]), // a till's retry
            (&r7, std::slice::from_ref(&c3)),
            (&r8, &[]),
        ]
        .into_iter()
        .enumerate()
        {
            let current = engine.snapshot().unwrap();
            if i == 3 {
                // A request still reads the snapshot about to become the spare: the append
                // after this one copies rather than wait for it.
                reader = engine.snapshot();
            }
            let grown = engine.append(current, receipts(vec![e.clone()], new_cards.to_vec())).await;
            if !held.iter().any(|h| h.receipt.id == e.receipt.id) {
                held.push(e);
            }
            cards.extend(new_cards.iter().cloned());
            assert_eq!(grown.describe(), build(&held, &cards).describe(), "after append {i}");
        }
        // The first append copied (installed, not built: no spare yet); so did the one whose
        // spare a request held.
        assert_eq!(engine.append_counts(), (2, 4));
        drop(reader);
        // A snapshot installed empties the spare: the next append copies again; after
        // `prepare_spare` (what a build does) it works in place.
        engine
            .install(std::sync::Arc::new(build(&[&r1, &r2, &r3, &r4, &r5, &r6, &r7, &r8], std::slice::from_ref(&c3))));
        let current = engine.snapshot().unwrap();
        engine.append(current, receipts(vec![r8.clone()], Vec::new())).await;
        assert_eq!(engine.append_counts(), (3, 4));
        engine.install(engine.snapshot().unwrap());
        engine.prepare_spare();
        let current = engine.snapshot().unwrap();
        let grown = engine.append(current, receipts(vec![r1.clone(), r8.clone()], Vec::new())).await;
        assert_eq!(engine.append_counts(), (3, 5));
        assert_eq!(grown.receipts.len(), 8);
    }
}
