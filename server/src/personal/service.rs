//! The personal-area service behind `/me` and `/me/receipts`: the caller's card from the
//! ledger, and their history from the projection's per-card index. There is no argument that
//! names another cardholder: a receipt id is looked up only among the caller's own receipts.

use std::collections::HashMap;
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

use super::rewards::{self, month_of};
use crate::analytics::dataset::{day_iso, Dataset};
use crate::analytics::history;
use crate::analytics::Engine;
use crate::cards::CardService;

/// Receipts per page of `/me/receipts`.
pub const PER_PAGE: u32 = 20;
/// Receipts in the `/me` summary.
pub const LATEST: usize = 5;

/// The service.
pub struct PersonalService {
    engine: Arc<Engine>,
    cards: Arc<CardService>,
    thresholds: LevelThresholds,
    store: Arc<dyn crate::store::Store>,
    caches: Arc<crate::warmup::Caches>,
}

impl PersonalService {
    /// A service over the projection and the card service.
    pub fn new(
        engine: Arc<Engine>,
        cards: Arc<CardService>,
        thresholds: LevelThresholds,
        store: Arc<dyn crate::store::Store>,
        caches: Arc<crate::warmup::Caches>,
    ) -> Self {
        PersonalService { engine, cards, thresholds, store, caches }
    }
}

fn summary(data: &Dataset, i: usize) -> ReceiptSummary {
    let r = &data.receipts;
    ReceiptSummary {
        id: r.id[i].to_string(),
        issued_at: format!("{} {:02}:{:02}", day_iso(r.day[i]), r.minute[i] / 60, r.minute[i] % 60),
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
/// reference day.
fn personal_area(data: &Dataset, c: Option<u32>, today: i32, card: CardView, level_progress_bp: i64) -> PersonalArea {
    let now_month = month_of(today);
    let receipts: &[u32] = c.map(|c| data.receipts_of(c)).unwrap_or(&[]);
    let (r, l) = (&data.receipts, &data.lines);
    let year = SimpleDate::from_days_since_epoch(i64::from(today)).year;
    let mut saved = 0i64;
    let mut products: HashMap<u32, (u32, i64)> = HashMap::new();
    for i in receipts {
        let i = *i as usize;
        let this_year = SimpleDate::from_days_since_epoch(i64::from(r.day[i])).year == year;
        let mut seen: Vec<u32> = Vec::new();
        for k in r.lines(i) {
            if this_year && l.promotion[k] != 0 {
                saved += i64::from(l.discount[k]);
            }
            let p = l.product[k];
            let e = products.entry(p).or_default();
            e.1 += i64::from(l.net[k]);
            if !seen.contains(&p) {
                seen.push(p);
                e.0 += 1;
            }
        }
    }
    let departments = history::departments(data, receipts);
    let total: i64 = departments.iter().map(|d| d.revenue_cents).sum();
    let mut favourites: Vec<GroupRow> = products
        .into_iter()
        .map(|(p, (n, net))| GroupRow {
            id: data.products.value(p).to_string(),
            name: data.product_names[p as usize].to_string(),
            revenue_cents: net,
            receipts: n,
            quantity_milli: 0,
            share_bp: if total == 0 { 0 } else { net * 10_000 / total },
        })
        .collect();
    favourites.sort_by(|a, b| b.receipts.cmp(&a.receipts).then_with(|| b.revenue_cents.cmp(&a.revenue_cents)).then_with(|| a.id.cmp(&b.id)));
    favourites.truncate(5);
    let monthly = history::monthly(data, receipts, now_month);
    let this_month = monthly.last().map_or(0, |m| m.revenue_cents);
    let previous = history::monthly(data, receipts, now_month - 1);
    let average = previous.iter().any(|m| m.revenue_cents != 0).then(|| (previous.iter().map(|m| m.revenue_cents).sum::<i64>() as f64 / 12.0).round() as i64);
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
    }
}

#[async_trait]
impl Personal for PersonalService {
    async fn area(&self, user: &SessionUser) -> Result<PersonalArea, AppError> {
        let card = self.cards.card_view(user, false).await?;
        let snap = self.engine.snapshot().ok_or(AppError::Unavailable)?;
        let c = card_index(&snap.data, user)?;
        let today = SimpleDate::today_utc().days_since_epoch() as i32;
        let level_progress_bp = match card.next_level {
            None => 10_000,
            Some((next, _)) => {
                let from = i64::from(self.thresholds.points_for(card.level));
                let to = i64::from(self.thresholds.points_for(next));
                ((card.points_12m - from).max(0) * 10_000 / (to - from).max(1)).min(10_000)
            }
        };
        Ok(personal_area(&snap.data, c, today, card, level_progress_bp))
    }

    async fn receipts(&self, user: &SessionUser, page: u32) -> Result<ReceiptPage, AppError> {
        let snap = self.engine.snapshot().ok_or(AppError::Unavailable)?;
        let data = &snap.data;
        let receipts: &[u32] = card_index(data, user)?.map(|c| data.receipts_of(c)).unwrap_or(&[]);
        let page = page.max(1);
        let rows = receipts.iter().rev().skip(((page - 1) * PER_PAGE) as usize).take(PER_PAGE as usize).map(|i| summary(data, *i as usize)).collect();
        Ok(ReceiptPage { total: receipts.len() as u32, page, per_page: PER_PAGE, receipts: rows })
    }

    async fn profile(&self, user: &SessionUser) -> Result<app::model::personal::ProfileView, AppError> {
        super::profile::view(self.store.as_ref(), user).await
    }

    async fn update_profile(&self, user: &SessionUser, email: &str, phone: &str, marketing: bool) -> Result<app::model::personal::ProfileView, AppError> {
        super::profile::update(self.store.as_ref(), user, email, phone, marketing).await
    }

    async fn change_password(&self, user: &SessionUser, current: &str, new: &str, confirm: &str) -> Result<(), AppError> {
        super::profile::change_password(self.store.as_ref(), user, current, new, confirm).await
    }

    async fn erase(&self, user: &SessionUser, password: &str) -> Result<(), AppError> {
        super::privacy::erase(self.store.as_ref(), user, password).await?;
        // The projection still holds the old name: rebuild it in the background.
        let (caches, store) = (self.caches.clone(), self.store.clone());
        tokio::spawn(async move {
            if let Err(e) = caches.refresh(store.as_ref()).await {
                tracing::warn!(error = %e, "refresh after an erasure failed");
            }
        });
        Ok(())
    }

    async fn receipt(&self, user: &SessionUser, id: &str) -> Result<ReceiptView, AppError> {
        let snap = self.engine.snapshot().ok_or(AppError::Unavailable)?;
        let data = &snap.data;
        let c = card_index(data, user)?.ok_or(AppError::NotFound)?;
        let i = data.receipts_of(c).iter().find(|i| &*data.receipts.id[**i as usize] == id).ok_or(AppError::NotFound)?;
        Ok(crate::analytics::service::receipt_view(&snap, *i as usize))
    }
}
