//! The shopper's personal area. Every function serves only the caller's own data: none takes a
//! card number, and a receipt id is looked up only among the caller's receipts.

use leptos::prelude::*;

use crate::error::AppError;
#[cfg(feature = "ssr")]
use crate::model::account::Role;
use crate::model::analytics::ReceiptView;
use crate::model::personal::{PersonalArea, ProfileView, ReceiptPage};
#[cfg(feature = "ssr")]
use crate::server_fns::guard::{as_role, cookie_header, set_cookies};

/// Everything on `/me` (401 without a session).
#[server(prefix = "/api", endpoint = "my_area")]
pub async fn my_area() -> Result<PersonalArea, AppError> {
    as_role(Role::Shopper, |s, user| async move { s.personal.area(&user).await }).await
}

/// One page of the caller's receipts.
#[server(prefix = "/api", endpoint = "my_receipts")]
pub async fn my_receipts(page: u32) -> Result<ReceiptPage, AppError> {
    as_role(Role::Shopper, |s, user| async move { s.personal.receipts(&user, page).await }).await
}

/// One of the caller's receipts with its lines (404 for any other id).
#[server(prefix = "/api", endpoint = "my_receipt")]
pub async fn my_receipt(id: String) -> Result<ReceiptView, AppError> {
    as_role(Role::Shopper, |s, user| async move { s.personal.receipt(&user, &id).await }).await
}

/// Erases the caller's personal data (password required) and ends the session.
#[server(prefix = "/api", endpoint = "erase_my_data")]
pub async fn erase_my_data(password: String) -> Result<(), AppError> {
    as_role(Role::Shopper, |s, user| async move {
        s.personal.erase(&user, &password).await?;
        set_cookies(&s.sessions.logout(cookie_header().as_deref()).await?);
        Ok(())
    })
    .await
}

/// The caller's contact data and consent.
#[server(prefix = "/api", endpoint = "my_profile")]
pub async fn my_profile() -> Result<ProfileView, AppError> {
    as_role(Role::Shopper, |s, user| async move { s.personal.profile(&user).await }).await
}

/// Updates email, phone and the marketing and profiling consents (validated as at signup).
#[server(prefix = "/api", endpoint = "update_my_profile")]
pub async fn update_my_profile(
    email: String,
    phone: String,
    marketing_consent: Option<String>,
    profiling_consent: Option<String>,
) -> Result<ProfileView, AppError> {
    let consents = (super::checkbox(marketing_consent.as_deref()), super::checkbox(profiling_consent.as_deref()));
    as_role(Role::Shopper, |s, user| async move { s.personal.update_profile(&user, &email, &phone, consents).await })
        .await
}

/// Changes the caller's password. Every session of the account ends (one an attacker may
/// hold too); this browser gets a new one.
#[server(prefix = "/api", endpoint = "change_my_password")]
pub async fn change_my_password(
    current_password: String,
    password: String,
    password_confirm: String,
) -> Result<(), AppError> {
    as_role(Role::Shopper, |s, user| async move {
        s.personal.change_password(&user, &current_password, &password, &password_confirm).await?;
        let (_, cookies) = s.sessions.open_session(&user.id).await?;
        crate::server_fns::guard::set_cookies(&cookies);
        Ok(())
    })
    .await
}
