//! The dashboard's figures, each computed in one pass over a [`Selection`]. An empty selection
//! yields `None` KPIs and empty lists, so the page says "no data" instead of showing zeros.

use std::collections::{HashMap, HashSet};

use app::model::analytics::{
    BasketRow, CohortRow, GroupRow, HeatCell, Kpi, KpiKey, PromotionRow, Segment, SegmentRow, SeriesPoint, ShopRow,
};
use app::validate::date::SimpleDate;

use super::rfm::Rfm;
use super::selection::{add_into, Selection, Window};
use crate::clock::{day_iso, month_label, month_of};
use crate::projection::dataset::{NONE, NO_DEPARTMENT};

fn share_bp(part: i64, total: i64) -> i64 {
    if total == 0 {
        0
    } else {
        (i128::from(part) * 10_000 / i128::from(total)) as i64
    }
}

fn ratio(num: i64, den: i64) -> i64 {
    if den == 0 {
        0
    } else {
        (num as f64 / den as f64).round() as i64
    }
}

/// Totals of a selection, from which the KPIs derive.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Totals {
    pub receipts: u64,
    pub net: i64,
    pub discount: i64,
    pub lines: u64,
    pub loyalty_net: i64,
    pub promo_net: i64,
    pub lines_net: i64,
    pub active_cards: u64,
    pub new_cards: u64,
}

/// Sums the selection.
pub fn totals(sel: &Selection) -> Totals {
    let data = sel.data;
    let mut t = Totals::default();
    let mut seen = vec![false; data.cards.len()];
    sel.for_each(|i, hit| {
        t.receipts += 1;
        t.net += hit.net;
        t.discount += hit.discount;
        t.lines += u64::from(hit.lines);
        t.promo_net += hit.promo_net;
        t.lines_net += hit.lines_net;
        let c = data.receipts.card[i];
        if c != NONE {
            t.loyalty_net += hit.net;
            if !seen[c as usize] {
                seen[c as usize] = true;
                t.active_cards += 1;
            }
        }
    });
    t.new_cards = new_cardholders(sel);
    t
}

/// Cardholders who joined in the window: by enrolment date, or by first receipt when the
/// register has no date. A store filter applies to the enrolment store (else the first
/// receipt's store); the cardholder filters apply too.
pub fn new_cardholders(sel: &Selection) -> u64 {
    let data = sel.data;
    let c = &data.cards;
    let w = sel.window;
    let shops = sel.shop_mask();
    let mut n = 0;
    for i in 0..c.len() as u32 {
        if !sel.card_ok(i) {
            continue;
        }
        let (day, shop) = if c.enrolled_day[i as usize] != i32::MIN {
            (c.enrolled_day[i as usize], c.enrolment_shop[i as usize])
        } else if let Some(first) = data.receipts_of(i).first() {
            (data.receipts.day[*first as usize], data.receipts.shop[*first as usize])
        } else {
            continue;
        };
        if day < w.from || day > w.to {
            continue;
        }
        if let Some(m) = &shops {
            if shop == NONE || !m[shop as usize] {
                continue;
            }
        }
        n += 1;
    }
    n
}

/// The nine KPIs with their previous-period values.
pub fn kpis(sel: &Selection) -> Vec<Kpi> {
    let now = totals(sel);
    let before = totals(&sel.with_window(sel.window.previous()));
    KpiKey::ALL
        .into_iter()
        .map(|key| Kpi { key, value: kpi_value(key, &now), previous: kpi_value(key, &before) })
        .collect()
}

/// One KPI from totals; `None` without receipts.
pub fn kpi_value(key: KpiKey, t: &Totals) -> Option<i64> {
    if t.receipts == 0 {
        return match key {
            KpiKey::NewCardholders => Some(t.new_cards as i64),
            _ => None,
        };
    }
    let r = t.receipts as i64;
    Some(match key {
        KpiKey::Revenue => t.net,
        KpiKey::Receipts => r,
        KpiKey::AverageTicket => ratio(t.net, r),
        KpiKey::ItemsPerReceipt => {
            if t.lines == 0 {
                return None; // sales lines not imported for these receipts
            }
            ratio(t.lines as i64 * 1000, r)
        }
        KpiKey::ActiveCardholders => t.active_cards as i64,
        KpiKey::LoyaltyShare => share_bp(t.loyalty_net, t.net),
        KpiKey::NewCardholders => t.new_cards as i64,
        KpiKey::PromotionShare => {
            if t.lines == 0 {
                return None;
            }
            share_bp(t.promo_net, t.lines_net)
        }
        KpiKey::Discounts => t.discount,
    })
}

