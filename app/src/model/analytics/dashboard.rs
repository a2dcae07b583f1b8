//! What the dashboard shows: key figures, every widget's rows, the fitted models and the
//! filter form's options, for one set of filters.

use serde::{Deserialize, Serialize};

use super::{Filters, Segment};

/// The unit of a figure, for formatting.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Unit {
    /// Euro cents.
    Cents,
    /// A plain count.
    Count,
    /// Thousandths (e.g. items per receipt × 1000).
    Milli,
    /// Basis points (1/100 of a percent).
    BasisPoints,
}

/// The dashboard's key figures.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum KpiKey {
    Revenue,
    Receipts,
    AverageTicket,
    ItemsPerReceipt,
    ActiveCardholders,
    LoyaltyShare,
    NewCardholders,
    PromotionShare,
    Discounts,
}

impl KpiKey {
    /// Every key figure, in the order shown.
    pub const ALL: [KpiKey; 9] = [
        KpiKey::Revenue,
        KpiKey::Receipts,
        KpiKey::AverageTicket,
        KpiKey::ItemsPerReceipt,
        KpiKey::ActiveCardholders,
        KpiKey::LoyaltyShare,
        KpiKey::NewCardholders,
        KpiKey::PromotionShare,
        KpiKey::Discounts,
    ];

    /// Stable code (tests, exports, DOM ids).
    pub fn code(self) -> &'static str {
        match self {
            KpiKey::Revenue => "revenue",
            KpiKey::Receipts => "receipts",
            KpiKey::AverageTicket => "average_ticket",
            KpiKey::ItemsPerReceipt => "items_per_receipt",
            KpiKey::ActiveCardholders => "active_cardholders",
            KpiKey::LoyaltyShare => "loyalty_share",
            KpiKey::NewCardholders => "new_cardholders",
            KpiKey::PromotionShare => "promotion_share",
            KpiKey::Discounts => "discounts",
        }
    }

    /// How the figure is expressed.
    pub fn unit(self) -> Unit {
        match self {
            KpiKey::Revenue | KpiKey::AverageTicket | KpiKey::Discounts => Unit::Cents,
            KpiKey::Receipts | KpiKey::ActiveCardholders | KpiKey::NewCardholders => Unit::Count,
            KpiKey::ItemsPerReceipt => Unit::Milli,
            KpiKey::LoyaltyShare | KpiKey::PromotionShare => Unit::BasisPoints,
        }
    }
}

/// One key figure and its value in the previous period of equal length. `None` means there is
/// nothing to compute it from (no receipts), never zero.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Kpi {
    pub key: KpiKey,
    pub value: Option<i64>,
    pub previous: Option<i64>,
}

impl Kpi {
    /// Change against the previous period in basis points, when both exist and the previous is
    /// not zero.
    pub fn change_bp(&self) -> Option<i64> {
        match (self.value, self.previous) {
            (Some(v), Some(p)) if p != 0 => Some(((v - p) as i128 * 10_000 / p.abs() as i128) as i64),
            _ => None,
        }
    }
}

/// One bucket of the revenue-over-time chart.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeriesPoint {
    /// First day of the bucket, `YYYY-MM-DD`.
    pub start: String,
    pub revenue_cents: i64,
    pub receipts: u32,
}

/// Revenue of a department (or any named group) in the selection.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupRow {
    pub id: String,
    pub name: String,
    pub revenue_cents: i64,
    pub receipts: u32,
    pub quantity_milli: i64,
    /// Share of the selection's revenue.
    pub share_bp: i64,
}

/// A promotion's results; `uplift_bp` compares the promoted products' daily revenue on promotion
/// lines with the same products' daily revenue without promotion in the window.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PromotionRow {
    pub id: String,
    pub name: String,
    pub revenue_cents: i64,
    pub receipts: u32,
    pub discount_cents: i64,
    pub uplift_bp: Option<i64>,
}

/// A store's results.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShopRow {
    pub id: String,
    pub name: String,
    pub revenue_cents: i64,
    pub receipts: u32,
    pub average_ticket_cents: i64,
    pub cardholders: u32,
}

/// Receipts in one weekday (0 = Monday) and hour.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HeatCell {
    pub weekday: u8,
    pub hour: u8,
    pub receipts: u32,
}

