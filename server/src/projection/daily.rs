//! Per-day sums of the sales lines, so the promotions widget over a long window reads a few
//! entries per day instead of every line: what each promotion sold each day, which products
//! it sold, and what every product sold without a promotion. Built with the projection and
//! recomputed from the first changed day when receipts are appended; filters on stores,
//! cardholders or lines still scan (the sums are over everything).

use std::collections::{BTreeMap, BTreeSet};

use super::dataset::{Dataset, NO_DEPARTMENT};

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
    /// Per (promotion, product): the days the product sold under the promotion, in order.
    pub under: BTreeMap<(u16, u32), Vec<i32>>,
    /// Per product (its index), running totals by day of the days it sold.
    pub products: Vec<Vec<Running>>,
    /// Per department (its index), likewise; then the lines without a department.
    pub departments: Vec<Vec<Running>>,
    pub no_department: Vec<Running>,
}

/// Running totals of a product or department up to and including `day`: a window's figure is
/// the difference of two of them (two binary searches, whatever the window's length).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Running {
    pub day: i32,
    pub net: i64,
    pub quantity: i64,
    /// Receipts with at least one such line.
    pub receipts: u64,
    /// Net of the lines without a promotion.
    pub plain_net: i64,
}

impl std::ops::Sub for Running {
    type Output = Running;
    fn sub(self, o: Running) -> Running {
        Running {
            day: self.day,
            net: self.net - o.net,
            quantity: self.quantity - o.quantity,
            receipts: self.receipts - o.receipts,
            plain_net: self.plain_net - o.plain_net,
        }
    }
}

/// The totals of days `from..=to` from a list of running totals.
pub fn window(list: &[Running], from: i32, to: i32) -> Running {
    let before = list.partition_point(|e| e.day < from);
    let upto = list.partition_point(|e| e.day <= to);
    let at = |n: usize| if n == 0 { Running::default() } else { list[n - 1] };
    at(upto) - at(before)
}

/// Adds one day's figures to a list of running totals.
fn add_day(list: &mut Vec<Running>, day: i32, (net, quantity, receipts, plain_net): (i64, i64, u64, i64)) {
    // By an eighth, not by doubling: thousands of these lists, each a year long, are touched by
    // a day's append, and doubling them all would double their memory at once.
    super::dataset::grow(list, 1);
    let last = list.last().copied().unwrap_or_default();
    list.push(Running {
        day,
        net: last.net + net,
        quantity: last.quantity + quantity,
        receipts: last.receipts + receipts,
        plain_net: last.plain_net + plain_net,
    });
}

/// One day's (net, quantity, receipts, plain net) per index, with the indexes it touched.
struct DayTotals {
    figures: Vec<(i64, i64, u64, i64)>,
    is_touched: Vec<bool>,
    touched: Vec<usize>,
}

impl DayTotals {
    fn new(n: usize) -> Self {
        DayTotals { figures: vec![(0, 0, 0, 0); n], is_touched: vec![false; n], touched: Vec::new() }
    }

    fn add(&mut self, i: usize, (net, quantity, receipts, plain): (i64, i64, u64, i64)) {
        if !self.is_touched[i] {
            self.is_touched[i] = true;
            self.touched.push(i);
        }
        let f = &mut self.figures[i];
        f.0 += net;
        f.1 += quantity;
        f.2 += receipts;
        f.3 += plain;
    }

    /// Hands over each touched index's figures (in the order first touched) and resets them.
    fn drain(&mut self, mut f: impl FnMut(usize, (i64, i64, u64, i64))) {
        for i in self.touched.drain(..) {
            self.is_touched[i] = false;
            f(i, std::mem::take(&mut self.figures[i]));
        }
    }
}

impl DailySums {
    /// The entries of days `from..=to` of a list sorted by day.
    pub fn days<T>(list: &[T], day: impl Fn(&T) -> i32, from: i32, to: i32) -> &[T] {
        let start = list.partition_point(|e| day(e) < from);
        let end = list.partition_point(|e| day(e) <= to);
        &list[start..end.max(start)]
    }

