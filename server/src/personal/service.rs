//! The personal-area service behind `/me` and `/me/receipts`: the caller's card from the
//! ledger, and their history from the projection's per-card index. There is no argument that
//! names another cardholder: a receipt id is looked up only among the caller's own receipts.

use std::sync::Arc;

use app::error::AppError;
use app::model::account::SessionUser;
use app::model::analytics::{GroupRow, ReceiptView};
use app::model::card::CardView;
use app::model::levels::LevelThresholds;
use app::model::personal::{PersonalArea, ReceiptPage, ReceiptSummary};
use app::ports::Personal;
use app::validate::SimpleDate;
use async_trait::async_trait;

use super::rewards;
use crate::analytics::history;
use crate::analytics::Projection;
use crate::cards::CardService;
use crate::clock::month_of;
use crate::clock::time_label;
use crate::projection::dataset::Dataset;

/// Receipts per page of `/me/receipts`.
pub const PER_PAGE: u32 = 20;
/// Receipts in the `/me` summary.
pub const LATEST: usize = 5;
/// Favourite products on `/me`.
pub const FAVOURITES: usize = 5;

/// The service.
pub struct PersonalService {
    projection: Arc<Projection>,
    cards: Arc<CardService>,
    thresholds: LevelThresholds,
    store: Arc<dyn crate::store::Store>,
    points: Arc<crate::points::PointsService>,
    limiter: crate::limiter::FailureLimiter,
}

impl PersonalService {
    /// A service over the projection and the card service.
    pub fn new(
        projection: Arc<Projection>,
        cards: Arc<CardService>,
        thresholds: LevelThresholds,
        store: Arc<dyn crate::store::Store>,
        points: Arc<crate::points::PointsService>,
    ) -> Self {
        PersonalService { projection, cards, thresholds, store, points, limiter: Default::default() }
    }
}

fn summary(data: &Dataset, i: usize) -> ReceiptSummary {
    let r = &data.receipts;
    ReceiptSummary {
        id: r.id[i].to_string(),
        issued_at: time_label(r.day[i], r.minute[i]),
        store: data.shop_names[r.shop[i] as usize].to_string(),
        net_cents: r.net[i],
        discount_cents: r.discount[i],
        lines: r.lines(i).len() as u32,
    }
}

/// The caller's card index in the projection (`None`: a card without purchases yet).
fn card_index(data: &Dataset, user: &SessionUser) -> Result<Option<u32>, AppError> {
    let card = user.card_number.as_deref().ok_or(AppError::NotFound)?;
    Ok(data.cards.number.get(card))
}

