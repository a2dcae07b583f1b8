//! The analytics engine end to end on both stores: import the fixture files, build the
//! projection from the store, and read the dashboard, the customer list, the customer 360 view
//! and the exports through the real router as an admin — every figure hand-computed from
//! `server/fixtures/import`. Anonymous callers get 401 and shoppers 403.
//!
//! Fixture receipts: S01 14/03/2025 18:30 Maria (…015) 23,40 (discount 1,50; lines Mele 2,99
//! and Yogurt 20,41 on promotion P3X2); S01 14/03/2025 18:35 no card 5,00 (Mele); S02 15/03/2025
//! 09:10 Luca (…022) 12,34 (Prosciutto).

use crate::common;

use std::path::Path;
use std::sync::Arc;

use axum::body::Body;
use http::{Request, StatusCode};
use http_body_util::BodyExt;
use imagross::http::{router, ServerState};
use imagross::import::pipeline::{import_file, ImportOptions};
use imagross::store::{Store, StoreExt};
use serde_json::{json, Value};
use tower::ServiceExt;

fn fixture(name: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/import").join(name)
}

async fn import(store: &dyn Store, name: &str) -> String {
    import_path(store, &fixture(name)).await
}

/// Imports a file that must have no rejected row; returns its batch id.
async fn import_path(store: &dyn Store, path: &std::path::Path) -> String {
    let s = import_file(store, path, &ImportOptions { kind: None, run_by: "test".into(), sheet: None }, &|_| {})
        .await
        .unwrap();
    assert_eq!(s.rejected, 0, "{s:?}");
    s.batch_id
}

async fn send(state: &ServerState, req: Request<Body>) -> (StatusCode, Vec<u8>, http::HeaderMap) {
    let res = router(state.clone()).oneshot(req).await.unwrap();
    let status = res.status();
    let headers = res.headers().clone();
    (status, res.into_body().collect().await.unwrap().to_bytes().to_vec(), headers)
}

async fn call(state: &ServerState, path: &str, body: String, cookie: Option<&str>) -> (StatusCode, String) {
    let mut req = Request::post(path)
        .header("origin", crate::common::ORIGIN)
        .header("content-type", "application/x-www-form-urlencoded");
    if let Some(c) = cookie {
        req = req.header("cookie", c);
    }
    let (status, body, _) = send(state, req.body(Body::from(body)).unwrap()).await;
    (status, String::from_utf8_lossy(&body).into_owned())
}

async fn get(state: &ServerState, path: &str, cookie: Option<&str>) -> (StatusCode, Vec<u8>, http::HeaderMap) {
    let mut req = Request::get(path);
    if let Some(c) = cookie {
        req = req.header("cookie", c);
    }
    send(state, req.body(Body::empty()).unwrap()).await
}

use common::admin_state;

fn query(q: &str) -> String {
    common::form_encode(&[("query", q)])
}

fn kpi(d: &Value, key: &str) -> Value {
    d["kpis"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["key"].as_str().map(|s| s.to_ascii_lowercase()) == Some(key.replace('_', "")))
        .unwrap()["value"]
        .clone()
}

