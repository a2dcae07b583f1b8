//! The shopper's own card. Only ever the caller's: there is no argument to point elsewhere.

use leptos::prelude::*;

use crate::error::AppError;
#[cfg(feature = "ssr")]
use crate::model::account::Role;
use crate::model::card::CardView;
#[cfg(feature = "ssr")]
use crate::server_fns::guard::as_role;

/// The logged-in shopper's card (401 without a session).
#[server(prefix = "/api", endpoint = "my_card")]
pub async fn my_card() -> Result<CardView, AppError> {
    as_role(Role::Shopper, |s, user| async move { s.cards.my_card(&user).await }).await
}