/// Baskets with and without a loyalty card.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BasketRow {
    pub loyalty: bool,
    pub receipts: u32,
    pub revenue_cents: i64,
    pub average_ticket_cents: i64,
    /// Lines per receipt × 1000.
    pub items_per_receipt_milli: i64,
}

/// One RFM segment's figures.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SegmentRow {
    pub segment: Segment,
    pub customers: u32,
    pub receipts: u32,
    pub revenue_cents: i64,
    pub average_ticket_cents: i64,
    pub customer_share_bp: i64,
    pub revenue_share_bp: i64,
}

/// Retention of the cardholders whose first purchase fell in one month.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CohortRow {
    /// `YYYY-MM`.
    pub month: String,
    pub customers: u32,
    /// Customers of the cohort with a receipt k months after the first month (k = 0, 1, …,
    /// up to the range's last month).
    pub active: Vec<u32>,
}

/// Everything the dashboard shows for one set of filters.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Dashboard {
    pub filters: Filters,
    /// The resolved range, `YYYY-MM-DD` both ends inclusive.
    pub from: String,
    pub to: String,
    pub previous_from: String,
    pub previous_to: String,
    /// The last day with data, if any.
    pub data_until: Option<String>,
    /// `day`, `week` or `month`, chosen by the range's length.
    pub granularity: String,
    pub kpis: Vec<Kpi>,
    pub series: Vec<SeriesPoint>,
    pub departments: Vec<GroupRow>,
    pub top_by_revenue: Vec<GroupRow>,
    pub top_by_quantity: Vec<GroupRow>,
    pub promotions: Vec<PromotionRow>,
    pub shops: Vec<ShopRow>,
    pub heatmap: Vec<HeatCell>,
    pub basket: Vec<BasketRow>,
    pub segments: Vec<SegmentRow>,
    /// Customers by R score (rows, 1–5) and F score (columns, 1–5): `rf_grid[r-1][f-1]`.
    pub rf_grid: Vec<Vec<u32>>,
    pub cohorts: Vec<CohortRow>,
    /// The customer-value models' fit, once computed.
    pub clv: Option<ClvSummary>,
    /// High-value cardholders whose probability of being alive dropped below the threshold.
    pub churn_risk: Vec<ChurnRow>,
    /// Cardholders by predicted 12-month value.
    pub value_distribution: Vec<ValueBucket>,
    /// Expected receipts in the next 90 days, per RFM segment.
    pub segment_forecast: Vec<SegmentForecast>,
    /// The points programme (whole programme, the period's flows).
    #[serde(default)]
    pub points: Option<crate::model::rewards::PointsProgramme>,
    pub options: FilterOptions,
}

/// The fitted BG/NBD and Gamma-Gamma models, for admins.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ClvSummary {
    /// Analysis date, `YYYY-MM-DD`.
    pub as_of: String,
    pub r: f64,
    pub alpha: f64,
    pub a: f64,
    pub b: f64,
    pub bgnbd_n: u32,
    pub bgnbd_log_likelihood: f64,
    pub p: Option<f64>,
    pub q: Option<f64>,
    pub v: Option<f64>,
    pub gamma_gamma_n: u32,
    pub gamma_gamma_log_likelihood: Option<f64>,
    pub monthly_discount_bp: i64,
}

/// A cardholder at risk of leaving.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChurnRow {
    pub card_number: String,
    pub name: String,
    /// Spend in the selection.
    pub monetary_cents: i64,
    pub last_receipt: String,
    pub p_alive_bp: i64,
    pub value_12m_cents: i64,
    pub segment: Option<Segment>,
}

/// Cardholders whose predicted 12-month value falls in `[from, to)` euros (`to` = None: open).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ValueBucket {
    pub from_eur: i64,
    pub to_eur: Option<i64>,
    pub customers: u32,
}

/// Expected receipts of a segment's cardholders in the next 90 days.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SegmentForecast {
    pub segment: Segment,
    pub customers: u32,
    /// Sum over the segment, × 1000.
    pub expected_receipts_90d_milli: i64,
}

/// The values the filter form offers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct FilterOptions {
    pub shops: Vec<(String, String)>,
    pub departments: Vec<(String, String)>,
    pub promotions: Vec<(String, String)>,
}

