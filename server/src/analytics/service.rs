//! The analytics service behind the admin server functions: reads the engine's current
//! snapshot (503 while it warms up) and maps results to wire types. Computation runs on a
//! blocking thread so a heavy filter never stalls the async workers.

use std::sync::Arc;

use app::error::AppError;
use app::model::analytics::{
    BadFilter, Customer360, CustomerPage, CustomerQuery, Dashboard, Filters, LineView, ReceiptView,
};
use app::model::levels::LevelThresholds;
use app::ports::Analytics;
use async_trait::async_trait;

use super::selection::Window;
use super::{customers, Projection, Snapshot};
use crate::clock::day_iso;
use crate::error::internal;
use crate::projection::dataset::{NONE, NO_DEPARTMENT};
use crate::store::{Store, StoreExt};

/// Receipts shown in the customer 360 view.
pub const RECEIPTS_SHOWN: usize = 50;
/// Customers per page at most.
pub const MAX_PER_PAGE: u32 = 200;

/// The service.
pub struct AnalyticsService {
    projection: Arc<Projection>,
    store: Arc<dyn Store>,
    thresholds: LevelThresholds,
    points: Arc<crate::points::PointsService>,
}

impl AnalyticsService {
    /// A service over the projection (and the store and points service, for points).
    pub fn new(
        projection: Arc<Projection>,
        store: Arc<dyn Store>,
        thresholds: LevelThresholds,
        points: Arc<crate::points::PointsService>,
    ) -> Self {
        AnalyticsService { projection, store, thresholds, points }
    }

    fn snapshot(&self) -> Result<Arc<Snapshot>, AppError> {
        self.projection.snapshot().ok_or(AppError::Unavailable)
    }
}

/// A filter error as a validation error naming the parameter.
pub fn bad_filter(e: BadFilter) -> AppError {
    AppError::bad_value(e.param, e.value)
}

async fn blocking<T: Send + 'static>(f: impl FnOnce() -> Result<T, AppError> + Send + 'static) -> Result<T, AppError> {
    tokio::task::spawn_blocking(f).await.map_err(internal)?
}

#[async_trait]
impl Analytics for AnalyticsService {
    async fn dashboard(&self, filters: Filters) -> Result<Dashboard, AppError> {
        let snap = self.snapshot()?;
        let mut d = blocking(move || snap.dashboard(&filters).map_err(bad_filter)).await?;
        if let (Some(from), Some(to)) = (crate::clock::parse_day(&d.from), crate::clock::parse_day(&d.to)) {
            d.points = Some(self.points.programme(from, to));
        }
        Ok(d)
    }

    async fn customers(&self, mut query: CustomerQuery) -> Result<CustomerPage, AppError> {
        let snap = self.snapshot()?;
        // A voucher code finds the card that holds it.
        if let Some(code) = query.search.clone().filter(|q| app::validate::ean13::is_voucher_code(q.trim())) {
            if let Some(v) = self.store.get_one::<crate::store::model::Voucher>(code.trim()).await? {
                query.search = Some(v.card_number);
            }
        }
        query.per_page = query.per_page.clamp(1, MAX_PER_PAGE);
        query.page = query.page.max(1);
        let mut page = blocking(move || customer_page(&snap, query)).await?;
        let searched_card = page
            .query
            .search
            .as_deref()
            .map(str::trim)
            .filter(|q| (8..=20).contains(&q.len()) && q.bytes().all(|b| b.is_ascii_digit()));
        if let (true, Some(card)) = (page.rows.is_empty(), searched_card) {
            let mut lookup = self.card_lookup(card).await?;
            lookup.in_analytics = self.snapshot()?.data.cards.number.get(card).is_some();
            page.card_lookup = Some(lookup);
        }
        Ok(page)
    }

    async fn customer(&self, card_number: &str) -> Result<Customer360, AppError> {
        self.customer_360(card_number).await
    }
}

