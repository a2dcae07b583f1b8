//! The shopper's personal area: points ledger sync, badges and challenges, and the `/me`
//! queries. Everything per cardholder is read through the projection's per-card index
//! ([`crate::analytics::dataset::Dataset::receipts_of`]), never by scanning.

pub mod ledger;
pub mod privacy;
pub mod profile;
pub mod rewards;
pub mod service;

use crate::analytics::dataset::{Dataset, NO_DEPARTMENT};
use rewards::Visit;

/// Whether a department name means fruit and vegetables.
pub fn is_fruit_veg(name: &str) -> bool {
    let n = name.to_lowercase();
    n.contains("ortofrutta") || n.contains("frutta") || n.contains("verdur")
}

/// The visits of card `c` (time order) for badges and challenges.
pub fn visits(data: &Dataset, c: u32) -> Vec<Visit> {
    let fruit: Vec<bool> = data.department_names.iter().map(|n| is_fruit_veg(n)).collect();
    let r = &data.receipts;
    let l = &data.lines;
    data.receipts_of(c)
        .iter()
        .map(|i| {
            let i = *i as usize;
            let mut v = Visit { day: r.day[i], minute: r.minute[i], net_cents: r.net[i], ..Default::default() };
            for k in r.lines(i) {
                let d = l.department[k];
                if d != NO_DEPARTMENT {
                    if !v.departments.contains(&d) {
                        v.departments.push(d);
                    }
                    v.fruit_veg |= fruit[d as usize];
                }
                if l.promotion[k] != 0 {
                    v.promo_items += 1;
                    v.promo_saved_cents += i64::from(l.discount[k]);
                }
            }
            v
        })
        .collect()
}
