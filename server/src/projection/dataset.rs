//! The columnar projection the analytics run on: receipts sorted by time with their lines
//! stored contiguously, strings dictionary-encoded, money in integer cents, dates as day
//! numbers. Built from typed records in any order; never written back.

use std::collections::hash_map::Entry;
use std::collections::HashMap;
use std::sync::Arc;

use super::pending::PendingLines;
use crate::clock::{parse_day, parse_minute};

use crate::store::model::{CardStatus, Cardholder, Department, Product, Promotion, Receipt, SalesLine, Shop};

/// A string's dense index (foldhash: a build hashes every line's receipt, product and
/// department ids; the keys come from the store, which already validated them).
type Index = HashMap<Arc<str>, u32, foldhash::fast::RandomState>;

/// "No value" for dictionary indexes.
pub const NONE: u32 = u32::MAX;

/// Strings interned to dense indexes.
#[derive(Clone, Default, Debug, PartialEq)]
pub struct Dict {
    values: Vec<Arc<str>>,
    index: Index,
}

impl Dict {
    /// The index of `value`, adding it when new.
    pub fn intern(&mut self, value: &str) -> u32 {
        if let Some(i) = self.index.get(value) {
            return *i;
        }
        let i = self.values.len() as u32;
        let value: Arc<str> = value.into();
        self.values.push(value.clone());
        self.index.insert(value, i);
        i
    }

    /// The index of `value`, if known.
    pub fn get(&self, value: &str) -> Option<u32> {
        self.index.get(value).copied()
    }

    /// The string at `i`.
    pub fn value(&self, i: u32) -> &str {
        &self.values[i as usize]
    }

    /// Number of strings.
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    fn heap_bytes(&self) -> usize {
        self.values.iter().map(|v| v.len() + 16 + 2 * std::mem::size_of::<Arc<str>>() + 8).sum::<usize>()
    }
}

/// Gender codes of cardholders.
pub mod gender {
    pub const UNKNOWN: u8 = 0;
    pub const FEMALE: u8 = 1;
    pub const MALE: u8 = 2;
    pub const OTHER: u8 = 3;

    /// The code of a gender as written in the register.
    pub fn parse(raw: Option<&str>) -> u8 {
        match raw.map(|g| g.trim().to_ascii_uppercase()) {
            None => UNKNOWN,
            Some(g) if g.is_empty() => UNKNOWN,
            Some(g) if g == "F" || g.starts_with("FEMM") || g == "D" || g == "DONNA" => FEMALE,
            Some(g) if g == "M" || g.starts_with("MASCH") || g == "U" || g == "UOMO" => MALE,
            Some(_) => OTHER,
        }
    }
}

/// Cardholders, by dense index (`cards.value(i)` is the card number).
#[derive(Clone, Default, Debug, PartialEq)]
pub struct CardColumns {
    pub number: Dict,
    pub first_name: Vec<Arc<str>>,
    pub last_name: Vec<Arc<str>>,
    pub email: Vec<Option<Arc<str>>>,
    pub phone: Vec<Option<Arc<str>>>,
    pub gender: Vec<u8>,
    /// Birth date as a day number, `i32::MIN` when unknown.
    pub birth_day: Vec<i32>,
    /// Enrolment date as a day number, `i32::MIN` when unknown.
    pub enrolled_day: Vec<i32>,
    /// Enrolment store (index into `shops`), `NONE` when unknown.
    pub enrolment_shop: Vec<u32>,
    /// False for card numbers seen on receipts but missing from the register.
    pub registered: Vec<bool>,
    pub anonymised: Vec<bool>,
    /// Consents given, as bits ([`consent::MARKETING`], [`consent::PROFILING`]): campaigns
    /// reach and target only whom the law allows.
    pub consents: Vec<u8>,
}

/// The consent bits of [`CardColumns::consents`].
pub mod consent {
    /// Offers and news may be sent.
    pub const MARKETING: u8 = 1;
    /// Purchases may be used to choose personal offers.
    pub const PROFILING: u8 = 2;
}

impl CardColumns {
    pub(super) fn ensure(&mut self, number: &str) -> u32 {
        let i = self.number.intern(number);
        if i as usize == self.first_name.len() {
            self.first_name.push("".into());
            self.last_name.push("".into());
            self.email.push(None);
            self.phone.push(None);
            self.gender.push(gender::UNKNOWN);
            self.birth_day.push(i32::MIN);
            self.enrolled_day.push(i32::MIN);
            self.enrolment_shop.push(NONE);
            self.registered.push(false);
            self.anonymised.push(false);
            self.consents.push(0);
        }
        i
    }

