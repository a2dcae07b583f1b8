//! The shopper's card: holder, number, barcode and QR, level and points from the ledger. Reads
//! by index only (the account's card number, the ledger's card index).

pub mod svg;

use std::sync::Arc;

use app::error::AppError;
use app::model::account::SessionUser;
use app::model::card::CardView;
use app::model::levels::{Level, LevelThresholds};
use app::ports::Cards;
use async_trait::async_trait;
use serde_json::json;

use crate::accounts::internal;
use crate::store::model::{Cardholder, PointsEntry};
use crate::store::{Store, StoreExt};

/// Ledger entries read per card at most.
const MAX_LEDGER: u32 = 100_000;

/// Points balance and points earned since `since` (RFC 3339), from ledger entries.
pub fn points_summary(entries: &[PointsEntry], since: &str) -> (i64, i64) {
    let balance = entries.iter().map(|e| e.points).sum();
    let earned = entries.iter().filter(|e| e.points > 0 && e.created_at.as_str() >= since).map(|e| e.points).sum();
    (balance, earned)
}

/// A card's points balance, points earned in the last 12 months and the level they give.
pub async fn points_status(store: &dyn Store, card: &str, thresholds: &LevelThresholds) -> Result<(i64, i64, Level), AppError> {
    let entries: Vec<PointsEntry> = store.find("card_number", json!(card), MAX_LEDGER).await.map_err(internal)?;
    let since = (chrono::Utc::now() - chrono::Duration::days(365)).to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let (balance, points_12m) = points_summary(&entries, &since);
    Ok((balance, points_12m, thresholds.level_for(u32::try_from(points_12m.max(0)).unwrap_or(u32::MAX))))
}

/// The card service.
pub struct CardService {
    store: Arc<dyn Store>,
    thresholds: LevelThresholds,
}

impl CardService {
    /// A service over `store` with the default level thresholds.
    pub fn new(store: Arc<dyn Store>) -> Self {
        Self::with_thresholds(store, LevelThresholds::default())
    }

    /// A service with configured level thresholds.
    pub fn with_thresholds(store: Arc<dyn Store>, thresholds: LevelThresholds) -> Self {
        CardService { store, thresholds }
    }
}

#[async_trait]
impl Cards for CardService {
    async fn my_card(&self, user: &SessionUser) -> Result<CardView, AppError> {
        self.card_view(user, true).await
    }
}

impl CardService {
    /// The caller's card; the barcode and QR SVGs only when `with_codes` (the card page shows
    /// them; `/me` does not and skips their cost).
    pub async fn card_view(&self, user: &SessionUser, with_codes: bool) -> Result<CardView, AppError> {
        let card = user.card_number.as_deref().ok_or(AppError::NotFound)?;
        let holder: Cardholder = self.store.get_one(card).await.map_err(internal)?.ok_or(AppError::NotFound)?;
        let (points_balance, points_12m, level) = points_status(self.store.as_ref(), card, &self.thresholds).await?;
        let next_level = level.next().map(|n| (n, i64::from(self.thresholds.points_for(n)) - points_12m));
        Ok(CardView {
            first_name: holder.first_name,
            last_name: holder.last_name,
            card_number: card.to_string(),
            barcode_svg: if with_codes { svg::barcode(card).ok_or_else(|| internal(format!("card {card} is not a valid EAN-13")))? } else { String::new() },
            qr_svg: if with_codes { svg::qr(card).ok_or_else(|| internal("QR rendering failed"))? } else { String::new() },
            level,
            points_balance,
            points_12m,
            next_level,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(points: i64, at: &str) -> PointsEntry {
        PointsEntry {
            id: format!("{points}@{at}"),
            card_number: "c".into(),
            points,
            kind: "earn".into(),
            reason: None,
            receipt_id: None,
            created_at: at.into(),
            created_by: None,
        }
    }

    #[test]
    fn balance_counts_everything_and_the_level_window_only_recent_earnings() {
        let entries = [
            entry(400, "2025-06-01T10:00:00Z"),
            entry(300, "2026-02-01T10:00:00Z"),
            entry(-100, "2026-03-01T10:00:00Z"),
            entry(250, "2026-11-01T10:00:00Z"),
        ];
        assert_eq!(points_summary(&entries, "2025-11-28T00:00:00Z"), (850, 550));
        assert_eq!(points_summary(&[], "2025-11-28T00:00:00Z"), (0, 0));
    }
}
