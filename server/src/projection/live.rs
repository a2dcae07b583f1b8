//! Receipts received live from the tills since the projection was last built. Rebuilding the
//! whole projection takes seconds, so a live receipt is kept here (by card) and the shopper's
//! pages read the card's history from the projection merged with it: points, badges,
//! challenges and charts move the moment the till sends the receipt. The next rebuild (see
//! [`super::Projection`]) includes these receipts, and the ones it certainly includes are dropped.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use crate::store::model::{Department, Product, Promotion, Receipt, SalesLine, Shop};

use super::dataset::{Dataset, DatasetBuilder, Dict, NO_DEPARTMENT};
use crate::clock::iso_minute;

/// One live receipt with the catalog records it names.
#[derive(Clone, Debug)]
pub struct LiveEntry {
    pub receipt: Receipt,
    pub lines: Vec<SalesLine>,
    pub shop: Shop,
    pub products: Vec<Product>,
    pub departments: Vec<Department>,
    pub promotions: Vec<Promotion>,
}

#[derive(Default)]
struct Tail {
    seq: u64,
    /// Per card number: (sequence number, entry).
    by_card: HashMap<String, Vec<(u64, LiveEntry)>>,
    /// Receipts without a card (for the dashboards only).
    cardless: Vec<(u64, LiveEntry)>,
    /// When each held sequence number arrived (in order), for the oldest one's age.
    arrivals: std::collections::VecDeque<(u64, Instant)>,
}

/// The live receipts not yet in the projection.
#[derive(Default)]
pub struct LiveTail {
    inner: RwLock<Tail>,
}

impl LiveTail {
    /// Adds a stored receipt; returns its sequence number.
    pub fn push(&self, entry: LiveEntry) -> u64 {
        let Ok(mut t) = self.inner.write() else { return 0 };
        t.seq += 1;
        let seq = t.seq;
        t.arrivals.push_back((seq, Instant::now()));
        let list = match entry.receipt.card_number.clone() {
            Some(card) => t.by_card.entry(card).or_default(),
            None => &mut t.cardless,
        };
        list.retain(|(_, e)| e.receipt.id != entry.receipt.id);
        list.push((seq, entry));
        seq
    }

    /// Every receipt held, and the last sequence number they go up to.
    pub fn held(&self) -> (u64, Vec<LiveEntry>) {
        let Ok(t) = self.inner.read() else { return (0, Vec::new()) };
        let entries =
            t.by_card.values().chain(std::iter::once(&t.cardless)).flatten().map(|(_, e)| e.clone()).collect();
        (t.seq, entries)
    }

    /// The last sequence number handed out.
    pub fn seq(&self) -> u64 {
        self.inner.read().map(|t| t.seq).unwrap_or(0)
    }

    /// Drops the entries up to `seq` (a rebuild that started after they were stored has them).
    pub fn prune(&self, seq: u64) {
        let Ok(mut t) = self.inner.write() else { return };
        t.by_card.retain(|_, list| {
            list.retain(|(s, _)| *s > seq);
            !list.is_empty()
        });
        t.cardless.retain(|(s, _)| *s > seq);
        while t.arrivals.front().is_some_and(|(s, _)| *s <= seq) {
            t.arrivals.pop_front();
        }
    }

    /// Live receipts held.
    pub fn len(&self) -> usize {
        self.inner.read().map(|t| t.by_card.values().map(Vec::len).sum::<usize>() + t.cardless.len()).unwrap_or(0)
    }

    /// True when none are held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// How long the oldest held receipt has waited for a rebuild.
    pub fn oldest_age(&self) -> Option<Duration> {
        self.inner.read().ok().and_then(|t| t.arrivals.front().map(|(_, at)| at.elapsed()))
    }

