//! Chart options for the dashboard and the personal pages, built from the wire figures. Pure
//! functions: the `<Chart>` component draws them in the browser. Every chart formats its
//! numbers through one formatter in the page's language (axis labels and tooltips: `70.000`
//! and `€ 1.200` in Italian, `70,000` in English), colours each meaning the same way on every
//! chart ([`Measure`]), and keeps category labels readable (horizontal bars, long names
//! shortened on the axis with the full name in the tooltip).

use charming::component::{Axis, Grid, Legend, VisualMap, VisualMapChannel};
use charming::element::{AxisLabel, AxisType, ItemStyle, JsFunction, LineStyle, Tooltip, Trigger};
use charming::series::{Bar, Heatmap, Line};
use charming::Chart;

use crate::format::weekdays;
use crate::i18n::Lang;
use crate::model::analytics::{CohortRow, HeatCell};

/// The brand's red, used for money spent (revenue, spend) on every chart.
pub const BRAND_RED: &str = "#b3121f";

/// What a plotted number means: its unit on the axis and its colour on every chart.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Measure {
    /// Revenue or spend, euros.
    Revenue,
    /// Average ticket, euros.
    Ticket,
    /// Receipts, a count.
    Receipts,
    /// Customers, a count.
    Customers,
    /// Quantities sold.
    Quantity,
    /// A share, percent.
    Share,
    /// Expected receipts (a forecast).
    Expected,
    /// Loyalty points (earned).
    Points,
    /// Points spent on rewards.
    PointsRedeemed,
    /// Points expired.
    PointsExpired,
    /// Points taken back by returns.
    PointsTakenBack,
    /// Vouchers issued.
    Vouchers,
    /// Vouchers used.
    VouchersUsed,
}

impl Measure {
    /// The colour of this meaning.
    pub fn colour(self) -> &'static str {
        match self {
            Measure::Revenue => BRAND_RED,
            Measure::Ticket => "#d9822b",
            Measure::Receipts => "#1f5f8b",
            Measure::Customers => "#2b7a3d",
            Measure::Quantity => "#7a5c00",
            Measure::Share => "#6d4c9f",
            Measure::Expected => "#00796b",
            Measure::Points => "#a86b00",
            Measure::PointsRedeemed => "#2b7a3d",
            Measure::PointsExpired => "#6b6b6b",
            Measure::PointsTakenBack => "#6d4c9f",
            Measure::Vouchers => "#1f5f8b",
            Measure::VouchersUsed => "#00796b",
        }
    }

    fn unit(self) -> Unit {
        match self {
            Measure::Revenue | Measure::Ticket => Unit::Euro,
            Measure::Share => Unit::Percent,
            _ => Unit::Number,
        }
    }
}

#[derive(Clone, Copy)]
enum Unit {
    Euro,
    Number,
    Percent,
}

/// The label of number `v` in `lang`: grouped thousands always (`1.200`), at most two
/// decimals, `€` before money and `%` after shares; `compact` for axis labels (at most one
/// decimal), two decimals in tooltips.
fn number_label(v: f64, lang: Lang, unit: Unit, compact: bool) -> String {
    let n = crate::format::chart_number(v, if compact { 1 } else { 2 }, lang);
    match unit {
        Unit::Euro => format!("€ {n}"),
        Unit::Number => n,
        Unit::Percent => format!("{n} %"),
    }
}

/// A category label shortened to [`LABEL_CHARS`] characters with `…`.
fn short_label(v: &str) -> String {
    if v.chars().count() > LABEL_CHARS {
        format!("{}…", v.chars().take(LABEL_CHARS - 1).collect::<String>())
    } else {
        v.to_string()
    }
}

/// A chart callback. In the browser it is a Rust closure handed to ECharts as a real function
/// (never JavaScript source compiled with `new Function`, which the Content-Security-Policy
/// forbids); the closures are made once per kind and kept for the page's life. On the server
/// charts are never drawn, so a placeholder stands in.
#[cfg(target_arch = "wasm32")]
fn callback(key: String, f: impl Fn(wasm_bindgen::JsValue) -> wasm_bindgen::JsValue + 'static) -> JsFunction {
    use std::cell::RefCell;
    use std::collections::HashMap;
    use wasm_bindgen::prelude::*;
    thread_local! {
        static MADE: RefCell<HashMap<String, JsValue>> = RefCell::new(HashMap::new());
    }
    let function = MADE.with(|made| {
        made.borrow_mut()
            .entry(key)
            .or_insert_with(|| Closure::<dyn Fn(JsValue) -> JsValue>::new(f).into_js_value())
            .clone()
    });
    serde_wasm_bindgen::from_value(function).expect("a JavaScript function is a JsFunction")
}

#[cfg(not(target_arch = "wasm32"))]
fn callback<V>(key: String, _f: impl Fn(V) -> V + 'static) -> JsFunction {
    JsFunction::new_with_args("v", &format!("return v; /* {key} */"))
}

