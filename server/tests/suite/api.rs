//! The tills' REST API on both stores, through the real router: per-store keys, a receipt
//! stored once by key (retry = same answer, other content = 409), points, challenge rewards
//! and the shopper's `/me` data updated at once, problem details naming the field at fault,
//! body limit, unknown fields, reading a receipt back, revocation and the OpenAPI document.

use crate::common;

use std::path::Path;

use axum::body::Body;
use http::{Request, StatusCode};
use http_body_util::BodyExt;
use imagross::http::{router, ServerState};
use imagross::import::pipeline::{import_file, ImportOptions};
use imagross::store::model::{PointsEntry, Receipt};
use imagross::store::{Store, StoreExt, Table};
use imagross::till_api::keys;
use serde_json::{json, Value};
use tower::ServiceExt;

const MARIA: &str = "2000000000015";
const PASSWORD: &str = "nuova password sicura";

async fn call(
    app: &axum::Router,
    method: &str,
    path: &str,
    key: Option<&str>,
    content_type: Option<&str>,
    body: Vec<u8>,
) -> (StatusCode, http::HeaderMap, Value) {
    let mut req = Request::builder().method(method).uri(path);
    if let Some(k) = key {
        req = req.header("authorization", format!("Bearer {k}"));
    }
    if let Some(ct) = content_type {
        req = req.header("content-type", ct);
    }
    let res = app.clone().oneshot(req.body(Body::from(body)).unwrap()).await.unwrap();
    let (status, headers) = (res.status(), res.headers().clone());
    let bytes = res.into_body().collect().await.unwrap().to_bytes();
    (status, headers, serde_json::from_slice(&bytes).unwrap_or(Value::Null))
}

async fn send(app: &axum::Router, key: &str, receipt: &Value) -> (StatusCode, http::HeaderMap, Value) {
    call(app, "POST", "/api/v1/receipts", Some(key), Some("application/json"), serde_json::to_vec(receipt).unwrap())
        .await
}

