//! The earn rule end to end: a return takes its points back and pays no bonus, products that
//! earn nothing (tobacco here) earn neither points nor bonus — through the chain's files and the
//! ledger sync, through a till, and on the shopper's receipt page.

use crate::common;

use std::path::Path;

use axum::body::Body;
use http::{Request, StatusCode};
use http_body_util::BodyExt;
use imagross::http::router;
use imagross::import::pipeline::{import_file, ImportOptions};
use imagross::store::model::PointsEntry;
use imagross::store::StoreExt;
use serde_json::{json, Value};
use tower::ServiceExt;

const MARIA: &str = "2000000000015";

async fn import_text(store: &dyn imagross::store::Store, dir: &Path, name: &str, text: &str) {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    let s = import_file(store, &path, &ImportOptions { kind: None, run_by: "test".into(), sheet: None }, &|_| {})
        .await
        .unwrap();
    assert_eq!(s.rejected, 0, "{s:?}");
}

async fn call(app: &axum::Router, req: Request<Body>) -> (StatusCode, Value) {
    let res = app.clone().oneshot(req).await.unwrap();
    let status = res.status();
    let bytes = res.into_body().collect().await.unwrap().to_bytes();
    (status, serde_json::from_slice(&bytes).unwrap_or(Value::Null))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn returns_take_points_back_and_tobacco_earns_nothing() {
    let t = common::sqlite().await;
    let store = t.store.clone();
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/import");
    import_file(
        store.as_ref(),
        &fixtures.join("fidelity.csv"),
        &ImportOptions { kind: None, run_by: "t".into(), sheet: None },
        &|_| {},
    )
    .await
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    // R1 (10/11/2026): cigarettes 40,00 + yogurt 10,00 on promotion = 50,00.
    // R2 (11/11/2026): the yogurt of R1 and 13,40 more of it returned: −23,40.
    import_text(
        store.as_ref(),
        dir.path(),
        "scontrini.csv",
        &format!(
            "PuntoVendita;Data;Ora;Cassa;NumeroScontrino;NumeroCarta;Sconto;Totale\n\
             S01;10/11/2026;10:00;1;5001;{MARIA};1,00;50,00\n\
             S01;11/11/2026;10:00;1;5002;{MARIA};0;-23,40\n"
        ),
    )
    .await;
    import_text(
        store.as_ref(),
        dir.path(),
        "vendite.csv",
        "PuntoVendita;Data;Cassa;NumeroScontrino;Riga;EAN;Descrizione;Reparto;Qta;Sconto;Importo;Promo\n\
         S01;10/11/2026;1;5001;1;8000000000011;Sigarette;Tabacchi;1;0;40,00;\n\
         S01;10/11/2026;1;5001;2;8009876543210;Yogurt bianco;Latticini;1;1,00;10,00;P3X2\n\
         S01;11/11/2026;1;5002;1;8009876543210;Yogurt bianco;Latticini;-2;0;-23,40;P3X2\n",
    )
    .await;
    let state = common::server_state(&t);
    state.projection.refresh(store.as_ref()).await.unwrap();
    let entry = |id: &str| {
        let store = store.clone();
        let id = id.to_string();
        async move { store.get_one::<PointsEntry>(&id).await.unwrap().unwrap() }
    };
    // 50,00 − 40,00 of tobacco = 10 points, + 2 for the yogurt on promotion.
    let sale = entry("earn:S01-20261110-1-5001").await;
    assert_eq!(sale.points, 12, "{sale:?}");
    assert_eq!(sale.reason.as_deref(), Some("1 promotion lines; 4000 cents earn no points"));
    // The return: −23 points, no bonus taken or paid on the refund line.
    let refund = entry("earn:S01-20261111-1-5002").await;
    assert_eq!((refund.points, refund.reason.as_deref()), (-23, Some("return")));

    // The shopper sees which line earned nothing.
    let app = router(state.clone());
    let claim = common::form_encode(&[
        ("card_number", MARIA),
        ("proof", "maria@example.it"),
        ("password", "nuova password sicura"),
        ("password_confirm", "nuova password sicura"),
    ]);
    let res = app
        .clone()
        .oneshot(
            Request::post("/api/claim")
                .header("origin", common::ORIGIN)
                .header("content-type", "application/x-www-form-urlencoded")
                .body(Body::from(claim))
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let cookie = res
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().split(';').next().unwrap().to_string())
        .collect::<Vec<_>>()
        .join("; ");
    let (status, receipt) = call(
        &app,
        Request::post("/api/my_receipt")
            .header("origin", common::ORIGIN)
            .header("cookie", &cookie)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(Body::from("id=S01-20261110-1-5001"))
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{receipt}");
    let flags: Vec<(String, bool)> = receipt["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| (l["description"].as_str().unwrap().to_string(), l["no_points"].as_bool().unwrap()))
        .collect();
    assert_eq!(flags, [("Sigarette".to_string(), true), ("Yogurt bianco".to_string(), false)]);

    // A till's return is taken back at once, in its answer.
    let (_, key) = imagross::till_api::keys::create(store.as_ref(), "S01", None, "test").await.unwrap();
    let today = imagross::clock::today_date().iso();
    let body = json!({
        "store_id": "S01", "issued_at": format!("{today}T09:00:00"), "till": "3", "number": "77",
        "card_number": MARIA, "net_cents": -1_250,
        "lines": [{"line_no": 1, "ean": "8009876543210", "quantity_milli": -1000, "net_cents": -1_250, "promotion_id": "P3X2"}]
    });
    let (status, ack) = call(
        &app,
        Request::post("/api/v1/receipts")
            .header("authorization", format!("Bearer {key}"))
            .header("content-type", "application/json")
            .body(Body::from(body.to_string()))
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{ack}");
    assert_eq!(ack["points"], -12);
}

/// The dashboard's points book under load: adjustments made while whole loads of the book run
/// are each counted exactly once (a change is wholly before a load or wholly after it).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn changes_during_a_whole_load_of_the_book_count_once() {
    let t = common::sqlite().await;
    let store = t.store.clone();
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/import/fidelity.csv");
    import_file(store.as_ref(), &fixtures, &ImportOptions { kind: None, run_by: "t".into(), sheet: None }, &|_| {})
        .await
        .unwrap();
    // Enough ledger for a load to take a while.
    let entries: Vec<PointsEntry> = (0..40_000)
        .map(|i| PointsEntry {
            id: format!("earn:bulk-{i}"),
            card_number: MARIA.into(),
            points: 1,
            kind: "earn".into(),
            reason: None,
            receipt_id: None,
            created_at: "2026-10-01T10:00:00".into(),
            created_by: None,
        })
        .collect();
    store.upsert_all(&entries).await.unwrap();
    let state = common::server_state(&t);
    state.points.refresh_book().await.unwrap();
    let admin = app::model::account::SessionUser {
        id: "admin".into(),
        first_name: "Admin".into(),
        role: app::model::account::Role::Admin,
        card_number: None,
        issued_at: 0,
    };
    let mut tasks = Vec::new();
    for i in 0..40 {
        let (points, admin) = (state.points.clone(), admin.clone());
        tasks.push(tokio::spawn(async move {
            if i % 8 == 0 {
                points.refresh_book().await.unwrap();
            } else {
                app::ports::Points::adjust(points.as_ref(), &admin, MARIA, 1, "carico").await.unwrap();
            }
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    let all = (imagross::clock::today() - 3_650, imagross::clock::today());
    let whole = imagross::points::book::PointsBook::load(store.as_ref()).await.unwrap();
    let (mut kept, mut loaded) = (state.points.programme(all.0, all.1), whole.programme(all.0, all.1));
    (kept.as_of, loaded.as_of) = (String::new(), String::new());
    assert_eq!(loaded.outstanding, 40_000 + 35);
    assert_eq!(kept, loaded, "35 adjustments during 5 whole loads, each counted once");
}
