//! The one way a server function reaches the services: [`as_role`] reads the caller's
//! account again from the store (401 without a session, 403 without the role or when
//! disabled), runs the closure with the state and the caller, and sets the HTTP status of a
//! failure; [`public`] does the same for functions anyone may call. The request context
//! helpers (cookies, client address, plain form posts) live here too. Server only.

use std::future::Future;

use crate::error::AppError;
use crate::model::account::{Role, SessionUser};
use crate::ports::AppState;

/// Runs `f` for a caller holding `role`; the error's status becomes the response's.
pub async fn as_role<T, Fut>(role: Role, f: impl FnOnce(AppState, SessionUser) -> Fut) -> Result<T, AppError>
where
    Fut: Future<Output = Result<T, AppError>>,
{
    let result = async {
        let state = app_state()?;
        let user = checked_user(&state, role).await?;
        f(state, user).await
    }
    .await;
    with_status(result)
}

/// The caller re-read from the store (see [`crate::ports::Sessions::require`]) at most once per
/// request: later calls in the same request check the role against that reading.
pub async fn checked_user(state: &AppState, role: Role) -> Result<SessionUser, AppError> {
    let cache = leptos::prelude::use_context::<http::request::Parts>()
        .and_then(|p| p.extensions.get::<crate::ports::CheckedAccount>().cloned());
    let cached = cache.as_ref().and_then(|c| c.0.lock().ok().and_then(|g| g.clone()));
    if let Some(user) = cached {
        return if user.role.at_least(role) { Ok(user) } else { Err(AppError::Forbidden) };
    }
    let current = current_user();
    // The lowest role first: what is cached then serves every later check of this request.
    let user = state.sessions.require(current.as_ref(), Role::Shopper).await?;
    if let Some(c) = &cache {
        if let Ok(mut slot) = c.0.lock() {
            *slot = Some(user.clone());
        }
    }
    if user.role.at_least(role) {
        Ok(user)
    } else {
        Err(AppError::Forbidden)
    }
}

/// Runs `f` for anyone; the error's status becomes the response's.
pub async fn public<T, Fut>(f: impl FnOnce(AppState) -> Fut) -> Result<T, AppError>
where
    Fut: Future<Output = Result<T, AppError>>,
{
    let result = async { f(app_state()?).await }.await;
    with_status(result)
}

/// The user of the current request, as put there by the server's session middleware.
pub fn current_user() -> Option<SessionUser> {
    leptos::prelude::use_context::<http::request::Parts>().and_then(|p| p.extensions.get::<SessionUser>().cloned())
}

/// The client's address, when the server knows it.
pub fn client_ip() -> Option<std::net::IpAddr> {
    leptos::prelude::use_context::<http::request::Parts>()
        .and_then(|p| p.extensions.get::<crate::ports::ClientAddr>().map(|c| c.0))
}

/// The request's `Cookie` header.
pub fn cookie_header() -> Option<String> {
    leptos::prelude::use_context::<http::request::Parts>()
        .and_then(|p| p.headers.get(http::header::COOKIE).and_then(|v| v.to_str().ok()).map(str::to_string))
}

/// Adds `Set-Cookie` headers to the response.
pub fn set_cookies(cookies: &[String]) {
    if let Some(response) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>() {
        for cookie in cookies {
            if let Ok(v) = http::HeaderValue::from_str(cookie) {
                response.append_header(http::header::SET_COOKIE, v);
            }
        }
    }
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
            response.set_status(
                http::StatusCode::from_u16(err.status()).unwrap_or(http::StatusCode::INTERNAL_SERVER_ERROR),
            );
            if let AppError::RateLimited { retry_after_secs } | AppError::Busy { retry_after_secs } = err {
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
        .and_then(|p| {
            p.headers.get(http::header::ACCEPT).and_then(|v| v.to_str().ok()).map(|v| v.contains("text/html"))
        })
        .unwrap_or(false)
}
