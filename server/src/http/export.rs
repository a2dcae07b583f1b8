//! `GET /admin/export/{kind}.{csv|xlsx}?<dashboard filters>[&sep=comma]`: what the admin is
//! looking at, as a file. CSV streams from a blocking thread in 64 KiB chunks; XLSX is written
//! to a temporary file first (the format needs it) and then sent. Admins only.

use app::model::analytics::CustomerQuery;
use axum::body::Body;
use axum::extract::{Path, RawQuery, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::caller::AdminUser;
use super::ServerState;
use crate::analytics::export::{self, CsvStyle, ExportKind, Format};
use crate::error::{AppError, StatusResponse};

const CHUNK: usize = 64 * 1024;

fn bad(param: &str, message: impl std::fmt::Display) -> Response {
    (StatusCode::BAD_REQUEST, axum::Json(json!({ "error": format!("{param}: {message}"), "field": param })))
        .into_response()
}

/// A `Write` that sends full chunks down a channel.
struct ChunkWriter {
    buf: Vec<u8>,
    tx: tokio::sync::mpsc::Sender<Result<Vec<u8>, std::io::Error>>,
}

impl std::io::Write for ChunkWriter {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        self.buf.extend_from_slice(data);
        if self.buf.len() >= CHUNK {
            self.flush()?;
        }
        Ok(data.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        if self.buf.is_empty() {
            return Ok(());
        }
        let chunk = std::mem::replace(&mut self.buf, Vec::with_capacity(CHUNK));
        self.tx.blocking_send(Ok(chunk)).map_err(|_| std::io::Error::other("client went away"))
    }
}

/// The handler.
pub async fn export_file(
    State(state): State<ServerState>,
    _admin: AdminUser,
    Path(file): Path<String>,
    RawQuery(query): RawQuery,
) -> Response {
    let Some((kind, format)) = file.rsplit_once('.') else {
        return bad("file", format!("`{file}` needs an extension (.csv or .xlsx)"));
    };
    let Some(kind) = ExportKind::from_code(kind) else {
        return bad("kind", format!("`{kind}` is not an export"));
    };
    let Some(format) = Format::from_code(format) else {
        return bad("format", format!("`{format}` is not csv or xlsx"));
    };
    let pairs = app::model::analytics::query::query_pairs(query.as_deref().unwrap_or(""));
    let pair_refs = || pairs.iter().map(|(k, v)| (k.as_str(), v.as_str()));
    let query = match CustomerQuery::from_pairs(pair_refs()) {
        Ok(q) => q,
        Err(e) => return AppError::from(e).status_response(),
    };
    let sep = pair_refs().find(|(k, _)| *k == "sep").map(|(_, v)| v);
    let Some(style) = CsvStyle::from_code(sep) else {
        return bad("sep", "use comma or semicolon");
    };
    let Some(snap) = state.projection.snapshot() else {
        return app::error::AppError::Unavailable.status_response();
    };
    // Fail fast on bad dates before any byte is sent.
    if let Err(e) = snap.select(&query.filters) {
        return AppError::from(e).status_response();
    }
    // The points book as the dashboard shows it (a copy, for the writing thread).
    let book = if matches!(kind, ExportKind::PointsMonths | ExportKind::RewardVouchers | ExportKind::Vouchers) {
        state.points.book()
    } else {
        Default::default()
    };
    let name = format!("imagross-{}.{}", kind.code(), format.extension());
    let headers = [
        (header::CONTENT_TYPE, format.content_type().to_string()),
        (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\"")),
        (header::CACHE_CONTROL, "no-store".to_string()),
    ];
    match format {
        Format::Csv => {
            let (tx, mut rx) = tokio::sync::mpsc::channel(8);
            tokio::task::spawn_blocking(move || {
                let mut w = ChunkWriter { buf: Vec::with_capacity(CHUNK), tx: tx.clone() };
                let result = export::write_csv(&snap, &book, kind, &query, style, &mut w).map_err(|e| e.to_string());
                let result = result.and_then(|_| std::io::Write::flush(&mut w).map_err(|e| e.to_string()));
                if let Err(e) = result {
                    tracing::warn!(error = %e, "export stopped");
                    let _ = tx.blocking_send(Err(std::io::Error::other(e)));
                }
            });
            let stream = futures::stream::poll_fn(move |cx| rx.poll_recv(cx));
            (headers, Body::from_stream(stream)).into_response()
        }
        Format::Xlsx => {
            let dir = match private_dir() {
                Ok(d) => d,
                Err(e) => return crate::error::internal(e).status_response(),
            };
            let path = dir.join(format!("{}.xlsx", uuid::Uuid::new_v4()));
            // Removed when the last holder lets go: this handler (also when the client goes
            // away and the handler is dropped) or the writing thread, whichever ends later.
            let file = std::sync::Arc::new(TempFile(path.clone()));
            let (p, writer_holds) = (path.clone(), file.clone());
            let written = tokio::task::spawn_blocking(move || {
                let _held = writer_holds;
                export::write_xlsx(&snap, &book, kind, &query, &p)
            })
            .await;
            let result = match written {
                Ok(Ok(_)) => tokio::fs::read(&path).await.map_err(|e| e.to_string()),
                Ok(Err(export::ExportError::TooManyRowsForXlsx)) => {
                    return bad("format", export::ExportError::TooManyRowsForXlsx);
                }
                Ok(Err(e)) => Err(e.to_string()),
                Err(e) => Err(e.to_string()),
            };
            drop(file);
            match result {
                Ok(bytes) => (headers, bytes).into_response(),
                Err(e) => crate::error::internal(e).status_response(),
            }
        }
    }
}

/// An export file, removed when dropped (its directory stays: it is shared).
struct TempFile(std::path::PathBuf);

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// This process's private directory for export files (mode 0700, a fresh name per process).
fn private_dir() -> std::io::Result<std::path::PathBuf> {
    static DIR: std::sync::OnceLock<tempfile::TempDir> = std::sync::OnceLock::new();
    if let Some(d) = DIR.get() {
        return Ok(d.path().to_path_buf());
    }
    let made = tempfile::Builder::new().prefix("imagross-exports-").tempdir()?;
    Ok(DIR.get_or_init(|| made).path().to_path_buf())
}
