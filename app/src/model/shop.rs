//! Stores as offered in forms.

use serde::{Deserialize, Serialize};

/// A store to choose from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShopOption {
    pub id: String,
    pub name: String,
}