/// The bucket size for a window: days up to 62 days, weeks up to 366, else months.
pub fn granularity(w: Window) -> &'static str {
    let days = w.days();
    if days <= 62 {
        "day"
    } else if days <= 366 {
        "week"
    } else {
        "month"
    }
}

/// First day of the bucket holding `day`.
pub fn bucket_start(day: i32, granularity: &str) -> i32 {
    match granularity {
        "week" => day - (day + 3).rem_euclid(7),
        "month" => {
            let d = SimpleDate::from_days_since_epoch(i64::from(day));
            SimpleDate::new(d.year, d.month, 1).expect("day 1 exists").days_since_epoch() as i32
        }
        _ => day,
    }
}

/// Revenue and receipts per bucket; every bucket of the window is present (zero when nothing was
/// sold) unless the whole selection is empty.
pub fn series(sel: &Selection) -> (String, Vec<SeriesPoint>) {
    let g = granularity(sel.window);
    let mut buckets: Vec<(i32, i64, u32)> = Vec::new();
    let mut day = bucket_start(sel.window.from, g);
    while day <= sel.window.to {
        buckets.push((day, 0, 0));
        day = match g {
            "day" => day + 1,
            "week" => day + 7,
            _ => bucket_start(day + 31, g),
        };
    }
    let mut any = false;
    let days = &sel.data.receipts.day;
    sel.for_each(|i, hit| {
        any = true;
        let start = bucket_start(days[i], g);
        let pos = buckets.partition_point(|b| b.0 < start);
        if let Some(b) = buckets.get_mut(pos) {
            b.1 += hit.net;
            b.2 += 1;
        }
    });
    if !any {
        return (g.to_string(), Vec::new());
    }
    let points = buckets
        .into_iter()
        .map(|(d, revenue_cents, receipts)| SeriesPoint { start: day_iso(d), revenue_cents, receipts })
        .collect();
    (g.to_string(), points)
}

/// True when nothing but the window is selected: the per-day sums answer.
fn whole(sel: &Selection) -> bool {
    !sel.filters_cards() && !sel.filters_lines() && sel.shop_mask().is_none()
}

/// Revenue, quantity and receipts per group (department, product) of the selected lines.
struct Groups {
    revenue: Vec<i64>,
    qty: Vec<i64>,
    receipts: Vec<u32>,
    /// The last receipt counted per group (a receipt's lines come together).
    last: Vec<usize>,
    total: i64,
}

impl Groups {
    fn new(n: usize) -> Self {
        Groups { revenue: vec![0; n], qty: vec![0; n], receipts: vec![0; n], last: vec![usize::MAX; n], total: 0 }
    }

    fn add(&mut self, g: usize, receipt: usize, l: usize, data: &crate::projection::dataset::Dataset) {
        let net = i64::from(data.lines.net[l]);
        self.revenue[g] += net;
        self.total += net;
        self.qty[g] += i64::from(data.lines.quantity[l]);
        if self.last[g] != receipt {
            self.last[g] = receipt;
            self.receipts[g] += 1;
        }
    }

    /// From each group's running totals by day (see [`crate::projection::daily`]).
    fn from_running<'a>(lists: impl Iterator<Item = &'a Vec<crate::projection::daily::Running>>, w: Window) -> Self {
        let mut g = Groups::new(0);
        for list in lists {
            let sum = crate::projection::daily::window(list, w.from, w.to);
            g.revenue.push(sum.net);
            g.qty.push(sum.quantity);
            g.receipts.push(sum.receipts as u32);
            g.total += sum.net;
        }
        g
    }

    /// Two halves of a window hold different receipts, so every count adds up.
    fn merge(mut a: Self, b: Self) -> Self {
        add_into(&mut a.revenue, &b.revenue);
        add_into(&mut a.qty, &b.qty);
        add_into(&mut a.receipts, &b.receipts);
        a.total += b.total;
        a
    }
}

