//! Admin accounts as the super admin's user page shows them (never a password hash).

use serde::{Deserialize, Serialize};

use super::account::Role;

/// One admin account.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminRow {
    pub id: String,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub role: Role,
    pub active: bool,
}

/// A data table found with fewer rows than the store had before: imported rows are never
/// deleted, so the database was restored or changed outside the application (the watchdog).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoreAlert {
    /// The table's name (`cardholders`, `receipts`, …).
    pub table: String,
    /// Rows it had.
    pub expected: i64,
    /// Rows it has now.
    pub found: i64,
    /// The import batch whose record says `expected` (its file and end, RFC 3339), or `None`
    /// when the count is the highest this server itself has seen (kept in its data directory).
    pub batch: Option<(String, String)>,
}

/// What every admin page needs before its content: the admin, and the store's alerts.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AdminGateView {
    pub user: crate::model::account::SessionUser,
    pub alerts: Vec<StoreAlert>,
}
