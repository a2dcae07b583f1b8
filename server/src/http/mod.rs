//! The HTTP surface: health probes, the Leptos pages and server functions, static files, and
//! the middleware every request passes (request id, tracing).

pub mod caller;
pub mod campaign_report;
pub mod client_addr;
pub mod export;
mod headers;
mod health;
pub mod import_errors;
pub mod import_upload;
pub mod metrics;
pub mod my_data;

use std::sync::Arc;

use app::ports::AppState;
use axum::{routing::get, Router};
use http::{HeaderName, Request};
use leptos::prelude::*;
use leptos_axum::{generate_route_list, LeptosRoutes};
use tower::ServiceBuilder;
use tower_http::{
    request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer},
    trace::{DefaultOnResponse, TraceLayer},
};

use crate::analytics::Projection;
use crate::auth::{middleware::session, AuthService};
use crate::import::jobs::ImportService;
use crate::points::PointsService;
use crate::store::Store;

pub use crate::error::REQUEST_ID;

/// What the HTTP handlers share.
#[derive(Clone)]
pub struct ServerState {
    pub leptos_options: LeptosOptions,
    /// This replica's leases on work that runs once among replicas.
    pub leases: Arc<crate::lease::Leases>,
    /// The watchdog for data that went back in time.
    pub watchdog: Arc<crate::watchdog::Watchdog>,
    pub store: Arc<dyn Store>,
    pub projection: Arc<Projection>,
    pub auth: Arc<AuthService>,
    pub imports: Arc<ImportService>,
    pub points: Arc<PointsService>,
    /// Where uploads are streamed before import.
    pub upload_dir: std::path::PathBuf,
    /// Largest accepted upload in bytes.
    pub upload_limit: usize,
    /// The tills' receipts API (one per process: its per-key limits are shared).
    pub till: crate::till_api::service::ReceiptsApi,
    /// Limits and policies against abuse.
    pub protection: Arc<crate::config::Protection>,
    pub app: AppState,
}

impl axum::extract::FromRef<ServerState> for LeptosOptions {
    fn from_ref(state: &ServerState) -> Self {
        state.leptos_options.clone()
    }
}

/// Where admin uploads are streamed before import, and how large they may be.
#[derive(Clone, Debug)]
pub struct Uploads {
    pub dir: std::path::PathBuf,
    pub limit: usize,
}

impl Default for Uploads {
    fn default() -> Self {
        Uploads { dir: std::env::temp_dir().join("imagross-uploads"), limit: import_upload::DEFAULT_UPLOAD_LIMIT }
    }
}

/// The whole application router.
pub fn router(state: ServerState) -> Router {
    // The route list is computed once per process: generating it renders the app in a special
    // mode, and several of those at once (tests build many routers concurrently) can hang.
    static ROUTES: std::sync::OnceLock<Vec<leptos_axum::AxumRouteListing>> = std::sync::OnceLock::new();
    let routes = ROUTES.get_or_init(|| generate_route_list(app::App)).clone();
    let app_state = state.app.clone();
    let options = state.leptos_options.clone();
    let request_id = HeaderName::from_static(REQUEST_ID);
    // The probes sit outside the request log: a Kubernetes probe every few seconds would flood
    // it, and a 503 while warming up is not an error. They log at DEBUG themselves.
    let probes = Router::new()
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .layer(
            ServiceBuilder::new()
                .layer(SetRequestIdLayer::new(request_id.clone(), MakeRequestUuid))
                .layer(PropagateRequestIdLayer::new(request_id.clone())),
        )
        .with_state(state.clone());
    let app = Router::new()
        .route("/admin/import/{batch}/errors.csv", get(import_errors::errors_csv))
        .route("/admin/export/{file}", get(export::export_file))
        .route("/admin/campaigns/{id}/{file}", get(campaign_report::report_csv))
        .route("/me/data.json", get(my_data::my_data_json))
        .route("/me/data.csv", get(my_data::my_data_csv))
        .nest(crate::till_api::BASE, crate::till_api::router(state.till.clone()))
        .route(
            "/admin/import/upload",
            axum::routing::post(import_upload::upload).layer(axum::extract::DefaultBodyLimit::max(state.upload_limit)),
        )
        .leptos_routes_with_context(
            &state,
            routes,
            move || provide_context(app_state.clone()),
            move || app::shell(options.clone()),
        )
        .route_layer(axum::middleware::from_fn(self::metrics::track))
        .fallback(leptos_axum::file_and_error_handler::<ServerState, _>(app::shell))
        .layer(axum::middleware::from_fn_with_state(state.auth.clone(), session))
        .layer(axum::middleware::from_fn_with_state(
            Arc::new(state.protection.trusted_proxies.clone()),
            client_addr::client_addr,
        ))
        .layer(axum::middleware::from_fn_with_state(
            Arc::new(headers::HeaderPolicy { https: state.auth.cookies.secure }),
            headers::security_headers,
        ))
        .layer(
            ServiceBuilder::new()
                .layer(SetRequestIdLayer::new(request_id.clone(), MakeRequestUuid))
                .layer(
                    TraceLayer::new_for_http()
                        .make_span_with(|req: &Request<_>| {
                            let id = req.headers().get(REQUEST_ID).and_then(|v| v.to_str().ok()).unwrap_or("-");
                            let uri = crate::telemetry::redacted_uri(req.uri());
                            tracing::info_span!("request", method = %req.method(), uri = %uri, request_id = %id)
                        })
                        .on_response(DefaultOnResponse::new().level(tracing::Level::INFO))
                        .on_failure(log_failure),
                )
                .layer(PropagateRequestIdLayer::new(request_id)),
        )
        .with_state(state);
    probes.merge(app)
}

/// A failed request: an error, except 503 (warming up, or a dependency briefly away), which is
/// a warning: the client is told to retry and nothing is broken.
fn log_failure(
    class: tower_http::classify::ServerErrorsFailureClass,
    latency: std::time::Duration,
    _span: &tracing::Span,
) {
    use tower_http::classify::ServerErrorsFailureClass::StatusCode as Status;
    let latency_ms = latency.as_millis() as u64;
    match class {
        Status(code) if code.as_u16() == 503 => tracing::warn!(%code, latency_ms, "service unavailable"),
        class => tracing::error!(%class, latency_ms, "request failed"),
    }
}