impl AnalyticsService {
    /// Where a card number the customer list does not show was seen: the register (imported
    /// after the last build), or rejected rows of imported files (by the card index of the
    /// rejected rows; each with its file, date, row and reason), or nowhere.
    async fn card_lookup(&self, card: &str) -> Result<app::model::analytics::CardLookup, AppError> {
        use crate::store::model::{Cardholder, ImportBatch, ImportRowError};
        let in_register = self.store.get_one::<Cardholder>(card).await?.is_some();
        let rows: Vec<ImportRowError> = self.store.find("card_number", serde_json::json!(card), 50).await?;
        let mut rejected = Vec::new();
        for r in rows {
            let batch = self.store.get_one::<ImportBatch>(&r.batch_id).await?;
            rejected.push(app::model::analytics::RejectedMention {
                file_name: batch.as_ref().map(|b| b.file_name.clone()).unwrap_or_default(),
                imported_at: batch.and_then(|b| b.finished_at.or(Some(b.started_at))).unwrap_or_default(),
                row: r.row,
                column: r.column,
                reason: r.reason,
            });
        }
        rejected.sort_by(|a, b| b.imported_at.cmp(&a.imported_at));
        let lineage = if in_register { Some(self.card_lineage(card).await?) } else { None };
        Ok(app::model::analytics::CardLookup {
            card_number: card.to_string(),
            in_analytics: false,
            in_register,
            rejected,
            lineage,
        })
    }

    /// The import batches that created and last changed a card's record, with their files.
    async fn card_lineage(&self, card: &str) -> Result<app::model::analytics::CardLineage, AppError> {
        use crate::store::model::ImportBatch;
        let lineage = self.store.lineage(crate::store::Table::Cardholders, card).await?.unwrap_or_default();
        let mention = async |number: Option<i64>| -> Result<_, AppError> {
            let Some(number) = number else { return Ok(None) };
            let batch = self.store.find::<ImportBatch>("number", serde_json::json!(number), 1).await?.pop();
            Ok(batch.map(|b| app::model::analytics::BatchMention {
                batch_id: b.id,
                file_name: b.file_name,
                imported_at: b.started_at,
            }))
        };
        let first = mention(lineage.first_batch).await?;
        let last = mention(lineage.last_batch).await?;
        Ok(app::model::analytics::CardLineage { first, last })
    }

    async fn customer_360(&self, card_number: &str) -> Result<Customer360, AppError> {
        let snap = self.snapshot()?;
        let card = card_number.to_string();
        let mut view = blocking(move || customer_360(&snap, &card)).await?;
        let (balance, _, level) =
            crate::points::status(self.store.as_ref(), &view.card_number, &self.thresholds).await?;
        view.points_balance = balance;
        view.level = level;
        let now = crate::clock::now_rfc3339();
        let mut vouchers: Vec<crate::store::model::Voucher> =
            self.store.find("card_number", serde_json::json!(view.card_number), 10_000).await?;
        vouchers.retain(|v| !matches!(v.status.as_str(), "pending" | "void"));
        vouchers.sort_by(|a, b| b.issued_at.cmp(&a.issued_at));
        view.vouchers = vouchers.iter().map(|v| crate::rewards::voucher_view(v, &now)).collect();
        view.lineage = self.card_lineage(&view.card_number).await?;
        Ok(view)
    }
}

/// One page of the customer list.
pub fn customer_page(snap: &Snapshot, query: CustomerQuery) -> Result<CustomerPage, AppError> {
    let (sel, rfm) = snap.select(&query.filters).map_err(bad_filter)?;
    let all = customers::matching(&sel, &rfm, &query);
    let start = (query.page.saturating_sub(1) as usize).saturating_mul(query.per_page as usize);
    let rows = all
        .iter()
        .skip(start)
        .take(query.per_page as usize)
        .map(|s| customers::row(&snap.data, snap.clv.as_deref(), s))
        .collect();
    Ok(CustomerPage {
        from: day_iso(sel.window.from),
        to: day_iso(sel.window.to),
        total: all.len() as u32,
        rows,
        options: snap.options(),
        query,
        card_lookup: None,
    })
}