    /// Card `card`'s history (projection `base` plus its live receipts) as a small dataset, or
    /// `None` when the card has no live receipts (read `base` directly then).
    pub fn card_dataset(&self, base: Option<&Dataset>, card: &str) -> Option<Dataset> {
        let t = self.inner.read().ok()?;
        let live = t.by_card.get(card)?;
        let mut b = DatasetBuilder::new();
        let live_ids: HashSet<&str> = live.iter().map(|(_, e)| e.receipt.id.as_str()).collect();
        if let Some((base, c)) = base.and_then(|d| d.cards.number.get(card).map(|c| (d, c))) {
            for i in base.receipts_of(c) {
                let i = *i as usize;
                if !live_ids.contains(&*base.receipts.id[i]) {
                    add_from_base(&mut b, base, i, card);
                }
            }
        }
        // Names: the projection's when it knows the record, else the till's.
        let known = |pick: fn(&Dataset) -> (&Dict, &[Arc<str>]), id: &str, sent: &str| {
            base.and_then(|b| {
                let (dict, names) = pick(b);
                dict.get(id).map(|i| names[i as usize].to_string())
            })
            .unwrap_or_else(|| sent.to_string())
        };
        for (_, e) in live {
            b.add_shop(&Shop {
                name: known(|b| (&b.shops, &b.shop_names), &e.shop.id, &e.shop.name),
                ..e.shop.clone()
            });
            for d in &e.departments {
                b.add_department(&Department {
                    id: d.id.clone(),
                    name: known(|b| (&b.departments, &b.department_names), &d.id, &d.name),
                });
            }
            for p in &e.promotions {
                b.add_promotion(&Promotion {
                    description: known(|b| (&b.promotions, &b.promotion_names), &p.id, &p.description),
                    ..p.clone()
                });
            }
            for p in &e.products {
                b.add_product(&Product {
                    description: known(|b| (&b.products, &b.product_names), &p.id, &p.description),
                    ..p.clone()
                });
            }
            b.add_receipt(&e.receipt);
            for l in &e.lines {
                b.add_line(l);
            }
        }
        Some(b.finish())
    }
}