    /// Number of cards.
    pub fn len(&self) -> usize {
        self.first_name.len()
    }

    /// True when there are none.
    pub fn is_empty(&self) -> bool {
        self.first_name.is_empty()
    }

    /// "First Last".
    pub fn name(&self, i: u32) -> String {
        let (f, l) = (&self.first_name[i as usize], &self.last_name[i as usize]);
        match (f.is_empty(), l.is_empty()) {
            (true, true) => String::new(),
            (false, true) => f.to_string(),
            (true, false) => l.to_string(),
            (false, false) => format!("{f} {l}"),
        }
    }
}

/// Receipts sorted by (day, minute, id); `line_start[i]..line_start[i+1]` are receipt i's lines.
#[derive(Clone, Default, Debug, PartialEq)]
pub struct ReceiptColumns {
    pub id: Vec<Arc<str>>,
    pub day: Vec<i32>,
    /// Minutes since midnight.
    pub minute: Vec<u16>,
    pub shop: Vec<u32>,
    /// Card index, `NONE` without a card.
    pub card: Vec<u32>,
    pub gross: Vec<i64>,
    pub discount: Vec<i64>,
    pub net: Vec<i64>,
    pub line_start: Vec<u32>,
    /// Sums of the receipt's lines: the net of all of them, and net, gross, discount and
    /// count of those on promotion (so receipt-level figures never walk the lines, with or
    /// without the "any promotion" filter).
    pub lines_net: Vec<i64>,
    pub promo_net: Vec<i64>,
    pub promo_gross: Vec<i64>,
    pub promo_discount: Vec<i64>,
    pub promo_lines: Vec<u32>,
}

impl ReceiptColumns {
    /// Room for `n` more receipts, with headroom (see [`grow`]).
    pub(super) fn reserve_more(&mut self, n: usize) {
        grow(&mut self.id, n);
        grow(&mut self.day, n);
        grow(&mut self.minute, n);
        grow(&mut self.shop, n);
        grow(&mut self.card, n);
        grow(&mut self.gross, n);
        grow(&mut self.discount, n);
        grow(&mut self.net, n);
        grow(&mut self.line_start, n + 1);
        grow(&mut self.lines_net, n);
        grow(&mut self.promo_net, n);
        grow(&mut self.promo_gross, n);
        grow(&mut self.promo_discount, n);
        grow(&mut self.promo_lines, n);
    }

    /// Appends the line sums of receipt `i` (its lines in place).
    pub(super) fn push_line_sums(&mut self, l: &LineColumns, i: usize) {
        let (mut all, mut net, mut gross, mut discount, mut count) = (0, 0, 0, 0, 0);
        for k in self.lines(i) {
            all += i64::from(l.net[k]);
            if l.promotion[k] != 0 {
                net += i64::from(l.net[k]);
                gross += i64::from(l.gross[k]);
                discount += i64::from(l.discount[k]);
                count += 1;
            }
        }
        self.lines_net.push(all);
        self.promo_net.push(net);
        self.promo_gross.push(gross);
        self.promo_discount.push(discount);
        self.promo_lines.push(count);
    }

    /// Drops the line sums from receipt `at` on.
    pub(super) fn truncate_line_sums(&mut self, at: usize) {
        self.lines_net.truncate(at);
        self.promo_net.truncate(at);
        self.promo_gross.truncate(at);
        self.promo_discount.truncate(at);
        self.promo_lines.truncate(at);
    }
}

impl ReceiptColumns {
    /// Number of receipts.
    pub fn len(&self) -> usize {
        self.day.len()
    }

    /// True when there are none.
    pub fn is_empty(&self) -> bool {
        self.day.is_empty()
    }

    /// The line indexes of receipt `r`.
    pub fn lines(&self, r: usize) -> std::ops::Range<usize> {
        self.line_start[r] as usize..self.line_start[r + 1] as usize
    }

    /// Receipts with a day in `from..=to` (receipts are sorted by day).
    pub fn day_range(&self, from: i32, to: i32) -> std::ops::Range<usize> {
        let start = self.day.partition_point(|d| *d < from);
        let end = self.day.partition_point(|d| *d <= to);
        start..end.max(start)
    }
}

