//! Signup, login, logout and "who am I".

// The signup form has ten fields, one argument each (the server function's wire format).
#![allow(clippy::too_many_arguments)]

use leptos::prelude::*;

use crate::error::AppError;
use crate::model::account::{SessionUser, SignupDone};
#[cfg(feature = "ssr")]
use crate::model::{account::landing, analytics::encode_query_value};

/// Path the plain (no-JavaScript) signup form returns to.
pub const SIGNUP_PAGE: &str = "/signup";
/// Path the plain login form returns to on failure.
pub const LOGIN_PAGE: &str = "/login";
/// Where a shopper lands after claiming a card: the card just activated.
pub const AFTER_CLAIM: &str = "/me/card";

/// Creates a shopper account with a new digital card. Field names are those of the form.
/// Without JavaScript the browser is redirected back to the signup page with the outcome in
/// the query (`?card=…` or `?error=field:problem`).
#[server(prefix = "/api", endpoint = "signup")]
pub async fn signup(
    first_name: String,
    last_name: String,
    email: String,
    phone: String,
    birth_date: String,
    store_id: Option<String>,
    password: String,
    password_confirm: String,
    privacy_consent: Option<String>,
    marketing_consent: Option<String>,
    profiling_consent: Option<String>,
) -> Result<SignupDone, AppError> {
    use super::checkbox;
    use crate::model::account::SignupInput;
    use crate::server_fns::guard::{is_plain_form_post, public, set_cookies};

    let input = SignupInput {
        first_name,
        last_name,
        email,
        phone,
        birth_date,
        store_id,
        password,
        password_confirm,
        privacy_consent: checkbox(privacy_consent.as_deref()),
        marketing_consent: checkbox(marketing_consent.as_deref()),
        profiling_consent: checkbox(profiling_consent.as_deref()),
    };
    let result = public(|s| async move {
        let done = s.accounts.sign_up(input, crate::server_fns::guard::client_ip()).await?;
        // The new shopper is logged in at once.
        let (_, cookies) = s.sessions.open_session(&done.account_id).await?;
        set_cookies(&cookies);
        Ok(done)
    })
    .await;
    if is_plain_form_post() {
        let target = match &result {
            Ok(done) => format!("{SIGNUP_PAGE}?card={}", done.card_number),
            Err(err) => match err.problem() {
                Some((field, problem)) => format!("{SIGNUP_PAGE}?error={field}:{}", problem.code()),
                None => format!("{SIGNUP_PAGE}?error=form:{}", err.status()),
            },
        };
        leptos_axum::redirect(&target);
    }
    result
}

/// Logs in with a card number, email or phone (`identifier`) and a password. Sets the session
/// cookies. Without JavaScript the browser goes on to the user's landing page (see
/// [`landing`]: `next` when the role may open it, else the dashboard or `/me`), or back to
/// the login page.
#[server(prefix = "/api", endpoint = "login")]
pub async fn login(identifier: String, password: String, next: Option<String>) -> Result<SessionUser, AppError> {
    use crate::server_fns::guard::{client_ip, is_plain_form_post, public, set_cookies};

    let result = public(|s| async move {
        let (user, cookies) = s.sessions.login(&identifier, &password, client_ip()).await?;
        set_cookies(&cookies);
        Ok(user)
    })
    .await;
    if is_plain_form_post() {
        let target = match &result {
            Ok(user) => landing(user.role, next.as_deref()),
            Err(err) => match next.as_deref().filter(|n| !n.is_empty()) {
                Some(n) => format!("{LOGIN_PAGE}?error={}&next={}", err.status(), encode_query_value(n)),
                None => format!("{LOGIN_PAGE}?error={}", err.status()),
            },
        };
        leptos_axum::redirect(&target);
    }
    result
}

/// Path the plain claim form returns to on failure.
pub const CLAIM_PAGE: &str = "/claim";

/// Activates a plastic card online (see [`crate::ports::Sessions::claim`]). Without JavaScript
/// the browser goes on to the card page, or back to the claim page with the error.
#[server(prefix = "/api", endpoint = "claim")]
pub async fn claim(
    card_number: String,
    proof: String,
    #[server(default)] phone_last4: String,
    password: String,
    password_confirm: String,
) -> Result<SessionUser, AppError> {
    use crate::server_fns::guard::{client_ip, is_plain_form_post, public, set_cookies};

    let result = public(|s| async move {
        let (user, cookies) =
            s.sessions.claim(&card_number, &proof, &phone_last4, &password, &password_confirm, client_ip()).await?;
        set_cookies(&cookies);
        Ok(user)
    })
    .await;
    if is_plain_form_post() {
        let target = match &result {
            Ok(_) => AFTER_CLAIM.to_string(),
            Err(err) => match err.problem() {
                Some((field, problem)) => format!("{CLAIM_PAGE}?error={field}:{}", problem.code()),
                None => format!("{CLAIM_PAGE}?error=form:{}", err.status()),
            },
        };
        leptos_axum::redirect(&target);
    }
    result
}

/// Ends the session: revokes the refresh token and clears the cookies.
#[server(prefix = "/api", endpoint = "logout")]
pub async fn logout() -> Result<(), AppError> {
    use crate::server_fns::guard::{cookie_header, is_plain_form_post, public, set_cookies};

    let result = public(|s| async move {
        set_cookies(&s.sessions.logout(cookie_header().as_deref()).await?);
        Ok(())
    })
    .await;
    if is_plain_form_post() {
        leptos_axum::redirect("/");
    }
    result
}

/// The logged-in user, if any: a session ended by a password, role or status change, or a
/// closed account, is nobody.
#[server(prefix = "/api", endpoint = "me")]
pub async fn me() -> Result<Option<SessionUser>, AppError> {
    use crate::model::account::Role;
    use crate::server_fns::guard::{checked_user, current_user, public};

    public(|s| async move {
        if current_user().is_none() {
            return Ok(None);
        }
        match checked_user(&s, Role::Shopper).await {
            Ok(user) => Ok(Some(user)),
            Err(AppError::Unauthorized | AppError::Forbidden) => Ok(None),
            Err(e) => Err(e),
        }
    })
    .await
}
