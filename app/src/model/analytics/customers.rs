//! The customer list (one page, sortable, searchable) and the 360 view of one cardholder.

use serde::{Deserialize, Serialize};

use super::query::encode_query_value;
use super::{BadFilter, FilterOptions, Filters, GroupRow, Segment, SeriesPoint};
use crate::model::receipt::ReceiptView;

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
    pub const ALL: [CustomerSort; 5] = [
        CustomerSort::Monetary,
        CustomerSort::Frequency,
        CustomerSort::Recency,
        CustomerSort::Name,
        CustomerSort::Card,
    ];

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
    /// Card number, email, phone or name (part of it, any case), or a voucher code (its card).
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
                    q.sort =
                        CustomerSort::from_code(value).ok_or(BadFilter { param: "sort", value: value.to_string() })?
                }
                "dir" => q.descending = value != "asc",
                "page" if !value.is_empty() => {
                    q.page = value
                        .parse()
                        .ok()
                        .filter(|p| *p >= 1)
                        .ok_or(BadFilter { param: "page", value: value.to_string() })?
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
    /// When the search is a card number that matched no customer: what the files said of it.
    #[serde(default)]
    pub card_lookup: Option<CardLookup>,
}

/// "Where is this card?": a searched card number that is not among the customers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CardLookup {
    pub card_number: String,
    /// In the analytics' register, but without receipts in the period and filters chosen.
    pub in_analytics: bool,
    /// In the store's register (when not in the analytics: imported after its last build).
    pub in_register: bool,
    /// Rows of imported files that named it and were rejected, newest first.
    pub rejected: Vec<RejectedMention>,
    /// When in the register: the imports that created and last changed its record.
    #[serde(default)]
    pub lineage: Option<CardLineage>,
}

/// Where a card's record came from: the import batch that created it and the last one that
/// changed it. Both `None`: written by a signup or an admin, not by a file.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CardLineage {
    pub first: Option<BatchMention>,
    pub last: Option<BatchMention>,
}

/// One import batch, as an admin recognises it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchMention {
    pub batch_id: String,
    pub file_name: String,
    /// When the import started (RFC 3339).
    pub imported_at: String,
}

/// One rejected row naming a card.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RejectedMention {
    pub file_name: String,
    /// When its import ended (RFC 3339).
    pub imported_at: String,
    pub row: i64,
    pub column: Option<String>,
    pub reason: String,
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
    /// Every voucher of the card, newest first (filled by the server from the store).
    #[serde(default)]
    pub vouchers: Vec<crate::model::rewards::VoucherView>,
    /// The imports that created and last changed the card's record (filled from the store).
    #[serde(default)]
    pub lineage: CardLineage,
}