/// Sales lines, grouped by receipt in receipt order. Amounts are cents, quantities thousandths
/// (i32: a single line above 21 million euros is clamped).
#[derive(Clone, Default, Debug, PartialEq)]
pub struct LineColumns {
    pub product: Vec<u32>,
    /// Department index (`u16::MAX` when unknown).
    pub department: Vec<u16>,
    /// Promotion index + 1 (0 = no promotion).
    pub promotion: Vec<u16>,
    pub quantity: Vec<i32>,
    pub gross: Vec<i32>,
    pub discount: Vec<i32>,
    pub net: Vec<i32>,
}

/// One line's values as the columns hold them.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LineValues {
    pub product: u32,
    pub department: u16,
    pub promotion: u16,
    pub quantity: i32,
    pub gross: i32,
    pub discount: i32,
    pub net: i32,
}

impl LineColumns {
    /// Adds a line after the last.
    pub(super) fn push(&mut self, v: LineValues) {
        self.product.push(v.product);
        self.department.push(v.department);
        self.promotion.push(v.promotion);
        self.quantity.push(v.quantity);
        self.gross.push(v.gross);
        self.discount.push(v.discount);
        self.net.push(v.net);
    }

    /// Line `k`'s values.
    pub(super) fn get(&self, k: usize) -> LineValues {
        LineValues {
            product: self.product[k],
            department: self.department[k],
            promotion: self.promotion[k],
            quantity: self.quantity[k],
            gross: self.gross[k],
            discount: self.discount[k],
            net: self.net[k],
        }
    }

    /// Room for `n` more lines, with headroom (see [`grow`]).
    pub(super) fn reserve_more(&mut self, n: usize) {
        grow(&mut self.product, n);
        grow(&mut self.department, n);
        grow(&mut self.promotion, n);
        grow(&mut self.quantity, n);
        grow(&mut self.gross, n);
        grow(&mut self.discount, n);
        grow(&mut self.net, n);
    }

    /// Number of lines.
    pub fn len(&self) -> usize {
        self.product.len()
    }

    /// True when there are none.
    pub fn is_empty(&self) -> bool {
        self.product.is_empty()
    }
}

/// Makes room in `v` for `n` more values. A build sizes its columns with an eighth to spare; an
/// append that needs more grows a column by an eighth of its length at least, so appending copies a
/// column only once every eighth of its length (amortised time proportional to the new rows)
/// and leaves at most an eighth of it unused.
pub(super) fn grow<T>(v: &mut Vec<T>, n: usize) {
    if v.capacity() - v.len() < n {
        v.reserve_exact(n.max(v.len() / 8).max(8));
    }
}

/// "No department" in line columns.
pub const NO_DEPARTMENT: u16 = u16::MAX;

/// The whole projection.
#[derive(Clone, Default, Debug, PartialEq)]
pub struct Dataset {
    pub shops: Dict,
    pub shop_names: Vec<Arc<str>>,
    pub departments: Dict,
    pub department_names: Vec<Arc<str>>,
    pub promotions: Dict,
    pub promotion_names: Vec<Arc<str>>,
    pub products: Dict,
    pub product_names: Vec<Arc<str>>,
    pub product_department: Vec<u16>,
    pub cards: CardColumns,
    pub receipts: ReceiptColumns,
    pub lines: LineColumns,
    /// For each card, its receipts in time order (one list per card, so an append adds to the
    /// lists of its cards only).
    pub card_receipts: Vec<Vec<u32>>,
    /// Each card's position among the card numbers in text order (ties in rankings are broken
    /// by card number: comparing these is the same, without comparing text).
    pub card_rank: Vec<u32>,
    /// The cards in card-number order (the inverse of `card_rank`: a new card finds its rank by
    /// binary search).
    pub card_by_rank: Vec<u32>,
    /// Per-day sums of the lines (see [`super::daily`]).
    pub daily: super::daily::DailySums,
    /// Lines whose receipt was unknown, and receipts with an unreadable date (skipped).
    pub skipped_lines: u64,
    pub skipped_receipts: u64,
}

impl AsRef<Dataset> for Dataset {
    fn as_ref(&self) -> &Dataset {
        self
    }
}

