//! The personal area on both stores: points ledger derived from imported receipts (idempotent
//! across re-imports), `/me`, `/me/receipts` and a receipt's lines — and that a shopper never
//! sees another cardholder's data, whatever id they send.
//!
//! Fixture: Maria (…015) 14/03/2025 23,40 at S01 with Mele (Ortofrutta) and Yogurt on promotion
//! P3X2 (discount 1,50); Luca (…022) 15/03/2025 12,34 at S02; one receipt without a card.

use crate::common;

use std::path::Path;
use std::sync::Arc;

use axum::body::Body;
use http::{Request, StatusCode};
use http_body_util::BodyExt;
use imagross::http::{router, ServerState};
use imagross::import::pipeline::{import_file, ImportOptions};
use imagross::store::model::PointsEntry;
use imagross::store::{Store, StoreExt, Table};
use serde_json::{json, Value};
use tower::ServiceExt;

const PASSWORD: &str = "nuova password sicura";
const MARIA: &str = "2000000000015";
const LUCA: &str = "2000000000022";

async fn import(store: &dyn Store, name: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/import").join(name);
    import_file(store, &path, &ImportOptions { kind: None, run_by: "test".into(), sheet: None }, &|_| {})
        .await
        .unwrap();
}

async fn post(app: &axum::Router, path: &str, body: String, cookie: Option<&str>) -> (StatusCode, Value, String) {
    let mut req = Request::post(path)
        .header("origin", crate::common::ORIGIN)
        .header("content-type", "application/x-www-form-urlencoded");
    if let Some(c) = cookie {
        req = req.header("cookie", c);
    }
    let res = app.clone().oneshot(req.body(Body::from(body)).unwrap()).await.unwrap();
    let status = res.status();
    let cookies: Vec<String> = res
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().split(';').next().unwrap().to_string())
        .collect();
    let bytes = res.into_body().collect().await.unwrap().to_bytes();
    (status, serde_json::from_slice(&bytes).unwrap_or(Value::Null), cookies.join("; "))
}

async fn claim(app: &axum::Router, card: &str, proof: &str) -> String {
    let body = common::form_encode(&[
        ("card_number", card),
        ("proof", proof),
        ("password", PASSWORD),
        ("password_confirm", PASSWORD),
    ]);
    let (status, v, cookies) = post(app, "/api/claim", body, None).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    cookies
}

async fn ledger(store: &dyn Store, card: &str) -> Vec<PointsEntry> {
    let mut e: Vec<PointsEntry> = store.find("card_number", json!(card), 1000).await.unwrap();
    e.sort_by(|a, b| a.id.cmp(&b.id));
    e
}

