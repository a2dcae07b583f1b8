//! One description per table. A row type declares its columns once ([`TableRow::COLUMNS`]:
//! the file header and the screen label of each) and its cells once ([`TableRow::cells`]);
//! the dashboard's table component and the CSV/XLSX writers both render from it, so what the
//! admin sees and what they download cannot drift. A column may be for files only (a second
//! language's name, a raw bound) or for the screen only (a range shown as one label), said
//! where the column is declared. Also the export kinds, shared by the links and the server.

use crate::i18n::{Key, Label, Lang};
use crate::model::analytics::Segment;

/// One value. The screen formats it in the page's language; files write it as data (codes and
/// English names, numbers with the file's decimal separator).
#[derive(Clone, Debug, PartialEq)]
pub enum Cell {
    Text(String),
    Int(i64),
    /// Euro cents: euros with two decimals.
    Money(i64),
    /// Basis points: a percentage.
    Percent(i64),
    /// Basis points of a change: `+12,3 %` on screen, a percentage in files.
    Change(i64),
    /// Thousandths.
    Milli(i64),
    /// Basis points as a ratio 0–1 (probabilities): a percentage on screen.
    Ratio(i64),
    /// `YYYY-MM-DD`: the local date on screen, ISO in files.
    Date(String),
    /// A cardholder's card number: a link to the 360 view on screen.
    Card(String),
    /// An RFM segment: its name in the page's language; the English name in files.
    Segment(Segment),
    /// A weekday (0 = Monday): its local name; `Mon`…`Sun` in files.
    Weekday(u8),
    /// An hour of the day: `07` on screen, a number in files.
    Hour(u8),
    /// Yes or no: local words on screen, `yes`/`no` in files.
    YesNo(bool),
    /// A name from the strings table: in the page's language on screen, English in files.
    Label(Key),
    /// A name entered in both languages (Italian, English): the page's language on screen,
    /// English in files.
    Local(String, String),
    /// A range of whole euros (`to` open when `None`), screen only.
    EuroRange(i64, Option<i64>),
    Empty,
}

impl Cell {
    /// A text cell.
    pub fn text(s: impl Into<String>) -> Cell {
        Cell::Text(s.into())
    }

    /// An optional number of `unit`, empty when absent.
    pub fn of_unit(value: Option<i64>, unit: crate::model::analytics::Unit) -> Cell {
        use crate::model::analytics::Unit;
        match (value, unit) {
            (None, _) => Cell::Empty,
            (Some(v), Unit::Cents) => Cell::Money(v),
            (Some(v), Unit::Count) => Cell::Int(v),
            (Some(v), Unit::Milli) => Cell::Milli(v),
            (Some(v), Unit::BasisPoints) => Cell::Percent(v),
        }
    }

    /// The cell as a file writes it: `None` for a number (written by the writer with its own
    /// decimal rule), else the text.
    pub fn file_text(&self) -> Option<String> {
        const WEEKDAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
        match self {
            Cell::Text(s) | Cell::Date(s) | Cell::Card(s) => Some(s.clone()),
            Cell::Segment(s) => Some(s.label(Lang::En).to_string()),
            Cell::Label(k) => Some(k.text(Lang::En).to_string()),
            Cell::Local(_, en) => Some(en.clone()),
            Cell::Weekday(d) => Some(WEEKDAYS[usize::from(*d) % 7].to_string()),
            Cell::YesNo(b) => Some(if *b { "yes" } else { "no" }.to_string()),
            Cell::EuroRange(from, to) => Some(match to {
                Some(t) => format!("{from}-{t}"),
                None => format!("{from}+"),
            }),
            _ => None,
        }
    }
}

/// One column: its header in files (`None`: screen only) and its label on screen (`None`:
/// files only).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Column {
    pub header: Option<&'static str>,
    pub label: Option<Key>,
    /// Right-aligned on screen.
    pub numeric: bool,
}

impl Column {
    /// A column on screen and in files.
    pub const fn both(header: &'static str, label: Key, numeric: bool) -> Column {
        Column { header: Some(header), label: Some(label), numeric }
    }

    /// A column in files only.
    pub const fn file(header: &'static str) -> Column {
        Column { header: Some(header), label: None, numeric: false }
    }

    /// A column on screen only.
    pub const fn screen(label: Key, numeric: bool) -> Column {
        Column { header: None, label: Some(label), numeric }
    }
}