impl Dataset {
    /// Room for an eighth more receipts and lines (a copy has none: its first append would
    /// otherwise copy every column again).
    pub fn reserve_headroom(&mut self) {
        self.receipts.reserve_more(self.receipts.len() / 8);
        self.lines.reserve_more(self.lines.len() / 8);
    }

    /// The last day with a receipt.
    pub fn last_day(&self) -> Option<i32> {
        self.receipts.day.last().copied()
    }

    /// The first day with a receipt.
    pub fn first_day(&self) -> Option<i32> {
        self.receipts.day.first().copied()
    }

    /// The receipts of card `c`, oldest first.
    pub fn receipts_of(&self, c: u32) -> &[u32] {
        &self.card_receipts[c as usize]
    }

    /// Every receipt with its lines and every card with its receipts, as text with names in
    /// place of dictionary indexes: two datasets holding the same rows describe alike, however
    /// they were built (the tests of appending compare builds this way).
    pub fn describe(&self) -> Vec<String> {
        let (r, l) = (&self.receipts, &self.lines);
        let mut out = Vec::with_capacity(r.len() + self.cards.len());
        for i in 0..r.len() {
            let card = (r.card[i] != NONE).then(|| self.cards.number.value(r.card[i]));
            let mut s = format!(
                "receipt {} day {} minute {} shop {} ({}) card {card:?} {}/{}/{}:",
                r.id[i],
                r.day[i],
                r.minute[i],
                self.shops.value(r.shop[i]),
                self.shop_names[r.shop[i] as usize],
                r.gross[i],
                r.discount[i],
                r.net[i]
            );
            for k in r.lines(i) {
                let p = l.product[k];
                let dept = (l.department[k] != NO_DEPARTMENT).then(|| {
                    let d = u32::from(l.department[k]);
                    format!("{} ({})", self.departments.value(d), self.department_names[d as usize])
                });
                let promo = (l.promotion[k] != 0).then(|| {
                    let p = u32::from(l.promotion[k]) - 1;
                    format!("{} ({})", self.promotions.value(p), self.promotion_names[p as usize])
                });
                s.push_str(&format!(
                    " [{} ({}) {dept:?} {promo:?} {} {}/{}/{}]",
                    self.products.value(p),
                    self.product_names[p as usize],
                    l.quantity[k],
                    l.gross[k],
                    l.discount[k],
                    l.net[k]
                ));
            }
            out.push(s);
        }
        let c = &self.cards;
        let mut cards: Vec<String> = (0..c.len())
            .map(|i| {
                let receipts: Vec<&str> = self.receipts_of(i as u32).iter().map(|&k| &*r.id[k as usize]).collect();
                format!(
                    "card {} rank {} {} {:?} {:?} g{} b{} e{} s{:?} reg {} anon {} consents {}: {receipts:?}",
                    c.number.value(i as u32),
                    self.card_rank[i],
                    c.name(i as u32),
                    c.email[i],
                    c.phone[i],
                    c.gender[i],
                    c.birth_day[i],
                    c.enrolled_day[i],
                    (c.enrolment_shop[i] != NONE).then(|| self.shops.value(c.enrolment_shop[i])),
                    c.registered[i],
                    c.anonymised[i],
                    c.consents[i]
                )
            })
            .collect();
        cards.sort();
        out.extend(cards);
        let promo = |p: u16| self.promotions.value(u32::from(p) - 1);
        let d = &self.daily;
        let mut daily: Vec<String> = d
            .sold
            .iter()
            .map(|s| format!("sold {} {} {}/{}/{}", s.day, promo(s.promo), s.net, s.discount, s.receipts))
            .chain(d.under.iter().flat_map(|((x, p), days)| {
                days.iter().map(move |day| format!("under {day} {} {}", self.products.value(*p), promo(*x)))
            }))
            .chain(d.products.iter().enumerate().flat_map(|(p, list)| {
                list.iter().map(move |e| format!("product {} {e:?}", self.products.value(p as u32)))
            }))
            .chain(d.departments.iter().enumerate().flat_map(|(i, list)| {
                list.iter().map(move |e| format!("department {} {e:?}", self.departments.value(i as u32)))
            }))
            .chain(d.no_department.iter().map(|e| format!("no department {e:?}")))
            .collect();
        daily.sort();
        out.extend(daily);
        out.push(format!("skipped {} lines, {} receipts", self.skipped_lines, self.skipped_receipts));
        out
    }

