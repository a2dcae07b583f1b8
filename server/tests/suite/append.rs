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
use imagross::projection::{load, Derive};
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

/// Imports one file after another, each followed by the projection's catch-up (what the
/// server does after an upload, or within [`imagross::projection::BATCH_POLL`] of a CLI
/// import): after each, the running projection equals a build from the store.
struct Batches {
    store: std::sync::Arc<dyn Store>,
    state: ServerState,
    dir: tempfile::TempDir,
    files: usize,
}

impl Batches {
    async fn import(&mut self, content: &str) {
        self.files += 1;
        let path = self.dir.path().join(format!("file{}.csv", self.files));
        std::fs::write(&path, content).unwrap();
        let options = ImportOptions { kind: None, run_by: "test".into(), sheet: None };
        import_file(self.store.as_ref(), &path, &options, &|_| {}).await.unwrap();
        assert!(self.state.projection.refresh_if_changed(self.store.as_ref()).await.unwrap(), "caught up");
        self.assert_built().await;
    }

    async fn assert_built(&self) {
        let running = self.state.projection.snapshot().unwrap().data.describe();
        let built = load(self.store.as_ref()).await.unwrap().describe();
        assert_eq!(running, built, "after file {}", self.files);
    }
}

const SCONTRINI: &str = "PuntoVendita;Data;Ora;Cassa;NumeroScontrino;NumeroCarta;Sconto;Totale\n";
const VENDITE: &str = "PuntoVendita;Data;Cassa;NumeroScontrino;Riga;EAN;Descrizione;Reparto;Qta;Sconto;Importo;Promo\n";

