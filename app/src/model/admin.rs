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
