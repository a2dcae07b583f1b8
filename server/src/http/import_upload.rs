//! `POST /admin/import/upload`: an admin uploads a file (multipart, streamed to disk, size
//! limited), chooses the kind or lets it be detected, and is sent to the import page, which
//! follows the job's progress. A plain HTML form: no JavaScript needed.

use axum::{
    extract::{Multipart, State},
    http::header,
    response::{IntoResponse, Redirect, Response},
};
use tokio::io::AsyncWriteExt;

use super::caller::AdminUser;
use super::ServerState;
use crate::import::headers::Kind;
use crate::import::pipeline::ImportOptions;

/// Default upload limit in bytes (`IMAGROSS_UPLOAD_LIMIT_MB` overrides it).
pub const DEFAULT_UPLOAD_LIMIT: usize = 2 << 30;

fn page_error(message: &str) -> Response {
    Redirect::to(&format!("/admin/import?error={}", message.replace(' ', "+"))).into_response()
}

/// Creates `dir` (and its parents) readable by this user only.
fn private_dir(dir: &std::path::Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)
}

/// Creates a new file readable by this user only (0600).
async fn private_file(path: &std::path::Path) -> std::io::Result<tokio::fs::File> {
    let mut options = tokio::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    options.mode(0o600);
    options.open(path).await
}

/// The handler.
pub async fn upload(State(state): State<ServerState>, AdminUser(admin): AdminUser, mut form: Multipart) -> Response {
    let mut kind: Option<Kind> = None;
    let mut saved: Option<(crate::import::UploadedFile, String)> = None;
    loop {
        let field = match form.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) => return page_error(&format!("upload failed: {}", e.body_text())),
        };
        match field.name() {
            Some("kind") => {
                let value = field.text().await.unwrap_or_default();
                kind = Kind::parse(&value);
            }
            Some("file") => {
                let name = field.file_name().unwrap_or("upload").replace(['/', '\\'], "_");
                // One directory per upload keeps the original file name for the batch record.
                let dir = state.upload_dir.join(uuid::Uuid::new_v4().to_string());
                if let Err(e) = private_dir(&dir) {
                    tracing::error!(error = %e, "cannot create the upload directory");
                    return page_error("the server cannot store uploads");
                }
                let path = dir.join(&name);
                // From here the file goes on every way out: an error, a client that goes away
                // mid-upload (this handler is dropped), or the end of its import.
                let guard = crate::import::UploadedFile(path.clone());
                let mut file = match private_file(&path).await {
                    Ok(f) => f,
                    Err(_) => return page_error("the server cannot store uploads"),
                };
                let mut field = field;
                loop {
                    match field.chunk().await {
                        Ok(Some(bytes)) => {
                            if file.write_all(&bytes).await.is_err() {
                                return page_error("the server cannot store uploads");
                            }
                        }
                        Ok(None) => break,
                        Err(e) => return page_error(&format!("upload failed: {}", e.body_text())),
                    }
                }
                let _ = file.flush().await;
                saved = Some((guard, name));
            }
            _ => {}
        }
    }
    let Some((file, name)) = saved else { return page_error("choose a file") };
    let options = ImportOptions { kind, run_by: admin.id.clone(), sheet: None };
    let job = state.imports.start(file, name, options);
    ([(header::CACHE_CONTROL, "no-store")], Redirect::to(&format!("/admin/import?job={job}"))).into_response()
}
