//! The HTTP surface on the real router (real SQLite store), driven with `oneshot`.

use crate::common;

use app::ports::Readiness;
use axum::body::Body;
use http::{Request, StatusCode};
use http_body_util::BodyExt;
use imagross::http::{router, ServerState};
use tower::ServiceExt;

async fn call(state: &ServerState, req: Request<Body>) -> (StatusCode, http::HeaderMap, String) {
    let res = router(state.clone()).oneshot(req).await.unwrap();
    let status = res.status();
    let headers = res.headers().clone();
    let body = res.into_body().collect().await.unwrap().to_bytes();
    (status, headers, String::from_utf8_lossy(&body).into_owned())
}

fn get(uri: &str) -> Request<Body> {
    Request::get(uri).body(Body::empty()).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn liveness_answers_without_waiting_for_caches() {
    let t = common::sqlite().await;
    let state = common::server_state(&t);
    let (status, headers, body) = call(&state, get("/healthz")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, r#"{"status":"ok"}"#);
    assert!(headers.contains_key("x-request-id"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readiness_is_503_until_caches_are_warm_then_200() {
    let t = common::sqlite().await;
    let state = common::server_state(&t);
    let caches = state.projection.clone();

    let (status, _, body) = call(&state, get("/readyz")).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    let json: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(json["status"], "starting");
    assert_eq!(json["store"]["reachable"], true);
    assert_eq!(json["caches"]["warm"], false);

    caches.refresh(t.store.as_ref()).await.unwrap();
    let (status, _, body) = call(&state, get("/readyz")).await;
    assert_eq!(status, StatusCode::OK);
    let json: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(json["status"], "ready");
    assert_eq!(json["store"]["kind"], "sqlite");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn warm_up_counts_rows_without_writing() {
    use imagross::store::{model::Department, StoreExt, Table};
    let t = common::sqlite().await;
    t.store.upsert_all(&[Department { id: "01".into(), name: "Ortofrutta".into() }]).await.unwrap();
    let caches = common::server_state(&t).projection;
    caches.refresh(t.store.as_ref()).await.unwrap();
    assert_eq!(caches.summary().rows["departments"], 1);
    assert_eq!(caches.summary().rows["receipts"], 0);
    assert_eq!(t.store.count(Table::Departments).await.unwrap(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_given_request_id_is_propagated() {
    let t = common::sqlite().await;
    let state = common::server_state(&t);
    let req = Request::get("/healthz").header("x-request-id", "req-42").body(Body::empty()).unwrap();
    let (_, headers, _) = call(&state, req).await;
    assert_eq!(headers["x-request-id"], "req-42");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_render_in_italian_by_default_and_in_english_by_cookie() {
    let t = common::sqlite().await;
    let state = common::server_state(&t);
    let (status, _, body) = call(&state, get("/")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains(r#"<html lang="it""#), "{body}");
    assert!(body.contains("La tua spesa, premiata"));
    assert!(body.contains(r#"<script src="/echarts.min.js"></script>"#));

    let req = Request::get("/").header("cookie", "theme=x; lang=en").body(Body::empty()).unwrap();
    let (_, _, body) = call(&state, req).await;
    assert!(body.contains(r#"<html lang="en""#));
    assert!(body.contains("Your shopping, rewarded"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn public_pages_render_private_ones_ask_for_login_and_unknown_paths_are_404() {
    let t = common::sqlite().await;
    let state = common::server_state(&t);
    for (path, title) in
        [("/signup", "Crea la tua carta digitale"), ("/login", "Accedi"), ("/claim", "Attiva la tua carta")]
    {
        let (status, _, body) = call(&state, get(path)).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        assert!(body.contains(&format!("<h1>{title}")), "{path}: {body}");
    }
    for path in ["/admin", "/admin/customers", "/admin/import", "/admin/users"] {
        let (status, _, body) = call(&state, get(path)).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{path} needs an admin session");
        assert!(body.contains("Accedi per vedere questa pagina."), "{path}");
    }
    for (path, title) in [("/me", "La mia area"), ("/me/receipts", "I miei scontrini")] {
        let (status, _, body) = call(&state, get(path)).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{path} needs a session");
        assert!(
            body.contains(&format!("<h1>{title}")) && body.contains("Accedi per vedere questa pagina."),
            "{path}: {body}"
        );
    }
    let (status, _, body) = call(&state, get("/me/card")).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "the card page needs a session");
    assert!(body.contains("Accedi per vedere questa pagina."));
    let (status, _, body) = call(&state, get("/no/such/page")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(body.contains("Pagina non trovata"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn caches_refresh_after_an_import_batch_without_a_restart() {
    use imagross::import::pipeline::{import_file, ImportOptions};
    let t = common::sqlite().await;
    let caches = common::server_state(&t).projection;
    caches.refresh(t.store.as_ref()).await.unwrap();
    assert!(!caches.refresh_if_changed(t.store.as_ref()).await.unwrap(), "nothing new");
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/import/fidelity.csv");
    import_file(t.store.as_ref(), &dir, &ImportOptions { kind: None, run_by: "test".into(), sheet: None }, &|_| {})
        .await
        .unwrap();
    assert!(caches.refresh_if_changed(t.store.as_ref()).await.unwrap());
    assert_eq!(caches.summary().rows["cardholders"], 3);
    assert!(caches.is_warm());
}

/// Many pages rendered at once through one router (as the real server does) all complete.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_page_renders_complete() {
    let t = common::sqlite().await;
    let app = router(common::server_state(&t));
    let mut tasks = Vec::new();
    let n: usize = std::env::var("TEST_N").ok().and_then(|v| v.parse().ok()).unwrap_or(40);
    for i in 0..n {
        let app = app.clone();
        let path = ["/", "/admin", "/signup", "/admin/customers", "/me/receipts", "/login", "/claim"][i % 7];
        tasks.push(tokio::spawn(async move {
            let res = app.oneshot(get(path)).await.unwrap();
            let status = res.status();
            res.into_body().collect().await.unwrap();
            status
        }));
    }
    let all = tokio::time::timeout(std::time::Duration::from_secs(60), futures::future::join_all(tasks))
        .await
        .expect("every render finishes");
    for status in all {
        assert!(matches!(status.unwrap().as_u16(), 200 | 401), "rendered");
    }
}

#[test]
fn probes_log_at_debug_and_a_warm_up_503_is_no_error() {
    let logs = common::Captured::default();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(logs.clone())
        .with_ansi(false)
        .with_max_level(tracing::Level::DEBUG)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    rt.block_on(async {
        let t = common::sqlite().await;
        let state = common::server_state(&t);
        for _ in 0..3 {
            assert_eq!(call(&state, get("/readyz")).await.0, StatusCode::SERVICE_UNAVAILABLE, "still warming up");
            assert_eq!(call(&state, get("/healthz")).await.0, StatusCode::OK);
        }
        // A server function that needs the projection answers 503 while warming up: a warning.
        let (state, admin) = common::admin_state(t.store.clone()).await;
        let req = Request::post("/api/analytics_dashboard")
            .header("origin", crate::common::ORIGIN)
            .header("content-type", "application/x-www-form-urlencoded")
            .header("cookie", admin)
            .body(Body::from("query="))
            .unwrap();
        assert_eq!(call(&state, req).await.0, StatusCode::SERVICE_UNAVAILABLE);
    });
    let text = String::from_utf8(logs.0.lock().unwrap().clone()).unwrap();
    let probe_lines: Vec<&str> = text.lines().filter(|l| l.contains("probe")).collect();
    assert_eq!(probe_lines.len(), 6, "{text}");
    assert!(probe_lines.iter().all(|l| l.contains("DEBUG")), "{text}");
    assert!(!text.contains("ERROR"), "no error while warming up:\n{text}");
    assert!(text.lines().any(|l| l.contains("WARN") && l.contains("service unavailable")), "{text}");
    assert!(!text.lines().any(|l| l.contains("INFO") && l.contains("/readyz")), "no INFO line per probe:\n{text}");
}
