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
use crate::store::StoreExt;

/// Rows of one error report at most.
const MAX_ROWS: u32 = 1_000_000;

/// A cell made safe for spreadsheets: quoted when needed, and prefixed with `'` when it starts
/// with `=`, `+`, `-`, `@`, tab, CR or NUL (formula injection).
pub fn csv_cell(raw: &str) -> String {
    crate::analytics::export::CsvStyle::default().cell(&crate::analytics::export::Cell::Text(raw.to_string()))
}

/// The handler.
pub async fn errors_csv(State(state): State<ServerState>, _admin: AdminUser, Path(batch): Path<String>) -> Response {
    let found: Option<ImportBatch> = match state.store.get_one(&batch).await {
        Ok(b) => b,
        Err(e) => return crate::error::internal(e).status_response(),
    };
    let Some(found) = found else {
        return (StatusCode::NOT_FOUND, axum::Json(json!({ "error": "no such batch" }))).into_response();
    };
    let rows: Vec<ImportRowError> = match state.store.find("batch_id", json!(batch), MAX_ROWS).await {
        Ok(r) => r,
        Err(e) => return crate::error::internal(e).status_response(),
    };
    let mut body = String::from("\u{feff}riga;colonna;valore;motivo\n");
    for r in rows {
        body.push_str(&format!(
            "{};{};{};{}\n",
            r.row,
            csv_cell(r.column.as_deref().unwrap_or("")),
            csv_cell(r.value.as_deref().unwrap_or("")),
            csv_cell(&r.reason)
        ));
    }
    let file = format!("attachment; filename=\"errori-{}.csv\"", found.file_name.replace(['"', '/', '\\'], "_"));
    ([(header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()), (header::CONTENT_DISPOSITION, file)], body)
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
