//! Granting an offer's reward on a receipt exactly once, within the shopper's limit and the
//! campaign's budget, on either store, from any number of replicas at once — without
//! multi-document transactions.
//!
//! Both limits are atomic counters of the store (`add_to_counter`: every concurrent caller sees
//! a different value). A grant
//! 1. stops if the receipt's entry (`offer:<campaign>:<receipt>`) or voucher exists;
//! 2. adds 1 to the shopper's counter — over the limit, it takes the 1 back and stops;
//! 3. adds the reward to the budget counter — over the budget, it takes both back and stops
//!    (a reward is never cut to fit);
//! 4. inserts the entry (or the voucher) under its key: a duplicate means another request
//!    granted this receipt first, and this one takes both back.
//!
//! So the rewards written never exceed the budget or the limit whatever the interleaving; a
//! process that dies between 3 and 4 leaves its reservation counted (the campaign may end a
//! reward short of its budget, never over it).

use crate::store::model::{PointsEntry, Voucher};
use crate::store::{Store, StoreError, StoreExt, StoreResult, Table};

use super::offer::{entry_id, Reward};

/// The counters' window: never pruned (the login limits' hourly windows are).
pub const WINDOW: &str = "campaigns";

/// The counter of what a campaign granted (points, or cents for a voucher offer).
pub fn budget_counter(campaign: &str) -> String {
    format!("offer-budget:{campaign}")
}

/// The counter of a shopper's rewards from a campaign.
pub fn shopper_counter(campaign: &str, card: &str) -> String {
    format!("offer-shopper:{campaign}:{card}")
}

/// The counter of a campaign's activations.
pub fn activations_counter(campaign: &str) -> String {
    format!("offer-activated:{campaign}")
}

/// A counter's value without moving it (0 before the first grant).
pub async fn counter(store: &dyn Store, id: &str) -> StoreResult<i64> {
    store.counter_value(id).await
}

/// One grant asked for.
#[derive(Clone, Debug)]
pub struct Grant<'a> {
    pub campaign: &'a str,
    /// The campaign's name: the movement's reason.
    pub name: &'a str,
    pub card: &'a str,
    pub receipt: &'a str,
    /// When the receipt was issued (the entry's date).
    pub issued_at: &'a str,
    pub reward: Reward,
    pub budget: i64,
    pub per_shopper_limit: i64,
    /// Days a voucher stays valid.
    pub voucher_days: i64,
}

/// What a grant did.
#[derive(Clone, Debug, PartialEq)]
pub enum Granted {
    /// Written now: the points entry, or the voucher.
    Points(PointsEntry),
    Voucher(Box<Voucher>),
    /// The receipt had it already.
    Already,
    LimitReached,
    BudgetReached,
}

/// The voucher code of a campaign's reward on a receipt: derived from both, so a retry finds
/// the voucher it issued instead of issuing another.
pub fn voucher_code(campaign: &str, receipt: &str) -> String {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(entry_id(campaign, receipt).as_bytes());
    let mut n = 0u64;
    for b in &digest[..8] {
        n = (n << 8) | u64::from(*b);
    }
    app::validate::ean13::voucher_code(n % 10_000_000_000).unwrap_or_default()
}

/// Grants `g` (see the module's steps).
pub async fn grant(store: &dyn Store, g: &Grant<'_>) -> StoreResult<Granted> {
    let id = entry_id(g.campaign, g.receipt);
    let code = voucher_code(g.campaign, g.receipt);
    let amount = if g.reward.voucher_cents > 0 { g.reward.voucher_cents } else { g.reward.points };
    if amount <= 0 {
        return Ok(Granted::Already);
    }
    let exists = if g.reward.voucher_cents > 0 {
        store.get(Table::Vouchers, &code).await?.is_some()
    } else {
        store.get(Table::PointsLedger, &id).await?.is_some()
    };
    if exists {
        return Ok(Granted::Already);
    }
    let shopper = shopper_counter(g.campaign, g.card);
    if store.add_to_counter(&shopper, WINDOW, 1).await? > g.per_shopper_limit {
        store.add_to_counter(&shopper, WINDOW, -1).await?;
        return Ok(Granted::LimitReached);
    }
    let budget = budget_counter(g.campaign);
    if store.add_to_counter(&budget, WINDOW, amount).await? > g.budget {
        store.add_to_counter(&budget, WINDOW, -amount).await?;
        store.add_to_counter(&shopper, WINDOW, -1).await?;
        return Ok(Granted::BudgetReached);
    }
    let written = if g.reward.voucher_cents > 0 {
        let voucher = Voucher {
            id: code,
            card_number: g.card.to_string(),
            reward_id: id,
            kind: app::model::rewards::RewardKind::Voucher.code().to_string(),
            title_it: format!("Buono {}", app::format::euros(g.reward.voucher_cents, app::i18n::Lang::It)),
            title_en: format!("Voucher {}", app::format::euros(g.reward.voucher_cents, app::i18n::Lang::En)),
            value_cents: Some(g.reward.voucher_cents),
            ean: None,
            cause: None,
            points: 0,
            status: "active".into(),
            issued_at: g.issued_at.to_string(),
            expires_at: voucher_expiry(g.issued_at, g.voucher_days),
            used_at: None,
            receipt_id: None,
            cancelled_at: None,
        };
        store.insert_one(&voucher).await.map(|()| Granted::Voucher(Box::new(voucher)))
    } else {
        let entry = PointsEntry {
            id,
            card_number: g.card.to_string(),
            points: g.reward.points,
            kind: "offer".into(),
            reason: Some(g.name.to_string()),
            receipt_id: Some(g.receipt.to_string()),
            created_at: g.issued_at.to_string(),
            created_by: None,
        };
        store.insert_one(&entry).await.map(|()| Granted::Points(entry))
    };
    match written {
        Ok(done) => Ok(done),
        Err(e) => {
            store.add_to_counter(&budget, WINDOW, -amount).await?;
            store.add_to_counter(&shopper, WINDOW, -1).await?;
            match e {
                StoreError::Duplicate { .. } => Ok(Granted::Already),
                other => Err(other),
            }
        }
    }
}

/// The end of a voucher's validity: `days` after it was issued, at the end of that day.
fn voucher_expiry(issued_at: &str, days: i64) -> String {
    let day = crate::clock::parse_day(issued_at).unwrap_or_else(crate::clock::today);
    format!("{}T23:59:59Z", crate::clock::day_iso(day + days as i32))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn voucher_codes_are_fixed_per_campaign_and_receipt_and_valid() {
        let a = voucher_code("C0001", "S01-20261201-1-0042");
        assert_eq!(a, voucher_code("C0001", "S01-20261201-1-0042"));
        assert_ne!(a, voucher_code("C0002", "S01-20261201-1-0042"));
        assert_ne!(a, voucher_code("C0001", "S01-20261201-1-0043"));
        assert_eq!(a.len(), 13);
        assert!(app::validate::ean13::is_valid(&a), "{a}");
    }

    #[test]
    fn a_voucher_lasts_its_days_to_the_end_of_the_last() {
        assert_eq!(voucher_expiry("2026-12-01T18:04:00", 30), "2026-12-31T23:59:59Z");
    }
}