/// Everything on `/me` from the history of card `c` (none yet: `None`) with `today` as the
/// reference day (public for the benchmark's phase timing).
pub fn personal_area(
    data: &Dataset,
    c: Option<u32>,
    today: i32,
    card: CardView,
    level_progress_bp: i64,
) -> PersonalArea {
    let now_month = month_of(today);
    let receipts: &[u32] = c.map(|c| data.receipts_of(c)).unwrap_or(&[]);
    let (r, l) = (&data.receipts, &data.lines);
    let year = SimpleDate::from_days_since_epoch(i64::from(today)).year;
    let mut saved = 0i64;
    // (product, net) of every line, then grouped: receipts per product count each receipt once.
    let mut bought: Vec<(u32, u32, i64)> = Vec::new();
    for (n, i) in receipts.iter().enumerate() {
        let i = *i as usize;
        let this_year = SimpleDate::from_days_since_epoch(i64::from(r.day[i])).year == year;
        for k in r.lines(i) {
            if this_year && l.promotion[k] != 0 {
                saved += i64::from(l.discount[k]);
            }
            bought.push((l.product[k], n as u32, i64::from(l.net[k])));
        }
    }
    bought.sort_unstable_by_key(|(p, n, _)| (*p, *n));
    // (receipts, net, product) per product.
    let mut products: Vec<(u32, i64, u32)> = Vec::new();
    let mut last: Option<(u32, u32)> = None;
    for (p, n, net) in bought {
        match products.last_mut() {
            Some(e) if e.2 == p => {
                e.1 += net;
                if last != Some((p, n)) {
                    e.0 += 1;
                }
            }
            _ => products.push((1, net, p)),
        }
        last = Some((p, n));
    }
    let departments = history::departments(data, receipts);
    let total: i64 = departments.iter().map(|d| d.revenue_cents).sum();
    let by_rank = |a: &(u32, i64, u32), b: &(u32, i64, u32)| {
        b.0.cmp(&a.0).then_with(|| b.1.cmp(&a.1)).then_with(|| data.products.value(a.2).cmp(data.products.value(b.2)))
    };
    let top = FAVOURITES.min(products.len());
    if top > 0 {
        products.select_nth_unstable_by(top - 1, by_rank);
    }
    products.truncate(top);
    products.sort_unstable_by(by_rank);
    let favourites: Vec<GroupRow> = products
        .into_iter()
        .map(|(n, net, p)| GroupRow {
            id: data.products.value(p).to_string(),
            name: data.product_names[p as usize].to_string(),
            revenue_cents: net,
            receipts: n,
            quantity_milli: 0,
            share_bp: if total == 0 { 0 } else { net * 10_000 / total },
        })
        .collect();
    let monthly = history::monthly(data, receipts, now_month);
    let this_month = monthly.last().map_or(0, |m| m.revenue_cents);
    let previous = history::monthly(data, receipts, now_month - 1);
    let average = previous
        .iter()
        .any(|m| m.revenue_cents != 0)
        .then(|| (previous.iter().map(|m| m.revenue_cents).sum::<i64>() as f64 / 12.0).round() as i64);
    let visits = c.map(|c| super::visits(data, c)).unwrap_or_default();
    PersonalArea {
        card,
        level_progress_bp,
        saved_this_year_cents: saved,
        monthly,
        departments,
        favourites,
        this_month_cents: this_month,
        average_month_cents: average,
        latest: receipts.iter().rev().take(LATEST).map(|i| summary(data, *i as usize)).collect(),
        badges: rewards::badges(&visits),
        challenges: rewards::challenges(&visits, now_month),
        expiring: None,
    }
}

impl PersonalService {
    /// The caller's history merged with their receipts received live since the projection was
    /// built (`None`: there are none, read the projection).
    fn live_history(&self, snap: &crate::analytics::Snapshot, user: &SessionUser) -> Option<Dataset> {
        self.projection.live.card_dataset(Some(&snap.data), user.card_number.as_deref()?)
    }
}

#[async_trait]
impl Personal for PersonalService {
    async fn area(&self, user: &SessionUser) -> Result<PersonalArea, AppError> {
        let card = self.cards.card_view(user, false).await?;
        let snap = self.projection.snapshot().ok_or(AppError::Unavailable)?;
        let live = self.live_history(&snap, user);
        let data = live.as_ref().unwrap_or(&snap.data);
        let c = card_index(data, user)?;
        let today = crate::clock::today();
        let level_progress_bp = match card.next_level {
            None => 10_000,
            Some((next, _)) => {
                let from = i64::from(self.thresholds.points_for(card.level));
                let to = i64::from(self.thresholds.points_for(next));
                ((card.points_12m - from).max(0) * 10_000 / (to - from).max(1)).min(10_000)
            }
        };
        let mut area = personal_area(data, c, today, card, level_progress_bp);
        if let Some(number) = user.card_number.as_deref() {
            area.expiring = self
                .points
                .expiring(number)
                .await?
                .map(|(last_day, points)| app::model::personal::PointsDue { points, last_day });
        }
        Ok(area)
    }