impl crate::i18n::Label for KpiKey {
    fn key(&self) -> crate::i18n::Key {
        match self {
            KpiKey::Revenue => Key::KpiRevenue,
            KpiKey::Receipts => Key::KpiReceipts,
            KpiKey::AverageTicket => Key::KpiAverageTicket,
            KpiKey::ItemsPerReceipt => Key::KpiItemsPerReceipt,
            KpiKey::ActiveCardholders => Key::KpiActiveCardholders,
            KpiKey::LoyaltyShare => Key::KpiLoyaltyShare,
            KpiKey::NewCardholders => Key::KpiNewCardholders,
            KpiKey::PromotionShare => Key::KpiPromotionShare,
            KpiKey::Discounts => Key::KpiDiscounts,
        }
    }
}

use crate::i18n::{Key, Label, Lang};
use crate::model::table::{Cell, Column, TableRow};

/// The key figures as a table on screen (the tiles show compact figures; this one the exact
/// values). Its file export has its own columns (the periods compared), in the exporter.
impl TableRow for Kpi {
    const COLUMNS: &'static [Column] = &[
        Column::screen(Key::ColKpi, false),
        Column::screen(Key::ColValue, true),
        Column::screen(Key::ColPrevious, true),
        Column::screen(Key::ColChange, true),
    ];
    fn cells(&self) -> Vec<Cell> {
        let unit = self.key.unit();
        vec![
            Cell::Label(self.key.key()),
            Cell::of_unit(self.value, unit),
            Cell::of_unit(self.previous, unit),
            self.change_bp().map_or(Cell::Empty, Cell::Change),
        ]
    }
}

impl TableRow for SeriesPoint {
    const COLUMNS: &'static [Column] = &[
        Column::both("period_start", Key::ColPeriod, false),
        Column::both("revenue_eur", Key::ColRevenue, true),
        Column::both("receipts", Key::ColReceipts, true),
    ];
    fn cells(&self) -> Vec<Cell> {
        vec![Cell::Date(self.start.clone()), Cell::Money(self.revenue_cents), Cell::Int(i64::from(self.receipts))]
    }
}

impl TableRow for GroupRow {
    const COLUMNS: &'static [Column] = &[
        Column::both("code", Key::ColCode, false),
        Column::both("name", Key::ColName, false),
        Column::both("revenue_eur", Key::ColRevenue, true),
        Column::both("receipts", Key::ColReceipts, true),
        Column::both("quantity", Key::ColQuantity, true),
        Column::both("revenue_share_percent", Key::ColShare, true),
    ];
    fn cells(&self) -> Vec<Cell> {
        vec![
            Cell::text(&self.id),
            Cell::text(&self.name),
            Cell::Money(self.revenue_cents),
            Cell::Int(i64::from(self.receipts)),
            Cell::Milli(self.quantity_milli),
            Cell::Percent(self.share_bp),
        ]
    }
}

impl TableRow for PromotionRow {
    const COLUMNS: &'static [Column] = &[
        Column::both("code", Key::ColCode, false),
        Column::both("name", Key::ColName, false),
        Column::both("revenue_eur", Key::ColRevenue, true),
        Column::both("receipts", Key::ColReceipts, true),
        Column::both("discount_eur", Key::ColDiscount, true),
        Column::both("uplift_percent", Key::ColUplift, true),
    ];
    fn cells(&self) -> Vec<Cell> {
        vec![
            Cell::text(&self.id),
            Cell::text(&self.name),
            Cell::Money(self.revenue_cents),
            Cell::Int(i64::from(self.receipts)),
            Cell::Money(self.discount_cents),
            self.uplift_bp.map_or(Cell::Empty, Cell::Change),
        ]
    }
}

impl TableRow for ShopRow {
    const COLUMNS: &'static [Column] = &[
        Column::both("code", Key::ColCode, false),
        Column::both("name", Key::ColName, false),
        Column::both("revenue_eur", Key::ColRevenue, true),
        Column::both("receipts", Key::ColReceipts, true),
        Column::both("average_ticket_eur", Key::ColAvgTicket, true),
        Column::both("cardholders", Key::ColCardholders, true),
    ];
    fn cells(&self) -> Vec<Cell> {
        vec![
            Cell::text(&self.id),
            Cell::text(&self.name),
            Cell::Money(self.revenue_cents),
            Cell::Int(i64::from(self.receipts)),
            Cell::Money(self.average_ticket_cents),
            Cell::Int(i64::from(self.cardholders)),
        ]
    }
}

