//! The one home of the points ledger: the earn rule, the sync that keeps derived entries in
//! step with the data, balances and levels, and manual adjustments. Every balance is a sum of
//! ledger entries; nothing else holds points. Redemption, expiry and offers extend this module.

pub mod book;
pub mod expiry;
pub mod ledger;
pub mod redeem;
pub mod rewards;
pub mod rules;

use std::sync::Arc;

use app::error::AppError;
use app::model::account::SessionUser;
use app::model::levels::{Level, LevelThresholds};
use async_trait::async_trait;

use crate::config::Tuning;
use crate::projection::SharedDataset;
use crate::store::model::{Cardholder, PointsEntry};
use crate::store::{Store, StoreExt};
use ledger::LedgerSync;

/// Largest manual adjustment, in points either way.
pub const MAX_ADJUSTMENT: i64 = 100_000;

/// A card's points balance, points earned in the last 12 months and the level they give.
pub async fn status(
    store: &dyn Store,
    card: &str,
    thresholds: &LevelThresholds,
) -> Result<(i64, i64, Level), AppError> {
    let since = crate::clock::rfc3339_days_ago(365);
    let (balance, points_12m) = store.points_totals(card, &since).await?;
    Ok((balance, points_12m, thresholds.level_for(u32::try_from(points_12m.max(0)).unwrap_or(u32::MAX))))
}

/// The points service.
pub struct PointsService {
    store: Arc<dyn Store>,
    tuning: Tuning,
    ledger: LedgerSync,
    /// The day of the last expiry pass.
    expired_on: tokio::sync::Mutex<Option<i32>>,
    /// The programme's book for the dashboard (empty until first loaded).
    book: std::sync::RwLock<book::PointsBook>,
    /// A load of the book is running.
    book_loading: std::sync::atomic::AtomicBool,
    /// A whole load of the book is wanted (the catalogue or an import changed it).
    book_reload: std::sync::atomic::AtomicBool,
    /// Held exclusively by a whole load from its scan to its swap, and shared by each change
    /// from its write to the store until it is added to the book (see
    /// [`PointsService::changing`]): a change is either wholly before a load (in the store it
    /// scans) or wholly after (added to the loaded book), never lost or counted twice.
    book_gate: tokio::sync::RwLock<()>,
    /// With several replicas: the derived ledger (sync, expiry) is written only by the holder
    /// of [`crate::lease::POINTS`]. `None`: this process is the only writer (CLI commands).
    leases: Option<Arc<crate::lease::Leases>>,
}

/// How long the points lease lasts unless renewed (the holder renews it every
/// [`LEASE_RENEW`] and at each build; a replica that dies without releasing it hands the work
/// over after this long).
pub const LEASE_TTL: std::time::Duration = std::time::Duration::from_secs(60);
/// How often every replica renews or tries to take the points lease.
pub const LEASE_RENEW: std::time::Duration = std::time::Duration::from_secs(10);

impl PointsService {
    /// A service over `store` with the programme's settings.
    pub fn new(store: Arc<dyn Store>, tuning: Tuning) -> Self {
        PointsService {
            store,
            tuning,
            ledger: LedgerSync::default(),
            expired_on: Default::default(),
            book: Default::default(),
            book_loading: Default::default(),
            book_reload: Default::default(),
            book_gate: Default::default(),
            leases: None,
        }
    }

    /// The same, writing the derived ledger only while holding the points lease.
    pub fn leased(self, leases: Arc<crate::lease::Leases>) -> Self {
        PointsService { leases: Some(leases), ..self }
    }

    /// Renews the points lease, or takes it when free; true when this replica just took it
    /// (the caller then brings the ledger in step with its current data: the previous holder
    /// may have stopped before doing so).
    pub async fn keep_lease(&self) -> bool {
        match self.lease().await {
            Ok(Some(fence)) => fence.held.taken_over,
            _ => false,
        }
    }

    /// The points lease for derived writes: `Err(())` when another replica holds it (the
    /// work is theirs), `Ok(None)` without leases (the only writer).
    async fn lease(&self) -> Result<Option<crate::lease::Fence>, ()> {
        let Some(leases) = &self.leases else { return Ok(None) };
        match leases.hold(crate::lease::POINTS, LEASE_TTL).await {
            Ok(Some(held)) => {
                if held.taken_over {
                    // Another replica may have written the ledger meanwhile.
                    self.ledger.forget().await;
                }
                Ok(Some(crate::lease::Fence { leases: leases.clone(), held }))
            }
            Ok(None) => {
                tracing::debug!("points ledger: another replica holds the lease");
                Err(())
            }
            Err(e) => {
                tracing::warn!(error = %e, "points lease not readable; derived points wait for the next build");
                Err(())
            }
        }
    }

