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

/// True for a write whose `Origin` (or, failing that, `Referer`) names another host than the
/// request's `Host`. Requests with neither header (non-browser clients) pass.
pub fn is_cross_origin_write(req: &Request) -> bool {
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return false;
    }
    let headers = req.headers();
    let Some(host) = headers.get(header::HOST).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let source = headers.get(header::ORIGIN).or_else(|| headers.get(header::REFERER)).and_then(|v| v.to_str().ok());
    match source {
        None => false,
        Some("null") => true,
        Some(url) => {
            let authority = url.split_once("://").map(|(_, rest)| rest).unwrap_or(url);
            let authority = authority.split(['/', '?', '#']).next().unwrap_or_default();
            !authority.eq_ignore_ascii_case(host)
        }
    }
}

/// The middleware.
pub async fn session(State(auth): State<Arc<AuthService>>, mut req: Request, next: Next) -> Response {
    // The tills' API authenticates with a bearer key, never a cookie: cross-site request
    // forgery does not apply to it, and a till's web client may well run on another origin.
    let bearer_api = req.uri().path().starts_with("/api/v1/");
    if !bearer_api && is_cross_origin_write(&req) {
        return (StatusCode::FORBIDDEN, Json(json!({ "error": "cross-origin request refused" }))).into_response();
    }
    let cookie_header = req.headers().get(header::COOKIE).and_then(|v| v.to_str().ok()).map(str::to_string);
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
    let mut response = next.run(req).await;
    for cookie in set_cookies {
        if let Ok(v) = header::HeaderValue::from_str(&cookie) {
            response.headers_mut().append(header::SET_COOKIE, v);
        }
    }
    response
}