impl TableRow for HeatCell {
    const COLUMNS: &'static [Column] = &[
        Column::both("weekday", Key::ColWeekday, false),
        Column::both("hour", Key::ColHour, false),
        Column::both("receipts", Key::ColReceipts, true),
    ];
    fn cells(&self) -> Vec<Cell> {
        vec![Cell::Weekday(self.weekday), Cell::Hour(self.hour), Cell::Int(i64::from(self.receipts))]
    }
}

impl TableRow for BasketRow {
    const COLUMNS: &'static [Column] = &[
        Column::both("loyalty_card", Key::ColLoyalty, false),
        Column::both("receipts", Key::ColReceipts, true),
        Column::both("revenue_eur", Key::ColRevenue, true),
        Column::both("average_ticket_eur", Key::ColAvgTicket, true),
        Column::both("items_per_receipt", Key::ColItems, true),
    ];
    fn cells(&self) -> Vec<Cell> {
        vec![
            Cell::YesNo(self.loyalty),
            Cell::Int(i64::from(self.receipts)),
            Cell::Money(self.revenue_cents),
            Cell::Money(self.average_ticket_cents),
            Cell::Milli(self.items_per_receipt_milli),
        ]
    }
}

impl TableRow for SegmentRow {
    const COLUMNS: &'static [Column] = &[
        Column::both("segment", Key::ColSegment, false),
        Column::file("segment_it"),
        Column::both("customers", Key::ColCustomers, true),
        Column::both("receipts", Key::ColReceipts, true),
        Column::both("revenue_eur", Key::ColRevenue, true),
        Column::both("average_ticket_eur", Key::ColAvgTicket, true),
        Column::both("customer_share_percent", Key::ColCustomerShare, true),
        Column::both("revenue_share_percent", Key::ColRevenueShare, true),
    ];
    fn cells(&self) -> Vec<Cell> {
        vec![
            Cell::Segment(self.segment),
            Cell::text(self.segment.label(Lang::It)),
            Cell::Int(i64::from(self.customers)),
            Cell::Int(i64::from(self.receipts)),
            Cell::Money(self.revenue_cents),
            Cell::Money(self.average_ticket_cents),
            Cell::Percent(self.customer_share_bp),
            Cell::Percent(self.revenue_share_bp),
        ]
    }
}

impl TableRow for ChurnRow {
    const COLUMNS: &'static [Column] = &[
        Column::both("card_number", Key::ColCard, false),
        Column::both("name", Key::ColName, false),
        Column::both("spend_eur", Key::ColSpend, true),
        Column::both("last_receipt", Key::ColLastReceipt, false),
        Column::both("p_alive", Key::ColPAlive, true),
        Column::both("predicted_value_12m", Key::ColPredictedValue, true),
        Column::file("segment"),
    ];
    fn cells(&self) -> Vec<Cell> {
        vec![
            Cell::Card(self.card_number.clone()),
            Cell::text(&self.name),
            Cell::Money(self.monetary_cents),
            Cell::Date(self.last_receipt.clone()),
            Cell::Ratio(self.p_alive_bp),
            Cell::Money(self.value_12m_cents),
            self.segment.map_or(Cell::Empty, Cell::Segment),
        ]
    }
}

impl TableRow for ValueBucket {
    const COLUMNS: &'static [Column] = &[
        Column::screen(Key::ColValueRange, false),
        Column::file("value_from_eur"),
        Column::file("value_to_eur"),
        Column::both("customers", Key::ColCustomers, true),
    ];
    fn cells(&self) -> Vec<Cell> {
        vec![
            Cell::EuroRange(self.from_eur, self.to_eur),
            Cell::Int(self.from_eur),
            self.to_eur.map_or(Cell::Empty, Cell::Int),
            Cell::Int(i64::from(self.customers)),
        ]
    }
}

impl TableRow for SegmentForecast {
    const COLUMNS: &'static [Column] = &[
        Column::both("segment", Key::ColSegment, false),
        Column::file("segment_it"),
        Column::both("customers", Key::ColCustomers, true),
        Column::both("expected_receipts_90d", Key::ColExpected90, true),
    ];
    fn cells(&self) -> Vec<Cell> {
        vec![
            Cell::Segment(self.segment),
            Cell::text(self.segment.label(Lang::It)),
            Cell::Int(i64::from(self.customers)),
            Cell::Milli(self.expected_receipts_90d_milli),
        ]
    }
}
