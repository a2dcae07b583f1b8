//! Wire types of the admin analytics: the dashboard filters (as they live in the URL query),
//! RFM segments, and the figures the server computes. Money is integer cents, shares are basis
//! points (1/100 of a percent), quantities are thousandths.

use serde::{Deserialize, Serialize};

/// A date-range preset of the dashboard. Presets end on the last day with data.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum RangePreset {
    Days7,
    #[default]
    Days30,
    Days90,
    YearToDate,
    Months12,
    /// Every day with data.
    All,
    /// `from` and `to` as given.
    Custom,
}

impl RangePreset {
    /// Every preset, in the order shown.
    pub const ALL: [RangePreset; 7] = [
        RangePreset::Days7,
        RangePreset::Days30,
        RangePreset::Days90,
        RangePreset::YearToDate,
        RangePreset::Months12,
        RangePreset::All,
        RangePreset::Custom,
    ];

    /// The value in the URL query (`range=`).
    pub fn code(self) -> &'static str {
        match self {
            RangePreset::Days7 => "7d",
            RangePreset::Days30 => "30d",
            RangePreset::Days90 => "90d",
            RangePreset::YearToDate => "ytd",
            RangePreset::Months12 => "12m",
            RangePreset::All => "all",
            RangePreset::Custom => "custom",
        }
    }

    /// The preset named by a query value.
    pub fn from_code(code: &str) -> Option<Self> {
        RangePreset::ALL.into_iter().find(|p| p.code() == code)
    }
}

/// RFM segments, in the order their rules are tried (the first match wins).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Segment {
    Champions,
    LoyalCustomers,
    CantLoseThem,
    NewCustomers,
    Promising,
    PotentialLoyalist,
    NeedAttention,
    AboutToSleep,
    AtRisk,
    Lost,
    Others,
}

impl Segment {
    /// Every segment, in rule order.
    pub const ALL: [Segment; 11] = [
        Segment::Champions,
        Segment::LoyalCustomers,
        Segment::CantLoseThem,
        Segment::NewCustomers,
        Segment::Promising,
        Segment::PotentialLoyalist,
        Segment::NeedAttention,
        Segment::AboutToSleep,
        Segment::AtRisk,
        Segment::Lost,
        Segment::Others,
    ];