fn formatter(lang: Lang, unit: Unit, compact: bool) -> JsFunction {
    let key = format!("number:{}:{}:{compact}", lang.code(), unit as u8);
    #[cfg(target_arch = "wasm32")]
    return callback(key, move |v| match v.as_f64() {
        Some(n) => wasm_bindgen::JsValue::from_str(&number_label(n, lang, unit, compact)),
        None => v,
    });
    #[cfg(not(target_arch = "wasm32"))]
    {
        let _ = number_label;
        callback(key, |v: ()| v)
    }
}

fn shortener() -> JsFunction {
    #[cfg(target_arch = "wasm32")]
    return callback("shorten".into(), |v| match v.as_string() {
        Some(s) => wasm_bindgen::JsValue::from_str(&short_label(&s)),
        None => v,
    });
    #[cfg(not(target_arch = "wasm32"))]
    {
        let _ = short_label;
        callback("shorten".into(), |v: ()| v)
    }
}

/// A value axis labelled in `lang` for `measure`; few ticks, so the labels never collide on a
/// phone.
fn value_axis(lang: Lang, measure: Measure, ticks: u32) -> Axis {
    Axis::new().type_(AxisType::Value).split_number(f64::from(ticks)).axis_label(AxisLabel::new().formatter(formatter(
        lang,
        measure.unit(),
        true,
    )))
}

/// The value axis under horizontal bars: its labels slanted, so `€ 120.000` never runs into
/// its neighbour on a phone.
fn slanted_value_axis(lang: Lang, measure: Measure) -> Axis {
    Axis::new().type_(AxisType::Value).split_number(3.0).axis_label(AxisLabel::new().rotate(35.0).formatter(formatter(
        lang,
        measure.unit(),
        true,
    )))
}

/// Category labels longer than this are shortened on the axis (the tooltip shows them whole).
const LABEL_CHARS: usize = 16;

/// A category axis whose labels are all drawn, long ones shortened with `…`.
fn category_axis(labels: Vec<String>) -> Axis {
    Axis::new().type_(AxisType::Category).data(labels).axis_label(AxisLabel::new().interval(0).formatter(shortener()))
}

fn tooltip(lang: Lang, measure: Measure, trigger: Trigger) -> Tooltip {
    Tooltip::new().trigger(trigger).value_formatter(formatter(lang, measure.unit(), false))
}

fn bar(name: &str, measure: Measure, values: Vec<f64>) -> Bar {
    Bar::new().name(name).item_style(ItemStyle::new().color(measure.colour())).data(values)
}

/// Revenue (bars, left axis) and receipts (line, right axis) per bucket; `labels` already in
/// the page's language (dates or month names).
pub fn series(
    labels: Vec<String>,
    revenue_cents: Vec<i64>,
    receipts: Vec<u32>,
    revenue_name: &str,
    receipts_name: &str,
    lang: Lang,
) -> Chart {
    Chart::new()
        .grid(Grid::new().left("3%").right("3%").top("16%").bottom("4%").contain_label(true))
        .tooltip(tooltip(lang, Measure::Revenue, Trigger::Axis))
        .legend(Legend::new().data(vec![revenue_name.to_string(), receipts_name.to_string()]))
        .x_axis(Axis::new().type_(AxisType::Category).data(labels))
        .y_axis(value_axis(lang, Measure::Revenue, 4))
        .y_axis(value_axis(lang, Measure::Receipts, 4))
        .series(bar(revenue_name, Measure::Revenue, revenue_cents.into_iter().map(eur).collect()))
        .series(
            Line::new()
                .name(receipts_name)
                .y_axis_index(1)
                .item_style(ItemStyle::new().color(Measure::Receipts.colour()))
                .line_style(LineStyle::new().color(Measure::Receipts.colour()))
                .data(receipts.into_iter().map(i64::from).collect()),
        )
}

/// Horizontal bars, biggest on top.
pub fn bars(labels: Vec<String>, values: Vec<f64>, name: &str, measure: Measure, lang: Lang) -> Chart {
    grouped(labels, vec![(name.to_string(), measure, values)], lang)
}

/// Horizontal grouped bars, first category on top: one series per (name, meaning, values).
pub fn grouped(labels: Vec<String>, series: Vec<(String, Measure, Vec<f64>)>, lang: Lang) -> Chart {
    let mut labels = labels;
    labels.reverse();
    let first = series.first().map_or(Measure::Revenue, |s| s.1);
    let mut chart = Chart::new()
        .grid(
            Grid::new()
                .left("2%")
                .right("6%")
                .top(if series.len() > 1 { "12%" } else { "3%" })
                .bottom("3%")
                .contain_label(true),
        )
        .tooltip(tooltip(lang, first, Trigger::Axis))
        .x_axis(slanted_value_axis(lang, first))
        .y_axis(category_axis(labels));
    if series.len() > 1 {
        chart = chart.legend(Legend::new().data(series.iter().map(|s| s.0.clone()).collect()));
    }
    for (name, measure, mut values) in series {
        values.reverse();
        chart = chart.series(bar(&name, measure, values));
    }
    chart
}