async fn personal_area_and_privacy(store: Arc<dyn Store>) {
    for f in ["fidelity.csv", "scontrini.csv", "vendite.csv"] {
        import(store.as_ref(), f).await;
    }
    let t = common::TestStore::from_store(store.clone());
    let state: ServerState = common::server_state(&t);
    state.projection.refresh(store.as_ref()).await.unwrap();
    let app = router(state.clone());

    // Points: 1 per whole euro (23,40 -> 23) plus 2 for the line on promotion; Luca 12,34 -> 12.
    let maria_points = ledger(store.as_ref(), MARIA).await;
    assert_eq!(maria_points.len(), 1);
    assert_eq!((maria_points[0].id.as_str(), maria_points[0].points), ("earn:S01-20250314-2-1001", 25));
    assert_eq!(maria_points[0].created_at, "2025-03-14T18:30:00", "dated by the receipt, not the import");
    assert_eq!(ledger(store.as_ref(), LUCA).await[0].points, 12);
    assert_eq!(store.count(Table::PointsLedger).await.unwrap(), 2, "no points for the receipt without a card");

    // Re-importing awards nothing twice; a later refresh writes nothing.
    for f in ["scontrini.csv", "vendite.csv"] {
        import(store.as_ref(), f).await;
    }
    assert!(state.projection.refresh_if_changed(store.as_ref()).await.unwrap());
    assert_eq!(store.count(Table::PointsLedger).await.unwrap(), 2);
    assert_eq!(ledger(store.as_ref(), MARIA).await[0].points, 25);

    let maria = claim(&app, MARIA, "maria@example.it").await;
    let luca = claim(&app, LUCA, "+39 347 7654321").await;

    let (status, area, _) = post(&app, "/api/my_area", String::new(), Some(&maria)).await;
    assert_eq!(status, StatusCode::OK, "{area}");
    assert_eq!(area["card"]["card_number"], MARIA);
    assert_eq!(area["card"]["points_balance"], 25);
    assert_eq!(area["latest"][0]["id"], "S01-20250314-2-1001");
    assert_eq!(area["latest"].as_array().unwrap().len(), 1);
    let badge = |kind: &str| area["badges"].as_array().unwrap().iter().find(|b| b["kind"] == kind).unwrap().clone();
    assert_eq!(badge("FirstTrip")["awarded_on"], "2025-03-14");
    assert_eq!(
        (badge("FruitVeg10")["progress"].as_i64(), badge("FruitVeg10")["awarded_on"].clone()),
        (Some(1), Value::Null)
    );
    assert_eq!(badge("Departments10")["progress"], 2, "Ortofrutta and Latticini");
    assert_eq!(badge("Saved50")["progress"], 150, "1,50 saved on the promotion line");
    assert_eq!(area["departments"][0]["name"], "Latticini");
    assert_eq!(area["favourites"].as_array().unwrap().len(), 2);
    assert_eq!(area["challenges"].as_array().unwrap().len(), 3);

    let (status, page, _) = post(&app, "/api/my_receipts", "page=1".into(), Some(&maria)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(page["total"], 1);
    let (status, receipt, _) = post(&app, "/api/my_receipt", "id=S01-20250314-2-1001".into(), Some(&maria)).await;
    assert_eq!(status, StatusCode::OK, "{receipt}");
    assert_eq!(receipt["lines"].as_array().unwrap().len(), 2);
    assert_eq!(receipt["lines"][1]["promotion"], "P3X2");

    // Another cardholder's receipt, or one without a card, is simply not there.
    for id in ["S02-20250315-1-77", "S01-20250314-2-1002", "../S02-20250315-1-77"] {
        let (status, _, _) = post(&app, "/api/my_receipt", common::form_encode(&[("id", id)]), Some(&maria)).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{id}");
    }
    let (_, luca_area, _) = post(&app, "/api/my_area", String::new(), Some(&luca)).await;
    assert_eq!(luca_area["card"]["card_number"], LUCA);
    assert_eq!(luca_area["latest"][0]["id"], "S02-20250315-1-77");
    assert_eq!(luca_area["card"]["points_balance"], 12);
    // Extra arguments naming another card are ignored: there is no such parameter.
    let (_, again, _) = post(&app, "/api/my_area", format!("card_number={LUCA}"), Some(&maria)).await;
    assert_eq!(again["card"]["card_number"], MARIA);

    // Own data as downloads: JSON without the password hash, and the same as CSV.
    let get = |path: &'static str, cookie: Option<String>| {
        let app = app.clone();
        async move {
            let mut req = Request::get(path);
            if let Some(c) = cookie {
                req = req.header("cookie", c);
            }
            let res = app.oneshot(req.body(Body::empty()).unwrap()).await.unwrap();
            let status = res.status();
            (status, String::from_utf8(res.into_body().collect().await.unwrap().to_bytes().to_vec()).unwrap())
        }
    };
    let (status, body) = get("/me/data.json", Some(maria.clone())).await;
    assert_eq!(status, StatusCode::OK);
    let data: Value = serde_json::from_str(&body).unwrap();
    assert!(!body.contains("password_hash") && !body.contains("argon2"), "no password hash in the download");
    assert_eq!(data["cardholder"]["email"], "maria@example.it");
    assert_eq!(data["receipts"].as_array().unwrap().len(), 1);
    assert_eq!(data["points"][0]["points"], 25);
    assert!(!body.contains(LUCA), "nothing of another cardholder");
    let (status, csv) = get("/me/data.csv", Some(maria.clone())).await;
    assert_eq!(status, StatusCode::OK);
    assert!(csv.starts_with("\u{feff}section;id;date;description;quantity;amount_eur;points"));
    assert!(csv.contains("line;S01-20250314-2-1001;2025-03-14 18:30;Yogurt bianco;3,000;20,41;"), "{csv}");
    assert!(csv.contains("points;earn:S01-20250314-2-1001;2025-03-14T18:30:00;earn;;;25"), "{csv}");
    assert_eq!(get("/me/data.json", None).await.0, StatusCode::UNAUTHORIZED);

    // Contact data and consent, with the signup's validation; the card record follows.
    let (status, v, _) = post(&app, "/api/my_profile", String::new(), Some(&maria)).await;
    assert_eq!((status, v["email"].as_str()), (StatusCode::OK, Some("maria@example.it")));
    let edit = |email: &str, phone: &str| {
        common::form_encode(&[("email", email), ("phone", phone), ("marketing_consent", "on")])
    };
    let (status, v, _) = post(&app, "/api/update_my_profile", edit("non-una-email", "333 1234567"), Some(&maria)).await;
    assert_eq!((status, v["Invalid"]["field"].as_str()), (StatusCode::BAD_REQUEST, Some("email")), "{v}");
    let (status, v, _) = post(&app, "/api/update_my_profile", edit("maria@example.it", "12"), Some(&maria)).await;
    assert_eq!((status, v["Invalid"]["field"].as_str()), (StatusCode::BAD_REQUEST, Some("phone")), "{v}");
    let (status, v, _) = post(&app, "/api/signup", common::signup_body("giulia@example.it", "347 1112223"), None).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    let (status, _, _) =
        post(&app, "/api/update_my_profile", edit("giulia@example.it", "333 1234567"), Some(&maria)).await;
    assert_eq!(status, StatusCode::CONFLICT, "another account's email");
    let (status, _, _) =
        post(&app, "/api/update_my_profile", edit("maria@example.it", "+39 347 1112223"), Some(&maria)).await;
    assert_eq!(status, StatusCode::CONFLICT, "another account's phone");
    let (status, v, _) =
        post(&app, "/api/update_my_profile", edit("Maria.Nuova@Example.it", "0039 333 7654321"), Some(&maria)).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(
        (v["email"].as_str(), v["phone"].as_str(), v["marketing_consent"].as_bool()),
        (Some("maria.nuova@example.it"), Some("+393337654321"), Some(true))
    );
    let holder: imagross::store::model::Cardholder = store.get_one(MARIA).await.unwrap().unwrap();
    assert_eq!((holder.email.as_deref(), holder.marketing_consent), (Some("maria.nuova@example.it"), true));

    // Password change: the current password is checked, the new one follows the signup rules.
    let change = |current: &str, new: &str| {
        common::form_encode(&[("current_password", current), ("password", new), ("password_confirm", new)])
    };
    assert_eq!(
        post(&app, "/api/change_my_password", change("sbagliata del tutto", "una nuova password lunga"), Some(&maria))
            .await
            .0,
        StatusCode::BAD_REQUEST
    );
    let (status, v, _) = post(&app, "/api/change_my_password", change(PASSWORD, "corta"), Some(&maria)).await;
    assert_eq!((status, v["Invalid"]["field"].as_str()), (StatusCode::BAD_REQUEST, Some("password")));
    let (status, _, renewed) =
        post(&app, "/api/change_my_password", change(PASSWORD, "una nuova password lunga"), Some(&maria)).await;
    assert_eq!(status, StatusCode::OK);
    // Every session ended with the old password; this browser got a new one.
    assert_eq!(post(&app, "/api/my_area", String::new(), Some(&maria)).await.0, StatusCode::UNAUTHORIZED);
    let maria = renewed;
    let login = |pw: &str| common::form_encode(&[("identifier", "maria.nuova@example.it"), ("password", pw)]);
    assert_eq!(
        post(&app, "/api/login", login(PASSWORD), None).await.0,
        StatusCode::UNAUTHORIZED,
        "the old password is gone"
    );
    assert_eq!(post(&app, "/api/login", login("una nuova password lunga"), None).await.0, StatusCode::OK);
    const NEW_PASSWORD: &str = "una nuova password lunga";

    // Erasure: the password is checked; then personal data is gone, purchases stay.
    let (status, _, _) = post(&app, "/api/erase_my_data", "password=sbagliata%20davvero".into(), Some(&maria)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, v, _) =
        post(&app, "/api/erase_my_data", common::form_encode(&[("password", NEW_PASSWORD)]), Some(&maria)).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    let holder: imagross::store::model::Cardholder = store.get_one(MARIA).await.unwrap().unwrap();
    assert_eq!(
        (holder.first_name.as_str(), holder.email.as_deref(), holder.phone.as_deref(), holder.birth_date.as_deref()),
        ("", None, None, None)
    );
    assert_eq!(holder.status, imagross::store::model::CardStatus::Anonymised);
    assert_eq!(store.count(Table::Receipts).await.unwrap(), 3, "sales are kept");
    assert_eq!(ledger(store.as_ref(), MARIA).await.len(), 1);
    let (status, _, _) = post(&app, "/api/my_area", String::new(), Some(&maria)).await;
    assert!(status == StatusCode::FORBIDDEN || status == StatusCode::UNAUTHORIZED, "the old session is dead: {status}");
    let login = common::form_encode(&[("identifier", MARIA), ("password", NEW_PASSWORD)]);
    assert_eq!(post(&app, "/api/login", login, None).await.0, StatusCode::UNAUTHORIZED, "the account is closed");

    for path in ["/api/my_area", "/api/my_receipts", "/api/my_receipt"] {
        let (status, _, _) = post(&app, path, "page=1&id=x".into(), None).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{path}");
    }
}

on_both_stores!(personal_area_and_privacy);
