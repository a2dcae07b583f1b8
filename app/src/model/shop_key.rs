//! The tills' API keys as the admin area shows them: never the key itself, except once, right
//! after it is created.

use serde::{Deserialize, Serialize};

/// One key in the list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShopKeyRow {
    pub id: String,
    pub store_id: String,
    /// The key's first characters, to tell keys apart.
    pub prefix: String,
    pub label: Option<String>,
    pub created_at: String,
    pub created_by: String,
    pub revoked_at: Option<String>,
}

/// A key just created: the only time the key is shown.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreatedShopKey {
    pub row: ShopKeyRow,
    pub key: String,
}