    /// Approximate heap bytes held by the projection.
    pub fn heap_bytes(&self) -> usize {
        use std::mem::size_of;
        let r = &self.receipts;
        let l = &self.lines;
        let boxed = |v: &Vec<Arc<str>>| v.iter().map(|s| s.len() + size_of::<Arc<str>>()).sum::<usize>();
        let opt = |v: &Vec<Option<Arc<str>>>| {
            v.iter().map(|s| s.as_ref().map_or(0, |s| s.len()) + size_of::<Option<Arc<str>>>()).sum::<usize>()
        };
        let c = &self.cards;
        self.shops.heap_bytes()
            + self.departments.heap_bytes()
            + self.promotions.heap_bytes()
            + self.products.heap_bytes()
            + boxed(&self.shop_names)
            + boxed(&self.department_names)
            + boxed(&self.promotion_names)
            + boxed(&self.product_names)
            + self.product_department.len() * 2
            + c.number.heap_bytes()
            + boxed(&c.first_name)
            + boxed(&c.last_name)
            + opt(&c.email)
            + opt(&c.phone)
            + c.len() * (1 + 4 + 4 + 4 + 1 + 1)
            + boxed(&r.id)
            + r.len() * (4 + 2 + 4 + 4 + 8 * 7 + 4 + 4)
            + l.len() * (4 + 2 + 2 + 4 * 4)
            + self.card_receipts.iter().map(|v| v.len() * 4 + size_of::<Vec<u32>>()).sum::<usize>()
            + (self.card_rank.len() + self.card_by_rank.len()) * 4
            + self.daily.sold.len() * size_of::<super::daily::PromoSold>()
            + self.daily.under.values().map(|d| d.len() * 4 + 48).sum::<usize>()
            + self
                .daily
                .products
                .iter()
                .chain(&self.daily.departments)
                .chain([&self.daily.no_department])
                .map(|v| v.len() * size_of::<super::daily::Running>())
                .sum::<usize>()
    }
}

pub(super) fn clamp_i32(v: i64) -> i32 {
    v.clamp(i64::from(i32::MIN), i64::from(i32::MAX)) as i32
}

struct PendingReceipt {
    id: Arc<str>,
    day: i32,
    minute: u16,
    shop: u32,
    card: u32,
    gross: i64,
    discount: i64,
    net: i64,
}

/// Accumulates records (in any order) and sorts them into a [`Dataset`].
#[derive(Default)]
pub struct DatasetBuilder {
    pub(super) data: Dataset,
    receipts: Vec<PendingReceipt>,
    receipt_index: Index,
    lines: PendingLines,
}

impl DatasetBuilder {
    /// An empty builder.
    pub fn new() -> Self {
        Self::default()
    }

    /// A builder adding catalogue records and cards to `data` (for appending).
    pub(super) fn extending(data: Dataset) -> Self {
        DatasetBuilder { data, ..Self::default() }
    }

    pub(super) fn shop(&mut self, id: &str) -> u32 {
        let i = self.data.shops.intern(id);
        if i as usize == self.data.shop_names.len() {
            self.data.shop_names.push(id.into());
        }
        i
    }

    pub(super) fn department(&mut self, id: &str) -> u16 {
        let i = self.data.departments.intern(id);
        if i as usize == self.data.department_names.len() {
            self.data.department_names.push(id.into());
        }
        u16::try_from(i).unwrap_or(NO_DEPARTMENT - 1)
    }

    pub(super) fn promotion(&mut self, id: &str) -> u16 {
        let i = self.data.promotions.intern(id);
        if i as usize == self.data.promotion_names.len() {
            self.data.promotion_names.push(id.into());
        }
        u16::try_from(i + 1).unwrap_or(u16::MAX)
    }

    pub(super) fn product(&mut self, id: &str) -> u32 {
        let i = self.data.products.intern(id);
        if i as usize == self.data.product_names.len() {
            self.data.product_names.push(id.into());
            self.data.product_department.push(NO_DEPARTMENT);
        }
        i
    }

    /// Adds a store.
    pub fn add_shop(&mut self, s: &Shop) {
        let i = self.shop(&s.id) as usize;
        self.data.shop_names[i] = s.name.as_str().into();
    }