    /// The value used in URLs, exports and the CLI.
    pub fn code(self) -> &'static str {
        match self {
            Segment::Champions => "champions",
            Segment::LoyalCustomers => "loyal_customers",
            Segment::CantLoseThem => "cant_lose_them",
            Segment::NewCustomers => "new_customers",
            Segment::Promising => "promising",
            Segment::PotentialLoyalist => "potential_loyalist",
            Segment::NeedAttention => "need_attention",
            Segment::AboutToSleep => "about_to_sleep",
            Segment::AtRisk => "at_risk",
            Segment::Lost => "lost",
            Segment::Others => "others",
        }
    }

    /// The segment named by a code (the English name with spaces also works).
    pub fn from_code(code: &str) -> Option<Self> {
        let norm = code.trim().to_ascii_lowercase().replace('\'', "").replace([' ', '-'], "_");
        Segment::ALL.into_iter().find(|s| s.code() == norm)
    }

    /// The name in English.
    pub fn english(self) -> &'static str {
        match self {
            Segment::Champions => "Champions",
            Segment::LoyalCustomers => "Loyal Customers",
            Segment::CantLoseThem => "Can't Lose Them",
            Segment::NewCustomers => "New Customers",
            Segment::Promising => "Promising",
            Segment::PotentialLoyalist => "Potential Loyalist",
            Segment::NeedAttention => "Need Attention",
            Segment::AboutToSleep => "About To Sleep",
            Segment::AtRisk => "At Risk",
            Segment::Lost => "Lost",
            Segment::Others => "Others",
        }
    }

    /// The name in Italian, as shown to the chain's staff.
    pub fn italian(self) -> &'static str {
        match self {
            Segment::Champions => "Campioni",
            Segment::LoyalCustomers => "Clienti fedeli",
            Segment::CantLoseThem => "Da non perdere",
            Segment::NewCustomers => "Nuovi clienti",
            Segment::Promising => "Promettenti",
            Segment::PotentialLoyalist => "Potenziali fedeli",
            Segment::NeedAttention => "Da seguire",
            Segment::AboutToSleep => "In via di abbandono",
            Segment::AtRisk => "A rischio",
            Segment::Lost => "Persi",
            Segment::Others => "Altri",
        }
    }

    /// The segment of R, F and M scores (each 1–5): the first matching rule, else `Others`.
    ///
    /// | Segment | R | F | M |
    /// |---|---|---|---|
    /// | Champions | 4–5 | 4–5 | 4–5 |
    /// | Loyal Customers | 2–5 | 3–5 | 3–5 |
    /// | Can't Lose Them | 1 | 4–5 | 4–5 |
    /// | New Customers | 4–5 | 1 | 1 |
    /// | Promising | 3–4 | 1 | 1 |
    /// | Potential Loyalist | 3–5 | 1–3 | 1–3 |
    /// | Need Attention | 2–3 | 2–3 | 2–3 |
    /// | About To Sleep | 2–3 | 1–2 | 1–2 |
    /// | At Risk | 1–2 | 2–5 | 2–5 |
    /// | Lost | 1–2 | 1–2 | 1–2 |
    pub fn of_scores(r: u8, f: u8, m: u8) -> Segment {
        let within = |v: u8, lo: u8, hi: u8| (lo..=hi).contains(&v);
        let rule = |r_: (u8, u8), f_: (u8, u8), m_: (u8, u8)| {
            within(r, r_.0, r_.1) && within(f, f_.0, f_.1) && within(m, m_.0, m_.1)
        };
        if rule((4, 5), (4, 5), (4, 5)) {
            Segment::Champions
        } else if rule((2, 5), (3, 5), (3, 5)) {
            Segment::LoyalCustomers
        } else if rule((1, 1), (4, 5), (4, 5)) {
            Segment::CantLoseThem
        } else if rule((4, 5), (1, 1), (1, 1)) {
            Segment::NewCustomers
        } else if rule((3, 4), (1, 1), (1, 1)) {
            Segment::Promising
        } else if rule((3, 5), (1, 3), (1, 3)) {
            Segment::PotentialLoyalist
        } else if rule((2, 3), (2, 3), (2, 3)) {
            Segment::NeedAttention
        } else if rule((2, 3), (1, 2), (1, 2)) {
            Segment::AboutToSleep
        } else if rule((1, 2), (2, 5), (2, 5)) {
            Segment::AtRisk
        } else if rule((1, 2), (1, 2), (1, 2)) {
            Segment::Lost
        } else {
            Segment::Others
        }
    }
}

/// Age bands of the dashboard filter, by age on the last day of the range.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum AgeBand {
    A18_24,
    A25_34,
    A35_44,
    A45_54,
    A55_64,
    A65Plus,
}

impl AgeBand {
    /// Every band, youngest first.
    pub const ALL: [AgeBand; 6] = [AgeBand::A18_24, AgeBand::A25_34, AgeBand::A35_44, AgeBand::A45_54, AgeBand::A55_64, AgeBand::A65Plus];

    /// The value in the URL query (`age=`), also the label.
    pub fn code(self) -> &'static str {
        match self {
            AgeBand::A18_24 => "18-24",
            AgeBand::A25_34 => "25-34",
            AgeBand::A35_44 => "35-44",
            AgeBand::A45_54 => "45-54",
            AgeBand::A55_64 => "55-64",
            AgeBand::A65Plus => "65+",
        }
    }

    /// The band named by a query value.
    pub fn from_code(code: &str) -> Option<Self> {
        // `65+` arrives as `65 ` when a `+` in a URL was read as a space.
        let code = code.replace(' ', "+");
        let code = code.trim_start();
        AgeBand::ALL.into_iter().find(|b| b.code() == code)
    }

    /// The band of an age in whole years (under 18: none).
    pub fn of_age(age: i32) -> Option<Self> {
        match age {
            18..=24 => Some(AgeBand::A18_24),
            25..=34 => Some(AgeBand::A25_34),
            35..=44 => Some(AgeBand::A35_44),
            45..=54 => Some(AgeBand::A45_54),
            55..=64 => Some(AgeBand::A55_64),
            65.. => Some(AgeBand::A65Plus),
            _ => None,
        }
    }
}

