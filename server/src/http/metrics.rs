//! Prometheus metrics. The modules record through the `metrics` facade (a counter or a
//! histogram where the thing happens: imports, builds, the feed, the ledger sync, leases, the
//! login limits, the watchdog); this module counts and times every routed request by route
//! template (never the raw path: no personal data, bounded labels) and serves `/metrics` in the
//! Prometheus text format on a listener of its own (`IMAGROSS_METRICS_BIND`), so it is never
//! reachable through the public ingress.
//!
//! Names in use:
//! - `http_requests_total`, `http_request_duration_seconds` {route, method, status}
//! - `import_rows_total` {kind, outcome}; `import_batches_total` {kind, status}
//! - `projection_build_seconds`; `projection_built_timestamp_seconds` (age = time() − it);
//!   `projection_appends_total`
//! - `live_feed_lag_seconds` (published by one replica → in another's tail);
//!   `live_feed_received_total`
//! - `points_ledger_sync_seconds`; `points_ledger_synced_timestamp_seconds`
//! - `lease_held` {lease} (1 on the replica holding it)
//! - `login_rate_limited_total` {scope = process | shared}
//! - `store_regressions` (tables found below a count the store had: the watchdog)

use std::net::SocketAddr;
use std::time::Instant;

use axum::extract::{MatchedPath, Request};
use axum::middleware::Next;
use axum::response::Response;
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

/// Latency buckets, seconds: 1 ms to 10 s.
const BUCKETS: [f64; 14] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0];

/// Installs the process-wide recorder; `None` when one is installed already.
pub fn install() -> Option<PrometheusHandle> {
    PrometheusBuilder::new()
        .set_buckets_for_metric(Matcher::Suffix("_seconds".into()), &BUCKETS)
        .ok()?
        .install_recorder()
        .ok()
}

/// Counts and times a routed request (the route's template as label).
pub async fn track(req: Request, next: Next) -> Response {
    let started = Instant::now();
    let route =
        req.extensions().get::<MatchedPath>().map_or_else(|| "unmatched".to_string(), |m| m.as_str().to_string());
    let method = req.method().as_str().to_string();
    let response = next.run(req).await;
    let status = response.status().as_u16().to_string();
    let labels = [("route", route), ("method", method), ("status", status)];
    metrics::counter!("http_requests_total", &labels).increment(1);
    metrics::histogram!("http_request_duration_seconds", &labels).record(started.elapsed().as_secs_f64());
    response
}

/// Serves `GET /metrics` from `handle` on `addr` until the process ends.
pub async fn serve(addr: SocketAddr, handle: PrometheusHandle) -> std::io::Result<()> {
    let app = axum::Router::new().route(
        "/metrics",
        axum::routing::get(move || {
            let handle = handle.clone();
            async move {
                handle.run_upkeep();
                ([(axum::http::header::CONTENT_TYPE, "text/plain; version=0.0.4")], handle.render())
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind(addr).await?;
    tracing::info!("metrics on http://{}/metrics", listener.local_addr()?);
    axum::serve(listener, app).await
}