    /// The programme's settings (levels, promotion bonus).
    pub fn tuning(&self) -> &Tuning {
        &self.tuning
    }

    /// A card's balance, 12-month points and level.
    pub async fn status(&self, card: &str) -> Result<(i64, i64, Level), AppError> {
        status(self.store.as_ref(), card, &self.tuning.levels).await
    }

    /// Completes the ledger from `data` (earned points per receipt and this month's challenge
    /// rewards; computed on a blocking thread, a pass over every receipt). Failures are logged
    /// and retried after the next rebuild.
    pub async fn sync_ledger(&self, data: SharedDataset) {
        let month = crate::clock::month_of(crate::clock::today());
        let bonus = self.tuning.promo_bonus_points;
        let expected =
            match tokio::task::spawn_blocking(move || ledger::expected_entries((*data).as_ref(), bonus, month)).await {
                Ok(e) => e,
                Err(e) => return tracing::warn!(error = %e, "points ledger not computed"),
            };
        let Ok(fence) = self.lease().await else { return };
        let started = std::time::Instant::now();
        match self.ledger.sync(self.store.as_ref(), expected, fence.as_ref()).await {
            Ok(stats) => {
                metrics::histogram!("points_ledger_sync_seconds").record(started.elapsed().as_secs_f64());
                metrics::gauge!("points_ledger_synced_timestamp_seconds")
                    .set(crate::clock::unix_millis_now() as f64 / 1e3);
                tracing::info!(written = stats.written, "points ledger in step with the data");
                if stats.written > 0 {
                    self.book_reload();
                }
            }
            Err(e) => tracing::warn!(error = %e, "points ledger sync failed; retried after the next import"),
        }
    }

    /// Records entries written elsewhere (a live receipt), so later syncs skip them, and adds
    /// what changed to the book (the caller holds [`PointsService::changing`] since before the
    /// write).
    pub async fn remember(&self, entries: &[PointsEntry]) {
        match self.ledger.remember(entries).await {
            Some(changes) => self.book_entries(&changes),
            None => self.book_reload(),
        }
    }

    /// Writes the `expire:` entries due by `today` (day number) that are not in the ledger yet:
    /// one pass over the ledger, at most once per day per process unless `force`d (the CLI and
    /// tests). Each entry is written once: an entry already written is never changed, so an
    /// expiry a shopper saw stays what it was. Returns the entries written.
    pub async fn expire_due(&self, today: i32, force: bool) -> Result<u64, AppError> {
        let policy = &self.tuning.expiry;
        if policy.is_off() {
            return Ok(0);
        }
        let mut last = self.expired_on.lock().await;
        if *last == Some(today) && !force {
            return Ok(0);
        }
        let Ok(fence) = self.lease().await else { return Ok(0) };
        let mut by_card: std::collections::HashMap<String, Vec<expiry::Move>> = Default::default();
        let mut written: std::collections::HashSet<String> = Default::default();
        crate::projection::scan_all::<PointsEntry>(self.store.as_ref(), |e| {
            if e.id.starts_with("expire:") {
                written.insert(e.id.clone());
            } else if let Some(day) = crate::clock::parse_day(&e.created_at).filter(|_| e.points != 0) {
                by_card.entry(e.card_number.clone()).or_default().push(expiry::Move { day, points: e.points });
            }
        })
        .await?;
        let mut due = Vec::new();
        for (card, moves) in &by_card {
            for (end, points) in expiry::run(policy, moves, today).expired {
                let id = expiry::entry_id(card, end);
                if !written.contains(&id) {
                    due.push(expiry_entry(policy, card, end, points));
                }
            }
        }
        for chunk in due.chunks(5_000) {
            if let Some(fence) = &fence {
                fence.check().await?;
            }
            self.store.upsert_all(chunk).await?;
        }
        *last = Some(today);
        if !due.is_empty() {
            tracing::info!(entries = due.len(), "expired points written to the ledger");
        }
        Ok(due.len() as u64)
    }

    /// A copy of the programme's book (for exports).
    pub fn book(&self) -> book::PointsBook {
        self.book.read().map(|b| b.clone()).unwrap_or_default()
    }

    /// The programme's figures for the period from day `from` to day `to`.
    pub fn programme(&self, from: i32, to: i32) -> app::model::rewards::PointsProgramme {
        self.book.read().map(|b| b.programme(from, to)).unwrap_or_default()
    }

    fn with_book(&self, f: impl FnOnce(&mut book::PointsBook)) {
        if let Ok(mut b) = self.book.write() {
            f(&mut b);
        }
    }