/// Revenue per department, biggest first (lines without a department under "—").
pub fn departments(sel: &Selection) -> Vec<GroupRow> {
    departments_from(sel, whole(sel))
}

/// [`departments`] from the per-day sums (`daily`, the window alone selected) or a scan.
pub(super) fn departments_from(sel: &Selection, daily: bool) -> Vec<GroupRow> {
    let data = sel.data;
    let n = data.departments.len() + 1;
    let Groups { revenue, qty, receipts, total, .. } = if daily {
        let daily = &data.daily;
        Groups::from_running(daily.departments.iter().chain([&daily.no_department]), sel.window)
    } else {
        sel.fold_lines(
            || Groups::new(n),
            |g, i, l| {
                let d = data.lines.department[l];
                g.add(if d == NO_DEPARTMENT { n - 1 } else { d as usize }, i, l, data);
            },
            Groups::merge,
        )
    };
    let mut rows: Vec<GroupRow> = (0..n)
        .filter(|d| receipts[*d] > 0)
        .map(|d| {
            let (id, name) = if d == n - 1 {
                (String::new(), "—".to_string())
            } else {
                (data.departments.value(d as u32).to_string(), data.department_names[d].to_string())
            };
            GroupRow {
                id,
                name,
                revenue_cents: revenue[d],
                receipts: receipts[d],
                quantity_milli: qty[d],
                share_bp: share_bp(revenue[d], total),
            }
        })
        .collect();
    rows.sort_by(|a, b| b.revenue_cents.cmp(&a.revenue_cents).then_with(|| a.id.cmp(&b.id)));
    rows
}

/// Every product of the selection with revenue, receipts and quantity.
pub fn products(sel: &Selection) -> Vec<GroupRow> {
    products_from(sel, whole(sel))
}

/// [`products`] from the per-day sums (`daily`, the window alone selected) or a scan.
pub(super) fn products_from(sel: &Selection, daily: bool) -> Vec<GroupRow> {
    let g = product_groups(sel, daily);
    (0..g.revenue.len()).filter(|p| g.receipts[*p] > 0).map(|p| product_row(sel, &g, p)).collect()
}

fn product_groups(sel: &Selection, daily: bool) -> Groups {
    let data = sel.data;
    if daily {
        Groups::from_running(data.daily.products.iter(), sel.window)
    } else {
        let n = data.products.len();
        sel.fold_lines(|| Groups::new(n), |g, i, l| g.add(data.lines.product[l] as usize, i, l, data), Groups::merge)
    }
}

fn product_row(sel: &Selection, g: &Groups, p: usize) -> GroupRow {
    let data = sel.data;
    GroupRow {
        id: data.products.value(p as u32).to_string(),
        name: data.product_names[p].to_string(),
        revenue_cents: g.revenue[p],
        receipts: g.receipts[p],
        quantity_milli: g.qty[p],
        share_bp: share_bp(g.revenue[p], g.total),
    }
}

/// The top `n` products by revenue and by quantity (ties by product code).
pub fn top_products(sel: &Selection, n: usize) -> (Vec<GroupRow>, Vec<GroupRow>) {
    let g = product_groups(sel, whole(sel));
    let code = |p: usize| sel.data.products.value(p as u32);
    let sold: Vec<usize> = (0..g.revenue.len()).filter(|p| g.receipts[*p] > 0).collect();
    // The first n by a key, without ordering (or naming) the rest.
    let top = |key: &dyn Fn(usize) -> i64| {
        let mut idx = sold.clone();
        let cmp = |a: &usize, b: &usize| key(*b).cmp(&key(*a)).then_with(|| code(*a).cmp(code(*b)));
        if idx.len() > n {
            idx.select_nth_unstable_by(n, cmp);
            idx.truncate(n);
        }
        idx.sort_by(cmp);
        idx.into_iter().map(|p| product_row(sel, &g, p)).collect::<Vec<_>>()
    };
    (top(&|p| g.revenue[p]), top(&|p| g.qty[p]))
}

