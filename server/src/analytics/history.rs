//! One cardholder's history in figures, shared by the admin's customer 360 view and the
//! shopper's own `/me`: spend per month and department mix, from the card's receipts.

use app::model::analytics::{GroupRow, SeriesPoint};

use crate::clock::{month_label, month_of};
use crate::projection::dataset::{Dataset, NO_DEPARTMENT};

/// Net spend and receipts per month for the 12 months ending with `end_month` (a month index,
/// see [`month_of`]); months without receipts are zero.
pub fn monthly(data: &Dataset, receipts: &[u32], end_month: i32) -> Vec<SeriesPoint> {
    let r = &data.receipts;
    let mut per_month = [(0i64, 0u32); 12];
    for i in receipts {
        let m = month_of(r.day[*i as usize]);
        if m > end_month - 12 && m <= end_month {
            let e = &mut per_month[(m - (end_month - 11)) as usize];
            e.0 += r.net[*i as usize];
            e.1 += 1;
        }
    }
    ((end_month - 11)..=end_month)
        .zip(per_month)
        .map(|(m, (net, n))| SeriesPoint { start: month_label(m), revenue_cents: net, receipts: n })
        .collect()
}

/// Revenue, receipts, quantity and share per department over the receipts' lines, biggest
/// first (lines without a department under "—").
pub fn departments(data: &Dataset, receipts: &[u32]) -> Vec<GroupRow> {
    let (r, l) = (&data.receipts, &data.lines);
    // (net, quantity, receipts) per department index; the last slot is "no department".
    let slots = data.department_names.len() + 1;
    let slot = |d: u16| if d == NO_DEPARTMENT { slots - 1 } else { usize::from(d) };
    let mut per: Vec<(i64, i64, u32)> = vec![(0, 0, 0); slots];
    let mut last_receipt: Vec<u32> = vec![u32::MAX; slots];
    let mut total = 0i64;
    for (n, i) in receipts.iter().enumerate() {
        for k in r.lines(*i as usize) {
            let s = slot(l.department[k]);
            let e = &mut per[s];
            e.0 += i64::from(l.net[k]);
            e.1 += i64::from(l.quantity[k]);
            total += i64::from(l.net[k]);
            if last_receipt[s] != n as u32 {
                last_receipt[s] = n as u32;
                e.2 += 1;
            }
        }
    }
    let dept = per
        .into_iter()
        .enumerate()
        .filter(|(_, e)| e.2 > 0)
        .map(|(s, e)| (if s == slots - 1 { NO_DEPARTMENT } else { s as u16 }, e));
    let mut rows: Vec<GroupRow> = dept
        .map(|(d, (net, qty, n))| {
            let (id, name) = if d == NO_DEPARTMENT {
                (String::new(), "—".to_string())
            } else {
                (data.departments.value(u32::from(d)).to_string(), data.department_names[d as usize].to_string())
            };
            GroupRow {
                id,
                name,
                revenue_cents: net,
                receipts: n,
                quantity_milli: qty,
                share_bp: if total == 0 { 0 } else { net * 10_000 / total },
            }
        })
        .collect();
    rows.sort_by(|a, b| b.revenue_cents.cmp(&a.revenue_cents).then_with(|| a.id.cmp(&b.id)));
    rows
}
