//! The persisted points ledger, derived from the imported receipts: one `earn:<receipt>` entry
//! per receipt with a card (1 point per whole euro of net spend, plus the bonus for each line on
//! promotion) and one `challenge:<kind>:<month>:<card>` entry per completed monthly challenge.
//! Keys make every award idempotent: re-importing never awards twice, and a corrected receipt
//! corrects its entry. Manual adjustments (`adjust:…`) are never touched. The sync only writes
//! entries that are missing or differ, and never deletes.

use std::collections::HashMap;

use crate::clock::{iso_minute, month_days};
use crate::projection::dataset::{Dataset, NONE, NO_DEPARTMENT};
use crate::store::model::PointsEntry;
use crate::store::{Store, StoreExt, StoreResult};

use super::rewards;

/// For each line of `data`, whether its product earns no points (the programme's list against
/// the product code and the department's code and name).
pub fn no_points_lines(data: &Dataset) -> impl Fn(usize) -> bool + '_ {
    let rule = super::rules::no_points();
    let products: Vec<bool> =
        (0..data.product_names.len() as u32).map(|p| rule.excludes(data.products.value(p), "", "")).collect();
    let departments: Vec<bool> = (0..data.department_names.len())
        .map(|d| rule.excludes("", data.departments.value(d as u32), &data.department_names[d]))
        .collect();
    move |k| {
        let d = data.lines.department[k];
        products[data.lines.product[k] as usize] || (d != NO_DEPARTMENT && departments[d as usize])
    }
}

/// Whether line `k` of `data` earns no points under `rule` (one line; for many, use
/// [`no_points_lines`]).
pub fn line_earns_nothing(data: &Dataset, k: usize, rule: &super::rules::NoPoints) -> bool {
    let d = data.lines.department[k];
    let (code, name) = if d == NO_DEPARTMENT {
        ("", "")
    } else {
        (data.departments.value(u32::from(d)), &*data.department_names[d as usize])
    };
    rule.excludes(data.products.value(data.lines.product[k]), code, name)
}

/// The earn rule's view of receipt `i`'s lines.
pub fn point_lines(data: &Dataset, i: usize, no_points: &impl Fn(usize) -> bool) -> Vec<super::rules::PointLine> {
    let l = &data.lines;
    data.receipts
        .lines(i)
        .map(|k| super::rules::PointLine {
            net_cents: i64::from(l.net[k]),
            on_promotion: l.promotion[k] != 0,
            no_points: no_points(k),
        })
        .collect()
}

/// The entries the data calls for, by id.
pub fn expected_entries(data: &Dataset, promo_bonus: i64, challenge_month: i32) -> Vec<PointsEntry> {
    let r = &data.receipts;
    let no_points = no_points_lines(data);
    let mut out = Vec::new();
    for i in 0..r.len() {
        let c = r.card[i];
        if c == NONE || data.cards.anonymised[c as usize] {
            continue;
        }
        let earned = super::rules::earned(r.net[i], &point_lines(data, i, &no_points), promo_bonus);
        out.push(earn_entry(&r.id[i], data.cards.number.value(c), &earned, r.day[i], r.minute[i]));
    }
    // Challenges of the given month, for the cardholders who shopped in it.
    let (first, last) = month_days(challenge_month);
    let start = r.day.partition_point(|d| *d < first);
    let end = r.day.partition_point(|d| *d <= last);
    let mut cards: Vec<u32> = r.card[start..end].iter().copied().filter(|c| *c != NONE).collect();
    cards.sort_unstable();
    cards.dedup();
    for c in cards {
        out.extend(challenge_entries(data, c, challenge_month));
    }
    out
}

/// The `earn:<receipt>` entry of a receipt with a card (its points by [`super::rules::earned`];
/// negative for a return), dated by the receipt (`day`, minutes since midnight).
pub fn earn_entry(receipt_id: &str, card: &str, earned: &super::rules::Earned, day: i32, minute: u16) -> PointsEntry {
    PointsEntry {
        id: format!("earn:{receipt_id}"),
        card_number: card.to_string(),
        points: earned.points,
        kind: "earn".into(),
        reason: super::rules::reason(earned),
        receipt_id: Some(receipt_id.to_string()),
        created_at: iso_minute(day, minute),
        created_by: None,
    }
}

/// The rewards of the challenges card `c` completed in `month`.
pub fn challenge_entries(data: &Dataset, c: u32, month: i32) -> Vec<PointsEntry> {
    let visits = rewards::visits(data, c);
    let card = data.cards.number.value(c);
    rewards::challenges(&visits, month)
        .into_iter()
        .filter_map(|ch| {
            let done = ch.completed_on?;
            Some(PointsEntry {
                id: format!("challenge:{}:{}:{card}", ch.kind.code(), ch.month),
                card_number: card.to_string(),
                points: ch.reward,
                kind: "challenge".into(),
                reason: Some(format!("{} {}", ch.kind.code(), ch.month)),
                receipt_id: None,
                created_at: format!("{done}T23:59:59"),
                created_by: None,
            })
        })
        .collect()
}

/// What a sync wrote.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SyncStats {
    pub expected: u64,
    pub written: u64,
}

/// Remembers what is already in the ledger (id → points) so later syncs write only changes.
#[derive(Default)]
pub struct LedgerSync {
    known: tokio::sync::Mutex<Option<HashMap<String, i64>>>,
}

