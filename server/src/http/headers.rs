//! Security headers on every response: no sniffing, no framing, no referrer leaving the site,
//! HSTS when cookies are secure (served over HTTPS), a locked-down Content-Security-Policy for
//! anything that is not a page (pages set their own, with the script nonce, in the app shell),
//! and `Cache-Control: no-store` on everything but the public static files — pages, server
//! function answers and downloads may hold personal data and must not sit in shared caches.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use http::{header, HeaderValue};

/// How the headers are set.
#[derive(Clone, Copy, Debug)]
pub struct HeaderPolicy {
    /// Served over HTTPS (secure cookies): add HSTS.
    pub https: bool,
}

/// True for the public static files (the wasm bundle, styles, scripts, icons): the only
/// responses a cache may keep.
fn is_public_asset(path: &str) -> bool {
    if path.starts_with("/pkg/") {
        return true;
    }
    let top_level = path.matches('/').count() == 1;
    let public_ext = [".js", ".css", ".svg", ".ico", ".png", ".txt", ".wasm"].iter().any(|e| path.ends_with(e));
    top_level && public_ext
}

/// The middleware.
pub async fn security_headers(State(policy): State<Arc<HeaderPolicy>>, req: Request, next: Next) -> Response {
    let public = is_public_asset(req.uri().path());
    let mut response = next.run(req).await;
    let h = response.headers_mut();
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    if policy.https {
        h.insert(header::STRICT_TRANSPORT_SECURITY, HeaderValue::from_static("max-age=31536000; includeSubDomains"));
    }
    if !h.contains_key(header::CONTENT_SECURITY_POLICY) {
        h.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("default-src 'none'; frame-ancestors 'none'; base-uri 'none'"),
        );
    }
    if !public {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_static_files_are_public() {
        for p in ["/pkg/imagross.wasm", "/echarts.min.js", "/favicon.svg", "/pkg/imagross.css"] {
            assert!(is_public_asset(p), "{p}");
        }
        for p in ["/me", "/me/data.json", "/me/data.csv", "/admin/import/b1/errors.csv", "/api/me", "/"] {
            assert!(!is_public_asset(p), "{p}");
        }
    }
}