async fn form(app: &axum::Router, path: &str, body: String, cookie: Option<&str>) -> (StatusCode, Value, String) {
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

fn problem(status: StatusCode, headers: &http::HeaderMap, body: &Value, expected: StatusCode) {
    assert_eq!(status, expected, "{body}");
    assert_eq!(headers["content-type"], "application/problem+json");
    assert_eq!(body["status"], expected.as_u16());
    assert!(body["type"].as_str().unwrap().starts_with("/api/v1/problems/"), "{body}");
    assert!(!body["title"].as_str().unwrap().is_empty() && !body["detail"].as_str().unwrap().is_empty(), "{body}");
}

/// Today 08:00 at S01 for Maria: 5 lines on promotion (2,00 each, 0,50 off) and one of 20,50:
/// 30,50 paid → 30 points + 2 × 5 promotion lines; the fifth promotion product completes this
/// month's "5 promotion products" challenge (40 points).
fn receipt(today: &str) -> Value {
    let mut lines: Vec<Value> = (1..=5)
        .map(|n| json!({"line_no": n, "ean": format!("800000000000{n}"), "description": "Yogurt", "quantity_milli": 1000, "discount_cents": 50, "net_cents": 200, "department_id": "LAT", "department_name": "Latticini", "promotion_id": "P3X2"}))
        .collect();
    lines.push(
        json!({"line_no": 6, "ean": "8000000000099", "quantity_milli": 1500, "net_cents": 2050, "department_id": "01"}),
    );
    json!({"store_id": "S01", "issued_at": format!("{today}T08:00:00"), "till": "7", "number": "42", "card_number": MARIA, "net_cents": 3050, "lines": lines})
}

async fn the_till_api(store: std::sync::Arc<dyn Store>) {
    for f in ["fidelity.csv", "scontrini.csv", "vendite.csv"] {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/import").join(f);
        import_file(store.as_ref(), &path, &ImportOptions { kind: None, run_by: "test".into(), sheet: None }, &|_| {})
            .await
            .unwrap();
    }
    let t = common::TestStore::from_store(store.clone());
    let state: ServerState = common::server_state(&t);
    state.projection.refresh(store.as_ref()).await.unwrap();
    let app = router(state.clone());
    let body = common::form_encode(&[
        ("card_number", MARIA),
        ("proof", "maria@example.it"),
        ("password", PASSWORD),
        ("password_confirm", PASSWORD),
    ]);
    let (status, v, maria) = form(&app, "/api/claim", body, None).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    let (_, before, _) = form(&app, "/api/my_area", String::new(), Some(&maria)).await;
    assert_eq!(before["card"]["points_balance"], 25, "the imported receipt");

    let (s01_record, s01) = keys::create(store.as_ref(), "S01", Some("cassa 7"), "test").await.unwrap();
    let (_, s02) = keys::create(store.as_ref(), "S02", None, "test").await.unwrap();
    assert_eq!(
        store.get_one::<imagross::store::model::ShopKey>(&s01_record.id).await.unwrap().unwrap().key_hash,
        keys::hash_key(&s01),
        "only the hash is stored"
    );
    assert!(keys::create(store.as_ref(), "S 01", None, "test").await.unwrap_err().to_string().contains("store `S 01`"));

    let today = app::validate::SimpleDate::today_utc().iso();
    let r = receipt(&today);
    let id = format!("S01-{}-7-42", today.replace('-', ""));

    // No key, a made-up key: 401 problem with a Bearer challenge.
    let (status, headers, body) =
        call(&app, "POST", "/api/v1/receipts", None, Some("application/json"), serde_json::to_vec(&r).unwrap()).await;
    problem(status, &headers, &body, StatusCode::UNAUTHORIZED);
    assert!(headers["www-authenticate"].to_str().unwrap().starts_with("Bearer"));
    let (status, headers, body) = send(&app, &format!("igk_{}", "0".repeat(64)), &r).await;
    problem(status, &headers, &body, StatusCode::UNAUTHORIZED);

    // Stored: 201 with the points; the shopper sees them at once, without a rebuild.
    let (status, headers, ack) = send(&app, &s01, &r).await;
    assert_eq!(status, StatusCode::CREATED, "{ack}");
    assert_eq!(headers["location"], format!("/api/v1/receipts/{id}").as_str());
    assert_eq!(
        (ack["id"].as_str(), ack["points"].as_i64(), ack["status"].as_str(), ack["card_number"].as_str()),
        (Some(id.as_str()), Some(40), Some("stored"), Some(MARIA))
    );
    let (_, area, _) = form(&app, "/api/my_area", String::new(), Some(&maria)).await;
    assert_eq!(
        area["card"]["points_balance"],
        25 + 40 + 40,
        "receipt points and the completed challenge: {}",
        area["card"]
    );
    assert_eq!(area["latest"][0]["id"], id.as_str());
    assert_eq!(area["latest"][0]["net_cents"], 3050);
    let promo = area["challenges"].as_array().unwrap().iter().find(|c| c["kind"] == "Promo5").unwrap().clone();
    assert_eq!((promo["progress"].as_i64(), promo["completed_on"].as_str()), (Some(5), Some(today.as_str())));
    let (_, page, _) = form(&app, "/api/my_receipts", "page=1".into(), Some(&maria)).await;
    assert_eq!(page["total"], 2);
    let (status, lines, _) =
        form(&app, "/api/my_receipt", common::form_encode(&[("id", id.as_str())]), Some(&maria)).await;
    assert_eq!(status, StatusCode::OK, "{lines}");
    assert_eq!(lines["lines"].as_array().unwrap().len(), 6);
    assert_eq!(lines["lines"][0]["description"], "Yogurt");
    let res = app
        .clone()
        .oneshot(Request::get("/me/data.json").header("cookie", &maria).body(Body::empty()).unwrap())
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let download: Value = serde_json::from_slice(&res.into_body().collect().await.unwrap().to_bytes()).unwrap();
    assert!(
        download["receipts"].as_array().unwrap().iter().any(|r| r["id"] == id.as_str()),
        "the data download has the live receipt"
    );
    assert!(download["points"].as_array().unwrap().iter().any(|p| p["id"] == format!("earn:{id}").as_str()));
    let earn: PointsEntry = store.get_one(&format!("earn:{id}")).await.unwrap().unwrap();
    assert_eq!((earn.points, earn.card_number.as_str()), (40, MARIA));
    let month = &today[..7];
    assert_eq!(
        store.get_one::<PointsEntry>(&format!("challenge:promo_5:{month}:{MARIA}")).await.unwrap().unwrap().points,
        40
    );

    // A retry (same content, other key order and spacing): the original answer, nothing twice.
    let reversed: serde_json::Map<String, Value> =
        r.as_object().unwrap().iter().rev().map(|(k, v)| (k.clone(), v.clone())).collect();
    let text = serde_json::to_string_pretty(&Value::Object(reversed)).unwrap();
    assert!(text.trim_start().starts_with("{\n  \"lines\""), "{text}");
    let (status, _, again) =
        call(&app, "POST", "/api/v1/receipts", Some(&s01), Some("application/json; charset=utf-8"), text.into_bytes())
            .await;
    assert_eq!(status, StatusCode::OK, "{again}");
    assert_eq!(again, ack);
    // A till's web client on another origin: bearer keys are not cookies, no CSRF refusal.
    let req = Request::post("/api/v1/receipts")
        .header("origin", crate::common::ORIGIN)
        .header("authorization", format!("Bearer {s01}"))
        .header("content-type", "application/json")
        .header("origin", "https://cassa.example")
        .header("host", "loyalty.example")
        .body(Body::from(serde_json::to_vec(&r).unwrap()))
        .unwrap();
    assert_eq!(app.clone().oneshot(req).await.unwrap().status(), StatusCode::OK);
    assert_eq!(store.count(Table::Receipts).await.unwrap(), 4, "3 imported + 1 live");
    assert_eq!(store.count(Table::ApiReceipts).await.unwrap(), 1);

    // The same key with other content: 409, nothing changed.
    let mut changed = r.clone();
    changed["lines"][5]["net_cents"] = json!(2150);
    changed["net_cents"] = json!(3150);
    let (status, headers, body) = send(&app, &s01, &changed).await;
    problem(status, &headers, &body, StatusCode::CONFLICT);
    assert!(body["detail"].as_str().unwrap().contains(&id));
    assert_eq!(store.get_one::<Receipt>(&id).await.unwrap().unwrap().net_cents, 3050);

    // Another store's key: 403 naming the store.
    let mut other_day = r.clone();
    other_day["number"] = json!("43");
    let (status, headers, body) = send(&app, &s02, &other_day).await;
    problem(status, &headers, &body, StatusCode::FORBIDDEN);
    assert!(body["detail"].as_str().unwrap().starts_with("store_id"), "{body}");

    // Invalid input: every field at fault named; nothing stored.
    let mut bad = r.clone();
    bad["card_number"] = json!("2000000000016");
    bad["lines"][2]["ean"] = json!("12AB");
    bad["issued_at"] = json!("28/11/2026 08:00");
    let (status, headers, body) = send(&app, &s01, &bad).await;
    problem(status, &headers, &body, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<&str> = body["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["issued_at", "card_number", "lines[2].ean"]);
    let mut unknown = r.clone();
    unknown["lines"][1]["colour"] = json!("red");
    let (status, headers, body) = send(&app, &s01, &unknown).await;
    problem(status, &headers, &body, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["errors"][0]["field"], "lines[1].colour");
    assert!(body["errors"][0]["message"].as_str().unwrap().contains("unknown field `colour`"), "{body}");
    let mut wrong_type = r.clone();
    wrong_type["net_cents"] = json!("30,50");
    let (status, headers, body) = send(&app, &s01, &wrong_type).await;
    problem(status, &headers, &body, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["errors"][0]["field"], "net_cents");
    let (status, headers, body) =
        call(&app, "POST", "/api/v1/receipts", Some(&s01), Some("application/json"), b"{\"store_id\": ".to_vec()).await;
    problem(status, &headers, &body, StatusCode::BAD_REQUEST);
    let (status, headers, body) =
        call(&app, "POST", "/api/v1/receipts", Some(&s01), Some("text/plain"), serde_json::to_vec(&r).unwrap()).await;
    problem(status, &headers, &body, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let huge = format!("{{\"store_id\": \"{}\"}}", "x".repeat(300 * 1024));
    let (status, headers, body) =
        call(&app, "POST", "/api/v1/receipts", Some(&s01), Some("application/json"), huge.into_bytes()).await;
    problem(status, &headers, &body, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(store.count(Table::Receipts).await.unwrap(), 4);

    // Reading back: the sending store only.
    let path = format!("/api/v1/receipts/{id}");
    let (status, _, out) = call(&app, "GET", &path, Some(&s01), None, vec![]).await;
    assert_eq!(status, StatusCode::OK, "{out}");
    assert_eq!(
        (out["id"].as_str(), out["net_cents"].as_i64(), out["points"].as_i64()),
        (Some(id.as_str()), Some(3050), Some(40))
    );
    assert_eq!(out["lines"].as_array().unwrap().len(), 6);
    assert_eq!(
        (out["lines"][0]["gross_cents"].as_i64(), out["lines"][0]["promotion_id"].as_str()),
        (Some(250), Some("P3X2"))
    );
    let (status, headers, body) = call(&app, "GET", &path, Some(&s02), None, vec![]).await;
    problem(status, &headers, &body, StatusCode::NOT_FOUND);
    let (status, headers, body) =
        call(&app, "GET", "/api/v1/receipts/S01-20250314-2-1001", Some(&s01), None, vec![]).await;
    problem(status, &headers, &body, StatusCode::NOT_FOUND);
    let (status, headers, body) = call(&app, "GET", "/api/v1/nothing", Some(&s01), None, vec![]).await;
    problem(status, &headers, &body, StatusCode::NOT_FOUND);

    // A revoked key stops at once.
    keys::revoke(store.as_ref(), &s01_record.prefix, Some("S01")).await.unwrap();
    let (status, headers, body) = call(&app, "GET", &path, Some(&s01), None, vec![]).await;
    problem(status, &headers, &body, StatusCode::UNAUTHORIZED);
    assert!(keys::list(store.as_ref(), Some("S01")).await.unwrap()[0].revoked_at.is_some());

    // After a rebuild the live receipt is part of the projection and nothing is counted twice.
    state.projection.refresh(store.as_ref()).await.unwrap();
    assert!(state.projection.live.is_empty());
    let (_, area, _) = form(&app, "/api/my_area", String::new(), Some(&maria)).await;
    assert_eq!(area["card"]["points_balance"], 105);
    let (_, page, _) = form(&app, "/api/my_receipts", "page=1".into(), Some(&maria)).await;
    assert_eq!(page["total"], 2);

    // The OpenAPI 3.1 document, generated from the handlers.
    let (status, _, doc) = call(&app, "GET", "/api/v1/openapi.json", None, None, vec![]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(doc["openapi"], "3.1.0");
    assert!(doc["paths"]["/api/v1/receipts"]["post"]["responses"]["409"].is_object());
    assert!(doc["paths"]["/api/v1/receipts/{id}"]["get"].is_object());
    assert_eq!(
        doc["components"]["schemas"]["ReceiptIn"]["additionalProperties"], false,
        "unknown fields are refused, and documented so"
    );
    assert_eq!(doc["components"]["securitySchemes"]["store_key"]["scheme"], "bearer");
}

on_both_stores!(the_till_api);
