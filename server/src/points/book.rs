//! The points programme's book for the dashboard: points flows per day, what cardholders hold,
//! and every voucher with its fate, loaded in one pass over the ledger, the vouchers and the
//! catalogue and kept in memory, so the dashboard and its exports never scan the store per
//! request. It is loaded whole after a projection build that changed the ledger and every five
//! minutes (other replicas' changes); between loads this process's own changes (a redemption, a
//! cancellation, a voucher used at a till, a live receipt's points, an adjustment) are added to
//! it as they happen, each exactly once, so it costs nothing per change.

use std::collections::{BTreeMap, HashMap};

use app::model::rewards::{PointsFlows, PointsMonth, PointsProgramme, RewardKind, RewardVouchers};

use crate::clock::{month_label, month_of, parse_day};
use crate::store::model::{PointsEntry, Reward, Voucher};
use crate::store::{Store, StoreResult};

/// One voucher as the book keeps it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VoucherRow {
    pub code: String,
    pub card_number: String,
    pub reward_id: String,
    pub kind: String,
    pub title_it: String,
    pub title_en: String,
    pub value_cents: Option<i64>,
    pub points: i64,
    /// As shown: `active`, `used`, `expired`, `cancelled`, `donated`.
    pub status: String,
    pub issued_at: String,
    pub expires_at: String,
    pub used_at: Option<String>,
    pub receipt_id: Option<String>,
}

/// The flow an entry is, by its key's kind.
pub fn flow_of(e: &PointsEntry) -> PointsFlows {
    let kind = e.id.split(':').next().unwrap_or_default();
    let p = e.points;
    let mut f = PointsFlows::default();
    match kind {
        "earn" if p < 0 => f.taken_back = -p,
        "earn" | "challenge" | "offer" => f.earned = p,
        "redeem" | "refund" => f.redeemed = -p,
        "expire" => f.expired = -p,
        _ => f.adjusted = p,
    }
    f
}

/// The best rate (value per point) among voucher rewards: active ones if any, else any.
pub fn catalogue_rate(rewards: &[Reward]) -> Option<(i64, i64)> {
    let vouchers = |active: bool| {
        rewards
            .iter()
            .filter(move |r| r.kind == RewardKind::Voucher.code() && r.points > 0 && (!active || r.status == "active"))
            .filter_map(|r| Some((r.value_cents?, r.points)))
    };
    let best = |it: &mut dyn Iterator<Item = (i64, i64)>| {
        it.max_by(|a, b| (i128::from(a.0) * i128::from(b.1)).cmp(&(i128::from(b.0) * i128::from(a.1))))
    };
    best(&mut vouchers(true)).or_else(|| best(&mut vouchers(false)))
}

/// The book.
#[derive(Clone, Debug, Default)]
pub struct PointsBook {
    /// When it was loaded (RFC 3339).
    pub as_of: String,
    /// Flows per day number.
    pub days: BTreeMap<i32, PointsFlows>,
    /// Points held: the sum of positive balances.
    pub outstanding: i64,
    /// Each card's balance.
    balances: HashMap<String, i64>,
    /// Every voucher (pending and void ones left out), by issue time and code.
    vouchers: BTreeMap<(String, String), VoucherRow>,
    /// Issue time of each voucher, by code.
    issued: HashMap<String, String>,
    /// The best voucher rate of the catalogue: (cents, points).
    pub rate: Option<(i64, i64)>,
}

/// The book's row of a voucher as shown at `now`.
fn row(v: Voucher, now: &str) -> VoucherRow {
    VoucherRow {
        status: super::redeem::shown_status(&v, now),
        code: v.id,
        card_number: v.card_number,
        reward_id: v.reward_id,
        kind: v.kind,
        title_it: v.title_it,
        title_en: v.title_en,
        value_cents: v.value_cents,
        points: v.points,
        issued_at: v.issued_at,
        expires_at: v.expires_at,
        used_at: v.used_at,
        receipt_id: v.receipt_id,
    }
}

