//! Reference data for forms.

use leptos::prelude::*;

use crate::error::AppError;
use crate::model::shop::ShopOption;
#[cfg(feature = "ssr")]
use crate::server_fns::guard::public;

/// The chain's shops, for the "preferred shop" choice.
#[server(prefix = "/api", endpoint = "shops")]
pub async fn list_shops() -> Result<Vec<ShopOption>, AppError> {
    public(|s| async move { s.catalog.shops().await }).await
}