    /// Drops the days from `day` on of what `lines` (product, department, promotion) sold:
    /// lines about to go or change, which [`DailySums::redo_from`] would not find (it touches
    /// what the lines held from `day` on sell).
    pub fn forget_from(&mut self, day: i32, lines: impl IntoIterator<Item = (u32, u16, u16)>) {
        let cut = |list: &mut Vec<Running>| list.truncate(list.partition_point(|e| e.day < day));
        for (product, department, promotion) in lines {
            if let Some(list) = self.products.get_mut(product as usize) {
                cut(list);
            }
            if department == NO_DEPARTMENT {
                cut(&mut self.no_department);
            } else if let Some(list) = self.departments.get_mut(department as usize) {
                cut(list);
            }
            if promotion != 0 {
                if let Some(days) = self.under.get_mut(&(promotion, product)) {
                    days.truncate(days.partition_point(|d| *d < day));
                    if days.is_empty() {
                        self.under.remove(&(promotion, product));
                    }
                }
            }
        }
    }

    /// Drops the days from `day` on and adds them again from `data` (whose receipts from that
    /// day on are final).
    ///
    /// Only the lists of the products, departments and (promotion, product) pairs sold from
    /// `day` on are touched, so an append costs in proportion to the lines it adds (a binary
    /// search in each of thousands of lists would cost milliseconds of cache misses).
    pub fn redo_from(&mut self, data: &Dataset, day: i32) {
        let r = &data.receipts;
        let l = &data.lines;
        let start = r.day.partition_point(|d| *d < day);
        self.sold.truncate(self.sold.partition_point(|e| e.day < day));
        self.products.resize(data.products.len(), Vec::new());
        self.departments.resize(data.departments.len(), Vec::new());
        // A list holds days from `day` on only for what the lines from `day` on sold (every
        // receipt is still held, in its place or moved after it).
        let mut product_seen = vec![false; self.products.len()];
        let mut department_seen = vec![false; self.departments.len()];
        let mut pairs: BTreeSet<(u16, u32)> = BTreeSet::new();
        let lines = if start < r.len() { r.line_start[start] as usize..l.len() } else { 0..0 };
        for k in lines {
            let product = l.product[k] as usize;
            if !product_seen[product] {
                product_seen[product] = true;
                let list = &mut self.products[product];
                list.truncate(list.partition_point(|e| e.day < day));
            }
            if l.promotion[k] != 0 {
                pairs.insert((l.promotion[k], l.product[k]));
            }
            let dept = l.department[k];
            let list = if dept == NO_DEPARTMENT {
                &mut self.no_department
            } else if !department_seen[dept as usize] {
                department_seen[dept as usize] = true;
                &mut self.departments[dept as usize]
            } else {
                continue;
            };
            list.truncate(list.partition_point(|e| e.day < day));
        }
        for pair in pairs {
            if let Some(days) = self.under.get_mut(&pair) {
                days.truncate(days.partition_point(|d| *d < day));
                if days.is_empty() {
                    self.under.remove(&pair);
                }
            }
        }
        // Per product and per department (the lines without one last): the day's figures in
        // dense arrays with the indexes touched, reset after each day (a map entry per line
        // was 8 % of a build's time, 2.5 % now).
        let mut products = DayTotals::new(self.products.len());
        let mut depts = DayTotals::new(self.departments.len() + 1);
        let no_department = self.departments.len();
        let mut i = start;
        while i < r.len() {
            let d = r.day[i];
            let mut sold: BTreeMap<u16, PromoSold> = BTreeMap::new();
            let mut under: BTreeSet<(u32, u16)> = BTreeSet::new();
            while i < r.len() && r.day[i] == d {
                for k in r.lines(i) {
                    let p = l.promotion[k];
                    let net = i64::from(l.net[k]);
                    let plain = if p == 0 { net } else { 0 };
                    let quantity = i64::from(l.quantity[k]);
                    let first_in_receipt = |same: &dyn Fn(usize) -> bool| !r.lines(i).take_while(|&j| j < k).any(same);
                    let product = l.product[k];
                    let first = first_in_receipt(&|j| l.product[j] == product);
                    products.add(product as usize, (net, quantity, u64::from(first), plain));
                    let dept = l.department[k];
                    let first = first_in_receipt(&|j| l.department[j] == dept);
                    let slot = if dept == NO_DEPARTMENT { no_department } else { dept as usize };
                    depts.add(slot, (net, quantity, u64::from(first), plain));
                    if p == 0 {
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
            for (product, p) in under {
                self.under.entry((p, product)).or_default().push(d);
            }
            products.drain(|product, figures| add_day(&mut self.products[product], d, figures));
            depts.drain(|dept, figures| {
                let list = if dept == no_department { &mut self.no_department } else { &mut self.departments[dept] };
                add_day(list, d, figures);
            });
        }
    }
}
