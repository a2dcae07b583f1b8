//! Exports of what the dashboard shows: every table and the customer list, as CSV (UTF-8 with
//! BOM; `;` and decimal comma by default for Italian Excel, or `,` and decimal point) or XLSX,
//! honouring the filters. Rows are produced one at a time so big exports (receipts, sales
//! lines) stream. Text cells that a spreadsheet would run as a formula (starting with `=`, `+`,
//! `-`, `@`, tab, CR or NUL) are prefixed with `'`.

use std::io::Write;

use app::model::analytics::{
    BasketRow, ChurnRow, CustomerQuery, Filters, GroupRow, HeatCell, PromotionRow, SegmentForecast, SegmentRow,
    SeriesPoint, ShopRow, ValueBucket,
};
use app::model::table::{file_cells, file_headers};
pub use app::model::table::{Cell, ExportKind};

use super::{customers, widgets, Snapshot};
use crate::clock::day_iso;
use crate::points::book::PointsBook;
use crate::projection::dataset::{NONE, NO_DEPARTMENT};

/// File format.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Csv,
    Xlsx,
}

impl Format {
    /// The format named `code` (`csv` or `xlsx`).
    pub fn from_code(code: &str) -> Option<Self> {
        match code {
            "csv" => Some(Format::Csv),
            "xlsx" => Some(Format::Xlsx),
            _ => None,
        }
    }

    /// The file extension.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Xlsx => "xlsx",
        }
    }

    /// The `Content-Type`.
    pub fn content_type(self) -> &'static str {
        match self {
            Format::Csv => "text/csv; charset=utf-8",
            Format::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        }
    }
}

/// Neutralises a text against formula injection.
pub fn neutralise(raw: &str) -> std::borrow::Cow<'_, str> {
    match raw.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r' | '\0') => format!("'{raw}").into(),
        _ => raw.into(),
    }
}

fn fixed(v: i64, decimals: u32, comma: bool) -> String {
    let scale = 10i64.pow(decimals);
    let sign = if v < 0 { "-" } else { "" };
    let a = v.unsigned_abs();
    let (int, frac) = (a / scale as u64, a % scale as u64);
    let sep = if comma { ',' } else { '.' };
    format!("{sign}{int}{sep}{frac:0width$}", width = decimals as usize)
}

/// CSV options: the delimiter (`;` means decimal comma too).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CsvStyle {
    pub delimiter: u8,
}

impl Default for CsvStyle {
    fn default() -> Self {
        CsvStyle { delimiter: b';' }
    }
}

impl CsvStyle {
    /// `,` with decimal point, or `;` with decimal comma (the default).
    pub fn from_code(code: Option<&str>) -> Option<Self> {
        match code {
            None | Some("") | Some(";") | Some("semicolon") => Some(CsvStyle { delimiter: b';' }),
            Some(",") | Some("comma") => Some(CsvStyle { delimiter: b',' }),
            _ => None,
        }
    }

    fn comma_decimals(self) -> bool {
        self.delimiter == b';'
    }

    /// One cell as CSV text (quoted when needed).
    pub fn cell(self, cell: &Cell) -> String {
        let comma = self.comma_decimals();
        let text = match cell {
            Cell::Int(v) => v.to_string(),
            Cell::Hour(h) => h.to_string(),
            Cell::Money(v) => fixed(*v, 2, comma),
            Cell::Percent(v) | Cell::Change(v) => fixed(*v, 2, comma),
            Cell::Milli(v) => fixed(*v, 3, comma),
            Cell::Ratio(v) => fixed(*v, 4, comma),
            Cell::Empty => String::new(),
            text => neutralise(&text.file_text().unwrap_or_default()).into_owned(),
        };
        let delimiter = self.delimiter as char;
        if text.contains([delimiter, '"', '\n', '\r']) {
            format!("\"{}\"", text.replace('"', "\"\""))
        } else {
            text
        }
    }

    /// One line (with CRLF).
    pub fn line(self, cells: &[Cell]) -> String {
        let mut out =
            cells.iter().map(|c| self.cell(c)).collect::<Vec<_>>().join(&(self.delimiter as char).to_string());
        out.push_str("\r\n");
        out
    }
}