    /// Adds a department.
    pub fn add_department(&mut self, d: &Department) {
        let i = self.department(&d.id) as usize;
        self.data.department_names[i] = d.name.as_str().into();
    }

    /// Adds a promotion.
    pub fn add_promotion(&mut self, p: &Promotion) {
        let i = self.promotion(&p.id) as usize - 1;
        self.data.promotion_names[i] = p.description.as_str().into();
    }

    /// Adds a product.
    pub fn add_product(&mut self, p: &Product) {
        let i = self.product(&p.id) as usize;
        self.data.product_names[i] = p.description.as_str().into();
        if let Some(d) = &p.department_id {
            self.data.product_department[i] = self.department(d);
        }
    }

    /// Adds a cardholder of the register.
    pub fn add_cardholder(&mut self, c: &Cardholder) {
        let shop = c.enrolment_store.as_deref().map(|s| self.shop(s)).unwrap_or(NONE);
        let cards = &mut self.data.cards;
        let i = cards.ensure(&c.id) as usize;
        cards.first_name[i] = c.first_name.as_str().into();
        cards.last_name[i] = c.last_name.as_str().into();
        cards.email[i] = c.email.as_deref().map(Into::into);
        cards.phone[i] = c.phone.as_deref().map(Into::into);
        cards.gender[i] = gender::parse(c.gender.as_deref());
        cards.birth_day[i] = c.birth_date.as_deref().and_then(parse_day).unwrap_or(i32::MIN);
        cards.enrolled_day[i] = c.enrolled_on.as_deref().and_then(parse_day).unwrap_or(i32::MIN);
        cards.enrolment_shop[i] = shop;
        cards.registered[i] = true;
        cards.anonymised[i] = c.status == CardStatus::Anonymised;
        cards.consents[i] = if c.status == CardStatus::Anonymised {
            0
        } else {
            u8::from(c.marketing_consent) * consent::MARKETING + u8::from(c.profiling_consent) * consent::PROFILING
        };
    }

    /// Adds a receipt (skipped, and counted, when its date cannot be read).
    pub fn add_receipt(&mut self, r: &Receipt) {
        let Some(day) = parse_day(&r.issued_at) else {
            self.data.skipped_receipts += 1;
            return;
        };
        let shop = self.shop(&r.shop_id);
        let card = r.card_number.as_deref().map(|c| self.data.cards.ensure(c)).unwrap_or(NONE);
        let index = self.receipts.len() as u32;
        let id: Arc<str> = r.id.as_str().into();
        match self.receipt_index.entry(id.clone()) {
            Entry::Occupied(_) => return, // the same id twice: keep the first
            Entry::Vacant(slot) => slot.insert(index),
        };
        self.receipts.push(PendingReceipt {
            id,
            day,
            minute: parse_minute(&r.issued_at),
            shop,
            card,
            gross: r.gross_cents,
            discount: r.discount_cents,
            net: r.net_cents,
        });
    }

    /// Adds a sales line; receipts must be added first (lines of unknown receipts are counted
    /// and skipped).
    pub fn add_line(&mut self, l: &SalesLine) {
        let Some(&receipt) = self.receipt_index.get(l.receipt_id.as_str()) else {
            self.data.skipped_lines += 1;
            return;
        };
        let values = self.line_values(l);
        self.lines.push(receipt, l.line_no, values);
    }

    /// A line's values in the columns, interning what it names (a line without a department
    /// takes its product's).
    pub(super) fn line_values(&mut self, l: &SalesLine) -> LineValues {
        let product = self.product(&l.product_id);
        let department = match &l.department_id {
            Some(d) => self.department(d),
            None => self.data.product_department[product as usize],
        };
        let promotion = l.promotion_id.as_deref().map(|p| self.promotion(p)).unwrap_or(0);
        LineValues {
            product,
            department,
            promotion,
            quantity: clamp_i32(l.quantity_milli),
            gross: clamp_i32(l.gross_cents),
            discount: clamp_i32(l.discount_cents),
            net: clamp_i32(l.net_cents),
        }
    }