/// Per promotion (index + 1): revenue, discount, receipts, the days of the window it sold on
/// (`days` flags per promotion) and the baseline — its products' revenue without promotion on
/// the other days. `None` when no promotion sold.
#[derive(Debug, PartialEq)]
pub(super) struct PromoFigures {
    revenue: Vec<i64>,
    discount: Vec<i64>,
    receipts: Vec<u32>,
    days: Vec<bool>,
    baseline: Vec<i64>,
}

/// [`PromoFigures`] by scanning the selected lines (on both cores).
pub(super) fn promo_figures_scan(sel: &Selection) -> Option<PromoFigures> {
    let data = sel.data;
    let lines = &data.lines;
    let promos = data.promotions.len() + 1;
    let days = sel.window.days().max(1) as usize;
    let day_of = |i: usize| (data.receipts.day[i] - sel.window.from) as usize;
    // Per promotion: revenue, discount, receipts; which days it sold on; and which promotions
    // each product was sold under.
    struct Sold {
        revenue: Vec<i64>,
        discount: Vec<i64>,
        receipts: Vec<u32>,
        last: Vec<usize>,
        days: Vec<bool>,
        product_promos: Vec<Vec<u16>>,
    }
    let Sold { revenue, discount, receipts, days: promo_days, product_promos, .. } = sel.fold_lines(
        || Sold {
            revenue: vec![0; promos],
            discount: vec![0; promos],
            receipts: vec![0; promos],
            last: vec![usize::MAX; promos],
            days: vec![false; promos * days],
            product_promos: vec![Vec::new(); data.products.len()],
        },
        |s, i, l| {
            let p = lines.promotion[l] as usize;
            if p == 0 {
                return;
            }
            s.revenue[p] += i64::from(lines.net[l]);
            s.discount[p] += i64::from(lines.discount[l]);
            if s.last[p] != i {
                s.last[p] = i;
                s.receipts[p] += 1;
            }
            s.days[p * days + day_of(i)] = true;
            let list = &mut s.product_promos[lines.product[l] as usize];
            if !list.contains(&(p as u16)) {
                list.push(p as u16);
            }
        },
        |mut a, b| {
            add_into(&mut a.revenue, &b.revenue);
            add_into(&mut a.discount, &b.discount);
            add_into(&mut a.receipts, &b.receipts);
            for (x, y) in a.days.iter_mut().zip(&b.days) {
                *x |= *y;
            }
            for (x, y) in a.product_promos.iter_mut().zip(b.product_promos) {
                for p in y {
                    if !x.contains(&p) {
                        x.push(p);
                    }
                }
            }
            a
        },
    );
    if receipts.iter().all(|r| *r == 0) {
        return None;
    }
    // With only promotion lines selected there is no plain revenue to compare with.
    if sel.promotion_lines_only() {
        return Some(PromoFigures { revenue, discount, receipts, days: promo_days, baseline: vec![0; promos] });
    }
    let baseline = sel.fold_lines(
        || vec![0i64; promos],
        |baseline, i, l| {
            if lines.promotion[l] != 0 {
                return;
            }
            let list = &product_promos[lines.product[l] as usize];
            if list.is_empty() {
                return;
            }
            let d = day_of(i);
            for p in list {
                let p = *p as usize;
                if !promo_days[p * days + d] {
                    baseline[p] += i64::from(lines.net[l]);
                }
            }
        },
        |mut a, b| {
            add_into(&mut a, &b);
            a
        },
    );
    Some(PromoFigures { revenue, discount, receipts, days: promo_days, baseline })
}

