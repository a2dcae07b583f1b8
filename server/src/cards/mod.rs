//! The shopper's card: holder, number, barcode and QR, level and points from the ledger. Reads
//! by index only (the account's card number, the ledger's card index).

pub mod svg;

use std::sync::Arc;

use app::error::AppError;
use app::model::account::SessionUser;
use app::model::card::CardView;
use app::model::levels::LevelThresholds;
use app::ports::Cards;
use async_trait::async_trait;

use crate::error::internal;
use crate::store::model::Cardholder;
use crate::store::{Store, StoreExt};

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
        let holder: Cardholder = self.store.get_one(card).await?.ok_or(AppError::NotFound)?;
        let (points_balance, points_12m, level) =
            crate::points::status(self.store.as_ref(), card, &self.thresholds).await?;
        let next_level = level.next().map(|n| (n, i64::from(self.thresholds.points_for(n)) - points_12m));
        Ok(CardView {
            first_name: holder.first_name,
            last_name: holder.last_name,
            card_number: card.to_string(),
            barcode_svg: if with_codes {
                svg::barcode(card).ok_or_else(|| internal(format!("card {card} is not a valid EAN-13")))?
            } else {
                String::new()
            },
            qr_svg: if with_codes {
                svg::qr(card).ok_or_else(|| internal("QR rendering failed"))?
            } else {
                String::new()
            },
            level,
            points_balance,
            points_12m,
            next_level,
        })
    }
}