/// The dashboard filters. They live in the URL query so a view can be shared and the back
/// button works: `range`, `from`, `to`, `store` (repeated), `dept` (repeated), `promo`
/// (a promotion code, or `any`), `segment`, `gender` (`F`/`M`), `age`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Filters {
    pub range: RangePreset,
    /// First day (`YYYY-MM-DD`), for a custom range.
    pub from: Option<String>,
    /// Last day (`YYYY-MM-DD`), for a custom range.
    pub to: Option<String>,
    pub stores: Vec<String>,
    pub departments: Vec<String>,
    pub promotion: Option<String>,
    pub segment: Option<Segment>,
    pub gender: Option<String>,
    pub age_band: Option<AgeBand>,
}

/// A filter value that could not be understood: the parameter and the value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BadFilter {
    pub param: &'static str,
    pub value: String,
}

impl std::fmt::Display for BadFilter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "filter `{}`: value `{}` is not valid", self.param, self.value)
    }
}

impl Filters {
    /// Reads the filters from query pairs; empty values are ignored, unknown values are an
    /// error naming the parameter. A `from` or `to` without `range` means a custom range.
    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Result<Self, BadFilter> {
        let mut f = Filters::default();
        let mut range_given = false;
        let bad = |param: &'static str, value: &str| BadFilter { param, value: value.to_string() };
        for (key, raw) in pairs {
            let value = raw.trim();
            if value.is_empty() {
                continue;
            }
            match key {
                "range" => {
                    f.range = RangePreset::from_code(value).ok_or_else(|| bad("range", value))?;
                    range_given = true;
                }
                "from" | "to" => {
                    crate::validate::date::SimpleDate::parse_iso(value)
                        .ok_or_else(|| bad(if key == "from" { "from" } else { "to" }, value))?;
                    if key == "from" {
                        f.from = Some(value.to_string());
                    } else {
                        f.to = Some(value.to_string());
                    }
                }
                "store" => push_unique(&mut f.stores, value),
                "dept" => push_unique(&mut f.departments, value),
                "promo" => f.promotion = Some(value.to_string()),
                "segment" => f.segment = Some(Segment::from_code(value).ok_or_else(|| bad("segment", value))?),
                "gender" => {
                    let g = value.to_ascii_uppercase();
                    if g != "F" && g != "M" {
                        return Err(bad("gender", value));
                    }
                    f.gender = Some(g);
                }
                "age" => f.age_band = Some(AgeBand::from_code(raw).ok_or_else(|| bad("age", value))?),
                _ => {}
            }
        }
        if !range_given && (f.from.is_some() || f.to.is_some()) {
            f.range = RangePreset::Custom;
        }
        if f.range != RangePreset::Custom {
            f.from = None;
            f.to = None;
        }
        Ok(f)
    }

    /// The filters as query pairs (the inverse of [`Self::from_pairs`]).
    pub fn to_pairs(&self) -> Vec<(&'static str, String)> {
        let mut pairs = vec![("range", self.range.code().to_string())];
        if self.range == RangePreset::Custom {
            pairs.extend(self.from.iter().map(|v| ("from", v.clone())));
            pairs.extend(self.to.iter().map(|v| ("to", v.clone())));
        }
        pairs.extend(self.stores.iter().map(|v| ("store", v.clone())));
        pairs.extend(self.departments.iter().map(|v| ("dept", v.clone())));
        pairs.extend(self.promotion.iter().map(|v| ("promo", v.clone())));
        pairs.extend(self.segment.iter().map(|v| ("segment", v.code().to_string())));
        pairs.extend(self.gender.iter().map(|v| ("gender", v.clone())));
        pairs.extend(self.age_band.iter().map(|v| ("age", v.code().to_string())));
        pairs
    }

    /// The filters as a URL query string (without `?`), percent-encoded.
    pub fn to_query(&self) -> String {
        self.to_pairs()
            .into_iter()
            .map(|(k, v)| format!("{k}={}", encode_query_value(&v)))
            .collect::<Vec<_>>()
            .join("&")
    }
}

fn push_unique(list: &mut Vec<String>, value: &str) {
    for part in value.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        if !list.iter().any(|v| v == part) {
            list.push(part.to_string());
        }
    }
}

/// Percent-encodes a query value (unreserved characters kept).
pub fn encode_query_value(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

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
pub struct StoreRow {
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
    pub stores: Vec<StoreRow>,
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
    pub stores: Vec<(String, String)>,
    pub departments: Vec<(String, String)>,
    pub promotions: Vec<(String, String)>,
}

/// How the customer list is sorted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum CustomerSort {
    #[default]
    Monetary,
    Frequency,
    Recency,
    Name,
    Card,
}