impl PointsBook {
    /// Builds the book from the ledger `entries`, `vouchers` and `rewards`, at `now`.
    pub fn build(
        entries: impl IntoIterator<Item = PointsEntry>,
        vouchers: Vec<Voucher>,
        rewards: &[Reward],
        now: &str,
    ) -> PointsBook {
        let mut book = PointsBook { as_of: now.to_string(), rate: catalogue_rate(rewards), ..PointsBook::default() };
        for e in entries {
            book.add_entry(&e);
        }
        for v in vouchers {
            book.put_voucher(v, now);
        }
        book
    }

    /// Adds a ledger entry (new, or the change of one: `points` is then the difference).
    pub fn add_entry(&mut self, e: &PointsEntry) {
        let balance = self.balances.entry(e.card_number.clone()).or_default();
        let before = *balance;
        *balance += e.points;
        self.outstanding += (*balance).max(0) - before.max(0);
        if let Some(day) = parse_day(&e.created_at) {
            self.days.entry(day).or_default().add(&flow_of(e));
        }
    }

    /// Adds or replaces a voucher (pending and void ones are left out).
    pub fn put_voucher(&mut self, v: Voucher, now: &str) {
        if let Some(at) = self.issued.remove(&v.id) {
            self.vouchers.remove(&(at, v.id.clone()));
        }
        if matches!(v.status.as_str(), "pending" | "void") {
            return;
        }
        self.issued.insert(v.id.clone(), v.issued_at.clone());
        self.vouchers.insert((v.issued_at.clone(), v.id.clone()), row(v, now));
    }

    /// Vouchers in the book.
    pub fn voucher_count(&self) -> usize {
        self.vouchers.len()
    }

    /// Marks voucher `code` used by `receipt_id` at `at`, if the book has it.
    pub fn voucher_used(&mut self, code: &str, receipt_id: &str, at: &str) {
        if let Some(issued) = self.issued.get(code) {
            if let Some(r) = self.vouchers.get_mut(&(issued.clone(), code.to_string())) {
                r.status = "used".into();
                r.receipt_id = Some(receipt_id.to_string());
                r.used_at = Some(at.to_string());
            }
        }
    }

    /// Loads the book from `store`.
    pub async fn load(store: &dyn Store) -> StoreResult<PointsBook> {
        let now = crate::clock::now_rfc3339();
        let mut book = PointsBook { as_of: now.clone(), ..PointsBook::default() };
        crate::projection::scan_all::<PointsEntry>(store, |e| book.add_entry(e)).await?;
        let mut vouchers = Vec::new();
        crate::projection::scan_all::<Voucher>(store, |v| vouchers.push(v.clone())).await?;
        for v in vouchers {
            book.put_voucher(v, &now);
        }
        let mut rewards = Vec::new();
        crate::projection::scan_all::<Reward>(store, |r| rewards.push(r.clone())).await?;
        book.rate = catalogue_rate(&rewards);
        Ok(book)
    }

    /// The vouchers issued from day `from` to day `to` (inclusive).
    pub fn vouchers_in(&self, from: i32, to: i32) -> impl Iterator<Item = &VoucherRow> {
        let (first, last) = (crate::clock::day_iso(from), crate::clock::day_iso(to + 1));
        self.vouchers.range((first, String::new())..(last, String::new())).map(|(_, v)| v)
    }

    /// Flows per month from day `from` to day `to` (every month of the period, quiet ones too).
    pub fn months(&self, from: i32, to: i32) -> Vec<PointsMonth> {
        let mut months: BTreeMap<i32, PointsFlows> =
            (month_of(from)..=month_of(to)).map(|m| (m, Default::default())).collect();
        for (day, f) in self.days.range(from..=to) {
            months.entry(month_of(*day)).or_default().add(f);
        }
        months.into_iter().map(|(m, flows)| PointsMonth { month: month_label(m), flows }).collect()
    }

