//! `GET /me/data.json` and `GET /me/data.csv`: everything the platform holds about the caller
//! (account without the password hash, card record, receipts with lines, points), as a download.

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};

use super::caller::Shopper;
use super::ServerState;
use crate::error::StatusResponse;

/// `GET /me/data.json`.
pub async fn my_data_json(state: State<ServerState>, shopper: Shopper) -> Response {
    my_data(state, shopper, "data.json").await
}

/// `GET /me/data.csv`.
pub async fn my_data_csv(state: State<ServerState>, shopper: Shopper) -> Response {
    my_data(state, shopper, "data.csv").await
}

async fn my_data(State(state): State<ServerState>, Shopper(user): Shopper, file: &str) -> Response {
    let snap = state.projection.snapshot();
    let base = snap.as_ref().map(|s| &s.data);
    // Receipts received live since the last projection build are part of the download too.
    let live = user.card_number.as_deref().and_then(|card| state.projection.live.card_dataset(base, card));
    let data = match crate::personal::privacy::my_data(state.store.as_ref(), live.as_ref().or(base), &user).await {
        Ok(d) => d,
        Err(e) => return e.status_response(),
    };
    let (body, kind) = match file {
        "data.json" => (serde_json::to_string_pretty(&data).unwrap_or_default(), "application/json"),
        "data.csv" => (crate::personal::privacy::my_data_csv(&data), "text/csv; charset=utf-8"),
        _ => return app::error::AppError::NotFound.status_response(),
    };
    let disposition = format!("attachment; filename=\"imagross-{file}\"");
    (
        [
            (header::CONTENT_TYPE, kind.to_string()),
            (header::CONTENT_DISPOSITION, disposition),
            (header::CACHE_CONTROL, "no-store".to_string()),
        ],
        body,
    )
        .into_response()
}