async fn dashboard_matches_the_fixture_files(store: Arc<dyn Store>) {
    let (state, admin) = admin_state(store.clone()).await;
    // Cold caches: the dashboard says "unavailable", never zeros.
    assert_eq!(
        call(&state, "/api/analytics_dashboard", query("range=all"), Some(&admin)).await.0,
        StatusCode::SERVICE_UNAVAILABLE
    );

    import(store.as_ref(), "fidelity.csv").await;
    import(store.as_ref(), "scontrini.csv").await;
    state.projection.refresh(store.as_ref()).await.unwrap();
    let (status, body) = call(&state, "/api/analytics_dashboard", query("range=all"), Some(&admin)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let d: Value = serde_json::from_str(&body).unwrap();
    assert_eq!((d["from"].as_str(), d["to"].as_str()), (Some("2025-03-14"), Some("2025-03-15")));
    assert_eq!(kpi(&d, "revenue"), 4074, "23,40 + 5,00 + 12,34");
    assert_eq!(kpi(&d, "items_per_receipt"), Value::Null, "no sales lines imported yet: unknown, not zero");
    assert_eq!(kpi(&d, "promotion_share"), Value::Null);

    // A new batch is picked up by the refresh that follows it.
    import(store.as_ref(), "vendite.csv").await;
    assert!(state.projection.refresh_if_changed(store.as_ref()).await.unwrap(), "the new batch triggers a rebuild");
    assert!(!state.projection.refresh_if_changed(store.as_ref()).await.unwrap(), "nothing new: no rebuild");
    let (_, body) = call(&state, "/api/analytics_dashboard", query("range=all"), Some(&admin)).await;
    let d: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(kpi(&d, "revenue"), 4074);
    assert_eq!(kpi(&d, "receipts"), 3);
    assert_eq!(kpi(&d, "average_ticket"), 1358);
    assert_eq!(kpi(&d, "items_per_receipt"), 1333, "4 lines / 3 receipts");
    assert_eq!(kpi(&d, "active_cardholders"), 2);
    assert_eq!(kpi(&d, "loyalty_share"), 8772, "35,74 of 40,74");
    assert_eq!(kpi(&d, "new_cardholders"), 2, "first receipts of Maria and Luca");
    assert_eq!(kpi(&d, "promotion_share"), 5009, "20,41 of 40,74");
    assert_eq!(kpi(&d, "discounts"), 150);
    let depts: Vec<(String, i64)> = d["departments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| (g["name"].as_str().unwrap().to_string(), g["revenue_cents"].as_i64().unwrap()))
        .collect();
    assert_eq!(
        depts,
        [("Latticini".to_string(), 2041), ("Salumeria e Formaggi".to_string(), 1234), ("Ortofrutta".to_string(), 799)]
    );
    let segs: Vec<(String, i64)> = d["segments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["segment"].as_str().unwrap().to_string(), s["revenue_cents"].as_i64().unwrap()))
        .collect();
    // Maria R1 F1 M3 = Others; Luca R3 F3 M1 = Potential Loyalist.
    assert_eq!(segs, [("PotentialLoyalist".to_string(), 1234), ("Others".to_string(), 2340)]);

    // The customer-value models are fitted with the projection: two cardholders, no repeat
    // buyer (so no Gamma-Gamma fit).
    assert_eq!(d["clv"]["bgnbd_n"], 2);
    assert_eq!(d["clv"]["as_of"], "2025-03-15");
    assert_eq!(d["clv"]["p"], Value::Null);

    // Filters combine: store S01 and the Ortofrutta department.
    let (_, body) =
        call(&state, "/api/analytics_dashboard", query("range=all&store=S01&dept=ORTOFRUTTA"), Some(&admin)).await;
    let d: Value = serde_json::from_str(&body).unwrap();
    let ortofrutta = d["options"]["departments"].as_array().unwrap().iter().find(|o| o[1] == "Ortofrutta").unwrap()[0]
        .as_str()
        .unwrap()
        .to_string();
    let (_, body) = call(
        &state,
        "/api/analytics_dashboard",
        query(&format!("range=all&store=S01&dept={ortofrutta}")),
        Some(&admin),
    )
    .await;
    let d: Value = serde_json::from_str(&body).unwrap();
    assert_eq!((kpi(&d, "revenue"), kpi(&d, "receipts")), (Value::from(799), Value::from(2)), "2,99 + 5,00");

    // A bad filter is named.
    let (status, body) = call(&state, "/api/analytics_dashboard", query("range=all&segment=vip"), Some(&admin)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body.contains("segment"), "{body}");

    // Customer list and 360.
    let (status, body) = call(&state, "/api/analytics_customers", query("range=all&q=rossi"), Some(&admin)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let page: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(page["total"], 1);
    assert_eq!(page["rows"][0]["card_number"], "2000000000015");
    assert_eq!(
        (page["rows"][0]["r"].as_i64(), page["rows"][0]["f"].as_i64(), page["rows"][0]["m"].as_i64()),
        (Some(1), Some(1), Some(3))
    );
    let (status, body) =
        call(&state, "/api/analytics_customer", common::form_encode(&[("card_number", "2000000000022")]), Some(&admin))
            .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let c: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(c["name"], "Luca Bianchi");
    assert_eq!(c["receipts"][0]["lines"][0]["description"], "Prosciutto crudo");
    assert_eq!(c["rfm"]["segment"], "PotentialLoyalist");
    let (status, _) =
        call(&state, "/api/analytics_customer", common::form_encode(&[("card_number", "999")]), Some(&admin)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // Manual points adjustments: validated, kept in the ledger with reason and author.
    let adjust = |points: &str, reason: &str, card: &str| {
        common::form_encode(&[("card_number", card), ("points", points), ("reason", reason)])
    };
    let (status, body) =
        call(&state, "/api/adjust_points", adjust("50", "Buono per disservizio", "2000000000022"), Some(&admin)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) =
        call(&state, "/api/adjust_points", adjust("-20", "Correzione", "2000000000022"), Some(&admin)).await;
    assert_eq!((status, body.as_str()), (StatusCode::OK, "42"), "12 earned on 12,34 + 50 - 20");
    let (status, body) = call(&state, "/api/adjust_points", adjust("10", "  ", "2000000000022"), Some(&admin)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body.contains("reason"), "{body}");
    let (status, body) = call(&state, "/api/adjust_points", adjust("0", "x", "2000000000022"), Some(&admin)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body.contains("points"), "{body}");
    assert_eq!(
        call(&state, "/api/adjust_points", adjust("5", "x", "2999999999999"), Some(&admin)).await.0,
        StatusCode::NOT_FOUND
    );
    let entries: Vec<imagross::store::model::PointsEntry> =
        store.find("card_number", serde_json::json!("2000000000022"), 100).await.unwrap();
    let adj: Vec<_> = entries.iter().filter(|e| e.kind == "adjustment").collect();
    assert_eq!(adj.len(), 2);
    assert!(adj
        .iter()
        .any(|e| e.reason.as_deref() == Some("Buono per disservizio") && e.points == 50 && e.created_by.is_some()));
    let (_, body) =
        call(&state, "/api/analytics_customer", common::form_encode(&[("card_number", "2000000000022")]), Some(&admin))
            .await;
    assert_eq!(serde_json::from_str::<Value>(&body).unwrap()["points_balance"], 42);
    // A later ledger sync leaves manual adjustments alone.
    state.projection.rerun_hooks(store.as_ref()).await;
    let after: Vec<imagross::store::model::PointsEntry> =
        store.find("card_number", serde_json::json!("2000000000022"), 100).await.unwrap();
    assert_eq!(after.iter().map(|e| e.points).sum::<i64>(), 42);

    // Exports honour the filters and neutralise formulas.
    let (status, body, headers) = get(&state, "/admin/export/customers.csv?range=all", Some(&admin)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(headers["content-disposition"].to_str().unwrap().contains("imagross-customers.csv"));
    let text = String::from_utf8(body).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[0].starts_with("\u{feff}card_number;name;"));
    assert!(
        lines[1].starts_with(
            "2000000000015;Maria Rossi;maria@example.it;'+393331234567;2025-03-14;1;1;23,40;1;1;3;Others;"
        ),
        "{}",
        lines[1]
    );
    assert!(
        lines[2]
            .starts_with("2000000000022;Luca Bianchi;;'+393477654321;2025-03-15;0;1;12,34;3;3;1;Potential Loyalist;"),
        "{}",
        lines[2]
    );
    assert_eq!(lines.len(), 3);
    let (_, body, _) =
        get(&state, "/admin/export/customers.csv?range=all&segment=potential_loyalist&sep=comma", Some(&admin)).await;
    let text = String::from_utf8(body).unwrap();
    assert_eq!(text.lines().count(), 2);
    assert!(text.contains(",12.34,"), "{text}");
    let (status, body, headers) = get(&state, "/admin/export/sales.xlsx?range=all&store=S02", Some(&admin)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(&body[..2], b"PK", "an XLSX is a zip");
    assert!(headers["content-type"].to_str().unwrap().contains("spreadsheetml"));
    let (status, body, _) = get(&state, "/admin/export/customers.csv?range=all&from=2025-13-01", Some(&admin)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(String::from_utf8_lossy(&body).contains("from"));
    let (status, body, _) = get(&state, "/admin/export/nothing.csv", Some(&admin)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(String::from_utf8_lossy(&body).contains("kind"));
}

/// "Where is this card?": a card number the customer list does not find says whether it was
/// only ever rejected (file, date, row, reason), is in the register awaiting the next build
/// (with the file that created it), or was never seen; a present card is simply listed, and
/// its 360 view names the files that created and last changed it.
async fn a_card_that_is_not_found_says_where_it_was_seen(store: Arc<dyn Store>) {
    let (state, admin) = admin_state(store.clone()).await;
    let fidelity = import(store.as_ref(), "fidelity.csv").await;
    let scontrini = import(store.as_ref(), "scontrini.csv").await;
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("fidelity-bad.csv");
    std::fs::write(&bad, "NumeroCarta;Nome;Cognome;Email;ConsensoPrivacy\n2000000000046;Piero;Neri;non-una-email;S\n")
        .unwrap();
    let options = ImportOptions { kind: None, run_by: "test".into(), sheet: None };
    let s = import_file(store.as_ref(), &bad, &options, &|_| {}).await.unwrap();
    assert_eq!(s.rejected, 1, "{s:?}");
    state.projection.refresh(store.as_ref()).await.unwrap();
    let search = |card: &'static str| {
        let (state, admin) = (state.clone(), admin.clone());
        async move {
            let (status, body) =
                call(&state, "/api/analytics_customers", query(&format!("range=all&q={card}")), Some(&admin)).await;
            assert_eq!(status, StatusCode::OK, "{body}");
            serde_json::from_str::<Value>(&body).unwrap()
        }
    };
    let rejected = search("2000000000046").await;
    assert_eq!(rejected["total"], 0);
    let lookup = &rejected["card_lookup"];
    assert_eq!(lookup["in_register"], false);
    let mention = &lookup["rejected"][0];
    assert_eq!((mention["file_name"].as_str(), mention["row"].as_i64()), (Some("fidelity-bad.csv"), Some(2)));
    assert_eq!(mention["column"], "Email");
    assert!(mention["reason"].as_str().unwrap().to_lowercase().contains("email"), "{mention}");

    let never = search("2000000000053").await;
    assert_eq!(
        (never["card_lookup"]["in_register"].as_bool(), never["card_lookup"]["rejected"].as_array().map(Vec::len)),
        (Some(false), Some(0))
    );

    let present = search("2000000000015").await;
    assert_eq!(present["total"], 1);
    assert!(present["card_lookup"].is_null(), "a listed card needs no explanation");

    // In the register, not yet in the analytics (written after the last build).
    let mut newcomer: imagross::store::model::Cardholder =
        imagross::store::StoreExt::get_one(store.as_ref(), "2000000000015").await.unwrap().unwrap();
    newcomer.id = "2000000000060".into();
    newcomer.email = None;
    newcomer.phone = None;
    imagross::store::StoreExt::upsert_all(store.as_ref(), &[newcomer]).await.unwrap();
    let newcomer = search("2000000000060").await;
    assert_eq!(
        (newcomer["card_lookup"]["in_register"].as_bool(), newcomer["card_lookup"]["in_analytics"].as_bool()),
        (Some(true), Some(false))
    );
    assert_eq!(
        newcomer["card_lookup"]["lineage"],
        json!({"first": null, "last": null}),
        "written by no import: no batch"
    );
    // Anna is a cardholder without receipts: listed nowhere, explained as such, with the file
    // that created her record.
    let quiet = search("2000000000039").await;
    assert_eq!(quiet["card_lookup"]["in_analytics"], true);
    let lineage = &quiet["card_lookup"]["lineage"];
    assert_eq!(
        (lineage["first"]["batch_id"].as_str(), lineage["first"]["file_name"].as_str()),
        (Some(&*fidelity), Some("fidelity.csv"))
    );
    assert_eq!(lineage["last"]["batch_id"].as_str(), Some(&*fidelity));

    // A later file that changes Anna and repeats Maria unchanged: Anna's last batch moves, her
    // first stays; Maria keeps both. The 360 view says the same.
    let changed = dir.path().join("fidelity-dicembre.csv");
    std::fs::write(
        &changed,
        "NumeroCarta;Nome;Cognome;Email;Cellulare;DataNascita;ConsensoPrivacy\n\
         2000000000015;Maria;Rossi;maria@example.it;333 1234567;17/05/1990;S\n\
         2000000000039;Anna;Verdi;anna.verdi@example.it;;;S\n",
    )
    .unwrap();
    let december = import_path(store.as_ref(), &changed).await;
    let lineage = |card: &'static str| {
        let (state, admin) = (state.clone(), admin.clone());
        async move {
            let (status, body) =
                call(&state, "/api/analytics_customer", common::form_encode(&[("card_number", card)]), Some(&admin))
                    .await;
            assert_eq!(status, StatusCode::OK, "{body}");
            let view: Value = serde_json::from_str(&body).unwrap();
            let batch = |k: &str| view["lineage"][k]["batch_id"].as_str().map(str::to_string);
            (batch("first"), batch("last"), view["lineage"]["last"]["file_name"].clone())
        }
    };
    state.projection.refresh(store.as_ref()).await.unwrap();
    assert_eq!(
        lineage("2000000000039").await,
        (Some(fidelity.clone()), Some(december.clone()), json!("fidelity-dicembre.csv"))
    );
    assert_eq!(lineage("2000000000015").await, (Some(fidelity.clone()), Some(fidelity.clone()), json!("fidelity.csv")));
    // Receipts and lines record their batches too.
    use imagross::store::Table;
    let number = store.get_one::<imagross::store::model::ImportBatch>(&scontrini).await.unwrap().unwrap().number;
    assert!(number.is_some());
    assert_eq!(
        store.lineage(Table::Receipts, "S01-20250314-2-1001").await.unwrap(),
        Some(imagross::store::Lineage { first_batch: number, last_batch: number })
    );
    assert_eq!(store.lineage(Table::Receipts, "no-such-receipt").await.unwrap(), None);
}

on_both_stores!(dashboard_matches_the_fixture_files, a_card_that_is_not_found_says_where_it_was_seen);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn analytics_answer_401_to_anonymous_and_403_to_shoppers() {
    let t = common::sqlite().await;
    let state = common::server_state(&t);
    state.projection.refresh(t.store.as_ref()).await.unwrap();
    let (status, body) =
        call(&state, "/api/signup", common::signup_body("giulia@example.it", "333 1234567"), None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let shopper = login_shopper(&state).await;
    for (path, body) in [
        ("/api/analytics_dashboard", query("range=all")),
        ("/api/analytics_customers", query("range=all")),
        ("/api/analytics_customer", common::form_encode(&[("card_number", "2000000000015")])),
        (
            "/api/adjust_points",
            common::form_encode(&[("card_number", "2000000000015"), ("points", "5"), ("reason", "x")]),
        ),
    ] {
        assert_eq!(call(&state, path, body.clone(), None).await.0, StatusCode::UNAUTHORIZED, "{path} anonymous");
        assert_eq!(call(&state, path, body, Some(&shopper)).await.0, StatusCode::FORBIDDEN, "{path} shopper");
    }
    assert_eq!(get(&state, "/admin/export/customers.csv", None).await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(get(&state, "/admin/export/customers.csv", Some(&shopper)).await.0, StatusCode::FORBIDDEN);
}

async fn login_shopper(state: &ServerState) -> String {
    common::login_as(state, "giulia@example.it", "una password lunga").await
}

/// Imports the fixture files into `t` and returns a runner of the real binary on that store.
async fn imported_fixture_cli(t: &common::TestStore) -> impl Fn(&[&str]) -> std::process::Output + '_ {
    for f in ["fidelity.csv", "scontrini.csv", "vendite.csv"] {
        import(t.store.as_ref(), f).await;
    }
    let imagross::store::DatabaseUrl::Sqlite(db) = &t.url else { unreachable!() };
    move |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_imagross"))
            .args(args)
            .env("DATABASE_URL", format!("sqlite:{}", db.display()))
            .env("RUST_LOG", "warn")
            .output()
            .unwrap()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_export_command_writes_customers_with_rfm_and_segments() {
    let t = common::sqlite().await;
    let run = imported_fixture_cli(&t).await;
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("customers.csv");
    let o = run(&["export", "--kind", "customers", "--format", "csv", "--out", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let text = std::fs::read_to_string(&out).unwrap();
    assert_eq!(text.lines().count(), 3);
    assert!(
        text.contains("2000000000022;Luca Bianchi;;'+393477654321;2025-03-15;0;1;12,34;3;3;1;Potential Loyalist;"),
        "{text}"
    );
    let o = run(&[
        "export",
        "--kind",
        "customers",
        "--out",
        out.to_str().unwrap(),
        "--segment",
        "potential_loyalist",
        "--from",
        "2025-03-01",
        "--to",
        "2025-03-31",
    ]);
    assert!(o.status.success());
    let text = std::fs::read_to_string(&out).unwrap();
    assert_eq!(text.lines().count(), 2);
    assert!(text.contains(";16;1;12,34;"), "recency to 31 March: {text}");
    let xlsx = dir.path().join("segments.xlsx");
    let o = run(&["export", "--kind", "segments", "--format", "xlsx", "--out", xlsx.to_str().unwrap()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(String::from_utf8_lossy(&o.stdout).contains("2 rows of segments"));
    let bad = run(&["export", "--kind", "customers", "--out", out.to_str().unwrap(), "--segment", "vip"]);
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("--segment"), "{}", String::from_utf8_lossy(&bad.stderr));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_clv_command_prints_the_fit() {
    let t = common::sqlite().await;
    let run = imported_fixture_cli(&t).await;
    let o = run(&["clv", "--json"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["as_of"], "2025-03-15", "defaults to the last receipt's date");
    assert_eq!(v["bgnbd"]["n"], 2);
    assert!(v["bgnbd"]["log_likelihood"].as_f64().unwrap().is_finite());
    assert_eq!(v["gamma_gamma"], Value::Null);
    let o = run(&["clv", "--as-of", "2025-03-14"]);
    assert!(o.status.success());
    assert!(
        String::from_utf8_lossy(&o.stdout).contains("n = 1,"),
        "only Maria had bought by 14 March: {}",
        String::from_utf8_lossy(&o.stdout)
    );
    let bad = run(&["clv", "--as-of", "2025-13-01"]);
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("--as-of"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_empty_store_says_to_import_the_files() {
    let t = common::sqlite().await;
    let (state, admin) = admin_state(t.store.clone()).await;
    state.projection.refresh(t.store.as_ref()).await.unwrap();
    let req = Request::get("/admin").header("cookie", admin).body(Body::empty()).unwrap();
    let res = router(state.clone()).oneshot(req).await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let html = String::from_utf8(res.into_body().collect().await.unwrap().to_bytes().to_vec()).unwrap();
    assert!(html.contains(r#"data-testid="dash-empty-store""#), "{html}");
    assert!(html.contains("Nessun dato: importa i file") && html.contains(r#"href="/admin/import""#));
}