/// Bad export parameters, named.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("{0}")]
    Filter(app::model::analytics::BadFilter),
    #[error("XLSX holds at most 1,048,575 rows; this export has more: use CSV or narrow the filters")]
    TooManyRowsForXlsx,
    #[error("export failed: {0}")]
    Io(String),
}

impl From<app::model::analytics::BadFilter> for ExportError {
    fn from(e: app::model::analytics::BadFilter) -> Self {
        ExportError::Filter(e)
    }
}

/// Header names of an export: the row type's description for the tables the dashboard shows;
/// declared here for the exports with no screen twin (the KPI list, the long forms of the R × F
/// grid and the cohort matrix, customers, receipts and sales lines).
pub fn headers(kind: ExportKind) -> Vec<&'static str> {
    match kind {
        ExportKind::Series => file_headers::<SeriesPoint>(),
        ExportKind::Departments | ExportKind::Products => file_headers::<GroupRow>(),
        ExportKind::Promotions => file_headers::<PromotionRow>(),
        ExportKind::Shops => file_headers::<ShopRow>(),
        ExportKind::Heatmap => file_headers::<HeatCell>(),
        ExportKind::Basket => file_headers::<BasketRow>(),
        ExportKind::Segments => file_headers::<SegmentRow>(),
        ExportKind::ChurnRisk => file_headers::<ChurnRow>(),
        ExportKind::ValueDistribution => file_headers::<ValueBucket>(),
        ExportKind::SegmentForecast => file_headers::<SegmentForecast>(),
        ExportKind::Kpis => {
            vec!["kpi", "value", "previous", "change_percent", "from", "to", "previous_from", "previous_to"]
        }
        ExportKind::PointsMonths => file_headers::<app::model::rewards::PointsMonth>(),
        ExportKind::RewardVouchers => file_headers::<app::model::rewards::RewardVouchers>(),
        ExportKind::Vouchers => vec![
            "code",
            "card_number",
            "reward_id",
            "reward",
            "kind",
            "value_eur",
            "points",
            "status",
            "issued_at",
            "expires_at",
            "used_at",
            "receipt_id",
        ],
        ExportKind::RfGrid => vec!["r_score", "f_score", "customers"],
        ExportKind::Cohorts => vec!["cohort_month", "customers", "months_since", "active", "retention_percent"],
        ExportKind::Customers => vec![
            "card_number",
            "name",
            "email",
            "phone",
            "last_receipt",
            "recency_days",
            "frequency",
            "monetary_eur",
            "r_score",
            "f_score",
            "m_score",
            "segment",
            "p_alive",
            "expected_receipts_90d",
            "predicted_value_12m",
        ],
        ExportKind::Receipts => {
            vec!["receipt_id", "date", "time", "store", "card_number", "gross_eur", "discount_eur", "net_eur", "lines"]
        }
        ExportKind::Sales => vec![
            "receipt_id",
            "date",
            "store",
            "card_number",
            "product",
            "description",
            "department",
            "quantity",
            "gross_eur",
            "discount_eur",
            "net_eur",
            "promotion",
        ],
    }
}

