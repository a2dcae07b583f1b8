//! Spending points through the real router: an admin builds the catalogue (every problem named
//! by field), a shopper redeems a voucher and cancels another, a till checks a voucher and uses
//! it exactly once (a retry is 200, another receipt 409, a cancelled, expired or unknown voucher
//! 422, each naming `voucher_codes[i]`), and every refusal leaves balance and vouchers as they
//! were.

use crate::common;

use std::path::Path;

use axum::body::Body;
use http::{Request, StatusCode};
use http_body_util::BodyExt;
use imagross::http::{router, ServerState};
use imagross::import::pipeline::{import_file, ImportOptions};
use imagross::store::model::Voucher;
use imagross::store::StoreExt;
use serde_json::{json, Value};
use tower::ServiceExt;

const MARIA: &str = "2000000000015";

async fn form(s: &ServerState, path: &str, fields: &[(&str, &str)], cookie: &str) -> (StatusCode, Value) {
    common::form_post(s, path, fields, cookie).await
}

async fn till(s: &ServerState, method: &str, path: &str, key: &str, body: Option<Value>) -> (StatusCode, Value) {
    common::till_call(s, method, path, key, body).await
}

fn receipt(number: &str, vouchers: &[&str]) -> Value {
    let today = imagross::clock::today_date().iso();
    json!({
        "store_id": "S01", "issued_at": format!("{today}T10:00:00"), "till": "1", "number": number,
        "card_number": MARIA, "net_cents": 2_000,
        "lines": [{"line_no": 1, "ean": "8001234567890", "quantity_milli": 1000, "net_cents": 2_000}],
        "voucher_codes": vouchers,
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_shopper_spends_points_and_a_till_takes_the_voucher_once() {
    let t = common::sqlite().await;
    let store = t.store.clone();
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/import/fidelity.csv");
    import_file(store.as_ref(), &fixtures, &ImportOptions { kind: None, run_by: "t".into(), sheet: None }, &|_| {})
        .await
        .unwrap();
    let (s, admin) = common::admin_state(store.clone()).await;

    // The catalogue: a bad form names its field; a good one is listed.
    let reward = |points: &str| {
        vec![
            ("kind", "voucher".to_string()),
            ("title_it", "Buono spesa 10 €".to_string()),
            ("title_en", "10 € shopping voucher".to_string()),
            ("points", points.to_string()),
            ("value_eur", "10,00".to_string()),
            ("monthly_limit", "3".to_string()),
        ]
    };
    let fields = |v: &[(&'static str, String)]| v.iter().map(|(k, v)| (*k, v.clone())).collect::<Vec<_>>();
    let bad = fields(&reward("mille"));
    let bad: Vec<(&str, &str)> = bad.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (status, v) = form(&s, "/api/reward_save", &bad, &admin).await;
    assert_eq!((status, v["Invalid"]["field"].as_str()), (StatusCode::BAD_REQUEST, Some("points")), "{v}");
    let good = fields(&reward("1000"));
    let good: Vec<(&str, &str)> = good.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (status, created) = form(&s, "/api/reward_save", &good, &admin).await;
    assert_eq!(status, StatusCode::OK, "{created}");
    let reward_id = created["id"].as_str().unwrap().to_string();
    let (status, _) =
        form(&s, "/api/adjust_points", &[("card_number", MARIA), ("points", "2500"), ("reason", "benvenuto")], &admin)
            .await;
    assert_eq!(status, StatusCode::OK);

    // Maria sees what she can afford and redeems.
    let (status, claimed) = {
        let body = common::form_encode(&[
            ("card_number", MARIA),
            ("proof", "maria@example.it"),
            ("password", "nuova password sicura"),
            ("password_confirm", "nuova password sicura"),
        ]);
        let req = Request::post("/api/claim")
            .header("origin", common::ORIGIN)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(Body::from(body))
            .unwrap();
        let res = router(s.clone()).oneshot(req).await.unwrap();
        let cookie = res
            .headers()
            .get_all("set-cookie")
            .iter()
            .map(|v| v.to_str().unwrap().split(';').next().unwrap().to_string())
            .collect::<Vec<_>>()
            .join("; ");
        (res.status(), cookie)
    };
    assert_eq!(status, StatusCode::OK);
    let maria = claimed;
    let (_, page) = form(&s, "/api/my_rewards", &[], &maria).await;
    assert_eq!(page["balance"], 2500);
    assert_eq!((page["offers"][0]["missing_points"].as_i64(), page["offers"][0]["blocked"].is_null()), (Some(0), true));
    let (status, voucher) = form(&s, "/api/redeem", &[("reward_id", &reward_id)], &maria).await;
    assert_eq!(status, StatusCode::OK, "{voucher}");
    let code = voucher["code"].as_str().unwrap().to_string();
    assert!(app::validate::ean13::is_voucher_code(&code));
    assert!(voucher["barcode_svg"].as_str().unwrap().starts_with("<svg"));
    let (status, second) = form(&s, "/api/redeem", &[("reward_id", &reward_id)], &maria).await;
    assert_eq!(status, StatusCode::OK);
    let second = second["code"].as_str().unwrap().to_string();
    // 500 points left: a third is refused, naming why; nothing changes.
    let (status, v) = form(&s, "/api/redeem", &[("reward_id", &reward_id)], &maria).await;
    assert_eq!((status, v["Invalid"]["message"].as_str()), (StatusCode::BAD_REQUEST, Some("points")));
    let (_, page) = form(&s, "/api/my_rewards", &[], &maria).await;
    assert_eq!((page["balance"].as_i64(), page["vouchers"].as_array().unwrap().len()), (Some(500), 2));
    assert_eq!(page["offers"][0]["missing_points"], 500);
    // Cancelling the second gives its points back.
    let (status, v) = form(&s, "/api/cancel_voucher", &[("code", &second)], &maria).await;
    assert_eq!((status, v["status"].as_str()), (StatusCode::OK, Some("cancelled")));
    assert_eq!(form(&s, "/api/my_rewards", &[], &maria).await.1["balance"], 1500);

    // At the till.
    let (_, key) = imagross::till_api::keys::create(store.as_ref(), "S01", None, "test").await.unwrap();
    let (status, v) = till(&s, "GET", &format!("/api/v1/vouchers/{code}"), &key, None).await;
    assert_eq!((status, v["status"].as_str(), v["value_cents"].as_i64()), (StatusCode::OK, Some("active"), Some(1000)));
    let (status, v) = till(&s, "POST", "/api/v1/receipts", &key, Some(receipt("9001", &[&code]))).await;
    assert_eq!(status, StatusCode::CREATED, "{v}");
    let (status, _) = till(&s, "POST", "/api/v1/receipts", &key, Some(receipt("9001", &[&code]))).await;
    assert_eq!(status, StatusCode::OK, "a retry of the same receipt");
    let (status, v) = till(&s, "POST", "/api/v1/receipts", &key, Some(receipt("9002", &[&code]))).await;
    assert_eq!(status, StatusCode::CONFLICT, "{v}");
    assert_eq!(v["errors"][0]["field"], "voucher_codes[0]");
    let (_, v) = till(&s, "GET", &format!("/api/v1/vouchers/{code}"), &key, None).await;
    assert_eq!((v["status"].as_str(), v["receipt_id"].as_str()), (Some("used"), Some(receipt_id("9001").as_str())));
    // A cancelled voucher, an unknown one, an expired one: 422 naming it; nothing is stored, and
    // the good voucher beside it is given back.
    let (status, fresh) = form(&s, "/api/redeem", &[("reward_id", &reward_id)], &maria).await;
    assert_eq!(status, StatusCode::OK);
    let third = fresh["code"].as_str().unwrap().to_string();
    let unknown = app::validate::ean13::voucher_code(42).unwrap();
    for (n, bad) in [("9003", second.clone()), ("9004", unknown)] {
        let (status, v) = till(&s, "POST", "/api/v1/receipts", &key, Some(receipt(n, &[&third, &bad]))).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
        assert_eq!(v["errors"][0]["field"], "voucher_codes[1]", "{v}");
        let (_, v) = till(&s, "GET", &format!("/api/v1/vouchers/{third}"), &key, None).await;
        assert_eq!(v["status"], "active", "given back");
    }
    let (status, _) = till(&s, "GET", &format!("/api/v1/receipts/{}", receipt_id("9003")), &key, None).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "the refused receipt was not stored");
    let mut stored: Voucher = store.get_one(&third).await.unwrap().unwrap();
    stored.expires_at = imagross::clock::rfc3339_days_ago(1);
    store.replace_one(&stored).await.unwrap();
    let (status, v) = till(&s, "POST", "/api/v1/receipts", &key, Some(receipt("9005", &[&third]))).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert!(v["errors"][0]["message"].as_str().unwrap().contains("expired"), "{v}");
    let (_, page) = form(&s, "/api/my_rewards", &[], &maria).await;
    let statuses: Vec<&str> =
        page["vouchers"].as_array().unwrap().iter().map(|v| v["status"].as_str().unwrap()).collect();
    assert_eq!(statuses.iter().filter(|s| **s == "used").count(), 1);
    assert_eq!(statuses.iter().filter(|s| **s == "expired").count(), 1);
    assert_eq!(statuses.iter().filter(|s| **s == "cancelled").count(), 1);

    // The chain's Scontrini file may carry the vouchers taken (column `Buoni`): the same
    // exactly-once rule. A re-import changes nothing; another receipt naming it is reported.
    let (status, _) =
        form(&s, "/api/adjust_points", &[("card_number", MARIA), ("points", "1000"), ("reason", "bonus")], &admin)
            .await;
    assert_eq!(status, StatusCode::OK);
    let (status, batch_voucher) = form(&s, "/api/redeem", &[("reward_id", &reward_id)], &maria).await;
    assert_eq!(status, StatusCode::OK, "{batch_voucher}");
    let batch_voucher = batch_voucher["code"].as_str().unwrap().to_string();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("scontrini.csv");
    std::fs::write(
        &file,
        format!(
            "PuntoVendita;Data;Ora;Cassa;NumeroScontrino;NumeroCarta;Totale;Buoni\n\
             S01;20/11/2026;10:00;5;801;{MARIA};30,00;{batch_voucher}\n"
        ),
    )
    .unwrap();
    let options = ImportOptions { kind: None, run_by: "t".into(), sheet: None };
    for _ in 0..2 {
        let summary = import_file(store.as_ref(), &file, &options, &|_| {}).await.unwrap();
        assert_eq!(summary.rejected, 0, "{summary:?}");
    }
    let used: Voucher = store.get_one(&batch_voucher).await.unwrap().unwrap();
    assert_eq!((used.status.as_str(), used.receipt_id.as_deref()), ("used", Some("S01-20261120-5-801")));
    std::fs::write(
        &file,
        format!(
            "PuntoVendita;Data;Ora;Cassa;NumeroScontrino;NumeroCarta;Totale;Buoni\n\
             S01;20/11/2026;11:00;5;802;{MARIA};30,00;{batch_voucher}\n"
        ),
    )
    .unwrap();
    let summary = import_file(store.as_ref(), &file, &options, &|_| {}).await.unwrap();
    assert_eq!((summary.inserted, summary.rejected), (1, 1), "{summary:?}");
    assert_eq!(summary.errors[0].column.as_deref(), Some("voucher_codes"));
    assert!(summary.errors[0].reason.contains("another receipt"), "{:?}", summary.errors);

    // The admin finds the card by a voucher's code, and the 360 view shows its vouchers.
    s.projection.refresh(store.as_ref()).await.unwrap();
    let (status, list) =
        form(&s, "/api/analytics_customers", &[("query", &format!("range=all&q={code}"))], &admin).await;
    assert_eq!(status, StatusCode::OK, "{list}");
    assert!(list.to_string().contains(MARIA), "{list}");
    let (status, one) = form(&s, "/api/analytics_customer", &[("card_number", MARIA)], &admin).await;
    assert_eq!(status, StatusCode::OK, "{one}");
    let found = one["vouchers"].as_array().unwrap().iter().find(|v| v["code"] == code.as_str()).unwrap().clone();
    assert_eq!(found["status"], "used");

    // The book was loaded whole by the projection build above; later changes (an adjustment,
    // a redemption, its cancellation, a voucher used at a till) are added as they happen, and
    // the book then equals one loaded whole from the store.
    let (status, _) = form(
        &s,
        "/api/adjust_points",
        &[("card_number", MARIA), ("points", "1007"), ("reason", "arrotondamento")],
        &admin,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    // (A second reward: the first allows three vouchers a month, all taken.)
    let five = fields(&reward("500"));
    let mut five: Vec<(&str, &str)> = five.iter().map(|(k, v)| (*k, v.as_str())).collect();
    five.retain(|(k, _)| *k != "monthly_limit" && *k != "title_it" && *k != "value_eur");
    five.extend([("title_it", "Buono spesa 5 €"), ("value_eur", "5,00")]);
    let (status, second_reward) = form(&s, "/api/reward_save", &five, &admin).await;
    assert_eq!(status, StatusCode::OK, "{second_reward}");
    let second_reward = second_reward["id"].as_str().unwrap().to_string();
    s.points.refresh_book_if_stale(300).await.unwrap(); // (a catalogue edit asks for a whole load)
    let (status, late) = form(&s, "/api/redeem", &[("reward_id", &second_reward)], &maria).await;
    assert_eq!(status, StatusCode::OK, "{late}");
    let late = late["code"].as_str().unwrap().to_string();
    let (status, _) = form(&s, "/api/cancel_voucher", &[("code", &late)], &maria).await;
    assert_eq!(status, StatusCode::OK);
    let (status, used_now) = form(&s, "/api/redeem", &[("reward_id", &second_reward)], &maria).await;
    assert_eq!(status, StatusCode::OK, "{used_now}");
    let used_now = used_now["code"].as_str().unwrap().to_string();
    let (status, v) = till(&s, "POST", "/api/v1/receipts", &key, Some(receipt("9010", &[&used_now]))).await;
    assert_eq!(status, StatusCode::CREATED, "{v}");
    let all = (imagross::clock::today() - 3_650, imagross::clock::today());
    let whole = imagross::points::book::PointsBook::load(store.as_ref()).await.unwrap();
    let (mut added, mut loaded) = (s.points.programme(all.0, all.1), whole.programme(all.0, all.1));
    (added.as_of, loaded.as_of) = (String::new(), String::new());
    assert_eq!(added, loaded, "the book kept by changes equals the book loaded whole");

    // The dashboard's points programme, against the hand count: four vouchers of the first
    // reward issued today (one used at the till, one by the file, one cancelled, one expired)
    // and two of the second (one cancelled, one used at the till): 4 × 1,000 + 2 × 500
    // redeemed less the 1,000 + 500 given back; outstanding is Maria's balance (the only card
    // with points), worth 1 cent a point (10 € for 1,000 points, 5 € for 500).
    let (status, d) = form(&s, "/api/analytics_dashboard", &[("query", "range=all")], &admin).await;
    assert_eq!(status, StatusCode::OK, "{d}");
    let p = &d["points"];
    let (balance, _) = store.points_totals(MARIA, "9999").await.unwrap();
    assert_eq!((p["outstanding"].as_i64(), p["liability_cents"].as_i64()), (Some(balance), Some(balance)));
    assert_eq!(p["period"]["redeemed"], 3_500);
    let counts = |id: &str| {
        let r = p["by_reward"].as_array().unwrap().iter().find(|r| r["reward_id"] == id).unwrap().clone();
        [&r["issued"], &r["used"], &r["cancelled"], &r["expired"]].map(|v| v.as_i64().unwrap())
    };
    assert_eq!(counts(&reward_id), [4, 2, 1, 1], "{p}");
    assert_eq!(counts(&second_reward), [2, 1, 1, 0], "{p}");
    let req =
        Request::get("/admin/export/vouchers.csv?range=all").header("cookie", &admin).body(Body::empty()).unwrap();
    let res = router(s.clone()).oneshot(req).await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let csv = String::from_utf8(res.into_body().collect().await.unwrap().to_bytes().to_vec()).unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert!(lines[0].contains("code;card_number;reward_id"), "{csv}");
    assert_eq!(lines.len(), 7, "a header and six vouchers: {csv}");
    let row = lines.iter().find(|l| l.starts_with(&code)).unwrap();
    assert!(row.contains(";used;") && row.contains(";10,00;1000;"), "{row}");

    // A paused reward cannot be redeemed.
    let (status, _) = form(&s, "/api/reward_pause", &[("id", &reward_id), ("paused", "true")], &admin).await;
    assert_eq!(status, StatusCode::OK);
    let (status, v) = form(&s, "/api/redeem", &[("reward_id", &reward_id)], &maria).await;
    assert_eq!((status, v["Invalid"]["message"].as_str()), (StatusCode::BAD_REQUEST, Some("paused")));
}

fn receipt_id(number: &str) -> String {
    format!("S01-{}-1-{number}", imagross::clock::today_date().iso().replace('-', ""))
}
