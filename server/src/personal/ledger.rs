//! The persisted points ledger, derived from the imported receipts: one `earn:<receipt>` entry
//! per receipt with a card (1 point per whole euro of net spend, plus the bonus for each line on
//! promotion) and one `challenge:<kind>:<month>:<card>` entry per completed monthly challenge.
//! Keys make every award idempotent: re-importing never awards twice, and a corrected receipt
//! corrects its entry. Manual adjustments (`adjust:…`) are never touched. The sync only writes
//! entries that are missing or differ, and never deletes.

use std::collections::HashMap;

use app::model::levels::base_points;
use app::model::personal::ChallengeKind;

use crate::analytics::dataset::{day_iso, Dataset, NONE};
use crate::store::model::PointsEntry;
use crate::store::{Store, StoreExt, StoreResult};

use super::rewards;

/// Default bonus points per line on promotion.
pub const DEFAULT_PROMO_BONUS: i64 = 2;

/// The entries the data calls for, by id.
pub fn expected_entries(data: &Dataset, promo_bonus: i64, challenge_month: i32) -> Vec<PointsEntry> {
    let r = &data.receipts;
    let l = &data.lines;
    let mut out = Vec::new();
    for i in 0..r.len() {
        let c = r.card[i];
        if c == NONE || data.cards.anonymised[c as usize] {
            continue;
        }
        let promo_lines = r.lines(i).filter(|k| l.promotion[*k] != 0).count() as i64;
        let points = i64::from(base_points(r.net[i])) + promo_bonus * promo_lines;
        out.push(PointsEntry {
            id: format!("earn:{}", r.id[i]),
            card_number: data.cards.number.value(c).to_string(),
            points,
            kind: "earn".into(),
            reason: (promo_lines > 0).then(|| format!("{promo_lines} promotion lines")),
            receipt_id: Some(r.id[i].to_string()),
            created_at: format!("{}T{:02}:{:02}:00", day_iso(r.day[i]), r.minute[i] / 60, r.minute[i] % 60),
            created_by: None,
        });
    }
    // Challenges of the given month, for the cardholders who shopped in it.
    let (first, last) = month_days(challenge_month);
    let start = r.day.partition_point(|d| *d < first);
    let end = r.day.partition_point(|d| *d <= last);
    let mut cards: Vec<u32> = r.card[start..end].iter().copied().filter(|c| *c != NONE).collect();
    cards.sort_unstable();
    cards.dedup();
    for c in cards {
        let visits = super::visits(data, c);
        for ch in rewards::challenges(&visits, challenge_month) {
            let Some(done) = ch.completed_on else { continue };
            out.push(PointsEntry {
                id: format!("challenge:{}:{}:{}", ch.kind.code(), ch.month, data.cards.number.value(c)),
                card_number: data.cards.number.value(c).to_string(),
                points: ch.reward,
                kind: "challenge".into(),
                reason: Some(format!("{} {}", ch.kind.code(), ch.month)),
                receipt_id: None,
                created_at: format!("{done}T23:59:59"),
                created_by: None,
            });
        }
    }
    let _ = ChallengeKind::ALL;
    out
}

/// First and last day of a month index.
pub fn month_days(month: i32) -> (i32, i32) {
    use app::validate::date::SimpleDate;
    let (y, m) = (month.div_euclid(12), month.rem_euclid(12) as u32 + 1);
    let first = SimpleDate::new(y, m, 1).expect("valid month").days_since_epoch() as i32;
    let (ny, nm) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
    let next = SimpleDate::new(ny, nm, 1).expect("valid month").days_since_epoch() as i32;
    (first, next - 1)
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
    pub async fn sync(&self, store: &dyn Store, expected: Vec<PointsEntry>) -> StoreResult<SyncStats> {
        let mut known = self.known.lock().await;
        if known.is_none() {
            let mut map = HashMap::new();
            crate::analytics::scan_all::<PointsEntry>(store, |e| {
                map.insert(e.id.clone(), e.points);
            })
            .await?;
            *known = Some(map);
        }
        let map = known.as_mut().expect("loaded above");
        let changed: Vec<PointsEntry> = expected.into_iter().filter(|e| map.get(&e.id) != Some(&e.points)).collect();
        let stats = SyncStats { expected: map.len() as u64, written: changed.len() as u64 };
        for chunk in changed.chunks(5_000) {
            store.upsert_all(chunk).await?;
            for e in chunk {
                map.insert(e.id.clone(), e.points);
            }
        }
        Ok(stats)
    }
}