/// Euros of cents, for bar values.
pub fn eur(cents: i64) -> f64 {
    cents as f64 / 100.0
}

fn heat(x: Vec<String>, y: Vec<String>, cells: Vec<(usize, usize, f64)>, max: f64) -> Chart {
    Chart::new()
        .grid(Grid::new().left("14%").right("4%").top("4%").bottom("24%"))
        .tooltip(Tooltip::new())
        .x_axis(Axis::new().type_(AxisType::Category).data(x))
        .y_axis(Axis::new().type_(AxisType::Category).data(y))
        .visual_map(
            VisualMap::new()
                .min(0)
                .max(max.max(1.0))
                .calculable(true)
                .in_range(VisualMapChannel::new().color(vec![
                    charming::element::Color::from("#fbe9eb"),
                    "#e0707a".into(),
                    BRAND_RED.into(),
                ]))
                .orient(charming::element::Orient::Horizontal)
                .left("center")
                .bottom("0%"),
        )
        .series(
            Heatmap::new().data(
                cells
                    .into_iter()
                    .map(|(x, y, v)| vec![charming::datatype::DataPoint::from(x as i64), (y as i64).into(), v.into()])
                    .collect(),
            ),
        )
}

/// Receipts by hour (columns) and weekday (rows).
pub fn weekday_hour(cells: &[HeatCell], lang: Lang) -> Chart {
    let hours: Vec<String> = (0..24).map(|h| format!("{h:02}")).collect();
    let days: Vec<String> = weekdays(lang).iter().map(|d| d.to_string()).collect();
    let max = cells.iter().map(|c| c.receipts).max().unwrap_or(0) as f64;
    heat(hours, days, cells.iter().map(|c| (c.hour as usize, c.weekday as usize, f64::from(c.receipts))).collect(), max)
}

/// Customers by R (rows) and F (columns) score.
pub fn rf_grid(grid: &[Vec<u32>]) -> Chart {
    let labels: Vec<String> = (1..=5).map(|s| s.to_string()).collect();
    let mut cells = Vec::new();
    let mut max = 0.0f64;
    for (r, row) in grid.iter().enumerate() {
        for (f, n) in row.iter().enumerate() {
            cells.push((f, r, f64::from(*n)));
            max = max.max(f64::from(*n));
        }
    }
    heat(labels.clone(), labels, cells, max)
}

/// Retention percentage per cohort (rows) and months since the first purchase (columns).
pub fn cohorts(rows: &[CohortRow], lang: Lang) -> Chart {
    let width = rows.iter().map(|r| r.active.len()).max().unwrap_or(0);
    let x: Vec<String> = (0..width).map(|k| k.to_string()).collect();
    let y: Vec<String> = rows.iter().map(|r| crate::format::month(&r.month, lang)).collect();
    let mut cells = Vec::new();
    for (i, row) in rows.iter().enumerate() {
        for (k, n) in row.active.iter().enumerate() {
            let pct = if row.customers == 0 {
                0.0
            } else {
                (f64::from(*n) * 1000.0 / f64::from(row.customers)).round() / 10.0
            };
            cells.push((k, i, pct));
        }
    }
    heat(x, y, cells, 100.0)
}

/// Two series of euros per day as lines (a campaign's treated and holdout spend per member).
pub fn two_lines(labels: Vec<String>, a: (&str, Vec<f64>), b: (&str, Vec<f64>), lang: Lang) -> Chart {
    let line = |name: &str, measure: Measure, values: Vec<f64>| {
        Line::new()
            .name(name)
            .item_style(ItemStyle::new().color(measure.colour()))
            .line_style(LineStyle::new().color(measure.colour()))
            .data(values)
    };
    Chart::new()
        .grid(Grid::new().left("3%").right("3%").top("16%").bottom("4%").contain_label(true))
        .tooltip(tooltip(lang, Measure::Revenue, Trigger::Axis))
        .legend(Legend::new().data(vec![a.0.to_string(), b.0.to_string()]))
        .x_axis(Axis::new().type_(AxisType::Category).data(labels))
        .y_axis(value_axis(lang, Measure::Revenue, 4))
        .series(line(a.0, Measure::Revenue, a.1))
        .series(line(b.0, Measure::Receipts, b.1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chart_labels_in_each_language() {
        assert_eq!(number_label(30000.0, Lang::It, Unit::Euro, true), "€ 30.000");
        assert_eq!(number_label(12.345, Lang::En, Unit::Percent, false), "12.35 %");
        assert_eq!(number_label(0.5, Lang::It, Unit::Number, true), "0,5");
        assert_eq!(short_label("Latte intero fresco di alta qualità"), "Latte intero fr…");
        assert_eq!(short_label("Pane"), "Pane");
    }
}
