//! Signup (and later login, logout, claiming).

use leptos::prelude::*;

use crate::error::AppError;
use crate::model::account::SignupDone;

/// Path the plain (no-JavaScript) signup form returns to.
pub const SIGNUP_PAGE: &str = "/signup";

/// Creates a shopper account with a new digital card. Field names are those of the form.
/// Without JavaScript the browser is redirected back to the signup page with the outcome in
/// the query (`?card=…` or `?error=field:problem`).
#[allow(clippy::too_many_arguments)]
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
) -> Result<SignupDone, AppError> {
    use crate::model::account::SignupInput;
    use crate::ports::{app_state, is_plain_form_post, with_status};

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
    };
    let result = async { app_state()?.accounts.sign_up(input).await }.await;
    if is_plain_form_post() {
        let target = match &result {
            Ok(done) => format!("{SIGNUP_PAGE}?card={}", done.card_number),
            Err(err) => match err.problem() {
                Some((field, problem)) => format!("{SIGNUP_PAGE}?error={field}:{}", problem.code()),
                None => format!("{SIGNUP_PAGE}?error=form:{}", err.status()),
            },
        };
        leptos_axum::redirect(&target);
        return result;
    }
    with_status(result)
}

/// An HTML checkbox is present (`on`, `true`, `1`) when ticked and absent otherwise.
pub fn checkbox(value: Option<&str>) -> bool {
    matches!(value.map(str::trim), Some("on" | "true" | "1" | "yes"))
}