    async fn receipts(&self, user: &SessionUser, page: u32) -> Result<ReceiptPage, AppError> {
        let snap = self.projection.snapshot().ok_or(AppError::Unavailable)?;
        let live = self.live_history(&snap, user);
        let data = live.as_ref().unwrap_or(&snap.data);
        let receipts: &[u32] = card_index(data, user)?.map(|c| data.receipts_of(c)).unwrap_or(&[]);
        let page = page.max(1);
        let rows = receipts
            .iter()
            .rev()
            .skip(((page - 1) as usize).saturating_mul(PER_PAGE as usize))
            .take(PER_PAGE as usize)
            .map(|i| summary(data, *i as usize))
            .collect();
        Ok(ReceiptPage { total: receipts.len() as u32, page, per_page: PER_PAGE, receipts: rows })
    }

    async fn profile(&self, user: &SessionUser) -> Result<app::model::personal::ProfileView, AppError> {
        super::profile::view(self.store.as_ref(), user).await
    }

    async fn update_profile(
        &self,
        user: &SessionUser,
        email: &str,
        phone: &str,
        consents: (bool, bool),
    ) -> Result<app::model::personal::ProfileView, AppError> {
        // Each change may answer `taken` for someone else's email or phone: limited per account.
        let key = format!("profile:{}", user.id);
        self.limiter
            .attempt(&[(&key, crate::limiter::MAX_PROFILE_CHANGES)], std::time::Instant::now())
            .map_err(|retry_after_secs| AppError::RateLimited { retry_after_secs })?;
        let (view, consents_changed) =
            super::profile::update(self.store.as_ref(), user, email, phone, consents).await?;
        if consents_changed {
            // Campaign audiences read the consents from the projection: a rebuild, coalesced.
            self.projection.request_refresh(self.store.clone());
        }
        Ok(view)
    }

    async fn change_password(
        &self,
        user: &SessionUser,
        current: &str,
        new: &str,
        confirm: &str,
    ) -> Result<(), AppError> {
        super::profile::change_password(self.store.as_ref(), user, current, new, confirm).await
    }

    async fn erase(&self, user: &SessionUser, password: &str) -> Result<(), AppError> {
        super::privacy::erase(self.store.as_ref(), user, password).await?;
        // The projection still holds the old name: a rebuild, coalesced with any others asked.
        self.projection.request_refresh(self.store.clone());
        Ok(())
    }