/// [`PromoFigures`] of everything sold in the window, from the per-day sums.
pub(super) fn promo_figures_daily(sel: &Selection) -> Option<PromoFigures> {
    use crate::projection::daily::DailySums;
    let data = sel.data;
    let daily = &data.daily;
    let (from, to) = (sel.window.from, sel.window.to);
    let promos = data.promotions.len() + 1;
    let days = sel.window.days().max(1) as usize;
    let mut f = PromoFigures {
        revenue: vec![0; promos],
        discount: vec![0; promos],
        receipts: vec![0; promos],
        days: vec![false; promos * days],
        baseline: vec![0; promos],
    };
    for s in DailySums::days(&daily.sold, |e| e.day, from, to) {
        let p = s.promo as usize;
        f.revenue[p] += s.net;
        f.discount[p] += s.discount;
        f.receipts[p] += s.receipts;
        f.days[p * days + (s.day - from) as usize] = true;
    }
    if f.receipts.iter().all(|r| *r == 0) {
        return None;
    }
    let mut product_promos: Vec<Vec<u16>> = vec![Vec::new(); data.products.len()];
    for (&(p, product), sold_on) in &daily.under {
        let first = sold_on.partition_point(|d| *d < from);
        if sold_on.get(first).is_some_and(|d| *d <= to) {
            product_promos[product as usize].push(p);
        }
    }
    // Each product's plain revenue on the window's days its promotions did not sell: one walk
    // over the days the product sold (running totals, so a day's figure is a difference); odd
    // and even products on one core each (a year's window walks most of a year per promoted
    // product, and neighbouring products tend to share promotions).
    let baseline_of = |parity: usize| {
        let mut baseline = vec![0i64; promos];
        let products = product_promos.iter().enumerate().skip(parity).step_by(2);
        for (product, list) in products.filter(|(_, l)| !l.is_empty()) {
            let running = &daily.products[product];
            let start = running.partition_point(|e| e.day < from);
            let mut before = if start == 0 { 0 } else { running[start - 1].plain_net };
            for e in running[start..].iter().take_while(|e| e.day <= to) {
                let plain = e.plain_net - before;
                before = e.plain_net;
                if plain == 0 {
                    continue;
                }
                let day = (e.day - from) as usize;
                for &p in list {
                    let p = p as usize;
                    if !f.days[p * days + day] {
                        baseline[p] += plain;
                    }
                }
            }
        }
        baseline
    };
    f.baseline = std::thread::scope(|s| {
        let even = s.spawn(|| baseline_of(0));
        let mut odd = baseline_of(1);
        super::selection::add_into(&mut odd, &even.join().expect("half the products do not panic"));
        odd
    });
    Some(f)
}

/// Promotions: revenue, receipts and discount of their lines, and the uplift — the promoted
/// products' revenue per day on the days the promotion sold, against the same products' revenue
/// per day without promotion on the other days of the window (`None` when there is no baseline).
/// With no store, cardholder or line filter, from the per-day sums; else by scanning the lines.
pub fn promotions(sel: &Selection) -> Vec<PromotionRow> {
    let data = sel.data;
    let promos = data.promotions.len() + 1;
    let days = sel.window.days().max(1) as usize;
    let Some(PromoFigures { revenue, discount, receipts, days: promo_days, baseline }) =
        (if whole(sel) { promo_figures_daily(sel) } else { promo_figures_scan(sel) })
    else {
        return Vec::new();
    };
    let mut rows: Vec<PromotionRow> = (1..promos)
        .filter(|p| receipts[*p] > 0)
        .map(|p| {
            let sold_days = promo_days[p * days..(p + 1) * days].iter().filter(|d| **d).count() as i64;
            let other_days = days as i64 - sold_days;
            let base = baseline[p];
            let uplift_bp = (other_days > 0 && base > 0).then(|| {
                let promo_daily = revenue[p] as f64 / sold_days as f64;
                let base_daily = base as f64 / other_days as f64;
                ((promo_daily / base_daily - 1.0) * 10_000.0).round() as i64
            });
            let idx = (p - 1) as u32;
            PromotionRow {
                id: data.promotions.value(idx).to_string(),
                name: data.promotion_names[idx as usize].to_string(),
                revenue_cents: revenue[p],
                receipts: receipts[p],
                discount_cents: discount[p],
                uplift_bp,
            }
        })
        .collect();
    rows.sort_by(|a, b| b.revenue_cents.cmp(&a.revenue_cents).then_with(|| a.id.cmp(&b.id)));
    rows
}