/// Import batches reach the projection by applying their rows, not by rebuilding: on both
/// stores, a projection caught up after each of a sequence of files — the register, receipts
/// before their lines, lines of receipts already holding some, corrections (a total, a card, a
/// line, a date moved with an explicit receipt id), a late receipt, a renamed product, a new
/// department, a card first seen on a receipt and registered later, a till's receipt not yet
/// appended that an import corrects, a file imported twice — equals, column by column, a build
/// from the same store, with no rebuild. A product moved to another department is the case it
/// cannot apply: that one rebuilds, and still equals.
async fn import_batches_are_applied(store: std::sync::Arc<dyn Store>) {
    let t = common::TestStore::from_store(store.clone());
    let state: ServerState = common::server_state(&t);
    state.projection.refresh(store.as_ref()).await.unwrap();
    let rebuilds = state.projection.rebuilds();
    let mut b = Batches { store: store.clone(), state: state.clone(), dir: tempfile::tempdir().unwrap(), files: 0 };
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/import");
    for f in ["fidelity.csv", "scontrini.csv", "vendite.csv"] {
        b.import(&std::fs::read_to_string(fixtures.join(f)).unwrap()).await;
    }
    assert_eq!(state.projection.snapshot().unwrap().data.lines.len(), 4);
    // The next day, a late receipt of the first day, a card nobody registered yet, and 1001's
    // total and 77's card corrected.
    b.import(&format!(
        "{SCONTRINI}S01;16/03/2025;08:05;2;1003;2000000000039;0;7,50\n\
         S02;16/03/2025;11:00;1;78;2000000000046;0;4,20\n\
         S01;14/03/2025;07:00;1;5;;0;3,00\n\
         S01;14/03/2025;18:30;2;1001;2000000000015;1,50;23,90\n\
         S02;15/03/2025;09:10;1;77;2000000000015;0,00;12,34\n"
    ))
    .await;
    // Their lines; 1001 gets a new line (it held two) and its apples renamed; a new department.
    b.import(&format!(
        "{VENDITE}S01;16/03/2025;2;1003;1;8001234567890;Mele Golden Bio;Ortofrutta;1;0;7,50;\n\
         S02;16/03/2025;1;78;1;8000000000028;Pane integrale;Panetteria;2;0;4,20;\n\
         S01;14/03/2025;1;5;1;8009876543210;Yogurt bianco;Latticini;1;0;3,00;P3X2\n\
         S01;14/03/2025;2;1001;3;8000000000028;Pane integrale;Panetteria;1;0;0,50;\n"
    ))
    .await;
    // The card seen on receipt 78 registers; Luca's email changes.
    b.import(
        "NumeroCarta;Nome;Cognome;Email;Cellulare;DataNascita;ConsensoPrivacy\n\
         2000000000046;Giulia;Verdi;giulia@example.it;;;S\n\
         2000000000022;Luca;Bianchi;luca@example.it;+39 347 7654321;1975-01-02;N\n",
    )
    .await;
    // A receipt with an explicit id moves to another day; a line of 1001 corrected.
    b.import(
        "IdScontrino;PuntoVendita;Data;Ora;Cassa;NumeroScontrino;NumeroCarta;Sconto;Totale\n\
         X-1;S02;13/03/2025;12:00;4;9;2000000000022;0;9,99\n",
    )
    .await;
    b.import("IdScontrino;PuntoVendita;Data;Ora;Cassa;NumeroScontrino;Riga;EAN;Descrizione;Reparto;Qta;Sconto;Importo;Promo\n\
         X-1;S02;13/03/2025;4;9;1;8005555555555;Prosciutto crudo;Salumeria e Formaggi;0,200;0;9,99;\n")
        .await;
    b.import(
        "IdScontrino;PuntoVendita;Data;Ora;Cassa;NumeroScontrino;NumeroCarta;Sconto;Totale\n\
         X-1;S02;17/03/2025;19:45;4;9;2000000000022;0;9,99\n",
    )
    .await;
    b.import(&format!("{VENDITE}S01;14/03/2025;2;1001;2;8009876543210;Yogurt bianco;Latticini;2;1,00;13,60;P3X2\n"))
        .await;
    // The only apples sold from the 16th on become kiwis (the apples' and the fruit
    // department's sums from that day must go).
    b.import(&format!("{VENDITE}S01;16/03/2025;2;1003;1;8000000000035;Kiwi;Frutta esotica;1;0;7,50;\n")).await;
    // A till's receipt in the store but not yet in the projection (another replica's, not yet
    // followed), which an import then corrects.
    let (_, key) = keys::create(store.as_ref(), "S02", None, "test").await.unwrap();
    let app = router(state.clone());
    let live = receipt("S02", "2025-03-18T10:00:00", 6, Some("2000000000015"), "8000000000011", ("01", "Ortofrutta"));
    assert_eq!(post(&app, &key, &live).await, StatusCode::CREATED);
    state.projection.live.prune(u64::MAX); // as if received by another replica
    b.import(&format!("{SCONTRINI}S02;18/03/2025;10:00;3;6;2000000000015;0;13,00\n")).await;
    // The same file again: nothing changes, nothing to apply but the batch itself.
    b.import(&format!("{SCONTRINI}S02;18/03/2025;10:00;3;6;2000000000015;0;13,00\n")).await;
    assert_eq!(state.projection.rebuilds(), rebuilds, "every batch was applied, none rebuilt");
    assert_eq!(state.projection.batches_applied(), 13);
    let (copied, in_place) = state.projection.engine.append_counts();
    assert_eq!((copied, in_place), (0, 13), "each applied in place on the build's spare");
    let snap = state.projection.snapshot().unwrap();
    let d = &snap.data;
    // The customer-value models were fitted on the imported data, as a build fits them.
    let fitted = imagross::analytics::Models::default().derive(load(store.as_ref()).await.unwrap());
    let n = |clv: &Option<std::sync::Arc<imagross::analytics::clv::ClvModel>>| clv.as_ref().map(|m| m.bgnbd.n);
    assert_eq!((n(&snap.clv), n(&fitted.clv)), (Some(4), Some(4)), "four cardholders bought");
    let giulia = d.cards.number.get("2000000000046").unwrap();
    assert!(d.cards.registered[giulia as usize] && d.cards.name(giulia) == "Giulia Verdi");
    assert_eq!(d.product_names[d.products.get("8001234567890").unwrap() as usize].as_ref(), "Mele Golden Bio");

    // What an append cannot reproduce rebuilds, and still equals a build: a receipt corrected
    // to drop the only mention of an unregistered card (a build would not know the card)...
    b.import(&format!("{SCONTRINI}S01;20/03/2025;09:00;2;2001;2000000000053;0;1,00\n")).await;
    assert_eq!(state.projection.rebuilds(), rebuilds);
    b.import(&format!("{SCONTRINI}S01;20/03/2025;09:00;2;2001;;0;1,00\n")).await;
    assert_eq!(state.projection.rebuilds(), rebuilds + 1);
    // ... and apples moved to another department (the lines that name none would follow).
    b.import(&format!("{VENDITE}S01;14/03/2025;2;1002;1;8001234567890;Mele Golden Bio;Frutta secca;1;0;5,00;\n")).await;
    assert_eq!(state.projection.rebuilds(), rebuilds + 2);
    assert!(!state.projection.refresh_if_changed(store.as_ref()).await.unwrap(), "nothing new");
}

on_both_stores!(live_receipts_are_appended, import_batches_are_applied);