/// Re-adds receipt `i` of `base` (with its names) to a builder.
fn add_from_base(b: &mut DatasetBuilder, base: &Dataset, i: usize, card: &str) {
    let (r, l) = (&base.receipts, &base.lines);
    let shop = r.shop[i];
    let shop_id = base.shops.value(shop).to_string();
    b.add_shop(&Shop {
        id: shop_id.clone(),
        name: base.shop_names[shop as usize].to_string(),
        city: None,
        province: None,
    });
    let id = r.id[i].to_string();
    b.add_receipt(&Receipt {
        id: id.clone(),
        shop_id,
        issued_at: iso_minute(r.day[i], r.minute[i]),
        till: "-".into(),
        number: id.clone(),
        card_number: Some(card.to_string()),
        gross_cents: r.gross[i],
        discount_cents: r.discount[i],
        net_cents: r.net[i],
    });
    for (n, k) in r.lines(i).enumerate() {
        let product = base.products.value(l.product[k]).to_string();
        let department =
            (l.department[k] != NO_DEPARTMENT).then(|| base.departments.value(u32::from(l.department[k])).to_string());
        if let Some(d) = &department {
            b.add_department(&Department {
                id: d.clone(),
                name: base.department_names[l.department[k] as usize].to_string(),
            });
        }
        let promotion = (l.promotion[k] != 0).then(|| {
            let p = u32::from(l.promotion[k]) - 1;
            b.add_promotion(&Promotion {
                id: base.promotions.value(p).to_string(),
                description: base.promotion_names[p as usize].to_string(),
                kind: None,
                starts_on: None,
                ends_on: None,
            });
            base.promotions.value(p).to_string()
        });
        b.add_product(&Product {
            id: product.clone(),
            description: base.product_names[l.product[k] as usize].to_string(),
            department_id: department.clone(),
            brand: None,
        });
        b.add_line(&SalesLine {
            id: SalesLine::key(&id, n as i64 + 1),
            receipt_id: id.clone(),
            line_no: n as i64 + 1,
            product_id: product,
            department_id: department,
            quantity_milli: i64::from(l.quantity[k]),
            gross_cents: i64::from(l.gross[k]),
            discount_cents: i64::from(l.discount[k]),
            net_cents: i64::from(l.net[k]),
            promotion_id: promotion,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn receipt(id: &str, at: &str, card: &str, net: i64) -> Receipt {
        Receipt {
            id: id.into(),
            shop_id: "S1".into(),
            issued_at: at.into(),
            till: "1".into(),
            number: id.into(),
            card_number: Some(card.into()),
            gross_cents: net,
            discount_cents: 0,
            net_cents: net,
        }
    }

    fn line(r: &str, n: i64, product: &str, net: i64, promo: Option<&str>) -> SalesLine {
        SalesLine {
            id: SalesLine::key(r, n),
            receipt_id: r.into(),
            line_no: n,
            product_id: product.into(),
            department_id: Some("01".into()),
            quantity_milli: 1000,
            gross_cents: net,
            discount_cents: 0,
            net_cents: net,
            promotion_id: promo.map(Into::into),
        }
    }

    fn base() -> Dataset {
        let mut b = DatasetBuilder::new();
        b.add_shop(&Shop { id: "S1".into(), name: "Forlì Centro".into(), city: None, province: None });
        b.add_department(&Department { id: "01".into(), name: "Ortofrutta".into() });
        b.add_product(&Product {
            id: "P1".into(),
            description: "Mele".into(),
            department_id: Some("01".into()),
            brand: None,
        });
        b.add_receipt(&receipt("R1", "2026-11-01T09:30:00", "A", 1_000));
        b.add_line(&line("R1", 1, "P1", 1_000, Some("X")));
        b.add_receipt(&receipt("R2", "2026-11-02T10:00:00", "B", 500));
        b.add_line(&line("R2", 1, "P1", 500, None));
        b.finish()
    }

    fn entry(id: &str, at: &str, card: &str, net: i64) -> LiveEntry {
        LiveEntry {
            receipt: receipt(id, at, card, net),
            lines: vec![line(id, 1, "P1", net, None), line(id, 2, "P2", 0, None)],
            shop: Shop { id: "S1".into(), name: "S1".into(), city: None, province: None },
            products: vec![
                Product { id: "P1".into(), description: "P1".into(), department_id: Some("01".into()), brand: None },
                Product { id: "P2".into(), description: "Pere".into(), department_id: Some("01".into()), brand: None },
            ],
            departments: vec![Department { id: "01".into(), name: "01".into() }],
            promotions: vec![],
        }
    }

    #[test]
    fn a_cards_history_is_the_projection_plus_its_live_receipts() {
        let base = base();
        let tail = LiveTail::default();
        assert!(tail.card_dataset(Some(&base), "A").is_none(), "no live receipts: read the projection");
        let seq = tail.push(entry("R3", "2026-11-28T18:30:00", "A", 2_000));
        tail.push(entry("R4", "2026-11-28T19:00:00", "B", 700));
        assert_eq!(tail.len(), 2);
        let d = tail.card_dataset(Some(&base), "A").unwrap();
        let c = d.cards.number.get("A").unwrap();
        let ids: Vec<&str> = d.receipts_of(c).iter().map(|i| &*d.receipts.id[*i as usize]).collect();
        assert_eq!(ids, ["R1", "R3"], "in time order, nothing of card B");
        assert!(d.cards.number.get("B").is_none());
        // Names come from the projection when it knows them, else from the till.
        let names: Vec<&str> = d.product_names.iter().map(|n| &**n).collect();
        assert!(names.contains(&"Mele") && names.contains(&"Pere"), "{names:?}");
        assert_eq!(&*d.shop_names[0], "Forlì Centro");
        assert_eq!(&*d.department_names[0], "Ortofrutta");
        // The base receipt keeps its promotion and amounts.
        let r1 = d.receipts_of(c)[0] as usize;
        assert_eq!((d.receipts.net[r1], d.lines.promotion[d.receipts.lines(r1).start]), (1_000, 1));
        // A receipt both live and in the projection counts once.
        std::thread::sleep(Duration::from_millis(5));
        tail.push(entry("R1", "2026-11-01T09:30:00", "A", 1_000));
        let d = tail.card_dataset(Some(&base), "A").unwrap();
        assert_eq!(d.receipts.len(), 2);
        // After a rebuild that includes them, the entries go; the age is the oldest remaining's.
        let age_before = tail.oldest_age().unwrap();
        tail.prune(seq + 1);
        assert_eq!(tail.len(), 1, "R1 (pushed after the rebuild started) stays");
        assert!(tail.oldest_age().unwrap() < age_before, "the age restarts from the oldest kept receipt");
        tail.prune(tail.seq());
        assert!(tail.is_empty() && tail.oldest_age().is_none());
        // Before the first build, the live receipts alone.
        tail.push(entry("R5", "2026-11-28T08:00:00", "C", 300));
        assert_eq!(tail.card_dataset(None, "C").unwrap().receipts.len(), 1);
    }
}