    /// Sorts everything into the final columns.
    pub fn finish(mut self) -> Dataset {
        let mut order: Vec<u32> = (0..self.receipts.len() as u32).collect();
        order.sort_unstable_by(|a, b| {
            let (x, y) = (&self.receipts[*a as usize], &self.receipts[*b as usize]);
            (x.day, x.minute, &x.id).cmp(&(y.day, y.minute, &y.id))
        });
        let mut rank = vec![0u32; order.len()];
        for (pos, old) in order.iter().enumerate() {
            rank[*old as usize] = pos as u32;
        }
        let n = order.len();
        let (line_start, lines) = self.lines.into_sorted(&rank);
        let data = &mut self.data;
        let r = &mut data.receipts;
        // Every column sized exactly, plus an eighth for appends (pushing into empty vectors
        // would leave up to half of each unused; room never written costs no resident memory).
        r.reserve_more(n + n / 8);
        let mut pending: Vec<Option<PendingReceipt>> = self.receipts.into_iter().map(Some).collect();
        for old in &order {
            let p = pending[*old as usize].take().expect("each receipt once");
            r.id.push(p.id);
            r.day.push(p.day);
            r.minute.push(p.minute);
            r.shop.push(p.shop);
            r.card.push(p.card);
            r.gross.push(p.gross);
            r.discount.push(p.discount);
            r.net.push(p.net);
        }
        r.line_start = line_start;
        grow(&mut r.line_start, n / 8);
        data.lines = lines;
        let l = &data.lines;
        for i in 0..n {
            r.push_line_sums(l, i);
        }
        data.index_cards();
        data.redo_daily_from(i32::MIN);
        self.data
    }
}

impl Dataset {
    /// Recomputes the per-day sums from `day` on (after the receipts of those days changed).
    pub(super) fn redo_daily_from(&mut self, day: i32) {
        let mut daily = std::mem::take(&mut self.daily);
        daily.redo_from(self, day);
        self.daily = daily;
    }

    /// Lays out the receipts per card, in time order (after a build).
    pub(super) fn index_cards(&mut self) {
        let r = &self.receipts;
        let mut counts = vec![0usize; self.cards.len()];
        for c in &r.card {
            if *c != NONE {
                counts[*c as usize] += 1;
            }
        }
        let mut lists: Vec<Vec<u32>> = counts.into_iter().map(Vec::with_capacity).collect();
        for (i, c) in r.card.iter().enumerate() {
            if *c != NONE {
                lists[*c as usize].push(i as u32);
            }
        }
        self.card_receipts = lists;
        self.rank_cards();
    }

    /// Lays out again the receipts from index `at` on (after an append put new receipts there
    /// and moved the later ones): only the lists of their cards change.
    pub(super) fn index_cards_from(&mut self, at: usize) {
        self.card_receipts.resize_with(self.cards.len(), Vec::new);
        let (r, lists) = (&self.receipts, &mut self.card_receipts);
        // Every receipt that was at `at` or after is still there (moved or not): its card is
        // among those below, whose entries from `at` on are dropped and listed again.
        for c in r.card[at..].iter().filter(|c| **c != NONE) {
            let list = &mut lists[*c as usize];
            list.truncate(list.partition_point(|&k| (k as usize) < at));
        }
        for (i, c) in r.card.iter().enumerate().skip(at) {
            if *c != NONE {
                lists[*c as usize].push(i as u32);
            }
        }
        self.rank_cards();
    }

    /// Ranks the cards by number: all of them after a build, the new ones (a few, when a
    /// shopper who signed up shops) by binary search.
    fn rank_cards(&mut self) {
        let cards = self.cards.len();
        let ranked = self.card_rank.len();
        if ranked == cards {
            return; // card numbers never change: the ranks hold until a card is added
        }
        if ranked == 0 || cards - ranked > 64 {
            let mut by_number: Vec<u32> = (0..cards as u32).collect();
            by_number.sort_unstable_by(|a, b| self.cards.number.value(*a).cmp(self.cards.number.value(*b)));
            self.card_rank = vec![0; cards];
            for (rank, c) in by_number.iter().enumerate() {
                self.card_rank[*c as usize] = rank as u32;
            }
            self.card_by_rank = by_number;
            return;
        }
        for c in ranked as u32..cards as u32 {
            let number = self.cards.number.value(c);
            let pos = self.card_by_rank.partition_point(|k| self.cards.number.value(*k) < number);
            self.card_by_rank.insert(pos, c);
            for rank in &mut self.card_rank {
                if *rank >= pos as u32 {
                    *rank += 1;
                }
            }
            self.card_rank.push(pos as u32);
        }
    }
}
