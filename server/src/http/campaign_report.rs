//! `GET /admin/campaigns/{id}/report.csv`: a campaign's report as a file — the comparisons
//! (intention to treat, then activated only) and the spend per member per day. Semicolons and
//! decimal commas, as Italian spreadsheets read them. Admins only.

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

/// The handler.
pub async fn report_csv(
    State(state): State<ServerState>,
    _admin: AdminUser,
    Path((id, file)): Path<(String, String)>,
) -> Response {
    if file != "report.csv" {
        return (StatusCode::NOT_FOUND, "no such file").into_response();
    }
    let id = id.as_str();
    match state.app.campaigns.report(id).await {
        Ok(r) => (
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
                (header::CONTENT_DISPOSITION, format!("attachment; filename=\"campaign-{id}.csv\"")),
            ],
            csv(&r),
        )
            .into_response(),
        Err(e) => e.status_response(),
    }
}
