//! Data import of the chain's exports: cardholders ("Fidelity"), receipts ("Scontrini") and
//! sales lines ("Vendite"). This module holds the pure parts — header synonyms and cell values;
//! the streaming pipeline and batches build on them.

pub mod headers;
pub mod jobs;
pub mod pipeline;
mod prepared;
pub mod records;
pub mod retention;
mod seen;
pub mod source;
pub mod values;

/// An uploaded file, deleted with its private directory when dropped — on every way out of
/// the import task, a panic included.
pub struct UploadedFile(pub std::path::PathBuf);

impl Drop for UploadedFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
        if let Some(dir) = self.0.parent() {
            let _ = std::fs::remove_dir(dir);
        }
    }
}