    /// To hold from before a change to points or vouchers is written to the store until it is
    /// added to the book (a whole load waits for it, and it waits for a load).
    pub async fn changing(&self) -> tokio::sync::RwLockReadGuard<'_, ()> {
        self.book_gate.read().await
    }

    /// Adds entries this process just wrote, each exactly once (a new redemption, cancellation,
    /// adjustment; a live receipt's changes come through [`PointsService::remember`]). The
    /// caller holds [`PointsService::changing`] since before the write.
    pub fn book_entries(&self, entries: &[PointsEntry]) {
        self.with_book(|b| entries.iter().for_each(|e| b.add_entry(e)));
    }

    /// Adds or replaces a voucher in the book (under [`PointsService::changing`]).
    pub fn book_voucher(&self, v: &crate::store::model::Voucher) {
        let now = crate::clock::now_rfc3339();
        self.with_book(|b| b.put_voucher(v.clone(), &now));
    }

    /// Marks vouchers used by a receipt a till just stored (under
    /// [`PointsService::changing`]).
    pub fn book_vouchers_used(&self, codes: &[String], receipt_id: &str) {
        let now = crate::clock::now_rfc3339();
        self.with_book(|b| codes.iter().for_each(|c| b.voucher_used(c, receipt_id, &now)));
    }

    /// Asks for a whole load of the book soon (the catalogue or an import changed it).
    pub fn book_reload(&self) {
        self.book_reload.store(true, std::sync::atomic::Ordering::Release);
    }

    /// Loads the book whole (one pass over the ledger, vouchers and catalogue); a load already
    /// running makes this one return at once. Never called by a page read. Changes to points
    /// wait while it runs (about half a second on the demo set), so none is lost or counted
    /// twice.
    pub async fn refresh_book(&self) -> Result<(), AppError> {
        use std::sync::atomic::Ordering;
        if self.book_loading.swap(true, Ordering::AcqRel) {
            return Ok(());
        }
        self.book_reload.store(false, Ordering::Release);
        let started = std::time::Instant::now();
        let _gate = self.book_gate.write().await;
        let loaded = book::PointsBook::load(self.store.as_ref()).await;
        self.book_loading.store(false, Ordering::Release);
        let loaded = loaded?;
        tracing::info!(
            ms = started.elapsed().as_millis() as u64,
            vouchers = loaded.voucher_count(),
            "points book loaded whole"
        );
        self.with_book(|b| *b = loaded);
        Ok(())
    }

    /// Loads the book whole when a load was asked for, or when it is older than `max_age_secs`
    /// (other replicas' changes). Returns whether it did.
    pub async fn refresh_book_if_stale(&self, max_age_secs: i64) -> Result<bool, AppError> {
        let as_of = self.book.read().map(|b| b.as_of.clone()).unwrap_or_default();
        let old = crate::clock::unix_of(&as_of).is_none_or(|t| crate::clock::unix_now() - t > max_age_secs);
        if !(old || self.book_reload.load(std::sync::atomic::Ordering::Acquire)) {
            return Ok(false);
        }
        self.refresh_book().await?;
        Ok(true)
    }

    /// The points of `card` due to expire within 60 days: (last spending day, points).
    pub async fn expiring(&self, card: &str) -> Result<Option<(String, i64)>, AppError> {
        let policy = &self.tuning.expiry;
        if policy.is_off() {
            return Ok(None);
        }
        let entries: Vec<PointsEntry> = self.store.find("card_number", serde_json::json!(card), 1_000_000).await?;
        let today = crate::clock::today();
        let moves: Vec<expiry::Move> = entries
            .iter()
            .filter(|e| !e.id.starts_with("expire:") && e.points != 0)
            .filter_map(|e| Some(expiry::Move { day: crate::clock::parse_day(&e.created_at)?, points: e.points }))
            .collect();
        let due = expiry::run(policy, &moves, today).due_within(policy, today, EXPIRY_NOTICE_DAYS);
        Ok(due.map(|(day, points)| (crate::clock::day_iso(day), points)))
    }
}

/// Seconds after which the points book is loaded whole again (other replicas' changes).
pub const BOOK_MAX_AGE_SECS: i64 = 300;

/// Days ahead that `/me` warns of points about to expire.
pub const EXPIRY_NOTICE_DAYS: i32 = 60;

/// The `expire:` entry of `card` for the period ending on `end`.
fn expiry_entry(policy: &crate::config::ExpiryPolicy, card: &str, end: i32, points: i64) -> PointsEntry {
    let start = policy.period_of(end).map_or(end, |(s, _)| s);
    PointsEntry {
        id: expiry::entry_id(card, end),
        card_number: card.to_string(),
        points: -points,
        kind: "expire".into(),
        reason: Some(format!("{} – {}", crate::clock::day_iso(start), crate::clock::day_iso(end))),
        receipt_id: None,
        created_at: format!("{}T23:59:59", crate::clock::day_iso(policy.last_spending_day(end))),
        created_by: None,
    }
}

