//! The digital card as the card page shows it.

use serde::{Deserialize, Serialize};

use super::levels::Level;

/// Everything on `/me/card`. The SVGs are rendered by the server from the card number only.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CardView {
    pub first_name: String,
    pub last_name: String,
    pub card_number: String,
    /// EAN-13 barcode as an SVG document.
    pub barcode_svg: String,
    /// QR code of the card number as an SVG document.
    pub qr_svg: String,
    pub level: Level,
    /// Points available to spend.
    pub points_balance: i64,
    /// Points earned in the last 12 months (decides the level).
    pub points_12m: i64,
    /// The next level and the points still missing, if any.
    pub next_level: Option<(Level, i64)>,
}
