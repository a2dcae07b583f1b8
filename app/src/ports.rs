//! The server's side of the server functions: traits the `imagross` binary implements and the
//! one [`AppState`] that holds them, provided as Leptos context to every server function.

use std::sync::Arc;

use async_trait::async_trait;

use crate::error::AppError;
use crate::model::account::{SignupDone, SignupInput};
use crate::model::shop::ShopOption;

/// Readiness of the in-memory caches, shared by `/readyz` and the pages.
pub trait Readiness: Send + Sync {
    /// True once the background warm-up has finished.
    fn is_warm(&self) -> bool;
}

/// Accounts: signup (and, later, login, claiming, roles).
#[async_trait]
pub trait Accounts: Send + Sync {
    /// Validates the form, issues a digital card and creates the shopper's account.
    async fn sign_up(&self, input: SignupInput) -> Result<SignupDone, AppError>;
}

/// Reference data for forms.
#[async_trait]
pub trait Catalog: Send + Sync {
    /// The chain's stores, by name.
    async fn shops(&self) -> Result<Vec<ShopOption>, AppError>;
}

/// Everything a server function may reach.
#[derive(Clone)]
pub struct AppState {
    /// Cache warm-up state.
    pub readiness: Arc<dyn Readiness>,
    /// Account services.
    pub accounts: Arc<dyn Accounts>,
    /// Reference data.
    pub catalog: Arc<dyn Catalog>,
}

/// The state provided to server functions.
pub fn app_state() -> Result<AppState, AppError> {
    leptos::prelude::use_context::<AppState>().ok_or(AppError::Unavailable)
}

/// Sets the HTTP status of a failed server function from its error, so clients and tests see
/// 400/401/403/409/429 rather than a generic 500.
pub fn with_status<T>(result: Result<T, AppError>) -> Result<T, AppError> {
    if let Err(err) = &result {
        if let Some(response) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>() {
            response.set_status(http::StatusCode::from_u16(err.status()).unwrap_or(http::StatusCode::INTERNAL_SERVER_ERROR));
            if let AppError::RateLimited { retry_after_secs } = err {
                if let Ok(v) = http::HeaderValue::from_str(&retry_after_secs.to_string()) {
                    response.insert_header(http::header::RETRY_AFTER, v);
                }
            }
        }
    }
    result
}

/// True when the request is a plain HTML form post (no JavaScript ran), so the answer must be
/// a redirect to a page rather than data.
pub fn is_plain_form_post() -> bool {
    leptos::prelude::use_context::<http::request::Parts>()
        .and_then(|p| p.headers.get(http::header::ACCEPT).and_then(|v| v.to_str().ok()).map(|v| v.contains("text/html")))
        .unwrap_or(false)
}