#[async_trait]
impl crate::projection::Rebuilt for PointsService {
    async fn rebuilt(&self, _store: &dyn Store, data: SharedDataset) {
        self.sync_ledger(data).await;
        // Once a day per process (live receipts rebuild every minute; the hourly job runs it too).
        match self.expire_due(crate::clock::today(), false).await {
            Ok(0) => {}
            Ok(_) => self.book_reload(),
            Err(e) => tracing::warn!(error = %e, "points expiry failed; retried on the next rebuild"),
        }
        // A whole load when the ledger changed under the data, or never loaded yet; live
        // receipts were added as they came.
        if let Err(e) = self.refresh_book_if_stale(BOOK_MAX_AGE_SECS).await {
            tracing::warn!(error = %e, "points book not loaded; retried in seconds");
        }
    }
}

/// The movements of a card's ledger, oldest first, each with the balance after it.
pub fn movements(mut entries: Vec<PointsEntry>) -> Vec<app::model::rewards::Movement> {
    entries.sort_by(|a, b| a.created_at.cmp(&b.created_at).then_with(|| a.id.cmp(&b.id)));
    let mut balance = 0;
    entries
        .into_iter()
        .map(|e| {
            balance += e.points;
            let voucher = e.id.strip_prefix("redeem:").or_else(|| e.id.strip_prefix("refund:")).map(str::to_string);
            app::model::rewards::Movement {
                date: e.created_at.get(..10).unwrap_or_default().to_string(),
                kind: e.id.split(':').next().unwrap_or_default().to_string(),
                reason: e.reason,
                points: e.points,
                balance,
                receipt_id: e.receipt_id,
                voucher,
            }
        })
        .collect()
}

#[async_trait]
impl app::ports::Points for PointsService {
    async fn movements(&self, user: &SessionUser) -> Result<app::model::rewards::MovementsPage, AppError> {
        let card = user.card_number.as_deref().ok_or(AppError::NotFound)?;
        let entries: Vec<PointsEntry> = self.store.find("card_number", serde_json::json!(card), 1_000_000).await?;
        let mut movements = movements(entries);
        let balance = movements.last().map_or(0, |m| m.balance);
        movements.reverse();
        Ok(app::model::rewards::MovementsPage { balance, movements })
    }

    async fn adjust(
        &self,
        acting: &SessionUser,
        card_number: &str,
        points: i64,
        reason: &str,
    ) -> Result<i64, AppError> {
        let reason = reason.trim();
        if points == 0 || points.abs() > MAX_ADJUSTMENT {
            return Err(AppError::invalid(
                "points",
                format!("a whole number from -{MAX_ADJUSTMENT} to {MAX_ADJUSTMENT}, not 0"),
            ));
        }
        if reason.is_empty() || reason.chars().count() > 200 {
            return Err(AppError::invalid("reason", "required, at most 200 characters"));
        }
        let card = card_number.trim();
        if self.store.get_one::<Cardholder>(card).await?.is_none() {
            return Err(AppError::NotFound);
        }
        let entry = PointsEntry {
            id: format!("adjust:{}", uuid::Uuid::new_v4()),
            card_number: card.to_string(),
            points,
            kind: "adjustment".into(),
            reason: Some(reason.to_string()),
            receipt_id: None,
            created_at: crate::clock::now_rfc3339(),
            created_by: Some(acting.id.clone()),
        };
        let changing = self.changing().await;
        self.store.insert_one(&entry).await?;
        self.book_entries(std::slice::from_ref(&entry));
        drop(changing);
        tracing::info!(card, points, by = %acting.id, "manual points adjustment");
        Ok(self.status(card).await?.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(id: &str, points: i64, at: &str) -> PointsEntry {
        PointsEntry {
            id: id.into(),
            card_number: "C".into(),
            points,
            kind: "k".into(),
            reason: None,
            receipt_id: id.strip_prefix("earn:").map(str::to_string),
            created_at: at.into(),
            created_by: None,
        }
    }

    #[test]
    fn movements_carry_the_running_balance_in_time_order() {
        let m = movements(vec![
            entry("redeem:2900000000017", -1000, "2026-11-20T10:00:00Z"),
            entry("earn:R1", 1200, "2026-11-01T10:00:00Z"),
            entry("refund:2900000000017", 1000, "2026-11-21T10:00:00Z"),
            entry("earn:R2", -23, "2026-11-22T10:00:00Z"),
        ]);
        let seen: Vec<(&str, i64, i64)> = m.iter().map(|m| (m.kind.as_str(), m.points, m.balance)).collect();
        assert_eq!(seen, [("earn", 1200, 1200), ("redeem", -1000, 200), ("refund", 1000, 1200), ("earn", -23, 1177)]);
        assert_eq!(m[1].voucher.as_deref(), Some("2900000000017"));
        assert_eq!((m[0].receipt_id.as_deref(), m[0].date.as_str()), (Some("R1"), "2026-11-01"));
    }
}