/// Everything about one cardholder; 404 for an unknown card.
pub fn customer_360(snap: &Snapshot, card_number: &str) -> Result<Customer360, AppError> {
    let data = &snap.data;
    let c = data.cards.number.get(card_number.trim()).ok_or(AppError::NotFound)?;
    let ci = c as usize;
    let cards = &data.cards;
    let receipts = data.receipts_of(c);
    let rfm = match (data.first_day(), data.last_day()) {
        (Some(first), Some(last)) => {
            let all = snap.rfm(Window { from: first, to: last });
            all.of(c).map(|s| customers::row(data, snap.clv.as_deref(), s))
        }
        _ => None,
    };
    // Monthly spend over the 12 months ending with the last month with data.
    let monthly = data
        .last_day()
        .map(|last| super::history::monthly(data, receipts, crate::clock::month_of(last)))
        .unwrap_or_default();
    let departments = super::history::departments(data, receipts);
    let shown: Vec<ReceiptView> =
        receipts.iter().rev().take(RECEIPTS_SHOWN).map(|i| receipt_view(&snap.data, *i as usize)).collect();
    let gender = match cards.gender[ci] {
        crate::projection::dataset::gender::FEMALE => Some("F".to_string()),
        crate::projection::dataset::gender::MALE => Some("M".to_string()),
        crate::projection::dataset::gender::OTHER => Some("X".to_string()),
        _ => None,
    };
    let day = |d: i32| (d != i32::MIN).then(|| day_iso(d));
    Ok(Customer360 {
        card_number: cards.number.value(c).to_string(),
        name: cards.name(c),
        email: cards.email[ci].as_deref().map(str::to_string),
        phone: cards.phone[ci].as_deref().map(str::to_string),
        birth_date: day(cards.birth_day[ci]),
        gender,
        enrolled_on: day(cards.enrolled_day[ci]),
        enrolment_store: (cards.enrolment_shop[ci] != NONE)
            .then(|| data.shop_names[cards.enrolment_shop[ci] as usize].to_string()),
        rfm,
        monthly,
        departments,
        receipts: shown,
        receipts_total: receipts.len() as u32,
        badges: crate::points::rewards::badges(&crate::points::rewards::visits(data, c)),
        points_balance: 0,
        level: app::model::levels::Level::Bronze,
        vouchers: Vec::new(),
        lineage: Default::default(),
    })
}

/// A receipt with its lines.
pub fn receipt_view(data: &crate::projection::dataset::Dataset, i: usize) -> ReceiptView {
    let r = &data.receipts;
    let l = &data.lines;
    let rule = crate::points::rules::no_points();
    ReceiptView {
        id: r.id[i].to_string(),
        issued_at: crate::clock::time_label(r.day[i], r.minute[i]),
        store: data.shop_names[r.shop[i] as usize].to_string(),
        net_cents: r.net[i],
        discount_cents: r.discount[i],
        lines: r
            .lines(i)
            .map(|k| LineView {
                product_id: data.products.value(l.product[k]).to_string(),
                description: data.product_names[l.product[k] as usize].to_string(),
                department: if l.department[k] == NO_DEPARTMENT {
                    String::new()
                } else {
                    data.department_names[l.department[k] as usize].to_string()
                },
                quantity_milli: i64::from(l.quantity[k]),
                net_cents: i64::from(l.net[k]),
                discount_cents: i64::from(l.discount[k]),
                promotion: (l.promotion[k] != 0).then(|| data.promotion_names[l.promotion[k] as usize - 1].to_string()),
                no_points: crate::points::ledger::line_earns_nothing(data, k, rule),
            })
            .collect(),
    }
}