impl CustomerSort {
    /// Every sort key.
    pub const ALL: [CustomerSort; 5] = [CustomerSort::Monetary, CustomerSort::Frequency, CustomerSort::Recency, CustomerSort::Name, CustomerSort::Card];

    /// The value in the URL query (`sort=`).
    pub fn code(self) -> &'static str {
        match self {
            CustomerSort::Monetary => "monetary",
            CustomerSort::Frequency => "frequency",
            CustomerSort::Recency => "recency",
            CustomerSort::Name => "name",
            CustomerSort::Card => "card",
        }
    }

    /// The sort named by a query value.
    pub fn from_code(code: &str) -> Option<Self> {
        CustomerSort::ALL.into_iter().find(|s| s.code() == code)
    }
}

/// A page request of the customer list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct CustomerQuery {
    pub filters: Filters,
    /// Card number, email, phone or name (part of it, any case).
    pub search: Option<String>,
    pub sort: CustomerSort,
    /// Descending when true.
    pub descending: bool,
    /// 1-based page.
    pub page: u32,
    pub per_page: u32,
}

impl CustomerQuery {
    /// Reads the list's query: the dashboard filters plus `q`, `sort`, `dir`, `page`.
    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)> + Clone) -> Result<Self, BadFilter> {
        let filters = Filters::from_pairs(pairs.clone())?;
        let mut q = CustomerQuery { filters, descending: true, page: 1, per_page: 50, ..Default::default() };
        for (key, value) in pairs {
            let value = value.trim();
            match key {
                "q" if !value.is_empty() => q.search = Some(value.to_string()),
                "sort" if !value.is_empty() => {
                    q.sort = CustomerSort::from_code(value).ok_or(BadFilter { param: "sort", value: value.to_string() })?
                }
                "dir" => q.descending = value != "asc",
                "page" if !value.is_empty() => {
                    q.page = value.parse().ok().filter(|p| *p >= 1).ok_or(BadFilter { param: "page", value: value.to_string() })?
                }
                _ => {}
            }
        }
        Ok(q)
    }

    /// The query as a URL query string (without `?`).
    pub fn to_query(&self) -> String {
        let mut parts = vec![self.filters.to_query()];
        if let Some(s) = &self.search {
            parts.push(format!("q={}", encode_query_value(s)));
        }
        parts.push(format!("sort={}&dir={}", self.sort.code(), if self.descending { "desc" } else { "asc" }));
        parts.push(format!("page={}", self.page));
        parts.join("&")
    }
}

/// One row of the customer list, with the RFM figures of the window.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerRow {
    pub card_number: String,
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    /// Last receipt in the window, `YYYY-MM-DD`.
    pub last_receipt: String,
    pub recency_days: i32,
    pub frequency: u32,
    pub monetary_cents: i64,
    pub r: u8,
    pub f: u8,
    pub m: u8,
    pub segment: Segment,
    /// Probability of being alive (basis points), when the models are fitted.
    pub p_alive_bp: Option<i64>,
    /// Expected receipts in the next 90 days × 1000.
    pub expected_receipts_90d_milli: Option<i64>,
    /// Predicted discounted value of the next 12 months.
    pub value_12m_cents: Option<i64>,
}

/// One page of the customer list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerPage {
    pub query: CustomerQuery,
    pub from: String,
    pub to: String,
    pub total: u32,
    pub rows: Vec<CustomerRow>,
    pub options: FilterOptions,
}

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