/// Produces the rows of an export for `query` (its filters; search and sort for customers),
/// calling `emit` for each; stops early when `emit` returns false.
pub fn rows(
    snap: &Snapshot,
    book: &PointsBook,
    kind: ExportKind,
    query: &CustomerQuery,
    emit: &mut dyn FnMut(Vec<Cell>) -> bool,
) -> Result<(), ExportError> {
    let filters: &Filters = &query.filters;
    let (sel, rfm) = snap.select(filters)?;
    let data = &snap.data;
    macro_rules! out {
        ($cells:expr) => {
            if !emit($cells) {
                return Ok(());
            }
        };
    }
    let w = sel.window;
    match kind {
        ExportKind::PointsMonths => {
            for row in book.months(w.from, w.to) {
                out!(file_cells(&row));
            }
        }
        ExportKind::RewardVouchers => {
            for row in book.by_reward(w.from, w.to) {
                out!(file_cells(&row));
            }
        }
        ExportKind::Vouchers => {
            for v in book.vouchers_in(w.from, w.to) {
                out!(vec![
                    Cell::text(v.code.clone()),
                    Cell::text(v.card_number.clone()),
                    Cell::text(v.reward_id.clone()),
                    Cell::text(v.title_en.clone()),
                    Cell::text(v.kind.clone()),
                    v.value_cents.map_or(Cell::Empty, Cell::Money),
                    Cell::Int(v.points),
                    Cell::text(v.status.clone()),
                    Cell::text(v.issued_at.clone()),
                    Cell::text(v.expires_at.clone()),
                    v.used_at.clone().map_or(Cell::Empty, Cell::text),
                    v.receipt_id.clone().map_or(Cell::Empty, Cell::text),
                ]);
            }
        }
        ExportKind::Kpis => {
            let p = w.previous();
            for k in widgets::kpis(&sel) {
                let unit = k.key.unit();
                out!(vec![
                    Cell::text(k.key.code()),
                    Cell::of_unit(k.value, unit),
                    Cell::of_unit(k.previous, unit),
                    k.change_bp().map_or(Cell::Empty, Cell::Percent),
                    Cell::text(day_iso(w.from)),
                    Cell::text(day_iso(w.to)),
                    Cell::text(day_iso(p.from)),
                    Cell::text(day_iso(p.to)),
                ]);
            }
        }
        ExportKind::Series => {
            for p in widgets::series(&sel).1 {
                out!(file_cells(&p));
            }
        }
        ExportKind::Departments | ExportKind::Products => {
            let mut list =
                if kind == ExportKind::Departments { widgets::departments(&sel) } else { widgets::products(&sel) };
            list.sort_by(|a, b| b.revenue_cents.cmp(&a.revenue_cents).then_with(|| a.id.cmp(&b.id)));
            for g in list {
                out!(file_cells(&g));
            }
        }
        ExportKind::Promotions => {
            for row in widgets::promotions(&sel) {
                out!(file_cells(&row));
            }
        }
        ExportKind::Shops => {
            for row in widgets::shops(&sel) {
                out!(file_cells(&row));
            }
        }
        ExportKind::Heatmap => {
            for row in widgets::heatmap(&sel) {
                out!(file_cells(&row));
            }
        }
        ExportKind::Basket => {
            for row in widgets::basket(&sel) {
                out!(file_cells(&row));
            }
        }
        ExportKind::Segments => {
            for row in widgets::segments(&sel, &rfm) {
                out!(file_cells(&row));
            }
        }
        ExportKind::RfGrid => {
            for (r, row) in widgets::rf_grid(&sel, &rfm).iter().enumerate() {
                for (f, n) in row.iter().enumerate() {
                    out!(vec![Cell::Int(r as i64 + 1), Cell::Int(f as i64 + 1), Cell::Int(i64::from(*n))]);
                }
            }
        }
        ExportKind::Cohorts => {
            for c in widgets::cohorts(&sel) {
                for (k, n) in c.active.iter().enumerate() {
                    let pct = if c.customers == 0 { 0 } else { i64::from(*n) * 10_000 / i64::from(c.customers) };
                    out!(vec![
                        Cell::text(c.month.clone()),
                        Cell::Int(i64::from(c.customers)),
                        Cell::Int(k as i64),
                        Cell::Int(i64::from(*n)),
                        Cell::Percent(pct)
                    ]);
                }
            }
        }
        ExportKind::Customers => {
            for s in customers::matching(&sel, &rfm, query) {
                let r = customers::row(data, snap.clv.as_deref(), &s);
                out!(vec![
                    Cell::text(r.card_number),
                    Cell::text(r.name),
                    r.email.as_deref().map_or(Cell::Empty, Cell::text),
                    r.phone.as_deref().map_or(Cell::Empty, Cell::text),
                    Cell::text(r.last_receipt),
                    Cell::Int(i64::from(r.recency_days)),
                    Cell::Int(i64::from(r.frequency)),
                    Cell::Money(r.monetary_cents),
                    Cell::Int(i64::from(r.r)),
                    Cell::Int(i64::from(r.f)),
                    Cell::Int(i64::from(r.m)),
                    Cell::Segment(r.segment),
                    r.p_alive_bp.map_or(Cell::Empty, Cell::Ratio),
                    r.expected_receipts_90d_milli.map_or(Cell::Empty, Cell::Milli),
                    r.value_12m_cents.map_or(Cell::Empty, Cell::Money),
                ]);
            }
        }
        ExportKind::ChurnRisk => {
            for row in super::forecast::churn_risk_all(&sel, &rfm, snap.clv.as_deref()) {
                out!(file_cells(&row));
            }
        }
        ExportKind::ValueDistribution => {
            for row in super::forecast::value_distribution(&sel, snap.clv.as_deref()) {
                out!(file_cells(&row));
            }
        }
        ExportKind::SegmentForecast => {
            for row in super::forecast::segment_forecast(&sel, &rfm, snap.clv.as_deref()) {
                out!(file_cells(&row));
            }
        }
        ExportKind::Receipts => {
            let r = &data.receipts;
            let mut stopped = false;
            sel.for_each(|i, hit| {
                if stopped {
                    return;
                }
                let card = r.card[i];
                stopped = !emit(vec![
                    Cell::text(&*r.id[i]),
                    Cell::text(day_iso(r.day[i])),
                    Cell::text(format!("{:02}:{:02}", r.minute[i] / 60, r.minute[i] % 60)),
                    Cell::text(data.shops.value(r.shop[i])),
                    if card == NONE { Cell::Empty } else { Cell::text(data.cards.number.value(card)) },
                    Cell::Money(hit.gross),
                    Cell::Money(hit.discount),
                    Cell::Money(hit.net),
                    Cell::Int(i64::from(hit.lines)),
                ]);
            });
        }
        ExportKind::Sales => {
            let r = &data.receipts;
            let l = &data.lines;
            let mut stopped = false;
            sel.for_each_line(|i, k| {
                if stopped {
                    return;
                }
                let card = r.card[i];
                let dept = l.department[k];
                let promo = l.promotion[k];
                let product = l.product[k];
                stopped = !emit(vec![
                    Cell::text(&*r.id[i]),
                    Cell::text(day_iso(r.day[i])),
                    Cell::text(data.shops.value(r.shop[i])),
                    if card == NONE { Cell::Empty } else { Cell::text(data.cards.number.value(card)) },
                    Cell::text(data.products.value(product)),
                    Cell::text(&*data.product_names[product as usize]),
                    if dept == NO_DEPARTMENT {
                        Cell::Empty
                    } else {
                        Cell::text(data.departments.value(u32::from(dept)))
                    },
                    Cell::Milli(i64::from(l.quantity[k])),
                    Cell::Money(i64::from(l.gross[k])),
                    Cell::Money(i64::from(l.discount[k])),
                    Cell::Money(i64::from(l.net[k])),
                    if promo == 0 { Cell::Empty } else { Cell::text(data.promotions.value(u32::from(promo) - 1)) },
                ]);
            });
        }
    }
    Ok(())
}

