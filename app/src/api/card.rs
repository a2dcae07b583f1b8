//! The shopper's own card. Only ever the caller's: there is no argument to point elsewhere.

use leptos::prelude::*;

use crate::error::AppError;
use crate::model::card::CardView;

/// The logged-in shopper's card (401 without a session).
#[server(prefix = "/api", endpoint = "my_card")]
pub async fn my_card() -> Result<CardView, AppError> {
    use crate::model::account::Role;
    use crate::ports::{app_state, current_user, with_status};
    with_status(
        async {
            let state = app_state()?;
            let user = state.sessions.require(current_user().as_ref(), Role::Shopper).await?;
            state.cards.my_card(&user).await
        }
        .await,
    )
}
