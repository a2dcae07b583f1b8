//! A receipt with its lines, as the admin's 360 view and the shopper's personal area show it.

use serde::{Deserialize, Serialize};

/// A receipt line as shown in the customer 360 view.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineView {
    pub product_id: String,
    pub description: String,
    pub department: String,
    pub quantity_milli: i64,
    pub net_cents: i64,
    pub discount_cents: i64,
    pub promotion: Option<String>,
    /// A product that earns no points (tobacco, lottery, top-ups, gift cards, infant formula).
    #[serde(default)]
    pub no_points: bool,
}

/// A receipt with its lines.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReceiptView {
    pub id: String,
    /// `YYYY-MM-DD HH:MM`.
    pub issued_at: String,
    pub store: String,
    pub net_cents: i64,
    pub discount_cents: i64,
    pub lines: Vec<LineView>,
}