    async fn receipt(&self, user: &SessionUser, id: &str) -> Result<ReceiptView, AppError> {
        let snap = self.projection.snapshot().ok_or(AppError::Unavailable)?;
        let live = self.live_history(&snap, user);
        let data = live.as_ref().unwrap_or(&snap.data);
        let c = card_index(data, user)?.ok_or(AppError::NotFound)?;
        let i =
            data.receipts_of(c).iter().find(|i| &*data.receipts.id[**i as usize] == id).ok_or(AppError::NotFound)?;
        Ok(crate::analytics::service::receipt_view(data, *i as usize))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::parse_day;
    use crate::projection::dataset::DatasetBuilder;
    use crate::store::model::{Product, Receipt, SalesLine};
    use app::model::levels::Level;

    /// Card A: R1 (5 Mar 2026: P1 on promotion with 0,50 off, P2, P1 again), R2 (12 Mar 2026:
    /// P2, P3), R3 (1 Dec 2025: P3 on promotion with 0,30 off); card B: R4 with P9.
    fn data() -> Dataset {
        let mut b = DatasetBuilder::new();
        for (id, name) in [("P1", "Latte"), ("P2", "Pane"), ("P3", "Mele"), ("P9", "Caffè")] {
            b.add_product(&Product { id: id.into(), description: name.into(), department_id: None, brand: None });
        }
        let receipt = |id: &str, at: &str, card: &str, net: i64| Receipt {
            id: id.into(),
            shop_id: "S1".into(),
            issued_at: at.into(),
            till: "1".into(),
            number: id.into(),
            card_number: Some(card.into()),
            gross_cents: net,
            discount_cents: 0,
            net_cents: net,
        };
        b.add_receipt(&receipt("R3", "2025-12-01T10:00:00", "A", 300));
        b.add_receipt(&receipt("R1", "2026-03-05T08:15:00", "A", 500));
        b.add_receipt(&receipt("R2", "2026-03-12T18:00:00", "A", 400));
        b.add_receipt(&receipt("R4", "2026-03-12T19:00:00", "B", 9_000));
        let line = |r: &str, n: i64, p: &str, net: i64, off: i64| SalesLine {
            id: SalesLine::key(r, n),
            receipt_id: r.into(),
            line_no: n,
            product_id: p.into(),
            department_id: None,
            quantity_milli: 1000,
            gross_cents: net + off,
            discount_cents: off,
            net_cents: net,
            promotion_id: (off > 0).then(|| "X".to_string()),
        };
        b.add_line(&line("R1", 1, "P1", 100, 50));
        b.add_line(&line("R1", 2, "P2", 300, 0));
        b.add_line(&line("R1", 3, "P1", 100, 0));
        b.add_line(&line("R2", 1, "P2", 100, 0));
        b.add_line(&line("R2", 2, "P3", 300, 0));
        b.add_line(&line("R3", 1, "P3", 300, 30));
        b.add_line(&line("R4", 1, "P9", 9_000, 0));
        b.finish()
    }

    fn card() -> CardView {
        CardView {
            first_name: "A".into(),
            last_name: "A".into(),
            card_number: "A".into(),
            barcode_svg: String::new(),
            qr_svg: String::new(),
            level: Level::Bronze,
            points_balance: 0,
            points_12m: 0,
            next_level: None,
        }
    }

    #[test]
    fn figures_of_the_personal_area() {
        let d = data();
        let today = parse_day("2026-03-20").unwrap();
        let a = personal_area(&d, d.cards.number.get("A"), today, card(), 1234);
        assert_eq!(a.level_progress_bp, 1234);
        assert_eq!(a.saved_this_year_cents, 50, "only 2026 promotion discounts");
        // Favourites: most receipts first, then revenue, then product id; P1 twice in R1 is one
        // receipt. P2: 2 receipts, 4,00; P3: 2 receipts, 6,00; P1: 1 receipt, 2,00.
        let fav: Vec<(&str, &str, u32, i64)> =
            a.favourites.iter().map(|f| (f.id.as_str(), f.name.as_str(), f.receipts, f.revenue_cents)).collect();
        assert_eq!(fav, vec![("P3", "Mele", 2, 600), ("P2", "Pane", 2, 400), ("P1", "Latte", 1, 200)]);
        assert_eq!(a.favourites[0].share_bp, 600 * 10_000 / 1_200, "share of the card's line revenue");
        // This month (March 2026: 5,00 + 4,00) against the 12 months before (3,00 / 12).
        assert_eq!(a.this_month_cents, 900);
        assert_eq!(a.average_month_cents, Some(25));
        assert_eq!(a.monthly.len(), 12);
        assert_eq!((a.monthly[11].start.as_str(), a.monthly[11].receipts), ("2026-03", 2));
        assert_eq!((a.monthly[8].start.as_str(), a.monthly[8].revenue_cents), ("2025-12", 300));
        let latest: Vec<&str> = a.latest.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(latest, vec!["R2", "R1", "R3"], "newest first");
        assert_eq!((a.latest[1].issued_at.as_str(), a.latest[1].lines), ("2026-03-05 08:15", 3));
        // Nothing of card B shows up.
        assert!(a.favourites.iter().all(|f| f.id != "P9"));
    }

    #[test]
    fn a_card_without_purchases_has_an_empty_area() {
        let d = data();
        let a = personal_area(&d, None, parse_day("2026-03-20").unwrap(), card(), 0);
        assert!(a.favourites.is_empty() && a.latest.is_empty() && a.departments.is_empty());
        assert_eq!((a.saved_this_year_cents, a.this_month_cents, a.average_month_cents), (0, 0, None));
        assert!(a.badges.iter().all(|b| b.progress == 0));
    }
}
