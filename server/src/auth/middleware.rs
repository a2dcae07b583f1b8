//! Per-request session handling: refuses state-changing requests from another origin, reads the
//! access cookie (refreshing from the refresh cookie when it has expired) and puts the
//! [`SessionUser`] into the request for server functions and pages.

use std::sync::Arc;

use app::model::account::SessionUser;
use axum::{
    extract::{Request, State},
    http::{header, Method, StatusCode},
    middleware::Next,
    response::{IntoResponse, Response},
    Json,
};
use serde_json::json;

use super::{cookies::cookie_value, AuthService};

/// True for a write that may not come from our own pages: its `Origin` (or, failing that,
/// `Referer`) is not the public origin (`IMAGROSS_PUBLIC_URL`, else this request's scheme and
/// `Host`), or it carries a session cookie with neither header (browsers send `Origin` on
/// every form and fetch write, so only a forgery or a stripped request lacks both).
pub fn is_cross_origin_write(req: &Request, public_origin: Option<&str>, secure: bool, has_session: bool) -> bool {
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return false;
    }
    let headers = req.headers();
    let expected = match public_origin {
        Some(origin) => Some(origin.to_string()),
        None => headers
            .get(header::HOST)
            .and_then(|v| v.to_str().ok())
            .map(|host| format!("{}://{}", if secure { "https" } else { "http" }, host.to_ascii_lowercase())),
    };
    let source = headers.get(header::ORIGIN).or_else(|| headers.get(header::REFERER)).and_then(|v| v.to_str().ok());
    match source {
        None => has_session,
        Some(url) => match (crate::config::origin_of(url), expected) {
            (Some(given), Some(expected)) => given != expected,
            // `null`, an unreadable origin, or nothing to compare it with.
            _ => true,
        },
    }
}

/// The middleware.
pub async fn session(State(auth): State<Arc<AuthService>>, mut req: Request, next: Next) -> Response {
    // The tills' API authenticates with a bearer key, never a cookie: cross-site request
    // forgery does not apply to it, and a till's web client may well run on another origin.
    let bearer_api = req.uri().path().starts_with("/api/v1/");
    let cookie_header = req.headers().get(header::COOKIE).and_then(|v| v.to_str().ok()).map(str::to_string);
    let has_session = cookie_header.as_deref().is_some_and(|h| {
        cookie_value(h, auth.cookies.access_name()).is_some() || cookie_value(h, auth.cookies.refresh_name()).is_some()
    });
    if !bearer_api && is_cross_origin_write(&req, auth.public_origin.as_deref(), auth.cookies.secure, has_session) {
        return (StatusCode::FORBIDDEN, Json(json!({ "error": "cross-origin request refused" }))).into_response();
    }
    let mut set_cookies = Vec::new();
    let mut user: Option<SessionUser> = None;
    if let Some(h) = cookie_header.as_deref() {
        user = cookie_value(h, auth.cookies.access_name()).and_then(|t| auth.verify_access(t));
        if user.is_none() {
            if let Some(raw) = cookie_value(h, auth.cookies.refresh_name()) {
                match auth.refresh(raw).await {
                    Ok(Ok((u, cookies))) => {
                        user = Some(u);
                        set_cookies = cookies;
                    }
                    Ok(Err(reason)) => {
                        tracing::info!(?reason, "refresh refused");
                        set_cookies = auth.cookies.clear_all();
                    }
                    Err(e) => tracing::warn!(error = %e, "refresh failed"),
                }
            }
        }
    }
    if let Some(u) = user {
        req.extensions_mut().insert(u);
    }
    req.extensions_mut().insert(app::ports::CheckedAccount::default());
    let mut response = next.run(req).await;
    for cookie in set_cookies {
        if let Ok(v) = header::HeaderValue::from_str(&cookie) {
            response.headers_mut().append(header::SET_COOKIE, v);
        }
    }
    response
}