/// Stores compared, biggest revenue first.
pub fn shops(sel: &Selection) -> Vec<ShopRow> {
    let data = sel.data;
    let n = data.shops.len();
    let mut revenue = vec![0i64; n];
    let mut receipts = vec![0u32; n];
    let mut cards: Vec<HashSet<u32>> = vec![HashSet::new(); n];
    sel.for_each(|i, hit| {
        let s = data.receipts.shop[i] as usize;
        revenue[s] += hit.net;
        receipts[s] += 1;
        let c = data.receipts.card[i];
        if c != NONE {
            cards[s].insert(c);
        }
    });
    let mut rows: Vec<ShopRow> = (0..n)
        .filter(|s| receipts[*s] > 0)
        .map(|s| ShopRow {
            id: data.shops.value(s as u32).to_string(),
            name: data.shop_names[s].to_string(),
            revenue_cents: revenue[s],
            receipts: receipts[s],
            average_ticket_cents: ratio(revenue[s], i64::from(receipts[s])),
            cardholders: cards[s].len() as u32,
        })
        .collect();
    rows.sort_by(|a, b| b.revenue_cents.cmp(&a.revenue_cents).then_with(|| a.id.cmp(&b.id)));
    rows
}

/// Receipts per weekday (0 = Monday) and hour; only cells with receipts.
pub fn heatmap(sel: &Selection) -> Vec<HeatCell> {
    let r = &sel.data.receipts;
    let mut grid = [[0u32; 24]; 7];
    sel.for_each(|i, _| {
        let weekday = (r.day[i] + 3).rem_euclid(7) as usize;
        let hour = (r.minute[i] / 60).min(23) as usize;
        grid[weekday][hour] += 1;
    });
    let mut cells = Vec::new();
    for (weekday, hours) in grid.iter().enumerate() {
        for (hour, receipts) in hours.iter().enumerate() {
            if *receipts > 0 {
                cells.push(HeatCell { weekday: weekday as u8, hour: hour as u8, receipts: *receipts });
            }
        }
    }
    cells
}

/// Baskets with and without a loyalty card (a row only when it has receipts).
pub fn basket(sel: &Selection) -> Vec<BasketRow> {
    let r = &sel.data.receipts;
    let mut acc = [(0u32, 0i64, 0u64); 2];
    sel.for_each(|i, hit| {
        let k = usize::from(r.card[i] != NONE);
        acc[k].0 += 1;
        acc[k].1 += hit.net;
        acc[k].2 += u64::from(hit.lines);
    });
    [1usize, 0]
        .into_iter()
        .filter(|k| acc[*k].0 > 0)
        .map(|k| {
            let (receipts, revenue, lines) = acc[k];
            BasketRow {
                loyalty: k == 1,
                receipts,
                revenue_cents: revenue,
                average_ticket_cents: ratio(revenue, i64::from(receipts)),
                items_per_receipt_milli: ratio(lines as i64 * 1000, i64::from(receipts)),
            }
        })
        .collect()
}

/// Per selected cardholder: receipts and revenue of the selection.
fn per_card(sel: &Selection) -> HashMap<u32, (u32, i64)> {
    let r = &sel.data.receipts;
    let mut acc: HashMap<u32, (u32, i64)> = HashMap::new();
    sel.for_each(|i, hit| {
        let c = r.card[i];
        if c != NONE {
            let e = acc.entry(c).or_default();
            e.0 += 1;
            e.1 += hit.net;
        }
    });
    acc
}

/// RFM segments of the cardholders in the selection (scored on the window), in rule order; only
/// segments with customers.
pub fn segments(sel: &Selection, rfm: &Rfm) -> Vec<SegmentRow> {
    segments_of(&per_card(sel), rfm)
}

/// [`segments`] and [`rf_grid`] from one pass over the selection (the dashboard needs both).
pub fn segments_and_grid(sel: &Selection, rfm: &Rfm) -> (Vec<SegmentRow>, Vec<Vec<u32>>) {
    let acc = per_card(sel);
    (segments_of(&acc, rfm), grid_of(&acc, rfm))
}

