//! Chart options for the dashboard widgets, built from the wire figures. Pure functions: the
//! `<Chart>` component draws them in the browser.

use charming::component::{Axis, Grid, Legend, VisualMap};
use charming::element::{AxisType, Tooltip, Trigger};
use charming::series::{Bar, Heatmap, Line};
use charming::Chart;

use crate::format::weekdays;
use crate::i18n::Lang;
use crate::model::analytics::{CohortRow, HeatCell};

fn euros(cents: i64) -> f64 {
    (cents as f64 / 100.0 * 100.0).round() / 100.0
}

/// Revenue (bars, left axis) and receipts (line, right axis) per bucket.
pub fn series(
    labels: Vec<String>,
    revenue_cents: Vec<i64>,
    receipts: Vec<u32>,
    revenue_name: &str,
    receipts_name: &str,
) -> Chart {
    Chart::new()
        .grid(Grid::new().left("12%").right("10%").top("14%").bottom("12%"))
        .tooltip(Tooltip::new().trigger(Trigger::Axis))
        .legend(Legend::new().data(vec![revenue_name.to_string(), receipts_name.to_string()]))
        .x_axis(Axis::new().type_(AxisType::Category).data(labels))
        .y_axis(Axis::new().type_(AxisType::Value))
        .y_axis(Axis::new().type_(AxisType::Value))
        .series(Bar::new().name(revenue_name).data(revenue_cents.into_iter().map(euros).collect()))
        .series(Line::new().name(receipts_name).y_axis_index(1).data(receipts.into_iter().map(i64::from).collect()))
}

/// Horizontal bars, biggest on top.
pub fn bars(labels: Vec<String>, values: Vec<f64>, name: &str) -> Chart {
    let (mut labels, mut values) = (labels, values);
    labels.reverse();
    values.reverse();
    Chart::new()
        .grid(Grid::new().left("32%").right("6%").top("4%").bottom("8%"))
        .tooltip(Tooltip::new().trigger(Trigger::Axis))
        .x_axis(Axis::new().type_(AxisType::Value))
        .y_axis(Axis::new().type_(AxisType::Category).data(labels))
        .series(Bar::new().name(name).data(values))
}

/// Vertical grouped bars: one series per (name, values).
pub fn grouped(labels: Vec<String>, series: Vec<(String, Vec<f64>)>) -> Chart {
    let mut chart = Chart::new()
        .grid(Grid::new().left("12%").right("4%").top("14%").bottom("16%"))
        .tooltip(Tooltip::new().trigger(Trigger::Axis))
        .legend(Legend::new().data(series.iter().map(|s| s.0.clone()).collect()))
        .x_axis(Axis::new().type_(AxisType::Category).data(labels))
        .y_axis(Axis::new().type_(AxisType::Value));
    for (name, values) in series {
        chart = chart.series(Bar::new().name(name).data(values));
    }
    chart
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
pub fn cohorts(rows: &[CohortRow]) -> Chart {
    let width = rows.iter().map(|r| r.active.len()).max().unwrap_or(0);
    let x: Vec<String> = (0..width).map(|k| k.to_string()).collect();
    let y: Vec<String> = rows.iter().map(|r| r.month.clone()).collect();
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

/// Euros of cents, for bar values.
pub fn eur(cents: i64) -> f64 {
    euros(cents)
}
