//! `GET /admin/import/{batch}/errors.csv`: a batch's rejected rows as CSV (UTF-8 with BOM, `;`,
//! for Italian Excel), admins only. Cells that a spreadsheet would run as a formula are
//! neutralised.

use axum::{
    extract::{Path, State},
    http::{header, StatusCode},
    response::{IntoResponse, Response},
};
use serde_json::json;

use super::caller::AdminUser;
use super::ServerState;
use crate::error::StatusResponse;
use crate::store::model::{ImportBatch, ImportRowError};
use crate::store::{from_doc, StoreExt, Table};

/// Rows read from the store per chunk of the download.
const PAGE: u32 = 2000;

/// A cell made safe for spreadsheets: quoted when needed, and prefixed with `'` when it starts
/// with `=`, `+`, `-`, `@`, tab, CR or NUL (formula injection).
pub fn csv_cell(raw: &str) -> String {
    crate::analytics::export::CsvStyle::default().cell(&crate::analytics::export::Cell::Text(raw.to_string()))
}

fn csv_line(r: &ImportRowError) -> String {
    format!(
        "{};{};{};{}\n",
        r.row,
        csv_cell(r.column.as_deref().unwrap_or("")),
        csv_cell(r.value.as_deref().unwrap_or("")),
        csv_cell(&r.reason)
    )
}

/// The handler: streams the report page by page (memory stays flat however many rows); a
/// batch past the retention period answers 410, its rows having been deleted.
pub async fn errors_csv(State(state): State<ServerState>, _admin: AdminUser, Path(batch): Path<String>) -> Response {
    let found: Option<ImportBatch> = match state.store.get_one(&batch).await {
        Ok(b) => b,
        Err(e) => return crate::error::internal(e).status_response(),
    };
    let Some(found) = found else {
        return (StatusCode::NOT_FOUND, axum::Json(json!({ "error": "no such batch" }))).into_response();
    };
    let retention = state.protection.import_error_retention_days;
    if crate::import::retention::expired(&found, retention) {
        let message = format!("rejected rows are kept {retention} days; this batch's were deleted");
        return (StatusCode::GONE, axum::Json(json!({ "error": message }))).into_response();
    }
    let store = state.store.clone();
    // (next page after this id, finished)
    let pages = futures::stream::unfold((Some(String::new()), batch), move |(after, batch)| {
        let store = store.clone();
        async move {
            let after = after?;
            let from = (!after.is_empty()).then_some(after.as_str());
            let page = store.find_after(Table::ImportErrors, "batch_id", &json!(batch), from, PAGE).await;
            match page {
                Err(e) => {
                    tracing::error!(error = %e, "error report download failed");
                    Some((Err(std::io::Error::other("store")), (None, batch)))
                }
                Ok(docs) => {
                    let next = (docs.len() == PAGE as usize)
                        .then(|| docs.last().and_then(|d| d.get("id")).and_then(|v| v.as_str()).map(str::to_string))
                        .flatten();
                    let mut chunk = if from.is_none() {
                        String::from("\u{feff}riga;colonna;valore;motivo\n")
                    } else {
                        String::new()
                    };
                    for doc in docs {
                        if let Ok(row) = from_doc::<ImportRowError>(doc) {
                            chunk.push_str(&csv_line(&row));
                        }
                    }
                    Some((Ok::<_, std::io::Error>(chunk), (next, batch)))
                }
            }
        }
    });
    let file = format!("attachment; filename=\"errori-{}.csv\"", found.file_name.replace(['"', '/', '\\'], "_"));
    (
        [(header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()), (header::CONTENT_DISPOSITION, file)],
        axum::body::Body::from_stream(pages),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::csv_cell;

    #[test]
    fn formulas_are_neutralised_and_separators_quoted() {
        assert_eq!(csv_cell("=SUM(A1)"), "'=SUM(A1)");
        assert_eq!(csv_cell("+39 333"), "'+39 333");
        assert_eq!(csv_cell("-2"), "'-2");
        assert_eq!(csv_cell("@cmd"), "'@cmd");
        assert_eq!(csv_cell("a;b"), "\"a;b\"");
        assert_eq!(csv_cell("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_cell("12,50"), "12,50");
    }
}