    /// Vouchers issued in the period per reward, most issued first.
    pub fn by_reward(&self, from: i32, to: i32) -> Vec<RewardVouchers> {
        let mut map: BTreeMap<&str, RewardVouchers> = BTreeMap::new();
        for v in self.vouchers_in(from, to) {
            let r = map.entry(&v.reward_id).or_insert_with(|| RewardVouchers {
                reward_id: v.reward_id.clone(),
                title_it: v.title_it.clone(),
                title_en: v.title_en.clone(),
                ..RewardVouchers::default()
            });
            r.issued += 1;
            match v.status.as_str() {
                "used" => r.used += 1,
                "donated" => r.donated += 1,
                "active" => r.active += 1,
                "expired" => r.expired += 1,
                _ => r.cancelled += 1,
            }
            if v.status != "cancelled" {
                r.points += v.points;
            }
        }
        let mut rows: Vec<RewardVouchers> = map.into_values().collect();
        rows.sort_by(|a, b| b.issued.cmp(&a.issued).then_with(|| a.reward_id.cmp(&b.reward_id)));
        rows
    }

    /// The programme's figures for the period from day `from` to day `to`.
    pub fn programme(&self, from: i32, to: i32) -> PointsProgramme {
        let mut period = PointsFlows::default();
        for f in self.days.range(from..=to).map(|(_, f)| f) {
            period.add(f);
        }
        let share = |part: i64| (period.earned > 0).then(|| part * 10_000 / period.earned);
        PointsProgramme {
            as_of: self.as_of.clone(),
            outstanding: self.outstanding,
            liability_cents: self.rate.map(|(cents, points)| {
                (i128::from(self.outstanding) * i128::from(cents) / i128::from(points.max(1))) as i64
            }),
            rate: self.rate,
            redemption_rate_bp: share(period.redeemed),
            breakage_bp: share(period.expired),
            period,
            months: self.months(from, to),
            by_reward: self.by_reward(from, to),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(id: &str, card: &str, points: i64, at: &str) -> PointsEntry {
        PointsEntry {
            id: id.into(),
            card_number: card.into(),
            points,
            kind: String::new(),
            reason: None,
            receipt_id: None,
            created_at: at.into(),
            created_by: None,
        }
    }

    fn voucher(code: &str, reward: &str, status: &str, issued: &str, expires: &str) -> Voucher {
        Voucher {
            id: code.into(),
            card_number: "A".into(),
            reward_id: reward.into(),
            kind: "voucher".into(),
            title_it: format!("Premio {reward}"),
            title_en: format!("Reward {reward}"),
            value_cents: Some(1_000),
            ean: None,
            cause: None,
            points: 1_000,
            status: status.into(),
            issued_at: issued.into(),
            expires_at: expires.into(),
            used_at: None,
            receipt_id: None,
            cancelled_at: None,
        }
    }

    fn reward(id: &str, kind: &str, value: i64, points: i64, status: &str) -> Reward {
        Reward {
            id: id.into(),
            kind: kind.into(),
            title_it: id.into(),
            title_en: id.into(),
            description_it: String::new(),
            description_en: String::new(),
            points,
            value_cents: Some(value),
            ean: None,
            cause: None,
            stock: None,
            issued: 0,
            valid_from: None,
            valid_to: None,
            min_level: "bronze".into(),
            monthly_limit: None,
            status: status.into(),
            version: 0,
            created_at: String::new(),
            updated_at: String::new(),
        }
    }

    #[test]
    fn the_book_adds_up_a_hand_computed_ledger() {
        // Card A: +2,500 in March, −1,000 redeemed in April, +1,000 back (cancelled) in April,
        // −1,000 redeemed in April, −23 of a return in May, −77 expired in May, +50 adjusted.
        // Card B: +40 then a return of −60 (a balance of −20: not outstanding).
        let entries = vec![
            entry("earn:R1", "A", 2_500, "2026-03-10T10:00:00"),
            entry("redeem:V1", "A", -1_000, "2026-04-01T10:00:00Z"),
            entry("refund:V1", "A", 1_000, "2026-04-02T10:00:00Z"),
            entry("redeem:V2", "A", -1_000, "2026-04-03T10:00:00Z"),
            entry("earn:R2", "A", -23, "2026-05-01T10:00:00"),
            entry("expire:2025-12-31:A", "A", -77, "2026-05-01T23:59:59"),
            entry("adjust:x", "A", 50, "2026-05-02T10:00:00Z"),
            entry("earn:R3", "B", 40, "2026-03-11T10:00:00"),
            entry("earn:R4", "B", -60, "2026-03-12T10:00:00"),
        ];
        let vouchers = vec![
            voucher("V1", "r10", "cancelled", "2026-04-01T10:00:00Z", "2026-05-31T10:00:00Z"),
            voucher("V2", "r10", "used", "2026-04-03T10:00:00Z", "2026-06-02T10:00:00Z"),
            voucher("V3", "r10", "active", "2026-04-04T10:00:00Z", "2026-04-30T10:00:00Z"),
            voucher("V4", "r5", "active", "2026-04-05T10:00:00Z", "2026-12-31T10:00:00Z"),
            voucher("V5", "r5", "void", "2026-04-05T10:00:00Z", "2026-12-31T10:00:00Z"),
        ];
        // Rates: 10 € for 1,000 points (1 cent a point) and 25 € for 2,000 (1.25): the best
        // active one is 25 €/2,000; the paused 50 €/2,000 does not count.
        let rewards = vec![
            reward("r10", "voucher", 1_000, 1_000, "active"),
            reward("r25", "voucher", 2_500, 2_000, "active"),
            reward("r50", "voucher", 5_000, 2_000, "paused"),
            reward("d", "donation", 10_000, 100, "active"),
        ];
        let book = PointsBook::build(entries, vouchers, &rewards, "2026-05-15T00:00:00Z");
        // A: 2,500 − 1,000 + 1,000 − 1,000 − 23 − 77 + 50 = 1,450; B: −20 (left out).
        assert_eq!(book.outstanding, 1_450);
        let (from, to) = (parse_day("2026-03-01").unwrap(), parse_day("2026-05-31").unwrap());
        let p = book.programme(from, to);
        assert_eq!(p.rate, Some((2_500, 2_000)));
        assert_eq!(p.liability_cents, Some(1_812), "1,450 × 1.25 cents, truncated");
        assert_eq!(p.period, PointsFlows { earned: 2_540, redeemed: 1_000, expired: 77, taken_back: 83, adjusted: 50 });
        assert_eq!(p.redemption_rate_bp, Some(3_937), "1,000 / 2,540");
        assert_eq!(p.breakage_bp, Some(303), "77 / 2,540");
        let months: Vec<(&str, i64, i64)> =
            p.months.iter().map(|m| (m.month.as_str(), m.flows.earned, m.flows.redeemed)).collect();
        assert_eq!(months, [("2026-03", 2_540, 0), ("2026-04", 0, 1_000), ("2026-05", 0, 0)]);
        // Vouchers: r10 issued 3 (1 cancelled, 1 used, 1 expired on 2026-04-30), r5 1 active.
        let r10 = &p.by_reward[0];
        assert_eq!(
            (r10.reward_id.as_str(), r10.issued, r10.used, r10.expired, r10.cancelled, r10.points),
            ("r10", 3, 1, 1, 1, 2_000)
        );
        assert_eq!(r10.used_bp(), 3_333);
        assert_eq!((p.by_reward[1].issued, p.by_reward[1].active), (1, 1));
        // A period with nothing earned has no rates.
        let quiet = book.programme(parse_day("2026-06-01").unwrap(), parse_day("2026-06-30").unwrap());
        assert_eq!((quiet.redemption_rate_bp, quiet.breakage_bp), (None, None));
        assert!(quiet.by_reward.is_empty());
    }
}
