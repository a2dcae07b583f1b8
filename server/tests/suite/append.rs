//! Live receipts reach the projection by appending, not by rebuilding: on both stores, receipts
//! posted one by one through the tills' API (in time order, late, without a card, from a
//! shopper who signed up after the build, with a product and a department never seen, a
//! retry) are appended to the running projection, which then equals — column by column, names
//! in place of dictionary numbers — a projection built in one pass from the same store. The
//! background appender includes a receipt without anyone asking for a rebuild.

use crate::common;

use std::path::Path;
use std::time::{Duration, Instant};

use axum::body::Body;
use http::{Request, StatusCode};
use imagross::http::{router, ServerState};
use imagross::import::pipeline::{import_file, ImportOptions};
use imagross::projection::load;
use imagross::store::model::Cardholder;
use imagross::store::{Store, StoreExt};
use imagross::till_api::keys;
use serde_json::{json, Value};
use tower::ServiceExt;

async fn post(app: &axum::Router, key: &str, receipt: &Value) -> StatusCode {
    let req = Request::post("/api/v1/receipts")
        .header("authorization", format!("Bearer {key}"))
        .header("content-type", "application/json")
        .body(Body::from(serde_json::to_vec(receipt).unwrap()))
        .unwrap();
    app.clone().oneshot(req).await.unwrap().status()
}

fn receipt(store: &str, at: &str, number: u32, card: Option<&str>, ean: &str, dept: (&str, &str)) -> Value {
    json!({
        "store_id": store, "issued_at": at, "till": "3", "number": number.to_string(), "card_number": card,
        "net_cents": 1250,
        "lines": [
            {"line_no": 1, "ean": ean, "description": format!("Prodotto {ean}"), "quantity_milli": 1000,
             "net_cents": 750, "department_id": dept.0, "department_name": dept.1},
            {"line_no": 2, "ean": "8001234567890", "quantity_milli": 2000, "discount_cents": 50, "net_cents": 500,
             "promotion_id": "P3X2"}
        ]
    })
}

async fn live_receipts_are_appended(store: std::sync::Arc<dyn Store>) {
    for f in ["fidelity.csv", "scontrini.csv", "vendite.csv"] {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/import").join(f);
        import_file(store.as_ref(), &path, &ImportOptions { kind: None, run_by: "test".into(), sheet: None }, &|_| {})
            .await
            .unwrap();
    }
    let t = common::TestStore::from_store(store.clone());
    let state: ServerState = common::server_state(&t);
    state.projection.refresh(store.as_ref()).await.unwrap();
    let rebuilds = state.projection.rebuilds();
    let app = router(state.clone());
    let (_, s01) = keys::create(store.as_ref(), "S01", None, "test").await.unwrap();
    let (_, s02) = keys::create(store.as_ref(), "S02", None, "test").await.unwrap();
    // A shopper who joins after the build (her first receipt brings her register record in).
    let newcomer = Cardholder {
        id: "2000000000046".into(),
        first_name: "Giulia".into(),
        last_name: "Verdi".into(),
        email: None,
        phone: None,
        birth_date: None,
        gender: Some("F".into()),
        city: None,
        province: None,
        enrolment_store: Some("S02".into()),
        enrolled_on: Some("2025-03-20".into()),
        privacy_consent: true,
        marketing_consent: false,
        status: imagross::store::model::CardStatus::Active,
        profiling_consent: false,
    };

    let maria = Some("2000000000015");
    let sent = [
        (&s01, receipt("S01", "2025-03-20T09:00:00", 1, maria, "8000000000011", ("01", "Ortofrutta"))),
        (&s02, receipt("S02", "2025-03-20T10:00:00", 2, None, "8000000000028", ("NEW", "Reparto nuovo"))),
        // Late: an hour before the previous one.
        (&s01, receipt("S01", "2025-03-20T08:00:00", 3, Some("2000000000022"), "8000000000011", ("01", "Ortofrutta"))),
        (
            &s02,
            receipt("S02", "2025-03-21T11:30:00", 4, Some(newcomer.id.as_str()), "8000000000035", ("01", "Ortofrutta")),
        ),
        // Before every imported receipt.
        (&s01, receipt("S01", "2025-03-01T07:15:00", 5, maria, "8000000000011", ("01", "Ortofrutta"))),
    ];
    for (key, r) in &sent {
        if r["card_number"] == newcomer.id.as_str() {
            // She signs up, then shops.
            store.upsert_all(std::slice::from_ref(&newcomer)).await.unwrap();
        }
        assert_eq!(post(&app, key, r).await, StatusCode::CREATED, "{r}");
        assert!(state.projection.append_live(store.as_ref()).await.unwrap(), "appended");
        let running = state.projection.snapshot().unwrap().data.describe();
        assert_eq!(running, load(store.as_ref()).await.unwrap().describe(), "after {r}");
    }
    // The build made a spare: every append grew it in place (no request held it), none copied.
    assert_eq!(state.projection.engine.append_counts(), (0, 5));
    // A retry changes nothing and leaves nothing to append.
    assert_eq!(post(&app, sent[0].0, &sent[0].1).await, StatusCode::OK);
    assert!(!state.projection.append_live(store.as_ref()).await.unwrap());
    assert_eq!(state.projection.rebuilds(), rebuilds, "no rebuild: every receipt was appended");
    let snap = state.projection.snapshot().unwrap();
    let d = &snap.data;
    assert_eq!(d.receipts.len(), 3 + 5);
    let c = d.cards.number.get(&newcomer.id).unwrap();
    assert!(d.cards.registered[c as usize] && d.cards.name(c) == "Giulia Verdi");
    assert_eq!(d.department_names[d.departments.get("NEW").unwrap() as usize].as_ref(), "Reparto nuovo");

    // The appender, as the server runs it: a receipt is in the projection without a call.
    state.projection.spawn_appender(store.clone());
    let r = receipt("S02", "2025-03-22T12:00:00", 6, None, "8000000000028", ("NEW", "Reparto nuovo"));
    assert_eq!(post(&app, &s02, &r).await, StatusCode::CREATED);
    let deadline = Instant::now() + Duration::from_secs(10);
    while state.projection.snapshot().unwrap().data.receipts.len() < 9 {
        assert!(Instant::now() < deadline, "the appender did not append the receipt");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(state.projection.snapshot().unwrap().data.describe(), load(store.as_ref()).await.unwrap().describe());
    assert_eq!(state.projection.rebuilds(), rebuilds);
}

on_both_stores!(live_receipts_are_appended);
