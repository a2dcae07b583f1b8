//! Probes. Liveness is trivial (the process answers; no database call). Readiness needs the
//! database reachable and the in-memory caches warm, else 503.

use std::time::Duration;

use axum::{extract::State, http::StatusCode, Json};
use serde_json::{json, Value};

use super::ServerState;

/// How long readiness waits for the database.
const PING_TIMEOUT: Duration = Duration::from_secs(2);

/// `GET /healthz`: 200 while the process is up.
pub async fn healthz() -> Json<Value> {
    tracing::debug!("liveness probe");
    Json(json!({ "status": "ok" }))
}

/// `GET /readyz`: 200 when the store answers and caches are warm, else 503 with the reason.
pub async fn readyz(State(state): State<ServerState>) -> (StatusCode, Json<Value>) {
    let store_ok = matches!(tokio::time::timeout(PING_TIMEOUT, state.store.ping()).await, Ok(Ok(())));
    let warm = app::ports::Readiness::is_warm(state.projection.as_ref());
    let body = json!({
        "status": if store_ok && warm { "ready" } else { "starting" },
        "store": { "kind": state.store.kind().to_string(), "reachable": store_ok },
        "caches": { "warm": warm },
    });
    let code = if store_ok && warm { StatusCode::OK } else { StatusCode::SERVICE_UNAVAILABLE };
    tracing::debug!(status = code.as_u16(), store_ok, warm, "readiness probe");
    (code, Json(body))
}
