//! Per-day sums of the sales lines, so the promotions widget over a long window reads a few
//! entries per day instead of every line: what each promotion sold each day, which products
//! it sold, and what every product sold without a promotion. Built with the projection and
//! recomputed from the first changed day when receipts are appended; filters on stores,
//! cardholders or lines still scan (the sums are over everything).

use std::collections::{BTreeMap, BTreeSet};

use super::dataset::Dataset;

/// One promotion's sales on one day.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PromoSold {
    pub day: i32,
    /// Promotion index + 1, as in the line columns.
    pub promo: u16,
    pub net: i64,
    pub discount: i64,
    pub receipts: u32,
}

/// The per-day sums, each list sorted by day.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct DailySums {
    /// Per day and promotion.
    pub sold: Vec<PromoSold>,
    /// (day, product, promotion): a product sold under a promotion that day.
    pub under: Vec<(i32, u32, u16)>,
    /// (day, product, net): a product's lines without a promotion that day.
    pub plain: Vec<(i32, u32, i64)>,
}

impl DailySums {
    /// The entries of days `from..=to` of a list sorted by day.
    pub fn days<T>(list: &[T], day: impl Fn(&T) -> i32, from: i32, to: i32) -> &[T] {
        let start = list.partition_point(|e| day(e) < from);
        let end = list.partition_point(|e| day(e) <= to);
        &list[start..end.max(start)]
    }

    /// Drops the days from `day` on and adds them again from `data` (whose receipts from that
    /// day on are final).
    pub fn redo_from(&mut self, data: &Dataset, day: i32) {
        self.sold.truncate(self.sold.partition_point(|e| e.day < day));
        self.under.truncate(self.under.partition_point(|e| e.0 < day));
        self.plain.truncate(self.plain.partition_point(|e| e.0 < day));
        let r = &data.receipts;
        let l = &data.lines;
        let start = r.day.partition_point(|d| *d < day);
        let mut i = start;
        while i < r.len() {
            let d = r.day[i];
            let mut sold: BTreeMap<u16, PromoSold> = BTreeMap::new();
            let mut under: BTreeSet<(u32, u16)> = BTreeSet::new();
            let mut plain: BTreeMap<u32, i64> = BTreeMap::new();
            while i < r.len() && r.day[i] == d {
                for k in r.lines(i) {
                    let p = l.promotion[k];
                    let net = i64::from(l.net[k]);
                    if p == 0 {
                        *plain.entry(l.product[k]).or_default() += net;
                        continue;
                    }
                    let s = sold.entry(p).or_insert(PromoSold { day: d, promo: p, ..PromoSold::default() });
                    s.net += net;
                    s.discount += i64::from(l.discount[k]);
                    // A receipt counts once per promotion (its lines of one promotion may not
                    // be next to each other).
                    if !r.lines(i).take_while(|&j| j < k).any(|j| l.promotion[j] == p) {
                        s.receipts += 1;
                    }
                    under.insert((l.product[k], p));
                }
                i += 1;
            }
            self.sold.extend(sold.into_values());
            self.under.extend(under.into_iter().map(|(product, p)| (d, product, p)));
            self.plain.extend(plain.into_iter().map(|(product, net)| (d, product, net)));
        }
    }
}
