//! One cardholder's history in figures, shared by the admin's customer 360 view and the
//! shopper's own `/me`: spend per month and department mix, from the card's receipts.

use std::collections::HashMap;

use app::model::analytics::{GroupRow, SeriesPoint};

use super::dataset::{month_label, month_of, Dataset, NO_DEPARTMENT};

/// Net spend and receipts per month for the 12 months ending with `end_month` (a month index,
/// see [`month_of`]); months without receipts are zero.
pub fn monthly(data: &Dataset, receipts: &[u32], end_month: i32) -> Vec<SeriesPoint> {
    let r = &data.receipts;
    let mut per_month: HashMap<i32, (i64, u32)> = HashMap::new();
    for i in receipts {
        let m = month_of(r.day[*i as usize]);
        if m > end_month - 12 && m <= end_month {
            let e = per_month.entry(m).or_default();
            e.0 += r.net[*i as usize];
            e.1 += 1;
        }
    }
    ((end_month - 11)..=end_month)
        .map(|m| {
            let (net, n) = per_month.get(&m).copied().unwrap_or_default();
            SeriesPoint { start: month_label(m), revenue_cents: net, receipts: n }
        })
        .collect()
}

/// Revenue, receipts, quantity and share per department over the receipts' lines, biggest
/// first (lines without a department under "—").
pub fn departments(data: &Dataset, receipts: &[u32]) -> Vec<GroupRow> {
    let (r, l) = (&data.receipts, &data.lines);
    let mut dept: HashMap<u16, (i64, i64, u32)> = HashMap::new();
    let mut total = 0i64;
    for i in receipts {
        let mut seen: Vec<u16> = Vec::new();
        for k in r.lines(*i as usize) {
            let d = l.department[k];
            let e = dept.entry(d).or_default();
            e.0 += i64::from(l.net[k]);
            e.1 += i64::from(l.quantity[k]);
            total += i64::from(l.net[k]);
            if !seen.contains(&d) {
                seen.push(d);
                e.2 += 1;
            }
        }
    }
    let mut rows: Vec<GroupRow> = dept
        .into_iter()
        .map(|(d, (net, qty, n))| {
            let (id, name) = if d == NO_DEPARTMENT {
                (String::new(), "—".to_string())
            } else {
                (data.departments.value(u32::from(d)).to_string(), data.department_names[d as usize].to_string())
            };
            GroupRow { id, name, revenue_cents: net, receipts: n, quantity_milli: qty, share_bp: if total == 0 { 0 } else { net * 10_000 / total } }
        })
        .collect();
    rows.sort_by(|a, b| b.revenue_cents.cmp(&a.revenue_cents).then_with(|| a.id.cmp(&b.id)));
    rows
}
