//! `GET /admin/campaigns/{id}/report.csv` (or `.xlsx`): a campaign's report as a file — the
//! comparisons (intention to treat, then activated only) and the spend per member per day. The
//! CSV has semicolons and decimal commas, as Italian spreadsheets read them. Admins only.

use app::model::campaigns::{CampaignReport, Comparison, Metric};
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};

use super::caller::AdminUser;
use super::ServerState;
use crate::error::StatusResponse;

fn number(v: f64) -> String {
    format!("{v:.4}").replace('.', ",")
}

fn metric(m: Metric) -> &'static str {
    match m {
        Metric::Revenue => "revenue_eur",
        Metric::Receipts => "receipts",
        Metric::Shopped => "share_shopped",
    }
}

/// The report as CSV text.
pub fn csv(r: &CampaignReport) -> String {
    let mut out = String::from("\u{feff}section;metric;treated;holdout;difference;low_95;high_95\n");
    let mut rows = |section: &str, list: &[Comparison]| {
        for c in list {
            let (d, lo, hi) = c.difference.map_or((String::new(), String::new(), String::new()), |d| {
                (number(d.estimate), number(d.low), number(d.high))
            });
            out.push_str(&format!(
                "{section};{};{};{};{d};{lo};{hi}\n",
                metric(c.metric),
                number(c.treated),
                number(c.holdout)
            ));
        }
    };
    rows("intention_to_treat", &r.itt);
    rows("activated_only_not_causal", &r.activated_only);
    out.push_str("\nday;treated_revenue_per_member_eur;holdout_revenue_per_member_eur\n");
    for d in &r.daily {
        out.push_str(&format!("{};{};{}\n", d.day, number(d.treated), number(d.holdout)));
    }
    out
}

/// The report as an XLSX workbook: the comparisons, then the days.
pub fn xlsx(r: &CampaignReport) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet().set_name("Risultati")?;
    for (c, h) in ["section", "metric", "treated", "holdout", "difference", "low_95", "high_95"].iter().enumerate() {
        sheet.write_string(0, c as u16, *h)?;
    }
    let mut row = 1u32;
    for (section, list) in [("intention_to_treat", &r.itt), ("activated_only_not_causal", &r.activated_only)] {
        for c in list.iter() {
            sheet.write_string(row, 0, section)?;
            sheet.write_string(row, 1, metric(c.metric))?;
            sheet.write_number(row, 2, c.treated)?;
            sheet.write_number(row, 3, c.holdout)?;
            if let Some(d) = c.difference {
                sheet.write_number(row, 4, d.estimate)?;
                sheet.write_number(row, 5, d.low)?;
                sheet.write_number(row, 6, d.high)?;
            }
            row += 1;
        }
    }
    let days = book.add_worksheet().set_name("Giorni")?;
    for (c, h) in ["day", "treated_revenue_per_member_eur", "holdout_revenue_per_member_eur"].iter().enumerate() {
        days.write_string(0, c as u16, *h)?;
    }
    for (i, d) in r.daily.iter().enumerate() {
        let row = i as u32 + 1;
        days.write_string(row, 0, &d.day)?;
        days.write_number(row, 1, d.treated)?;
        days.write_number(row, 2, d.holdout)?;
    }
    book.save_to_buffer()
}

/// The handler.
pub async fn report_csv(
    State(state): State<ServerState>,
    _admin: AdminUser,
    Path((id, file)): Path<(String, String)>,
) -> Response {
    if file != "report.csv" && file != "report.xlsx" {
        return (StatusCode::NOT_FOUND, "no such file").into_response();
    }
    let id = id.as_str();
    let r = match state.app.campaigns.report(id).await {
        Ok(r) => r,
        Err(e) => return e.status_response(),
    };
    let (body, content_type, ext) = if file.ends_with(".csv") {
        (csv(&r).into_bytes(), "text/csv; charset=utf-8", "csv")
    } else {
        match xlsx(&r) {
            Ok(b) => (b, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
            Err(e) => return crate::error::internal(e).status_response(),
        }
    };
    (
        [
            (header::CONTENT_TYPE, content_type.to_string()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"campaign-{id}.{ext}\"")),
        ],
        body,
    )
        .into_response()
}