impl LedgerSync {
    /// Brings the ledger in line with the data: missing or different entries are upserted.
    /// With a `fence`, each chunk is written only while its lease is still held.
    pub async fn sync(
        &self,
        store: &dyn Store,
        expected: Vec<PointsEntry>,
        fence: Option<&crate::lease::Fence>,
    ) -> StoreResult<SyncStats> {
        let mut known = self.known.lock().await;
        if known.is_none() {
            let mut map = HashMap::new();
            crate::projection::scan_all::<PointsEntry>(store, |e| {
                map.insert(e.id.clone(), e.points);
            })
            .await?;
            *known = Some(map);
        }
        let map = known.as_mut().expect("loaded above");
        let changed: Vec<PointsEntry> = expected.into_iter().filter(|e| map.get(&e.id) != Some(&e.points)).collect();
        let stats = SyncStats { expected: map.len() as u64, written: changed.len() as u64 };
        for chunk in changed.chunks(5_000) {
            if let Some(fence) = fence {
                fence.check().await?;
            }
            store.upsert_all(chunk).await?;
            for e in chunk {
                map.insert(e.id.clone(), e.points);
            }
        }
        Ok(stats)
    }

    /// Forgets what it knew of the ledger (another replica wrote it meanwhile): the next sync
    /// reads it again.
    pub async fn forget(&self) {
        *self.known.lock().await = None;
    }

    /// Records entries written elsewhere (a live receipt), so later syncs skip them. Returns
    /// what they changed (new entries, and the difference of changed ones), or `None` before
    /// the first sync (nothing known to compare with).
    pub async fn remember(&self, entries: &[PointsEntry]) -> Option<Vec<PointsEntry>> {
        let mut known = self.known.lock().await;
        let map = known.as_mut()?;
        let mut changes = Vec::new();
        for e in entries {
            let before = map.insert(e.id.clone(), e.points).unwrap_or(0);
            if e.points != before {
                changes.push(PointsEntry { points: e.points - before, ..e.clone() });
            }
        }
        Some(changes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::projection::dataset::DatasetBuilder;
    use crate::store::model::{Receipt, SalesLine};

    fn data() -> Dataset {
        let mut b = DatasetBuilder::new();
        // Card A: five promotion lines over two receipts in March 2026 (Promo5 completed on the
        // 12th); 10,99 and 5,00 net. Card B: one receipt, no promotion.
        let receipt = |id: &str, day: &str, card: &str, net: i64| Receipt {
            id: id.into(),
            shop_id: "S1".into(),
            issued_at: format!("{day}T10:00:00"),
            till: "1".into(),
            number: id.into(),
            card_number: Some(card.into()),
            gross_cents: net,
            discount_cents: 0,
            net_cents: net,
        };
        b.add_receipt(&receipt("R1", "2026-03-05", "A", 1099));
        b.add_receipt(&receipt("R2", "2026-03-12", "A", 500));
        b.add_receipt(&receipt("R3", "2026-03-12", "B", 250));
        let line = |r: &str, n: i64, promo: bool| SalesLine {
            id: SalesLine::key(r, n),
            receipt_id: r.into(),
            line_no: n,
            product_id: format!("P{n}"),
            department_id: None,
            quantity_milli: 1000,
            gross_cents: 100,
            discount_cents: 0,
            net_cents: 100,
            promotion_id: promo.then(|| "X".to_string()),
        };
        for n in 1..=3 {
            b.add_line(&line("R1", n, true));
        }
        for n in 1..=2 {
            b.add_line(&line("R2", n, true));
        }
        b.add_line(&line("R3", 1, false));
        b.finish()
    }

    #[test]
    fn points_per_receipt_and_challenge_rewards_once() {
        let d = data();
        let march = crate::clock::month_of(crate::clock::parse_day("2026-03-01").unwrap());
        let entries = expected_entries(&d, 2, march);
        let get = |id: &str| entries.iter().find(|e| e.id == id).map(|e| (e.card_number.as_str(), e.points));
        assert_eq!(get("earn:R1"), Some(("A", 10 + 2 * 3)), "10,99 -> 10 points + 3 promotion lines");
        assert_eq!(get("earn:R2"), Some(("A", 5 + 2 * 2)));
        assert_eq!(get("earn:R3"), Some(("B", 2)));
        assert_eq!(get("challenge:promo_5:2026-03:A"), Some(("A", 40)));
        let reward = entries.iter().find(|e| e.id == "challenge:promo_5:2026-03:A").unwrap();
        assert_eq!(reward.created_at, "2026-03-12T23:59:59");
        assert_eq!(entries.iter().filter(|e| e.kind == "challenge").count(), 1, "B completed nothing");
        // Another month's challenges are not credited; the same data gives the same keys.
        assert!(expected_entries(&d, 2, march + 1).iter().all(|e| e.kind == "earn"));
        let again: Vec<String> = expected_entries(&d, 2, march).into_iter().map(|e| e.id).collect();
        assert_eq!(again, entries.iter().map(|e| e.id.clone()).collect::<Vec<_>>());
    }

    #[test]
    fn month_days_cover_the_month() {
        let m = crate::clock::month_of(crate::clock::parse_day("2024-02-10").unwrap());
        let (first, last) = month_days(m);
        assert_eq!(
            (crate::clock::day_iso(first), crate::clock::day_iso(last)),
            ("2024-02-01".to_string(), "2024-02-29".to_string())
        );
    }
}