/// Everything known about one cardholder, for admins.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Customer360 {
    pub card_number: String,
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub birth_date: Option<String>,
    pub gender: Option<String>,
    pub enrolled_on: Option<String>,
    pub enrolment_store: Option<String>,
    /// Scores over all the cardholder's data (analysis date = the last day with data);
    /// `None` without receipts.
    pub rfm: Option<CustomerRow>,
    /// Net spend per month, `YYYY-MM`, over the last 12 months with data.
    pub monthly: Vec<SeriesPoint>,
    pub departments: Vec<GroupRow>,
    pub receipts: Vec<ReceiptView>,
    pub receipts_total: u32,
    /// Badges earned or in progress.
    pub badges: Vec<crate::model::personal::Badge>,
    pub points_balance: i64,
    pub level: crate::model::levels::Level,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segment_rules_first_match_wins() {
        assert_eq!(Segment::of_scores(5, 5, 5), Segment::Champions);
        assert_eq!(Segment::of_scores(4, 4, 4), Segment::Champions);
        assert_eq!(Segment::of_scores(3, 4, 4), Segment::LoyalCustomers);
        assert_eq!(Segment::of_scores(2, 3, 3), Segment::LoyalCustomers);
        assert_eq!(Segment::of_scores(1, 5, 5), Segment::CantLoseThem);
        assert_eq!(Segment::of_scores(5, 1, 1), Segment::NewCustomers);
        assert_eq!(Segment::of_scores(3, 1, 1), Segment::Promising);
        assert_eq!(Segment::of_scores(5, 2, 3), Segment::PotentialLoyalist);
        assert_eq!(Segment::of_scores(2, 2, 2), Segment::NeedAttention);
        assert_eq!(Segment::of_scores(2, 1, 2), Segment::AboutToSleep);
        assert_eq!(Segment::of_scores(1, 3, 2), Segment::AtRisk);
        assert_eq!(Segment::of_scores(1, 1, 1), Segment::Lost);
        assert_eq!(Segment::of_scores(1, 1, 5), Segment::Others);
        assert_eq!(Segment::of_scores(3, 5, 1), Segment::Others);
    }

    #[test]
    fn segment_codes_round_trip() {
        for s in Segment::ALL {
            assert_eq!(Segment::from_code(s.code()), Some(s));
            assert_eq!(Segment::from_code(s.english()), Some(s), "{}", s.english());
        }
        assert_eq!(Segment::from_code("nope"), None);
    }

    #[test]
    fn filters_round_trip_through_the_query() {
        let pairs = [
            ("range", "custom"),
            ("from", "2026-01-01"),
            ("to", "2026-01-31"),
            ("store", "S01"),
            ("store", "S02,S03"),
            ("dept", "ORT"),
            ("promo", "any"),
            ("segment", "champions"),
            ("gender", "f"),
            ("age", "25-34"),
        ];
        let f = Filters::from_pairs(pairs).unwrap();
        assert_eq!(Filters::from_pairs([("age", "65 ")]).unwrap().age_band, Some(AgeBand::A65Plus));
        assert_eq!(f.stores, vec!["S01", "S02", "S03"]);
        assert_eq!(f.gender.as_deref(), Some("F"));
        let back: Vec<(String, String)> = f.to_pairs().into_iter().map(|(k, v)| (k.to_string(), v)).collect();
        let again = Filters::from_pairs(back.iter().map(|(k, v)| (k.as_str(), v.as_str()))).unwrap();
        assert_eq!(again, f);
        assert!(f.to_query().contains("age=25-34"));
    }

    #[test]
    fn bad_filters_name_the_parameter() {
        assert_eq!(Filters::from_pairs([("segment", "vip")]).unwrap_err().param, "segment");
        assert_eq!(Filters::from_pairs([("from", "2026-02-30")]).unwrap_err().param, "from");
        assert_eq!(Filters::from_pairs([("gender", "X")]).unwrap_err().param, "gender");
        assert_eq!(Filters::from_pairs([("range", "5y")]).unwrap_err().param, "range");
        // A preset ignores stray dates; dates alone mean a custom range.
        let f = Filters::from_pairs([("range", "7d"), ("from", "2026-01-01")]).unwrap();
        assert_eq!((f.range, f.from), (RangePreset::Days7, None));
        assert_eq!(Filters::from_pairs([("from", "2026-01-01")]).unwrap().range, RangePreset::Custom);
    }

    #[test]
    fn kpi_change_needs_both_periods() {
        let k = |value, previous| Kpi { key: KpiKey::Revenue, value, previous };
        assert_eq!(k(Some(150), Some(100)).change_bp(), Some(5_000));
        assert_eq!(k(Some(50), Some(100)).change_bp(), Some(-5_000));
        assert_eq!(k(Some(50), None).change_bp(), None);
        assert_eq!(k(Some(50), Some(0)).change_bp(), None);
    }

    #[test]
    fn age_bands() {
        assert_eq!(AgeBand::of_age(17), None);
        assert_eq!(AgeBand::of_age(18), Some(AgeBand::A18_24));
        assert_eq!(AgeBand::of_age(24), Some(AgeBand::A18_24));
        assert_eq!(AgeBand::of_age(65), Some(AgeBand::A65Plus));
        assert_eq!(AgeBand::from_code("65 "), Some(AgeBand::A65Plus));
    }
}
