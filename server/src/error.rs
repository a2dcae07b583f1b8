//! The server's side of the one error type ([`AppError`], shared with the browser): the
//! request id every log line and every internal error carries, the conversion of unexpected
//! failures into an [`AppError::Internal`] logged once, and the JSON answer of plain axum
//! handlers. Store errors become `AppError`s through `From` (in `store`), so services use `?`.
//!
//! A leaf: imports nothing of the project.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

pub use app::error::AppError;

/// Header carrying the request id (accepted from a proxy, else generated).
pub const REQUEST_ID: &str = "x-request-id";

/// The id of the request being served, when there is one (server functions and pages).
pub fn request_id() -> String {
    leptos::prelude::use_context::<http::request::Parts>()
        .and_then(|p| p.headers.get(REQUEST_ID).and_then(|v| v.to_str().ok()).map(str::to_string))
        .unwrap_or_default()
}

/// Logs an unexpected failure once and returns the error the browser sees: only the request
/// id, never the details.
pub fn internal(err: impl std::fmt::Display) -> AppError {
    let request_id = request_id();
    tracing::error!(%request_id, error = %err, "internal error");
    AppError::Internal { request_id }
}

/// An [`AppError`] as the JSON answer of a plain axum handler, with its status.
pub trait StatusResponse {
    /// The response.
    fn status_response(self) -> Response;
}

impl StatusResponse for AppError {
    fn status_response(self) -> Response {
        let status = StatusCode::from_u16(self.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        (status, axum::Json(serde_json::json!({ "error": self.to_string() }))).into_response()
    }
}