/// A row of a described table.
pub trait TableRow {
    /// The columns, in order.
    const COLUMNS: &'static [Column];
    /// One cell per column, in the same order.
    fn cells(&self) -> Vec<Cell>;
}

/// The file headers of a row type.
pub fn file_headers<R: TableRow>() -> Vec<&'static str> {
    R::COLUMNS.iter().filter_map(|c| c.header).collect()
}

/// The cells of a row that files hold.
pub fn file_cells<R: TableRow>(row: &R) -> Vec<Cell> {
    R::COLUMNS.iter().zip(row.cells()).filter(|(c, _)| c.header.is_some()).map(|(_, cell)| cell).collect()
}

/// The (column, cell) pairs of a row that the screen shows.
pub fn screen_cells<R: TableRow>(row: &R) -> Vec<(Column, Cell)> {
    R::COLUMNS.iter().copied().zip(row.cells()).filter(|(c, _)| c.label.is_some()).collect()
}

macro_rules! export_kinds {
    ($($kind:ident => $code:literal,)*) => {
        /// What can be exported; the code is the file name in `/admin/export/{code}.{csv|xlsx}`
        /// and the CLI's `--kind`.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum ExportKind { $($kind),* }

        impl ExportKind {
            /// Every kind.
            pub const ALL: &'static [ExportKind] = &[$(ExportKind::$kind),*];

            /// The name in URLs, file names and the CLI.
            pub fn code(self) -> &'static str {
                match self { $(ExportKind::$kind => $code),* }
            }

            /// The kind named `code`.
            pub fn from_code(code: &str) -> Option<Self> {
                Self::ALL.iter().copied().find(|k| k.code() == code)
            }
        }
    };
}

export_kinds! {
    Kpis => "kpis",
    Series => "series",
    Departments => "departments",
    Products => "products",
    Promotions => "promotions",
    Shops => "stores",
    Heatmap => "heatmap",
    Basket => "basket",
    Segments => "segments",
    RfGrid => "rf_grid",
    Cohorts => "cohorts",
    PointsMonths => "points",
    RewardVouchers => "vouchers_by_reward",
    Vouchers => "vouchers",
    Customers => "customers",
    Receipts => "receipts",
    Sales => "sales",
    ChurnRisk => "churn_risk",
    ValueDistribution => "value_distribution",
    SegmentForecast => "segment_forecast",
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::analytics::{SegmentRow, ValueBucket};

    #[test]
    fn files_and_screen_read_the_same_description() {
        let row = SegmentRow {
            segment: Segment::AtRisk,
            customers: 3,
            receipts: 7,
            revenue_cents: 12_345,
            average_ticket_cents: 1_764,
            customer_share_bp: 2_500,
            revenue_share_bp: 1_000,
        };
        assert_eq!(
            file_headers::<SegmentRow>(),
            [
                "segment",
                "segment_it",
                "customers",
                "receipts",
                "revenue_eur",
                "average_ticket_eur",
                "customer_share_percent",
                "revenue_share_percent"
            ]
        );
        let files = file_cells(&row);
        assert_eq!(files[0].file_text().as_deref(), Some("At Risk"));
        assert_eq!(files[1], Cell::text("A rischio"));
        assert_eq!(files[4], Cell::Money(12_345));
        // The screen shows one segment column, in the page's language.
        let screen = screen_cells(&row);
        assert_eq!(screen.len(), 7);
        assert_eq!(screen[0].1, Cell::Segment(Segment::AtRisk));
        let bucket = ValueBucket { from_eur: 100, to_eur: None, customers: 4 };
        assert_eq!(file_headers::<ValueBucket>(), ["value_from_eur", "value_to_eur", "customers"]);
        assert_eq!(file_cells(&bucket), [Cell::Int(100), Cell::Empty, Cell::Int(4)]);
        assert_eq!(
            screen_cells(&bucket).iter().map(|(_, c)| c.clone()).collect::<Vec<_>>(),
            [Cell::EuroRange(100, None), Cell::Int(4)]
        );
    }

    #[test]
    fn export_codes_round_trip() {
        for k in ExportKind::ALL {
            assert_eq!(ExportKind::from_code(k.code()), Some(*k));
        }
        assert_eq!(ExportKind::Shops.code(), "stores");
        assert_eq!(ExportKind::from_code("nothing"), None);
    }
}