/// Writes a whole CSV export (BOM, header, rows) to `out`; returns the data rows written.
pub fn write_csv(
    snap: &Snapshot,
    book: &PointsBook,
    kind: ExportKind,
    query: &CustomerQuery,
    style: CsvStyle,
    out: &mut dyn Write,
) -> Result<u64, ExportError> {
    let io = |e: std::io::Error| ExportError::Io(e.to_string());
    out.write_all(b"\xEF\xBB\xBF").map_err(io)?;
    let head: Vec<Cell> = headers(kind).into_iter().map(Cell::text).collect();
    out.write_all(style.line(&head).as_bytes()).map_err(io)?;
    let mut n = 0u64;
    let mut failed: Option<std::io::Error> = None;
    rows(snap, book, kind, query, &mut |cells| match out.write_all(style.line(&cells).as_bytes()) {
        Ok(()) => {
            n += 1;
            true
        }
        Err(e) => {
            failed = Some(e);
            false
        }
    })?;
    match failed {
        Some(e) => Err(io(e)),
        None => Ok(n),
    }
}

/// Writes an XLSX export (one sheet named after the kind, numbers as numbers) to `path`;
/// returns the data rows written.
pub fn write_xlsx(
    snap: &Snapshot,
    book: &PointsBook,
    kind: ExportKind,
    query: &CustomerQuery,
    path: &std::path::Path,
) -> Result<u64, ExportError> {
    use rust_xlsxwriter::{Format as XFormat, Workbook};
    let x = |e: rust_xlsxwriter::XlsxError| ExportError::Io(e.to_string());
    let mut workbook = Workbook::new();
    let money = XFormat::new().set_num_format("#,##0.00");
    let milli = XFormat::new().set_num_format("0.000");
    let bold = XFormat::new().set_bold();
    let sheet = workbook.add_worksheet_with_constant_memory().map_err(x)?;
    sheet.set_name(kind.code()).map_err(x)?;
    for (c, h) in headers(kind).iter().enumerate() {
        sheet.write_string_with_format(0, c as u16, *h, &bold).map_err(x)?;
    }
    let mut row: u32 = 0;
    let mut failed: Option<ExportError> = None;
    rows(snap, book, kind, query, &mut |cells| {
        row += 1;
        if row > 1_048_575 {
            failed = Some(ExportError::TooManyRowsForXlsx);
            return false;
        }
        for (c, cell) in cells.iter().enumerate() {
            let c = c as u16;
            let res = match cell {
                Cell::Int(v) => sheet.write_number(row, c, *v as f64).map(|_| ()),
                Cell::Hour(h) => sheet.write_number(row, c, f64::from(*h)).map(|_| ()),
                Cell::Money(v) => sheet.write_number_with_format(row, c, *v as f64 / 100.0, &money).map(|_| ()),
                Cell::Percent(v) | Cell::Change(v) => {
                    sheet.write_number_with_format(row, c, *v as f64 / 100.0, &money).map(|_| ())
                }
                Cell::Milli(v) => sheet.write_number_with_format(row, c, *v as f64 / 1000.0, &milli).map(|_| ()),
                Cell::Ratio(v) => sheet.write_number(row, c, *v as f64 / 10_000.0).map(|_| ()),
                Cell::Empty => Ok(()),
                text => sheet.write_string(row, c, neutralise(&text.file_text().unwrap_or_default())).map(|_| ()),
            };
            if let Err(e) = res {
                failed = Some(x(e));
                return false;
            }
        }
        true
    })?;
    if let Some(e) = failed {
        return Err(e);
    }
    workbook.save(path).map_err(x)?;
    Ok(u64::from(row))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_neutralised() {
        for bad in ["=1+1", "+39 333", "-2", "@SUM(A1)", "\tx", "\rx", "\0x"] {
            assert!(neutralise(bad).starts_with('\''), "{bad:?}");
        }
        assert_eq!(neutralise("Mele"), "Mele");
        let style = CsvStyle::default();
        assert_eq!(style.cell(&Cell::text("=HYPERLINK(\"x\")")), "\"'=HYPERLINK(\"\"x\"\")\"");
    }

    #[test]
    fn numbers_follow_the_delimiter() {
        let it = CsvStyle::default();
        let en = CsvStyle::from_code(Some(",")).unwrap();
        assert_eq!(it.cell(&Cell::Money(123_456)), "1234,56");
        assert_eq!(en.cell(&Cell::Money(123_456)), "1234.56");
        assert_eq!(it.cell(&Cell::Money(-5)), "-0,05");
        assert_eq!(it.cell(&Cell::Milli(1_250)), "1,250");
        assert_eq!(en.cell(&Cell::Percent(1_234)), "12.34");
        assert_eq!(en.cell(&Cell::text("a,b")), "\"a,b\"");
        assert_eq!(it.cell(&Cell::text("a,b")), "a,b");
        assert_eq!(it.line(&[Cell::Int(1), Cell::Empty, Cell::text("x;y")]), "1;;\"x;y\"\r\n");
        assert!(CsvStyle::from_code(Some("|")).is_none());
    }
}