fn segments_of(acc: &HashMap<u32, (u32, i64)>, rfm: &Rfm) -> Vec<SegmentRow> {
    let mut by_segment: HashMap<Segment, (u32, u32, i64)> = HashMap::new();
    let (mut customers, mut revenue) = (0u32, 0i64);
    for (c, (receipts, net)) in acc {
        let Some(score) = rfm.of(*c) else { continue };
        let e = by_segment.entry(score.segment).or_default();
        e.0 += 1;
        e.1 += receipts;
        e.2 += net;
        customers += 1;
        revenue += net;
    }
    Segment::ALL
        .into_iter()
        .filter_map(|s| {
            let (n, receipts, net) = by_segment.get(&s).copied()?;
            Some(SegmentRow {
                segment: s,
                customers: n,
                receipts,
                revenue_cents: net,
                average_ticket_cents: ratio(net, i64::from(receipts)),
                customer_share_bp: share_bp(i64::from(n), i64::from(customers)),
                revenue_share_bp: share_bp(net, revenue),
            })
        })
        .collect()
}

/// Cardholders of the selection by R score (rows) and F score (columns); empty when none.
pub fn rf_grid(sel: &Selection, rfm: &Rfm) -> Vec<Vec<u32>> {
    grid_of(&per_card(sel), rfm)
}

fn grid_of(acc: &HashMap<u32, (u32, i64)>, rfm: &Rfm) -> Vec<Vec<u32>> {
    let mut grid = vec![vec![0u32; 5]; 5];
    let mut any = false;
    for c in acc.keys() {
        if let Some(s) = rfm.of(*c) {
            grid[s.r as usize - 1][s.f as usize - 1] += 1;
            any = true;
        }
    }
    if any {
        grid
    } else {
        Vec::new()
    }
}

/// Months of cohorts shown: the last twelve up to the window's end, whatever its length (a
/// 30-day window alone would hold one cohort and one month).
pub const COHORT_MONTHS: i32 = 12;
/// Below this many months of data there is no cohort table (the page says why).
pub const MIN_COHORT_MONTHS: i32 = 3;

/// Cohort retention: cardholders grouped by the month of their first receipt ever, for the
/// [`COHORT_MONTHS`] months ending with the window's last month (from the first month with
/// data, if later), passing the cardholder filters; for each month since, how many had a
/// receipt passing the other filters. Empty below [`MIN_COHORT_MONTHS`] months of data.
pub fn cohorts(sel: &Selection) -> Vec<CohortRow> {
    let data = sel.data;
    let last_month = month_of(sel.window.to);
    let first_data_month = data.first_day().map_or(last_month, month_of);
    let first_month = (last_month - COHORT_MONTHS + 1).max(first_data_month);
    if last_month - first_month + 1 < MIN_COHORT_MONTHS {
        return Vec::new();
    }
    let sel = &sel.with_window(Window { from: crate::clock::month_days(first_month).0, to: sel.window.to });
    let mut size: HashMap<i32, u32> = HashMap::new();
    let mut cohort_of = vec![i32::MIN; data.cards.len()];
    for c in 0..data.cards.len() as u32 {
        let Some(first) = data.receipts_of(c).first() else { continue };
        let m = month_of(data.receipts.day[*first as usize]);
        if m < first_month || m > last_month || !sel.card_ok(c) {
            continue;
        }
        cohort_of[c as usize] = m;
        *size.entry(m).or_default() += 1;
    }
    // Receipts come in time order, so a card's months never go back: count each once.
    let mut seen_month = vec![i32::MIN; data.cards.len()];
    let mut counts: HashMap<(i32, i32), u32> = HashMap::new();
    let r = &data.receipts;
    let (mut cached_day, mut cached_month) = (i32::MIN, 0);
    sel.for_each(|i, _| {
        let c = r.card[i];
        if c == NONE || cohort_of[c as usize] == i32::MIN {
            return;
        }
        if r.day[i] != cached_day {
            cached_day = r.day[i];
            cached_month = month_of(cached_day);
        }
        let c = c as usize;
        if seen_month[c] != cached_month {
            seen_month[c] = cached_month;
            let cohort = cohort_of[c];
            *counts.entry((cohort, cached_month - cohort)).or_default() += 1;
        }
    });
    let mut months: Vec<i32> = size.keys().copied().collect();
    months.sort_unstable();
    months
        .into_iter()
        .map(|m| CohortRow {
            month: month_label(m),
            customers: size[&m],
            active: (0..=(last_month - m)).map(|k| counts.get(&(m, k)).copied().unwrap_or(0)).collect(),
        })
        .collect()
}
