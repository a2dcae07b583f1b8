//! Import jobs and batches as the admin import page shows them.

use serde::{Deserialize, Serialize};

/// A running or finished upload import.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportJobView {
    pub job_id: String,
    /// Waiting for another import to finish (one runs at a time).
    #[serde(default)]
    pub queued: bool,
    pub file_name: String,
    pub rows_read: u64,
    pub done: bool,
    /// Set when done.
    pub batch: Option<BatchRow>,
    /// Why the file could not be imported at all.
    pub failure: Option<String>,
}

/// One recorded import batch.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchRow {
    pub id: String,
    pub kind: String,
    pub file_name: String,
    pub status: String,
    pub rows_read: i64,
    pub inserted: i64,
    pub updated: i64,
    pub unchanged: i64,
    pub rejected: i64,
    pub started_at: String,
    pub finished_at: Option<String>,
    pub run_by: String,
}
