//! Reference data for forms.

use leptos::prelude::*;

use crate::error::AppError;
use crate::model::shop::ShopOption;

/// The chain's stores, for the "preferred store" choice.
#[server(prefix = "/api", endpoint = "shops")]
pub async fn list_shops() -> Result<Vec<ShopOption>, AppError> {
    use crate::ports::{app_state, with_status};
    with_status(async { app_state()?.catalog.shops().await }.await)
}
